-- The provider-neutral flow-log table. Times are Unix milliseconds.
CREATE TABLE flow_logs (
    -- Creation order: the stable order of every listing and of Huawei's marker paging.
    seq                  INTEGER PRIMARY KEY AUTOINCREMENT,
    id                   TEXT    NOT NULL,
    provider             TEXT    NOT NULL CHECK (provider IN ('huawei', 'alibaba')),
    -- Huawei project id, or Alibaba account id.
    tenant_id            TEXT    NOT NULL,
    -- Alibaba region id; '' for Huawei, whose projects are regional already.
    region_id            TEXT    NOT NULL DEFAULT '',
    name                 TEXT,
    description          TEXT,
    resource_kind        TEXT    NOT NULL CHECK (resource_kind IN ('network_interface', 'subnet', 'vpc')),
    resource_id          TEXT    NOT NULL,
    traffic_filter       TEXT    NOT NULL CHECK (traffic_filter IN ('all', 'accepted', 'rejected')),
    -- Comma-separated Alibaba traffic paths; '' for Huawei.
    traffic_paths        TEXT    NOT NULL DEFAULT '',
    aggregation_interval INTEGER,
    ip_version           TEXT,
    log_format           TEXT,
    -- Huawei LTS log group + log topic, or Alibaba SLS project + logstore.
    log_group            TEXT    NOT NULL,
    log_topic            TEXT    NOT NULL,
    index_enabled        BOOLEAN NOT NULL DEFAULT FALSE,
    resource_group_id    TEXT,
    status               TEXT    NOT NULL CHECK (status IN ('activating', 'active', 'deactivating', 'inactive', 'deleting')),
    -- When a transitional status completes; set exactly when the status is transitional.
    due_at               INTEGER,
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL,
    CHECK ((status IN ('activating', 'deactivating', 'deleting')) = (due_at IS NOT NULL))
);

CREATE UNIQUE INDEX flow_logs_provider_id ON flow_logs (provider, id);

-- Huawei's duplicate rule (409 VPC.3004): one flow log per project and content.
CREATE UNIQUE INDEX flow_logs_huawei_content
    ON flow_logs (tenant_id, resource_kind, resource_id, traffic_filter, log_group, log_topic)
    WHERE provider = 'huawei';

CREATE INDEX flow_logs_tenant_order ON flow_logs (provider, tenant_id, region_id, seq);

CREATE INDEX flow_logs_due ON flow_logs (due_at) WHERE due_at IS NOT NULL;

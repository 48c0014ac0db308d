-- The provider-neutral flow-log table, as in migrations/sqlite: same columns, constraints and
-- indexes. Times are Unix milliseconds (BIGINT). Text is stored with NUL escaped (src/store/postgres.rs).
CREATE TABLE flow_logs (
    -- Creation order: the stable order of every listing and of Huawei's marker paging.
    seq                  BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
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
    aggregation_interval BIGINT,
    ip_version           TEXT,
    log_format           TEXT,
    -- Huawei LTS log group + log topic, or Alibaba SLS project + logstore.
    log_group            TEXT    NOT NULL,
    log_topic            TEXT    NOT NULL,
    index_enabled        BOOLEAN NOT NULL DEFAULT FALSE,
    resource_group_id    TEXT,
    status               TEXT    NOT NULL CHECK (status IN ('activating', 'active', 'deactivating', 'inactive', 'deleting')),
    -- When a transitional status completes; set exactly when the status is transitional.
    due_at               BIGINT,
    created_at           BIGINT  NOT NULL,
    updated_at           BIGINT  NOT NULL,
    CHECK ((status IN ('activating', 'deactivating', 'deleting')) = (due_at IS NOT NULL))
);

CREATE UNIQUE INDEX flow_logs_provider_id ON flow_logs (provider, id);

-- Huawei's duplicate rule (409 VPC.3004): one flow log per project and content.
CREATE UNIQUE INDEX flow_logs_huawei_content
    ON flow_logs (tenant_id, resource_kind, resource_id, traffic_filter, log_group, log_topic)
    WHERE provider = 'huawei';

CREATE INDEX flow_logs_tenant_order ON flow_logs (provider, tenant_id, region_id, seq);

CREATE INDEX flow_logs_due ON flow_logs (due_at) WHERE due_at IS NOT NULL;

-- Every process sharing the database LISTENs on this channel; a row that gets a due time wakes
-- their transition workers when its transaction commits (identical notifications of one
-- transaction are delivered once).
CREATE FUNCTION flowplane_notify_transition_scheduled() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('flowplane_transitions', '');
    RETURN NULL;
END;
$$;

CREATE TRIGGER flow_logs_transition_scheduled
    AFTER INSERT OR UPDATE OF due_at ON flow_logs
    FOR EACH ROW WHEN (NEW.due_at IS NOT NULL)
    EXECUTE FUNCTION flowplane_notify_transition_scheduled();

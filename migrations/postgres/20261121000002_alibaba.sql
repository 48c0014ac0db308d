-- As migrations/sqlite/20261121000002_alibaba.sql.
-- Alibaba's tags: at most 20 per flow log (kept by the store in the tagging transaction, which
-- locks the flow logs it tags), keys unique per flow log; they go with their flow log. Keys
-- sort bytewise ("C"), as SQLite sorts them.
CREATE TABLE flow_log_tags (
    provider    TEXT NOT NULL,
    flow_log_id TEXT NOT NULL,
    key         TEXT COLLATE "C" NOT NULL,
    value       TEXT NOT NULL,
    PRIMARY KEY (provider, flow_log_id, key),
    FOREIGN KEY (provider, flow_log_id) REFERENCES flow_logs (provider, id) ON DELETE CASCADE
);

CREATE INDEX flow_log_tags_by_tag ON flow_log_tags (provider, key, value);

-- Alibaba's rule (400 InvalidResourceId.NotFound): one flow log per resource in an account's region.
CREATE UNIQUE INDEX flow_logs_alibaba_resource
    ON flow_logs (tenant_id, region_id, resource_id)
    WHERE provider = 'alibaba';

-- OpenFlowLogService: the tenants that have activated the flow-log service.
CREATE TABLE flow_log_service_activations (
    provider     TEXT   NOT NULL CHECK (provider IN ('huawei', 'alibaba')),
    tenant_id    TEXT   NOT NULL,
    region_id    TEXT   NOT NULL DEFAULT '',
    activated_at BIGINT NOT NULL,
    PRIMARY KEY (provider, tenant_id, region_id)
);

-- Where flow logs deliver and the records they deliver, as in migrations/sqlite: same columns,
-- constraints and indexes. Times are Unix milliseconds (BIGINT).
CREATE TABLE log_groups (
    seq         BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    provider    TEXT    NOT NULL CHECK (provider IN ('huawei', 'alibaba')),
    tenant_id   TEXT    NOT NULL,
    region_id   TEXT    NOT NULL DEFAULT '',
    -- A UUID for Huawei; the project name for SLS.
    id          TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    description TEXT,
    ttl_days    BIGINT  CHECK (ttl_days > 0),
    tags        TEXT    NOT NULL DEFAULT '[]',
    attributes  TEXT    NOT NULL DEFAULT '{}',
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL,
    UNIQUE (provider, tenant_id, region_id, id),
    UNIQUE (provider, tenant_id, region_id, name)
);

CREATE TABLE log_streams (
    seq         BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    provider    TEXT    NOT NULL,
    tenant_id   TEXT    NOT NULL,
    region_id   TEXT    NOT NULL DEFAULT '',
    group_id    TEXT    NOT NULL,
    -- A UUID for Huawei; the logstore name for SLS.
    id          TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    description TEXT,
    -- NULL keeps the group's.
    ttl_days    BIGINT  CHECK (ttl_days > 0),
    tags        TEXT    NOT NULL DEFAULT '[]',
    attributes  TEXT    NOT NULL DEFAULT '{}',
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL,
    UNIQUE (provider, tenant_id, region_id, group_id, id),
    UNIQUE (provider, tenant_id, region_id, group_id, name),
    FOREIGN KEY (provider, tenant_id, region_id, group_id)
        REFERENCES log_groups (provider, tenant_id, region_id, id) ON DELETE CASCADE
);

-- A record's neutral content (addresses, ports, counts, action, …) is the JSON `sample`; the
-- columns are what reads select and order by.
CREATE TABLE flow_log_records (
    seq          BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    provider     TEXT    NOT NULL,
    tenant_id    TEXT    NOT NULL,
    region_id    TEXT    NOT NULL DEFAULT '',
    group_id     TEXT    NOT NULL,
    stream_id    TEXT    NOT NULL,
    flow_log_id  TEXT    NOT NULL,
    window_start BIGINT  NOT NULL,
    time         BIGINT  NOT NULL,
    sample       TEXT    NOT NULL,
    FOREIGN KEY (provider, tenant_id, region_id, group_id, stream_id)
        REFERENCES log_streams (provider, tenant_id, region_id, group_id, id) ON DELETE CASCADE
);

CREATE INDEX flow_log_records_stream_time
    ON flow_log_records (provider, tenant_id, region_id, group_id, stream_id, time);
CREATE INDEX flow_log_records_flow_log_time ON flow_log_records (flow_log_id, time);
CREATE INDEX flow_log_records_time ON flow_log_records (time);

-- The generator's progress: when the flow log last became active, and the end of the last
-- capture window produced for it.
ALTER TABLE flow_logs ADD COLUMN active_since BIGINT;
ALTER TABLE flow_logs ADD COLUMN records_through BIGINT;
UPDATE flow_logs SET active_since = updated_at WHERE status = 'active';
CREATE INDEX flow_logs_active ON flow_logs (status, records_through) WHERE status = 'active';

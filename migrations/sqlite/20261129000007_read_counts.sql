-- How many flow logs each tenant (provider, tenant, region) holds, kept by triggers in the
-- writing transaction, so that the total of a tenant's unfiltered list (Alibaba's
-- DescribeFlowLogs TotalCount) reads one row instead of counting the tenant's index entries
-- (100,000 of them: ~4 ms a request on SQLite). Filtered lists still count their matches.
-- The total is the sum over `shard`: Postgres spreads a tenant's count over 8 rows so that
-- concurrent creates do not queue for one row; SQLite's writers take turns anyway (shard 0).
CREATE TABLE flow_log_counts (
    provider  TEXT    NOT NULL,
    tenant_id TEXT    NOT NULL,
    region_id TEXT    NOT NULL,
    shard     INTEGER NOT NULL DEFAULT 0,
    n         INTEGER NOT NULL,
    PRIMARY KEY (provider, tenant_id, region_id, shard)
);

INSERT INTO flow_log_counts (provider, tenant_id, region_id, n)
    SELECT provider, tenant_id, region_id, COUNT(*) FROM flow_logs
    GROUP BY provider, tenant_id, region_id;

CREATE TRIGGER flow_log_counts_insert AFTER INSERT ON flow_logs
BEGIN
    INSERT INTO flow_log_counts (provider, tenant_id, region_id, n)
        VALUES (NEW.provider, NEW.tenant_id, NEW.region_id, 1)
        ON CONFLICT (provider, tenant_id, region_id, shard) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER flow_log_counts_delete AFTER DELETE ON flow_logs
BEGIN
    UPDATE flow_log_counts SET n = n - 1
        WHERE provider = OLD.provider AND tenant_id = OLD.tenant_id AND region_id = OLD.region_id
            AND shard = 0;
END;

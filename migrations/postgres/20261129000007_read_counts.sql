-- How many flow logs each tenant (provider, tenant, region) holds, as in migrations/sqlite: kept
-- by triggers in the writing transaction, read for the total of a tenant's unfiltered list
-- (Alibaba's DescribeFlowLogs TotalCount) instead of counting the tenant's index entries. A
-- tenant's count is spread over 8 rows (`shard`, picked at random by each write; the total is
-- their sum), so that concurrent creates in one tenant do not all queue for one row's lock.
-- The triggers run once per statement over its transition table: a statement writing many flow
-- logs (a reset, a snapshot's import) updates each tenant's count once, not once a row.
CREATE TABLE flow_log_counts (
    provider  TEXT     NOT NULL,
    tenant_id TEXT     NOT NULL,
    region_id TEXT     NOT NULL,
    shard     SMALLINT NOT NULL DEFAULT 0,
    n         BIGINT   NOT NULL,
    PRIMARY KEY (provider, tenant_id, region_id, shard)
);

INSERT INTO flow_log_counts (provider, tenant_id, region_id, n)
    SELECT provider, tenant_id, region_id, COUNT(*) FROM flow_logs
    GROUP BY provider, tenant_id, region_id;

CREATE FUNCTION flowplane_count_inserted_flow_logs() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO flow_log_counts (provider, tenant_id, region_id, shard, n)
        SELECT provider, tenant_id, region_id, floor(random() * 8)::smallint, COUNT(*)
        FROM inserted GROUP BY provider, tenant_id, region_id
        ON CONFLICT (provider, tenant_id, region_id, shard)
        DO UPDATE SET n = flow_log_counts.n + EXCLUDED.n;
    RETURN NULL;
END
$$;

-- Any shard may go below zero: only the sum is a count.
CREATE FUNCTION flowplane_count_deleted_flow_logs() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO flow_log_counts (provider, tenant_id, region_id, shard, n)
        SELECT provider, tenant_id, region_id, floor(random() * 8)::smallint, -COUNT(*)
        FROM deleted GROUP BY provider, tenant_id, region_id
        ON CONFLICT (provider, tenant_id, region_id, shard)
        DO UPDATE SET n = flow_log_counts.n + EXCLUDED.n;
    RETURN NULL;
END
$$;

CREATE TRIGGER flow_log_counts_insert AFTER INSERT ON flow_logs
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION flowplane_count_inserted_flow_logs();

CREATE TRIGGER flow_log_counts_delete AFTER DELETE ON flow_logs
    REFERENCING OLD TABLE AS deleted
    FOR EACH STATEMENT EXECUTE FUNCTION flowplane_count_deleted_flow_logs();

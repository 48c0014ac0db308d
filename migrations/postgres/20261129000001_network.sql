-- VPCs, subnets and network interfaces, as in migrations/sqlite: same columns, constraints and
-- indexes; the trigger wakes every process's worker when a row gets a due time.
CREATE TABLE network_resources (
    seq               BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id                TEXT    NOT NULL,
    provider          TEXT    NOT NULL CHECK (provider IN ('huawei', 'alibaba')),
    tenant_id         TEXT    NOT NULL,
    region_id         TEXT    NOT NULL DEFAULT '',
    kind              TEXT    NOT NULL CHECK (kind IN ('vpc', 'subnet', 'network_interface')),
    parent_id         TEXT,
    vpc_id            TEXT    NOT NULL,
    name              TEXT,
    description       TEXT,
    cidr              TEXT,
    gateway_ip        TEXT,
    zone              TEXT,
    private_ip        TEXT,
    mac_address       TEXT,
    resource_group_id TEXT,
    attributes        TEXT    NOT NULL DEFAULT '{}',
    status            TEXT    NOT NULL CHECK (status IN ('pending', 'available', 'deleting')),
    due_at            BIGINT,
    created_at        BIGINT  NOT NULL,
    updated_at        BIGINT  NOT NULL,
    revision          BIGINT  NOT NULL DEFAULT 0,
    CHECK ((kind = 'vpc') = (parent_id IS NULL)),
    CHECK ((status = 'available') = (due_at IS NULL))
);

CREATE UNIQUE INDEX network_resources_provider_id ON network_resources (provider, id);
ALTER TABLE network_resources
    ADD FOREIGN KEY (provider, parent_id) REFERENCES network_resources (provider, id);
CREATE INDEX network_resources_tenant_order ON network_resources (provider, tenant_id, region_id, kind, seq);
CREATE INDEX network_resources_parent ON network_resources (provider, parent_id);
CREATE INDEX network_resources_vpc ON network_resources (provider, vpc_id);
CREATE INDEX network_resources_due ON network_resources (due_at) WHERE due_at IS NOT NULL;
CREATE UNIQUE INDEX network_interfaces_address
    ON network_resources (provider, parent_id, private_ip)
    WHERE kind = 'network_interface';

CREATE TABLE network_resource_tags (
    provider    TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    key         TEXT NOT NULL,
    value       TEXT NOT NULL,
    PRIMARY KEY (provider, resource_id, key),
    FOREIGN KEY (provider, resource_id) REFERENCES network_resources (provider, id) ON DELETE CASCADE
);

CREATE INDEX network_resource_tags_by_tag ON network_resource_tags (provider, key, value);

CREATE TRIGGER network_resources_transition_scheduled
    AFTER INSERT OR UPDATE OF due_at ON network_resources
    FOR EACH ROW WHEN (NEW.due_at IS NOT NULL)
    EXECUTE FUNCTION flowplane_notify_transition_scheduled();

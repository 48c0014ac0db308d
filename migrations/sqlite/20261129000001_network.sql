-- VPCs, subnets (Alibaba vSwitches) and network interfaces (Huawei ports, Alibaba ENIs), in
-- their tenants. A subnet lies in a VPC, an interface in a subnet: the foreign key keeps a
-- parent from going while anything lies in it (the store's conditional delete says so first).
CREATE TABLE network_resources (
    -- Creation order: the stable order of every listing and of marker paging.
    seq               INTEGER PRIMARY KEY AUTOINCREMENT,
    id                TEXT    NOT NULL,
    provider          TEXT    NOT NULL CHECK (provider IN ('huawei', 'alibaba')),
    -- Huawei project id, or Alibaba account id.
    tenant_id         TEXT    NOT NULL,
    -- Alibaba region id; '' for Huawei.
    region_id         TEXT    NOT NULL DEFAULT '',
    kind              TEXT    NOT NULL CHECK (kind IN ('vpc', 'subnet', 'network_interface')),
    -- A subnet's VPC, an interface's subnet; NULL for a VPC.
    parent_id         TEXT,
    -- The VPC it belongs to (its own id for a VPC), for "everything in this VPC".
    vpc_id            TEXT    NOT NULL,
    name              TEXT,
    description       TEXT,
    cidr              TEXT,
    gateway_ip        TEXT,
    zone              TEXT,
    private_ip        TEXT,
    mac_address       TEXT,
    resource_group_id TEXT,
    -- What the products keep that the domain does not interpret: a JSON object.
    attributes        TEXT    NOT NULL DEFAULT '{}',
    status            TEXT    NOT NULL CHECK (status IN ('pending', 'available', 'deleting')),
    -- When a transitional status completes; set exactly when the status is transitional.
    due_at            BIGINT,
    created_at        BIGINT  NOT NULL,
    updated_at        BIGINT  NOT NULL,
    -- Moves on whenever a child is added, so that a child is checked against its siblings.
    revision          BIGINT  NOT NULL DEFAULT 0,
    CHECK ((kind = 'vpc') = (parent_id IS NULL)),
    CHECK ((status = 'available') = (due_at IS NULL)),
    FOREIGN KEY (provider, parent_id) REFERENCES network_resources (provider, id)
);

CREATE UNIQUE INDEX network_resources_provider_id ON network_resources (provider, id);
CREATE INDEX network_resources_tenant_order ON network_resources (provider, tenant_id, region_id, kind, seq);
CREATE INDEX network_resources_parent ON network_resources (provider, parent_id);
CREATE INDEX network_resources_vpc ON network_resources (provider, vpc_id);
CREATE INDEX network_resources_due ON network_resources (due_at) WHERE due_at IS NOT NULL;
-- One interface per address in a subnet.
CREATE UNIQUE INDEX network_interfaces_address
    ON network_resources (provider, parent_id, private_ip)
    WHERE kind = 'network_interface';

-- Tags of network resources; they go with their resource.
CREATE TABLE network_resource_tags (
    provider    TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    key         TEXT NOT NULL,
    value       TEXT NOT NULL,
    PRIMARY KEY (provider, resource_id, key),
    FOREIGN KEY (provider, resource_id) REFERENCES network_resources (provider, id) ON DELETE CASCADE
);

CREATE INDEX network_resource_tags_by_tag ON network_resource_tags (provider, key, value);

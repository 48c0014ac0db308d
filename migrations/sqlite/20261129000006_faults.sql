-- Fault rules (POST /_flowplane/faults): what to get wrong on purpose, and their counters.
-- A request rule matches on face/product/operation, a transition rule on provider/kind; both
-- optionally on tenant, region and a resource id. `remaining` counts down from `times`; a
-- firing is one conditional update of it, so a rule for N matches fires N times across
-- processes. `probability` is in millionths; `duration_ms` is a latency or a retry-after.
CREATE TABLE fault_rules (
    -- The order rules are matched in: oldest first.
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    id          TEXT    NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL,
    face        TEXT,
    product     TEXT,
    operation   TEXT,
    provider    TEXT,
    kind        TEXT,
    tenant      TEXT,
    region      TEXT,
    resource_id TEXT,
    effect      TEXT    NOT NULL
        CHECK (effect IN ('throttle', 'error', 'latency', 'drop', 'stuck', 'fail', 'transition_failure')),
    status      INTEGER,
    code        TEXT,
    message     TEXT,
    duration_ms INTEGER,
    times       INTEGER CHECK (times IS NULL OR times > 0),
    remaining   INTEGER CHECK (remaining IS NULL OR remaining >= 0),
    probability INTEGER CHECK (probability IS NULL OR (probability > 0 AND probability <= 1000000)),
    seed        INTEGER NOT NULL DEFAULT 0,
    matched     INTEGER NOT NULL DEFAULT 0,
    fired       INTEGER NOT NULL DEFAULT 0,
    CHECK ((times IS NULL) = (remaining IS NULL))
);

-- A fail rule's mark on a flow log: its delivery fails with this reason (Alibaba's
-- FlowLogDeliverErrorMessage) until its next status change.
ALTER TABLE flow_logs ADD COLUMN delivery_fault TEXT
    CHECK (delivery_fault IN ('UserNotAuthorised', 'ProjectNotExist', 'UnavaliableTarget', 'UnknownError'));

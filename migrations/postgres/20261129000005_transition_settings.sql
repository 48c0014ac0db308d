-- As migrations/sqlite/20261129000005_transition_settings.sql.
-- Run-time transition settings (PUT /_flowplane/transitions), per provider and resource kind,
-- shared by every process on the database. A kind with no row keeps its default.
CREATE TABLE transition_settings (
    provider TEXT   NOT NULL,
    kind     TEXT   NOT NULL,
    mode     TEXT   NOT NULL CHECK (mode IN ('immediate', 'delay', 'manual')),
    delay_ms BIGINT CHECK ((mode = 'delay') = (delay_ms IS NOT NULL AND delay_ms > 0)),
    PRIMARY KEY (provider, kind)
);

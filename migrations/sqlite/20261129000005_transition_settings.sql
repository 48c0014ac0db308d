-- Run-time transition settings (PUT /_flowplane/transitions), per provider and resource kind.
-- A kind with no row keeps its default (--transition-delay, and the providers' own rules).
CREATE TABLE transition_settings (
    provider TEXT    NOT NULL,
    kind     TEXT    NOT NULL,
    mode     TEXT    NOT NULL CHECK (mode IN ('immediate', 'delay', 'manual')),
    delay_ms INTEGER CHECK ((mode = 'delay') = (delay_ms IS NOT NULL AND delay_ms > 0)),
    PRIMARY KEY (provider, kind)
);

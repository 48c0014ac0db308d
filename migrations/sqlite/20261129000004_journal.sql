-- The request journal: the newest --journal-size requests to the cloud faces, pruned by seq as
-- entries are written. No secret or signature is stored (see src/layers/journal.rs).
CREATE TABLE request_journal (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    time            INTEGER NOT NULL,
    face            TEXT    NOT NULL,
    product         TEXT,
    operation       TEXT,
    tenant          TEXT,
    region          TEXT,
    method          TEXT    NOT NULL,
    path            TEXT    NOT NULL,
    status          INTEGER NOT NULL,
    error_code      TEXT,
    latency_us      INTEGER NOT NULL,
    request_id      TEXT    NOT NULL,
    signature       TEXT    NOT NULL,
    signature_error TEXT,
    request_body    TEXT,
    response_body   TEXT
);

CREATE INDEX request_journal_request_id ON request_journal (request_id);

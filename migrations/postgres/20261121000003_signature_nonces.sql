-- As migrations/sqlite/20261121000003_signature_nonces.sql.
-- Alibaba signature nonces seen recently: a nonce may be used once while its request's
-- timestamp is still acceptable (until expires_at); older ones are pruned. The primary key
-- makes "once" hold across every process sharing the database.
CREATE TABLE signature_nonces (
    access_key_id TEXT   NOT NULL,
    nonce         TEXT   NOT NULL,
    expires_at    BIGINT NOT NULL,
    PRIMARY KEY (access_key_id, nonce)
);

CREATE INDEX signature_nonces_expiry ON signature_nonces (expires_at);

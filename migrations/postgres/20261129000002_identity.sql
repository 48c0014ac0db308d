-- As migrations/sqlite/20261129000002_identity.sql.
-- What the identity APIs issue. Huawei IAM tokens, kept as the SHA-256 (hex) of the token only.
CREATE TABLE issued_tokens (
    token_hash TEXT   NOT NULL PRIMARY KEY CHECK (length(token_hash) = 64),
    principal  TEXT   NOT NULL,
    issued_at  BIGINT NOT NULL,
    expires_at BIGINT NOT NULL CHECK (expires_at >= issued_at)
);

CREATE INDEX issued_tokens_expiry ON issued_tokens (expires_at);

-- Temporary keys of both clouds (Huawei securitytokens, Alibaba STS): the secret, which signs
-- requests, and the SHA-256 (hex) of the security token that must come with it.
CREATE TABLE temporary_keys (
    provider      TEXT   NOT NULL CHECK (provider IN ('huawei', 'alibaba')),
    access_key_id TEXT   NOT NULL,
    secret        TEXT   NOT NULL,
    token_hash    TEXT   NOT NULL UNIQUE CHECK (length(token_hash) = 64),
    principal     TEXT   NOT NULL,
    issued_at     BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL CHECK (expires_at >= issued_at),
    PRIMARY KEY (provider, access_key_id)
);

CREATE INDEX temporary_keys_expiry ON temporary_keys (expires_at);

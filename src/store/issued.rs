//! Issued tokens and temporary keys: their statements and [`IssuedRepository`]. Each insert
//! prunes what has expired first, in the same transaction, so the tables hold only what is
//! still valid (plus what expired since the last issue).

use chrono::{DateTime, Utc};

use super::exec::Exec;
use super::row::{from_millis, to_millis, Text};
use super::sql::{Dialect, Sql};
use super::{with_db, Store};
use crate::auth::credentials::Secret;
use crate::auth::issued::{IssuedRepository, TemporaryKeyRecord, TokenRecord};
use crate::domain::{Provider, ResetCounts, StorageError};

impl IssuedRepository for Store {
    async fn insert_token(
        &self,
        record: &TokenRecord,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        self.issue(Issued::Token(record), now).await
    }

    async fn token(&self, token_hash: &str) -> Result<Option<TokenRecord>, StorageError> {
        let row: Option<TokenRow> = with_db!(self, read, |db| {
            db.fetch_optional(token(token_hash)).await?
        });
        row.map(|row| {
            Ok(TokenRecord {
                token_hash: row.token_hash.0,
                principal: row.principal.0,
                issued_at: from_millis(row.issued_at)?,
                expires_at: from_millis(row.expires_at)?,
            })
        })
        .transpose()
    }

    async fn insert_temporary_key(
        &self,
        record: &TemporaryKeyRecord,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        self.issue(Issued::Key(record), now).await
    }

    async fn temporary_key(
        &self,
        provider: Provider,
        access_key_id: &str,
    ) -> Result<Option<TemporaryKeyRecord>, StorageError> {
        let row: Option<TemporaryKeyRow> = with_db!(self, read, |db| {
            db.fetch_optional(temporary_key(provider, access_key_id))
                .await?
        });
        row.map(|row| {
            Ok(TemporaryKeyRecord {
                provider,
                access_key_id: row.access_key_id.0,
                secret: Secret::new(row.secret.0),
                token_hash: row.token_hash.0,
                principal: row.principal.0,
                issued_at: from_millis(row.issued_at)?,
                expires_at: from_millis(row.expires_at)?,
            })
        })
        .transpose()
    }
}

/// A row to issue, and the table it goes to.
#[derive(Clone, Copy)]
enum Issued<'a> {
    Token(&'a TokenRecord),
    Key(&'a TemporaryKeyRecord),
}

impl Issued<'_> {
    fn table(self) -> &'static str {
        match self {
            Issued::Token(_) => "issued_tokens",
            Issued::Key(_) => "temporary_keys",
        }
    }

    fn insert<DB: Dialect>(self) -> Sql<DB> {
        match self {
            Issued::Token(record) => insert_token(record),
            Issued::Key(record) => insert_temporary_key(record),
        }
    }
}

impl Store {
    /// Prunes what expired by `now` from the row's table, then inserts the row, in one
    /// transaction.
    async fn issue(&self, issued: Issued<'_>, now: DateTime<Utc>) -> Result<(), StorageError> {
        with_db!(self, transaction, |db| {
            db.execute(prune(issued.table(), now)).await?;
            db.execute(issued.insert()).await?;
        });
        Ok(())
    }
}

/// Deletes the issued tokens and temporary keys of the provider, or of both. Tokens are
/// Huawei IAM's only.
pub(super) async fn reset<E: Exec>(
    db: &mut E,
    provider: Option<Provider>,
    counts: &mut ResetCounts,
) -> Result<(), sqlx::Error> {
    let mut tokens = 0;
    if provider != Some(Provider::Alibaba) {
        tokens = db.execute(Sql::new("DELETE FROM issued_tokens")).await?;
    }
    counts.add("issued_tokens", tokens);
    let mut keys = Sql::new("DELETE FROM temporary_keys");
    if let Some(provider) = provider {
        keys.push(" WHERE provider = ").text(provider.as_str());
    }
    counts.add("temporary_keys", db.execute(keys).await?);
    Ok(())
}

#[derive(sqlx::FromRow)]
struct TokenRow {
    token_hash: Text,
    principal: Text,
    issued_at: i64,
    expires_at: i64,
}

#[derive(sqlx::FromRow)]
struct TemporaryKeyRow {
    access_key_id: Text,
    secret: Text,
    token_hash: Text,
    principal: Text,
    issued_at: i64,
    expires_at: i64,
}

/// Removes the rows of `table` that expired before `now`.
fn prune<DB: Dialect>(table: &str, now: DateTime<Utc>) -> Sql<DB> {
    let mut sql = Sql::new(format!("DELETE FROM {table} WHERE expires_at <= "));
    sql.int(to_millis(now));
    sql
}

fn insert_token<DB: Dialect>(record: &TokenRecord) -> Sql<DB> {
    let mut sql = Sql::new(
        "INSERT INTO issued_tokens (token_hash, principal, issued_at, expires_at) VALUES (",
    );
    push_issued(
        &mut sql,
        &record.token_hash,
        &record.principal,
        record.issued_at,
        record.expires_at,
    );
    sql
}

/// The values every issued row ends with: `token_hash, principal, issued_at, expires_at)`.
fn push_issued<DB: Dialect>(
    sql: &mut Sql<DB>,
    token_hash: &str,
    principal: &str,
    issued_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) {
    sql.text(token_hash)
        .push(", ")
        .text(principal)
        .push(", ")
        .int(to_millis(issued_at))
        .push(", ")
        .int(to_millis(expires_at))
        .push(")");
}

fn token<DB: Dialect>(token_hash: &str) -> Sql<DB> {
    let mut sql = Sql::new(
        "SELECT token_hash, principal, issued_at, expires_at FROM issued_tokens WHERE token_hash = ",
    );
    sql.text(token_hash);
    sql
}

fn insert_temporary_key<DB: Dialect>(record: &TemporaryKeyRecord) -> Sql<DB> {
    let mut sql = Sql::new(
        "INSERT INTO temporary_keys \
         (provider, access_key_id, secret, token_hash, principal, issued_at, expires_at) VALUES (",
    );
    sql.text(record.provider.as_str())
        .push(", ")
        .text(&record.access_key_id)
        .push(", ")
        .text(record.secret.expose())
        .push(", ");
    push_issued(
        &mut sql,
        &record.token_hash,
        &record.principal,
        record.issued_at,
        record.expires_at,
    );
    sql
}

fn temporary_key<DB: Dialect>(provider: Provider, access_key_id: &str) -> Sql<DB> {
    let mut sql = Sql::new(
        "SELECT access_key_id, secret, token_hash, principal, issued_at, expires_at \
         FROM temporary_keys WHERE provider = ",
    );
    sql.text(provider.as_str())
        .push(" AND access_key_id = ")
        .text(access_key_id);
    sql
}

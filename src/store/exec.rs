//! Running a finished [`Sql`] statement on a connection. The trait is implemented for each
//! backend's concrete connection type (by [`impl_exec!`], one line in each backend): generic
//! over sqlx's `Database`, the executor bounds do not work out for SQLite's argument type.

use std::future::Future;

use sqlx::{Database, FromRow};

use super::sql::{delete_in_reset, Dialect, Sql};
use crate::domain::{ResetCounts, ResetScope};

/// A row type `R` that `DB`'s rows decode into.
pub trait Decoded<DB: Database>: for<'r> FromRow<'r, DB::Row> + Send + Unpin {}

impl<DB: Database, R> Decoded<DB> for R where R: for<'r> FromRow<'r, DB::Row> + Send + Unpin {}

/// A connection (or a transaction, through `&mut *tx`) that runs statements.
pub trait Exec: Send {
    type Db: Dialect;

    /// Runs the statement; how many rows it affected.
    fn execute(
        &mut self,
        sql: Sql<Self::Db>,
    ) -> impl Future<Output = Result<u64, sqlx::Error>> + Send;

    fn fetch_all<R: Decoded<Self::Db>>(
        &mut self,
        sql: Sql<Self::Db>,
    ) -> impl Future<Output = Result<Vec<R>, sqlx::Error>> + Send;

    fn fetch_optional<R: Decoded<Self::Db>>(
        &mut self,
        sql: Sql<Self::Db>,
    ) -> impl Future<Output = Result<Option<R>, sqlx::Error>> + Send;

    fn fetch_one<R: Decoded<Self::Db>>(
        &mut self,
        sql: Sql<Self::Db>,
    ) -> impl Future<Output = Result<R, sqlx::Error>> + Send;
}

/// A row of a page that carries how many rows match in all (`COUNT(*) OVER () AS total`).
pub trait Counted {
    fn total(&self) -> i64;
}

/// Reads a counted page and the number of matches, from the same snapshot where the page has
/// rows; past the last page no row carries the count, so `count` is asked (an empty page cannot
/// contradict it).
pub async fn read_counted<E, R>(
    db: &mut E,
    page: Sql<E::Db>,
    count: Sql<E::Db>,
) -> Result<(Vec<R>, i64), sqlx::Error>
where
    E: Exec,
    R: Decoded<E::Db> + Counted,
    (i64,): Decoded<E::Db>,
{
    let rows: Vec<R> = db.fetch_all(page).await?;
    let total = match rows.first() {
        Some(first) => first.total(),
        None => db.fetch_one::<(i64,)>(count).await?.0,
    };
    Ok((rows, total))
}

/// Deletes the rows of `table` the reset covers (rows that carry provider, tenant and region),
/// counted as `kind`.
pub async fn delete_counted<E: Exec>(
    db: &mut E,
    table: &str,
    kind: &'static str,
    scope: &ResetScope,
    counts: &mut ResetCounts,
) -> Result<(), sqlx::Error> {
    counts.add(kind, db.execute(delete_in_reset(table, scope)).await?);
    Ok(())
}

/// Implements [`Exec`] for a backend's connection type.
macro_rules! impl_exec {
    ($connection:ty, $db:ty) => {
        impl $crate::store::exec::Exec for $connection {
            type Db = $db;

            async fn execute(
                &mut self,
                sql: $crate::store::sql::Sql<$db>,
            ) -> Result<u64, sqlx::Error> {
                let mut query = sql.into_builder();
                let done = query.build().execute(&mut *self).await?;
                Ok(done.rows_affected())
            }

            async fn fetch_all<R: $crate::store::exec::Decoded<$db>>(
                &mut self,
                sql: $crate::store::sql::Sql<$db>,
            ) -> Result<Vec<R>, sqlx::Error> {
                let mut query = sql.into_builder();
                query.build_query_as::<R>().fetch_all(&mut *self).await
            }

            async fn fetch_optional<R: $crate::store::exec::Decoded<$db>>(
                &mut self,
                sql: $crate::store::sql::Sql<$db>,
            ) -> Result<Option<R>, sqlx::Error> {
                let mut query = sql.into_builder();
                query.build_query_as::<R>().fetch_optional(&mut *self).await
            }

            async fn fetch_one<R: $crate::store::exec::Decoded<$db>>(
                &mut self,
                sql: $crate::store::sql::Sql<$db>,
            ) -> Result<R, sqlx::Error> {
                let mut query = sql.into_builder();
                query.build_query_as::<R>().fetch_one(&mut *self).await
            }
        }
    };
}

pub(crate) use impl_exec;

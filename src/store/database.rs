//! The database as a whole: [`DatabaseRepository`].

use sqlx::{Postgres, Sqlite};

use super::sql::{Dialect, Sql};
use super::{with_db, Store};
use crate::domain::repository::DatabaseRepository;
use crate::domain::StorageError;

impl DatabaseRepository for Store {
    async fn ping(&self) -> Result<(), StorageError> {
        with_db!(self, read, |db| {
            db.execute(Sql::new("SELECT 1")).await?;
        });
        Ok(())
    }

    fn backend(&self) -> &'static str {
        match self {
            Store::Sqlite(_) => Sqlite::NAME,
            Store::Postgres(_) => Postgres::NAME,
        }
    }
}

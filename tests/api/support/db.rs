//! The suite's databases: SQLite, or Postgres when `FLOWPLANE_TEST_POSTGRES_URL` names a server
//! (a URL whose database the test may connect to and create databases from, such as
//! `postgres://postgres@127.0.0.1:5432/postgres`): then every test gets a database of its own,
//! dropped when the test ends. Tests of SQLite's own behaviour run on SQLite either way.

/// The Postgres server the suite runs on, if any.
pub fn postgres_admin_url() -> Option<String> {
    std::env::var("FLOWPLANE_TEST_POSTGRES_URL")
        .ok()
        .filter(|url| !url.trim().is_empty())
}

/// The backend the suite runs on, as `/_flowplane/health` names it.
pub fn suite_backend() -> &'static str {
    if postgres_admin_url().is_some() {
        "postgres"
    } else {
        "sqlite"
    }
}

/// A database of the suite's backend that lives as long as this value: a SQLite file in a
/// temporary directory, or a Postgres database created for it and dropped (with whatever is
/// still connected) when it is dropped.
pub struct TestDb {
    url: String,
    kind: DbKind,
}

enum DbKind {
    SqliteMemory,
    SqliteFile(#[allow(dead_code)] tempfile::TempDir),
    Postgres { admin_url: String, name: String },
}

impl TestDb {
    /// A fresh database that several apps or processes can open in turn or together.
    pub async fn new() -> Self {
        match postgres_admin_url() {
            Some(admin_url) => Self::postgres(admin_url).await,
            None => Self::sqlite_file(),
        }
    }

    /// A fresh database for one app only: in memory on SQLite.
    pub async fn private() -> Self {
        match postgres_admin_url() {
            Some(admin_url) => Self::postgres(admin_url).await,
            None => Self {
                url: "sqlite::memory:".into(),
                kind: DbKind::SqliteMemory,
            },
        }
    }

    /// A SQLite file, whatever backend the suite runs on.
    pub fn sqlite_file() -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        Self {
            url: format!("sqlite://{}", dir.path().join("flowplane.db").display()),
            kind: DbKind::SqliteFile(dir),
        }
    }

    async fn postgres(admin_url: String) -> Self {
        use sqlx::Connection;

        let name = format!("flowplane_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = sqlx::PgConnection::connect(&admin_url)
            .await
            .unwrap_or_else(|err| panic!("FLOWPLANE_TEST_POSTGRES_URL does not connect: {err}"));
        sqlx::query(&format!("CREATE DATABASE \"{name}\""))
            .execute(&mut admin)
            .await
            .expect("a test database is created");
        let _ = admin.close().await;
        Self {
            url: with_database(&admin_url, &name),
            kind: DbKind::Postgres { admin_url, name },
        }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self.kind, DbKind::Postgres { .. })
    }

    /// Holds the database's write lock until released: writes wait, reads go on.
    pub async fn block_writes(&self) -> WriteBlock {
        use sqlx::Connection;

        match &self.kind {
            DbKind::Postgres { .. } => {
                let mut connection = sqlx::PgConnection::connect(&self.url).await.unwrap();
                sqlx::query("BEGIN").execute(&mut connection).await.unwrap();
                sqlx::query("LOCK TABLE flow_logs IN EXCLUSIVE MODE")
                    .execute(&mut connection)
                    .await
                    .unwrap();
                WriteBlock::Postgres(connection)
            }
            DbKind::SqliteFile(_) => {
                let mut connection = sqlx::SqliteConnection::connect(&self.url).await.unwrap();
                sqlx::query("BEGIN IMMEDIATE")
                    .execute(&mut connection)
                    .await
                    .unwrap();
                WriteBlock::Sqlite(connection)
            }
            DbKind::SqliteMemory => panic!("an in-memory database has no other connection"),
        }
    }
}

pub enum WriteBlock {
    Sqlite(sqlx::SqliteConnection),
    Postgres(sqlx::PgConnection),
}

impl WriteBlock {
    pub async fn release(self) {
        match self {
            WriteBlock::Sqlite(mut connection) => {
                sqlx::query("ROLLBACK")
                    .execute(&mut connection)
                    .await
                    .unwrap();
            }
            WriteBlock::Postgres(mut connection) => {
                sqlx::query("ROLLBACK")
                    .execute(&mut connection)
                    .await
                    .unwrap();
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let DbKind::Postgres { admin_url, name } = &self.kind else {
            return;
        };
        let (admin_url, name) = (admin_url.clone(), name.clone());
        let drop_sql = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
        // Drop runs inside the test's runtime, which cannot be blocked on: the database is
        // dropped from a thread with a runtime of its own.
        let dropped = std::thread::spawn(move || {
            use sqlx::Connection;

            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            runtime.block_on(async {
                let mut admin = sqlx::PgConnection::connect(&admin_url).await?;
                sqlx::query(&drop_sql).execute(&mut admin).await?;
                admin.close().await
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) && !std::thread::panicking() {
            panic!("the test database {name} could not be dropped: {dropped:?}");
        }
    }
}

/// `url` with its database (the path) replaced by `database`; the query string is kept.
pub fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[authority_start..]
        .find('/')
        .map_or(base.len(), |i| authority_start + i);
    let mut replaced = format!("{}/{database}", &base[..path_start]);
    if let Some(query) = query {
        replaced.push('?');
        replaced.push_str(query);
    }
    replaced
}

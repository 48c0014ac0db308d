//! What the store needs to open a database: its URL (the scheme picks the backend) and the pool
//! settings. `config` builds these from the command line.

use std::fmt;
use std::time::Duration;

/// How many connections a store may open and how long a caller waits for one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolSettings {
    /// Postgres: the pool's size; SQLite: the read pool's (it writes through one connection).
    pub max_connections: u32,
    /// How long a statement waits for a connection (on Postgres, including opening one)
    /// before it fails.
    pub acquire_timeout: Duration,
}

/// Everything [`super::Store::connect`] needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreSettings {
    pub url: DatabaseUrl,
    pub pool: PoolSettings,
}

/// A database URL whose scheme has been checked once, at the edge. `Debug` and `Display`
/// redact its password, wherever it is written: the user info's and a `password=` parameter's.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite(String),
    Postgres(String),
}

impl DatabaseUrl {
    /// The URL itself, password and all: for connecting, never for printing.
    pub fn expose(&self) -> &str {
        match self {
            DatabaseUrl::Sqlite(url) | DatabaseUrl::Postgres(url) => url,
        }
    }
}

impl std::str::FromStr for DatabaseUrl {
    type Err = String;

    fn from_str(url: &str) -> Result<Self, Self::Err> {
        if url.starts_with("sqlite:") {
            Ok(DatabaseUrl::Sqlite(url.to_owned()))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(DatabaseUrl::Postgres(url.to_owned()))
        } else {
            Err("expected sqlite://PATH, sqlite::memory: or postgres://…".to_owned())
        }
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DatabaseUrl::Sqlite(url) => f.write_str(url),
            DatabaseUrl::Postgres(url) => f.write_str(&redact_postgres_url(url)),
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// `postgres://user:secret@host/db?sslmode=require&password=other` →
/// `postgres://user:***@host/db?sslmode=require&password=***`.
fn redact_postgres_url(url: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let mut redacted = match (base.find("://"), base.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &base[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _password)) => {
                    format!("{}{user}:***{}", &base[..scheme_end + 3], &base[at..])
                }
                None => base.to_owned(),
            }
        }
        _ => base.to_owned(),
    };
    if let Some(query) = query {
        redacted.push('?');
        let pairs: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                // libpq's `password` and `sslpassword`, in any case.
                Some((name, _)) if name.to_ascii_lowercase().ends_with("password") => {
                    format!("{name}=***")
                }
                _ => pair.to_owned(),
            })
            .collect();
        redacted.push_str(&pairs.join("&"));
    }
    redacted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_scheme_is_checked() {
        assert!(matches!(
            "sqlite::memory:".parse(),
            Ok(DatabaseUrl::Sqlite(_))
        ));
        assert!(matches!(
            "postgres://u:p@h/db".parse(),
            Ok(DatabaseUrl::Postgres(_))
        ));
        assert!(matches!(
            "postgresql:///db".parse(),
            Ok(DatabaseUrl::Postgres(_))
        ));
        assert!("mysql://h/db".parse::<DatabaseUrl>().is_err());
    }

    #[test]
    fn postgres_passwords_are_redacted_wherever_they_are() {
        for (url, shown) in [
            (
                "postgres://user:secret@localhost/db",
                "postgres://user:***@localhost/db",
            ),
            (
                "postgres:///flowplane?host=/tmp&password=hunter2",
                "postgres:///flowplane?host=/tmp&password=***",
            ),
            (
                "postgresql://u:p%40ss@h:5432/db?PASSWORD=x&sslpassword=y&sslmode=require",
                "postgresql://u:***@h:5432/db?PASSWORD=***&sslpassword=***&sslmode=require",
            ),
            (
                "postgres://user@localhost/db?application_name=a",
                "postgres://user@localhost/db?application_name=a",
            ),
        ] {
            let url: DatabaseUrl = url.parse().unwrap();
            assert_eq!(format!("{url:?}"), shown);
            assert_eq!(url.to_string(), shown);
        }
        let url: DatabaseUrl = "postgres:///db?password=hunter2".parse().unwrap();
        assert_eq!(url.expose(), "postgres:///db?password=hunter2");
    }
}

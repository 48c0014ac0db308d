//! Command line and environment: every option is a flag with a `FLOWPLANE_` twin.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::auth::control_token::ControlToken;
use crate::auth::AuthMode;
use crate::domain::records::RecordSettings;
use crate::domain::{RecordOptions, ReferenceMode};
use crate::store::{DatabaseUrl, PoolSettings, StoreSettings};

#[derive(Debug, Parser)]
#[command(
    name = "flowplane",
    version,
    args_conflicts_with_subcommands = true,
    about = "A local, persistent emulator of the Huawei Cloud and Alibaba Cloud VPC flow-log control planes"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Options for `serve`, also accepted without the sub-command.
    #[command(flatten)]
    pub serve: ServeArgs,
}

// Parsed once at start: the size of `Serve` does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the cloud APIs and the control API (the default).
    Serve(ServeArgs),
    /// Apply the database migrations and exit.
    Migrate(DatabaseArgs),
    /// Ask a running server's `/_flowplane/health`; exit 0 when it is healthy (for container
    /// health checks).
    Healthcheck(HealthcheckArgs),
}

impl Cli {
    /// The command to run, `serve` when none was named.
    pub fn into_command(self) -> Command {
        self.command.unwrap_or(Command::Serve(self.serve))
    }
}

#[derive(Debug, Clone, Args)]
pub struct DatabaseArgs {
    /// `sqlite://PATH`, `sqlite::memory:` or `postgres://…`; the scheme picks the backend.
    #[arg(
        long,
        env = "FLOWPLANE_DATABASE_URL",
        default_value = "sqlite://flowplane.db"
    )]
    pub database_url: DatabaseUrl,

    /// Most connections to the database (Postgres: the pool; SQLite: the read pool, writes go
    /// through one connection).
    #[arg(
        long,
        env = "FLOWPLANE_DATABASE_MAX_CONNECTIONS",
        default_value_t = 10,
        value_parser = clap::value_parser!(u32).range(1..)
    )]
    pub database_max_connections: u32,

    /// How long a request waits for a database connection (including opening one) before it
    /// fails with the cloud's 5xx; also bounds the first connection at start.
    #[arg(long, env = "FLOWPLANE_DATABASE_ACQUIRE_TIMEOUT", default_value = "5s", value_parser = parse_positive_duration)]
    pub database_acquire_timeout: Duration,
}

impl DatabaseArgs {
    pub fn pool_settings(&self) -> PoolSettings {
        PoolSettings {
            max_connections: self.database_max_connections,
            acquire_timeout: self.database_acquire_timeout,
        }
    }

    /// What the store needs to open the database.
    pub fn store_settings(&self) -> StoreSettings {
        StoreSettings {
            url: self.database_url.clone(),
            pool: self.pool_settings(),
        }
    }
}

fn parse_positive_duration(value: &str) -> Result<Duration, String> {
    match humantime::parse_duration(value) {
        Ok(duration) if duration.is_zero() => Err("must be longer than 0s".to_owned()),
        Ok(duration) => Ok(duration),
        Err(err) => Err(err.to_string()),
    }
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address of the one HTTP listener that serves every API.
    #[arg(long, env = "FLOWPLANE_LISTEN", default_value = "127.0.0.1:8750")]
    pub listen: SocketAddr,

    #[command(flatten)]
    pub database: DatabaseArgs,

    /// How long Alibaba's transitional states last (`0s` = at once).
    #[arg(long, env = "FLOWPLANE_TRANSITION_DELAY", default_value = "1s", value_parser = humantime::parse_duration)]
    pub transition_delay: Duration,

    /// How many flow logs one Alibaba account may have in one region (`QuotaExceeded.FlowlogCount`);
    /// 0 = unlimited.
    #[arg(long, env = "FLOWPLANE_ALIBABA_FLOW_LOG_QUOTA", default_value_t = 10)]
    pub alibaba_flow_log_quota: u32,

    /// How long one request may take before it is answered with the cloud's timeout error.
    #[arg(long, env = "FLOWPLANE_REQUEST_TIMEOUT", default_value = "30s", value_parser = humantime::parse_duration)]
    pub request_timeout: Duration,

    /// Log output format.
    #[arg(long, env = "FLOWPLANE_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    /// How often one line at `info` sums up the requests served since the last (each request's
    /// own line is at `debug`: `FLOWPLANE_LOG=flowplane::edge=debug`); `0s`: never.
    #[arg(long, env = "FLOWPLANE_LOG_SUMMARY_INTERVAL", default_value = "60s", value_parser = humantime::parse_duration)]
    pub log_summary_interval: Duration,

    /// `verify`: every cloud request must carry a valid signature from a known credential;
    /// `off`: signatures are not checked, the access key alone names the caller.
    #[arg(long, env = "FLOWPLANE_AUTH", value_enum, default_value_t = AuthMode::Verify)]
    pub auth: AuthMode,

    /// `lenient`: a flow log may point at any well-formed resource id; `strict`: the resource
    /// must exist in the caller's tenant, as the kind the flow log states.
    #[arg(long, env = "FLOWPLANE_REFERENCES", value_enum, default_value_t = References::Lenient)]
    pub references: References,

    /// Path of a TOML credentials file; the built-in demo credentials when not given.
    #[arg(long, env = "FLOWPLANE_CREDENTIALS", value_name = "PATH")]
    pub credentials: Option<PathBuf>,

    /// The longest that issued tokens and temporary credentials live, whatever the caller
    /// asked (`0s`: they are expired as soon as they are issued); as the clouds say when not
    /// given (Huawei tokens 24 h, temporary credentials their requested duration).
    #[arg(long, env = "FLOWPLANE_MAX_CREDENTIAL_LIFETIME", value_name = "DURATION", value_parser = humantime::parse_duration)]
    pub max_credential_lifetime: Option<Duration>,

    /// A token the control API (`/_flowplane/`, but health) asks for as
    /// `Authorization: Bearer <token>`; without one it is open to whoever reaches the listener.
    #[arg(
        long,
        env = "FLOWPLANE_CONTROL_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    pub control_token: Option<ControlToken>,

    /// A snapshot file, or a directory of them (every `*.json`, in name order), loaded at
    /// start when the database holds nothing a snapshot holds (no resource, flow log,
    /// destination, record or transition setting).
    #[arg(long, env = "FLOWPLANE_SEED", value_name = "PATH")]
    pub seed: Option<PathBuf>,

    #[command(flatten)]
    pub records: RecordArgs,

    #[command(flatten)]
    pub journal: JournalArgs,

    #[command(flatten)]
    pub listener: ListenerArgs,
}

/// The request journal (`GET /_flowplane/requests`).
#[derive(Debug, Clone, Args)]
pub struct JournalArgs {
    /// How many of the latest cloud requests the journal keeps (in the database); 0 = none.
    #[arg(long, env = "FLOWPLANE_JOURNAL_SIZE", default_value_t = 1000, value_parser = clap::value_parser!(u64).range(0..=1_000_000))]
    pub journal_size: u64,

    /// Also keep each request's and response's body (the first 16 KiB, secrets redacted).
    #[arg(long, env = "FLOWPLANE_JOURNAL_BODIES")]
    pub journal_bodies: bool,
}

impl JournalArgs {
    pub fn settings(&self) -> crate::layers::journal::JournalSettings {
        crate::layers::journal::JournalSettings {
            size: self.journal_size,
            bodies: self.journal_bodies,
        }
    }
}

/// The listener: HTTPS beside plain HTTP on the one port, and what one client may hold.
#[derive(Debug, Clone, Args)]
pub struct ListenerArgs {
    /// `on`: the listener also answers TLS (HTTPS) on its port; `off`: plain HTTP only.
    #[arg(long = "tls", env = "FLOWPLANE_TLS", value_enum, default_value_t = Switch::On)]
    pub tls: Switch,

    /// PEM certificate (chain) to present instead of the generated one; needs `--tls-key`.
    #[arg(
        long,
        env = "FLOWPLANE_TLS_CERT",
        value_name = "FILE",
        requires = "tls_key"
    )]
    pub tls_cert: Option<PathBuf>,

    /// PEM private key of `--tls-cert`.
    #[arg(
        long,
        env = "FLOWPLANE_TLS_KEY",
        value_name = "FILE",
        requires = "tls_cert"
    )]
    pub tls_key: Option<PathBuf>,

    /// Where the generated CA and certificate are kept: by default the SQLite database's
    /// directory; for Postgres or an in-memory database `$XDG_DATA_HOME/flowplane` (else
    /// `~/.local/share/flowplane`, else the working directory).
    #[arg(long, env = "FLOWPLANE_TLS_DIR", value_name = "DIR")]
    pub tls_dir: Option<PathBuf>,

    /// Another name (DNS name or IP address) for the generated certificate, beside
    /// `localhost`, `127.0.0.1` and `::1`; repeatable (the variable: comma-separated).
    #[arg(
        long = "tls-name",
        env = "FLOWPLANE_TLS_NAME",
        value_name = "NAME",
        value_delimiter = ','
    )]
    pub tls_names: Vec<String>,

    /// How long a client has to send a request's complete head, from accepting the connection
    /// (TLS handshake included) or from the request's first byte.
    #[arg(long, env = "FLOWPLANE_HEADER_READ_TIMEOUT", default_value = "10s", value_parser = parse_positive_duration)]
    pub header_read_timeout: Duration,

    /// How long a keep-alive connection may sit idle between requests before it is closed.
    #[arg(long, env = "FLOWPLANE_IDLE_TIMEOUT", default_value = "60s", value_parser = parse_positive_duration)]
    pub idle_timeout: Duration,

    /// Most connections served at once; further ones wait, unaccepted, until one closes.
    #[arg(long, env = "FLOWPLANE_MAX_CONNECTIONS", default_value_t = 1024, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_connections: u32,
}

impl ListenerArgs {
    /// Where the certificate comes from, `None` with `--tls off`.
    pub fn cert_source(&self, database: &DatabaseUrl) -> Option<crate::listener::CertSource> {
        use crate::listener::CertSource;
        if self.tls == Switch::Off {
            return None;
        }
        Some(match (&self.tls_cert, &self.tls_key) {
            (Some(cert), Some(key)) => CertSource::Files {
                cert: cert.clone(),
                key: key.clone(),
            },
            _ => CertSource::Generated {
                dir: self
                    .tls_dir
                    .clone()
                    .unwrap_or_else(|| default_tls_dir(database)),
                names: self.tls_names.clone(),
            },
        })
    }

    /// The bounds of the accept loop; shutdown waits for in-flight requests at most
    /// `request_timeout` (plus a second), by when the edge has answered them all.
    pub fn limits(&self, request_timeout: Duration) -> crate::listener::Limits {
        crate::listener::Limits {
            header_read_timeout: self.header_read_timeout,
            idle_timeout: self.idle_timeout,
            max_connections: self.max_connections as usize,
            drain_timeout: request_timeout + Duration::from_secs(1),
        }
    }
}

/// The SQLite file's directory; for Postgres or an in-memory database, the user's data
/// directory.
fn default_tls_dir(database: &DatabaseUrl) -> PathBuf {
    if let DatabaseUrl::Sqlite(url) = database {
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or(url);
        let path = path.split('?').next().unwrap_or_default();
        if !path.is_empty() && !path.contains(":memory:") && !path.starts_with("file:") {
            return match std::path::Path::new(path).parent() {
                Some(parent) if !parent.as_os_str().is_empty() => parent.to_owned(),
                _ => PathBuf::from("."),
            };
        }
    }
    let data = std::env::var_os("XDG_DATA_HOME")
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|dir| !dir.is_empty())
                .map(|home| PathBuf::from(home).join(".local/share"))
        });
    match data {
        Some(dir) => dir.join("flowplane"),
        None => PathBuf::from("."),
    }
}

/// Synthetic flow-log records.
#[derive(Debug, Clone, Args)]
pub struct RecordArgs {
    /// `on`: every active flow log delivers records to its destination as its capture windows
    /// pass; `off`: only `POST /_flowplane/records/generate` produces them.
    #[arg(long = "records", env = "FLOWPLANE_RECORDS", value_enum, default_value_t = Switch::On)]
    pub records: Switch,

    /// How many flows each interface reports per capture window.
    #[arg(long, env = "FLOWPLANE_RECORDS_PER_WINDOW", default_value_t = 10, value_parser = clap::value_parser!(u32).range(0..=1000))]
    pub records_per_window: u32,

    /// The seed of the generator: the same seed, flow log and window give the same records.
    #[arg(long, env = "FLOWPLANE_RECORDS_SEED", default_value_t = 0)]
    pub records_seed: u64,

    /// The most records one log stream (logstore) keeps; the oldest go first.
    #[arg(long, env = "FLOWPLANE_RECORDS_MAX_PER_STREAM", default_value_t = 10_000, value_parser = clap::value_parser!(u32).range(1..))]
    pub records_max_per_stream: u32,
}

impl RecordArgs {
    pub fn options(&self) -> RecordOptions {
        RecordOptions {
            background: self.records == Switch::On,
            settings: RecordSettings {
                per_window: self.records_per_window,
                seed: self.records_seed,
            },
            max_per_stream: self.records_max_per_stream,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Switch {
    On,
    Off,
}

/// How strictly a flow log's resource is checked (`--references`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum References {
    Lenient,
    Strict,
}

impl From<References> for ReferenceMode {
    fn from(references: References) -> Self {
        match references {
            References::Lenient => ReferenceMode::Lenient,
            References::Strict => ReferenceMode::Strict,
        }
    }
}

#[derive(Debug, Clone, Args)]
pub struct HealthcheckArgs {
    /// Address the server listens on (its `--listen`); an unspecified address such as
    /// `0.0.0.0` is asked on loopback.
    #[arg(long, env = "FLOWPLANE_LISTEN", default_value = "127.0.0.1:8750")]
    pub listen: SocketAddr,

    /// How long to wait for the answer.
    #[arg(long, env = "FLOWPLANE_HEALTHCHECK_TIMEOUT", default_value = "5s", value_parser = parse_positive_duration)]
    pub healthcheck_timeout: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn serve_is_the_default_command() {
        let cli = Cli::try_parse_from(["flowplane", "--listen", "127.0.0.1:9999"]).unwrap();
        match cli.into_command() {
            Command::Serve(args) => assert_eq!(args.listen.port(), 9999),
            other => panic!("expected serve, got {other:?}"),
        }
    }

    #[test]
    fn defaults_are_the_documented_ones() {
        let Command::Serve(args) = Cli::try_parse_from(["flowplane"]).unwrap().into_command()
        else {
            panic!("serve is the default")
        };
        assert_eq!(args.listen, "127.0.0.1:8750".parse().unwrap());
        assert_eq!(
            args.database.database_url,
            DatabaseUrl::Sqlite("sqlite://flowplane.db".into())
        );
        assert_eq!(
            args.database.pool_settings(),
            PoolSettings {
                max_connections: 10,
                acquire_timeout: Duration::from_secs(5)
            }
        );
        assert_eq!(args.transition_delay, Duration::from_secs(1));
        assert_eq!(args.request_timeout, Duration::from_secs(30));
        assert_eq!(args.log_format, LogFormat::Text);
        assert_eq!(args.auth, AuthMode::Verify);
        assert_eq!(args.credentials, None);
        assert_eq!(args.references, References::Lenient);
        let records = args.records.options();
        assert!(records.background);
        assert_eq!(records.settings.per_window, 10);
        assert_eq!(records.settings.seed, 0);
        assert_eq!(records.max_per_stream, 10_000);
        assert_eq!(args.max_credential_lifetime, None);
    }

    #[test]
    fn max_credential_lifetime_takes_humantime_and_zero() {
        for (value, expected) in [("0s", Duration::ZERO), ("90s", Duration::from_secs(90))] {
            let cli =
                Cli::try_parse_from(["flowplane", "--max-credential-lifetime", value]).unwrap();
            let Command::Serve(args) = cli.into_command() else {
                panic!("serve")
            };
            assert_eq!(args.max_credential_lifetime, Some(expected));
        }
        assert!(Cli::try_parse_from(["flowplane", "--max-credential-lifetime", "soon"]).is_err());
    }

    #[test]
    fn transition_delay_takes_humantime() {
        let cli =
            Cli::try_parse_from(["flowplane", "serve", "--transition-delay", "250ms"]).unwrap();
        match cli.into_command() {
            Command::Serve(args) => assert_eq!(args.transition_delay, Duration::from_millis(250)),
            other => panic!("expected serve, got {other:?}"),
        }
    }

    #[test]
    fn pool_settings_are_checked() {
        for bad in [
            ["--database-max-connections", "0"],
            ["--database-acquire-timeout", "0s"],
            ["--database-acquire-timeout", "soon"],
        ] {
            let argv = ["flowplane", "migrate"].into_iter().chain(bad);
            assert!(Cli::try_parse_from(argv).is_err(), "{bad:?}");
        }
        let cli = Cli::try_parse_from([
            "flowplane",
            "migrate",
            "--database-max-connections",
            "3",
            "--database-acquire-timeout",
            "250ms",
        ])
        .unwrap();
        let Command::Migrate(args) = cli.into_command() else {
            panic!("migrate")
        };
        assert_eq!(
            args.pool_settings(),
            PoolSettings {
                max_connections: 3,
                acquire_timeout: Duration::from_millis(250)
            }
        );
    }
}

use std::process::ExitCode;

use clap::Parser;
use flowplane::app::{App, BuildError};
use flowplane::config::{Cli, Command, LogFormat};
use flowplane::store::Store;
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    let command = Cli::parse().into_command();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("flowplane: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let result = match command {
        Command::Serve(args) => {
            init_tracing(args.log_format);
            runtime.block_on(serve(args))
        }
        Command::Migrate(args) => {
            init_tracing(LogFormat::Text);
            runtime.block_on(migrate(args))
        }
        Command::Healthcheck(args) => runtime.block_on(healthcheck(args)),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("flowplane: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(args: flowplane::config::ServeArgs) -> Result<(), String> {
    let database = &args.database.database_url;
    let app = App::build(&args).await.map_err(|err| match err {
        BuildError::Credentials(err) => format!("cannot use the credentials: {err}"),
        BuildError::Store(err) => format!("cannot open the database {database}: {err}"),
        BuildError::Seed(err) => format!("cannot load the seed: {err}"),
    })?;
    let listener = TcpListener::bind(args.listen)
        .await
        .map_err(|err| format!("cannot listen on {}: {err}", args.listen))?;
    let shutdown =
        shutdown_signal().map_err(|err| format!("cannot install the signal handlers: {err}"))?;
    let bound = listener
        .local_addr()
        .map_err(|err| format!("cannot read the bound address: {err}"))?;
    let tls = app
        .load_tls()
        .map_err(|err| format!("cannot set up HTTPS: {err}"))?;
    if let Some(tls) = &tls {
        match &tls.ca {
            Some(ca) => tracing::info!(
                ca = %ca.display(),
                cert = %tls.cert.display(),
                generated = tls.generated_ca,
                "HTTPS on the same port: clients trust the CA file"
            ),
            None => tracing::info!(cert = %tls.cert.display(), "HTTPS on the same port"),
        }
    }
    tracing::info!(
        listen = %bound,
        database = %database,
        transition_delay = %humantime::format_duration(args.transition_delay),
        auth = ?args.auth,
        credentials = %args
            .credentials
            .as_ref()
            .map_or_else(|| "built-in demo".to_owned(), |path| path.display().to_string()),
        tls = tls.is_some(),
        max_connections = args.listener.max_connections,
        version = env!("CARGO_PKG_VERSION"),
        "flowplane is serving"
    );
    app.serve_with(listener, tls, shutdown)
        .await
        .map_err(|err| err.to_string())?;
    tracing::info!("flowplane stopped");
    Ok(())
}

async fn migrate(args: flowplane::config::DatabaseArgs) -> Result<(), String> {
    let database = &args.database_url;
    let store = Store::connect(&args.store_settings())
        .await
        .map_err(|err| format!("cannot open the database {database}: {err}"))?;
    store
        .migrate()
        .await
        .map_err(|err| format!("cannot migrate {database}: {err}"))?;
    store.close().await;
    tracing::info!(database = %database, "migrations applied");
    Ok(())
}

/// One `GET /_flowplane/health` over plain HTTP/1.1: enough for a container's health check,
/// without an HTTP client in the image.
async fn healthcheck(args: flowplane::config::HealthcheckArgs) -> Result<(), String> {
    use std::net::{Ipv4Addr, Ipv6Addr};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let mut address = args.listen;
    if address.ip().is_unspecified() {
        address.set_ip(match address {
            std::net::SocketAddr::V4(_) => Ipv4Addr::LOCALHOST.into(),
            std::net::SocketAddr::V6(_) => Ipv6Addr::LOCALHOST.into(),
        });
    }
    let ask = async {
        let mut stream = tokio::net::TcpStream::connect(address).await?;
        let request = format!(
            "GET /_flowplane/health HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
        );
        stream.write_all(request.as_bytes()).await?;
        let mut response = Vec::new();
        stream
            .take(64 * 1024)
            .read_to_end(&mut response)
            .await
            .map(|_| response)
    };
    let response = tokio::time::timeout(args.healthcheck_timeout, ask)
        .await
        .map_err(|_| {
            format!(
                "no answer from {address} within {}",
                humantime::format_duration(args.healthcheck_timeout)
            )
        })?
        .map_err(|err| format!("cannot ask {address}: {err}"))?;
    let response = String::from_utf8_lossy(&response);
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    let status_line = head.lines().next().unwrap_or_default();
    if status_line.split_whitespace().nth(1) == Some("200") {
        println!("{}", body.trim());
        Ok(())
    } else {
        Err(format!("unhealthy: {status_line} {}", body.trim()))
    }
}

/// Installs the SIGINT and SIGTERM handlers now (so a signal sent as soon as the server says it
/// is serving is never lost) and returns a future that completes on either.
#[cfg(unix)]
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
        tracing::info!("shutdown requested; finishing in-flight requests");
    })
}

#[cfg(not(unix))]
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutdown requested; finishing in-flight requests");
    })
}

fn init_tracing(format: LogFormat) {
    let filter =
        EnvFilter::try_from_env("FLOWPLANE_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

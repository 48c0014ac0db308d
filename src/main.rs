use std::process::ExitCode;

use clap::Parser;
use flowplane::app::App;
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
    let app = App::build(&args)
        .await
        .map_err(|err| format!("cannot open the database {database:?}: {err}"))?;
    let listener = TcpListener::bind(args.listen)
        .await
        .map_err(|err| format!("cannot listen on {}: {err}", args.listen))?;
    let shutdown =
        shutdown_signal().map_err(|err| format!("cannot install the signal handlers: {err}"))?;
    let bound = listener
        .local_addr()
        .map_err(|err| format!("cannot read the bound address: {err}"))?;
    tracing::info!(
        listen = %bound,
        database = ?database,
        transition_delay = %humantime::format_duration(args.transition_delay),
        version = env!("CARGO_PKG_VERSION"),
        "flowplane is serving"
    );
    app.serve(listener, shutdown)
        .await
        .map_err(|err| format!("server failed: {err}"))?;
    tracing::info!("flowplane stopped");
    Ok(())
}

async fn migrate(args: flowplane::config::DatabaseArgs) -> Result<(), String> {
    let database = &args.database_url;
    let store = Store::connect(&args)
        .await
        .map_err(|err| format!("cannot open the database {database:?}: {err}"))?;
    store
        .migrate()
        .await
        .map_err(|err| format!("cannot migrate {database:?}: {err}"))?;
    store.close().await;
    tracing::info!(database = ?database, "migrations applied");
    Ok(())
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

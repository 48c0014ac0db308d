//! A real server in this process: `App::serve` on a free loopback port, stopped on demand; for
//! the tests of what only a socket shows (the listener, TLS, dropped connections, shutdown).

use std::net::SocketAddr;
use std::time::Duration;

use flowplane::app::{App, ServeError};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::{serve_args, TestDb};

pub struct Served {
    pub address: SocketAddr,
    stop: oneshot::Sender<()>,
    server: JoinHandle<Result<(), ServeError>>,
}

impl Served {
    /// Serves `db` with the CLI's `extra` flags (TLS beside plain HTTP unless `--tls off`).
    pub async fn start(db: &TestDb, extra: &[&str]) -> Self {
        let app = App::build(&serve_args(db.url(), extra)).await.unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        // The certificate is loaded (or generated) before `start` returns, for tests that read it.
        let tls = app.load_tls().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(app.serve_with(listener, tls, async {
            let _ = stopped.await;
        }));
        Self {
            address,
            stop,
            server,
        }
    }

    pub fn http(&self) -> String {
        format!("http://{}", self.address)
    }

    pub fn https(&self, host: &str) -> String {
        format!("https://{host}:{}", self.address.port())
    }

    /// Stops it and asserts that it returns cleanly within `within`.
    pub async fn stop_within(self, within: Duration) {
        let _ = self.stop.send(());
        let served = tokio::time::timeout(within, self.server)
            .await
            .expect("the server stops promptly")
            .unwrap();
        assert!(served.is_ok(), "{served:?}");
    }
}

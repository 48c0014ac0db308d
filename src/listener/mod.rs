//! The one listener: an accept loop of Flowplane's own that serves plain HTTP/1.1 and HTTPS on
//! the same port, told apart by each connection's first byte (`0x16`, a TLS handshake record,
//! is TLS), and bounds what one client can hold: at most `max_connections` connections (the
//! next ones wait in the kernel's backlog, unaccepted, until one closes), a header-read timeout
//! (from accept, or from a request's first byte, to its complete head; it also bounds the TLS
//! handshake) and an idle keep-alive timeout. On shutdown it stops accepting, closes idle
//! connections, lets in-flight requests finish for at most `drain_timeout`, and returns.

pub mod tls;

use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Semaphore};
use tower::Service;

use crate::context::DropConnection;

pub use tls::{CertSource, Tls, TlsError};

/// The first byte of a TLS connection: a handshake record.
const TLS_HANDSHAKE: u8 = 0x16;

/// What one client may hold.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// From accept (or a request's first byte) to its complete head, TLS handshake included.
    pub header_read_timeout: Duration,
    /// How long a connection may sit between requests.
    pub idle_timeout: Duration,
    /// Connections served at once; further ones wait in the backlog.
    pub max_connections: usize,
    /// How long shutdown waits for in-flight requests.
    pub drain_timeout: Duration,
}

/// Serves `router` on `listener` until `shutdown` completes, then drains (see the module).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    tls: Option<Tls>,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let acceptor = tls.map(|tls| tokio_rustls::TlsAcceptor::from(tls.config));
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let (stop, stopping) = watch::channel(false);
    let mut shutdown = pin!(shutdown);
    loop {
        // A slot first, then accept: at the cap, new connections stay in the backlog.
        let permit = tokio::select! {
            () = &mut shutdown => break,
            permit = slots.clone().acquire_owned() => permit.expect("the semaphore is never closed"),
        };
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    // Out of descriptors and the like: say so, breathe, go on.
                    tracing::warn!(error = %err, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let acceptor = acceptor.clone();
        let stopping = stopping.clone();
        tokio::spawn(async move {
            let _permit = permit;
            if let Err(err) = connection(stream, router, acceptor, limits, stopping).await {
                tracing::debug!(peer = %peer, error = %err, "connection ended");
            }
        });
    }
    drop(listener);
    let _ = stop.send(true);
    let all = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
    if tokio::time::timeout(limits.drain_timeout, slots.acquire_many(all))
        .await
        .is_err()
    {
        tracing::warn!(
            open = limits.max_connections - slots.available_permits(),
            "connections still open after the drain timeout; closing them"
        );
    }
    Ok(())
}

/// One connection: TLS or not by its first byte, then HTTP/1.1 under the watchdog.
async fn connection(
    stream: TcpStream,
    router: Router,
    acceptor: Option<tokio_rustls::TlsAcceptor>,
    limits: Limits,
    mut stopping: watch::Receiver<bool>,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let activity = Arc::new(Activity::new());
    let deadline = tokio::time::Instant::now() + limits.header_read_timeout;
    let mut first = [0u8; 1];
    // Before its first request, a connection is simply closed at shutdown.
    let peeked = tokio::select! {
        peeked = tokio::time::timeout_at(deadline, stream.peek(&mut first)) => peeked,
        () = stopped(&mut stopping) => return Ok(()),
    };
    match peeked {
        Err(_) => return Err("no request within the header-read timeout".into()),
        Ok(Ok(0)) => return Ok(()),
        Ok(Ok(_)) => {}
        Ok(Err(err)) => return Err(err.into()),
    }
    match (first[0], acceptor) {
        (TLS_HANDSHAKE, Some(acceptor)) => {
            let stream = tokio::select! {
                accepted = tokio::time::timeout_at(deadline, acceptor.accept(stream)) => accepted
                    .map_err(|_| "TLS handshake not finished within the header-read timeout")??,
                () = stopped(&mut stopping) => return Ok(()),
            };
            http(stream, router, activity, limits, &mut stopping).await
        }
        _ => http(stream, router, activity, limits, &mut stopping).await,
    }
}

/// Completes once shutdown has begun.
/// Why a connection was closed unanswered: a fault rule asked for it.
#[derive(Debug)]
struct ConnectionDropped;

impl std::fmt::Display for ConnectionDropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by a fault rule")
    }
}

impl std::error::Error for ConnectionDropped {}

async fn stopped(stopping: &mut watch::Receiver<bool>) {
    let _ = stopping.wait_for(|stop| *stop).await;
}

async fn http<S>(
    stream: S,
    router: Router,
    activity: Arc<Activity>,
    limits: Limits,
    stopping: &mut watch::Receiver<bool>,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let io = TokioIo::new(Watched {
        inner: stream,
        activity: activity.clone(),
    });
    let service_activity = activity.clone();
    let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
        let guard = InFlight::enter(service_activity.clone());
        let mut router = router.clone();
        async move {
            let response = match router.call(request.map(axum::body::Body::new)).await {
                Ok(response) => response,
                Err(never) => match never {},
            };
            drop(guard);
            if response.extensions().get::<DropConnection>().is_some() {
                // An error from the service makes hyper close the connection unanswered.
                return Err(ConnectionDropped);
            }
            Ok(response)
        }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.timer(TokioTimer::new());
    let conn = builder.serve_connection(io, service);
    let mut conn = pin!(conn);
    let tick = (limits.header_read_timeout.min(limits.idle_timeout) / 10)
        .clamp(Duration::from_millis(10), Duration::from_secs(1));
    let mut watchdog = tokio::time::interval(tick);
    watchdog.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut draining = *stopping.borrow();
    if draining {
        return Ok(());
    }
    loop {
        tokio::select! {
            served = conn.as_mut() => return served.map_err(Into::into),
            changed = stopping.changed(), if !draining => {
                if changed.is_err() || *stopping.borrow() {
                    draining = true;
                    conn.as_mut().graceful_shutdown();
                    if activity.awaiting_head() {
                        return Ok(());
                    }
                }
            }
            _ = watchdog.tick() => match activity.verdict(limits) {
                // At shutdown, a request not yet received in full is not waited for.
                Verdict::Fine if draining && activity.awaiting_head() => return Ok(()),
                Verdict::Fine => {}
                // Dropping the connection closes the socket.
                Verdict::HeadTooSlow => return Err("request head not complete within the header-read timeout".into()),
                Verdict::Idle => return Ok(()),
            },
        }
    }
}

enum Verdict {
    Fine,
    HeadTooSlow,
    Idle,
}

/// What the watchdog knows of a connection: its last byte either way, whether a request is
/// being handled, and since when the head of the next request has been arriving.
struct Activity {
    origin: Instant,
    /// Milliseconds since `origin`, plus one; 0 = none.
    last: AtomicU64,
    head_since: AtomicU64,
    in_flight: AtomicUsize,
}

impl Activity {
    fn new() -> Self {
        // The first head is timed from accept (TLS handshake included).
        Self {
            origin: Instant::now(),
            last: AtomicU64::new(1),
            head_since: AtomicU64::new(1),
            in_flight: AtomicUsize::new(0),
        }
    }

    fn now(&self) -> u64 {
        u64::try_from(self.origin.elapsed().as_millis()).unwrap_or(u64::MAX - 1) + 1
    }

    fn read(&self, bytes: usize) {
        if bytes == 0 {
            return;
        }
        let now = self.now();
        self.last.store(now, Ordering::Relaxed);
        if self.in_flight.load(Ordering::Acquire) == 0 {
            let _ = self
                .head_since
                .compare_exchange(0, now, Ordering::AcqRel, Ordering::Relaxed);
        }
    }

    fn wrote(&self) {
        self.last.store(self.now(), Ordering::Relaxed);
    }

    /// No request is being handled and the next one's head has begun (or the connection has
    /// not sent its first yet); an idle connection between requests is not.
    fn awaiting_head(&self) -> bool {
        self.in_flight.load(Ordering::Acquire) == 0 && self.head_since.load(Ordering::Acquire) != 0
    }

    fn verdict(&self, limits: Limits) -> Verdict {
        let now = self.now();
        let head_since = self.head_since.load(Ordering::Acquire);
        if self.in_flight.load(Ordering::Acquire) > 0 {
            return Verdict::Fine;
        }
        let elapsed = |since: u64| Duration::from_millis(now.saturating_sub(since));
        if head_since != 0 {
            if elapsed(head_since) >= limits.header_read_timeout {
                return Verdict::HeadTooSlow;
            }
        } else if elapsed(self.last.load(Ordering::Relaxed)) >= limits.idle_timeout {
            return Verdict::Idle;
        }
        Verdict::Fine
    }
}

/// A request being handled: its head is complete, so no head is being timed until it ends.
struct InFlight(Arc<Activity>);

impl InFlight {
    fn enter(activity: Arc<Activity>) -> Self {
        activity.in_flight.fetch_add(1, Ordering::AcqRel);
        activity.head_since.store(0, Ordering::Release);
        Self(activity)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.wrote();
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A stream that tells the watchdog when bytes pass.
struct Watched<S> {
    inner: S,
    activity: Arc<Activity>,
}

impl<S: AsyncRead + Unpin> AsyncRead for Watched<S> {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = std::pin::Pin::new(&mut self.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = polled {
            self.activity.read(buf.filled().len() - before);
        }
        polled
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Watched<S> {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let polled = std::pin::Pin::new(&mut self.inner).poll_write(cx, buf);
        if let Poll::Ready(Ok(written)) = polled {
            if written > 0 {
                self.activity.wrote();
            }
        }
        polled
    }

    fn poll_write_vectored(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let polled = std::pin::Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if let Poll::Ready(Ok(written)) = polled {
            if written > 0 {
                self.activity.wrote();
            }
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

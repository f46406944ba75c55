//! Serving HTTP/1.1 connections with the limits `axum::serve` leaves unset: a client gets
//! `header_read` to send its request head and each frame of its body must follow within
//! `body_frame`, a whole request (body and answer) takes at most `request`, and at most
//! `max_connections` are open at once (the next wait in the kernel's backlog). A slow or stalled
//! client so holds a connection for seconds, not for ever.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt as _;
use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutLayer};

/// How long clients may take, and how many may be connected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// To send the request line and headers.
    pub header_read: Duration,
    /// Between two frames of a request body.
    pub body_frame: Duration,
    /// For a whole request, answer included: far above any handler's time, so only a client that
    /// trickles its body meets it.
    pub request: Duration,
    /// Connections open at once.
    pub max_connections: usize,
    /// How long a webhook or pixel request waits for its write before it answers 503 (storage
    /// down or locked): well inside Shopify's 5 s, so Shopify hears why and retries.
    pub storage_deadline: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            header_read: Duration::from_secs(10),
            body_frame: Duration::from_secs(10),
            request: Duration::from_secs(60),
            max_connections: 1_024,
            storage_deadline: Duration::from_secs(4),
        }
    }
}

/// Serves `router` on `listener` until the process ends.
pub async fn serve(listener: TcpListener, router: Router, limits: Limits) -> std::io::Result<()> {
    let router = router
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, limits.request))
        .layer(RequestBodyTimeoutLayer::new(limits.body_frame));
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    loop {
        let Ok(permit) = permits.clone().acquire_owned().await else { return Ok(()) };
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(error) => {
                // Out of file descriptors, say: give the open connections a moment to close.
                crate::log::warn("accepting a connection failed", &[("error", &error.to_string())]);
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let router = router.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
                request.extensions_mut().insert(ConnectInfo(peer));
                router.clone().oneshot(request)
            });
            let served = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_read)
                .serve_connection(TokioIo::new(stream), service)
                .await;
            drop(permit);
            // A client that went away or stalled: nothing to tell anyone.
            let _ = served;
        });
    }
}

/// Whether reading a body failed because the client stopped sending it (the body-frame limit),
/// rather than because it was too large.
pub fn timed_out(error: &axum::Error) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(error) = cause {
        if error.is::<tower_http::timeout::TimeoutError>() {
            return true;
        }
        cause = error.source();
    }
    false
}

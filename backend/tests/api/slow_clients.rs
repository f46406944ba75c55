//! A real listener with its limits: a client that stalls in its headers or its body loses the
//! connection, and connections beyond the limit wait until one closes.

use std::time::Duration;

use seglink::startup::Application;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

use crate::helpers::{TempDb, config};

/// `seglink serve` on a port of its own with short limits; its address.
async fn serving(max_connections: usize) -> (String, TempDb) {
    let file = std::env::temp_dir().join(format!("{}.db", crate::helpers::unique("seglink_slow")));
    let mut config = config();
    config.database_url = format!("sqlite://{}", file.display());
    config.workers = 0;
    config.limits = seglink::serve::Limits {
        header_read: Duration::from_secs(1),
        body_frame: Duration::from_secs(1),
        request: Duration::from_secs(5),
        max_connections,
        ..seglink::serve::Limits::default()
    };
    let application = Application::build(config).await.expect("it binds");
    let address = format!("127.0.0.1:{}", application.port());
    tokio::spawn(application.run_until_stopped());
    (address, TempDb(file))
}

/// Everything the server sends until it closes the connection (bounded, so a broken limit
/// fails the test instead of hanging it).
async fn read_to_close(stream: &mut TcpStream) -> String {
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut answer)).await;
    assert!(read.is_ok(), "the server still holds the connection");
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn a_client_stalled_in_its_headers_is_disconnected() {
    let (address, _database) = serving(16).await;
    let mut stream = TcpStream::connect(&address).await.unwrap();
    stream.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n").await.unwrap();
    let answer = read_to_close(&mut stream).await;
    assert!(!answer.contains("200 OK"), "{answer}");
}

#[tokio::test]
async fn a_client_stalled_in_its_body_gets_408() {
    let (address, _database) = serving(16).await;
    let mut stream = TcpStream::connect(&address).await.unwrap();
    let head = "POST /v1/pixel/events HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\n";
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(br#"{"key":"pk_"#).await.unwrap();
    let answer = read_to_close(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("the body stopped arriving"), "{answer}");
}

#[tokio::test]
async fn connections_beyond_the_limit_wait_for_one_to_close() {
    let (address, _database) = serving(1).await;
    // The one connection allowed, held by a client that never finishes its request.
    let mut holder = TcpStream::connect(&address).await.unwrap();
    holder.write_all(b"GET /health HTTP/1.1\r\n").await.unwrap();
    let mut waiting = TcpStream::connect(&address).await.unwrap();
    waiting.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await.unwrap();
    let answer = read_to_close(&mut waiting).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    // It was answered only once the holder's connection was closed.
    let mut byte = [0u8; 1];
    assert_eq!(holder.try_read(&mut byte).ok(), Some(0), "the holder was disconnected first");
}

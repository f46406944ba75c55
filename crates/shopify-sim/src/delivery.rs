//! Sends webhook deliveries over HTTP/1.1, as Shopify's sender does: a POST with the delivery's
//! headers and raw body, about a second to connect and five seconds in all, a 2xx accepted.
//! Plain `http://` only (the app on localhost); the simulator has no TLS client.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

use crate::webhooks::Delivery;

/// Shopify gives up connecting after about this long.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
/// And on the whole request after this long.
pub const TOTAL_TIMEOUT: Duration = Duration::from_secs(5);

/// POSTs one delivery; the status, or `None` when it could not connect, timed out or got no
/// HTTP answer.
pub async fn post(delivery: &Delivery) -> Option<u16> {
    post_to(&delivery.uri, &delivery.headers, &delivery.body).await
}

/// POSTs `body` with `headers` to `uri`: any request Shopify makes to an app (a webhook, a Flow
/// callback); the status, or `None` as for `post`.
pub async fn post_to(uri: &str, headers: &[(String, String)], body: &[u8]) -> Option<u16> {
    let rest = uri.strip_prefix("http://")?;
    let (authority, path) =
        rest.split_once('/').map_or((rest, "/".to_owned()), |(host, path)| (host, format!("/{path}")));
    let address = if authority.contains(':') { authority.to_owned() } else { format!("{authority}:80") };
    let mut stream = timeout(CONNECT_TIMEOUT, TcpStream::connect(&address)).await.ok()?.ok()?;
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    let exchange = async {
        stream.write_all(request.as_bytes()).await.ok()?;
        stream.write_all(body).await.ok()?;
        let mut head = Vec::new();
        let mut buffer = [0u8; 512];
        // The status line is all that matters; read until it is complete.
        while !head.windows(2).any(|pair| pair == b"\r\n") {
            let read = stream.read(&mut buffer).await.ok()?;
            if read == 0 {
                return None;
            }
            head.extend_from_slice(&buffer[..read]);
        }
        let line = String::from_utf8_lossy(&head);
        line.strip_prefix("HTTP/1.")?.split(' ').nth(1)?.parse::<u16>().ok()
    };
    timeout(TOTAL_TIMEOUT, exchange).await.ok()?
}

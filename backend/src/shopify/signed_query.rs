//! Query strings Shopify signs (the OAuth callback, app-load URLs): the `hmac` over the other
//! parameters, and a timestamp within 90 s. Algorithm: shopify-app-js `hmac-validator.ts` (docs/backend.md).

use super::signature::signed_by_any;
use crate::clock::UnixTime;

/// How far `timestamp` may be from our clock.
pub const TIMESTAMP_TOLERANCE_SECS: i64 = 90;

/// Why a signed query was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignedQueryError {
    /// No `hmac`, or not hex.
    #[error("the query has no valid hmac")]
    MissingHmac,
    /// The `hmac` does not match under any current secret.
    #[error("the query's hmac is wrong")]
    BadHmac,
    /// No single integer `timestamp`, or one outside the window.
    #[error("the query's timestamp is missing or stale")]
    Stale,
}

/// Checks decoded query `params` (in any order, keys possibly repeated) signed with one of
/// `secrets`, at `now` (Unix seconds).
pub fn verify(params: &[(String, String)], secrets: &[&str], now: UnixTime) -> Result<(), SignedQueryError> {
    let mut given = params.iter().filter(|(key, _)| key == "hmac");
    let (Some((_, hmac)), None) = (given.next(), given.next()) else {
        return Err(SignedQueryError::MissingHmac);
    };
    let expected = decode_hex(hmac).ok_or(SignedQueryError::MissingHmac)?;
    let message = canonical(params);
    let genuine = signed_by_any(secrets, message.as_bytes(), &expected);
    if !genuine {
        return Err(SignedQueryError::BadHmac);
    }
    let mut timestamps = params.iter().filter(|(key, _)| key == "timestamp");
    let (Some((_, timestamp)), None) = (timestamps.next(), timestamps.next()) else {
        return Err(SignedQueryError::Stale);
    };
    let timestamp: i64 = timestamp.parse().map_err(|_| SignedQueryError::Stale)?;
    if (now - UnixTime::from_secs(timestamp)).abs() > TIMESTAMP_TOLERANCE_SECS {
        return Err(SignedQueryError::Stale);
    }
    Ok(())
}

/// Repeated keys joined with `,`, `hmac` and `signature` left out, sorted by key, form-encoded
/// with `%20` for spaces.
fn canonical(params: &[(String, String)]) -> String {
    let mut merged: Vec<(&str, String)> = Vec::new();
    for (key, value) in params.iter().filter(|(key, _)| key != "hmac" && key != "signature") {
        match merged.iter_mut().find(|(existing, _)| *existing == key) {
            Some((_, joined)) => {
                joined.push(',');
                joined.push_str(value);
            }
            None => merged.push((key, value.clone())),
        }
    }
    merged.sort_by_key(|(key, _)| *key);
    merged
        .iter()
        .map(|(key, value)| format!("{}={}", form_encode(key), form_encode(value)))
        .collect::<Vec<_>>()
        .join("&")
}

fn form_encode(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                char::from(byte).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len()).step_by(2).map(|index| u8::from_str_radix(text.get(index..index + 2)?, 16).ok()).collect()
}

//! The one HMAC-SHA256 check behind every Shopify signature: any of the app's current secrets,
//! compared in constant time.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Whether `signature` is the HMAC-SHA256 of `message` under one of `secrets`.
pub fn signed_by_any(secrets: &[&str], message: &[u8], signature: &[u8]) -> bool {
    secrets.iter().any(|secret| {
        <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
            .map(|mut mac| {
                mac.update(message);
                // `verify_slice` compares in constant time.
                mac.verify_slice(signature).is_ok()
            })
            .unwrap_or(false)
    })
}

/// Whether `header`, an `X-Shopify-Hmac-Sha256` value (base64), signs `body` under one of
/// `secrets`: webhooks and Flow's requests are signed so.
pub fn base64_signs(secrets: &[&str], body: &[u8], header: &str) -> bool {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(header.trim())
        .is_ok_and(|signature| signed_by_any(secrets, body, &signature))
}

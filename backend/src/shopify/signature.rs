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

//! Signatures as Shopify makes them: webhook bodies, signed query strings (OAuth redirects and
//! app-load URLs), and session tokens. Algorithms: shopify-app-js `hmac-validator.ts`
//! and `decode-session-token.ts`; the tests use vectors computed by hand with HMAC-SHA256
//! (docs/simulator.md, "Signatures").

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

pub(crate) fn hmac_sha256(secret: &[u8], message: &[u8]) -> Vec<u8> {
    // HMAC takes a key of any length, so this cannot fail.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret)
        .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

/// `X-Shopify-Hmac-Sha256` of a webhook body: base64 of HMAC-SHA256 over the raw bytes.
pub fn webhook_hmac(secret: &str, body: &[u8]) -> String {
    STANDARD.encode(hmac_sha256(secret.as_bytes(), body))
}

/// The `hmac` of a query string: lowercase hex HMAC-SHA256 of the parameters without `hmac`
/// and `signature`, repeated keys joined with `,`, sorted by key and form-encoded with `%20`
/// for spaces.
pub fn query_hmac(secret: &str, params: &[(&str, &str)]) -> String {
    let mut merged: Vec<(&str, String)> = Vec::new();
    for &(key, value) in params.iter().filter(|(key, _)| *key != "hmac" && *key != "signature") {
        match merged.iter_mut().find(|(existing, _)| *existing == key) {
            Some((_, joined)) => {
                joined.push(',');
                joined.push_str(value);
            }
            None => merged.push((key, value.to_owned())),
        }
    }
    merged.sort_by(|a, b| a.0.cmp(b.0));
    let message: Vec<String> =
        merged.iter().map(|(key, value)| format!("{}={}", form_encode(key), form_encode(value))).collect();
    hex(&hmac_sha256(secret.as_bytes(), message.join("&").as_bytes()))
}

/// `params` with their `hmac` appended, as Shopify signs a redirect or app-load URL.
pub fn signed_query(secret: &str, params: &[(&str, &str)]) -> String {
    let hmac = query_hmac(secret, params);
    let mut pairs: Vec<String> =
        params.iter().map(|(key, value)| format!("{}={}", form_encode(key), form_encode(value))).collect();
    pairs.push(format!("hmac={hmac}"));
    pairs.join("&")
}

/// application/x-www-form-urlencoded as URLSearchParams writes it, with `%20` for a space.
fn form_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'*' | b'-' | b'.' | b'_') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// The claims of a session token (ID token), in the order Shopify writes them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionClaims {
    /// `https://<shop>/admin`
    pub iss: String,
    /// `https://<shop>`
    pub dest: String,
    /// The app's client id.
    pub aud: String,
    /// The staff user's id.
    pub sub: String,
    /// Expiry, Unix seconds.
    pub exp: i64,
    /// Not before, Unix seconds.
    pub nbf: i64,
    /// Issued at, Unix seconds.
    pub iat: i64,
    /// Token id.
    pub jti: String,
    /// Session id.
    pub sid: String,
}

impl SessionClaims {
    /// Claims for `shop` and `client_id`, issued at `now` and valid for one minute, as Shopify's
    /// are.
    pub fn new(shop: &str, client_id: &str, user_id: u64, now: i64) -> Self {
        Self {
            iss: format!("https://{shop}/admin"),
            dest: format!("https://{shop}"),
            aud: client_id.to_owned(),
            sub: user_id.to_string(),
            exp: now + 60,
            nbf: now,
            iat: now,
            jti: format!("{now:08x}-0000-4000-8000-{user_id:012x}"),
            sid: format!("session-{user_id}"),
        }
    }
}

/// A session token: an HS256 JWT signed with the app's client secret.
pub fn session_token(secret: &str, claims: &SessionClaims) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).unwrap_or_default());
    let signature =
        URL_SAFE_NO_PAD.encode(hmac_sha256(secret.as_bytes(), format!("{header}.{payload}").as_bytes()));
    format!("{header}.{payload}.{signature}")
}

#[cfg(test)]
mod tests {
    use super::*;

    // Every vector uses the secret "hush".
    const SECRET: &str = "hush";

    #[test]
    fn webhook_bodies_sign_as_the_vector_says() {
        assert_eq!(
            webhook_hmac(SECRET, br#"{"id":1,"email":"a@b.c"}"#),
            "TQYJjsweVrfqXtQN3RT7O5n68G7oajkBdHWxHw2t6OE="
        );
    }

    #[test]
    fn oauth_queries_sign_as_shopifys_docs_show() {
        let params = [
            ("code", "0907a61c0c8d55e99db179b68161bc00"),
            ("shop", "some-shop.myshopify.com"),
            ("timestamp", "1337178173"),
        ];
        assert_eq!(
            query_hmac(SECRET, &params),
            "4712bf92ffc2917d15a2f5a273e39f0116667419aa4b6ac0b3baaf26fa3c4d20"
        );
        // Order, an existing hmac and a repeated key do not change the canonical form's rules.
        let with_host = [
            ("timestamp", "1337178173"),
            ("state", "0.6784241404160823"),
            ("shop", "some-shop.myshopify.com"),
            ("hmac", "ignored"),
            ("host", "YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvc29tZS1zaG9w"),
            ("code", "0907a61c0c8d55e99db179b68161bc00"),
        ];
        assert_eq!(
            query_hmac(SECRET, &with_host),
            "9fe3d5ea81959305fd96bd3d2d44e878654e753bc8e455b5369c15a009412163"
        );
        assert_eq!(query_hmac(SECRET, &[("a", "1"), ("a", "2")]), query_hmac(SECRET, &[("a", "1,2")]));
    }

    #[test]
    fn a_signed_query_carries_its_hmac() {
        let params = [
            ("code", "0907a61c0c8d55e99db179b68161bc00"),
            ("shop", "some-shop.myshopify.com"),
            ("timestamp", "1337178173"),
        ];
        assert_eq!(
            signed_query(SECRET, &params),
            "code=0907a61c0c8d55e99db179b68161bc00&shop=some-shop.myshopify.com&timestamp=1337178173&hmac=4712bf92ffc2917d15a2f5a273e39f0116667419aa4b6ac0b3baaf26fa3c4d20"
        );
        assert_eq!(form_encode("a b/c:d=e"), "a%20b%2Fc%3Ad%3De");
    }

    #[test]
    fn session_tokens_match_the_vector() {
        let claims = SessionClaims {
            iss: "https://test-shop.myshopify.com/admin".to_owned(),
            dest: "https://test-shop.myshopify.com".to_owned(),
            aud: "api-key-123".to_owned(),
            sub: "42".to_owned(),
            exp: 1_700_000_060,
            nbf: 1_700_000_000,
            iat: 1_700_000_000,
            jti: "00000000-0000-0000-0000-000000000000".to_owned(),
            sid: "abc".to_owned(),
        };
        assert_eq!(
            session_token(SECRET, &claims),
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJodHRwczovL3Rlc3Qtc2hvcC5teXNob3BpZnkuY29tL2FkbWluIiwiZGVzdCI6Imh0dHBzOi8vdGVzdC1zaG9wLm15c2hvcGlmeS5jb20iLCJhdWQiOiJhcGkta2V5LTEyMyIsInN1YiI6IjQyIiwiZXhwIjoxNzAwMDAwMDYwLCJuYmYiOjE3MDAwMDAwMDAsImlhdCI6MTcwMDAwMDAwMCwianRpIjoiMDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAwIiwic2lkIjoiYWJjIn0.78xNwb6hzDj2cZ0woV5B5wrNIw6wcNHZiY1ZBvwYlgM"
        );
    }
}

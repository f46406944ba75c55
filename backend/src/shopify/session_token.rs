//! Session tokens (App Bridge ID tokens): HS256 JWTs signed with the app's client secret.
//! Rules: shopify-app-js `decode-session-token.ts` (docs/backend.md, "Installing a store"),
//! tightened beyond it (`alg` exactly HS256, `iss` = `dest` + `/admin`, `dest` a
//! `*.myshopify.com` shop).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;

use super::ShopDomain;
use super::signature::signed_by_any;
use crate::clock::UnixTime;

/// Shopify's libraries allow this much clock skew on `exp` and `nbf`.
pub const LEEWAY_SECS: i64 = 10;

/// What a verified token says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionClaims {
    /// The shop the staff member is in.
    pub shop: ShopDomain,
    /// The staff member's id (`sub`).
    pub user_id: String,
    /// Session id.
    pub session_id: String,
}

/// Why a session token was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SessionTokenError {
    /// Not three base64url parts of JSON.
    #[error("the session token is malformed")]
    Malformed,
    /// `alg` is not HS256.
    #[error("the session token is not HS256")]
    Algorithm,
    /// No secret produced its signature.
    #[error("the session token's signature is wrong")]
    Signature,
    /// `aud` is another app.
    #[error("the session token is for another app")]
    Audience,
    /// Past `exp`.
    #[error("the session token has expired")]
    Expired,
    /// Before `nbf`.
    #[error("the session token is not valid yet")]
    NotYetValid,
    /// `dest` is not a shop, or `iss` does not match it.
    #[error("the session token does not name a shop consistently")]
    Shop,
}

#[derive(Deserialize)]
struct Header {
    alg: String,
}

#[derive(Deserialize)]
struct Claims {
    iss: String,
    dest: String,
    aud: String,
    sub: String,
    exp: i64,
    nbf: i64,
    #[serde(default)]
    sid: String,
}

/// Verifies `token` for the app `api_key`, signed with one of `secrets` (current first, then the
/// one being rotated out), at `now` (Unix seconds).
pub fn verify(
    token: &str,
    api_key: &str,
    secrets: &[&str],
    now: UnixTime,
) -> Result<SessionClaims, SessionTokenError> {
    let mut parts = token.split('.');
    let (Some(header_part), Some(payload_part), Some(signature_part), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(SessionTokenError::Malformed);
    };
    let decode = |part: &str| URL_SAFE_NO_PAD.decode(part).map_err(|_| SessionTokenError::Malformed);
    let header: Header =
        serde_json::from_slice(&decode(header_part)?).map_err(|_| SessionTokenError::Malformed)?;
    if header.alg != "HS256" {
        return Err(SessionTokenError::Algorithm);
    }
    let signature = decode(signature_part)?;
    let signed = &token[..header_part.len() + 1 + payload_part.len()];
    let genuine = signed_by_any(secrets, signed.as_bytes(), &signature);
    if !genuine {
        return Err(SessionTokenError::Signature);
    }
    let claims: Claims =
        serde_json::from_slice(&decode(payload_part)?).map_err(|_| SessionTokenError::Malformed)?;
    if claims.aud != api_key {
        return Err(SessionTokenError::Audience);
    }
    if now >= UnixTime::from_secs(claims.exp) + LEEWAY_SECS {
        return Err(SessionTokenError::Expired);
    }
    if now < UnixTime::from_secs(claims.nbf) - LEEWAY_SECS {
        return Err(SessionTokenError::NotYetValid);
    }
    let shop = claims
        .dest
        .strip_prefix("https://")
        .and_then(|host| ShopDomain::parse(host).ok())
        .ok_or(SessionTokenError::Shop)?;
    if claims.iss != format!("{}/admin", claims.dest) {
        return Err(SessionTokenError::Shop);
    }
    Ok(SessionClaims { shop, user_id: claims.sub, session_id: claims.sid })
}

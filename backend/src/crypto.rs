//! Seglink's own keys, each derived from one master key with HKDF-SHA256 under its own label, so
//! no key serves two purposes and the app's client secret signs nothing of ours (the lesson of
//! shopify-app-js's cookie-signing fix; docs/security.md, "Credentials").

use aes_gcm::aead::{Aead, KeyInit, OsRng, rand_core::RngCore};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use sha2::{Digest as _, Sha256};

/// Bytes of the master key.
pub const MASTER_KEY_BYTES: usize = 32;
const NONCE_BYTES: usize = 12;
/// Marks the ciphertext format, so it can change without guessing.
const SEALED_PREFIX: &str = "v1.";

/// The keys derived from the master key.
pub struct Keys {
    tokens: Aes256Gcm,
    cookies: [u8; 32],
}

/// A sealed value could not be opened: another key, or tampered with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the sealed value cannot be opened with this key")]
pub struct OpenError;

impl Keys {
    /// Derives every key from `master`.
    pub fn derive(master: &[u8; MASTER_KEY_BYTES]) -> Self {
        let hkdf = Hkdf::<Sha256>::new(None, master);
        let expand = |label: &str| {
            let mut key = [0u8; 32];
            // 32 bytes is far below HKDF-SHA256's limit of 8,160, so this cannot fail.
            hkdf.expand(label.as_bytes(), &mut key)
                .unwrap_or_else(|_| unreachable!("32 bytes fit HKDF-SHA256"));
            key
        };
        let tokens = Aes256Gcm::new(&expand("seglink/token-encryption/v1").into());
        Self { tokens, cookies: expand("seglink/cookie-signing/v1") }
    }

    /// Encrypts a secret (an access token) for storage: AES-256-GCM with a random nonce, bound
    /// to `context` (say, the shop) so a sealed value cannot be moved to another row.
    pub fn seal(&self, plaintext: &str, context: &str) -> String {
        let mut nonce = [0u8; NONCE_BYTES];
        OsRng.fill_bytes(&mut nonce);
        let payload = aes_gcm::aead::Payload { msg: plaintext.as_bytes(), aad: context.as_bytes() };
        // Encryption fails only for messages near 64 GiB.
        let ciphertext = self.tokens.encrypt(Nonce::from_slice(&nonce), payload).unwrap_or_default();
        let mut sealed = nonce.to_vec();
        sealed.extend_from_slice(&ciphertext);
        format!("{SEALED_PREFIX}{}", URL_SAFE_NO_PAD.encode(sealed))
    }

    /// Decrypts what `seal` made with the same key and context.
    pub fn open(&self, sealed: &str, context: &str) -> Result<String, OpenError> {
        let bytes = sealed
            .strip_prefix(SEALED_PREFIX)
            .and_then(|body| URL_SAFE_NO_PAD.decode(body).ok())
            .ok_or(OpenError)?;
        if bytes.len() < NONCE_BYTES {
            return Err(OpenError);
        }
        let (nonce, ciphertext) = bytes.split_at(NONCE_BYTES);
        let payload = aes_gcm::aead::Payload { msg: ciphertext, aad: context.as_bytes() };
        let plaintext = self.tokens.decrypt(Nonce::from_slice(nonce), payload).map_err(|_| OpenError)?;
        String::from_utf8(plaintext).map_err(|_| OpenError)
    }

    /// Signs a cookie value: `value.signature`.
    pub fn sign_cookie(&self, value: &str) -> String {
        sign(&self.cookies, value)
    }

    /// The value of a cookie `sign_cookie` made, if its signature holds (compared in constant
    /// time).
    pub fn verify_cookie<'c>(&self, cookie: &'c str) -> Option<&'c str> {
        verify(&self.cookies, cookie)
    }
}

fn sign(key: &[u8; 32], value: &str) -> String {
    format!("{value}.{}", URL_SAFE_NO_PAD.encode(mac(key, value).finalize().into_bytes()))
}

fn verify<'v>(key: &[u8; 32], signed: &'v str) -> Option<&'v str> {
    let (value, signature) = signed.rsplit_once('.')?;
    let signature = URL_SAFE_NO_PAD.decode(signature).ok()?;
    // verify_slice compares in constant time.
    mac(key, value).verify_slice(&signature).ok().map(|()| value)
}

fn mac(key: &[u8; 32], value: &str) -> Hmac<Sha256> {
    // HMAC takes a key of any length.
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!("HMAC takes any key"));
    mac.update(value.as_bytes());
    mac
}

/// `bytes` random bytes from the operating system, URL-safe base64: nonces, ids and keys.
pub fn random_token(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    OsRng.fill_bytes(&mut buffer);
    URL_SAFE_NO_PAD.encode(buffer)
}

/// Whether a presented secret (a bearer token) is the expected one, in constant time: both are
/// hashed first, so neither their contents nor their lengths show in the timing.
pub fn same_secret(given: &str, expected: &str) -> bool {
    use subtle::ConstantTimeEq as _;
    Sha256::digest(given.as_bytes()).ct_eq(&Sha256::digest(expected.as_bytes())).into()
}

/// Lower-case hex SHA-256, for storing a key Seglink must recognise but never show again.
pub fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes()).iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MASTER: [u8; 32] = [7; 32];

    #[test]
    fn a_sealed_token_opens_only_with_its_key_and_context() {
        let keys = Keys::derive(&MASTER);
        let sealed = keys.seal("shpat_secret", "shop-a.myshopify.com");
        assert!(!sealed.contains("shpat_secret"));
        assert_eq!(keys.open(&sealed, "shop-a.myshopify.com").unwrap(), "shpat_secret");
        assert_eq!(keys.open(&sealed, "shop-b.myshopify.com"), Err(OpenError), "moved to another shop");
        assert_eq!(Keys::derive(&[8; 32]).open(&sealed, "shop-a.myshopify.com"), Err(OpenError));
        assert_ne!(sealed, keys.seal("shpat_secret", "shop-a.myshopify.com"), "a fresh nonce each time");
    }

    #[test]
    fn tampered_or_garbled_values_do_not_open() {
        let keys = Keys::derive(&MASTER);
        let sealed = keys.seal("token", "ctx");
        let mut bytes = sealed.clone().into_bytes();
        let last = bytes.len() - 1;
        bytes[last] = if bytes[last] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(bytes).unwrap();
        for broken in [tampered.as_str(), "v1.", "v2.abc", "", "v1.AAAA"] {
            assert_eq!(keys.open(broken, "ctx"), Err(OpenError), "{broken}");
        }
    }

    #[test]
    fn cookies_keep_their_value_and_refuse_forgeries() {
        let keys = Keys::derive(&MASTER);
        let cookie = keys.sign_cookie("nonce-123");
        assert_eq!(keys.verify_cookie(&cookie), Some("nonce-123"));
        assert_eq!(keys.verify_cookie("nonce-123"), None);
        assert_eq!(keys.verify_cookie(&cookie.replace("nonce-123", "nonce-124")), None);
        assert_eq!(Keys::derive(&[8; 32]).verify_cookie(&cookie), None);
    }

    #[test]
    fn the_cookie_key_is_not_the_raw_master_key() {
        // A value signed with the master key itself (as a raw secret would be) must not verify.
        let keys = Keys::derive(&MASTER);
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&MASTER).unwrap();
        mac.update(b"value");
        let raw = format!("value.{}", URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()));
        assert_eq!(keys.verify_cookie(&raw), None);
    }
}

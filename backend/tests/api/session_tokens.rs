//! Session tokens minted by the simulator as App Bridge would, and every way one can be wrong.

use seglink::clock::UnixTime;
use seglink::shopify::session_token::{SessionTokenError, verify};
use shopify_sim::signing::{SessionClaims, session_token};

use crate::helpers::{API_KEY, PREVIOUS_SECRET, SECRET};

const SHOP: &str = "seglink-test.myshopify.com";
const NOW: i64 = 1_790_812_800;

fn claims() -> SessionClaims {
    SessionClaims::new(SHOP, API_KEY, 42, NOW)
}

fn check(token: &str, now: i64) -> Result<String, SessionTokenError> {
    verify(token, API_KEY, &[SECRET, PREVIOUS_SECRET], UnixTime::from_secs(now))
        .map(|claims| claims.shop.to_string())
}

#[test]
fn a_token_from_app_bridge_names_its_shop() {
    let verified =
        verify(&session_token(SECRET, &claims()), API_KEY, &[SECRET], UnixTime::from_secs(NOW)).unwrap();
    assert_eq!(verified.shop.as_str(), SHOP);
    assert_eq!(verified.user_id, "42");
    assert_eq!(
        check(&session_token(PREVIOUS_SECRET, &claims()), NOW).unwrap(),
        SHOP,
        "the rotated-out secret still works"
    );
}

#[test]
fn clocks_may_disagree_by_ten_seconds_and_no_more() {
    let token = session_token(SECRET, &claims());
    assert!(check(&token, NOW + 60 + 9).is_ok());
    assert_eq!(check(&token, NOW + 60 + 10), Err(SessionTokenError::Expired));
    assert!(check(&token, NOW - 10).is_ok());
    assert_eq!(check(&token, NOW - 11), Err(SessionTokenError::NotYetValid));
}

#[test]
fn no_forged_or_foreign_token_gets_through() {
    let with = |change: &dyn Fn(&mut SessionClaims)| {
        let mut claims = claims();
        change(&mut claims);
        session_token(SECRET, &claims)
    };
    let cases: Vec<(String, SessionTokenError)> = vec![
        (session_token("another secret", &claims()), SessionTokenError::Signature),
        (with(&|claims| claims.aud = "another-app".to_owned()), SessionTokenError::Audience),
        (with(&|claims| claims.dest = "https://evil.com".to_owned()), SessionTokenError::Shop),
        (
            with(&|claims| claims.dest = "https://x.myshopify.com.evil.com".to_owned()),
            SessionTokenError::Shop,
        ),
        (
            with(&|claims| claims.dest = "https://SEGLINK-TEST.myshopify.com".to_owned()),
            SessionTokenError::Shop,
        ),
        (
            with(&|claims| claims.iss = "https://other.myshopify.com/admin".to_owned()),
            SessionTokenError::Shop,
        ),
        (
            with(&|claims| claims.dest = "http://seglink-test.myshopify.com".to_owned()),
            SessionTokenError::Shop,
        ),
        ("a.b".to_owned(), SessionTokenError::Malformed),
        ("a.b.c.d".to_owned(), SessionTokenError::Malformed),
        (String::new(), SessionTokenError::Malformed),
    ];
    for (token, expected) in cases {
        assert_eq!(check(&token, NOW), Err(expected), "{token}");
    }
}

#[test]
fn only_hs256_is_accepted() {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let genuine = session_token(SECRET, &claims());
    let rest = genuine.split_once('.').unwrap().1;
    for header in [r#"{"alg":"none","typ":"JWT"}"#, r#"{"alg":"HS512","typ":"JWT"}"#, r#"{"alg":"hs256"}"#] {
        let forged = format!("{}.{rest}", URL_SAFE_NO_PAD.encode(header));
        assert_eq!(check(&forged, NOW), Err(SessionTokenError::Algorithm), "{header}");
    }
    let unsigned = format!("{}.", genuine.rsplit_once('.').unwrap().0);
    assert_eq!(check(&unsigned, NOW), Err(SessionTokenError::Signature));
}

#[test]
fn the_published_vector_verifies_inside_its_window_only() {
    // A vector computed by hand with HMAC-SHA256: secret "hush", aud "api-key-123", exp 1700000060, nbf 1700000000.
    let token = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJodHRwczovL3Rlc3Qtc2hvcC5teXNob3BpZnkuY29tL2FkbWluIiwiZGVzdCI6Imh0dHBzOi8vdGVzdC1zaG9wLm15c2hvcGlmeS5jb20iLCJhdWQiOiJhcGkta2V5LTEyMyIsInN1YiI6IjQyIiwiZXhwIjoxNzAwMDAwMDYwLCJuYmYiOjE3MDAwMDAwMDAsImlhdCI6MTcwMDAwMDAwMCwianRpIjoiMDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAwIiwic2lkIjoiYWJjIn0.78xNwb6hzDj2cZ0woV5B5wrNIw6wcNHZiY1ZBvwYlgM";
    for now in [1_699_999_990, 1_700_000_069] {
        let claims = verify(token, "api-key-123", &["hush"], UnixTime::from_secs(now)).unwrap();
        assert_eq!((claims.shop.as_str(), claims.user_id.as_str()), ("test-shop.myshopify.com", "42"));
    }
    assert!(verify(token, "api-key-123", &["hush"], UnixTime::from_secs(1_699_999_989)).is_err());
    assert!(verify(token, "api-key-123", &["hush"], UnixTime::from_secs(1_700_000_070)).is_err());
}

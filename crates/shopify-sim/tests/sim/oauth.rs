//! Shopify's side of OAuth for one shop: the signed authorize redirect and the three grants of
//! `/admin/oauth/access_token`, with the errors a wrong secret, a reused code, a bad session
//! token or a spent refresh token get.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use serde_json::{Value, json};
use shopify_sim::oauth::{
    ACCESS_TOKEN_SECONDS, AppCredentials, OAuthError, OAuthServer, REFRESH_RETRY_SECONDS,
    REFRESH_TOKEN_SECONDS,
};
use shopify_sim::signing::{SessionClaims, query_hmac, session_token};

const SHOP: &str = "seglink-test.myshopify.com";
const CLIENT_ID: &str = "client-id-1";
const SECRET: &str = "shpss_test_secret";
const NOW: u64 = 1_790_812_800;
const TOKEN_EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const ID_TOKEN: &str = "urn:ietf:params:oauth:token-type:id_token";
const OFFLINE: &str = "urn:shopify:params:oauth:token-type:offline-access-token";
const ONLINE: &str = "urn:shopify:params:oauth:token-type:online-access-token";

fn server() -> OAuthServer {
    let app = AppCredentials {
        client_id: CLIENT_ID.to_owned(),
        client_secret: SECRET.to_owned(),
        redirect_urls: vec!["https://app.example/auth/callback".to_owned()],
    };
    OAuthServer::new(SHOP, app, &["read_customers", "write_customers"])
}

fn decode_query(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(key, value)| (percent_decode(key), percent_decode(value)))
        .collect()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' {
            out.push(u8::from_str_radix(&text[index + 1..index + 3], 16).expect("hex escape"));
            index += 3;
        } else {
            out.push(bytes[index]);
            index += 1;
        }
    }
    String::from_utf8(out).expect("UTF-8")
}

fn assert_signed(params: &[(String, String)]) {
    let borrowed: Vec<(&str, &str)> =
        params.iter().map(|(key, value)| (key.as_str(), value.as_str())).collect();
    let hmac = params.iter().find(|(key, _)| key == "hmac").map(|(_, value)| value.as_str());
    assert_eq!(hmac, Some(query_hmac(SECRET, &borrowed).as_str()));
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> &'a str {
    params.iter().find(|(key, _)| key == name).map_or("", |(_, value)| value.as_str())
}

fn install(server: &mut OAuthServer, expiring: &str) -> String {
    let params = [
        ("client_id", CLIENT_ID),
        ("scope", "read_customers,write_customers"),
        ("redirect_uri", "https://app.example/auth/callback"),
        ("state", "nonce-1"),
        ("expiring", expiring),
    ];
    let redirect = server.authorize(&params, NOW).expect("a registered redirect");
    let params = decode_query(redirect.split_once('?').expect("a query").1);
    param(&params, "code").to_owned()
}

fn token_request(code: &str) -> Value {
    json!({ "client_id": CLIENT_ID, "client_secret": SECRET, "code": code })
}

fn exchange_request(subject_token: &str, requested: &str) -> Value {
    json!({
        "client_id": CLIENT_ID, "client_secret": SECRET, "grant_type": TOKEN_EXCHANGE,
        "subject_token": subject_token, "subject_token_type": ID_TOKEN,
        "requested_token_type": requested, "expiring": "1",
    })
}

fn refresh_request(refresh_token: &str) -> Value {
    json!({ "client_id": CLIENT_ID, "client_secret": SECRET, "grant_type": "refresh_token", "refresh_token": refresh_token })
}

fn text(value: &Value, name: &str) -> String {
    value[name].as_str().unwrap_or_else(|| panic!("{name} in {value}")).to_owned()
}

#[test]
fn authorize_redirects_to_the_app_with_a_signed_code() {
    let mut server = server();
    let params = [
        ("client_id", CLIENT_ID),
        ("scope", "read_customers"),
        ("redirect_uri", "https://app.example/auth/callback"),
        ("state", "a b/c"),
    ];
    let redirect = server.authorize(&params, NOW).unwrap();
    let (base, query) = redirect.split_once('?').unwrap();
    assert_eq!(base, "https://app.example/auth/callback");
    let params = decode_query(query);
    let keys: Vec<&str> = params.iter().map(|(key, _)| key.as_str()).collect();
    assert_eq!(keys, ["code", "host", "shop", "state", "timestamp", "hmac"]);
    assert_signed(&params);
    assert_eq!(param(&params, "shop"), SHOP);
    assert_eq!(param(&params, "state"), "a b/c");
    assert_eq!(param(&params, "timestamp"), NOW.to_string());
    let host = STANDARD_NO_PAD.decode(param(&params, "host")).unwrap();
    assert_eq!(host, b"admin.shopify.com/store/seglink-test");
}

#[test]
fn authorize_refuses_an_unknown_app_or_redirect() {
    let mut server = server();
    let wrong_redirect = [("client_id", CLIENT_ID), ("redirect_uri", "https://evil.example/callback")];
    assert_eq!(server.authorize(&wrong_redirect, NOW).unwrap_err().status, 400);
    let wrong_client = [("client_id", "other"), ("redirect_uri", "https://app.example/auth/callback")];
    assert_eq!(server.authorize(&wrong_client, NOW).unwrap_err().status, 400);
}

#[test]
fn a_code_buys_one_offline_token_and_only_once() {
    let mut server = server();
    let code = install(&mut server, "0");
    let response = server.access_token(&token_request(&code), NOW).unwrap();
    assert_eq!(response["scope"], "read_customers,write_customers");
    assert!(response.get("expires_in").is_none(), "a non-expiring token");
    let token = text(&response, "access_token");
    assert!(token.starts_with("shpat_"));
    let grant = server.authenticate(&token, NOW + 10 * REFRESH_TOKEN_SECONDS).unwrap();
    assert_eq!(grant.scopes, ["read_customers", "write_customers"]);

    let reused = server.access_token(&token_request(&code), NOW).unwrap_err();
    assert_eq!(
        reused,
        OAuthError {
            status: 400,
            body: json!({ "error": "invalid_request", "error_description": "The authorization code was not found or was already used" }),
        }
    );
}

#[test]
fn a_wrong_secret_is_refused_without_spending_the_code() {
    let mut server = server();
    let code = install(&mut server, "0");
    for secret in ["shpss_test_secreT", "", "shpss_test_secret_longer"] {
        let request = json!({ "client_id": CLIENT_ID, "client_secret": secret, "code": code });
        let refused = server.access_token(&request, NOW).unwrap_err();
        assert_eq!((refused.status, refused.body["error"].as_str()), (401, Some("invalid_client")));
    }
    assert!(server.access_token(&token_request(&code), NOW).is_ok(), "the code is still good");
}

#[test]
fn an_expiring_token_lasts_an_hour() {
    let mut server = server();
    let code = install(&mut server, "1");
    let response = server.access_token(&token_request(&code), NOW).unwrap();
    assert_eq!(response["expires_in"], ACCESS_TOKEN_SECONDS);
    assert_eq!(response["refresh_token_expires_in"], REFRESH_TOKEN_SECONDS);
    let token = text(&response, "access_token");
    assert!(server.authenticate(&token, NOW + ACCESS_TOKEN_SECONDS - 1).is_ok());
    let expired = server.authenticate(&token, NOW + ACCESS_TOKEN_SECONDS).unwrap_err();
    assert_eq!(expired.status, 401);
    assert_eq!(
        expired.body,
        json!({ "errors": "[API] Invalid API key or access token (unrecognized login or wrong password)" })
    );
    assert!(server.authenticate("shpat_unknown", NOW).is_err());
}

#[test]
fn token_exchange_trades_a_session_token_for_offline_or_online_access() {
    let mut server = server();
    let session = server.session_token(7, NOW);
    let offline = server.access_token(&exchange_request(&session, OFFLINE), NOW + 5).unwrap();
    assert_eq!(offline["expires_in"], ACCESS_TOKEN_SECONDS);
    assert!(offline["refresh_token"].is_string());
    let online = server.access_token(&exchange_request(&session, ONLINE), NOW + 5).unwrap();
    assert_eq!(online["associated_user"]["id"], 7);
    let grant = server.authenticate(&text(&online, "access_token"), NOW + 5).unwrap();
    assert_eq!(grant.user_id, Some(7));
}

#[test]
fn token_exchange_refuses_any_session_token_not_minted_for_this_app_and_shop() {
    let mut server = server();
    let claims = SessionClaims::new(SHOP, CLIENT_ID, 7, NOW as i64);
    let other_shop = SessionClaims::new("other.myshopify.com", CLIENT_ID, 7, NOW as i64);
    let other_app = SessionClaims::new(SHOP, "other-client", 7, NOW as i64);
    let forged_issuer =
        SessionClaims { iss: "https://other.myshopify.com/admin".to_owned(), ..claims.clone() };
    let valid = session_token(SECRET, &claims);
    let (head, rest) = valid.split_once('.').unwrap();
    let alg_none = format!("{}.{rest}", URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#));
    let tampered_payload =
        format!("{head}.{}.{}", URL_SAFE_NO_PAD.encode(b"{}"), valid.rsplit('.').next().unwrap());
    let bad_tokens = [
        (session_token("another secret", &claims), NOW),
        (session_token(SECRET, &other_shop), NOW),
        (session_token(SECRET, &other_app), NOW),
        (session_token(SECRET, &forged_issuer), NOW),
        (valid.clone(), NOW + 60 + 10),
        (valid.clone(), NOW - 11),
        (alg_none, NOW),
        (tampered_payload, NOW),
        ("not.a.jwt".to_owned(), NOW),
        (String::new(), NOW),
    ];
    for (token, at) in bad_tokens {
        let refused = server.access_token(&exchange_request(&token, OFFLINE), at).unwrap_err();
        assert_eq!(
            refused.body,
            json!({ "error": "invalid_subject_token", "error_description": "Token exchange cannot be performed due to an invalid subject token." }),
            "{token} at {at}"
        );
    }
    assert!(server.access_token(&exchange_request(&valid, OFFLINE), NOW + 69).is_ok(), "within the leeway");
}

#[test]
fn refresh_rotates_and_a_retry_gets_the_same_pair_until_the_new_one_is_used() {
    let mut server = server();
    let code = install(&mut server, "1");
    let first = server.access_token(&token_request(&code), NOW).unwrap();
    let first_refresh = text(&first, "refresh_token");

    let second = server.access_token(&refresh_request(&first_refresh), NOW + 3_000).unwrap();
    assert_ne!(second["access_token"], first["access_token"]);
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    assert!(
        server.authenticate(&text(&second, "access_token"), NOW + 3_000 + ACCESS_TOKEN_SECONDS - 1).is_ok()
    );

    let retried = server.access_token(&refresh_request(&first_refresh), NOW + 3_100).unwrap();
    assert_eq!(
        (&retried["access_token"], &retried["refresh_token"]),
        (&second["access_token"], &second["refresh_token"])
    );

    server.access_token(&refresh_request(&text(&second, "refresh_token")), NOW + 4_000).unwrap();
    let spent = server.access_token(&refresh_request(&first_refresh), NOW + 4_100).unwrap_err();
    assert_eq!((spent.status, spent.body["error"].as_str()), (400, Some("invalid_grant")));
}

#[test]
fn an_old_refresh_token_can_be_retried_for_thirty_days_and_none_lasts_past_ninety() {
    let mut server = server();
    let code = install(&mut server, "1");
    let first = text(&server.access_token(&token_request(&code), NOW).unwrap(), "refresh_token");
    server.access_token(&refresh_request(&first), NOW).unwrap();
    assert!(server.access_token(&refresh_request(&first), NOW + REFRESH_RETRY_SECONDS - 1).is_ok());
    assert!(server.access_token(&refresh_request(&first), NOW + REFRESH_RETRY_SECONDS).is_err());

    let code = install(&mut server, "1");
    let unused = text(&server.access_token(&token_request(&code), NOW).unwrap(), "refresh_token");
    assert!(server.access_token(&refresh_request(&unused), NOW + REFRESH_TOKEN_SECONDS).is_err());
    assert!(server.access_token(&refresh_request("shprt_unknown"), NOW).is_err());
}

#[test]
fn an_unknown_grant_type_is_refused() {
    let mut server = server();
    let request = json!({ "client_id": CLIENT_ID, "client_secret": SECRET, "grant_type": "password" });
    let refused = server.access_token(&request, NOW).unwrap_err();
    assert_eq!((refused.status, refused.body["error"].as_str()), (400, Some("unsupported_grant_type")));
}

#[test]
fn an_app_load_url_is_signed_and_carries_a_usable_session_token() {
    let mut server = server();
    let params = decode_query(&server.app_load_query(3, NOW));
    assert_signed(&params);
    assert_eq!(param(&params, "embedded"), "1");
    assert_eq!(param(&params, "shop"), SHOP);
    let id_token = param(&params, "id_token").to_owned();
    assert!(server.access_token(&exchange_request(&id_token, OFFLINE), NOW).is_ok());
}

//! Webhook signatures over raw bytes, as the simulator signs them, and every way a delivery can
//! be refused.

use seglink::shopify::webhook::{WebhookError, verify};
use shopify_sim::signing::webhook_hmac;

use crate::helpers::{PREVIOUS_SECRET, SECRET};

const BODY: &[u8] =
    br#"{"id":820982911946154508,"note":"gift \u0026 wrap","order_status_url":"https:\/\/x.example\/a"}"#;

type Headers = Vec<(&'static str, String)>;

fn headers(secret: &str, body: &[u8]) -> Headers {
    vec![
        ("x-shopify-hmac-sha256", webhook_hmac(secret, body)),
        ("x-shopify-topic", "orders/paid".to_owned()),
        ("x-shopify-shop-domain", "seglink-test.myshopify.com".to_owned()),
        ("x-shopify-api-version", "2026-10".to_owned()),
        ("x-shopify-webhook-id", "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043".to_owned()),
        ("x-shopify-event-id", "98880550-7158-44d4-b7cd-2c97c8a091b5".to_owned()),
    ]
}

fn check(headers: &[(&'static str, String)], body: &[u8]) -> Result<String, WebhookError> {
    let lookup = |name: &str| headers.iter().find(|(key, _)| *key == name).map(|(_, value)| value.as_str());
    verify(lookup, body, &[SECRET, PREVIOUS_SECRET]).map(|delivery| delivery.event_id)
}

#[test]
fn a_signed_delivery_is_accepted_with_its_event_id() {
    assert_eq!(check(&headers(SECRET, BODY), BODY).unwrap(), "98880550-7158-44d4-b7cd-2c97c8a091b5");
    assert!(check(&headers(PREVIOUS_SECRET, BODY), BODY).is_ok(), "during a secret rotation");
    let mut without_event = headers(SECRET, BODY);
    without_event.retain(|(name, _)| *name != "x-shopify-event-id");
    assert_eq!(check(&without_event, BODY).unwrap(), "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043");
}

#[test]
fn the_signature_covers_the_raw_bytes() {
    let reserialised =
        serde_json::to_vec(&serde_json::from_slice::<serde_json::Value>(BODY).unwrap()).unwrap();
    assert_ne!(reserialised, BODY);
    assert_eq!(check(&headers(SECRET, BODY), &reserialised), Err(WebhookError::BadSignature));
}

#[test]
fn bad_deliveries_get_401_or_400() {
    let replace = |name: &str, value: &str| {
        let mut changed = headers(SECRET, BODY);
        for header in &mut changed {
            if header.0 == name {
                header.1 = value.to_owned();
            }
        }
        changed
    };
    let remove = |name: &str| {
        let mut changed = headers(SECRET, BODY);
        changed.retain(|(key, _)| *key != name);
        changed
    };
    let cases: Vec<(Headers, &[u8], u16)> = vec![
        (headers("wrong secret", BODY), BODY, 401),
        (replace("x-shopify-hmac-sha256", "not base64!"), BODY, 401),
        (replace("x-shopify-hmac-sha256", ""), BODY, 401),
        (remove("x-shopify-hmac-sha256"), BODY, 400),
        (headers(SECRET, b""), b"", 400),
        (remove("x-shopify-topic"), BODY, 400),
        (remove("x-shopify-webhook-id"), BODY, 400),
        (remove("x-shopify-api-version"), BODY, 400),
        (replace("x-shopify-shop-domain", "evil.com"), BODY, 400),
        (replace("x-shopify-shop-domain", "x.myshopify.com@evil.com"), BODY, 400),
    ];
    for (headers, body, status) in cases {
        let error = check(&headers, body).unwrap_err();
        assert_eq!(error.status(), status, "{error}");
    }
}

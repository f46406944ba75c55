//! Property: membership kept up to date one customer at a time, as webhooks arrive, equals a full
//! recompute of the same data, whatever the order and mix of customer updates, orders,
//! cancellations and checkouts.

use proptest::prelude::*;
use serde_json::{Value, json};

use crate::helpers::{TestApp, domain};

const SHOP: &str = "incremental-shop.myshopify.com";

#[derive(Clone, Debug)]
enum Delivery {
    Customer { id: u8, country: &'static str, vip: bool, subscribed: bool },
    Order { id: u8, customer: u8, cents: u32, days_ago: u16 },
    Cancel { id: u8, customer: u8 },
    Checkout { customer: u8 },
}

fn delivery() -> impl Strategy<Value = Delivery> {
    prop_oneof![
        (1..8u8, prop::sample::select(vec!["DE", "US", "FR"]), any::<bool>(), any::<bool>())
            .prop_map(|(id, country, vip, subscribed)| Delivery::Customer { id, country, vip, subscribed }),
        (1..30u8, 1..8u8, 0..40_000u32, 0..120u16)
            .prop_map(|(id, customer, cents, days_ago)| Delivery::Order { id, customer, cents, days_ago }),
        (1..30u8, 1..8u8).prop_map(|(id, customer)| Delivery::Cancel { id, customer }),
        (1..8u8).prop_map(|customer| Delivery::Checkout { customer }),
    ]
}

fn rfc3339(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

/// The webhook for a delivery; `sequence` orders `updated_at` so each is newer than the last.
fn webhook(delivery: &Delivery, now: i64, sequence: i64) -> (&'static str, Value) {
    let updated_at = rfc3339(now - 1_000 + sequence);
    match delivery {
        Delivery::Customer { id, country, vip, subscribed } => (
            "customers/update",
            json!({ "id": id, "tags": if *vip { "vip, regular" } else { "regular" }, "updated_at": updated_at,
                "created_at": rfc3339(now - 400 * 86_400), "default_address": { "country_code": country },
                "email_marketing_consent": { "state": if *subscribed { "SUBSCRIBED" } else { "UNSUBSCRIBED" } } }),
        ),
        Delivery::Order { id, customer, cents, days_ago } => (
            "orders/create",
            json!({ "id": id, "customer": { "id": customer }, "total_price": format!("{}.{:02}", cents / 100, cents % 100),
                "currency": "EUR", "financial_status": "paid", "created_at": rfc3339(now - i64::from(*days_ago) * 86_400),
                "updated_at": updated_at, "line_items": [] }),
        ),
        Delivery::Cancel { id, customer } => (
            "orders/cancelled",
            json!({ "id": id, "customer": { "id": customer }, "total_price": "0.00", "currency": "EUR",
                "financial_status": "refunded", "cancelled_at": updated_at, "created_at": rfc3339(now - 86_400),
                "updated_at": updated_at, "line_items": [] }),
        ),
        Delivery::Checkout { customer } => {
            ("checkouts/create", json!({ "token": format!("ck-{sequence}"), "customer": { "id": customer } }))
        }
    }
}

const SEGMENTS: [(&str, &str); 4] = [
    ("big", r#"{ "if": "amount_spent", "op": ">=", "cents": 30000, "days": 90 }"#),
    (
        "regular-de",
        r#"{ "all": [{ "if": "orders_count", "op": ">=", "value": 2 }, { "if": "country", "in": ["DE"] }] }"#,
    ),
    (
        "vip-or-subscribed",
        r#"{ "any": [{ "if": "tag", "is": "vip" }, { "if": "email_marketing", "is": "SUBSCRIBED" }] }"#,
    ),
    ("checkouts", r#"{ "if": "did", "event": "checkout_start", "times": 2, "days": 30 }"#),
];

async fn check(deliveries: Vec<Delivery>) -> Result<(), TestCaseError> {
    let app = TestApp::spawn().await;
    let store = &app.state.store;
    let now = seglink::clock::unix_now();
    for (slug, rules) in SEGMENTS {
        let segment = seglink::db::SegmentRow::new(slug, slug, rules.to_owned(), now);
        store.create_segment(&domain(SHOP), &segment).await.unwrap();
    }
    for (sequence, delivery) in deliveries.iter().enumerate() {
        let (topic, body) = webhook(delivery, now.secs(), sequence as i64);
        app.deliver(SHOP, topic, &format!("event-{sequence}"), &body).await;
        app.run_jobs().await;
    }
    let report =
        seglink::segments::recompute(&app.state.store, &domain(SHOP), None, seglink::clock::unix_now())
            .await
            .unwrap();
    prop_assert_eq!(report.len(), SEGMENTS.len());
    for line in &report {
        // Nobody enters or leaves: the incremental updates had it right already.
        prop_assert_eq!((line.entered, line.left), (0, 0), "{}: {:?}", line.slug, deliveries);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn incremental_membership_equals_a_full_recompute(deliveries in prop::collection::vec(delivery(), 1..40)) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(check(deliveries))?;
    }
}

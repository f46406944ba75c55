//! Every standard pixel event normalises to the canonical event expected of it, keeping no
//! personal data; malformed events get a typed error; nothing panics on any input.

use events::{NormalizeError, Outcome, normalize_text};
use proptest::prelude::*;
use serde_json::Value;

fn fixture(name: &str) -> Vec<Value> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn every_standard_event_becomes_its_canonical_event() {
    let samples = fixture("pixel_events.json");
    let expected = fixture("canonical_events.json");
    assert_eq!(samples.len(), 15, "the 15 standard events of @shopify/web-pixels-extension 2.18");
    for (sample, expected) in samples.iter().zip(&expected) {
        let name = sample["name"].as_str().unwrap();
        match normalize_text(&sample.to_string()).unwrap_or_else(|error| panic!("{name}: {error}")) {
            Outcome::Event(event) => {
                let json: Value = serde_json::from_str(&event.to_json()).unwrap();
                assert_eq!(&json, expected, "{name}");
            }
            Outcome::Ignored(reason) => assert!(expected.is_null(), "{name} ignored: {reason}"),
        }
    }
}

#[test]
fn no_personal_data_survives() {
    for sample in fixture("pixel_events.json") {
        if let Ok(Outcome::Event(event)) = normalize_text(&sample.to_string()) {
            let json = event.to_json();
            for personal in ["ada@example.com", "+4915100000000", "Hauptstr", "Berlin", "\"991\""] {
                assert!(!json.contains(personal), "{json}");
            }
        }
    }
}

#[test]
fn malformed_events_get_typed_errors() {
    let completed = fixture("pixel_events.json").remove(12);
    let mut without_order = completed.clone();
    without_order["data"]["checkout"]["order"] = Value::Null;
    let mut bad_money = fixture("pixel_events.json").remove(1);
    bad_money["data"]["productVariant"]["price"]["currencyCode"] = "euro".into();
    let mut negative_quantity = fixture("pixel_events.json").remove(4);
    negative_quantity["data"]["cartLine"]["quantity"] = (-1).into();
    let cases: [(String, NormalizeError); 7] = [
        ("{\"name\":".to_owned(), NormalizeError::NotJson(events::json::SyntaxError { offset: 8 })),
        ("[1]".to_owned(), NormalizeError::NotAnObject),
        ("{\"id\":\"x\"}".to_owned(), NormalizeError::Missing("name")),
        (r#"{"name":"clicked","id":"x"}"#.to_owned(), NormalizeError::UnknownEvent("clicked".to_owned())),
        (without_order.to_string(), NormalizeError::Missing("data.checkout.order.id")),
        (bad_money.to_string(), NormalizeError::Invalid("data.productVariant.price")),
        (negative_quantity.to_string(), NormalizeError::Invalid("cartLine.quantity")),
    ];
    for (input, expected) in cases {
        assert_eq!(normalize_text(&input), Err(expected.clone()), "{input}");
        assert!(!expected.to_string().is_empty());
    }
}

fn arbitrary_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |number| number.is_finite()).prop_map(Value::from),
        ".{0,12}".prop_map(Value::String),
        prop_oneof![
            Just("page_viewed"),
            Just("checkout_completed"),
            Just("product_added_to_cart"),
            Just("cart_viewed")
        ]
        .prop_map(|name| Value::String(name.to_owned())),
    ];
    leaf.prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("name".to_owned()),
                    Just("id".to_owned()),
                    Just("clientId".to_owned()),
                    Just("timestamp".to_owned()),
                    Just("data".to_owned()),
                    Just("checkout".to_owned()),
                    Just("cartLine".to_owned()),
                    Just("lineItems".to_owned()),
                    Just("quantity".to_owned()),
                    Just("amount".to_owned()),
                    "[a-z]{1,6}",
                ],
                inner,
                0..6
            )
            .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn arbitrary_json_never_panics(value in arbitrary_json()) {
        let _ = normalize_text(&value.to_string());
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        let _ = normalize_text(&text);
    }

    #[test]
    fn mutated_samples_never_panic(index in 0usize..15, cut in 0usize..4000) {
        let text = fixture("pixel_events.json")[index].to_string();
        let cut = text.char_indices().map(|(at, _)| at).take_while(|at| *at <= cut).last().unwrap_or(0);
        let _ = normalize_text(&text[..cut]);
    }
}

#[test]
fn a_canonical_event_reads_back_as_itself_and_forgeries_are_refused() {
    use events::json::Json;
    for sample in fixture("pixel_events.json") {
        if let Ok(Outcome::Event(event)) = normalize_text(&sample.to_string()) {
            let json = event.to_json();
            let back = events::canonical::from_json(&Json::parse(&json).unwrap()).unwrap();
            assert_eq!(back, *event);
        }
    }
    let forged = [
        r#"{"kind":"customer_created","id":"e","occurred_at":"t","client_id":"c"}"#,
        r#"{"kind":"purchase","id":"e","occurred_at":"t","client_id":"c"}"#,
        r#"{"kind":"page_view","id":"e","occurred_at":"t"}"#,
        r#"{"kind":"page_view","id":"e","occurred_at":"t","client_id":"c","value":{"amount":"1e9","currency":"EUR"}}"#,
        r#"{"kind":"page_view","id":"e","occurred_at":"t","client_id":"c","quantity":-1}"#,
    ];
    for text in forged {
        assert!(events::canonical::from_json(&Json::parse(text).unwrap()).is_err(), "{text}");
    }
    // What a browser adds beyond the model (a customer id, say) is not kept.
    let extra = r#"{"kind":"page_view","id":"e","occurred_at":"t","client_id":"c","customer_id":"991"}"#;
    let event = events::canonical::from_json(&Json::parse(extra).unwrap()).unwrap();
    assert!(!event.to_json().contains("991"));
}

proptest! {
    #[test]
    fn whatever_the_normaliser_makes_reads_back_unchanged(value in arbitrary_json(), index in 0usize..15) {
        let mut sample = fixture("pixel_events.json")[index].clone();
        sample["data"]["injected"] = value.clone();
        if let Some(object) = sample["data"].as_object_mut() {
            for key in ["productVariant", "cartLine", "checkout", "cart"] {
                if object.contains_key(key) {
                    object.insert(key.to_owned(), value.clone());
                }
            }
        }
        if let Ok(Outcome::Event(event)) = normalize_text(&sample.to_string()) {
            let json = event.to_json();
            let back = events::canonical::from_json(&events::json::Json::parse(&json).unwrap());
            prop_assert_eq!(back, Ok(*event));
        }
    }
}

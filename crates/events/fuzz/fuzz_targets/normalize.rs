//! Any bytes, as UTF-8 text, through the normaliser and the canonical reader: errors are fine,
//! a panic is a bug.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(events::Outcome::Event(event)) = events::normalize_text(text) {
            let json = event.to_json();
            let parsed = events::json::Json::parse(&json).expect("the normaliser writes JSON");
            events::canonical::from_json(&parsed).expect("a normalised event reads back");
        }
        if let Ok(value) = events::json::Json::parse(text) {
            let _ = events::canonical::from_json(&value);
        }
    }
});

//! Normaliser throughput, natively: `cargo run --release -p events --example throughput`.
//! Prints events per second over the fixtures of the 13 kept standard events, repeated.

use std::time::Instant;

fn main() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/pixel_events.json");
    let text = std::fs::read_to_string(path).expect("the fixtures");
    let events::json::Json::Array(samples) = events::json::Json::parse(&text).expect("JSON") else {
        panic!("an array of events");
    };
    let samples: Vec<String> = samples.iter().map(reprint).collect();
    let rounds = 20_000;
    let started = Instant::now();
    let mut kept = 0usize;
    for _ in 0..rounds {
        for sample in &samples {
            if let Ok(events::Outcome::Event(event)) = events::normalize_text(sample) {
                kept += event.to_json().len() & 1;
            }
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let total = rounds * samples.len();
    println!(
        "{{\"events\":{total},\"seconds\":{elapsed:.3},\"events_per_second\":{:.0},\"checksum\":{kept}}}",
        total as f64 / elapsed
    );
}

/// Writes a parsed value back as compact JSON text.
fn reprint(value: &events::json::Json<'_>) -> String {
    use events::json::Json;
    let mut out = String::new();
    match value {
        Json::Null => out.push_str("null"),
        Json::Bool(flag) => out.push_str(if *flag { "true" } else { "false" }),
        Json::Number(text) => out.push_str(text),
        Json::String(text) => events::json::write_string(&mut out, text),
        Json::Array(items) => {
            out.push('[');
            out.push_str(&items.iter().map(reprint).collect::<Vec<_>>().join(","));
            out.push(']');
        }
        Json::Object(members) => {
            out.push('{');
            let members: Vec<String> = members
                .iter()
                .map(|(key, value)| {
                    let mut member = String::new();
                    events::json::write_string(&mut member, key);
                    member.push(':');
                    member.push_str(&reprint(value));
                    member
                })
                .collect();
            out.push_str(&members.join(","));
            out.push('}');
        }
    }
    out
}

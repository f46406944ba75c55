//! Shopify Flow (docs/automations.md): Seglink's triggers, which Flow's lifecycle callbacks say
//! are in use per shop, and the job that fires segment changes to Flow.

pub mod fire;
pub mod lifecycle;

pub use fire::FireTriggers;
pub use lifecycle::lifecycle;

use crate::db::{SEGMENT_ENTERED, SEGMENT_LEFT};

/// One of Seglink's Flow triggers, as its extension (`extensions/flow-*`) declares it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Trigger {
    pub handle: &'static str,
    /// The merchant-facing name, which lifecycle callbacks may name the trigger by.
    pub name: &'static str,
}

/// Every trigger Seglink fires.
pub const TRIGGERS: [Trigger; 2] = [
    Trigger { handle: SEGMENT_ENTERED, name: "Customer entered a Seglink segment" },
    Trigger { handle: SEGMENT_LEFT, name: "Customer left a Seglink segment" },
];

/// The trigger a lifecycle callback means by `definition_id`: Shopify documents it as "the
/// unique identifier for your trigger" and shows the trigger's name in its example, so both the
/// handle and the name are understood.
pub fn trigger_named(definition_id: &str) -> Option<Trigger> {
    let wanted = definition_id.trim();
    TRIGGERS.into_iter().find(|trigger| trigger.handle == wanted || trigger.name.eq_ignore_ascii_case(wanted))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The triggers here are the extensions Shopify deploys: same handles, same names.
    #[test]
    fn every_trigger_is_an_extension_with_its_handle_and_name() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../extensions");
        let mut deployed = Vec::new();
        for entry in std::fs::read_dir(root).unwrap() {
            let path = entry.unwrap().path().join("shopify.extension.toml");
            let Ok(text) = std::fs::read_to_string(&path) else { continue };
            let config: toml::Value = toml::from_str(&text).unwrap();
            for extension in config.get("extensions").and_then(toml::Value::as_array).into_iter().flatten() {
                if extension["type"].as_str() == Some("flow_trigger") {
                    deployed.push((
                        extension["handle"].as_str().unwrap().to_owned(),
                        extension["name"].as_str().unwrap().to_owned(),
                    ));
                }
            }
        }
        deployed.sort();
        let mut ours: Vec<(String, String)> =
            TRIGGERS.iter().map(|trigger| (trigger.handle.to_owned(), trigger.name.to_owned())).collect();
        ours.sort();
        assert_eq!(deployed, ours);
    }

    #[test]
    fn callbacks_may_name_a_trigger_by_handle_or_name() {
        assert_eq!(trigger_named("segment-left").map(|trigger| trigger.handle), Some("segment-left"));
        let by_name = trigger_named(" customer entered a Seglink segment ");
        assert_eq!(by_name.map(|trigger| trigger.handle), Some("segment-entered"));
        assert_eq!(trigger_named("Add row to spreadsheet"), None);
    }
}

//! Shopify Flow (docs/automations.md): Seglink's triggers, which Flow's lifecycle callbacks say
//! are in use per shop, and the job that fires segment changes to Flow.

pub mod actions;
pub mod fire;
pub mod lifecycle;

pub use actions::action;
pub use fire::FireTriggers;
pub use lifecycle::lifecycle;

use crate::db::{LISTING_SCORE_DROPPED, SEGMENT_ENTERED, SEGMENT_LEFT};

/// One of Seglink's Flow triggers, as its extension (`extensions/flow-*`) declares it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Trigger {
    pub handle: &'static str,
    /// The merchant-facing name, which lifecycle callbacks may name the trigger by.
    pub name: &'static str,
}

/// Every trigger Seglink fires.
pub const TRIGGERS: [Trigger; 3] = [
    Trigger { handle: SEGMENT_ENTERED, name: "Customer entered a Seglink segment" },
    Trigger { handle: SEGMENT_LEFT, name: "Customer left a Seglink segment" },
    Trigger { handle: LISTING_SCORE_DROPPED, name: "Product listing score dropped" },
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

    /// Every `[[extensions]]` entry of the app's extension directories.
    fn extensions() -> Vec<toml::Value> {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../extensions");
        let mut found = Vec::new();
        for entry in std::fs::read_dir(root).unwrap() {
            let path = entry.unwrap().path().join("shopify.extension.toml");
            let Ok(text) = std::fs::read_to_string(&path) else { continue };
            let config: toml::Value = toml::from_str(&text).unwrap();
            found.extend(
                config.get("extensions").and_then(toml::Value::as_array).into_iter().flatten().cloned(),
            );
        }
        found
    }

    fn text(extension: &toml::Value, key: &str) -> String {
        extension[key].as_str().unwrap().to_owned()
    }

    /// The triggers here are the extensions Shopify deploys: same handles, same names.
    #[test]
    fn every_trigger_is_an_extension_with_its_handle_and_name() {
        let mut deployed: Vec<(String, String)> = extensions()
            .iter()
            .filter(|extension| extension["type"].as_str() == Some("flow_trigger"))
            .map(|extension| (text(extension, "handle"), text(extension, "name")))
            .collect();
        deployed.sort();
        let mut ours: Vec<(String, String)> =
            TRIGGERS.iter().map(|trigger| (trigger.handle.to_owned(), trigger.name.to_owned())).collect();
        ours.sort();
        assert_eq!(deployed, ours);
    }

    /// Flow calls the URLs the extensions give, on the app's own host, at the paths the router
    /// serves: the lifecycle callback, and each action at `/flow/actions/<its handle>`.
    #[test]
    fn flow_extensions_point_at_the_routes_on_the_apps_host() {
        let app: toml::Value = toml::from_str(
            &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../shopify.app.toml")).unwrap(),
        )
        .unwrap();
        let host = text(&app, "application_url");
        let mut urls: Vec<String> = Vec::new();
        for extension in extensions() {
            match extension["type"].as_str() {
                Some("flow_action") => {
                    assert_eq!(
                        text(&extension, "runtime_url"),
                        format!("{host}/flow/actions/{}", text(&extension, "handle"))
                    );
                    urls.push(text(&extension, "handle"));
                }
                Some("flow_trigger_lifecycle_callback") => {
                    assert_eq!(text(&extension, "url"), format!("{host}/flow/lifecycle"));
                    urls.push("lifecycle".to_owned());
                }
                _ => {}
            }
        }
        urls.sort();
        assert_eq!(
            urls,
            ["lifecycle", actions::RECOMPUTE_SEGMENT, actions::SCORE_PRODUCT, actions::TAG_CUSTOMER]
        );
    }

    #[test]
    fn callbacks_may_name_a_trigger_by_handle_or_name() {
        assert_eq!(trigger_named("segment-left").map(|trigger| trigger.handle), Some("segment-left"));
        let by_name = trigger_named(" customer entered a Seglink segment ");
        assert_eq!(by_name.map(|trigger| trigger.handle), Some("segment-entered"));
        assert_eq!(trigger_named("Add row to spreadsheet"), None);
    }
}

//! Shopify Flow as an app meets it: the app's trigger definitions (deployed from its extensions),
//! `flowTriggerReceive` checked against them, workflows a merchant turns on and off (each change
//! of whether a trigger is in use sends the app a signed lifecycle callback), and a run log of the
//! workflows each accepted trigger started.
//!
//! Facts: shopify.dev "Trigger reference" (reference fields travel as `<object>_id`, custom fields
//! by their key), "Track Flow lifecycle events" (the callback's body, signed like a webhook with
//! the app's client secret), and the 2026-10 Admin schema's `flowTriggerReceive(handle, payload)`,
//! which answers problems as `userErrors`.

use std::time::Duration;

use serde_json::{Value, json};

use crate::signing::webhook_hmac;

/// Largest payload a trigger takes, serialised.
pub const MAX_PAYLOAD_BYTES: usize = 50_000;

/// A trigger the app deployed: its handle, its name (what a lifecycle callback names it by) and
/// the payload keys its fields make.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TriggerDefinition {
    pub handle: String,
    pub name: String,
    /// `customer_id` for a `customer_reference`, and so on.
    pub references: Vec<String>,
    /// The custom fields' keys, such as `Segment name`.
    pub fields: Vec<String>,
}

/// One of the app's actions in a workflow: where Flow sends it, and its properties. A property
/// whose value is the text `{{key}}` takes the trigger payload's `key` (how a merchant passes the
/// trigger's customer on to an action).
#[derive(Clone, Debug, PartialEq)]
pub struct ActionStep {
    pub handle: String,
    pub runtime_url: String,
    pub properties: Value,
}

/// A merchant's workflow that starts with one of the app's triggers and runs app actions.
#[derive(Clone, Debug, PartialEq)]
pub struct Workflow {
    pub id: u64,
    /// The trigger's handle.
    pub trigger: String,
    pub enabled: bool,
    pub actions: Vec<ActionStep>,
}

/// One workflow run: the trigger's payload as the workflow received it, and each action called
/// with the app's answer (`None` until sent, or when the app could not be reached).
#[derive(Clone, Debug, PartialEq)]
pub struct Run {
    pub id: u64,
    pub workflow: u64,
    pub trigger: String,
    pub payload: Value,
    /// Unix seconds.
    pub at: u64,
    pub calls: Vec<(String, Option<u16>)>,
}

/// A request Flow makes to the app: a lifecycle callback, or an action of run `run`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Callback {
    pub uri: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The run and action it calls, for an action.
    pub action: Option<(u64, String)>,
}

/// A shop's Flow, as far as one app is concerned.
#[derive(Clone, Debug, Default)]
pub struct Flow {
    client_secret: String,
    shop_domain: String,
    shop_id: u64,
    definitions: Vec<TriggerDefinition>,
    workflows: Vec<Workflow>,
    lifecycle_url: Option<String>,
    /// Every accepted `flowTriggerReceive`: the handle and payload.
    received: Vec<(String, Value)>,
    runs: Vec<Run>,
    callbacks: Vec<Callback>,
}

impl Flow {
    /// Flow in `shop_domain`, signing callbacks with the app's client secret.
    pub fn new(client_secret: &str, shop_domain: &str, shop_id: u64) -> Self {
        Self {
            client_secret: client_secret.to_owned(),
            shop_domain: shop_domain.to_owned(),
            shop_id,
            ..Self::default()
        }
    }

    /// Deploys a trigger extension (a later deploy of the same handle replaces it).
    pub fn deploy_trigger(&mut self, definition: TriggerDefinition) {
        self.definitions.retain(|known| known.handle != definition.handle);
        self.definitions.push(definition);
    }

    /// Deploys the lifecycle callback extension: where callbacks go.
    pub fn set_lifecycle_url(&mut self, url: &str) {
        self.lifecycle_url = Some(url.to_owned());
    }

    /// The merchant saves a workflow on `trigger`, turned on; `None` for a trigger the app has not
    /// deployed.
    pub fn add_workflow(&mut self, trigger: &str, now: Duration) -> Option<u64> {
        self.add_workflow_with(trigger, Vec::new(), now)
    }

    /// The same, running `actions` on every run.
    pub fn add_workflow_with(
        &mut self,
        trigger: &str,
        actions: Vec<ActionStep>,
        now: Duration,
    ) -> Option<u64> {
        self.definitions.iter().any(|definition| definition.handle == trigger).then_some(())?;
        let id = self.workflows.len() as u64 + 1;
        self.workflows.push(Workflow { id, trigger: trigger.to_owned(), enabled: false, actions });
        self.set_enabled(id, true, now);
        Some(id)
    }

    /// The merchant turns a workflow on or off. When that changes whether any workflow uses its
    /// trigger, the app is told.
    pub fn set_enabled(&mut self, workflow: u64, enabled: bool, now: Duration) {
        let Some(index) = self.workflows.iter().position(|known| known.id == workflow) else { return };
        let trigger = self.workflows[index].trigger.clone();
        let before = self.in_use(&trigger);
        self.workflows[index].enabled = enabled;
        if self.in_use(&trigger) != before {
            self.queue_callback(&trigger, !before, now);
        }
    }

    fn in_use(&self, trigger: &str) -> bool {
        self.workflows.iter().any(|workflow| workflow.trigger == trigger && workflow.enabled)
    }

    fn queue_callback(&mut self, trigger: &str, enabled: bool, now: Duration) {
        let Some(uri) = self.lifecycle_url.clone() else { return };
        let Some(definition) = self.definitions.iter().find(|definition| definition.handle == trigger) else {
            return;
        };
        // The docs' example names the trigger by its title; the shop id comes as a string.
        let body = json!({
            "flow_trigger_definition_id": definition.name,
            "has_enabled_flow": enabled,
            "shop_id": self.shop_id.to_string(),
            "shopify_domain": self.shop_domain,
            "timestamp": timestamp(now),
        })
        .to_string()
        .into_bytes();
        let headers = self.signed_headers(&body);
        self.callbacks.push(Callback { uri, headers, body, action: None });
    }

    fn signed_headers(&self, body: &[u8]) -> Vec<(String, String)> {
        vec![
            ("Content-Type".to_owned(), "application/json".to_owned()),
            ("X-Shopify-Hmac-Sha256".to_owned(), webhook_hmac(&self.client_secret, body)),
        ]
    }

    /// Queues the calls of `run`'s actions, in the workflow's order.
    fn queue_actions(&mut self, run: u64, payload: &Value, actions: &[ActionStep]) {
        for (step, action) in actions.iter().enumerate() {
            let properties = match &action.properties {
                Value::Object(properties) => Value::Object(
                    properties
                        .iter()
                        .map(|(key, value)| {
                            let from_trigger = value
                                .as_str()
                                .and_then(|text| text.strip_prefix("{{")?.strip_suffix("}}"))
                                .and_then(|field| payload.get(field));
                            (key.clone(), from_trigger.unwrap_or(value).clone())
                        })
                        .collect(),
                ),
                other => other.clone(),
            };
            let body = json!({
                "shop_id": self.shop_id.to_string(),
                "shopify_domain": self.shop_domain,
                "action_run_id": format!("run-{run}-step-{step}"),
                "action_definition_id": action.handle,
                "handle": action.handle,
                "properties": properties,
            })
            .to_string()
            .into_bytes();
            let headers = self.signed_headers(&body);
            let uri = action.runtime_url.clone();
            self.callbacks.push(Callback { uri, headers, body, action: Some((run, action.handle.clone())) });
        }
    }

    /// Records the app's answer to an action call in its run's log.
    pub fn record_answer(&mut self, call: &Callback, answer: Option<u16>) {
        let Some((run, handle)) = &call.action else { return };
        if let Some(run) = self.runs.iter_mut().find(|known| known.id == *run) {
            run.calls.push((handle.clone(), answer));
        }
    }

    /// `flowTriggerReceive`: the user errors, none when the trigger was accepted and ran every
    /// workflow turned on that uses it.
    pub fn receive(&mut self, handle: &str, payload: &Value, now: Duration) -> Vec<(Option<String>, String)> {
        let Some(definition) = self.definitions.iter().find(|definition| definition.handle == handle) else {
            return vec![(Some("handle".to_owned()), format!("Invalid handle '{handle}'."))];
        };
        let Some(object) = payload.as_object() else {
            return vec![(Some("payload".to_owned()), "Payload must be a JSON object.".to_owned())];
        };
        if payload.to_string().len() > MAX_PAYLOAD_BYTES {
            return vec![(
                Some("payload".to_owned()),
                format!("Payload is larger than {MAX_PAYLOAD_BYTES} bytes."),
            )];
        }
        let mut errors = Vec::new();
        for reference in &definition.references {
            let id = object.get(reference);
            let numeric = id.and_then(Value::as_u64).or_else(|| id?.as_str()?.parse().ok());
            if numeric.is_none_or(|id| id == 0) {
                errors.push((Some("payload".to_owned()), format!("'{reference}' must be a resource id.")));
            }
        }
        for key in &definition.fields {
            if !object.contains_key(key) {
                errors.push((Some("payload".to_owned()), format!("'{key}' is missing.")));
            }
        }
        for key in object.keys() {
            if !definition.references.contains(key) && !definition.fields.contains(key) {
                errors.push((Some("payload".to_owned()), format!("'{key}' is not a field of '{handle}'.")));
            }
        }
        if !errors.is_empty() {
            return errors;
        }
        self.received.push((handle.to_owned(), payload.clone()));
        let started: Vec<(u64, Vec<ActionStep>)> = self
            .workflows
            .iter()
            .filter(|workflow| workflow.trigger == handle && workflow.enabled)
            .map(|workflow| (workflow.id, workflow.actions.clone()))
            .collect();
        for (workflow, actions) in started {
            let id = self.runs.len() as u64 + 1;
            self.runs.push(Run {
                id,
                workflow,
                trigger: handle.to_owned(),
                payload: payload.clone(),
                at: now.as_secs(),
                calls: Vec::new(),
            });
            self.queue_actions(id, payload, &actions);
        }
        Vec::new()
    }

    /// Every trigger accepted, oldest first, with or without a workflow to run.
    pub fn received(&self) -> &[(String, Value)] {
        &self.received
    }

    /// The run log, oldest first.
    pub fn runs(&self) -> &[Run] {
        &self.runs
    }

    /// The lifecycle callbacks and action calls waiting to be sent, in order.
    pub fn take_callbacks(&mut self) -> Vec<Callback> {
        std::mem::take(&mut self.callbacks)
    }
}

/// ISO 8601 with milliseconds, as Flow stamps its callbacks (newer ones win).
fn timestamp(now: Duration) -> String {
    let seconds = crate::shop::iso8601(now.as_secs());
    format!("{}.{:03}Z", seconds.trim_end_matches('Z'), now.subsec_millis())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: u64) -> Duration {
        Duration::from_millis(seconds * 1_000 + 250)
    }

    fn flow() -> Flow {
        let mut flow = Flow::new("secret", "shop.myshopify.com", 7);
        flow.deploy_trigger(TriggerDefinition {
            handle: "segment-entered".to_owned(),
            name: "Customer entered a Seglink segment".to_owned(),
            references: vec!["customer_id".to_owned()],
            fields: vec!["Segment slug".to_owned()],
        });
        flow.set_lifecycle_url("http://app/flow/lifecycle");
        flow
    }

    #[test]
    fn a_trigger_runs_the_workflows_turned_on_and_is_checked_against_its_fields() {
        let mut flow = flow();
        let on = flow.add_workflow("segment-entered", at(10)).unwrap();
        let off = flow.add_workflow("segment-entered", at(10)).unwrap();
        flow.set_enabled(off, false, at(11));
        let good = json!({ "customer_id": 42, "Segment slug": "vip" });
        assert!(flow.receive("segment-entered", &good, at(12)).is_empty());
        assert_eq!(flow.runs().iter().map(|run| run.workflow).collect::<Vec<_>>(), vec![on]);

        assert_eq!(flow.receive("nope", &good, at(12))[0].1, "Invalid handle 'nope'.");
        let errors = flow.receive("segment-entered", &json!({ "customer_id": "x", "extra": 1 }), at(12));
        let messages: Vec<&str> = errors.iter().map(|(_, message)| message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "'customer_id' must be a resource id.",
                "'Segment slug' is missing.",
                "'extra' is not a field of 'segment-entered'."
            ]
        );
        let large = json!({ "customer_id": 1, "Segment slug": "x".repeat(MAX_PAYLOAD_BYTES) });
        assert!(flow.receive("segment-entered", &large, at(12))[0].1.contains("larger than"));
        assert_eq!(flow.received().len(), 1, "refused triggers run nothing");
    }

    #[test]
    fn a_run_calls_its_actions_signed_with_the_triggers_fields_and_logs_the_answers() {
        let mut flow = flow();
        let step = ActionStep {
            handle: "recompute-segment".to_owned(),
            runtime_url: "http://app/flow/actions/recompute-segment".to_owned(),
            properties: json!({ "segment_slug": "{{Segment slug}}", "note": "as typed" }),
        };
        flow.add_workflow_with("segment-entered", vec![step], at(1));
        flow.take_callbacks();
        assert!(
            flow.receive("segment-entered", &json!({ "customer_id": 42, "Segment slug": "vip" }), at(2))
                .is_empty()
        );
        let calls = flow.take_callbacks();
        assert_eq!(calls.len(), 1);
        let body: Value = serde_json::from_slice(&calls[0].body).unwrap();
        assert_eq!(body["properties"], json!({ "segment_slug": "vip", "note": "as typed" }));
        assert_eq!(
            (body["handle"].as_str(), body["action_run_id"].as_str()),
            (Some("recompute-segment"), Some("run-1-step-0"))
        );
        let signature = &calls[0].headers.iter().find(|(name, _)| name == "X-Shopify-Hmac-Sha256").unwrap().1;
        assert_eq!(signature, &webhook_hmac("secret", &calls[0].body));
        flow.record_answer(&calls[0], Some(200));
        assert_eq!(flow.runs()[0].calls, vec![("recompute-segment".to_owned(), Some(200))]);
    }

    #[test]
    fn the_app_hears_when_a_trigger_comes_into_use_and_out_of_it_signed() {
        let mut flow = flow();
        assert_eq!(flow.add_workflow("unknown", at(1)), None);
        let first = flow.add_workflow("segment-entered", at(1)).unwrap();
        let second = flow.add_workflow("segment-entered", at(2)).unwrap();
        flow.set_enabled(first, false, at(3));
        flow.set_enabled(second, false, at(4));
        let callbacks = flow.take_callbacks();
        let bodies: Vec<Value> =
            callbacks.iter().map(|callback| serde_json::from_slice(&callback.body).unwrap()).collect();
        assert_eq!(bodies.len(), 2, "in use at the first, out of use at the last: {bodies:?}");
        assert_eq!(bodies[0]["has_enabled_flow"], true);
        assert_eq!(bodies[1]["has_enabled_flow"], false);
        assert_eq!(bodies[1]["flow_trigger_definition_id"], "Customer entered a Seglink segment");
        assert_eq!(bodies[1]["shopify_domain"], "shop.myshopify.com");
        assert_eq!(bodies[1]["timestamp"], "1970-01-01T00:00:04.250Z");
        let signature =
            &callbacks[1].headers.iter().find(|(name, _)| name == "X-Shopify-Hmac-Sha256").unwrap().1;
        assert_eq!(signature, &webhook_hmac("secret", &callbacks[1].body));
    }
}

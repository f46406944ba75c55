//! Webhook delivery as Shopify does it: one delivery per subscription to the event's topic,
//! signed over the raw body, at least once, retried on failure. Tests script the faults an app
//! must survive: duplicates, deliveries out of order, and endpoints that fail.
//!
//! Facts: shopify.dev "Deliver webhooks through HTTPS" (headers, signing, 8 retries over 4 hours, 2xx is
//! success). The transport is the caller's: `deliver_due` hands each delivery to a function that
//! says what the app answered, so the same outbox drives an HTTP client or a test double.

use std::time::Duration;

use serde_json::Value;

use crate::signing::webhook_hmac;

/// One attempt to deliver a webhook, and the app's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sent {
    pub topic: String,
    pub event_id: String,
    /// 0 for the first attempt.
    pub attempt: u32,
    /// The HTTP status, or `None` when the app could not be reached.
    pub answer: Option<u16>,
    /// Unix seconds.
    pub at: u64,
}

/// Attempts the log keeps.
const SENT_KEPT: usize = 200;

/// Seconds to wait before each retry. Shopify publishes the total (8 retries over 4 hours), not
/// the steps; these grow and add up to exactly 4 hours.
pub const RETRY_DELAYS_SECS: [u64; 8] = [60, 120, 300, 600, 1_200, 2_400, 3_600, 6_120];

/// Topics a subscription may name: those Seglink's app and its tests use.
pub const TOPICS: [&str; 26] = [
    "bulk_operations/finish",
    "app_subscriptions/update",
    "app/uninstalled",
    "app/scopes_update",
    "carts/create",
    "carts/update",
    "checkouts/create",
    "checkouts/update",
    "customers/create",
    "customers/update",
    "customers/delete",
    "customers/marketing_consent_update",
    "customers/data_request",
    "customers/redact",
    "shop/redact",
    "fulfillments/create",
    "fulfillments/update",
    "orders/create",
    "orders/updated",
    "orders/paid",
    "orders/edited",
    "orders/cancelled",
    "refunds/create",
    "products/create",
    "products/update",
    "products/delete",
];

/// A webhook subscription.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subscription {
    /// Numeric id; the GID is `gid://shopify/WebhookSubscription/<id>`.
    pub id: u64,
    /// Such as `orders/create`.
    pub topic: String,
    /// Where deliveries go.
    pub uri: String,
}

/// One HTTP request to an app.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    /// Where it goes.
    pub uri: String,
    /// Header names and values, as Shopify sends them.
    pub headers: Vec<(String, String)>,
    /// The raw body the signature covers.
    pub body: Vec<u8>,
    /// 0 for the first attempt.
    pub attempt: u32,
    due_at: Duration,
}

impl Delivery {
    /// The value of a header, by name, ignoring case.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, value)| value.as_str())
    }
}

/// What one call of `deliver_due` did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    /// Accepted with a 2xx.
    pub delivered: usize,
    /// Refused or unreachable, and scheduled again.
    pub retrying: usize,
    /// Out of retries, given up.
    pub abandoned: usize,
}

/// Why a subscription was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubscriptionError {
    /// Shopify's `userErrors[].field`.
    pub field: &'static str,
    /// What is wrong.
    pub message: String,
}

/// The shop's webhook subscriptions and the deliveries not yet accepted.
#[derive(Clone, Debug)]
pub struct WebhookOutbox {
    /// The latest attempts, newest last, for the admin's webhook page.
    sent: std::collections::VecDeque<Sent>,
    client_secret: String,
    shop_domain: String,
    api_version: String,
    subscriptions: Vec<Subscription>,
    queue: Vec<Delivery>,
    abandoned: Vec<Delivery>,
    next_id: u64,
    duplicates_left: u32,
    reverse_next: bool,
}

impl WebhookOutbox {
    /// An outbox for `shop_domain`, signing with the app's client secret.
    pub fn new(client_secret: &str, shop_domain: &str, api_version: &str) -> Self {
        Self {
            sent: std::collections::VecDeque::new(),
            client_secret: client_secret.to_owned(),
            shop_domain: shop_domain.to_owned(),
            api_version: api_version.to_owned(),
            subscriptions: Vec::new(),
            queue: Vec::new(),
            abandoned: Vec::new(),
            next_id: 1,
            duplicates_left: 0,
            reverse_next: false,
        }
    }

    /// Subscribes `uri` to `topic`, as `webhookSubscriptionCreate` does. The same topic and URI
    /// twice is refused, as Shopify refuses it.
    pub fn subscribe(&mut self, topic: &str, uri: &str) -> Result<&Subscription, SubscriptionError> {
        if !TOPICS.contains(&topic) {
            return Err(SubscriptionError {
                field: "topic",
                message: format!("Topic `{topic}` is not simulated"),
            });
        }
        if !deliverable(uri) {
            let message = "Address must be an https URL (http is accepted for localhost only)".to_owned();
            return Err(SubscriptionError { field: "callbackUrl", message });
        }
        if self.subscriptions.iter().any(|existing| existing.topic == topic && existing.uri == uri) {
            return Err(SubscriptionError {
                field: "address",
                message: "Address for this topic has already been taken".to_owned(),
            });
        }
        let id = self.take_id();
        self.subscriptions.push(Subscription { id, topic: topic.to_owned(), uri: uri.to_owned() });
        Ok(&self.subscriptions[self.subscriptions.len() - 1])
    }

    /// The subscriptions, oldest first.
    pub fn subscriptions(&self) -> &[Subscription] {
        &self.subscriptions
    }

    /// An event happened: queue a signed delivery for every subscription to its topic. All of
    /// them share the event id; each has its own webhook id.
    pub fn emit(&mut self, topic: &str, payload: &Value, now: Duration) {
        let body = shopify_json(payload);
        let hmac = webhook_hmac(&self.client_secret, &body);
        let event_id = self.take_id();
        let triggered_at = now.as_secs().to_string();
        let targets: Vec<String> = self
            .subscriptions
            .iter()
            .filter(|subscription| subscription.topic == topic)
            .map(|s| s.uri.clone())
            .collect();
        for uri in targets {
            let webhook_id = format!("{:08x}-sim0-4000-8000-{:012x}", event_id, self.take_id());
            let headers = [
                ("Content-Type", "application/json".to_owned()),
                ("X-Shopify-Topic", topic.to_owned()),
                ("X-Shopify-Hmac-Sha256", hmac.clone()),
                ("X-Shopify-Shop-Domain", self.shop_domain.clone()),
                ("X-Shopify-API-Version", self.api_version.clone()),
                ("X-Shopify-Webhook-Id", webhook_id),
                ("X-Shopify-Event-Id", format!("event-{event_id}")),
                ("X-Shopify-Triggered-At", triggered_at.clone()),
            ];
            let headers = headers.into_iter().map(|(name, value)| (name.to_owned(), value)).collect();
            self.queue.push(Delivery { uri, headers, body: body.clone(), attempt: 0, due_at: now });
        }
    }

    /// Fault: the next `count` accepted deliveries are sent again, unchanged.
    pub fn duplicate_next(&mut self, count: u32) {
        self.duplicates_left += count;
    }

    /// Fault: the next `deliver_due` sends what is due newest first.
    pub fn reverse_next_round(&mut self) {
        self.reverse_next = true;
    }

    /// Deliveries waiting, due or not.
    pub fn pending(&self) -> &[Delivery] {
        &self.queue
    }

    /// Deliveries that ran out of retries.
    pub fn abandoned(&self) -> &[Delivery] {
        &self.abandoned
    }

    /// When the next waiting delivery falls due.
    pub fn next_due(&self) -> Option<Duration> {
        self.queue.iter().map(|delivery| delivery.due_at).min()
    }

    /// Sends every delivery due at `now`. `send` returns the app's HTTP status, or `None` when
    /// the connection failed or took longer than Shopify waits (5 s).
    pub fn deliver_due(
        &mut self,
        now: Duration,
        mut send: impl FnMut(&Delivery) -> Option<u16>,
    ) -> DeliveryReport {
        let mut due = Vec::new();
        self.take_due(now, &mut due);
        let mut report = DeliveryReport::default();
        let mut index = 0;
        while index < due.len() {
            let delivery = due[index].clone();
            index += 1;
            let answer = send(&delivery);
            if self.record(delivery.clone(), answer, now, &mut report) && self.duplicates_left > 0 {
                self.duplicates_left -= 1;
                due.push(delivery);
            }
        }
        report
    }

    /// Moves the deliveries due at `now` into `due`, in the order they are sent, for a caller
    /// that sends them itself and then calls `settle`.
    pub fn take_due(&mut self, now: Duration, due: &mut Vec<Delivery>) {
        let (mut ready, waiting): (Vec<Delivery>, Vec<Delivery>) =
            std::mem::take(&mut self.queue).into_iter().partition(|delivery| delivery.due_at <= now);
        self.queue = waiting;
        if std::mem::take(&mut self.reverse_next) {
            ready.reverse();
        }
        due.extend(ready);
    }

    /// Records what the app answered to deliveries taken with `take_due`. A scripted duplicate
    /// is queued to go again at once.
    pub fn settle(&mut self, sent: Vec<Delivery>, answers: &[Option<u16>], now: Duration) -> DeliveryReport {
        let mut report = DeliveryReport::default();
        for (delivery, answer) in sent.into_iter().zip(answers) {
            if self.record(delivery.clone(), *answer, now, &mut report) && self.duplicates_left > 0 {
                self.duplicates_left -= 1;
                self.queue.push(Delivery { due_at: now, ..delivery });
            }
        }
        report
    }

    /// The latest delivery attempts with the app's answers, oldest first.
    pub fn sent(&self) -> impl Iterator<Item = &Sent> {
        self.sent.iter()
    }

    /// Files one answer: accepted, retried later, or abandoned. True when accepted.
    fn record(
        &mut self,
        delivery: Delivery,
        answer: Option<u16>,
        now: Duration,
        report: &mut DeliveryReport,
    ) -> bool {
        if self.sent.len() == SENT_KEPT {
            self.sent.pop_front();
        }
        self.sent.push_back(Sent {
            topic: delivery.header("X-Shopify-Topic").unwrap_or_default().to_owned(),
            event_id: delivery.header("X-Shopify-Event-Id").unwrap_or_default().to_owned(),
            attempt: delivery.attempt,
            answer,
            at: now.as_secs(),
        });
        if answer.is_some_and(|status| (200..300).contains(&status)) {
            report.delivered += 1;
            return true;
        }
        match RETRY_DELAYS_SECS.get(delivery.attempt as usize) {
            Some(delay) => {
                report.retrying += 1;
                let due_at = now + Duration::from_secs(*delay);
                self.queue.push(Delivery { attempt: delivery.attempt + 1, due_at, ..delivery });
            }
            None => {
                report.abandoned += 1;
                self.abandoned.push(delivery);
            }
        }
        false
    }

    fn take_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }
}

fn deliverable(uri: &str) -> bool {
    let local = ["http://localhost", "http://127.0.0.1", "http://[::1]"];
    let host_end = |rest: &str| rest.is_empty() || rest.starts_with([':', '/']);
    match uri.strip_prefix("https://") {
        Some(rest) => !rest.is_empty() && !rest.starts_with(['/', ':']),
        None => local.iter().any(|prefix| uri.strip_prefix(prefix).is_some_and(host_end)),
    }
}

/// JSON as Shopify writes webhook bodies, escaping `/` and `&` (shopify.dev "Deliver webhooks through HTTPS"), so an app that re-serialises the parsed body before checking the signature fails
/// here as it would in production.
fn shopify_json(payload: &Value) -> Vec<u8> {
    let plain = payload.to_string();
    let mut out = String::with_capacity(plain.len());
    for character in plain.chars() {
        match character {
            '/' => out.push_str("\\/"),
            '&' => out.push_str("\\u0026"),
            other => out.push(other),
        }
    }
    out.into_bytes()
}

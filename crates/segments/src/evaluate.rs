//! Evaluating a rule tree for one customer, with the reason for every condition.

use crate::rules::{Comparison, Condition, Rule};

const DAY: i64 = 86_400;

/// What is known of a customer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Customer {
    /// ISO country of the default address.
    pub country: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// Amount spent in cents, over the customer's whole history.
    pub amount_spent_cents: i64,
    /// Number of orders, over the customer's whole history.
    pub orders_count: i64,
    /// The orders known one by one, for conditions over a window of days.
    pub orders: Vec<PlacedOrder>,
    /// Unix seconds of the last order.
    pub last_order_at: Option<i64>,
    /// Email marketing state.
    pub email_marketing: Option<String>,
    /// Unix seconds the account was made.
    pub created_at: Option<i64>,
}

/// One order, as windowed conditions look at it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlacedOrder {
    /// Unix seconds.
    pub at: i64,
    /// Its total in cents of the shop's currency.
    pub cents: i64,
}

/// An event of the customer's, as far as rules look at it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeenEvent {
    /// Canonical kind.
    pub kind: String,
    /// Unix seconds.
    pub at: i64,
    /// The products it was about (a purchase's lines, a product view's product).
    pub products: Vec<String>,
    /// The collection it was about.
    pub collection_id: Option<String>,
}

/// One condition's verdict, for "why in / why not".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Explanation {
    /// Where the condition is in the rules.
    pub path: String,
    /// Whether it held.
    pub held: bool,
    /// The comparison made, such as `amount spent 420.00 < 500.00`.
    pub detail: String,
}

/// The verdict for a customer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// In the segment.
    pub member: bool,
    /// Every condition, in rule order.
    pub explanations: Vec<Explanation>,
}

/// Evaluates `rule` for `customer` with its `events` at `now` (Unix seconds).
pub fn evaluate(rule: &Rule, customer: &Customer, events: &[SeenEvent], now: i64) -> Outcome {
    let mut explanations = Vec::new();
    let member = walk(rule, "", customer, events, now, &mut explanations);
    Outcome { member, explanations }
}

fn walk(
    rule: &Rule,
    path: &str,
    customer: &Customer,
    events: &[SeenEvent],
    now: i64,
    out: &mut Vec<Explanation>,
) -> bool {
    match rule {
        // Every child is evaluated before the verdict, not short-circuited, so the explanation is
        // complete.
        Rule::All(children) => {
            let verdicts: Vec<bool> = children
                .iter()
                .enumerate()
                .map(|(index, child)| walk(child, &format!("{path}/all/{index}"), customer, events, now, out))
                .collect();
            verdicts.iter().all(|held| *held)
        }
        Rule::Any(children) => {
            let verdicts: Vec<bool> = children
                .iter()
                .enumerate()
                .map(|(index, child)| walk(child, &format!("{path}/any/{index}"), customer, events, now, out))
                .collect();
            verdicts.iter().any(|held| *held)
        }
        Rule::Condition(condition) => {
            let (held, detail) = check(condition, customer, events, now);
            out.push(Explanation {
                path: if path.is_empty() { "/".to_owned() } else { path.to_owned() },
                held,
                detail,
            });
            held
        }
    }
}

fn money(cents: i64) -> String {
    format!("{}{}.{:02}", if cents < 0 { "-" } else { "" }, cents.abs() / 100, cents.abs() % 100)
}

fn days_ago(at: i64, now: i64) -> i64 {
    (now - at).max(0) / DAY
}

fn check(condition: &Condition, customer: &Customer, events: &[SeenEvent], now: i64) -> (bool, String) {
    match condition {
        Condition::Country(codes) => {
            let country = customer.country.as_deref().unwrap_or("none");
            let held = codes.iter().any(|code| code.eq_ignore_ascii_case(country));
            (held, format!("country {country} {} {}", if held { "in" } else { "not in" }, codes.join(", ")))
        }
        Condition::Tag(tag) => {
            let held = customer.tags.iter().any(|held| held.trim().eq_ignore_ascii_case(tag));
            (held, format!("{} tag {tag}", if held { "has" } else { "lacks" }))
        }
        Condition::AmountSpent(comparison, cents, window) => {
            let spent = match window {
                Some(days) => recent(customer, *days, now).map(|order| order.cents).sum(),
                None => customer.amount_spent_cents,
            };
            let (held, symbol) = verdict(*comparison, spent, *cents);
            (held, format!("amount spent{} {} {symbol} {}", in_days(*window), money(spent), money(*cents)))
        }
        Condition::OrdersCount(comparison, value, window) => {
            let count = match window {
                Some(days) => recent(customer, *days, now).count() as i64,
                None => customer.orders_count,
            };
            let (held, symbol) = verdict(*comparison, count, *value);
            (held, format!("orders{} {count} {symbol} {value}", in_days(*window)))
        }
        Condition::LastOrderWithinDays(days) => {
            within("last order", customer.last_order_at, *days, now, "no order yet")
        }
        Condition::EmailMarketing(state) => {
            let actual = customer.email_marketing.as_deref().unwrap_or("UNKNOWN");
            let held = actual.eq_ignore_ascii_case(state);
            (held, format!("email marketing {actual} {} {state}", if held { "is" } else { "is not" }))
        }
        Condition::CreatedWithinDays(days) => {
            within("account made", customer.created_at, *days, now, "account date unknown")
        }
        Condition::Did { kind, product_id, collection_id, times, days } => {
            let since = now - days * DAY;
            let count = events
                .iter()
                .filter(|event| {
                    event.kind == *kind
                        && event.at >= since
                        && event.at <= now
                        && product_id.as_ref().is_none_or(|id| event.products.contains(id))
                        && collection_id.as_ref().is_none_or(|id| event.collection_id.as_ref() == Some(id))
                })
                .count() as i64;
            let held = count >= *times;
            (held, format!("{count} {kind} in {days} days, {} {times}", if held { ">=" } else { "<" }))
        }
    }
}

/// The customer's orders in the `days` days up to `now`.
fn recent(customer: &Customer, days: i64, now: i64) -> impl Iterator<Item = &PlacedOrder> {
    let since = now - days * DAY;
    customer.orders.iter().filter(move |order| order.at >= since && order.at <= now)
}

fn in_days(window: Option<i64>) -> String {
    window.map(|days| format!(" in {days} days")).unwrap_or_default()
}

/// Whether `left <op> right`, and the operator that describes the outcome (the negation when it
/// failed: `420.00 < 500.00` for a failed `>=`).
fn verdict(comparison: Comparison, left: i64, right: i64) -> (bool, &'static str) {
    let held = comparison.holds(left, right);
    let symbol = match (held, comparison) {
        (true, _) => comparison.symbol(),
        (false, Comparison::AtLeast) => "<",
        (false, Comparison::AtMost) => ">",
        (false, Comparison::MoreThan) => "<=",
        (false, Comparison::LessThan) => ">=",
    };
    (held, symbol)
}

/// Whether `at` was at most `days` days before `now`, described.
fn within(label: &str, at: Option<i64>, days: i64, now: i64, unknown: &str) -> (bool, String) {
    match at {
        Some(at) => {
            let held = now - at <= days * DAY;
            (
                held,
                format!(
                    "{label} {} days ago, {} {days}",
                    days_ago(at, now),
                    if held { "within" } else { "beyond" }
                ),
            )
        }
        None => (false, unknown.to_owned()),
    }
}

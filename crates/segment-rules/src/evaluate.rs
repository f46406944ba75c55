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

/// Whether `customer` is in the segment: `evaluate` without the explanation, stopping at the
/// first condition that decides a group. What a full recompute runs for every customer.
pub fn matches(rule: &Rule, customer: &Customer, events: &[SeenEvent], now: i64) -> bool {
    match rule {
        Rule::All(children) => children.iter().all(|child| matches(child, customer, events, now)),
        Rule::Any(children) => children.iter().any(|child| matches(child, customer, events, now)),
        Rule::Condition(condition) => measure(condition, customer, events, now).held(),
    }
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
            let measured = measure(condition, customer, events, now);
            let (held, detail) = (measured.held(), measured.describe());
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
    let magnitude = cents.unsigned_abs();
    format!("{}{}.{:02}", if cents < 0 { "-" } else { "" }, magnitude / 100, magnitude % 100)
}

fn days_ago(at: i64, now: i64) -> i64 {
    (now - at).max(0) / DAY
}

/// What a condition compared, kept as values: the verdict costs no text, and the description is
/// written only for an explanation.
enum Measured<'a> {
    Country {
        country: &'a str,
        codes: &'a [String],
    },
    Tag {
        tag: &'a str,
        held: bool,
    },
    Compared {
        label: &'static str,
        window: Option<i64>,
        actual: i64,
        comparison: Comparison,
        wanted: i64,
        money: bool,
    },
    Within {
        label: &'static str,
        at: Option<i64>,
        days: i64,
        now: i64,
        unknown: &'static str,
    },
    Email {
        actual: &'a str,
        wanted: &'a str,
    },
    Did {
        count: i64,
        kind: &'a str,
        times: i64,
        days: i64,
    },
}

impl Measured<'_> {
    fn held(&self) -> bool {
        match self {
            Self::Country { country, codes } => codes.iter().any(|code| code.eq_ignore_ascii_case(country)),
            Self::Tag { held, .. } => *held,
            Self::Compared { actual, comparison, wanted, .. } => comparison.holds(*actual, *wanted),
            Self::Within { at, days, now, .. } => at.is_some_and(|at| now.saturating_sub(at) <= days * DAY),
            Self::Email { actual, wanted } => actual.eq_ignore_ascii_case(wanted),
            Self::Did { count, times, .. } => count >= times,
        }
    }

    fn describe(&self) -> String {
        let held = self.held();
        match self {
            Self::Country { country, codes } => {
                format!("country {country} {} {}", if held { "in" } else { "not in" }, codes.join(", "))
            }
            Self::Tag { tag, .. } => format!("{} tag {tag}", if held { "has" } else { "lacks" }),
            Self::Compared { label, window, actual, comparison, wanted, money: is_money } => {
                let shown = |value: i64| if *is_money { money(value) } else { value.to_string() };
                format!(
                    "{label}{} {} {} {}",
                    in_days(*window),
                    shown(*actual),
                    symbol(*comparison, held),
                    shown(*wanted)
                )
            }
            Self::Within { label, at: Some(at), days, now, .. } => format!(
                "{label} {} days ago, {} {days}",
                days_ago(*at, *now),
                if held { "within" } else { "beyond" }
            ),
            Self::Within { unknown, .. } => (*unknown).to_owned(),
            Self::Email { actual, wanted } => {
                format!("email marketing {actual} {} {wanted}", if held { "is" } else { "is not" })
            }
            Self::Did { count, kind, times, days } => {
                format!("{count} {kind} in {days} days, {} {times}", if held { ">=" } else { "<" })
            }
        }
    }
}

fn measure<'a>(
    condition: &'a Condition,
    customer: &'a Customer,
    events: &[SeenEvent],
    now: i64,
) -> Measured<'a> {
    match condition {
        Condition::Country(codes) => {
            Measured::Country { country: customer.country.as_deref().unwrap_or("none"), codes }
        }
        Condition::Tag(tag) => Measured::Tag {
            tag,
            held: customer.tags.iter().any(|held| held.trim().eq_ignore_ascii_case(tag)),
        },
        Condition::AmountSpent(comparison, cents, window) => Measured::Compared {
            label: "amount spent",
            window: *window,
            actual: match window {
                Some(days) => {
                    recent(customer, *days, now).fold(0, |sum, order| sum.saturating_add(order.cents))
                }
                None => customer.amount_spent_cents,
            },
            comparison: *comparison,
            wanted: *cents,
            money: true,
        },
        Condition::OrdersCount(comparison, value, window) => Measured::Compared {
            label: "orders",
            window: *window,
            actual: match window {
                Some(days) => recent(customer, *days, now).count() as i64,
                None => customer.orders_count,
            },
            comparison: *comparison,
            wanted: *value,
            money: false,
        },
        Condition::LastOrderWithinDays(days) => Measured::Within {
            label: "last order",
            at: customer.last_order_at,
            days: *days,
            now,
            unknown: "no order yet",
        },
        Condition::EmailMarketing(state) => Measured::Email {
            actual: customer.email_marketing.as_deref().unwrap_or("UNKNOWN"),
            wanted: state,
        },
        Condition::CreatedWithinDays(days) => Measured::Within {
            label: "account made",
            at: customer.created_at,
            days: *days,
            now,
            unknown: "account date unknown",
        },
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
            Measured::Did { count, kind, times: *times, days: *days }
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

/// The operator that describes an outcome: the comparison's own when it held, its negation when
/// it failed (`420.00 < 500.00` for a failed `>=`).
fn symbol(comparison: Comparison, held: bool) -> &'static str {
    match (held, comparison) {
        (true, _) => comparison.symbol(),
        (false, Comparison::AtLeast) => "<",
        (false, Comparison::AtMost) => ">",
        (false, Comparison::MoreThan) => "<=",
        (false, Comparison::LessThan) => ">=",
    }
}

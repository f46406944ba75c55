//! The rule tree and its parser.

use serde_json::Value;

/// How a number is compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Comparison {
    /// `>=`
    AtLeast,
    /// `<=`
    AtMost,
    /// `>`
    MoreThan,
    /// `<`
    LessThan,
}

impl Comparison {
    fn parse(text: &str) -> Option<Self> {
        Some(match text {
            ">=" => Self::AtLeast,
            "<=" => Self::AtMost,
            ">" => Self::MoreThan,
            "<" => Self::LessThan,
            _ => return None,
        })
    }

    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            Self::AtLeast => ">=",
            Self::AtMost => "<=",
            Self::MoreThan => ">",
            Self::LessThan => "<",
        }
    }

    /// Whether `left <op> right`.
    pub fn holds(self, left: i64, right: i64) -> bool {
        match self {
            Self::AtLeast => left >= right,
            Self::AtMost => left <= right,
            Self::MoreThan => left > right,
            Self::LessThan => left < right,
        }
    }
}

/// One test on a customer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Condition {
    /// The default address's country is one of these (ISO codes, upper case).
    Country(Vec<String>),
    /// The customer has this tag (case-insensitive).
    Tag(String),
    /// Amount spent, in cents of the shop's currency: in all, or in the last `days` days.
    AmountSpent(Comparison, i64, Option<i64>),
    /// Number of orders: in all, or in the last `days` days.
    OrdersCount(Comparison, i64, Option<i64>),
    /// The last order was at most this many days ago.
    LastOrderWithinDays(i64),
    /// Email marketing state (`SUBSCRIBED`, `UNSUBSCRIBED`, …).
    EmailMarketing(String),
    /// The account was made at most this many days ago.
    CreatedWithinDays(i64),
    /// At least `times` events of `kind` (on a product or collection, when given) in `days` days.
    Did {
        /// Canonical event kind.
        kind: String,
        /// Only events on this product.
        product_id: Option<String>,
        /// Only events on this collection.
        collection_id: Option<String>,
        /// At least this many.
        times: i64,
        /// Within this many days.
        days: i64,
    },
}

/// A rule tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rule {
    /// Every child holds.
    All(Vec<Rule>),
    /// Some child holds.
    Any(Vec<Rule>),
    /// A condition.
    Condition(Condition),
}

/// What is wrong, and where (a JSON pointer into the rules).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleError {
    /// Such as `/all/1/value`.
    pub path: String,
    /// Such as `must be a whole number of cents`.
    pub message: String,
}

/// Nesting deeper than this is refused.
pub const MAX_DEPTH: usize = 8;
/// More conditions than this in one segment are refused.
pub const MAX_CONDITIONS: usize = 50;
/// The longest behaviour window.
pub const MAX_DAYS: i64 = 3_650;

/// Parses and checks a rule tree.
pub fn parse(value: &Value) -> Result<Rule, RuleError> {
    let mut conditions = 0;
    rule(value, "", 0, &mut conditions)
}

fn error(path: &str, message: &str) -> RuleError {
    RuleError {
        path: if path.is_empty() { "/".to_owned() } else { path.to_owned() },
        message: message.to_owned(),
    }
}

fn rule(value: &Value, path: &str, depth: usize, conditions: &mut usize) -> Result<Rule, RuleError> {
    let object = value.as_object().ok_or_else(|| error(path, "must be an object"))?;
    if depth > MAX_DEPTH {
        return Err(error(path, "nests too deep (at most 8 levels)"));
    }
    for (group, make) in [("all", Rule::All as fn(Vec<Rule>) -> Rule), ("any", Rule::Any)] {
        if let Some(children) = object.get(group) {
            let here = format!("{path}/{group}");
            let children = children.as_array().ok_or_else(|| error(&here, "must be a list of rules"))?;
            if children.is_empty() {
                return Err(error(&here, "must hold at least one rule"));
            }
            let parsed = children
                .iter()
                .enumerate()
                .map(|(index, child)| rule(child, &format!("{here}/{index}"), depth + 1, conditions))
                .collect::<Result<Vec<_>, _>>()?;
            return Ok(make(parsed));
        }
    }
    *conditions += 1;
    if *conditions > MAX_CONDITIONS {
        return Err(error(path, "too many conditions (at most 50)"));
    }
    condition(value, path).map(Rule::Condition)
}

fn condition(value: &Value, path: &str) -> Result<Condition, RuleError> {
    let field = |name: &str| value.get(name);
    let at = |name: &str| format!("{path}/{name}");
    let text = |name: &str| -> Result<String, RuleError> {
        field(name)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|text| !text.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| error(&at(name), "must be a non-empty string"))
    };
    let whole = |name: &str, low: i64, high: i64| -> Result<i64, RuleError> {
        field(name)
            .and_then(Value::as_i64)
            .filter(|number| (low..=high).contains(number))
            .ok_or_else(|| error(&at(name), &format!("must be a whole number from {low} to {high}")))
    };
    let comparison = || -> Result<Comparison, RuleError> {
        field("op")
            .and_then(Value::as_str)
            .and_then(Comparison::parse)
            .ok_or_else(|| error(&at("op"), "must be one of >=, <=, >, <"))
    };
    // Events carry numeric ids; a GID from Shopify's admin is accepted and reduced to its number.
    let resource_id = |name: &str, kind: &str| -> Result<Option<String>, RuleError> {
        let Some(value) = field(name).filter(|value| !value.is_null()) else { return Ok(None) };
        let text = value.as_str().map(str::trim).unwrap_or_default();
        let number = text.strip_prefix(&format!("gid://shopify/{kind}/")).unwrap_or(text);
        if number.is_empty() || !number.bytes().all(|byte| byte.is_ascii_digit()) {
            return Err(error(&at(name), &format!("must be a {kind} id, numeric or gid://shopify/{kind}/…")));
        }
        Ok(Some(number.to_owned()))
    };
    let window = || -> Result<Option<i64>, RuleError> {
        if field("days").is_none_or(Value::is_null) { Ok(None) } else { whole("days", 1, MAX_DAYS).map(Some) }
    };
    let kind = field("if").and_then(Value::as_str).ok_or_else(|| error(&at("if"), "names the condition"))?;
    Ok(match kind {
        "country" => {
            let codes = field("in")
                .and_then(Value::as_array)
                .ok_or_else(|| error(&at("in"), "must be a list of country codes"))?;
            let codes = codes
                .iter()
                .enumerate()
                .map(|(index, code)| {
                    code.as_str()
                        .filter(|code| code.len() == 2 && code.bytes().all(|byte| byte.is_ascii_alphabetic()))
                        .map(str::to_ascii_uppercase)
                        .ok_or_else(|| {
                            error(&format!("{path}/in/{index}"), "must be a two-letter country code")
                        })
                })
                .collect::<Result<Vec<_>, _>>()?;
            if codes.is_empty() {
                return Err(error(&at("in"), "must name at least one country"));
            }
            Condition::Country(codes)
        }
        "tag" => Condition::Tag(text("is")?),
        "amount_spent" => {
            Condition::AmountSpent(comparison()?, whole("cents", 0, 1_000_000_000_000)?, window()?)
        }
        "orders_count" => Condition::OrdersCount(comparison()?, whole("value", 0, 1_000_000)?, window()?),
        "last_order_within_days" => Condition::LastOrderWithinDays(whole("days", 1, MAX_DAYS)?),
        "email_marketing" => Condition::EmailMarketing(text("is")?.to_ascii_uppercase()),
        "created_within_days" => Condition::CreatedWithinDays(whole("days", 1, MAX_DAYS)?),
        "did" => Condition::Did {
            kind: event_kind(&text("event")?, &at("event"))?,
            product_id: resource_id("product_id", "Product")?,
            collection_id: resource_id("collection_id", "Collection")?,
            times: whole("times", 1, 10_000)?,
            days: whole("days", 1, MAX_DAYS)?,
        },
        _ => return Err(error(&at("if"), "is not a condition Seglink knows")),
    })
}

/// A canonical event kind Seglink records; any other would match nobody, silently.
fn event_kind(name: &str, path: &str) -> Result<String, RuleError> {
    if events::Kind::parse(name).is_some() {
        return Ok(name.to_owned());
    }
    let known: Vec<&str> = events::Kind::ALL.iter().map(|kind| kind.as_str()).collect();
    Err(error(path, &format!("is not an event Seglink records; one of {}", known.join(", "))))
}

/// The conditions of `rule` that rest on storefront signals (views, searches, add-to-carts,
/// checkout steps), in words: a shopper's browser sends those and can fake them, so a merchant
/// who rewards such a segment should know it.
pub fn storefront_signals(rule: &Rule) -> Vec<String> {
    let mut found = Vec::new();
    collect_storefront_signals(rule, &mut found);
    found
}

fn collect_storefront_signals(rule: &Rule, found: &mut Vec<String>) {
    match rule {
        Rule::All(children) | Rule::Any(children) => {
            children.iter().for_each(|child| collect_storefront_signals(child, found));
        }
        Rule::Condition(Condition::Did { kind, .. })
            if events::Kind::parse(kind).is_some_and(events::Kind::is_storefront_signal) =>
        {
            let line = format!(
                "`did {kind}` counts events the storefront pixel reports from the shopper's browser, \
                 which a shopper can fake; Shopify verifies orders, customers and refunds, not these"
            );
            if !found.contains(&line) {
                found.push(line);
            }
        }
        Rule::Condition(_) => {}
    }
}

/// The events evaluating some rules reads: which kinds, how far back, and whether it looks
/// inside them (at products and collections). Loading only these keeps a full evaluation fast.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reads {
    /// Canonical kinds the rules count.
    pub kinds: std::collections::BTreeSet<String>,
    /// The longest window, in days.
    pub days: i64,
    /// Kinds some condition filters by product or collection: only these events' properties are
    /// read.
    pub inside: std::collections::BTreeSet<String>,
}

impl Reads {
    /// Adds what `rule` reads.
    pub fn add(&mut self, rule: &Rule) {
        match rule {
            Rule::All(children) | Rule::Any(children) => children.iter().for_each(|child| self.add(child)),
            Rule::Condition(Condition::Did { kind, product_id, collection_id, days, .. }) => {
                self.kinds.insert(kind.clone());
                self.days = self.days.max(*days);
                if product_id.is_some() || collection_id.is_some() {
                    self.inside.insert(kind.clone());
                }
            }
            Rule::Condition(_) => {}
        }
    }
}

//! The customer segment query language (shopify.dev "Segment query language reference"): parsed into
//! a tree, checked, and evaluated against a customer's records. Errors read as Shopify's do:
//! "Query Line 1 Column 6: 'valid' is unexpected." and "… 'a' filter cannot be found."
//!
//! Simulated attributes: `customer_tags`, `customer_countries`, `amount_spent`,
//! `number_of_orders`, `first_order_date`, `last_order_date`, `customer_added_date` and
//! `email_subscription_status`. Functions (`products_purchased MATCHES (…)` and the like) are
//! valid Shopify but refused here by name, so a gap is never silent.

/// At most this many clauses in one query.
pub const MAX_CLAUSES: usize = 10;

const DAY: i64 = 86_400;

/// A parsed query.
#[derive(Clone, Debug, PartialEq)]
pub enum Query {
    /// Either side.
    Or(Box<Query>, Box<Query>),
    /// Both sides.
    And(Box<Query>, Box<Query>),
    /// One condition.
    Clause(Clause),
}

/// One condition on one attribute.
#[derive(Clone, Debug, PartialEq)]
pub enum Clause {
    /// `customer_tags CONTAINS 'x'` (negated for `NOT CONTAINS`), case-insensitive.
    Tag { tag: String, negated: bool },
    /// `customer_countries CONTAINS 'CA'`.
    Country { code: String, negated: bool },
    /// `customer_tags IS [NOT] NULL`: whether the customer has no tags.
    NoTags { negated: bool },
    /// `amount_spent`/`number_of_orders` compared with numbers (BETWEEN is two comparisons).
    Number { attribute: NumberAttribute, op: Op, value: f64 },
    /// `amount_spent BETWEEN low AND high`, inclusive; one clause.
    NumberBetween { attribute: NumberAttribute, low: f64, high: f64 },
    /// A date attribute compared with a moment (Unix seconds, resolved at evaluation).
    Date { attribute: DateAttribute, op: Op, value: DateValue },
    /// A date attribute `IS [NOT] NULL`.
    DateNull { attribute: DateAttribute, negated: bool },
    /// `email_subscription_status = 'SUBSCRIBED'` or `!=`.
    Subscribed { subscribed: bool, negated: bool },
}

/// Numeric attributes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NumberAttribute {
    /// In the shop's currency.
    AmountSpent,
    /// Orders placed.
    NumberOfOrders,
}

/// Date attributes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateAttribute {
    /// The first order's day.
    FirstOrder,
    /// The last order's day.
    LastOrder,
    /// When the customer was added.
    CustomerAdded,
}

/// A comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// `=`
    Eq,
    /// `!=`
    Ne,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `<`
    Lt,
    /// `<=`
    Le,
}

/// A date in a query.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateValue {
    /// Days from today (`-30d` is -30; `today` is 0).
    DaysFromToday(i64),
    /// A calendar day, as Unix seconds at its start (UTC stands in for the shop's zone).
    Day(i64),
}

/// What evaluation needs to know about one customer.
#[derive(Clone, Debug, Default)]
pub struct Facts<'a> {
    /// Tags.
    pub tags: &'a [String],
    /// Country code.
    pub country: &'a str,
    /// Amount spent, in the shop currency.
    pub amount_spent: f64,
    /// Orders placed.
    pub number_of_orders: u64,
    /// Unix seconds of the first and last orders, if any.
    pub first_order: Option<i64>,
    /// Unix seconds.
    pub last_order: Option<i64>,
    /// Unix seconds.
    pub added: i64,
    /// Accepts marketing email.
    pub subscribed: bool,
}

impl Query {
    /// Parses and checks a query.
    pub fn parse(text: &str) -> Result<Self, String> {
        let tokens = tokenize(text)?;
        let mut parser = Parser { tokens, position: 0, clauses: 0 };
        let query = parser.or()?;
        if let Some(token) = parser.tokens.get(parser.position) {
            return Err(token.unexpected());
        }
        if parser.clauses > MAX_CLAUSES {
            return Err(format!("Invalid query: Too many clauses (>{MAX_CLAUSES})"));
        }
        Ok(query)
    }

    /// Whether a customer with these facts is a member, today being `now` (Unix seconds).
    pub fn matches(&self, facts: &Facts<'_>, now: i64) -> bool {
        match self {
            Self::Or(left, right) => left.matches(facts, now) || right.matches(facts, now),
            Self::And(left, right) => left.matches(facts, now) && right.matches(facts, now),
            Self::Clause(clause) => clause.matches(facts, now),
        }
    }
}

impl Clause {
    fn matches(&self, facts: &Facts<'_>, now: i64) -> bool {
        match self {
            Self::Tag { tag, negated } => {
                facts.tags.iter().any(|held| held.eq_ignore_ascii_case(tag)) != *negated
            }
            Self::Country { code, negated } => (facts.country == code) != *negated,
            Self::NoTags { negated } => facts.tags.is_empty() != *negated,
            Self::Number { attribute, op, value } => compare(number_of(facts, *attribute), *op, *value),
            Self::NumberBetween { attribute, low, high } => {
                (*low..=*high).contains(&number_of(facts, *attribute))
            }
            Self::Date { attribute, op, value } => date_of(facts, *attribute).is_some_and(|moment| {
                // Dates compare by whole days.
                let day = moment.div_euclid(DAY);
                let wanted = match value {
                    DateValue::DaysFromToday(days) => now.div_euclid(DAY) + days,
                    DateValue::Day(start) => start.div_euclid(DAY),
                };
                compare(day as f64, *op, wanted as f64)
            }),
            Self::DateNull { attribute, negated } => date_of(facts, *attribute).is_none() != *negated,
            Self::Subscribed { subscribed, negated } => (facts.subscribed == *subscribed) != *negated,
        }
    }
}

fn number_of(facts: &Facts<'_>, attribute: NumberAttribute) -> f64 {
    match attribute {
        NumberAttribute::AmountSpent => facts.amount_spent,
        NumberAttribute::NumberOfOrders => facts.number_of_orders as f64,
    }
}

fn date_of(facts: &Facts<'_>, attribute: DateAttribute) -> Option<i64> {
    match attribute {
        DateAttribute::FirstOrder => facts.first_order,
        DateAttribute::LastOrder => facts.last_order,
        DateAttribute::CustomerAdded => Some(facts.added),
    }
}

fn compare(actual: f64, op: Op, value: f64) -> bool {
    match op {
        Op::Eq => (actual - value).abs() < 1e-9,
        Op::Ne => (actual - value).abs() >= 1e-9,
        Op::Gt => actual > value,
        Op::Ge => actual >= value,
        Op::Lt => actual < value,
        Op::Le => actual <= value,
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Kind {
    Word(String),
    Text(String),
    Symbol(String),
    Open,
    Close,
}

#[derive(Clone, Debug)]
struct Token {
    kind: Kind,
    line: usize,
    column: usize,
}

impl Token {
    fn text(&self) -> String {
        match &self.kind {
            Kind::Word(text) | Kind::Symbol(text) => text.clone(),
            Kind::Text(text) => format!("'{text}'"),
            Kind::Open => "(".to_owned(),
            Kind::Close => ")".to_owned(),
        }
    }

    fn unexpected(&self) -> String {
        format!("Query Line {} Column {}: '{}' is unexpected.", self.line, self.column, self.text())
    }

    fn is_word(&self, word: &str) -> bool {
        matches!(&self.kind, Kind::Word(text) if text == word)
    }
}

fn tokenize(text: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let characters: Vec<char> = text.chars().collect();
    let (mut index, mut line, mut column) = (0, 1, 1);
    while index < characters.len() {
        let character = characters[index];
        let start_column = column;
        let token = |kind| Token { kind, line, column: start_column };
        if character == '\n' {
            index += 1;
            line += 1;
            column = 1;
            continue;
        }
        if character.is_whitespace() {
            index += 1;
            column += 1;
            continue;
        }
        let begin = index;
        let kind = match character {
            '(' => {
                index += 1;
                Kind::Open
            }
            ')' => {
                index += 1;
                Kind::Close
            }
            '\'' => {
                index += 1;
                let mut value = String::new();
                loop {
                    match characters.get(index) {
                        None => {
                            return Err(format!(
                                "Query Line {line} Column {start_column}: the string is not closed."
                            ));
                        }
                        Some('\\') if characters.get(index + 1) == Some(&'\'') => {
                            value.push('\'');
                            index += 2;
                        }
                        Some('\'') => {
                            index += 1;
                            break;
                        }
                        Some(other) => {
                            value.push(*other);
                            index += 1;
                        }
                    }
                }
                Kind::Text(value)
            }
            '=' | '!' | '<' | '>' => {
                index += 1;
                if characters.get(index) == Some(&'=') {
                    index += 1;
                }
                Kind::Symbol(characters[begin..index].iter().collect())
            }
            _ => {
                while index < characters.len()
                    && !characters[index].is_whitespace()
                    && !matches!(characters[index], '(' | ')' | '\'' | '=' | '!' | '<' | '>')
                {
                    index += 1;
                }
                if index == begin {
                    index += 1;
                }
                Kind::Word(characters[begin..index].iter().collect())
            }
        };
        column += index - begin;
        tokens.push(token(kind));
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<Token>,
    position: usize,
    clauses: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.position)
    }

    fn next(&mut self) -> Result<Token, String> {
        let token =
            self.tokens.get(self.position).cloned().ok_or_else(|| "Query is incomplete.".to_owned())?;
        self.position += 1;
        Ok(token)
    }

    fn or(&mut self) -> Result<Query, String> {
        let mut query = self.and()?;
        while self.peek().is_some_and(|token| token.is_word("OR")) {
            self.position += 1;
            query = Query::Or(Box::new(query), Box::new(self.and()?));
        }
        Ok(query)
    }

    fn and(&mut self) -> Result<Query, String> {
        let mut query = self.term()?;
        while self.peek().is_some_and(|token| token.is_word("AND")) {
            self.position += 1;
            query = Query::And(Box::new(query), Box::new(self.term()?));
        }
        Ok(query)
    }

    fn term(&mut self) -> Result<Query, String> {
        if self.peek().is_some_and(|token| token.kind == Kind::Open) {
            self.position += 1;
            let inner = self.or()?;
            let close = self.next()?;
            if close.kind != Kind::Close {
                return Err(close.unexpected());
            }
            return Ok(inner);
        }
        self.clauses += 1;
        self.clause().map(Query::Clause)
    }

    fn clause(&mut self) -> Result<Clause, String> {
        let attribute = self.next()?;
        let Kind::Word(name) = &attribute.kind else {
            return Err(attribute.unexpected());
        };
        let filter_missing = || {
            format!(
                "Query Line {} Column {}: '{name}' filter cannot be found.",
                attribute.line, attribute.column
            )
        };
        match name.as_str() {
            "customer_tags" | "customer_countries" => self.list_clause(name == "customer_tags"),
            "amount_spent" => self.number_clause(NumberAttribute::AmountSpent),
            "number_of_orders" => self.number_clause(NumberAttribute::NumberOfOrders),
            "first_order_date" => self.date_clause(DateAttribute::FirstOrder),
            "last_order_date" => self.date_clause(DateAttribute::LastOrder),
            "customer_added_date" => self.date_clause(DateAttribute::CustomerAdded),
            "email_subscription_status" => {
                let op = self.op()?;
                let value = self.text()?;
                let subscribed = match value.as_str() {
                    "SUBSCRIBED" => true,
                    "NOT_SUBSCRIBED" => false,
                    _ => return Err(format!("'{value}' is not a value of email_subscription_status.")),
                };
                match op {
                    Op::Eq => Ok(Clause::Subscribed { subscribed, negated: false }),
                    Op::Ne => Ok(Clause::Subscribed { subscribed, negated: true }),
                    _ => Err("email_subscription_status takes = or !=.".to_owned()),
                }
            }
            "products_purchased" | "orders_placed" | "storefront_event.product_viewed" | "anniversary" => {
                Err(format!("shopify-sim does not simulate the segment function `{name}`"))
            }
            _ => Err(filter_missing()),
        }
    }

    fn list_clause(&mut self, tags: bool) -> Result<Clause, String> {
        let keyword = self.next()?;
        let negated = keyword.is_word("NOT");
        let keyword = if negated { self.next()? } else { keyword };
        if keyword.is_word("IS") && tags {
            return self.null_suffix().map(|negated| Clause::NoTags { negated });
        }
        if !keyword.is_word("CONTAINS") {
            return Err(keyword.unexpected());
        }
        let value = self.text()?;
        Ok(if tags { Clause::Tag { tag: value, negated } } else { Clause::Country { code: value, negated } })
    }

    /// After `IS`: `NULL` or `NOT NULL`; returns whether it was `NOT`.
    fn null_suffix(&mut self) -> Result<bool, String> {
        let word = self.next()?;
        if word.is_word("NULL") {
            return Ok(false);
        }
        let null = self.next()?;
        if word.is_word("NOT") && null.is_word("NULL") { Ok(true) } else { Err(null.unexpected()) }
    }

    fn number_clause(&mut self, attribute: NumberAttribute) -> Result<Clause, String> {
        if self.peek().is_some_and(|token| token.is_word("BETWEEN")) {
            self.position += 1;
            let low = self.number()?;
            let and = self.next()?;
            if !and.is_word("AND") {
                return Err(and.unexpected());
            }
            let high = self.number()?;
            return Ok(Clause::NumberBetween { attribute, low, high });
        }
        let op = self.op()?;
        let value = self.number()?;
        Ok(Clause::Number { attribute, op, value })
    }

    fn date_clause(&mut self, attribute: DateAttribute) -> Result<Clause, String> {
        if self.peek().is_some_and(|token| token.is_word("IS")) {
            self.position += 1;
            return self.null_suffix().map(|negated| Clause::DateNull { attribute, negated });
        }
        let op = self.op()?;
        let token = self.next()?;
        let Kind::Word(text) = &token.kind else {
            return Err(token.unexpected());
        };
        let value = date_value(text).ok_or_else(|| token.unexpected())?;
        Ok(Clause::Date { attribute, op, value })
    }

    fn op(&mut self) -> Result<Op, String> {
        let token = self.next()?;
        let Kind::Symbol(symbol) = &token.kind else {
            return Err(token.unexpected());
        };
        match symbol.as_str() {
            "=" => Ok(Op::Eq),
            "!=" => Ok(Op::Ne),
            ">" => Ok(Op::Gt),
            ">=" => Ok(Op::Ge),
            "<" => Ok(Op::Lt),
            "<=" => Ok(Op::Le),
            _ => Err(token.unexpected()),
        }
    }

    fn number(&mut self) -> Result<f64, String> {
        let token = self.next()?;
        match &token.kind {
            Kind::Word(text) => {
                text.parse::<f64>().ok().filter(|value| value.is_finite()).ok_or_else(|| token.unexpected())
            }
            _ => Err(token.unexpected()),
        }
    }

    fn text(&mut self) -> Result<String, String> {
        let token = self.next()?;
        match token.kind {
            Kind::Text(text) => Ok(text),
            _ => Err(token.unexpected()),
        }
    }
}

/// `today`, `yesterday`, `-30d`/`+2w`/`-12m`/`-1y`, or `YYYY-MM-DD`.
fn date_value(text: &str) -> Option<DateValue> {
    match text {
        "today" => return Some(DateValue::DaysFromToday(0)),
        "yesterday" => return Some(DateValue::DaysFromToday(-1)),
        _ => {}
    }
    if let Some(sign) = text.chars().next().filter(|sign| *sign == '-' || *sign == '+') {
        let unit = text.chars().last()?;
        let amount: i64 = text.get(1..text.len() - 1)?.parse().ok()?;
        let days = match unit {
            'd' => amount,
            'w' => amount * 7,
            'm' => amount * 30,
            'y' => amount * 365,
            _ => return None,
        };
        return Some(DateValue::DaysFromToday(if sign == '-' { -days } else { days }));
    }
    let start = crate::shop::parse_time(&format!("{text}T00:00:00Z"))?;
    Some(DateValue::Day(i64::try_from(start).ok()?))
}

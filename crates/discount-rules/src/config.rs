//! The compact config the backend writes to the discount node's metafield and the Function reads.
//!
//! The metafield is one JSON object (docs/discount-config.md):
//! `{"config": "<text>", "ruleTags": [...], "collectionIds": [...]}`. Shopify passes `ruleTags` and
//! `collectionIds` to the input query as variables; the Function reads `config`, a text with a
//! header line and one line per active rule, highest priority first:
//!
//! ```text
//! seglink1 <tag count> <collection count>
//! <tag index> <%percent|$amount> <o|s|c<i>,<i>…|p<id>,<id>…> <min subtotal|-> <min qty|-> <priority> <title>
//! ```
//!
//! A line starts with its tag index so the Function skips the rules of tags the buyer lacks
//! without parsing them.

use std::borrow::Cow;
use std::fmt::Write as _;

use crate::json::{self, JsonError, Reader};
use crate::validate::{MAX_LIST_VARIABLE_ITEMS, MAX_METAFIELD_BYTES, gid_number, validate};
use crate::{Decimal, DiscountValue, Rule, Target, Violations};

/// Namespace of the discount node's config metafield.
pub const METAFIELD_NAMESPACE: &str = "$app:seglink";
/// Key of the discount node's config metafield.
pub const METAFIELD_KEY: &str = "config";
/// First word of the config text; a new encoding gets a new word.
const FORMAT: &str = "seglink1";
const PRODUCT_GID_PREFIX: &str = "gid://shopify/Product/";

/// The metafield value for a rule set: the config text and the input-query variables.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FunctionConfig {
    /// The compact rule text the Function decodes.
    pub config: String,
    /// Variable `$ruleTags`: the segment tags the active rules need, in index order.
    pub rule_tags: Vec<String>,
    /// Variable `$collectionIds`: the collections product rules name, in index order.
    pub collection_ids: Vec<String>,
}

/// Validates `rules` and encodes the active ones, refusing a result Shopify would drop.
pub fn compile(rules: &[Rule]) -> Result<FunctionConfig, Violations> {
    validate(rules)?;
    let mut active: Vec<&Rule> = rules.iter().filter(|rule| rule.active).collect();
    // Stable: equal priorities keep the merchant's order.
    active.sort_by(|a, b| b.priority.cmp(&a.priority));

    let mut rule_tags: Vec<String> = Vec::new();
    let mut collection_ids: Vec<String> = Vec::new();
    let mut lines = String::new();
    for rule in active {
        let tag = index_of(&mut rule_tags, rule.segment_tag());
        write_rule_line(&mut lines, rule, tag, &mut collection_ids);
    }
    let config = format!("{FORMAT} {} {}\n{lines}", rule_tags.len(), collection_ids.len());
    let compiled = FunctionConfig { config, rule_tags, collection_ids };

    let mut violations = Violations(Vec::new());
    let bytes = compiled.to_metafield_json().len();
    if bytes > MAX_METAFIELD_BYTES {
        violations.push(
            "rules",
            format!(
                "the rules encode to {bytes} bytes; Shopify does not pass a metafield over {MAX_METAFIELD_BYTES} bytes to a Function (shorten titles or list fewer ids)"
            ),
        );
    }
    violations.into_result().map(|()| compiled)
}

fn index_of(list: &mut Vec<String>, item: String) -> usize {
    list.iter().position(|existing| *existing == item).unwrap_or_else(|| {
        list.push(item);
        list.len() - 1
    })
}

fn write_rule_line(out: &mut String, rule: &Rule, tag: usize, collections: &mut Vec<String>) {
    // Writing to a String cannot fail.
    let _ = write!(out, "{tag} ");
    let _ = match rule.value {
        DiscountValue::Percentage(percent) => write!(out, "%{percent:#} "),
        DiscountValue::FixedAmount(amount) => write!(out, "${amount:#} "),
    };
    match &rule.target {
        Target::OrderSubtotal => out.push('o'),
        Target::Shipping => out.push('s'),
        Target::Collections(ids) => {
            out.push('c');
            for (position, id) in ids.iter().enumerate() {
                let index = index_of(collections, id.clone());
                let _ = write!(out, "{}{index}", if position == 0 { "" } else { "," });
            }
        }
        Target::Products(ids) => {
            out.push('p');
            for (position, id) in ids.iter().enumerate() {
                let number = gid_number(id, "Product").unwrap_or_default();
                let _ = write!(out, "{}{number}", if position == 0 { "" } else { "," });
            }
        }
    }
    match rule.minimum_subtotal {
        Some(minimum) => {
            let _ = write!(out, " {minimum:#}");
        }
        None => out.push_str(" -"),
    }
    match rule.minimum_quantity {
        Some(quantity) => {
            let _ = write!(out, " {quantity}");
        }
        None => out.push_str(" -"),
    }
    let _ = writeln!(out, " {} {}", rule.priority, rule.title);
}

impl FunctionConfig {
    /// The metafield's JSON value: `config` first, so a reader finds it without skipping.
    pub fn to_metafield_json(&self) -> String {
        let mut out = String::with_capacity(self.config.len() + 64 * self.collection_ids.len() + 512);
        out.push_str("{\"config\":");
        json::write_string(&mut out, &self.config);
        for (name, list) in [("ruleTags", &self.rule_tags), ("collectionIds", &self.collection_ids)] {
            let _ = write!(out, ",\"{name}\":[");
            for (index, item) in list.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                json::write_string(&mut out, item);
            }
            out.push(']');
        }
        out.push('}');
        out
    }

    /// Reads a whole metafield value back (the backend and tests; the Function needs less).
    pub fn from_metafield_json(text: &str) -> Result<Self, DecodeError> {
        let config = Reader::new(text)
            .object_field("config", |reader| reader.string().map(Cow::into_owned))?
            .ok_or(DecodeError::MissingConfig)?;
        let rule_tags = Reader::new(text)
            .object_field("ruleTags", Reader::string_array)?
            .ok_or(DecodeError::MissingVariable("ruleTags"))?;
        let collection_ids = Reader::new(text)
            .object_field("collectionIds", Reader::string_array)?
            .ok_or(DecodeError::MissingVariable("collectionIds"))?;
        Ok(Self { config, rule_tags, collection_ids })
    }

    /// The active rules this config holds, in priority order, as the merchant wrote them.
    pub fn rules(&self) -> Result<Vec<Rule>, DecodeError> {
        let config = Config::parse(Cow::Borrowed(&self.config))?;
        if config.tag_count != self.rule_tags.len() || config.collection_count != self.collection_ids.len() {
            return Err(DecodeError::VariablesMismatch);
        }
        let everything = vec![true; config.tag_count];
        config
            .rules_for(&everything)
            .map(|compiled| {
                let compiled = compiled?;
                let segment = self.rule_tags[compiled.tag]
                    .strip_prefix(crate::SEGMENT_TAG_PREFIX)
                    .ok_or(DecodeError::BadLine(compiled.line))?
                    .to_owned();
                let target = match compiled.target {
                    CompiledTarget::OrderSubtotal => Target::OrderSubtotal,
                    CompiledTarget::Shipping => Target::Shipping,
                    CompiledTarget::Collections(indices) => Target::Collections(
                        indices.iter().map(|&index| self.collection_ids[index].clone()).collect(),
                    ),
                    CompiledTarget::Products(numbers) => Target::Products(
                        numbers.iter().map(|number| format!("{PRODUCT_GID_PREFIX}{number}")).collect(),
                    ),
                };
                Ok(Rule {
                    segment,
                    title: compiled.title.to_owned(),
                    value: compiled.value,
                    target,
                    minimum_subtotal: compiled.minimum_subtotal,
                    minimum_quantity: compiled.minimum_quantity,
                    priority: compiled.priority,
                    active: true,
                })
            })
            .collect()
    }
}

/// Why a metafield value cannot be used; the Function then gives no discount.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The metafield is not the JSON object we write.
    #[error("metafield is not valid JSON: {0}")]
    Json(#[from] JsonError),
    /// The object has no `config` string.
    #[error("metafield has no \"config\" string")]
    MissingConfig,
    /// The object lacks an input-query variable.
    #[error("metafield has no \"{0}\" list")]
    MissingVariable(&'static str),
    /// The config was written by another encoder version.
    #[error("config does not start with \"{FORMAT}\"")]
    UnknownFormat,
    /// A rule line does not parse.
    #[error("config line {0} is malformed")]
    BadLine(usize),
    /// The config refers to more tags or collections than the variables list.
    #[error("config and input variables disagree")]
    VariablesMismatch,
}

/// A config as the Function reads it: the text, with only the header parsed.
#[derive(Debug)]
pub struct Config<'a> {
    text: Cow<'a, str>,
    /// How many `$ruleTags` the config was written with.
    pub tag_count: usize,
    /// How many `$collectionIds` the config was written with.
    pub collection_count: usize,
}

impl<'a> Config<'a> {
    /// Extracts the config text from the metafield's JSON value and reads its header.
    pub fn from_metafield_value(json: &'a str) -> Result<Self, DecodeError> {
        let text =
            Reader::new(json).object_field("config", Reader::string)?.ok_or(DecodeError::MissingConfig)?;
        Self::parse(text)
    }

    fn parse(text: Cow<'a, str>) -> Result<Self, DecodeError> {
        let header = text.split('\n').next().unwrap_or_default();
        let mut words = header.split(' ');
        if words.next() != Some(FORMAT) {
            return Err(DecodeError::UnknownFormat);
        }
        let mut count = || words.next().and_then(|word| parse_small(word, MAX_LIST_VARIABLE_ITEMS));
        let (Some(tag_count), Some(collection_count)) = (count(), count()) else {
            return Err(DecodeError::BadLine(0));
        };
        Ok(Self { text, tag_count, collection_count })
    }

    /// The rules whose tag is held (`held[i]` for tag `i`), highest priority first. A line is
    /// parsed only when its tag is held.
    pub fn rules_for<'c>(
        &'c self,
        held: &'c [bool],
    ) -> impl Iterator<Item = Result<CompiledRule<'c>, DecodeError>> + 'c {
        let collection_count = self.collection_count;
        self.text.split('\n').enumerate().skip(1).filter(|(_, line)| !line.is_empty()).filter_map(
            move |(number, line)| {
                let Some((tag, rest)) = line.split_once(' ') else {
                    return Some(Err(DecodeError::BadLine(number)));
                };
                let tag = parse_small(tag, MAX_LIST_VARIABLE_ITEMS);
                match tag.map(|tag| (tag, held.get(tag))) {
                    Some((tag, Some(true))) => Some(
                        parse_rule(tag, rest, collection_count, number).ok_or(DecodeError::BadLine(number)),
                    ),
                    Some((_, Some(false))) => None,
                    _ => Some(Err(DecodeError::BadLine(number))),
                }
            },
        )
    }
}

/// One decoded rule, borrowing from the config text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompiledRule<'a> {
    /// Index into `$ruleTags`.
    pub tag: usize,
    /// How much is taken off.
    pub value: DiscountValue,
    /// What the discount applies to.
    pub target: CompiledTarget<'a>,
    /// Minimum subtotal in the shop's currency.
    pub minimum_subtotal: Option<Decimal>,
    /// Minimum quantity of matching items.
    pub minimum_quantity: Option<u32>,
    /// Higher wins ties.
    pub priority: u32,
    /// Message shown to the buyer.
    pub title: &'a str,
    /// Line number in the config, for log lines.
    pub line: usize,
}

/// A decoded target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CompiledTarget<'a> {
    /// The order subtotal.
    OrderSubtotal,
    /// Lines in any of these collections (indices into `$collectionIds`).
    Collections(Vec<usize>),
    /// Lines of these products (numeric ids).
    Products(Vec<&'a str>),
    /// Shipping.
    Shipping,
}

impl CompiledTarget<'_> {
    /// Whether a product with this gid (`gid://shopify/Product/…`) is one of the listed products.
    pub fn lists_product(&self, product_gid: &str) -> bool {
        match (self, product_gid.strip_prefix(PRODUCT_GID_PREFIX)) {
            (Self::Products(numbers), Some(number)) => numbers.contains(&number),
            _ => false,
        }
    }
}

fn parse_rule(tag: usize, rest: &str, collection_count: usize, line: usize) -> Option<CompiledRule<'_>> {
    let mut fields = rest.splitn(6, ' ');
    let value = fields.next()?;
    let value = match value.as_bytes().first()? {
        b'%' => DiscountValue::Percentage(Decimal::parse(&value[1..]).ok()?),
        b'$' => DiscountValue::FixedAmount(Decimal::parse(&value[1..]).ok()?),
        _ => return None,
    };
    let target = fields.next()?;
    let target = match target.as_bytes().first()? {
        b'o' if target.len() == 1 => CompiledTarget::OrderSubtotal,
        b's' if target.len() == 1 => CompiledTarget::Shipping,
        b'c' => CompiledTarget::Collections(
            target[1..]
                .split(',')
                .map(|index| parse_small(index, collection_count.checked_sub(1)?))
                .collect::<Option<_>>()?,
        ),
        b'p' => {
            let numbers: Vec<&str> = target[1..].split(',').collect();
            let well_formed = numbers.iter().all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
            well_formed.then_some(CompiledTarget::Products(numbers))?
        }
        _ => return None,
    };
    let minimum_subtotal = optional(fields.next()?, |text| Decimal::parse(text).ok())?;
    let minimum_quantity = optional(fields.next()?, |text| text.parse().ok())?;
    let priority = fields.next()?.parse().ok()?;
    let title = fields.next()?;
    Some(CompiledRule { tag, value, target, minimum_subtotal, minimum_quantity, priority, title, line })
}

fn optional<T>(text: &str, parse: impl FnOnce(&str) -> Option<T>) -> Option<Option<T>> {
    if text == "-" { Some(None) } else { parse(text).map(Some) }
}

/// Parses a small decimal index, refusing anything above `max`.
fn parse_small(text: &str, max: usize) -> Option<usize> {
    if text.is_empty() || text.len() > 3 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let value: usize = text.bytes().fold(0, |acc, b| acc * 10 + usize::from(b - b'0'));
    (value <= max).then_some(value)
}

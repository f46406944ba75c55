//! The compact config the backend writes to the discount node's metafield and the Function reads.
//!
//! The metafield is one JSON object (docs/discount-config.md):
//! `{"config": "<text>", "ruleTags": [...], "collections0": [...]}` (one `collectionsN` list per
//! collection group the Function's query has).
//! Shopify passes every key but `config` to the input query as a variable; the Function reads
//! `config`, a text with a header and one record per active rule, highest priority first:
//!
//! ```text
//! seglink2 <tag count> <collection group count> <records length>|<len>:<rule>|<len>:<rule>|…
//! rule = <tag index> <%percent|$amount> <o|s|c<group>|p<id>,<id>…> <min subtotal|-> <min qty|-> <priority> <title>
//! ```
//!
//! `<len>` is the rule's length in bytes, so a reader steps over the rule of a tag the buyer
//! lacks without reading it, and titles may hold any text. Nothing in the text needs JSON
//! escaping unless a title does, which keeps the Function on its no-copy path.
//!
//! Rules on collections name a collection group: one distinct set of collections, checked per
//! cart line by one `inAnyCollection(ids: $collectionsN)` field.

use std::borrow::Cow;
use std::fmt::Write as _;

use crate::json::{self, JsonError, Reader};
use crate::validate::{
    MAX_COLLECTION_GROUPS, MAX_LIST_VARIABLE_ITEMS, MAX_METAFIELD_BYTES, gid_number, validate,
};
use crate::{Decimal, DiscountValue, Rule, Target, Violations};

/// Namespace of the discount node's config metafield.
pub const METAFIELD_NAMESPACE: &str = "$app:seglink";
/// Key of the discount node's config metafield.
pub const METAFIELD_KEY: &str = "config";
/// First word of the config text; a new encoding gets a new word.
const FORMAT: &str = "seglink2";
const PRODUCT_GID_PREFIX: &str = "gid://shopify/Product/";

/// The metafield value for a rule set: the config text and the input-query variables.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FunctionConfig {
    /// The compact rule text the Function decodes.
    pub config: String,
    /// Variable `$ruleTags`: the segment tags the active rules need, in index order.
    pub rule_tags: Vec<String>,
    /// Variables `$collections0`…: the distinct collection sets of the collection rules.
    pub collection_groups: Vec<Vec<String>>,
}

/// The input-query variable that holds collection group `index`.
pub fn collection_group_variable(index: usize) -> String {
    format!("collections{index}")
}

/// Validates `rules` and encodes the active ones, refusing a result Shopify would drop.
pub fn compile(rules: &[Rule]) -> Result<FunctionConfig, Violations> {
    validate(rules)?;
    let mut active: Vec<&Rule> = rules.iter().filter(|rule| rule.active).collect();
    // Stable: equal priorities keep the merchant's order.
    active.sort_by_key(|rule| std::cmp::Reverse(rule.priority));

    let mut rule_tags: Vec<String> = Vec::new();
    let mut collection_groups: Vec<Vec<String>> = Vec::new();
    let mut records = String::new();
    let mut record = String::new();
    for rule in active {
        let tag = index_of(&mut rule_tags, rule.segment_tag());
        record.clear();
        write_rule(&mut record, rule, tag, &mut collection_groups);
        let _ = write!(records, "|{}:{record}", record.len());
    }
    let config =
        format!("{FORMAT} {} {} {}{records}", rule_tags.len(), collection_groups.len(), records.len());
    let compiled = FunctionConfig { config, rule_tags, collection_groups };

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

fn index_of<T: PartialEq>(list: &mut Vec<T>, item: T) -> usize {
    list.iter().position(|existing| *existing == item).unwrap_or_else(|| {
        list.push(item);
        list.len() - 1
    })
}

fn write_rule(out: &mut String, rule: &Rule, tag: usize, groups: &mut Vec<Vec<String>>) {
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
            let _ = write!(out, "c{}", index_of(groups, collection_set(ids)));
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
    let _ = write!(out, " {} {}", rule.priority, rule.title);
}

/// A rule's collections as a group: sorted and without repeats, so equal sets share a group.
pub fn collection_set(ids: &[String]) -> Vec<String> {
    let mut set = ids.to_vec();
    set.sort();
    set.dedup();
    set
}

impl FunctionConfig {
    /// The metafield's JSON value: `config` first, so a reader finds it without skipping, and
    /// every collection variable present (empty when unused) so none reaches the query as null.
    pub fn to_metafield_json(&self) -> String {
        let mut out = String::with_capacity(self.config.len() + 2048);
        out.push_str("{\"config\":");
        json::write_string(&mut out, &self.config);
        let empty = Vec::new();
        let groups = (0..MAX_COLLECTION_GROUPS).map(|index| {
            (collection_group_variable(index), self.collection_groups.get(index).unwrap_or(&empty))
        });
        for (name, list) in [("ruleTags".to_owned(), &self.rule_tags)].into_iter().chain(groups) {
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
        let mut collection_groups = Vec::new();
        for index in 0..MAX_COLLECTION_GROUPS {
            let group = Reader::new(text)
                .object_field(&collection_group_variable(index), Reader::string_array)?
                .ok_or(DecodeError::MissingVariable("collectionsN"))?;
            collection_groups.push(group);
        }
        // Unused groups are written empty; the header says how many are in use.
        let in_use = Config::parse(Cow::Borrowed(&config))?.collection_count;
        collection_groups.truncate(in_use);
        Ok(Self { config, rule_tags, collection_groups })
    }

    /// The active rules this config holds, in priority order, as the merchant wrote them.
    pub fn rules(&self) -> Result<Vec<Rule>, DecodeError> {
        let config = Config::parse(Cow::Borrowed(&self.config))?;
        if config.tag_count != self.rule_tags.len() || config.collection_count != self.collection_groups.len()
        {
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
                    CompiledTarget::Collections(group) => {
                        Target::Collections(self.collection_groups[group].clone())
                    }
                    CompiledTarget::Products(list) => Target::Products(
                        list.to_numbers()
                            .iter()
                            .map(|number| format!("{PRODUCT_GID_PREFIX}{number}"))
                            .collect(),
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
    /// A rule record does not parse.
    #[error("config rule {0} is malformed")]
    BadLine(usize),
    /// The config refers to more tags or collections than the variables list.
    #[error("config and input variables disagree")]
    VariablesMismatch,
}

impl DecodeError {
    /// What went wrong, as a fixed phrase: the Function logs it without `core::fmt`.
    pub fn summary(&self) -> &'static str {
        match self {
            Self::Json(_) => "metafield is not valid JSON",
            Self::MissingConfig => "metafield has no config string",
            Self::MissingVariable(_) => "metafield lacks an input variable",
            Self::UnknownFormat => "config has an unknown format",
            Self::BadLine(0) => "config header is malformed",
            Self::BadLine(_) => "config rule is malformed",
            Self::VariablesMismatch => "config and input variables disagree",
        }
    }

    /// The position of the malformed rule (1 for the first), if a rule is at fault.
    pub fn rule(&self) -> Option<usize> {
        match self {
            Self::BadLine(rule) if *rule > 0 => Some(*rule),
            _ => None,
        }
    }
}

/// A config as the Function reads it: the text, with only the header parsed.
#[derive(Debug)]
pub struct Config<'a> {
    text: Cow<'a, str>,
    header_end: usize,
    /// How many `$ruleTags` the config was written with.
    pub tag_count: usize,
    /// How many collection groups (`$collections0`…) the config uses.
    pub collection_count: usize,
}

impl<'a> Config<'a> {
    /// Extracts the config text from the metafield's JSON value and reads its header.
    pub fn from_metafield_value(json: &'a str) -> Result<Self, DecodeError> {
        if let Some(config) = Self::as_written(json) {
            return Ok(config);
        }
        let text =
            Reader::new(json).object_field("config", Reader::string)?.ok_or(DecodeError::MissingConfig)?;
        Self::parse(text)
    }

    /// The config of a metafield value exactly as [`FunctionConfig::to_metafield_json`] writes
    /// it when no title needs escaping: the end of the string is found from the header's length
    /// instead of by scanning every byte for the closing quote. `None` for any other form.
    fn as_written(json: &'a str) -> Option<Self> {
        let rest = json.strip_prefix("{\"config\":\"")?;
        // In JSON the header is followed by `|` when there are records; anything else (no
        // records, an escape) takes the general path.
        let header = Header::read(rest, false)?;
        let end = header.end.checked_add(header.records_length)?;
        // The string ends at `end` only if the quote there is not itself escaped; if any escape
        // came before it, the raw text would be longer than the header says.
        let escaping = rest.as_bytes().get(..end)?.iter().rev().take_while(|&&byte| byte == b'\\').count();
        if rest.as_bytes().get(end) != Some(&b'"') || !escaping.is_multiple_of(2) {
            return None;
        }
        Some(Self {
            text: Cow::Borrowed(rest.get(..end)?),
            header_end: header.end,
            tag_count: header.tag_count,
            collection_count: header.collection_count,
        })
    }

    fn parse(text: Cow<'a, str>) -> Result<Self, DecodeError> {
        if !text.starts_with(FORMAT) {
            return Err(DecodeError::UnknownFormat);
        }
        let header = Header::read(&text, true).ok_or(DecodeError::BadLine(0))?;
        // A config cut short or run together with something else is not one we wrote.
        if text.len() != header.end + header.records_length {
            return Err(DecodeError::BadLine(0));
        }
        Ok(Self {
            header_end: header.end,
            tag_count: header.tag_count,
            collection_count: header.collection_count,
            text,
        })
    }

    /// The rules whose tag is held (`held[i]` for tag `i`), highest priority first. A rule is
    /// parsed only when its tag is held; the others are stepped over by their length.
    pub fn rules_for<'c>(
        &'c self,
        held: &'c [bool],
    ) -> impl Iterator<Item = Result<CompiledRule<'c>, DecodeError>> + 'c {
        let text: &'c str = &self.text;
        let mut position = self.header_end;
        let mut number = 0;
        let collection_count = self.collection_count;
        std::iter::from_fn(move || {
            while position < text.len() {
                number += 1;
                // After a malformed record the lengths that follow cannot be trusted: stop.
                let Some(record) = next_record(text.as_bytes(), position) else {
                    position = text.len();
                    return Some(Err(DecodeError::BadLine(number)));
                };
                position = record.end;
                match held.get(record.tag) {
                    Some(true) => {
                        let rule = text
                            .get(record.fields..record.end)
                            .and_then(|fields| parse_rule(record.tag, fields, collection_count, number));
                        return Some(rule.ok_or(DecodeError::BadLine(number)));
                    }
                    Some(false) => {}
                    None => return Some(Err(DecodeError::BadLine(number))),
                }
            }
            None
        })
    }
}

/// A length of at most five digits.
fn parse_length(text: &str) -> Option<usize> {
    parse_digits(text, 5)
}

/// A whole number of 1 to `max_digits` decimal digits, nothing else.
fn parse_digits(text: &str, max_digits: usize) -> Option<usize> {
    let digits =
        !text.is_empty() && text.len() <= max_digits && text.bytes().all(|byte| byte.is_ascii_digit());
    digits.then(|| text.bytes().fold(0, |value, byte| value * 10 + usize::from(byte - b'0')))
}

/// The config's header: `seglink2 <tag count> <collection group count> <records length>`.
struct Header {
    tag_count: usize,
    collection_count: usize,
    records_length: usize,
    /// Where the records start: the first `|`, or the end of a config without records.
    end: usize,
}

impl Header {
    /// Reads the header at the start of `text`; with `may_end_text`, a config without records
    /// may end right after it.
    fn read(text: &str, may_end_text: bool) -> Option<Self> {
        let bytes = text.as_bytes();
        let position = text.strip_prefix(FORMAT)?.strip_prefix(' ').map(|rest| text.len() - rest.len())?;
        let (tag_count, position) = leading_number(bytes, position, b' ', 3)?;
        let (collection_count, position) = leading_number(bytes, position, b' ', 1)?;
        let (records_length, end) = match leading_number(bytes, position, b'|', 5) {
            Some((length, after_bar)) => (length, after_bar - 1),
            None if may_end_text => (parse_length(text.get(position..)?)?, text.len()),
            None => return None,
        };
        (tag_count <= MAX_LIST_VARIABLE_ITEMS && collection_count <= MAX_COLLECTION_GROUPS).then_some(Self {
            tag_count,
            collection_count,
            records_length,
            end,
        })
    }
}

/// Where a `|<len>:<tag> <fields>` record sits in the config text.
struct RecordBounds {
    tag: usize,
    /// Start of the fields after the tag.
    fields: usize,
    end: usize,
}

/// The record at `position`. Byte loops: this runs for every rule on every tagged checkout.
fn next_record(bytes: &[u8], position: usize) -> Option<RecordBounds> {
    if bytes.get(position) != Some(&b'|') {
        return None;
    }
    let (length, start) = leading_number(bytes, position + 1, b':', 5)?;
    let end = start.checked_add(length).filter(|&end| end <= bytes.len())?;
    let (tag, fields) = leading_number(bytes, start, b' ', 3)?;
    (fields <= end).then_some(RecordBounds { tag, fields, end })
}

/// The decimal number at `position`, of at most `max_digits` digits, ended by `terminator`, and
/// the position after the terminator.
fn leading_number(
    bytes: &[u8],
    position: usize,
    terminator: u8,
    max_digits: usize,
) -> Option<(usize, usize)> {
    let mut value = 0usize;
    let mut index = position;
    loop {
        let byte = *bytes.get(index)?;
        if byte == terminator {
            break;
        }
        if !byte.is_ascii_digit() || index - position == max_digits {
            return None;
        }
        value = value * 10 + usize::from(byte - b'0');
        index += 1;
    }
    (index > position).then_some((value, index + 1))
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
    /// Position of the rule in the config (1 for the first), for log lines.
    pub line: usize,
}

/// A decoded target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CompiledTarget<'a> {
    /// The order subtotal.
    OrderSubtotal,
    /// Lines in any collection of this group (`$collections<group>`).
    Collections(usize),
    /// Lines of these products.
    Products(ProductList<'a>),
    /// Shipping.
    Shipping,
}

/// The numeric ids of a product rule's products, as the config lists them: `123,456`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProductList<'a>(&'a str);

impl ProductList<'_> {
    /// The ids as numbers, for comparing with [`product_number`] once per cart line. (Split on
    /// bytes: `str::split` with a char costs several times more in the Function.)
    pub fn to_numbers(self) -> Vec<u64> {
        self.0.as_bytes().split(|&byte| byte == b',').filter_map(parse_id).collect()
    }
}

/// The number of a product gid (`gid://shopify/Product/123` is 123).
pub fn product_number(product_gid: &str) -> Option<u64> {
    parse_id(product_gid.strip_prefix(PRODUCT_GID_PREFIX)?.as_bytes())
}

/// A Shopify id number: digits without a leading zero, as validation admits.
fn parse_id(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || digits.len() > 19 || digits[0] == b'0' {
        return None;
    }
    digits.iter().try_fold(0u64, |number, &digit| {
        digit.is_ascii_digit().then(|| number * 10 + u64::from(digit - b'0'))
    })
}

fn parse_rule(tag: usize, rest: &str, collection_count: usize, line: usize) -> Option<CompiledRule<'_>> {
    let (value, rest) = split_field(rest)?;
    let value = match value.as_bytes().first()? {
        b'%' => DiscountValue::Percentage(Decimal::parse(value.get(1..)?).ok()?),
        b'$' => DiscountValue::FixedAmount(Decimal::parse(value.get(1..)?).ok()?),
        _ => return None,
    };
    let (target, rest) = split_field(rest)?;
    let target = match target.as_bytes().first()? {
        b'o' if target.len() == 1 => CompiledTarget::OrderSubtotal,
        b's' if target.len() == 1 => CompiledTarget::Shipping,
        b'c' => CompiledTarget::Collections(parse_small(target.get(1..)?, collection_count.checked_sub(1)?)?),
        b'p' => {
            let numbers = target.get(1..)?;
            let well_formed = numbers.as_bytes().split(|&byte| byte == b',').all(|n| parse_id(n).is_some());
            well_formed.then_some(CompiledTarget::Products(ProductList(numbers)))?
        }
        _ => return None,
    };
    let (minimum_subtotal, rest) = split_field(rest)?;
    let minimum_subtotal = optional(minimum_subtotal, |text| Decimal::parse(text).ok())?;
    let (minimum_quantity, rest) = split_field(rest)?;
    let minimum_quantity = optional(minimum_quantity, |text| u32::try_from(parse_digits(text, 9)?).ok())?;
    let (priority, title) = split_field(rest)?;
    let priority = u32::try_from(parse_digits(priority, 9)?).ok()?;
    Some(CompiledRule { tag, value, target, minimum_subtotal, minimum_quantity, priority, title, line })
}

/// The text up to the first space and the text after it. A byte search: `str::split_once`
/// with a char pattern costs several times more instructions in the Function.
fn split_field(text: &str) -> Option<(&str, &str)> {
    let space = text.bytes().position(|byte| byte == b' ')?;
    Some((text.get(..space)?, text.get(space + 1..)?))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn compiled(title: &str) -> FunctionConfig {
        compile(&[Rule { title: title.to_owned(), ..crate::model::example_rule() }]).unwrap()
    }

    #[test]
    fn the_written_form_is_read_without_a_scan_and_agrees_with_the_general_reader() {
        let json = compiled("VIP 15% off").to_metafield_json();
        let fast = Config::as_written(&json).expect("our own output takes the fast path");
        let text = Reader::new(&json).object_field("config", Reader::string).unwrap().unwrap();
        let general = Config::parse(text.clone()).unwrap();
        assert_eq!(fast.text, text);
        assert_eq!(
            (fast.header_end, fast.tag_count, fast.collection_count),
            (general.header_end, general.tag_count, general.collection_count)
        );
    }

    #[test]
    fn escaped_titles_and_other_forms_fall_back_to_the_general_reader() {
        for title in ["Say \"hi\"", "back\\slash", "ends with \\"] {
            let json = compiled(title).to_metafield_json();
            assert!(Config::as_written(&json).is_none(), "{title:?}");
            let config = Config::from_metafield_value(&json).unwrap();
            let rule = config.rules_for(&[true]).next().unwrap().unwrap();
            assert_eq!(rule.title, title);
        }
        // Another key order, as a re-serialising store might produce.
        let written = compiled("VIP").to_metafield_json();
        let value: serde_json::Value = serde_json::from_str(&written).unwrap();
        let reordered =
            serde_json::json!({ "ruleTags": value["ruleTags"], "config": value["config"] }).to_string();
        assert!(Config::as_written(&reordered).is_none());
        assert_eq!(Config::from_metafield_value(&reordered).unwrap().tag_count, 1);
    }

    #[test]
    fn a_config_without_rules_reads_as_empty() {
        let json = compile(&[]).unwrap().to_metafield_json();
        assert!(Config::as_written(&json).is_none());
        let config = Config::from_metafield_value(&json).unwrap();
        assert_eq!((config.tag_count, config.rules_for(&[]).count()), (0, 0));
    }

    #[test]
    fn a_header_whose_length_disagrees_with_the_text_is_refused() {
        let json = compiled("VIP").to_metafield_json();
        let config: serde_json::Value = serde_json::from_str(&json).unwrap();
        let text = config["config"].as_str().unwrap();
        for broken in [text.replacen(" 1 0 ", " 1 0 9", 1), format!("{text}|3:0 x")] {
            let broken = serde_json::json!({ "config": broken }).to_string();
            assert_eq!(Config::from_metafield_value(&broken).unwrap_err(), DecodeError::BadLine(0));
        }
    }
}

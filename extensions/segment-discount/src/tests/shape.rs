//! The positions in `shape` against the field order of the two input queries: an edit to a
//! query that moves a field the Function reads fails here rather than at a checkout.

use discount_rules::MAX_COLLECTION_GROUPS;

use crate::shape::{buyer, delivery_cart, discount, line_cart, money, root};

const CART_LINES_QUERY: &str = include_str!("../cart_lines_discounts_generate_run.graphql");
const DELIVERY_QUERY: &str = include_str!("../cart_delivery_options_discounts_generate_run.graphql");

/// A selected field: its response key (alias or name) and its own selections, with inline
/// fragments flattened into their parent as they are in a response.
#[derive(Debug)]
struct Field {
    key: String,
    fields: Vec<Field>,
}

/// Reads the selections of our query files: names, aliases, arguments, inline fragments.
struct Reader<'q> {
    tokens: Vec<&'q str>,
    next: usize,
}

impl<'q> Reader<'q> {
    fn new(query: &'q str) -> Self {
        let mut tokens = Vec::new();
        let mut rest = query;
        while let Some(start) = rest.find(|c: char| !c.is_whitespace() && c != ',') {
            rest = &rest[start..];
            let length = if rest.starts_with("...") {
                3
            } else if rest.starts_with('#') {
                rest.find('\n').unwrap_or(rest.len())
            } else if rest.starts_with('(') {
                // Arguments and variable definitions matter to Shopify, not to field order.
                rest.find(')').expect("unclosed parenthesis") + 1
            } else if rest.starts_with(['{', '}', ':']) {
                1
            } else {
                rest.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$')).unwrap_or(rest.len())
            };
            if !rest.starts_with('#') && !rest.starts_with('(') {
                tokens.push(&rest[..length]);
            }
            rest = &rest[length..];
        }
        Self { tokens, next: 0 }
    }

    fn take(&mut self) -> &'q str {
        let token = self.tokens[self.next];
        self.next += 1;
        token
    }

    fn peek(&self) -> &'q str {
        self.tokens[self.next]
    }

    /// The fields of the one operation.
    fn operation(mut self) -> Vec<Field> {
        while self.peek() != "{" {
            self.take();
        }
        self.selections()
    }

    fn selections(&mut self) -> Vec<Field> {
        assert_eq!(self.take(), "{");
        let mut fields = Vec::new();
        while self.peek() != "}" {
            if self.peek() == "..." {
                self.take();
                assert_eq!(self.take(), "on");
                self.take();
                fields.extend(self.selections());
                continue;
            }
            let mut key = self.take().to_owned();
            if self.peek() == ":" {
                self.take();
                self.take();
            }
            let fields_below = if self.peek() == "{" { self.selections() } else { Vec::new() };
            key.shrink_to_fit();
            fields.push(Field { key, fields: fields_below });
        }
        self.take();
        fields
    }
}

/// The position of each key of `path`, one level at a time.
fn positions(fields: &[Field], path: &[&str]) -> Vec<usize> {
    let mut level = fields;
    path.iter()
        .map(|key| {
            let index = level
                .iter()
                .position(|field| field.key == *key)
                .unwrap_or_else(|| panic!("no field {key} in {path:?}"));
            level = &level[index].fields;
            index
        })
        .collect()
}

fn assert_shared_head(fields: &[Field]) {
    let customer = ["cart", "buyerIdentity", "customer"];
    assert_eq!(positions(fields, &customer), [root::CART, buyer::BUYER_IDENTITY, buyer::CUSTOMER]);
    assert_eq!(positions(fields, &[&customer[..], &["hasAnyTag"]].concat())[3], buyer::HAS_ANY_TAG);
    assert_eq!(
        positions(fields, &[&customer[..], &["hasTags", "hasTag"]].concat())[3..],
        [buyer::HAS_TAGS, buyer::HAS_TAG]
    );
    assert_eq!(
        positions(fields, &["discount", "discountClasses"]),
        [root::DISCOUNT, discount::DISCOUNT_CLASSES]
    );
    assert_eq!(
        positions(fields, &["discount", "metafield", "value"])[1..],
        [discount::METAFIELD, discount::VALUE]
    );
    assert_eq!(positions(fields, &["presentmentCurrencyRate"]), [root::PRESENTMENT_CURRENCY_RATE]);
}

#[test]
fn shape_matches_the_cart_lines_query() {
    let fields = Reader::new(CART_LINES_QUERY).operation();
    assert_shared_head(&fields);
    assert_eq!(positions(&fields, &["lineCart", "lines"]), [root::TARGET_CART, line_cart::LINES]);
    assert_eq!(
        positions(&fields, &["lineCart", "cost", "subtotalAmount", "amount"])[1..],
        [line_cart::COST, money::SUBTOTAL_AMOUNT, money::AMOUNT]
    );
    let line = ["lineCart", "lines"];
    assert_eq!(positions(&fields, &[&line[..], &["merchandise"]].concat())[2], line_cart::MERCHANDISE);
    assert_eq!(positions(&fields, &[&line[..], &["id"]].concat())[2], line_cart::ID);
    assert_eq!(positions(&fields, &[&line[..], &["quantity"]].concat())[2], line_cart::QUANTITY);
    let product = ["lineCart", "lines", "merchandise", "product"];
    assert_eq!(positions(&fields, &product)[3], line_cart::PRODUCT);
    for group in 0..MAX_COLLECTION_GROUPS {
        let key = format!("collectionGroup{group}");
        assert_eq!(positions(&fields, &[&product[..], &[key.as_str()]].concat())[4], group);
    }
    assert_eq!(positions(&fields, &[&product[..], &["id"]].concat())[4], line_cart::PRODUCT_ID);
    let product_fields = &fields[root::TARGET_CART].fields[line_cart::LINES].fields[line_cart::MERCHANDISE]
        .fields[line_cart::PRODUCT]
        .fields;
    assert_eq!(product_fields.len(), MAX_COLLECTION_GROUPS + 1, "one field per collection group, then id");
}

#[test]
fn shape_matches_the_delivery_query() {
    let fields = Reader::new(DELIVERY_QUERY).operation();
    assert_shared_head(&fields);
    assert_eq!(
        positions(&fields, &["deliveryCart", "cost", "subtotalAmount", "amount"]),
        [root::TARGET_CART, delivery_cart::COST, money::SUBTOTAL_AMOUNT, money::AMOUNT]
    );
    let option = ["deliveryCart", "deliveryGroups", "deliveryOptions"];
    assert_eq!(
        positions(&fields, &option)[1..],
        [delivery_cart::DELIVERY_GROUPS, delivery_cart::DELIVERY_OPTIONS]
    );
    assert_eq!(positions(&fields, &[&option[..], &["handle"]].concat())[3], delivery_cart::HANDLE);
    assert_eq!(
        positions(&fields, &[&option[..], &["cost", "amount"]].concat())[3..],
        [delivery_cart::OPTION_COST, money::AMOUNT]
    );
}

//! Function inputs as Shopify would build them from a cart, a buyer and the config metafield:
//! `hasAnyTag`, `hasTags` and the aliased `inAnyCollection` fields are resolved here, and keys follow the queries'
//! selection order, which is the order Shopify sends. Shared by the tests and the benchmark
//! input generator (`examples/bench_inputs.rs`).

use discount_rules::{Decimal, DiscountValue, FunctionConfig, MAX_COLLECTION_GROUPS, Rule, Target};
use serde_json::{Value, json};

/// An active rule with no minimums and priority 0.
pub fn rule(segment: &str, title: &str, value: DiscountValue, target: Target) -> Rule {
    Rule {
        segment: segment.to_owned(),
        title: title.to_owned(),
        value,
        target,
        minimum_subtotal: None,
        minimum_quantity: None,
        priority: 0,
        active: true,
    }
}

pub fn percent(text: &str) -> DiscountValue {
    DiscountValue::Percentage(Decimal::parse(text).unwrap())
}

pub fn fixed(text: &str) -> DiscountValue {
    DiscountValue::FixedAmount(Decimal::parse(text).unwrap())
}

/// Who is checking out.
pub enum Buyer<'a> {
    /// Not signed in: Shopify gives no customer.
    Guest,
    /// A signed-in customer with these tags.
    Customer(&'a [&'a str]),
}

/// A cart line.
#[derive(Clone)]
pub struct Line {
    pub id: String,
    pub quantity: u32,
    pub subtotal: String,
    /// `None` for a custom product (no product to match).
    pub product: Option<Product>,
}

/// A line's product: its gid and the collections it is in.
#[derive(Clone)]
pub struct Product {
    pub id: String,
    pub collections: Vec<String>,
}

impl Line {
    /// Line `n` of a product in `collections`, `quantity` items for `subtotal` in all.
    pub fn of(n: usize, product: u64, collections: &[&str], quantity: u32, subtotal: &str) -> Self {
        Self {
            id: format!("gid://shopify/CartLine/{n}"),
            quantity,
            subtotal: subtotal.to_owned(),
            product: Some(Product {
                id: format!("gid://shopify/Product/{product}"),
                collections: collections.iter().map(|&c| c.to_owned()).collect(),
            }),
        }
    }
}

/// The cart's subtotal: the sum of its lines' subtotals.
pub fn subtotal(lines: &[Line]) -> String {
    let total = lines
        .iter()
        .map(|line| Decimal::parse(&line.subtotal).expect("test subtotals are decimals"))
        .fold(Decimal::ZERO, Decimal::saturating_add);
    total.to_string()
}

/// The delivery options of one delivery group: (handle, price).
pub type DeliveryGroup<'a> = &'a [(&'a str, &'a str)];

/// The parts every target reads first.
pub struct Checkout<'a> {
    pub buyer: Buyer<'a>,
    pub classes: &'a [&'a str],
    /// The metafield value Shopify would deliver; `None` when absent or over 10,000 bytes.
    pub metafield: Option<String>,
    pub rate: &'a str,
}

impl<'a> Checkout<'a> {
    /// A tagged customer on a shop-currency cart with every discount class.
    pub fn new(config: &FunctionConfig, tags: &'a [&'a str]) -> Self {
        Self {
            buyer: Buyer::Customer(tags),
            classes: &["ORDER", "PRODUCT", "SHIPPING"],
            metafield: Some(config.to_metafield_json()),
            rate: "1.0",
        }
    }

    fn variables(&self) -> (Vec<String>, Vec<Vec<String>>) {
        self.metafield
            .as_deref()
            .and_then(|json| FunctionConfig::from_metafield_json(json).ok())
            .map(|config| (config.rule_tags, config.collection_groups))
            .unwrap_or_default()
    }

    fn head(&self) -> (Value, Value) {
        let (rule_tags, _) = self.variables();
        let customer = match self.buyer {
            Buyer::Guest => Value::Null,
            Buyer::Customer(tags) => {
                let has: Vec<bool> = rule_tags.iter().map(|tag| tags.contains(&tag.as_str())).collect();
                json!({
                    "hasAnyTag": has.iter().any(|&held| held),
                    "hasTags": has.iter().map(|&held| json!({ "hasTag": held })).collect::<Vec<_>>(),
                })
            }
        };
        let cart = json!({ "buyerIdentity": { "customer": customer } });
        let metafield = self.metafield.as_ref().map(|value| json!({ "value": value }));
        let discount = json!({ "discountClasses": self.classes, "metafield": metafield });
        (cart, discount)
    }

    /// Input of `cart.lines.discounts.generate.run`.
    pub fn lines_input(&self, lines_in: &[Line]) -> Value {
        let (_, collection_groups) = self.variables();
        let (cart, discount) = self.head();
        let lines: Vec<Value> = lines_in
            .iter()
            .map(|line| {
                let merchandise = match &line.product {
                    None => json!({}),
                    Some(product) => {
                        let mut fields = serde_json::Map::new();
                        for group in 0..MAX_COLLECTION_GROUPS {
                            let ids = collection_groups.get(group).map(Vec::as_slice).unwrap_or_default();
                            let member = ids.iter().any(|id| product.collections.contains(id));
                            fields.insert(format!("collectionGroup{group}"), member.into());
                        }
                        fields.insert("id".to_owned(), product.id.clone().into());
                        json!({ "product": fields })
                    }
                };
                json!({ "id": line.id, "merchandise": merchandise, "quantity": line.quantity })
            })
            .collect();
        json!({
            "cart": cart,
            "discount": discount,
            "presentmentCurrencyRate": self.rate,
            "lineCart": {
                "lines": lines,
                "cost": { "subtotalAmount": { "amount": subtotal(lines_in) } },
            },
        })
    }

    /// Input of `cart.delivery-options.discounts.generate.run`.
    pub fn delivery_input(&self, subtotal: &str, groups: &[DeliveryGroup<'_>]) -> Value {
        let (cart, discount) = self.head();
        let groups: Vec<Value> = groups
            .iter()
            .map(|options| {
                let options: Vec<Value> = options
                    .iter()
                    .map(|(handle, price)| json!({ "handle": handle, "cost": { "amount": price } }))
                    .collect();
                json!({ "deliveryOptions": options })
            })
            .collect();
        json!({
            "cart": cart,
            "discount": discount,
            "presentmentCurrencyRate": self.rate,
            "deliveryCart": {
                "cost": { "subtotalAmount": { "amount": subtotal } },
                "deliveryGroups": groups,
            },
        })
    }
}

//! A shop's records as the simulator keeps them: the parts of Shopify's data Seglink reads.
//!
//! Money is in the shop currency's minor units (cents) so sums are exact; times are Unix seconds.

use serde::Serialize;

/// Everything in one shop.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Shop {
    /// `<handle>.myshopify.com`.
    pub domain: String,
    /// ISO 4217 code of the shop's currency.
    pub currency: String,
    /// Customers, by ascending id.
    pub customers: Vec<Customer>,
    /// Products, by ascending id.
    pub products: Vec<Product>,
    /// Collections, by ascending id.
    pub collections: Vec<Collection>,
    /// Orders, by ascending id, which is also the order they were placed in.
    pub orders: Vec<Order>,
}

/// A customer account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Customer {
    /// Numeric id; the GID is `gid://shopify/Customer/<id>`.
    pub id: u64,
    /// Unique within the shop.
    pub email: String,
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// ISO 3166-1 alpha-2 code of the default address.
    pub country_code: String,
    /// Tags as Shopify stores them: unique, in the order they were added.
    pub tags: Vec<String>,
    /// Whether they agreed to marketing email.
    pub accepts_marketing: bool,
    /// When the account was made.
    pub created_at: u64,
}

/// A product and its variants.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Product {
    /// Numeric id; the GID is `gid://shopify/Product/<id>`.
    pub id: u64,
    /// Title.
    pub title: String,
    /// URL handle, unique within the shop.
    pub handle: String,
    /// Kind of product.
    pub product_type: String,
    /// Tags.
    pub tags: Vec<String>,
    /// At least one.
    pub variants: Vec<Variant>,
}

/// One purchasable variant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Variant {
    /// Numeric id; the GID is `gid://shopify/ProductVariant/<id>`.
    pub id: u64,
    /// Title, such as `M / Blue`.
    pub title: String,
    /// Stock keeping unit, unique within the shop.
    pub sku: String,
    /// Unit price in minor units.
    pub price_cents: u64,
}

/// A manual collection.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Collection {
    /// Numeric id; the GID is `gid://shopify/Collection/<id>`.
    pub id: u64,
    /// Title.
    pub title: String,
    /// URL handle.
    pub handle: String,
    /// Ids of the products in it.
    pub product_ids: Vec<u64>,
}

/// Where an order's payment stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FinancialStatus {
    /// Paid in full.
    Paid,
    /// Paid and partly refunded.
    PartiallyRefunded,
    /// Paid and refunded in full.
    Refunded,
    /// Payment authorised, not captured.
    Authorized,
}

/// An order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Order {
    /// Numeric id; the GID is `gid://shopify/Order/<id>`.
    pub id: u64,
    /// `#1001` and up.
    pub name: String,
    /// The buyer, or `None` for a guest checkout.
    pub customer_id: Option<u64>,
    /// When it was placed.
    pub created_at: u64,
    /// Lines, at least one.
    pub lines: Vec<OrderLine>,
    /// Sum of the lines.
    pub subtotal_cents: u64,
    /// Payment state, which follows the refunds.
    pub financial_status: FinancialStatus,
    /// When it was cancelled, if it was.
    pub cancelled_at: Option<u64>,
    /// Refunds, oldest first.
    pub refunds: Vec<Refund>,
}

/// One line of an order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OrderLine {
    /// The product bought.
    pub product_id: u64,
    /// The variant bought.
    pub variant_id: u64,
    /// How many.
    pub quantity: u32,
    /// Unit price paid, in minor units.
    pub price_cents: u64,
}

/// Money given back on an order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Refund {
    /// Numeric id; the GID is `gid://shopify/Refund/<id>`.
    pub id: u64,
    /// When it was made.
    pub created_at: u64,
    /// Amount in minor units.
    pub amount_cents: u64,
}

impl OrderLine {
    /// Quantity times unit price.
    pub fn total_cents(&self) -> u64 {
        u64::from(self.quantity) * self.price_cents
    }
}

impl Order {
    /// What has been refunded so far.
    pub fn refunded_cents(&self) -> u64 {
        self.refunds.iter().map(|refund| refund.amount_cents).sum()
    }
}

/// `gid://shopify/<kind>/<id>`, the form every Admin API id takes.
pub fn gid(kind: &str, id: u64) -> String {
    format!("gid://shopify/{kind}/{id}")
}

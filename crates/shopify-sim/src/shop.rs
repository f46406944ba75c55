//! A shop's records as the simulator keeps them: the parts of Shopify's data Seglink reads.
//!
//! Money is in the shop currency's minor units (cents) so sums are exact; times are Unix seconds.

use serde::Serialize;

use crate::metafields::MetafieldStore;

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
    /// Metafields by owner; none in a freshly seeded shop.
    #[serde(skip_serializing_if = "MetafieldStore::is_empty")]
    pub metafields: MetafieldStore,
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
    /// The listing as a shopper and a search engine read it.
    pub listing: Listing,
}

/// What a product's page shows beyond its title and variants.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Listing {
    /// The description, as HTML.
    pub description_html: String,
    /// Brand or maker.
    pub vendor: String,
    /// The title search results show, when it differs from the product's.
    pub seo_title: Option<String>,
    /// The description search results show.
    pub seo_description: Option<String>,
    /// Images, in order.
    pub images: Vec<ProductImage>,
}

/// One product image.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProductImage {
    /// Numeric id; the media GID is `gid://shopify/MediaImage/<id>`.
    pub id: u64,
    /// Alt text, if the merchant wrote one.
    pub alt: Option<String>,
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
    /// The price before a sale, in minor units, shown struck through.
    pub compare_at_price_cents: Option<u64>,
    /// GTIN, UPC or ISBN.
    pub barcode: Option<String>,
    /// Units in stock.
    pub inventory_quantity: i64,
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
    /// The email a guest checked out with; a customer's order carries the customer's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guest_email: Option<String>,
    /// The token of the checkout that became this order: the storefront's pixel reports the same
    /// one in `checkout_completed`, which is how an app ties a browser to a verified buyer.
    pub checkout_token: String,
    /// When it was placed.
    pub created_at: u64,
    /// Lines, at least one.
    pub lines: Vec<OrderLine>,
    /// Sum of the lines.
    pub subtotal_cents: u64,
    /// What discounts took off the lines (none in a seeded shop, which serialises without it).
    #[serde(skip_serializing_if = "is_zero")]
    pub discount_cents: u64,
    /// Payment state, which follows the refunds.
    pub financial_status: FinancialStatus,
    /// When it was cancelled, if it was.
    pub cancelled_at: Option<u64>,
    /// Refunds, oldest first.
    pub refunds: Vec<Refund>,
}

impl Shop {
    /// The `<handle>` of `<handle>.myshopify.com`, which names the store in admin URLs.
    pub fn handle(&self) -> &str {
        self.domain.trim_end_matches(".myshopify.com")
    }
}

fn is_zero(cents: &u64) -> bool {
    *cents == 0
}

/// A checkout token for order `id`: 32 hex digits, as Shopify's are, and unique per order.
pub fn checkout_token(id: u64) -> String {
    format!("{:016x}{:016x}", id.wrapping_mul(0x9E37_79B9_7F4A_7C15), id ^ 0x5EC1_1C4B_0000_0000)
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

    /// The total less refunds: what the order is worth now.
    pub fn current_total_cents(&self) -> u64 {
        self.total_cents().saturating_sub(self.refunded_cents())
    }

    /// What the buyer paid: the lines less the discounts.
    pub fn total_cents(&self) -> u64 {
        self.subtotal_cents.saturating_sub(self.discount_cents)
    }

    /// What the order adds to its buyer's amount spent: nothing once cancelled.
    pub fn spent_cents(&self) -> u64 {
        if self.cancelled_at.is_some() { 0 } else { self.current_total_cents() }
    }
}

/// `gid://shopify/<kind>/<id>`, the form every Admin API id takes.
pub fn gid(kind: &str, id: u64) -> String {
    format!("gid://shopify/{kind}/{id}")
}

/// `2026-10-01T00:00:00Z` from Unix seconds (days to civil date after Howard Hinnant's
/// public-domain derivation).
pub fn iso8601(unix: u64) -> String {
    let days = i64::try_from(unix / 86_400).unwrap_or(0);
    let seconds = unix % 86_400;
    let shifted = days + 719_468;
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted.rem_euclid(146_097);
    let year_of_era = (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 { month_index + 3 } else { month_index - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        seconds / 3_600,
        seconds / 60 % 60,
        seconds % 60
    )
}

/// RFC 3339 in UTC (`2026-10-01T00:00:00Z`), the form the simulator writes.
pub fn parse_time(text: &str) -> Option<u64> {
    let (date, time) = text.strip_suffix('Z')?.split_once('T')?;
    let mut date_parts = date.split('-').map(str::parse::<i64>);
    let (year, month, day) = (date_parts.next()?.ok()?, date_parts.next()?.ok()?, date_parts.next()?.ok()?);
    let mut time_parts = time.split(':').map(str::parse::<u64>);
    let (hour, minute, second) =
        (time_parts.next()?.ok()?, time_parts.next()?.ok()?, time_parts.next()?.ok()?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    // Days from the civil date (Hinnant's derivation, the inverse of `iso8601`).
    let shifted_year = if month <= 2 { year - 1 } else { year };
    let era = shifted_year.div_euclid(400);
    let year_of_era = shifted_year.rem_euclid(400);
    let day_of_year = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let days = u64::try_from(era * 146_097 + day_of_era - 719_468).ok()?;
    let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second;
    (iso8601(seconds) == text).then_some(seconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_rendered_in_utc() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso8601(1_790_812_800), "2026-10-01T00:00:00Z");
        assert_eq!(iso8601(951_782_400 + 86_399), "2000-02-29T23:59:59Z");
    }

    #[test]
    fn times_round_trip_and_nonsense_is_refused() {
        assert_eq!(parse_time("2026-10-01T00:00:00Z"), Some(1_790_812_800));
        assert_eq!(parse_time("2000-02-29T23:59:59Z"), Some(951_868_799));
        for bad in ["2026-02-30T00:00:00Z", "2026-10-01", "2026-10-01T24:00:00Z", "tomorrow", ""] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
    }
}

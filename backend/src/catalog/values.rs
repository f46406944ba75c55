//! A product's four metafield values, and the facts across the store they come from.

use std::collections::{BTreeMap, HashMap, HashSet};

use listing_score::Listing;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::clock::UnixTime;
use crate::db::{DbError, Store, StoredProduct, VariantRow};
use crate::shop_domain::ShopDomain;
use crate::shopify::gid;

/// The metafield keys, under `$app:seglink`, as provisioning defines them.
pub const LISTING_SCORE: &str = "listing_score";
pub const RECOMMENDATIONS: &str = "recommendations";
pub const VIEW_COUNT_30D: &str = "view_count_30d";
pub const SEGMENT_MEMBERSHIPS: &str = "segment_memberships";

/// At most this many segments are named per product.
pub const MAX_SEGMENTS_NAMED: usize = 5;
const VIEW_WINDOW_SECS: i64 = 30 * 86_400;

/// What the whole store says about its products.
#[derive(Debug, Default)]
pub struct StoreFacts {
    /// Storefront views in the last 30 days, by product.
    views: HashMap<String, i64>,
    /// The segments whose members bought each product, largest share of its buyers first.
    segments: HashMap<String, Vec<String>>,
}

impl StoreFacts {
    /// Reads them: one pass over the recent product views, one over the orders, one over the
    /// memberships.
    pub async fn read(store: &Store, shop: &ShopDomain, now: UnixTime) -> Result<Self, DbError> {
        let mut views: HashMap<String, i64> = HashMap::new();
        for properties in store.product_views_since(shop, now - VIEW_WINDOW_SECS).await? {
            if let Some(product) = product_id(&properties) {
                *views.entry(product).or_default() += 1;
            }
        }
        let mut buyers: HashMap<String, HashSet<String>> = HashMap::new();
        for (customer, lines) in store.order_lines_by_buyer(shop).await? {
            let lines: Value = serde_json::from_str(&lines).unwrap_or(Value::Null);
            for line in lines.as_array().into_iter().flatten() {
                if let Some(product) = line.get("product_id").and_then(id_text) {
                    buyers.entry(product).or_default().insert(customer.clone());
                }
            }
        }
        let mut members: HashMap<String, Vec<String>> = HashMap::new();
        for (slug, customer) in store.segment_memberships(shop).await? {
            members.entry(customer).or_default().push(slug);
        }
        let segments = buyers
            .into_iter()
            .map(|(product, buyers)| {
                let mut shares: BTreeMap<String, usize> = BTreeMap::new();
                for buyer in &buyers {
                    for slug in members.get(buyer).into_iter().flatten() {
                        *shares.entry(slug.clone()).or_default() += 1;
                    }
                }
                let mut ranked: Vec<(String, usize)> = shares.into_iter().collect();
                // Most buyers first; ties by slug, so the list is the same every night.
                ranked.sort_by(|(left, left_count), (right, right_count)| {
                    right_count.cmp(left_count).then_with(|| left.cmp(right))
                });
                let named = ranked.into_iter().take(MAX_SEGMENTS_NAMED).map(|(slug, _)| slug).collect();
                (product, named)
            })
            .collect();
        Ok(Self { views, segments })
    }
}

/// A product id from event properties: a number, its text, or a GID.
fn product_id(properties: &str) -> Option<String> {
    let properties: Value = serde_json::from_str(properties).ok()?;
    properties.get("product_id").and_then(id_text)
}

fn id_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) if !text.is_empty() => Some(gid::numeric(text).to_owned()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// The four values one product's metafields hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProductValues {
    pub listing_score: u8,
    /// JSON, as the `json` metafield takes it.
    pub recommendations: String,
    pub view_count_30d: i64,
    /// Segment slugs.
    pub segment_memberships: Vec<String>,
}

impl ProductValues {
    /// A product's values from what is stored of it and the store's facts.
    pub fn of(product: &StoredProduct, variants: &[VariantRow], facts: &StoreFacts) -> Self {
        let scored = listing_score::score(&listing(product, variants));
        Self {
            listing_score: scored.value,
            recommendations: serde_json::to_string(&scored.recommendations)
                .unwrap_or_else(|_| "[]".to_owned()),
            view_count_30d: facts.views.get(&product.product_id).copied().unwrap_or(0),
            segment_memberships: facts.segments.get(&product.product_id).cloned().unwrap_or_default(),
        }
    }

    /// The metafields as `(key, type, value)`.
    pub fn metafields(&self) -> [(&'static str, &'static str, String); 4] {
        [
            (LISTING_SCORE, "number_integer", self.listing_score.to_string()),
            (RECOMMENDATIONS, "json", self.recommendations.clone()),
            (VIEW_COUNT_30D, "number_integer", self.view_count_30d.to_string()),
            (
                SEGMENT_MEMBERSHIPS,
                "list.single_line_text_field",
                serde_json::to_string(&self.segment_memberships).unwrap_or_else(|_| "[]".to_owned()),
            ),
        ]
    }

    /// What identifies these values: equal digests, nothing to write.
    pub fn digest(&self) -> String {
        let mut hasher = Sha256::new();
        for (key, kind, value) in self.metafields() {
            // Lengths first, so no two different value sets hash the same text.
            hasher.update(format!("{}:{key}:{}:{kind}:{}:", key.len(), kind.len(), value.len()));
            hasher.update(value);
        }
        hasher.finalize().iter().map(|byte| format!("{byte:02x}")).collect()
    }
}

/// The listing the score reads, from what is stored of a product.
pub fn listing(product: &StoredProduct, variants: &[VariantRow]) -> Listing {
    let images: Vec<Value> =
        product.images.as_deref().and_then(|json| serde_json::from_str(json).ok()).unwrap_or_default();
    let present = |text: &Option<String>| text.as_deref().is_some_and(|text| !text.trim().is_empty());
    Listing {
        title: product.title.clone().unwrap_or_default(),
        description: Listing::plain_text(product.description_html.as_deref().unwrap_or_default()),
        images: images.len(),
        images_with_alt: images
            .iter()
            .filter(|image| {
                image.get("alt").and_then(Value::as_str).is_some_and(|alt| !alt.trim().is_empty())
            })
            .count(),
        seo_title: present(&product.seo_title),
        seo_description: present(&product.seo_description),
        product_type: present(&product.product_type),
        variants: variants.len(),
        variants_with_sku: variants.iter().filter(|variant| present(&variant.sku)).count(),
        variants_with_barcode: variants.iter().filter(|variant| present(&variant.barcode)).count(),
    }
}

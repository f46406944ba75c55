//! The catalog's metafields: each product's listing score and recommendations
//! (docs/listing-score.md), its storefront views in the last 30 days, and the segments whose
//! members bought it most, written to its `$app:seglink` metafields so merchants can sort and
//! filter products by them in Shopify's admin. Only what changed is written (docs/catalog.md).

pub mod api;
pub mod outbound;
pub mod values;
pub mod write;

pub use write::WriteProductMetafields;

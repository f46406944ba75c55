//! What to fix, in words a merchant acts on.

use crate::{DESCRIPTION_WORDS, IMAGES, Listing, TITLE_CHARS};

/// A part of the listing that can be improved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Fix {
    /// A title of 20 to 70 characters.
    Title,
    /// A description of 50 words or more.
    Description,
    /// Three images or more.
    Images,
    /// Alt text on every image.
    ImageAltText,
    /// An SEO title.
    SeoTitle,
    /// An SEO description.
    SeoDescription,
    /// A product type.
    ProductType,
    /// A SKU on every variant.
    Skus,
    /// A barcode on every variant.
    Barcodes,
}

/// One fix, what it would add to the score, and what to do.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Recommendation {
    /// The part to fix.
    pub fix: Fix,
    /// Points the fix would add (rounded up).
    pub gain: u32,
    /// What to do, for the merchant.
    pub message: String,
}

impl Recommendation {
    pub(crate) fn new(fix: Fix, gain: u32, listing: &Listing) -> Self {
        Self { fix, gain, message: message(fix, listing) }
    }
}

fn message(fix: Fix, listing: &Listing) -> String {
    let (min, max) = (TITLE_CHARS.start(), TITLE_CHARS.end());
    match fix {
        Fix::Title => match listing.title_chars() {
            0 => format!("Give the product a title of {min} to {max} characters."),
            chars if chars < *min => {
                format!("Lengthen the title to {min}–{max} characters (it has {chars}).")
            }
            chars => format!("Shorten the title to {max} characters or fewer (it has {chars})."),
        },
        Fix::Description => match listing.description_words() {
            0 => format!("Write a description of at least {DESCRIPTION_WORDS} words."),
            words => {
                format!("Expand the description to at least {DESCRIPTION_WORDS} words (it has {words}).")
            }
        },
        Fix::Images => match listing.images {
            0 => format!("Add product images: {IMAGES} or more."),
            images => {
                format!("Add {} more image{} ({IMAGES} or more).", IMAGES - images, plural(IMAGES - images))
            }
        },
        Fix::ImageAltText => match listing.images {
            0 => "Add images with alt text.".to_owned(),
            images => {
                let missing = images - listing.images_with_alt.min(images);
                format!("Add alt text to {missing} of {images} image{}.", plural(images))
            }
        },
        Fix::SeoTitle => "Set an SEO title for search results.".to_owned(),
        Fix::SeoDescription => "Set an SEO description for search results.".to_owned(),
        Fix::ProductType => "Set a product type.".to_owned(),
        Fix::Skus => missing_on_variants("a SKU", listing.variants_with_sku, listing.variants),
        Fix::Barcodes => missing_on_variants(
            "a barcode (GTIN, UPC or ISBN)",
            listing.variants_with_barcode,
            listing.variants,
        ),
    }
}

fn missing_on_variants(what: &str, having: usize, variants: usize) -> String {
    match variants {
        0 => format!("Add a variant with {what}."),
        1 => format!("Give the variant {what}."),
        _ => format!("Give {} of {variants} variants {what}.", variants - having.min(variants)),
    }
}

fn plural(count: usize) -> &'static str {
    if count == 1 { "" } else { "s" }
}

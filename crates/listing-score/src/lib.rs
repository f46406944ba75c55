//! The listing score: how complete a product's listing is, from 0 to 100, and what to fix first.
//!
//! A pure function of what the listing holds (`Listing`), so the same product always scores the
//! same and the nightly metafield write can skip every product whose score did not move. The
//! weights and why they are what they are: `docs/listing-score.md`.

mod listing;
mod recommendation;

pub use listing::Listing;
pub use recommendation::{Fix, Recommendation};

/// The most a listing scores.
pub const MAX_SCORE: u8 = 100;

/// A listing's score and the fixes that would raise it, the largest gain first.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Score {
    /// 0 to 100.
    pub value: u8,
    /// Every part not yet at its full weight, by the points its fix would add.
    pub recommendations: Vec<Recommendation>,
}

/// What each part of a listing weighs, in points of the 100. The parts and their order are the
/// order recommendations take when their gains tie.
pub const WEIGHTS: [(Fix, u32); 9] = [
    (Fix::Description, 20),
    (Fix::Title, 15),
    (Fix::Images, 15),
    (Fix::ImageAltText, 10),
    (Fix::SeoTitle, 10),
    (Fix::SeoDescription, 10),
    (Fix::Skus, 10),
    (Fix::ProductType, 5),
    (Fix::Barcodes, 5),
];

/// A title reads well in search results and collection grids between these lengths, in characters.
pub const TITLE_CHARS: std::ops::RangeInclusive<usize> = 20..=70;
/// A title longer than this is cut off in most themes' grids and in search results.
const TITLE_CUT_OFF_AT: usize = 150;
/// A description earns its full weight from this many words.
pub const DESCRIPTION_WORDS: usize = 50;
/// A listing earns the images' full weight from this many images.
pub const IMAGES: usize = 3;

/// Scores a listing.
pub fn score(listing: &Listing) -> Score {
    let mut total: u32 = 0;
    let mut recommendations = Vec::new();
    for (fix, weight) in WEIGHTS {
        // Earned per mille of the part's weight, so rounding happens once, at the end.
        let earned = per_mille(fix, listing);
        total += weight * earned;
        if earned < 1_000 {
            let gain = (weight * (1_000 - earned)).div_ceil(1_000);
            recommendations.push(Recommendation::new(fix, gain, listing));
        }
    }
    // Stable: ties keep the order of `WEIGHTS`.
    recommendations.sort_by_key(|recommendation| std::cmp::Reverse(recommendation.gain));
    // Rounded down: only a listing with nothing left to fix scores 100.
    let value = u8::try_from(total / 1_000).unwrap_or(MAX_SCORE).min(MAX_SCORE);
    Score { value, recommendations }
}

/// How much of its weight a part earns, in thousandths.
fn per_mille(fix: Fix, listing: &Listing) -> u32 {
    let share = |part: usize, whole: usize| -> u32 {
        (part.min(whole) * 1_000)
            .checked_div(whole)
            .map_or(0, |earned| u32::try_from(earned).unwrap_or(1_000))
    };
    let present = |flag: bool| if flag { 1_000 } else { 0 };
    match fix {
        Fix::Title => {
            let chars = listing.title_chars();
            if chars > TITLE_CUT_OFF_AT {
                500
            } else if chars > *TITLE_CHARS.end() {
                800
            } else {
                share(chars, *TITLE_CHARS.start())
            }
        }
        Fix::Description => share(listing.description_words(), DESCRIPTION_WORDS),
        Fix::Images => share(listing.images, IMAGES),
        Fix::ImageAltText => share(listing.images_with_alt, listing.images),
        Fix::SeoTitle => present(listing.seo_title),
        Fix::SeoDescription => present(listing.seo_description),
        Fix::ProductType => present(listing.product_type),
        Fix::Skus => share(listing.variants_with_sku, listing.variants),
        Fix::Barcodes => share(listing.variants_with_barcode, listing.variants),
    }
}

#[cfg(test)]
mod tests;

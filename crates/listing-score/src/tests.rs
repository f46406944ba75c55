use proptest::prelude::*;

use super::*;

/// The listing with `fix` done as a merchant would do it.
fn fixed(mut listing: Listing, fix: Fix) -> Listing {
    match fix {
        Fix::Title => listing.title = "A linen shirt for warm evenings".to_owned(),
        Fix::Description => listing.description = "word ".repeat(DESCRIPTION_WORDS),
        Fix::Images => {
            let added = IMAGES.saturating_sub(listing.images);
            // New images come with their alt text.
            listing.images += added;
            listing.images_with_alt += added;
        }
        Fix::ImageAltText => {
            if listing.images == 0 {
                listing.images = 1;
            }
            listing.images_with_alt = listing.images;
        }
        Fix::SeoTitle => listing.seo_title = true,
        Fix::SeoDescription => listing.seo_description = true,
        Fix::ProductType => listing.product_type = true,
        Fix::Skus => {
            listing.variants = listing.variants.max(1);
            listing.variants_with_sku = listing.variants;
        }
        Fix::Barcodes => {
            listing.variants = listing.variants.max(1);
            listing.variants_with_barcode = listing.variants;
        }
    }
    listing
}

fn listings() -> impl Strategy<Value = Listing> {
    (
        (0usize..200, 0usize..120, 0usize..8, 0usize..8),
        (any::<bool>(), any::<bool>(), any::<bool>()),
        (0usize..120, 0usize..120, 0usize..120),
    )
        .prop_map(
            |(
                (title, words, images, alt),
                (seo_title, seo_description, product_type),
                (variants, sku, barcode),
            )| {
                Listing {
                    title: "t".repeat(title),
                    description: "word ".repeat(words),
                    images,
                    images_with_alt: alt.min(images),
                    seo_title,
                    seo_description,
                    product_type,
                    variants,
                    variants_with_sku: sku.min(variants),
                    variants_with_barcode: barcode.min(variants),
                }
            },
        )
}

fn perfect() -> Listing {
    WEIGHTS.iter().fold(Listing::default(), |listing, (fix, _)| fixed(listing, *fix))
}

#[test]
fn the_weights_add_up_to_the_maximum() {
    assert_eq!(WEIGHTS.iter().map(|(_, weight)| weight).sum::<u32>(), u32::from(MAX_SCORE));
}

#[test]
fn an_empty_listing_scores_nothing_and_a_complete_one_everything() {
    let empty = score(&Listing::default());
    assert_eq!(empty.value, 0);
    assert_eq!(empty.recommendations.len(), WEIGHTS.len());
    assert_eq!(empty.recommendations[0].fix, Fix::Description, "the heaviest part first");
    let complete = score(&perfect());
    assert_eq!((complete.value, complete.recommendations.len()), (100, 0));
}

#[test]
fn recommendations_say_what_to_do_in_words() {
    let listing = Listing {
        title: "Shirt".to_owned(),
        description: "Soft linen.".to_owned(),
        images: 2,
        images_with_alt: 1,
        variants: 4,
        variants_with_sku: 1,
        variants_with_barcode: 4,
        ..perfect()
    };
    let messages: Vec<(Fix, String)> =
        score(&listing).recommendations.into_iter().map(|found| (found.fix, found.message)).collect();
    assert_eq!(
        messages,
        [
            (Fix::Description, "Expand the description to at least 50 words (it has 2).".to_owned()),
            (Fix::Title, "Lengthen the title to 20–70 characters (it has 5).".to_owned()),
            (Fix::Skus, "Give 3 of 4 variants a SKU.".to_owned()),
            (Fix::Images, "Add 1 more image (3 or more).".to_owned()),
            (Fix::ImageAltText, "Add alt text to 1 of 2 images.".to_owned()),
        ]
    );
}

#[test]
fn a_title_too_long_to_show_whole_loses_points() {
    let long = Listing { title: "t".repeat(90), ..perfect() };
    let cut_off = Listing { title: "t".repeat(200), ..perfect() };
    assert_eq!(score(&long).value, 97);
    assert_eq!(score(&cut_off).value, 92);
    assert_eq!(
        score(&long).recommendations[0].message,
        "Shorten the title to 70 characters or fewer (it has 90)."
    );
}

#[test]
fn html_descriptions_are_counted_as_the_words_a_shopper_reads() {
    let text = Listing::plain_text("<p>Soft&nbsp;linen,</p><ul><li>cool</li><li>light &amp; airy</li></ul>");
    let listing = Listing { description: text, ..Listing::default() };
    assert_eq!(listing.description_words(), 6, "{:?}", listing.description);
}

proptest! {
    #[test]
    fn the_score_is_bounded_and_its_gains_account_for_what_is_missing(listing in listings()) {
        let scored = score(&listing);
        prop_assert!(scored.value <= MAX_SCORE);
        let gains: u32 = scored.recommendations.iter().map(|found| found.gain).sum();
        prop_assert!(u32::from(scored.value) + gains >= u32::from(MAX_SCORE));
        prop_assert_eq!(scored.recommendations.is_empty(), scored.value == MAX_SCORE);
    }

    #[test]
    fn each_recommended_fix_raises_the_score_and_is_then_no_longer_recommended(listing in listings()) {
        let before = score(&listing);
        for recommended in &before.recommendations {
            let after = score(&fixed(listing.clone(), recommended.fix));
            prop_assert!(after.value >= before.value, "{:?} lowered the score", recommended.fix);
            prop_assert!(after.value + 1 >= before.value + recommended.gain as u8, "{:?} gave less than it said", recommended.fix);
            prop_assert!(after.recommendations.iter().all(|left| left.fix != recommended.fix));
        }
    }

    #[test]
    fn more_of_anything_good_never_lowers_the_score(listing in listings(), more in 1usize..20) {
        let before = score(&listing).value;
        let longer = Listing { description: format!("{} {}", listing.description, "word ".repeat(more)), ..listing.clone() };
        prop_assert!(score(&longer).value >= before);
        let more_alt = Listing { images_with_alt: (listing.images_with_alt + more).min(listing.images), ..listing.clone() };
        prop_assert!(score(&more_alt).value >= before);
        let more_skus = Listing { variants_with_sku: (listing.variants_with_sku + more).min(listing.variants), ..listing.clone() };
        prop_assert!(score(&more_skus).value >= before);
        let more_barcodes = Listing { variants_with_barcode: (listing.variants_with_barcode + more).min(listing.variants), ..listing.clone() };
        prop_assert!(score(&more_barcodes).value >= before);
    }

    #[test]
    fn the_same_listing_always_scores_the_same(listing in listings()) {
        prop_assert_eq!(score(&listing), score(&listing.clone()));
    }
}

//! What a listing holds, as far as the score is concerned.

/// The parts of a product listing the score reads. Counts rather than the texts themselves, so a
/// caller can build one from a webhook payload, a stored row or a bulk query line alike.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Listing {
    /// The title.
    pub title: String,
    /// The description as plain text (tags removed).
    pub description: String,
    /// How many images.
    pub images: usize,
    /// How many of them have alt text.
    pub images_with_alt: usize,
    /// An SEO title is set.
    pub seo_title: bool,
    /// An SEO description is set.
    pub seo_description: bool,
    /// A product type is set.
    pub product_type: bool,
    /// How many variants.
    pub variants: usize,
    /// How many of them have a SKU.
    pub variants_with_sku: usize,
    /// How many of them have a barcode (GTIN, UPC, ISBN).
    pub variants_with_barcode: usize,
}

impl Listing {
    /// The title's length in characters, surrounding space left out.
    pub fn title_chars(&self) -> usize {
        self.title.trim().chars().count()
    }

    /// The description's length in words.
    pub fn description_words(&self) -> usize {
        self.description.split_whitespace().count()
    }

    /// A description given as HTML, as Shopify's `descriptionHtml` and `body_html` hold it, as the
    /// plain text a shopper reads: tags dropped, the common entities decoded.
    pub fn plain_text(html: &str) -> String {
        let mut text = String::with_capacity(html.len());
        let mut in_tag = false;
        for character in html.chars() {
            match character {
                '<' => {
                    in_tag = true;
                    // A tag separates words (`</p><p>`).
                    text.push(' ');
                }
                '>' if in_tag => in_tag = false,
                _ if !in_tag => text.push(character),
                _ => {}
            }
        }
        for (entity, character) in
            [("&nbsp;", " "), ("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&amp;", "&")]
        {
            if text.contains(entity) {
                text = text.replace(entity, character);
            }
        }
        text
    }
}

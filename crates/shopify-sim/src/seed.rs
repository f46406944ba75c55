//! A deterministic demo shop: the same options give the same shop, byte for byte, on every
//! machine, so tests and benchmarks can name customers and totals they expect.
//!
//! The shape is a small apparel store's: most customers order once or never, a few order often;
//! orders spread over the 90 days before `now`; a few are refunded or cancelled.

use crate::metafields::MetafieldStore;
use crate::shop::{
    Collection, Customer, FinancialStatus, Listing, Order, OrderLine, Product, ProductImage, Refund, Shop,
    Variant,
};

/// What to generate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SeedOptions {
    /// Chooses the shop; any value is fine.
    pub seed: u64,
    /// Number of customers.
    pub customers: usize,
    /// Number of products, spread over the collections.
    pub products: usize,
    /// Number of orders; none when there are no products.
    pub orders: usize,
    /// The moment the shop is seeded, in Unix seconds; orders fall in the 90 days before it.
    pub now: u64,
}

impl Default for SeedOptions {
    fn default() -> Self {
        // 2026-10-01T00:00:00Z, fixed so that a default shop never changes.
        Self { seed: 1, customers: 1_000, products: 60, orders: 5_000, now: 1_790_812_800 }
    }
}

/// Orders fall within this many days before `now`.
pub const ORDER_WINDOW_DAYS: u64 = 90;

const DAY: u64 = 86_400;

const FIRST_NAMES: [&str; 24] = [
    "Ada", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kemi", "Liam", "Maya",
    "Noor", "Oscar", "Priya", "Quinn", "Rosa", "Sven", "Tara", "Umar", "Vera", "Wen", "Yusuf",
];
const LAST_NAMES: [&str; 20] = [
    "Adams", "Berg", "Costa", "Diaz", "Eriksen", "Fischer", "Garcia", "Haddad", "Ito", "Jensen", "Kaur",
    "Lopez", "Moreau", "Nakamura", "Okafor", "Patel", "Rossi", "Silva", "Tanaka", "Weber",
];
/// Countries with a weight each, heavy on the shop's home market.
const COUNTRIES: [(&str, u64); 10] = [
    ("US", 40),
    ("CA", 12),
    ("GB", 12),
    ("DE", 8),
    ("AU", 7),
    ("FR", 6),
    ("NL", 5),
    ("SE", 4),
    ("JP", 3),
    ("IE", 3),
];
const CUSTOMER_TAGS: [&str; 4] = ["newsletter", "wholesale", "vip", "returning"];
/// Each kind of product is a collection; `Sale` collects what is tagged `sale`.
const KINDS: [(&str, &str); 5] = [
    ("Tops", "Tee"),
    ("Bottoms", "Chino"),
    ("Outerwear", "Jacket"),
    ("Footwear", "Sneaker"),
    ("Accessories", "Cap"),
];
const SALE: &str = "Sale";
const ADJECTIVES: [&str; 10] =
    ["Everyday", "Classic", "Trail", "Linen", "Merino", "Studio", "Harbor", "Alpine", "Cotton", "Weekend"];
const SIZES: [&str; 4] = ["S", "M", "L", "XL"];

const FIRST_CUSTOMER_ID: u64 = 7_100_000_000;
const FIRST_PRODUCT_ID: u64 = 8_200_000_000;
const FIRST_VARIANT_ID: u64 = 4_400_000_000;
const FIRST_COLLECTION_ID: u64 = 3_300_000_000;
const FIRST_ORDER_ID: u64 = 5_500_000_000;
const FIRST_REFUND_ID: u64 = 9_900_000_000;

/// Generates a shop.
pub fn seed_shop(options: &SeedOptions) -> Shop {
    let mut random = SplitMix64(options.seed);
    let customers = customers(&mut random, options);
    let mut products = products(&mut random, options.products);
    // A stream of its own, so shops seeded before listings existed keep every other value.
    fill_listings(&mut SplitMix64(options.seed ^ LISTING_STREAM), &mut products);
    let collections = collections(&products);
    let orders = orders(&mut random, options, &customers, &products);
    Shop {
        domain: format!("seglink-demo-{}.myshopify.com", options.seed),
        currency: "USD".to_owned(),
        customers,
        products,
        collections,
        orders,
        metafields: MetafieldStore::new(),
    }
}

fn customers(random: &mut SplitMix64, options: &SeedOptions) -> Vec<Customer> {
    let country_weights: u64 = COUNTRIES.iter().map(|(_, weight)| weight).sum();
    (0..options.customers as u64)
        .map(|index| {
            let first_name = *random.pick(&FIRST_NAMES);
            let last_name = *random.pick(&LAST_NAMES);
            let mut draw = random.below(country_weights);
            let country_code = COUNTRIES
                .iter()
                .find(|(_, weight)| {
                    let here = draw < *weight;
                    draw = draw.saturating_sub(*weight);
                    here
                })
                .map_or("US", |(code, _)| code);
            // Each tag independently, so some customers have none and a few have several.
            let tags = CUSTOMER_TAGS
                .iter()
                .zip([30, 3, 5, 15])
                .filter(|(_, percent)| random.below(100) < *percent)
                .map(|(tag, _)| (*tag).to_owned())
                .collect();
            Customer {
                id: FIRST_CUSTOMER_ID + index,
                // The index keeps emails unique however the names repeat.
                email: format!(
                    "{}.{}.{index}@example.com",
                    first_name.to_lowercase(),
                    last_name.to_lowercase()
                ),
                first_name: first_name.to_owned(),
                last_name: last_name.to_owned(),
                country_code: country_code.to_owned(),
                tags,
                accepts_marketing: random.below(100) < 45,
                created_at: options.now.saturating_sub(random.below(2 * 365 * DAY)),
            }
        })
        .collect()
}

fn products(random: &mut SplitMix64, count: usize) -> Vec<Product> {
    let mut next_variant = FIRST_VARIANT_ID;
    (0..count as u64)
        .map(|index| {
            let (kind, noun) = KINDS[index as usize % KINDS.len()];
            let adjective = ADJECTIVES[(index as usize / KINDS.len()) % ADJECTIVES.len()];
            let title = format!("{adjective} {noun} {}", index + 1);
            let handle = title.to_lowercase().replace(' ', "-");
            let price_cents = (random.below(40) + 2) * 500 - 1;
            let variant_count = 1 + random.below(SIZES.len() as u64) as usize;
            let variants = SIZES[..variant_count]
                .iter()
                .map(|size| {
                    let id = next_variant;
                    next_variant += 1;
                    Variant {
                        id,
                        title: (*size).to_owned(),
                        sku: format!("{handle}-{}", size.to_lowercase()),
                        price_cents,
                        compare_at_price_cents: None,
                        barcode: None,
                        inventory_quantity: 0,
                    }
                })
                .collect();
            let mut tags = vec![kind.to_lowercase()];
            if random.below(100) < 15 {
                tags.push(SALE.to_lowercase());
            }
            Product {
                id: FIRST_PRODUCT_ID + index,
                title,
                handle,
                product_type: kind.to_owned(),
                tags,
                variants,
                listing: Listing::default(),
            }
        })
        .collect()
}

const LISTING_STREAM: u64 = 0x4C49_5354_494E_4753;
const FIRST_IMAGE_ID: u64 = 6_600_000_000;
const VENDORS: [&str; 4] = ["Harbor & Co", "Northfield", "Seglink Outfitters", "Atelier Nord"];
const SENTENCES: [&str; 6] = [
    "Cut from a soft, breathable fabric that keeps its shape wash after wash.",
    "A relaxed fit with room to move, finished with reinforced seams.",
    "Made in a small workshop from responsibly sourced materials.",
    "Pairs with everything in the collection, from weekend hikes to the office.",
    "Machine washable at thirty degrees; dry flat to keep the colour.",
    "Each piece is checked by hand before it leaves the studio.",
];

/// Listings of every quality, as real shops have: some complete, most missing something.
fn fill_listings(random: &mut SplitMix64, products: &mut [Product]) {
    let mut next_image = FIRST_IMAGE_ID;
    for product in products {
        let sentences = *random.pick(&[0, 1, 2, 4, 8]);
        let text: Vec<&str> = (0..sentences).map(|index| SENTENCES[index % SENTENCES.len()]).collect();
        let description_html =
            if text.is_empty() { String::new() } else { format!("<p>{}</p>", text.join(" ")) };
        let with_alt = random.below(100) < 70;
        let images = (0..random.below(5))
            .map(|position| {
                next_image += 1;
                let alt =
                    (with_alt && position < 3).then(|| format!("{} — view {}", product.title, position + 1));
                ProductImage { id: next_image, alt }
            })
            .collect();
        product.listing = Listing {
            description_html,
            vendor: (*random.pick(&VENDORS)).to_owned(),
            seo_title: (random.below(100) < 60).then(|| format!("{} | Seglink Demo", product.title)),
            seo_description: (random.below(100) < 45).then(|| format!("Shop the {} online.", product.title)),
            images,
        };
        // Half the products carry barcodes on every variant, a quarter on some, the rest none.
        let barcodes = random.below(4);
        let on_sale = product.tags.iter().any(|tag| tag.eq_ignore_ascii_case(SALE));
        for (position, variant) in product.variants.iter_mut().enumerate() {
            let has_barcode = barcodes < 2 || (barcodes == 2 && position % 2 == 0);
            variant.barcode = has_barcode.then(|| format!("0{:011}", variant.id % 100_000_000_000));
            variant.compare_at_price_cents = on_sale.then_some(variant.price_cents / 4 * 5);
            variant.inventory_quantity = random.below(200) as i64;
        }
    }
}

/// One collection per kind of product, and `Sale` for everything tagged `sale`.
fn collections(products: &[Product]) -> Vec<Collection> {
    KINDS
        .iter()
        .map(|(title, _)| title)
        .chain([&SALE])
        .zip(FIRST_COLLECTION_ID..)
        .map(|(title, id)| {
            let tag = title.to_lowercase();
            let product_ids = products
                .iter()
                .filter(|product| product.tags.contains(&tag))
                .map(|product| product.id)
                .collect();
            Collection { id, title: (*title).to_owned(), handle: tag, product_ids }
        })
        .collect()
}

fn orders(
    random: &mut SplitMix64,
    options: &SeedOptions,
    customers: &[Customer],
    products: &[Product],
) -> Vec<Order> {
    if products.is_empty() {
        return Vec::new();
    }
    let window = ORDER_WINDOW_DAYS * DAY;
    // Placing times first, sorted, so that ids and names rise with time as in a real shop.
    let mut times: Vec<u64> =
        (0..options.orders).map(|_| options.now.saturating_sub(window) + random.below(window)).collect();
    times.sort_unstable();
    let mut next_refund = FIRST_REFUND_ID;
    times
        .into_iter()
        .zip(0u64..)
        .map(|(created_at, index)| {
            let customer_id = buyer(random, customers);
            let lines: Vec<OrderLine> = (0..1 + random.below(4))
                .map(|_| {
                    let product = random.pick(products);
                    let variant = random.pick(&product.variants);
                    OrderLine {
                        product_id: product.id,
                        variant_id: variant.id,
                        quantity: 1 + random.below(3) as u32,
                        price_cents: variant.price_cents,
                    }
                })
                .collect();
            let subtotal_cents = lines.iter().map(OrderLine::total_cents).sum();
            let fate = random.below(1_000);
            let mut refund = |amount_cents, after: u64| {
                let id = next_refund;
                next_refund += 1;
                Refund { id, created_at: (created_at + after).min(options.now), amount_cents }
            };
            let (financial_status, cancelled_at, refunds) = match fate {
                0..10 => {
                    (FinancialStatus::Refunded, Some(created_at + 3_600), vec![refund(subtotal_cents, 3_600)])
                }
                10..40 => (FinancialStatus::Refunded, None, vec![refund(subtotal_cents, 7 * DAY)]),
                40..70 => {
                    (FinancialStatus::PartiallyRefunded, None, vec![refund(subtotal_cents / 2, 5 * DAY)])
                }
                70..90 => (FinancialStatus::Authorized, None, Vec::new()),
                _ => (FinancialStatus::Paid, None, Vec::new()),
            };
            Order {
                id: FIRST_ORDER_ID + index,
                name: format!("#{}", 1_001 + index),
                customer_id,
                guest_email: None,
                checkout_token: crate::shop::checkout_token(FIRST_ORDER_ID + index),
                created_at,
                lines,
                subtotal_cents,
                discount_cents: 0,
                financial_status,
                cancelled_at: cancelled_at.map(|at: u64| at.min(options.now)),
                refunds,
            }
        })
        .collect()
}

/// A few customers buy often and most rarely: squaring a uniform draw skews it towards the
/// start of the list. One order in twenty is a guest checkout.
fn buyer(random: &mut SplitMix64, customers: &[Customer]) -> Option<u64> {
    if customers.is_empty() || random.below(20) == 0 {
        return None;
    }
    let uniform = random.below(1 << 16);
    let skewed = (uniform * uniform) >> 16;
    let index = (skewed * customers.len() as u64) >> 16;
    customers.get(index as usize).map(|customer| customer.id)
}

/// SplitMix64 (Steele, Lea and Flood, 2014): tiny, fast, and fixed, so a seed means the same
/// shop forever, unlike a library generator whose stream may change between versions.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..bound` (Lemire's multiply-shift; the bias is below 2^-32 for our bounds).
    fn below(&mut self, bound: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(bound)) >> 64) as u64
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

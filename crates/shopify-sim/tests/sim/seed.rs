//! The demo shop is deterministic and internally consistent at the sizes the demo uses.

use std::collections::{HashMap, HashSet};

use sha2::{Digest, Sha256};
use shopify_sim::shop::{FinancialStatus, Shop};
use shopify_sim::{ORDER_WINDOW_DAYS, SeedOptions, seed_shop};

fn fingerprint(shop: &Shop) -> String {
    let json = serde_json::to_vec(shop).expect("a shop serialises");
    Sha256::digest(json).iter().map(|byte| format!("{byte:02x}")).collect()
}

fn assert_consistent(shop: &Shop, options: &SeedOptions) {
    assert_eq!(shop.customers.len(), options.customers);
    assert_eq!(shop.products.len(), options.products);
    assert!(shop.domain.ends_with(".myshopify.com"));

    let customer_ids: HashSet<u64> = shop.customers.iter().map(|customer| customer.id).collect();
    assert_eq!(customer_ids.len(), shop.customers.len(), "customer ids are unique");
    let emails: HashSet<&str> = shop.customers.iter().map(|customer| customer.email.as_str()).collect();
    assert_eq!(emails.len(), shop.customers.len(), "emails are unique");
    for customer in &shop.customers {
        let tags: HashSet<&String> = customer.tags.iter().collect();
        assert_eq!(tags.len(), customer.tags.len(), "{} has a repeated tag", customer.email);
        assert_eq!(customer.country_code.len(), 2);
        assert!(customer.created_at <= options.now);
    }

    let variants: HashMap<u64, (u64, u64)> = shop
        .products
        .iter()
        .flat_map(|product| {
            product.variants.iter().map(move |variant| (variant.id, (product.id, variant.price_cents)))
        })
        .collect();
    let variant_count: usize = shop.products.iter().map(|product| product.variants.len()).sum();
    assert_eq!(variants.len(), variant_count, "variant ids are unique");
    let skus: HashSet<&str> = shop
        .products
        .iter()
        .flat_map(|product| product.variants.iter().map(|variant| variant.sku.as_str()))
        .collect();
    assert_eq!(skus.len(), variant_count, "SKUs are unique");
    for product in &shop.products {
        assert!(!product.variants.is_empty());
        let holders =
            shop.collections.iter().filter(|collection| collection.product_ids.contains(&product.id)).count();
        assert!(holders >= 1, "{} is in its kind's collection", product.title);
    }

    let earliest = options.now - ORDER_WINDOW_DAYS * 86_400;
    assert_eq!(shop.orders.len(), if options.products == 0 { 0 } else { options.orders });
    for pair in shop.orders.windows(2) {
        assert!(pair[0].id < pair[1].id && pair[0].created_at <= pair[1].created_at, "ids rise with time");
    }
    for order in &shop.orders {
        assert!((earliest..=options.now).contains(&order.created_at), "{} is in the window", order.name);
        if let Some(customer_id) = order.customer_id {
            assert!(customer_ids.contains(&customer_id), "{} has a real customer", order.name);
        }
        assert!(!order.lines.is_empty());
        for line in &order.lines {
            assert_eq!(variants.get(&line.variant_id), Some(&(line.product_id, line.price_cents)));
            assert!(line.quantity >= 1);
        }
        assert_eq!(order.subtotal_cents, order.lines.iter().map(|line| line.total_cents()).sum::<u64>());
        let refunded = order.refunded_cents();
        let expected = match refunded {
            0 if order.financial_status == FinancialStatus::Authorized => FinancialStatus::Authorized,
            0 => FinancialStatus::Paid,
            all if all == order.subtotal_cents => FinancialStatus::Refunded,
            _ => FinancialStatus::PartiallyRefunded,
        };
        assert_eq!(order.financial_status, expected, "{} status follows its refunds", order.name);
        assert!(refunded <= order.subtotal_cents);
        for refund in &order.refunds {
            assert!((order.created_at..=options.now).contains(&refund.created_at));
        }
        if order.cancelled_at.is_some() {
            assert_eq!(order.financial_status, FinancialStatus::Refunded, "a cancelled order is refunded");
        }
    }
}

#[test]
fn the_same_options_give_the_same_shop_and_another_seed_another() {
    let options = SeedOptions::default();
    let shop = seed_shop(&options);
    assert_eq!(shop, seed_shop(&options));
    assert_ne!(shop, seed_shop(&SeedOptions { seed: 2, ..options }));
}

#[test]
fn a_seed_names_the_same_shop_on_every_machine() {
    // Serialised bytes, so a change in the generator, the platform or a dependency that moves
    // one customer shows here.
    let shop = seed_shop(&SeedOptions { customers: 50, products: 10, orders: 200, ..SeedOptions::default() });
    assert_eq!(fingerprint(&shop), "fa92453b5a5b81350fbfadbeef11456ebc1f8ce6e6a48547047b7dbbf94853dc");
}

#[test]
fn listings_came_from_a_stream_of_their_own_and_moved_nothing_else() {
    // The shop without what listings added hashes as it did before they existed.
    let shop = seed_shop(&SeedOptions { customers: 50, products: 10, orders: 200, ..SeedOptions::default() });
    let mut value = serde_json::to_value(&shop).unwrap();
    for product in value["products"].as_array_mut().unwrap() {
        let product = product.as_object_mut().unwrap();
        product.remove("listing");
        for variant in product["variants"].as_array_mut().unwrap() {
            let variant = variant.as_object_mut().unwrap();
            for added in ["compare_at_price_cents", "barcode", "inventory_quantity"] {
                variant.remove(added);
            }
        }
    }
    let bytes = serde_json::to_vec(&value).unwrap();
    let before: String = Sha256::digest(bytes).iter().map(|byte| format!("{byte:02x}")).collect();
    assert_eq!(before, "ec8080fd72a6f8f16bbfa5c039fe11b6d090dfc232f809c531bec5033c4d1297");
}

#[test]
fn the_default_shop_is_consistent() {
    let options = SeedOptions::default();
    assert_consistent(&seed_shop(&options), &options);
}

#[test]
fn the_demo_size_shop_is_consistent_and_shaped_like_a_real_one() {
    let options =
        SeedOptions { seed: 7, customers: 10_000, products: 120, orders: 100_000, ..SeedOptions::default() };
    let shop = seed_shop(&options);
    assert_consistent(&shop, &options);

    let mut orders_per_customer: HashMap<u64, usize> = HashMap::new();
    for customer_id in shop.orders.iter().filter_map(|order| order.customer_id) {
        *orders_per_customer.entry(customer_id).or_default() += 1;
    }
    let guests = shop.orders.iter().filter(|order| order.customer_id.is_none()).count();
    assert!((4_000..6_000).contains(&guests), "about one order in twenty is a guest's: {guests}");
    let never_ordered = shop.customers.len() - orders_per_customer.len();
    assert!(never_ordered > 0, "some customers never order");
    assert!(orders_per_customer.values().any(|&count| count >= 50), "a few order often");
    let countries: HashSet<&str> =
        shop.customers.iter().map(|customer| customer.country_code.as_str()).collect();
    assert_eq!(countries.len(), 10);
    for status in [
        FinancialStatus::Paid,
        FinancialStatus::Refunded,
        FinancialStatus::PartiallyRefunded,
        FinancialStatus::Authorized,
    ] {
        assert!(shop.orders.iter().any(|order| order.financial_status == status), "{status:?} occurs");
    }
    assert!(shop.orders.iter().any(|order| order.cancelled_at.is_some()));
    assert!(shop.customers.iter().any(|customer| customer.tags.is_empty()));
    assert!(shop.customers.iter().any(|customer| customer.tags.len() >= 2));
}

#[test]
fn empty_catalogues_and_customer_lists_are_handled() {
    let no_products = SeedOptions { products: 0, ..SeedOptions::default() };
    assert_consistent(&seed_shop(&no_products), &no_products);
    let no_customers = SeedOptions { customers: 0, orders: 100, ..SeedOptions::default() };
    let shop = seed_shop(&no_customers);
    assert_consistent(&shop, &no_customers);
    assert!(shop.orders.iter().all(|order| order.customer_id.is_none()), "everyone checks out as a guest");
}

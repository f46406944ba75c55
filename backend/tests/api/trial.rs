//! "What would this customer get" on every database: the admin's answer for a sample cart is the
//! one the simulator's checkout gets from the same Function with the input Shopify builds, and a
//! rule that gives nothing says why.

use serde_json::json;
use shopify_sim::{CartLine, Checkout, Customer, Merchandise, Product};

use crate::helpers::{Fresh, SimulatedShop, TestApp, installed, now, on_each_engine};

const LINES_QUERY: &str =
    include_str!("../../../extensions/segment-discount/src/cart_lines_discounts_generate_run.graphql");

/// The titles of the Function's candidates for `customer`'s cart at the simulator's checkout, by
/// operation, with the minimum subtotal Shopify is left to check.
fn at_checkout(
    shop: &SimulatedShop,
    discount_id: &str,
    customer: &str,
    lines: &[(String, u32, &str)],
) -> Vec<(String, String, Option<String>)> {
    let checkout = shop.sim.with_admin(|admin| {
        let state = admin.shop();
        let tags =
            state.customers.iter().find(|found| found.id.to_string() == customer).unwrap().tags.clone();
        let lines = lines
            .iter()
            .enumerate()
            .map(|(index, (product, quantity, subtotal))| {
                let number: u64 = product.rsplit('/').next().unwrap().parse().unwrap();
                let collections = state
                    .collections
                    .iter()
                    .filter(|collection| collection.product_ids.contains(&number))
                    .map(|collection| format!("gid://shopify/Collection/{}", collection.id))
                    .collect();
                CartLine {
                    id: format!("gid://shopify/CartLine/{}", index + 1),
                    quantity: *quantity,
                    subtotal: (*subtotal).to_owned(),
                    merchandise: Merchandise::Variant {
                        id: format!("gid://shopify/ProductVariant/{}", index + 1),
                        product: Product { id: product.clone(), collections, ..Product::default() },
                    },
                }
            })
            .collect();
        Checkout {
            customer: Some(Customer { id: format!("gid://shopify/Customer/{customer}"), tags }),
            lines,
            currency: "USD".to_owned(),
            presentment_currency_rate: "1".to_owned(),
            discount: admin.checkout_discount(discount_id, Some(("$app:seglink", "config"))).unwrap(),
            ..Checkout::default()
        }
    });
    let input = shopify_sim::function_input(LINES_QUERY, &checkout).unwrap();
    let output = crate::helpers::run_lines_function(&input);
    let mut found = Vec::new();
    for operation in output["operations"].as_array().unwrap() {
        for (name, add) in operation.as_object().unwrap() {
            for candidate in add["candidates"].as_array().unwrap() {
                let minimum = candidate["conditions"][0]["orderMinimumSubtotal"]["minimumAmount"].as_str();
                found.push((
                    name.clone(),
                    candidate["message"].as_str().unwrap().to_owned(),
                    minimum.map(str::to_owned),
                ));
            }
        }
    }
    found
}

/// A shop whose "buyers" (one order or more) get 10% off one collection, and 5 off orders over
/// 1000; with a member, a product inside the collection and one outside it.
struct BuyersRewarded {
    shop: SimulatedShop,
    app: TestApp,
    member: String,
    inside: String,
    outside: String,
}

impl BuyersRewarded {
    async fn new(fresh: &Fresh) -> Self {
        let (shop, app) = installed(fresh.store.clone(), 6).await;
        let segment = json!({ "name": "Buyers", "rules": { "if": "orders_count", "op": ">=", "value": 1 } });
        assert_eq!(app.admin(&shop, "POST", "/api/segments", Some(segment)).await.0, 201);
        app.run_jobs().await;
        let member = Self::members(&shop, &app).await.into_iter().next().expect("a buyer");
        let (collection, inside, outside) = shop.sim.with_admin(|admin| {
            let state = admin.shop();
            let collection = &state.collections[0];
            let inside = collection.product_ids[0];
            let outside = state
                .products
                .iter()
                .map(|product| product.id)
                .find(|id| !collection.product_ids.contains(id));
            (format!("gid://shopify/Collection/{}", collection.id), inside, outside.unwrap())
        });
        let on_collection = json!({
            "segment": "buyers", "title": "Buyers 10% off the collection", "value": { "percentage": "10" },
            "target": { "type": "collections", "ids": [collection] },
        });
        let big_orders = json!({
            "segment": "buyers", "title": "Buyers 5 off big orders", "value": { "fixedAmount": "5" },
            "target": { "type": "orderSubtotal" }, "minimumSubtotal": "1000",
        });
        for rule in [on_collection, big_orders] {
            let (status, answer) = app.admin(&shop, "POST", "/api/discount-rules", Some(rule)).await;
            assert_eq!(status, 201, "{answer}");
        }
        let (inside, outside) =
            (format!("gid://shopify/Product/{inside}"), format!("gid://shopify/Product/{outside}"));
        Self { shop, app, member, inside, outside }
    }

    async fn members(shop: &SimulatedShop, app: &TestApp) -> Vec<String> {
        app.admin(shop, "GET", "/api/segments/buyers/members", None).await.1["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|member| member["customer_id"].as_str().unwrap().to_owned())
            .collect()
    }

    /// Two items from the collection at 10.00 and one from outside it at 20.00.
    fn cart(&self) -> serde_json::Value {
        json!({ "lines": [
            { "product_id": self.inside, "quantity": 2, "price": "10.00" },
            { "product_id": self.outside, "quantity": 1, "price": "20.00" },
        ] })
    }

    async fn try_cart(&self, customer: &str, cart: serde_json::Value) -> (u16, serde_json::Value) {
        let body = json!({ "customer_id": customer, "cart": cart });
        self.app.admin(&self.shop, "POST", "/api/discount-rules/try", Some(body)).await
    }
}

async fn a_sample_cart_gets_the_discount_its_rules_give(fresh: Fresh) {
    let rewarded = BuyersRewarded::new(&fresh).await;
    let (status, trial) = rewarded.try_cart(&rewarded.member, rewarded.cart()).await;
    assert_eq!(status, 200, "{trial}");
    assert_eq!(
        trial["discounts"],
        json!([{ "class": "product", "title": "Buyers 10% off the collection", "value": "10%", "amount": "2.00" }]),
        "10% of the two items in the collection: {trial}"
    );
    assert_eq!(trial["total_off"], "2.00");
}
on_each_engine!(a_sample_cart_gets_the_discount_its_rules_give);

async fn a_rule_whose_condition_the_cart_fails_says_why(fresh: Fresh) {
    let rewarded = BuyersRewarded::new(&fresh).await;
    let (_, trial) = rewarded.try_cart(&rewarded.member, rewarded.cart()).await;
    let reasons: Vec<&str> =
        trial["rules"].as_array().unwrap().iter().map(|rule| rule["reason"].as_str().unwrap_or("")).collect();
    assert!(reasons.contains(&"the cart's subtotal 40.00 is under the minimum 1000.00"), "{trial}");
}
on_each_engine!(a_rule_whose_condition_the_cart_fails_says_why);

async fn shopifys_checkout_gives_what_the_trial_says(fresh: Fresh) {
    let rewarded = BuyersRewarded::new(&fresh).await;
    let (shop, app) = (&rewarded.shop, &rewarded.app);
    let discount_id = app.admin(shop, "GET", "/api/discount-rules", None).await.1["sync"]["discount_id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.run_jobs().await;
    // The simulator's checkout builds the Function's input from the real input query: the product
    // discount, and the order discount only on its condition, which this cart fails.
    let lines = [(rewarded.inside.clone(), 2, "20.00"), (rewarded.outside.clone(), 1, "20.00")];
    let owned = |text: &str| text.to_owned();
    assert_eq!(
        at_checkout(shop, &discount_id, &rewarded.member, &lines),
        [
            (owned("orderDiscountsAdd"), owned("Buyers 5 off big orders"), Some(owned("1000.0"))),
            (owned("productDiscountsAdd"), owned("Buyers 10% off the collection"), None),
        ]
    );
}
on_each_engine!(shopifys_checkout_gives_what_the_trial_says);

async fn someone_outside_the_segment_gets_nothing_and_each_rule_says_why(fresh: Fresh) {
    let rewarded = BuyersRewarded::new(&fresh).await;
    // A shopper who signs up and never orders.
    rewarded.shop.subscribe_declared_topics();
    let outsider = rewarded
        .shop
        .sim
        .with_admin(|admin| admin.create_customer("window-shopper@example.net", "US", now()))
        .unwrap()
        .to_string();
    rewarded.shop.forward_webhooks(&rewarded.app).await;
    rewarded.app.run_jobs().await;
    assert!(!BuyersRewarded::members(&rewarded.shop, &rewarded.app).await.contains(&outsider));
    let cart = json!({ "lines": [{ "product_id": rewarded.inside, "quantity": 1, "price": "10.00" }] });
    let (_, trial) = rewarded.try_cart(&outsider, cart).await;
    assert_eq!(trial["discounts"], json!([]), "{trial}");
    assert!(
        trial["rules"]
            .as_array()
            .unwrap()
            .iter()
            .all(|rule| rule["reason"] == "not a member of `buyers` (no tag seglink:buyers)"),
        "{trial}"
    );
}
on_each_engine!(someone_outside_the_segment_gets_nothing_and_each_rule_says_why);

async fn a_bad_sample_cart_is_refused_at_its_field(fresh: Fresh) {
    let rewarded = BuyersRewarded::new(&fresh).await;
    let cart = json!({ "lines": [{ "product_id": "shoe", "quantity": 1, "price": "1" }] });
    let (status, answer) = rewarded.try_cart(&rewarded.member, cart).await;
    assert_eq!((status, answer["path"].as_str()), (422, Some("/cart/lines/0/product_id")), "{answer}");
    let cart = json!({ "lines": [{ "product_id": rewarded.inside, "quantity": 1, "price": "ten" }] });
    let (status, answer) = rewarded.try_cart(&rewarded.member, cart).await;
    assert_eq!((status, answer["path"].as_str()), (422, Some("/cart/lines/0/price")), "{answer}");
}
on_each_engine!(a_bad_sample_cart_is_refused_at_its_field);

async fn a_member_who_checked_out_as_a_guest_is_reported_with_what_they_missed(fresh: Fresh) {
    let (shop, app) = installed(fresh.store.clone(), 6).await;
    shop.subscribe_declared_topics();
    let segment = json!({ "name": "Buyers", "rules": { "if": "orders_count", "op": ">=", "value": 1 } });
    assert_eq!(app.admin(&shop, "POST", "/api/segments", Some(segment)).await.0, 201);
    let rule = json!({ "segment": "buyers", "title": "Buyers 10% off", "value": { "percentage": "10" },
        "target": { "type": "orderSubtotal" } });
    assert_eq!(app.admin(&shop, "POST", "/api/discount-rules", Some(rule)).await.0, 201);
    let (status, empty) = app.admin(&shop, "GET", "/api/discount-rules/guest-misses", None).await;
    assert_eq!((status, &empty["orders"]), (200, &json!([])), "{empty}");

    let member = app.admin(&shop, "GET", "/api/segments/buyers/members", None).await.1["members"][0].clone();
    let email = member["email"].as_str().unwrap().to_owned();
    let (variant, price) = shop.sim.with_admin(|admin| {
        let variant = &admin.shop().products[0].variants[0];
        (variant.id, variant.price_cents)
    });
    shop.sim.with_admin(|admin| {
        // The member checks out as a guest, typing the email in capitals; a stranger does too.
        admin.place_guest_order(&email.to_uppercase(), &[(variant, 2)], now()).unwrap();
        admin.place_guest_order("stranger@example.net", &[(variant, 1)], now()).unwrap();
    });
    shop.forward_webhooks(&app).await;
    app.run_jobs().await;

    let (status, report) = app.admin(&shop, "GET", "/api/discount-rules/guest-misses", None).await;
    assert_eq!(status, 200, "{report}");
    let orders = report["orders"].as_array().unwrap();
    assert_eq!(orders.len(), 1, "only the member's guest order: {report}");
    assert_eq!(orders[0]["customer_id"], member["customer_id"]);
    assert_eq!(orders[0]["segments"], json!(["buyers"]));
    // 10% of two items, in cents, rounded half up.
    let cents = (2 * price * 10 + 50) / 100;
    let missed = format!("{}.{:02}", cents / 100, cents % 100);
    assert_eq!(orders[0]["missed"], missed, "10% of the order: {report}");
    assert_eq!(report["total_missed"], missed);

    // Redacting the member forgets which guest orders were theirs.
    let redact = json!({ "shop_domain": shop.domain, "customer": { "id": member["customer_id"].as_str().unwrap().parse::<u64>().unwrap(), "email": email },
        "orders_to_redact": [] });
    app.deliver(&shop.domain, "customers/redact", "redact-member", &redact).await;
    app.run_jobs().await;
    let (_, report) = app.admin(&shop, "GET", "/api/discount-rules/guest-misses", None).await;
    assert_eq!(report["orders"], json!([]), "{report}");
}
on_each_engine!(a_member_who_checked_out_as_a_guest_is_reported_with_what_they_missed);

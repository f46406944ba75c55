//! The Function on input that the Shopify simulator builds by executing the real input queries
//! (`src/*.graphql`) against a checkout: this checks the positions in `shape` and the queries'
//! variables against a GraphQL executor, not against our own input builder.

use discount_rules::{Decimal, FunctionConfig, METAFIELD_KEY, METAFIELD_NAMESPACE, Rule, Target, compile};
use serde_json::json;
use shopify_sim::{
    CartLine, Checkout, Customer, DeliveryGroup, DeliveryOption, DiscountNode, Merchandise, Product,
};

use super::carts::{fixed, percent, rule};
use super::support::{Run, run_delivery, run_lines};

const LINES_QUERY: &str = include_str!("../cart_lines_discounts_generate_run.graphql");
const DELIVERY_QUERY: &str = include_str!("../cart_delivery_options_discounts_generate_run.graphql");

fn checkout(config: &FunctionConfig, tags: &[&str]) -> Checkout {
    let product = |id: u64, collections: &[u64]| Product {
        id: format!("gid://shopify/Product/{id}"),
        collections: collections.iter().map(|c| format!("gid://shopify/Collection/{c}")).collect(),
        tags: Vec::new(),
    };
    let line = |n: usize, merchandise: Merchandise| CartLine {
        id: format!("gid://shopify/CartLine/{n}"),
        quantity: 1,
        subtotal: "30.00".to_owned(),
        merchandise,
    };
    Checkout {
        customer: (!tags.is_empty()).then(|| Customer {
            id: "gid://shopify/Customer/1".to_owned(),
            tags: tags.iter().map(|&tag| tag.to_owned()).collect(),
        }),
        lines: vec![
            line(
                0,
                Merchandise::Variant {
                    id: "gid://shopify/ProductVariant/1".to_owned(),
                    product: product(1, &[10]),
                },
            ),
            line(
                1,
                Merchandise::Variant {
                    id: "gid://shopify/ProductVariant/2".to_owned(),
                    product: product(2, &[]),
                },
            ),
            line(2, Merchandise::Custom),
        ],
        delivery_groups: vec![DeliveryGroup {
            id: "gid://shopify/CartDeliveryGroup/1".to_owned(),
            options: vec![DeliveryOption { handle: "standard".to_owned(), price: "6.00".to_owned() }],
        }],
        currency: "CAD".to_owned(),
        presentment_currency_rate: "1.25".to_owned(),
        discount: DiscountNode {
            classes: vec!["ORDER".to_owned(), "PRODUCT".to_owned(), "SHIPPING".to_owned()],
            metafields: vec![(
                METAFIELD_NAMESPACE.to_owned(),
                METAFIELD_KEY.to_owned(),
                config.to_metafield_json(),
            )],
            input_variables: Some((METAFIELD_NAMESPACE.to_owned(), METAFIELD_KEY.to_owned())),
        },
    }
}

fn lines(checkout: &Checkout) -> Run {
    run_lines(&shopify_sim::function_input(LINES_QUERY, checkout).unwrap())
}

fn rules() -> Vec<Rule> {
    let sale = Target::Collections(vec!["gid://shopify/Collection/10".to_owned()]);
    vec![
        rule("vip", "VIP $10 off", fixed("10"), Target::OrderSubtotal),
        rule("wholesale", "Sale: 20% off", percent("20"), sale),
        Rule {
            minimum_subtotal: Some(Decimal::parse("50").unwrap()),
            ..rule("vip", "Free shipping over $50", percent("100"), Target::Shipping)
        },
        rule(
            "loyal",
            "$5 off product 2",
            fixed("5"),
            Target::Products(vec!["gid://shopify/Product/2".to_owned()]),
        ),
    ]
}

#[test]
fn a_guest_on_simulated_input_gets_nothing() {
    let config = compile(&rules()).unwrap();
    assert_eq!(lines(&checkout(&config, &[])).output, json!({ "operations": [] }));
}

#[test]
fn members_on_simulated_input_get_their_discounts() {
    let config = compile(&rules()).unwrap();

    let vip = lines(&checkout(&config, &["seglink:vip", "newsletter"]));
    assert_eq!(
        vip.candidates("orderDiscountsAdd")[0]["value"],
        json!({ "fixedAmount": { "amount": "12.5" } })
    );

    let wholesale = lines(&checkout(&config, &["seglink:wholesale"]));
    let targets = &wholesale.candidates("productDiscountsAdd")[0]["targets"];
    assert_eq!(targets, &json!([{ "cartLine": { "id": "gid://shopify/CartLine/0" } }]));

    let loyal = lines(&checkout(&config, &["seglink:loyal"]));
    let targets = &loyal.candidates("productDiscountsAdd")[0]["targets"];
    assert_eq!(targets, &json!([{ "cartLine": { "id": "gid://shopify/CartLine/1" } }]));
}

#[test]
fn shipping_on_simulated_input_follows_the_minimum_in_the_buyers_currency() {
    let config = compile(&rules()).unwrap();
    let mut vip = checkout(&config, &["seglink:vip"]);
    // 90.00 CAD is 72.00 in the shop's currency: over the 50.00 minimum.
    let run = run_delivery(&shopify_sim::function_input(DELIVERY_QUERY, &vip).unwrap());
    assert_eq!(run.candidates("deliveryDiscountsAdd")[0]["message"], "Free shipping over $50");
    // 90.00 at a rate of 2 is 45.00: under it.
    vip.presentment_currency_rate = "2".to_owned();
    let run = run_delivery(&shopify_sim::function_input(DELIVERY_QUERY, &vip).unwrap());
    assert_eq!(run.output, json!({ "operations": [] }));
}

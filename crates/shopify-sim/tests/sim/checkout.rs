//! Function input built by executing the Function's own query against a checkout.

use serde_json::json;
use shopify_sim::{CartLine, Checkout, Customer, DiscountNode, Merchandise, Product, function_input};

const QUERY: &str = r#"query Input($ruleTags: [String!], $sale: [ID!]) {
  cart { buyerIdentity { customer { hasAnyTag(tags: $ruleTags) hasTags(tags: $ruleTags) { tag hasTag } } } }
  discount { discountClasses metafield(namespace: "$app:demo", key: "config") { value } }
  presentmentCurrencyRate
  lineCart: cart {
    lines {
      id
      merchandise { __typename ... on ProductVariant { product { onSale: inAnyCollection(ids: $sale) id } } }
      quantity
    }
    cost { subtotalAmount { amount } }
  }
}"#;

fn checkout(config: &str) -> Checkout {
    let shirt = Product {
        id: "gid://shopify/Product/1".to_owned(),
        collections: vec!["gid://shopify/Collection/9".to_owned()],
        tags: Vec::new(),
    };
    Checkout {
        customer: Some(Customer {
            id: "gid://shopify/Customer/7".to_owned(),
            tags: vec!["seglink:vip".to_owned()],
        }),
        lines: vec![
            CartLine {
                id: "gid://shopify/CartLine/a".to_owned(),
                quantity: 2,
                subtotal: "40.00".to_owned(),
                merchandise: Merchandise::Variant {
                    id: "gid://shopify/ProductVariant/11".to_owned(),
                    product: shirt,
                },
            },
            CartLine {
                id: "gid://shopify/CartLine/b".to_owned(),
                quantity: 1,
                subtotal: "5.5".to_owned(),
                merchandise: Merchandise::Custom,
            },
        ],
        delivery_groups: Vec::new(),
        currency: "EUR".to_owned(),
        presentment_currency_rate: "1.1".to_owned(),
        discount: DiscountNode {
            classes: vec!["ORDER".to_owned(), "PRODUCT".to_owned()],
            metafields: vec![("$app:demo".to_owned(), "config".to_owned(), config.to_owned())],
            input_variables: Some(("$app:demo".to_owned(), "config".to_owned())),
        },
    }
}

#[test]
fn the_input_follows_the_query_its_aliases_and_the_metafields_variables() {
    let config = r#"{"ruleTags":["seglink:loyal","seglink:vip"],"sale":["gid://shopify/Collection/9"]}"#;
    let input = function_input(QUERY, &checkout(config)).unwrap();
    let expected = json!({
        "cart": { "buyerIdentity": { "customer": {
            "hasAnyTag": true,
            "hasTags": [{ "tag": "seglink:loyal", "hasTag": false }, { "tag": "seglink:vip", "hasTag": true }],
        } } },
        "discount": { "discountClasses": ["ORDER", "PRODUCT"], "metafield": { "value": config } },
        "presentmentCurrencyRate": "1.1",
        "lineCart": {
            "lines": [
                {
                    "id": "gid://shopify/CartLine/a",
                    "merchandise": { "__typename": "ProductVariant", "product": { "onSale": true, "id": "gid://shopify/Product/1" } },
                    "quantity": 2,
                },
                { "id": "gid://shopify/CartLine/b", "merchandise": { "__typename": "CustomProduct" }, "quantity": 1 },
            ],
            "cost": { "subtotalAmount": { "amount": "45.50" } },
        },
    });
    // Compared as text: Shopify's answer keeps the query's field order, and the Function reads
    // by it.
    assert_eq!(input.to_string(), expected.to_string());
}

#[test]
fn a_guest_has_no_customer() {
    let mut checkout = checkout(r#"{"ruleTags":["seglink:vip"]}"#);
    checkout.customer = None;
    let input = function_input(QUERY, &checkout).unwrap();
    assert_eq!(input["cart"]["buyerIdentity"]["customer"], json!(null));
}

#[test]
fn a_metafield_over_ten_thousand_bytes_reaches_neither_the_query_nor_its_variables() {
    let padding = "x".repeat(10_000);
    let config = format!(r#"{{"ruleTags":["seglink:vip"],"padding":"{padding}"}}"#);
    let input = function_input(QUERY, &checkout(&config)).unwrap();
    assert_eq!(input["discount"]["metafield"], json!(null));
    assert_eq!(input["cart"]["buyerIdentity"]["customer"]["hasAnyTag"], json!(false));
    assert_eq!(input["cart"]["buyerIdentity"]["customer"]["hasTags"], json!([]));
}

#[test]
fn a_query_the_function_schema_does_not_allow_is_rejected() {
    let errors = function_input("query { cart { nope } }", &checkout("{}")).unwrap_err();
    let undefined =
        errors.errors.iter().find(|error| error.code() == "undefinedField").expect("undefinedField");
    assert_eq!(undefined.message, "Field 'nope' doesn't exist on type 'Cart'");
}

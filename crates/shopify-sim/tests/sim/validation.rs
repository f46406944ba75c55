//! Every document goes through the official Admin 2026-10 schema, and a rejected one gets
//! Shopify's error shape.

use serde_json::json;
use shopify_sim::AdminSchema;

fn codes(document: &str) -> Vec<String> {
    let errors = AdminSchema::get().validate(document).expect_err("the document should be rejected");
    errors.errors.iter().map(|error| error.code().to_owned()).collect()
}

#[test]
fn the_operations_seglink_sends_are_valid() {
    let operations = [
        "query { currentAppInstallation { accessScopes { handle } } shop { name myshopifyDomain currencyCode } }",
        "mutation TagsAdd($id: ID!, $tags: [String!]!) { tagsAdd(id: $id, tags: $tags) { node { id } userErrors { field message } } }",
        "mutation TagsRemove($id: ID!, $tags: [String!]!) { tagsRemove(id: $id, tags: $tags) { userErrors { field message } } }",
        "query Customers($first: Int!, $after: String, $query: String) {
           customers(first: $first, after: $after, query: $query) {
             nodes { id email tags numberOfOrders amountSpent { amount currencyCode } }
             pageInfo { hasNextPage endCursor }
           }
         }",
        "mutation Set($metafields: [MetafieldsSetInput!]!) {
           metafieldsSet(metafields: $metafields) { metafields { id key namespace } userErrors { field message code } }
         }",
        "mutation Pixel($settings: JSON!) { webPixelCreate(webPixel: { settings: $settings }) { webPixel { id settings } userErrors { field message code } } }",
        "mutation Discount($discount: DiscountAutomaticAppInput!) {
           discountAutomaticAppCreate(automaticAppDiscount: $discount) {
             automaticAppDiscount { discountId title discountClasses }
             userErrors { field message }
           }
         }",
        "mutation Bulk($query: String!) { bulkOperationRunQuery(query: $query) { bulkOperation { id status } userErrors { field message } } }",
        "query Segment($query: String!) { customerSegmentMembers(first: 50, query: $query) { edges { node { id } } } }",
    ];
    for operation in operations {
        if let Err(errors) = AdminSchema::get().validate(operation) {
            panic!("{operation}\n{}", errors.to_json());
        }
    }
}

#[test]
fn an_unknown_field_is_rejected_as_shopify_rejects_it() {
    let errors = AdminSchema::get().validate("{\n  files2 { edges { node { alt } } }\n}").unwrap_err();
    assert_eq!(
        errors.to_json(),
        json!({ "errors": [{
            "message": "Field 'files2' doesn't exist on type 'QueryRoot'",
            "locations": [{ "line": 2, "column": 3 }],
            "extensions": { "code": "undefinedField", "typeName": "QueryRoot", "fieldName": "files2" },
        }] })
    );
}

#[test]
fn each_kind_of_invalid_document_gets_its_code() {
    assert_eq!(codes("{ shop { name "), ["parseError"]);
    assert_eq!(
        codes("mutation { tagsAdd(tags: [\"vip\"]) { userErrors { message } } }"),
        ["missingRequiredArguments"]
    );
    assert_eq!(
        codes(
            "mutation { tagsAdd(id: \"gid://shopify/Customer/1\", tags: [\"vip\"], colour: 1) { userErrors { message } } }"
        ),
        ["argumentNotAccepted"]
    );
    assert_eq!(codes("query { customer(id: $id) { id } }"), ["variableNotDefined"]);
    assert_eq!(codes("query($id: ID!) { shop { name } }"), ["variableNotUsed"]);
    assert!(
        codes("query($id: Nonsense!) { customer(id: $id) { id } }").contains(&"undefinedType".to_owned())
    );
}

#[test]
fn every_error_has_a_message_a_location_and_a_code() {
    let errors = AdminSchema::get().validate("query($a: Int) { shop { nope } customer { id } }").unwrap_err();
    assert!(errors.errors.len() >= 2, "{}", errors.to_json());
    for error in &errors.errors {
        assert!(!error.message.is_empty());
        assert!(!error.locations.is_empty(), "{error:?}");
        assert!(!error.code().is_empty(), "{error:?}");
    }
}

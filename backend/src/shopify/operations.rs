//! The Admin API operations Seglink sends, one per file in `backend/graphql/` so a request carries
//! its own operation only, typed against the pruned 2026-10 schema the pinned script writes.
//! Optional input fields are left out rather than sent as null (`skip_serializing_none`), and a
//! `@oneOf` input such as `DiscountContextInput` becomes an enum, so only one field can be sent.

#![expect(missing_docs, reason = "graphql_client's derive writes each operation's types, undocumented")]

use graphql_client::GraphQLQuery;

/// ISO 8601 date and time.
pub type DateTime = String;
/// Arbitrary JSON, as Shopify sends it (a string for `WebPixel.settings`).
pub type JSON = serde_json::Value;
/// An absolute URL.
pub type URL = String;
/// A decimal amount as Shopify writes it (`29.95`).
pub type Money = String;
/// A decimal number as a string.
pub type Decimal = String;
/// A count Shopify sends as a string, being beyond JSON's safe integers.
pub type UnsignedInt64 = String;

// rustfmt re-indents attributes inside macro bodies on every run; this one is laid out by hand.
#[rustfmt::skip]
macro_rules! operation {
    ($name:ident, $file:tt) => {
        #[derive(GraphQLQuery)]
        #[graphql(
            schema_path = "graphql/schema.graphql",
            query_path = $file,
            response_derives = "Debug, Clone",
            variables_derives = "Debug, Clone, Deserialize",
            skip_serializing_none
        )]
        pub struct $name;
    };
}

operation!(CurrentInstallation, "graphql/current_installation.graphql");
operation!(CreateWebhookSubscription, "graphql/create_webhook_subscription.graphql");
operation!(CurrentWebPixel, "graphql/current_web_pixel.graphql");
operation!(CreateWebPixel, "graphql/create_web_pixel.graphql");
operation!(UpdateWebPixel, "graphql/update_web_pixel.graphql");
operation!(CreateMetafieldDefinition, "graphql/create_metafield_definition.graphql");
operation!(DiscountFunctions, "graphql/discount_functions.graphql");
operation!(CreateAutomaticAppDiscount, "graphql/create_automatic_app_discount.graphql");
operation!(StartBulkQuery, "graphql/start_bulk_query.graphql");
operation!(BulkOperationStatus, "graphql/bulk_operation_status.graphql");
operation!(AddTags, "graphql/add_tags.graphql");
operation!(RemoveTags, "graphql/remove_tags.graphql");
operation!(CreateSegment, "graphql/create_segment.graphql");
operation!(UpdateSegment, "graphql/update_segment.graphql");
operation!(SetMetafields, "graphql/set_metafields.graphql");
operation!(SetProduct, "graphql/set_product.graphql");
operation!(DiscountConfig, "graphql/discount_config.graphql");
operation!(StageUpload, "graphql/stage_upload.graphql");
operation!(StartBulkMutation, "graphql/start_bulk_mutation.graphql");
operation!(ProductCollections, "graphql/product_collections.graphql");
operation!(FlowTriggerReceive, "graphql/flow_trigger_receive.graphql");
operation!(ActiveSubscriptions, "graphql/active_subscriptions.graphql");

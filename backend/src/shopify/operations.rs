//! The Admin API operations Seglink sends, typed from `backend/graphql/*.graphql` against the
//! pruned 2026-10 schema the pinned script writes. Optional input fields are left out rather than
//! sent as null (`skip_serializing_none`), which `@oneOf` inputs such as `DiscountContextInput`
//! require.

#![allow(missing_docs, clippy::all)]

use graphql_client::GraphQLQuery;

/// ISO 8601 date and time.
pub type DateTime = String;
/// Arbitrary JSON, as Shopify sends it (a string for `WebPixel.settings`).
pub type JSON = serde_json::Value;
/// An absolute URL.
pub type URL = String;

macro_rules! operation {
    ($name:ident, $file:tt) => {
        #[derive(GraphQLQuery)]
        #[graphql(
                            schema_path = "graphql/schema.graphql",
                            query_path = $file,
                            response_derives = "Debug, Clone",
                            variables_derives = "Debug, Clone",
                            skip_serializing_none
                        )]
        pub struct $name;
    };
}

operation!(CurrentInstallation, "graphql/install.graphql");
operation!(CreateWebhookSubscription, "graphql/provisioning.graphql");
operation!(CurrentWebPixel, "graphql/provisioning.graphql");
operation!(CreateWebPixel, "graphql/provisioning.graphql");
operation!(UpdateWebPixel, "graphql/provisioning.graphql");
operation!(CreateMetafieldDefinition, "graphql/provisioning.graphql");
operation!(DiscountFunctions, "graphql/provisioning.graphql");
operation!(CreateAutomaticAppDiscount, "graphql/provisioning.graphql");
operation!(StartBulkQuery, "graphql/provisioning.graphql");

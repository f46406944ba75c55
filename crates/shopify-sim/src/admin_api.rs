//! The Admin GraphQL endpoint's request pipeline, in Shopify's order: the access token, the
//! document against the official schema, the requested cost against the shop's bucket, the
//! scopes of each root field, then execution against the shop's records.

pub(crate) mod resolvers;
pub(crate) mod schema;

use std::cell::RefCell;
use std::sync::OnceLock;
use std::time::Duration;

use apollo_compiler::collections::HashMap;
use apollo_compiler::executable::{OperationType, Selection};
use apollo_compiler::resolvers::Execution;
use apollo_compiler::response::JsonMap;
use apollo_compiler::schema::Implementers;
use apollo_compiler::{ExecutableDocument, Name};
use serde_json::{Value, json};

use crate::admin_api::resolvers::{MutationRoot, QueryRoot};
use crate::admin_api::schema::{ADMIN_API_VERSION, AdminSchema};
use crate::bulk::BulkOperations;
use crate::cost::requested_cost;
use crate::discounts::{Discounts, ShopifyFunction};
use crate::errors::{GraphqlError, GraphqlErrors, Location};
use crate::metafields::definitions::Definition;
use crate::oauth::{OAuthError, OAuthServer};
use crate::pixels::WebPixels;
use crate::segments::Segment;
use crate::shop::Shop;
use crate::throttle::{Bucket, Plan};
use crate::webhooks::WebhookOutbox;

/// An HTTP answer: status and JSON body.
#[derive(Clone, Debug, PartialEq)]
pub struct Response {
    /// 200 for anything GraphQL answers, errors included; 401 for a bad token.
    pub status: u16,
    /// The body.
    pub body: Value,
}

/// One shop's Admin API for one installed app.
pub struct AdminApi {
    pub(crate) shop: RefCell<Shop>,
    pub(crate) oauth: OAuthServer,
    bucket: Bucket,
    pub(crate) outbox: RefCell<WebhookOutbox>,
    pub(crate) discounts: RefCell<Discounts>,
    pub(crate) pixels: RefCell<WebPixels>,
    segments: RefCell<Vec<Segment>>,
    definitions: RefCell<Vec<Definition>>,
    bulk: RefCell<BulkOperations>,
    flow: RefCell<crate::flow::Flow>,
    billing: RefCell<crate::billing::Billing>,
    calls: Vec<Call>,
}

/// A request the API ran (it passed authentication, validation and the rate limit), kept so a
/// test can count what an app asked for.
#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    /// The root fields of the operation, such as `tagsAdd`.
    pub fields: Vec<String>,
    /// Its variables.
    pub variables: Value,
    /// The points it was charged.
    pub cost: u64,
}

/// Root fields the simulator answers, with the scopes each needs (a `write_` scope implies its
/// `read_`). A valid document using any other root field is refused with its name.
const ROOT_FIELDS: [(&str, &[&str]); 31] = [
    ("shop", &[]),
    ("currentAppInstallation", &[]),
    ("customers", &["read_customers"]),
    ("customer", &["read_customers"]),
    ("tagsAdd", &["write_customers"]),
    ("tagsRemove", &["write_customers"]),
    // The scope depends on the topic; the resolver checks it.
    ("webhookSubscriptionCreate", &[]),
    ("product", &["read_products"]),
    ("products", &["read_products"]),
    ("productSet", &["write_products"]),
    ("orders", &["read_orders"]),
    ("order", &["read_orders"]),
    // Each owner's write scope; the resolver checks it per input, as a user error.
    ("metafieldsSet", &[]),
    // Shopify asks for the owner type's write scope; checked per owner type in the resolver.
    ("metafieldDefinitionCreate", &[]),
    ("shopifyFunctions", &[]),
    ("discountNode", &["read_discounts"]),
    ("discountAutomaticAppCreate", &["write_discounts"]),
    ("discountAutomaticAppUpdate", &["write_discounts"]),
    ("webPixelCreate", &["write_pixels", "read_customer_events"]),
    ("webPixelUpdate", &["write_pixels", "read_customer_events"]),
    ("webPixel", &["read_pixels"]),
    ("segmentCreate", &["write_customers"]),
    ("segmentUpdate", &["write_customers"]),
    ("segment", &["read_customers"]),
    ("customerSegmentMembers", &["read_customers"]),
    // A bulk query's own fields are checked when it runs.
    ("bulkOperationRunQuery", &[]),
    ("bulkOperationRunMutation", &[]),
    ("stagedUploadsCreate", &[]),
    ("bulkOperation", &[]),
    ("currentBulkOperation", &[]),
    // Shopify names no scope for it; a workflow needs the scopes of its references.
    ("flowTriggerReceive", &[]),
];

impl AdminApi {
    /// The API of `shop`, authorising through `oauth`, rate limited for `plan` from `now`.
    pub fn new(shop: Shop, oauth: OAuthServer, plan: Plan, now: Duration) -> Self {
        let outbox = WebhookOutbox::new(oauth.client_secret(), oauth.shop(), ADMIN_API_VERSION);
        let flow = crate::flow::Flow::new(oauth.client_secret(), oauth.shop(), 1);
        Self {
            shop: RefCell::new(shop),
            oauth,
            bucket: Bucket::new(plan, now),
            outbox: RefCell::new(outbox),
            discounts: RefCell::default(),
            pixels: RefCell::default(),
            segments: RefCell::default(),
            definitions: RefCell::default(),
            bulk: RefCell::default(),
            flow: RefCell::new(flow),
            billing: RefCell::new(crate::billing::Billing::new("seglink", "/billing")),
            calls: Vec::new(),
        }
    }

    /// The shop's Flow: its trigger definitions, workflows, run log and callbacks to send.
    pub fn flow_mut(&mut self) -> &mut crate::flow::Flow {
        self.flow.get_mut()
    }

    /// The app's plans and subscriptions.
    pub fn billing(&self) -> std::cell::Ref<'_, crate::billing::Billing> {
        self.billing.borrow()
    }

    /// The app's plans and subscriptions, to define plans or change a subscription as Shopify
    /// would (a payment failing, say).
    pub fn billing_mut(&mut self) -> &mut crate::billing::Billing {
        self.billing.get_mut()
    }

    /// The merchant's answer on the plan page for `handle`; sends `app_subscriptions/update`
    /// for each subscription it changes.
    pub fn choose_plan(
        &mut self,
        handle: &str,
        decision: crate::billing::Decision,
        now: Duration,
    ) -> Result<(), String> {
        let updates = self.billing.get_mut().choose(handle, decision, now)?;
        for update in updates {
            self.outbox.get_mut().emit("app_subscriptions/update", &update, now);
        }
        Ok(())
    }

    /// Defines the app's plans and, when `subscribed` names one, subscribes the store to it as if
    /// the merchant had approved it on the plan page (with no webhook: no app is listening yet).
    pub fn offer_plans(
        &mut self,
        plans: Vec<crate::billing::PricingPlan>,
        subscribed: Option<&str>,
        now: Duration,
    ) {
        let billing = self.billing.get_mut();
        billing.set_plans(plans);
        if let Some(handle) = subscribed {
            let _ = billing.choose(handle, crate::billing::Decision::Approve, now);
        }
    }

    /// Every request run so far, oldest first.
    pub fn calls(&self) -> &[Call] {
        &self.calls
    }

    /// The metafield definitions, for a test to change as a developer or another app might.
    pub fn definitions_mut(&mut self) -> &mut Vec<Definition> {
        self.definitions.get_mut()
    }

    /// Drops the metafield definitions in the app's reserved namespaces, as an uninstall does.
    pub(crate) fn forget_app_definitions(&mut self) {
        let app = format!("app--{}", self.oauth.client_id());
        self.definitions.get_mut().retain(|definition| {
            definition.namespace != app && !definition.namespace.starts_with(&format!("{app}--"))
        });
    }

    /// The shop's records as they stand.
    pub fn shop(&self) -> std::cell::Ref<'_, Shop> {
        self.shop.borrow()
    }

    /// The authorisation server, to read what it granted.
    pub fn oauth(&self) -> &OAuthServer {
        &self.oauth
    }

    /// The authorisation server, to mint tokens through.
    pub fn oauth_mut(&mut self) -> &mut OAuthServer {
        &mut self.oauth
    }

    /// Deploys one of the app's Functions, as `shopify app deploy` does. Returns its id.
    pub fn deploy_function(&mut self, handle: &str, api_type: &str, title: &str) -> String {
        let functions = &mut self.discounts.get_mut().functions;
        let id = format!("01J{:023}", functions.len() + 1);
        functions.push(ShopifyFunction {
            id: id.clone(),
            handle: handle.to_owned(),
            api_type: api_type.to_owned(),
            title: title.to_owned(),
        });
        id
    }

    /// Removes every deployed Function, as before the app's first deploy.
    pub fn undeploy_functions(&mut self) {
        self.discounts.get_mut().functions.clear();
    }

    /// Deploys the app's web pixel extension, declaring its settings keys.
    pub fn deploy_web_pixel(&mut self, settings_keys: &[&str]) {
        self.pixels.get_mut().declared_keys =
            Some(settings_keys.iter().map(|key| (*key).to_owned()).collect());
    }

    /// Where the HTTP server is reached, for bulk result URLs.
    pub fn set_public_url(&mut self, url: &str) {
        self.bulk.get_mut().public_url = url.trim_end_matches('/').to_owned();
    }

    /// Stores a file uploaded to a staged target; false for an unknown or used key.
    pub fn store_upload(&mut self, key: &str, file: Vec<u8>) -> bool {
        crate::bulk_mutation::store_upload(self.bulk.get_mut(), key, file)
    }

    /// A bulk query's JSONL result, as served at its URL.
    pub fn bulk_result(&self, id: u64) -> Option<String> {
        self.bulk
            .borrow()
            .operations
            .iter()
            .find(|operation| operation.id == id)
            .map(|operation| operation.jsonl.clone())
    }

    /// The customer segments, as the admin lists them.
    pub fn segments(&self) -> Vec<Segment> {
        self.segments.borrow().clone()
    }

    /// The app's automatic discounts as they stand.
    pub fn automatic_discounts(&self) -> Vec<crate::discounts::AutomaticAppDiscount> {
        self.discounts.borrow().automatic.clone()
    }

    /// A discount node as the checkout gives it to the Function: its classes and its metafields
    /// under the names the Function's query uses (`$app:…` for the app's own namespaces).
    pub fn checkout_discount(
        &self,
        node_id: &str,
        input_variables: Option<(&str, &str)>,
    ) -> Option<crate::DiscountNode> {
        let discount = self
            .discounts
            .borrow()
            .automatic
            .iter()
            .find(|discount| discount.node_id() == node_id)
            .cloned()?;
        let app = format!("app--{}", self.oauth.client_id());
        let metafields = self
            .shop
            .borrow()
            .metafields
            .get(node_id)
            .map(|owned| {
                owned
                    .values()
                    .map(|metafield| {
                        let namespace = match metafield.namespace.strip_prefix(&app) {
                            Some("") => "$app".to_owned(),
                            Some(rest) => rest.strip_prefix("--").map_or_else(
                                || metafield.namespace.clone(),
                                |suffix| format!("$app:{suffix}"),
                            ),
                            None => metafield.namespace.clone(),
                        };
                        (namespace, metafield.key.clone(), metafield.value.clone())
                    })
                    .collect()
            })
            .unwrap_or_default();
        Some(crate::DiscountNode {
            classes: discount.classes,
            metafields,
            input_variables: input_variables.map(|(namespace, key)| (namespace.to_owned(), key.to_owned())),
        })
    }

    /// The latest webhook delivery attempts with the app's answers, oldest first.
    pub fn webhooks_sent(&self) -> Vec<crate::webhooks::Sent> {
        self.outbox.borrow().sent().cloned().collect()
    }

    /// The webhook subscriptions and deliveries.
    pub fn webhooks_mut(&mut self) -> &mut WebhookOutbox {
        self.outbox.get_mut()
    }

    /// The rate-limit bucket, to inspect or drain.
    pub fn bucket_mut(&mut self) -> &mut Bucket {
        &mut self.bucket
    }

    /// `POST /admin/api/2026-10/graphql.json` with `X-Shopify-Access-Token` and a JSON body of
    /// `query`, optional `variables` and `operationName`.
    pub fn graphql(&mut self, access_token: &str, request: &Value, now: Duration) -> Response {
        let scopes = match self.oauth.authenticate(access_token, now.as_secs()) {
            Ok(grant) => grant.scopes.clone(),
            Err(OAuthError { status, body }) => return Response { status, body },
        };
        let Some(query) = request.get("query").and_then(Value::as_str) else {
            return errors(GraphqlError::new(
                "BAD_REQUEST",
                "Parameter Missing or Invalid: query",
                Vec::new(),
            ));
        };
        let variables = match request.get("variables") {
            None | Some(Value::Null) => serde_json::Map::new(),
            Some(Value::Object(variables)) => variables.clone(),
            Some(_) => {
                return errors(GraphqlError::new(
                    "BAD_REQUEST",
                    "variables must be a JSON object",
                    Vec::new(),
                ));
            }
        };
        let document = match AdminSchema::get().validate(query) {
            Ok(document) => document,
            Err(invalid) => return Response { status: 200, body: invalid.to_json() },
        };
        let schema = AdminSchema::get().schema();
        let operation_name = request.get("operationName").and_then(Value::as_str);
        let Ok(operation) = document.operations.get(operation_name) else {
            let message = "An operation name is required when the document has more than one operation";
            return errors(GraphqlError::new("BAD_REQUEST", message, Vec::new()));
        };
        // Variables are coerced before the query is priced, as Shopify does: a bad value is the
        // caller's error, not a cost.
        let raw: JsonMap = serde_json::from_value(Value::Object(variables.clone())).unwrap_or_default();
        let coerced = match apollo_compiler::request::coerce_variable_values(schema, operation, &raw) {
            Ok(coerced) => coerced,
            Err(error) => {
                let locations = error
                    .location()
                    .and_then(|span| span.line_column_range(&document.sources))
                    .map(|range| vec![Location { line: range.start.line, column: range.start.column }])
                    .unwrap_or_default();
                return errors(GraphqlError::new("INVALID_VARIABLE", error.message().to_string(), locations));
            }
        };
        if let Err(refused) = crate::input_rules::check_variables(schema, operation, &coerced) {
            return errors(refused);
        }
        let requested = requested_cost(&document, operation, &variables);
        let status = match self.bucket.charge(requested, now) {
            Ok(status) => status,
            Err(refusal) => {
                let body = json!({ "errors": [refusal.error()], "extensions": { "cost": refusal.cost_extension() } });
                return Response { status: 200, body };
            }
        };
        if let Err(denied) =
            check_fields(&document, operation.operation_type, &operation.selection_set.selections, &scopes)
        {
            return errors(denied);
        }
        self.calls.push(Call {
            fields: root_field_names(&operation.selection_set.selections),
            variables: Value::Object(variables.clone()),
            cost: requested,
        });
        // The executor keeps JSON in its own map type.
        let execution_variables: JsonMap =
            serde_json::from_value(Value::Object(variables)).unwrap_or_default();
        let execution = Execution::new(AdminSchema::get().schema(), &document)
            .operation(operation)
            .implementers_map(implementers())
            .raw_variable_values(&execution_variables);
        let shop = &self.shop;
        let client_id = self.oauth.client_id();
        let response = match operation.operation_type {
            OperationType::Mutation => execution.execute_sync(&MutationRoot {
                shop,
                billing: &self.billing,
                discounts: &self.discounts,
                pixels: &self.pixels,
                segments: &self.segments,
                definitions: &self.definitions,
                bulk: &self.bulk,
                outbox: &self.outbox,
                flow: &self.flow,
                scopes: &scopes,
                client_id,
                now,
            }),
            _ => execution.execute_sync(&QueryRoot {
                shop,
                billing: &self.billing,
                unpaged: false,
                discounts: &self.discounts,
                pixels: &self.pixels,
                segments: &self.segments,
                definitions: &self.definitions,
                bulk: &self.bulk,
                now,
                scopes: &scopes,
                client_id,
            }),
        };
        let mut body = match response {
            Ok(mut response) => {
                // The executor prefixes what a resolver says; Shopify's messages stand alone.
                for error in &mut response.errors {
                    if let Some(message) = error.message.strip_prefix("resolver error: ") {
                        error.message = message.to_owned();
                    }
                }
                serde_json::to_value(&response).unwrap_or(Value::Null)
            }
            Err(error) => {
                json!({ "errors": [GraphqlError::new("BAD_REQUEST", error.message().to_string(), Vec::new())] })
            }
        };
        // Actual cost is charged as requested: the refund for short pages is not modelled.
        body["extensions"] = json!({ "cost": status.cost_extension(requested, Some(requested)) });
        Response { status: 200, body }
    }
}

/// The names of the fields an operation selects at its root.
pub(crate) fn root_field_names(selections: &[Selection]) -> Vec<String> {
    selections
        .iter()
        .filter_map(|selection| match selection {
            Selection::Field(field) => Some(field.name.to_string()),
            _ => None,
        })
        .collect()
}

fn errors(error: GraphqlError) -> Response {
    Response { status: 200, body: GraphqlErrors { errors: vec![error] }.to_json() }
}

pub(crate) fn implementers() -> &'static HashMap<Name, Implementers> {
    static MAP: OnceLock<HashMap<Name, Implementers>> = OnceLock::new();
    MAP.get_or_init(|| AdminSchema::get().schema().implementers_map())
}

/// Every root field must be one the simulator answers, and the token must hold its scope.
pub(crate) fn check_fields(
    document: &ExecutableDocument,
    operation_type: OperationType,
    selections: &[Selection],
    scopes: &[String],
) -> Result<(), GraphqlError> {
    for selection in selections {
        let field = match selection {
            Selection::Field(field) => field,
            Selection::InlineFragment(fragment) => {
                check_fields(document, operation_type, &fragment.selection_set.selections, scopes)?;
                continue;
            }
            Selection::FragmentSpread(spread) => {
                if let Some(fragment) = spread.fragment_def(document) {
                    check_fields(document, operation_type, &fragment.selection_set.selections, scopes)?;
                }
                continue;
            }
        };
        let name = field.name.as_str();
        if name.starts_with("__") {
            continue;
        }
        let Some((_, needed)) = ROOT_FIELDS.iter().find(|(root, _)| *root == name) else {
            let kind = if operation_type == OperationType::Mutation { "mutation" } else { "query" };
            return Err(GraphqlError::new(
                "NOT_SIMULATED",
                format!("shopify-sim does not simulate the {kind} field `{name}` yet"),
                Vec::new(),
            ));
        };
        if let Some(scope) = needed.iter().find(|scope| !holds(scopes, scope)) {
            let mut error = GraphqlError::new(
                "ACCESS_DENIED",
                format!("Access denied for {name} field. Required access: `{scope}` access scope."),
                Vec::new(),
            );
            error
                .extensions
                .insert("documentation".to_owned(), "https://shopify.dev/api/usage/access-scopes".into());
            error.extensions.insert("requiredAccess".to_owned(), format!("`{scope}` access scope.").into());
            return Err(error);
        }
    }
    Ok(())
}

fn holds(scopes: &[String], needed: &str) -> bool {
    let implied = needed.strip_prefix("read_").map(|resource| format!("write_{resource}"));
    scopes.iter().any(|scope| scope == needed || Some(scope) == implied.as_ref())
}

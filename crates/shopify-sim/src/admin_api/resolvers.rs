//! What the Admin API answers from a shop's records: the query and mutation roots and the
//! objects under them. Any field not listed is an execution error naming it.

use std::cell::RefCell;
use std::time::Duration;

use apollo_compiler::resolvers::{Execution, FieldError, ObjectValue, ResolveInfo, ResolvedValue};
use apollo_compiler::response::JsonValue;

use crate::admin_api::schema::AdminSchema;
use crate::admin_api::{check_fields, implementers};
use crate::bulk::{
    BulkOperation, BulkOperations, BulkPayload, check, finish_payload, operation_field, to_jsonl,
};
use crate::bulk_mutation::{check_mutation, staged_uploads, variable_lines};
use crate::discounts::{DiscountContext, DiscountNodeValue, Discounts, functions_connection};
use crate::metafields::definitions::{Definition, create_definition};
use crate::metafields::resolvers::{metafield_field, metafields_set, set_inputs};
use crate::money::MoneyValue;
use crate::orders::{Reader, order, orders};
use crate::paging::{Edge, Page, PageInfoValue, page};
use crate::payloads;
use crate::pixels::{WebPixels, pixel_field, save_pixel};
use crate::products::{product, products};
use crate::segments::{Segment, members, save_segment, segment_field};
use crate::shop::{Customer, Order, Shop, gid, iso8601};
use crate::webhooks::WebhookOutbox;

/// Longest tag Shopify keeps.
pub const MAX_TAG_CHARS: usize = 255;

pub(crate) struct QueryRoot<'s> {
    pub shop: &'s RefCell<Shop>,
    pub billing: &'s RefCell<crate::billing::Billing>,
    pub bulk: &'s RefCell<BulkOperations>,
    /// Connections return every object, as in a bulk query.
    pub unpaged: bool,
    pub definitions: &'s RefCell<Vec<Definition>>,
    pub discounts: &'s RefCell<Discounts>,
    pub pixels: &'s RefCell<WebPixels>,
    pub segments: &'s RefCell<Vec<Segment>>,
    pub now: Duration,
    pub scopes: &'s [String],
    pub client_id: &'s str,
}

pub(crate) struct MutationRoot<'s> {
    pub shop: &'s RefCell<Shop>,
    pub billing: &'s RefCell<crate::billing::Billing>,
    pub bulk: &'s RefCell<BulkOperations>,
    pub definitions: &'s RefCell<Vec<Definition>>,
    pub discounts: &'s RefCell<Discounts>,
    pub pixels: &'s RefCell<WebPixels>,
    pub segments: &'s RefCell<Vec<Segment>>,
    pub outbox: &'s RefCell<WebhookOutbox>,
    pub flow: &'s RefCell<crate::flow::Flow>,
    pub scopes: &'s [String],
    pub client_id: &'s str,
    pub now: Duration,
}

fn field_error(message: impl Into<String>) -> FieldError {
    FieldError { message: message.into() }
}

impl QueryRoot<'_> {
    fn reader(&self) -> Reader<'_> {
        Reader {
            shop: self.shop,
            client_id: self.client_id,
            all_orders: self.scopes.iter().any(|scope| scope == "read_all_orders"),
            unpaged: self.unpaged,
            now: self.now.as_secs(),
        }
    }
}

impl ObjectValue for QueryRoot<'_> {
    fn type_name(&self) -> &str {
        "QueryRoot"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        match info.field_name() {
            "shop" => Ok(ResolvedValue::object(ShopValue(self.shop, self.client_id))),
            "currentAppInstallation" => Ok(ResolvedValue::object(AppInstallationValue {
                scopes: self.scopes,
                billing: self.billing,
                now: self.now.as_secs(),
            })),
            "customer" => {
                let id = info.arguments().get("id").and_then(JsonValue::as_str).unwrap_or_default();
                let found =
                    customer_id(id).filter(|id| self.shop.borrow().customers.iter().any(|c| c.id == *id));
                Ok(ResolvedValue::nullable_object(found.map(|id| CustomerValue {
                    shop: self.shop,
                    id,
                    client_id: self.client_id,
                })))
            }
            "customers" => customers(self.shop, self.client_id, self.unpaged, info),
            "bulkOperation" | "currentBulkOperation" => Ok(operation_field(self.bulk, info)),
            "orders" => orders(self.reader(), info),
            "order" => Ok(order(self.reader(), info)),
            "products" => products(self.reader(), info),
            "shopifyFunctions" => Ok(functions_connection(self.discounts, info)),
            "webPixel" => Ok(pixel_field(self.pixels, info)),
            "segment" => Ok(segment_field(self.segments, info)),
            "customerSegmentMembers" => members(self.shop, self.segments, info, self.now.as_secs()),
            "discountNode" => {
                let id = info.arguments().get("id").and_then(JsonValue::as_str).unwrap_or_default();
                let found = self
                    .discounts
                    .borrow()
                    .automatic
                    .iter()
                    .find(|discount| discount.node_id() == id)
                    .cloned();
                let context = || DiscountContext {
                    shop: self.shop,
                    definitions: self.definitions,
                    discounts: self.discounts,
                    client_id: self.client_id,
                    now: self.now.as_secs(),
                };
                Ok(ResolvedValue::nullable_object(
                    found.map(|discount| DiscountNodeValue { context: context(), discount }),
                ))
            }
            "product" => Ok(product(self.reader(), info)),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

impl ObjectValue for MutationRoot<'_> {
    fn type_name(&self) -> &str {
        "Mutation"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        match info.field_name() {
            name @ ("tagsAdd" | "tagsRemove") => {
                let id = info.arguments().get("id").and_then(JsonValue::as_str).unwrap_or_default();
                let tags = tag_list(info.arguments().get("tags"));
                let payload = change_tags(self.shop, id, &tags, name == "tagsAdd")?;
                if payload.changed {
                    let shop = self.shop.borrow();
                    if let Some(customer) =
                        shop.customers.iter().find(|customer| Some(customer.id) == payload.node)
                    {
                        let body = payloads::customer(customer, &shop, self.now.as_secs());
                        self.outbox.borrow_mut().emit("customers/update", &body, self.now);
                    }
                }
                Ok(ResolvedValue::object(TagsPayload {
                    name: if name == "tagsAdd" { "TagsAddPayload" } else { "TagsRemovePayload" },
                    shop: self.shop,
                    client_id: self.client_id,
                    payload,
                }))
            }
            "webhookSubscriptionCreate" => Ok(ResolvedValue::object(self.subscribe(info))),
            "flowTriggerReceive" => {
                let handle = info.arguments().get("handle").and_then(JsonValue::as_str).unwrap_or_default();
                let payload = info
                    .arguments()
                    .get("payload")
                    .and_then(|payload| serde_json::to_value(payload).ok())
                    .unwrap_or_default();
                let user_errors = self.flow.borrow_mut().receive(handle, &payload, self.now);
                Ok(ResolvedValue::object(FlowTriggerPayload { user_errors }))
            }
            "discountAutomaticAppCreate" | "discountAutomaticAppUpdate" => {
                let context = DiscountContext {
                    shop: self.shop,
                    definitions: self.definitions,
                    discounts: self.discounts,
                    client_id: self.client_id,
                    now: self.now.as_secs(),
                };
                Ok(ResolvedValue::object(context.save_as(info)))
            }
            "bulkOperationRunQuery" => Ok(ResolvedValue::object(self.run_bulk_query(info))),
            "bulkOperationRunMutation" => Ok(ResolvedValue::object(self.run_bulk_mutation(info))),
            "stagedUploadsCreate" => Ok(ResolvedValue::object(staged_uploads(self.bulk, info))),
            "metafieldDefinitionCreate" => {
                create_definition(self.definitions, info, self.client_id, self.scopes)
                    .map(ResolvedValue::object)
            }
            "segmentCreate" | "segmentUpdate" => {
                Ok(ResolvedValue::object(save_segment(self.segments, info, self.now.as_secs())))
            }
            "webPixelCreate" | "webPixelUpdate" => Ok(ResolvedValue::object(save_pixel(self.pixels, info))),
            "productSet" => {
                let reader = Reader {
                    shop: self.shop,
                    client_id: self.client_id,
                    all_orders: false,
                    unpaged: false,
                    now: self.now.as_secs(),
                };
                let (payload, saved) = crate::product_set::product_set(reader, info);
                if let Some((topic, product)) = saved {
                    let body = crate::payloads::product(&product, self.now.as_secs());
                    self.outbox.borrow_mut().emit(&topic, &body, self.now);
                }
                Ok(ResolvedValue::object(payload))
            }
            "metafieldsSet" => {
                let inputs = set_inputs(info);
                Ok(ResolvedValue::object(metafields_set(
                    self.shop,
                    self.definitions,
                    self.discounts,
                    &inputs,
                    self.client_id,
                    self.scopes,
                    self.now.as_secs(),
                )))
            }
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

impl MutationRoot<'_> {
    /// Runs a bulk query at once, against every object, and keeps its JSONL.
    fn run_bulk_query(&self, info: &ResolveInfo<'_>) -> BulkPayload {
        let query = info.arguments().get("query").and_then(JsonValue::as_str).unwrap_or_default().to_owned();
        let refuse = |message: String| BulkPayload {
            mutation: false,
            operation: None,
            url: None,
            error: Some(("INVALID", message)),
        };
        let document = match check(&query) {
            Ok(document) => document,
            Err(message) => return refuse(message),
        };
        let Ok(operation) = document.operations.get(None) else {
            return refuse("Bulk queries must have exactly one operation".to_owned());
        };
        if let Err(error) = check_fields(
            &document,
            operation.operation_type,
            &operation.selection_set.selections,
            self.scopes,
        ) {
            return refuse(error.message);
        }
        let root = QueryRoot {
            shop: self.shop,
            billing: self.billing,
            bulk: self.bulk,
            unpaged: true,
            definitions: self.definitions,
            discounts: self.discounts,
            pixels: self.pixels,
            segments: self.segments,
            now: self.now,
            scopes: self.scopes,
            client_id: self.client_id,
        };
        let execution =
            Execution::new(AdminSchema::get().schema(), &document).implementers_map(implementers());
        let response = match execution.execute_sync(&root) {
            Ok(response) => response,
            Err(error) => return refuse(error.message().to_string()),
        };
        if let Some(error) = response.errors.first() {
            return refuse(error.message.trim_start_matches("resolver error: ").to_owned());
        }
        let data = serde_json::to_value(&response.data).unwrap_or(serde_json::Value::Null);
        let (jsonl, object_count, root_object_count) = to_jsonl(&data);
        let mut bulk = self.bulk.borrow_mut();
        let id = bulk.operations.iter().map(|operation| operation.id).max().map_or(1, |id| id + 1);
        let created_at = self.now.as_secs();
        let operation = BulkOperation {
            id,
            query,
            status: "COMPLETED",
            created_at,
            jsonl,
            object_count,
            root_object_count,
            kind: "QUERY",
        };
        bulk.operations.push(operation.clone());
        let url = Some(bulk.url(id));
        drop(bulk);
        self.outbox.borrow_mut().emit("bulk_operations/finish", &finish_payload(&operation), self.now);
        BulkPayload { mutation: false, operation: Some(operation), url, error: None }
    }

    /// Runs a mutation once per line of a staged variables file, at once, and keeps the answers
    /// as JSONL (`{"data": …, "__lineNumber": n}`).
    fn run_bulk_mutation(&self, info: &ResolveInfo<'_>) -> BulkPayload {
        let text = |name: &str| {
            info.arguments().get(name).and_then(JsonValue::as_str).unwrap_or_default().to_owned()
        };
        let (mutation, path) = (text("mutation"), text("stagedUploadPath"));
        let refuse = |code: &'static str, message: String| BulkPayload {
            mutation: true,
            operation: None,
            url: None,
            error: Some((code, message)),
        };
        let file = match self.bulk.borrow().uploads.get(&path) {
            Some(Some(file)) => file.clone(),
            Some(None) => {
                return refuse("NO_SUCH_FILE", "Nothing was uploaded to the staged upload path".to_owned());
            }
            None => return refuse("NO_SUCH_FILE", format!("The staged upload path `{path}` does not exist")),
        };
        let document = match check_mutation(&mutation) {
            Ok(document) => document,
            Err(message) => return refuse("INVALID_MUTATION", message),
        };
        let Ok(operation) = document.operations.get(None) else {
            return refuse("INVALID_MUTATION", "A bulk mutation must have exactly one operation".to_owned());
        };
        if let Err(error) = check_fields(
            &document,
            operation.operation_type,
            &operation.selection_set.selections,
            self.scopes,
        ) {
            return refuse("INVALID_MUTATION", error.message);
        }
        let lines = match variable_lines(&file) {
            Ok(lines) => lines,
            Err(message) => return refuse("INVALID_STAGED_UPLOAD_FILE", message),
        };
        let mut results = Vec::with_capacity(lines.len());
        for (number, variables) in lines.into_iter().enumerate() {
            let variables: apollo_compiler::response::JsonMap =
                serde_json::from_value(serde_json::Value::Object(variables)).unwrap_or_default();
            let execution = Execution::new(AdminSchema::get().schema(), &document)
                .implementers_map(implementers())
                .raw_variable_values(&variables);
            let mut line = match execution.execute_sync(self) {
                Ok(response) => serde_json::to_value(&response).unwrap_or(serde_json::Value::Null),
                Err(error) => serde_json::json!({ "errors": [{ "message": error.message().to_string() }] }),
            };
            line["__lineNumber"] = number.into();
            results.push(line.to_string());
        }
        let mut jsonl = results.join("\n");
        if !jsonl.is_empty() {
            jsonl.push('\n');
        }
        let count = results.len() as u64;
        let mut bulk = self.bulk.borrow_mut();
        let id = bulk.operations.iter().map(|operation| operation.id).max().map_or(1, |id| id + 1);
        let operation = BulkOperation {
            id,
            query: mutation,
            status: "COMPLETED",
            created_at: self.now.as_secs(),
            jsonl,
            object_count: count,
            root_object_count: count,
            kind: "MUTATION",
        };
        bulk.operations.push(operation.clone());
        let url = Some(bulk.url(id));
        drop(bulk);
        self.outbox.borrow_mut().emit("bulk_operations/finish", &finish_payload(&operation), self.now);
        BulkPayload { mutation: true, operation: Some(operation), url, error: None }
    }

    fn subscribe(&self, info: &ResolveInfo<'_>) -> SubscriptionPayload {
        let enum_name = info.arguments().get("topic").and_then(JsonValue::as_str).unwrap_or_default();
        let topic = topic_path(enum_name);
        let input = info.arguments().get("webhookSubscription");
        let uri = input
            .and_then(|input| input.get("uri").or_else(|| input.get("callbackUrl")))
            .and_then(JsonValue::as_str)
            .unwrap_or_default();
        let refused = |field: &str, message: String| SubscriptionPayload {
            subscription: None,
            user_errors: vec![(vec!["webhookSubscription".to_owned(), field.to_owned()], message)],
        };
        if let Some(scope) = topic_scope(&topic)
            && !self.scopes.iter().any(|held| held == scope || *held == scope.replacen("read_", "write_", 1))
        {
            return refused(
                "topic",
                format!("The app needs the `{scope}` access scope to subscribe to {enum_name}"),
            );
        }
        match self.outbox.borrow_mut().subscribe(&topic, uri) {
            Ok(subscription) => SubscriptionPayload {
                subscription: Some((subscription.id, enum_name.to_owned(), subscription.uri.clone())),
                user_errors: Vec::new(),
            },
            Err(error) => refused(error.field, error.message),
        }
    }
}

/// `ORDERS_CREATE` is `orders/create`; `APP_SCOPES_UPDATE` is `app/scopes_update`.
fn topic_path(enum_name: &str) -> String {
    enum_name.to_lowercase().replacen('_', "/", 1)
}

/// The scope Shopify requires to subscribe to a topic, for the resources the simulator has.
fn topic_scope(topic: &str) -> Option<&'static str> {
    match topic.split('/').next() {
        Some("customers") => Some("read_customers"),
        // Carts, checkouts and fulfilments are order data to Shopify.
        Some("orders" | "refunds" | "carts" | "checkouts") => Some("read_orders"),
        Some("fulfillments") => Some("read_fulfillments"),
        Some("products") => Some("read_products"),
        _ => None,
    }
}

struct SubscriptionPayload {
    subscription: Option<(u64, String, String)>,
    user_errors: Vec<(Vec<String>, String)>,
}

impl ObjectValue for SubscriptionPayload {
    fn type_name(&self) -> &str {
        "WebhookSubscriptionCreatePayload"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        match info.field_name() {
            "webhookSubscription" => {
                Ok(ResolvedValue::nullable_object(self.subscription.as_ref().map(SubscriptionValue)))
            }
            "userErrors" => Ok(ResolvedValue::list(
                self.user_errors
                    .iter()
                    .map(|(field, message)| ResolvedValue::object(UserErrorValue { field, message })),
            )),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

struct SubscriptionValue<'s>(&'s (u64, String, String));

impl ObjectValue for SubscriptionValue<'_> {
    fn type_name(&self) -> &str {
        "WebhookSubscription"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        let (id, topic, uri) = self.0;
        match info.field_name() {
            "id" => Ok(ResolvedValue::leaf(gid("WebhookSubscription", *id))),
            "legacyResourceId" => Ok(ResolvedValue::leaf(id.to_string())),
            "topic" => Ok(ResolvedValue::leaf(topic.as_str())),
            "uri" | "callbackUrl" => Ok(ResolvedValue::leaf(uri.as_str())),
            "format" => Ok(ResolvedValue::leaf("JSON")),
            "apiVersion" => Err(field_error("shopify-sim does not simulate WebhookSubscription.apiVersion")),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

/// `tags` takes a list, and each item may itself be a comma-separated list.
fn tag_list(value: Option<&JsonValue>) -> Vec<String> {
    let items: Vec<&str> = match value {
        Some(JsonValue::Array(items)) => items.iter().filter_map(JsonValue::as_str).collect(),
        Some(JsonValue::String(item)) => vec![item.as_str()],
        _ => Vec::new(),
    };
    items
        .iter()
        .flat_map(|item| item.split(','))
        .map(str::trim)
        .filter(|tag| !tag.is_empty())
        .map(str::to_owned)
        .collect()
}

fn customer_id(gid: &str) -> Option<u64> {
    gid.strip_prefix("gid://shopify/Customer/")?.parse().ok()
}

struct TagChange {
    node: Option<u64>,
    changed: bool,
    user_errors: Vec<(Vec<String>, String)>,
}

fn change_tags(shop: &RefCell<Shop>, id: &str, tags: &[String], add: bool) -> Result<TagChange, FieldError> {
    if !id.starts_with("gid://shopify/Customer/") {
        return Err(field_error(format!("shopify-sim only simulates tags on customers, not `{id}`")));
    }
    let user_error = |field: &str, message: String| TagChange {
        node: None,
        changed: false,
        user_errors: vec![(vec![field.to_owned()], message)],
    };
    if let Some(long) = tags.iter().find(|tag| tag.chars().count() > MAX_TAG_CHARS) {
        return Ok(user_error("tags", format!("Tag `{long}` is longer than {MAX_TAG_CHARS} characters")));
    }
    let mut shop = shop.borrow_mut();
    let Some(customer) =
        customer_id(id).and_then(|id| shop.customers.iter_mut().find(|customer| customer.id == id))
    else {
        return Ok(user_error("id", "Customer does not exist".to_owned()));
    };
    // Tags on a resource are unique regardless of case.
    let before = customer.tags.clone();
    for tag in tags {
        let held = customer.tags.iter().position(|existing| existing.eq_ignore_ascii_case(tag));
        match (add, held) {
            (true, None) => customer.tags.push(tag.clone()),
            (false, Some(index)) => {
                customer.tags.remove(index);
            }
            _ => {}
        }
    }
    Ok(TagChange { node: Some(customer.id), changed: customer.tags != before, user_errors: Vec::new() })
}

struct TagsPayload<'s> {
    name: &'static str,
    shop: &'s RefCell<Shop>,
    client_id: &'s str,
    payload: TagChange,
}

impl ObjectValue for TagsPayload<'_> {
    fn type_name(&self) -> &str {
        self.name
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        match info.field_name() {
            "node" => Ok(ResolvedValue::nullable_object(self.payload.node.map(|id| CustomerValue {
                shop: self.shop,
                id,
                client_id: self.client_id,
            }))),
            "userErrors" => Ok(ResolvedValue::list(
                self.payload
                    .user_errors
                    .iter()
                    .map(|(field, message)| ResolvedValue::object(UserErrorValue { field, message })),
            )),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

/// `FlowTriggerReceivePayload`.
struct FlowTriggerPayload {
    user_errors: Vec<(Option<String>, String)>,
}

impl ObjectValue for FlowTriggerPayload {
    fn type_name(&self) -> &str {
        "FlowTriggerReceivePayload"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        match info.field_name() {
            "userErrors" => Ok(ResolvedValue::list(self.user_errors.iter().map(|(field, message)| {
                ResolvedValue::object(FlowUserError { field: field.as_deref(), message })
            }))),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

struct FlowUserError<'e> {
    field: Option<&'e str>,
    message: &'e str,
}

impl ObjectValue for FlowUserError<'_> {
    fn type_name(&self) -> &str {
        "UserError"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        match info.field_name() {
            "field" => Ok(match self.field {
                Some(field) => ResolvedValue::list([ResolvedValue::leaf(field)]),
                None => ResolvedValue::null(),
            }),
            "message" => Ok(ResolvedValue::leaf(self.message)),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

pub(crate) struct UserErrorValue<'e> {
    pub field: &'e [String],
    pub message: &'e str,
}

impl ObjectValue for UserErrorValue<'_> {
    fn type_name(&self) -> &str {
        "UserError"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        match info.field_name() {
            "field" => {
                Ok(ResolvedValue::list(self.field.iter().map(|name| ResolvedValue::leaf(name.as_str()))))
            }
            "message" => Ok(ResolvedValue::leaf(self.message)),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

struct ShopValue<'s>(&'s RefCell<Shop>, &'s str);

impl ObjectValue for ShopValue<'_> {
    fn type_name(&self) -> &str {
        "Shop"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        if info.field_name() == "metafield" {
            return Ok(metafield_field(self.0, &gid("Shop", 1), self.1, info));
        }
        let shop = self.0.borrow();
        let handle = shop.handle().to_owned();
        match info.field_name() {
            "id" => Ok(ResolvedValue::leaf(gid("Shop", 1))),
            "name" => Ok(ResolvedValue::leaf(handle)),
            "myshopifyDomain" => Ok(ResolvedValue::leaf(shop.domain.clone())),
            "url" => Ok(ResolvedValue::leaf(format!("https://{}", shop.domain))),
            "currencyCode" => Ok(ResolvedValue::leaf(shop.currency.clone())),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

struct AppInstallationValue<'s> {
    scopes: &'s [String],
    billing: &'s RefCell<crate::billing::Billing>,
    now: u64,
}

impl ObjectValue for AppInstallationValue<'_> {
    fn type_name(&self) -> &str {
        "AppInstallation"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        match info.field_name() {
            "id" => Ok(ResolvedValue::leaf(gid("AppInstallation", 1))),
            "accessScopes" => Ok(ResolvedValue::list(
                self.scopes.iter().map(|handle| ResolvedValue::object(AccessScopeValue(handle))),
            )),
            "activeSubscriptions" => {
                let active: Vec<_> = self.billing.borrow().active().cloned().collect();
                Ok(ResolvedValue::list(active.into_iter().map(|subscription| {
                    ResolvedValue::object(crate::billing::SubscriptionValue { subscription, now: self.now })
                })))
            }
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

struct AccessScopeValue<'s>(&'s str);

impl ObjectValue for AccessScopeValue<'_> {
    fn type_name(&self) -> &str {
        "AccessScope"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        match info.field_name() {
            "handle" => Ok(ResolvedValue::leaf(self.0)),
            "description" => Ok(ResolvedValue::leaf(format!("Access scope {}", self.0))),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

/// `customers(first|last, after|before, query, reverse)`, sorted by id.
fn customers<'a>(
    shop: &'a RefCell<Shop>,
    client_id: &'a str,
    unpaged: bool,
    info: &'a ResolveInfo<'a>,
) -> Result<ResolvedValue<'a>, FieldError> {
    let arguments = info.arguments();
    if arguments.get("sortKey").and_then(JsonValue::as_str).is_some_and(|key| key != "ID") {
        return Err(field_error("shopify-sim only sorts customers by ID"));
    }
    let filter =
        CustomerFilter::parse(arguments.get("query").and_then(JsonValue::as_str).unwrap_or_default())?;
    let matching: Vec<u64> = shop
        .borrow()
        .customers
        .iter()
        .filter(|customer| filter.matches(customer))
        .map(|customer| customer.id)
        .collect();
    let page = page(matching, arguments, unpaged)?;
    Ok(ResolvedValue::object(CustomerConnectionValue { shop, client_id, page }))
}

/// The customer search syntax the simulator understands: space-separated `field:value` terms,
/// all of which must hold; values may be quoted. Anything else is refused by name, not ignored.
struct CustomerFilter {
    terms: Vec<(String, String)>,
}

impl CustomerFilter {
    const FIELDS: [&'static str; 5] = ["tag", "tag_not", "email", "country", "id"];

    fn parse(query: &str) -> Result<Self, FieldError> {
        let mut terms = Vec::new();
        for token in split_terms(query) {
            if token.eq_ignore_ascii_case("OR") || token.starts_with('-') || token.starts_with('(') {
                return Err(field_error(format!(
                    "shopify-sim does not simulate `{token}` in customer search"
                )));
            }
            let Some((field, value)) = token.split_once(':') else {
                return Err(field_error(format!(
                    "shopify-sim does not simulate free-text customer search (`{token}`)"
                )));
            };
            if !Self::FIELDS.contains(&field) {
                return Err(field_error(format!(
                    "shopify-sim does not simulate the customer search field `{field}`"
                )));
            }
            let value = value.trim_matches(|quote| quote == '\'' || quote == '"').to_owned();
            terms.push((field.to_owned(), value));
        }
        Ok(Self { terms })
    }

    fn matches(&self, customer: &Customer) -> bool {
        self.terms.iter().all(|(field, value)| match field.as_str() {
            "tag" => customer.tags.iter().any(|tag| tag.eq_ignore_ascii_case(value)),
            "tag_not" => !customer.tags.iter().any(|tag| tag.eq_ignore_ascii_case(value)),
            "email" => customer.email.eq_ignore_ascii_case(value),
            "country" => customer.country_code.eq_ignore_ascii_case(value),
            _ => customer.id.to_string() == *value,
        })
    }
}

/// Splits on spaces outside quotes.
fn split_terms(query: &str) -> Vec<String> {
    let mut terms = Vec::new();
    let mut current = String::new();
    let mut quote = None;
    for character in query.chars() {
        match (quote, character) {
            (None, ' ') => terms.extend((!current.is_empty()).then(|| std::mem::take(&mut current))),
            (None, '\'' | '"') => {
                quote = Some(character);
                current.push(character);
            }
            (Some(open), _) if open == character => {
                quote = None;
                current.push(character);
            }
            _ => current.push(character),
        }
    }
    terms.extend((!current.is_empty()).then_some(current));
    terms
}

struct CustomerConnectionValue<'s> {
    shop: &'s RefCell<Shop>,
    client_id: &'s str,
    page: Page,
}

impl ObjectValue for CustomerConnectionValue<'_> {
    fn type_name(&self) -> &str {
        "CustomerConnection"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        let customer = |id: &u64| CustomerValue { shop: self.shop, id: *id, client_id: self.client_id };
        match info.field_name() {
            "nodes" => Ok(ResolvedValue::list(
                self.page.ids.iter().map(move |id| ResolvedValue::object(customer(id))),
            )),
            "edges" => Ok(ResolvedValue::list(self.page.ids.iter().map(move |id| {
                ResolvedValue::object(Edge { name: "CustomerEdge", id: *id, node: customer(id) })
            }))),
            "pageInfo" => Ok(ResolvedValue::object(PageInfoValue::of(&self.page))),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

/// A customer, read from the shop when each field resolves, so a mutation's payload shows the
/// state after the change.
struct CustomerValue<'s> {
    shop: &'s RefCell<Shop>,
    id: u64,
    client_id: &'s str,
}

impl ObjectValue for CustomerValue<'_> {
    fn type_name(&self) -> &str {
        "Customer"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        if info.field_name() == "metafield" {
            return Ok(metafield_field(self.shop, &gid("Customer", self.id), self.client_id, info));
        }
        let shop = self.shop.borrow();
        let customer = shop
            .customers
            .iter()
            .find(|customer| customer.id == self.id)
            .ok_or_else(|| field_error("the customer was deleted"))?;
        let orders = || shop.orders.iter().filter(|order| order.customer_id == Some(self.id));
        match info.field_name() {
            "id" => Ok(ResolvedValue::leaf(gid("Customer", customer.id))),
            "email" => Ok(ResolvedValue::leaf(customer.email.clone())),
            "firstName" => Ok(ResolvedValue::leaf(customer.first_name.clone())),
            "lastName" => Ok(ResolvedValue::leaf(customer.last_name.clone())),
            "displayName" => {
                Ok(ResolvedValue::leaf(format!("{} {}", customer.first_name, customer.last_name)))
            }
            "tags" => Ok(ResolvedValue::list(customer.tags.clone().into_iter().map(ResolvedValue::leaf))),
            "createdAt" => Ok(ResolvedValue::leaf(iso8601(customer.created_at))),
            // UnsignedInt64 is a string on the wire.
            "numberOfOrders" => Ok(ResolvedValue::leaf(orders().count().to_string())),
            "amountSpent" => {
                let cents: u64 = orders().map(Order::spent_cents).sum();
                Ok(ResolvedValue::object(MoneyValue::of_cents(cents, &shop.currency)))
            }
            "defaultAddress" => Ok(ResolvedValue::object(AddressValue(customer.country_code.clone()))),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

struct AddressValue(String);

impl ObjectValue for AddressValue {
    fn type_name(&self) -> &str {
        "MailingAddress"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        match info.field_name() {
            "countryCodeV2" => Ok(ResolvedValue::leaf(self.0.as_str())),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_search_values_keep_their_spaces() {
        assert_eq!(split_terms("tag:'big spender'  country:US"), ["tag:'big spender'", "country:US"]);
    }
}

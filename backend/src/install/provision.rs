//! Provisioning after a store connects (docs/backend.md): each step records its progress, a step
//! already done is skipped, and what Shopify says already exists counts as done, so the job can
//! run again after any failure and finish what is left.

use serde_json::json;

use crate::app::App;
use crate::clock::unix_now;
use crate::db::{Connection, ShopRecord, StepState};
use crate::jobs::JobError;
use crate::shopify::ShopDomain;
use crate::shopify::admin::{Shopify, ShopifyError};
use crate::shopify::operations::{
    CreateAutomaticAppDiscount, CreateMetafieldDefinition, CreateWebPixel, CreateWebhookSubscription,
    CurrentWebPixel, DiscountFunctions, UpdateWebPixel, create_automatic_app_discount as discount,
    create_metafield_definition as definition, create_web_pixel, create_webhook_subscription as subscription,
    current_web_pixel, discount_functions, update_web_pixel,
};

/// The steps, in order, as the setup checklist shows them. `backfill` is queued here and then
/// reports its own progress.
pub const STEPS: [&str; 5] = ["webhooks", "web_pixel", "metafield_definitions", "discount", "backfill"];

/// The topics a custom-app connection subscribes to; a managed install declares the same ones
/// in `shopify.app.toml`.
const TOPICS: [subscription::WebhookSubscriptionTopic; 20] = {
    use subscription::WebhookSubscriptionTopic::*;
    [
        APP_UNINSTALLED,
        CARTS_CREATE,
        CARTS_UPDATE,
        CHECKOUTS_CREATE,
        CHECKOUTS_UPDATE,
        CUSTOMERS_CREATE,
        CUSTOMERS_DELETE,
        CUSTOMERS_MARKETING_CONSENT_UPDATE,
        CUSTOMERS_UPDATE,
        FULFILLMENTS_CREATE,
        FULFILLMENTS_UPDATE,
        ORDERS_CANCELLED,
        ORDERS_CREATE,
        ORDERS_EDITED,
        ORDERS_PAID,
        ORDERS_UPDATED,
        PRODUCTS_CREATE,
        PRODUCTS_DELETE,
        PRODUCTS_UPDATE,
        REFUNDS_CREATE,
    ]
};

/// Our Function's handle (`extensions/segment-discount`).
pub const FUNCTION_HANDLE: &str = "segment-discount";
/// The product metafields Seglink writes (docs/backend.md), with their types.
const PRODUCT_METAFIELDS: [(&str, &str, &str); 4] = [
    ("listing_score", "Listing score", "number_integer"),
    ("recommendations", "Listing recommendations", "json"),
    ("view_count_30d", "Views in the last 30 days", "number_integer"),
    ("segment_memberships", "Segments of its buyers", "list.single_line_text_field"),
];

/// Runs every step not yet done for `shop`.
pub async fn provision(app: &App, shop: &ShopDomain) -> Result<(), JobError> {
    let Some(record) = app.store.shop(shop).await?.filter(|record| record.active) else {
        // Uninstalled or disconnected since: nothing to set up.
        return Ok(());
    };
    let done: Vec<String> = app
        .store
        .setup_steps(shop)
        .await?
        .into_iter()
        .filter(|(step, state, _)| {
            matches!(state, StepState::Done | StepState::Skipped)
                || (step == "backfill" && *state != StepState::Failed)
        })
        .map(|(step, _, _)| step)
        .collect();
    for step in STEPS {
        if done.iter().any(|finished| finished == step) {
            continue;
        }
        let outcome = match step {
            "webhooks" => subscribe_webhooks(app, shop, &record).await,
            "web_pixel" => web_pixel(app, shop, &record).await,
            "metafield_definitions" => metafield_definitions(&app.shopify, shop).await,
            "discount" => automatic_discount(&app.shopify, shop).await,
            _ => queue_backfill(app, shop).await,
        };
        let now = unix_now();
        match outcome {
            // The backfill recorded itself as under way before its job was queued; from then on
            // only that job reports, so that "done" means its last stage was read.
            Ok(_) if step == "backfill" => {}
            Ok(detail) => {
                let state = if detail.as_deref() == Some("declared in shopify.app.toml") {
                    StepState::Skipped
                } else {
                    StepState::Done
                };
                app.store.set_setup_step(shop, step, state, detail.as_deref(), now).await?;
                // A reinstalled store keeps its rules: the new discount gets them.
                if step == "discount" && !crate::discounts::rules_of(&app.store, shop).await?.is_empty() {
                    app.store.enqueue(&crate::discounts::retry_job(shop, now)).await?;
                }
            }
            Err(error) => {
                app.store
                    .set_setup_step(shop, step, StepState::Failed, Some(&error.to_string()), now)
                    .await?;
                return Err(error);
            }
        }
    }
    crate::log::info("store provisioned", &[("shop", shop.as_str())]);
    Ok(())
}

/// Shopify's user errors as one message, or `Ok` when there are none or all say "exists".
fn user_errors(
    errors: impl IntoIterator<Item = (Option<String>, String)>,
) -> Result<Option<String>, JobError> {
    let mut exists = None;
    let mut failures = Vec::new();
    for (code, message) in errors {
        if code.as_deref() == Some("TAKEN") || message.contains("already been taken") {
            exists = Some(message);
        } else {
            failures.push(message);
        }
    }
    if failures.is_empty() { Ok(exists) } else { Err(JobError::Retry(failures.join("; "))) }
}

async fn subscribe_webhooks(
    app: &App,
    shop: &ShopDomain,
    record: &ShopRecord,
) -> Result<Option<String>, JobError> {
    if record.connection == Connection::Managed {
        return Ok(Some("declared in shopify.app.toml".to_owned()));
    }
    let uri = format!("{}/webhooks", app.config.app_url);
    for topic in TOPICS {
        let variables = subscription::Variables {
            topic,
            subscription: subscription::WebhookSubscriptionInput {
                uri: Some(uri.clone()),
                callback_url: None,
                filter: None,
                format: Some(subscription::WebhookSubscriptionFormat::JSON),
                include_fields: None,
                metafield_namespaces: None,
                metafields: None,
                name: None,
            },
        };
        let created = app.shopify.run::<CreateWebhookSubscription>(shop, variables).await?;
        let errors =
            created.webhook_subscription_create.map(|payload| payload.user_errors).unwrap_or_default();
        user_errors(errors.into_iter().map(|error| (None, error.message)))?;
    }
    Ok(Some(format!("{} topics", TOPICS.len())))
}

async fn web_pixel(app: &App, shop: &ShopDomain, record: &ShopRecord) -> Result<Option<String>, JobError> {
    let workspace = app
        .store
        .workspace(&record.workspace_id)
        .await?
        .ok_or_else(|| JobError::Fatal(format!("{} has no workspace", record.shop)))?;
    let chosen = app.store.pixel_settings(&record.shop).await?;
    // Set only while the store forwards to Meta: the pixel then reads Meta's browser ids.
    let meta_pixel_id = app
        .store
        .meta_settings(&record.shop)
        .await?
        .filter(|settings| settings.enabled)
        .map(|settings| settings.pixel_id)
        .unwrap_or_default();
    // Shopify rejects settings that miss any key the extension declares: send them all.
    let settings = json!({
        "accountId": workspace.id,
        "publicKey": workspace.public_key,
        "apiEndpoint": format!("{}/v1/pixel/events", app.config.app_url),
        "samplingRate": chosen.sampling_rate,
        "trackedEvents": chosen.tracked_events.join(","),
        "enableConsoleLogging": "false",
        "metaPixelId": meta_pixel_id,
    });
    let existing = match app.shopify.run::<CurrentWebPixel>(shop, current_web_pixel::Variables {}).await {
        Ok(data) => data.web_pixel.map(|pixel| pixel.id),
        // Shopify answers "not found" as an error when the app has no pixel yet.
        Err(ShopifyError::Graphql(_)) => None,
        Err(other) => return Err(other.into()),
    };
    let errors = match &existing {
        Some(id) => {
            let variables = update_web_pixel::Variables {
                id: id.clone(),
                pixel: update_web_pixel::WebPixelInput { settings: settings.clone() },
            };
            let updated = app.shopify.run::<UpdateWebPixel>(shop, variables).await?;
            updated
                .web_pixel_update
                .map(|payload| payload.user_errors)
                .unwrap_or_default()
                .into_iter()
                .map(|error| (error.code.map(|code| format!("{code:?}")), error.message))
                .collect::<Vec<_>>()
        }
        None => {
            let variables =
                create_web_pixel::Variables { pixel: create_web_pixel::WebPixelInput { settings } };
            let created = app.shopify.run::<CreateWebPixel>(shop, variables).await?;
            created
                .web_pixel_create
                .map(|payload| payload.user_errors)
                .unwrap_or_default()
                .into_iter()
                .map(|error| (error.code.map(|code| format!("{code:?}")), error.message))
                .collect()
        }
    };
    user_errors(errors)?;
    Ok(Some(if existing.is_some() { "updated".to_owned() } else { "created".to_owned() }))
}

async fn metafield_definitions(shopify: &Shopify, shop: &ShopDomain) -> Result<Option<String>, JobError> {
    for (key, name, kind) in PRODUCT_METAFIELDS {
        let variables = definition::Variables {
            definition: definition::MetafieldDefinitionInput {
                access: None,
                capabilities: None,
                constraints: None,
                description: None,
                key: key.to_owned(),
                name: name.to_owned(),
                namespace: Some(discount_rules::METAFIELD_NAMESPACE.to_owned()),
                owner_type: definition::MetafieldOwnerType::PRODUCT,
                pin: None,
                type_: kind.to_owned(),
                use_as_collection_condition: None,
                validations: None,
            },
        };
        let created = shopify.run::<CreateMetafieldDefinition>(shop, variables).await?;
        let errors =
            created.metafield_definition_create.map(|payload| payload.user_errors).unwrap_or_default();
        user_errors(
            errors.into_iter().map(|error| (error.code.map(|code| format!("{code:?}")), error.message)),
        )?;
    }
    Ok(Some(format!("{} product metafields", PRODUCT_METAFIELDS.len())))
}

async fn automatic_discount(shopify: &Shopify, shop: &ShopDomain) -> Result<Option<String>, JobError> {
    let config = discount_rules::compile(&[]).map_err(|violations| {
        JobError::Fatal(format!("the empty rule set does not compile: {violations:?}"))
    })?;
    create_automatic_discount(shopify, shop, &config.to_metafield_json()).await
}

/// Creates Seglink's automatic app discount carrying `config` (the metafield JSON); its id.
pub async fn create_automatic_discount(
    shopify: &Shopify,
    shop: &ShopDomain,
    config: &str,
) -> Result<Option<String>, JobError> {
    let functions = shopify.run::<DiscountFunctions>(shop, discount_functions::Variables {}).await?;
    if !functions.shopify_functions.nodes.iter().any(|function| function.handle == FUNCTION_HANDLE) {
        return Err(JobError::Retry(format!(
            "the {FUNCTION_HANDLE} Function is not deployed to this shop yet"
        )));
    }
    let variables = discount::Variables {
        discount: discount::DiscountAutomaticAppInput {
            title: Some("Seglink segment rewards".to_owned()),
            function_handle: Some(FUNCTION_HANDLE.to_owned()),
            function_id: None,
            discount_classes: Some(vec![
                discount::DiscountClass::ORDER,
                discount::DiscountClass::PRODUCT,
                discount::DiscountClass::SHIPPING,
            ]),
            starts_at: Some(now_rfc3339()),
            ends_at: None,
            // @oneOf: the typed client makes it an enum, so only `all` can be sent.
            context: Some(discount::DiscountContextInput::All(discount::DiscountBuyerSelection::ALL)),
            metafields: Some(vec![discount::MetafieldInput {
                namespace: Some(discount_rules::METAFIELD_NAMESPACE.to_owned()),
                key: Some(discount_rules::METAFIELD_KEY.to_owned()),
                type_: Some("json".to_owned()),
                value: Some(config.to_owned()),
                id: None,
            }]),
            applies_on_one_time_purchase: None,
            applies_on_subscription: None,
            combines_with: None,
            recurring_cycle_limit: None,
            tags: None,
        },
    };
    let created = shopify.run::<CreateAutomaticAppDiscount>(shop, variables).await?;
    let payload = created
        .discount_automatic_app_create
        .ok_or_else(|| JobError::Retry("discountAutomaticAppCreate returned nothing".to_owned()))?;
    user_errors(
        payload
            .user_errors
            .into_iter()
            .map(|error| (error.code.map(|code| format!("{code:?}")), error.message)),
    )?;
    Ok(payload.automatic_app_discount.map(|created| created.discount_id))
}

async fn queue_backfill(app: &App, shop: &ShopDomain) -> Result<Option<String>, JobError> {
    let now = unix_now();
    let detail =
        format!("queued: the last {} days of orders, customers and products", crate::backfill::ORDER_DAYS);
    app.store.set_setup_step(shop, "backfill", StepState::Running, Some(&detail), now).await?;
    app.store.enqueue_unless_pending(&crate::backfill::first_job(shop, now)).await?;
    // The plan the store chose on Shopify's plan page (or the free one) sets its limits.
    crate::billing::SyncPlan::queue(&app.store, shop, now).await?;
    app.jobs_waiting.notify_one();
    Ok(Some(detail))
}

fn now_rfc3339() -> String {
    // Whole seconds: the discount starts now, and no parser trips over a fraction.
    time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_owned())
}

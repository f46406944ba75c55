//! The admin's discount rule API: list, create, update, toggle, delete. Every change is checked
//! with the whole rule set (at most 25 active, a config Shopify delivers) before it is stored,
//! and then written to the discount node's metafield.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

use super::metafield::{WriteError, retry_job, write_rules};
use super::trial::{self, Trial, TrialInput};
use super::view::{RuleList, RuleView, SyncView};
use crate::app::{App, AppState};
use crate::billing::Entitlement;
use crate::checks::ShopSession;
use crate::clock::unix_now;
use crate::db::{RuleChange, Store};
use crate::error::AppError;
use crate::input::{JsonBody, Path};
use crate::shop_domain::ShopDomain;

/// `{"active": bool}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToggleInput {
    active: bool,
}

async fn listing(store: &Store, shop: &ShopDomain) -> Result<RuleList, AppError> {
    let rules =
        super::rules_of(store, shop).await?.into_iter().map(|(id, rule)| RuleView { id, rule }).collect();
    let sync = store.discount_sync(shop).await?;
    Ok(RuleList { rules, sync: SyncView::of(sync.as_ref()) })
}

/// The rule set with `change` applied at `index` (appended when `None`), checked whole. A
/// violation of the changed rule is reported at its field (`/value`); one of the set at `/`.
fn check(
    mut rules: Vec<discount_rules::Rule>,
    index: Option<usize>,
    change: discount_rules::Rule,
) -> Result<(), AppError> {
    let at = index.unwrap_or(rules.len());
    match index {
        Some(index) => rules[index] = change,
        None => rules.push(change),
    }
    let Err(violations) = discount_rules::compile(&rules) else { return Ok(()) };
    let prefix = format!("rules[{at}]");
    let first =
        violations.0.iter().find(|violation| violation.path.starts_with(&prefix)).or(violations.0.first());
    let Some(first) = first else { return Ok(()) };
    let path = match first.path.strip_prefix(&prefix) {
        Some(field) => format!("/{}", field.trim_start_matches('.').replace('.', "/")),
        None => "/".to_owned(),
    };
    Err(AppError::invalid(path, first.message.clone()))
}

async fn segment_exists(
    store: &Store,
    shop: &ShopDomain,
    rule: &discount_rules::Rule,
) -> Result<(), AppError> {
    match store.segment(shop, &rule.segment).await? {
        Some(segment) if !segment.deleted => Ok(()),
        _ => Err(AppError::invalid("/segment", format!("no segment `{}`", rule.segment))),
    }
}

/// Writes the rules to Shopify; a failure is kept for a background retry, since the rules are
/// stored and the answer says the write is pending.
async fn write_or_retry(app: &App, shop: &ShopDomain) -> Result<(), AppError> {
    match write_rules(app, shop).await {
        Ok(_) => Ok(()),
        Err(WriteError::Db(error)) => Err(error.into()),
        Err(error) => {
            crate::log::warn(
                "discount rules not written; retrying later",
                &[("shop", shop.as_str()), ("error", &error.to_string())],
            );
            app.store.enqueue(&retry_job(shop, unix_now())).await?;
            Ok(())
        }
    }
}

/// How many of the stored rules are active.
fn active_count(stored: &[crate::db::StoredRule]) -> i64 {
    i64::try_from(stored.iter().filter(|rule| rule.active).count()).unwrap_or(i64::MAX)
}

/// `GET /api/discount-rules`: the rules and the last write to Shopify.
pub async fn list(State(app): State<AppState>, session: ShopSession) -> Result<Json<RuleList>, AppError> {
    Ok(Json(listing(&app.store, &session.claims.shop).await?))
}

/// `POST /api/discount-rules`.
pub async fn create(
    State(app): State<AppState>,
    session: ShopSession,
    JsonBody(rule): JsonBody<discount_rules::Rule>,
) -> Result<(StatusCode, Json<RuleList>), AppError> {
    let shop = &session.claims.shop;
    segment_exists(&app.store, shop, &rule).await?;
    let json = serde_json::to_string(&rule).map_err(|error| AppError::internal("encoding a rule", error))?;
    let entitlement = Entitlement::of(&app, shop, unix_now()).await?;
    app.store
        .change_discount_rules(shop, unix_now(), |stored| {
            let rules = super::parsed(stored).into_iter().map(|(_, rule)| rule).collect();
            check(rules, None, rule.clone())?;
            if rule.active {
                entitlement.allow_active_rule(active_count(stored))?;
            }
            Ok::<_, AppError>(RuleChange::Insert { rule: json, active: rule.active })
        })
        .await??;
    write_or_retry(&app, shop).await?;
    Ok((StatusCode::CREATED, Json(listing(&app.store, shop).await?)))
}

async fn replace(
    app: &App,
    shop: &ShopDomain,
    id: i64,
    change: impl FnOnce(&mut discount_rules::Rule),
) -> Result<(), AppError> {
    let entitlement = Entitlement::of(app, shop, unix_now()).await?;
    app.store
        .change_discount_rules(shop, unix_now(), |stored| {
            let active_before = active_count(stored);
            let stored = super::parsed(stored);
            let index =
                stored.iter().position(|(stored_id, _)| *stored_id == id).ok_or(AppError::NotFound)?;
            let rules: Vec<discount_rules::Rule> = stored.into_iter().map(|(_, rule)| rule).collect();
            let mut rule = rules[index].clone();
            let was_active = rule.active;
            change(&mut rule);
            check(rules, Some(index), rule.clone())?;
            if rule.active && !was_active {
                // Turning a rule on is new work for checkout; editing an active one is not.
                entitlement.allow_active_rule(active_before)?;
            }
            let json =
                serde_json::to_string(&rule).map_err(|error| AppError::internal("encoding a rule", error))?;
            Ok::<_, AppError>(RuleChange::Update { id, rule: json, active: rule.active })
        })
        .await??;
    write_or_retry(app, shop).await
}

/// `PUT /api/discount-rules/{id}`.
pub async fn update(
    State(app): State<AppState>,
    session: ShopSession,
    Path(id): Path<i64>,
    JsonBody(rule): JsonBody<discount_rules::Rule>,
) -> Result<Json<RuleList>, AppError> {
    let shop = &session.claims.shop;
    segment_exists(&app.store, shop, &rule).await?;
    replace(&app, shop, id, |stored| *stored = rule).await?;
    Ok(Json(listing(&app.store, shop).await?))
}

/// `POST /api/discount-rules/{id}/toggle`.
pub async fn toggle(
    State(app): State<AppState>,
    session: ShopSession,
    Path(id): Path<i64>,
    JsonBody(input): JsonBody<ToggleInput>,
) -> Result<Json<RuleList>, AppError> {
    let shop = &session.claims.shop;
    if input.active {
        // Its segment may have been deleted while the rule was off.
        let stored = super::rules_of(&app.store, shop).await?;
        let (_, rule) = stored.iter().find(|(stored_id, _)| *stored_id == id).ok_or(AppError::NotFound)?;
        segment_exists(&app.store, shop, rule).await?;
    }
    replace(&app, shop, id, |stored| stored.active = input.active).await?;
    Ok(Json(listing(&app.store, shop).await?))
}

/// `DELETE /api/discount-rules/{id}`.
pub async fn delete(
    State(app): State<AppState>,
    session: ShopSession,
    Path(id): Path<i64>,
) -> Result<Json<RuleList>, AppError> {
    let shop = &session.claims.shop;
    app.store.delete_discount_rule(shop, id).await?;
    write_or_retry(&app, shop).await?;
    Ok(Json(listing(&app.store, shop).await?))
}

/// `POST /api/discount-rules/try`: what a customer would get for a sample cart, from the
/// Function itself, and why each rule gives or does not.
pub async fn try_cart(
    State(app): State<AppState>,
    session: ShopSession,
    JsonBody(input): JsonBody<TrialInput>,
) -> Result<Json<Trial>, AppError> {
    let shop = &session.claims.shop;
    trial::check(&input.cart)?;
    if app.store.customer_card(shop, &input.customer_id).await?.is_none() {
        return Err(AppError::invalid("/customer_id", "no customer of this store has this id"));
    }
    let rules = super::rules_of(&app.store, shop).await?;
    let tags = app
        .store
        .memberships(shop, &input.customer_id)
        .await?
        .iter()
        .map(|slug| discount_rules::segment_tag(slug))
        .collect();
    let mut collections = std::collections::HashMap::new();
    trial::collections(&app.shopify, shop, &rules, &input.cart, &mut collections).await?;
    Ok(Json(trial::run(&rules, &tags, &input.cart, &collections)?))
}

/// `GET /api/discount-rules/guest-misses`: members who checked out as guests, and what the
/// rules would have taken off.
pub async fn guest_misses(
    State(app): State<AppState>,
    session: ShopSession,
) -> Result<Json<super::guest_misses::GuestMisses>, AppError> {
    Ok(Json(super::guest_misses::report(&app, &session.claims.shop, unix_now()).await?))
}

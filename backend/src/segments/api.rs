//! The admin's segment API: list, create, update, delete, preview, members, changes, explain a
//! customer, push now and its status, reconcile. The shop comes from the session token only.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::Value;

use super::evaluate::Recomputation;
use super::view::{
    Change, Changes, ConditionOutcome, CustomerCard, CustomerSearch, EvaluationView, Explanation,
    MembersPage, NativePreview, Preview, PushView, RecomputeReport, Recomputed, SegmentList, SegmentView,
};
use super::{evaluate, membership, push, reconcile};
use crate::app::AppState;
use crate::billing::Entitlement;
use crate::checks::ShopSession;
use crate::clock::unix_now;
use crate::db::{DbError, SegmentRow};
use crate::error::AppError;
use crate::input::{JsonBody, Path, Query};
use crate::shop_domain::ShopDomain;

/// Longest slug: the tag `seglink:<slug>` stays short in Shopify's admin.
const MAX_SLUG: usize = 40;
/// Longest name.
const MAX_NAME: usize = 100;
/// Most segments a store keeps.
const MAX_SEGMENTS: usize = 100;
/// Customers a preview names.
const PREVIEW_SAMPLE: usize = 5;
/// Largest members page.
const MAX_PAGE: i64 = 1_000;

/// A segment as the admin sends it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SegmentInput {
    name: String,
    #[serde(default)]
    slug: Option<String>,
    rules: Value,
    #[serde(default)]
    native: bool,
}

/// Unsaved rules to count.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PreviewInput {
    rules: Value,
}

/// Where a members page starts.
#[derive(Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    after: String,
    limit: Option<i64>,
}

fn rules(value: &Value) -> Result<segment_rules::Rule, AppError> {
    segment_rules::parse(value).map_err(|error| {
        let path = if error.path == "/" { "/rules".to_owned() } else { format!("/rules{}", error.path) };
        AppError::invalid(path, error.message)
    })
}

fn name(text: &str) -> Result<String, AppError> {
    let name = text.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME {
        return Err(AppError::invalid("/name", format!("must be 1 to {MAX_NAME} characters")));
    }
    Ok(name.to_owned())
}

/// The slug given, or one made from the name: lower-case letters, digits and single dashes.
fn slug(given: Option<&str>, name: &str) -> Result<String, AppError> {
    let valid = |slug: &str| {
        !slug.is_empty()
            && slug.len() <= MAX_SLUG
            && slug.bytes().all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-')
            && !slug.starts_with('-')
            && !slug.ends_with('-')
            // The admin's page for a new segment is `/segments/new`.
            && slug != "new"
    };
    if let Some(given) = given {
        return if valid(given) {
            Ok(given.to_owned())
        } else {
            Err(AppError::invalid(
                "/slug",
                format!("must be 1 to {MAX_SLUG} lower-case letters, digits and inner dashes"),
            ))
        };
    }
    let mut made = String::new();
    for character in name.chars().flat_map(char::to_lowercase) {
        if character.is_ascii_alphanumeric() {
            made.push(character);
        } else if !made.is_empty() && !made.ends_with('-') {
            made.push('-');
        }
    }
    let made: String = made.trim_end_matches('-').chars().take(MAX_SLUG).collect();
    let made = made.trim_end_matches('-').to_owned();
    if valid(&made) {
        Ok(made)
    } else {
        Err(AppError::invalid("/slug", "cannot be made from this name: give one"))
    }
}

async fn found(app: &AppState, shop: &ShopDomain, slug: &str) -> Result<SegmentRow, AppError> {
    app.store.segment(shop, slug).await?.filter(|segment| !segment.deleted).ok_or(AppError::NotFound)
}

async fn answer(app: &AppState, shop: &ShopDomain, slug: &str) -> Result<SegmentView, AppError> {
    let segment = found(app, shop, slug).await?;
    Ok(SegmentView::of(&segment, app.store.push_state(shop, slug).await?.as_ref()))
}

/// `GET /api/segments`.
pub async fn list(State(app): State<AppState>, session: ShopSession) -> Result<Json<SegmentList>, AppError> {
    let shop = &session.claims.shop;
    let pushes = app.store.push_states(shop).await?;
    let segments = app
        .store
        .segments(shop, false)
        .await?
        .iter()
        .map(|segment| SegmentView::of(segment, pushes.get(&segment.slug)))
        .collect();
    Ok(Json(SegmentList { segments }))
}

/// `GET /api/segments/{slug}`.
pub async fn show(
    State(app): State<AppState>,
    session: ShopSession,
    Path(slug): Path<String>,
) -> Result<Json<SegmentView>, AppError> {
    Ok(Json(answer(&app, &session.claims.shop, &slug).await?))
}

/// `POST /api/segments`: saves, then evaluates membership and queues the push (or, in a large
/// store, queues the evaluation: `evaluate::after_save`).
pub async fn create(
    State(app): State<AppState>,
    session: ShopSession,
    JsonBody(input): JsonBody<SegmentInput>,
) -> Result<(StatusCode, Json<SegmentView>), AppError> {
    let shop = &session.claims.shop;
    let name = name(&input.name)?;
    let slug = slug(input.slug.as_deref(), &name)?;
    rules(&input.rules)?;
    if app.store.segments(shop, true).await?.len() >= MAX_SEGMENTS {
        return Err(AppError::Conflict(format!("a store keeps at most {MAX_SEGMENTS} segments")));
    }
    let now = unix_now();
    let entitlement = Entitlement::of(&app, shop, now).await?;
    entitlement.allow_segment(app.store.plan_counts(shop).await?.0)?;
    entitlement.allow_evaluation(app.store.customer_count(shop).await?)?;
    let segment =
        SegmentRow { native: input.native, ..SegmentRow::new(&slug, &name, input.rules.to_string(), now) };
    app.store.create_segment(shop, &segment).await.map_err(|error| match error {
        DbError::Conflict => AppError::Conflict(format!("the slug `{slug}` is taken")),
        other => other.into(),
    })?;
    evaluate::after_save(&app, shop, &slug, now).await?;
    super::queue_nightly(&app.store, shop, now).await?;
    Ok((StatusCode::CREATED, Json(answer(&app, shop, &slug).await?)))
}

/// `PUT /api/segments/{slug}`: the slug stays; name, rules and native mode change.
pub async fn update(
    State(app): State<AppState>,
    session: ShopSession,
    Path(slug): Path<String>,
    JsonBody(input): JsonBody<SegmentInput>,
) -> Result<Json<SegmentView>, AppError> {
    let shop = &session.claims.shop;
    let name = name(&input.name)?;
    if input.slug.as_deref().is_some_and(|given| given != slug) {
        return Err(AppError::invalid("/slug", "cannot change: it names the segment's tag in Shopify"));
    }
    rules(&input.rules)?;
    let now = unix_now();
    let entitlement = Entitlement::of(&app, shop, now).await?;
    if app.store.segment(shop, &slug).await?.is_some_and(|segment| segment.suggested) {
        // Taking up a suggestion keeps one more segment.
        entitlement.allow_segment(app.store.plan_counts(shop).await?.0)?;
    }
    entitlement.allow_evaluation(app.store.customer_count(shop).await?)?;
    app.store.update_segment(shop, &slug, &name, &input.rules.to_string(), input.native, now).await?;
    evaluate::after_save(&app, shop, &slug, now).await?;
    Ok(Json(answer(&app, shop, &slug).await?))
}

/// `DELETE /api/segments/{slug}`: members leave, and the push removes every tag before the
/// segment goes. Refused while an active discount rule rewards it.
pub async fn delete(
    State(app): State<AppState>,
    session: ShopSession,
    Path(slug): Path<String>,
) -> Result<StatusCode, AppError> {
    let shop = &session.claims.shop;
    found(&app, shop, &slug).await?;
    let rewarded = crate::discounts::rules_of(&app.store, shop)
        .await?
        .iter()
        .any(|(_, rule)| rule.active && rule.segment == slug);
    if rewarded {
        return Err(AppError::Conflict(format!(
            "an active discount rule rewards `{slug}`: turn it off or delete it first"
        )));
    }
    let now = unix_now();
    app.store.delete_segment(shop, &slug, now).await?;
    push::push_now(&app, shop, &slug, now).await?;
    Ok(StatusCode::ACCEPTED)
}

/// `POST /api/segments/preview`: how many customers unsaved rules hold, and whether they
/// translate into a Shopify segment.
pub async fn preview(
    State(app): State<AppState>,
    session: ShopSession,
    JsonBody(input): JsonBody<PreviewInput>,
) -> Result<Json<Preview>, AppError> {
    let shop = &session.claims.shop;
    let rule = rules(&input.rules)?;
    let largest_exact = app.config.inline_evaluation_customers;
    let counted =
        membership::preview(&app.store, shop, &rule, PREVIEW_SAMPLE, largest_exact, unix_now()).await?;
    let mut sample = Vec::with_capacity(counted.first.len());
    for id in counted.first {
        if let Some((customer_id, email, name)) = app.store.customer_card(shop, &id).await? {
            sample.push(CustomerCard { customer_id, email, name });
        }
    }
    let native = segment_rules::native::translate(&rule);
    let (query, reason) = match native {
        Ok(query) => (Some(query), None),
        Err(reason) => (None, Some(reason.0)),
    };
    Ok(Json(Preview {
        count: counted.count,
        estimated: counted.estimated,
        evaluated: counted.evaluated,
        sample,
        native: NativePreview { query, reason },
        storefront_signals: segment_rules::storefront_signals(&rule),
    }))
}

/// `GET /api/segments/{slug}/members?after=&limit=`.
pub async fn members(
    State(app): State<AppState>,
    session: ShopSession,
    Path(slug): Path<String>,
    Query(page): Query<PageQuery>,
) -> Result<Json<MembersPage>, AppError> {
    let shop = &session.claims.shop;
    found(&app, shop, &slug).await?;
    let limit = page.limit.unwrap_or(100);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(AppError::invalid("/limit", format!("must be from 1 to {MAX_PAGE}")));
    }
    let rows = app.store.members_page(shop, &slug, &page.after, limit).await?;
    let next = (rows.len() as i64 == limit).then(|| rows.last().map(|row| row.customer_id.clone())).flatten();
    Ok(Json(MembersPage { members: rows, next }))
}

/// A customer search's text.
#[derive(Deserialize)]
pub struct CustomerQuery {
    #[serde(default)]
    query: String,
}

/// `GET /api/customers?query=`: up to 20 customers whose email or name contains the text, for
/// "why in / why not".
pub async fn search_customers(
    State(app): State<AppState>,
    session: ShopSession,
    Query(search): Query<CustomerQuery>,
) -> Result<Json<CustomerSearch>, AppError> {
    let text = search.query.trim();
    if text.chars().count() < 2 || text.chars().count() > 100 {
        return Err(AppError::invalid("/query", "must be 2 to 100 characters of an email or a name"));
    }
    let customers = app
        .store
        .search_customers(&session.claims.shop, text, 20)
        .await?
        .into_iter()
        .map(|(customer_id, email, name)| CustomerCard { customer_id, email, name })
        .collect();
    Ok(Json(CustomerSearch { customers }))
}

/// `GET /api/segments/{slug}/changes`: the latest entries and exits.
pub async fn changes(
    State(app): State<AppState>,
    session: ShopSession,
    Path(slug): Path<String>,
) -> Result<Json<Changes>, AppError> {
    let shop = &session.claims.shop;
    found(&app, shop, &slug).await?;
    let changes = app
        .store
        .segment_changes(shop, &slug, 200)
        .await?
        .into_iter()
        .map(|change| Change { customer_id: change.customer_id, change: change.change, at: change.at })
        .collect();
    Ok(Json(Changes { changes }))
}

/// `GET /api/segments/{slug}/explain/{customer_id}`: why a customer is in or out, condition by
/// condition, with the values compared.
pub async fn explain(
    State(app): State<AppState>,
    session: ShopSession,
    Path((slug, customer_id)): Path<(String, String)>,
) -> Result<Json<Explanation>, AppError> {
    let shop = &session.claims.shop;
    let segment = found(&app, shop, &slug).await?;
    let rule = rules(&serde_json::from_str(&segment.rules).unwrap_or(Value::Null))?;
    let outcome = membership::explain(&app.store, shop, &rule, &customer_id, unix_now())
        .await?
        .ok_or(AppError::NotFound)?;
    let recorded = app.store.memberships(shop, &customer_id).await?.contains(&slug);
    let conditions = outcome
        .explanations
        .into_iter()
        .map(|line| ConditionOutcome { path: line.path, held: line.held, detail: line.detail })
        .collect();
    Ok(Json(Explanation { customer_id, member: outcome.member, recorded_member: recorded, conditions }))
}

/// `POST /api/segments/{slug}/push`: push now.
pub async fn push_now(
    State(app): State<AppState>,
    session: ShopSession,
    Path(slug): Path<String>,
) -> Result<(StatusCode, Json<PushView>), AppError> {
    let shop = &session.claims.shop;
    found(&app, shop, &slug).await?;
    push::push_now(&app, shop, &slug, unix_now()).await?;
    Ok((StatusCode::ACCEPTED, Json(PushView::of(app.store.push_state(shop, &slug).await?.as_ref()))))
}

/// `GET /api/segments/{slug}/push`: the push's state.
pub async fn push_status(
    State(app): State<AppState>,
    session: ShopSession,
    Path(slug): Path<String>,
) -> Result<Json<PushView>, AppError> {
    let shop = &session.claims.shop;
    found(&app, shop, &slug).await?;
    Ok(Json(PushView::of(app.store.push_state(shop, &slug).await?.as_ref())))
}

/// `POST /api/segments/reconcile`: read every `seglink:` tag back from Shopify and repair drift.
pub async fn reconcile(State(app): State<AppState>, session: ShopSession) -> Result<StatusCode, AppError> {
    reconcile::queue(&app, &session.claims.shop, unix_now()).await?;
    Ok(StatusCode::ACCEPTED)
}

/// `POST /api/segments/recompute`: evaluate every segment in full now; in a large store, queued,
/// answered 202 with the evaluation's start for the admin to follow on each segment.
pub async fn recompute(
    State(app): State<AppState>,
    session: ShopSession,
) -> Result<(StatusCode, Json<RecomputeReport>), AppError> {
    let shop = &session.claims.shop;
    let now = unix_now();
    Entitlement::of(&app, shop, now).await?.allow_evaluation(app.store.customer_count(shop).await?)?;
    let report = match evaluate::recompute_now(&app, shop, now).await? {
        Recomputation::Done(report) => report,
        Recomputation::Queued { total } => {
            let evaluation = Some(EvaluationView { evaluated: 0, total });
            return Ok((StatusCode::ACCEPTED, Json(RecomputeReport { segments: Vec::new(), evaluation })));
        }
    };
    let segments = report
        .into_iter()
        .map(|line| Recomputed {
            slug: line.slug,
            members: line.members,
            entered: line.entered,
            left: line.left,
        })
        .collect();
    Ok((StatusCode::OK, Json(RecomputeReport { segments, evaluation: None })))
}

#[cfg(test)]
mod tests {
    use super::slug;

    #[test]
    fn slugs_are_made_from_names() {
        assert_eq!(slug(None, "Big Spenders (EU)").unwrap(), "big-spenders-eu");
        assert_eq!(slug(Some("vip"), "whatever").unwrap(), "vip");
        assert!(slug(Some("VIP"), "x").is_err());
        assert!(slug(None, "!!!").is_err());
        assert_eq!(slug(None, &"a".repeat(60)).unwrap().len(), 40);
        assert!(slug(Some("new"), "x").is_err());
    }
}

//! Native customer segments: `segmentCreate`, `segmentUpdate`, `segment` and
//! `customerSegmentMembers`, with queries parsed and evaluated by `segment_query`.

use std::cell::RefCell;
use std::collections::HashMap;

use apollo_compiler::resolvers::{FieldError, ObjectValue, ResolveInfo, ResolvedValue};
use apollo_compiler::response::JsonValue;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::segment_query::{Facts, Query};
use crate::shop::{Shop, gid, iso8601};

/// Most members one page returns.
pub const MAX_MEMBERS_PAGE: u64 = 1_000;

/// A saved segment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segment {
    /// Numeric id; the GID is `gid://shopify/Segment/<id>`.
    pub id: u64,
    /// Unique within the shop.
    pub name: String,
    /// The query as written.
    pub query: String,
    /// Unix seconds.
    pub created_at: u64,
    /// Unix seconds.
    pub edited_at: u64,
}

type SegmentError = (&'static str, String);

/// `segmentCreate(name:, query:)` or, with `id`, `segmentUpdate(id:, name:, query:)`.
pub(crate) fn save_segment(
    segments: &RefCell<Vec<Segment>>,
    info: &ResolveInfo<'_>,
    now: u64,
) -> SegmentPayload {
    let arguments = info.arguments();
    let text = |name: &str| arguments.get(name).and_then(JsonValue::as_str).map(str::to_owned);
    let type_name = if text("id").is_some() { "SegmentUpdatePayload" } else { "SegmentCreatePayload" };
    let refuse = |field: &'static str, message: String| SegmentPayload {
        type_name,
        segment: None,
        error: Some((field, message)),
    };
    let mut segments = segments.borrow_mut();
    let index = match text("id") {
        Some(id) => match segments.iter().position(|segment| gid("Segment", segment.id) == id) {
            Some(index) => Some(index),
            None => return refuse("id", "Segment does not exist".to_owned()),
        },
        None => None,
    };
    let mut segment = match index {
        Some(index) => segments[index].clone(),
        None => {
            let id = segments.iter().map(|segment| segment.id).max().map_or(1, |id| id + 1);
            Segment { id, name: String::new(), query: String::new(), created_at: now, edited_at: now }
        }
    };
    if let Some(name) = text("name") {
        segment.name = name;
    }
    if let Some(query) = text("query") {
        segment.query = query;
    }
    if segment.name.trim().is_empty() {
        return refuse("name", "Name can't be blank".to_owned());
    }
    if segments.iter().any(|other| other.id != segment.id && other.name == segment.name) {
        return refuse("name", "Segment names must be unique".to_owned());
    }
    if let Err(message) = Query::parse(&segment.query) {
        return refuse("query", message);
    }
    segment.edited_at = now;
    match index {
        Some(index) => segments[index] = segment.clone(),
        None => segments.push(segment.clone()),
    }
    SegmentPayload { type_name, segment: Some(segment), error: None }
}

/// `segment(id:)`.
pub(crate) fn segment_field<'a>(
    segments: &RefCell<Vec<Segment>>,
    info: &ResolveInfo<'a>,
) -> ResolvedValue<'a> {
    let id = info.arguments().get("id").and_then(JsonValue::as_str).unwrap_or_default();
    let found = segments.borrow().iter().find(|segment| gid("Segment", segment.id) == id).cloned();
    ResolvedValue::nullable_object(found.map(SegmentValue))
}

/// `customerSegmentMembers(segmentId: | query:, first:, after:)`, by customer id.
pub(crate) fn members<'a>(
    shop: &'a RefCell<Shop>,
    segments: &RefCell<Vec<Segment>>,
    info: &ResolveInfo<'a>,
    now: u64,
) -> Result<ResolvedValue<'a>, FieldError> {
    let error = |message: String| FieldError { message };
    let arguments = info.arguments();
    let text = |name: &str| arguments.get(name).and_then(JsonValue::as_str).map(str::to_owned);
    let query_text = match (text("segmentId"), text("query")) {
        (Some(id), None) => segments
            .borrow()
            .iter()
            .find(|segment| gid("Segment", segment.id) == id)
            .map(|segment| segment.query.clone())
            .ok_or_else(|| error("Segment does not exist".to_owned()))?,
        (None, Some(query)) => query,
        _ => return Err(error("Provide exactly one of segmentId and query".to_owned())),
    };
    let query = Query::parse(&query_text).map_err(error)?;
    let first = arguments
        .get("first")
        .and_then(JsonValue::as_u64)
        .ok_or_else(|| error("you must provide first".to_owned()))?;
    if first > MAX_MEMBERS_PAGE {
        return Err(error(format!("the page size must not exceed {MAX_MEMBERS_PAGE}")));
    }
    let after = match text("after") {
        Some(cursor) => {
            Some(decode_cursor(&cursor).ok_or_else(|| error(format!("Invalid cursor `{cursor}`")))?)
        }
        None => None,
    };
    let records = shop.borrow();
    let stats = order_stats(&records);
    let matching: Vec<u64> = records
        .customers
        .iter()
        .filter(|customer| {
            let (amount_spent, number_of_orders, first_order, last_order) =
                stats.get(&customer.id).copied().unwrap_or_default();
            let facts = Facts {
                tags: &customer.tags,
                country: &customer.country_code,
                amount_spent,
                number_of_orders,
                first_order,
                last_order,
                added: i64::try_from(customer.created_at).unwrap_or(i64::MAX),
                subscribed: customer.accepts_marketing,
            };
            query.matches(&facts, i64::try_from(now).unwrap_or(i64::MAX))
        })
        .map(|customer| customer.id)
        .collect();
    let total = matching.len();
    let page: Vec<u64> = matching
        .into_iter()
        .filter(|id| after.is_none_or(|after| *id > after))
        .take(usize::try_from(first).unwrap_or(usize::MAX) + 1)
        .collect();
    let has_next = page.len() > usize::try_from(first).unwrap_or(usize::MAX);
    let page = page.into_iter().take(usize::try_from(first).unwrap_or(usize::MAX)).collect();
    drop(records);
    Ok(ResolvedValue::object(MembersValue { shop, page, has_next, has_previous: after.is_some(), total }))
}

/// Per customer: amount spent (orders not cancelled, less refunds), order count, and the first
/// and last order times.
fn order_stats(shop: &Shop) -> HashMap<u64, (f64, u64, Option<i64>, Option<i64>)> {
    let mut stats: HashMap<u64, (f64, u64, Option<i64>, Option<i64>)> = HashMap::new();
    for order in &shop.orders {
        let Some(customer) = order.customer_id else {
            continue;
        };
        let entry = stats.entry(customer).or_default();
        let at = i64::try_from(order.created_at).unwrap_or(i64::MAX);
        entry.1 += 1;
        entry.0 += order.spent_cents() as f64 / 100.0;
        entry.2 = Some(entry.2.map_or(at, |first| first.min(at)));
        entry.3 = Some(entry.3.map_or(at, |last| last.max(at)));
    }
    stats
}

fn encode_cursor(id: u64) -> String {
    STANDARD.encode(format!("member:{id}"))
}

fn decode_cursor(cursor: &str) -> Option<u64> {
    let bytes = STANDARD.decode(cursor).ok()?;
    String::from_utf8(bytes).ok()?.strip_prefix("member:")?.parse().ok()
}

pub(crate) struct SegmentPayload {
    type_name: &'static str,
    segment: Option<Segment>,
    error: Option<SegmentError>,
}

impl ObjectValue for SegmentPayload {
    fn type_name(&self) -> &str {
        self.type_name
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        match info.field_name() {
            "segment" => Ok(ResolvedValue::nullable_object(self.segment.clone().map(SegmentValue))),
            "userErrors" => Ok(ResolvedValue::list(
                self.error.iter().map(|error| ResolvedValue::object(SegmentErrorValue(error))),
            )),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

struct SegmentErrorValue<'e>(&'e SegmentError);

impl ObjectValue for SegmentErrorValue<'_> {
    fn type_name(&self) -> &str {
        "UserError"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        let (field, message) = self.0;
        match info.field_name() {
            "field" => Ok(ResolvedValue::list([ResolvedValue::leaf(*field)])),
            "message" => Ok(ResolvedValue::leaf(message.as_str())),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

struct SegmentValue(Segment);

impl ObjectValue for SegmentValue {
    fn type_name(&self) -> &str {
        "Segment"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        let segment = &self.0;
        match info.field_name() {
            "id" => Ok(ResolvedValue::leaf(gid("Segment", segment.id))),
            "name" => Ok(ResolvedValue::leaf(segment.name.as_str())),
            "query" => Ok(ResolvedValue::leaf(segment.query.as_str())),
            "creationDate" => Ok(ResolvedValue::leaf(iso8601(segment.created_at))),
            "lastEditDate" => Ok(ResolvedValue::leaf(iso8601(segment.edited_at))),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

struct MembersValue<'s> {
    shop: &'s RefCell<Shop>,
    page: Vec<u64>,
    has_next: bool,
    has_previous: bool,
    total: usize,
}

impl ObjectValue for MembersValue<'_> {
    fn type_name(&self) -> &str {
        "CustomerSegmentMemberConnection"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        match info.field_name() {
            "edges" => Ok(ResolvedValue::list(
                self.page
                    .iter()
                    .map(|id| ResolvedValue::object(MemberEdgeValue { shop: self.shop, id: *id })),
            )),
            "totalCount" => Ok(ResolvedValue::leaf(self.total as u64)),
            "pageInfo" => Ok(ResolvedValue::object(crate::paging::PageInfoValue {
                start: self.page.first().map(|id| encode_cursor(*id)),
                end: self.page.last().map(|id| encode_cursor(*id)),
                has_next: self.has_next,
                has_previous: self.has_previous,
            })),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

struct MemberEdgeValue<'s> {
    shop: &'s RefCell<Shop>,
    id: u64,
}

impl ObjectValue for MemberEdgeValue<'_> {
    fn type_name(&self) -> &str {
        "CustomerSegmentMemberEdge"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        match info.field_name() {
            "cursor" => Ok(ResolvedValue::leaf(encode_cursor(self.id))),
            "node" => Ok(ResolvedValue::object(MemberValue { shop: self.shop, id: self.id })),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

struct MemberValue<'s> {
    shop: &'s RefCell<Shop>,
    id: u64,
}

impl ObjectValue for MemberValue<'_> {
    fn type_name(&self) -> &str {
        "CustomerSegmentMember"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        let shop = self.shop.borrow();
        let customer = shop
            .customers
            .iter()
            .find(|customer| customer.id == self.id)
            .ok_or_else(|| FieldError { message: "the customer was deleted".to_owned() })?;
        match info.field_name() {
            "id" => Ok(ResolvedValue::leaf(gid("CustomerSegmentMember", customer.id))),
            "firstName" => Ok(ResolvedValue::leaf(customer.first_name.clone())),
            "lastName" => Ok(ResolvedValue::leaf(customer.last_name.clone())),
            "displayName" => {
                Ok(ResolvedValue::leaf(format!("{} {}", customer.first_name, customer.last_name)))
            }
            "defaultEmailAddress" => Ok(ResolvedValue::object(EmailValue(customer.email.clone()))),
            "numberOfOrders" => {
                let count = shop.orders.iter().filter(|order| order.customer_id == Some(customer.id)).count();
                Ok(ResolvedValue::leaf(count.to_string()))
            }
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

struct EmailValue(String);

impl ObjectValue for EmailValue {
    fn type_name(&self) -> &str {
        "CustomerEmailAddress"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        match info.field_name() {
            "emailAddress" => Ok(ResolvedValue::leaf(self.0.as_str())),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

//! Cursor pagination as the Admin API does it: `first` or `last` (at most 250), `after` and
//! `before` cursors, `reverse`; bulk queries read every object.

use apollo_compiler::resolvers::{FieldError, ObjectValue, ResolveInfo, ResolvedValue};
use apollo_compiler::response::{JsonMap, JsonValue};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// The most a connection returns per page.
pub const MAX_PAGE_SIZE: u64 = 250;

/// One page of ids, in the order asked for.
pub(crate) struct Page {
    pub ids: Vec<u64>,
    pub has_next: bool,
    pub has_previous: bool,
}

fn field_error(message: impl Into<String>) -> FieldError {
    FieldError { message: message.into() }
}

/// Pages `ids` (ascending) by the connection arguments.
pub(crate) fn page(mut ids: Vec<u64>, arguments: &JsonMap, unpaged: bool) -> Result<Page, FieldError> {
    let number = |name: &str| arguments.get(name).and_then(JsonValue::as_i64);
    let (first, last) = (number("first"), number("last"));
    let size = match (first, last) {
        _ if unpaged => i64::MAX,
        (Some(size), None) | (None, Some(size)) => size,
        (None, None) => return Err(field_error("you must provide one of first or last")),
        (Some(_), Some(_)) => return Err(field_error("providing both first and last is not supported")),
    };
    let size = u64::try_from(size).map_err(|_| field_error("first and last must not be negative"))?;
    if size > MAX_PAGE_SIZE && !unpaged {
        return Err(field_error(format!("the page size must not exceed {MAX_PAGE_SIZE}")));
    }
    let cursor = |name: &str| arguments.get(name).and_then(JsonValue::as_str).map(decode_cursor).transpose();
    let (after, before) = (cursor("after")?, cursor("before")?);
    let reverse = arguments.get("reverse").and_then(JsonValue::as_bool).unwrap_or(false);
    if reverse {
        ids.reverse();
    }
    let position = |id: u64| ids.iter().position(|candidate| *candidate == id);
    let start = after.map_or(0, |after| position(after).map_or(ids.len(), |index| index + 1));
    let end = before.map_or(ids.len(), |before| position(before).unwrap_or(ids.len()));
    let window = ids.get(start..end.max(start)).unwrap_or_default();
    let size = usize::try_from(size).unwrap_or(usize::MAX);
    Ok(if last.is_some() && !unpaged {
        let from = window.len().saturating_sub(size);
        Page { ids: window[from..].to_vec(), has_next: end < ids.len(), has_previous: from > 0 || start > 0 }
    } else {
        Page {
            ids: window.iter().copied().take(size).collect(),
            has_next: window.len() > size,
            has_previous: start > 0,
        }
    })
}

/// Opaque to clients; here base64 of the last id, as Shopify's hold the last sort value.
pub(crate) fn encode_cursor(id: u64) -> String {
    STANDARD.encode(format!("{{\"last_id\":{id},\"last_value\":\"{id}\"}}"))
}

pub(crate) fn decode_cursor(cursor: &str) -> Result<u64, FieldError> {
    let invalid = || field_error(format!("Invalid cursor `{cursor}`"));
    let bytes = STANDARD.decode(cursor).map_err(|_| invalid())?;
    let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
    value.get("last_id").and_then(serde_json::Value::as_u64).ok_or_else(invalid)
}

pub(crate) struct PageInfoValue {
    pub start: Option<String>,
    pub end: Option<String>,
    pub has_next: bool,
    pub has_previous: bool,
}

impl PageInfoValue {
    pub(crate) fn of(page: &Page) -> Self {
        Self {
            start: page.ids.first().map(|id| encode_cursor(*id)),
            end: page.ids.last().map(|id| encode_cursor(*id)),
            has_next: page.has_next,
            has_previous: page.has_previous,
        }
    }
}

impl ObjectValue for PageInfoValue {
    fn type_name(&self) -> &str {
        "PageInfo"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        match info.field_name() {
            "startCursor" => Ok(ResolvedValue::leaf(self.start.clone())),
            "endCursor" => Ok(ResolvedValue::leaf(self.end.clone())),
            "hasNextPage" => Ok(ResolvedValue::leaf(self.has_next)),
            "hasPreviousPage" => Ok(ResolvedValue::leaf(self.has_previous)),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

/// An edge of a connection: its cursor and its node.
pub(crate) struct Edge<N> {
    pub name: &'static str,
    pub id: u64,
    pub node: N,
}

impl<N: ObjectValue> ObjectValue for Edge<N> {
    fn type_name(&self) -> &str {
        self.name
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        match info.field_name() {
            "cursor" => Ok(ResolvedValue::leaf(encode_cursor(self.id))),
            "node" => Ok(ResolvedValue::object(Forward(&self.node))),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

/// Lends an object to a field without moving it.
struct Forward<'n, N>(&'n N);

impl<N: ObjectValue> ObjectValue for Forward<'_, N> {
    fn type_name(&self) -> &str {
        self.0.type_name()
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        self.0.resolve_field(info)
    }
}

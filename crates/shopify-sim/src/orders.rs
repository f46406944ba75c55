//! `orders` and `order(id:)`, read from the shop's records. Without
//! `read_all_orders` an app sees only the last 60 days of orders, as in Shopify.

use std::cell::RefCell;

use apollo_compiler::resolvers::{FieldError, ObjectValue, ResolveInfo, ResolvedValue};
use apollo_compiler::response::JsonValue;

use crate::money::MoneyValue;
use crate::paging::{Edge, Page, PageInfoValue, page};
use crate::products::ProductValue;
use crate::shop::{Order, Shop, gid, iso8601};

/// How far back an app without `read_all_orders` can see.
pub const RECENT_ORDER_DAYS: u64 = 60;

/// Who is asking, and when.
#[derive(Clone, Copy)]
pub(crate) struct Reader<'s> {
    pub shop: &'s RefCell<Shop>,
    pub client_id: &'s str,
    pub all_orders: bool,
    pub unpaged: bool,
    pub now: u64,
}

impl Reader<'_> {
    fn visible(&self, order: &Order) -> bool {
        self.all_orders || order.created_at + RECENT_ORDER_DAYS * 86_400 >= self.now
    }
}

/// `orders(first|last, after|before, query, reverse, sortKey)`: by time placed, which is id order.
/// `query` takes `customer_id:`, `created_at:>=YYYY-MM-DD` / `created_at:<YYYY-MM-DD` and
/// `financial_status:` terms.
pub(crate) fn orders<'a>(
    reader: Reader<'a>,
    info: &ResolveInfo<'a>,
) -> Result<ResolvedValue<'a>, FieldError> {
    let arguments = info.arguments();
    if arguments
        .get("sortKey")
        .and_then(JsonValue::as_str)
        .is_some_and(|key| !["PROCESSED_AT", "CREATED_AT", "ID"].contains(&key))
    {
        return Err(FieldError { message: "shopify-sim sorts orders by time placed or id only".to_owned() });
    }
    let filter = OrderFilter::parse(arguments.get("query").and_then(JsonValue::as_str).unwrap_or_default())?;
    let ids: Vec<u64> = reader
        .shop
        .borrow()
        .orders
        .iter()
        .filter(|order| reader.visible(order) && filter.matches(order))
        .map(|order| order.id)
        .collect();
    let page = page(ids, arguments, reader.unpaged)?;
    Ok(ResolvedValue::object(OrderConnectionValue { reader, page }))
}

/// `order(id:)`, or null when it does not exist or is out of the app's sight.
pub(crate) fn order<'a>(reader: Reader<'a>, info: &ResolveInfo<'a>) -> ResolvedValue<'a> {
    let id = info.arguments().get("id").and_then(JsonValue::as_str).unwrap_or_default();
    let found = id.strip_prefix("gid://shopify/Order/").and_then(|id| id.parse::<u64>().ok()).filter(|id| {
        reader.shop.borrow().orders.iter().any(|order| order.id == *id && reader.visible(order))
    });
    ResolvedValue::nullable_object(found.map(|id| OrderValue { reader, id }))
}

struct OrderFilter {
    customer: Option<u64>,
    from: Option<u64>,
    before: Option<u64>,
    status: Option<String>,
}

impl OrderFilter {
    fn parse(query: &str) -> Result<Self, FieldError> {
        let refuse = |term: &str| FieldError {
            message: format!("shopify-sim does not simulate the order search term `{term}`"),
        };
        let mut filter = Self { customer: None, from: None, before: None, status: None };
        for term in query.split_whitespace() {
            let day = |text: &str| {
                crate::shop::parse_time(&format!("{text}T00:00:00Z")).ok_or_else(|| refuse(term))
            };
            if let Some(id) = term.strip_prefix("customer_id:") {
                filter.customer = Some(id.parse().map_err(|_| refuse(term))?);
            } else if let Some(date) = term.strip_prefix("created_at:>=") {
                filter.from = Some(day(date)?);
            } else if let Some(date) = term.strip_prefix("created_at:<") {
                filter.before = Some(day(date)?);
            } else if let Some(status) = term.strip_prefix("financial_status:") {
                filter.status = Some(status.to_ascii_uppercase());
            } else {
                return Err(refuse(term));
            }
        }
        Ok(filter)
    }

    fn matches(&self, order: &Order) -> bool {
        let status = serde_json::to_value(order.financial_status).ok();
        self.customer.is_none_or(|customer| order.customer_id == Some(customer))
            && self.from.is_none_or(|from| order.created_at >= from)
            && self.before.is_none_or(|before| order.created_at < before)
            && self.status.as_ref().is_none_or(|wanted| {
                status.as_ref().and_then(|status| status.as_str()) == Some(wanted.as_str())
            })
    }
}

struct OrderConnectionValue<'s> {
    reader: Reader<'s>,
    page: Page,
}

impl ObjectValue for OrderConnectionValue<'_> {
    fn type_name(&self) -> &str {
        "OrderConnection"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        let order = |id: &u64| OrderValue { reader: self.reader, id: *id };
        match info.field_name() {
            "nodes" => {
                Ok(ResolvedValue::list(self.page.ids.iter().map(move |id| ResolvedValue::object(order(id)))))
            }
            "edges" => {
                Ok(ResolvedValue::list(self.page.ids.iter().map(move |id| {
                    ResolvedValue::object(Edge { name: "OrderEdge", id: *id, node: order(id) })
                })))
            }
            "pageInfo" => Ok(ResolvedValue::object(PageInfoValue::of(&self.page))),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

struct OrderValue<'s> {
    reader: Reader<'s>,
    id: u64,
}

impl ObjectValue for OrderValue<'_> {
    fn type_name(&self) -> &str {
        "Order"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        let shop = self.reader.shop.borrow();
        let order = shop
            .orders
            .iter()
            .find(|order| order.id == self.id)
            .ok_or_else(|| FieldError { message: "the order was deleted".to_owned() })?;
        let currency = shop.currency.clone();
        let bag = |cents| ResolvedValue::object(MoneyBagValue { cents, currency: currency.clone() });
        match info.field_name() {
            "id" => Ok(ResolvedValue::leaf(gid("Order", order.id))),
            "name" => Ok(ResolvedValue::leaf(order.name.clone())),
            "email" => Ok(ResolvedValue::leaf(
                order
                    .customer_id
                    .and_then(|id| shop.customers.iter().find(|customer| customer.id == id))
                    .map(|customer| customer.email.clone())
                    .or_else(|| order.guest_email.clone()),
            )),
            "createdAt" | "processedAt" => Ok(ResolvedValue::leaf(iso8601(order.created_at))),
            "cancelledAt" => Ok(ResolvedValue::leaf(order.cancelled_at.map(iso8601))),
            "displayFinancialStatus" => Ok(ResolvedValue::leaf(
                serde_json::to_value(order.financial_status)
                    .ok()
                    .and_then(|status| status.as_str().map(str::to_owned)),
            )),
            "currencyCode" => Ok(ResolvedValue::leaf(currency.clone())),
            "subtotalPriceSet" | "totalPriceSet" => Ok(bag(order.total_cents())),
            "currentTotalPriceSet" => Ok(bag(order.current_total_cents())),
            "totalRefundedSet" => Ok(bag(order.refunded_cents())),
            "customer" => Ok(match order.customer_id {
                Some(id) => ResolvedValue::object(IdOnly { type_name: "Customer", gid: gid("Customer", id) }),
                None => ResolvedValue::null(),
            }),
            "lineItems" => {
                let ids: Vec<u64> = (0..order.lines.len() as u64).collect();
                let page = page(ids, info.arguments(), self.reader.unpaged)?;
                Ok(ResolvedValue::object(LineItemsValue { reader: self.reader, order: self.id, page }))
            }
            "refunds" => {
                let refunds: Vec<(u64, u64, u64)> = order
                    .refunds
                    .iter()
                    .map(|refund| (refund.id, refund.created_at, refund.amount_cents))
                    .collect();
                Ok(ResolvedValue::list(refunds.into_iter().map(move |(id, at, cents)| {
                    ResolvedValue::object(RefundValue { id, at, cents, currency: currency.clone() })
                })))
            }
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

struct IdOnly {
    type_name: &'static str,
    gid: String,
}

impl ObjectValue for IdOnly {
    fn type_name(&self) -> &str {
        self.type_name
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        match info.field_name() {
            "id" => Ok(ResolvedValue::leaf(self.gid.as_str())),
            _ => Err(FieldError {
                message: format!(
                    "shopify-sim answers only `id` on {} here, not `{}`",
                    self.type_name,
                    info.field_name()
                ),
            }),
        }
    }
}

struct LineItemsValue<'s> {
    reader: Reader<'s>,
    order: u64,
    page: Page,
}

impl ObjectValue for LineItemsValue<'_> {
    fn type_name(&self) -> &str {
        "LineItemConnection"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        let item = |index: &u64| LineItemValue { reader: self.reader, order: self.order, index: *index };
        match info.field_name() {
            "nodes" => Ok(ResolvedValue::list(
                self.page.ids.iter().map(move |index| ResolvedValue::object(item(index))),
            )),
            "edges" => Ok(ResolvedValue::list(self.page.ids.iter().map(move |index| {
                ResolvedValue::object(Edge { name: "LineItemEdge", id: *index, node: item(index) })
            }))),
            "pageInfo" => Ok(ResolvedValue::object(PageInfoValue::of(&self.page))),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

struct LineItemValue<'s> {
    reader: Reader<'s>,
    order: u64,
    index: u64,
}

impl ObjectValue for LineItemValue<'_> {
    fn type_name(&self) -> &str {
        "LineItem"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        let shop = self.reader.shop.borrow();
        let line = shop
            .orders
            .iter()
            .find(|order| order.id == self.order)
            .and_then(|order| order.lines.get(usize::try_from(self.index).ok()?))
            .ok_or_else(|| FieldError { message: "the line item was deleted".to_owned() })?;
        match info.field_name() {
            // Line item ids as the webhook payloads number them.
            "id" => Ok(ResolvedValue::leaf(gid("LineItem", self.order * 10 + self.index))),
            "quantity" => Ok(ResolvedValue::leaf(line.quantity)),
            "variant" => Ok(ResolvedValue::object(IdOnly {
                type_name: "ProductVariant",
                gid: gid("ProductVariant", line.variant_id),
            })),
            "product" => Ok(ResolvedValue::object(ProductValue { reader: self.reader, id: line.product_id })),
            "originalUnitPriceSet" => Ok(ResolvedValue::object(MoneyBagValue {
                cents: line.price_cents,
                currency: shop.currency.clone(),
            })),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

struct RefundValue {
    id: u64,
    at: u64,
    cents: u64,
    currency: String,
}

impl ObjectValue for RefundValue {
    fn type_name(&self) -> &str {
        "Refund"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        match info.field_name() {
            "id" => Ok(ResolvedValue::leaf(gid("Refund", self.id))),
            "createdAt" => Ok(ResolvedValue::leaf(iso8601(self.at))),
            "totalRefundedSet" => Ok(ResolvedValue::object(MoneyBagValue {
                cents: self.cents,
                currency: self.currency.clone(),
            })),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

/// The shop and presentment amounts; the simulator's orders are in the shop currency.
struct MoneyBagValue {
    cents: u64,
    currency: String,
}

impl ObjectValue for MoneyBagValue {
    fn type_name(&self) -> &str {
        "MoneyBag"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        match info.field_name() {
            "shopMoney" | "presentmentMoney" => {
                Ok(ResolvedValue::object(MoneyValue::of_cents(self.cents, &self.currency)))
            }
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

//! The operations the Function returns, written straight to Shopify's Wasm API. Tests read
//! every output back into the types generated from Shopify's schema, so a shape the schema
//! does not accept fails there.

use discount_rules::Decimal;
use shopify_function::wasm_api::{Context, Serialize, write};

use crate::io::{Writer, Written};

/// How much a candidate takes off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reduction {
    Percentage(Decimal),
    /// An amount in the buyer's currency.
    FixedAmount(Decimal),
}

/// An order subtotal discount with its own minimum subtotal (shop currency).
#[derive(Debug, PartialEq, Eq)]
pub struct OrderCandidate {
    pub reduction: Reduction,
    pub minimum_subtotal: Option<Decimal>,
    pub message: String,
}

/// A discount on some cart lines; a fixed amount is shared across them.
#[derive(Debug, PartialEq, Eq)]
pub struct ProductCandidate {
    pub line_ids: Vec<String>,
    pub reduction: Reduction,
    pub message: String,
}

/// A discount on one delivery option.
#[derive(Debug, PartialEq, Eq)]
pub struct DeliveryCandidate {
    pub handle: String,
    pub reduction: Reduction,
    pub message: String,
}

/// Output of `cart.lines.discounts.generate.run`.
pub struct CartLinesResult {
    pub order: Vec<OrderCandidate>,
    pub product: Vec<ProductCandidate>,
}

/// Output of `cart.delivery-options.discounts.generate.run`.
pub struct DeliveryResult {
    pub candidates: Vec<DeliveryCandidate>,
}

impl Serialize for CartLinesResult {
    fn serialize(&self, context: &mut Context) -> Result<(), write::Error> {
        let mut writer = Writer::new(context);
        let operations = usize::from(!self.order.is_empty()) + usize::from(!self.product.is_empty());
        writer.object(1, |writer| {
            writer.str("operations")?;
            writer.array(operations, |writer| {
                if !self.order.is_empty() {
                    operation(writer, "orderDiscountsAdd", "MAXIMUM", &self.order, order_candidate)?;
                }
                if !self.product.is_empty() {
                    operation(writer, "productDiscountsAdd", "MAXIMUM", &self.product, product_candidate)?;
                }
                Ok(())
            })
        })
    }
}

impl Serialize for DeliveryResult {
    fn serialize(&self, context: &mut Context) -> Result<(), write::Error> {
        let mut writer = Writer::new(context);
        writer.object(1, |writer| {
            writer.str("operations")?;
            let count = usize::from(!self.candidates.is_empty());
            writer.array(count, |writer| {
                if self.candidates.is_empty() {
                    return Ok(());
                }
                // Delivery candidates only take ALL: the Function picks one per option itself.
                operation(writer, "deliveryDiscountsAdd", "ALL", &self.candidates, delivery_candidate)
            })
        })
    }
}

/// `{<kind>: {selectionStrategy, candidates: [...]}}`
fn operation<T>(
    writer: &mut Writer<'_>,
    kind: &str,
    strategy: &str,
    candidates: &[T],
    candidate: fn(&mut Writer<'_>, &T) -> Written,
) -> Written {
    writer.one_of(kind, |writer| {
        writer.object(2, |writer| {
            writer.str("selectionStrategy")?;
            writer.str(strategy)?;
            writer.str("candidates")?;
            writer.array(candidates.len(), |writer| candidates.iter().try_for_each(|c| candidate(writer, c)))
        })
    })
}

fn order_candidate(writer: &mut Writer<'_>, candidate: &OrderCandidate) -> Written {
    let fields = 3 + usize::from(candidate.minimum_subtotal.is_some());
    writer.object(fields, |writer| {
        writer.str("targets")?;
        writer.array(1, |writer| {
            writer.one_of("orderSubtotal", |writer| {
                writer.object(1, |writer| {
                    writer.str("excludedCartLineIds")?;
                    writer.array(0, |_| Ok(()))
                })
            })
        })?;
        writer.str("value")?;
        reduction(writer, candidate.reduction, None)?;
        if let Some(minimum) = candidate.minimum_subtotal {
            writer.str("conditions")?;
            writer.array(1, |writer| {
                writer.one_of("orderMinimumSubtotal", |writer| {
                    writer.object(2, |writer| {
                        writer.str("excludedCartLineIds")?;
                        writer.array(0, |_| Ok(()))?;
                        writer.str("minimumAmount")?;
                        writer.decimal(minimum)
                    })
                })
            })?;
        }
        writer.str("message")?;
        writer.str(&candidate.message)
    })
}

fn product_candidate(writer: &mut Writer<'_>, candidate: &ProductCandidate) -> Written {
    writer.object(3, |writer| {
        writer.str("targets")?;
        writer.array(candidate.line_ids.len(), |writer| {
            candidate.line_ids.iter().try_for_each(|id| {
                writer.one_of("cartLine", |writer| {
                    writer.object(1, |writer| {
                        writer.str("id")?;
                        writer.str(id)
                    })
                })
            })
        })?;
        writer.str("value")?;
        // One amount shared by the matching lines, not taken off each item.
        reduction(writer, candidate.reduction, Some(false))?;
        writer.str("message")?;
        writer.str(&candidate.message)
    })
}

fn delivery_candidate(writer: &mut Writer<'_>, candidate: &DeliveryCandidate) -> Written {
    writer.object(3, |writer| {
        writer.str("targets")?;
        writer.array(1, |writer| {
            writer.one_of("deliveryOption", |writer| {
                writer.object(1, |writer| {
                    writer.str("handle")?;
                    writer.str(&candidate.handle)
                })
            })
        })?;
        writer.str("value")?;
        reduction(writer, candidate.reduction, None)?;
        writer.str("message")?;
        writer.str(&candidate.message)
    })
}

/// `{percentage: {value}}` or `{fixedAmount: {amount[, appliesToEachItem]}}`.
fn reduction(writer: &mut Writer<'_>, reduction: Reduction, applies_to_each_item: Option<bool>) -> Written {
    match reduction {
        Reduction::Percentage(percent) => writer.one_of("percentage", |writer| {
            writer.object(1, |writer| {
                writer.str("value")?;
                writer.decimal(percent)
            })
        }),
        Reduction::FixedAmount(amount) => writer.one_of("fixedAmount", |writer| {
            writer.object(1 + usize::from(applies_to_each_item.is_some()), |writer| {
                writer.str("amount")?;
                writer.decimal(amount)?;
                if let Some(each) = applies_to_each_item {
                    writer.str("appliesToEachItem")?;
                    writer.bool(each)?;
                }
                Ok(())
            })
        }),
    }
}

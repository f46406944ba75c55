//! Reads the input and writes the output through Shopify's Wasm API, with no generated types.
//!
//! A key looked up by string is copied into the provider on every lookup; an interned one is
//! copied once, which pays from its second use (per cart line, per tag). The generated types
//! also read whole objects eagerly where this reads only what a rule needs
//! (docs/benchmarks.md has the instruction counts).

use std::cell::Cell;

use discount_rules::Decimal;
use shopify_function::wasm_api::{Context, InternedStringId, Value};

/// Every key and enum value the Function reads or writes.
#[derive(Clone, Copy)]
pub enum Key {
    Cart,
    BuyerIdentity,
    Customer,
    HasAnyTag,
    HasTags,
    Discount,
    DiscountClasses,
    Metafield,
    Value,
    PresentmentCurrencyRate,
    LineCart,
    Lines,
    Id,
    Cost,
    SubtotalAmount,
    Amount,
    DeliveryCart,
    DeliveryGroups,
    DeliveryOptions,
    Handle,
    Operations,
    OrderDiscountsAdd,
    ProductDiscountsAdd,
    DeliveryDiscountsAdd,
    SelectionStrategy,
    Candidates,
    Targets,
    OrderSubtotal,
    ExcludedCartLineIds,
    Percentage,
    FixedAmount,
    AppliesToEachItem,
    Conditions,
    OrderMinimumSubtotal,
    MinimumAmount,
    Message,
    CartLine,
    DeliveryOption,
    Maximum,
    All,
}

const KEY_COUNT: usize = Key::All as usize + 1;

/// Where the cart-lines query puts the fields read once per cart line. A GraphQL response
/// keeps the query's field order, so these are read by position, which skips the key compare of
/// every lookup (about a fifth of a large cart's instructions); a test checks them against
/// `cart_lines_discounts_generate_run.graphql`.
pub mod line_fields {
    use discount_rules::MAX_COLLECTION_GROUPS;

    /// In a line: `merchandise`, `id`, `quantity`.
    pub const MERCHANDISE: usize = 0;
    pub const ID: usize = 1;
    pub const QUANTITY: usize = 2;
    /// In `merchandise`, for a product variant: `product` (a custom product has no fields).
    pub const PRODUCT: usize = 0;
    /// In `product`: `collectionGroup0`… in group order, then `id`.
    pub const PRODUCT_ID: usize = MAX_COLLECTION_GROUPS;
}

impl Key {
    fn name(self) -> &'static str {
        match self {
            Self::Cart => "cart",
            Self::BuyerIdentity => "buyerIdentity",
            Self::Customer => "customer",
            Self::HasAnyTag => "hasAnyTag",
            Self::HasTags => "hasTags",
            Self::Discount => "discount",
            Self::DiscountClasses => "discountClasses",
            Self::Metafield => "metafield",
            Self::Value => "value",
            Self::PresentmentCurrencyRate => "presentmentCurrencyRate",
            Self::LineCart => "lineCart",
            Self::Lines => "lines",
            Self::Id => "id",
            Self::Cost => "cost",
            Self::SubtotalAmount => "subtotalAmount",
            Self::Amount => "amount",
            Self::DeliveryCart => "deliveryCart",
            Self::DeliveryGroups => "deliveryGroups",
            Self::DeliveryOptions => "deliveryOptions",
            Self::Handle => "handle",
            Self::Operations => "operations",
            Self::OrderDiscountsAdd => "orderDiscountsAdd",
            Self::ProductDiscountsAdd => "productDiscountsAdd",
            Self::DeliveryDiscountsAdd => "deliveryDiscountsAdd",
            Self::SelectionStrategy => "selectionStrategy",
            Self::Candidates => "candidates",
            Self::Targets => "targets",
            Self::OrderSubtotal => "orderSubtotal",
            Self::ExcludedCartLineIds => "excludedCartLineIds",
            Self::Percentage => "percentage",
            Self::FixedAmount => "fixedAmount",
            Self::AppliesToEachItem => "appliesToEachItem",
            Self::Conditions => "conditions",
            Self::OrderMinimumSubtotal => "orderMinimumSubtotal",
            Self::MinimumAmount => "minimumAmount",
            Self::Message => "message",
            Self::CartLine => "cartLine",
            Self::DeliveryOption => "deliveryOption",
            Self::Maximum => "MAXIMUM",
            Self::All => "ALL",
        }
    }
}

/// The keys of this run: looked up by string on first use, interned on the second. Interned
/// ids are only valid within the run that made them.
pub struct Keys {
    ids: [Cell<Option<InternedStringId>>; KEY_COUNT],
    used: [Cell<bool>; KEY_COUNT],
}

impl Keys {
    pub fn new() -> Self {
        Self {
            ids: std::array::from_fn(|_| Cell::new(None)),
            used: std::array::from_fn(|_| Cell::new(false)),
        }
    }

    fn lookup(&self, value: Value, key: Key) -> Value {
        let slot = &self.ids[key as usize];
        if let Some(id) = slot.get() {
            return value.get_interned_obj_prop(id);
        }
        if !self.used[key as usize].replace(true) {
            return value.get_obj_prop(key.name());
        }
        let id = value.intern_utf8_str(key.name());
        slot.set(Some(id));
        value.get_interned_obj_prop(id)
    }
}

/// A value of the input, read through the run's interned keys.
#[derive(Clone, Copy)]
pub struct Node<'k> {
    value: Value,
    keys: &'k Keys,
}

impl<'k> Node<'k> {
    pub fn root(value: Value, keys: &'k Keys) -> Self {
        Self { value, keys }
    }

    /// The field `key`; a null node when absent.
    pub fn get(self, key: Key) -> Self {
        Self { value: self.keys.lookup(self.value, key), keys: self.keys }
    }

    /// The field `key` unless absent or null (or this node is not an object).
    pub fn field(self, key: Key) -> Option<Self> {
        let node = self.get(key);
        node.is_present().then_some(node)
    }

    pub fn bool(self) -> Option<bool> {
        self.value.as_bool()
    }

    pub fn string(self) -> Option<String> {
        self.value.as_string()
    }

    /// A non-negative whole number (quantities arrive as numbers).
    pub fn count(self) -> Option<u64> {
        let number = self.value.as_number()?;
        // Exact for any count a cart can hold; fractions and negatives are not counts.
        (number >= 0.0 && number <= 1e15 && number.fract() == 0.0).then_some(number as u64)
    }

    /// A `Decimal` scalar, which Shopify sends as a string.
    pub fn decimal(self) -> Option<Decimal> {
        Decimal::parse_rounded(&self.string()?).ok()
    }

    pub fn len(self) -> usize {
        self.value.array_len().unwrap_or(0)
    }

    /// Element `index` of an array, or the value of field `index` of an object.
    pub fn at(self, index: usize) -> Self {
        Self { value: self.value.get_at_index(index), keys: self.keys }
    }

    /// Whether this holds a value: not null, not absent, not out of bounds.
    pub fn is_present(self) -> bool {
        !self.value.is_null() && self.value.as_error().is_none()
    }

    /// The elements of an array (none if this is not one).
    pub fn items(self) -> impl Iterator<Item = Self> {
        (0..self.len()).map(move |index| self.at(index))
    }
}

/// Writes the output. Keys are written as plain strings: the provider copies a written key
/// into its output either way, so interning them saves nothing (measured).
pub struct Writer<'c> {
    context: &'c mut Context,
}

/// Result of a write; errors only arise from writing a malformed shape, which is a bug.
pub type Written = Result<(), shopify_function::wasm_api::write::Error>;

impl<'c> Writer<'c> {
    pub fn new(context: &'c mut Context) -> Self {
        Self { context }
    }

    /// Writes a key, or an enum value.
    pub fn key(&mut self, key: Key) -> Written {
        self.context.write_utf8_str(key.name())
    }

    pub fn str(&mut self, text: &str) -> Written {
        self.context.write_utf8_str(text)
    }

    pub fn bool(&mut self, value: bool) -> Written {
        self.context.write_bool(value)
    }

    pub fn decimal(&mut self, value: Decimal) -> Written {
        let mut text = String::with_capacity(24);
        value.push_to(&mut text, false);
        self.context.write_utf8_str(&text)
    }

    /// An object of `len` fields written by `fields`.
    pub fn object(&mut self, len: usize, fields: impl FnOnce(&mut Writer<'_>) -> Written) -> Written {
        self.context.write_object(|context| fields(&mut Writer { context }), len)
    }

    /// An array of `len` items written by `items`.
    pub fn array(&mut self, len: usize, items: impl FnOnce(&mut Writer<'_>) -> Written) -> Written {
        self.context.write_array(|context| items(&mut Writer { context }), len)
    }

    /// `{key: <value>}`, the shape of every `@oneOf` input.
    pub fn one_of(&mut self, key: Key, value: impl FnOnce(&mut Writer<'_>) -> Written) -> Written {
        self.object(1, |writer| {
            writer.key(key)?;
            value(writer)
        })
    }
}

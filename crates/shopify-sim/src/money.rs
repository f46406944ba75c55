//! Money as the GraphQL APIs write it: a `MoneyV2` of a decimal string and a currency code.

use apollo_compiler::resolvers::{FieldError, ObjectValue, ResolveInfo, ResolvedValue};

/// Minor units as a decimal string: 1250 is `12.50`.
pub(crate) fn amount(cents: u64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// A `MoneyV2`.
pub(crate) struct MoneyValue {
    pub amount: String,
    pub currency: String,
}

impl MoneyValue {
    pub(crate) fn of_cents(cents: u64, currency: &str) -> Self {
        Self { amount: amount(cents), currency: currency.to_owned() }
    }
}

impl ObjectValue for MoneyValue {
    fn type_name(&self) -> &str {
        "MoneyV2"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        match info.field_name() {
            "amount" => Ok(ResolvedValue::leaf(self.amount.as_str())),
            "currencyCode" => Ok(ResolvedValue::leaf(self.currency.as_str())),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

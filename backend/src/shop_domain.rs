//! The only shops Seglink ever contacts: `<handle>.myshopify.com`, exactly.
//!
//! A leaf module: storage, the Shopify clients and the features all speak of a shop by this type,
//! so a domain is checked once where it enters (a signed request, a token, a webhook header) and
//! never re-parsed or compared as text afterwards.

use std::fmt;

use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::{Database, Decode, Encode, Type};

/// A validated `*.myshopify.com` domain.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ShopDomain(String);

/// Why a shop domain was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a shop domain of the form <handle>.myshopify.com")]
pub struct InvalidShopDomain(pub String);

const SUFFIX: &str = ".myshopify.com";

impl ShopDomain {
    /// Accepts `handle.myshopify.com` with a lowercase handle of letters, digits and hyphens
    /// that starts with a letter or digit. Nothing is normalised: upper case, a trailing dot, a
    /// port, a path or user info are refused rather than repaired, so what was signed is what is
    /// contacted.
    pub fn parse(text: &str) -> Result<Self, InvalidShopDomain> {
        let refuse = || InvalidShopDomain(text.chars().take(100).collect());
        let handle = text.strip_suffix(SUFFIX).ok_or_else(refuse)?;
        let valid_handle = (1..=63).contains(&handle.len())
            && handle.bytes().all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-')
            && handle.bytes().next().is_some_and(|first| first != b'-');
        if valid_handle { Ok(Self(text.to_owned())) } else { Err(refuse()) }
    }

    /// The domain.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part before `.myshopify.com`.
    pub fn handle(&self) -> &str {
        self.0.strip_suffix(SUFFIX).unwrap_or(&self.0)
    }
}

impl TryFrom<String> for ShopDomain {
    type Error = InvalidShopDomain;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse(&text)
    }
}

impl From<ShopDomain> for String {
    fn from(shop: ShopDomain) -> Self {
        shop.0
    }
}

// Stored as the text it is. Reading one back checks it again, so a row altered by hand cannot make
// Seglink contact a host outside myshopify.com.
impl<DB: Database> Type<DB> for ShopDomain
where
    String: Type<DB>,
{
    fn type_info() -> DB::TypeInfo {
        <String as Type<DB>>::type_info()
    }

    fn compatible(type_info: &DB::TypeInfo) -> bool {
        <String as Type<DB>>::compatible(type_info)
    }
}

impl<'q, DB: Database> Encode<'q, DB> for ShopDomain
where
    String: Encode<'q, DB>,
{
    fn encode_by_ref(&self, buffer: &mut DB::ArgumentBuffer<'q>) -> Result<IsNull, BoxDynError> {
        self.0.encode_by_ref(buffer)
    }
}

impl<'r, DB: Database> Decode<'r, DB> for ShopDomain
where
    String: Decode<'r, DB>,
{
    fn decode(value: DB::ValueRef<'r>) -> Result<Self, BoxDynError> {
        Ok(Self::parse(&String::decode(value)?)?)
    }
}

impl fmt::Display for ShopDomain {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_shop_domain_is_accepted() {
        let shop = ShopDomain::parse("seglink-demo-1.myshopify.com").unwrap();
        assert_eq!(shop.handle(), "seglink-demo-1");
        assert_eq!(shop.to_string(), "seglink-demo-1.myshopify.com");
    }

    #[test]
    fn anything_that_could_reach_another_host_is_refused() {
        for hostile in [
            "evil.com",
            "x.myshopify.com.evil.com",
            "x.myshopify.com@evil.com",
            "evil.com#x.myshopify.com",
            "evil.com/x.myshopify.com",
            "X.myshopify.com",
            "x.MyShopify.com",
            "x.myshopify.com.",
            "x.myshopify.com:443",
            "https://x.myshopify.com",
            "a.b.myshopify.com",
            "-x.myshopify.com",
            ".myshopify.com",
            "x_y.myshopify.com",
            "x .myshopify.com",
            "myshopify.com",
            "",
        ] {
            assert!(ShopDomain::parse(hostile).is_err(), "{hostile:?} must be refused");
        }
        assert!(ShopDomain::parse(&format!("{}.myshopify.com", "a".repeat(64))).is_err());
    }
}

//! What the storefront remembers of a visitor, in cookies scoped to the store's path, as a
//! theme keeps it: the cart, the signed-in customer, the consent choice, the open checkout and
//! the last order placed (only its buyer sees its thank-you page).

use axum::http::{HeaderMap, HeaderValue, header};

/// Most lines a cart holds, and most of one variant in a line.
pub const MAX_LINES: usize = 50;
pub const MAX_QUANTITY: u32 = 999;

const CART: &str = "sim_cart";
const CUSTOMER: &str = "sim_customer";
const CONSENT: &str = "sim_consent";
const CHECKOUT: &str = "sim_checkout";
const LAST_ORDER: &str = "sim_order";

/// The visitor, as the request's cookies say.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Visitor {
    /// Variant ids and quantities, in the order they were added.
    pub cart: Vec<(u64, u32)>,
    /// The customer signed in, if any.
    pub customer: Option<u64>,
    /// The analytics choice: `None` until the banner is answered.
    pub analytics: Option<bool>,
    /// The token of the checkout under way.
    pub checkout: Option<String>,
    /// The order this browser placed last.
    pub last_order: Option<u64>,
}

impl Visitor {
    /// Reads the cookies; what does not parse is as if absent.
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let cookies: Vec<(&str, &str)> = headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .collect();
        let get = |name: &str| cookies.iter().rev().find(|(key, _)| *key == name).map(|(_, value)| *value);
        Self {
            cart: get(CART).map(parse_cart).unwrap_or_default(),
            customer: get(CUSTOMER).and_then(|value| value.parse().ok()),
            analytics: match get(CONSENT) {
                Some("granted") => Some(true),
                Some("denied") => Some(false),
                _ => None,
            },
            checkout: get(CHECKOUT)
                .filter(|token| token.len() == 32 && token.bytes().all(|byte| byte.is_ascii_hexdigit()))
                .map(str::to_owned),
            last_order: get(LAST_ORDER).and_then(|value| value.parse().ok()),
        }
    }

    /// Adds `quantity` of `variant`, within the cart's limits.
    pub fn add(&mut self, variant: u64, quantity: u32) {
        let room = self.cart.len() < MAX_LINES;
        match self.cart.iter_mut().find(|(id, _)| *id == variant) {
            Some((_, held)) => *held = held.saturating_add(quantity).min(MAX_QUANTITY),
            None if room => self.cart.push((variant, quantity.min(MAX_QUANTITY))),
            None => {}
        }
    }

    /// Sets a line's quantity; 0 removes it.
    pub fn change(&mut self, variant: u64, quantity: u32) {
        if quantity == 0 {
            self.cart.retain(|(id, _)| *id != variant);
        } else if let Some((_, held)) = self.cart.iter_mut().find(|(id, _)| *id == variant) {
            *held = quantity.min(MAX_QUANTITY);
        }
    }
}

/// `41:2.42:1`; lines that do not parse are dropped.
fn parse_cart(text: &str) -> Vec<(u64, u32)> {
    let mut cart: Vec<(u64, u32)> = Vec::new();
    for line in text.split('.').take(MAX_LINES) {
        let Some((variant, quantity)) = line.split_once(':') else { continue };
        let (Ok(variant), Ok(quantity)) = (variant.parse::<u64>(), quantity.parse::<u32>()) else { continue };
        if quantity > 0 && !cart.iter().any(|(id, _)| *id == variant) {
            cart.push((variant, quantity.min(MAX_QUANTITY)));
        }
    }
    cart
}

/// `Set-Cookie` values for a store's storefront at `/storefront/<handle>`.
pub struct Cookies<'a> {
    handle: &'a str,
    values: Vec<HeaderValue>,
}

impl<'a> Cookies<'a> {
    pub fn new(handle: &'a str) -> Self {
        Self { handle, values: Vec::new() }
    }

    fn set(mut self, name: &str, value: &str) -> Self {
        let age = if value.is_empty() { "; Max-Age=0" } else { "" };
        let cookie = format!("{name}={value}; Path=/storefront/{}; SameSite=Lax; HttpOnly{age}", self.handle);
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            self.values.push(value);
        }
        self
    }

    pub fn cart(self, cart: &[(u64, u32)]) -> Self {
        let text: Vec<String> =
            cart.iter().map(|(variant, quantity)| format!("{variant}:{quantity}")).collect();
        self.set(CART, &text.join("."))
    }

    pub fn customer(self, customer: Option<u64>) -> Self {
        self.set(CUSTOMER, &customer.map(|id| id.to_string()).unwrap_or_default())
    }

    pub fn analytics(self, allowed: bool) -> Self {
        self.set(CONSENT, if allowed { "granted" } else { "denied" })
    }

    pub fn checkout(self, token: Option<&str>) -> Self {
        self.set(CHECKOUT, token.unwrap_or_default())
    }

    /// Forgets the visitor id the page's script keeps (`sim_client`, on every path).
    pub fn new_visitor(mut self) -> Self {
        self.values.push(HeaderValue::from_static("sim_client=; Path=/; SameSite=Lax; Max-Age=0"));
        self
    }

    pub fn last_order(self, order: u64) -> Self {
        self.set(LAST_ORDER, &order.to_string())
    }

    /// The headers to send.
    pub fn into_headers(self) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in self.values {
            headers.append(header::SET_COOKIE, value);
        }
        headers
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_cookie(cookie: &str) -> Visitor {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_str(cookie).unwrap());
        Visitor::from_headers(&headers)
    }

    #[test]
    fn cookies_written_are_read_back() {
        let headers = Cookies::new("demo")
            .cart(&[(41, 2), (42, 1)])
            .customer(Some(7))
            .analytics(true)
            .checkout(Some("0123456789abcdef0123456789abcdef"))
            .last_order(5)
            .into_headers();
        let sent: Vec<&str> = headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|value| value.to_str().unwrap().split(';').next().unwrap())
            .collect();
        let visitor = with_cookie(&sent.join("; "));
        assert_eq!(
            visitor,
            Visitor {
                cart: vec![(41, 2), (42, 1)],
                customer: Some(7),
                analytics: Some(true),
                checkout: Some("0123456789abcdef0123456789abcdef".to_owned()),
                last_order: Some(5),
            }
        );
    }

    #[test]
    fn what_does_not_parse_is_dropped_and_limits_hold() {
        let visitor =
            with_cookie("sim_cart=41:2.x:1.42:0.43:99999.41:3; sim_consent=maybe; sim_checkout=../../etc");
        assert_eq!(visitor.cart, vec![(41, 2), (43, MAX_QUANTITY)]);
        assert_eq!((visitor.analytics, visitor.checkout), (None, None));
        let mut visitor = Visitor::default();
        for variant in 0..60 {
            visitor.add(variant, 1);
        }
        visitor.add(0, u32::MAX);
        assert_eq!((visitor.cart.len(), visitor.cart[0].1), (MAX_LINES, MAX_QUANTITY));
        visitor.change(0, 0);
        assert_eq!(visitor.cart.len(), MAX_LINES - 1);
    }
}

//! Webhook deliveries: the signature over the raw body, then the headers Shopify always sends.
//! Rules: shopify-app-js `lib/webhooks/validate.ts` (docs/backend.md, "Webhooks and jobs"). Answers follow what Shopify's app review expects:
//! 401 for a bad signature, 400 for anything missing.

use super::ShopDomain;
use super::signature::base64_signs;

/// A delivery whose signature holds, with what its headers say.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookDelivery {
    /// Such as `orders/paid`.
    pub topic: String,
    /// The shop it is about.
    pub shop: ShopDomain,
    /// The API version of the payload.
    pub api_version: String,
    /// Unique per delivery attempt series.
    pub webhook_id: String,
    /// The same for every delivery of one event: the key to drop duplicates on. Falls back to
    /// the webhook id when Shopify leaves it out.
    pub event_id: String,
    /// When Shopify says the event happened, as sent.
    pub triggered_at: Option<String>,
}

impl WebhookDelivery {
    /// The headers as the inbox keeps them.
    pub fn headers(&self) -> crate::db::DeliveryHeaders<'_> {
        crate::db::DeliveryHeaders {
            shop: &self.shop,
            topic: &self.topic,
            event_id: &self.event_id,
            webhook_id: &self.webhook_id,
            api_version: &self.api_version,
            triggered_at: self.triggered_at.as_deref(),
        }
    }
}

/// Why a delivery was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    /// Empty body.
    #[error("the webhook has no body")]
    MissingBody,
    /// Larger than any delivery Shopify sends.
    #[error("the webhook's body is over 5 MB")]
    TooLarge,
    /// The body stopped arriving.
    #[error("the webhook's body stopped arriving")]
    BodyTimedOut,
    /// No `X-Shopify-Hmac-Sha256`.
    #[error("the webhook has no X-Shopify-Hmac-Sha256 header")]
    MissingSignature,
    /// The signature does not match under any current secret.
    #[error("the webhook's signature is wrong")]
    BadSignature,
    /// A required header is absent or not valid.
    #[error("the webhook's {0} header is missing or invalid")]
    BadHeader(&'static str),
}

impl WebhookError {
    /// The HTTP status to answer with.
    pub fn status(&self) -> u16 {
        match self {
            Self::BadSignature => 401,
            Self::TooLarge => 413,
            Self::BodyTimedOut => 408,
            _ => 400,
        }
    }
}

/// Checks a delivery: the signature first, over the bytes as received, against each of
/// `secrets` (current, then previous), then the headers. `header` looks a header up by its
/// lowercase name.
pub fn verify<'h>(
    header: impl Fn(&str) -> Option<&'h str>,
    body: &[u8],
    secrets: &[&str],
) -> Result<WebhookDelivery, WebhookError> {
    if body.is_empty() {
        return Err(WebhookError::MissingBody);
    }
    let signature = header("x-shopify-hmac-sha256").ok_or(WebhookError::MissingSignature)?;
    if !base64_signs(secrets, body, signature) {
        return Err(WebhookError::BadSignature);
    }
    let required = |name: &'static str, label: &'static str| {
        header(name)
            .filter(|value| !value.trim().is_empty())
            .map(str::to_owned)
            .ok_or(WebhookError::BadHeader(label))
    };
    let topic = required("x-shopify-topic", "X-Shopify-Topic")?;
    let shop = ShopDomain::parse(&required("x-shopify-shop-domain", "X-Shopify-Shop-Domain")?)
        .map_err(|_| WebhookError::BadHeader("X-Shopify-Shop-Domain"))?;
    let api_version = required("x-shopify-api-version", "X-Shopify-API-Version")?;
    let webhook_id = required("x-shopify-webhook-id", "X-Shopify-Webhook-Id")?;
    let event_id = header("x-shopify-event-id")
        .filter(|value| !value.is_empty())
        .map_or_else(|| webhook_id.clone(), str::to_owned);
    let triggered_at = header("x-shopify-triggered-at").map(str::to_owned);
    Ok(WebhookDelivery { topic, shop, api_version, webhook_id, event_id, triggered_at })
}

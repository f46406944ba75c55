//! The one error type handlers return, and the JSON it answers with. A failure of ours or of
//! Shopify's keeps its source chain; the response carries that chain to `log_failures`, the one
//! place it is logged, with the route that failed.

use std::error::Error as StdError;

use axum::Json;
use axum::extract::{MatchedPath, Request};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// What a 503 for unavailable storage asks the sender to wait, in seconds.
pub const STORAGE_RETRY_AFTER_SECS: u64 = 5;

/// Any error, kept as the source of ours.
pub type Source = Box<dyn StdError + Send + Sync>;

/// Everything a request can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request is wrong; the message says how.
    #[error("{0}")]
    BadRequest(String),
    /// A field of the request is wrong: where (a JSON pointer into the body) and how.
    #[error("{path}: {message}")]
    Invalid {
        /// Such as `/rules/all/1/op`.
        path: String,
        /// Such as `must be one of >=, <=, >, <`.
        message: String,
    },
    /// The request conflicts with what is stored (a slug taken, a segment a rule uses).
    #[error("{0}")]
    Conflict(String),
    /// Missing or invalid credentials; the message says which.
    #[error("{0}")]
    Unauthorized(String),
    /// The body is larger than the route reads.
    #[error("{0}")]
    TooLarge(String),
    /// The body stopped arriving.
    #[error("{0}")]
    TimedOut(String),
    /// A rate limit: try again after `retry_after_secs`.
    #[error("{message}")]
    TooManyRequests {
        /// Whose limit.
        message: String,
        /// Whole seconds, at least 1.
        retry_after_secs: u64,
    },
    /// The admin's session token is missing, invalid, or refused by Shopify's token exchange:
    /// 401 with the header that makes App Bridge fetch a fresh token and retry
    /// (docs/backend.md, session tokens).
    #[error("{0}")]
    InvalidSession(&'static str),
    /// Authenticated, but this store may not do this; the message says who may.
    #[error("{0}")]
    Forbidden(String),
    /// Over the plan's limit: 402 naming the limit, with Shopify's plan page to upgrade on
    /// (none for the storefront, whose shoppers cannot upgrade).
    #[error("{message}")]
    PlanLimit {
        /// Which limit, and why, in the merchant's words.
        message: String,
        /// The limit's name in `billing::Limits`, such as `segments`.
        limit: &'static str,
        /// Shopify's plan page for the store.
        upgrade_url: Option<String>,
    },
    /// Nothing there.
    #[error("not found")]
    NotFound,
    /// Well formed, but refused: the message says why (a token missing scopes, say).
    #[error("{0}")]
    Unprocessable(String),
    /// Shopify failed or could not be reached; the message says how.
    #[error("{message}")]
    Upstream {
        /// Sent to the caller.
        message: String,
        /// Logged.
        #[source]
        source: Option<Source>,
    },
    /// Storage is down, or locked past the request's deadline: 503 with `Retry-After`, so the
    /// sender (Shopify, a pixel) tries again; nothing it sent before is lost.
    #[error("{message}")]
    Unavailable {
        /// Sent to the caller.
        message: String,
        /// Logged.
        #[source]
        source: Option<Source>,
    },
    /// A failure of ours: what was being done, and why it failed; logged, not sent.
    #[error("{doing}")]
    Internal {
        /// Such as `storing a webhook`.
        doing: String,
        /// Logged with its own sources.
        #[source]
        source: Option<Source>,
    },
}

/// The failure a response stands for, kept in its extensions for `log_failures`.
#[derive(Clone)]
struct Failure {
    /// The error and each of its sources, outermost first.
    chain: String,
    /// Ours (an error) or Shopify's (a warning).
    ours: bool,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let Self::InvalidSession(reason) = &self {
            let mut response = (StatusCode::UNAUTHORIZED, Json(json!({ "error": reason }))).into_response();
            response
                .headers_mut()
                .insert("X-Shopify-Retry-Invalid-Session-Request", axum::http::HeaderValue::from_static("1"));
            return response;
        }
        if let Self::PlanLimit { message, limit, upgrade_url } = &self {
            let body = json!({ "error": message, "limit": limit, "upgrade_url": upgrade_url });
            return (StatusCode::PAYMENT_REQUIRED, Json(body)).into_response();
        }
        if let Self::Invalid { path, message } = &self {
            let body = json!({ "error": format!("{path}: {message}"), "path": path, "message": message });
            return (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response();
        }
        let (status, message) = match &self {
            Self::Invalid { message, .. } => (StatusCode::UNPROCESSABLE_ENTITY, message.clone()),
            Self::Conflict(message) => (StatusCode::CONFLICT, message.clone()),
            Self::BadRequest(message) => (StatusCode::BAD_REQUEST, message.clone()),
            Self::Unauthorized(message) => (StatusCode::UNAUTHORIZED, message.clone()),
            Self::TooLarge(message) => (StatusCode::PAYLOAD_TOO_LARGE, message.clone()),
            Self::TimedOut(message) => (StatusCode::REQUEST_TIMEOUT, message.clone()),
            Self::TooManyRequests { message, retry_after_secs } => {
                let mut response =
                    (StatusCode::TOO_MANY_REQUESTS, Json(json!({ "error": message }))).into_response();
                response.headers_mut().insert(axum::http::header::RETRY_AFTER, (*retry_after_secs).into());
                return response;
            }
            Self::InvalidSession(reason) => (StatusCode::UNAUTHORIZED, (*reason).to_owned()),
            Self::Forbidden(message) => (StatusCode::FORBIDDEN, message.clone()),
            Self::NotFound => (StatusCode::NOT_FOUND, "not found".to_owned()),
            Self::PlanLimit { message, .. } => (StatusCode::PAYMENT_REQUIRED, message.clone()),
            Self::Unprocessable(message) => (StatusCode::UNPROCESSABLE_ENTITY, message.clone()),
            Self::Upstream { message, .. } => (StatusCode::BAD_GATEWAY, message.clone()),
            Self::Unavailable { message, .. } => (StatusCode::SERVICE_UNAVAILABLE, message.clone()),
            Self::Internal { .. } => (StatusCode::INTERNAL_SERVER_ERROR, "internal error".to_owned()),
        };
        let mut response = (status, Json(json!({ "error": message }))).into_response();
        if let Self::Unavailable { .. } = &self {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, STORAGE_RETRY_AFTER_SECS.into());
        }
        if let Self::Upstream { .. } | Self::Internal { .. } | Self::Unavailable { .. } = &self {
            let ours = matches!(self, Self::Internal { .. });
            response.extensions_mut().insert(Failure { chain: self.chain(), ours });
        }
        response
    }
}

impl AppError {
    /// A bad field at `path`.
    pub fn invalid(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid { path: path.into(), message: message.into() }
    }

    /// A failure of ours while `doing` something, caused by `source`.
    pub fn internal(doing: impl Into<String>, source: impl Into<Source>) -> Self {
        Self::Internal { doing: doing.into(), source: Some(source.into()) }
    }

    /// Storage down or locked past the deadline, because of `source`.
    pub fn unavailable(source: impl Into<Source>) -> Self {
        Self::Unavailable {
            message: "storage is unavailable for the moment; retry shortly".to_owned(),
            source: Some(source.into()),
        }
    }

    /// Shopify's failure, told to the caller as `source` says it.
    pub fn upstream(source: impl Into<Source>) -> Self {
        let source = source.into();
        Self::Upstream { message: source.to_string(), source: Some(source) }
    }

    /// This error and its sources, outermost first: `storing a webhook: database: disk full`.
    fn chain(&self) -> String {
        let mut chain = self.to_string();
        let mut next = self.source();
        while let Some(source) = next {
            let text = source.to_string();
            // A wrapper that repeats its source's words adds nothing.
            if !chain.ends_with(&text) {
                chain.push_str(": ");
                chain.push_str(&text);
            }
            next = source.source();
        }
        chain
    }
}

/// Logs each failed request once, with the route and the failure's whole chain: errors of ours
/// as errors, Shopify's as warnings. Refusals of bad input are the caller's, and not logged.
pub async fn log_failures(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |path| path.as_str().to_owned());
    let response = next.run(request).await;
    if let Some(failure) = response.extensions().get::<Failure>() {
        let fields =
            [("method", method.as_str()), ("route", route.as_str()), ("error", failure.chain.as_str())];
        if failure.ours {
            crate::log::error("request failed", &fields);
        } else {
            crate::log::warn("Shopify failed a request", &fields);
        }
    }
    response
}

impl From<crate::shopify::webhook::WebhookError> for AppError {
    fn from(error: crate::shopify::webhook::WebhookError) -> Self {
        use crate::shopify::webhook::WebhookError;
        match error {
            WebhookError::BadSignature => Self::Unauthorized(error.to_string()),
            WebhookError::TooLarge => Self::TooLarge(error.to_string()),
            WebhookError::BodyTimedOut => Self::TimedOut(error.to_string()),
            WebhookError::MissingBody | WebhookError::MissingSignature | WebhookError::BadHeader(_) => {
                Self::BadRequest(error.to_string())
            }
        }
    }
}

impl From<crate::db::DbError> for AppError {
    fn from(error: crate::db::DbError) -> Self {
        match error {
            crate::db::DbError::NotFound => Self::NotFound,
            // Handlers that can say more (a taken slug) map it themselves first.
            crate::db::DbError::Conflict => {
                Self::Conflict("it changed meanwhile; reload and try again".to_owned())
            }
            other if other.is_unavailable() => Self::unavailable(other),
            other => Self::internal("storage", other),
        }
    }
}

impl From<crate::group_commit::NotCommitted> for AppError {
    fn from(error: crate::group_commit::NotCommitted) -> Self {
        match error {
            crate::group_commit::NotCommitted::Unavailable(_) => Self::unavailable(error),
            crate::group_commit::NotCommitted::Failed(_) => Self::internal("storing", error),
        }
    }
}

impl From<crate::shopify::admin::ShopifyError> for AppError {
    fn from(error: crate::shopify::admin::ShopifyError) -> Self {
        use crate::shopify::admin::ShopifyError;
        match error {
            ShopifyError::Db(error) => Self::internal("storage", error),
            ShopifyError::NotConnected(_) => Self::NotFound,
            other => Self::upstream(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::AppError;

    #[derive(Debug, thiserror::Error)]
    #[error("disk full")]
    struct Disk;

    #[derive(Debug, thiserror::Error)]
    #[error("database: {0}")]
    struct Database(#[source] Disk);

    #[test]
    fn a_failure_keeps_its_whole_chain_and_drops_repeated_words() {
        let error = AppError::internal("storing a webhook", Database(Disk));
        assert_eq!(error.chain(), "storing a webhook: database: disk full");
        assert_eq!(AppError::upstream(Disk).chain(), "disk full");
    }
}

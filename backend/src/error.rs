//! The one error type handlers return, and the JSON it answers with.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

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
    /// Nothing there.
    #[error("not found")]
    NotFound,
    /// Well formed, but refused: the message says why (a token missing scopes, say).
    #[error("{0}")]
    Unprocessable(String),
    /// Shopify failed or could not be reached; the message says how.
    #[error("{0}")]
    Upstream(String),
    /// A failure of ours; its details are logged, not sent.
    #[error("internal error: {0}")]
    Internal(String),
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
            Self::Unprocessable(message) => (StatusCode::UNPROCESSABLE_ENTITY, message.clone()),
            Self::Upstream(message) => (StatusCode::BAD_GATEWAY, message.clone()),
            Self::Internal(detail) => {
                crate::log::error("request failed", &[("error", detail)]);
                (StatusCode::INTERNAL_SERVER_ERROR, "internal error".to_owned())
            }
        };
        (status, Json(json!({ "error": message }))).into_response()
    }
}

impl AppError {
    /// A bad field at `path`.
    pub fn invalid(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid { path: path.into(), message: message.into() }
    }
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
        Self::Internal(error.to_string())
    }
}

impl From<crate::shopify::admin::ShopifyError> for AppError {
    fn from(error: crate::shopify::admin::ShopifyError) -> Self {
        use crate::shopify::admin::ShopifyError;
        match error {
            ShopifyError::Db(error) => Self::Internal(error.to_string()),
            ShopifyError::NotConnected(_) => Self::NotFound,
            other => Self::Upstream(other.to_string()),
        }
    }
}

//! The JSON body of an admin API request, refused as JSON (`{"error", "path"}`) when it does not
//! parse or fit, rather than axum's plain-text rejection.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

use crate::error::AppError;

/// The largest body the admin API reads.
const MAX_BYTES: usize = 256 * 1024;

/// A body of type `T`.
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = request
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.starts_with("application/json"));
        if !is_json {
            return Err(AppError::invalid("/", "the body must be JSON (Content-Type: application/json)"));
        }
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|error| AppError::invalid("/", format!("the body could not be read: {error}")))?;
        if bytes.len() > MAX_BYTES {
            return Err(AppError::invalid("/", format!("the body is larger than {MAX_BYTES} bytes")));
        }
        serde_json::from_slice(&bytes)
            .map(JsonBody)
            .map_err(|error| AppError::invalid("/", error.to_string()))
    }
}

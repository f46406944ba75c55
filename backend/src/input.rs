//! The extractors of the admin API's input: a JSON body, path parameters and a query string,
//! each refused in the app's own error shape (`{"error", "path"}`) rather than axum's plain text;
//! a wrong body field is named by its JSON pointer.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
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
        parse(&bytes).map(JsonBody)
    }
}

/// Path parameters of type `T`; a segment that is not one (an id that is not a number) is a 400.
pub struct Path<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for Path<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(value)| Self(value))
            .map_err(|rejection| AppError::BadRequest(rejection.body_text()))
    }
}

/// A query string of type `T`; a parameter that does not parse is a 422 at `/<name>`.
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let deserializer = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(deserializer)
            .map(Self)
            .map_err(|error| AppError::invalid(pointer(error.path()), error.into_inner().to_string()))
    }
}

/// `bytes` as a `T`, or the JSON pointer of the first field that is not one, such as
/// `/target/ids/0`, with serde's words for what is wrong there.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let mut reader = serde_json::Deserializer::from_slice(bytes);
    let parsed: T = serde_path_to_error::deserialize(&mut reader).map_err(|error| {
        let path = pointer(error.path());
        AppError::invalid(path, without_position(&error.into_inner()))
    })?;
    reader.end().map_err(|error| AppError::invalid("/", error.to_string()))?;
    Ok(parsed)
}

/// serde_json's words without " at line 1 column 86": the path says where, in terms of fields.
fn without_position(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.rfind(" at line ") {
        Some(at) if error.line() > 0 => text[..at].to_owned(),
        _ => text,
    }
}

/// serde_path_to_error's path as a JSON pointer (RFC 6901): `rules.all[1].op` is `/rules/all/1/op`.
fn pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut pointer = String::new();
    for segment in path {
        pointer.push('/');
        match segment {
            Segment::Seq { index } => pointer.push_str(&index.to_string()),
            Segment::Map { key } | Segment::Enum { variant: key } => {
                pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
            }
            Segment::Unknown => pointer.push('?'),
        }
    }
    if pointer.is_empty() { "/".to_owned() } else { pointer }
}

#[cfg(test)]
mod tests {
    use super::parse;
    use crate::error::AppError;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "serde reads the fields; the tests only check what it refuses")]
    struct Input {
        items: Vec<Item>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "serde reads the fields; the tests only check what it refuses")]
    struct Item {
        count: u32,
    }

    fn path_of(body: &str) -> String {
        match parse::<Input>(body.as_bytes()) {
            Err(AppError::Invalid { path, .. }) => path,
            other => panic!("expected a field error, got {other:?}"),
        }
    }

    #[test]
    fn errors_name_the_field_as_a_json_pointer() {
        assert_eq!(path_of(r#"{"items": [{"count": 1}, {"count": -1}]}"#), "/items/1/count");
        assert_eq!(path_of(r#"{"items": [{"count": 1, "extra": 2}]}"#), "/items/0/extra");
        assert_eq!(path_of(r#"{"items": 3}"#), "/items");
        assert_eq!(path_of("{} trailing"), "/");
        assert!(parse::<Input>(br#"{"items": []}"#).is_ok());
        match parse::<Input>(br#"{"items": [{"count": "x"}]}"#) {
            Err(AppError::Invalid { message, .. }) => {
                assert_eq!(message, r#"invalid type: string "x", expected u32"#);
            }
            other => panic!("expected a field error, got {other:?}"),
        }
    }
}

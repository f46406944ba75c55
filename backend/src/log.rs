//! Structured logs: one JSON object per line on stderr, which any log shipper reads without a
//! parser of its own. Messages are fixed text; what varies goes in fields.

use serde_json::{Map, Value};

use crate::clock::unix_now;

fn emit(level: &str, message: &str, fields: &[(&str, &str)]) {
    let mut line = Map::new();
    line.insert("ts".to_owned(), unix_now().secs().into());
    line.insert("level".to_owned(), level.into());
    line.insert("msg".to_owned(), message.into());
    for (name, value) in fields {
        line.insert((*name).to_owned(), Value::from(*value));
    }
    eprintln!("{}", Value::Object(line));
}

/// Something worth knowing happened.
pub fn info(message: &str, fields: &[(&str, &str)]) {
    emit("info", message, fields);
}

/// Something failed and will be retried.
pub fn warn(message: &str, fields: &[(&str, &str)]) {
    emit("warn", message, fields);
}

/// Something failed for good.
pub fn error(message: &str, fields: &[(&str, &str)]) {
    emit("error", message, fields);
}

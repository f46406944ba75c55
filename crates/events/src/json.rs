//! A small JSON reader and writer: enough for pixel events, and far smaller in Wasm than a
//! general serialiser. Numbers keep their text, so money is never rounded through a float.

use alloc::string::String;
use alloc::vec::Vec;

/// A parsed JSON value borrowing from its source where it can.
#[derive(Clone, Debug, PartialEq)]
pub enum Json<'a> {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as written.
    Number(&'a str),
    /// A string, unescaped.
    String(String),
    /// An array.
    Array(Vec<Json<'a>>),
    /// An object, keys in source order.
    Object(Vec<(String, Json<'a>)>),
}

/// Why a text is not JSON, with the byte offset where reading stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    /// Byte offset into the text.
    pub offset: usize,
}

/// Nesting beyond this is refused rather than risking the stack.
const MAX_DEPTH: usize = 64;

impl<'a> Json<'a> {
    /// Parses a whole text.
    pub fn parse(text: &'a str) -> Result<Self, SyntaxError> {
        let mut reader = Reader { text, bytes: text.as_bytes(), at: 0 };
        let value = reader.value(0)?;
        reader.skip_space();
        if reader.at != reader.bytes.len() {
            return Err(reader.error());
        }
        Ok(value)
    }

    /// The member `key` of an object.
    pub fn get(&self, key: &str) -> Option<&Json<'a>> {
        match self {
            Self::Object(members) => members.iter().find(|(name, _)| name == key).map(|(_, value)| value),
            _ => None,
        }
    }

    /// The value at a path of object keys.
    pub fn at(&self, path: &[&str]) -> Option<&Json<'a>> {
        path.iter().try_fold(self, |value, key| value.get(key))
    }

    /// A string's text.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::String(text) => Some(text),
            _ => None,
        }
    }

    /// An array's items.
    pub fn as_array(&self) -> Option<&[Json<'a>]> {
        match self {
            Self::Array(items) => Some(items),
            _ => None,
        }
    }
}

struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn error(&self) -> SyntaxError {
        SyntaxError { offset: self.at }
    }

    fn skip_space(&mut self) {
        while self.bytes.get(self.at).is_some_and(|byte| matches!(byte, b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn rest(&self) -> &'a str {
        self.text.get(self.at..).unwrap_or_default()
    }

    fn expect(&mut self, literal: &str) -> Result<(), SyntaxError> {
        if self.rest().starts_with(literal) {
            self.at += literal.len();
            Ok(())
        } else {
            Err(self.error())
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json<'a>, SyntaxError> {
        if depth > MAX_DEPTH {
            return Err(self.error());
        }
        self.skip_space();
        match self.bytes.get(self.at) {
            Some(b'n') => self.expect("null").map(|()| Json::Null),
            Some(b't') => self.expect("true").map(|()| Json::Bool(true)),
            Some(b'f') => self.expect("false").map(|()| Json::Bool(false)),
            Some(b'"') => self.string().map(Json::String),
            Some(b'[') => {
                self.at += 1;
                let mut items = Vec::new();
                self.skip_space();
                if self.bytes.get(self.at) == Some(&b']') {
                    self.at += 1;
                    return Ok(Json::Array(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    self.skip_space();
                    match self.bytes.get(self.at) {
                        Some(b',') => self.at += 1,
                        Some(b']') => {
                            self.at += 1;
                            return Ok(Json::Array(items));
                        }
                        _ => return Err(self.error()),
                    }
                }
            }
            Some(b'{') => {
                self.at += 1;
                let mut members = Vec::new();
                self.skip_space();
                if self.bytes.get(self.at) == Some(&b'}') {
                    self.at += 1;
                    return Ok(Json::Object(members));
                }
                loop {
                    self.skip_space();
                    if self.bytes.get(self.at) != Some(&b'"') {
                        return Err(self.error());
                    }
                    let key = self.string()?;
                    self.skip_space();
                    self.expect(":")?;
                    members.push((key, self.value(depth + 1)?));
                    self.skip_space();
                    match self.bytes.get(self.at) {
                        Some(b',') => self.at += 1,
                        Some(b'}') => {
                            self.at += 1;
                            return Ok(Json::Object(members));
                        }
                        _ => return Err(self.error()),
                    }
                }
            }
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(self.error()),
        }
    }

    fn number(&mut self) -> Result<Json<'a>, SyntaxError> {
        let start = self.at;
        let digits = |reader: &mut Self| {
            let from = reader.at;
            while reader.bytes.get(reader.at).is_some_and(u8::is_ascii_digit) {
                reader.at += 1;
            }
            reader.at > from
        };
        if self.bytes.get(self.at) == Some(&b'-') {
            self.at += 1;
        }
        let leading_zero = self.bytes.get(self.at) == Some(&b'0');
        let sign = usize::from(self.bytes.get(start) == Some(&b'-'));
        if !digits(self) || (leading_zero && self.at - start > 1 + sign) {
            return Err(self.error());
        }
        if self.bytes.get(self.at) == Some(&b'.') {
            self.at += 1;
            if !digits(self) {
                return Err(self.error());
            }
        }
        if self.bytes.get(self.at).is_some_and(|byte| matches!(byte, b'e' | b'E')) {
            self.at += 1;
            if self.bytes.get(self.at).is_some_and(|byte| matches!(byte, b'+' | b'-')) {
                self.at += 1;
            }
            if !digits(self) {
                return Err(self.error());
            }
        }
        self.text.get(start..self.at).map(Json::Number).ok_or_else(|| self.error())
    }

    fn string(&mut self) -> Result<String, SyntaxError> {
        self.at += 1;
        let mut out = String::new();
        loop {
            let start = self.at;
            while self.bytes.get(self.at).is_some_and(|byte| !matches!(byte, b'"' | b'\\') && *byte >= 0x20) {
                self.at += 1;
            }
            out.push_str(self.text.get(start..self.at).unwrap_or_default());
            match self.bytes.get(self.at) {
                Some(b'"') => {
                    self.at += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.at += 1;
                    let escaped = *self.bytes.get(self.at).ok_or_else(|| self.error())?;
                    self.at += 1;
                    match escaped {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => out.push(self.unicode_escape()?),
                        _ => return Err(self.error()),
                    }
                }
                _ => return Err(self.error()),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, SyntaxError> {
        let digits = self.text.get(self.at..self.at + 4).ok_or_else(|| self.error())?;
        let value = u32::from_str_radix(digits, 16).map_err(|_| self.error())?;
        if !digits.bytes().all(|byte| byte.is_ascii_hexdigit()) {
            return Err(self.error());
        }
        self.at += 4;
        Ok(value)
    }

    fn unicode_escape(&mut self) -> Result<char, SyntaxError> {
        let high = self.hex4()?;
        if (0xD800..0xDC00).contains(&high) {
            // A surrogate pair; a lone half becomes U+FFFD, as browsers decode it.
            if self.rest().starts_with("\\u") {
                self.at += 2;
                let low = self.hex4()?;
                if (0xDC00..0xE000).contains(&low) {
                    return Ok(char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
                        .unwrap_or('\u{FFFD}'));
                }
            }
            return Ok('\u{FFFD}');
        }
        Ok(char::from_u32(high).unwrap_or('\u{FFFD}'))
    }
}

/// Appends `text` to `out` as a JSON string literal.
pub fn write_string(out: &mut String, text: &str) {
    out.push('"');
    for character in text.chars() {
        match character {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            control if u32::from(control) < 0x20 => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                let code = u32::from(control) as usize;
                out.push_str("\\u00");
                out.push(char::from(HEX[code >> 4]));
                out.push(char::from(HEX[code & 0xF]));
            }
            other => out.push(other),
        }
    }
    out.push('"');
}

/// Appends `number` in decimal; `core::fmt` would cost the Wasm build kilobytes.
pub fn write_uint(out: &mut String, number: u64) {
    let mut divisor = 1;
    while number / divisor >= 10 {
        divisor *= 10;
    }
    loop {
        out.push(char::from(b'0' + (number / divisor % 10) as u8));
        if divisor == 1 {
            return;
        }
        divisor /= 10;
    }
}

#[cfg(test)]
mod tests {
    use std::string::ToString;
    use std::{assert, assert_eq};

    use super::*;

    #[test]
    fn values_nest_and_keep_number_text() {
        let value = Json::parse(r#" {"a": [1, -2.50, 3e2, true, null], "b": {"c": "d"}} "#).unwrap();
        assert_eq!(value.at(&["b", "c"]).and_then(Json::as_str), Some("d"));
        assert_eq!(
            value.get("a").and_then(Json::as_array).unwrap(),
            [Json::Number("1"), Json::Number("-2.50"), Json::Number("3e2"), Json::Bool(true), Json::Null]
        );
    }

    #[test]
    fn escapes_decode_including_surrogate_pairs() {
        let value = Json::parse(r#""a\"b\\c\/\n\u00e9\ud83d\ude00\ud800x""#).unwrap();
        assert_eq!(value.as_str(), Some("a\"b\\c/\né😀\u{FFFD}x"));
    }

    #[test]
    fn malformed_text_is_refused_with_an_offset() {
        for bad in
            ["", "{", "[1,]", "{\"a\" 1}", "01", "1.", "-", "\"\u{1}\"", "tru", "[1] x", "\"\\x\"", "{1:2}"]
        {
            assert!(Json::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(Json::parse("[1, x]"), Err(SyntaxError { offset: 4 }));
        let deep = "[".repeat(200) + &"]".repeat(200);
        assert!(Json::parse(&deep).is_err(), "too deep");
    }

    #[test]
    fn strings_are_written_back_escaped() {
        let mut out = String::new();
        write_string(&mut out, "a\"b\\\n\u{1}é");
        assert_eq!(out, r#""a\"b\\\n\u0001é""#);
        assert_eq!(Json::parse(&out).unwrap().as_str(), Some("a\"b\\\n\u{1}é"));
        let mut number = String::new();
        for value in [0, 7, 10, 12_345, u64::MAX] {
            number.clear();
            write_uint(&mut number, value);
            assert_eq!(number, value.to_string());
        }
    }
}

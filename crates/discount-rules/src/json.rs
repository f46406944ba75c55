//! The little JSON the metafield needs, without serde: the Function reads one string field of
//! an object and skips the rest, and the encoder writes strings.

use std::borrow::Cow;

/// Why the metafield text is not the JSON object we expect.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum JsonError {
    /// The text ended inside a value.
    #[error("JSON ends early")]
    Truncated,
    /// A byte that cannot stand where it does.
    #[error("unexpected byte in JSON at offset {0}")]
    Unexpected(usize),
    /// A string escape that is not valid JSON.
    #[error("bad escape in JSON string at offset {0}")]
    BadEscape(usize),
    /// Arrays or objects nested deeper than any metafield of ours.
    #[error("JSON nested too deeply")]
    TooDeep,
}

/// Nesting deeper than this is not something we wrote.
const MAX_DEPTH: usize = 32;

/// A cursor over JSON text.
pub(crate) struct Reader<'a> {
    text: &'a str,
    position: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `text`.
    pub(crate) fn new(text: &'a str) -> Self {
        Self { text, position: 0 }
    }

    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    fn peek(&self) -> Result<u8, JsonError> {
        self.bytes().get(self.position).copied().ok_or(JsonError::Truncated)
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.bytes().get(self.position) {
            self.position += 1;
        }
    }

    fn expect(&mut self, byte: u8) -> Result<(), JsonError> {
        self.skip_whitespace();
        if self.peek()? == byte {
            self.position += 1;
            Ok(())
        } else {
            Err(JsonError::Unexpected(self.position))
        }
    }

    /// The value of the string field `key` of the top-level object, `None` if it has none.
    pub(crate) fn object_field<T>(
        mut self,
        key: &str,
        read: impl FnOnce(&mut Self) -> Result<T, JsonError>,
    ) -> Result<Option<T>, JsonError> {
        self.expect(b'{')?;
        self.skip_whitespace();
        if self.peek()? == b'}' {
            return Ok(None);
        }
        loop {
            self.skip_whitespace();
            let name = self.string()?;
            self.expect(b':')?;
            if name == key {
                self.skip_whitespace();
                return read(&mut self).map(Some);
            }
            self.skip_value()?;
            self.skip_whitespace();
            match self.peek()? {
                b',' => self.position += 1,
                b'}' => return Ok(None),
                _ => return Err(JsonError::Unexpected(self.position)),
            }
        }
    }

    /// Reads a string; borrowed when it holds no escapes.
    pub(crate) fn string(&mut self) -> Result<Cow<'a, str>, JsonError> {
        self.skip_whitespace();
        if self.peek()? != b'"' {
            return Err(JsonError::Unexpected(self.position));
        }
        self.position += 1;
        let start = self.position;
        self.position = start + plain_run(self.bytes().get(start..).unwrap_or_default());
        match self.peek()? {
            b'"' => {
                self.position += 1;
                let text = self.text.get(start..self.position - 1).ok_or(JsonError::Unexpected(start))?;
                Ok(Cow::Borrowed(text))
            }
            b'\\' => self.escaped_string(start).map(Cow::Owned),
            _ => Err(JsonError::Unexpected(self.position)),
        }
    }

    fn escaped_string(&mut self, start: usize) -> Result<String, JsonError> {
        let mut out = String::from(self.text.get(start..self.position).ok_or(JsonError::Unexpected(start))?);
        loop {
            let byte = self.peek()?;
            match byte {
                b'"' => {
                    self.position += 1;
                    return Ok(out);
                }
                b'\\' => {
                    self.position += 1;
                    let escape = self.peek()?;
                    self.position += 1;
                    out.push(match escape {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.unicode_escape()?,
                        _ => return Err(JsonError::BadEscape(self.position - 1)),
                    });
                }
                0..=0x1f => return Err(JsonError::Unexpected(self.position)),
                _ => {
                    // Copy the whole run up to the next quote or escape at once; it is valid
                    // UTF-8 because it is a slice of a str between ASCII bytes.
                    let run_start = self.position;
                    self.position += plain_run(self.bytes().get(run_start..).unwrap_or_default());
                    out.push_str(
                        self.text.get(run_start..self.position).ok_or(JsonError::Unexpected(run_start))?,
                    );
                }
            }
        }
    }

    fn unicode_escape(&mut self) -> Result<char, JsonError> {
        let first = self.hex4()?;
        let code = if (0xD800..0xDC00).contains(&first) {
            // A high surrogate must be followed by an escaped low surrogate.
            if self.bytes().get(self.position..self.position + 2) != Some(b"\\u") {
                return Err(JsonError::BadEscape(self.position));
            }
            self.position += 2;
            let second = self.hex4()?;
            if !(0xDC00..0xE000).contains(&second) {
                return Err(JsonError::BadEscape(self.position));
            }
            0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
        } else {
            first
        };
        char::from_u32(code).ok_or(JsonError::BadEscape(self.position))
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let digits = self.bytes().get(self.position..self.position + 4).ok_or(JsonError::Truncated)?;
        let mut value = 0;
        for &digit in digits {
            let nibble = (digit as char).to_digit(16).ok_or(JsonError::BadEscape(self.position))?;
            value = value * 16 + nibble;
        }
        self.position += 4;
        Ok(value)
    }

    /// Reads an array of strings.
    pub(crate) fn string_array(&mut self) -> Result<Vec<String>, JsonError> {
        self.expect(b'[')?;
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.peek()? == b']' {
            self.position += 1;
            return Ok(items);
        }
        loop {
            items.push(self.string()?.into_owned());
            self.skip_whitespace();
            match self.peek()? {
                b',' => self.position += 1,
                b']' => {
                    self.position += 1;
                    return Ok(items);
                }
                _ => return Err(JsonError::Unexpected(self.position)),
            }
        }
    }

    /// Steps over one value of any kind, checking only what is needed to find its end.
    fn skip_value(&mut self) -> Result<(), JsonError> {
        self.skip_whitespace();
        let mut depth = 0usize;
        loop {
            match self.peek()? {
                b'"' => {
                    self.string()?;
                }
                b'[' | b'{' => {
                    depth += 1;
                    if depth > MAX_DEPTH {
                        return Err(JsonError::TooDeep);
                    }
                    self.position += 1;
                }
                b']' | b'}' => {
                    depth = depth.checked_sub(1).ok_or(JsonError::Unexpected(self.position))?;
                    self.position += 1;
                }
                b',' | b':' | b' ' | b'\n' | b'\r' | b'\t' if depth > 0 => self.position += 1,
                b'-' | b'+' | b'.' | b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z' => self.position += 1,
                _ => return Err(JsonError::Unexpected(self.position)),
            }
            if depth == 0 {
                // A scalar ends at the first byte that cannot continue it.
                if let Some(b'-' | b'+' | b'.' | b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z') =
                    self.bytes().get(self.position)
                {
                    continue;
                }
                return Ok(());
            }
        }
    }
}

/// How many leading bytes of `bytes` may stand in a JSON string as they are: up to the first
/// quote, backslash or control byte. Eight bytes at a time, since the config string is read on
/// every tagged checkout and instructions are what Shopify meters.
fn plain_run(bytes: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let has_zero = |word: u64| word.wrapping_sub(ONES) & !word & HIGHS;
    let mut position = 0;
    for chunk in bytes.chunks_exact(8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let word = u64::from_le_bytes(word);
        // A byte below 0x20 is one whose top three bits are all clear.
        let special = has_zero(word ^ (u64::from(b'"') * ONES))
            | has_zero(word ^ (u64::from(b'\\') * ONES))
            | has_zero(word & (0xE0 * ONES));
        if special != 0 {
            break;
        }
        position += 8;
    }
    let tail = bytes.get(position..).unwrap_or_default();
    position
        + tail.iter().position(|&byte| byte == b'"' || byte == b'\\' || byte < 0x20).unwrap_or(tail.len())
}

/// Strings are written as the pixel's normaliser writes them: one encoder for the project.
pub(crate) use events::json::write_string;

#[cfg(test)]
mod tests {
    use super::*;

    fn field(text: &str, key: &str) -> Result<Option<String>, JsonError> {
        Reader::new(text).object_field(key, |reader| reader.string().map(Cow::into_owned))
    }

    #[test]
    fn finds_a_string_field_after_other_values_of_every_kind() {
        let text = r#" { "a": [1, -2.5e3, {"x": "]}"}, [], null], "b": true, "c" : "found" } "#;
        assert_eq!(field(text, "c").unwrap().as_deref(), Some("found"));
        assert_eq!(field(text, "missing").unwrap(), None);
        assert_eq!(field("{}", "c").unwrap(), None);
    }

    #[test]
    fn unescapes_what_shopify_or_serde_may_write() {
        let text = r#"{"c":"a\"b\\c\/d\n\u00e9\ud83d\ude00 é"}"#;
        assert_eq!(field(text, "c").unwrap().as_deref(), Some("a\"b\\c/d\né😀 é"));
    }

    #[test]
    fn rejects_broken_text_without_panicking() {
        for text in [
            "",
            "{",
            r#"{"c""#,
            r#"{"c":"#,
            r#"{"c":"abc"#,
            r#"{"c":"\x"}"#,
            r#"{"c":"\ud800"}"#,
            r#"{"c":"\u12"}"#,
            "[]",
            r#"{"a":]}"#,
            r#"{"a":1 "c":"x"}"#,
            "{\"c\":\"a\u{1}\"}",
        ] {
            assert!(field(text, "c").is_err(), "{text:?}");
        }
        let deep = format!(r#"{{"a":{}{}, "c":"x"}}"#, "[".repeat(40), "]".repeat(40));
        assert_eq!(field(&deep, "c"), Err(JsonError::TooDeep));
    }

    #[test]
    fn written_strings_read_back() {
        let original = "quote \" slash \\ tab \t bell \u{7} é";
        let mut out = String::from("{\"c\":");
        write_string(&mut out, original);
        out.push('}');
        assert_eq!(field(&out, "c").unwrap().as_deref(), Some(original));
        assert_eq!(serde_json::from_str::<serde_json::Value>(&out).unwrap()["c"], original);
    }

    #[test]
    fn plain_runs_stop_at_the_first_special_byte_in_any_lane() {
        for special in [b'"', b'\\', b'\n', 0x00, 0x1f] {
            for at in 0..20 {
                let mut bytes = vec![b'a'; 20];
                bytes[at] = special;
                assert_eq!(plain_run(&bytes), at, "{special:#x} at {at}");
            }
        }
        let unicode = "é€😀 plain text of no special bytes";
        assert_eq!(plain_run(unicode.as_bytes()), unicode.len());
        assert_eq!(plain_run(&[0x20, 0x7f, 0xff, 0xe0, 0x80, b'a', b'b', b'c', b'd']), 9);
    }

    #[test]
    fn reads_string_arrays() {
        let mut reader = Reader::new(r#"[ "a" , "b\n" ]"#);
        assert_eq!(reader.string_array().unwrap(), ["a", "b\n"]);
        assert!(Reader::new("[\"a\",]").string_array().is_err());
        assert_eq!(Reader::new("[]").string_array().unwrap(), Vec::<String>::new());
    }
}

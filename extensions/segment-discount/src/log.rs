//! One-line log messages, built without `core::fmt`: its padding and integer formatting would
//! add kilobytes to the module for lines that are rarely written. Shopify keeps 1 kB of a
//! run's log.

use discount_rules::DecodeError;
use shopify_function::wasm_api::Context;

/// Logs the parts as one line.
pub fn log(parts: &[&str]) {
    let mut line = String::with_capacity(parts.iter().map(|part| part.len()).sum::<usize>() + 1);
    for part in parts {
        line.push_str(part);
    }
    line.push('\n');
    #[cfg(test)]
    LINES.with_borrow_mut(|lines| lines.push(line.clone()));
    Context.log(&line);
}

#[cfg(test)]
thread_local! {
    static LINES: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The lines logged on this thread since the last call (tests only: each test has a thread).
#[cfg(test)]
pub fn take_lines() -> Vec<String> {
    LINES.with_borrow_mut(std::mem::take)
}

/// A whole number as text.
pub fn number(mut value: usize) -> String {
    let mut digits = Vec::new();
    loop {
        digits.push(b'0' + (value % 10) as u8);
        value /= 10;
        if value == 0 {
            break;
        }
    }
    digits.iter().rev().map(|&digit| char::from(digit)).collect()
}

/// Logs why the config cannot be used.
pub fn config_error(error: &DecodeError) {
    match error.rule() {
        Some(rule) => log(&["seglink: ", error.summary(), " (rule ", &number(rule), ")"]),
        None => log(&["seglink: ", error.summary()]),
    }
}

#[cfg(test)]
mod tests {
    use super::number;

    #[test]
    fn numbers_print_in_decimal() {
        assert_eq!(number(0), "0");
        assert_eq!(number(7), "7");
        assert_eq!(number(10_000), "10000");
        assert_eq!(number(usize::MAX), usize::MAX.to_string());
    }
}

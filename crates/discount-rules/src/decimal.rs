//! Non-negative fixed-point decimals: money, percentages and exchange rates without floats.

use std::fmt;

/// Fraction digits kept; enough for every ISO currency and for Shopify's exchange rates.
const SCALE_DIGITS: u32 = 6;
const SCALE: u64 = 10u64.pow(SCALE_DIGITS);

/// A non-negative decimal number with six fraction digits, stored as millionths.
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Decimal(u64);

/// Why a string is not a [`Decimal`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DecimalError {
    /// Empty, signed, or holding something other than digits and one dot.
    #[error("is not a plain decimal number")]
    Syntax,
    /// More than the 6 fraction digits a decimal keeps.
    #[error("has more than 6 digits after the decimal point")]
    TooPrecise,
    /// Larger than a decimal holds.
    #[error("is too large")]
    TooLarge,
}

impl Decimal {
    /// Zero.
    pub const ZERO: Self = Self(0);
    /// One hundred, the whole of a percentage.
    pub const HUNDRED: Self = Self(100 * SCALE);

    /// The decimal `units / 10^fraction_digits`, e.g. `from_parts(1250, 2)` is 12.5.
    pub const fn from_parts(units: u64, fraction_digits: u32) -> Self {
        Self(units * 10u64.pow(SCALE_DIGITS - fraction_digits))
    }

    /// Parses `12`, `12.5` or `.5`; signs, exponents and over 6 fraction digits are refused.
    pub fn parse(text: &str) -> Result<Self, DecimalError> {
        let (whole, fraction) = split_at_dot(text);
        if whole.is_empty() && fraction.is_empty() {
            return Err(DecimalError::Syntax);
        }
        if fraction.len() > SCALE_DIGITS as usize {
            return Err(DecimalError::TooPrecise);
        }
        let whole = digits(whole)?;
        let fraction = digits(fraction)? * 10u64.pow(SCALE_DIGITS - fraction.len() as u32);
        whole
            .checked_mul(SCALE)
            .and_then(|scaled| scaled.checked_add(fraction))
            .map(Self)
            .ok_or(DecimalError::TooLarge)
    }

    /// Parses a decimal from Shopify, rounding half up beyond 6 fraction digits (exchange rates
    /// may carry more).
    pub fn parse_rounded(text: &str) -> Result<Self, DecimalError> {
        let (whole, fraction) = split_at_dot(text);
        if fraction.len() <= SCALE_DIGITS as usize {
            return Self::parse(text);
        }
        let split = SCALE_DIGITS as usize;
        let (Some(kept), Some(dropped)) = (fraction.get(..split), fraction.get(split..)) else {
            return Err(DecimalError::Syntax);
        };
        digits(dropped)?;
        let truncated = Self::parse(text.get(..whole.len() + 1 + kept.len()).ok_or(DecimalError::Syntax)?)?;
        if dropped.as_bytes()[0] >= b'5' {
            truncated.0.checked_add(1).map(Self).ok_or(DecimalError::TooLarge)
        } else {
            Ok(truncated)
        }
    }

    /// How many fraction digits the value needs (0 for whole numbers).
    pub fn fraction_digits(self) -> u32 {
        let mut fraction = self.0 % SCALE;
        if fraction == 0 {
            return 0;
        }
        let mut digits = SCALE_DIGITS;
        while fraction.is_multiple_of(10) {
            fraction /= 10;
            digits -= 1;
        }
        digits
    }

    /// `self` percent of `amount`.
    #[must_use]
    pub fn percent_of(self, amount: Self) -> Self {
        Self(scale_down(self.0, amount.0, Self::HUNDRED.0))
    }
    /// `self + other`, saturating.
    #[must_use]
    pub fn saturating_add(self, other: Self) -> Self {
        Self(self.0.saturating_add(other.0))
    }

    /// Whether the value is zero.
    pub fn is_zero(self) -> bool {
        self.0 == 0
    }
}

/// `a × b / divisor` rounded half up, saturating, in 64-bit arithmetic: 128-bit division
/// would add a kilobyte of runtime to the Function. Splitting `a` by the divisor keeps every
/// product in range for any amount and rate a shop can have.
fn scale_down(a: u64, b: u64, divisor: u64) -> u64 {
    let (whole, part) = (a / divisor, a % divisor);
    // Half up: the remainder is below the divisor, so doubling it cannot overflow.
    let rounded_part = match part.checked_mul(b) {
        Some(product) => product / divisor + u64::from(product % divisor * 2 >= divisor),
        // A large `b` (a price in rupiah) can overflow the product while the result fits: split
        // `b` by the divisor. part·b = part·b_whole·divisor + part·b_part, and part·b_part fits
        // 64 bits, both factors being below the divisor (at most 10^8); 128-bit division would
        // cost the Function 1.4 kB.
        None => {
            let (b_whole, b_part) = (b / divisor, b % divisor);
            match (part.checked_mul(b_whole), part.checked_mul(b_part)) {
                (Some(high), Some(low)) => {
                    high.saturating_add(low / divisor + u64::from(low % divisor * 2 >= divisor))
                }
                _ => u64::MAX,
            }
        }
    };
    match whole.checked_mul(b) {
        Some(whole) => whole.saturating_add(rounded_part),
        None => u64::MAX,
    }
}

/// The text before and after the first dot; a byte search, cheaper in the Function than
/// `split_once` with a char pattern.
fn split_at_dot(text: &str) -> (&str, &str) {
    match text.bytes().position(|byte| byte == b'.') {
        Some(dot) => (text.get(..dot).unwrap_or_default(), text.get(dot + 1..).unwrap_or_default()),
        None => (text, ""),
    }
}

fn digits(text: &str) -> Result<u64, DecimalError> {
    text.bytes().try_fold(0u64, |acc, byte| {
        if !byte.is_ascii_digit() {
            return Err(DecimalError::Syntax);
        }
        acc.checked_mul(10)
            .and_then(|acc| acc.checked_add(u64::from(byte - b'0')))
            .ok_or(DecimalError::TooLarge)
    })
}

impl Decimal {
    /// Appends the shortest exact form, with at least one fraction digit unless `plain`
    /// (`15.0`, `12.5`; plain `15`). Written by hand to keep `core::fmt` float and padding
    /// code out of the Function.
    pub fn push_to(self, out: &mut String, plain: bool) {
        let mut digits = [0u8; 20];
        let mut whole = self.0 / SCALE;
        let mut start = digits.len();
        loop {
            start -= 1;
            digits[start] = b'0' + (whole % 10) as u8;
            whole /= 10;
            if whole == 0 {
                break;
            }
        }
        out.extend(digits.iter().skip(start).map(|&digit| char::from(digit)));
        let fraction_digits = self.fraction_digits();
        if fraction_digits == 0 {
            if !plain {
                out.push_str(".0");
            }
            return;
        }
        out.push('.');
        let fraction = self.0 % SCALE;
        for position in 0..fraction_digits {
            let digit = fraction / 10u64.pow(SCALE_DIGITS - 1 - position) % 10;
            out.push(char::from(b'0' + digit as u8));
        }
    }
}

impl fmt::Display for Decimal {
    /// As Shopify writes decimals (`15.0`, `12.5`); the alternate form `{:#}` drops a zero
    /// fraction (`15`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        self.push_to(&mut out, f.alternate());
        f.write_str(&out)
    }
}

impl std::ops::Mul for Decimal {
    type Output = Self;

    /// `self × other`, rounded half up to 6 fraction digits; saturates instead of overflowing.
    fn mul(self, other: Self) -> Self {
        Self(scale_down(self.0, other.0, SCALE))
    }
}

impl fmt::Debug for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::str::FromStr for Decimal {
    type Err = DecimalError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Decimal {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for Decimal {
    /// Accepts a decimal string such as `"10.50"`, the way Shopify sends money.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Self::parse(&text).map_err(|error| serde::de::Error::custom(format_args!("\"{text}\" {error}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn sixty_four_bit_scaling_equals_exact_arithmetic(a in any::<u64>(), b in 0u64..=1_000_000_000_000, divisor in prop_oneof![Just(SCALE), Just(100 * SCALE)]) {
            let exact = (u128::from(a) * u128::from(b) + u128::from(divisor / 2)) / u128::from(divisor);
            let expected = u64::try_from(exact).unwrap_or(u64::MAX);
            prop_assert_eq!(scale_down(a, b, divisor), expected);
        }
    }

    #[test]
    fn parses_whole_fraction_and_leading_dot_forms() {
        assert_eq!(Decimal::parse("12").unwrap(), Decimal::from_parts(12, 0));
        assert_eq!(Decimal::parse("12.50").unwrap(), Decimal::from_parts(125, 1));
        assert_eq!(Decimal::parse(".5").unwrap(), Decimal::from_parts(5, 1));
        assert_eq!(Decimal::parse("0.000001").unwrap(), Decimal(1));
    }

    #[test]
    fn refuses_signs_exponents_and_garbage() {
        for text in ["", ".", "-1", "+1", "1e3", "1.2.3", "1,5", " 1", "NaN"] {
            assert_eq!(Decimal::parse(text), Err(DecimalError::Syntax), "{text:?}");
        }
        assert_eq!(Decimal::parse("1.0000001"), Err(DecimalError::TooPrecise));
        assert_eq!(Decimal::parse("99999999999999999999"), Err(DecimalError::TooLarge));
    }

    #[test]
    fn shopify_rates_round_half_up_past_six_digits() {
        assert_eq!(Decimal::parse_rounded("1.23456749").unwrap().to_string(), "1.234567");
        assert_eq!(Decimal::parse_rounded("1.2345675").unwrap().to_string(), "1.234568");
        assert_eq!(Decimal::parse_rounded("1.5").unwrap().to_string(), "1.5");
        assert!(Decimal::parse_rounded("1.2345675x").is_err());
        assert!(Decimal::parse_rounded("1.12345é").is_err());
        assert!(Decimal::parse("1.é").is_err());
    }

    #[test]
    fn prints_like_shopify() {
        assert_eq!(Decimal::parse("15").unwrap().to_string(), "15.0");
        assert_eq!(Decimal::parse("12.50").unwrap().to_string(), "12.5");
        assert_eq!(Decimal::parse("0.05").unwrap().to_string(), "0.05");
        assert_eq!(Decimal::ZERO.to_string(), "0.0");
        assert_eq!(format!("{:#}", Decimal::parse("15").unwrap()), "15");
        assert_eq!(format!("{:#}", Decimal::parse("15.50").unwrap()), "15.5");
        assert_eq!(Decimal::parse("18446744073709.551615").unwrap().to_string(), "18446744073709.551615");
        assert_eq!(Decimal::parse("1000.000001").unwrap().to_string(), "1000.000001");
    }

    #[test]
    fn multiplies_and_takes_percentages_with_rounding() {
        let ten = Decimal::parse("10").unwrap();
        assert_eq!((ten * Decimal::parse("1.25").unwrap()).to_string(), "12.5");
        assert_eq!(Decimal::parse("0.000001").unwrap() * Decimal::parse("0.5").unwrap(), Decimal(1));
        let third = Decimal::parse("33.333333").unwrap();
        assert_eq!(third.percent_of(Decimal::parse("3").unwrap()).to_string(), "1.0");
        assert_eq!(Decimal(u64::MAX) * Decimal(u64::MAX), Decimal(u64::MAX));
        assert_eq!(Decimal::parse("0.5").unwrap() * Decimal::parse("0.000001").unwrap(), Decimal(1));
        assert_eq!(Decimal::parse("0.4").unwrap() * Decimal::parse("0.000001").unwrap(), Decimal(0));
    }

    #[test]
    fn counts_fraction_digits() {
        assert_eq!(Decimal::parse("7").unwrap().fraction_digits(), 0);
        assert_eq!(Decimal::parse("7.10").unwrap().fraction_digits(), 1);
        assert_eq!(Decimal::parse("7.125").unwrap().fraction_digits(), 3);
    }
}

//! Time as Seglink stores and compares it: whole seconds since the Unix epoch, the unit of every
//! Shopify timestamp Seglink keeps. A type of its own so a moment is never mistaken for an id, a
//! count or a limit, which are `i64` too.

use std::fmt;
use std::ops::{Add, Sub};
use std::time::{SystemTime, UNIX_EPOCH};

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// A moment, in whole seconds since the Unix epoch. Stored as the integer it is (`BIGINT` on
/// PostgreSQL, `INTEGER` on SQLite) and sent to the admin as a JSON number.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
    sqlx::Type,
    ts_rs::TS,
)]
#[serde(transparent)]
#[sqlx(transparent)]
#[ts(type = "number")]
pub struct UnixTime(i64);

impl UnixTime {
    /// The epoch itself: "never" in columns that must hold a moment.
    pub const EPOCH: Self = Self(0);

    /// The moment `seconds` after the epoch.
    pub const fn from_secs(seconds: i64) -> Self {
        Self(seconds)
    }

    /// Seconds since the epoch.
    pub const fn secs(self) -> i64 {
        self.0
    }

    /// An RFC 3339 timestamp with any offset, as Shopify's payloads write them
    /// (`2026-11-20T10:00:00-05:00`).
    pub fn parse_rfc3339(text: &str) -> Option<Self> {
        OffsetDateTime::parse(text, &Rfc3339).ok().map(|moment| Self(moment.unix_timestamp()))
    }

    /// The calendar month (UTC) this moment falls in, as `202612`.
    pub fn month(self) -> i64 {
        let moment = OffsetDateTime::from_unix_timestamp(self.0).unwrap_or(OffsetDateTime::UNIX_EPOCH);
        i64::from(moment.year()) * 100 + i64::from(u8::from(moment.month()))
    }

    /// The first moment of the next calendar month (UTC): when a monthly count starts again.
    pub fn next_month(self) -> Self {
        let moment = OffsetDateTime::from_unix_timestamp(self.0).unwrap_or(OffsetDateTime::UNIX_EPOCH);
        let (year, month) = match moment.month() {
            time::Month::December => (moment.year() + 1, time::Month::January),
            other => (moment.year(), other.next()),
        };
        time::Date::from_calendar_date(year, month, 1)
            .map_or(self, |first| Self(first.midnight().assume_utc().unix_timestamp()))
    }
}

/// The wall clock now; the epoch if the clock is before it.
pub fn unix_now() -> UnixTime {
    UnixTime(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX)),
    )
}

/// A moment plus a number of seconds. Saturating: a far-off deadline stays far off rather than
/// wrapping into the past.
impl Add<i64> for UnixTime {
    type Output = Self;

    fn add(self, seconds: i64) -> Self {
        Self(self.0.saturating_add(seconds))
    }
}

/// A moment minus a number of seconds.
impl Sub<i64> for UnixTime {
    type Output = Self;

    fn sub(self, seconds: i64) -> Self {
        Self(self.0.saturating_sub(seconds))
    }
}

/// The seconds from one moment to another.
impl Sub for UnixTime {
    type Output = i64;

    fn sub(self, earlier: Self) -> i64 {
        self.0.saturating_sub(earlier.0)
    }
}

impl fmt::Display for UnixTime {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(formatter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_are_utc_calendar_months() {
        // 2026-12-31T23:59:59Z, and the first second of 2027.
        let last = UnixTime::from_secs(1_798_761_599);
        assert_eq!(last.month(), 202_612);
        assert_eq!(last.next_month(), last + 1);
        assert_eq!((last + 1).month(), 202_701);
        assert_eq!(UnixTime::from_secs(1_796_662_960).next_month().month(), 202_701);
    }

    #[test]
    fn arithmetic_is_in_seconds_and_saturates() {
        let moment = UnixTime::from_secs(1_000);
        assert_eq!((moment + 60).secs(), 1_060);
        assert_eq!((moment - 60).secs(), 940);
        assert_eq!(moment + 60 - moment, 60);
        assert_eq!(UnixTime::from_secs(i64::MAX) + 1, UnixTime::from_secs(i64::MAX));
        assert!(moment < moment + 1);
    }

    #[test]
    fn times_with_offsets_compare_as_instants() {
        let new_york = UnixTime::parse_rfc3339("2026-11-20T10:00:00-05:00").unwrap();
        let utc = UnixTime::parse_rfc3339("2026-11-20T14:30:00Z").unwrap();
        assert_eq!(new_york - utc, 30 * 60, "10:00 in New York is 15:00 UTC");
        assert_eq!(UnixTime::parse_rfc3339("yesterday"), None);
    }
}

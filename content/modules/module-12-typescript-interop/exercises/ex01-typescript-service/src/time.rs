//! `Timestamp`: milliseconds since the Unix epoch, written as an RFC 3339 string in UTC.
//!
//! The wire format is exactly what JavaScript's `Date.prototype.toISOString()` produces,
//! `YYYY-MM-DDTHH:MM:SS.sssZ`, so a TypeScript client can `new Date(s)` any timestamp it receives
//! and send `date.toISOString()` back. Parsing also accepts a missing or longer fraction and a
//! numeric offset, and normalises to UTC. The calendar arithmetic is yours to write (no `chrono` or
//! `time` in this crate): look up Howard Hinnant's `days_from_civil` / `civil_from_days`.

use std::fmt;
use std::str::FromStr;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An instant with millisecond precision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

/// A string that is not an RFC 3339 date-time this service accepts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid timestamp {0:?}: expected RFC 3339, e.g. 2024-05-01T09:00:00.000Z")]
pub struct InvalidTimestamp(pub String);

const MS_PER_DAY: i64 = 86_400_000;

impl Timestamp {
    /// The instant `ms` milliseconds after 1970-01-01T00:00:00Z (negative: before).
    pub const fn from_millis(ms: i64) -> Self {
        Timestamp(ms)
    }

    /// Milliseconds since the Unix epoch.
    pub const fn as_millis(self) -> i64 {
        self.0
    }

    /// The instant `minutes` later.
    pub const fn plus_minutes(self, minutes: i64) -> Self {
        Timestamp(self.0 + minutes * 60_000)
    }
}

impl fmt::Display for Timestamp {
    /// `YYYY-MM-DDTHH:MM:SS.sssZ`, like `Date.prototype.toISOString()`, for years 0 to 9999.
    /// Negative millis are before 1970: `-1` is `1969-12-31T23:59:59.999Z`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        todo!("milestone 1")
    }
}

impl FromStr for Timestamp {
    type Err = InvalidTimestamp;

    /// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)`: upper-case `T` and `Z`, a real calendar
    /// date (leap years!), hours 0-23, minutes and seconds 0-59 (no leap seconds), offsets up to
    /// 23:59. A fraction has at least one digit; `.5` is 500 ms and digits past the third are
    /// truncated. The result is normalised to UTC.
    fn from_str(s: &str) -> Result<Self, InvalidTimestamp> {
        todo!("milestone 1")
    }
}

impl Serialize for Timestamp {
    /// As the `Display` string.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        todo!("milestone 1")
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    /// From a string accepted by `FromStr`; numbers (epoch millis) are rejected.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        todo!("milestone 1")
    }
}

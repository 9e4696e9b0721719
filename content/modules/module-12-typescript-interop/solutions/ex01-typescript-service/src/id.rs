//! `BookingId`: a `u64` on the server, a decimal string on the wire.
//!
//! JavaScript numbers are IEEE doubles: integers above 2^53 are rounded when `JSON.parse` reads
//! them, silently turning one id into another. Sending ids as strings keeps them exact in every
//! client, and the TypeScript type is simply `string`.

use std::fmt;
use std::str::FromStr;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The id of a booking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BookingId(pub u64);

/// A string that is not the canonical decimal form of a `u64`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid booking id {0:?}: expected a decimal string without sign or leading zeros")]
pub struct InvalidId(pub String);

impl FromStr for BookingId {
    type Err = InvalidId;

    /// Accepts exactly the strings `Display` produces: ASCII digits, no sign, no leading zeros
    /// (except `"0"` itself), at most `u64::MAX`. One id, one spelling.
    fn from_str(s: &str) -> Result<Self, InvalidId> {
        let canonical = !s.is_empty()
            && s.bytes().all(|b| b.is_ascii_digit())
            && (s == "0" || !s.starts_with('0'));
        match s.parse::<u64>() {
            Ok(n) if canonical => Ok(BookingId(n)),
            _ => Err(InvalidId(s.to_owned())),
        }
    }
}

impl fmt::Display for BookingId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl Serialize for BookingId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for BookingId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct IdVisitor;
        impl Visitor<'_> for IdVisitor {
            type Value = BookingId;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a booking id as a decimal string")
            }
            // Only strings: a JSON number here means the client already lost precision.
            fn visit_str<E: de::Error>(self, v: &str) -> Result<BookingId, E> {
                v.parse().map_err(E::custom)
            }
        }
        deserializer.deserialize_str(IdVisitor)
    }
}

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
    /// (except `"0"` itself), at most `u64::MAX`. One id, one spelling. (`str::parse::<u64>` alone
    /// is not enough: it accepts `"+1"` and `"007"`.)
    fn from_str(s: &str) -> Result<Self, InvalidId> {
        todo!("milestone 1")
    }
}

impl fmt::Display for BookingId {
    /// The decimal number.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        todo!("milestone 1")
    }
}

impl Serialize for BookingId {
    /// As a JSON string: `"9007199254740993"`.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        todo!("milestone 1")
    }
}

impl<'de> Deserialize<'de> for BookingId {
    /// From a JSON string only; a JSON number is an error (the client already lost precision).
    /// Hint: a `Visitor` with `visit_str`, driven by `deserializer.deserialize_str`.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        todo!("milestone 1")
    }
}

use std::borrow::Borrow;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::StoreError;

/// A validated bucket name: 3 to 63 characters of `a-z`, `0-9`, `-` and `.`, starting and
/// ending with a letter or digit, with no `..`.
///
/// Because every character is filesystem-safe, a bucket name may be used directly as a
/// directory name. Construct it with [`BucketName::parse`]; there is no other way in.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BucketName(String);

impl BucketName {
    /// Validates `raw` and wraps it.
    pub fn parse(raw: &str) -> Result<Self, StoreError> {
        let fail = |why| Err(StoreError::InvalidBucketName(raw.to_owned(), why));
        if !(3..=63).contains(&raw.len()) {
            return fail("must be 3 to 63 characters long");
        }
        let allowed =
            |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.';
        if !raw.bytes().all(allowed) {
            return fail("only a-z, 0-9, '-' and '.' are allowed");
        }
        let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
        let bytes = raw.as_bytes();
        if !alnum(bytes[0]) || !alnum(bytes[bytes.len() - 1]) {
            return fail("must start and end with a letter or digit");
        }
        if raw.contains("..") {
            return fail("must not contain '..'");
        }
        Ok(Self(raw.to_owned()))
    }

    /// The name as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for BucketName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A validated object key: 1 to 1024 bytes of UTF-8 without NUL.
///
/// Keys are opaque: `../etc/passwd` and `a//b` are perfectly good keys. They are never used as
/// filesystem paths, which is what makes accepting them safe.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ObjectKey(String);

/// The longest key, in bytes, that the store accepts.
pub const MAX_KEY_LEN: usize = 1024;

impl ObjectKey {
    /// Validates `raw` and wraps it.
    pub fn parse(raw: &str) -> Result<Self, StoreError> {
        if raw.is_empty() || raw.len() > MAX_KEY_LEN {
            return Err(StoreError::InvalidKey("must be 1 to 1024 bytes long"));
        }
        if raw.contains('\0') {
            return Err(StoreError::InvalidKey("must not contain NUL"));
        }
        Ok(Self(raw.to_owned()))
    }

    /// The key as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ObjectKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Lets a `BTreeMap<ObjectKey, _>` be queried and ranged with plain `&str`. Sound because the
/// derived `Ord`, `Eq` and `Hash` of the newtype are exactly those of the inner string.
impl Borrow<str> for ObjectKey {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ObjectKey {
    type Error = StoreError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<ObjectKey> for String {
    fn from(key: ObjectKey) -> Self {
        key.0
    }
}

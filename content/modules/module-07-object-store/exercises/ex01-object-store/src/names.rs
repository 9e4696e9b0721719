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
    /// Validates `raw` and wraps it, or fails with [`StoreError::InvalidBucketName`] carrying
    /// the raw name and a short reason.
    pub fn parse(raw: &str) -> Result<Self, StoreError> {
        todo!("validate {raw:?}")
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
/// Keys are opaque: `../etc/passwd` and `a//b` are perfectly good keys. They must never be
/// used as filesystem paths, which is what makes accepting them safe.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ObjectKey(String);

impl ObjectKey {
    /// Validates `raw` and wraps it, or fails with [`StoreError::InvalidKey`].
    pub fn parse(raw: &str) -> Result<Self, StoreError> {
        todo!("validate {raw:?}")
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

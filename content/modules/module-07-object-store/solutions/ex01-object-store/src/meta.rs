use std::collections::BTreeMap;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::{ObjectKey, StoreError};

/// The content type recorded when a client does not send one.
pub const DEFAULT_CONTENT_TYPE: &str = "application/octet-stream";

/// The largest total size, in bytes, of user metadata keys and values (S3's limit).
pub const MAX_USER_METADATA: usize = 2048;

/// Everything the store knows about an object except its bytes.
///
/// A plain owned value: it holds no file handles and no locks, so it can be cloned into a
/// listing, serialized into a sidecar or turned into HTTP headers freely.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectMeta {
    /// The object's key.
    pub key: ObjectKey,
    /// Payload size in bytes.
    pub size: u64,
    /// Lower-case hex SHA-1 of the payload (S3 uses MD5; the idea is the same).
    pub etag: String,
    /// The MIME type given at upload, or [`DEFAULT_CONTENT_TYPE`].
    pub content_type: String,
    /// When the object was committed.
    pub last_modified: SystemTime,
    /// User metadata (`x-amz-meta-*` headers in the HTTP API), keys in lower case.
    pub user_metadata: BTreeMap<String, String>,
}

/// Options for [`Store::put_object`](crate::Store::put_object).
#[derive(Debug, Clone, Default)]
pub struct PutOptions {
    /// The MIME type to record; `None` records [`DEFAULT_CONTENT_TYPE`].
    pub content_type: Option<String>,
    /// User metadata to store with the object.
    pub user_metadata: BTreeMap<String, String>,
    /// If set, the body must be exactly this many bytes (HTTP `Content-Length`).
    pub expected_len: Option<u64>,
    /// If set, the computed ETag must equal this (case-insensitive hex).
    pub expected_etag: Option<String>,
}

/// A condition on the object a put replaces, checked atomically with its commit (S3's
/// conditional writes: `If-None-Match: *` and `If-Match` on `PUT`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Precondition {
    /// Only create: fail with [`StoreError::PreconditionFailed`] if the key exists.
    IfAbsent,
    /// Only replace the object with this ETag (compared case-insensitively, surrounding double
    /// quotes and a `W/` prefix ignored; `*` matches any object): fail with
    /// [`StoreError::PreconditionFailed`] if the current ETag differs, and with
    /// [`StoreError::NoSuchKey`] if there is no object.
    IfMatch(String),
}

/// Whether an ETag as a client sends it (`"abc"`, `W/"abc"`, `abc` or `*`) names `etag`.
pub(crate) fn etag_matches(wanted: &str, etag: &str) -> bool {
    let wanted = wanted.trim();
    wanted == "*"
        || wanted
            .trim_start_matches("W/")
            .trim_matches('"')
            .eq_ignore_ascii_case(etag)
}

/// Checks user metadata: keys are non-empty and made of `a-z`, `0-9`, `-` and `_`; values
/// contain no control characters; keys plus values total at most [`MAX_USER_METADATA`] bytes.
pub(crate) fn validate_user_metadata(meta: &BTreeMap<String, String>) -> Result<(), StoreError> {
    let mut total = 0;
    for (k, v) in meta {
        let key_ok = !k.is_empty()
            && k.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if !key_ok {
            return Err(StoreError::InvalidMetadata(format!(
                "bad metadata key {k:?}"
            )));
        }
        if v.chars().any(char::is_control) {
            return Err(StoreError::InvalidMetadata(format!(
                "control character in value of {k:?}"
            )));
        }
        total += k.len() + v.len();
    }
    if total > MAX_USER_METADATA {
        return Err(StoreError::InvalidMetadata(format!(
            "{total} bytes of metadata exceeds the {MAX_USER_METADATA}-byte limit"
        )));
    }
    Ok(())
}

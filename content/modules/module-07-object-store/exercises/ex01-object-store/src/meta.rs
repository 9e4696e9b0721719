use std::collections::BTreeMap;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::ObjectKey;

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
///
/// User metadata rules (reject with [`StoreError::InvalidMetadata`](crate::StoreError)): keys are
/// non-empty and made of `a-z`, `0-9`, `-` and `_`; values contain no control characters; keys
/// plus values total at most [`MAX_USER_METADATA`] bytes.
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

/// A condition on the object a put replaces, checked atomically with its commit (milestone 5;
/// S3's conditional writes: `If-None-Match: *` and `If-Match` on `PUT`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Precondition {
    /// Only create: fail with [`StoreError::PreconditionFailed`](crate::StoreError) if the key
    /// exists.
    IfAbsent,
    /// Only replace the object with this ETag (compared case-insensitively, surrounding double
    /// quotes and a `W/` prefix ignored; `*` matches any object): fail with
    /// [`StoreError::PreconditionFailed`](crate::StoreError) if the current ETag differs, and
    /// with [`StoreError::NoSuchKey`](crate::StoreError) if there is no object.
    IfMatch(String),
}

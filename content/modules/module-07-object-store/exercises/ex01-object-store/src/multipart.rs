//! Milestone 3: the plain data of multipart uploads. The operations are methods of
//! [`Store`](crate::Store): `create_multipart_upload`, `upload_part`, `list_parts`,
//! `complete_multipart_upload` and `abort_multipart_upload`.

use std::collections::BTreeMap;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

/// The highest part number S3 accepts; part numbers are `1..=MAX_PART_NUMBER`.
pub const MAX_PART_NUMBER: u32 = 10_000;

/// S3's minimum size of every part but the last: 5 MiB. The default of
/// [`StoreConfig::min_part_size`](crate::StoreConfig::min_part_size).
pub const DEFAULT_MIN_PART_SIZE: u64 = 5 * 1024 * 1024;

/// Options for [`Store::create_multipart_upload`](crate::Store::create_multipart_upload): what
/// the completed object will record. They are validated like a put's (`InvalidMetadata`).
#[derive(Debug, Clone, Default)]
pub struct MultipartOptions {
    /// The MIME type to record; `None` records `application/octet-stream`.
    pub content_type: Option<String>,
    /// User metadata to store with the completed object.
    pub user_metadata: BTreeMap<String, String>,
}

/// One uploaded part, as [`Store::upload_part`](crate::Store::upload_part) and
/// [`Store::list_parts`](crate::Store::list_parts) report it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartInfo {
    /// The part number, `1..=MAX_PART_NUMBER`.
    pub part_number: u32,
    /// Lower-case hex SHA-1 of the part's bytes, like a single put's ETag.
    pub etag: String,
    /// The part's size in bytes.
    pub size: u64,
    /// When this upload of the part was committed.
    pub last_modified: SystemTime,
}

/// One `(PartNumber, ETag)` pair of a completion request: the part the client wants in the
/// object, and the ETag it was told when that part was uploaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletedPart {
    /// The part number.
    pub part_number: u32,
    /// The part's ETag; compared case-insensitively, surrounding double quotes ignored.
    pub etag: String,
}

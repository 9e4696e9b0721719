//! A single-node, S3-shaped object store.
//!
//! Milestone 1 is the storage engine, [`Store`]: buckets, validated keys, streaming puts with
//! incremental checksums, atomic commits, range reads and paginated listings. Milestone 2 is the
//! S3-style HTTP layer in [`http`], which sits on top of [`Store`] without changing it.
//! Milestone 3 adds multipart uploads to both: create, upload parts, list, complete, abort.
//! Milestone 4 makes the store recover from a crash at any step of a commit (with injectable
//! [`CrashPoint`]s to prove it) and collects garbage while it serves ([`Store::gc`]).
//! Milestone 5 adds what real S3 clients rely on: conditional reads and writes
//! ([`Precondition`]), server-side copies and the rest of ListObjectsV2.
//!
//! ```text
//! <root>/tmp/                                     in-flight writes; emptied on open
//! <root>/buckets/<bucket>/meta/<h>.json           one metadata sidecar per key, h = sha1(key) in hex
//! <root>/buckets/<bucket>/blobs/<id>              payloads, named by a generated id, never by the key
//! <root>/buckets/<bucket>/uploads/<upload-id>/    one multipart upload in progress:
//!     upload.json                                 its key, content type and user metadata
//!     parts/<nnnnn>.json                          the latest upload of part n: ETag, size, payload
//!     data/<id>                                   part payloads under generated ids
//! ```

mod error;
pub mod http;
mod list;
mod meta;
mod multipart;
mod names;
mod range;
mod store;

pub use error::StoreError;
pub use list::{ListOptions, ListPage};
pub use meta::{ObjectMeta, Precondition, PutOptions};
pub use multipart::{
    CompletedPart, MultipartOptions, PartInfo, DEFAULT_MIN_PART_SIZE, MAX_PART_NUMBER,
};
pub use names::{BucketName, ObjectKey};
pub use range::ByteRange;
pub use store::{
    CrashPoint, GcReport, GetObject, ObjectBody, Store, StoreConfig, CHUNK_SIZE,
    DEFAULT_UPLOAD_EXPIRY,
};

use std::io;

/// Everything that can go wrong in the store. The variants map one-to-one onto S3 error codes
/// (`NoSuchKey`, `BucketNotEmpty`, ...) so the HTTP layer can translate them mechanically.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The bucket name does not follow the naming rules.
    #[error("invalid bucket name {0:?}: {1}")]
    InvalidBucketName(String, &'static str),
    /// The object key does not follow the key rules.
    #[error("invalid object key: {0}")]
    InvalidKey(&'static str),
    /// The bucket does not exist.
    #[error("no such bucket: {0}")]
    NoSuchBucket(String),
    /// `create_bucket` was called for a bucket that already exists.
    #[error("bucket already exists: {0}")]
    BucketAlreadyExists(String),
    /// `delete_bucket` was called on a bucket that still holds objects.
    #[error("bucket is not empty: {0}")]
    BucketNotEmpty(String),
    /// The key does not exist in the bucket.
    #[error("no such key: {0}")]
    NoSuchKey(String),
    /// A `Range` header that is syntactically invalid or cannot be satisfied for this object.
    #[error("invalid range: {0}")]
    InvalidRange(String),
    /// The body's checksum did not match the one the client declared.
    #[error("checksum mismatch: expected {expected}, computed {actual}")]
    ChecksumMismatch {
        /// What the client said the ETag would be.
        expected: String,
        /// What the store computed from the bytes it received.
        actual: String,
    },
    /// The body was longer or shorter than the declared length.
    #[error("body length mismatch: expected {expected} bytes, received {actual}")]
    LengthMismatch {
        /// The declared length.
        expected: u64,
        /// The number of bytes received (when too long: the count at which reading stopped).
        actual: u64,
    },
    /// User metadata that breaks the metadata rules.
    #[error("invalid metadata: {0}")]
    InvalidMetadata(String),
    /// A continuation token that this store did not produce.
    #[error("invalid continuation token")]
    InvalidToken,
    /// No multipart upload with this id exists for this bucket and key: it never existed, was
    /// completed or aborted, or belongs to another key (S3's `NoSuchUpload`).
    #[error("no such upload: {0}")]
    NoSuchUpload(String),
    /// A part number outside `1..=10_000` (S3's `InvalidArgument`).
    #[error("invalid part number {0}: part numbers are 1 to 10000")]
    InvalidPartNumber(u32),
    /// A completion names a part that was never uploaded, or gives an ETag that is not the one
    /// of its latest upload (S3's `InvalidPart`).
    #[error("invalid part {0}: not uploaded, or its ETag does not match")]
    InvalidPart(u32),
    /// A completion whose part numbers are not strictly ascending (S3's `InvalidPartOrder`).
    #[error("the part list is not in strictly ascending order of part number")]
    InvalidPartOrder,
    /// A part other than the last one of a completion is smaller than the store's minimum
    /// part size (S3's `EntityTooSmall`).
    #[error(
        "part {part_number} is {size} bytes; every part but the last needs at least {min_size}"
    )]
    EntityTooSmall {
        /// The offending part.
        part_number: u32,
        /// Its size in bytes.
        size: u64,
        /// The store's minimum part size.
        min_size: u64,
    },
    /// A completion request that is not well-formed or lists no parts (S3's `MalformedXML`).
    #[error("malformed request: {0}")]
    MalformedXml(String),
    /// A conditional request's precondition does not hold (S3's `PreconditionFailed`, 412).
    #[error("precondition failed: {0}")]
    PreconditionFailed(String),
    /// The store stopped at the crash point injected by
    /// [`StoreConfig::crash_at`](crate::StoreConfig), leaving the disk as a killed process
    /// would: drop it and reopen.
    #[error("injected crash at {0:?}")]
    Crashed(crate::CrashPoint),
    /// On-disk state that cannot be interpreted.
    #[error("corrupt store: {0}")]
    Corrupt(String),
    /// An I/O error from the filesystem or from the body being read.
    #[error("i/o error: {0}")]
    Io(#[from] io::Error),
}

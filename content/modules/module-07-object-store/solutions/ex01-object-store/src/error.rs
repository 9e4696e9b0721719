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
    /// On-disk state that cannot be interpreted.
    #[error("corrupt store: {0}")]
    Corrupt(String),
    /// An I/O error from the filesystem or from the body being read.
    #[error("i/o error: {0}")]
    Io(#[from] io::Error),
}

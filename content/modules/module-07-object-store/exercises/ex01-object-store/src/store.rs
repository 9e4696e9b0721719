use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::fs::File;
use tokio::io::{AsyncRead, ReadBuf, Take};

use crate::{
    BucketName, ByteRange, CompletedPart, ListOptions, ListPage, MultipartOptions, ObjectKey,
    ObjectMeta, PartInfo, Precondition, PutOptions, StoreError, DEFAULT_MIN_PART_SIZE,
};

/// The size of the buffer a put reads into: the most body bytes one upload holds in memory.
pub const CHUNK_SIZE: usize = 64 * 1024;

/// How long a multipart upload may stay in progress by default before recovery and [`Store::gc`]
/// abort it: seven days, like a typical S3 lifecycle rule.
pub const DEFAULT_UPLOAD_EXPIRY: Duration = Duration::from_secs(7 * 24 * 60 * 60);

/// Configuration of a [`Store`] (complete: plain data). Build it with struct update syntax from
/// the default, e.g. `StoreConfig { min_part_size: 1024, ..StoreConfig::default() }`, so fields
/// added later (milestone 4 adds some) do not break your code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreConfig {
    /// The smallest size, in bytes, of every part of a multipart upload but the last, checked
    /// at completion ([`StoreError::EntityTooSmall`]). Defaults to S3's 5 MiB; tests lower it.
    pub min_part_size: u64,
    /// Multipart uploads created longer ago than this are aborted by recovery at open and by
    /// [`Store::gc`]; `None` keeps them forever. Defaults to [`DEFAULT_UPLOAD_EXPIRY`].
    pub upload_expiry: Option<Duration>,
    /// Fault injection for tests: the first put, completion or delete that reaches this point
    /// of its commit stops there as if the process had been killed ([`StoreError::Crashed`]),
    /// leaving the disk exactly as it is at that instant. `None` (the default) in production.
    pub crash_at: Option<CrashPoint>,
}

impl Default for StoreConfig {
    fn default() -> Self {
        Self {
            min_part_size: DEFAULT_MIN_PART_SIZE,
            upload_expiry: Some(DEFAULT_UPLOAD_EXPIRY),
            crash_at: None,
        }
    }
}

/// The steps of a commit where [`StoreConfig::crash_at`] can kill the store, in the order a put
/// reaches them. Recovery must leave every key holding its old object before
/// [`CrashPoint::Committed`] and its new one from there on, and no garbage either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CrashPoint {
    /// The new payload (a put's body, or a completion's concatenated parts) is complete and
    /// synced in its temp file under `tmp/`; nothing else has changed.
    TempWritten,
    /// The payload has been renamed to its final place; the metadata still names the old one.
    PayloadPlaced,
    /// The new metadata is written and synced in a temp file, not yet renamed over the old.
    MetadataWritten,
    /// The metadata rename is done: the new object is committed. The payload it replaced is not
    /// deleted yet (and, for a completion, the upload is not retired yet).
    Committed,
    /// A delete removed the key's metadata (its commit point); the payload is not deleted yet.
    DeleteCommitted,
}

/// What recovery or one run of [`Store::gc`] removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GcReport {
    /// Leftovers of writes that never committed, found in `tmp/` (recovery at open only: a
    /// running store's `tmp/` belongs to writes in flight).
    pub temp_files: usize,
    /// Payloads, of objects or of multipart parts, that no metadata references.
    pub orphan_blobs: usize,
    /// Multipart uploads older than [`StoreConfig::upload_expiry`], aborted with their parts.
    pub expired_uploads: usize,
}

/// A handle to an object store rooted at a directory. Cheap to clone; clones share state, so
/// one `Store` can serve many concurrent tasks (it must be `Send + Sync`).
///
/// Required disk layout: in-flight writes live under `<root>/tmp/`, which holds nothing once
/// every put has finished, failed or been cancelled. Everything else is up to you, but object
/// keys must never become paths.
#[derive(Clone)]
pub struct Store {
    // TODO: your state. Typically an `Arc` of: the root path, the `StoreConfig`, a sorted
    // in-memory index of buckets and keys behind a lock that is never held across `.await`, a
    // commit lock, and (milestone 3) a table of the multipart uploads in progress.
    root: PathBuf,
}

/// The result of [`Store::get_object`].
pub struct GetObject {
    /// The object's metadata.
    pub meta: ObjectMeta,
    /// The inclusive `(first, last)` byte offsets being returned when a range was requested.
    pub range: Option<(u64, u64)>,
    /// The payload (or the requested part of it) as an async reader.
    pub body: ObjectBody,
}

/// A streaming object body: an open blob file limited to the requested bytes. Because the
/// file is already open, a concurrent overwrite or delete must not cut the read short.
pub struct ObjectBody {
    inner: Take<File>,
}

impl AsyncRead for ObjectBody {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        // `Take<File>` is `Unpin`, so so is `ObjectBody`, and plain re-pinning is allowed.
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl Store {
    /// Opens (creating if needed) a store rooted at `root` with the default [`StoreConfig`].
    pub async fn open(root: impl AsRef<Path>) -> Result<Self, StoreError> {
        Self::open_with(root, StoreConfig::default()).await
    }

    /// Opens (creating if needed) a store rooted at `root`: removes leftovers in `tmp/` and
    /// loads everything committed earlier, so buckets and objects survive a restart, and
    /// (milestone 3) so do multipart uploads in progress, with their parts.
    pub async fn open_with(
        root: impl AsRef<Path>,
        config: StoreConfig,
    ) -> Result<Self, StoreError> {
        todo!("open the store at {:?} with {config:?}", root.as_ref())
    }

    /// What recovery removed when this store was opened (milestone 4).
    ///
    /// Recovery runs in `open_with`, before the store serves anything: it deletes whatever is
    /// in `tmp/` (`temp_files`), every payload of an object or of a multipart part that no
    /// metadata references (`orphan_blobs`), and every multipart upload older than
    /// [`StoreConfig::upload_expiry`] (`expired_uploads`).
    pub fn recovery_report(&self) -> GcReport {
        todo!("milestone 4")
    }

    /// Collects garbage while the store serves traffic (milestone 4): deletes payloads that no
    /// metadata references and aborts multipart uploads older than
    /// [`StoreConfig::upload_expiry`] (not one being completed), and reports what it removed.
    /// Never deletes the payload of a committed object or of a write in flight, never touches
    /// `tmp/` (`temp_files` is always 0), and is idempotent: a second run right after the first
    /// removes nothing.
    pub async fn gc(&self) -> Result<GcReport, StoreError> {
        todo!("milestone 4")
    }

    /// Creates an empty bucket; [`StoreError::BucketAlreadyExists`] if it exists.
    pub async fn create_bucket(&self, bucket: &BucketName) -> Result<(), StoreError> {
        todo!("create {bucket}")
    }

    /// Deletes an empty bucket: [`StoreError::BucketNotEmpty`] if it holds objects,
    /// [`StoreError::NoSuchBucket`] if it does not exist.
    pub async fn delete_bucket(&self, bucket: &BucketName) -> Result<(), StoreError> {
        todo!("delete {bucket}")
    }

    /// All buckets, sorted by name.
    pub fn list_buckets(&self) -> Vec<BucketName> {
        todo!()
    }

    /// Streams `body` into the store as `bucket/key`, replacing any existing object.
    ///
    /// Reads at most [`CHUNK_SIZE`] bytes at a time (never the whole body), hashing and
    /// counting as the bytes pass, and writes them to a temp file under `<root>/tmp/`. Only
    /// when the body is complete and verified against `opts` (length, ETag, metadata rules) is
    /// the object committed, atomically: readers see the old object or the new one, never a
    /// mixture. On any error, or if the returned future is dropped, nothing becomes visible
    /// and the temp file is removed.
    ///
    /// Milestone 4: when [`StoreConfig::crash_at`] names a [`CrashPoint`] this put reaches, it
    /// stops right there with [`StoreError::Crashed`], cleaning up nothing (as if killed). So do
    /// a delete at [`CrashPoint::DeleteCommitted`] and a completion at the points it reaches.
    pub async fn put_object<R>(
        &self,
        bucket: &BucketName,
        key: &ObjectKey,
        body: R,
        opts: PutOptions,
    ) -> Result<ObjectMeta, StoreError>
    where
        R: AsyncRead + Unpin,
    {
        todo!("put {bucket}/{key}")
    }

    /// [`Store::put_object`] with a [`Precondition`] on the object it replaces (milestone 5).
    /// The condition is checked before the body is read (so a doomed upload fails fast, and an
    /// HTTP client waiting on `Expect: 100-continue` never sends its body) and again under the
    /// commit lock, atomically with the commit: of racing conditional puts, only those whose
    /// condition still holds at their commit succeed. A put refused there removes its temp
    /// file. `put_object` is this with `None`.
    pub async fn put_object_if<R>(
        &self,
        bucket: &BucketName,
        key: &ObjectKey,
        body: R,
        opts: PutOptions,
        precondition: Option<Precondition>,
    ) -> Result<ObjectMeta, StoreError>
    where
        R: AsyncRead + Unpin,
    {
        todo!("put {bucket}/{key} if {precondition:?}")
    }

    /// Returns an object's metadata without opening its payload.
    pub fn head_object(
        &self,
        bucket: &BucketName,
        key: &ObjectKey,
    ) -> Result<ObjectMeta, StoreError> {
        todo!("head {bucket}/{key}")
    }

    /// Opens an object for reading, optionally restricted to a byte range
    /// ([`StoreError::InvalidRange`] if unsatisfiable).
    pub async fn get_object(
        &self,
        bucket: &BucketName,
        key: &ObjectKey,
        range: Option<ByteRange>,
    ) -> Result<GetObject, StoreError> {
        todo!("get {bucket}/{key} {range:?}")
    }

    /// Deletes an object. Returns whether it existed; deleting a missing key is not an error
    /// (S3 semantics: DELETE is idempotent), but a missing bucket is.
    pub async fn delete_object(
        &self,
        bucket: &BucketName,
        key: &ObjectKey,
    ) -> Result<bool, StoreError> {
        todo!("delete {bucket}/{key}")
    }

    /// Lists one page of a bucket's keys in lexicographic (byte) order; see [`ListOptions`].
    pub fn list_objects(
        &self,
        bucket: &BucketName,
        opts: &ListOptions,
    ) -> Result<ListPage, StoreError> {
        todo!("list {bucket} {opts:?}")
    }

    // ---- Milestone 3: multipart uploads -------------------------------------------------

    /// Starts a multipart upload of `bucket/key` and returns its upload id: an opaque string,
    /// different for every upload (two uploads of one key are independent). `opts` is what the
    /// completed object will record, validated like a put's metadata
    /// ([`StoreError::InvalidMetadata`]); [`StoreError::NoSuchBucket`] if the bucket is missing.
    /// Nothing is visible in `head_object`, `get_object` or listings until completion.
    pub async fn create_multipart_upload(
        &self,
        bucket: &BucketName,
        key: &ObjectKey,
        opts: MultipartOptions,
    ) -> Result<String, StoreError> {
        todo!("create an upload of {bucket}/{key} with {opts:?}")
    }

    /// Streams one part of an upload, exactly like `put_object` streams an object: reads of at
    /// most [`CHUNK_SIZE`], SHA-1 and size computed on the fly, `expected_len` enforced
    /// ([`StoreError::LengthMismatch`]), and nothing recorded and nothing left in `tmp/` if the
    /// body fails or the future is dropped. Then records it as the latest upload of
    /// `part_number`, replacing (and deleting) any earlier upload of that number, and returns
    /// its [`PartInfo`] (ETag: lower-case hex SHA-1 of the part's bytes).
    ///
    /// [`StoreError::InvalidPartNumber`] unless `1 <= part_number <= MAX_PART_NUMBER`;
    /// [`StoreError::NoSuchUpload`] if `upload_id` is not an upload in progress of this bucket
    /// and key. Upload ids come from clients: never let one reach the filesystem unchecked.
    pub async fn upload_part<R>(
        &self,
        bucket: &BucketName,
        key: &ObjectKey,
        upload_id: &str,
        part_number: u32,
        body: R,
        expected_len: Option<u64>,
    ) -> Result<PartInfo, StoreError>
    where
        R: AsyncRead + Unpin,
    {
        todo!("upload part {part_number} of {upload_id} ({bucket}/{key})")
    }

    /// The latest upload of every part of an upload in progress, in part number order;
    /// [`StoreError::NoSuchUpload`] as for [`Store::upload_part`].
    pub fn list_parts(
        &self,
        bucket: &BucketName,
        key: &ObjectKey,
        upload_id: &str,
    ) -> Result<Vec<PartInfo>, StoreError> {
        todo!("list the parts of {upload_id} ({bucket}/{key})")
    }

    /// Completes an upload with the parts the client lists. Checks, in this order:
    ///
    /// - the upload exists for this bucket and key ([`StoreError::NoSuchUpload`]);
    /// - `parts` is not empty ([`StoreError::MalformedXml`]);
    /// - part numbers are strictly ascending ([`StoreError::InvalidPartOrder`]);
    /// - every listed part was uploaded and its latest upload has that ETag, compared
    ///   case-insensitively with surrounding double quotes ignored ([`StoreError::InvalidPart`]
    ///   with the first offending part number);
    /// - every listed part but the last is at least `min_part_size` bytes
    ///   ([`StoreError::EntityTooSmall`]).
    ///
    /// Then publishes the concatenation of the listed parts, in order, as `bucket/key` with one
    /// atomic commit (replacing any existing object), with the upload's content type and user
    /// metadata and the ETag `hex(sha1(d1 ‖ d2 ‖ … ‖ dN))-N`, where `di` is the 20-byte binary
    /// SHA-1 of part i and N the number of parts listed. The upload and all its parts, listed or
    /// not, are removed. On any error nothing is published and the upload is left as it was.
    pub async fn complete_multipart_upload(
        &self,
        bucket: &BucketName,
        key: &ObjectKey,
        upload_id: &str,
        parts: &[CompletedPart],
    ) -> Result<ObjectMeta, StoreError> {
        todo!("complete {upload_id} ({bucket}/{key}) with {parts:?}")
    }

    /// Aborts an upload: it and all its parts are deleted, and every later call with its id
    /// fails with [`StoreError::NoSuchUpload`] (as does aborting an unknown upload).
    pub async fn abort_multipart_upload(
        &self,
        bucket: &BucketName,
        key: &ObjectKey,
        upload_id: &str,
    ) -> Result<(), StoreError> {
        todo!("abort {upload_id} ({bucket}/{key})")
    }
}

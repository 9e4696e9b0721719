use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::fs::File;
use tokio::io::{AsyncRead, ReadBuf, Take};

use crate::{
    BucketName, ByteRange, ListOptions, ListPage, ObjectKey, ObjectMeta, PutOptions, StoreError,
};

/// The size of the buffer a put reads into: the most body bytes one upload holds in memory.
pub const CHUNK_SIZE: usize = 64 * 1024;

/// A handle to an object store rooted at a directory. Cheap to clone; clones share state, so
/// one `Store` can serve many concurrent tasks (it must be `Send + Sync`).
///
/// Required disk layout: in-flight writes live under `<root>/tmp/`, which holds nothing once
/// every put has finished, failed or been cancelled. Everything else is up to you, but object
/// keys must never become paths.
#[derive(Clone)]
pub struct Store {
    // TODO: your state. Typically an `Arc` of: the root path, a sorted in-memory index of
    // buckets and keys behind a lock that is never held across `.await`, and a commit lock.
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
    /// Opens (creating if needed) a store rooted at `root`: removes leftovers in `tmp/` and
    /// loads everything committed earlier, so buckets and objects survive a restart.
    pub async fn open(root: impl AsRef<Path>) -> Result<Self, StoreError> {
        todo!("open the store at {:?}", root.as_ref())
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
}

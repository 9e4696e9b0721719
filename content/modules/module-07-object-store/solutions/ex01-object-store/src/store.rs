use std::collections::BTreeMap;
use std::io::{self, SeekFrom};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::task::{Context, Poll};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use sha1::{Digest, Sha1};
use tokio::fs::{self, File};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncSeekExt, AsyncWriteExt, ReadBuf, Take};
use tokio::sync::Mutex;

use crate::list::{list_page, to_hex};
use crate::meta::{validate_user_metadata, DEFAULT_CONTENT_TYPE};
use crate::{
    BucketName, ByteRange, ListOptions, ListPage, ObjectKey, ObjectMeta, PutOptions, StoreError,
};

/// The size of the buffer a put reads into: the most body bytes one upload holds in memory.
pub const CHUNK_SIZE: usize = 64 * 1024;

/// What the sidecar file holds, and what the in-memory index keeps per key.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Entry {
    meta: ObjectMeta,
    /// File name of the payload under `blobs/`.
    blob: String,
}

type Index = BTreeMap<BucketName, BTreeMap<ObjectKey, Entry>>;

struct Inner {
    root: PathBuf,
    /// The sorted view of everything committed. A std lock: it is never held across `.await`.
    index: RwLock<Index>,
    /// Serializes commit points (sidecar rename + index update) and bucket create/delete, so
    /// the order of renames on disk and the order of updates in memory agree.
    commit: Mutex<()>,
    seq: AtomicU64,
}

/// A handle to an object store rooted at a directory. Cheap to clone; clones share state, so
/// one `Store` can serve many concurrent tasks.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
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

/// A streaming object body. Wraps an open blob file limited to the requested bytes; because
/// the file is already open, a concurrent overwrite or delete cannot cut the read short.
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

/// Removes a temp file when dropped, unless [`TempGuard::disarm`] was called. This is what
/// cleans up after an error *and* after cancellation (the put future being dropped mid-body).
struct TempGuard {
    path: Option<PathBuf>,
}

impl TempGuard {
    fn new(path: PathBuf) -> Self {
        Self { path: Some(path) }
    }

    fn path(&self) -> &Path {
        self.path.as_deref().expect("guard is armed")
    }

    fn disarm(&mut self) {
        self.path = None;
    }
}

impl Drop for TempGuard {
    fn drop(&mut self) {
        if let Some(path) = self.path.take() {
            // Drop cannot be async; a single unlink is cheap enough to do inline.
            let _ = std::fs::remove_file(path);
        }
    }
}

impl Store {
    /// Opens (creating if needed) a store rooted at `root`: removes leftovers in `tmp/` and
    /// loads every bucket's sidecars into the in-memory index.
    pub async fn open(root: impl AsRef<Path>) -> Result<Self, StoreError> {
        let root = root.as_ref().to_path_buf();
        let tmp = root.join("tmp");
        fs::create_dir_all(&tmp).await?;
        fs::create_dir_all(root.join("buckets")).await?;

        // Anything in tmp/ belongs to a write that never committed.
        let mut leftovers = fs::read_dir(&tmp).await?;
        while let Some(entry) = leftovers.next_entry().await? {
            let path = entry.path();
            if entry.file_type().await?.is_dir() {
                fs::remove_dir_all(path).await?;
            } else {
                fs::remove_file(path).await?;
            }
        }

        let mut index = Index::new();
        let mut buckets = fs::read_dir(root.join("buckets")).await?;
        while let Some(dir) = buckets.next_entry().await? {
            let name = dir.file_name();
            let name = name
                .to_str()
                .and_then(|n| BucketName::parse(n).ok())
                .ok_or_else(|| {
                    StoreError::Corrupt(format!("unexpected entry {:?} in buckets/", dir.path()))
                })?;
            let mut objects = BTreeMap::new();
            let mut sidecars = fs::read_dir(dir.path().join("meta")).await?;
            while let Some(file) = sidecars.next_entry().await? {
                let bytes = fs::read(file.path()).await?;
                let entry: Entry = serde_json::from_slice(&bytes)
                    .map_err(|e| StoreError::Corrupt(format!("{:?}: {e}", file.path())))?;
                objects.insert(entry.meta.key.clone(), entry);
            }
            index.insert(name, objects);
        }

        Ok(Self {
            inner: Arc::new(Inner {
                root,
                index: RwLock::new(index),
                commit: Mutex::new(()),
                seq: AtomicU64::new(0),
            }),
        })
    }

    /// Creates an empty bucket.
    pub async fn create_bucket(&self, bucket: &BucketName) -> Result<(), StoreError> {
        let _commit = self.inner.commit.lock().await;
        if self.read_index().contains_key(bucket) {
            return Err(StoreError::BucketAlreadyExists(bucket.to_string()));
        }
        // Build the directory tree in tmp/ and rename it into place: a bucket directory either
        // exists complete with meta/ and blobs/, or not at all.
        let staging = self.temp_path();
        fs::create_dir_all(staging.join("meta")).await?;
        fs::create_dir_all(staging.join("blobs")).await?;
        fs::rename(&staging, self.bucket_dir(bucket)).await?;
        sync_dir(&self.inner.root.join("buckets")).await?;
        self.write_index().insert(bucket.clone(), BTreeMap::new());
        Ok(())
    }

    /// Deletes an empty bucket. Fails with [`StoreError::BucketNotEmpty`] if it holds objects.
    pub async fn delete_bucket(&self, bucket: &BucketName) -> Result<(), StoreError> {
        let _commit = self.inner.commit.lock().await;
        match self.read_index().get(bucket) {
            None => return Err(StoreError::NoSuchBucket(bucket.to_string())),
            Some(objects) if !objects.is_empty() => {
                return Err(StoreError::BucketNotEmpty(bucket.to_string()))
            }
            Some(_) => {}
        }
        // Move it out of buckets/ first (the commit point), then delete at leisure.
        let doomed = self.temp_path();
        fs::rename(self.bucket_dir(bucket), &doomed).await?;
        sync_dir(&self.inner.root.join("buckets")).await?;
        self.write_index().remove(bucket);
        fs::remove_dir_all(doomed).await?;
        Ok(())
    }

    /// All buckets, sorted by name.
    pub fn list_buckets(&self) -> Vec<BucketName> {
        self.read_index().keys().cloned().collect()
    }

    /// Streams `body` into the store as `bucket/key`, replacing any existing object.
    ///
    /// Reads at most [`CHUNK_SIZE`] bytes at a time, hashing and counting as the bytes pass,
    /// and writes them to a temp file. Only when the body is complete and verified against
    /// `opts` is the object committed (blob renamed into place, then its sidecar), so readers
    /// see the old object or the new one, never a mixture. On any error, or if the returned
    /// future is dropped, nothing becomes visible and the temp file is removed.
    pub async fn put_object<R>(
        &self,
        bucket: &BucketName,
        key: &ObjectKey,
        mut body: R,
        opts: PutOptions,
    ) -> Result<ObjectMeta, StoreError>
    where
        R: AsyncRead + Unpin,
    {
        validate_user_metadata(&opts.user_metadata)?;
        self.ensure_bucket(bucket)?;

        // 1. Stream the body into a temp file with bounded memory.
        let mut temp = TempGuard::new(self.temp_path());
        let mut file = File::create(temp.path()).await?;
        let mut hasher = Sha1::new();
        let mut size: u64 = 0;
        let mut buf = vec![0u8; CHUNK_SIZE];
        loop {
            let n = body.read(&mut buf).await?;
            if n == 0 {
                break;
            }
            size += n as u64;
            if let Some(expected) = opts.expected_len {
                if size > expected {
                    return Err(StoreError::LengthMismatch {
                        expected,
                        actual: size,
                    });
                }
            }
            hasher.update(&buf[..n]);
            file.write_all(&buf[..n]).await?;
        }
        if let Some(expected) = opts.expected_len {
            if size != expected {
                return Err(StoreError::LengthMismatch {
                    expected,
                    actual: size,
                });
            }
        }
        let etag = to_hex(&hasher.finalize());
        if let Some(expected) = opts.expected_etag {
            if !expected.eq_ignore_ascii_case(&etag) {
                return Err(StoreError::ChecksumMismatch {
                    expected,
                    actual: etag,
                });
            }
        }
        // Data must be on disk before any name points at it.
        file.sync_all().await?;
        drop(file);

        let meta = ObjectMeta {
            key: key.clone(),
            size,
            etag,
            content_type: opts
                .content_type
                .unwrap_or_else(|| DEFAULT_CONTENT_TYPE.to_owned()),
            last_modified: SystemTime::now(),
            user_metadata: opts.user_metadata,
        };
        let entry = Entry {
            meta: meta.clone(),
            blob: self.unique_name(),
        };
        let sidecar =
            serde_json::to_vec_pretty(&entry).map_err(|e| StoreError::Corrupt(e.to_string()))?;

        // 2. Commit: one critical section so disk order and index order agree per key.
        let replaced = {
            let _commit = self.inner.commit.lock().await;
            // The bucket may have been deleted while the body was streaming.
            self.ensure_bucket(bucket)?;
            let dir = self.bucket_dir(bucket);
            let blob_path = dir.join("blobs").join(&entry.blob);
            fs::rename(temp.path(), &blob_path).await?;
            temp.disarm();
            let mut blob_guard = TempGuard::new(blob_path);
            sync_dir(&dir.join("blobs")).await?;

            self.write_file_atomically(&dir.join("meta").join(sidecar_name(key)), &sidecar)
                .await?;
            blob_guard.disarm();
            let mut index = self.write_index();
            let objects = index
                .get_mut(bucket)
                .ok_or_else(|| StoreError::NoSuchBucket(bucket.to_string()))?;
            objects.insert(key.clone(), entry)
        };

        // 3. The old payload is unreachable now. Readers that already opened it keep reading
        //    (POSIX unlink semantics), so it is safe to remove immediately.
        if let Some(old) = replaced {
            let _ = fs::remove_file(self.bucket_dir(bucket).join("blobs").join(old.blob)).await;
        }
        Ok(meta)
    }

    /// Returns an object's metadata without opening its payload.
    pub fn head_object(
        &self,
        bucket: &BucketName,
        key: &ObjectKey,
    ) -> Result<ObjectMeta, StoreError> {
        self.lookup(bucket, key).map(|entry| entry.meta)
    }

    /// Opens an object for reading, optionally restricted to a byte range.
    pub async fn get_object(
        &self,
        bucket: &BucketName,
        key: &ObjectKey,
        range: Option<ByteRange>,
    ) -> Result<GetObject, StoreError> {
        // An overwrite may delete the blob between our index lookup and our open. The index
        // is updated before the old blob is removed, so a fresh lookup finds the new one.
        for _ in 0..3 {
            let entry = self.lookup(bucket, key)?;
            let resolved = range.map(|r| r.resolve(entry.meta.size)).transpose()?;
            let path = self.bucket_dir(bucket).join("blobs").join(&entry.blob);
            let mut file = match File::open(&path).await {
                Ok(file) => file,
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e.into()),
            };
            let (start, len) = match resolved {
                Some((first, last)) => (first, last - first + 1),
                None => (0, entry.meta.size),
            };
            if start > 0 {
                file.seek(SeekFrom::Start(start)).await?;
            }
            return Ok(GetObject {
                meta: entry.meta,
                range: resolved,
                body: ObjectBody {
                    inner: file.take(len),
                },
            });
        }
        Err(StoreError::Corrupt(format!(
            "payload of {bucket}/{key} keeps disappearing"
        )))
    }

    /// Deletes an object. Returns whether it existed; deleting a missing key is not an error
    /// (S3 semantics: DELETE is idempotent).
    pub async fn delete_object(
        &self,
        bucket: &BucketName,
        key: &ObjectKey,
    ) -> Result<bool, StoreError> {
        let removed = {
            let _commit = self.inner.commit.lock().await;
            self.ensure_bucket(bucket)?;
            if self.lookup(bucket, key).is_err() {
                return Ok(false);
            }
            let meta_dir = self.bucket_dir(bucket).join("meta");
            fs::remove_file(meta_dir.join(sidecar_name(key))).await?;
            sync_dir(&meta_dir).await?;
            self.write_index()
                .get_mut(bucket)
                .and_then(|objects| objects.remove(key))
        };
        if let Some(old) = removed {
            let _ = fs::remove_file(self.bucket_dir(bucket).join("blobs").join(old.blob)).await;
        }
        Ok(true)
    }

    /// Lists one page of a bucket's keys in lexicographic (byte) order.
    pub fn list_objects(
        &self,
        bucket: &BucketName,
        opts: &ListOptions,
    ) -> Result<ListPage, StoreError> {
        let index = self.read_index();
        let objects = index
            .get(bucket)
            .ok_or_else(|| StoreError::NoSuchBucket(bucket.to_string()))?;
        list_page(objects, opts, |entry: &Entry| &entry.meta)
    }

    fn lookup(&self, bucket: &BucketName, key: &ObjectKey) -> Result<Entry, StoreError> {
        let index = self.read_index();
        let objects = index
            .get(bucket)
            .ok_or_else(|| StoreError::NoSuchBucket(bucket.to_string()))?;
        objects
            .get(key)
            .cloned()
            .ok_or_else(|| StoreError::NoSuchKey(key.to_string()))
    }

    fn ensure_bucket(&self, bucket: &BucketName) -> Result<(), StoreError> {
        if self.read_index().contains_key(bucket) {
            Ok(())
        } else {
            Err(StoreError::NoSuchBucket(bucket.to_string()))
        }
    }

    /// Writes `bytes` to `dest` so that `dest` holds either its old content or all of the new.
    async fn write_file_atomically(&self, dest: &Path, bytes: &[u8]) -> Result<(), StoreError> {
        let mut temp = TempGuard::new(self.temp_path());
        let mut file = File::create(temp.path()).await?;
        file.write_all(bytes).await?;
        file.sync_all().await?;
        drop(file);
        fs::rename(temp.path(), dest).await?;
        temp.disarm();
        if let Some(parent) = dest.parent() {
            sync_dir(parent).await?;
        }
        Ok(())
    }

    fn bucket_dir(&self, bucket: &BucketName) -> PathBuf {
        self.inner.root.join("buckets").join(bucket.as_str())
    }

    fn temp_path(&self) -> PathBuf {
        self.inner
            .root
            .join("tmp")
            .join(format!("{}.tmp", self.unique_name()))
    }

    /// A name unique within this process and, thanks to the timestamp, across restarts.
    fn unique_name(&self) -> String {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let seq = self.inner.seq.fetch_add(1, Ordering::Relaxed);
        format!("{nanos:032x}-{seq:08x}")
    }

    fn read_index(&self) -> std::sync::RwLockReadGuard<'_, Index> {
        // A panic while holding the lock cannot leave the map half-updated (every mutation is
        // a single insert or remove), so recovering from poisoning is sound.
        self.inner
            .index
            .read()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn write_index(&self) -> std::sync::RwLockWriteGuard<'_, Index> {
        self.inner
            .index
            .write()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

/// The sidecar file name for a key: fixed length, filesystem-safe, and one per key, so that an
/// overwrite is a single atomic rename over the previous sidecar.
fn sidecar_name(key: &ObjectKey) -> String {
    format!("{}.json", to_hex(&Sha1::digest(key.as_str().as_bytes())))
}

/// Makes a rename or unlink in `dir` durable. A no-op where directories cannot be opened.
async fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    #[cfg(unix)]
    File::open(dir).await?.sync_all().await?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

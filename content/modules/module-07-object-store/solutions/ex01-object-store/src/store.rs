use std::collections::{BTreeMap, HashMap};
use std::io::{self, SeekFrom};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, MutexGuard, PoisonError, RwLock};
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use sha1::{Digest, Sha1};
use tokio::fs::{self, File};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncSeekExt, AsyncWriteExt, ReadBuf, Take};
use tokio::sync::Mutex;

use crate::list::{list_page, to_hex};
use crate::meta::{etag_matches, validate_user_metadata, DEFAULT_CONTENT_TYPE};
use crate::multipart::{DEFAULT_MIN_PART_SIZE, MAX_PART_NUMBER};
use crate::{
    BucketName, ByteRange, CompletedPart, ListOptions, ListPage, MultipartOptions, ObjectKey,
    ObjectMeta, PartInfo, Precondition, PutOptions, StoreError,
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

/// What `uploads/<id>/upload.json` holds: everything the completed object will record except
/// its bytes, size and ETag.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct UploadRecord {
    key: ObjectKey,
    content_type: String,
    user_metadata: BTreeMap<String, String>,
    created: SystemTime,
}

/// What `uploads/<id>/parts/<nnnnn>.json` holds: the latest upload of one part number.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct PartRecord {
    info: PartInfo,
    /// File name of the part's bytes under `uploads/<id>/data/`.
    blob: String,
}

/// An upload in progress, as the in-memory table keeps it.
struct Upload {
    bucket: BucketName,
    record: UploadRecord,
    parts: BTreeMap<u32, PartRecord>,
    /// A completion has validated its part list and is copying the parts: until it commits or
    /// fails, no part may be replaced under it.
    completing: bool,
}

/// How long a multipart upload may stay in progress by default before recovery and [`Store::gc`]
/// abort it: seven days, like a typical S3 lifecycle rule.
pub const DEFAULT_UPLOAD_EXPIRY: Duration = Duration::from_secs(7 * 24 * 60 * 60);

/// Configuration of a [`Store`]. Build it with struct update syntax from the default, e.g.
/// `StoreConfig { min_part_size: 1024, ..StoreConfig::default() }`, so fields added later
/// (milestone 4 adds some) do not break your code.
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

struct Inner {
    root: PathBuf,
    config: StoreConfig,
    /// The sorted view of everything committed. A std lock: it is never held across `.await`.
    index: RwLock<Index>,
    /// Multipart uploads in progress, by upload id. A std lock, never held across `.await`.
    uploads: std::sync::Mutex<HashMap<String, Upload>>,
    /// Serializes commit points (sidecar rename + index update), bucket create/delete and the
    /// steps of multipart uploads that change their part tables, so the order of renames on
    /// disk and the order of updates in memory agree.
    commit: Mutex<()>,
    seq: AtomicU64,
    /// What recovery removed when this store was opened.
    recovery: GcReport,
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
            // Drop cannot be async; a single unlink is cheap enough to do inline. A staging
            // directory (a bucket or an upload being created) is small and removed the same way.
            if std::fs::remove_file(&path).is_err() {
                let _ = std::fs::remove_dir_all(&path);
            }
        }
    }
}

/// Clears an upload's `completing` flag when a completion fails or is cancelled, so the upload
/// can take new parts and be completed again.
struct CompletingGuard<'a> {
    store: &'a Store,
    upload_id: &'a str,
}

impl Drop for CompletingGuard<'_> {
    fn drop(&mut self) {
        if let Some(upload) = self.store.lock_uploads().get_mut(self.upload_id) {
            upload.completing = false;
        }
    }
}

impl Store {
    /// Opens (creating if needed) a store rooted at `root` with the default [`StoreConfig`].
    pub async fn open(root: impl AsRef<Path>) -> Result<Self, StoreError> {
        Self::open_with(root, StoreConfig::default()).await
    }

    /// Opens (creating if needed) a store rooted at `root`: removes leftovers in `tmp/`, loads
    /// every bucket's sidecars into the in-memory index and every upload in progress into the
    /// upload table.
    pub async fn open_with(
        root: impl AsRef<Path>,
        config: StoreConfig,
    ) -> Result<Self, StoreError> {
        let root = root.as_ref().to_path_buf();
        let tmp = root.join("tmp");
        fs::create_dir_all(&tmp).await?;
        fs::create_dir_all(root.join("buckets")).await?;

        // Anything in tmp/ belongs to a write that never committed.
        let mut recovery = GcReport::default();
        let mut leftovers = fs::read_dir(&tmp).await?;
        while let Some(entry) = leftovers.next_entry().await? {
            recovery.temp_files += 1;
            let path = entry.path();
            if entry.file_type().await?.is_dir() {
                fs::remove_dir_all(path).await?;
            } else {
                fs::remove_file(path).await?;
            }
        }

        let mut index = Index::new();
        let mut uploads = HashMap::new();
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
            recovery.orphan_blobs +=
                load_uploads(&dir.path().join("uploads"), &name, &mut uploads).await?;
            // Payloads no sidecar names: a crash after a payload's rename and before its
            // sidecar's, or after a sidecar's replacement and before the old payload's unlink.
            let blobs = dir.path().join("blobs");
            for name in list_files(&blobs).await? {
                if !objects.values().any(|e: &Entry| e.blob == name) {
                    fs::remove_file(blobs.join(&name)).await?;
                    recovery.orphan_blobs += 1;
                }
            }
            index.insert(name, objects);
        }

        let mut store = Self {
            inner: Arc::new(Inner {
                root,
                config,
                index: RwLock::new(index),
                uploads: std::sync::Mutex::new(uploads),
                commit: Mutex::new(()),
                seq: AtomicU64::new(0),
                recovery,
            }),
        };
        let expired = store.expire_uploads().await?;
        Arc::get_mut(&mut store.inner)
            .expect("nothing else holds the store yet")
            .recovery
            .expired_uploads = expired;
        Ok(store)
    }

    /// What recovery removed when this store was opened: temp files of writes that never
    /// committed, orphaned payloads, and expired multipart uploads.
    pub fn recovery_report(&self) -> GcReport {
        self.inner.recovery
    }

    /// Collects garbage while the store serves traffic: deletes payloads that no metadata
    /// references and aborts multipart uploads older than [`StoreConfig::upload_expiry`].
    /// Never deletes the payload of a committed object or of a write in flight, never touches
    /// `tmp/`, and is idempotent: a second run right after the first removes nothing.
    pub async fn gc(&self) -> Result<GcReport, StoreError> {
        let mut report = GcReport::default();
        let buckets = self.list_buckets();
        for bucket in &buckets {
            let blobs = self.bucket_dir(bucket).join("blobs");
            // List first, outside the commit lock. A payload renamed into blobs/ after this
            // listing is not in it; one in it is either named by the index at the moment we
            // hold the commit lock below, or never will be (names are unique, and a commit
            // renames its payload and updates the index under that lock).
            let listed = match list_files(&blobs).await {
                Ok(listed) => listed,
                Err(StoreError::Io(e)) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e),
            };
            let orphans: Vec<String> = {
                let _commit = self.inner.commit.lock().await;
                let index = self.read_index();
                let Some(objects) = index.get(bucket) else {
                    continue;
                };
                let live: std::collections::HashSet<&str> =
                    objects.values().map(|e| e.blob.as_str()).collect();
                listed
                    .into_iter()
                    .filter(|name| !live.contains(name.as_str()))
                    .collect()
            };
            for name in orphans {
                match fs::remove_file(blobs.join(&name)).await {
                    Ok(()) => report.orphan_blobs += 1,
                    // Removed meanwhile by the put or delete that replaced it.
                    Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                    Err(e) => return Err(e.into()),
                }
            }
        }
        report.expired_uploads = self.expire_uploads().await?;
        Ok(report)
    }

    /// Aborts every upload older than the configured expiry that is not being completed.
    async fn expire_uploads(&self) -> Result<usize, StoreError> {
        let Some(expiry) = self.inner.config.upload_expiry else {
            return Ok(0);
        };
        let now = SystemTime::now();
        let mut doomed = Vec::new();
        {
            let _commit = self.inner.commit.lock().await;
            let expired: Vec<(String, BucketName)> = self
                .lock_uploads()
                .iter()
                .filter(|(_, u)| {
                    !u.completing
                        && now
                            .duration_since(u.record.created)
                            .is_ok_and(|age| age >= expiry)
                })
                .map(|(id, u)| (id.clone(), u.bucket.clone()))
                .collect();
            for (id, bucket) in expired {
                doomed.push(self.retire_upload_dir(&bucket, &id).await?);
                self.lock_uploads().remove(&id);
            }
        }
        let count = doomed.len();
        for dir in doomed {
            fs::remove_dir_all(dir).await?;
        }
        Ok(count)
    }

    /// Stops the operation dead at `point` if the configuration says so: the guards are
    /// disarmed, so nothing is cleaned up, exactly as if the process had been killed there.
    fn crash_point(
        &self,
        point: CrashPoint,
        guards: &mut [&mut TempGuard],
    ) -> Result<(), StoreError> {
        if self.inner.config.crash_at == Some(point) {
            for guard in guards {
                guard.disarm();
            }
            return Err(StoreError::Crashed(point));
        }
        Ok(())
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
        fs::create_dir_all(staging.join("uploads")).await?;
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
        // Its uploads in progress went with the directory.
        self.lock_uploads()
            .retain(|_, upload| upload.bucket != *bucket);
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
        body: R,
        opts: PutOptions,
    ) -> Result<ObjectMeta, StoreError>
    where
        R: AsyncRead + Unpin,
    {
        self.put_object_if(bucket, key, body, opts, None).await
    }

    /// [`Store::put_object`] with a [`Precondition`] on the object it replaces. The condition is
    /// checked before the body is read (so a doomed upload fails fast) and again under the
    /// commit lock, atomically with the commit: of racing conditional puts, only those whose
    /// condition still holds at their commit succeed. A put refused there removes its temp file.
    pub async fn put_object_if<R>(
        &self,
        bucket: &BucketName,
        key: &ObjectKey,
        mut body: R,
        opts: PutOptions,
        precondition: Option<Precondition>,
    ) -> Result<ObjectMeta, StoreError>
    where
        R: AsyncRead + Unpin,
    {
        validate_user_metadata(&opts.user_metadata)?;
        self.ensure_bucket(bucket)?;
        if let Some(condition) = &precondition {
            self.check_precondition(bucket, key, condition)?;
        }

        // 1. Stream the body into a temp file with bounded memory.
        let (mut temp, size, digest) = self.stream_to_temp(&mut body, opts.expected_len).await?;
        self.crash_point(CrashPoint::TempWritten, &mut [&mut temp])?;
        let etag = to_hex(&digest);
        if let Some(expected) = opts.expected_etag {
            if !expected.eq_ignore_ascii_case(&etag) {
                return Err(StoreError::ChecksumMismatch {
                    expected,
                    actual: etag,
                });
            }
        }

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

        // 2. Commit: one critical section so disk order and index order agree per key.
        let replaced = {
            let _commit = self.inner.commit.lock().await;
            if let Some(condition) = &precondition {
                self.check_precondition(bucket, key, condition)?;
            }
            self.commit_object(bucket, temp, &meta).await?
        };
        self.crash_point(CrashPoint::Committed, &mut [])?;

        // 3. The old payload is unreachable now. Readers that already opened it keep reading
        //    (POSIX unlink semantics), so it is safe to remove immediately.
        self.remove_replaced(bucket, replaced).await;
        Ok(meta)
    }

    /// Reads `body` in [`CHUNK_SIZE`] chunks into a new temp file, counting and hashing as the
    /// bytes pass, enforces `expected_len`, and syncs the file. Returns the armed guard of the
    /// temp file, the size and the SHA-1 digest. Shared by puts and part uploads.
    async fn stream_to_temp<R>(
        &self,
        body: &mut R,
        expected_len: Option<u64>,
    ) -> Result<(TempGuard, u64, Vec<u8>), StoreError>
    where
        R: AsyncRead + Unpin,
    {
        let temp = TempGuard::new(self.temp_path());
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
            if let Some(expected) = expected_len {
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
        if let Some(expected) = expected_len {
            if size != expected {
                return Err(StoreError::LengthMismatch {
                    expected,
                    actual: size,
                });
            }
        }
        // Data must be on disk before any name points at it.
        file.sync_all().await?;
        Ok((temp, size, hasher.finalize().to_vec()))
    }

    /// The commit point of a put or a completion: moves the synced temp file into `blobs/`,
    /// replaces the key's sidecar atomically and updates the index. The caller holds the
    /// commit lock. Returns the entry this one replaced, whose blob the caller removes.
    async fn commit_object(
        &self,
        bucket: &BucketName,
        mut temp: TempGuard,
        meta: &ObjectMeta,
    ) -> Result<Option<Entry>, StoreError> {
        // The bucket may have been deleted while the body was streaming.
        self.ensure_bucket(bucket)?;
        let entry = Entry {
            meta: meta.clone(),
            blob: self.unique_name(),
        };
        let sidecar =
            serde_json::to_vec_pretty(&entry).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let dir = self.bucket_dir(bucket);
        let blob_path = dir.join("blobs").join(&entry.blob);
        fs::rename(temp.path(), &blob_path).await?;
        temp.disarm();
        let mut blob_guard = TempGuard::new(blob_path);
        sync_dir(&dir.join("blobs")).await?;
        self.crash_point(CrashPoint::PayloadPlaced, &mut [&mut blob_guard])?;

        let sidecar_path = dir.join("meta").join(sidecar_name(&meta.key));
        let written = self
            .write_file_atomically(&sidecar_path, &sidecar, Some(CrashPoint::MetadataWritten))
            .await;
        if let Err(e) = written {
            if matches!(e, StoreError::Crashed(_)) {
                blob_guard.disarm();
            }
            return Err(e);
        }
        blob_guard.disarm();
        let mut index = self.write_index();
        let objects = index
            .get_mut(bucket)
            .ok_or_else(|| StoreError::NoSuchBucket(bucket.to_string()))?;
        Ok(objects.insert(meta.key.clone(), entry))
    }

    async fn remove_replaced(&self, bucket: &BucketName, replaced: Option<Entry>) {
        if let Some(old) = replaced {
            let _ = fs::remove_file(self.bucket_dir(bucket).join("blobs").join(old.blob)).await;
        }
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
        self.crash_point(CrashPoint::DeleteCommitted, &mut [])?;
        self.remove_replaced(bucket, removed).await;
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

    /// Starts a multipart upload of `bucket/key` and returns its upload id. Nothing becomes
    /// visible until [`Store::complete_multipart_upload`]; `opts` is what the object will record.
    pub async fn create_multipart_upload(
        &self,
        bucket: &BucketName,
        key: &ObjectKey,
        opts: MultipartOptions,
    ) -> Result<String, StoreError> {
        validate_user_metadata(&opts.user_metadata)?;
        self.ensure_bucket(bucket)?;
        let id = self.unique_name();
        let record = UploadRecord {
            key: key.clone(),
            content_type: opts
                .content_type
                .unwrap_or_else(|| DEFAULT_CONTENT_TYPE.to_owned()),
            user_metadata: opts.user_metadata,
            created: SystemTime::now(),
        };
        let json =
            serde_json::to_vec_pretty(&record).map_err(|e| StoreError::Corrupt(e.to_string()))?;

        // Build the upload's directory in tmp/ and rename it into place, like a bucket: an
        // upload directory exists complete with its record, or not at all.
        let mut staging = TempGuard::new(self.temp_path());
        fs::create_dir_all(staging.path().join("parts")).await?;
        fs::create_dir_all(staging.path().join("data")).await?;
        let mut file = File::create(staging.path().join("upload.json")).await?;
        file.write_all(&json).await?;
        file.sync_all().await?;
        drop(file);
        sync_dir(staging.path()).await?;

        let _commit = self.inner.commit.lock().await;
        self.ensure_bucket(bucket)?;
        let uploads = self.bucket_dir(bucket).join("uploads");
        if fs::metadata(&uploads).await.is_err() {
            // A bucket created before milestone 3 has no uploads/ yet.
            fs::create_dir_all(&uploads).await?;
            sync_dir(&self.bucket_dir(bucket)).await?;
        }
        fs::rename(staging.path(), uploads.join(&id)).await?;
        staging.disarm();
        sync_dir(&uploads).await?;
        self.lock_uploads().insert(
            id.clone(),
            Upload {
                bucket: bucket.clone(),
                record,
                parts: BTreeMap::new(),
                completing: false,
            },
        );
        Ok(id)
    }

    /// Streams one part of an upload, exactly like a put streams an object (bounded chunks,
    /// incremental SHA-1, `expected_len` enforced, nothing left in `tmp/` on error or drop),
    /// and records it as the latest upload of `part_number`, replacing any earlier one.
    pub async fn upload_part<R>(
        &self,
        bucket: &BucketName,
        key: &ObjectKey,
        upload_id: &str,
        part_number: u32,
        mut body: R,
        expected_len: Option<u64>,
    ) -> Result<PartInfo, StoreError>
    where
        R: AsyncRead + Unpin,
    {
        if !(1..=MAX_PART_NUMBER).contains(&part_number) {
            return Err(StoreError::InvalidPartNumber(part_number));
        }
        self.ensure_bucket(bucket)?;
        self.with_upload(bucket, key, upload_id, |upload| {
            Self::accepting_parts(upload, upload_id)
        })?;

        let (temp, size, digest) = self.stream_to_temp(&mut body, expected_len).await?;
        let part = PartRecord {
            info: PartInfo {
                part_number,
                etag: to_hex(&digest),
                size,
                last_modified: SystemTime::now(),
            },
            blob: self.unique_name(),
        };
        let json =
            serde_json::to_vec_pretty(&part).map_err(|e| StoreError::Corrupt(e.to_string()))?;

        let replaced = {
            let _commit = self.inner.commit.lock().await;
            // The upload may have been aborted or be completing by now.
            self.with_upload(bucket, key, upload_id, |upload| {
                Self::accepting_parts(upload, upload_id)
            })?;
            let dir = self.upload_dir(bucket, upload_id);
            let mut temp = temp;
            let blob_path = dir.join("data").join(&part.blob);
            fs::rename(temp.path(), &blob_path).await?;
            temp.disarm();
            let mut blob_guard = TempGuard::new(blob_path);
            sync_dir(&dir.join("data")).await?;
            let record = dir.join("parts").join(part_file_name(part_number));
            self.write_file_atomically(&record, &json, None).await?;
            blob_guard.disarm();
            self.with_upload(bucket, key, upload_id, |upload| {
                Ok(upload.parts.insert(part_number, part.clone()))
            })?
        };
        if let Some(old) = replaced {
            let path = self
                .upload_dir(bucket, upload_id)
                .join("data")
                .join(old.blob);
            let _ = fs::remove_file(path).await;
        }
        Ok(part.info)
    }

    /// The latest upload of every part of an upload, in part number order.
    pub fn list_parts(
        &self,
        bucket: &BucketName,
        key: &ObjectKey,
        upload_id: &str,
    ) -> Result<Vec<PartInfo>, StoreError> {
        self.ensure_bucket(bucket)?;
        self.with_upload(bucket, key, upload_id, |upload| {
            Ok(upload.parts.values().map(|p| p.info.clone()).collect())
        })
    }

    /// Completes an upload: checks `parts` against the uploaded parts, then publishes their
    /// concatenation, in list order, as `bucket/key` in one atomic commit, with the ETag
    /// `hex(sha1(concat(part digests)))-N`. The upload and all its parts, listed or not, are
    /// removed. On any error nothing is published and the upload is left as it was.
    pub async fn complete_multipart_upload(
        &self,
        bucket: &BucketName,
        key: &ObjectKey,
        upload_id: &str,
        parts: &[CompletedPart],
    ) -> Result<ObjectMeta, StoreError> {
        self.ensure_bucket(bucket)?;
        // 1. Validate and freeze the part list. Under the commit lock, so that no part commit
        //    is half-way between its rename and its table update.
        let (record, chosen) = {
            let _commit = self.inner.commit.lock().await;
            self.with_upload(bucket, key, upload_id, |upload| {
                Self::accepting_parts(upload, upload_id)?;
                let chosen = self.validate_completion(upload, parts)?;
                upload.completing = true;
                Ok((upload.record.clone(), chosen))
            })?
        };
        let completing = CompletingGuard {
            store: self,
            upload_id,
        };

        // 2. Concatenate the parts into one new blob, outside every lock: this is the slow
        //    step, one copy of the data. The composite ETag needs only the part digests.
        let data = self.upload_dir(bucket, upload_id).join("data");
        let copied = self.concatenate(&data, &chosen).await;
        let (mut temp, size) = match copied {
            Ok(done) => done,
            // An abort that won the race deleted the parts under us.
            Err(_) if !self.lock_uploads().contains_key(upload_id) => {
                return Err(StoreError::NoSuchUpload(upload_id.to_owned()))
            }
            Err(e) => return Err(e),
        };
        let mut digests = Vec::with_capacity(chosen.len() * 20);
        for part in &chosen {
            digests.extend(from_hex(&part.info.etag).ok_or_else(|| {
                StoreError::Corrupt(format!(
                    "part {} has ETag {:?}",
                    part.info.part_number, part.info.etag
                ))
            })?);
        }
        self.crash_point(CrashPoint::TempWritten, &mut [&mut temp])?;
        let meta = ObjectMeta {
            key: key.clone(),
            size,
            etag: format!("{}-{}", to_hex(&Sha1::digest(&digests)), chosen.len()),
            content_type: record.content_type,
            last_modified: SystemTime::now(),
            user_metadata: record.user_metadata,
        };

        // 3. Commit the object, then retire the upload. A crash between the two leaves the
        //    upload in place beside the published object; completing it again is harmless.
        let (replaced, doomed) = {
            let _commit = self.inner.commit.lock().await;
            if !self.lock_uploads().contains_key(upload_id) {
                return Err(StoreError::NoSuchUpload(upload_id.to_owned()));
            }
            let replaced = self.commit_object(bucket, temp, &meta).await?;
            if let Err(crash) = self.crash_point(CrashPoint::Committed, &mut []) {
                std::mem::forget(completing);
                return Err(crash);
            }
            self.lock_uploads().remove(upload_id);
            let doomed = self.retire_upload_dir(bucket, upload_id).await;
            (replaced, doomed)
        };
        drop(completing);
        self.remove_replaced(bucket, replaced).await;
        if let Ok(doomed) = doomed {
            let _ = fs::remove_dir_all(doomed).await;
        }
        Ok(meta)
    }

    /// Aborts an upload: it disappears, and so do all its parts.
    pub async fn abort_multipart_upload(
        &self,
        bucket: &BucketName,
        key: &ObjectKey,
        upload_id: &str,
    ) -> Result<(), StoreError> {
        self.ensure_bucket(bucket)?;
        let doomed = {
            let _commit = self.inner.commit.lock().await;
            self.with_upload(bucket, key, upload_id, |_| Ok(()))?;
            // The rename out of uploads/ is the commit point; then forget it in memory.
            let doomed = self.retire_upload_dir(bucket, upload_id).await?;
            self.lock_uploads().remove(upload_id);
            doomed
        };
        fs::remove_dir_all(doomed).await?;
        Ok(())
    }

    /// Runs `f` on the upload `upload_id` if it exists and belongs to `bucket/key`; otherwise
    /// fails with `NoSuchUpload`. The id is only ever a lookup key here, so a hostile id never
    /// reaches the filesystem.
    fn with_upload<T>(
        &self,
        bucket: &BucketName,
        key: &ObjectKey,
        upload_id: &str,
        f: impl FnOnce(&mut Upload) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut uploads = self.lock_uploads();
        match uploads.get_mut(upload_id) {
            Some(upload) if upload.bucket == *bucket && upload.record.key == *key => f(upload),
            _ => Err(StoreError::NoSuchUpload(upload_id.to_owned())),
        }
    }

    fn accepting_parts(upload: &Upload, upload_id: &str) -> Result<(), StoreError> {
        if upload.completing {
            // S3 leaves this race undefined; the completion in progress wins.
            return Err(StoreError::NoSuchUpload(upload_id.to_owned()));
        }
        Ok(())
    }

    /// Checks a completion's part list: not empty, strictly ascending, every part uploaded with
    /// that ETag, every part but the last at least `min_part_size`. Returns the chosen parts.
    fn validate_completion(
        &self,
        upload: &Upload,
        parts: &[CompletedPart],
    ) -> Result<Vec<PartRecord>, StoreError> {
        if parts.is_empty() {
            return Err(StoreError::MalformedXml(
                "a completion must list at least one part".into(),
            ));
        }
        if parts
            .windows(2)
            .any(|w| w[0].part_number >= w[1].part_number)
        {
            return Err(StoreError::InvalidPartOrder);
        }
        let mut chosen = Vec::with_capacity(parts.len());
        for wanted in parts {
            let stored = upload
                .parts
                .get(&wanted.part_number)
                .filter(|p| {
                    p.info
                        .etag
                        .eq_ignore_ascii_case(wanted.etag.trim_matches('"'))
                })
                .ok_or(StoreError::InvalidPart(wanted.part_number))?;
            chosen.push(stored.clone());
        }
        let min_size = self.inner.config.min_part_size;
        if let Some(small) = chosen[..chosen.len() - 1]
            .iter()
            .find(|p| p.info.size < min_size)
        {
            return Err(StoreError::EntityTooSmall {
                part_number: small.info.part_number,
                size: small.info.size,
                min_size,
            });
        }
        Ok(chosen)
    }

    /// Copies the chosen parts, in order, into one new synced temp file, a chunk at a time.
    async fn concatenate(
        &self,
        data: &Path,
        parts: &[PartRecord],
    ) -> Result<(TempGuard, u64), StoreError> {
        let temp = TempGuard::new(self.temp_path());
        let mut out = File::create(temp.path()).await?;
        let mut buf = vec![0u8; CHUNK_SIZE];
        let mut total = 0u64;
        for part in parts {
            let mut file = File::open(data.join(&part.blob)).await?;
            let mut copied = 0u64;
            loop {
                let n = file.read(&mut buf).await?;
                if n == 0 {
                    break;
                }
                out.write_all(&buf[..n]).await?;
                copied += n as u64;
            }
            if copied != part.info.size {
                return Err(StoreError::Corrupt(format!(
                    "part {} holds {copied} bytes, its record says {}",
                    part.info.part_number, part.info.size
                )));
            }
            total += copied;
        }
        out.sync_all().await?;
        Ok((temp, total))
    }

    /// Moves an upload's directory out of `uploads/` into `tmp/` (one atomic rename, made
    /// durable) and returns where it went, for the caller to delete outside the commit lock.
    async fn retire_upload_dir(
        &self,
        bucket: &BucketName,
        upload_id: &str,
    ) -> Result<PathBuf, StoreError> {
        let doomed = self.temp_path();
        fs::rename(self.upload_dir(bucket, upload_id), &doomed).await?;
        sync_dir(&self.bucket_dir(bucket).join("uploads")).await?;
        Ok(doomed)
    }

    fn upload_dir(&self, bucket: &BucketName, upload_id: &str) -> PathBuf {
        self.bucket_dir(bucket).join("uploads").join(upload_id)
    }

    fn lock_uploads(&self) -> MutexGuard<'_, HashMap<String, Upload>> {
        // Every mutation is a single insert, remove or flag change: sound after a panic.
        self.inner
            .uploads
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
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

    fn check_precondition(
        &self,
        bucket: &BucketName,
        key: &ObjectKey,
        condition: &Precondition,
    ) -> Result<(), StoreError> {
        let current = match self.lookup(bucket, key) {
            Ok(entry) => Some(entry.meta.etag),
            Err(StoreError::NoSuchKey(_)) => None,
            Err(e) => return Err(e),
        };
        match (condition, current) {
            (Precondition::IfAbsent, None) => Ok(()),
            (Precondition::IfAbsent, Some(_)) => Err(StoreError::PreconditionFailed(format!(
                "{bucket}/{key} already exists"
            ))),
            (Precondition::IfMatch(_), None) => Err(StoreError::NoSuchKey(key.to_string())),
            (Precondition::IfMatch(wanted), Some(etag)) if etag_matches(wanted, &etag) => Ok(()),
            (Precondition::IfMatch(wanted), Some(etag)) => Err(StoreError::PreconditionFailed(
                format!("{bucket}/{key} has ETag {etag}, not {wanted}"),
            )),
        }
    }

    fn ensure_bucket(&self, bucket: &BucketName) -> Result<(), StoreError> {
        if self.read_index().contains_key(bucket) {
            Ok(())
        } else {
            Err(StoreError::NoSuchBucket(bucket.to_string()))
        }
    }

    /// Writes `bytes` to `dest` so that `dest` holds either its old content or all of the new.
    /// `crash` is the crash point between the temp file's sync and its rename, if any.
    async fn write_file_atomically(
        &self,
        dest: &Path,
        bytes: &[u8],
        crash: Option<CrashPoint>,
    ) -> Result<(), StoreError> {
        let mut temp = TempGuard::new(self.temp_path());
        let mut file = File::create(temp.path()).await?;
        file.write_all(bytes).await?;
        file.sync_all().await?;
        drop(file);
        if let Some(point) = crash {
            self.crash_point(point, &mut [&mut temp])?;
        }
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

/// The sidecar of one part: fixed width, so a directory listing sorts by part number.
fn part_file_name(part_number: u32) -> String {
    format!("{part_number:05}.json")
}

/// Decodes lower-case or upper-case hex; `None` for anything else.
fn from_hex(s: &str) -> Option<Vec<u8>> {
    // An odd length makes the last `get` fail, which is rejected like any bad hex.
    (0..s.len())
        .step_by(2)
        .map(|i| s.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
        .collect()
}

/// Loads the uploads in progress of one bucket from `<bucket>/uploads/`. Part payloads that no
/// part record references (a crash between a part's rename and its record, or before a
/// replaced payload was removed) are deleted.
async fn load_uploads(
    dir: &Path,
    bucket: &BucketName,
    uploads: &mut HashMap<String, Upload>,
) -> Result<usize, StoreError> {
    let mut removed = 0;
    let mut entries = match fs::read_dir(dir).await {
        Ok(entries) => entries,
        // A bucket created before milestone 3.
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e.into()),
    };
    let corrupt =
        |path: &Path, e: &dyn std::fmt::Display| StoreError::Corrupt(format!("{path:?}: {e}"));
    while let Some(upload_dir) = entries.next_entry().await? {
        let path = upload_dir.path();
        let id = upload_dir
            .file_name()
            .into_string()
            .map_err(|_| corrupt(&path, &"upload id is not UTF-8"))?;
        let bytes = fs::read(path.join("upload.json")).await?;
        let record: UploadRecord =
            serde_json::from_slice(&bytes).map_err(|e| corrupt(&path, &e))?;
        let mut parts = BTreeMap::new();
        let mut files = fs::read_dir(path.join("parts")).await?;
        while let Some(file) = files.next_entry().await? {
            let bytes = fs::read(file.path()).await?;
            let part: PartRecord =
                serde_json::from_slice(&bytes).map_err(|e| corrupt(&file.path(), &e))?;
            parts.insert(part.info.part_number, part);
        }
        let mut blobs = fs::read_dir(path.join("data")).await?;
        while let Some(blob) = blobs.next_entry().await? {
            let name = blob.file_name();
            if !parts
                .values()
                .any(|p| name.to_str() == Some(p.blob.as_str()))
            {
                fs::remove_file(blob.path()).await?;
                removed += 1;
            }
        }
        uploads.insert(
            id,
            Upload {
                bucket: bucket.clone(),
                record,
                parts,
                completing: false,
            },
        );
    }
    Ok(removed)
}

/// The names of the regular files in `dir`.
async fn list_files(dir: &Path) -> Result<Vec<String>, StoreError> {
    let mut names = Vec::new();
    let mut entries = fs::read_dir(dir).await?;
    while let Some(entry) = entries.next_entry().await? {
        if entry.file_type().await?.is_file() {
            if let Ok(name) = entry.file_name().into_string() {
                names.push(name);
            }
        }
    }
    Ok(names)
}

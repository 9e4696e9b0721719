//! Milestone 3: multipart uploads. Create an upload, stream parts in any order (a retried part
//! replaces the earlier one), list them, complete with a validated part list and the composite
//! ETag, or abort. Driven through the `Store` API and over HTTP on 127.0.0.1.
//!
//! The stores here use a small minimum part size (`StoreConfig::min_part_size`) so that the
//! tests move kilobytes, not the 5 MiB parts S3 requires.

use std::collections::BTreeMap;
use std::io;
use std::net::SocketAddr;
use std::path::Path;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use ex01_object_store::{
    http, BucketName, ByteRange, CompletedPart, ListOptions, MultipartOptions, ObjectKey, PartInfo,
    PutOptions, Store, StoreConfig, StoreError, DEFAULT_MIN_PART_SIZE, MAX_PART_NUMBER,
};
use hyper::body::to_bytes;
use hyper::client::HttpConnector;
use hyper::{Body, Client, Method, Request, Response, StatusCode};
use sha1::{Digest, Sha1};
use tokio::io::{AsyncRead, AsyncReadExt, ReadBuf};

/// The minimum part size of every store in these tests.
const MIN: usize = 4096;

fn bucket(name: &str) -> BucketName {
    BucketName::parse(name).expect("valid bucket name")
}

fn key(name: &str) -> ObjectKey {
    ObjectKey::parse(name).expect("valid key")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn sha1_hex(data: &[u8]) -> String {
    hex(&Sha1::digest(data))
}

/// The ETag of a multipart object: the hex SHA-1 of the concatenated binary SHA-1 digests of
/// its parts, in order, then `-` and the number of parts.
fn multipart_etag(parts: &[&[u8]]) -> String {
    let mut digests = Vec::new();
    for part in parts {
        digests.extend_from_slice(&Sha1::digest(part));
    }
    format!("{}-{}", sha1_hex(&digests), parts.len())
}

/// `len` bytes of a deterministic pattern; different seeds give different bytes.
fn bytes(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| ((i.wrapping_mul(131) ^ (i >> 7)) as u8).wrapping_add(seed.wrapping_mul(59)))
        .collect()
}

// The struct update keeps this compiling when milestone 4 adds fields to `StoreConfig`.
#[allow(clippy::needless_update)]
fn config() -> StoreConfig {
    StoreConfig {
        min_part_size: MIN as u64,
        ..StoreConfig::default()
    }
}

async fn store_with_bucket(dir: &Path, name: &str) -> Store {
    let store = Store::open_with(dir, config()).await.expect("open store");
    store
        .create_bucket(&bucket(name))
        .await
        .expect("create bucket");
    store
}

async fn create(store: &Store, b: &str, k: &str) -> String {
    store
        .create_multipart_upload(&bucket(b), &key(k), MultipartOptions::default())
        .await
        .expect("create multipart upload")
}

async fn upload(store: &Store, b: &str, k: &str, id: &str, n: u32, data: &[u8]) -> PartInfo {
    store
        .upload_part(&bucket(b), &key(k), id, n, data, None)
        .await
        .expect("upload part")
}

fn parts(list: &[(u32, &str)]) -> Vec<CompletedPart> {
    list.iter()
        .map(|&(part_number, etag)| CompletedPart {
            part_number,
            etag: etag.to_owned(),
        })
        .collect()
}

async fn complete(
    store: &Store,
    b: &str,
    k: &str,
    id: &str,
    list: &[(u32, &str)],
) -> Result<ex01_object_store::ObjectMeta, StoreError> {
    store
        .complete_multipart_upload(&bucket(b), &key(k), id, &parts(list))
        .await
}

async fn get_all(store: &Store, b: &str, k: &str, range: Option<ByteRange>) -> Vec<u8> {
    let mut got = store
        .get_object(&bucket(b), &key(k), range)
        .await
        .expect("get");
    let mut out = Vec::new();
    got.body.read_to_end(&mut out).await.expect("read body");
    out
}

fn numbers(parts: &[PartInfo]) -> Vec<u32> {
    parts.iter().map(|p| p.part_number).collect()
}

fn tmp_entries(root: &Path) -> usize {
    match std::fs::read_dir(root.join("tmp")) {
        Ok(dir) => dir.count(),
        Err(_) => 0,
    }
}

/// The total size of every regular file under `dir`.
fn stored_bytes(dir: &Path) -> u64 {
    let mut total = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let meta = entry.metadata().unwrap();
        if meta.is_dir() {
            total += stored_bytes(&entry.path());
        } else {
            total += meta.len();
        }
    }
    total
}

fn assert_no_such_upload<T: std::fmt::Debug>(result: Result<T, StoreError>, what: &str) {
    match result {
        Err(StoreError::NoSuchUpload(_)) => {}
        other => panic!("{what}: expected NoSuchUpload, got {other:?}"),
    }
}

fn assert_not_published(store: &Store, b: &str, k: &str) {
    assert!(
        matches!(
            store.head_object(&bucket(b), &key(k)),
            Err(StoreError::NoSuchKey(_))
        ),
        "{b}/{k} must not exist"
    );
}

/// Produces `len` bytes of `bytes(len, 9)`, records the largest read buffer it was offered,
/// and fails with a connection reset once `fail_at` bytes have been read, if set.
struct PatternReader {
    data: Vec<u8>,
    pos: usize,
    max_request: Arc<AtomicUsize>,
    fail_at: Option<usize>,
}

impl PatternReader {
    fn new(len: usize, fail_at: Option<usize>) -> Self {
        Self {
            data: bytes(len, 9),
            pos: 0,
            max_request: Arc::default(),
            fail_at,
        }
    }
}

impl AsyncRead for PatternReader {
    fn poll_read(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.max_request
            .fetch_max(buf.remaining(), Ordering::Relaxed);
        if let Some(at) = self.fail_at {
            if self.pos >= at {
                return Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::ConnectionReset,
                    "client went away",
                )));
            }
        }
        let n = buf.remaining().min(self.data.len() - self.pos).min(10_000);
        let start = self.pos;
        buf.put_slice(&self.data[start..start + n]);
        self.pos += n;
        Poll::Ready(Ok(()))
    }
}

/// Yields some bytes, then never finishes: a client that stalls mid-part.
struct StallingReader {
    sent: bool,
}

impl AsyncRead for StallingReader {
    fn poll_read(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.sent {
            return Poll::Pending;
        }
        self.sent = true;
        buf.put_slice(&[7u8; 1000]);
        Poll::Ready(Ok(()))
    }
}

#[tokio::test]
async fn parts_uploaded_out_of_order_assemble_into_the_object() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_bucket(dir.path(), "media").await;
    let (b, k) = ("media", "videos/clip.mp4");
    let mut user = BTreeMap::new();
    user.insert("camera".to_string(), "a7".to_string());
    let opts = MultipartOptions {
        content_type: Some("video/mp4".into()),
        user_metadata: user.clone(),
    };
    let id = store
        .create_multipart_upload(&bucket(b), &key(k), opts)
        .await
        .unwrap();

    let (p1, p2, p3) = (bytes(MIN + 904, 1), bytes(MIN, 2), bytes(777, 3));
    let i3 = upload(&store, b, k, &id, 3, &p3).await;
    let i1 = upload(&store, b, k, &id, 1, &p1).await;
    let i2 = upload(&store, b, k, &id, 2, &p2).await;
    for (info, n, data) in [(&i1, 1, &p1), (&i2, 2, &p2), (&i3, 3, &p3)] {
        assert_eq!(info.part_number, n);
        assert_eq!(
            info.etag,
            sha1_hex(data),
            "part {n}'s ETag is the SHA-1 of its bytes"
        );
        assert_eq!(info.size, data.len() as u64);
    }

    let listed = store.list_parts(&bucket(b), &key(k), &id).unwrap();
    assert_eq!(
        numbers(&listed),
        [1, 2, 3],
        "parts are listed by part number"
    );
    assert_eq!(listed, vec![i1.clone(), i2.clone(), i3.clone()]);

    let meta = complete(
        &store,
        b,
        k,
        &id,
        &[(1, &i1.etag), (2, &i2.etag), (3, &i3.etag)],
    )
    .await
    .unwrap();
    let whole = [p1.clone(), p2.clone(), p3.clone()].concat();
    assert_eq!(meta.key, key(k));
    assert_eq!(meta.size, whole.len() as u64);
    assert_eq!(meta.etag, multipart_etag(&[&p1, &p2, &p3]));
    assert_eq!(meta.content_type, "video/mp4");
    assert_eq!(meta.user_metadata, user);
    assert_eq!(store.head_object(&bucket(b), &key(k)).unwrap(), meta);
    assert!(
        get_all(&store, b, k, None).await == whole,
        "the object is the parts' bytes, in part order"
    );
    assert_no_such_upload(
        store.list_parts(&bucket(b), &key(k), &id),
        "a completed upload is gone",
    );
    assert_eq!(tmp_entries(dir.path()), 0);
}

#[tokio::test]
async fn the_multipart_etag_hashes_the_part_digests_and_counts_the_parts() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_bucket(dir.path(), "data").await;

    // One small part: allowed (it is the last), and its ETag still has the `-1` suffix.
    let id = create(&store, "data", "one").await;
    let only = b"0123456789".to_vec();
    let info = upload(&store, "data", "one", &id, 1, &only).await;
    let meta = complete(&store, "data", "one", &id, &[(1, &info.etag)])
        .await
        .unwrap();
    assert_eq!(meta.etag, multipart_etag(&[&only]));
    assert!(meta.etag.ends_with("-1"), "{}", meta.etag);
    assert_ne!(
        meta.etag,
        sha1_hex(&only),
        "a multipart ETag is not the hash of the object's bytes"
    );

    // Part numbers need not be contiguous: N counts the parts listed.
    let id = create(&store, "data", "gaps").await;
    let (a, b, c) = (bytes(MIN, 4), bytes(MIN + 1, 5), bytes(1, 6));
    let ea = upload(&store, "data", "gaps", &id, 2, &a).await.etag;
    let eb = upload(&store, "data", "gaps", &id, 5, &b).await.etag;
    let ec = upload(&store, "data", "gaps", &id, 9, &c).await.etag;
    let meta = complete(&store, "data", "gaps", &id, &[(2, &ea), (5, &eb), (9, &ec)])
        .await
        .unwrap();
    assert_eq!(meta.etag, multipart_etag(&[&a, &b, &c]));
    assert!(meta.etag.ends_with("-3"), "{}", meta.etag);
    assert_eq!(
        get_all(&store, "data", "gaps", None).await,
        [a, b, c].concat()
    );

    let page = store
        .list_objects(&bucket("data"), &ListOptions::default())
        .unwrap();
    let etags: Vec<_> = page.objects.iter().map(|m| m.etag.clone()).collect();
    assert_eq!(
        etags,
        [meta.etag.clone(), multipart_etag(&[&only])],
        "listings carry the multipart ETags"
    );
}

#[tokio::test]
async fn a_retried_part_replaces_the_earlier_upload_of_that_number() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_bucket(dir.path(), "data").await;
    let id = create(&store, "data", "k").await;
    let (first, old, new) = (bytes(MIN, 1), bytes(MIN, 2), bytes(600, 3));
    let e1 = upload(&store, "data", "k", &id, 1, &first).await.etag;
    let e_old = upload(&store, "data", "k", &id, 2, &old).await.etag;
    let e_new = upload(&store, "data", "k", &id, 2, &new).await.etag;
    assert_ne!(e_old, e_new);

    let listed = store.list_parts(&bucket("data"), &key("k"), &id).unwrap();
    assert_eq!(numbers(&listed), [1, 2], "a retried part is listed once");
    assert_eq!(listed[1].etag, e_new);
    assert_eq!(listed[1].size, 600);

    let err = complete(&store, "data", "k", &id, &[(1, &e1), (2, &e_old)])
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::InvalidPart(2)),
        "the replaced upload of part 2 is gone: {err:?}"
    );
    assert_not_published(&store, "data", "k");

    let meta = complete(&store, "data", "k", &id, &[(1, &e1), (2, &e_new)])
        .await
        .unwrap();
    assert_eq!(meta.etag, multipart_etag(&[&first, &new]));
    assert_eq!(
        get_all(&store, "data", "k", None).await,
        [first, new].concat()
    );
}

#[tokio::test]
async fn completing_with_a_missing_part_or_a_wrong_etag_fails_with_invalid_part() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_bucket(dir.path(), "data").await;
    let id = create(&store, "data", "k").await;
    let (p1, p2, p3) = (bytes(MIN, 1), bytes(MIN, 2), bytes(100, 3));
    let e1 = upload(&store, "data", "k", &id, 1, &p1).await.etag;
    let e2 = upload(&store, "data", "k", &id, 2, &p2).await.etag;
    let e3 = upload(&store, "data", "k", &id, 3, &p3).await.etag;
    let other = sha1_hex(b"some other bytes");

    for (list, bad) in [
        (vec![(1, &e1), (2, &e2), (4, &e3)], 4),
        (vec![(1, &e1), (2, &other), (3, &e3)], 2),
        (vec![(1, &e3), (2, &e2), (3, &e3)], 1),
    ] {
        let list: Vec<(u32, &str)> = list.iter().map(|(n, e)| (*n, e.as_str())).collect();
        match complete(&store, "data", "k", &id, &list).await {
            Err(StoreError::InvalidPart(n)) => assert_eq!(n, bad, "{list:?}"),
            other => panic!("{list:?}: expected InvalidPart({bad}), got {other:?}"),
        }
        assert_not_published(&store, "data", "k");
    }
    match complete(&store, "data", "k", &id, &[]).await {
        Err(StoreError::MalformedXml(_)) => {}
        other => panic!("an empty part list: expected MalformedXml, got {other:?}"),
    }
    assert_not_published(&store, "data", "k");
    assert!(store
        .list_objects(&bucket("data"), &ListOptions::default())
        .unwrap()
        .objects
        .is_empty());
    assert_eq!(
        numbers(&store.list_parts(&bucket("data"), &key("k"), &id).unwrap()),
        [1, 2, 3],
        "a failed completion leaves the upload as it was"
    );
    assert_eq!(tmp_entries(dir.path()), 0);

    // ETags compare case-insensitively, and the quotes clients copy from headers are ignored.
    let quoted = |e: &str| format!("\"{}\"", e.to_uppercase());
    let (q1, q2, q3) = (quoted(&e1), quoted(&e2), quoted(&e3));
    let meta = complete(&store, "data", "k", &id, &[(1, &q1), (2, &q2), (3, &q3)])
        .await
        .unwrap();
    assert_eq!(meta.etag, multipart_etag(&[&p1, &p2, &p3]));
}

#[tokio::test]
async fn parts_must_be_listed_in_strictly_ascending_order() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_bucket(dir.path(), "data").await;
    let id = create(&store, "data", "k").await;
    let (p1, p2, p3) = (bytes(MIN, 1), bytes(MIN, 2), bytes(MIN, 3));
    let e1 = upload(&store, "data", "k", &id, 1, &p1).await.etag;
    let e2 = upload(&store, "data", "k", &id, 2, &p2).await.etag;
    let e3 = upload(&store, "data", "k", &id, 3, &p3).await.etag;

    for list in [
        vec![(2, e2.as_str()), (1, &e1), (3, &e3)],
        vec![(1, e1.as_str()), (3, &e3), (2, &e2)],
        vec![(1, e1.as_str()), (2, &e2), (2, &e2), (3, &e3)],
        vec![(3, e3.as_str()), (1, &e1)],
    ] {
        match complete(&store, "data", "k", &id, &list).await {
            Err(StoreError::InvalidPartOrder) => {}
            other => panic!("{list:?}: expected InvalidPartOrder, got {other:?}"),
        }
        assert_not_published(&store, "data", "k");
    }

    // Leaving a part out is allowed: the object is made of the listed parts only.
    let meta = complete(&store, "data", "k", &id, &[(1, &e1), (3, &e3)])
        .await
        .unwrap();
    assert_eq!(meta.size, 2 * MIN as u64);
    assert_eq!(meta.etag, multipart_etag(&[&p1, &p3]));
    assert_eq!(get_all(&store, "data", "k", None).await, [p1, p3].concat());
}

#[tokio::test]
async fn every_part_but_the_last_must_reach_the_minimum_part_size() {
    assert_eq!(DEFAULT_MIN_PART_SIZE, 5 * 1024 * 1024);
    assert_eq!(StoreConfig::default().min_part_size, DEFAULT_MIN_PART_SIZE);

    let dir = tempfile::tempdir().unwrap();
    let store = store_with_bucket(dir.path(), "data").await;
    let id = create(&store, "data", "k").await;
    let (p1, p2, p3) = (bytes(MIN, 1), bytes(MIN - 1, 2), bytes(10, 3));
    let e1 = upload(&store, "data", "k", &id, 1, &p1).await.etag;
    let e2 = upload(&store, "data", "k", &id, 2, &p2).await.etag;
    let e3 = upload(&store, "data", "k", &id, 3, &p3).await.etag;
    assert_eq!(
        store
            .list_parts(&bucket("data"), &key("k"), &id)
            .unwrap()
            .len(),
        3,
        "the minimum is checked at completion, not when a part is uploaded"
    );

    match complete(&store, "data", "k", &id, &[(1, &e1), (2, &e2), (3, &e3)]).await {
        Err(StoreError::EntityTooSmall {
            part_number,
            size,
            min_size,
        }) => {
            assert_eq!(part_number, 2);
            assert_eq!(size, MIN as u64 - 1);
            assert_eq!(min_size, MIN as u64);
        }
        other => panic!("expected EntityTooSmall for part 2, got {other:?}"),
    }
    assert_not_published(&store, "data", "k");

    // The same small part is fine as the last part of the completion.
    let meta = complete(&store, "data", "k", &id, &[(1, &e1), (2, &e2)])
        .await
        .unwrap();
    assert_eq!(meta.size, (2 * MIN - 1) as u64);
    assert_eq!(get_all(&store, "data", "k", None).await, [p1, p2].concat());

    // `Store::open` uses the default: 5 MiB.
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).await.unwrap();
    store.create_bucket(&bucket("data")).await.unwrap();
    let id = create(&store, "data", "big").await;
    let (a, z) = (bytes(64 * 1024, 1), bytes(1, 2));
    let ea = upload(&store, "data", "big", &id, 1, &a).await.etag;
    let ez = upload(&store, "data", "big", &id, 2, &z).await.etag;
    match complete(&store, "data", "big", &id, &[(1, &ea), (2, &ez)]).await {
        Err(StoreError::EntityTooSmall {
            part_number: 1,
            min_size,
            ..
        }) => assert_eq!(min_size, DEFAULT_MIN_PART_SIZE),
        other => panic!("expected EntityTooSmall for part 1, got {other:?}"),
    }
}

#[tokio::test]
async fn abort_removes_the_upload_and_its_parts() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_bucket(dir.path(), "data").await;
    let before = stored_bytes(dir.path());
    let part = 16 * 1024;

    let doomed = create(&store, "data", "k").await;
    let kept = create(&store, "data", "k").await;
    assert_ne!(doomed, kept, "every upload gets its own id");
    for n in 1..=3 {
        upload(&store, "data", "k", &doomed, n, &bytes(part, n as u8)).await;
    }
    let e_kept = upload(&store, "data", "k", &kept, 1, &bytes(100, 7))
        .await
        .etag;
    assert!(stored_bytes(dir.path()) >= before + 3 * part as u64);

    store
        .abort_multipart_upload(&bucket("data"), &key("k"), &doomed)
        .await
        .unwrap();
    assert!(
        stored_bytes(dir.path()) < before + 4096,
        "abort must delete the parts' bytes: {} bytes stored, {before} before the upload",
        stored_bytes(dir.path())
    );
    assert_eq!(tmp_entries(dir.path()), 0);
    let (b, k) = (bucket("data"), key("k"));
    assert_no_such_upload(store.list_parts(&b, &k, &doomed), "list_parts after abort");
    assert_no_such_upload(
        store
            .upload_part(&b, &k, &doomed, 4, &b"late"[..], None)
            .await,
        "upload_part after abort",
    );
    assert_no_such_upload(
        complete(&store, "data", "k", &doomed, &[(1, &e_kept)]).await,
        "complete after abort",
    );
    assert_no_such_upload(
        store.abort_multipart_upload(&b, &k, &doomed).await,
        "a second abort",
    );
    assert_not_published(&store, "data", "k");

    // Another upload of the same key is untouched.
    assert_eq!(numbers(&store.list_parts(&b, &k, &kept).unwrap()), [1]);
    complete(&store, "data", "k", &kept, &[(1, &e_kept)])
        .await
        .unwrap();
    assert_eq!(get_all(&store, "data", "k", None).await, bytes(100, 7));
}

#[tokio::test]
async fn unknown_or_foreign_upload_ids_fail_with_no_such_upload() {
    let outer = tempfile::tempdir().unwrap();
    let root = outer.path().join("store");
    let store = store_with_bucket(&root, "alpha").await;
    store.create_bucket(&bucket("beta")).await.unwrap();
    let id = create(&store, "alpha", "k").await;
    upload(&store, "alpha", "k", &id, 1, b"one").await;

    // The id of another key, of the same key in another bucket, and ids that never existed
    // (some of them shaped like paths) are all unknown uploads.
    let cases = [
        ("alpha", "other", id.clone()),
        ("beta", "k", id.clone()),
        ("alpha", "k", "no-such-upload".to_string()),
        ("alpha", "k", String::new()),
        ("alpha", "k", "../../../../escape".to_string()),
        ("alpha", "k", "/absolute".to_string()),
        ("alpha", "k", format!("{id}/../{id}")),
    ];
    for (b, k, upload_id) in &cases {
        let what = format!("{b}/{k} with upload id {upload_id:?}");
        let (b_, k_) = (bucket(b), key(k));
        assert_no_such_upload(store.list_parts(&b_, &k_, upload_id), &what);
        assert_no_such_upload(
            store
                .upload_part(&b_, &k_, upload_id, 1, &b"x"[..], None)
                .await,
            &what,
        );
        assert_no_such_upload(complete(&store, b, k, upload_id, &[(1, "x")]).await, &what);
        assert_no_such_upload(
            store.abort_multipart_upload(&b_, &k_, upload_id).await,
            &what,
        );
    }
    let outside: Vec<_> = std::fs::read_dir(outer.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        outside,
        vec![std::ffi::OsString::from("store")],
        "files were created outside the store root"
    );

    // Part numbers are 1 to 10,000.
    let (b, k) = (bucket("alpha"), key("k"));
    for bad in [0, MAX_PART_NUMBER + 1] {
        match store.upload_part(&b, &k, &id, bad, &b"x"[..], None).await {
            Err(StoreError::InvalidPartNumber(n)) => assert_eq!(n, bad),
            other => panic!("part number {bad}: expected InvalidPartNumber, got {other:?}"),
        }
    }
    assert_eq!(MAX_PART_NUMBER, 10_000);
    upload(&store, "alpha", "k", &id, MAX_PART_NUMBER, b"last").await;
    assert_eq!(
        numbers(&store.list_parts(&b, &k, &id).unwrap()),
        [1, MAX_PART_NUMBER],
        "the failed calls changed nothing"
    );

    // Creating checks the bucket and the metadata like a put does.
    assert!(matches!(
        store
            .create_multipart_upload(&bucket("gamma"), &k, MultipartOptions::default())
            .await,
        Err(StoreError::NoSuchBucket(_))
    ));
    let mut bad_meta = BTreeMap::new();
    bad_meta.insert("Bad Key".to_string(), "v".to_string());
    let opts = MultipartOptions {
        user_metadata: bad_meta,
        ..MultipartOptions::default()
    };
    assert!(matches!(
        store.create_multipart_upload(&b, &k, opts).await,
        Err(StoreError::InvalidMetadata(_))
    ));
}

#[tokio::test]
async fn an_upload_stays_invisible_until_it_completes() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_bucket(dir.path(), "data").await;
    store
        .put_object(
            &bucket("data"),
            &key("k"),
            &b"old"[..],
            PutOptions::default(),
        )
        .await
        .unwrap();
    let id_k = create(&store, "data", "k").await;
    let id_new = create(&store, "data", "new").await;
    let (p1, p2) = (bytes(MIN, 1), bytes(10, 2));
    let e1 = upload(&store, "data", "k", &id_k, 1, &p1).await.etag;
    let e2 = upload(&store, "data", "k", &id_k, 2, &p2).await.etag;
    let en = upload(&store, "data", "new", &id_new, 1, &p2).await.etag;

    let listing = |store: &Store| {
        store
            .list_objects(&bucket("data"), &ListOptions::default())
            .unwrap()
            .objects
            .into_iter()
            .map(|m| (m.key.to_string(), m.etag, m.size))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        listing(&store),
        [("k".to_string(), sha1_hex(b"old"), 3)],
        "uploads in progress are not listed"
    );
    assert_not_published(&store, "data", "new");
    assert_eq!(get_all(&store, "data", "k", None).await, b"old");

    let meta = complete(&store, "data", "k", &id_k, &[(1, &e1), (2, &e2)])
        .await
        .unwrap();
    assert_eq!(
        get_all(&store, "data", "k", None).await,
        [p1, p2.clone()].concat()
    );
    assert_eq!(
        listing(&store),
        [("k".to_string(), meta.etag.clone(), meta.size)],
        "completion replaces the old object; the other upload is still invisible"
    );

    complete(&store, "data", "new", &id_new, &[(1, &en)])
        .await
        .unwrap();
    assert_eq!(listing(&store).len(), 2);
    assert_eq!(get_all(&store, "data", "new", None).await, p2);
}

#[tokio::test]
async fn range_reads_cross_part_boundaries() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_bucket(dir.path(), "data").await;
    let id = create(&store, "data", "k").await;
    let sizes = [MIN, MIN + 3, MIN, 1000];
    let mut list = Vec::new();
    let mut whole = Vec::new();
    for (i, &size) in sizes.iter().enumerate() {
        let data = bytes(size, i as u8 + 1);
        let etag = upload(&store, "data", "k", &id, i as u32 + 1, &data)
            .await
            .etag;
        list.push((i as u32 + 1, etag));
        whole.extend_from_slice(&data);
    }
    let list: Vec<(u32, &str)> = list.iter().map(|(n, e)| (*n, e.as_str())).collect();
    complete(&store, "data", "k", &id, &list).await.unwrap();
    let total = whole.len() as u64;

    let mut ranges = vec![
        (0, total - 1),
        (0, 0),
        (total - 1, total - 1),
        (10, total - 10),
    ];
    let mut boundary = 0u64;
    for &size in &sizes[..sizes.len() - 1] {
        boundary += size as u64;
        ranges.extend([
            (boundary - 1, boundary - 1),
            (boundary, boundary),
            (boundary - 1, boundary),
            (boundary - 5, boundary + 5),
            (boundary - 2, (boundary + MIN as u64 + 2).min(total - 1)),
        ]);
    }
    for (first, last) in ranges {
        let range = ByteRange::Inclusive {
            start: first,
            end: last,
        };
        let mut got = store
            .get_object(&bucket("data"), &key("k"), Some(range))
            .await
            .unwrap();
        assert_eq!(got.range, Some((first, last)));
        let mut out = Vec::new();
        got.body.read_to_end(&mut out).await.unwrap();
        assert!(
            out[..] == whole[first as usize..=last as usize],
            "bytes={first}-{last} of a multipart object"
        );
    }

    let from = MIN as u64 - 1;
    assert_eq!(
        get_all(&store, "data", "k", Some(ByteRange::From { start: from })).await,
        &whole[from as usize..]
    );
    assert_eq!(
        get_all(&store, "data", "k", Some(ByteRange::Suffix { len: 1500 })).await,
        &whole[whole.len() - 1500..]
    );
    assert_eq!(
        get_all(
            &store,
            "data",
            "k",
            Some(ByteRange::Inclusive {
                start: total - 3,
                end: total + 100
            })
        )
        .await,
        &whole[whole.len() - 3..]
    );
    assert!(matches!(
        store
            .get_object(
                &bucket("data"),
                &key("k"),
                Some(ByteRange::From { start: total })
            )
            .await,
        Err(StoreError::InvalidRange(_))
    ));
}

#[tokio::test]
async fn parts_uploaded_concurrently_assemble_in_part_number_order() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_bucket(dir.path(), "data").await;
    let id = create(&store, "data", "k").await;
    let mut tasks = Vec::new();
    // Spawned in reverse, so the later parts tend to finish first.
    for n in (1..=12u32).rev() {
        let (store, id) = (store.clone(), id.clone());
        tasks.push(tokio::spawn(async move {
            let data = bytes(MIN + n as usize * 10, n as u8);
            store
                .upload_part(&bucket("data"), &key("k"), &id, n, &data[..], None)
                .await
        }));
    }
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    let listed = store.list_parts(&bucket("data"), &key("k"), &id).unwrap();
    assert_eq!(numbers(&listed), (1..=12).collect::<Vec<_>>());
    let list: Vec<(u32, &str)> = listed
        .iter()
        .map(|p| (p.part_number, p.etag.as_str()))
        .collect();
    let meta = complete(&store, "data", "k", &id, &list).await.unwrap();
    let want: Vec<Vec<u8>> = (1..=12u32)
        .map(|n| bytes(MIN + n as usize * 10, n as u8))
        .collect();
    let refs: Vec<&[u8]> = want.iter().map(Vec::as_slice).collect();
    assert_eq!(meta.etag, multipart_etag(&refs));
    assert!(get_all(&store, "data", "k", None).await == want.concat());
}

#[tokio::test]
async fn a_failed_or_cancelled_part_upload_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_bucket(dir.path(), "data").await;
    let (b, k) = (bucket("data"), key("k"));
    let id = create(&store, "data", "k").await;

    // A part is streamed like a put: never one read of more than 1 MiB.
    let reader = PatternReader::new(2 << 20, None);
    let max_request = reader.max_request.clone();
    let good = store
        .upload_part(&b, &k, &id, 1, reader, Some(2 << 20))
        .await
        .unwrap();
    assert_eq!(good.etag, sha1_hex(&bytes(2 << 20, 9)));
    let asked = max_request.load(Ordering::Relaxed);
    assert!(
        asked <= 1 << 20,
        "a part upload asked for {asked} bytes in one read"
    );

    // A body that fails half-way does not replace the part.
    let err = store
        .upload_part(
            &b,
            &k,
            &id,
            1,
            PatternReader::new(1 << 20, Some(300_000)),
            None,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Io(_)), "{err:?}");
    // A body of the wrong length is refused.
    let err = store
        .upload_part(&b, &k, &id, 2, &b"12345"[..], Some(10))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::LengthMismatch {
                expected: 10,
                actual: 5
            }
        ),
        "{err:?}"
    );
    // A client that stalls and is dropped leaves nothing either.
    let stalled = store.upload_part(&b, &k, &id, 1, StallingReader { sent: false }, None);
    let outcome = tokio::time::timeout(Duration::from_millis(100), stalled).await;
    assert!(outcome.is_err(), "the stalled part should still be pending");

    assert_eq!(
        store.list_parts(&b, &k, &id).unwrap(),
        vec![good.clone()],
        "only the part that arrived whole is recorded"
    );
    assert_eq!(tmp_entries(dir.path()), 0, "temp files left behind in tmp/");
    complete(&store, "data", "k", &id, &[(1, &good.etag)])
        .await
        .unwrap();
    assert!(get_all(&store, "data", "k", None).await == bytes(2 << 20, 9));
}

#[tokio::test]
async fn uploads_in_progress_and_completed_objects_survive_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let mut user = BTreeMap::new();
    user.insert("owner".to_string(), "ada".to_string());
    let (p1, p2, p3) = (bytes(MIN, 1), bytes(MIN + 5, 2), bytes(33, 3));
    let (id, before) = {
        let store = store_with_bucket(dir.path(), "data").await;
        let opts = MultipartOptions {
            content_type: Some("text/csv".into()),
            user_metadata: user.clone(),
        };
        let id = store
            .create_multipart_upload(&bucket("data"), &key("report.csv"), opts)
            .await
            .unwrap();
        upload(&store, "data", "report.csv", &id, 2, &p2).await;
        upload(&store, "data", "report.csv", &id, 1, &p1).await;
        let listed = store
            .list_parts(&bucket("data"), &key("report.csv"), &id)
            .unwrap();
        (id, listed)
    };

    let meta = {
        let store = Store::open_with(dir.path(), config()).await.unwrap();
        let listed = store
            .list_parts(&bucket("data"), &key("report.csv"), &id)
            .unwrap();
        assert_eq!(listed, before, "the parts survive a restart");
        assert_not_published(&store, "data", "report.csv");
        let e3 = upload(&store, "data", "report.csv", &id, 3, &p3).await.etag;
        let list = [
            (1, listed[0].etag.as_str()),
            (2, listed[1].etag.as_str()),
            (3, e3.as_str()),
        ];
        complete(&store, "data", "report.csv", &id, &list)
            .await
            .unwrap()
    };
    assert_eq!(meta.content_type, "text/csv");
    assert_eq!(meta.user_metadata, user);

    let store = Store::open_with(dir.path(), config()).await.unwrap();
    assert_eq!(
        store
            .head_object(&bucket("data"), &key("report.csv"))
            .unwrap(),
        meta
    );
    assert_eq!(
        get_all(&store, "data", "report.csv", None).await,
        [p1, p2, p3].concat()
    );
    assert_no_such_upload(
        store.list_parts(&bucket("data"), &key("report.csv"), &id),
        "a completed upload stays gone after a restart",
    );
    assert_eq!(tmp_entries(dir.path()), 0);
}

#[tokio::test]
async fn completion_and_retries_leave_no_stale_part_data() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_bucket(dir.path(), "data").await;
    let before = stored_bytes(dir.path());
    let part = 16 * 1024;
    let id = create(&store, "data", "k").await;
    let e1 = upload(&store, "data", "k", &id, 1, &bytes(part, 1))
        .await
        .etag;
    upload(&store, "data", "k", &id, 2, &bytes(part, 2)).await;
    let e2 = upload(&store, "data", "k", &id, 2, &bytes(part, 3))
        .await
        .etag;
    upload(&store, "data", "k", &id, 3, &bytes(part, 4)).await;
    let stored = stored_bytes(dir.path());
    assert!(
        stored < before + 3 * part as u64 + 4096,
        "a replaced part's bytes must be deleted: {stored} bytes stored for 3 parts of {part}"
    );

    // Part 3 is left out: its bytes go with the upload.
    let meta = complete(&store, "data", "k", &id, &[(1, &e1), (2, &e2)])
        .await
        .unwrap();
    assert_eq!(meta.size, 2 * part as u64);
    let stored = stored_bytes(dir.path());
    assert!(
        stored < before + meta.size + 4096,
        "after completion only the object remains: {stored} bytes stored for an object of {}",
        meta.size
    );
    assert_eq!(tmp_entries(dir.path()), 0);
}

// ---------------------------------------------------------------------------------------------
// Over HTTP

struct Server {
    addr: SocketAddr,
    client: Client<HttpConnector>,
    _dir: tempfile::TempDir,
}

async fn start() -> Server {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_with(dir.path(), config()).await.unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(http::serve(store, listener));
    Server {
        addr,
        client: Client::new(),
        _dir: dir,
    }
}

impl Server {
    async fn send(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Body,
    ) -> Response<Body> {
        let mut req = Request::builder()
            .method(method)
            .uri(format!("http://{}{}", self.addr, path));
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        self.client
            .request(req.body(body).unwrap())
            .await
            .expect("request")
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        body: impl Into<Body>,
    ) -> (StatusCode, String) {
        let response = self.send(method, path, &[], body.into()).await;
        let status = response.status();
        let body = to_bytes(response.into_body()).await.unwrap();
        (status, String::from_utf8_lossy(&body).into_owned())
    }
}

fn header<'a>(response: &'a Response<Body>, name: &str) -> &'a str {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap())
        .unwrap_or_default()
}

/// Percent-encodes everything but unreserved characters, for a query parameter value.
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The text of the first `<name>` element of an XML body.
fn xml_text<'a>(xml: &'a str, name: &str) -> &'a str {
    let open = format!("<{name}>");
    let start = xml
        .find(&open)
        .unwrap_or_else(|| panic!("no <{name}> in {xml}"))
        + open.len();
    let len = xml[start..].find(&format!("</{name}>")).unwrap();
    &xml[start..start + len]
}

fn complete_body(list: &[(u32, &str)]) -> String {
    let mut xml = String::from("<CompleteMultipartUpload>");
    for (n, etag) in list {
        // Clients copy the quoted ETag header into the XML as it is.
        xml += &format!("<Part><PartNumber>{n}</PartNumber><ETag>\"{etag}\"</ETag></Part>");
    }
    xml + "</CompleteMultipartUpload>"
}

fn assert_code(status: StatusCode, body: &str, want_status: StatusCode, code: &str) {
    assert_eq!(status, want_status, "{body}");
    assert!(
        body.contains(&format!("<Code>{code}</Code>")),
        "{code}: {body}"
    );
}

#[tokio::test]
async fn multipart_upload_over_http() {
    let s = start().await;
    assert_eq!(s.call(Method::PUT, "/media", "").await.0, StatusCode::OK);
    let path = "/media/clips/a%20b.bin";

    let response = s
        .send(
            Method::POST,
            &format!("{path}?uploads"),
            &[("content-type", "video/mp4"), ("x-amz-meta-camera", "a7")],
            Body::empty(),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let body = String::from_utf8(to_bytes(response.into_body()).await.unwrap().to_vec()).unwrap();
    assert!(body.contains("<InitiateMultipartUploadResult"), "{body}");
    assert_eq!(xml_text(&body, "Bucket"), "media");
    assert_eq!(xml_text(&body, "Key"), "clips/a b.bin");
    let id = xml_text(&body, "UploadId").to_owned();
    assert!(!id.is_empty());
    let query = |extra: &str| format!("{path}?{extra}uploadId={}", encode(&id));

    let (p1, p2, p3) = (bytes(MIN + 10, 1), bytes(MIN, 2), bytes(500, 3));
    for (n, data) in [(2, &p2), (3, &p3), (1, &p1)] {
        let response = s
            .send(
                Method::PUT,
                &query(&format!("partNumber={n}&")),
                &[],
                Body::from(data.clone()),
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK, "part {n}");
        assert_eq!(header(&response, "etag"), format!("\"{}\"", sha1_hex(data)));
    }

    let (_, listing) = s.call(Method::GET, "/media?list-type=2", "").await;
    assert!(
        !listing.contains("<Contents>"),
        "an upload in progress is not listed: {listing}"
    );

    let (status, body) = s.call(Method::GET, &query(""), "").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("<ListPartsResult"), "{body}");
    assert_eq!(xml_text(&body, "UploadId"), id);
    let listed: Vec<(String, String, String)> = body
        .split("<Part>")
        .skip(1)
        .map(|part| {
            (
                xml_text(part, "PartNumber").to_owned(),
                xml_text(part, "ETag").to_owned(),
                xml_text(part, "Size").to_owned(),
            )
        })
        .collect();
    assert_eq!(listed.len(), 3, "{body}");
    for ((number, etag, size), (n, data)) in listed.iter().zip([(1, &p1), (2, &p2), (3, &p3)]) {
        assert_eq!(number, &n.to_string());
        assert!(etag.contains(&sha1_hex(data)), "part {n}: {etag}");
        assert_eq!(size, &data.len().to_string());
    }

    let (e1, e2, e3) = (sha1_hex(&p1), sha1_hex(&p2), sha1_hex(&p3));
    let (status, body) = s
        .call(
            Method::POST,
            &query(""),
            complete_body(&[(1, &e1), (2, &e2), (3, &e3)]),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("<CompleteMultipartUploadResult"), "{body}");
    let etag = multipart_etag(&[&p1, &p2, &p3]);
    assert!(xml_text(&body, "ETag").contains(&etag), "{body}");
    assert_eq!(xml_text(&body, "Key"), "clips/a b.bin");

    let whole = [p1, p2, p3].concat();
    let response = s.send(Method::GET, path, &[], Body::empty()).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, "etag"), format!("\"{etag}\""));
    assert_eq!(header(&response, "content-type"), "video/mp4");
    assert_eq!(header(&response, "x-amz-meta-camera"), "a7");
    assert_eq!(header(&response, "content-length"), whole.len().to_string());
    assert!(to_bytes(response.into_body()).await.unwrap()[..] == whole[..]);

    let (first, last) = (MIN as u64, 2 * MIN as u64 + 20);
    let response = s
        .send(
            Method::GET,
            path,
            &[("range", &format!("bytes={first}-{last}"))],
            Body::empty(),
        )
        .await;
    assert_eq!(response.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        header(&response, "content-range"),
        format!("bytes {first}-{last}/{}", whole.len())
    );
    assert!(
        to_bytes(response.into_body()).await.unwrap()[..] == whole[first as usize..=last as usize]
    );

    let (_, listing) = s.call(Method::GET, "/media?list-type=2", "").await;
    assert!(listing.contains("<Key>clips/a b.bin</Key>"), "{listing}");
    assert!(listing.contains(&etag), "{listing}");
    let (status, body) = s.call(Method::GET, &query(""), "").await;
    assert_code(status, &body, StatusCode::NOT_FOUND, "NoSuchUpload");
}

#[tokio::test]
async fn multipart_errors_over_http() {
    let s = start().await;
    s.call(Method::PUT, "/data", "").await;
    let (status, body) = s.call(Method::POST, "/data/k?uploads", "").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let id = xml_text(&body, "UploadId").to_owned();
    let query = |extra: &str| format!("/data/k?{extra}uploadId={}", encode(&id));
    let (p1, p2, p3) = (bytes(MIN, 1), bytes(10, 2), bytes(MIN, 3));
    for (n, data) in [(1, &p1), (2, &p2), (3, &p3)] {
        let (status, body) = s
            .call(
                Method::PUT,
                &query(&format!("partNumber={n}&")),
                data.clone(),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "part {n}: {body}");
    }
    let (e1, e2, e3) = (sha1_hex(&p1), sha1_hex(&p2), sha1_hex(&p3));
    let wrong = sha1_hex(b"wrong");

    for (body, code) in [
        (complete_body(&[(1, &wrong), (2, &e2)]), "InvalidPart"),
        (complete_body(&[(1, &e1), (4, &e2)]), "InvalidPart"),
        (complete_body(&[(2, &e2), (1, &e1)]), "InvalidPartOrder"),
        (
            complete_body(&[(1, &e1), (2, &e2), (3, &e3)]),
            "EntityTooSmall",
        ),
        ("this is not XML".to_string(), "MalformedXML"),
        (
            "<CompleteMultipartUpload></CompleteMultipartUpload>".to_string(),
            "MalformedXML",
        ),
    ] {
        let (status, response) = s.call(Method::POST, &query(""), body).await;
        assert_code(status, &response, StatusCode::BAD_REQUEST, code);
    }
    for bad in ["0", "10001", "abc"] {
        let (status, body) = s
            .call(Method::PUT, &query(&format!("partNumber={bad}&")), "x")
            .await;
        assert_code(status, &body, StatusCode::BAD_REQUEST, "InvalidArgument");
    }
    let (status, body) = s.call(Method::GET, "/data/k", "").await;
    assert_code(status, &body, StatusCode::NOT_FOUND, "NoSuchKey");

    let unknown = "/data/k?uploadId=nope";
    let foreign = format!("/data/other?uploadId={}", encode(&id));
    for (method, path, body) in [
        (
            Method::PUT,
            "/data/k?partNumber=1&uploadId=nope",
            "x".to_string(),
        ),
        (Method::GET, unknown, String::new()),
        (Method::POST, unknown, complete_body(&[(1, &e1)])),
        (Method::DELETE, unknown, String::new()),
        (Method::GET, foreign.as_str(), String::new()),
    ] {
        let (status, response) = s.call(method.clone(), path, body).await;
        assert_code(status, &response, StatusCode::NOT_FOUND, "NoSuchUpload");
    }

    // The upload is still intact after all that, and a correct completion works.
    let (status, body) = s
        .call(
            Method::POST,
            &query(""),
            complete_body(&[(1, &e1), (2, &e2)]),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let (_, body) = s.call(Method::POST, "/data/k2?uploads", "").await;
    let id2 = xml_text(&body, "UploadId").to_owned();
    let abort = format!("/data/k2?uploadId={}", encode(&id2));
    let (status, _) = s
        .call(
            Method::PUT,
            &format!("/data/k2?partNumber=1&uploadId={}", encode(&id2)),
            "x",
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        s.call(Method::DELETE, &abort, "").await.0,
        StatusCode::NO_CONTENT
    );
    let (status, body) = s.call(Method::DELETE, &abort, "").await;
    assert_code(status, &body, StatusCode::NOT_FOUND, "NoSuchUpload");
    let (status, body) = s.call(Method::GET, &abort, "").await;
    assert_code(status, &body, StatusCode::NOT_FOUND, "NoSuchUpload");

    let (status, body) = s.call(Method::POST, "/nope/k?uploads", "").await;
    assert_code(status, &body, StatusCode::NOT_FOUND, "NoSuchBucket");
}

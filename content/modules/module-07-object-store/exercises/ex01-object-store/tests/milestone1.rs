//! Milestone 1: the storage engine. Buckets, validated names, streaming puts, atomic commits,
//! range reads, listings with prefix/delimiter/pagination, and persistence across reopen.

use std::collections::BTreeMap;
use std::io;
use std::path::Path;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use ex01_object_store::{
    BucketName, ByteRange, ListOptions, ObjectKey, PutOptions, Store, StoreError,
};
use sha1::{Digest, Sha1};
use tokio::io::{AsyncRead, AsyncReadExt, ReadBuf};

fn bucket(name: &str) -> BucketName {
    BucketName::parse(name).expect("valid bucket name")
}

fn key(name: &str) -> ObjectKey {
    ObjectKey::parse(name).expect("valid key")
}

fn sha1_hex(data: &[u8]) -> String {
    Sha1::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

async fn store_with_bucket(dir: &Path, name: &str) -> Store {
    let store = Store::open(dir).await.expect("open store");
    store
        .create_bucket(&bucket(name))
        .await
        .expect("create bucket");
    store
}

async fn put(store: &Store, b: &str, k: &str, data: &[u8]) {
    store
        .put_object(&bucket(b), &key(k), data, PutOptions::default())
        .await
        .expect("put");
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

fn tmp_entries(root: &Path) -> usize {
    match std::fs::read_dir(root.join("tmp")) {
        Ok(dir) => dir.count(),
        Err(_) => 0,
    }
}

/// Produces `len` bytes of a deterministic pattern and records the largest read buffer it was
/// offered, so a test can tell streaming from whole-body buffering.
struct PatternReader {
    len: usize,
    pos: usize,
    max_request: Arc<AtomicUsize>,
    fail_at: Option<usize>,
}

fn pattern_byte(i: usize) -> u8 {
    (i.wrapping_mul(31) ^ (i >> 9)) as u8
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
        let n = buf.remaining().min(self.len - self.pos).min(10_000);
        let start = self.pos;
        let chunk: Vec<u8> = (start..start + n).map(pattern_byte).collect();
        buf.put_slice(&chunk);
        self.pos += n;
        Poll::Ready(Ok(()))
    }
}

/// Yields some bytes, then never finishes: models a client that stalls mid-upload.
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

#[test]
fn bucket_names_are_validated() {
    for ok in ["abc", "my-bucket", "logs.2024", "a1b", &"x".repeat(63)] {
        assert!(BucketName::parse(ok).is_ok(), "{ok} should be valid");
    }
    for bad in [
        "ab",
        "",
        "My-Bucket",
        "-abc",
        "abc-",
        "a..b",
        "has space",
        "a/b",
        "..",
        &"x".repeat(64),
    ] {
        assert!(
            matches!(
                BucketName::parse(bad),
                Err(StoreError::InvalidBucketName(..))
            ),
            "{bad:?} should be rejected"
        );
    }
}

#[test]
fn object_keys_are_opaque_but_bounded() {
    for ok in [
        "a",
        "photos/2024/cat.jpg",
        "../../etc/passwd",
        "a//b",
        "spaces are fine",
        "ünïcödé",
        &"k".repeat(1024),
    ] {
        assert!(ObjectKey::parse(ok).is_ok(), "{ok:?} should be a valid key");
    }
    for bad in ["", "nul\0byte", &"k".repeat(1025)] {
        assert!(
            matches!(ObjectKey::parse(bad), Err(StoreError::InvalidKey(_))),
            "{bad:?} should be rejected"
        );
    }
}

#[tokio::test]
async fn bucket_lifecycle() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).await.unwrap();
    assert!(store.list_buckets().is_empty());

    store.create_bucket(&bucket("zeta")).await.unwrap();
    store.create_bucket(&bucket("alpha")).await.unwrap();
    assert_eq!(store.list_buckets(), vec![bucket("alpha"), bucket("zeta")]);
    assert!(matches!(
        store.create_bucket(&bucket("alpha")).await,
        Err(StoreError::BucketAlreadyExists(_))
    ));

    put(&store, "alpha", "k", b"v").await;
    assert!(matches!(
        store.delete_bucket(&bucket("alpha")).await,
        Err(StoreError::BucketNotEmpty(_))
    ));
    assert!(store
        .delete_object(&bucket("alpha"), &key("k"))
        .await
        .unwrap());
    assert!(
        !store
            .delete_object(&bucket("alpha"), &key("k"))
            .await
            .unwrap(),
        "second delete is a no-op"
    );
    store.delete_bucket(&bucket("alpha")).await.unwrap();
    assert_eq!(store.list_buckets(), vec![bucket("zeta")]);
    assert!(matches!(
        store.delete_bucket(&bucket("alpha")).await,
        Err(StoreError::NoSuchBucket(_))
    ));
}

#[tokio::test]
async fn missing_buckets_and_keys_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_bucket(dir.path(), "data").await;
    let err = store
        .put_object(&bucket("nope"), &key("k"), &b"x"[..], PutOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NoSuchBucket(_)), "{err:?}");
    assert!(matches!(
        store.head_object(&bucket("data"), &key("k")),
        Err(StoreError::NoSuchKey(_))
    ));
    assert!(matches!(
        store.get_object(&bucket("data"), &key("k"), None).await,
        Err(StoreError::NoSuchKey(_))
    ));
    assert!(matches!(
        store.list_objects(&bucket("nope"), &ListOptions::default()),
        Err(StoreError::NoSuchBucket(_))
    ));
}

#[tokio::test]
async fn put_get_head_round_trip_with_metadata() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_bucket(dir.path(), "data").await;
    let body = b"hello, object store".to_vec();
    let mut user = BTreeMap::new();
    user.insert("owner".to_string(), "team-storage".to_string());
    let opts = PutOptions {
        content_type: Some("text/plain".into()),
        user_metadata: user.clone(),
        expected_len: Some(body.len() as u64),
        expected_etag: Some(sha1_hex(&body).to_uppercase()),
    };
    let meta = store
        .put_object(&bucket("data"), &key("greeting.txt"), &body[..], opts)
        .await
        .unwrap();
    assert_eq!(meta.key, key("greeting.txt"));
    assert_eq!(meta.size, body.len() as u64);
    assert_eq!(meta.etag, sha1_hex(&body));
    assert_eq!(meta.content_type, "text/plain");
    assert_eq!(meta.user_metadata, user);

    assert_eq!(
        store
            .head_object(&bucket("data"), &key("greeting.txt"))
            .unwrap(),
        meta
    );
    let got = store
        .get_object(&bucket("data"), &key("greeting.txt"), None)
        .await
        .unwrap();
    assert_eq!(got.meta, meta);
    assert_eq!(got.range, None);
    assert_eq!(get_all(&store, "data", "greeting.txt", None).await, body);

    // Defaults.
    let meta = store
        .put_object(
            &bucket("data"),
            &key("empty"),
            &b""[..],
            PutOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(meta.size, 0);
    assert_eq!(meta.etag, sha1_hex(b""));
    assert_eq!(meta.content_type, "application/octet-stream");
    assert!(get_all(&store, "data", "empty", None).await.is_empty());
}

#[tokio::test]
async fn invalid_user_metadata_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_bucket(dir.path(), "data").await;
    for (k, v) in [
        ("Upper", "x"),
        ("", "x"),
        ("sp ace", "x"),
        ("ok", "line\nbreak"),
    ] {
        let mut user = BTreeMap::new();
        user.insert(k.to_string(), v.to_string());
        let opts = PutOptions {
            user_metadata: user,
            ..PutOptions::default()
        };
        let err = store
            .put_object(&bucket("data"), &key("k"), &b"x"[..], opts)
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::InvalidMetadata(_)),
            "{k:?}={v:?}: {err:?}"
        );
    }
    let mut user = BTreeMap::new();
    user.insert("big".to_string(), "v".repeat(3000));
    let opts = PutOptions {
        user_metadata: user,
        ..PutOptions::default()
    };
    let err = store
        .put_object(&bucket("data"), &key("k"), &b"x"[..], opts)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::InvalidMetadata(_)), "{err:?}");
    assert!(matches!(
        store.head_object(&bucket("data"), &key("k")),
        Err(StoreError::NoSuchKey(_))
    ));
}

#[tokio::test]
async fn large_bodies_are_streamed_in_bounded_chunks() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_bucket(dir.path(), "big").await;
    let len = 8 * 1024 * 1024 + 123;
    let max_request = Arc::new(AtomicUsize::new(0));
    let reader = PatternReader {
        len,
        pos: 0,
        max_request: max_request.clone(),
        fail_at: None,
    };
    let opts = PutOptions {
        expected_len: Some(len as u64),
        ..PutOptions::default()
    };
    let meta = store
        .put_object(&bucket("big"), &key("blob.bin"), reader, opts)
        .await
        .unwrap();

    let largest = max_request.load(Ordering::Relaxed);
    assert!(largest > 0);
    assert!(
        largest <= 1024 * 1024,
        "put asked for {largest} bytes at once; stream in chunks of at most 1 MiB"
    );

    let expected: Vec<u8> = (0..len).map(pattern_byte).collect();
    assert_eq!(meta.size, len as u64);
    assert_eq!(meta.etag, sha1_hex(&expected));
    let got = get_all(&store, "big", "blob.bin", None).await;
    assert!(got == expected, "payload differs after round trip");
}

#[tokio::test]
async fn range_reads() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_bucket(dir.path(), "data").await;
    let body: Vec<u8> = (0..100u8).collect();
    put(&store, "data", "r", &body).await;

    let cases = [
        (ByteRange::Inclusive { start: 0, end: 0 }, 0..1),
        (ByteRange::Inclusive { start: 10, end: 19 }, 10..20),
        (
            ByteRange::Inclusive {
                start: 90,
                end: 1000,
            },
            90..100,
        ),
        (ByteRange::From { start: 95 }, 95..100),
        (ByteRange::Suffix { len: 3 }, 97..100),
        (ByteRange::Suffix { len: 500 }, 0..100),
    ];
    for (range, want) in cases {
        let got = store
            .get_object(&bucket("data"), &key("r"), Some(range))
            .await
            .unwrap();
        assert_eq!(
            got.range,
            Some((want.start as u64, want.end as u64 - 1)),
            "{range:?}"
        );
        assert_eq!(
            get_all(&store, "data", "r", Some(range)).await,
            body[want].to_vec(),
            "{range:?}"
        );
    }
    for bad in [
        ByteRange::From { start: 100 },
        ByteRange::Inclusive {
            start: 100,
            end: 200,
        },
        ByteRange::Suffix { len: 0 },
    ] {
        assert!(
            matches!(
                store
                    .get_object(&bucket("data"), &key("r"), Some(bad))
                    .await,
                Err(StoreError::InvalidRange(_))
            ),
            "{bad:?} should be unsatisfiable"
        );
    }
}

#[test]
fn range_headers_parse_and_resolve() {
    assert_eq!(
        ByteRange::parse("bytes=0-499").unwrap(),
        ByteRange::Inclusive { start: 0, end: 499 }
    );
    assert_eq!(
        ByteRange::parse("bytes=500-").unwrap(),
        ByteRange::From { start: 500 }
    );
    assert_eq!(
        ByteRange::parse("bytes=-200").unwrap(),
        ByteRange::Suffix { len: 200 }
    );
    for bad in [
        "0-10",
        "bytes=",
        "bytes=-",
        "bytes=5-2",
        "bytes=a-b",
        "bytes=0-1,4-5",
        "items=0-1",
    ] {
        assert!(
            matches!(ByteRange::parse(bad), Err(StoreError::InvalidRange(_))),
            "{bad:?} should not parse"
        );
    }
    assert_eq!(
        ByteRange::Inclusive { start: 0, end: 0 }
            .resolve(10)
            .unwrap(),
        (0, 0)
    );
    assert_eq!(
        ByteRange::Inclusive { start: 5, end: 50 }
            .resolve(10)
            .unwrap(),
        (5, 9)
    );
    assert_eq!(ByteRange::Suffix { len: 4 }.resolve(10).unwrap(), (6, 9));
    assert_eq!(ByteRange::From { start: 9 }.resolve(10).unwrap(), (9, 9));
    assert!(ByteRange::From { start: 10 }.resolve(10).is_err());
    assert!(
        ByteRange::Suffix { len: 1 }.resolve(0).is_err(),
        "nothing is satisfiable in an empty object"
    );
}

fn names(page: &ex01_object_store::ListPage) -> Vec<String> {
    page.objects.iter().map(|m| m.key.to_string()).collect()
}

#[tokio::test]
async fn listing_with_prefix_and_delimiter() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_bucket(dir.path(), "photos").await;
    for k in [
        "2023/a.jpg",
        "2023/b.jpg",
        "2024/jan/c.jpg",
        "2024/d.jpg",
        "readme",
        "2024/jan/e.jpg",
        "20xx",
    ] {
        put(&store, "photos", k, k.as_bytes()).await;
    }
    let b = bucket("photos");

    let all = store.list_objects(&b, &ListOptions::default()).unwrap();
    assert_eq!(
        names(&all),
        [
            "2023/a.jpg",
            "2023/b.jpg",
            "2024/d.jpg",
            "2024/jan/c.jpg",
            "2024/jan/e.jpg",
            "20xx",
            "readme"
        ]
    );
    assert!(all.common_prefixes.is_empty());
    assert_eq!(all.next_continuation_token, None);
    assert_eq!(all.objects[0].size, "2023/a.jpg".len() as u64);

    let top = store
        .list_objects(
            &b,
            &ListOptions {
                delimiter: Some("/".into()),
                ..ListOptions::default()
            },
        )
        .unwrap();
    assert_eq!(names(&top), ["20xx", "readme"]);
    assert_eq!(top.common_prefixes, ["2023/", "2024/"]);

    let in_2024 = store
        .list_objects(
            &b,
            &ListOptions {
                prefix: "2024/".into(),
                delimiter: Some("/".into()),
                ..ListOptions::default()
            },
        )
        .unwrap();
    assert_eq!(names(&in_2024), ["2024/d.jpg"]);
    assert_eq!(in_2024.common_prefixes, ["2024/jan/"]);

    let prefixed = store
        .list_objects(
            &b,
            &ListOptions {
                prefix: "2024/jan".into(),
                ..ListOptions::default()
            },
        )
        .unwrap();
    assert_eq!(names(&prefixed), ["2024/jan/c.jpg", "2024/jan/e.jpg"]);

    let none = store
        .list_objects(
            &b,
            &ListOptions {
                prefix: "zzz".into(),
                ..ListOptions::default()
            },
        )
        .unwrap();
    assert!(none.objects.is_empty() && none.common_prefixes.is_empty());
}

#[tokio::test]
async fn pagination_visits_every_entry_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_bucket(dir.path(), "pages").await;
    let mut keys: Vec<String> = (0..23).map(|i| format!("k{i:02}")).collect();
    keys.extend(["dir/1", "dir/2", "dir/3", "other/x", "z"].map(String::from));
    for k in &keys {
        put(&store, "pages", k, b"x").await;
    }
    keys.sort();
    let b = bucket("pages");

    for max_keys in [1, 2, 5, 1000] {
        let mut seen = Vec::new();
        let mut token = None;
        let mut pages = 0;
        loop {
            let opts = ListOptions {
                max_keys,
                continuation_token: token.clone(),
                ..ListOptions::default()
            };
            let page = store.list_objects(&b, &opts).unwrap();
            assert!(page.objects.len() <= max_keys);
            seen.extend(names(&page));
            pages += 1;
            match page.next_continuation_token {
                Some(t) => token = Some(t),
                None => break,
            }
            assert!(pages < 100, "pagination does not terminate");
        }
        assert_eq!(seen, keys, "max_keys = {max_keys}");
    }

    // With a delimiter, common prefixes count toward max_keys and are never repeated.
    let mut objects = Vec::new();
    let mut prefixes = Vec::new();
    let mut token = None;
    loop {
        let opts = ListOptions {
            delimiter: Some("/".into()),
            max_keys: 2,
            continuation_token: token.clone(),
            ..ListOptions::default()
        };
        let page = store.list_objects(&b, &opts).unwrap();
        assert!(page.objects.len() + page.common_prefixes.len() <= 2);
        objects.extend(names(&page));
        prefixes.extend(page.common_prefixes);
        match page.next_continuation_token {
            Some(t) => token = Some(t),
            None => break,
        }
    }
    assert_eq!(prefixes, ["dir/", "other/"]);
    let flat: Vec<String> = keys.iter().filter(|k| !k.contains('/')).cloned().collect();
    assert_eq!(objects, flat);

    let bad = ListOptions {
        continuation_token: Some("not a token!".into()),
        ..ListOptions::default()
    };
    assert!(matches!(
        store.list_objects(&b, &bad),
        Err(StoreError::InvalidToken)
    ));
}

#[tokio::test]
async fn overwrite_replaces_the_whole_object() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_bucket(dir.path(), "data").await;
    put(&store, "data", "k", b"first version, rather long").await;
    put(&store, "data", "k", b"second").await;
    assert_eq!(get_all(&store, "data", "k", None).await, b"second");
    assert_eq!(
        store.head_object(&bucket("data"), &key("k")).unwrap().size,
        6
    );
    assert_eq!(
        store
            .list_objects(&bucket("data"), &ListOptions::default())
            .unwrap()
            .objects
            .len(),
        1
    );
}

#[tokio::test]
async fn an_open_reader_survives_overwrite_and_delete() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_bucket(dir.path(), "data").await;
    let old = vec![1u8; 300_000];
    put(&store, "data", "k", &old).await;
    let mut reading = store
        .get_object(&bucket("data"), &key("k"), None)
        .await
        .unwrap();
    put(&store, "data", "k", b"new").await;
    store
        .delete_object(&bucket("data"), &key("k"))
        .await
        .unwrap();
    let mut out = Vec::new();
    reading.body.read_to_end(&mut out).await.unwrap();
    assert!(
        out == old,
        "a reader that opened the old version must see all of it"
    );
}

#[tokio::test]
async fn a_failing_body_commits_nothing_and_cleans_up() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_bucket(dir.path(), "data").await;
    put(&store, "data", "k", b"original").await;

    let reader = PatternReader {
        len: 1 << 20,
        pos: 0,
        max_request: Arc::default(),
        fail_at: Some(200_000),
    };
    let err = store
        .put_object(&bucket("data"), &key("k"), reader, PutOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Io(_)), "{err:?}");
    assert_eq!(get_all(&store, "data", "k", None).await, b"original");
    assert_eq!(tmp_entries(dir.path()), 0, "temp file left behind in tmp/");

    let reader = PatternReader {
        len: 1 << 20,
        pos: 0,
        max_request: Arc::default(),
        fail_at: Some(200_000),
    };
    let err = store
        .put_object(&bucket("data"), &key("new"), reader, PutOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Io(_)), "{err:?}");
    assert!(matches!(
        store.head_object(&bucket("data"), &key("new")),
        Err(StoreError::NoSuchKey(_))
    ));
    assert_eq!(tmp_entries(dir.path()), 0);
}

#[tokio::test]
async fn declared_length_and_checksum_are_enforced() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_bucket(dir.path(), "data").await;
    let b = bucket("data");

    let short = PutOptions {
        expected_len: Some(10),
        ..PutOptions::default()
    };
    let err = store
        .put_object(&b, &key("short"), &b"12345"[..], short)
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

    let long = PutOptions {
        expected_len: Some(3),
        ..PutOptions::default()
    };
    let err = store
        .put_object(&b, &key("long"), &b"12345"[..], long)
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::LengthMismatch { expected: 3, .. }),
        "{err:?}"
    );

    let wrong = PutOptions {
        expected_etag: Some(sha1_hex(b"something else")),
        ..PutOptions::default()
    };
    let err = store
        .put_object(&b, &key("sum"), &b"12345"[..], wrong)
        .await
        .unwrap_err();
    match err {
        StoreError::ChecksumMismatch { actual, .. } => assert_eq!(actual, sha1_hex(b"12345")),
        other => panic!("expected ChecksumMismatch, got {other:?}"),
    }

    assert!(store
        .list_objects(&b, &ListOptions::default())
        .unwrap()
        .objects
        .is_empty());
    assert_eq!(tmp_entries(dir.path()), 0);
}

#[tokio::test]
async fn a_cancelled_upload_leaves_no_trace() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_bucket(dir.path(), "data").await;
    let (b, k) = (bucket("data"), key("stalled"));
    let upload = store.put_object(
        &b,
        &k,
        StallingReader { sent: false },
        PutOptions::default(),
    );
    let outcome = tokio::time::timeout(Duration::from_millis(100), upload).await;
    assert!(
        outcome.is_err(),
        "the stalled upload should still be pending"
    );
    assert!(matches!(
        store.head_object(&bucket("data"), &key("stalled")),
        Err(StoreError::NoSuchKey(_))
    ));
    assert_eq!(
        tmp_entries(dir.path()),
        0,
        "dropping the put future must remove its temp file"
    );
}

#[tokio::test]
async fn everything_survives_a_reopen_and_stale_temp_files_are_removed() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = store_with_bucket(dir.path(), "keep").await;
        store.create_bucket(&bucket("empty")).await.unwrap();
        let mut user = BTreeMap::new();
        user.insert("color".to_string(), "blue".to_string());
        let opts = PutOptions {
            content_type: Some("image/png".into()),
            user_metadata: user,
            ..PutOptions::default()
        };
        store
            .put_object(&bucket("keep"), &key("a/b.png"), &b"png bytes"[..], opts)
            .await
            .unwrap();
        put(&store, "keep", "z", b"zzz").await;
    }
    // Simulate a crash mid-upload: a temp file nobody will ever commit.
    std::fs::create_dir_all(dir.path().join("tmp")).unwrap();
    std::fs::write(
        dir.path().join("tmp").join("crashed-upload.tmp"),
        b"partial",
    )
    .unwrap();

    let store = Store::open(dir.path()).await.unwrap();
    assert_eq!(tmp_entries(dir.path()), 0);
    assert_eq!(store.list_buckets(), vec![bucket("empty"), bucket("keep")]);
    let meta = store.head_object(&bucket("keep"), &key("a/b.png")).unwrap();
    assert_eq!(meta.content_type, "image/png");
    assert_eq!(
        meta.user_metadata.get("color").map(String::as_str),
        Some("blue")
    );
    assert_eq!(meta.etag, sha1_hex(b"png bytes"));
    assert_eq!(get_all(&store, "keep", "a/b.png", None).await, b"png bytes");
    let page = store
        .list_objects(&bucket("keep"), &ListOptions::default())
        .unwrap();
    assert_eq!(names(&page), ["a/b.png", "z"]);
}

#[tokio::test]
async fn hostile_keys_never_escape_the_root() {
    let outer = tempfile::tempdir().unwrap();
    let root = outer.path().join("store");
    let store = store_with_bucket(&root, "data").await;
    let hostile = [
        "../../escape",
        "/absolute",
        "a/../../b",
        "..",
        "CON",
        "x".repeat(1024).as_str(),
    ]
    .map(String::from);
    for k in &hostile {
        put(&store, "data", k, k.as_bytes()).await;
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
    for k in &hostile {
        assert_eq!(get_all(&store, "data", k, None).await, k.as_bytes());
    }
}

#[tokio::test]
async fn concurrent_uploads_from_many_tasks() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_bucket(dir.path(), "data").await;
    let mut tasks = Vec::new();
    for i in 0..16 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let body = vec![i as u8; 50_000 + i * 1000];
            store
                .put_object(
                    &bucket("data"),
                    &key(&format!("obj-{i:02}")),
                    &body[..],
                    PutOptions::default(),
                )
                .await
        }));
    }
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    let page = store
        .list_objects(&bucket("data"), &ListOptions::default())
        .unwrap();
    assert_eq!(page.objects.len(), 16);
    for (i, meta) in page.objects.iter().enumerate() {
        assert_eq!(meta.size, 50_000 + i as u64 * 1000);
    }
}

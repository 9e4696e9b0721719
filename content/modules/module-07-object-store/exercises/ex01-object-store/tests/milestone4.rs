//! Milestone 4: crash safety and garbage collection.
//!
//! A crash is injected with `StoreConfig::crash_at`: the first commit that reaches that point
//! stops dead, as if the process were killed there, and leaves the disk as it is. The tests then
//! drop that store, reopen the directory and check the invariants: every key holds its old
//! object or its new one, whole, and recovery leaves exactly the files a clean store holding the
//! same objects has. `Store::gc` must remove orphaned payloads and expired uploads while the
//! store serves traffic, and never a live payload.

use std::path::Path;
use std::time::Duration;

use ex01_object_store::{
    BucketName, CompletedPart, CrashPoint, GcReport, MultipartOptions, ObjectKey, PutOptions,
    Store, StoreConfig, StoreError,
};
use sha1::{Digest, Sha1};
use tokio::io::AsyncReadExt;

const MIN: usize = 4096;

const PUT_POINTS: [CrashPoint; 4] = [
    CrashPoint::TempWritten,
    CrashPoint::PayloadPlaced,
    CrashPoint::MetadataWritten,
    CrashPoint::Committed,
];

fn bucket(name: &str) -> BucketName {
    BucketName::parse(name).unwrap()
}

fn key(name: &str) -> ObjectKey {
    ObjectKey::parse(name).unwrap()
}

fn bytes(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| ((i.wrapping_mul(131) ^ (i >> 7)) as u8).wrapping_add(seed.wrapping_mul(59)))
        .collect()
}

fn sha1_hex(data: &[u8]) -> String {
    Sha1::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn config(crash_at: Option<CrashPoint>, upload_expiry: Option<Duration>) -> StoreConfig {
    StoreConfig {
        min_part_size: MIN as u64,
        upload_expiry,
        crash_at,
    }
}

async fn open(root: &Path) -> Store {
    Store::open_with(root, config(None, None))
        .await
        .expect("open store")
}

async fn put(store: &Store, k: &str, data: &[u8]) -> Result<(), StoreError> {
    store
        .put_object(&bucket("data"), &key(k), data, PutOptions::default())
        .await
        .map(|_| ())
}

async fn get_all(store: &Store, k: &str) -> Vec<u8> {
    let mut got = store
        .get_object(&bucket("data"), &key(k), None)
        .await
        .unwrap_or_else(|e| panic!("get {k}: {e:?}"));
    let mut out = Vec::new();
    got.body.read_to_end(&mut out).await.expect("read body");
    assert_eq!(got.meta.size, out.len() as u64, "{k}: size");
    out
}

fn assert_absent(store: &Store, k: &str) {
    match store.head_object(&bucket("data"), &key(k)) {
        Err(StoreError::NoSuchKey(_)) => {}
        other => panic!("{k} should not exist, got {other:?}"),
    }
}

/// The number of regular files under `dir`, recursively.
fn files_under(dir: &Path) -> usize {
    let mut total = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            total += files_under(&entry.path());
        } else {
            total += 1;
        }
    }
    total
}

fn tmp_entries(root: &Path) -> usize {
    std::fs::read_dir(root.join("tmp")).map_or(0, |d| d.count())
}

/// The number of files a clean store holding exactly these objects in bucket `data` has.
async fn reference_files(objects: &[(&str, &[u8])]) -> usize {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path()).await;
    store.create_bucket(&bucket("data")).await.unwrap();
    for (k, data) in objects {
        put(&store, k, data).await.unwrap();
    }
    drop(store);
    files_under(dir.path())
}

async fn crashing_store(root: &Path, point: CrashPoint) -> Store {
    Store::open_with(root, config(Some(point), None))
        .await
        .expect("open crashing store")
}

fn assert_crashed<T: std::fmt::Debug>(result: Result<T, StoreError>, point: CrashPoint) {
    match result {
        Err(StoreError::Crashed(at)) => assert_eq!(at, point),
        other => panic!("expected an injected crash at {point:?}, got {other:?}"),
    }
}

#[tokio::test]
async fn an_overwrite_killed_at_any_step_leaves_the_old_or_the_new_object_and_no_garbage() {
    let old = bytes(100_000, 1);
    let new = bytes(130_000, 2);
    let other = bytes(5_000, 3);
    for point in PUT_POINTS {
        let dir = tempfile::tempdir().unwrap();
        let store = open(dir.path()).await;
        store.create_bucket(&bucket("data")).await.unwrap();
        put(&store, "k", &old).await.unwrap();
        put(&store, "other", &other).await.unwrap();
        drop(store);
        let clean = files_under(dir.path());

        let store = crashing_store(dir.path(), point).await;
        assert_crashed(put(&store, "k", &new).await, point);
        drop(store);
        assert!(
            files_under(dir.path()) > clean,
            "{point:?}: the crash must leave its debris on disk, not clean up"
        );

        let store = open(dir.path()).await;
        let committed = point == CrashPoint::Committed;
        let expected = if committed { &new } else { &old };
        assert!(get_all(&store, "k").await == *expected, "{point:?}: k");
        let meta = store.head_object(&bucket("data"), &key("k")).unwrap();
        assert_eq!(meta.etag, sha1_hex(expected), "{point:?}: etag");
        assert!(get_all(&store, "other").await == other, "{point:?}: other");
        assert_eq!(tmp_entries(dir.path()), 0, "{point:?}: tmp/");
        let report = store.recovery_report();
        let (temp_files, orphan_blobs) = match point {
            CrashPoint::TempWritten => (1, 0),
            CrashPoint::PayloadPlaced => (0, 1),
            CrashPoint::MetadataWritten => (1, 1),
            _ => (0, 1),
        };
        assert_eq!(
            report,
            GcReport {
                temp_files,
                orphan_blobs,
                expired_uploads: 0
            },
            "{point:?}: what recovery removed"
        );
        assert_eq!(store.gc().await.unwrap(), GcReport::default(), "{point:?}");
        drop(store);
        assert_eq!(
            files_under(dir.path()),
            clean,
            "{point:?}: the files of a clean store"
        );
    }
}

#[tokio::test]
async fn a_new_key_killed_before_its_commit_point_never_appears() {
    let data = bytes(70_000, 4);
    let before = reference_files(&[]).await;
    let after = reference_files(&[("fresh", &data)]).await;
    for point in PUT_POINTS {
        let dir = tempfile::tempdir().unwrap();
        let store = open(dir.path()).await;
        store.create_bucket(&bucket("data")).await.unwrap();
        drop(store);
        let store = crashing_store(dir.path(), point).await;
        assert_crashed(put(&store, "fresh", &data).await, point);
        drop(store);

        let store = open(dir.path()).await;
        let listed = store
            .list_objects(&bucket("data"), &Default::default())
            .unwrap();
        if point == CrashPoint::Committed {
            assert!(get_all(&store, "fresh").await == data, "{point:?}");
            assert_eq!(listed.objects.len(), 1, "{point:?}");
        } else {
            assert_absent(&store, "fresh");
            assert!(listed.objects.is_empty(), "{point:?}: listed");
        }
        drop(store);
        let expected = if point == CrashPoint::Committed {
            after
        } else {
            before
        };
        assert_eq!(files_under(dir.path()), expected, "{point:?}: files");
    }
}

#[tokio::test]
async fn a_delete_killed_after_its_commit_point_leaves_no_payload_behind() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path()).await;
    store.create_bucket(&bucket("data")).await.unwrap();
    put(&store, "doomed", &bytes(40_000, 5)).await.unwrap();
    put(&store, "kept", &bytes(3_000, 6)).await.unwrap();
    drop(store);

    let store = crashing_store(dir.path(), CrashPoint::DeleteCommitted).await;
    let result = store.delete_object(&bucket("data"), &key("doomed")).await;
    assert_crashed(result, CrashPoint::DeleteCommitted);
    drop(store);

    let store = open(dir.path()).await;
    assert_absent(&store, "doomed");
    assert!(get_all(&store, "kept").await == bytes(3_000, 6));
    assert_eq!(store.recovery_report().orphan_blobs, 1);
    drop(store);
    let kept = bytes(3_000, 6);
    assert_eq!(
        files_under(dir.path()),
        reference_files(&[("kept", &kept)]).await
    );
}

#[tokio::test]
async fn a_completion_killed_before_its_commit_leaves_the_upload_to_complete_again() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path()).await;
    store.create_bucket(&bucket("data")).await.unwrap();
    let id = store
        .create_multipart_upload(&bucket("data"), &key("big"), MultipartOptions::default())
        .await
        .unwrap();
    let (one, two) = (bytes(MIN, 7), bytes(1_000, 8));
    let mut list = Vec::new();
    for (n, data) in [(1, &one), (2, &two)] {
        let info = store
            .upload_part(&bucket("data"), &key("big"), &id, n, &data[..], None)
            .await
            .unwrap();
        list.push(CompletedPart {
            part_number: n,
            etag: info.etag,
        });
    }
    drop(store);

    let store = crashing_store(dir.path(), CrashPoint::TempWritten).await;
    let result = store
        .complete_multipart_upload(&bucket("data"), &key("big"), &id, &list)
        .await;
    assert_crashed(result, CrashPoint::TempWritten);
    drop(store);

    let store = open(dir.path()).await;
    assert_eq!(store.recovery_report().temp_files, 1);
    assert_absent(&store, "big");
    let parts = store
        .list_parts(&bucket("data"), &key("big"), &id)
        .expect("the upload survives");
    assert_eq!(parts.len(), 2);
    store
        .complete_multipart_upload(&bucket("data"), &key("big"), &id, &list)
        .await
        .expect("completing again");
    let whole = [one.as_slice(), two.as_slice()].concat();
    assert!(get_all(&store, "big").await == whole);
    drop(store);
    assert_eq!(
        files_under(dir.path()),
        reference_files(&[("big", &whole)]).await
    );
}

#[tokio::test]
async fn gc_removes_payloads_orphaned_by_a_crashed_writer_while_serving() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path()).await;
    store.create_bucket(&bucket("data")).await.unwrap();
    let old = bytes(20_000, 9);
    put(&store, "k", &old).await.unwrap();
    let clean = files_under(dir.path());

    // Another writer on the same directory dies after placing its payload, while `store` runs.
    for point in [CrashPoint::PayloadPlaced, CrashPoint::MetadataWritten] {
        let writer = crashing_store(dir.path(), point).await;
        assert_crashed(put(&writer, "k", &bytes(30_000, 10)).await, point);
        drop(writer);
        let report = store.gc().await.unwrap();
        assert_eq!(
            report,
            GcReport {
                temp_files: 0,
                orphan_blobs: 1,
                expired_uploads: 0
            },
            "{point:?}"
        );
        assert!(get_all(&store, "k").await == old, "{point:?}");
        assert_eq!(store.gc().await.unwrap(), GcReport::default(), "idempotent");
    }
    // A running store's tmp/ belongs to writes in flight: gc leaves it alone, open clears it.
    assert_eq!(tmp_entries(dir.path()), 1);
    assert_eq!(files_under(dir.path()), clean + 1);
    drop(store);
    let store = open(dir.path()).await;
    assert_eq!(store.recovery_report().temp_files, 1);
    drop(store);
    assert_eq!(files_under(dir.path()), clean);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn gc_running_alongside_puts_gets_and_deletes_never_removes_a_live_payload() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path()).await;
    store.create_bucket(&bucket("data")).await.unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));

    let mut writers = Vec::new();
    for w in 0..4u8 {
        let store = store.clone();
        writers.push(tokio::spawn(async move {
            let mut last = Vec::new();
            for round in 0..30u8 {
                for k in 0..3u8 {
                    let name = format!("w{w}-k{k}");
                    let data = bytes(4_000 + usize::from(round) * 97, w * 50 + round + k);
                    put(&store, &name, &data).await.unwrap();
                    assert!(get_all(&store, &name).await == data, "{name} round {round}");
                    if round % 7 == 3 && k == 0 {
                        store
                            .delete_object(&bucket("data"), &key(&name))
                            .await
                            .unwrap();
                        put(&store, &name, &data).await.unwrap();
                    }
                    if round == 29 {
                        last.push((name, data));
                    }
                }
            }
            last
        }));
    }
    let reader = {
        let store = store.clone();
        let stop = stop.clone();
        tokio::spawn(async move {
            let mut reads = 0;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                let page = store
                    .list_objects(&bucket("data"), &Default::default())
                    .unwrap();
                for object in page.objects {
                    let Ok(mut got) = store.get_object(&bucket("data"), &object.key, None).await
                    else {
                        continue; // overwritten or deleted since the listing
                    };
                    let mut body = Vec::new();
                    got.body.read_to_end(&mut body).await.expect("read body");
                    assert_eq!(sha1_hex(&body), got.meta.etag, "{}", object.key);
                    reads += 1;
                }
                tokio::task::yield_now().await;
            }
            reads
        })
    };
    let collector = {
        let store = store.clone();
        let stop = stop.clone();
        tokio::spawn(async move {
            let mut runs = 0;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                store.gc().await.expect("gc");
                runs += 1;
                tokio::task::yield_now().await;
            }
            runs
        })
    };

    let mut finals = Vec::new();
    for writer in writers {
        finals.extend(writer.await.expect("a writer failed"));
    }
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    assert!(reader.await.expect("the reader failed") > 0);
    assert!(collector.await.expect("gc failed") > 0);

    for (name, data) in &finals {
        assert!(get_all(&store, name).await == *data, "{name}");
    }
    assert_eq!(store.gc().await.unwrap().orphan_blobs, 0);
    drop(store);
    let objects: Vec<(&str, &[u8])> = finals
        .iter()
        .map(|(n, d)| (n.as_str(), d.as_slice()))
        .collect();
    assert_eq!(files_under(dir.path()), reference_files(&objects).await);
}

#[tokio::test]
async fn expired_uploads_are_aborted_by_gc_and_at_open_and_recent_ones_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    let expiry = Some(Duration::from_millis(300));
    let store = Store::open_with(dir.path(), config(None, expiry))
        .await
        .unwrap();
    store.create_bucket(&bucket("data")).await.unwrap();
    let empty = files_under(dir.path());
    let start = |k: &'static str| {
        let store = store.clone();
        async move {
            let id = store
                .create_multipart_upload(&bucket("data"), &key(k), MultipartOptions::default())
                .await
                .unwrap();
            store
                .upload_part(&bucket("data"), &key(k), &id, 1, &bytes(MIN, 11)[..], None)
                .await
                .unwrap();
            id
        }
    };
    let old = start("old").await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    let recent = start("recent").await;

    let report = store.gc().await.unwrap();
    assert_eq!(report.expired_uploads, 1);
    assert_eq!(report.orphan_blobs, 0, "an upload's parts are not orphans");
    match store.list_parts(&bucket("data"), &key("old"), &old) {
        Err(StoreError::NoSuchUpload(_)) => {}
        other => panic!("the old upload should be gone, got {other:?}"),
    }
    assert_eq!(
        store
            .list_parts(&bucket("data"), &key("recent"), &recent)
            .unwrap()
            .len(),
        1
    );
    assert_eq!(store.gc().await.unwrap(), GcReport::default());
    drop(store);

    // Without an expiry nothing is aborted; with one, recovery aborts what has expired since.
    tokio::time::sleep(Duration::from_millis(400)).await;
    let store = Store::open_with(dir.path(), config(None, None))
        .await
        .unwrap();
    assert_eq!(store.recovery_report().expired_uploads, 0);
    assert!(store
        .list_parts(&bucket("data"), &key("recent"), &recent)
        .is_ok());
    drop(store);
    let store = Store::open_with(dir.path(), config(None, expiry))
        .await
        .unwrap();
    assert_eq!(store.recovery_report().expired_uploads, 1);
    assert!(store
        .list_parts(&bucket("data"), &key("recent"), &recent)
        .is_err());
    drop(store);
    assert_eq!(files_under(dir.path()), empty);
}

#[tokio::test]
async fn gc_on_a_healthy_store_removes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path()).await;
    store.create_bucket(&bucket("data")).await.unwrap();
    store.create_bucket(&bucket("empty")).await.unwrap();
    for i in 0..10u8 {
        put(
            &store,
            &format!("obj-{i}"),
            &bytes(1_000 + usize::from(i), i),
        )
        .await
        .unwrap();
    }
    put(&store, "obj-3", &bytes(2_000, 99)).await.unwrap();
    store
        .delete_object(&bucket("data"), &key("obj-4"))
        .await
        .unwrap();
    let id = store
        .create_multipart_upload(&bucket("data"), &key("mp"), MultipartOptions::default())
        .await
        .unwrap();
    store
        .upload_part(
            &bucket("data"),
            &key("mp"),
            &id,
            1,
            &bytes(MIN, 1)[..],
            None,
        )
        .await
        .unwrap();
    let files = files_under(dir.path());
    assert_eq!(store.gc().await.unwrap(), GcReport::default());
    assert_eq!(store.gc().await.unwrap(), GcReport::default());
    assert_eq!(files_under(dir.path()), files);
    for i in [0u8, 1, 2, 5, 6, 7, 8, 9] {
        assert!(get_all(&store, &format!("obj-{i}")).await == bytes(1_000 + usize::from(i), i));
    }
    assert!(get_all(&store, "obj-3").await == bytes(2_000, 99));
    assert_eq!(
        store
            .list_parts(&bucket("data"), &key("mp"), &id)
            .unwrap()
            .len(),
        1
    );
    drop(store);
    let store = open(dir.path()).await;
    assert_eq!(store.recovery_report(), GcReport::default());
}

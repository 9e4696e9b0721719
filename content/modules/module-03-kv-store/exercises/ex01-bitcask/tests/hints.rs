//! Hint files: a faster startup path that must give exactly the same keydir as a full scan.

mod common;

use std::fs;

use common::{contents, hint_files, open};
use ex01_bitcask::Store;

const MAX: u64 = 512;

/// A store with overwrites and deletes spread over several files, merged so hint files exist.
/// Returns the expected contents.
fn merged_store(dir: &std::path::Path) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut store = open(dir, MAX);
    for i in 0..300u32 {
        let key = format!("user:{:03}", i % 60).into_bytes();
        store.put(&key, format!("profile {i}").as_bytes()).unwrap();
    }
    for i in (0..60u32).step_by(4) {
        store.delete(format!("user:{i:03}").as_bytes()).unwrap();
    }
    store.merge().unwrap();
    contents(&store)
}

fn reopen(dir: &std::path::Path) -> Store {
    open(dir, MAX)
}

#[test]
fn reopen_uses_hint_files() {
    let dir = tempfile::tempdir().unwrap();
    let expected = merged_store(dir.path());
    let hints = hint_files(dir.path()).len();
    assert!(
        hints >= 2,
        "expected several merged files, got {hints} hint files"
    );

    let store = reopen(dir.path());
    assert_eq!(store.recovery().hint_files_used, hints);
    assert_eq!(
        store.recovery().records_scanned,
        0,
        "merged files are indexed from hints, not scanned"
    );
    assert_eq!(contents(&store), expected);
}

#[test]
fn without_hint_files_a_full_scan_gives_the_same_result() {
    let dir = tempfile::tempdir().unwrap();
    let expected = merged_store(dir.path());
    let with_hints = contents(&reopen(dir.path()));

    for hint in hint_files(dir.path()) {
        fs::remove_file(hint).unwrap();
    }
    let store = reopen(dir.path());
    assert_eq!(store.recovery().hint_files_used, 0);
    assert_eq!(
        store.recovery().records_scanned,
        expected.len() as u64,
        "merged files hold only live records"
    );
    assert_eq!(contents(&store), with_hints);
    assert_eq!(contents(&store), expected);
}

#[test]
fn a_damaged_hint_file_falls_back_to_scanning() {
    let dir = tempfile::tempdir().unwrap();
    let expected = merged_store(dir.path());
    let hints = hint_files(dir.path());

    // Flip a bit in one hint, cut the end off another.
    let mut bytes = fs::read(&hints[0]).unwrap();
    bytes[5] ^= 0x10;
    fs::write(&hints[0], &bytes).unwrap();
    let bytes = fs::read(&hints[1]).unwrap();
    fs::write(&hints[1], &bytes[..bytes.len() - 3]).unwrap();

    let store = reopen(dir.path());
    assert_eq!(store.recovery().hint_files_used, hints.len() - 2);
    assert!(store.recovery().records_scanned > 0);
    assert_eq!(contents(&store), expected);
}

#[test]
fn writes_after_reopen_do_not_invalidate_hints() {
    let dir = tempfile::tempdir().unwrap();
    let mut expected = merged_store(dir.path());
    {
        let mut store = reopen(dir.path());
        store.put(b"user:999", b"late arrival").unwrap();
        expected.push((b"user:999".to_vec(), b"late arrival".to_vec()));
    }
    let hints = hint_files(dir.path()).len();
    let store = reopen(dir.path());
    assert_eq!(store.recovery().hint_files_used, hints);
    assert_eq!(contents(&store), expected);
}

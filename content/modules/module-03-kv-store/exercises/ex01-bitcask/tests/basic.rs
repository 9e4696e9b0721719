//! Basic operations and persistence across reopen.

mod common;

use common::{data_bytes, open};
use ex01_bitcask::{Options, Store};

#[test]
fn put_get_overwrite_delete() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(dir.path(), 1 << 20);

    assert!(store.is_empty());
    assert_eq!(store.get(b"missing").unwrap(), None);

    store.put(b"lang", b"rust").unwrap();
    assert_eq!(store.get(b"lang").unwrap(), Some(b"rust".to_vec()));
    assert_eq!(store.len(), 1);

    store.put(b"lang", b"still rust").unwrap();
    assert_eq!(store.get(b"lang").unwrap(), Some(b"still rust".to_vec()));
    assert_eq!(store.len(), 1);

    assert!(store.delete(b"lang").unwrap());
    assert_eq!(store.get(b"lang").unwrap(), None);
    assert!(
        !store.delete(b"lang").unwrap(),
        "second delete finds nothing"
    );
    assert!(store.is_empty());
    assert!(store.keys().is_empty());
}

#[test]
fn keys_lists_live_keys_only() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(dir.path(), 1 << 20);
    for k in ["a", "b", "c", "d"] {
        store.put(k.as_bytes(), b"x").unwrap();
    }
    store.delete(b"b").unwrap();
    store.put(b"a", b"y").unwrap();

    let mut keys = store.keys();
    keys.sort();
    assert_eq!(keys, vec![b"a".to_vec(), b"c".to_vec(), b"d".to_vec()]);
    assert_eq!(store.len(), 3);
}

#[test]
fn binary_keys_empty_values_and_empty_key() {
    let dir = tempfile::tempdir().unwrap();
    let binary_key = [0u8, 255, 0, 10, 13];
    {
        let mut store = open(dir.path(), 1 << 20);
        store.put(&binary_key, &[0xde, 0xad, 0xbe, 0xef]).unwrap();
        store.put(b"empty", b"").unwrap();
        store.put(b"", b"empty key").unwrap();
        assert_eq!(
            store.get(b"empty").unwrap(),
            Some(Vec::new()),
            "empty value is not a delete"
        );
    }
    let store = open(dir.path(), 1 << 20);
    assert_eq!(
        store.get(&binary_key).unwrap(),
        Some(vec![0xde, 0xad, 0xbe, 0xef])
    );
    assert_eq!(store.get(b"empty").unwrap(), Some(Vec::new()));
    assert_eq!(store.get(b"").unwrap(), Some(b"empty key".to_vec()));
    assert_eq!(store.len(), 3);
}

#[test]
fn data_persists_across_reopen() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut store = open(dir.path(), 1 << 20);
        for i in 0..200u32 {
            store
                .put(
                    format!("key-{i}").as_bytes(),
                    &i.to_le_bytes().repeat(i as usize % 7),
                )
                .unwrap();
        }
        store.sync().unwrap();
    }
    let store = open(dir.path(), 1 << 20);
    assert_eq!(store.len(), 200);
    for i in 0..200u32 {
        assert_eq!(
            store.get(format!("key-{i}").as_bytes()).unwrap(),
            Some(i.to_le_bytes().repeat(i as usize % 7)),
            "key-{i}"
        );
    }
}

#[test]
fn overwrites_and_deletes_survive_reopen() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut store = open(dir.path(), 1 << 20);
        store.put(b"a", b"1").unwrap();
        store.put(b"b", b"1").unwrap();
        store.put(b"a", b"2").unwrap();
        store.delete(b"b").unwrap();
        store.put(b"c", b"1").unwrap();
        store.delete(b"c").unwrap();
        store.put(b"c", b"3").unwrap();
    }
    for round in 0..2 {
        let store = open(dir.path(), 1 << 20);
        assert_eq!(
            store.get(b"a").unwrap(),
            Some(b"2".to_vec()),
            "round {round}"
        );
        assert_eq!(
            store.get(b"b").unwrap(),
            None,
            "deleted key came back in round {round}"
        );
        assert_eq!(
            store.get(b"c").unwrap(),
            Some(b"3".to_vec()),
            "round {round}"
        );
        assert_eq!(store.len(), 2);
    }
}

#[test]
fn writes_continue_after_reopen() {
    let dir = tempfile::tempdir().unwrap();
    for session in 0..5u8 {
        let mut store = open(dir.path(), 1 << 20);
        assert_eq!(store.len(), usize::from(session));
        store.put(&[session], &[session; 3]).unwrap();
    }
    let store = open(dir.path(), 1 << 20);
    for session in 0..5u8 {
        assert_eq!(store.get(&[session]).unwrap(), Some(vec![session; 3]));
    }
}

#[test]
fn deleting_an_absent_key_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(dir.path(), 1 << 20);
    store.put(b"present", b"yes").unwrap();
    let before = data_bytes(dir.path());
    assert!(!store.delete(b"absent").unwrap());
    assert_eq!(data_bytes(dir.path()), before);
    assert!(store.delete(b"present").unwrap());
    assert!(
        data_bytes(dir.path()) > before,
        "a real delete appends a tombstone"
    );
}

#[test]
fn default_options_sync_every_write_and_work() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested").join("store");
    {
        let mut store = Store::open(&path, Options::default()).unwrap();
        store.put(b"durable", b"yes").unwrap();
        store.delete(b"durable").unwrap();
        store.put(b"durable", b"again").unwrap();
    }
    let store = Store::open(&path, Options::default()).unwrap();
    assert_eq!(store.get(b"durable").unwrap(), Some(b"again".to_vec()));
}

//! Crash recovery: torn tails are cut off, corruption elsewhere is reported, never served.

mod common;

use std::fs;

use common::{
    append_bytes, data_files, file_len, flip_bit_in_data, newest_data_file, open, opts, truncate_by,
};
use ex01_bitcask::{Error, Store};

#[test]
fn garbage_after_the_last_record_is_truncated() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut store = open(dir.path(), 1 << 20);
        store.put(b"a", b"alpha").unwrap();
        store.put(b"b", b"beta").unwrap();
    }
    let file = newest_data_file(dir.path());
    let clean_len = file_len(&file);
    append_bytes(&file, &[0xAB; 7]);

    {
        let mut store = open(dir.path(), 1 << 20);
        assert_eq!(store.recovery().truncated_bytes, 7);
        assert_eq!(
            file_len(&file),
            clean_len,
            "the torn tail is cut off the file"
        );
        assert_eq!(store.get(b"a").unwrap(), Some(b"alpha".to_vec()));
        assert_eq!(store.get(b"b").unwrap(), Some(b"beta".to_vec()));
        store.put(b"c", b"gamma").unwrap();
    }
    let store = open(dir.path(), 1 << 20);
    assert_eq!(
        store.recovery().truncated_bytes,
        0,
        "new writes landed on a record boundary"
    );
    assert_eq!(store.get(b"c").unwrap(), Some(b"gamma".to_vec()));
    assert_eq!(store.len(), 3);
}

#[test]
fn a_long_garbage_tail_that_looks_like_a_header_is_truncated() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut store = open(dir.path(), 1 << 20);
        store.put(b"a", b"alpha").unwrap();
    }
    // 0xFF lengths claim a record far larger than the file.
    append_bytes(&newest_data_file(dir.path()), &[0xFF; 64]);
    let store = open(dir.path(), 1 << 20);
    assert_eq!(store.recovery().truncated_bytes, 64);
    assert_eq!(store.get(b"a").unwrap(), Some(b"alpha".to_vec()));
}

#[test]
fn a_zero_filled_tail_is_truncated() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut store = open(dir.path(), 1 << 20);
        store.put(b"a", b"alpha").unwrap();
    }
    // What a crash can leave when the file size reached the disk but the data did not.
    append_bytes(&newest_data_file(dir.path()), &[0; 100]);
    let store = open(dir.path(), 1 << 20);
    assert_eq!(store.recovery().truncated_bytes, 100);
    assert_eq!(store.get(b"a").unwrap(), Some(b"alpha".to_vec()));
}

#[test]
fn truncation_at_every_offset_loses_only_the_torn_record() {
    let source = tempfile::tempdir().unwrap();
    let entries: Vec<(Vec<u8>, Vec<u8>)> = vec![
        (b"k1".to_vec(), b"first".to_vec()),
        (b"k2".to_vec(), b"second value".to_vec()),
        (b"k1".to_vec(), b"first, overwritten".to_vec()),
        (b"k3".to_vec(), Vec::new()),
    ];
    // File length after each put: the record boundaries.
    let mut boundaries = vec![0u64];
    {
        let mut store = open(source.path(), 1 << 20);
        for (k, v) in &entries {
            store.put(k, v).unwrap();
            boundaries.push(file_len(&newest_data_file(source.path())));
        }
    }
    let original = newest_data_file(source.path());
    let bytes = fs::read(&original).unwrap();
    assert_eq!(bytes.len() as u64, *boundaries.last().unwrap());

    for cut in 0..=bytes.len() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(
            dir.path().join(original.file_name().unwrap()),
            &bytes[..cut],
        )
        .unwrap();
        let store = open(dir.path(), 1 << 20);

        // Replay the records that fit entirely before the cut.
        let complete = boundaries
            .iter()
            .filter(|&&b| b > 0 && b <= cut as u64)
            .count();
        let mut model = std::collections::HashMap::new();
        for (k, v) in &entries[..complete] {
            model.insert(k.clone(), v.clone());
        }
        let last_boundary = boundaries[complete];
        assert_eq!(
            store.recovery().truncated_bytes,
            cut as u64 - last_boundary,
            "cut at {cut}"
        );
        assert_eq!(store.len(), model.len(), "cut at {cut}");
        for (k, v) in &model {
            assert_eq!(store.get(k).unwrap().as_ref(), Some(v), "cut at {cut}");
        }
    }
}

#[test]
fn a_checksum_error_before_the_tail_refuses_to_open() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut store = open(dir.path(), 1 << 20);
        store.put(b"alpha", b"value-of-alpha").unwrap();
        store.put(b"beta", b"value-of-beta").unwrap();
        store.put(b"gamma", b"value-of-gamma").unwrap();
    }
    let file = flip_bit_in_data(dir.path(), b"value-of-alpha");
    let len = file_len(&file);

    match Store::open(dir.path(), opts(1 << 20)) {
        Err(Error::Corrupt { offset, .. }) => {
            assert_eq!(offset, 0, "the first record is the bad one")
        }
        other => panic!("expected Error::Corrupt, got {other:?}"),
    }
    assert_eq!(
        file_len(&file),
        len,
        "refusing to open must not cut off acknowledged records"
    );
}

#[test]
fn a_checksum_error_in_the_last_record_is_a_torn_tail() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut store = open(dir.path(), 1 << 20);
        store.put(b"alpha", b"value-of-alpha").unwrap();
        store.put(b"omega", b"value-of-omega").unwrap();
    }
    flip_bit_in_data(dir.path(), b"value-of-omega");
    let store = open(dir.path(), 1 << 20);
    assert_eq!(
        store.get(b"alpha").unwrap(),
        Some(b"value-of-alpha".to_vec())
    );
    assert_eq!(store.get(b"omega").unwrap(), None);
    assert!(store.recovery().truncated_bytes > 0);
}

#[test]
fn get_detects_corruption_of_a_stored_value() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(dir.path(), 1 << 20);
    store.put(b"alpha", b"value-of-alpha").unwrap();
    store.put(b"beta", b"value-of-beta").unwrap();
    store.sync().unwrap();

    // Bit rot under a running store.
    flip_bit_in_data(dir.path(), b"value-of-alpha");
    assert!(
        matches!(store.get(b"alpha"), Err(Error::Corrupt { .. })),
        "corrupt data must not be returned"
    );
    assert_eq!(store.get(b"beta").unwrap(), Some(b"value-of-beta".to_vec()));
}

#[test]
fn a_torn_record_in_an_older_file_is_corruption() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut store = open(dir.path(), 128);
        for i in 0..20u8 {
            store.put(&[i], &[i; 40]).unwrap();
        }
    }
    let files = data_files(dir.path());
    assert!(
        files.len() >= 3,
        "expected rotation, got {} files",
        files.len()
    );
    // Rotated files were complete when sealed; a crash cannot tear them.
    truncate_by(&files[0], 1);
    assert!(matches!(
        Store::open(dir.path(), opts(128)),
        Err(Error::Corrupt { .. })
    ));
}

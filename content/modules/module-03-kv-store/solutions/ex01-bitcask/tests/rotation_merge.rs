//! Size-based rotation of the active file, and merge (compaction) with hint files.

mod common;

use std::collections::BTreeMap;

use common::{contents, data_bytes, data_files, file_len, hint_files, open};

fn expected(map: &BTreeMap<Vec<u8>, Vec<u8>>) -> Vec<(Vec<u8>, Vec<u8>)> {
    map.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

#[test]
fn rotation_produces_several_files_within_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let max = 256;
    let mut model = BTreeMap::new();
    {
        let mut store = open(dir.path(), max);
        for i in 0..40u32 {
            let (k, v) = (format!("key-{i:02}").into_bytes(), vec![i as u8; 40]);
            store.put(&k, &v).unwrap();
            model.insert(k, v);
        }
        assert_eq!(contents(&store), expected(&model));
    }
    let files = data_files(dir.path());
    assert!(
        files.len() >= 5,
        "expected at least 5 data files, got {}",
        files.len()
    );
    for f in &files {
        assert!(
            file_len(f) <= max,
            "{} is {} bytes, over the {max}-byte limit",
            f.display(),
            file_len(f)
        );
    }
    let store = open(dir.path(), max);
    assert_eq!(contents(&store), expected(&model));
}

#[test]
fn a_record_larger_than_the_limit_still_fits() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut store = open(dir.path(), 64);
        store.put(b"small", b"s").unwrap();
        store.put(b"big", &[7; 1000]).unwrap();
        store.put(b"after", b"a").unwrap();
    }
    let store = open(dir.path(), 64);
    assert_eq!(store.get(b"big").unwrap(), Some(vec![7; 1000]));
    assert_eq!(store.get(b"small").unwrap(), Some(b"s".to_vec()));
    assert_eq!(store.get(b"after").unwrap(), Some(b"a".to_vec()));
}

#[test]
fn merge_reclaims_space_and_keeps_data() {
    let dir = tempfile::tempdir().unwrap();
    let max = 1024;
    let mut model = BTreeMap::new();
    let mut store = open(dir.path(), max);
    for round in 0..20u8 {
        for k in 0..10u8 {
            let (key, value) = (vec![b'k', k], vec![round; 50]);
            store.put(&key, &value).unwrap();
            model.insert(key, value);
        }
    }
    for k in 7..10u8 {
        store.delete(&[b'k', k]).unwrap();
        model.remove([b'k', k].as_slice());
    }
    let before = data_bytes(dir.path());

    store.merge().unwrap();
    let after = data_bytes(dir.path());
    assert!(
        after * 10 < before,
        "merge should drop the dead 96%: {before} -> {after} bytes"
    );
    assert_eq!(
        contents(&store),
        expected(&model),
        "contents right after merge"
    );
    assert!(
        !hint_files(dir.path()).is_empty(),
        "merge writes hint files"
    );

    // Writes after a merge must win over the merged copies, also after reopen.
    store.put(b"k0", b"newest").unwrap();
    store.delete(b"k1").unwrap();
    model.insert(b"k0".to_vec(), b"newest".to_vec());
    model.remove(b"k1".as_slice());
    drop(store);

    let store = open(dir.path(), max);
    assert_eq!(contents(&store), expected(&model), "contents after reopen");
}

#[test]
fn merge_twice_and_on_an_empty_store() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(dir.path(), 512);
    store.merge().unwrap();
    assert!(store.is_empty());

    for i in 0..30u8 {
        store.put(&[i % 5], &[i; 30]).unwrap();
    }
    store.merge().unwrap();
    let once = contents(&store);
    let size_once = data_bytes(dir.path());
    store.merge().unwrap();
    assert_eq!(contents(&store), once);
    assert_eq!(
        data_bytes(dir.path()),
        size_once,
        "merging compact data changes nothing"
    );

    store.delete(&[0]).unwrap();
    store.put(&[9], b"nine").unwrap();
    store.merge().unwrap();
    drop(store);

    let store = open(dir.path(), 512);
    assert_eq!(store.get(&[0]).unwrap(), None);
    assert_eq!(store.get(&[9]).unwrap(), Some(b"nine".to_vec()));
    assert_eq!(store.len(), 5);
}

#[test]
fn merge_removes_everything_when_all_keys_are_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(dir.path(), 256);
    for i in 0..20u8 {
        store.put(&[i], &[i; 20]).unwrap();
    }
    for i in 0..20u8 {
        store.delete(&[i]).unwrap();
    }
    store.merge().unwrap();
    assert_eq!(
        data_bytes(dir.path()),
        0,
        "no live data, no tombstones needed"
    );
    drop(store);
    assert!(open(dir.path(), 256).is_empty());
}

#[test]
fn a_crash_while_merge_deletes_old_files_loses_nothing() {
    // Merge deletes its input files oldest first. Simulate a crash after each deletion by putting
    // back the not-yet-deleted (newest) inputs next to the merge output, and check that every such
    // directory opens to the same contents, with no deleted key coming back.
    let dir = tempfile::tempdir().unwrap();
    let max = 256;
    let mut store = open(dir.path(), max);
    for i in 0..60u8 {
        store.put(&[i % 8], &[i; 30]).unwrap();
    }
    // Tombstones in the newest files shadow values in every older file.
    for k in 5..8u8 {
        store.delete(&[k]).unwrap();
    }
    let expected = contents(&store);
    let inputs: Vec<(std::ffi::OsString, Vec<u8>)> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap())
        .map(|e| (e.file_name(), std::fs::read(e.path()).unwrap()))
        .collect();
    let mut input_data: Vec<_> = inputs
        .iter()
        .filter(|(n, _)| n.to_string_lossy().ends_with(".data"))
        .collect();
    input_data.sort();
    assert!(input_data.len() >= 4, "want several input files");

    store.merge().unwrap();
    drop(store);

    for kept_from in 0..=input_data.len() {
        let crashed = tempfile::tempdir().unwrap();
        for entry in std::fs::read_dir(dir.path()).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), crashed.path().join(entry.file_name())).unwrap();
        }
        for (name, bytes) in &input_data[kept_from..] {
            std::fs::write(crashed.path().join(name), bytes).unwrap();
        }
        let store = open(crashed.path(), max);
        assert_eq!(
            contents(&store),
            expected,
            "inputs {kept_from}.. left behind"
        );
    }
}

//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::fs::{self, OpenOptions};
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use ex01_bitcask::{Options, Store, SyncPolicy};

/// Options with the given rotation size and no fsync per write, to keep tests fast.
pub fn opts(max_file_size: u64) -> Options {
    Options {
        max_file_size,
        sync: SyncPolicy::Never,
    }
}

pub fn open(dir: &Path, max_file_size: u64) -> Store {
    Store::open(dir, opts(max_file_size)).expect("open store")
}

/// Files in `dir` whose extension is `ext`, sorted by name (that is, by file id).
pub fn files_with_ext(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    files.sort();
    files
}

pub fn data_files(dir: &Path) -> Vec<PathBuf> {
    files_with_ext(dir, "data")
}

pub fn hint_files(dir: &Path) -> Vec<PathBuf> {
    files_with_ext(dir, "hint")
}

/// Total size of all data files.
pub fn data_bytes(dir: &Path) -> u64 {
    data_files(dir).iter().map(|p| file_len(p)).sum()
}

pub fn file_len(path: &Path) -> u64 {
    fs::metadata(path).expect("metadata").len()
}

/// The data file with the highest id.
pub fn newest_data_file(dir: &Path) -> PathBuf {
    data_files(dir).pop().expect("at least one data file")
}

pub fn append_bytes(path: &Path, bytes: &[u8]) {
    let mut f = OpenOptions::new()
        .append(true)
        .open(path)
        .expect("open for append");
    f.write_all(bytes).expect("append");
}

pub fn truncate_by(path: &Path, n: u64) {
    let f = OpenOptions::new()
        .write(true)
        .open(path)
        .expect("open for write");
    let len = f.metadata().expect("metadata").len();
    f.set_len(len - n).expect("truncate");
}

/// Finds `needle` in the data files of `dir` and flips one bit of its first byte in place.
/// Returns the file that was changed.
pub fn flip_bit_in_data(dir: &Path, needle: &[u8]) -> PathBuf {
    for path in data_files(dir) {
        let bytes = fs::read(&path).expect("read data file");
        if let Some(pos) = bytes.windows(needle.len()).position(|w| w == needle) {
            let mut f = OpenOptions::new()
                .write(true)
                .open(&path)
                .expect("open for write");
            f.seek(SeekFrom::Start(pos as u64)).expect("seek");
            f.write_all(&[bytes[pos] ^ 0x01]).expect("write");
            return path;
        }
    }
    panic!(
        "{:?} not found in any data file",
        String::from_utf8_lossy(needle)
    );
}

/// The store's contents as a sorted list, read through `keys` and `get`.
pub fn contents(store: &Store) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut keys = store.keys();
    keys.sort();
    keys.into_iter()
        .map(|k| {
            let v = store.get(&k).expect("get").expect("listed key has a value");
            (k, v)
        })
        .collect()
}

//! Milestone 3: transactions on `SlottedTree` with a rollback journal: commit, rollback, and
//! recovery at open from a hot or truncated journal, proven at every possible crash point.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ex01_embedded_db::{SlottedTree, PAGE_SIZE};

const JOURNAL_HEADER_LEN: usize = 16;
const RECORD_LEN: usize = 4 + PAGE_SIZE + 4;

fn journal_of(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push("-journal");
    PathBuf::from(name)
}

fn value_for(key: u64, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (key as usize).wrapping_mul(17).wrapping_add(i) as u8)
        .collect()
}

fn shuffled(n: u64, seed: u64) -> Vec<u64> {
    let mut keys: Vec<u64> = (0..n).collect();
    let mut state = 0x9e37_79b9_7f4a_7c15 ^ seed;
    for i in (1..keys.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        keys.swap(i, (state % (i as u64 + 1)) as usize);
    }
    keys
}

fn contents(tree: &mut SlottedTree) -> BTreeMap<u64, Vec<u8>> {
    tree.range(..)
        .unwrap()
        .collect::<Result<BTreeMap<_, _>, _>>()
        .unwrap()
}

fn page(bytes: &[u8], id: usize) -> &[u8] {
    &bytes[id * PAGE_SIZE..(id + 1) * PAGE_SIZE]
}

/// 32-bit FNV-1a over the page number's 4 big-endian bytes, then the page's bytes.
fn fnv1a(page: u32, data: &[u8]) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in page.to_be_bytes().iter().chain(data) {
        hash ^= u32::from(*byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash
}

/// A journal in the README's format: header, then one record per page.
fn journal_bytes(page_count: u32, free_head: u32, records: &[(u32, &[u8])]) -> Vec<u8> {
    let mut bytes = b"ex01jrnl".to_vec();
    bytes.extend(page_count.to_be_bytes());
    bytes.extend(free_head.to_be_bytes());
    for (page, data) in records {
        assert_eq!(data.len(), PAGE_SIZE);
        bytes.extend(page.to_be_bytes());
        bytes.extend(*data);
        bytes.extend(fnv1a(*page, data).to_be_bytes());
    }
    bytes
}

fn header_fields(bytes: &[u8]) -> (u32, u32) {
    let count = u32::from_be_bytes(bytes[24..28].try_into().unwrap());
    let free = u32::from_be_bytes(bytes[28..32].try_into().unwrap());
    (count, free)
}

/// A committed tree of 300 keys, some with values on overflow pages, and some deleted, so
/// that the free list is not empty.
fn committed_base(path: &Path) -> BTreeMap<u64, Vec<u8>> {
    let mut tree = SlottedTree::open(path, 8).unwrap();
    let mut model = BTreeMap::new();
    for k in shuffled(300, 1) {
        let len = if k % 50 == 0 {
            9000
        } else {
            30 + (k as usize % 90)
        };
        tree.insert(k * 10, &value_for(k, len)).unwrap();
        model.insert(k * 10, value_for(k, len));
    }
    for k in (0..300).step_by(7) {
        tree.delete(k * 10).unwrap();
        model.remove(&(k * 10));
    }
    tree.commit().unwrap();
    model
}

/// A transaction big enough to evict dirty pages to the file with a small cache: it grows the
/// file, rewrites existing pages, frees and reuses pages.
fn big_transaction(tree: &mut SlottedTree, model: &mut BTreeMap<u64, Vec<u8>>) {
    for k in shuffled(1500, 2) {
        let len = if k % 100 == 0 { 12_000 } else { 60 };
        tree.insert(k * 10 + 5, &value_for(k, len)).unwrap();
        model.insert(k * 10 + 5, value_for(k, len));
    }
    for k in (0..300).step_by(3) {
        assert_eq!(tree.delete(k * 10).unwrap(), model.remove(&(k * 10)));
    }
}

#[test]
fn commit_makes_a_transaction_durable_and_removes_the_journal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let mut model = committed_base(&path);
    let journal = journal_of(&path);
    assert!(!journal.exists(), "no journal after a commit");

    let mut tree = SlottedTree::open(&path, 4).unwrap();
    tree.commit().unwrap();
    assert!(!journal.exists(), "a commit without changes writes nothing");
    big_transaction(&mut tree, &mut model);
    assert!(
        journal.exists(),
        "pages were evicted to the file during the transaction: their originals are journaled in <db>-journal"
    );
    assert_eq!(contents(&mut tree), model, "reads see uncommitted changes");
    tree.commit().unwrap();
    assert!(!journal.exists(), "the commit deletes the journal");
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(
        header_fields(&bytes).0 as usize * PAGE_SIZE,
        bytes.len(),
        "the header's page count matches the file"
    );
    drop(tree);

    let mut tree = SlottedTree::open(&path, 4).unwrap();
    assert_eq!(contents(&mut tree), model);
    tree.check().unwrap();
}

#[test]
fn rollback_restores_the_exact_bytes_of_the_last_commit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let model = committed_base(&path);
    let before = std::fs::read(&path).unwrap();

    let mut tree = SlottedTree::open(&path, 3).unwrap();
    let pages = tree.page_count();
    let free = tree.free_pages().unwrap();
    let mut changed = model.clone();
    big_transaction(&mut tree, &mut changed);
    assert!(tree.page_count() > pages, "the transaction grew the file");
    assert_ne!(
        std::fs::read(&path).unwrap(),
        before,
        "with 3 cached pages, dirty pages reached the file before the commit"
    );
    tree.rollback().unwrap();
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "the file is byte for byte what the last commit left"
    );
    assert!(!journal_of(&path).exists(), "rollback deletes the journal");
    assert_eq!(tree.page_count(), pages);
    assert_eq!(tree.free_pages().unwrap(), free);
    assert_eq!(contents(&mut tree), model);
    tree.check().unwrap();

    // The tree stays usable: a second transaction commits normally.
    let mut model = model;
    for k in 0..200 {
        tree.insert(k * 10 + 1, &value_for(k, 100)).unwrap();
        model.insert(k * 10 + 1, value_for(k, 100));
    }
    tree.commit().unwrap();
    tree.rollback().unwrap();
    drop(tree);
    let mut tree = SlottedTree::open(&path, 3).unwrap();
    assert_eq!(
        contents(&mut tree),
        model,
        "rollback after a commit undoes nothing"
    );
    tree.check().unwrap();
}

#[test]
fn dropping_without_commit_is_rolled_back_at_the_next_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let model = committed_base(&path);
    let before = std::fs::read(&path).unwrap();

    let mut tree = SlottedTree::open(&path, 3).unwrap();
    big_transaction(&mut tree, &mut model.clone());
    drop(tree); // as if the process died: no commit, no rollback
    assert_ne!(std::fs::read(&path).unwrap(), before);
    assert!(journal_of(&path).exists(), "the journal is hot");

    let mut tree = SlottedTree::open(&path, 3).unwrap();
    assert!(
        !journal_of(&path).exists(),
        "open rolls back and deletes a hot journal"
    );
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert_eq!(contents(&mut tree), model);
    tree.check().unwrap();
}

/// Commits `big_transaction` on top of `committed_base` and returns (bytes before, after).
fn two_commits(path: &Path) -> (Vec<u8>, Vec<u8>) {
    let mut model = committed_base(path);
    let before = std::fs::read(path).unwrap();
    let mut tree = SlottedTree::open(path, 16).unwrap();
    big_transaction(&mut tree, &mut model);
    tree.commit().unwrap();
    drop(tree);
    let after = std::fs::read(path).unwrap();
    assert!(after.len() > before.len());
    (before, after)
}

#[test]
fn a_hot_journal_written_by_hand_is_rolled_back_at_open() {
    // The database holds the second commit in full, but the first commit's journal is still
    // there (the crash came after the database was synced, before the journal was deleted):
    // the transaction did not commit, and open must restore the first state.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let (before, after) = two_commits(&path);
    let (count, free) = header_fields(&before);
    let changed: Vec<(u32, &[u8])> = (1..count as usize)
        .filter(|&p| page(&before, p) != page(&after, p))
        .map(|p| (p as u32, page(&before, p)))
        .collect();
    assert!(changed.len() >= 3);
    std::fs::write(journal_of(&path), journal_bytes(count, free, &changed)).unwrap();

    let mut tree = SlottedTree::open(&path, 8).unwrap();
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "the journal's pages, page count and free-list head are restored"
    );
    assert!(!journal_of(&path).exists());
    tree.check().unwrap();
}

#[test]
fn a_journal_cut_short_is_replayed_up_to_its_last_whole_record() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let (before, after) = two_commits(&path);
    let (count, free) = header_fields(&before);
    let changed: Vec<usize> = (1..count as usize)
        .filter(|&p| page(&before, p) != page(&after, p))
        .collect();
    assert!(changed.len() >= 3);
    let (last, done) = changed.split_last().unwrap();
    // A crash while the journal record for `last` was being written: the pages journaled
    // before it may have reached the database, `last` and the header cannot have.
    let crashed_file = |untouched: usize| {
        let mut bytes = after.clone();
        bytes[..PAGE_SIZE].copy_from_slice(page(&before, 0));
        bytes[untouched * PAGE_SIZE..(untouched + 1) * PAGE_SIZE]
            .copy_from_slice(page(&before, untouched));
        bytes
    };
    let records: Vec<(u32, &[u8])> = done.iter().map(|&p| (p as u32, page(&before, p))).collect();
    let whole = journal_bytes(count, free, &records);

    // The last record cut in the middle of its page.
    let mut cut = journal_bytes(
        count,
        free,
        &[records.clone(), vec![(*last as u32, page(&before, *last))]].concat(),
    );
    cut.truncate(whole.len() + RECORD_LEN / 2);
    // The last record whole, but with a checksum that does not match: not written completely.
    let mut damaged = journal_bytes(count, free, &[(*last as u32, page(&after, *last))]);
    let end = damaged.len();
    damaged[end - 1] ^= 0x55;
    let damaged = [whole.clone(), damaged[JOURNAL_HEADER_LEN..].to_vec()].concat();

    for (name, journal) in [("cut short", cut), ("with a bad checksum", damaged)] {
        std::fs::write(&path, crashed_file(*last)).unwrap();
        std::fs::write(journal_of(&path), journal).unwrap();
        let mut tree = SlottedTree::open(&path, 8).unwrap();
        assert!(
            std::fs::read(&path).unwrap() == before,
            "a journal {name}: open must restore the last commit, applying only whole records"
        );
        assert!(!journal_of(&path).exists(), "a journal {name} is deleted");
        tree.check().unwrap();
    }

    // A journal whose header never made it to disk: no database page was written yet.
    std::fs::write(&path, &before).unwrap();
    std::fs::write(journal_of(&path), b"ex01j").unwrap();
    let mut tree = SlottedTree::open(&path, 8).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert!(!journal_of(&path).exists());
    tree.check().unwrap();
}

/// The workload of the crash test: a transaction of inserts (two with overflow pages),
/// replacements and deletes, then a commit. Returns whether everything succeeded.
fn crash_workload(tree: &mut SlottedTree) -> bool {
    let mut ok = true;
    for k in shuffled(80, 3) {
        let len = if k % 40 == 0 { 6000 } else { 200 };
        ok &= tree.insert(k * 10 + 5, &value_for(k, len)).is_ok();
    }
    for k in (0..300).step_by(11) {
        ok &= tree.delete(k * 10).is_ok();
    }
    ok &= tree.insert(20, &value_for(20, 3000)).is_ok();
    ok && tree.commit().is_ok()
}

#[test]
fn every_crash_point_leaves_the_whole_transaction_or_none_of_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    committed_base(&path);
    let before = std::fs::read(&path).unwrap();
    let mut tree = SlottedTree::open(&path, 3).unwrap();
    assert!(crash_workload(&mut tree));
    drop(tree);
    let after = std::fs::read(&path).unwrap();
    assert_ne!(before, after);

    let (mut rolled_back, mut committed) = (0, 0);
    for ops in 0.. {
        assert!(ops < 5000, "the workload never finished without a crash");
        std::fs::write(&path, &before).unwrap();
        let mut tree = SlottedTree::open(&path, 3).unwrap();
        tree.crash_after(ops);
        let finished = crash_workload(&mut tree);
        drop(tree);

        let mut tree = SlottedTree::open(&path, 3).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert!(
            !journal_of(&path).exists(),
            "crash after {ops} operations: open left the journal behind"
        );
        if finished {
            assert!(
                bytes == after,
                "crash after {ops} operations: commit returned Ok, but the transaction is not all there"
            );
            tree.check().unwrap();
            break;
        }
        if bytes == before {
            rolled_back += 1;
        } else if bytes == after {
            committed += 1;
        } else {
            panic!("crash after {ops} operations: the file is neither the state before the transaction nor the state after it");
        }
        tree.check().unwrap();
    }
    assert!(
        rolled_back > 20,
        "only {rolled_back} crash points: the transaction should write more than that"
    );
    // A crash after the journal's deletion (a directory fsync, say) may leave the commit.
    println!("{rolled_back} crash points rolled back, {committed} committed");
}

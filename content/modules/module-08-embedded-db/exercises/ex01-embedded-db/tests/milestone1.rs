//! Milestone 1: the pager, the LRU page cache and a persistent B+tree with splits.

use std::collections::BTreeMap;
use std::ops::Bound;
use std::path::Path;

use ex01_embedded_db::{BTree, DbError, PageCache, PageId, Pager, MAX_VALUE_LEN, PAGE_SIZE};
use proptest::prelude::*;
use proptest::test_runner::{RngAlgorithm, TestRng, TestRunner};

fn page_filled(byte: u8) -> [u8; PAGE_SIZE] {
    [byte; PAGE_SIZE]
}

/// A pager over a fresh file with pages 1..=n already written, page i filled with byte i.
fn pager_with_pages(path: &Path, n: u32) -> Pager {
    let mut pager = Pager::open(path).unwrap();
    for i in 1..=n {
        let id = pager.allocate();
        assert_eq!(id, PageId(i));
        pager.write_page(id, &page_filled(i as u8)).unwrap();
    }
    pager.sync().unwrap();
    pager
}

/// A deterministic pseudo-random permutation of 0..n (no RNG crate needed).
fn shuffled(n: u64) -> Vec<u64> {
    let mut keys: Vec<u64> = (0..n).collect();
    let mut state = 0x2545_f491_4f6c_dd1du64;
    for i in (1..keys.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        keys.swap(i, (state % (i as u64 + 1)) as usize);
    }
    keys
}

fn value_for(key: u64, len: usize) -> Vec<u8> {
    (0..len).map(|i| (key as usize + i) as u8).collect()
}

fn collect(tree: &mut BTree, range: impl std::ops::RangeBounds<u64>) -> Vec<(u64, Vec<u8>)> {
    tree.range(range)
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap()
}

fn keys_of(entries: &[(u64, Vec<u8>)]) -> Vec<u64> {
    entries.iter().map(|(k, _)| *k).collect()
}

// ---------------------------------------------------------------------------------------------
// Pager
// ---------------------------------------------------------------------------------------------

#[test]
fn a_new_file_gets_a_header_page() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let pager = Pager::open(&path).unwrap();
    assert_eq!(pager.page_count(), 1);
    drop(pager);
    assert_eq!(std::fs::metadata(&path).unwrap().len(), PAGE_SIZE as u64);
    assert_eq!(Pager::open(&path).unwrap().page_count(), 1);
}

#[test]
fn pages_round_trip_through_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    drop(pager_with_pages(&path, 3));

    let mut pager = Pager::open(&path).unwrap();
    assert_eq!(pager.page_count(), 4);
    let mut buf = [0u8; PAGE_SIZE];
    for i in 1..=3u32 {
        pager.read_page(PageId(i), &mut buf).unwrap();
        assert!(
            buf.iter().all(|b| *b == i as u8),
            "page {i} has the wrong contents"
        );
    }
    pager.write_page(PageId(2), &page_filled(0xEE)).unwrap();
    pager.sync().unwrap();
    drop(pager);
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(bytes.len(), 4 * PAGE_SIZE);
    assert!(
        bytes[2 * PAGE_SIZE..3 * PAGE_SIZE]
            .iter()
            .all(|b| *b == 0xEE),
        "page 2 lives at offset 2 * PAGE_SIZE"
    );
}

#[test]
fn page_zero_and_pages_past_the_end_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let mut pager = pager_with_pages(&dir.path().join("db"), 2);
    let mut buf = [0u8; PAGE_SIZE];
    assert!(matches!(
        pager.read_page(PageId(0), &mut buf),
        Err(DbError::InvalidPage(0))
    ));
    assert!(matches!(
        pager.write_page(PageId(0), &buf),
        Err(DbError::InvalidPage(0))
    ));
    assert!(matches!(
        pager.read_page(PageId(3), &mut buf),
        Err(DbError::InvalidPage(3))
    ));
    assert!(matches!(
        pager.write_page(PageId(99), &buf),
        Err(DbError::InvalidPage(99))
    ));
}

#[test]
fn foreign_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("not-a-db");
    std::fs::write(&path, vec![b'x'; 3 * PAGE_SIZE]).unwrap();
    assert!(matches!(Pager::open(&path), Err(DbError::NotADatabase(_))));
    std::fs::write(&path, b"short").unwrap();
    assert!(matches!(Pager::open(&path), Err(DbError::NotADatabase(_))));
}

// ---------------------------------------------------------------------------------------------
// Page cache
// ---------------------------------------------------------------------------------------------

#[test]
fn cache_hits_misses_and_capacity() {
    let dir = tempfile::tempdir().unwrap();
    let pager = pager_with_pages(&dir.path().join("db"), 10);
    let mut cache = PageCache::new(pager, 4);
    assert!(cache.is_empty());
    for i in 1..=10 {
        assert_eq!(cache.get(PageId(i)).unwrap()[0], i as u8);
        assert!(
            cache.len() <= 4,
            "cache holds {} pages, capacity is 4",
            cache.len()
        );
    }
    let stats = cache.stats();
    assert_eq!((stats.hits, stats.misses, stats.evictions), (0, 10, 6));
    cache.get(PageId(10)).unwrap();
    cache.get(PageId(9)).unwrap();
    assert_eq!(cache.stats().hits, 2);
    assert_eq!(
        cache.stats().writes,
        0,
        "clean pages are never written back"
    );
}

#[test]
fn cache_evicts_the_least_recently_used_page() {
    let dir = tempfile::tempdir().unwrap();
    let pager = pager_with_pages(&dir.path().join("db"), 4);
    let mut cache = PageCache::new(pager, 3);
    for i in [1, 2, 3] {
        cache.get(PageId(i)).unwrap();
    }
    cache.get(PageId(1)).unwrap(); // 2 is now the least recently used
    cache.get(PageId(4)).unwrap(); // evicts 2
    let before = cache.stats();
    cache.get(PageId(1)).unwrap();
    cache.get(PageId(3)).unwrap();
    cache.get(PageId(4)).unwrap();
    assert_eq!(
        cache.stats().hits,
        before.hits + 3,
        "pages 1, 3 and 4 should still be cached"
    );
    cache.get(PageId(2)).unwrap();
    assert_eq!(
        cache.stats().misses,
        before.misses + 1,
        "page 2 should have been evicted"
    );
}

#[test]
fn dirty_pages_are_written_back_on_eviction() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let mut cache = PageCache::new(pager_with_pages(&path, 3), 2);
    cache.get_mut(PageId(1)).unwrap()[100] = 0xAB;
    assert!(cache.is_dirty(PageId(1)));
    cache.get(PageId(2)).unwrap();
    cache.get(PageId(3)).unwrap(); // evicts page 1, which must be written first
    assert_eq!(cache.stats().writes, 1);
    assert!(!cache.is_dirty(PageId(1)));
    assert_eq!(
        cache.get(PageId(1)).unwrap()[100],
        0xAB,
        "the change survived eviction"
    );
}

#[test]
fn changes_reach_the_file_only_when_flushed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let mut cache = PageCache::new(pager_with_pages(&path, 3), 8);
    for i in 1..=3 {
        cache.get_mut(PageId(i)).unwrap()[0] = 0x50 + i as u8;
    }
    let new_page = cache.allocate().unwrap();
    assert_eq!(new_page, PageId(4));
    assert!(
        cache.get(new_page).unwrap().iter().all(|b| *b == 0),
        "allocated pages start zeroed"
    );
    cache.get_mut(new_page).unwrap()[0] = 0x77;

    // A second, independent pager sees the old contents: the cache is write-back.
    let mut other = Pager::open(&path).unwrap();
    let mut buf = [0u8; PAGE_SIZE];
    other.read_page(PageId(1), &mut buf).unwrap();
    assert_eq!(buf[0], 1);
    drop(other);

    cache.flush().unwrap();
    assert_eq!(cache.stats().writes, 4);
    assert!((1..=4).all(|i| !cache.is_dirty(PageId(i))));
    cache.flush().unwrap();
    assert_eq!(
        cache.stats().writes,
        4,
        "a second flush has nothing to write"
    );

    let mut reopened = Pager::open(&path).unwrap();
    assert_eq!(reopened.page_count(), 5);
    for (i, want) in [(1, 0x51), (2, 0x52), (3, 0x53), (4, 0x77)] {
        reopened.read_page(PageId(i), &mut buf).unwrap();
        assert_eq!(buf[0], want, "page {i}");
    }
}

// ---------------------------------------------------------------------------------------------
// B+tree
// ---------------------------------------------------------------------------------------------

#[test]
fn an_empty_tree() {
    let dir = tempfile::tempdir().unwrap();
    let mut tree = BTree::open(dir.path().join("db"), 16).unwrap();
    assert_eq!(tree.get(42).unwrap(), None);
    assert!(collect(&mut tree, ..).is_empty());
    assert_eq!(tree.depth().unwrap(), 1);
    tree.check().unwrap();
}

#[test]
fn insert_get_and_replace() {
    let dir = tempfile::tempdir().unwrap();
    let mut tree = BTree::open(dir.path().join("db"), 16).unwrap();
    assert_eq!(tree.insert(7, b"seven").unwrap(), None);
    assert_eq!(tree.insert(3, b"three").unwrap(), None);
    assert_eq!(tree.insert(u64::MAX, b"max").unwrap(), None);
    assert_eq!(tree.insert(0, b"").unwrap(), None);
    assert_eq!(tree.get(7).unwrap().as_deref(), Some(&b"seven"[..]));
    assert_eq!(tree.get(0).unwrap().as_deref(), Some(&b""[..]));
    assert_eq!(tree.get(u64::MAX).unwrap().as_deref(), Some(&b"max"[..]));
    assert_eq!(tree.get(5).unwrap(), None);
    assert_eq!(
        tree.insert(7, b"SEVEN!").unwrap().as_deref(),
        Some(&b"seven"[..])
    );
    assert_eq!(tree.get(7).unwrap().as_deref(), Some(&b"SEVEN!"[..]));
    assert_eq!(keys_of(&collect(&mut tree, ..)), [0, 3, 7, u64::MAX]);
}

#[test]
fn values_over_the_limit_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let mut tree = BTree::open(dir.path().join("db"), 16).unwrap();
    tree.insert(1, &vec![9; MAX_VALUE_LEN]).unwrap();
    let err = tree.insert(2, &vec![9; MAX_VALUE_LEN + 1]).unwrap_err();
    assert!(
        matches!(err, DbError::ValueTooLarge { len, max } if len == MAX_VALUE_LEN + 1 && max == MAX_VALUE_LEN)
    );
    assert_eq!(tree.get(2).unwrap(), None);
    assert_eq!(tree.get(1).unwrap().map(|v| v.len()), Some(MAX_VALUE_LEN));
}

#[test]
fn many_inserts_in_every_order_split_nodes() {
    for (name, keys) in [
        ("ascending", (0..3000).collect::<Vec<u64>>()),
        ("descending", (0..3000).rev().collect()),
        ("shuffled", shuffled(3000)),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let mut tree = BTree::open(dir.path().join("db"), 32).unwrap();
        for &k in &keys {
            assert_eq!(
                tree.insert(k * 10, &value_for(k, 20)).unwrap(),
                None,
                "{name}: key {k}"
            );
        }
        tree.check().unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            tree.depth().unwrap() >= 2,
            "{name}: 3000 entries cannot fit in one leaf"
        );
        assert!(
            tree.cached_pages() <= 32,
            "{name}: the cache exceeded its capacity"
        );
        for k in 0..3000 {
            assert_eq!(
                tree.get(k * 10).unwrap(),
                Some(value_for(k, 20)),
                "{name}: key {k}"
            );
            assert_eq!(tree.get(k * 10 + 5).unwrap(), None, "{name}: key {k}+5");
        }
        let all = collect(&mut tree, ..);
        assert_eq!(
            keys_of(&all),
            (0..3000).map(|k| k * 10).collect::<Vec<_>>(),
            "{name}"
        );
    }
}

#[test]
fn large_values_grow_the_tree_to_three_levels() {
    let dir = tempfile::tempdir().unwrap();
    let mut tree = BTree::open(dir.path().join("db"), 64).unwrap();
    for k in shuffled(2500) {
        tree.insert(k, &value_for(k, 900)).unwrap();
    }
    tree.check().unwrap();
    assert!(
        tree.depth().unwrap() >= 3,
        "interior nodes must split too (depth {})",
        tree.depth().unwrap()
    );
    assert!(
        tree.cache_stats().evictions > 0,
        "the working set should exceed a 64-page cache"
    );
    for k in [0, 1, 1249, 2498, 2499] {
        assert_eq!(tree.get(k).unwrap(), Some(value_for(k, 900)));
    }
    assert_eq!(
        keys_of(&collect(&mut tree, 1000..1010)),
        (1000..1010).collect::<Vec<_>>()
    );
}

#[test]
fn range_bounds() {
    let dir = tempfile::tempdir().unwrap();
    let mut tree = BTree::open(dir.path().join("db"), 16).unwrap();
    for k in (0..1000).step_by(2) {
        tree.insert(k, &k.to_be_bytes()).unwrap();
    }
    assert_eq!(keys_of(&collect(&mut tree, 10..20)), [10, 12, 14, 16, 18]);
    assert_eq!(
        keys_of(&collect(&mut tree, 10..=20)),
        [10, 12, 14, 16, 18, 20]
    );
    assert_eq!(keys_of(&collect(&mut tree, 11..=19)), [12, 14, 16, 18]);
    assert_eq!(keys_of(&collect(&mut tree, ..5)), [0, 2, 4]);
    assert_eq!(keys_of(&collect(&mut tree, 993..)), [994, 996, 998]);
    assert_eq!(
        keys_of(&collect(
            &mut tree,
            (Bound::Excluded(10), Bound::Included(16))
        )),
        [12, 14, 16]
    );
    assert!(collect(&mut tree, 1000..).is_empty());
    assert!(collect(&mut tree, 21..22).is_empty());
    assert!(collect(&mut tree, 30..30).is_empty());
    assert_eq!(collect(&mut tree, ..).len(), 500);
    let entries = collect(&mut tree, 400..404);
    assert_eq!(
        entries,
        vec![
            (400, 400u64.to_be_bytes().to_vec()),
            (402, 402u64.to_be_bytes().to_vec())
        ]
    );
    // A scan can stop early; the tree is usable again once the iterator is dropped.
    let first_three: Vec<u64> = tree
        .range(..)
        .unwrap()
        .take(3)
        .map(|r| r.unwrap().0)
        .collect();
    assert_eq!(first_three, [0, 2, 4]);
    tree.insert(1, b"odd").unwrap();
    assert_eq!(keys_of(&collect(&mut tree, ..3)), [0, 1, 2]);
}

#[test]
fn the_tree_survives_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    {
        let mut tree = BTree::open(&path, 8).unwrap();
        for k in shuffled(2000) {
            tree.insert(k, &value_for(k, (k % 50) as usize)).unwrap();
        }
        tree.insert(77, b"replaced").unwrap();
        tree.flush().unwrap();
    }
    let mut tree = BTree::open(&path, 8).unwrap();
    tree.check().unwrap();
    assert_eq!(tree.get(77).unwrap().as_deref(), Some(&b"replaced"[..]));
    assert_eq!(tree.get(1999).unwrap(), Some(value_for(1999, 1999 % 50)));
    let all = collect(&mut tree, ..);
    assert_eq!(all.len(), 2000);
    assert!(all.windows(2).all(|w| w[0].0 < w[1].0));
    let pages = tree.page_count();
    assert_eq!(
        std::fs::metadata(&path).unwrap().len(),
        u64::from(pages) * PAGE_SIZE as u64
    );
}

#[test]
fn opening_a_foreign_file_fails() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("junk");
    std::fs::write(&path, vec![0u8; 2 * PAGE_SIZE]).unwrap();
    assert!(BTree::open(&path, 8).is_err());
}

#[derive(Debug, Clone)]
enum Op {
    Insert(u64, usize, u8),
    Get(u64),
    Range(u64, u64),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0u64..600, 0usize..=MAX_VALUE_LEN, any::<u8>()).prop_map(|(k, len, b)| Op::Insert(k, len, b)),
        2 => (0u64..650).prop_map(Op::Get),
        1 => (0u64..650, 0u64..100).prop_map(|(start, len)| Op::Range(start, start + len)),
    ]
}

/// The tree behaves exactly like std's BTreeMap, through evictions and a reopen. The runner uses a
/// fixed seed, so every run checks the same 48 cases and a failure always reproduces.
#[test]
fn behaves_like_a_btreemap() {
    // No failure persistence: regression files would land next to the official tests.
    let config = ProptestConfig {
        cases: 48,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    let mut runner =
        TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha));
    let strategy = (prop::collection::vec(op(), 1..300), 2usize..12);
    let result = runner.run(&strategy, |(ops, cache_pages)| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        let mut model = BTreeMap::new();
        {
            let mut tree = BTree::open(&path, cache_pages).unwrap();
            for op in &ops {
                match *op {
                    Op::Insert(k, len, b) => {
                        let value = vec![b; len];
                        prop_assert_eq!(tree.insert(k, &value).unwrap(), model.insert(k, value));
                    }
                    Op::Get(k) => prop_assert_eq!(tree.get(k).unwrap(), model.get(&k).cloned()),
                    Op::Range(a, b) => {
                        let got = collect(&mut tree, a..b);
                        let want: Vec<(u64, Vec<u8>)> =
                            model.range(a..b).map(|(k, v)| (*k, v.clone())).collect();
                        prop_assert_eq!(got, want);
                    }
                }
            }
            tree.check().unwrap();
            prop_assert!(tree.cached_pages() <= cache_pages);
            tree.flush().unwrap();
        }
        let mut tree = BTree::open(&path, cache_pages).unwrap();
        tree.check().unwrap();
        let got = collect(&mut tree, ..);
        let want: Vec<(u64, Vec<u8>)> = model.into_iter().collect();
        prop_assert_eq!(got, want);
        Ok(())
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
}

//! Milestone 1: the pager, the LRU page cache and a persistent B+tree with splits.

use std::collections::{BTreeMap, HashSet};
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
// An independent walk of the file
//
// The tests do not take the tree's own `check()` at its word. After a workload they flush the
// tree, read its file page by page through a second `Pager`, decode every node with the layout
// the README specifies, and verify the B+tree invariants themselves. The walk uses no tree
// code, only the pager, which the pager tests pin down on their own.
// ---------------------------------------------------------------------------------------------

/// The root's page: it never moves (the README and `lib.rs` fix it at page 1).
const ROOT_PAGE: u32 = 1;
/// A node's header: type byte, cell count, link (next leaf or rightmost child).
const NODE_HEADER_LEN: usize = 7;
const LEAF_TYPE: u8 = 1;
const INTERIOR_TYPE: u8 = 2;

/// A node as the README's layout defines it. Page numbers are plain `u32`s; 0 means none.
#[derive(Debug, Clone)]
enum DiskNode {
    Leaf {
        next: u32,
        cells: Vec<(u64, Vec<u8>)>,
    },
    Interior {
        keys: Vec<u64>,
        children: Vec<u32>,
    },
}

/// Reads fields one after another, failing (never panicking) when one runs past the page.
struct PageReader<'a> {
    page: &'a [u8],
    at: usize,
    id: u32,
}

impl<'a> PageReader<'a> {
    fn take(&mut self, len: usize) -> Result<&'a [u8], String> {
        let bytes = self
            .page
            .get(self.at..self.at + len)
            .ok_or_else(|| format!("page {}: its cells run past the end of the page", self.id))?;
        self.at += len;
        Ok(bytes)
    }

    fn u16(&mut self) -> Result<u16, String> {
        Ok(u16::from_be_bytes(self.take(2)?.try_into().unwrap()))
    }

    fn u32(&mut self) -> Result<u32, String> {
        Ok(u32::from_be_bytes(self.take(4)?.try_into().unwrap()))
    }

    fn u64(&mut self) -> Result<u64, String> {
        Ok(u64::from_be_bytes(self.take(8)?.try_into().unwrap()))
    }
}

/// Decodes page `id` with the README's layout (all integers big-endian):
/// leaf `[0]=1 [1..3] count [3..7] next leaf`, cells `key u64 | len u16 | value`;
/// interior `[0]=2 [1..3] key count [3..7] rightmost child`, cells `child u32 | key u64`.
fn decode_node(id: u32, page: &[u8; PAGE_SIZE]) -> Result<DiskNode, String> {
    let mut r = PageReader { page, at: 0, id };
    let kind = r.take(1)?[0];
    let count = usize::from(r.u16()?);
    let link = r.u32()?;
    match kind {
        LEAF_TYPE => {
            let mut cells = Vec::new();
            for _ in 0..count {
                let key = r.u64()?;
                let len = usize::from(r.u16()?);
                if len > MAX_VALUE_LEN {
                    return Err(format!(
                        "page {id}: a {len}-byte value (the limit is {MAX_VALUE_LEN})"
                    ));
                }
                cells.push((key, r.take(len)?.to_vec()));
            }
            Ok(DiskNode::Leaf { next: link, cells })
        }
        INTERIOR_TYPE => {
            if count == 0 || link == 0 {
                return Err(format!(
                    "page {id}: an interior node needs a key and a rightmost child"
                ));
            }
            let mut keys = Vec::new();
            let mut children = Vec::new();
            for _ in 0..count {
                children.push(r.u32()?);
                keys.push(r.u64()?);
            }
            children.push(link);
            Ok(DiskNode::Interior { keys, children })
        }
        other => Err(format!(
            "page {id}: node type {other}, expected 1 (leaf) or 2 (interior)"
        )),
    }
}

/// Encodes a node with the README's layout, for writing trees by hand.
fn encode_node(node: &DiskNode) -> [u8; PAGE_SIZE] {
    let mut bytes = Vec::new();
    match node {
        DiskNode::Leaf { next, cells } => {
            bytes.push(LEAF_TYPE);
            bytes.extend((cells.len() as u16).to_be_bytes());
            bytes.extend(next.to_be_bytes());
            for (key, value) in cells {
                bytes.extend(key.to_be_bytes());
                bytes.extend((value.len() as u16).to_be_bytes());
                bytes.extend(value);
            }
        }
        DiskNode::Interior { keys, children } => {
            assert_eq!(children.len(), keys.len() + 1);
            bytes.push(INTERIOR_TYPE);
            bytes.extend((keys.len() as u16).to_be_bytes());
            bytes.extend(children[keys.len()].to_be_bytes());
            for (key, child) in keys.iter().zip(children) {
                bytes.extend(child.to_be_bytes());
                bytes.extend(key.to_be_bytes());
            }
        }
    }
    let mut page = [0u8; PAGE_SIZE];
    page[..bytes.len()].copy_from_slice(&bytes);
    page
}

/// What an independent walk of a valid tree found.
struct Walk {
    /// Levels, counted like `BTree::depth`: 1 while the root is a leaf.
    depth: usize,
    /// Every entry of every leaf, in key order.
    entries: Vec<(u64, Vec<u8>)>,
    /// The leaves in key order.
    leaves: Vec<u32>,
}

struct Walker {
    pager: Pager,
    seen: HashSet<u32>,
    leaf_depth: Option<usize>,
    /// (page, next-leaf link) of each leaf, in key order.
    leaves: Vec<(u32, u32)>,
    entries: Vec<(u64, Vec<u8>)>,
}

/// Walks the tree in the file at `path` from the root and verifies every invariant the README
/// states: each node decodes within its page; keys strictly increase within each node; every
/// key lies within its parent's separators (child `ci` holds `k(i-1) <= key < ki`); every
/// interior node has at least one key and one more child than keys; no node but the root is
/// empty; no page is reachable twice; all leaves are at the same depth; and the leaf chain
/// links every leaf to the next one in key order, the last one to 0.
fn walk_file(path: &Path) -> Result<Walk, String> {
    let pager = Pager::open(path).map_err(|e| format!("cannot open the file: {e}"))?;
    let mut walker = Walker {
        pager,
        seen: HashSet::new(),
        leaf_depth: None,
        leaves: Vec::new(),
        entries: Vec::new(),
    };
    walker.visit(ROOT_PAGE, None, None, 1)?;
    for pair in walker.leaves.windows(2) {
        let ((page, next), (following, _)) = (pair[0], pair[1]);
        if next != following {
            return Err(format!(
                "leaf chain: leaf {page} links to page {next}, but the next leaf in key order is page {following}"
            ));
        }
    }
    if let Some(&(page, next)) = walker.leaves.last() {
        if next != 0 {
            return Err(format!(
                "leaf chain: the last leaf, page {page}, links to page {next}"
            ));
        }
    }
    if let Some(pair) = walker.entries.windows(2).find(|w| w[0].0 >= w[1].0) {
        return Err(format!(
            "key {} comes after key {} in key order",
            pair[1].0, pair[0].0
        ));
    }
    Ok(Walk {
        depth: walker.leaf_depth.unwrap_or(1),
        entries: walker.entries,
        leaves: walker.leaves.iter().map(|(page, _)| *page).collect(),
    })
}

impl Walker {
    fn visit(
        &mut self,
        page: u32,
        low: Option<u64>,
        high: Option<u64>,
        depth: usize,
    ) -> Result<(), String> {
        let page_count = self.pager.page_count();
        if page == 0 || page >= page_count {
            return Err(format!(
                "a child pointer to page {page}, but the file has pages 1..{page_count}"
            ));
        }
        if !self.seen.insert(page) {
            return Err(format!("page {page} is reachable twice"));
        }
        let mut buf = [0u8; PAGE_SIZE];
        self.pager
            .read_page(PageId(page), &mut buf)
            .map_err(|e| format!("cannot read page {page}: {e}"))?;
        let in_bounds = |k: u64| low.is_none_or(|l| k >= l) && high.is_none_or(|h| k < h);
        let bounds = format!("{low:?}..{high:?}");
        match decode_node(page, &buf)? {
            DiskNode::Leaf { next, cells } => {
                if cells.is_empty() && page != ROOT_PAGE {
                    return Err(format!("leaf {page} is empty (only the root may be)"));
                }
                if let Some(w) = cells.windows(2).find(|w| w[0].0 >= w[1].0) {
                    return Err(format!(
                        "leaf {page}: key {} is followed by key {}",
                        w[0].0, w[1].0
                    ));
                }
                if let Some((k, _)) = cells.iter().find(|(k, _)| !in_bounds(*k)) {
                    return Err(format!(
                        "leaf {page}: key {k} is outside its separators {bounds}"
                    ));
                }
                match self.leaf_depth {
                    None => self.leaf_depth = Some(depth),
                    Some(d) if d != depth => {
                        return Err(format!(
                            "leaf {page} is at depth {depth}, other leaves at depth {d}"
                        ))
                    }
                    Some(_) => {}
                }
                self.leaves.push((page, next));
                self.entries.extend(cells);
            }
            DiskNode::Interior { keys, children } => {
                if let Some(w) = keys.windows(2).find(|w| w[0] >= w[1]) {
                    return Err(format!(
                        "interior {page}: key {} is followed by key {}",
                        w[0], w[1]
                    ));
                }
                if let Some(k) = keys.iter().find(|k| !in_bounds(**k)) {
                    return Err(format!(
                        "interior {page}: separator {k} is outside its separators {bounds}"
                    ));
                }
                for (i, &child) in children.iter().enumerate() {
                    let lo = if i == 0 { low } else { Some(keys[i - 1]) };
                    let hi = if i == keys.len() { high } else { Some(keys[i]) };
                    self.visit(child, lo, hi, depth + 1)?;
                }
            }
        }
        Ok(())
    }
}

/// Whether the walked entries are exactly the model's: every key once, with its value.
fn same_entries(found: &[(u64, Vec<u8>)], model: &BTreeMap<u64, Vec<u8>>) -> Result<(), String> {
    for (key, value) in found {
        match model.get(key) {
            None => return Err(format!("key {key} is in the file but was never inserted")),
            Some(want) if want != value => {
                return Err(format!(
                    "key {key} has a {}-byte value in the file, expected its {}-byte value",
                    value.len(),
                    want.len()
                ))
            }
            Some(_) => {}
        }
    }
    // `found` is strictly increasing (the walk checked), so no key is in it twice.
    if let Some(missing) = model
        .keys()
        .find(|k| found.binary_search_by_key(*k, |(f, _)| *f).is_err())
    {
        return Err(format!("key {missing} was inserted but is not in the file"));
    }
    Ok(())
}

/// Flushes `tree`, walks its file independently and panics unless it is a valid B+tree holding
/// exactly `model` at the depth `tree.depth()` reports. The tree's own `check()` must agree.
fn assert_valid_file(tree: &mut BTree, path: &Path, model: &BTreeMap<u64, Vec<u8>>, what: &str) {
    tree.flush().unwrap();
    let walk =
        walk_file(path).unwrap_or_else(|e| panic!("{what}: the file is not a valid B+tree: {e}"));
    same_entries(&walk.entries, model).unwrap_or_else(|e| panic!("{what}: {e}"));
    assert_eq!(
        tree.depth().unwrap(),
        walk.depth,
        "{what}: depth() disagrees with the file"
    );
    tree.check()
        .unwrap_or_else(|e| panic!("{what}: check() rejects a valid tree: {e}"));
}

/// Writes `pages` as pages 1, 2, ... of a new database file, through the pager.
fn write_pages(path: &Path, pages: &[[u8; PAGE_SIZE]]) {
    let mut pager = Pager::open(path).unwrap();
    for (i, page) in pages.iter().enumerate() {
        let id = pager.allocate();
        assert_eq!(id, PageId(i as u32 + 1));
        pager.write_page(id, page).unwrap();
    }
    pager.sync().unwrap();
}

/// Writes `nodes` as pages 1, 2, ... of a new database file: `nodes[0]` is the root.
fn write_tree_by_hand(path: &Path, nodes: &[DiskNode]) {
    write_pages(path, &nodes.iter().map(encode_node).collect::<Vec<_>>());
}

fn leaf(next: u32, keys: &[u64]) -> DiskNode {
    DiskNode::Leaf {
        next,
        cells: keys.iter().map(|&k| (k, value_for(k, 8))).collect(),
    }
}

fn interior(keys: &[u64], children: &[u32]) -> DiskNode {
    DiskNode::Interior {
        keys: keys.to_vec(),
        children: children.to_vec(),
    }
}

/// A valid two-level tree: root (page 1) over leaves 2, 3 and 4.
fn hand_written_tree() -> Vec<DiskNode> {
    vec![
        interior(&[100, 200], &[2, 3, 4]),
        leaf(3, &[10, 20, 30]),
        leaf(4, &[100, 150]),
        leaf(0, &[200, 250, 300]),
    ]
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
    let path = dir.path().join("db");
    let mut tree = BTree::open(&path, 16).unwrap();
    assert_eq!(tree.get(42).unwrap(), None);
    assert!(collect(&mut tree, ..).is_empty());
    assert_eq!(tree.depth().unwrap(), 1);
    assert_valid_file(&mut tree, &path, &BTreeMap::new(), "an empty tree");
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
        let path = dir.path().join("db");
        let mut tree = BTree::open(&path, 32).unwrap();
        for &k in &keys {
            assert_eq!(
                tree.insert(k * 10, &value_for(k, 20)).unwrap(),
                None,
                "{name}: key {k}"
            );
        }
        let model = (0..3000).map(|k| (k * 10, value_for(k, 20))).collect();
        assert_valid_file(&mut tree, &path, &model, name);
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
    let path = dir.path().join("db");
    let mut tree = BTree::open(&path, 64).unwrap();
    for k in shuffled(2500) {
        tree.insert(k, &value_for(k, 900)).unwrap();
    }
    let model = (0..2500).map(|k| (k, value_for(k, 900))).collect();
    assert_valid_file(&mut tree, &path, &model, "900-byte values");
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
    let mut model: BTreeMap<u64, Vec<u8>> = (0..2000)
        .map(|k| (k, value_for(k, (k % 50) as usize)))
        .collect();
    model.insert(77, b"replaced".to_vec());
    assert_valid_file(&mut tree, &path, &model, "after a reopen");
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

// ---------------------------------------------------------------------------------------------
// The tree on disk, checked without trusting the tree
// ---------------------------------------------------------------------------------------------

#[test]
fn the_file_is_a_valid_btree_after_every_workload() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let mut model = BTreeMap::new();
    let mut tree = BTree::open(&path, 8).unwrap();
    for k in shuffled(1500) {
        let value = value_for(k, (k as usize * 37) % (MAX_VALUE_LEN + 1));
        assert_eq!(tree.insert(k * 3, &value).unwrap(), None);
        model.insert(k * 3, value);
    }
    for (k, value) in [(0, vec![]), (u64::MAX, vec![7; MAX_VALUE_LEN])] {
        tree.insert(k, &value).unwrap();
        model.insert(k, value);
    }
    assert_valid_file(&mut tree, &path, &model, "mixed value sizes");

    // Replacing values grows and shrinks cells in place, and can split leaves too.
    for k in (0..1500).step_by(3) {
        let value = value_for(k, MAX_VALUE_LEN - (k as usize * 37) % (MAX_VALUE_LEN + 1));
        let old = tree.insert(k * 3, &value).unwrap();
        assert_eq!(old, model.insert(k * 3, value), "replacing key {}", k * 3);
    }
    assert_valid_file(&mut tree, &path, &model, "after replacements");

    // An ascending run past the end, then a descending run into the gaps.
    for k in 4500..5500 {
        tree.insert(k, &value_for(k, 100)).unwrap();
        model.insert(k, value_for(k, 100));
    }
    for k in (0..1500).rev() {
        tree.insert(k * 3 + 1, &value_for(k, 16)).unwrap();
        model.insert(k * 3 + 1, value_for(k, 16));
    }
    assert_valid_file(
        &mut tree,
        &path,
        &model,
        "after ascending and descending runs",
    );
    assert!(
        tree.depth().unwrap() >= 3,
        "this much data needs three levels"
    );
    drop(tree);

    let mut tree = BTree::open(&path, 8).unwrap();
    assert_valid_file(&mut tree, &path, &model, "after a reopen");
}

#[test]
fn a_tree_written_by_hand_in_the_documented_format_is_readable() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    write_tree_by_hand(&path, &hand_written_tree());
    let mut model: BTreeMap<u64, Vec<u8>> = [10, 20, 30, 100, 150, 200, 250, 300]
        .into_iter()
        .map(|k| (k, value_for(k, 8)))
        .collect();

    let mut tree = BTree::open(&path, 4).unwrap();
    assert_eq!(tree.depth().unwrap(), 2);
    tree.check()
        .unwrap_or_else(|e| panic!("check() rejects a valid hand-written tree: {e}"));
    for k in [10, 100, 150, 200, 300] {
        assert_eq!(tree.get(k).unwrap(), Some(value_for(k, 8)), "key {k}");
    }
    for k in [0, 99, 101, 199, 201, 301] {
        assert_eq!(tree.get(k).unwrap(), None, "key {k}");
    }
    assert_eq!(keys_of(&collect(&mut tree, 30..=200)), [30, 100, 150, 200]);
    let all = collect(&mut tree, ..);
    assert_eq!(all, model.clone().into_iter().collect::<Vec<_>>());

    // The tree grows from the hand-written pages and stays valid on disk.
    assert_eq!(
        tree.insert(150, b"new").unwrap(),
        model.insert(150, b"new".to_vec())
    );
    for k in shuffled(1500) {
        let value = value_for(k, 40);
        assert_eq!(tree.insert(k * 7 + 1, &value).unwrap(), None);
        model.insert(k * 7 + 1, value);
    }
    assert_valid_file(
        &mut tree,
        &path,
        &model,
        "a hand-written tree after inserts",
    );
}

#[test]
fn check_rejects_corrupted_trees() {
    let valid = hand_written_tree();
    let with = |page: usize, node: DiskNode| {
        let mut nodes = valid.clone();
        nodes[page - 1] = node;
        nodes.iter().map(encode_node).collect::<Vec<_>>()
    };
    let mut overlong = with(3, leaf(4, &[100, 150]));
    overlong[2][1..3].copy_from_slice(&500u16.to_be_bytes());
    let cases = [
        (
            "keys out of order in a leaf",
            with(4, leaf(0, &[200, 300, 250])),
        ),
        (
            "separators out of order",
            with(1, interior(&[200, 100], &[2, 3, 4])),
        ),
        (
            "a key outside its parent's separators",
            with(2, leaf(3, &[10, 20, 130])),
        ),
        (
            "leaves at different depths",
            [
                interior(&[100], &[2, 5]),
                leaf(3, &[10, 20, 30]),
                leaf(4, &[100, 150]),
                leaf(0, &[200, 250, 300]),
                interior(&[200], &[3, 4]),
            ]
            .iter()
            .map(encode_node)
            .collect(),
        ),
        (
            "a page reachable twice",
            with(1, interior(&[100, 200], &[2, 3, 3])),
        ),
        (
            "a leaf missing from the leaf chain",
            with(2, leaf(4, &[10, 20, 30])),
        ),
        ("a leaf whose cells run past its page", overlong),
    ];

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("valid");
    write_tree_by_hand(&path, &valid);
    walk_file(&path).unwrap();
    BTree::open(&path, 8).unwrap().check().unwrap();

    for (name, pages) in cases {
        let path = dir.path().join(name.replace(' ', "-"));
        write_pages(&path, &pages);
        assert!(
            walk_file(&path).is_err(),
            "{name}: the tests' walker accepts it"
        );
        match BTree::open(&path, 8) {
            // Refusing the file up front is as good as `check()` refusing it.
            Err(DbError::Corrupt { .. }) => {}
            Err(e) => panic!("{name}: open failed with `{e}`, expected DbError::Corrupt"),
            Ok(mut tree) => match tree.check() {
                Err(DbError::Corrupt { .. }) => {}
                Err(e) => panic!("{name}: check() failed with `{e}`, expected DbError::Corrupt"),
                Ok(()) => panic!("{name}: check() accepts a corrupted tree"),
            },
        }
    }
}

#[test]
fn a_leaf_splits_only_when_its_page_overflows() {
    // A leaf has 4,096 - 7 = 4,089 bytes for cells of 10 + len bytes: three 1,024-byte values
    // (3 x 1,034 bytes) and one of 977 bytes (987) fill it exactly.
    assert_eq!(
        3 * (10 + MAX_VALUE_LEN) + (10 + 977),
        PAGE_SIZE - NODE_HEADER_LEN
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let mut tree = BTree::open(&path, 16).unwrap();
    let mut model = BTreeMap::new();
    for (k, len) in [
        (10, MAX_VALUE_LEN),
        (20, MAX_VALUE_LEN),
        (30, MAX_VALUE_LEN),
        (40, 977),
    ] {
        tree.insert(k, &value_for(k, len)).unwrap();
        model.insert(k, value_for(k, len));
    }
    assert_valid_file(&mut tree, &path, &model, "a full leaf");
    assert_eq!(
        walk_file(&path).unwrap().leaves,
        [ROOT_PAGE],
        "4,096 bytes fit one page: the root must still be a single leaf"
    );

    tree.insert(25, b"").unwrap();
    model.insert(25, vec![]);
    assert_valid_file(&mut tree, &path, &model, "one cell more");
    assert_eq!(
        walk_file(&path).unwrap().leaves.len(),
        2,
        "10 more bytes overflow the page: the leaf splits in two"
    );
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
            // The file itself, walked without the tree's help, holds exactly the model.
            let walk = walk_file(&path).map_err(TestCaseError::fail)?;
            same_entries(&walk.entries, &model).map_err(TestCaseError::fail)?;
            prop_assert_eq!(tree.depth().unwrap(), walk.depth);
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

//! Milestone 2: slotted pages, deletes with merging and redistribution, overflow pages and a
//! free list, in `SlottedTree`.

use std::collections::BTreeMap;
use std::ops::RangeBounds;
use std::path::Path;

use ex01_embedded_db::{DbError, SlottedTree, PAGE_SIZE};
use proptest::prelude::*;
use proptest::test_runner::{RngAlgorithm, TestRng, TestRunner};

// ---------------------------------------------------------------------------------------------
// The layout the README fixes (all integers big-endian)
// ---------------------------------------------------------------------------------------------

const ROOT_PAGE: u32 = 1;
const LEAF: u8 = 13;
const INTERIOR: u8 = 5;
const OVERFLOW: u8 = 3;
const FREE: u8 = 4;
const NODE_HEADER_LEN: usize = 11;
const USABLE: usize = PAGE_SIZE - NODE_HEADER_LEN;
const INLINE_MAX: usize = 1024;
const OVERFLOW_HEADER_LEN: usize = 7;
const OVERFLOW_CHUNK: usize = PAGE_SIZE - OVERFLOW_HEADER_LEN;

fn value_for(key: u64, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (key as usize).wrapping_mul(31).wrapping_add(i) as u8)
        .collect()
}

/// A deterministic pseudo-random permutation of 0..n.
fn shuffled(n: u64, seed: u64) -> Vec<u64> {
    let mut keys: Vec<u64> = (0..n).collect();
    let mut state = 0x2545_f491_4f6c_dd1d ^ seed;
    for i in (1..keys.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        keys.swap(i, (state % (i as u64 + 1)) as usize);
    }
    keys
}

fn collect(tree: &mut SlottedTree, range: impl RangeBounds<u64>) -> Vec<(u64, Vec<u8>)> {
    tree.range(range)
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap()
}

fn be16(b: &[u8], at: usize) -> Option<usize> {
    Some(usize::from(u16::from_be_bytes(
        b.get(at..at + 2)?.try_into().ok()?,
    )))
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn be64(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_be_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

// ---------------------------------------------------------------------------------------------
// An independent walk of the file, from its raw bytes
// ---------------------------------------------------------------------------------------------

/// What a walk of a valid file found.
struct Walk {
    depth: usize,
    entries: Vec<(u64, Vec<u8>)>,
    leaves: Vec<u32>,
    /// (page, bytes used by slots and cells) of every node but the root.
    fill: Vec<(u32, usize)>,
    overflow_pages: usize,
    free_pages: usize,
    page_count: u32,
}

struct Walker {
    file: Vec<u8>,
    page_count: u32,
    owner: BTreeMap<u32, &'static str>,
    leaf_depth: Option<usize>,
    leaves: Vec<(u32, u32)>,
    entries: Vec<(u64, Vec<u8>)>,
    fill: Vec<(u32, usize)>,
    overflow_pages: usize,
}

impl Walker {
    fn page(&self, id: u32) -> Result<&[u8], String> {
        if id == 0 || id >= self.page_count {
            return Err(format!(
                "a pointer to page {id}, but the file has pages 1..{}",
                self.page_count
            ));
        }
        let at = id as usize * PAGE_SIZE;
        Ok(&self.file[at..at + PAGE_SIZE])
    }

    fn claim(&mut self, id: u32, what: &'static str) -> Result<(), String> {
        match self.owner.insert(id, what) {
            None => Ok(()),
            Some(before) => Err(format!("page {id} is both {before} and {what}")),
        }
    }

    /// Reads an overflow chain holding `rest` bytes from `first`, claiming its pages.
    fn overflow(&mut self, leaf: u32, mut first: u32, rest: usize) -> Result<Vec<u8>, String> {
        let mut data = Vec::with_capacity(rest);
        while data.len() < rest {
            if first == 0 {
                return Err(format!("leaf {leaf}: an overflow chain ends early"));
            }
            self.claim(first, "an overflow page")?;
            self.overflow_pages += 1;
            let page = self.page(first)?.to_vec();
            if page[0] != OVERFLOW {
                return Err(format!(
                    "page {first}: type {}, expected an overflow page (3)",
                    page[0]
                ));
            }
            let len = be16(&page, 1).unwrap();
            let want = (rest - data.len()).min(OVERFLOW_CHUNK);
            if len != want {
                return Err(format!(
                    "overflow page {first} holds {len} bytes, expected {want} (every page but the last is full)"
                ));
            }
            data.extend_from_slice(&page[OVERFLOW_HEADER_LEN..OVERFLOW_HEADER_LEN + len]);
            first = be32(&page, 3).unwrap();
        }
        if first != 0 {
            return Err(format!(
                "leaf {leaf}: an overflow chain continues past its value"
            ));
        }
        Ok(data)
    }

    fn visit(
        &mut self,
        id: u32,
        low: Option<u64>,
        high: Option<u64>,
        depth: usize,
    ) -> Result<(), String> {
        self.claim(id, "a tree node")?;
        let page = self.page(id)?.to_vec();
        let kind = page[0];
        if kind != LEAF && kind != INTERIOR {
            return Err(format!(
                "page {id}: node type {kind}, expected 13 (leaf) or 5 (interior)"
            ));
        }
        let count = be16(&page, 1).unwrap();
        let start = be16(&page, 3).unwrap();
        let frag = be16(&page, 5).unwrap();
        let link = be32(&page, 7).unwrap();
        if start < NODE_HEADER_LEN + 2 * count || start > PAGE_SIZE {
            return Err(format!(
                "page {id}: the content starts at {start}, inside the header or slot array"
            ));
        }
        let mut extents = Vec::new();
        let mut cells = Vec::new();
        for slot in 0..count {
            let off = be16(&page, NODE_HEADER_LEN + 2 * slot).unwrap();
            if off < start || off >= PAGE_SIZE {
                return Err(format!(
                    "page {id}: slot {slot} points at {off}, outside the content area {start}..4096"
                ));
            }
            let len = if kind == LEAF {
                let total = be32(&page, off + 8)
                    .ok_or_else(|| format!("page {id}: cell {slot} runs past the page"))?;
                if total as usize > INLINE_MAX {
                    12 + INLINE_MAX + 4
                } else {
                    12 + total as usize
                }
            } else {
                12
            };
            if off + len > PAGE_SIZE {
                return Err(format!("page {id}: cell {slot} runs past the page"));
            }
            extents.push((off, off + len));
            cells.push(page[off..off + len].to_vec());
        }
        extents.sort_unstable();
        if let Some(w) = extents.windows(2).find(|w| w[0].1 > w[1].0) {
            return Err(format!(
                "page {id}: cells at {} and {} overlap",
                w[0].0, w[1].0
            ));
        }
        let cell_bytes: usize = extents.iter().map(|(a, b)| b - a).sum();
        if cell_bytes + frag != PAGE_SIZE - start {
            return Err(format!(
                "page {id}: {cell_bytes} bytes of cells and {frag} fragmented bytes, but the content area has {}",
                PAGE_SIZE - start
            ));
        }
        if id != ROOT_PAGE {
            self.fill.push((id, cell_bytes + 2 * count));
        }
        let keys: Vec<u64> = cells
            .iter()
            .map(|c| be64(c, if kind == LEAF { 0 } else { 4 }).unwrap())
            .collect();
        if let Some(w) = keys.windows(2).find(|w| w[0] >= w[1]) {
            return Err(format!(
                "page {id}: key {} is followed by key {} in slot order",
                w[0], w[1]
            ));
        }
        let in_bounds = |k: &u64| low.is_none_or(|l| *k >= l) && high.is_none_or(|h| *k < h);
        if let Some(k) = keys.iter().find(|k| !in_bounds(k)) {
            return Err(format!(
                "page {id}: key {k} is outside its separators {low:?}..{high:?}"
            ));
        }
        if kind == LEAF {
            if count == 0 && id != ROOT_PAGE {
                return Err(format!("leaf {id} is empty (only the root may be)"));
            }
            match self.leaf_depth {
                None => self.leaf_depth = Some(depth),
                Some(d) if d != depth => {
                    return Err(format!(
                        "leaf {id} is at depth {depth}, other leaves at depth {d}"
                    ))
                }
                Some(_) => {}
            }
            self.leaves.push((id, link));
            for (cell, key) in cells.iter().zip(keys) {
                let total = be32(cell, 8).unwrap() as usize;
                let local = total.min(INLINE_MAX);
                let mut value = cell[12..12 + local].to_vec();
                if total > INLINE_MAX {
                    let first = be32(cell, 12 + INLINE_MAX).unwrap();
                    value.extend(self.overflow(id, first, total - INLINE_MAX)?);
                }
                self.entries.push((key, value));
            }
        } else {
            if count == 0 || link == 0 {
                return Err(format!("interior {id} needs a key and a rightmost child"));
            }
            let mut children: Vec<u32> = cells.iter().map(|c| be32(c, 0).unwrap()).collect();
            children.push(link);
            for (i, &child) in children.iter().enumerate() {
                let lo = if i == 0 { low } else { Some(keys[i - 1]) };
                let hi = if i == keys.len() { high } else { Some(keys[i]) };
                self.visit(child, lo, hi, depth + 1)?;
            }
        }
        Ok(())
    }
}

/// Reads the whole file and checks every invariant the README states for milestone 2: the
/// slotted layout of every node (slots inside the content area, cells disjoint, exact
/// free-space accounting), the B+tree invariants and the leaf chain, overflow chains with full
/// pages but the last, the free list, and that every page is exactly one of tree node,
/// overflow page or free page.
fn walk_file(path: &Path) -> Result<Walk, String> {
    let file = std::fs::read(path).map_err(|e| format!("cannot read the file: {e}"))?;
    if file.len() < PAGE_SIZE || file.len() % PAGE_SIZE != 0 {
        return Err(format!(
            "the file has {} bytes, not whole pages",
            file.len()
        ));
    }
    let page_count = be32(&file, 24).unwrap();
    if page_count as usize * PAGE_SIZE != file.len() {
        return Err(format!(
            "the header says {page_count} pages, the file has {}",
            file.len() / PAGE_SIZE
        ));
    }
    let mut free = be32(&file, 28).unwrap();
    let mut w = Walker {
        file,
        page_count,
        owner: BTreeMap::new(),
        leaf_depth: None,
        leaves: Vec::new(),
        entries: Vec::new(),
        fill: Vec::new(),
        overflow_pages: 0,
    };
    w.visit(ROOT_PAGE, None, None, 1)?;
    for pair in w.leaves.windows(2) {
        let ((page, next), (following, _)) = (pair[0], pair[1]);
        if next != following {
            return Err(format!(
                "leaf chain: leaf {page} links to {next}, the next leaf in key order is {following}"
            ));
        }
    }
    if let Some(&(page, next)) = w.leaves.last() {
        if next != 0 {
            return Err(format!(
                "leaf chain: the last leaf, {page}, links to {next}"
            ));
        }
    }
    let mut free_pages = 0;
    while free != 0 {
        w.claim(free, "a free page")?;
        free_pages += 1;
        let page = w.page(free)?;
        if page[0] != FREE {
            return Err(format!(
                "page {free} is on the free list with type {}, expected 4",
                page[0]
            ));
        }
        free = be32(page, 3).unwrap();
    }
    let lost: Vec<u32> = (1..page_count)
        .filter(|p| !w.owner.contains_key(p))
        .collect();
    if !lost.is_empty() {
        return Err(format!(
            "pages {lost:?} are neither in the tree, nor overflow pages, nor free"
        ));
    }
    Ok(Walk {
        depth: w.leaf_depth.unwrap_or(1),
        entries: w.entries,
        leaves: w.leaves.iter().map(|(p, _)| *p).collect(),
        fill: w.fill,
        overflow_pages: w.overflow_pages,
        free_pages,
        page_count,
    })
}

fn same_entries(found: &[(u64, Vec<u8>)], model: &BTreeMap<u64, Vec<u8>>) -> Result<(), String> {
    if found.len() != model.len() {
        return Err(format!(
            "the file holds {} entries, expected {}",
            found.len(),
            model.len()
        ));
    }
    for ((key, value), (want_key, want)) in found.iter().zip(model) {
        if key != want_key {
            return Err(format!(
                "the file holds key {key} where key {want_key} belongs"
            ));
        }
        if value != want {
            return Err(format!(
                "key {key} has a {}-byte value in the file, expected its {}-byte value",
                value.len(),
                want.len()
            ));
        }
    }
    Ok(())
}

/// Flushes, walks the file and panics unless it is valid, holds exactly `model`, agrees with
/// `depth()`, `page_count()`, `free_pages()` and `check()`. Returns the walk.
fn assert_valid_file(
    tree: &mut SlottedTree,
    path: &Path,
    model: &BTreeMap<u64, Vec<u8>>,
    what: &str,
) -> Walk {
    tree.flush().unwrap();
    let walk = walk_file(path).unwrap_or_else(|e| panic!("{what}: the file is not valid: {e}"));
    same_entries(&walk.entries, model).unwrap_or_else(|e| panic!("{what}: {e}"));
    assert_eq!(tree.depth().unwrap(), walk.depth, "{what}: depth()");
    assert_eq!(tree.page_count(), walk.page_count, "{what}: page_count()");
    assert_eq!(
        tree.free_pages().unwrap(),
        walk.free_pages,
        "{what}: free_pages()"
    );
    tree.check()
        .unwrap_or_else(|e| panic!("{what}: check() rejects a valid tree: {e}"));
    walk
}

/// Every node but the root uses at least a third of its usable bytes.
fn assert_filled(walk: &Walk, what: &str) {
    if let Some((page, used)) = walk.fill.iter().find(|(_, used)| *used < USABLE / 3) {
        panic!(
            "{what}: node {page} uses {used} of {USABLE} bytes, less than a third: it should have been merged or refilled"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Writing files by hand
// ---------------------------------------------------------------------------------------------

fn header(page_count: u32, free_head: u32) -> Vec<u8> {
    let mut page = vec![0u8; PAGE_SIZE];
    page[0..16].copy_from_slice(b"ex01-embedded-db");
    page[16..20].copy_from_slice(&1u32.to_be_bytes());
    page[20..24].copy_from_slice(&(PAGE_SIZE as u32).to_be_bytes());
    page[24..28].copy_from_slice(&page_count.to_be_bytes());
    page[28..32].copy_from_slice(&free_head.to_be_bytes());
    page
}

/// A node with its cells placed at the given offsets (slot order = the order of `cells`), and
/// `frag` fragmented bytes declared.
fn node_at(kind: u8, link: u32, cells: &[(usize, Vec<u8>)], start: usize, frag: usize) -> Vec<u8> {
    let mut page = vec![0u8; PAGE_SIZE];
    page[0] = kind;
    page[1..3].copy_from_slice(&(cells.len() as u16).to_be_bytes());
    page[3..5].copy_from_slice(&(start as u16).to_be_bytes());
    page[5..7].copy_from_slice(&(frag as u16).to_be_bytes());
    page[7..11].copy_from_slice(&link.to_be_bytes());
    for (slot, (off, cell)) in cells.iter().enumerate() {
        page[NODE_HEADER_LEN + 2 * slot..NODE_HEADER_LEN + 2 * slot + 2]
            .copy_from_slice(&(*off as u16).to_be_bytes());
        page[*off..*off + cell.len()].copy_from_slice(cell);
    }
    page
}

/// A node with its cells packed at the end of the page, the first slot's cell last.
fn node(kind: u8, link: u32, cells: &[Vec<u8>]) -> Vec<u8> {
    let mut at = PAGE_SIZE;
    let placed: Vec<(usize, Vec<u8>)> = cells
        .iter()
        .map(|c| {
            at -= c.len();
            (at, c.clone())
        })
        .collect();
    node_at(kind, link, &placed, at, 0)
}

fn leaf_cell(key: u64, value: &[u8], overflow: u32) -> Vec<u8> {
    let mut cell = key.to_be_bytes().to_vec();
    cell.extend((value.len() as u32).to_be_bytes());
    cell.extend(&value[..value.len().min(INLINE_MAX)]);
    if value.len() > INLINE_MAX {
        cell.extend(overflow.to_be_bytes());
    }
    cell
}

fn interior_cell(child: u32, key: u64) -> Vec<u8> {
    let mut cell = child.to_be_bytes().to_vec();
    cell.extend(key.to_be_bytes());
    cell
}

fn overflow_page(next: u32, chunk: &[u8]) -> Vec<u8> {
    let mut page = vec![0u8; PAGE_SIZE];
    page[0] = OVERFLOW;
    page[1..3].copy_from_slice(&(chunk.len() as u16).to_be_bytes());
    page[3..7].copy_from_slice(&next.to_be_bytes());
    page[7..7 + chunk.len()].copy_from_slice(chunk);
    page
}

fn free_page(next: u32) -> Vec<u8> {
    let mut page = vec![0u8; PAGE_SIZE];
    page[0] = FREE;
    page[3..7].copy_from_slice(&next.to_be_bytes());
    page
}

/// Writes pages 1.. of a file, with the header page count and free-list head.
fn write_file(path: &Path, free_head: u32, pages: &[Vec<u8>]) {
    let mut bytes = header(pages.len() as u32 + 1, free_head);
    for page in pages {
        bytes.extend(page);
    }
    std::fs::write(path, bytes).unwrap();
}

/// A valid hand-written file: root interior (1) over leaves 2 and 3; leaf 2's cells are out of
/// physical order with a 40-byte hole; key 300 has a 5,000-byte value whose rest is on
/// overflow page 4 (3,976 bytes); page 5 is free.
fn hand_written_file() -> (Vec<Vec<u8>>, BTreeMap<u64, Vec<u8>>) {
    let mut model = BTreeMap::new();
    for k in [10u64, 20, 30, 200, 250] {
        model.insert(k, value_for(k, 20));
    }
    model.insert(300, value_for(300, 5000));
    let c = |k: u64| leaf_cell(k, &model[&k], 0);
    // Leaf 2: key 20 at the very end, then key 30, a hole of 40 bytes, then key 10 lowest.
    let leaf2 = node_at(
        LEAF,
        3,
        &[(3960, c(10)), (4064, c(20)), (4032, c(30))],
        3960,
        40,
    );
    let big = &model[&300];
    let leaf3 = node(LEAF, 0, &[c(200), c(250), leaf_cell(300, big, 4)]);
    let pages = vec![
        node(INTERIOR, 3, &[interior_cell(2, 200)]),
        leaf2,
        leaf3,
        overflow_page(0, &big[INLINE_MAX..]),
        free_page(0),
    ];
    (pages, model)
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[test]
fn a_new_tree_is_an_empty_slotted_root_leaf() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let mut tree = SlottedTree::open(&path, 8).unwrap();
    let walk = assert_valid_file(&mut tree, &path, &BTreeMap::new(), "an empty tree");
    assert_eq!(walk.leaves, [ROOT_PAGE]);
    assert_eq!(walk.page_count, 2);
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(bytes[PAGE_SIZE], LEAF, "page 1 is a leaf of type 13");
    assert_eq!(
        be16(&bytes, PAGE_SIZE + 3),
        Some(PAGE_SIZE),
        "an empty node's content starts at 4096"
    );
    assert_eq!(tree.get(1).unwrap(), None);
    assert_eq!(tree.delete(1).unwrap(), None);
    assert!(collect(&mut tree, ..).is_empty());
}

#[test]
fn inserts_build_a_valid_slotted_tree_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let mut tree = SlottedTree::open(&path, 8).unwrap();
    let mut model = BTreeMap::new();
    for k in shuffled(3000, 1) {
        let value = value_for(k, (k as usize * 37) % (INLINE_MAX + 1));
        assert_eq!(tree.insert(k * 2, &value).unwrap(), None);
        model.insert(k * 2, value);
    }
    for k in (0..3000).step_by(5) {
        let value = value_for(k, INLINE_MAX - (k as usize * 37) % (INLINE_MAX + 1));
        assert_eq!(
            tree.insert(k * 2, &value).unwrap(),
            model.insert(k * 2, value)
        );
    }
    let walk = assert_valid_file(&mut tree, &path, &model, "after inserts and replacements");
    assert!(walk.depth >= 3, "this much data needs three levels");
    assert_eq!(walk.overflow_pages, 0, "no value is over 1,024 bytes");
    assert_filled(&walk, "after inserts and replacements");
    for k in [0, 2, 1000, 5998] {
        assert_eq!(tree.get(k).unwrap(), model.get(&k).cloned(), "key {k}");
    }
    assert_eq!(tree.get(1).unwrap(), None);
    drop(tree);
    let mut tree = SlottedTree::open(&path, 8).unwrap();
    let got = collect(&mut tree, 100..=200);
    let want: Vec<_> = model
        .range(100..=200)
        .map(|(k, v)| (*k, v.clone()))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn deletes_merge_and_redistribute_underfull_nodes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let mut tree = SlottedTree::open(&path, 8).unwrap();
    let mut model = BTreeMap::new();
    for k in shuffled(4000, 2) {
        let value = value_for(k, 20 + (k as usize * 13) % 300);
        tree.insert(k, &value).unwrap();
        model.insert(k, value);
    }
    let before = assert_valid_file(&mut tree, &path, &model, "before deletes");
    // Delete in a different random order, checking the file at a few points.
    let order = shuffled(4000, 3);
    for (i, k) in order.iter().enumerate() {
        assert_eq!(
            tree.delete(*k).unwrap(),
            model.remove(k),
            "deleting key {k}"
        );
        assert_eq!(tree.delete(*k).unwrap(), None, "deleting key {k} twice");
        if i == 1500 || i == 3000 || i == 3900 {
            let what = format!("after {} deletes", i + 1);
            let walk = assert_valid_file(&mut tree, &path, &model, &what);
            assert_filled(&walk, &what);
            assert!(
                walk.leaves.len() < before.leaves.len(),
                "{what}: deletes merged no leaves"
            );
            assert_eq!(
                walk.page_count, before.page_count,
                "{what}: deleting never grows the file"
            );
        }
    }
    let walk = assert_valid_file(&mut tree, &path, &model, "after deleting everything");
    assert_eq!(walk.depth, 1, "an empty tree is a single root leaf");
    assert_eq!(
        walk.free_pages as u32,
        walk.page_count - 2,
        "every page but the header and the root is free"
    );
}

#[test]
fn a_fragmented_root_leaf_is_compacted_instead_of_split() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let mut tree = SlottedTree::open(&path, 8).unwrap();
    let mut model = BTreeMap::new();
    // Four cells of 12 + 1,000 bytes plus slots: 4,056 of 4,085 usable bytes.
    for k in 1..=4 {
        tree.insert(k, &value_for(k, 1000)).unwrap();
        model.insert(k, value_for(k, 1000));
    }
    tree.delete(2).unwrap();
    model.remove(&2);
    // The hole key 2 left is not contiguous with the free gap: only a compaction makes room.
    tree.insert(9, &value_for(9, 1010)).unwrap();
    model.insert(9, value_for(9, 1010));
    let walk = assert_valid_file(&mut tree, &path, &model, "after the compaction");
    assert_eq!(walk.leaves, [ROOT_PAGE], "the cell fits after compaction");
    assert_eq!(walk.page_count, 2);
}

#[test]
fn large_values_spill_into_overflow_chains() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let mut tree = SlottedTree::open(&path, 4).unwrap();
    let mut model = BTreeMap::new();
    let sizes = [
        INLINE_MAX,
        INLINE_MAX + 1,
        INLINE_MAX + OVERFLOW_CHUNK,
        INLINE_MAX + OVERFLOW_CHUNK + 1,
        64 * 1024,
        200_000,
    ];
    for (k, len) in sizes.iter().enumerate() {
        tree.insert(k as u64, &value_for(k as u64, *len)).unwrap();
        model.insert(k as u64, value_for(k as u64, *len));
    }
    let walk = assert_valid_file(&mut tree, &path, &model, "large values");
    let chains: usize = sizes
        .iter()
        .map(|len| len.saturating_sub(INLINE_MAX).div_ceil(OVERFLOW_CHUNK))
        .sum();
    assert_eq!(
        walk.overflow_pages, chains,
        "each value needs ceil((len - 1024) / 4089) overflow pages"
    );
    for (k, len) in sizes.iter().enumerate() {
        assert_eq!(
            tree.get(k as u64).unwrap(),
            Some(value_for(k as u64, *len)),
            "a {len}-byte value"
        );
    }

    // Shrinking a large value frees its chain; the next large value reuses the pages.
    let pages = walk.page_count;
    tree.insert(5, b"small now").unwrap();
    model.insert(5, b"small now".to_vec());
    let walk = assert_valid_file(&mut tree, &path, &model, "after shrinking a value");
    let freed = (200_000 - INLINE_MAX).div_ceil(OVERFLOW_CHUNK);
    assert_eq!(walk.overflow_pages, chains - freed, "the old chain is gone");
    assert!(
        walk.free_pages >= freed,
        "its {freed} pages are on the free list"
    );
    tree.insert(6, &value_for(6, 150_000)).unwrap();
    model.insert(6, value_for(6, 150_000));
    tree.delete(4).unwrap();
    model.remove(&4);
    let walk = assert_valid_file(&mut tree, &path, &model, "after reuse and a delete");
    assert_eq!(walk.page_count, pages, "freed overflow pages are reused");
    drop(tree);
    let mut tree = SlottedTree::open(&path, 4).unwrap();
    let all = collect(&mut tree, ..);
    assert_eq!(all, model.into_iter().collect::<Vec<_>>());
}

#[test]
fn freed_pages_are_reused_before_the_file_grows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let mut tree = SlottedTree::open(&path, 16).unwrap();
    let mut sizes = Vec::new();
    let (inserts, deletes) = (shuffled(10_000, 5), shuffled(10_000, 6));
    for round in 0..4u64 {
        for &k in &inserts {
            tree.insert(k, &value_for(k + round, 40)).unwrap();
        }
        tree.insert(20_000, &value_for(round, 30_000)).unwrap();
        for &k in &deletes {
            assert!(tree.delete(k).unwrap().is_some());
        }
        tree.delete(20_000).unwrap();
        tree.flush().unwrap();
        sizes.push(std::fs::metadata(&path).unwrap().len());
    }
    assert!(
        sizes.windows(2).all(|w| w[0] == w[1]),
        "the file grew while the same keys came and went: {sizes:?} bytes"
    );
    let walk = assert_valid_file(&mut tree, &path, &BTreeMap::new(), "after four rounds");
    assert_eq!(walk.free_pages as u32, walk.page_count - 2);
}

#[test]
fn a_tree_written_by_hand_in_the_slotted_format_is_readable() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let (pages, mut model) = hand_written_file();
    write_file(&path, 5, &pages);
    walk_file(&path).unwrap();

    let mut tree = SlottedTree::open(&path, 4).unwrap();
    tree.check()
        .unwrap_or_else(|e| panic!("check() rejects a valid hand-written file: {e}"));
    assert_eq!(tree.depth().unwrap(), 2);
    assert_eq!(tree.free_pages().unwrap(), 1);
    for k in [10, 20, 30, 200, 250, 300] {
        assert_eq!(tree.get(k).unwrap(), model.get(&k).cloned(), "key {k}");
    }
    assert_eq!(
        collect(&mut tree, 15..=250)
            .iter()
            .map(|(k, _)| *k)
            .collect::<Vec<_>>(),
        [20, 30, 200, 250]
    );
    // The free page is used first; then the tree grows from the hand-written pages.
    tree.insert(40, &value_for(40, 3000)).unwrap();
    model.insert(40, value_for(40, 3000));
    let walk = assert_valid_file(&mut tree, &path, &model, "after one large insert");
    assert_eq!(walk.page_count, 6, "the free page was reused");
    for k in shuffled(2000, 4) {
        tree.insert(k * 3 + 1, &value_for(k, 50)).unwrap();
        model.insert(k * 3 + 1, value_for(k, 50));
    }
    for k in [10, 20, 30, 200, 250, 300] {
        assert_eq!(tree.delete(k).unwrap(), model.remove(&k), "key {k}");
    }
    assert_valid_file(&mut tree, &path, &model, "after inserts and deletes");
}

#[test]
fn check_rejects_corrupted_files() {
    let (valid, _) = hand_written_file();
    let with = |page: usize, bytes: Vec<u8>| {
        let mut pages = valid.clone();
        pages[page - 1] = bytes;
        pages
    };
    let mut overlapping = valid[1].clone();
    // Slot 1 now points at key 10's cell as well.
    overlapping[NODE_HEADER_LEN + 2..NODE_HEADER_LEN + 4].copy_from_slice(&3960u16.to_be_bytes());
    let mut into_header = valid[1].clone();
    into_header[NODE_HEADER_LEN..NODE_HEADER_LEN + 2].copy_from_slice(&5u16.to_be_bytes());
    let mut bad_accounting = valid[1].clone();
    bad_accounting[5..7].copy_from_slice(&0u16.to_be_bytes());
    let mut unsorted = valid[2].clone();
    let (s0, s1) = (
        unsorted[NODE_HEADER_LEN..NODE_HEADER_LEN + 2].to_vec(),
        unsorted[NODE_HEADER_LEN + 2..NODE_HEADER_LEN + 4].to_vec(),
    );
    unsorted[NODE_HEADER_LEN..NODE_HEADER_LEN + 2].copy_from_slice(&s1);
    unsorted[NODE_HEADER_LEN + 2..NODE_HEADER_LEN + 4].copy_from_slice(&s0);
    let mut short_chunk = valid[3].clone();
    short_chunk[1..3].copy_from_slice(&100u16.to_be_bytes());
    let cases: Vec<(&str, u32, Vec<Vec<u8>>)> = vec![
        ("two slots point at one cell", 5, with(2, overlapping)),
        ("a slot points into the header", 5, with(2, into_header)),
        (
            "fragmented bytes not accounted for",
            5,
            with(2, bad_accounting),
        ),
        ("slots out of key order", 5, with(3, unsorted)),
        (
            "an overflow chunk of the wrong length",
            5,
            with(4, short_chunk),
        ),
        (
            "the free list starts at an overflow page in use",
            4,
            valid.clone(),
        ),
        (
            "the free list starts at a leaf in use",
            3,
            with(5, free_page(0)),
        ),
        ("a page neither in use nor free", 0, valid.clone()),
        (
            "a free page links to an overflow page in use",
            5,
            with(5, free_page(4)),
        ),
    ];

    let dir = tempfile::tempdir().unwrap();
    for (i, (name, free_head, pages)) in cases.into_iter().enumerate() {
        let path = dir.path().join(format!("case{i}"));
        write_file(&path, free_head, &pages);
        assert!(
            walk_file(&path).is_err(),
            "{name}: the tests' walker accepts it"
        );
        match SlottedTree::open(&path, 8) {
            Err(DbError::Corrupt { .. }) => {}
            Err(e) => panic!("{name}: open failed with `{e}`, expected DbError::Corrupt"),
            Ok(mut tree) => match tree.check() {
                Err(DbError::Corrupt { .. }) => {}
                Err(e) => panic!("{name}: check() failed with `{e}`, expected DbError::Corrupt"),
                Ok(()) => panic!("{name}: check() accepts a corrupted file"),
            },
        }
    }
}

#[derive(Debug, Clone)]
enum Op {
    Insert(u64, usize, u8),
    Delete(u64),
    Get(u64),
    Range(u64, u64),
}

fn op() -> impl Strategy<Value = Op> {
    let len = prop_oneof![
        8 => 0usize..=300,
        3 => 300usize..=INLINE_MAX + 100,
        1 => INLINE_MAX..=64 * 1024,
    ];
    prop_oneof![
        6 => (0u64..400, len, any::<u8>()).prop_map(|(k, len, b)| Op::Insert(k, len, b)),
        4 => (0u64..400).prop_map(Op::Delete),
        2 => (0u64..420).prop_map(Op::Get),
        1 => (0u64..420, 0u64..100).prop_map(|(start, len)| Op::Range(start, start + len)),
    ]
}

/// Inserts, deletes, gets and ranges with values up to 64 KiB behave exactly like a BTreeMap,
/// with small caches and through a reopen; the file is valid and holds exactly the model.
#[test]
fn behaves_like_a_btreemap_with_deletes_and_large_values() {
    let config = ProptestConfig {
        cases: 32,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    let mut runner =
        TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha));
    let strategy = (prop::collection::vec(op(), 1..400), 2usize..10);
    let result = runner.run(&strategy, |(ops, cache_pages)| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        let mut model = BTreeMap::new();
        {
            let mut tree = SlottedTree::open(&path, cache_pages).unwrap();
            for op in &ops {
                match *op {
                    Op::Insert(k, len, b) => {
                        let value = vec![b; len];
                        prop_assert_eq!(tree.insert(k, &value).unwrap(), model.insert(k, value));
                    }
                    Op::Delete(k) => prop_assert_eq!(tree.delete(k).unwrap(), model.remove(&k)),
                    Op::Get(k) => prop_assert_eq!(tree.get(k).unwrap(), model.get(&k).cloned()),
                    Op::Range(a, b) => {
                        let got = collect(&mut tree, a..b);
                        let want: Vec<(u64, Vec<u8>)> =
                            model.range(a..b).map(|(k, v)| (*k, v.clone())).collect();
                        prop_assert_eq!(got, want);
                    }
                }
            }
            prop_assert!(tree.cached_pages() <= cache_pages);
            tree.flush().unwrap();
            let walk = walk_file(&path).map_err(TestCaseError::fail)?;
            same_entries(&walk.entries, &model).map_err(TestCaseError::fail)?;
            prop_assert_eq!(tree.depth().unwrap(), walk.depth);
            if let Some((page, used)) = walk.fill.iter().find(|(_, used)| *used < USABLE / 3) {
                return Err(TestCaseError::fail(format!(
                    "node {page} uses {used} of {USABLE} bytes, less than a third"
                )));
            }
            tree.check().unwrap();
        }
        let mut tree = SlottedTree::open(&path, cache_pages).unwrap();
        let got = collect(&mut tree, ..);
        let want: Vec<(u64, Vec<u8>)> = model.into_iter().collect();
        prop_assert_eq!(got, want);
        Ok(())
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
}

#[test]
fn a_milestone_one_file_is_not_a_slotted_tree() {
    // Both trees live side by side in the crate, but their node types differ.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let mut old = ex01_embedded_db::BTree::open(&path, 4).unwrap();
    old.insert(1, b"one").unwrap();
    old.flush().unwrap();
    drop(old);
    assert!(matches!(
        SlottedTree::open(&path, 4),
        Err(DbError::Corrupt { .. })
    ));
}

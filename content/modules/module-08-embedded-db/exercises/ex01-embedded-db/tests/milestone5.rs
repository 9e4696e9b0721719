//! Milestone 5 (re-scoped): `SlottedTree::vacuum`, which rewrites the file compactly, like
//! SQLite's `VACUUM`, in one crash-safe transaction.

use std::collections::BTreeMap;
use std::ops::RangeBounds;
use std::path::{Path, PathBuf};

use ex01_embedded_db::SlottedTree;
use ex01_embedded_db::PAGE_SIZE;

// ---------------------------------------------------------------------------------------------
// The layout of milestone 2 (all integers big-endian)
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
    /// Per depth, the nodes in key order: (page, bytes used, bytes of its first cell).
    levels: Vec<Vec<(u32, usize, usize)>>,
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
    levels: Vec<Vec<(u32, usize, usize)>>,
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
        if self.levels.len() < depth {
            self.levels.resize(depth, Vec::new());
        }
        let first = cells.first().map_or(0, Vec::len);
        self.levels[depth - 1].push((id, cell_bytes + 2 * count, first));
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
        levels: Vec::new(),
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
        levels: w.levels,
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

fn journal_of(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push("-journal");
    PathBuf::from(name)
}

/// Every level is packed greedily in key order: each node but the last two of its level is
/// full. A leaf is full when the next leaf's first cell (and its slot) would not fit in it; an
/// interior node when one more cell of 12 bytes and its slot would not.
fn assert_packed(walk: &Walk, what: &str) {
    let depth = walk.levels.len();
    for (d, level) in walk.levels.iter().enumerate() {
        let leaf = d + 1 == depth;
        for i in 0..level.len().saturating_sub(2) {
            let (page, used, _) = level[i];
            let wanted = if leaf { level[i + 1].2 + 2 } else { 12 + 2 };
            assert!(
                used + wanted > USABLE,
                "{what}: node {page} (depth {}, {} of {}) uses {used} bytes and could still take {wanted}: the level is not packed",
                d + 1,
                i + 1,
                level.len()
            );
        }
    }
}

/// The number of pages the packing rule gives for `model`: header, packed leaves, interior
/// levels of at most 292 children per node, and overflow chains.
fn packed_page_count(model: &BTreeMap<u64, Vec<u8>>) -> u32 {
    let mut leaves: usize = 1;
    let mut used = 0;
    let mut overflow = 0;
    for value in model.values() {
        let cell = 12 + value.len().min(INLINE_MAX) + if value.len() > INLINE_MAX { 4 } else { 0 };
        if used + cell + 2 > USABLE {
            leaves += 1;
            used = 0;
        }
        used += cell + 2;
        overflow += value
            .len()
            .saturating_sub(INLINE_MAX)
            .div_ceil(OVERFLOW_CHUNK);
    }
    let mut nodes = leaves;
    let mut level = leaves;
    while level > 1 {
        level = level.div_ceil(USABLE / 14 + 1);
        nodes += level;
    }
    (1 + nodes + overflow) as u32
}

/// A committed tree of `n` shuffled keys (every 250th value on overflow pages), of which all
/// but every fifth are then deleted and committed.
fn thinned_tree(path: &Path, n: u64) -> (SlottedTree, BTreeMap<u64, Vec<u8>>) {
    let mut tree = SlottedTree::open(path, 16).unwrap();
    let mut model = BTreeMap::new();
    for k in shuffled(n, 7) {
        let len = if k % 250 == 0 {
            9000
        } else {
            10 + (k as usize * 37) % 400
        };
        tree.insert(k, &value_for(k, len)).unwrap();
        model.insert(k, value_for(k, len));
    }
    for (i, k) in shuffled(n, 8).into_iter().enumerate() {
        if i % 5 != 0 {
            tree.delete(k).unwrap();
            model.remove(&k);
        }
    }
    tree.commit().unwrap();
    (tree, model)
}

#[test]
fn vacuum_packs_the_tree_and_shrinks_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let (mut tree, model) = thinned_tree(&path, 6000);
    let before = assert_valid_file(&mut tree, &path, &model, "before the vacuum");
    assert!(before.free_pages > 0, "the deletes freed pages");

    tree.vacuum().unwrap();
    assert!(!journal_of(&path).exists(), "vacuum commits");
    let after = assert_valid_file(&mut tree, &path, &model, "after the vacuum");
    assert_eq!(after.free_pages, 0, "a vacuumed file has no free pages");
    assert!(
        after.page_count < before.page_count - before.free_pages as u32,
        "the vacuum packs the tree into fewer pages than it used ({} pages, {} of them free, became {})",
        before.page_count,
        before.free_pages,
        after.page_count
    );
    assert_packed(&after, "after the vacuum");
    assert_filled(&after, "after the vacuum");
    drop(tree);

    let mut tree = SlottedTree::open(&path, 16).unwrap();
    assert_eq!(
        collect(&mut tree, ..),
        model.into_iter().collect::<Vec<_>>()
    );
    tree.check().unwrap();
}

#[test]
fn the_vacuumed_file_has_exactly_the_pages_the_packing_needs() {
    let dir = tempfile::tempdir().unwrap();
    for (i, n) in [0u64, 1, 40, 700, 3000, 20_000].into_iter().enumerate() {
        let path = dir.path().join(format!("db{i}"));
        let (mut tree, model) = thinned_tree(&path, n);
        tree.vacuum().unwrap();
        let what = format!("{} keys after a vacuum", model.len());
        let walk = assert_valid_file(&mut tree, &path, &model, &what);
        assert_packed(&walk, &what);
        assert_filled(&walk, &what);
        assert_eq!(
            walk.levels.last().map_or(0, Vec::len),
            walk.leaves.len(),
            "{what}: the deepest level holds the leaves"
        );
        let overflow: usize = model
            .values()
            .map(|v| v.len().saturating_sub(INLINE_MAX).div_ceil(OVERFLOW_CHUNK))
            .sum();
        assert_eq!(walk.overflow_pages, overflow, "{what}: overflow pages");
        assert_eq!(
            walk.page_count,
            packed_page_count(&model),
            "{what}: the header, the packed nodes and the overflow pages, nothing else"
        );
        // Vacuuming a vacuumed file changes nothing.
        let bytes = std::fs::read(&path).unwrap();
        tree.vacuum().unwrap();
        assert_eq!(
            std::fs::read(&path).unwrap(),
            bytes,
            "{what}: a second vacuum"
        );
    }
}

#[test]
fn vacuum_commits_pending_changes_and_the_tree_keeps_working() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let mut tree = SlottedTree::open(&path, 8).unwrap();
    let mut model = BTreeMap::new();
    for k in shuffled(2000, 9) {
        tree.insert(k * 2, &value_for(k, 50)).unwrap();
        model.insert(k * 2, value_for(k, 50));
    }
    tree.vacuum().unwrap(); // nothing was committed before
    drop(tree);
    let mut tree = SlottedTree::open(&path, 8).unwrap();
    let walk = assert_valid_file(
        &mut tree,
        &path,
        &model,
        "after a vacuum of uncommitted keys",
    );
    assert_packed(&walk, "after a vacuum of uncommitted keys");

    // Deletes, inserts between packed keys (splitting full leaves), and a rollback.
    for k in 0..1000 {
        tree.delete(k * 4).unwrap();
        model.remove(&(k * 4));
        tree.insert(k * 4 + 1, &value_for(k, 3000)).unwrap();
        model.insert(k * 4 + 1, value_for(k, 3000));
    }
    tree.commit().unwrap();
    let walk = assert_valid_file(&mut tree, &path, &model, "changes after the vacuum");
    assert_filled(&walk, "changes after the vacuum");
    let committed = std::fs::read(&path).unwrap();
    for k in 0..500 {
        tree.delete(k * 4 + 1).unwrap();
    }
    tree.vacuum().unwrap_or_else(|e| panic!("vacuum: {e}"));
    for k in 0..500 {
        model.remove(&(k * 4 + 1));
    }
    assert_valid_file(&mut tree, &path, &model, "a second vacuum");
    tree.insert(1, b"rolled back").unwrap();
    tree.rollback().unwrap();
    assert_ne!(std::fs::read(&path).unwrap(), committed);
    assert_valid_file(&mut tree, &path, &model, "a rollback after the vacuum");

    // Everything deleted: the vacuum leaves the header and an empty root leaf.
    for k in model.keys().copied().collect::<Vec<_>>() {
        tree.delete(k).unwrap();
    }
    tree.vacuum().unwrap();
    let walk = assert_valid_file(&mut tree, &path, &BTreeMap::new(), "an empty tree");
    assert_eq!(walk.page_count, 2);
    assert_eq!(
        std::fs::metadata(&path).unwrap().len(),
        2 * PAGE_SIZE as u64
    );
}

#[test]
fn vacuum_is_atomic_at_every_crash_point() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let (tree, model) = thinned_tree(&path, 800);
    drop(tree);
    let before = std::fs::read(&path).unwrap();
    let mut tree = SlottedTree::open(&path, 4).unwrap();
    tree.vacuum().unwrap();
    drop(tree);
    let after = std::fs::read(&path).unwrap();
    assert!(after.len() < before.len());

    let mut rolled_back = 0;
    for ops in 0.. {
        assert!(ops < 5000, "the vacuum never finished without a crash");
        std::fs::write(&path, &before).unwrap();
        let mut tree = SlottedTree::open(&path, 4).unwrap();
        tree.crash_after(ops);
        let finished = tree.vacuum().is_ok();
        drop(tree);

        let mut tree = SlottedTree::open(&path, 4).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert!(
            !journal_of(&path).exists(),
            "crash after {ops} operations: open left the journal behind"
        );
        if finished {
            assert!(bytes == after, "crash after {ops} operations: vacuum returned Ok, but the file is not the vacuumed one");
            break;
        }
        assert!(
            bytes == before || bytes == after,
            "crash after {ops} operations: the file is neither the state before the vacuum nor the state after it"
        );
        if bytes == before {
            rolled_back += 1;
        }
        assert_eq!(
            collect(&mut tree, ..),
            model.clone().into_iter().collect::<Vec<_>>()
        );
        tree.check().unwrap();
    }
    assert!(
        rolled_back > 10,
        "only {rolled_back} crash points rolled back"
    );
}

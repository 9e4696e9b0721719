//! Milestone 2's page formats: slotted B+tree nodes, overflow pages and free pages. All integers
//! big-endian; every offset read from a page is checked before it is used.
//!
//! ```text
//! node      [0] type (13 leaf, 5 interior)  [1..3] cell count n  [3..5] start of the cell content
//!           [5..7] fragmented bytes  [7..11] next leaf / rightmost child  [11..11+2n] slots
//! leaf cell      key u64 | value length u32 | first min(len, 1024) bytes | overflow page u32 if len > 1024
//! interior cell  child u32 | key u64
//! overflow  [0]=3  [1..3] chunk length  [3..7] next overflow page (0 = last)  [7..] chunk
//! free      [0]=4  [3..7] next free page (0 = last)
//! ```

use crate::{DbError, Page, PageId, PAGE_SIZE};

pub(crate) const LEAF: u8 = 13;
pub(crate) const INTERIOR: u8 = 5;
pub(crate) const OVERFLOW: u8 = 3;
pub(crate) const FREE: u8 = 4;

/// Bytes of a node header; the slot array starts here.
pub(crate) const HEADER_LEN: usize = 11;
/// Bytes of a node available to slots and cells.
pub(crate) const USABLE: usize = PAGE_SIZE - HEADER_LEN;
/// A non-root node using fewer bytes (cells plus slots) than this is rebalanced.
pub(crate) const MIN_USED: usize = USABLE / 3;
/// The longest value stored entirely in its leaf; a longer one keeps this many bytes there.
pub(crate) const INLINE_MAX: usize = 1024;
/// Bytes of an overflow page's header, and of the data one overflow page holds.
pub(crate) const OVERFLOW_HEADER_LEN: usize = 7;
pub(crate) const OVERFLOW_CHUNK: usize = PAGE_SIZE - OVERFLOW_HEADER_LEN;
/// Bytes of an interior cell.
pub(crate) const INTERIOR_CELL_LEN: usize = 12;

pub(crate) fn corrupt(page: PageId, reason: impl Into<String>) -> DbError {
    DbError::Corrupt {
        page: page.0,
        reason: reason.into(),
    }
}

pub(crate) fn get_u16(page: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(page.get(at..at + 2)?.try_into().ok()?))
}

pub(crate) fn get_u32(page: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(page.get(at..at + 4)?.try_into().ok()?))
}

pub(crate) fn get_u64(page: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_be_bytes(page.get(at..at + 8)?.try_into().ok()?))
}

fn put_u16(page: &mut Page, at: usize, v: u16) {
    page[at..at + 2].copy_from_slice(&v.to_be_bytes());
}

pub(crate) fn put_u32(page: &mut Page, at: usize, v: u32) {
    page[at..at + 4].copy_from_slice(&v.to_be_bytes());
}

/// A checked, read-only view of a slotted node. `Node::new` validates the header, so the slot
/// array is known to lie inside the page; each cell is bounds-checked when it is read.
#[derive(Clone, Copy)]
pub(crate) struct Node<'a> {
    pub(crate) id: PageId,
    page: &'a Page,
}

impl<'a> Node<'a> {
    pub(crate) fn new(id: PageId, page: &'a Page) -> Result<Self, DbError> {
        if page[0] != LEAF && page[0] != INTERIOR {
            return Err(corrupt(
                id,
                format!("node type {}, expected 13 or 5", page[0]),
            ));
        }
        let node = Self { id, page };
        let slots_end = HEADER_LEN + 2 * node.count();
        let start = node.content_start();
        if start < slots_end || start > PAGE_SIZE {
            return Err(corrupt(id, "slot array and cell content overlap"));
        }
        if node.frag() > PAGE_SIZE - start {
            return Err(corrupt(id, "more fragmented bytes than content"));
        }
        Ok(node)
    }

    pub(crate) fn is_leaf(&self) -> bool {
        self.page[0] == LEAF
    }

    pub(crate) fn count(&self) -> usize {
        usize::from(u16::from_be_bytes([self.page[1], self.page[2]]))
    }

    pub(crate) fn content_start(&self) -> usize {
        usize::from(u16::from_be_bytes([self.page[3], self.page[4]]))
    }

    pub(crate) fn frag(&self) -> usize {
        usize::from(u16::from_be_bytes([self.page[5], self.page[6]]))
    }

    /// The next leaf (leaves) or the rightmost child (interior nodes); 0 means none.
    pub(crate) fn link(&self) -> u32 {
        u32::from_be_bytes([self.page[7], self.page[8], self.page[9], self.page[10]])
    }

    /// Bytes in use by slots and live cells.
    pub(crate) fn used(&self) -> usize {
        (PAGE_SIZE - self.content_start() - self.frag()) + 2 * self.count()
    }

    fn offset(&self, slot: usize) -> Result<usize, DbError> {
        let at = HEADER_LEN + 2 * slot;
        let off = usize::from(u16::from_be_bytes([self.page[at], self.page[at + 1]]));
        if off < self.content_start() || off >= PAGE_SIZE {
            return Err(corrupt(
                self.id,
                format!("slot {slot} points outside the content"),
            ));
        }
        Ok(off)
    }

    /// The bytes of the cell in `slot`.
    pub(crate) fn cell(&self, slot: usize) -> Result<&'a [u8], DbError> {
        let off = self.offset(slot)?;
        let len = if self.is_leaf() {
            let total = get_u32(self.page, off + 8)
                .ok_or_else(|| corrupt(self.id, "leaf cell runs past the page"))?;
            leaf_cell_len(total as usize)
        } else {
            INTERIOR_CELL_LEN
        };
        self.page
            .get(off..off + len)
            .ok_or_else(|| corrupt(self.id, format!("cell {slot} runs past the page")))
    }

    pub(crate) fn key(&self, slot: usize) -> Result<u64, DbError> {
        let off = self.offset(slot)?;
        let at = if self.is_leaf() { off } else { off + 4 };
        get_u64(self.page, at).ok_or_else(|| corrupt(self.id, "key runs past the page"))
    }

    /// Child `i` of an interior node, `0..=count`; `count` is the rightmost child.
    pub(crate) fn child(&self, i: usize) -> Result<PageId, DbError> {
        let page = if i == self.count() {
            self.link()
        } else {
            let off = self.offset(i)?;
            get_u32(self.page, off).ok_or_else(|| corrupt(self.id, "child runs past the page"))?
        };
        if page == 0 {
            return Err(corrupt(self.id, "child pointer to page 0"));
        }
        Ok(PageId(page))
    }

    /// Binary search over the slots, reading each key in place.
    pub(crate) fn search(&self, key: u64) -> Result<Result<usize, usize>, DbError> {
        let (mut lo, mut hi) = (0, self.count());
        while lo < hi {
            let mid = (lo + hi) / 2;
            match self.key(mid)?.cmp(&key) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Ok(Ok(mid)),
            }
        }
        Ok(Err(lo))
    }

    /// The child of an interior node whose key range holds `key`.
    pub(crate) fn child_for(&self, key: u64) -> Result<(usize, PageId), DbError> {
        let slot = match self.search(key)? {
            Ok(i) => i + 1,
            Err(i) => i,
        };
        Ok((slot, self.child(slot)?))
    }

    /// All cells, copied out, in key order.
    pub(crate) fn cells(&self) -> Result<Vec<Vec<u8>>, DbError> {
        (0..self.count())
            .map(|i| Ok(self.cell(i)?.to_vec()))
            .collect()
    }
}

/// The parts of a leaf cell.
pub(crate) struct LeafCell<'a> {
    pub(crate) len: usize,
    pub(crate) local: &'a [u8],
    /// First overflow page, 0 if the value is entirely local.
    pub(crate) overflow: u32,
}

pub(crate) fn parse_leaf_cell(cell: &[u8]) -> Option<LeafCell<'_>> {
    get_u64(cell, 0)?;
    let len = get_u32(cell, 8)? as usize;
    let local_len = len.min(INLINE_MAX);
    let local = cell.get(12..12 + local_len)?;
    let overflow = if len > INLINE_MAX {
        get_u32(cell, 12 + local_len)?
    } else {
        0
    };
    Some(LeafCell {
        len,
        local,
        overflow,
    })
}

pub(crate) fn leaf_cell_len(value_len: usize) -> usize {
    if value_len > INLINE_MAX {
        12 + INLINE_MAX + 4
    } else {
        12 + value_len
    }
}

pub(crate) fn leaf_cell(key: u64, value: &[u8], overflow: u32) -> Vec<u8> {
    let mut cell = Vec::with_capacity(leaf_cell_len(value.len()));
    cell.extend(key.to_be_bytes());
    cell.extend((value.len() as u32).to_be_bytes());
    cell.extend(&value[..value.len().min(INLINE_MAX)]);
    if value.len() > INLINE_MAX {
        cell.extend(overflow.to_be_bytes());
    }
    cell
}

pub(crate) fn interior_cell(child: PageId, key: u64) -> Vec<u8> {
    let mut cell = Vec::with_capacity(INTERIOR_CELL_LEN);
    cell.extend(child.0.to_be_bytes());
    cell.extend(key.to_be_bytes());
    cell
}

/// The key of a cell copied out of a node of either kind.
pub(crate) fn cell_key(cell: &[u8], leaf: bool) -> u64 {
    let at = if leaf { 0 } else { 4 };
    get_u64(cell, at).unwrap_or(0)
}

/// Bytes `cells` need on a page, slots included.
pub(crate) fn space(cells: &[Vec<u8>]) -> usize {
    cells.iter().map(|c| c.len() + 2).sum()
}

/// Rewrites `page` as a node of `kind` holding `cells` in order, packed at the end of the page.
pub(crate) fn build(page: &mut Page, kind: u8, link: u32, cells: &[Vec<u8>]) {
    debug_assert!(space(cells) <= USABLE, "building a node that does not fit");
    page.fill(0);
    page[0] = kind;
    put_u16(page, 1, cells.len() as u16);
    put_u32(page, 7, link);
    let mut start = PAGE_SIZE;
    for (i, cell) in cells.iter().enumerate() {
        start -= cell.len();
        page[start..start + cell.len()].copy_from_slice(cell);
        put_u16(page, HEADER_LEN + 2 * i, start as u16);
    }
    put_u16(page, 3, start as u16);
}

pub(crate) fn set_link(page: &mut Page, link: u32) {
    put_u32(page, 7, link);
}

/// Inserts `cell` at `slot` in place, compacting the page first if only fragmented space is
/// left. Returns false, changing nothing, if the cell does not fit. The node must be valid.
pub(crate) fn insert_cell(
    id: PageId,
    page: &mut Page,
    slot: usize,
    cell: &[u8],
) -> Result<bool, DbError> {
    let node = Node::new(id, page)?;
    let count = node.count();
    let gap = node.content_start() - (HEADER_LEN + 2 * count);
    if gap + node.frag() < cell.len() + 2 {
        return Ok(false);
    }
    if gap < cell.len() + 2 {
        let (kind, link, cells) = (page[0], node.link(), node.cells()?);
        build(page, kind, link, &cells);
    }
    let start = usize::from(u16::from_be_bytes([page[3], page[4]])) - cell.len();
    page[start..start + cell.len()].copy_from_slice(cell);
    let slots = HEADER_LEN + 2 * slot..HEADER_LEN + 2 * count;
    page.copy_within(slots, HEADER_LEN + 2 * slot + 2);
    put_u16(page, HEADER_LEN + 2 * slot, start as u16);
    put_u16(page, 1, (count + 1) as u16);
    put_u16(page, 3, start as u16);
    Ok(true)
}

/// Removes the cell in `slot`. Its bytes become fragmented space, unless the cell is the first
/// of the content area, which then simply shrinks.
pub(crate) fn remove_cell(id: PageId, page: &mut Page, slot: usize) -> Result<(), DbError> {
    let node = Node::new(id, page)?;
    let count = node.count();
    let off = node.offset(slot)?;
    let len = node.cell(slot)?.len();
    let (start, frag) = (node.content_start(), node.frag());
    if off == start {
        put_u16(page, 3, (start + len) as u16);
    } else {
        put_u16(page, 5, (frag + len) as u16);
    }
    page.copy_within(
        HEADER_LEN + 2 * slot + 2..HEADER_LEN + 2 * count,
        HEADER_LEN + 2 * slot,
    );
    put_u16(page, HEADER_LEN + 2 * (count - 1), 0);
    put_u16(page, 1, (count - 1) as u16);
    Ok(())
}

/// Overwrites the child pointer of interior cell `slot` (or the rightmost child) in place.
pub(crate) fn set_child(
    id: PageId,
    page: &mut Page,
    i: usize,
    child: PageId,
) -> Result<(), DbError> {
    let node = Node::new(id, page)?;
    if i == node.count() {
        set_link(page, child.0);
    } else {
        let off = node.offset(i)?;
        put_u32(page, off, child.0);
    }
    Ok(())
}

/// Overwrites the key of interior cell `slot` in place.
pub(crate) fn set_key(id: PageId, page: &mut Page, slot: usize, key: u64) -> Result<(), DbError> {
    let off = Node::new(id, page)?.offset(slot)?;
    page[off + 4..off + 12].copy_from_slice(&key.to_be_bytes());
    Ok(())
}

/// Where to split `cells` (at least two) so that the larger half is as small as possible.
pub(crate) fn balanced_split(cells: &[Vec<u8>]) -> usize {
    let total = space(cells);
    let mut left = 0;
    let mut best = (usize::MAX, 1);
    for (i, cell) in cells.iter().enumerate().take(cells.len() - 1) {
        left += cell.len() + 2;
        let worst = left.max(total - left);
        if worst < best.0 {
            best = (worst, i + 1);
        }
    }
    best.1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_remove_and_compact_keep_the_accounting_exact() {
        let id = PageId(1);
        let mut page = [0u8; PAGE_SIZE];
        build(&mut page, LEAF, 0, &[]);
        let cells: Vec<Vec<u8>> = (0..4u64)
            .map(|k| leaf_cell(k, &[k as u8; 1000], 0))
            .collect();
        for (i, c) in cells.iter().enumerate() {
            assert!(insert_cell(id, &mut page, i, c).unwrap());
        }
        assert!(!insert_cell(id, &mut page, 4, &leaf_cell(9, &[0; 100], 0)).unwrap());
        remove_cell(id, &mut page, 1).unwrap();
        let node = Node::new(id, &page).unwrap();
        assert_eq!(node.frag(), 1012);
        assert_eq!(node.used(), 3 * (1012 + 2));
        // Only fits after compaction.
        assert!(insert_cell(id, &mut page, 1, &leaf_cell(1, &[7; 1010], 0)).unwrap());
        let node = Node::new(id, &page).unwrap();
        assert_eq!(node.frag(), 0);
        assert_eq!(
            (0..4).map(|i| node.key(i).unwrap()).collect::<Vec<_>>(),
            [0, 1, 2, 3]
        );
        assert_eq!(node.search(3).unwrap(), Ok(3));
        assert_eq!(node.search(5).unwrap(), Err(4));
    }
}

//! The on-page encoding of B+tree nodes. Big-endian integers, no padding, no unsafe.
//!
//! ```text
//! leaf      [0]=1  [1..3] cell count  [3..7] next leaf (0 = none)   cells: key u64 | len u16 | value
//! interior  [0]=2  [1..3] key count   [3..7] rightmost child        cells: child u32 | key u64
//! ```
//!
//! In an interior node with keys `k0 < k1 < ... < k(n-1)` and children `c0 ..= cn`, child `ci`
//! holds the keys `k(i-1) <= key < ki`: a separator is the smallest key of its right subtree.

use crate::{DbError, Page, PageId, PAGE_SIZE};

const LEAF: u8 = 1;
const INTERIOR: u8 = 2;
pub(crate) const HEADER_LEN: usize = 7;
const LEAF_CELL_OVERHEAD: usize = 8 + 2;
const INTERIOR_CELL_LEN: usize = 4 + 8;

/// A decoded node. Decoding copies the page's contents out, which keeps the B-tree code free
/// of borrows into the cache (milestone 2's slotted pages work in place instead).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Node {
    Leaf {
        next: Option<PageId>,
        cells: Vec<(u64, Vec<u8>)>,
    },
    Interior {
        keys: Vec<u64>,
        children: Vec<PageId>,
    },
}

impl Node {
    /// Bytes this node needs on a page.
    pub(crate) fn encoded_len(&self) -> usize {
        match self {
            Node::Leaf { cells, .. } => {
                HEADER_LEN + cells.iter().map(|(_, v)| leaf_cell_len(v)).sum::<usize>()
            }
            Node::Interior { keys, .. } => HEADER_LEN + keys.len() * INTERIOR_CELL_LEN,
        }
    }

    /// Whether the node fits on one page.
    pub(crate) fn fits(&self) -> bool {
        self.encoded_len() <= PAGE_SIZE
    }

    /// Writes the node into `page`, zeroing the unused tail. The node must fit.
    pub(crate) fn encode(&self, page: &mut Page) {
        debug_assert!(self.fits(), "encoding a node that does not fit");
        let mut w = Writer {
            page,
            at: HEADER_LEN,
        };
        match self {
            Node::Leaf { next, cells } => {
                for (key, value) in cells {
                    w.put(&key.to_be_bytes());
                    w.put(&(value.len() as u16).to_be_bytes());
                    w.put(value);
                }
                let end = w.at;
                page[0] = LEAF;
                page[1..3].copy_from_slice(&(cells.len() as u16).to_be_bytes());
                page[3..7].copy_from_slice(&next.map_or(0, |p| p.0).to_be_bytes());
                page[end..].fill(0);
            }
            Node::Interior { keys, children } => {
                for (key, child) in keys.iter().zip(children) {
                    w.put(&child.0.to_be_bytes());
                    w.put(&key.to_be_bytes());
                }
                let end = w.at;
                let rightmost = children.last().map_or(0, |p| p.0);
                page[0] = INTERIOR;
                page[1..3].copy_from_slice(&(keys.len() as u16).to_be_bytes());
                page[3..7].copy_from_slice(&rightmost.to_be_bytes());
                page[end..].fill(0);
            }
        }
    }

    /// Decodes page `id`. Every length is checked against the page bounds, so a corrupt page
    /// is an error, never a panic.
    pub(crate) fn decode(id: PageId, page: &Page) -> Result<Node, DbError> {
        let corrupt = |reason: &str| DbError::Corrupt {
            page: id.0,
            reason: reason.to_owned(),
        };
        let count = usize::from(u16::from_be_bytes([page[1], page[2]]));
        let link = u32::from_be_bytes([page[3], page[4], page[5], page[6]]);
        let mut r = Reader {
            page,
            at: HEADER_LEN,
        };
        match page[0] {
            LEAF => {
                let mut cells = Vec::with_capacity(count);
                for _ in 0..count {
                    let key = r
                        .u64()
                        .ok_or_else(|| corrupt("leaf cell key out of bounds"))?;
                    let len = r
                        .u16()
                        .ok_or_else(|| corrupt("leaf cell length out of bounds"))?;
                    let value = r
                        .bytes(usize::from(len))
                        .ok_or_else(|| corrupt("leaf value out of bounds"))?;
                    cells.push((key, value.to_vec()));
                }
                let next = (link != 0).then_some(PageId(link));
                Ok(Node::Leaf { next, cells })
            }
            INTERIOR => {
                if count == 0 || link == 0 {
                    return Err(corrupt("interior node without keys or rightmost child"));
                }
                let mut keys = Vec::with_capacity(count);
                let mut children = Vec::with_capacity(count + 1);
                for _ in 0..count {
                    let child = r
                        .u32()
                        .ok_or_else(|| corrupt("interior cell out of bounds"))?;
                    let key = r
                        .u64()
                        .ok_or_else(|| corrupt("interior cell out of bounds"))?;
                    children.push(PageId(child));
                    keys.push(key);
                }
                children.push(PageId(link));
                Ok(Node::Interior { keys, children })
            }
            other => Err(corrupt(&format!("unknown node type {other}"))),
        }
    }
}

/// Bytes one leaf cell takes on a page.
pub(crate) fn leaf_cell_len(value: &[u8]) -> usize {
    LEAF_CELL_OVERHEAD + value.len()
}

struct Writer<'a> {
    page: &'a mut Page,
    at: usize,
}

impl Writer<'_> {
    fn put(&mut self, bytes: &[u8]) {
        self.page[self.at..self.at + bytes.len()].copy_from_slice(bytes);
        self.at += bytes.len();
    }
}

struct Reader<'a> {
    page: &'a Page,
    at: usize,
}

impl<'a> Reader<'a> {
    fn bytes(&mut self, len: usize) -> Option<&'a [u8]> {
        let slice = self.page.get(self.at..self.at.checked_add(len)?)?;
        self.at += len;
        Some(slice)
    }

    fn u16(&mut self) -> Option<u16> {
        self.bytes(2)?.try_into().ok().map(u16::from_be_bytes)
    }

    fn u32(&mut self) -> Option<u32> {
        self.bytes(4)?.try_into().ok().map(u32::from_be_bytes)
    }

    fn u64(&mut self) -> Option<u64> {
        self.bytes(8)?.try_into().ok().map(u64::from_be_bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let nodes = [
            Node::Leaf {
                next: None,
                cells: vec![],
            },
            Node::Leaf {
                next: Some(PageId(9)),
                cells: vec![(1, b"one".to_vec()), (u64::MAX, vec![])],
            },
            Node::Interior {
                keys: vec![10, 20],
                children: vec![PageId(2), PageId(3), PageId(4)],
            },
        ];
        for node in nodes {
            let mut page = [0xAA; PAGE_SIZE];
            node.encode(&mut page);
            assert_eq!(Node::decode(PageId(1), &page).unwrap(), node);
        }
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        let mut page = [0xFF; PAGE_SIZE];
        page[0] = LEAF;
        assert!(matches!(
            Node::decode(PageId(5), &page),
            Err(DbError::Corrupt { page: 5, .. })
        ));
        page[0] = 77;
        assert!(Node::decode(PageId(5), &page).is_err());
    }
}

//! A single-file embedded database in the spirit of SQLite, built bottom-up.
//!
//! Milestone 1 is the storage core: a [`Pager`] that reads and writes fixed-size pages of one
//! file, a [`PageCache`] that keeps a bounded number of them in memory with LRU eviction and
//! dirty tracking, and a [`BTree`] (a B+tree from `u64` keys to byte values) built on top.
//!
//! ```text
//! page 0     file header: magic, version, page size, page count, free-list head
//! page 1     root of the B+tree (it never moves: a root split pushes its contents down)
//! page 2..   B+tree nodes, allocated as the tree grows
//! ```
//!
//! The later milestones build a database on the same pager and cache: milestone 2's
//! [`SlottedTree`] (slotted pages, deletes with merging, overflow pages, a free list), milestone
//! 3's rollback journal (`commit`, `rollback`, recovery at open), and milestone 4's
//! [`Connection`], which runs a small SQL subset over tables stored as slotted trees.

#![allow(unused)] // TODO: remove once the todo!()s are gone

mod btree;
mod cache;
mod connection;
mod error;
mod pager;
mod slotted;

pub use btree::{BTree, RangeIter, MAX_VALUE_LEN};
pub use cache::{CacheStats, PageCache};
pub use connection::{Connection, Rows, Value};
pub use error::DbError;
pub use pager::{Page, PageId, Pager, PAGE_SIZE};
pub use slotted::{SlottedRange, SlottedTree, LARGE_VALUE_MAX};

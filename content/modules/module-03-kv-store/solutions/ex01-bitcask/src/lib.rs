//! A Bitcask-style log-structured key-value store.
//!
//! Every write is appended to the *active* data file; an in-memory *keydir* maps each live key to the
//! file, offset and length of its newest record, so a read is one hash lookup plus one positioned read.
//! Deletes append a *tombstone*. Data files rotate at a size threshold, [`Store::merge`] rewrites only
//! live records into fresh files (with *hint files* that let the next [`Store::open`] rebuild the
//! keydir without reading values), and opening a store scans the files to recover, cutting off a torn
//! record at the end of the newest file.
//!
//! ```no_run
//! use ex01_bitcask::{Options, Store};
//!
//! # fn main() -> ex01_bitcask::Result<()> {
//! let mut store = Store::open("/tmp/my-store", Options::default())?;
//! store.put(b"user:1", b"ada")?;
//! assert_eq!(store.get(b"user:1")?, Some(b"ada".to_vec()));
//! store.delete(b"user:1")?;
//! store.merge()?;
//! # Ok(())
//! # }
//! ```
//!
//! On-disk format (all integers little-endian):
//!
//! ```text
//! data record:  crc32 u32 | timestamp u64 | key_len u32 | value_len u32 | key | value
//!               (crc32 covers everything after itself; value_len = u32::MAX marks a tombstone
//!               and is followed by no value bytes)
//! hint entry:   timestamp u64 | key_len u32 | record_len u64 | offset u64 | key
//! hint footer:  data_file_len u64 | crc32 u32   (crc32 of every byte of the hint file before it)
//! file names:   NNNNNNNNNN.data, NNNNNNNNNN.hint (zero-padded decimal file id; higher is newer)
//! ```

mod error;
mod fsutil;
mod hint;
mod record;
mod store;

pub use error::{Error, Result};
pub use store::{Options, RecoveryReport, Store, SyncPolicy};

//! A Bitcask-style log-structured key-value store.
//!
//! Every write is appended to the *active* data file; an in-memory *keydir* maps each live key to the
//! file, offset and length of its newest record, so a read is one hash lookup plus one positioned read.
//! Deletes append a *tombstone*. Data files rotate at a size threshold, [`Store::merge`] rewrites only
//! live records into fresh files (with *hint files* that let the next [`Store::open`] rebuild the
//! keydir without reading values), and opening a store scans the files to recover, cutting off a torn
//! record at the end of the newest file.
//!
//! The on-disk format is specified in the exercise README. Add your own modules (for example
//! `record.rs` for the record codec and scan, `hint.rs` for hint files) next to `store.rs`.

mod error;
mod store;

pub use error::{Error, Result};
pub use store::{Options, RecoveryReport, Store, SyncPolicy};

//! Storage behind the API: the [`NoteStore`] trait and two implementations.
//!
//! The trait is synchronous on purpose. Both stores finish every call in microseconds (the file store
//! adds one small write), and a synchronous trait stays object safe without boxing futures. A store that
//! talks to a network database would make the methods async instead.

use std::io;
use std::path::Path;

use crate::model::{Note, NoteDraft};

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No note has this id (it never existed or was deleted).
    #[error("note {0} does not exist")]
    NotFound(u64),
    /// The caller's expected version is not the stored one: someone else changed the note first.
    #[error("note {id} is at version {current}, not {expected}")]
    VersionConflict {
        /// The note.
        id: u64,
        /// The version the caller based its change on.
        expected: u64,
        /// The version actually stored.
        current: u64,
    },
    /// Reading or writing the backing file failed.
    #[error("storage I/O failed: {0}")]
    Io(#[from] io::Error),
    /// The backing file exists but does not hold valid data.
    #[error("storage file is corrupt: {0}")]
    Corrupt(#[from] serde_json::Error),
}

/// Which notes `list` returns, and which slice of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListQuery {
    /// Only notes carrying this tag, if set.
    pub tag: Option<String>,
    /// Most notes to return.
    pub limit: usize,
    /// How many matching notes (in id order) to skip first.
    pub offset: usize,
}

/// One page of a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// Matching notes in ascending id order, at most `limit` of them.
    pub items: Vec<Note>,
    /// How many notes match the filter in total, ignoring limit and offset.
    pub total: usize,
}

/// A place to keep notes. Implementations must be safe to share between request tasks.
pub trait NoteStore: Send + Sync {
    /// Stores a new note with a fresh id, version 1 and both timestamps set to now.
    fn create(&self, draft: NoteDraft) -> Result<Note, StoreError>;

    /// Returns the note with this id, or [`StoreError::NotFound`].
    fn get(&self, id: u64) -> Result<Note, StoreError>;

    /// Returns the notes matching `query.tag`, ordered by id, after skipping `offset` and keeping `limit`.
    fn list(&self, query: &ListQuery) -> Result<Page, StoreError>;

    /// Replaces the content of a note if its stored version equals `expected_version`, bumping the version
    /// and `updated_at`. Fails with [`StoreError::NotFound`] or [`StoreError::VersionConflict`].
    fn update(&self, id: u64, expected_version: u64, draft: NoteDraft) -> Result<Note, StoreError>;

    /// Removes a note. With `Some(version)`, only if the stored version equals it
    /// ([`StoreError::VersionConflict`] otherwise). Fails with [`StoreError::NotFound`] if absent.
    fn delete(&self, id: u64, expected_version: Option<u64>) -> Result<(), StoreError>;
}

/// Keeps notes in memory; everything is lost when the process exits.
///
/// Ids start at 1, are handed out in increasing order and are never reused, even after deletes.
#[derive(Debug, Default)]
pub struct MemoryStore {
    // TODO: your fields. Request tasks share one store (`Arc<dyn NoteStore>`), so the data needs
    // interior mutability that is `Send + Sync`.
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        todo!()
    }
}

impl NoteStore for MemoryStore {
    fn create(&self, draft: NoteDraft) -> Result<Note, StoreError> {
        todo!()
    }

    fn get(&self, id: u64) -> Result<Note, StoreError> {
        todo!()
    }

    fn list(&self, query: &ListQuery) -> Result<Page, StoreError> {
        todo!()
    }

    fn update(&self, id: u64, expected_version: u64, draft: NoteDraft) -> Result<Note, StoreError> {
        todo!()
    }

    fn delete(&self, id: u64, expected_version: Option<u64>) -> Result<(), StoreError> {
        todo!()
    }
}

/// Keeps notes in memory and rewrites a JSON file after every change, so they survive a restart.
///
/// Requirements:
///
/// * the file holds everything needed to carry on after a restart, including the next id;
/// * a crash during a write leaves either the old or the new file, never a torn one;
/// * if a write fails, the change is not applied in memory either (the call returns [`StoreError::Io`]).
#[derive(Debug)]
pub struct JsonFileStore {
    // TODO: your fields.
}

impl JsonFileStore {
    /// Opens the store at `path`, loading the notes saved there, or starting empty if the file does not
    /// exist (it is created on the first change). A file that is not valid JSON is
    /// [`StoreError::Corrupt`]; other read failures are [`StoreError::Io`].
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        todo!()
    }
}

impl NoteStore for JsonFileStore {
    fn create(&self, draft: NoteDraft) -> Result<Note, StoreError> {
        todo!()
    }

    fn get(&self, id: u64) -> Result<Note, StoreError> {
        todo!()
    }

    fn list(&self, query: &ListQuery) -> Result<Page, StoreError> {
        todo!()
    }

    fn update(&self, id: u64, expected_version: u64, draft: NoteDraft) -> Result<Note, StoreError> {
        todo!()
    }

    fn delete(&self, id: u64, expected_version: Option<u64>) -> Result<(), StoreError> {
        todo!()
    }
}

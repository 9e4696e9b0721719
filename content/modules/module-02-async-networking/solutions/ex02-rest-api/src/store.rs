//! Storage behind the API: the [`NoteStore`] trait and two implementations.
//!
//! The trait is synchronous on purpose. Both stores finish every call in microseconds (the file store
//! adds one small write), and a synchronous trait stays object safe without boxing futures. A store that
//! talks to a network database would make the methods async instead; see the commentary.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

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

/// The data both stores hold; also the JSON file format of [`JsonFileStore`].
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Notes {
    /// The id the next created note gets. Ids are never reused, even after deletes.
    next_id: u64,
    notes: BTreeMap<u64, Note>,
}

fn now_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

impl Notes {
    fn create(&mut self, draft: NoteDraft) -> Note {
        self.next_id = self.next_id.max(1);
        let id = self.next_id;
        self.next_id += 1;
        let now = now_millis();
        let note = Note {
            id,
            title: draft.title().to_owned(),
            body: draft.body().to_owned(),
            tags: draft.tags().to_vec(),
            version: 1,
            created_at: now,
            updated_at: now,
        };
        self.notes.insert(id, note.clone());
        note
    }

    fn get(&self, id: u64) -> Result<Note, StoreError> {
        self.notes.get(&id).cloned().ok_or(StoreError::NotFound(id))
    }

    fn list(&self, query: &ListQuery) -> Page {
        let matching = self
            .notes
            .values()
            .filter(|note| query.tag.as_ref().is_none_or(|tag| note.tags.contains(tag)));
        let total = matching.clone().count();
        let items = matching
            .skip(query.offset)
            .take(query.limit)
            .cloned()
            .collect();
        Page { items, total }
    }

    fn check_version(&self, id: u64, expected: Option<u64>) -> Result<(), StoreError> {
        let note = self.notes.get(&id).ok_or(StoreError::NotFound(id))?;
        match expected {
            Some(expected) if expected != note.version => Err(StoreError::VersionConflict {
                id,
                expected,
                current: note.version,
            }),
            _ => Ok(()),
        }
    }

    fn update(&mut self, id: u64, expected: u64, draft: NoteDraft) -> Result<Note, StoreError> {
        self.check_version(id, Some(expected))?;
        let note = self.notes.get_mut(&id).ok_or(StoreError::NotFound(id))?;
        note.title = draft.title().to_owned();
        note.body = draft.body().to_owned();
        note.tags = draft.tags().to_vec();
        note.version += 1;
        // Clocks can step backwards; never let updated_at fall behind created_at.
        note.updated_at = now_millis().max(note.created_at);
        Ok(note.clone())
    }

    fn delete(&mut self, id: u64, expected: Option<u64>) -> Result<(), StoreError> {
        self.check_version(id, expected)?;
        self.notes.remove(&id);
        Ok(())
    }
}

/// Locks a mutex, recovering the data if a previous holder panicked.
///
/// Every mutation in this module either completes or leaves `Notes` untouched before any point that could
/// panic, so the data behind a poisoned lock is still consistent.
fn lock(mutex: &Mutex<Notes>) -> MutexGuard<'_, Notes> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Keeps notes in memory; everything is lost when the process exits.
#[derive(Debug, Default)]
pub struct MemoryStore {
    inner: Mutex<Notes>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

impl NoteStore for MemoryStore {
    fn create(&self, draft: NoteDraft) -> Result<Note, StoreError> {
        Ok(lock(&self.inner).create(draft))
    }

    fn get(&self, id: u64) -> Result<Note, StoreError> {
        lock(&self.inner).get(id)
    }

    fn list(&self, query: &ListQuery) -> Result<Page, StoreError> {
        Ok(lock(&self.inner).list(query))
    }

    fn update(&self, id: u64, expected_version: u64, draft: NoteDraft) -> Result<Note, StoreError> {
        lock(&self.inner).update(id, expected_version, draft)
    }

    fn delete(&self, id: u64, expected_version: Option<u64>) -> Result<(), StoreError> {
        lock(&self.inner).delete(id, expected_version)
    }
}

/// Keeps notes in memory and rewrites a JSON file after every change, so they survive a restart.
///
/// Each write goes to a temporary file that is flushed to disk and then renamed over the real one, so a
/// crash leaves either the old or the new content, never half of each. If a write fails, the change is
/// not applied in memory either, so memory and disk stay in step.
#[derive(Debug)]
pub struct JsonFileStore {
    path: PathBuf,
    inner: Mutex<Notes>,
}

impl JsonFileStore {
    /// Opens the store at `path`, loading the notes saved there, or starting empty if the file does not
    /// exist (it is created on the first change).
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let path = path.as_ref().to_path_buf();
        let notes = match fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes)?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => Notes::default(),
            Err(e) => return Err(e.into()),
        };
        Ok(Self {
            path,
            inner: Mutex::new(notes),
        })
    }

    /// Applies `change` to a copy of the notes, persists the copy, and only then makes it current.
    fn mutate<T>(
        &self,
        change: impl FnOnce(&mut Notes) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut guard = lock(&self.inner);
        let mut next = guard.clone();
        let result = change(&mut next)?;
        self.persist(&next)?;
        *guard = next;
        Ok(result)
    }

    fn persist(&self, notes: &Notes) -> Result<(), StoreError> {
        let bytes = serde_json::to_vec_pretty(notes)?;
        let mut tmp_name = self.path.file_name().unwrap_or_default().to_os_string();
        tmp_name.push(".tmp");
        let tmp = self.path.with_file_name(tmp_name);
        let mut file = fs::File::create(&tmp)?;
        file.write_all(&bytes)?;
        file.sync_all()?;
        fs::rename(&tmp, &self.path)?;
        Ok(())
    }
}

impl NoteStore for JsonFileStore {
    fn create(&self, draft: NoteDraft) -> Result<Note, StoreError> {
        self.mutate(|notes| Ok(notes.create(draft)))
    }

    fn get(&self, id: u64) -> Result<Note, StoreError> {
        lock(&self.inner).get(id)
    }

    fn list(&self, query: &ListQuery) -> Result<Page, StoreError> {
        Ok(lock(&self.inner).list(query))
    }

    fn update(&self, id: u64, expected_version: u64, draft: NoteDraft) -> Result<Note, StoreError> {
        self.mutate(|notes| notes.update(id, expected_version, draft))
    }

    fn delete(&self, id: u64, expected_version: Option<u64>) -> Result<(), StoreError> {
        self.mutate(|notes| notes.delete(id, expected_version))
    }
}

//! Storage behind the API: the [`NoteStore`] trait and two implementations.
//!
//! The trait is synchronous, and it may block: the file store waits for the disk on every change. A
//! synchronous trait stays object safe without boxing futures, and it keeps the stores simple and testable
//! without a runtime. The price is that async code must not call it on a runtime worker thread; the API
//! runs every store call on Tokio's blocking pool (see `api.rs`). A store that talks to a network database
//! would make the methods async instead; see the commentary.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc, Mutex, MutexGuard};
use std::thread;
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
///
/// The methods may block (on a lock, or on the disk), so async code calls them through
/// `tokio::task::spawn_blocking`, never directly on a runtime worker thread.
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
/// Each write goes to a temporary file that is flushed to disk and renamed over the real one, and then the
/// directory is flushed too, so a crash leaves either the old or the new content, never half of each, and
/// a change survives a crash once its call has returned. If a write fails, the change is not applied in
/// memory either, so memory and disk stay in step.
///
/// One writer thread, started by [`JsonFileStore::open`], makes every change: it is the only code that
/// touches the file, so changes are applied and written one at a time, in order, without any lock held
/// during the I/O. Readers only ever lock the committed notes for as long as it takes to copy what they
/// need, so they never wait for the disk. A caller that changes the store blocks until the writer has
/// finished its change, fsyncs included.
#[derive(Debug)]
pub struct JsonFileStore {
    /// The notes as last written to disk. Locked only to read, copy or replace them, never across I/O.
    committed: Arc<Mutex<Notes>>,
    /// Changes for the writer thread. Dropping the store drops this sender, and the thread then exits.
    changes: mpsc::Sender<Change>,
}

/// One change for the writer thread to apply; it sends its result back to the caller itself.
type Change = Box<dyn FnOnce(&Writer) + Send>;

/// The state of the writer thread: where the notes live on disk, and the committed copy it publishes to.
struct Writer {
    path: PathBuf,
    committed: Arc<Mutex<Notes>>,
}

impl JsonFileStore {
    /// Opens the store at `path`, loading the notes saved there, or starting empty if the file does not
    /// exist (it is created on the first change), and starts the writer thread.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let path = path.as_ref().to_path_buf();
        let notes = match fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes)?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => Notes::default(),
            Err(e) => return Err(e.into()),
        };
        let committed = Arc::new(Mutex::new(notes));
        let writer = Writer {
            path,
            committed: Arc::clone(&committed),
        };
        let (changes, queue) = mpsc::channel::<Change>();
        thread::Builder::new()
            .name("notes-writer".to_owned())
            .spawn(move || {
                // Ends when the store, and with it the only sender, is dropped.
                for change in queue {
                    change(&writer);
                }
            })?;
        Ok(Self { committed, changes })
    }

    /// Hands `change` to the writer thread and waits until it has been applied and written, or has failed.
    fn mutate<T: Send + 'static>(
        &self,
        change: impl FnOnce(&mut Notes) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let (reply, result) = mpsc::sync_channel(1);
        let job: Change = Box::new(move |writer: &Writer| {
            // If the caller is gone there is no one to tell, and nothing to undo: the change stands.
            let _ = reply.send(writer.apply(change));
        });
        self.changes.send(job).map_err(|_| writer_stopped())?;
        // No reply means the writer thread died (it panicked) before answering.
        result.recv().map_err(|_| writer_stopped())?
    }
}

fn writer_stopped() -> StoreError {
    StoreError::Io(io::Error::other("the notes writer thread has stopped"))
}

impl Writer {
    /// Applies `change` to a copy of the notes, writes the copy to disk, and only then makes it current.
    ///
    /// Only this thread ever replaces the committed notes, so the copy is of the latest state, and nothing
    /// can change that state between the copy and the replacement: changes are serialised without a lock
    /// being held while the file is written.
    fn apply<T>(
        &self,
        change: impl FnOnce(&mut Notes) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut next = lock(&self.committed).clone();
        let result = change(&mut next)?;
        persist(&self.path, &next)?;
        *lock(&self.committed) = next;
        Ok(result)
    }
}

/// Replaces the file at `path` with `notes`, atomically and durably: write a temporary file, fsync it,
/// rename it over the old file, fsync the directory (module 03, lecture 1).
fn persist(path: &Path, notes: &Notes) -> Result<(), StoreError> {
    let bytes = serde_json::to_vec_pretty(notes)?;
    let mut tmp_name = path.file_name().unwrap_or_default().to_os_string();
    tmp_name.push(".tmp");
    let tmp = path.with_file_name(tmp_name);
    {
        let mut file = fs::File::create(&tmp)?;
        file.write_all(&bytes)?;
        file.sync_all()?; // the new content is on disk under the temporary name...
    }
    fs::rename(&tmp, path)?; // ...before the rename makes it the real file (atomic within one directory)...
    sync_parent_dir(path)?; // ...and the rename itself is on disk, so it cannot be undone by a crash.
    Ok(())
}

/// Flushes the directory holding `path`, where a rename is recorded.
#[cfg(unix)]
fn sync_parent_dir(path: &Path) -> io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."), // a bare file name lives in the current directory
    };
    // Opening a directory read-only and fsyncing it is valid on Unix.
    fs::File::open(dir)?.sync_all()
}

/// Windows cannot open a directory with `File::open`, and NTFS journals metadata anyway.
#[cfg(not(unix))]
fn sync_parent_dir(_path: &Path) -> io::Result<()> {
    Ok(())
}

impl NoteStore for JsonFileStore {
    fn create(&self, draft: NoteDraft) -> Result<Note, StoreError> {
        self.mutate(|notes| Ok(notes.create(draft)))
    }

    fn get(&self, id: u64) -> Result<Note, StoreError> {
        lock(&self.committed).get(id)
    }

    fn list(&self, query: &ListQuery) -> Result<Page, StoreError> {
        Ok(lock(&self.committed).list(query))
    }

    fn update(&self, id: u64, expected_version: u64, draft: NoteDraft) -> Result<Note, StoreError> {
        self.mutate(move |notes| notes.update(id, expected_version, draft))
    }

    fn delete(&self, id: u64, expected_version: Option<u64>) -> Result<(), StoreError> {
        self.mutate(move |notes| notes.delete(id, expected_version))
    }
}

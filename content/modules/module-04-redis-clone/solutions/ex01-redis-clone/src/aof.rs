//! The append-only file (milestone 4): a background writer thread that appends RESP-encoded commands,
//! fsyncs them according to the `appendfsync` policy, and swaps in a rewritten file.
//!
//! The keyspace ([`crate::Db`]) decides *what* to log and appends it here while it still holds its own lock,
//! so the log order is the execution order. This module decides *when* the bytes reach the file and the
//! disk. Lock order: the keyspace lock before `state`, and `file` before `state`; nobody holding `state`
//! takes another lock.

use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use bytes::BytesMut;
use tokio::sync::watch;

/// Rewritten files put at most this many list elements or hash field/value pairs in one command, as Redis
/// does, so that no command in the file exceeds the parser's limits however large the collection.
pub const REWRITE_ITEMS_PER_COMMAND: usize = 64;

/// When the append-only file is fsynced: Redis's `appendfsync` setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AppendFsync {
    /// Before any reply that depends on a write is sent, the write is on disk. Commands that arrive while
    /// an fsync runs share the next one (group commit).
    Always,
    /// Writes reach the file (the OS) before their reply; a background thread fsyncs about once a second.
    #[default]
    EverySec,
    /// Writes reach the file before their reply; the OS decides when they reach the disk.
    No,
}

/// The text is not `always`, `everysec` or `no`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid appendfsync policy {0:?}: expected always, everysec or no")]
pub struct ParseAppendFsyncError(pub String);

impl FromStr for AppendFsync {
    type Err = ParseAppendFsyncError;

    /// Parses `always`, `everysec` or `no`, in any case, as Redis's configuration does.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "always" => Ok(AppendFsync::Always),
            "everysec" => Ok(AppendFsync::EverySec),
            "no" => Ok(AppendFsync::No),
            _ => Err(ParseAppendFsyncError(s.to_string())),
        }
    }
}

impl fmt::Display for AppendFsync {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AppendFsync::Always => "always",
            AppendFsync::EverySec => "everysec",
            AppendFsync::No => "no",
        })
    }
}

/// Why an append-only file could not be loaded or rewritten.
#[derive(Debug, thiserror::Error)]
pub enum AofError {
    /// Reading, writing, syncing or renaming failed.
    #[error("append-only file I/O error: {0}")]
    Io(#[from] io::Error),
    /// The file holds something other than a sequence of valid commands, before its last record. Holds the
    /// byte offset of the offending record.
    #[error("bad append-only file at byte {offset}: {reason}")]
    Corrupt {
        /// Where the offending record starts.
        offset: u64,
        /// What is wrong with it.
        reason: String,
    },
    /// `rewrite_aof` was called while another rewrite was running.
    #[error("Background append only file rewriting already in progress")]
    RewriteInProgress,
    /// The keyspace has no append-only file.
    #[error("no append-only file is open")]
    NotEnabled,
}

/// What loading an append-only file found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReplayReport {
    /// Commands replayed.
    pub commands: usize,
    /// Bytes of a torn last record that were cut off the end of the file (0 if the file ended cleanly).
    pub truncated_bytes: u64,
}

/// Counters of the append-only file, as the writer reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AofStats {
    /// `fsync`s (`sync_data`) of the append-only file since it was opened, not counting rewrites.
    pub fsyncs: u64,
    /// Rewrites completed since the file was opened.
    pub rewrites: u64,
}

/// Where the writer has got to, published to async waiters.
#[derive(Debug, Clone, Copy, Default)]
struct Progress {
    /// Bytes (counted from the opening) handed to `write`.
    written: u64,
    /// Bytes known to be on disk.
    synced: u64,
    /// A write or sync failed; the file can no longer be trusted to hold what we acknowledge.
    failed: bool,
}

struct AofState {
    /// Encoded commands appended but not yet written.
    pending: BytesMut,
    /// Total bytes ever appended (a sequence number for waiters).
    appended: u64,
    progress: Progress,
    /// During a rewrite, a copy of everything appended since the snapshot.
    side: Option<BytesMut>,
    stats: AofStats,
    shutdown: bool,
}

struct Inner {
    path: PathBuf,
    policy: AppendFsync,
    state: Mutex<AofState>,
    /// Wakes the writer thread.
    wake: Condvar,
    /// The file being appended to. Held by whoever writes to it: the writer thread, or a finishing rewrite.
    file: Mutex<File>,
    progress: watch::Sender<Progress>,
    rewriting: AtomicBool,
}

/// An open append-only file with its writer thread. Dropping it writes what is pending, fsyncs (except with
/// [`AppendFsync::No`]) and stops the thread.
pub(crate) struct Aof {
    inner: Arc<Inner>,
    thread: Option<JoinHandle<()>>,
}

/// Held while a rewrite runs; releases the "rewriting" flag when dropped.
pub(crate) struct RewriteGuard {
    inner: Arc<Inner>,
}

impl Drop for RewriteGuard {
    fn drop(&mut self) {
        let mut state = lock(&self.inner.state);
        state.side = None;
        self.inner.rewriting.store(false, Ordering::SeqCst);
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // Every critical section here leaves the data consistent before anything that can panic.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Reads the whole file at `path` (creating it if missing). Returns the open file and its contents.
pub(crate) fn open_file(path: &Path) -> io::Result<(File, Vec<u8>)> {
    let file = OpenOptions::new()
        .create(true)
        .read(true)
        .append(true)
        .open(path)?;
    let contents = fs::read(path)?;
    Ok((file, contents))
}

impl Aof {
    /// Starts the writer for `file`, already positioned at its (valid) end.
    pub(crate) fn start(path: &Path, file: File, policy: AppendFsync) -> io::Result<Aof> {
        let _ = fs::remove_file(rewrite_path(path)); // a rewrite that a crash interrupted
        let (progress, _) = watch::channel(Progress::default());
        let inner = Arc::new(Inner {
            path: path.to_path_buf(),
            policy,
            state: Mutex::new(AofState {
                pending: BytesMut::new(),
                appended: 0,
                progress: Progress::default(),
                side: None,
                stats: AofStats::default(),
                shutdown: false,
            }),
            wake: Condvar::new(),
            file: Mutex::new(file),
            progress,
            rewriting: AtomicBool::new(false),
        });
        let thread = std::thread::Builder::new()
            .name("aof-writer".to_string())
            .spawn({
                let inner = Arc::clone(&inner);
                move || writer_loop(&inner)
            })?;
        Ok(Aof {
            inner,
            thread: Some(thread),
        })
    }

    /// Appends encoded commands. Called with the keyspace lock held, so the file follows execution order.
    pub(crate) fn append(&self, records: &[u8]) {
        if records.is_empty() {
            return;
        }
        let mut state = lock(&self.inner.state);
        state.pending.extend_from_slice(records);
        if let Some(side) = state.side.as_mut() {
            side.extend_from_slice(records);
        }
        state.appended += records.len() as u64;
        drop(state);
        self.inner.wake.notify_one();
    }

    pub(crate) fn stats(&self) -> AofStats {
        lock(&self.inner.state).stats
    }

    /// Waits until everything appended so far is written, and with [`AppendFsync::Always`] also synced.
    pub(crate) async fn flush(&self) -> io::Result<()> {
        let always = self.inner.policy == AppendFsync::Always;
        let done = |p: &Progress, target: u64| {
            if always {
                p.synced >= target
            } else {
                p.written >= target
            }
        };
        let (target, mut rx) = {
            let state = lock(&self.inner.state);
            if state.progress.failed {
                return Err(failed());
            }
            if done(&state.progress, state.appended) {
                return Ok(());
            }
            // Subscribing under the lock: the writer updates `state` before it publishes, so any progress
            // after this point is seen by `changed()`.
            (state.appended, self.inner.progress.subscribe())
        };
        self.inner.wake.notify_one();
        loop {
            let progress = *rx.borrow_and_update();
            if progress.failed {
                return Err(failed());
            }
            if done(&progress, target) {
                return Ok(());
            }
            if rx.changed().await.is_err() {
                return Err(failed());
            }
        }
    }

    /// Claims the right to rewrite; fails if a rewrite is already running.
    pub(crate) fn begin_rewrite(&self) -> Result<RewriteGuard, AofError> {
        if self
            .inner
            .rewriting
            .compare_exchange(false, true, Ordering::SeqCst, Ordering::SeqCst)
            .is_err()
        {
            return Err(AofError::RewriteInProgress);
        }
        Ok(RewriteGuard {
            inner: Arc::clone(&self.inner),
        })
    }

    /// Starts copying appends into the side buffer. Call with the keyspace lock held, at the moment of the
    /// snapshot: every later command is then in the side buffer, every earlier one in the snapshot.
    pub(crate) fn start_side_buffer(&self, _guard: &RewriteGuard) {
        lock(&self.inner.state).side = Some(BytesMut::new());
    }

    /// Writes a rewrite: `write_snapshot` fills the new file; then the commands executed meanwhile are
    /// appended, the file is fsynced and renamed over the old one, and the writer switches to it.
    pub(crate) fn finish_rewrite(
        &self,
        _guard: &RewriteGuard,
        write_snapshot: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    ) -> Result<(), AofError> {
        let tmp = rewrite_path(&self.inner.path);
        let result = self.write_rewrite(&tmp, write_snapshot);
        if result.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        result
    }

    fn write_rewrite(
        &self,
        tmp: &Path,
        write_snapshot: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    ) -> Result<(), AofError> {
        let mut new_file = File::create(tmp)?;
        {
            let mut out = io::BufWriter::with_capacity(256 * 1024, &mut new_file);
            write_snapshot(&mut out)?;
            out.flush()?;
        }
        // Catch up with what was appended meanwhile without blocking anyone, then sync the bulk of it.
        let early = lock(&self.inner.state)
            .side
            .as_mut()
            .map(|side| side.split())
            .unwrap_or_default();
        new_file.write_all(&early)?;
        new_file.sync_data()?;

        // The final step stops appends (they wait on `state`) for one small write, one fsync and a rename.
        let mut file = lock(&self.inner.file);
        let mut state = lock(&self.inner.state);
        let tail = state.side.take().unwrap_or_default();
        new_file.write_all(&tail)?;
        new_file.sync_data()?;
        fs::rename(tmp, &self.inner.path)?;
        sync_dir(&self.inner.path)?;
        drop(new_file);
        *file = OpenOptions::new().append(true).open(&self.inner.path)?;
        // Everything appended so far is in the new file, on disk: what was pending for the old one is moot.
        state.pending.clear();
        state.progress.written = state.appended;
        state.progress.synced = state.appended;
        state.stats.rewrites += 1;
        let progress = state.progress;
        drop(state);
        drop(file);
        self.inner.progress.send_replace(progress);
        Ok(())
    }
}

impl Drop for Aof {
    fn drop(&mut self) {
        lock(&self.inner.state).shutdown = true;
        self.inner.wake.notify_one();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn failed() -> io::Error {
    io::Error::other("writing the append-only file failed; writes can no longer be acknowledged")
}

fn rewrite_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".rewrite.tmp");
    path.with_file_name(name)
}

/// Makes a rename durable: fsync the directory that holds the entry.
fn sync_dir(path: &Path) -> io::Result<()> {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => File::open(dir)?.sync_all(),
        _ => File::open(".")?.sync_all(),
    }
}

const EVERYSEC: Duration = Duration::from_secs(1);

fn writer_loop(inner: &Inner) {
    let mut last_sync = Instant::now();
    loop {
        // Wait for work without holding the file, so a finishing rewrite can take it.
        {
            let mut state = lock(&inner.state);
            loop {
                let unsynced = state.progress.synced < state.progress.written;
                let everysec_due = inner.policy == AppendFsync::EverySec
                    && unsynced
                    && last_sync.elapsed() >= EVERYSEC;
                if state.shutdown || !state.pending.is_empty() || everysec_due {
                    break;
                }
                let timeout = if inner.policy == AppendFsync::EverySec && unsynced {
                    EVERYSEC.saturating_sub(last_sync.elapsed())
                } else {
                    Duration::from_secs(3600)
                };
                state = inner
                    .wake
                    .wait_timeout(state, timeout)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0;
            }
        }

        let mut file = lock(&inner.file);
        let (batch, upto, shutdown, already_failed) = {
            let mut state = lock(&inner.state);
            (
                state.pending.split(),
                state.appended,
                state.shutdown,
                state.progress.failed,
            )
        };
        if already_failed {
            // Nothing more is written after a failure: a half-written record stays the file's last one.
            if shutdown {
                return;
            }
            continue;
        }
        let mut result = file.write_all(&batch);
        let everysec_due =
            inner.policy == AppendFsync::EverySec && (last_sync.elapsed() >= EVERYSEC || shutdown);
        let sync = match inner.policy {
            AppendFsync::Always => true,
            AppendFsync::EverySec => everysec_due,
            AppendFsync::No => false,
        };
        let mut synced = false;
        if result.is_ok() && sync {
            result = file.sync_data();
            last_sync = Instant::now();
            synced = true;
        }
        drop(file);

        let progress = {
            let mut state = lock(&inner.state);
            match result {
                Ok(()) => {
                    state.progress.written = state.progress.written.max(upto);
                    if synced {
                        state.progress.synced = state.progress.synced.max(upto);
                        state.stats.fsyncs += 1;
                    }
                }
                Err(err) => {
                    eprintln!("append-only file: {err}");
                    state.progress.failed = true;
                }
            }
            state.progress
        };
        inner.progress.send_replace(progress);
        if shutdown && lock(&inner.state).pending.is_empty() {
            return;
        }
    }
}

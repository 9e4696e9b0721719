//! The keyspace: executes [`Command`]s and owns expiry, both lazy (on access) and active (sampling). With an
//! append-only file (milestone 4) it logs the effect of every change, replays the file on open and rewrites
//! it; it also owns the pub/sub hub (milestone 5), so that `PUBLISH` is an ordinary command.

use std::collections::hash_map::RandomState;
use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasher, Hasher};
use std::io::{self, Write};
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use bytes::{Bytes, BytesMut};

use crate::aof::{
    self, Aof, AofError, AofStats, AppendFsync, ReplayReport, RewriteGuard,
    REWRITE_ITEMS_PER_COMMAND,
};
use crate::clock::{Clock, SystemClock};
use crate::command::{Command, ListEnd, SetArgs, SetCondition};
use crate::frame::{Frame, FrameError};
use crate::pubsub::PubSub;

/// The error reply for a command used on a key of another type.
pub const WRONGTYPE: &str = "WRONGTYPE Operation against a key holding the wrong kind of value";

/// How many keys with a TTL one sampling round of active expiry examines, at most.
pub const ACTIVE_EXPIRE_SAMPLE: usize = 20;

/// How often the server runs an active expiry cycle ([`crate::active_expiry`]).
pub const ACTIVE_EXPIRE_INTERVAL: Duration = Duration::from_millis(100);

/// The most time one active expiry cycle may spend, measured on the keyspace's clock.
pub const ACTIVE_EXPIRE_BUDGET: Duration = Duration::from_millis(25);

/// What one call of [`Db::active_expire_cycle`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ExpireCycleStats {
    /// Sampling rounds run. Each round is one acquisition of the keyspace lock.
    pub rounds: usize,
    /// Keys examined, over all rounds.
    pub sampled: usize,
    /// Expired keys deleted, over all rounds.
    pub expired: usize,
    /// The most keys examined in any single round, that is under one acquisition of the lock. Never more
    /// than [`ACTIVE_EXPIRE_SAMPLE`].
    pub largest_round: usize,
}

/// A shared, thread-safe keyspace. Cloning is cheap and every clone sees the same data.
///
/// Every command executes atomically: it holds the keyspace lock from its first read to its last write, and
/// never across I/O.
#[derive(Clone)]
pub struct Db {
    shared: Arc<Shared>,
}

struct Shared {
    state: Mutex<State>,
    clock: Arc<dyn Clock>,
    /// The append-only file, if the keyspace was opened with one.
    aof: Option<Aof>,
    pubsub: PubSub,
}

struct State {
    entries: HashMap<Bytes, Entry>,
    /// Exactly the keys of `entries` that have a deadline, for sampling. Every path that inserts, removes or
    /// changes the deadline of an entry goes through `insert`, `remove` or `set_deadline`, which keep the two
    /// in step.
    volatile: Volatile,
    /// xorshift64* state for sampling; never zero.
    rng: u64,
    /// Replaying the append-only file: nothing expires, so every command sees the keyspace it saw when it
    /// was logged (expirations that happened then are in the log as `DEL`s).
    loading: bool,
    /// Whether to record expired keys in `expired` (only with an append-only file).
    log_expired: bool,
    /// Keys deleted because they had expired, since the log last took them.
    expired: Vec<Bytes>,
}

struct Entry {
    value: Value,
    /// Absolute deadline in Unix milliseconds; the key is gone once `now >= expires_at`.
    expires_at: Option<u64>,
}

/// The value types. Redis never stores an empty list or hash: the key goes when its last element does.
#[derive(Clone)]
enum Value {
    Str(Bytes),
    List(VecDeque<Bytes>),
    Hash(HashMap<Bytes, Bytes>),
}

/// A set of keys with O(1) insert, remove and uniform random access: a vector plus each key's position in
/// it, with `swap_remove` for deletion.
#[derive(Default)]
struct Volatile {
    keys: Vec<Bytes>,
    position: HashMap<Bytes, usize>,
}

impl Volatile {
    fn insert(&mut self, key: &Bytes) {
        if !self.position.contains_key(key) {
            self.position.insert(key.clone(), self.keys.len());
            self.keys.push(key.clone());
        }
    }

    fn remove(&mut self, key: &[u8]) {
        if let Some(i) = self.position.remove(key) {
            self.keys.swap_remove(i);
            if let Some(moved) = self.keys.get(i) {
                self.position.insert(moved.clone(), i); // the former last key now lives at i
            }
        }
    }
}

impl Entry {
    fn is_expired(&self, now: u64) -> bool {
        self.expires_at.is_some_and(|at| now >= at)
    }
}

impl State {
    fn new() -> State {
        // A random seed without a dependency: std's hasher keys are randomised per process.
        let seed = RandomState::new().build_hasher().finish();
        State {
            entries: HashMap::new(),
            volatile: Volatile::default(),
            rng: seed | 1,
            loading: false,
            log_expired: false,
            expired: Vec::new(),
        }
    }

    /// Deletes a key because it expired, remembering it for the log.
    fn remove_expired(&mut self, key: &[u8]) {
        if self.remove(key).is_some() && self.log_expired {
            self.expired.push(Bytes::copy_from_slice(key));
        }
    }

    /// The entry for `key` if it exists and has not expired. Expired entries are deleted on the way (lazy
    /// expiry), so no command ever observes one.
    fn live(&mut self, key: &[u8], now: u64) -> Option<&mut Entry> {
        if !self.loading && self.entries.get(key).is_some_and(|e| e.is_expired(now)) {
            self.remove_expired(key);
        }
        self.entries.get_mut(key)
    }

    /// The live list at `key`: `Ok(None)` if there is none, a `WRONGTYPE` reply for another type.
    fn list(&mut self, key: &[u8], now: u64) -> Result<Option<&mut VecDeque<Bytes>>, Frame> {
        match self.live(key, now) {
            None => Ok(None),
            Some(Entry {
                value: Value::List(list),
                ..
            }) => Ok(Some(list)),
            Some(_) => Err(wrong_type()),
        }
    }

    /// The live hash at `key`, like [`State::list`].
    fn hash(&mut self, key: &[u8], now: u64) -> Result<Option<&mut HashMap<Bytes, Bytes>>, Frame> {
        match self.live(key, now) {
            None => Ok(None),
            Some(Entry {
                value: Value::Hash(hash),
                ..
            }) => Ok(Some(hash)),
            Some(_) => Err(wrong_type()),
        }
    }

    fn insert(&mut self, key: Bytes, entry: Entry) {
        if entry.expires_at.is_some() {
            self.volatile.insert(&key);
        } else {
            self.volatile.remove(&key);
        }
        self.entries.insert(key, entry);
    }

    fn remove(&mut self, key: &[u8]) -> Option<Entry> {
        let entry = self.entries.remove(key)?;
        if entry.expires_at.is_some() {
            self.volatile.remove(key);
        }
        Some(entry)
    }

    /// Sets or clears the deadline of an existing entry.
    fn set_deadline(&mut self, key: &Bytes, expires_at: Option<u64>) {
        if let Some(entry) = self.entries.get_mut(key) {
            entry.expires_at = expires_at;
            if expires_at.is_some() {
                self.volatile.insert(key);
            } else {
                self.volatile.remove(key);
            }
        }
    }

    fn clear(&mut self) {
        self.entries.clear();
        self.volatile = Volatile::default();
    }

    /// The live entries, cloned (cheaply: values are reference-counted `Bytes`) for a rewrite.
    fn snapshot(&self, now: u64) -> Vec<(Bytes, Value, Option<u64>)> {
        self.entries
            .iter()
            .filter(|(_, e)| !e.is_expired(now))
            .map(|(k, e)| (k.clone(), e.value.clone(), e.expires_at))
            .collect()
    }

    fn next_random(&mut self) -> u64 {
        let mut x = self.rng;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.rng = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// One sampling round: examines up to [`ACTIVE_EXPIRE_SAMPLE`] random keys with a deadline (with
    /// replacement, as Redis does) and deletes the expired ones. Returns (examined, deleted).
    fn expire_round(&mut self, now: u64) -> (usize, usize) {
        let want = ACTIVE_EXPIRE_SAMPLE.min(self.volatile.keys.len());
        let (mut sampled, mut expired) = (0, 0);
        while sampled < want && !self.volatile.keys.is_empty() {
            let len = self.volatile.keys.len() as u64;
            let i = usize::try_from(self.next_random() % len).unwrap_or(0);
            let key = self.volatile.keys[i].clone();
            sampled += 1;
            if self.entries.get(&key).is_some_and(|e| e.is_expired(now)) {
                self.remove_expired(&key);
                expired += 1;
            }
        }
        (sampled, expired)
    }
}

impl Default for Db {
    fn default() -> Self {
        Db::new()
    }
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db").finish_non_exhaustive()
    }
}

impl Db {
    /// An empty keyspace on the system clock.
    pub fn new() -> Db {
        Db::with_clock(Arc::new(SystemClock))
    }

    /// An empty keyspace that reads time from `clock`.
    pub fn with_clock(clock: Arc<dyn Clock>) -> Db {
        Db {
            shared: Arc::new(Shared {
                state: Mutex::new(State::new()),
                clock,
                aof: None,
                pubsub: PubSub::new(),
            }),
        }
    }

    /// Opens the append-only file at `path` (creating it if it does not exist), replays it into a new
    /// keyspace on `clock`, and returns that keyspace, which logs every change to the file from now on.
    ///
    /// Replay goes through the normal command path with expiry suspended, so every command sees the keyspace
    /// it saw when it was logged. A torn last record (the file ends inside a command, as after a crash
    /// mid-write) is cut off the file and reported in [`ReplayReport::truncated_bytes`]; anything else that
    /// is not a valid command, or a command that fails on replay, is [`AofError::Corrupt`].
    pub fn open_aof(
        path: impl AsRef<Path>,
        fsync: AppendFsync,
        clock: Arc<dyn Clock>,
    ) -> Result<(Db, ReplayReport), AofError> {
        let path = path.as_ref();
        let (file, contents) = aof::open_file(path)?;
        let mut state = State::new();
        state.loading = true;
        let now = clock.now_millis();
        let mut report = ReplayReport::default();
        let mut pos = 0;
        while pos < contents.len() {
            let offset = pos as u64;
            let corrupt = |reason: String| AofError::Corrupt { offset, reason };
            match Frame::parse(&contents[pos..]) {
                Ok((frame, used)) => {
                    let command = Command::from_frame(frame).map_err(|e| corrupt(e.to_string()))?;
                    if let Frame::Error(e) = apply(&mut state, command, now) {
                        return Err(corrupt(format!("command failed on replay: {e}")));
                    }
                    report.commands += 1;
                    pos += used;
                }
                Err(FrameError::Incomplete) => {
                    report.truncated_bytes = (contents.len() - pos) as u64;
                    file.set_len(offset)?;
                    file.sync_all()?;
                    break;
                }
                Err(FrameError::Protocol(reason)) => return Err(corrupt(reason)),
            }
        }
        state.loading = false;
        state.log_expired = true;
        let aof = Aof::start(path, file, fsync)?;
        let db = Db {
            shared: Arc::new(Shared {
                state: Mutex::new(state),
                clock,
                aof: Some(aof),
                pubsub: PubSub::new(),
            }),
        };
        Ok((db, report))
    }

    /// Waits until every command executed so far is in the append-only file: written to the OS, and with
    /// [`AppendFsync::Always`] also fsynced. The server calls it before sending a batch of replies. Returns at
    /// once without an append-only file; fails for good once a write to the file has failed.
    pub async fn flush_aof(&self) -> io::Result<()> {
        match &self.shared.aof {
            Some(aof) => aof.flush().await,
            None => Ok(()),
        }
    }

    /// The append-only file's counters, or `None` without one.
    pub fn aof_stats(&self) -> Option<AofStats> {
        self.shared.aof.as_ref().map(Aof::stats)
    }

    /// Rewrites the append-only file as the shortest command sequence that recreates the current keyspace,
    /// then atomically replaces the old file. Blocks the calling thread (call it from a blocking thread); the
    /// keyspace lock is held only to take a snapshot and for the final swap, and commands executed meanwhile
    /// are appended to the new file before the swap.
    pub fn rewrite_aof(&self) -> Result<(), AofError> {
        let aof = self.shared.aof.as_ref().ok_or(AofError::NotEnabled)?;
        let guard = aof.begin_rewrite()?;
        self.rewrite_with(&guard)
    }

    fn rewrite_with(&self, guard: &RewriteGuard) -> Result<(), AofError> {
        let aof = self.shared.aof.as_ref().ok_or(AofError::NotEnabled)?;
        let snapshot = {
            let now = self.shared.clock.now_millis();
            let state = self.lock();
            aof.start_side_buffer(guard); // under the keyspace lock: no command falls between the two
            state.snapshot(now)
        };
        aof.finish_rewrite(guard, |out| write_snapshot(&snapshot, out))
    }

    /// `BGREWRITEAOF`: starts a rewrite on its own thread and replies at once.
    fn bgrewriteaof(&self) -> Frame {
        let Some(aof) = &self.shared.aof else {
            return Frame::Error(format!("ERR {}", AofError::NotEnabled));
        };
        let guard = match aof.begin_rewrite() {
            Ok(guard) => guard,
            Err(err) => return Frame::Error(format!("ERR {err}")),
        };
        let db = self.clone();
        let spawned = std::thread::Builder::new()
            .name("aof-rewrite".to_string())
            .spawn(move || {
                if let Err(err) = db.rewrite_with(&guard) {
                    eprintln!("append-only file rewrite failed: {err}");
                }
            });
        match spawned {
            Ok(_) => Frame::Simple("Background append only file rewriting started".to_string()),
            Err(err) => Frame::Error(format!("ERR could not start the rewrite: {err}")),
        }
    }

    /// The pub/sub hub that `PUBLISH` delivers to and connections subscribe through.
    pub fn pubsub(&self) -> &PubSub {
        &self.shared.pubsub
    }

    /// Parses `frame` as a command and executes it. Invalid commands produce an error reply, never a panic.
    pub fn execute_frame(&self, frame: Frame) -> Frame {
        match Command::from_frame(frame) {
            Ok(command) => self.execute(command),
            Err(err) => err.to_frame(),
        }
    }

    /// Executes one command atomically and returns its reply.
    ///
    /// With an append-only file, the effect of a command that changed the dataset is appended to it before
    /// the keyspace lock is released (see [`Db::open_aof`]), preceded by a `DEL` for every key found expired
    /// on the way.
    pub fn execute(&self, command: Command) -> Frame {
        match command {
            Command::Publish { channel, message } => {
                return count(self.shared.pubsub.publish(&channel, &message));
            }
            Command::BgRewriteAof => return self.bgrewriteaof(),
            Command::Quit => return Frame::ok(),
            Command::Subscribe(_)
            | Command::Unsubscribe(_)
            | Command::PSubscribe(_)
            | Command::PUnsubscribe(_) => {
                return Frame::Error(
                    "ERR (P)SUBSCRIBE and (P)UNSUBSCRIBE are only valid on a client connection"
                        .to_string(),
                );
            }
            _ => {}
        }
        let now = self.shared.clock.now_millis();
        let mut state = self.lock();
        if self.shared.aof.is_none() {
            return apply(&mut state, command, now);
        }
        let logged = changes_data(&command).then(|| command.clone());
        let was_empty = state.entries.is_empty();
        let reply = apply(&mut state, command, now);
        let effect = logged.and_then(|command| effect(command, &reply, &state, was_empty));
        self.log(&mut state, effect);
        reply
    }

    /// Appends the pending expiry `DEL`s and `effect` to the append-only file, if there is one. Called with
    /// the keyspace lock held.
    fn log(&self, state: &mut State, effect: Option<Frame>) {
        let Some(aof) = &self.shared.aof else {
            return;
        };
        let mut records = BytesMut::new();
        for key in state.expired.drain(..) {
            Frame::Array(vec![Frame::bulk("DEL"), Frame::Bulk(key)]).encode(&mut records);
        }
        if let Some(effect) = effect {
            effect.encode(&mut records);
        }
        aof.append(&records);
    }

    /// Deletes every expired key now and returns how many there were.
    ///
    /// This scans every key with a deadline under one lock acquisition: fine for tests and small keyspaces,
    /// but the server uses [`Db::active_expire_cycle`], which bounds the time it holds the lock.
    pub fn purge_expired(&self) -> usize {
        let now = self.shared.clock.now_millis();
        let mut state = self.lock();
        let expired: Vec<Bytes> = state
            .volatile
            .keys
            .iter()
            .filter(|k| state.entries.get(*k).is_some_and(|e| e.is_expired(now)))
            .cloned()
            .collect();
        for key in &expired {
            state.remove_expired(key);
        }
        self.log(&mut state, None);
        expired.len()
    }

    /// Runs one Redis-style active expiry cycle and reports what it did.
    ///
    /// Each round takes the keyspace lock once, examines up to [`ACTIVE_EXPIRE_SAMPLE`] random keys that
    /// have a deadline, deletes the expired ones and releases the lock. Rounds repeat while more than 25% of
    /// a round's sample was expired, and stop early once [`ACTIVE_EXPIRE_BUDGET`] has passed on the clock.
    pub fn active_expire_cycle(&self) -> ExpireCycleStats {
        let budget = u64::try_from(ACTIVE_EXPIRE_BUDGET.as_millis()).unwrap_or(u64::MAX);
        let start = self.shared.clock.now_millis();
        let mut stats = ExpireCycleStats::default();
        loop {
            let now = self.shared.clock.now_millis();
            if stats.rounds > 0 && now.saturating_sub(start) >= budget {
                break;
            }
            let (sampled, expired) = {
                let mut state = self.lock();
                let round = state.expire_round(now);
                self.log(&mut state, None);
                round
            };
            stats.rounds += 1;
            stats.sampled += sampled;
            stats.expired += expired;
            stats.largest_round = stats.largest_round.max(sampled);
            if expired * 4 <= sampled {
                break; // at most a quarter expired (or nothing to sample): not worth another round
            }
        }
        stats
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the keyspace half-written (every mutation is a map or
        // deque operation, and the entry map and the volatile index are updated together before any call
        // that could panic), so a poisoned lock is safe to keep using.
        self.shared
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

/// Executes one command against the keyspace: the one path that every client command, and every command
/// replayed from the append-only file, goes through.
fn apply(state: &mut State, command: Command, now: u64) -> Frame {
    match command {
        Command::Ping(None) => Frame::Simple("PONG".to_string()),
        Command::Ping(Some(message)) | Command::Echo(message) => Frame::Bulk(message),
        Command::Get(key) => match state.live(&key, now) {
            Some(Entry {
                value: Value::Str(v),
                ..
            }) => Frame::Bulk(v.clone()),
            Some(_) => wrong_type(),
            None => Frame::Null,
        },
        Command::Set(args) => set(state, args, None, now),
        Command::SetAt { args, at_millis } => set(state, args, Some(at_millis), now),
        Command::Del(keys) => {
            let mut removed = 0;
            for key in &keys {
                if state.live(key, now).is_some() {
                    state.remove(key);
                    removed += 1;
                }
            }
            count(removed)
        }
        Command::Exists(keys) => {
            count(keys.iter().filter(|k| state.live(k, now).is_some()).count())
        }
        Command::IncrBy { key, delta } => incr_by(state, key, delta, now),
        Command::Expire { key, millis } => match state.live(&key, now) {
            None => Frame::Integer(0),
            Some(_) if millis <= 0 => {
                state.remove(&key);
                Frame::Integer(1)
            }
            Some(_) => {
                state.set_deadline(&key, Some(now.saturating_add(millis.unsigned_abs())));
                Frame::Integer(1)
            }
        },
        Command::Ttl { key, millis } => match state.live(&key, now) {
            None => Frame::Integer(-2),
            Some(Entry {
                expires_at: None, ..
            }) => Frame::Integer(-1),
            Some(Entry {
                expires_at: Some(at),
                ..
            }) => {
                let left = at.saturating_sub(now);
                let reply = if millis { left } else { (left + 500) / 1000 };
                Frame::Integer(i64::try_from(reply).unwrap_or(i64::MAX))
            }
        },
        Command::Persist(key) => match state.live(&key, now) {
            Some(entry) if entry.expires_at.is_some() => {
                state.set_deadline(&key, None);
                Frame::Integer(1)
            }
            _ => Frame::Integer(0),
        },
        Command::ExpireAt { key, at_millis } => match state.live(&key, now) {
            None => Frame::Integer(0),
            Some(_) => match u64::try_from(at_millis) {
                // While loading, a deadline that has passed is kept rather than applied: nothing expires
                // during replay, so the commands after it see the key as they did when they were logged.
                Ok(at) if at > now || state.loading => {
                    state.set_deadline(&key, Some(at));
                    Frame::Integer(1)
                }
                _ => {
                    state.remove(&key); // a deadline that has passed deletes the key at once
                    Frame::Integer(1)
                }
            },
        },
        Command::Push { key, end, elements } => push(state, key, end, elements, now),
        Command::Pop { key, end, count } => pop(state, &key, end, count, now),
        Command::LLen(key) => match state.list(&key, now) {
            Ok(list) => count(list.map_or(0, |l| l.len())),
            Err(reply) => reply,
        },
        Command::LRange { key, start, stop } => match state.list(&key, now) {
            Ok(list) => lrange(list.map(|l| &*l), start, stop),
            Err(reply) => reply,
        },
        Command::HSet { key, pairs } => hset(state, key, pairs, now),
        Command::HGet { key, field } => match state.hash(&key, now) {
            Ok(hash) => hash
                .and_then(|h| h.get(&field))
                .map_or(Frame::Null, |v| Frame::Bulk(v.clone())),
            Err(reply) => reply,
        },
        Command::HDel { key, fields } => hdel(state, &key, &fields, now),
        Command::HGetAll(key) => match state.hash(&key, now) {
            Ok(hash) => Frame::Array(
                hash.into_iter()
                    .flatten()
                    .flat_map(|(f, v)| [Frame::Bulk(f.clone()), Frame::Bulk(v.clone())])
                    .collect(),
            ),
            Err(reply) => reply,
        },
        Command::HLen(key) => match state.hash(&key, now) {
            Ok(hash) => count(hash.map_or(0, |h| h.len())),
            Err(reply) => reply,
        },
        Command::Type(key) => {
            let name = match state.live(&key, now).map(|e| &e.value) {
                None => "none",
                Some(Value::Str(_)) => "string",
                Some(Value::List(_)) => "list",
                Some(Value::Hash(_)) => "hash",
            };
            Frame::Simple(name.to_string())
        }
        // Stored keys, including expired ones that neither a read nor active expiry has reclaimed yet.
        Command::DbSize => count(state.entries.len()),
        Command::FlushDb => {
            state.clear();
            Frame::ok()
        }
        Command::BgRewriteAof
        | Command::Subscribe(_)
        | Command::Unsubscribe(_)
        | Command::PSubscribe(_)
        | Command::PUnsubscribe(_)
        | Command::Publish { .. }
        | Command::Quit => {
            Frame::Error("ERR this command cannot run inside the keyspace".to_string())
        }
    }
}

/// Whether `command` may change the dataset, so that its effect must be worked out for the log.
fn changes_data(command: &Command) -> bool {
    matches!(
        command,
        Command::Set(_)
            | Command::SetAt { .. }
            | Command::Del(_)
            | Command::IncrBy { .. }
            | Command::Expire { .. }
            | Command::ExpireAt { .. }
            | Command::Persist(_)
            | Command::Push { .. }
            | Command::Pop { .. }
            | Command::HSet { .. }
            | Command::HDel { .. }
            | Command::FlushDb
    )
}

/// What to log for `command` after it replied `reply`: `None` if it changed nothing. Every logged command is
/// deterministic given the keyspace it runs on: relative deadlines become absolute ones, conditions that
/// have been decided are dropped, and the `INCR` family is one `INCRBY`.
fn effect(command: Command, reply: &Frame, state: &State, was_empty: bool) -> Option<Frame> {
    let record =
        |parts: Vec<Bytes>| Some(Frame::Array(parts.into_iter().map(Frame::Bulk).collect()));
    let name = |s: &'static str| Bytes::from_static(s.as_bytes());
    let int = |n: u64| Bytes::from(n.to_string());
    let deadline = |key: &[u8]| state.entries.get(key).and_then(|e| e.expires_at);
    if matches!(reply, Frame::Error(_)) {
        return None;
    }
    match command {
        Command::Set(args) | Command::SetAt { args, .. } if *reply == Frame::ok() => {
            let mut parts = vec![name("SET"), args.key.clone(), args.value];
            if let Some(at) = deadline(&args.key) {
                parts.extend([name("PXAT"), int(at)]);
            }
            record(parts)
        }
        Command::Del(keys) if *reply != Frame::Integer(0) => {
            record([vec![name("DEL")], keys].concat())
        }
        Command::IncrBy { key, delta } => {
            record(vec![name("INCRBY"), key, Bytes::from(delta.to_string())])
        }
        Command::Expire { key, .. } | Command::ExpireAt { key, .. }
            if *reply == Frame::Integer(1) =>
        {
            match deadline(&key) {
                Some(at) => record(vec![name("PEXPIREAT"), key, int(at)]),
                None => record(vec![name("DEL"), key]),
            }
        }
        Command::Persist(key) if *reply == Frame::Integer(1) => record(vec![name("PERSIST"), key]),
        Command::Push { key, end, elements } => {
            let push = if end == ListEnd::Left {
                "LPUSH"
            } else {
                "RPUSH"
            };
            record([vec![name(push), key], elements].concat())
        }
        Command::Pop { key, end, count } => {
            let changed = match reply {
                Frame::Bulk(_) => true,
                Frame::Array(items) => !items.is_empty(),
                _ => false,
            };
            let pop = if end == ListEnd::Left { "LPOP" } else { "RPOP" };
            let mut parts = vec![name(pop), key];
            parts.extend(count.map(|n| int(n as u64)));
            if changed {
                record(parts)
            } else {
                None
            }
        }
        Command::HSet { key, pairs } => {
            let mut parts = vec![name("HSET"), key];
            parts.extend(pairs.into_iter().flat_map(|(f, v)| [f, v]));
            record(parts)
        }
        Command::HDel { key, fields } if *reply != Frame::Integer(0) => {
            record([vec![name("HDEL"), key], fields].concat())
        }
        Command::FlushDb if !was_empty => record(vec![name("FLUSHDB")]),
        _ => None,
    }
}

/// Writes a rewritten append-only file: one `SET` per string, `RPUSH`/`HSET` commands of at most
/// [`REWRITE_ITEMS_PER_COMMAND`] items per list or hash, and a `PEXPIREAT` for every list or hash with a
/// deadline (strings carry theirs as `PXAT`).
fn write_snapshot(snapshot: &[(Bytes, Value, Option<u64>)], out: &mut dyn Write) -> io::Result<()> {
    let mut buf = BytesMut::new();
    let bulk = |b: &Bytes| Frame::Bulk(b.clone());
    for (key, value, expires_at) in snapshot {
        let mut commands: Vec<Frame> = Vec::new();
        match value {
            Value::Str(v) => {
                let mut parts = vec![Frame::bulk("SET"), bulk(key), bulk(v)];
                if let Some(at) = expires_at {
                    parts.extend([Frame::bulk("PXAT"), Frame::bulk(at.to_string())]);
                }
                commands.push(Frame::Array(parts));
            }
            Value::List(list) => {
                let items: Vec<&Bytes> = list.iter().collect();
                for chunk in items.chunks(REWRITE_ITEMS_PER_COMMAND) {
                    let mut parts = vec![Frame::bulk("RPUSH"), bulk(key)];
                    parts.extend(chunk.iter().map(|e| bulk(e)));
                    commands.push(Frame::Array(parts));
                }
            }
            Value::Hash(hash) => {
                let items: Vec<(&Bytes, &Bytes)> = hash.iter().collect();
                for chunk in items.chunks(REWRITE_ITEMS_PER_COMMAND) {
                    let mut parts = vec![Frame::bulk("HSET"), bulk(key)];
                    parts.extend(chunk.iter().flat_map(|(f, v)| [bulk(f), bulk(v)]));
                    commands.push(Frame::Array(parts));
                }
            }
        }
        if let (Some(at), Value::List(_) | Value::Hash(_)) = (expires_at, value) {
            commands.push(Frame::Array(vec![
                Frame::bulk("PEXPIREAT"),
                bulk(key),
                Frame::bulk(at.to_string()),
            ]));
        }
        for command in commands {
            command.encode(&mut buf);
        }
        if buf.len() >= 64 * 1024 {
            out.write_all(&buf)?;
            buf.clear();
        }
    }
    out.write_all(&buf)
}

fn wrong_type() -> Frame {
    Frame::Error(WRONGTYPE.to_string())
}

fn set(state: &mut State, args: SetArgs, at_millis: Option<u64>, now: u64) -> Frame {
    let SetArgs {
        key,
        value,
        condition,
        expire_millis,
        keep_ttl,
    } = args;
    let existing = state.live(&key, now);
    let allowed = match condition {
        SetCondition::Always => true,
        SetCondition::IfAbsent => existing.is_none(),
        SetCondition::IfPresent => existing.is_some(),
    };
    if !allowed {
        return Frame::Null;
    }
    let expires_at = match (at_millis, expire_millis) {
        (Some(at), _) => Some(at),
        (None, Some(ms)) => Some(now.saturating_add(ms)),
        (None, None) if keep_ttl => existing.and_then(|e| e.expires_at),
        (None, None) => None,
    };
    // SET replaces a value of any type.
    state.insert(
        key,
        Entry {
            value: Value::Str(value),
            expires_at,
        },
    );
    Frame::ok()
}

fn incr_by(state: &mut State, key: Bytes, delta: i64, now: u64) -> Frame {
    let (current, expires_at) = match state.live(&key, now) {
        None => (0, None),
        Some(Entry {
            value: Value::Str(v),
            expires_at,
        }) => {
            match std::str::from_utf8(v)
                .ok()
                .and_then(|s| s.parse::<i64>().ok())
            {
                Some(n) => (n, *expires_at),
                None => {
                    return Frame::Error("ERR value is not an integer or out of range".to_string())
                }
            }
        }
        Some(_) => return wrong_type(),
    };
    let Some(next) = current.checked_add(delta) else {
        return Frame::Error("ERR increment or decrement would overflow".to_string());
    };
    let value = Value::Str(Bytes::from(next.to_string()));
    state.insert(key, Entry { value, expires_at }); // INCR keeps the deadline
    Frame::Integer(next)
}

fn push(state: &mut State, key: Bytes, end: ListEnd, elements: Vec<Bytes>, now: u64) -> Frame {
    fn push_all(list: &mut VecDeque<Bytes>, end: ListEnd, elements: Vec<Bytes>) {
        for element in elements {
            match end {
                ListEnd::Left => list.push_front(element),
                ListEnd::Right => list.push_back(element),
            }
        }
    }
    match state.list(&key, now) {
        Err(reply) => reply,
        Ok(Some(list)) => {
            push_all(list, end, elements); // an existing list keeps its deadline
            count(list.len())
        }
        Ok(None) => {
            let mut list = VecDeque::with_capacity(elements.len());
            push_all(&mut list, end, elements);
            let len = list.len();
            let entry = Entry {
                value: Value::List(list),
                expires_at: None,
            };
            state.insert(key, entry);
            count(len)
        }
    }
}

fn pop(state: &mut State, key: &Bytes, end: ListEnd, n: Option<usize>, now: u64) -> Frame {
    let list = match state.list(key, now) {
        Err(reply) => return reply,
        Ok(None) => return Frame::Null,
        Ok(Some(list)) => list,
    };
    let take = n.unwrap_or(1).min(list.len());
    let popped: Vec<Bytes> = (0..take)
        .filter_map(|_| match end {
            ListEnd::Left => list.pop_front(),
            ListEnd::Right => list.pop_back(),
        })
        .collect();
    if list.is_empty() {
        state.remove(key); // no empty lists: the key goes with its last element
    }
    match n {
        None => popped.into_iter().next().map_or(Frame::Null, Frame::Bulk),
        Some(_) => Frame::Array(popped.into_iter().map(Frame::Bulk).collect()),
    }
}

/// `LRANGE` with Redis's index rules: negative indexes count from the end, then both ends are clamped to
/// the list, and an empty range is an empty array.
fn lrange(list: Option<&VecDeque<Bytes>>, start: i64, stop: i64) -> Frame {
    let Some(list) = list else {
        return Frame::Array(Vec::new());
    };
    let len = i64::try_from(list.len()).unwrap_or(i64::MAX);
    // `len + index` cannot overflow: len >= 0 and index < 0.
    let start = if start < 0 {
        (len + start).max(0)
    } else {
        start
    };
    let stop = if stop < 0 {
        len + stop
    } else {
        stop.min(len - 1)
    };
    if start > stop || start >= len {
        return Frame::Array(Vec::new());
    }
    // Now 0 <= start <= stop < len.
    let (Ok(start), Ok(stop)) = (usize::try_from(start), usize::try_from(stop)) else {
        return Frame::Array(Vec::new());
    };
    Frame::Array(list.range(start..=stop).cloned().map(Frame::Bulk).collect())
}

fn hset(state: &mut State, key: Bytes, pairs: Vec<(Bytes, Bytes)>, now: u64) -> Frame {
    fn set_all(hash: &mut HashMap<Bytes, Bytes>, pairs: Vec<(Bytes, Bytes)>) -> usize {
        // Counts new fields only; a field repeated in one call is new once.
        let mut added = 0;
        for (field, value) in pairs {
            if hash.insert(field, value).is_none() {
                added += 1;
            }
        }
        added
    }
    match state.hash(&key, now) {
        Err(reply) => reply,
        Ok(Some(hash)) => count(set_all(hash, pairs)), // an existing hash keeps its deadline
        Ok(None) => {
            let mut hash = HashMap::with_capacity(pairs.len());
            let added = set_all(&mut hash, pairs);
            let entry = Entry {
                value: Value::Hash(hash),
                expires_at: None,
            };
            state.insert(key, entry);
            count(added)
        }
    }
}

fn hdel(state: &mut State, key: &Bytes, fields: &[Bytes], now: u64) -> Frame {
    let hash = match state.hash(key, now) {
        Err(reply) => return reply,
        Ok(None) => return Frame::Integer(0),
        Ok(Some(hash)) => hash,
    };
    let removed = fields.iter().filter(|f| hash.remove(*f).is_some()).count();
    if hash.is_empty() {
        state.remove(key); // no empty hashes either
    }
    count(removed)
}

fn count(n: usize) -> Frame {
    Frame::Integer(i64::try_from(n).unwrap_or(i64::MAX))
}

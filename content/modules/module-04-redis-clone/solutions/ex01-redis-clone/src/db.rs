//! The keyspace: executes [`Command`]s and owns expiry.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use bytes::Bytes;

use crate::clock::{Clock, SystemClock};
use crate::command::{Command, SetArgs, SetCondition};
use crate::frame::Frame;

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
}

#[derive(Default)]
struct State {
    entries: HashMap<Bytes, Entry>,
}

struct Entry {
    value: Value,
    /// Absolute deadline in Unix milliseconds; the key is gone once `now >= expires_at`.
    expires_at: Option<u64>,
}

/// The value types. Milestone 3 adds lists and hashes here, and `WRONGTYPE` errors with them.
enum Value {
    Str(Bytes),
}

impl Entry {
    fn is_expired(&self, now: u64) -> bool {
        self.expires_at.is_some_and(|at| now >= at)
    }
}

impl State {
    /// The entry for `key` if it exists and has not expired. Expired entries are deleted on the way (lazy
    /// expiry), so no command ever observes one.
    fn live(&mut self, key: &[u8], now: u64) -> Option<&mut Entry> {
        if self.entries.get(key).is_some_and(|e| e.is_expired(now)) {
            self.entries.remove(key);
        }
        self.entries.get_mut(key)
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
                state: Mutex::new(State::default()),
                clock,
            }),
        }
    }

    /// Parses `frame` as a command and executes it. Invalid commands produce an error reply, never a panic.
    pub fn execute_frame(&self, frame: Frame) -> Frame {
        match Command::from_frame(frame) {
            Ok(command) => self.execute(command),
            Err(err) => err.to_frame(),
        }
    }

    /// Executes one command atomically and returns its reply.
    pub fn execute(&self, command: Command) -> Frame {
        let now = self.shared.clock.now_millis();
        let mut state = self.lock();
        match command {
            Command::Ping(None) => Frame::Simple("PONG".to_string()),
            Command::Ping(Some(message)) | Command::Echo(message) => Frame::Bulk(message),
            Command::Get(key) => match state.live(&key, now) {
                Some(Entry {
                    value: Value::Str(v),
                    ..
                }) => Frame::Bulk(v.clone()),
                None => Frame::Null,
            },
            Command::Set(args) => set(&mut state, args, now),
            Command::Del(keys) => {
                let mut removed = 0;
                for key in &keys {
                    if state.live(key, now).is_some() {
                        state.entries.remove(key);
                        removed += 1;
                    }
                }
                count(removed)
            }
            Command::Exists(keys) => {
                count(keys.iter().filter(|k| state.live(k, now).is_some()).count())
            }
            Command::IncrBy { key, delta } => incr_by(&mut state, key, delta, now),
            Command::Expire { key, millis } => match state.live(&key, now) {
                None => Frame::Integer(0),
                Some(_) if millis <= 0 => {
                    state.entries.remove(&key);
                    Frame::Integer(1)
                }
                Some(entry) => {
                    entry.expires_at = Some(now.saturating_add(millis.unsigned_abs()));
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
                    entry.expires_at = None;
                    Frame::Integer(1)
                }
                _ => Frame::Integer(0),
            },
        }
    }

    /// Deletes every expired key now and returns how many there were.
    ///
    /// This is a full scan under the lock: fine for tests and small keyspaces. Milestone 3 replaces it with
    /// Redis-style random sampling run from a background task.
    pub fn purge_expired(&self) -> usize {
        let now = self.shared.clock.now_millis();
        let mut state = self.lock();
        let before = state.entries.len();
        state.entries.retain(|_, entry| !entry.is_expired(now));
        before - state.entries.len()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave an entry half-written (every mutation is a single map
        // operation), so a poisoned lock is safe to keep using.
        self.shared
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

fn set(state: &mut State, args: SetArgs, now: u64) -> Frame {
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
    let expires_at = match expire_millis {
        Some(ms) => Some(now.saturating_add(ms)),
        None if keep_ttl => existing.and_then(|e| e.expires_at),
        None => None,
    };
    state.entries.insert(
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
    };
    let Some(next) = current.checked_add(delta) else {
        return Frame::Error("ERR increment or decrement would overflow".to_string());
    };
    let value = Value::Str(Bytes::from(next.to_string()));
    state.entries.insert(key, Entry { value, expires_at }); // INCR keeps the deadline
    Frame::Integer(next)
}

fn count(n: usize) -> Frame {
    Frame::Integer(i64::try_from(n).unwrap_or(i64::MAX))
}

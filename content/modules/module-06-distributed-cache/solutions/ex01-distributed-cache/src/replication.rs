//! Replication with quorums, read repair, hinted handoff and rebalancing, as a sans-IO state machine.
//!
//! A [`ReplicaNode`] is one node's replication layer. Like [`crate::Membership`] it never touches a socket,
//! spawns a task or reads the wall clock: whoever drives it (a Tokio task in a real node, an in-memory router
//! in the tests) calls [`ReplicaNode::put`], [`ReplicaNode::delete`], [`ReplicaNode::get`],
//! [`ReplicaNode::receive`] and [`ReplicaNode::tick`], sends the [`ReplicaMessage`]s they return, and collects
//! finished operations with [`ReplicaNode::take_outcome`]. Time comes only from the injected [`Clock`].
//!
//! The contract, in short (each method states its part):
//!
//! - **Placement.** A key lives on its preference list, `ring.replicas(key, n)`. The node that receives a
//!   request coordinates it: it sends the write (or read) to every replica at once, counts itself when it is
//!   one, and completes after `w` acknowledgements (`r` responses). Fewer than that before
//!   `request_timeout` is a failure; an answer that arrives later never turns a failure into a success.
//! - **Versions.** Every write carries a [`Version`]: a hybrid logical clock timestamp `(wall, logical)` and the
//!   coordinator's id as the tie-breaker. The clock never runs behind any version the node has seen, so a
//!   write that follows another causally gets a higher version even from a node whose wall clock lags.
//!   Replicas keep the highest version (last writer wins); a delete is a write of a tombstone.
//! - **Read repair.** A read answers with the newest of the first `r` responses, and writes that newest
//!   version back to every replica that answered with an older one (or none), also after it answered.
//! - **Hinted handoff.** A replica the coordinator knows to be down ([`ReplicaNode::mark_down`]) is replaced by
//!   the next node along the ring, which keeps the write as a *hint* for it, apart from its own data, and
//!   hands it over once the replica is back ([`ReplicaNode::mark_up`], retried every `hint_retry`).
//! - **Rebalancing.** When the ring changes ([`ReplicaNode::set_ring`]), a node streams each entry it holds
//!   to the replicas that newly need it, at most `max_transfers` at a time, and drops an entry it is no longer
//!   a replica of only after every new replica has acknowledged it: no key is ever lost to a ring change.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::fmt;
use std::time::Duration;

use crate::clock::{Clock, MonotonicClock};
use crate::ring::HashRing;

/// A write's version: a hybrid logical clock timestamp and the coordinator's id. Versions are totally
/// ordered by `(wall, logical, node)`, the field order: the highest version of a key wins.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    /// The physical part: the highest wall-clock reading (milliseconds) the coordinator had seen.
    pub wall: u64,
    /// The logical part: orders versions created within the same `wall` millisecond.
    pub logical: u32,
    /// The coordinator's id: breaks ties between concurrent writes, the same way on every replica.
    pub node: String,
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}@{}", self.wall, self.logical, self.node)
    }
}

/// A value with its version. `value` is `None` for a tombstone, the record a delete leaves behind so that an
/// older value on a stale replica cannot come back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Versioned {
    /// The write's version.
    pub version: Version,
    /// The bytes written, or `None` for a delete.
    pub value: Option<Vec<u8>>,
}

/// The replication parameters. Every node of a cluster must use the same `n`.
#[derive(Debug, Clone)]
pub struct QuorumConfig {
    /// How many replicas each key has: `ring.replicas(key, n)`.
    pub n: usize,
    /// How many responses a read waits for.
    pub r: usize,
    /// How many acknowledgements a write waits for.
    pub w: usize,
    /// How long an operation may wait for its quorum, and how long a transfer waits before it is resent.
    pub request_timeout: Duration,
    /// How often a node retries handing its hints to replicas it believes up.
    pub hint_retry: Duration,
    /// How many rebalancing transfers a node keeps in flight at once.
    pub max_transfers: usize,
}

impl Default for QuorumConfig {
    fn default() -> Self {
        QuorumConfig {
            n: 3,
            r: 2,
            w: 2,
            request_timeout: Duration::from_millis(500),
            hint_retry: Duration::from_secs(1),
            max_transfers: 64,
        }
    }
}

/// What a [`ReplicaMessage`] asks or answers. `op` pairs an answer with its request; it is chosen by the
/// sender of the request and only meaningful to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payload {
    /// Store `entry` under `key` (keeping whichever version is higher). With `hint: Some(replica)` the
    /// receiver stands in for `replica`, which is down: it keeps the entry as a hint for it, apart from its
    /// own data, and hands it over later.
    Write {
        op: u64,
        key: String,
        entry: Versioned,
        hint: Option<String>,
    },
    /// The answer to a `Write`: the entry (or a newer version) is stored.
    WriteAck { op: u64, key: String },
    /// Send back what you hold for `key`.
    Read { op: u64, key: String },
    /// The answer to a `Read`: the replica's entry for the key, tombstones included.
    ReadReply {
        op: u64,
        key: String,
        entry: Option<Versioned>,
    },
}

/// A message between two nodes' replication layers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplicaMessage {
    /// The sender's id.
    pub from: String,
    /// The receiver's id.
    pub to: String,
    /// What it says.
    pub payload: Payload,
}

/// Why an operation failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuorumError {
    /// Fewer nodes than the quorum could even be asked (a ring that is too small, or too many replicas
    /// marked down with no node left to stand in for them). Reported at once; nothing was sent.
    Unavailable { available: usize, required: usize },
    /// Only `answered` of the `required` replicas answered within the request timeout. A write that fails
    /// this way may still have been stored by the replicas that did answer, or answer later.
    Timeout { answered: usize, required: usize },
}

impl fmt::Display for QuorumError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QuorumError::Unavailable {
                available,
                required,
            } => write!(
                f,
                "only {available} replicas available, {required} required"
            ),
            QuorumError::Timeout { answered, required } => {
                write!(f, "only {answered} replicas answered, {required} required")
            }
        }
    }
}

impl std::error::Error for QuorumError {}

/// How an operation ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A `put` or `delete` was acknowledged by `w` replicas; the version it was written with.
    Written(Version),
    /// A `get` had `r` responses: the newest entry among them (a tombstone for a deleted key), or `None` if
    /// none of them held the key.
    Read(Option<Versioned>),
    /// The operation failed.
    Failed(QuorumError),
}

/// Identifies an operation this node coordinates.
pub type OpId = u64;

#[derive(Debug)]
struct PendingWrite {
    version: Version,
    targets: BTreeSet<String>,
    acked: BTreeSet<String>,
    deadline: u64,
}

#[derive(Debug)]
struct PendingRead {
    key: String,
    targets: BTreeSet<String>,
    responses: BTreeMap<String, Option<Versioned>>,
    /// Replicas already sent the newest version, and which version.
    repaired: BTreeMap<String, Version>,
    newest: Option<Versioned>,
    answered: bool,
    deadline: u64,
}

#[derive(Debug)]
struct Transfer {
    key: String,
    target: String,
    sent_at: u64,
}

/// One node's replication layer: its replica of the keys it holds, the hints it keeps for nodes that are
/// down, and the operations it coordinates.
#[derive(Debug)]
pub struct ReplicaNode<C: Clock = MonotonicClock> {
    id: String,
    config: QuorumConfig,
    clock: C,
    ring: HashRing,
    /// The hybrid logical clock: `(wall, logical)` of the highest version created or seen.
    hlc: (u64, u32),
    store: BTreeMap<String, Versioned>,
    /// Hints: `(replica, key)` to the newest entry kept for that replica.
    hints: BTreeMap<(String, String), Versioned>,
    /// Handoffs in flight: op to `(replica, key, version handed over)`.
    handoffs: HashMap<OpId, (String, String, Version)>,
    next_hint_retry: u64,
    down: BTreeSet<String>,
    next_op: OpId,
    writes: HashMap<OpId, PendingWrite>,
    reads: HashMap<OpId, PendingRead>,
    outcomes: HashMap<OpId, Outcome>,
    /// Rebalancing: transfers waiting for a slot, transfers in flight, and how many of each key are left.
    transfer_queue: VecDeque<(String, String)>,
    transfers: BTreeMap<OpId, Transfer>,
    transfers_left: BTreeMap<String, usize>,
}

impl<C: Clock> ReplicaNode<C> {
    /// A node with an empty store, placing keys on `ring` (which should contain `id`).
    ///
    /// # Panics
    ///
    /// If `n`, `r` or `w` is 0, or `r` or `w` is larger than `n`.
    pub fn new(id: &str, ring: HashRing, config: QuorumConfig, clock: C) -> Self {
        assert!(config.n > 0, "n must be at least 1");
        assert!(
            (1..=config.n).contains(&config.r),
            "r must be between 1 and n"
        );
        assert!(
            (1..=config.n).contains(&config.w),
            "w must be between 1 and n"
        );
        let next_hint_retry = clock.now_millis() + millis(config.hint_retry);
        ReplicaNode {
            id: id.to_owned(),
            config,
            clock,
            ring,
            hlc: (0, 0),
            store: BTreeMap::new(),
            hints: BTreeMap::new(),
            handoffs: HashMap::new(),
            next_hint_retry,
            down: BTreeSet::new(),
            next_op: 1,
            writes: HashMap::new(),
            reads: HashMap::new(),
            outcomes: HashMap::new(),
            transfer_queue: VecDeque::new(),
            transfers: BTreeMap::new(),
            transfers_left: BTreeMap::new(),
        }
    }

    /// This node's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The ring this node places keys on.
    pub fn ring(&self) -> &HashRing {
        &self.ring
    }

    /// This node's own entry for `key` (tombstones included, hints excluded).
    pub fn local(&self, key: &str) -> Option<&Versioned> {
        self.store.get(key)
    }

    /// The keys this node holds as a replica, sorted (tombstones included, hints excluded).
    pub fn keys(&self) -> Vec<String> {
        self.store.keys().cloned().collect()
    }

    /// How many hints this node keeps for replicas that were down.
    pub fn hinted(&self) -> usize {
        self.hints.len()
    }

    /// Writes `value` under `key`, coordinated by this node. The outcome is `Written(version)` once `w`
    /// replicas acknowledged.
    pub fn put(&mut self, key: &str, value: Vec<u8>) -> (OpId, Vec<ReplicaMessage>) {
        self.write(key, Some(value))
    }

    /// Deletes `key` by writing a tombstone, exactly like a `put`.
    pub fn delete(&mut self, key: &str) -> (OpId, Vec<ReplicaMessage>) {
        self.write(key, None)
    }

    /// Reads `key` from its replicas not marked down. The outcome is `Read(newest)` once `r` answered.
    pub fn get(&mut self, key: &str) -> (OpId, Vec<ReplicaMessage>) {
        let op = self.new_op();
        let targets: BTreeSet<String> = self
            .ring
            .replicas(key.as_bytes(), self.config.n)
            .into_iter()
            .filter(|t| !self.down.contains(*t))
            .map(str::to_owned)
            .collect();
        if targets.len() < self.config.r {
            self.fail_unavailable(op, targets.len(), self.config.r);
            return (op, Vec::new());
        }
        let mut out = Vec::new();
        let mut pending = PendingRead {
            key: key.to_owned(),
            targets: targets.clone(),
            responses: BTreeMap::new(),
            repaired: BTreeMap::new(),
            newest: None,
            answered: false,
            deadline: self.now() + millis(self.config.request_timeout),
        };
        for target in &targets {
            if *target == self.id {
                pending
                    .responses
                    .insert(self.id.clone(), self.store.get(key).cloned());
            } else {
                out.push(self.message(
                    target,
                    Payload::Read {
                        op,
                        key: key.to_owned(),
                    },
                ));
            }
        }
        self.reads.insert(op, pending);
        self.progress_read(op, &mut out);
        (op, out)
    }

    /// The outcome of an operation this node coordinates, once, when it has ended; `None` while it is
    /// running (and after its outcome was taken).
    pub fn take_outcome(&mut self, op: OpId) -> Option<Outcome> {
        self.outcomes.remove(&op)
    }

    /// Handles one message addressed to this node and returns the messages to send. Messages addressed to
    /// another node are ignored.
    pub fn receive(&mut self, message: ReplicaMessage) -> Vec<ReplicaMessage> {
        if message.to != self.id {
            return Vec::new();
        }
        let from = message.from;
        let mut out = Vec::new();
        match message.payload {
            Payload::Write {
                op,
                key,
                entry,
                hint,
            } => {
                self.observe(&entry.version);
                match hint {
                    Some(replica) if replica != self.id => {
                        let slot = self.hints.entry((replica, key.clone()));
                        keep_newest_in(slot, entry);
                    }
                    _ => self.apply(&key, entry),
                }
                out.push(self.message(&from, Payload::WriteAck { op, key }));
            }
            Payload::WriteAck { op, key } => {
                if let Some(pending) = self.writes.get_mut(&op) {
                    if pending.targets.contains(&from) {
                        pending.acked.insert(from);
                    }
                    self.progress_write(op);
                } else if let Some((replica, hkey, version)) = self.handoffs.remove(&op) {
                    let slot = (replica, hkey);
                    if self.hints.get(&slot).map(|e| &e.version) == Some(&version) {
                        self.hints.remove(&slot);
                    }
                } else if let Some(transfer) = self.transfers.get(&op) {
                    if transfer.target == from && transfer.key == key {
                        self.transfers.remove(&op);
                        self.finish_transfer(&key);
                        self.pump_transfers(&mut out);
                    }
                }
            }
            Payload::Read { op, key } => {
                let entry = self.store.get(&key).cloned();
                if let Some(entry) = &entry {
                    self.observe(&entry.version);
                }
                out.push(self.message(&from, Payload::ReadReply { op, key, entry }));
            }
            Payload::ReadReply { op, key, entry } => {
                if let Some(entry) = &entry {
                    self.observe(&entry.version);
                }
                if let Some(pending) = self.reads.get_mut(&op) {
                    if pending.key == key
                        && pending.targets.contains(&from)
                        && !pending.responses.contains_key(&from)
                    {
                        pending.responses.insert(from, entry);
                        self.progress_read(op, &mut out);
                    }
                }
            }
        }
        out
    }

    /// Runs the timers due at the clock's time and returns the messages to send: operations past their
    /// deadline fail, unacknowledged transfers are resent, and every `hint_retry` the hints for replicas
    /// not marked down are handed over again.
    pub fn tick(&mut self) -> Vec<ReplicaMessage> {
        let now = self.now();
        let mut out = Vec::new();

        let expired: Vec<OpId> = self
            .writes
            .iter()
            .filter(|(_, w)| now >= w.deadline)
            .map(|(op, _)| *op)
            .collect();
        for op in expired {
            let pending = self.writes.remove(&op).expect("listed above");
            self.outcomes.insert(
                op,
                Outcome::Failed(QuorumError::Timeout {
                    answered: pending.acked.len(),
                    required: self.config.w,
                }),
            );
        }
        let expired: Vec<OpId> = self
            .reads
            .iter()
            .filter(|(_, r)| now >= r.deadline)
            .map(|(op, _)| *op)
            .collect();
        for op in expired {
            let pending = self.reads.remove(&op).expect("listed above");
            if !pending.answered {
                self.outcomes.insert(
                    op,
                    Outcome::Failed(QuorumError::Timeout {
                        answered: pending.responses.len(),
                        required: self.config.r,
                    }),
                );
            }
        }

        let timeout = millis(self.config.request_timeout);
        let stale: Vec<OpId> = self
            .transfers
            .iter()
            .filter(|(_, t)| now >= t.sent_at + timeout)
            .map(|(op, _)| *op)
            .collect();
        for op in stale {
            let transfer = self.transfers.remove(&op).expect("listed above");
            self.send_transfer(transfer.key, transfer.target, &mut out);
        }
        self.pump_transfers(&mut out);

        if now >= self.next_hint_retry {
            self.next_hint_retry = now + millis(self.config.hint_retry);
            let replicas: BTreeSet<String> = self.hints.keys().map(|(r, _)| r.clone()).collect();
            for replica in replicas {
                if !self.down.contains(&replica) {
                    self.hand_off(&replica, &mut out);
                }
            }
        }
        out
    }

    /// Records that `peer` is down (in a real node, the membership says so): writes stop waiting for it and
    /// go to a stand-in with a hint, and reads stop asking it.
    pub fn mark_down(&mut self, peer: &str) {
        self.down.insert(peer.to_owned());
    }

    /// Records that `peer` is back and returns the handoff of every hint this node keeps for it.
    pub fn mark_up(&mut self, peer: &str) -> Vec<ReplicaMessage> {
        self.down.remove(peer);
        let mut out = Vec::new();
        self.hand_off(peer, &mut out);
        out
    }

    /// Replaces the ring (a node joined or left) and returns the first transfers of the rebalancing: each
    /// entry this node holds goes to the replicas of the new ring that were not replicas in the old one, or
    /// to all of them when this node is no longer a replica, in which case the entry is dropped once every
    /// one of them has acknowledged it. At most `max_transfers` are in flight; acknowledgements and ticks
    /// send the rest.
    pub fn set_ring(&mut self, ring: HashRing) -> Vec<ReplicaMessage> {
        let old = std::mem::replace(&mut self.ring, ring);
        let n = self.config.n;
        let mut planned = Vec::new();
        for key in self.store.keys() {
            let before = old.replicas(key.as_bytes(), n);
            let after = self.ring.replicas(key.as_bytes(), n);
            let leaving = !after.contains(&self.id.as_str());
            for target in after {
                if target != self.id && (leaving || !before.contains(&target)) {
                    planned.push((key.clone(), target.to_owned()));
                }
            }
        }
        for (key, target) in planned {
            *self.transfers_left.entry(key.clone()).or_insert(0) += 1;
            self.transfer_queue.push_back((key, target));
        }
        // Entries with nothing to send but no longer ours (every new replica already was one) are dropped
        // only if they are not waiting for a transfer either.
        let keys: Vec<String> = self.store.keys().cloned().collect();
        for key in keys {
            if !self.transfers_left.contains_key(&key) {
                self.drop_if_not_replica(&key);
            }
        }
        let mut out = Vec::new();
        self.pump_transfers(&mut out);
        out
    }

    fn write(&mut self, key: &str, value: Option<Vec<u8>>) -> (OpId, Vec<ReplicaMessage>) {
        let op = self.new_op();
        // Walk the whole ring: the first n nodes are the preference list, the rest stand-ins.
        let walk: Vec<String> = self
            .ring
            .replicas(key.as_bytes(), self.ring.len())
            .into_iter()
            .map(str::to_owned)
            .collect();
        let n = self.config.n.min(walk.len());
        let mut stand_ins = walk[n..].iter().filter(|s| !self.down.contains(*s));
        let mut targets: Vec<(String, Option<String>)> = Vec::new();
        for replica in &walk[..n] {
            if !self.down.contains(replica) {
                targets.push((replica.clone(), None));
            } else if let Some(stand_in) = stand_ins.next() {
                targets.push((stand_in.clone(), Some(replica.clone())));
            }
        }
        if targets.len() < self.config.w {
            self.fail_unavailable(op, targets.len(), self.config.w);
            return (op, Vec::new());
        }
        let version = self.next_version();
        let entry = Versioned {
            version: version.clone(),
            value,
        };
        let mut pending = PendingWrite {
            version,
            targets: targets.iter().map(|(t, _)| t.clone()).collect(),
            acked: BTreeSet::new(),
            deadline: self.now() + millis(self.config.request_timeout),
        };
        let mut out = Vec::new();
        for (target, hint) in targets {
            if target == self.id {
                match hint {
                    Some(replica) => {
                        keep_newest_in(self.hints.entry((replica, key.to_owned())), entry.clone())
                    }
                    None => self.apply(key, entry.clone()),
                }
                pending.acked.insert(target);
            } else {
                out.push(self.message(
                    &target,
                    Payload::Write {
                        op,
                        key: key.to_owned(),
                        entry: entry.clone(),
                        hint,
                    },
                ));
            }
        }
        self.writes.insert(op, pending);
        self.progress_write(op);
        (op, out)
    }

    fn progress_write(&mut self, op: OpId) {
        let Some(pending) = self.writes.get(&op) else {
            return;
        };
        if pending.acked.len() >= self.config.w {
            let pending = self.writes.remove(&op).expect("present");
            self.outcomes.insert(op, Outcome::Written(pending.version));
        }
    }

    fn progress_read(&mut self, op: OpId, out: &mut Vec<ReplicaMessage>) {
        let r = self.config.r;
        let Some(pending) = self.reads.get_mut(&op) else {
            return;
        };
        pending.newest = pending
            .responses
            .values()
            .flatten()
            .max_by(|a, b| a.version.cmp(&b.version))
            .cloned();
        if !pending.answered && pending.responses.len() >= r {
            pending.answered = true;
            self.outcomes
                .insert(op, Outcome::Read(pending.newest.clone()));
        }
        let mut repairs = Vec::new();
        if pending.answered {
            if let Some(newest) = &pending.newest {
                for (replica, entry) in &pending.responses {
                    let stale = !matches!(entry, Some(e) if e.version >= newest.version);
                    if stale && pending.repaired.get(replica) != Some(&newest.version) {
                        repairs.push((replica.clone(), newest.clone()));
                    }
                }
                for (replica, entry) in &repairs {
                    pending
                        .repaired
                        .insert(replica.clone(), entry.version.clone());
                }
            }
        }
        let key = pending.key.clone();
        if pending.responses.len() == pending.targets.len() {
            self.reads.remove(&op);
        }
        for (replica, entry) in repairs {
            if replica == self.id {
                self.apply(&key, entry);
            } else {
                // The acknowledgement of a repair matches no operation and is ignored.
                let repair_op = self.new_op();
                out.push(self.message(
                    &replica,
                    Payload::Write {
                        op: repair_op,
                        key: key.clone(),
                        entry,
                        hint: None,
                    },
                ));
            }
        }
    }

    fn hand_off(&mut self, replica: &str, out: &mut Vec<ReplicaMessage>) {
        let hints: Vec<(String, Versioned)> = self
            .hints
            .range((replica.to_owned(), String::new())..)
            .take_while(|((r, _), _)| r == replica)
            .map(|((_, k), e)| (k.clone(), e.clone()))
            .collect();
        for (key, entry) in hints {
            let op = self.new_op();
            self.handoffs
                .insert(op, (replica.to_owned(), key.clone(), entry.version.clone()));
            out.push(self.message(
                replica,
                Payload::Write {
                    op,
                    key,
                    entry,
                    hint: None,
                },
            ));
        }
    }

    fn pump_transfers(&mut self, out: &mut Vec<ReplicaMessage>) {
        while self.transfers.len() < self.config.max_transfers.max(1) {
            let Some((key, target)) = self.transfer_queue.pop_front() else {
                break;
            };
            self.send_transfer(key, target, out);
        }
    }

    fn send_transfer(&mut self, key: String, target: String, out: &mut Vec<ReplicaMessage>) {
        let Some(entry) = self.store.get(&key).cloned() else {
            // Gone meanwhile (a later ring change already handed it over).
            self.finish_transfer(&key);
            return;
        };
        let op = self.new_op();
        self.transfers.insert(
            op,
            Transfer {
                key: key.clone(),
                target: target.clone(),
                sent_at: self.now(),
            },
        );
        out.push(self.message(
            &target,
            Payload::Write {
                op,
                key,
                entry,
                hint: None,
            },
        ));
    }

    fn finish_transfer(&mut self, key: &str) {
        if let Some(left) = self.transfers_left.get_mut(key) {
            *left -= 1;
            if *left == 0 {
                self.transfers_left.remove(key);
                self.drop_if_not_replica(key);
            }
        }
    }

    fn drop_if_not_replica(&mut self, key: &str) {
        let replicas = self.ring.replicas(key.as_bytes(), self.config.n);
        if !replicas.is_empty() && !replicas.contains(&self.id.as_str()) {
            self.store.remove(key);
        }
    }

    fn apply(&mut self, key: &str, entry: Versioned) {
        keep_newest_in(self.store.entry(key.to_owned()), entry);
    }

    fn fail_unavailable(&mut self, op: OpId, available: usize, required: usize) {
        self.outcomes.insert(
            op,
            Outcome::Failed(QuorumError::Unavailable {
                available,
                required,
            }),
        );
    }

    /// A version higher than every version this node has created or seen, and not behind its wall clock.
    fn next_version(&mut self) -> Version {
        let now = self.now();
        self.hlc = if now > self.hlc.0 {
            (now, 0)
        } else {
            (self.hlc.0, self.hlc.1 + 1)
        };
        Version {
            wall: self.hlc.0,
            logical: self.hlc.1,
            node: self.id.clone(),
        }
    }

    /// Moves the hybrid logical clock past a version seen in a message.
    fn observe(&mut self, version: &Version) {
        self.hlc = self.hlc.max((version.wall, version.logical));
    }

    fn new_op(&mut self) -> OpId {
        let op = self.next_op;
        self.next_op += 1;
        op
    }

    fn now(&self) -> u64 {
        self.clock.now_millis()
    }

    fn message(&self, to: &str, payload: Payload) -> ReplicaMessage {
        ReplicaMessage {
            from: self.id.clone(),
            to: to.to_owned(),
            payload,
        }
    }
}

fn keep_newest_in<K: Ord>(
    slot: std::collections::btree_map::Entry<'_, K, Versioned>,
    entry: Versioned,
) {
    use std::collections::btree_map::Entry;
    match slot {
        Entry::Vacant(v) => {
            v.insert(entry);
        }
        Entry::Occupied(mut o) => {
            if entry.version > o.get().version {
                o.insert(entry);
            }
        }
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

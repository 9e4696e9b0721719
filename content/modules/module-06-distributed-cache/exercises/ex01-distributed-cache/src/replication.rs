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

/// One node's replication layer: its replica of the keys it holds, the hints it keeps for nodes that are
/// down, and the operations it coordinates.
///
/// The fields are yours to choose: a store of `Versioned` entries by key, the hybrid logical clock, the
/// pending writes and reads by `OpId`, the finished outcomes, hints by `(replica, key)`, the nodes marked
/// down, and the transfers of a rebalancing.
#[derive(Debug)]
pub struct ReplicaNode<C: Clock = MonotonicClock> {
    id: String,
    config: QuorumConfig,
    clock: C,
    ring: HashRing,
}

impl<C: Clock> ReplicaNode<C> {
    /// A node with an empty store, placing keys on `ring` (which should contain `id`).
    ///
    /// # Panics
    ///
    /// If `n`, `r` or `w` is 0, or `r` or `w` is larger than `n`.
    pub fn new(id: &str, ring: HashRing, config: QuorumConfig, clock: C) -> Self {
        todo!("milestone 4")
    }

    /// This node's id.
    pub fn id(&self) -> &str {
        todo!("milestone 4")
    }

    /// The ring this node places keys on.
    pub fn ring(&self) -> &HashRing {
        todo!("milestone 4")
    }

    /// This node's own entry for `key` (tombstones included, hints excluded).
    pub fn local(&self, key: &str) -> Option<&Versioned> {
        todo!("milestone 4")
    }

    /// The keys this node holds as a replica, sorted (tombstones included, hints excluded).
    pub fn keys(&self) -> Vec<String> {
        todo!("milestone 4")
    }

    /// Writes `value` under `key`, coordinated by this node: one `Write` to every replica of
    /// `ring.replicas(key, n)` at once (applied locally, and counted at once, when this node is one of them),
    /// with a new version from the hybrid logical clock. The outcome is `Written(version)` once `w` replicas
    /// acknowledged; `Failed(Unavailable)` at once, with nothing sent, if fewer than `w` can be asked.
    pub fn put(&mut self, key: &str, value: Vec<u8>) -> (OpId, Vec<ReplicaMessage>) {
        todo!("milestone 4")
    }

    /// Deletes `key` by writing a tombstone (`value: None`), exactly like a `put`.
    pub fn delete(&mut self, key: &str) -> (OpId, Vec<ReplicaMessage>) {
        todo!("milestone 4")
    }

    /// Reads `key` from its replicas (not marked down, from milestone 5 on). The outcome is `Read(newest)`
    /// once `r` answered (this node's own entry counts at once when it is a replica); `Failed(Unavailable)` at
    /// once if fewer than `r` can be asked. Every replica that answers with an older entry, or none, before
    /// or after the outcome, is sent the newest one (read repair).
    pub fn get(&mut self, key: &str) -> (OpId, Vec<ReplicaMessage>) {
        todo!("milestone 4")
    }

    /// The outcome of an operation this node coordinates, once, when it has ended; `None` while it is
    /// running (and after its outcome was taken).
    pub fn take_outcome(&mut self, op: OpId) -> Option<Outcome> {
        todo!("milestone 4")
    }

    /// Handles one message addressed to this node and returns the messages to send. Messages addressed to
    /// another node are ignored. A `Write` or `ReadReply` moves the hybrid logical clock past the version it
    /// carries; an answer that matches no running operation changes nothing.
    pub fn receive(&mut self, message: ReplicaMessage) -> Vec<ReplicaMessage> {
        todo!("milestone 4")
    }

    /// Runs the timers due at the clock's time and returns the messages to send: operations whose
    /// `request_timeout` has run out without a quorum fail with `Timeout`; from milestone 5 on,
    /// unacknowledged transfers are resent after `request_timeout`, and every `hint_retry` the hints for
    /// replicas not marked down are handed over again.
    pub fn tick(&mut self) -> Vec<ReplicaMessage> {
        todo!("milestone 4")
    }

    /// How many hints this node keeps for replicas that were down.
    pub fn hinted(&self) -> usize {
        todo!("milestone 5")
    }

    /// Records that `peer` is down (in a real node, the membership says so): writes go to the next node
    /// along the ring that is not down and not already a target, with a hint naming `peer`, and reads stop
    /// asking it.
    pub fn mark_down(&mut self, peer: &str) {
        todo!("milestone 5")
    }

    /// Records that `peer` is back and returns the handoff of every hint this node keeps for it (a plain
    /// `Write`); a hint is dropped when its handoff is acknowledged, unless a newer one replaced it meanwhile.
    pub fn mark_up(&mut self, peer: &str) -> Vec<ReplicaMessage> {
        todo!("milestone 5")
    }

    /// Replaces the ring (a node joined or left) and returns the first transfers of the rebalancing: each
    /// entry this node holds goes to the replicas of the new ring that were not replicas in the old one, or
    /// to all of them when this node is no longer a replica, in which case the entry is dropped once every
    /// one of them has acknowledged it. At most `max_transfers` are in flight; acknowledgements and ticks
    /// send the rest.
    pub fn set_ring(&mut self, ring: HashRing) -> Vec<ReplicaMessage> {
        todo!("milestone 5")
    }
}

//! A distributed cache, built milestone by milestone.
//!
//! Milestone 1 is the single-process core, used as a library:
//!
//! - [`hash64`]: the stable hash every node must agree on (complete);
//! - [`HashRing`]: consistent hashing with virtual nodes and replica placement;
//! - [`LruCache`]: one node's local store, bounded in bytes, with LRU eviction and per-entry TTLs;
//! - [`Clock`]: the time source, injectable so tests control expiry (complete).
//!
//! Milestone 2 puts nodes on the network:
//!
//! - [`protocol`]: the length-prefixed binary protocol of clients and nodes;
//! - [`node::serve`]: a node that serves the keys it owns and forwards the others, with a hop limit;
//! - [`Client`]: a connection to one node.
//!
//! Milestone 3 lets the nodes maintain the membership themselves:
//!
//! - [`Membership`]: one member's view of the cluster, kept by a SWIM-style gossip and failure-detection
//!   protocol written as a sans-IO state machine (the caller moves its [`Message`]s), with the ring of its
//!   live members.
//!
//! Milestones 4 and 5 replicate every key on several nodes:
//!
//! - [`ReplicaNode`]: one node's replication layer, a sans-IO state machine like [`Membership`]: quorum
//!   writes and reads with versions from a hybrid logical clock, read repair, hinted handoff for replicas
//!   that are down, and rebalancing with no lost keys when the ring changes.

pub mod cache;
pub mod client;
pub mod clock;
pub mod error;
pub mod hash;
pub mod membership;
pub mod node;
pub mod protocol;
pub mod replication;
pub mod ring;

pub use cache::{CacheStats, LruCache};
pub use client::Client;
pub use clock::{Clock, ManualClock, MonotonicClock};
pub use error::CacheError;
pub use hash::hash64;
pub use membership::{Member, Membership, MembershipConfig, Message, MessageKind, Status};
pub use node::{serve, NodeConfig, MAX_HOPS};
pub use replication::{
    OpId, Outcome, Payload, QuorumConfig, QuorumError, ReplicaMessage, ReplicaNode, Version,
    Versioned,
};
pub use ring::{HashRing, DEFAULT_VNODES};

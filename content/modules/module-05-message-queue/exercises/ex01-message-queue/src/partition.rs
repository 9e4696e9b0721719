//! Milestone 5: partitioned topics and consumer groups that rebalance.
//!
//! A partitioned topic `t` with `n` partitions is `n` topics of the underlying [`Broker`], `t-0` to `t-{n-1}`
//! ([`partition_topic`]), each its own [`TopicLog`] with its own offsets, committed offsets and leases. Keyed
//! messages go to the partition `fnv1a_64(key) % n`, so one key's messages keep their order.
//!
//! Group membership may live in memory. Each (group, topic) has a *generation*, bumped whenever a member
//! joins, leaves or misses its session timeout; every change reassigns the partitions, each to exactly one
//! member. A member's requests carry the generation of its assignment and are refused once it is stale.
//! Milestone 4's consumers fit well: make each member a consumer on each of its partitions, and unsubscribe
//! the old owner when a partition moves, which releases its leases at once for the new owner.
//!
//! Persist the partition counts yourself (a small file under the broker's root, replaced atomically).

use std::path::Path;
use std::time::Duration;

use crate::broker::Broker;
use crate::clock::Clock;
use crate::delivery::DeliveryConfig;
use crate::error::MqError;
use crate::log::{LogConfig, TopicLog};

/// Most partitions a topic may have.
pub const MAX_PARTITIONS: u32 = 1024;

/// FNV-1a, 64 bits: a hash that is the same in every process, build and Rust version (unlike
/// `DefaultHasher`, whose algorithm is not specified and may change). For each byte: `hash ^= byte`, then
/// `hash = hash.wrapping_mul(prime)`, starting from the offset basis.
pub fn fnv1a_64(bytes: &[u8]) -> u64 {
    todo!("milestone 5: offset basis 0xcbf2_9ce4_8422_2325, prime 0x0000_0100_0000_01b3")
}

/// The partition of `key` among `partitions`: `fnv1a_64(key) % partitions`. Panics if `partitions` is 0.
pub fn partition_for_key(key: &[u8], partitions: u32) -> u32 {
    todo!("milestone 5")
}

/// The name of the broker topic holding partition `partition` of `topic`: `<topic>-<partition>`.
pub fn partition_topic(topic: &str, partition: u32) -> String {
    format!("{topic}-{partition}")
}

/// A member's share of a group: the generation it belongs to and its partitions, ascending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    /// The group's generation when this assignment was made.
    pub generation: u64,
    /// The partitions the member owns, ascending.
    pub partitions: Vec<u32>,
}

/// A message delivered from a partition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionDelivery {
    /// The partition.
    pub partition: u32,
    /// The message's offset in its partition.
    pub offset: u64,
    /// The delivery attempt, as in [`crate::Delivery`].
    pub attempt: u32,
    /// The bytes the producer sent.
    pub payload: Vec<u8>,
}

/// A broker of partitioned topics with rebalancing consumer groups.
#[derive(Debug)]
pub struct PartitionedBroker {
    // Replace with your own fields: the Broker, the clock, the session timeout, the partition counts and
    // the membership of each (group, topic): generation, last heartbeat and partitions of each member.
    _todo: (),
}

impl PartitionedBroker {
    /// Opens the broker rooted at `root` (the underlying [`Broker`] is `Broker::open_with(root, log_config,
    /// delivery, clock)`) and the partitioned topics created there before. Members that do not join or
    /// heartbeat for `session_timeout` are removed. Fails with `Config` if `session_timeout` is under 1 ms.
    pub fn open<C: Clock + Clone + 'static>(
        root: impl AsRef<Path>,
        log_config: LogConfig,
        delivery: DeliveryConfig,
        session_timeout: Duration,
        clock: C,
    ) -> Result<PartitionedBroker, MqError> {
        todo!("milestone 5")
    }

    /// Creates `topic` with `partitions` partitions (1 to [`MAX_PARTITIONS`], else `Config`), durably.
    /// Creating an existing topic again with the same count does nothing; with another count it fails with
    /// `Config` (the count is fixed: changing it would move keys between partitions). Names follow the topic
    /// rules and leave room for the partition suffix: at most 244 characters (`InvalidTopic`).
    pub fn create_topic(&mut self, topic: &str, partitions: u32) -> Result<(), MqError> {
        todo!("milestone 5")
    }

    /// The number of partitions of `topic`, `None` if it was never created.
    pub fn partitions(&self, topic: &str) -> Option<u32> {
        todo!("milestone 5")
    }

    /// The log of one partition.
    pub fn partition_log(&self, topic: &str, partition: u32) -> Option<&TopicLog> {
        todo!("milestone 5")
    }

    /// Appends `payload` to the partition of `key` ([`partition_for_key`]) and returns (partition, offset).
    pub fn produce(
        &mut self,
        topic: &str,
        key: &[u8],
        payload: &[u8],
    ) -> Result<(u32, u64), MqError> {
        todo!("milestone 5")
    }

    /// Appends `payload` to the next partition in turn (0, 1, ..., n-1, 0, ... per topic since `open`) and
    /// returns (partition, offset).
    pub fn produce_unkeyed(&mut self, topic: &str, payload: &[u8]) -> Result<(u32, u64), MqError> {
        todo!("milestone 5")
    }

    /// Adds `member` to `group` on `topic` and returns its assignment. A new member starts a new generation
    /// and a rebalance; a member already in the group just counts as a heartbeat.
    pub fn join(&mut self, group: &str, topic: &str, member: &str) -> Result<Assignment, MqError> {
        todo!("milestone 5")
    }

    /// Records that `member` is alive and returns its current assignment, whose generation tells the member
    /// whether the group rebalanced. Fails with `UnknownMember` if it left or missed its session timeout.
    pub fn heartbeat(
        &mut self,
        group: &str,
        topic: &str,
        member: &str,
    ) -> Result<Assignment, MqError> {
        todo!("milestone 5")
    }

    /// Removes `member` from the group, which rebalances: its partitions and its un-acked messages go to the
    /// others at once. Leaving when not a member does nothing.
    pub fn leave(&mut self, group: &str, topic: &str, member: &str) -> Result<(), MqError> {
        todo!("milestone 5")
    }

    /// Removes, in every group, each member whose last join or heartbeat is `session_timeout` or more ago,
    /// rebalancing the groups that lost one. Returns how many members were removed. `join`, `heartbeat`,
    /// `fetch` and `ack` do the same for their own group first.
    pub fn expire_members(&mut self) -> Result<usize, MqError> {
        todo!("milestone 5")
    }

    /// The group's current generation: 0 before anyone joined, one more for each change of members.
    pub fn generation(&self, group: &str, topic: &str) -> u64 {
        todo!("milestone 5")
    }

    /// The current assignment of `member`, `None` if it is not in the group.
    pub fn assignment(&self, group: &str, topic: &str, member: &str) -> Option<Assignment> {
        todo!("milestone 5")
    }

    /// Up to `max` leased messages from the member's partitions, each partition in offset order (redeliveries
    /// first, as in [`Broker::receive`]). Fails with `UnknownMember` if the member is not in the group and
    /// `StaleGeneration` if `generation` is not the group's current one.
    pub fn fetch(
        &mut self,
        group: &str,
        topic: &str,
        member: &str,
        generation: u64,
        max: usize,
    ) -> Result<Vec<PartitionDelivery>, MqError> {
        todo!("milestone 5")
    }

    /// Acknowledges delivery `attempt` of `offset` in `partition` ([`Broker::ack_delivery`]), after checking the
    /// member and generation as `fetch` does and that the partition is the member's (`NotAssigned`).
    #[allow(clippy::too_many_arguments)]
    pub fn ack(
        &mut self,
        group: &str,
        topic: &str,
        member: &str,
        generation: u64,
        partition: u32,
        offset: u64,
        attempt: u32,
    ) -> Result<(), MqError> {
        todo!("milestone 5")
    }

    /// The group's durably committed offset in `partition`, `None` if it never committed there.
    pub fn committed(&self, group: &str, topic: &str, partition: u32) -> Option<u64> {
        todo!("milestone 5")
    }

    /// The underlying broker.
    pub fn broker(&self) -> &Broker {
        todo!("milestone 5")
    }
}

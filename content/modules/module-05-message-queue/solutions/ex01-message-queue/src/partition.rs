//! Milestone 5: partitioned topics and consumer groups that rebalance.
//!
//! A partitioned topic `t` with `n` partitions is `n` topics of the underlying [`Broker`], `t-0` to `t-{n-1}`,
//! each its own [`TopicLog`] with its own offsets, committed offsets and leases. Keyed messages go to the
//! partition `fnv1a_64(key) % n`, so one key's messages keep their order.
//!
//! Group membership lives in memory. Each (group, topic) has a *generation*, bumped whenever a member joins,
//! leaves or misses its session timeout; every change reassigns the partitions, each to exactly one member.
//! A member's requests carry the generation of its assignment and are refused once it is stale (fencing).
//! Each member is a consumer of milestone 4 on each of its partitions: when a partition moves, the old
//! owner is unsubscribed from it, which releases its leases at once for the new owner, and the committed
//! offset, which belongs to the group, not the member, carries over.
//!
//! ```text
//! <root>/partitioned-topics      "<count> <topic>" per line, replaced atomically
//! <root>/topics/<topic>-<p>/     partition p's log (and the broker's own files)
//! ```

use std::collections::{BTreeMap, HashMap};
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::broker::Broker;
use crate::clock::Clock;
use crate::delivery::DeliveryConfig;
use crate::error::MqError;
use crate::log::{sync_dir, LogConfig, TopicLog};
use crate::names::{validate_group, validate_topic, MAX_TOPIC_LEN};

/// Most partitions a topic may have.
pub const MAX_PARTITIONS: u32 = 1024;

const META_FILE: &str = "partitioned-topics";

/// FNV-1a, 64 bits: a hash that is the same in every process, build and Rust version (unlike
/// `DefaultHasher`, whose algorithm is not specified and may change).
pub fn fnv1a_64(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// The partition of `key` among `partitions`: `fnv1a_64(key) % partitions`. Panics if `partitions` is 0.
pub fn partition_for_key(key: &[u8], partitions: u32) -> u32 {
    assert!(partitions > 0, "a topic has at least one partition");
    (fnv1a_64(key) % u64::from(partitions)) as u32
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
    root: PathBuf,
    broker: Broker,
    clock: Box<dyn Clock>,
    session_timeout_ms: u64,
    topics: BTreeMap<String, u32>,
    /// The next partition of unkeyed produces, per topic.
    round_robin: HashMap<String, u32>,
    groups: HashMap<(String, String), Membership>,
}

/// The members of one group on one topic.
#[derive(Debug, Default)]
struct Membership {
    generation: u64,
    /// Member to the time of its last join or heartbeat.
    last_seen: BTreeMap<String, u64>,
    /// Member to its partitions, ascending.
    assignment: BTreeMap<String, Vec<u32>>,
    /// Member to the index in its partitions where its next fetch starts, so no partition starves.
    next_start: HashMap<String, usize>,
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
        let session_timeout_ms = u64::try_from(session_timeout.as_millis()).unwrap_or(u64::MAX);
        if session_timeout_ms == 0 {
            return Err(MqError::Config(
                "session_timeout must be at least 1 ms".into(),
            ));
        }
        let root = root.as_ref().to_path_buf();
        let broker = Broker::open_with(&root, log_config, delivery, clock.clone())?;
        let topics = read_meta(&root.join(META_FILE))?;
        Ok(PartitionedBroker {
            root,
            broker,
            clock: Box::new(clock),
            session_timeout_ms,
            topics,
            round_robin: HashMap::new(),
            groups: HashMap::new(),
        })
    }

    /// Creates `topic` with `partitions` partitions (1 to [`MAX_PARTITIONS`], else `Config`), durably.
    /// Creating an existing topic again with the same count does nothing; with another count it fails with
    /// `Config` (the count is fixed: changing it would move keys between partitions). Names follow the topic
    /// rules and leave room for the partition suffix: at most 244 characters (`InvalidTopic`).
    pub fn create_topic(&mut self, topic: &str, partitions: u32) -> Result<(), MqError> {
        validate_topic(topic)?;
        if topic.len() > MAX_TOPIC_LEN - 5 {
            return Err(MqError::InvalidTopic(topic.to_string()));
        }
        if partitions == 0 || partitions > MAX_PARTITIONS {
            return Err(MqError::Config(format!(
                "a topic has 1 to {MAX_PARTITIONS} partitions, not {partitions}"
            )));
        }
        match self.topics.get(topic) {
            Some(&n) if n == partitions => return Ok(()),
            Some(&n) => {
                return Err(MqError::Config(format!(
                    "topic {topic:?} already has {n} partitions"
                )))
            }
            None => {}
        }
        for p in 0..partitions {
            self.broker.produce_batch(&partition_topic(topic, p), &[])?;
        }
        self.topics.insert(topic.to_string(), partitions);
        write_meta(&self.root, &self.topics)?;
        Ok(())
    }

    /// The number of partitions of `topic`, `None` if it was never created.
    pub fn partitions(&self, topic: &str) -> Option<u32> {
        self.topics.get(topic).copied()
    }

    /// The log of one partition.
    pub fn partition_log(&self, topic: &str, partition: u32) -> Option<&TopicLog> {
        self.broker.topic(&partition_topic(topic, partition))
    }

    /// Appends `payload` to the partition of `key` ([`partition_for_key`]) and returns (partition, offset).
    pub fn produce(
        &mut self,
        topic: &str,
        key: &[u8],
        payload: &[u8],
    ) -> Result<(u32, u64), MqError> {
        let partition = partition_for_key(key, self.partition_count(topic)?);
        let offset = self
            .broker
            .produce(&partition_topic(topic, partition), payload)?;
        Ok((partition, offset))
    }

    /// Appends `payload` to the next partition in turn (0, 1, ..., n-1, 0, ... per topic since `open`) and
    /// returns (partition, offset).
    pub fn produce_unkeyed(&mut self, topic: &str, payload: &[u8]) -> Result<(u32, u64), MqError> {
        let n = self.partition_count(topic)?;
        let next = self.round_robin.entry(topic.to_string()).or_insert(0);
        let partition = *next % n;
        *next = (partition + 1) % n;
        let offset = self
            .broker
            .produce(&partition_topic(topic, partition), payload)?;
        Ok((partition, offset))
    }

    /// Adds `member` to `group` on `topic` and returns its assignment. A new member starts a new generation
    /// and a rebalance; a member already in the group just counts as a heartbeat.
    pub fn join(&mut self, group: &str, topic: &str, member: &str) -> Result<Assignment, MqError> {
        validate_group(group)?;
        validate_group(member)?;
        self.partition_count(topic)?;
        self.expire_group(group, topic)?;
        let now = self.clock.now_millis();
        let key = (group.to_string(), topic.to_string());
        let membership = self.groups.entry(key).or_default();
        if membership
            .last_seen
            .insert(member.to_string(), now)
            .is_none()
        {
            self.rebalance(group, topic)?;
        }
        self.current(group, topic, member)
    }

    /// Records that `member` is alive and returns its current assignment, whose generation tells the member
    /// whether the group rebalanced. Fails with `UnknownMember` if it left or missed its session timeout.
    pub fn heartbeat(
        &mut self,
        group: &str,
        topic: &str,
        member: &str,
    ) -> Result<Assignment, MqError> {
        self.expire_group(group, topic)?;
        let now = self.clock.now_millis();
        let seen = self
            .groups
            .get_mut(&(group.to_string(), topic.to_string()))
            .and_then(|m| m.last_seen.get_mut(member))
            .ok_or_else(|| unknown_member(group, topic, member))?;
        *seen = now;
        self.current(group, topic, member)
    }

    /// Removes `member` from the group, which rebalances: its partitions and its un-acked messages go to the
    /// others at once. Leaving when not a member does nothing.
    pub fn leave(&mut self, group: &str, topic: &str, member: &str) -> Result<(), MqError> {
        let removed = self
            .groups
            .get_mut(&(group.to_string(), topic.to_string()))
            .is_some_and(|m| m.last_seen.remove(member).is_some());
        if removed {
            self.rebalance(group, topic)?;
        }
        Ok(())
    }

    /// Removes, in every group, each member whose last join or heartbeat is `session_timeout` or more ago,
    /// rebalancing the groups that lost one. Returns how many members were removed. `join`, `heartbeat`,
    /// `fetch` and `ack` do the same for their own group first.
    pub fn expire_members(&mut self) -> Result<usize, MqError> {
        let mut keys: Vec<(String, String)> = self.groups.keys().cloned().collect();
        keys.sort();
        let mut removed = 0;
        for (group, topic) in keys {
            removed += self.expire_group(&group, &topic)?;
        }
        Ok(removed)
    }

    /// The group's current generation: 0 before anyone joined, one more for each change of members.
    pub fn generation(&self, group: &str, topic: &str) -> u64 {
        self.groups
            .get(&(group.to_string(), topic.to_string()))
            .map_or(0, |m| m.generation)
    }

    /// The current assignment of `member`, `None` if it is not in the group.
    pub fn assignment(&self, group: &str, topic: &str, member: &str) -> Option<Assignment> {
        let membership = self.groups.get(&(group.to_string(), topic.to_string()))?;
        membership.last_seen.get(member)?;
        Some(Assignment {
            generation: membership.generation,
            partitions: membership
                .assignment
                .get(member)
                .cloned()
                .unwrap_or_default(),
        })
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
        let partitions = self.check_member(group, topic, member, generation)?;
        let key = (group.to_string(), topic.to_string());
        let start = self
            .groups
            .get(&key)
            .and_then(|m| m.next_start.get(member).copied())
            .unwrap_or(0);
        let mut out = Vec::new();
        for i in 0..partitions.len() {
            if out.len() >= max {
                break;
            }
            let partition = partitions[(start + i) % partitions.len()];
            let name = partition_topic(topic, partition);
            for d in self
                .broker
                .receive_as(group, &name, member, max - out.len())?
            {
                out.push(PartitionDelivery {
                    partition,
                    offset: d.offset,
                    attempt: d.attempt,
                    payload: d.payload,
                });
            }
        }
        if let Some(m) = self.groups.get_mut(&key) {
            m.next_start
                .insert(member.to_string(), start.wrapping_add(1));
        }
        Ok(out)
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
        let partitions = self.check_member(group, topic, member, generation)?;
        if !partitions.contains(&partition) {
            return Err(MqError::NotAssigned {
                group: group.to_string(),
                topic: topic.to_string(),
                member: member.to_string(),
                partition,
            });
        }
        self.broker
            .ack_delivery(group, &partition_topic(topic, partition), offset, attempt)
    }

    /// The group's durably committed offset in `partition`, `None` if it never committed there.
    pub fn committed(&self, group: &str, topic: &str, partition: u32) -> Option<u64> {
        self.broker
            .committed_offset(group, &partition_topic(topic, partition))
    }

    /// The underlying broker.
    pub fn broker(&self) -> &Broker {
        &self.broker
    }

    fn partition_count(&self, topic: &str) -> Result<u32, MqError> {
        self.partitions(topic)
            .ok_or_else(|| MqError::UnknownTopic(topic.to_string()))
    }

    fn current(&self, group: &str, topic: &str, member: &str) -> Result<Assignment, MqError> {
        self.assignment(group, topic, member)
            .ok_or_else(|| unknown_member(group, topic, member))
    }

    /// The member's partitions, if it is in the group at `generation`.
    fn check_member(
        &mut self,
        group: &str,
        topic: &str,
        member: &str,
        generation: u64,
    ) -> Result<Vec<u32>, MqError> {
        self.expire_group(group, topic)?;
        let current = self.current(group, topic, member)?;
        if generation != current.generation {
            return Err(MqError::StaleGeneration {
                group: group.to_string(),
                topic: topic.to_string(),
                generation,
                current: current.generation,
            });
        }
        Ok(current.partitions)
    }

    /// Removes the group's members whose session timed out; rebalances if any did.
    fn expire_group(&mut self, group: &str, topic: &str) -> Result<usize, MqError> {
        let now = self.clock.now_millis();
        let timeout = self.session_timeout_ms;
        let Some(membership) = self.groups.get_mut(&(group.to_string(), topic.to_string())) else {
            return Ok(0);
        };
        let before = membership.last_seen.len();
        membership
            .last_seen
            .retain(|_, seen| now < seen.saturating_add(timeout));
        let removed = before - membership.last_seen.len();
        if removed > 0 {
            self.rebalance(group, topic)?;
        }
        Ok(removed)
    }

    /// Starts a new generation: assigns partition p to the p-th member (mod the member count) in name order,
    /// then moves each consumer subscription (and with it the leases) to the partition's new owner.
    fn rebalance(&mut self, group: &str, topic: &str) -> Result<(), MqError> {
        let n = self.partition_count(topic)?;
        let key = (group.to_string(), topic.to_string());
        let Some(membership) = self.groups.get_mut(&key) else {
            return Ok(());
        };
        membership.generation += 1;
        let members: Vec<String> = membership.last_seen.keys().cloned().collect();
        let mut assignment: BTreeMap<String, Vec<u32>> =
            members.iter().map(|m| (m.clone(), Vec::new())).collect();
        if !members.is_empty() {
            for p in 0..n {
                let owner = &members[p as usize % members.len()];
                if let Some(parts) = assignment.get_mut(owner) {
                    parts.push(p);
                }
            }
        }
        let old = std::mem::replace(&mut membership.assignment, assignment.clone());
        membership
            .next_start
            .retain(|m, _| assignment.contains_key(m));

        // Release first, so the new owners find the messages waiting for redelivery.
        for (member, parts) in &old {
            let kept = assignment.get(member);
            for &p in parts {
                if !kept.is_some_and(|k| k.contains(&p)) {
                    self.broker
                        .unsubscribe(group, &partition_topic(topic, p), member)?;
                }
            }
        }
        for (member, parts) in &assignment {
            let had = old.get(member);
            for &p in parts {
                if !had.is_some_and(|h| h.contains(&p)) {
                    self.broker
                        .subscribe(group, &partition_topic(topic, p), member, usize::MAX)?;
                }
            }
        }
        Ok(())
    }
}

fn unknown_member(group: &str, topic: &str, member: &str) -> MqError {
    MqError::UnknownMember {
        group: group.to_string(),
        topic: topic.to_string(),
        member: member.to_string(),
    }
}

fn read_meta(path: &Path) -> Result<BTreeMap<String, u32>, MqError> {
    let text = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(e) => return Err(e.into()),
    };
    let mut topics = BTreeMap::new();
    for line in text.lines().filter(|l| !l.is_empty()) {
        let parsed = line
            .split_once(' ')
            .and_then(|(count, name)| Some((name.to_string(), count.parse::<u32>().ok()?)));
        let Some((name, count)) = parsed else {
            return Err(MqError::Corrupt {
                path: path.to_path_buf(),
                position: 0,
                reason: format!("bad line {line:?}"),
            });
        };
        topics.insert(name, count);
    }
    Ok(topics)
}

/// Replaces the topic list atomically: write a temporary file, fsync it, rename it over the old one, fsync
/// the directory.
fn write_meta(root: &Path, topics: &BTreeMap<String, u32>) -> Result<(), MqError> {
    let tmp = root.join(format!("{META_FILE}.tmp"));
    let mut file = File::create(&tmp)?;
    for (name, count) in topics {
        writeln!(file, "{count} {name}")?;
    }
    file.sync_all()?;
    fs::rename(&tmp, root.join(META_FILE))?;
    sync_dir(root)?;
    Ok(())
}

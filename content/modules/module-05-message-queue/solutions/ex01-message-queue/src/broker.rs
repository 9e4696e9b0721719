//! Topics plus consumer groups with at-least-once delivery.
//!
//! Each (group, topic) pair has a *committed offset* `c` (every message below it is done), a *delivery
//! cursor* `d` (the next message to hand out) and the set of offsets in `c..d` that were acked out of order.
//! Messages in `c..d` that are not acked are *in flight*. An ack inserts into the set, then `c` advances past
//! the longest acked prefix and the new value is committed durably. After a restart `d` starts again at
//! `c`, so in-flight messages are delivered again: at-least-once, with duplicates for those acked out of
//! order.
//!
//! ```text
//! <root>/topics/<topic>/...   one TopicLog per topic
//! <root>/offsets.log          the OffsetStore
//! ```

use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::path::{Path, PathBuf};

use crate::error::MqError;
use crate::log::{sync_dir, LogConfig, Message, TopicLog};
use crate::names::{validate_group, validate_topic};
use crate::offsets::OffsetStore;

/// A single-node broker: durable topics and consumer groups.
#[derive(Debug)]
pub struct Broker {
    topics_dir: PathBuf,
    config: LogConfig,
    topics: HashMap<String, TopicLog>,
    offsets: OffsetStore,
    groups: HashMap<(String, String), GroupState>,
}

/// In-memory delivery state of one group on one topic. Only `committed` is durable.
#[derive(Debug)]
struct GroupState {
    committed: u64,
    next_delivery: u64,
    acked: BTreeSet<u64>,
}

impl Broker {
    /// Opens the broker rooted at `root`, reopening every topic found there with `config`.
    pub fn open(root: impl AsRef<Path>, config: LogConfig) -> Result<Broker, MqError> {
        let root = root.as_ref();
        let topics_dir = root.join("topics");
        fs::create_dir_all(&topics_dir)?;
        let mut topics = HashMap::new();
        for entry in fs::read_dir(&topics_dir)? {
            let entry = entry?;
            let Ok(name) = entry.file_name().into_string() else {
                continue;
            };
            if entry.file_type()?.is_dir() && validate_topic(&name).is_ok() {
                let log = TopicLog::open(entry.path(), config.clone())?;
                topics.insert(name, log);
            }
        }
        let offsets = OffsetStore::open(root.join("offsets.log"))?;
        Ok(Broker {
            topics_dir,
            config,
            topics,
            offsets,
            groups: HashMap::new(),
        })
    }

    /// Appends `payload` to `topic`, creating the topic on first use, and returns the message's offset.
    /// Topic names are 1 to 249 characters from `A-Z a-z 0-9 . _ -`, not `.` or `..` (`InvalidTopic`).
    pub fn produce(&mut self, topic: &str, payload: &[u8]) -> Result<u64, MqError> {
        validate_topic(topic)?;
        if !self.topics.contains_key(topic) {
            let log = TopicLog::open(self.topics_dir.join(topic), self.config.clone())?;
            sync_dir(&self.topics_dir)?;
            self.topics.insert(topic.to_string(), log);
        }
        match self.topics.get_mut(topic) {
            Some(log) => log.append(payload),
            None => Err(MqError::UnknownTopic(topic.to_string())),
        }
    }

    /// The names of all topics, sorted.
    pub fn topics(&self) -> Vec<String> {
        let mut names: Vec<String> = self.topics.keys().cloned().collect();
        names.sort();
        names
    }

    /// Read access to a topic's log.
    pub fn topic(&self, name: &str) -> Option<&TopicLog> {
        self.topics.get(name)
    }

    /// Hands `group` up to `max` messages of `topic` it has not been given yet, and marks them in flight.
    ///
    /// A group starts at its committed offset, or at the topic's earliest offset if it never committed.
    /// In-flight messages are not handed out again by later fetches (until a restart). Fails with
    /// `UnknownTopic` for a topic never produced to and `InvalidGroup` for an empty or over-long group name.
    pub fn fetch(&mut self, group: &str, topic: &str, max: usize) -> Result<Vec<Message>, MqError> {
        validate_group(group)?;
        let log = self
            .topics
            .get(topic)
            .ok_or_else(|| MqError::UnknownTopic(topic.to_string()))?;
        let state = group_state(&mut self.groups, &self.offsets, log, group, topic);
        let messages = log.read(state.next_delivery, max)?;
        if let Some(last) = messages.last() {
            state.next_delivery = last.offset + 1;
        }
        Ok(messages)
    }

    /// Acknowledges that `group` finished the message at `offset` of `topic`.
    ///
    /// Acking an offset below the committed offset is a harmless duplicate and succeeds; acking one that was
    /// never delivered fails with [`MqError::NotInFlight`]. When the ack extends the contiguous acked prefix,
    /// the new committed offset is made durable before this returns.
    pub fn ack(&mut self, group: &str, topic: &str, offset: u64) -> Result<(), MqError> {
        validate_group(group)?;
        let log = self
            .topics
            .get(topic)
            .ok_or_else(|| MqError::UnknownTopic(topic.to_string()))?;
        let state = group_state(&mut self.groups, &self.offsets, log, group, topic);
        if offset < state.committed {
            return Ok(());
        }
        if offset >= state.next_delivery {
            return Err(MqError::NotInFlight {
                group: group.to_string(),
                topic: topic.to_string(),
                offset,
            });
        }
        state.acked.insert(offset);
        let before = state.committed;
        while state.acked.remove(&state.committed) {
            state.committed += 1;
        }
        if state.committed > before {
            self.offsets.commit(group, topic, state.committed)?;
        }
        Ok(())
    }

    /// The durably committed offset of `group` on `topic`: where the group resumes after a restart. `None`
    /// if it never committed.
    pub fn committed_offset(&self, group: &str, topic: &str) -> Option<u64> {
        self.offsets.committed(group, topic)
    }

    /// The offsets delivered to `group` on `topic` and not yet acked, in order.
    pub fn in_flight(&self, group: &str, topic: &str) -> Vec<u64> {
        match self.groups.get(&(group.to_string(), topic.to_string())) {
            Some(state) => (state.committed..state.next_delivery)
                .filter(|o| !state.acked.contains(o))
                .collect(),
            None => Vec::new(),
        }
    }
}

/// The state of (group, topic), created on first use from the durable committed offset.
fn group_state<'a>(
    groups: &'a mut HashMap<(String, String), GroupState>,
    offsets: &OffsetStore,
    log: &TopicLog,
    group: &str,
    topic: &str,
) -> &'a mut GroupState {
    let earliest = log.earliest_offset();
    let state = groups
        .entry((group.to_string(), topic.to_string()))
        .or_insert_with(|| {
            let committed = offsets.committed(group, topic).unwrap_or(earliest);
            GroupState {
                committed,
                next_delivery: committed,
                acked: BTreeSet::new(),
            }
        });
    // Retention may have deleted messages the group never finished. They are gone for everyone: move the
    // group past them, or its committed offset could never advance again.
    if state.committed < earliest {
        state.committed = earliest;
        state.next_delivery = state.next_delivery.max(earliest);
        state.acked.retain(|o| *o >= earliest);
    }
    state
}

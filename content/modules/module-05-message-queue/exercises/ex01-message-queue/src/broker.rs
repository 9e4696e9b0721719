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

use std::path::Path;

use crate::error::MqError;
use crate::log::{LogConfig, Message, TopicLog};
use crate::names::{validate_group, validate_topic};
use crate::offsets::OffsetStore;

/// A single-node broker: durable topics and consumer groups.
#[derive(Debug)]
pub struct Broker {
    // Replace with your own fields: the topics, the offset store and the per-(group, topic) delivery state.
    _todo: (),
}

impl Broker {
    /// Opens the broker rooted at `root`, reopening every topic found there with `config`.
    pub fn open(root: impl AsRef<Path>, config: LogConfig) -> Result<Broker, MqError> {
        todo!("milestone 1")
    }

    /// Appends `payload` to `topic`, creating the topic on first use, and returns the message's offset.
    /// Topic names are 1 to 249 characters from `A-Z a-z 0-9 . _ -`, not `.` or `..` (`InvalidTopic`).
    pub fn produce(&mut self, topic: &str, payload: &[u8]) -> Result<u64, MqError> {
        todo!("milestone 1")
    }

    /// The names of all topics, sorted.
    pub fn topics(&self) -> Vec<String> {
        todo!("milestone 1")
    }

    /// Read access to a topic's log.
    pub fn topic(&self, name: &str) -> Option<&TopicLog> {
        todo!("milestone 1")
    }

    /// Hands `group` up to `max` messages of `topic` it has not been given yet, and marks them in flight.
    ///
    /// A group starts at its committed offset, or at the topic's earliest offset if it never committed.
    /// In-flight messages are not handed out again by later fetches (until a restart). Fails with
    /// `UnknownTopic` for a topic never produced to and `InvalidGroup` for an empty or over-long group name.
    pub fn fetch(&mut self, group: &str, topic: &str, max: usize) -> Result<Vec<Message>, MqError> {
        todo!("milestone 1")
    }

    /// Acknowledges that `group` finished the message at `offset` of `topic`.
    ///
    /// Acking an offset below the committed offset is a harmless duplicate and succeeds; acking one that was
    /// never delivered fails with [`MqError::NotInFlight`]. When the ack extends the contiguous acked prefix,
    /// the new committed offset is made durable before this returns.
    pub fn ack(&mut self, group: &str, topic: &str, offset: u64) -> Result<(), MqError> {
        todo!("milestone 1")
    }

    /// The durably committed offset of `group` on `topic`: where the group resumes after a restart. `None`
    /// if it never committed.
    pub fn committed_offset(&self, group: &str, topic: &str) -> Option<u64> {
        todo!("milestone 1")
    }

    /// The offsets delivered to `group` on `topic` and not yet acked, in order.
    pub fn in_flight(&self, group: &str, topic: &str) -> Vec<u64> {
        todo!("milestone 1")
    }
}

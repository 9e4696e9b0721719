//! The topic registry: one `tokio::sync::broadcast` channel per topic that has subscribers.

use bytes::Bytes;
use serde_json::Value;
use tokio::sync::broadcast;

/// Longest topic name accepted, in bytes.
pub const MAX_TOPIC_LEN: usize = 64;

/// An event as it goes out on the wire: the complete JSON text of `{"topic": .., "payload": ..}`.
///
/// Serialise each event once per publish and share it with every subscriber: cloning `Bytes` bumps a
/// reference count, so fan-out to N connections costs one serialisation and no copies.
pub type Event = Bytes;

/// Whether `topic` is a valid topic name: 1 to 64 characters from `A-Z`, `a-z`, `0-9`, `.`, `_` and `-`.
pub fn is_valid_topic(topic: &str) -> bool {
    todo!()
}

/// Routes published events to the subscribers of their topic.
///
/// Each topic's channel holds at most `capacity` events that some subscriber has not received yet; a
/// subscriber that falls further behind loses the oldest ones and is told how many
/// (`broadcast::error::RecvError::Lagged`).
#[derive(Debug)]
pub struct Hub {
    // TODO: your fields, e.g. the capacity and a `Mutex<HashMap<String, broadcast::Sender<Event>>>`.
}

impl Hub {
    /// An empty hub whose per-topic channels buffer `capacity` events (at least 1).
    pub fn new(capacity: usize) -> Self {
        todo!()
    }

    /// Subscribes to `topic`, creating its channel on first use. The receiver sees every event published
    /// after this call returns.
    pub fn subscribe(&self, topic: &str) -> broadcast::Receiver<Event> {
        todo!()
    }

    /// Publishes `payload` to the subscribers of `topic` as `{"topic": topic, "payload": payload}` and
    /// returns how many subscribers it was queued for (0 if nobody listens). Never blocks: slow
    /// subscribers lag instead of slowing the publisher down. A topic whose subscribers are all gone
    /// should be forgotten, so abandoned topics do not pile up.
    pub fn publish(&self, topic: &str, payload: &Value) -> usize {
        todo!()
    }

    /// How many receivers `topic` currently has.
    pub fn subscriber_count(&self, topic: &str) -> usize {
        todo!()
    }
}

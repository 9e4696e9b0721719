//! The topic registry: one `tokio::sync::broadcast` channel per topic that has subscribers.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use bytes::Bytes;
use serde_json::{json, Value};
use tokio::sync::broadcast;

/// Longest topic name accepted, in bytes.
pub const MAX_TOPIC_LEN: usize = 64;

/// An event as it goes out on the wire: the complete JSON text of `{"topic": .., "payload": ..}`.
///
/// Serialised once per publish and shared by every subscriber: cloning `Bytes` bumps a reference count,
/// so fan-out to N connections costs one serialisation and no copies.
pub type Event = Bytes;

/// Whether `topic` is a valid topic name: 1 to 64 characters from `A-Z`, `a-z`, `0-9`, `.`, `_` and `-`.
pub fn is_valid_topic(topic: &str) -> bool {
    !topic.is_empty()
        && topic.len() <= MAX_TOPIC_LEN
        && topic
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// Routes published events to the subscribers of their topic.
///
/// Each topic's channel holds at most `capacity` events that some subscriber has not received yet; a
/// subscriber that falls further behind loses the oldest ones and is told how many
/// (`broadcast::error::RecvError::Lagged`).
#[derive(Debug)]
pub struct Hub {
    capacity: usize,
    topics: Mutex<HashMap<String, broadcast::Sender<Event>>>,
}

impl Hub {
    /// An empty hub whose per-topic channels buffer `capacity` events (at least 1).
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            topics: Mutex::new(HashMap::new()),
        }
    }

    fn topics(&self) -> MutexGuard<'_, HashMap<String, broadcast::Sender<Event>>> {
        // The map stays consistent even if a holder panicked: every operation is a single insert or remove.
        self.topics
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Subscribes to `topic`, creating its channel on first use. The receiver sees every event published
    /// after this call returns.
    pub fn subscribe(&self, topic: &str) -> broadcast::Receiver<Event> {
        let mut topics = self.topics();
        match topics.get(topic) {
            Some(sender) => sender.subscribe(),
            None => {
                let (sender, receiver) = broadcast::channel(self.capacity);
                topics.insert(topic.to_owned(), sender);
                receiver
            }
        }
    }

    /// Publishes `payload` to the subscribers of `topic` as `{"topic": topic, "payload": payload}` and
    /// returns how many subscribers it was queued for (0 if nobody listens). Never blocks: slow
    /// subscribers lag instead of slowing the publisher down.
    pub fn publish(&self, topic: &str, payload: &Value) -> usize {
        // Clone the sender (cheap) so that serialising, which may be slow for a large payload, happens
        // outside the lock.
        let Some(sender) = self.topics().get(topic).cloned() else {
            return 0;
        };
        let event = Event::from(json!({ "topic": topic, "payload": payload }).to_string());
        match sender.send(event) {
            Ok(receivers) => receivers,
            Err(_) => {
                // Every receiver is gone: forget the topic so abandoned topics do not pile up. Check
                // again under the lock, because someone may have subscribed since.
                let mut topics = self.topics();
                if topics.get(topic).is_some_and(|s| s.receiver_count() == 0) {
                    topics.remove(topic);
                }
                0
            }
        }
    }

    /// How many receivers `topic` currently has.
    pub fn subscriber_count(&self, topic: &str) -> usize {
        self.topics()
            .get(topic)
            .map_or(0, broadcast::Sender::receiver_count)
    }
}

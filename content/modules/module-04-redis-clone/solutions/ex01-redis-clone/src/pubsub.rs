//! Pub/sub (milestone 5): a registry of channel and pattern subscriptions, and one bounded mailbox per
//! subscribed connection.
//!
//! `PUBLISH` never waits for a subscriber. It encodes the `message` (or `pmessage`) array once and queues the
//! bytes in each receiver's mailbox; the receiver's connection task writes them out at its own pace. A
//! mailbox holds at most [`SUBSCRIBER_QUEUE_LIMIT`] bytes: a publish that would overflow it disconnects that
//! subscriber instead (its queue is dropped and its connection closed), like Redis's
//! `client-output-buffer-limit pubsub`. A subscriber therefore receives every message in order, or a prefix
//! of them and then end-of-stream, never a stream with holes.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use bytes::{Bytes, BytesMut};
use tokio::sync::Notify;

use crate::frame::Frame;

/// The most bytes of encoded messages that may wait in one subscriber's mailbox. A publish that would go
/// past it disconnects the subscriber.
pub const SUBSCRIBER_QUEUE_LIMIT: usize = 1024 * 1024;

/// Redis's glob matching (`stringmatchlen`), as used by `PSUBSCRIBE`: `*` matches any run of bytes, `?` any
/// one byte, `[abc]`, `[a-z]` and `[^...]` a byte in (or not in) a set, and `\x` the byte `x` itself. A
/// `[` without its `]` runs to the end of the pattern. Matching is by bytes and case-sensitive.
pub fn glob_match(pattern: &[u8], subject: &[u8]) -> bool {
    // Iterative matching with one backtrack point: the most recent `*`. Linear in practice and never
    // exponential, unlike a naive recursive matcher.
    let (mut p, mut s) = (0, 0);
    let mut star: Option<(usize, usize)> = None; // (pattern index after '*', subject index it matched up to)
    loop {
        if p < pattern.len() {
            match pattern[p] {
                b'*' => {
                    star = Some((p + 1, s));
                    p += 1;
                    continue;
                }
                _ if s < subject.len() => {
                    if let Some(next) = match_one(pattern, p, subject[s]) {
                        p = next;
                        s += 1;
                        continue;
                    }
                }
                _ => {}
            }
        } else if s == subject.len() {
            return true;
        }
        // Mismatch: let the last `*` swallow one more byte, if there is one to swallow.
        match star {
            Some((after, matched)) if matched < subject.len() => {
                star = Some((after, matched + 1));
                p = after;
                s = matched + 1;
            }
            _ => return false,
        }
    }
}

/// Matches one pattern element (anything but `*`) at `p` against `byte`; returns the index after the element.
fn match_one(pattern: &[u8], p: usize, byte: u8) -> Option<usize> {
    match pattern[p] {
        b'?' => Some(p + 1),
        b'\\' if p + 1 < pattern.len() => (pattern[p + 1] == byte).then_some(p + 2),
        b'[' => {
            let mut i = p + 1;
            let negate = pattern.get(i) == Some(&b'^');
            if negate {
                i += 1;
            }
            let mut matched = false;
            while i < pattern.len() && pattern[i] != b']' {
                if pattern[i] == b'\\' && i + 1 < pattern.len() {
                    matched |= pattern[i + 1] == byte;
                    i += 2;
                } else if i + 2 < pattern.len() && pattern[i + 1] == b'-' && pattern[i + 2] != b']'
                {
                    let (lo, hi) = (
                        pattern[i].min(pattern[i + 2]),
                        pattern[i].max(pattern[i + 2]),
                    );
                    matched |= (lo..=hi).contains(&byte);
                    i += 3;
                } else {
                    matched |= pattern[i] == byte;
                    i += 1;
                }
            }
            let next = (i + 1).min(pattern.len()); // past the `]`, or the end of an unterminated set
            (matched != negate).then_some(next)
        }
        literal => (literal == byte).then_some(p + 1),
    }
}

/// A subscriber was disconnected because its mailbox passed [`SUBSCRIBER_QUEUE_LIMIT`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "subscriber disconnected: more than {SUBSCRIBER_QUEUE_LIMIT} bytes of messages were waiting"
)]
pub struct Lagged;

#[derive(Default)]
struct Queue {
    messages: VecDeque<Bytes>,
    bytes: usize,
    lagged: bool,
}

#[derive(Default)]
struct Mailbox {
    queue: Mutex<Queue>,
    /// One permit per queued message (or the disconnection): wakes `recv`.
    message: Notify,
    /// Signalled once, on disconnection: wakes `lagged`.
    dropped: Notify,
}

impl Mailbox {
    /// Queues `message` unless that would pass the limit, in which case the subscriber is dropped. Returns
    /// whether it was queued.
    fn offer(&self, message: &Bytes) -> bool {
        let mut queue = lock(&self.queue);
        if queue.lagged {
            return false;
        }
        if queue.bytes + message.len() > SUBSCRIBER_QUEUE_LIMIT {
            queue.lagged = true;
            queue.messages = VecDeque::new();
            queue.bytes = 0;
            drop(queue);
            self.message.notify_one();
            self.dropped.notify_one();
            return false;
        }
        queue.bytes += message.len();
        queue.messages.push_back(message.clone());
        drop(queue);
        self.message.notify_one();
        true
    }
}

#[derive(Default)]
struct Registry {
    /// Channel -> subscriber id -> mailbox.
    channels: HashMap<Bytes, HashMap<u64, Arc<Mailbox>>>,
    /// Pattern -> subscriber id -> mailbox. Publishing scans every pattern, as Redis does.
    patterns: HashMap<Bytes, HashMap<u64, Arc<Mailbox>>>,
    next_id: u64,
}

/// The pub/sub hub. Clones share the same registry.
#[derive(Clone, Default)]
pub struct PubSub {
    registry: Arc<Mutex<Registry>>,
}

impl std::fmt::Debug for PubSub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PubSub").finish_non_exhaustive()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn encode(parts: &[&[u8]]) -> Bytes {
    let mut out = BytesMut::new();
    Frame::command(parts).encode(&mut out);
    out.freeze()
}

impl PubSub {
    /// An empty hub.
    pub fn new() -> PubSub {
        PubSub::default()
    }

    /// Queues `message` for every subscriber of `channel` (as `message channel payload`) and for every
    /// pattern subscription matching it (as `pmessage pattern channel payload`). Returns how many deliveries
    /// were queued: a connection subscribed to the channel and to a matching pattern counts twice, as in
    /// Redis. Never waits; a subscriber whose mailbox would overflow is disconnected and not counted.
    pub fn publish(&self, channel: &[u8], message: &[u8]) -> usize {
        let registry = lock(&self.registry);
        let mut receivers = 0;
        if let Some(subscribers) = registry.channels.get(channel) {
            let frame = encode(&[b"message", channel, message]);
            receivers += subscribers.values().filter(|m| m.offer(&frame)).count();
        }
        for (pattern, subscribers) in &registry.patterns {
            if glob_match(pattern, channel) {
                let frame = encode(&[b"pmessage", pattern, channel, message]);
                receivers += subscribers.values().filter(|m| m.offer(&frame)).count();
            }
        }
        receivers
    }

    /// A new, empty set of subscriptions for one connection.
    pub fn subscription(&self) -> Subscription {
        let id = {
            let mut registry = lock(&self.registry);
            registry.next_id += 1;
            registry.next_id
        };
        Subscription {
            hub: self.clone(),
            id,
            mailbox: Arc::new(Mailbox::default()),
            channels: HashSet::new(),
            patterns: HashSet::new(),
        }
    }
}

/// One connection's channel and pattern subscriptions, with its mailbox. Dropping it unsubscribes from
/// everything.
pub struct Subscription {
    hub: PubSub,
    id: u64,
    mailbox: Arc<Mailbox>,
    channels: HashSet<Bytes>,
    patterns: HashSet<Bytes>,
}

impl std::fmt::Debug for Subscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subscription")
            .field("channels", &self.channels.len())
            .field("patterns", &self.patterns.len())
            .finish_non_exhaustive()
    }
}

impl Subscription {
    /// Subscribes to `channel` (again is harmless); returns [`Subscription::count`].
    pub fn subscribe(&mut self, channel: Bytes) -> usize {
        if self.channels.insert(channel.clone()) {
            let mut registry = lock(&self.hub.registry);
            registry
                .channels
                .entry(channel)
                .or_default()
                .insert(self.id, Arc::clone(&self.mailbox));
        }
        self.count()
    }

    /// Unsubscribes from `channel` (harmless if not subscribed); returns [`Subscription::count`].
    pub fn unsubscribe(&mut self, channel: &[u8]) -> usize {
        if self.channels.remove(channel) {
            remove(&mut lock(&self.hub.registry).channels, channel, self.id);
        }
        self.count()
    }

    /// Subscribes to the glob `pattern`; returns [`Subscription::count`].
    pub fn psubscribe(&mut self, pattern: Bytes) -> usize {
        if self.patterns.insert(pattern.clone()) {
            let mut registry = lock(&self.hub.registry);
            registry
                .patterns
                .entry(pattern)
                .or_default()
                .insert(self.id, Arc::clone(&self.mailbox));
        }
        self.count()
    }

    /// Unsubscribes from the glob `pattern`; returns [`Subscription::count`].
    pub fn punsubscribe(&mut self, pattern: &[u8]) -> usize {
        if self.patterns.remove(pattern) {
            remove(&mut lock(&self.hub.registry).patterns, pattern, self.id);
        }
        self.count()
    }

    /// The channels subscribed to, in no particular order.
    pub fn channels(&self) -> Vec<Bytes> {
        self.channels.iter().cloned().collect()
    }

    /// The patterns subscribed to, in no particular order.
    pub fn patterns(&self) -> Vec<Bytes> {
        self.patterns.iter().cloned().collect()
    }

    /// Channels plus patterns: the number in Redis's confirmation replies. The connection is in subscribed
    /// mode while it is above zero.
    pub fn count(&self) -> usize {
        self.channels.len() + self.patterns.len()
    }

    /// The next queued message (a complete RESP `message` or `pmessage` array), if one is waiting.
    pub fn try_recv(&self) -> Result<Option<Bytes>, Lagged> {
        let mut queue = lock(&self.mailbox.queue);
        if queue.lagged {
            return Err(Lagged);
        }
        let message = queue.messages.pop_front();
        if let Some(m) = &message {
            queue.bytes -= m.len();
        }
        Ok(message)
    }

    /// Waits for the next message. Cancel-safe: a message is removed from the queue only when returned.
    pub async fn recv(&self) -> Result<Bytes, Lagged> {
        loop {
            if let Some(message) = self.try_recv()? {
                return Ok(message);
            }
            self.mailbox.message.notified().await;
        }
    }

    /// Completes once this subscriber has been disconnected for falling too far behind.
    pub async fn lagged(&self) {
        loop {
            if lock(&self.mailbox.queue).lagged {
                return;
            }
            self.mailbox.dropped.notified().await;
        }
    }
}

fn remove(map: &mut HashMap<Bytes, HashMap<u64, Arc<Mailbox>>>, name: &[u8], id: u64) {
    if let Some(subscribers) = map.get_mut(name) {
        subscribers.remove(&id);
        if subscribers.is_empty() {
            map.remove(name); // no empty entries: PUBLISH's pattern scan stays proportional to live patterns
        }
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        let mut registry = lock(&self.hub.registry);
        for channel in &self.channels {
            remove(&mut registry.channels, channel, self.id);
        }
        for pattern in &self.patterns {
            remove(&mut registry.patterns, pattern, self.id);
        }
    }
}

//! Pub/sub (milestone 5): a registry of channel and pattern subscriptions, and one bounded mailbox per
//! subscribed connection.
//!
//! `PUBLISH` must never wait for a subscriber: queue the encoded `message` (or `pmessage`) array in each
//! receiver's mailbox and let the receiver's connection task write it out at its own pace. A mailbox holds
//! at most [`SUBSCRIBER_QUEUE_LIMIT`] bytes: a publish that would overflow it disconnects that subscriber
//! instead (drop its queue; its connection closes), so a subscriber receives every message in order, or a
//! prefix of them and then end-of-stream, never a stream with holes.

use bytes::Bytes;

/// The most bytes of encoded messages that may wait in one subscriber's mailbox. A publish that would go
/// past it disconnects the subscriber.
pub const SUBSCRIBER_QUEUE_LIMIT: usize = 1024 * 1024;

/// Redis's glob matching (`stringmatchlen`), as used by `PSUBSCRIBE`: `*` matches any run of bytes, `?` any
/// one byte, `[abc]`, `[a-z]` and `[^...]` a byte in (or not in) a set, and `\x` the byte `x` itself. A
/// `[` without its `]` runs to the end of the pattern. Matching is by bytes and case-sensitive. Avoid the
/// naive recursion on `*`, which is exponential on patterns like `*a*a*a*a*b`.
pub fn glob_match(pattern: &[u8], subject: &[u8]) -> bool {
    todo!("milestone 5")
}

/// A subscriber was disconnected because its mailbox passed [`SUBSCRIBER_QUEUE_LIMIT`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "subscriber disconnected: more than {SUBSCRIBER_QUEUE_LIMIT} bytes of messages were waiting"
)]
pub struct Lagged;

/// The pub/sub hub. Clones share the same registry.
#[derive(Clone, Default)]
pub struct PubSub {
    // Replace with your own fields: the channel and pattern registries behind an `Arc<Mutex<..>>`, probably.
    _todo: (),
}

impl std::fmt::Debug for PubSub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PubSub").finish_non_exhaustive()
    }
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
        todo!("milestone 5")
    }

    /// A new, empty set of subscriptions for one connection.
    pub fn subscription(&self) -> Subscription {
        todo!("milestone 5")
    }
}

/// One connection's channel and pattern subscriptions, with its mailbox. Dropping it must unsubscribe from
/// everything.
#[derive(Debug)]
pub struct Subscription {
    // Replace with your own fields: the hub, an id, the mailbox, the channel and pattern sets.
    _todo: (),
}

impl Subscription {
    /// Subscribes to `channel` (again is harmless); returns [`Subscription::count`].
    pub fn subscribe(&mut self, channel: Bytes) -> usize {
        todo!("milestone 5")
    }

    /// Unsubscribes from `channel` (harmless if not subscribed); returns [`Subscription::count`].
    pub fn unsubscribe(&mut self, channel: &[u8]) -> usize {
        todo!("milestone 5")
    }

    /// Subscribes to the glob `pattern`; returns [`Subscription::count`].
    pub fn psubscribe(&mut self, pattern: Bytes) -> usize {
        todo!("milestone 5")
    }

    /// Unsubscribes from the glob `pattern`; returns [`Subscription::count`].
    pub fn punsubscribe(&mut self, pattern: &[u8]) -> usize {
        todo!("milestone 5")
    }

    /// The channels subscribed to, in no particular order.
    pub fn channels(&self) -> Vec<Bytes> {
        todo!("milestone 5")
    }

    /// The patterns subscribed to, in no particular order.
    pub fn patterns(&self) -> Vec<Bytes> {
        todo!("milestone 5")
    }

    /// Channels plus patterns: the number in Redis's confirmation replies. The connection is in subscribed
    /// mode while it is above zero.
    pub fn count(&self) -> usize {
        todo!("milestone 5")
    }

    /// The next queued message (a complete RESP `message` or `pmessage` array), if one is waiting.
    pub fn try_recv(&self) -> Result<Option<Bytes>, Lagged> {
        todo!("milestone 5")
    }

    /// Waits for the next message. Must be cancel-safe (the connection `select!`s on it): remove a message
    /// from the queue only when returning it.
    pub async fn recv(&self) -> Result<Bytes, Lagged> {
        todo!("milestone 5")
    }

    /// Completes once this subscriber has been disconnected for falling too far behind.
    pub async fn lagged(&self) {
        todo!("milestone 5")
    }
}

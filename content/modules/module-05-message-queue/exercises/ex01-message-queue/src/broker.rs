//! Topics plus consumer groups with at-least-once delivery.
//!
//! Each (group, topic) pair has a *committed offset* `c` (every message below it is done), a *delivery
//! cursor* `d` (the next message to hand out) and the set of offsets in `c..d` that were acked out of order.
//! Messages in `c..d` that are not acked are *in flight*. An ack inserts into the set, then `c` advances past
//! the longest acked prefix and the new value is committed durably. After a restart `d` starts again at
//! `c`, so in-flight messages are delivered again: at-least-once, with duplicates for those acked out of
//! order.
//!
//! Milestone 3 leases every delivery until `now + ack_timeout` (see [`crate::delivery`]): an in-flight
//! message is leased, waiting to be delivered again after an expired lease or a NACK, or on its way to the
//! dead-letter topic `<topic>.dlq`. Leases, attempt counts and the redelivery queue may live in memory; only
//! the committed offset has to be durable.
//!
//! ```text
//! <root>/topics/<topic>/...   one TopicLog per topic
//! <root>/offsets.log          the OffsetStore
//! ```

use std::ops::Range;
use std::path::Path;

use crate::clock::{Clock, SystemClock};
use crate::delivery::{DeadLetter, DeadLetterReason, Delivery, DeliveryConfig};
use crate::error::MqError;
use crate::log::{LogConfig, Message, TopicLog};
use crate::names::{validate_group, validate_topic};
use crate::offsets::OffsetStore;
use crate::retention::RetentionPolicy;

/// A single-node broker: durable topics and consumer groups.
#[derive(Debug)]
pub struct Broker {
    // Replace with your own fields: the topics, the offset store and the per-(group, topic) delivery state;
    // from milestone 3 also the DeliveryConfig and the clock (a `Box<dyn Clock>` works).
    _todo: (),
}

impl Broker {
    /// Opens the broker rooted at `root`, reopening every topic found there with `config`.
    ///
    /// From milestone 3 this is `open_with(root, config, DeliveryConfig::default(), SystemClock::new())`.
    pub fn open(root: impl AsRef<Path>, config: LogConfig) -> Result<Broker, MqError> {
        todo!("milestone 1")
    }

    /// Opens the broker rooted at `root` with the delivery settings `delivery`, reading the time for ack
    /// deadlines only from `clock` (never from `Instant` or `SystemTime` directly: the tests pass a
    /// [`crate::ManualClock`]). Fails with [`MqError::Config`] if `ack_timeout` is under 1 ms or
    /// `max_attempts` or `max_in_flight` is 0.
    pub fn open_with(
        root: impl AsRef<Path>,
        config: LogConfig,
        delivery: DeliveryConfig,
        clock: impl Clock + 'static,
    ) -> Result<Broker, MqError> {
        todo!("milestone 3")
    }

    /// Appends `payloads` to `topic` as consecutive messages with [`TopicLog::append_batch`] (one write per
    /// segment, at most one fsync), creating the topic on first use, and returns their offsets. A payload
    /// over the size limit fails the whole batch with `MessageTooLarge` and appends nothing. Milestone 4.
    pub fn produce_batch(
        &mut self,
        topic: &str,
        payloads: &[&[u8]],
    ) -> Result<Range<u64>, MqError> {
        todo!("milestone 4")
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
    ///
    /// From milestone 3 this is [`Broker::receive`] without the attempt numbers: in-flight messages also
    /// come back once their lease expires or they are NACKed.
    pub fn fetch(&mut self, group: &str, topic: &str, max: usize) -> Result<Vec<Message>, MqError> {
        todo!("milestone 1")
    }

    /// Milestone 3: hands `group` up to `max` messages of `topic`, each leased until the clock reaches now
    /// plus `ack_timeout`.
    ///
    /// First it processes the group's expired leases, as [`Broker::expire_leases`] does (a message whose
    /// `max_attempts`-th delivery expired is dead-lettered here). Then it hands out messages waiting for
    /// redelivery (lease expired or NACKed), lowest offset first, and only then messages never delivered, in
    /// offset order, but none at or above `committed + max_in_flight`, where `committed` is the group's
    /// committed offset. Each [`Delivery`] carries its attempt number: 1 for a message's first delivery to
    /// the group, one more for each redelivery. Errors as for [`Broker::fetch`].
    pub fn receive(
        &mut self,
        group: &str,
        topic: &str,
        max: usize,
    ) -> Result<Vec<Delivery>, MqError> {
        todo!("milestone 3")
    }

    /// Acknowledges that `group` finished the message at `offset` of `topic`.
    ///
    /// Acking an offset below the committed offset is a harmless duplicate and succeeds; acking one that was
    /// never delivered fails with [`MqError::NotInFlight`]. When the ack extends the contiguous acked prefix,
    /// the new committed offset is made durable before this returns.
    ///
    /// From milestone 3 this ack is unfenced: it finishes a delivered message whoever holds its lease, and
    /// also one waiting for redelivery.
    pub fn ack(&mut self, group: &str, topic: &str, offset: u64) -> Result<(), MqError> {
        todo!("milestone 1")
    }

    /// Milestone 3: acknowledges delivery `attempt` of the message at `offset`, the fenced ack.
    ///
    /// Finishes the message as [`Broker::ack`] does if that delivery still holds the lease: the clock has not
    /// reached its deadline and it was not NACKed. Succeeds and does nothing if the message is already done
    /// (acked, dead-lettered or below the committed offset). Fails with [`MqError::StaleLease`] if the
    /// delivery lost its lease (expired or NACKed, whether or not the message was delivered again since, or an
    /// attempt never handed out), so a late ack is never taken for the current holder's; and with
    /// [`MqError::NotInFlight`] if the message was never delivered.
    pub fn ack_delivery(
        &mut self,
        group: &str,
        topic: &str,
        offset: u64,
        attempt: u32,
    ) -> Result<(), MqError> {
        todo!("milestone 3")
    }

    /// Milestone 3: negatively acknowledges delivery `attempt` of the message at `offset` (the consumer
    /// failed it), ending its lease.
    ///
    /// With `requeue`, the next fetch delivers the message again, before new messages, unless this was its
    /// `max_attempts`-th delivery: then it is dead-lettered with [`DeadLetterReason::MaxAttempts`]. Without
    /// `requeue` it is dead-lettered at once with [`DeadLetterReason::Rejected`]. Dead-lettering appends a
    /// [`DeadLetter`] to `<topic>.dlq` (a topic like any other, created on first use) before this returns, and
    /// only then acks the message in `topic`. Validated like [`Broker::ack_delivery`]: nothing happens for a
    /// message already done, `StaleLease` for a delivery that lost its lease, `NotInFlight` for a message never
    /// delivered.
    pub fn nack(
        &mut self,
        group: &str,
        topic: &str,
        offset: u64,
        attempt: u32,
        requeue: bool,
    ) -> Result<(), MqError> {
        todo!("milestone 3")
    }

    /// Milestone 3, the timer's work: ends every lease, of every group, whose deadline the clock has reached.
    /// Each such message waits for redelivery or, if that was its `max_attempts`-th delivery, is dead-lettered
    /// (appended to `<topic>.dlq` with [`DeadLetterReason::MaxAttempts`], then acked). Returns how many leases
    /// expired. Use a deadline heap: this must not scan every in-flight message.
    pub fn expire_leases(&mut self) -> Result<usize, MqError> {
        todo!("milestone 3")
    }

    /// Milestone 3: the earliest deadline of any lease still held, in the clock's milliseconds: when the
    /// timer should next call [`Broker::expire_leases`]. `None` when no message is leased. Acked and NACKed
    /// leases no longer count.
    pub fn next_deadline(&self) -> Option<u64> {
        todo!("milestone 3")
    }

    /// `receive` for a subscribed consumer, which holds at most its credit of leases (milestone 4).
    ///
    /// Hands out at most `credit - outstanding` messages, where `outstanding` is the number of leases the
    /// consumer holds after the group's expired leases are processed; each lease that ends (ack by anyone,
    /// NACK, expiry, dead letter) gives its holder one credit back. The group's `max_in_flight` window
    /// applies too. Fails with [`MqError::UnknownConsumer`] if the consumer is not subscribed.
    pub fn receive_as(
        &mut self,
        group: &str,
        topic: &str,
        consumer: &str,
        max: usize,
    ) -> Result<Vec<Delivery>, MqError> {
        todo!("milestone 4")
    }

    /// Subscribes `consumer` to `topic` in `group` with `credit`: the most leases it may hold at once
    /// through [`Broker::receive_as`]. Subscribing again changes the credit and keeps the leases held (if
    /// they exceed the new credit, the consumer gets nothing until enough of them end). Consumer names follow
    /// the rules of group names (`InvalidGroup`); the topic must exist (`UnknownTopic`); a credit of 0 fails
    /// with `Config`. Milestone 4.
    pub fn subscribe(
        &mut self,
        group: &str,
        topic: &str,
        consumer: &str,
        credit: usize,
    ) -> Result<(), MqError> {
        todo!("milestone 4")
    }

    /// Removes `consumer` from `group` on `topic`: every lease it holds ends at once as if NACKed with requeue
    /// (so the message is delivered again before new ones, or dead-lettered if that was its last attempt).
    /// Unsubscribing a consumer that is not subscribed does nothing. Milestone 4.
    pub fn unsubscribe(&mut self, group: &str, topic: &str, consumer: &str) -> Result<(), MqError> {
        todo!("milestone 4")
    }

    /// How many leases `consumer` holds in `group` on `topic` at the clock's current time (leases whose
    /// deadline has passed do not count); 0 for a consumer that is not subscribed. Milestone 4.
    pub fn outstanding(&self, group: &str, topic: &str, consumer: &str) -> usize {
        todo!("milestone 4")
    }

    /// Applies `policy` to every topic (dead-letter topics included) and returns how many segments were
    /// deleted. For each topic, deletes whole sealed segments, oldest first, while the topic's total size is
    /// above `max_bytes` or the oldest segment's newest message was appended at least `max_age` ago (by the
    /// broker's clock; messages found on disk at `open` count as appended then). The active segment is never
    /// deleted. Groups that had not finished deleted messages move past them. Milestone 4.
    pub fn apply_retention(&mut self, policy: &RetentionPolicy) -> Result<usize, MqError> {
        todo!("milestone 4")
    }

    /// The durably committed offset of `group` on `topic`: where the group resumes after a restart. `None`
    /// if it never committed.
    pub fn committed_offset(&self, group: &str, topic: &str) -> Option<u64> {
        todo!("milestone 1")
    }

    /// The offsets delivered to `group` on `topic` and not yet acked, in order. From milestone 3 that
    /// includes messages waiting for redelivery, and excludes dead-lettered ones (they are acked).
    pub fn in_flight(&self, group: &str, topic: &str) -> Vec<u64> {
        todo!("milestone 1")
    }
}

//! Milestone 3: leases with ack deadlines, delivery attempts and dead letters.
//!
//! Every delivery *leases* its message to the consumer until `now + ack_timeout`. An ack from the lease
//! holder finishes the message; a lease that expires, or a NACK, makes it available again, and the next fetch
//! hands it out before any new message. Each delivery of a message is one *attempt*, numbered from 1, and the
//! attempt number identifies the lease: an ack or NACK carrying an older attempt is stale. A message whose
//! `max_attempts`-th delivery fails, or that is NACKed without requeue, is appended to the dead-letter topic
//! `<topic>.dlq` as an encoded [`DeadLetter`], and only then acked in its own topic.

use std::time::Duration;

/// The suffix of dead-letter topics: messages of `orders` that keep failing go to `orders.dlq`.
pub const DEAD_LETTER_SUFFIX: &str = ".dlq";

/// The dead-letter topic of `topic`: `<topic>.dlq`.
pub fn dead_letter_topic(topic: &str) -> String {
    format!("{topic}{DEAD_LETTER_SUFFIX}")
}

/// How the broker leases messages to consumer groups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryConfig {
    /// How long a delivery holds its lease. The lease expires when the clock reaches the delivery time plus
    /// this (at least 1 ms; counted in whole milliseconds).
    pub ack_timeout: Duration,
    /// Deliveries of one message before it is dead-lettered: the message is never delivered more often. At
    /// least 1.
    pub max_attempts: u32,
    /// The window of a group on a topic: no message at or above `committed + max_in_flight` is delivered, so
    /// one stuck message cannot let the set of acked and in-flight offsets grow without limit. At least 1.
    pub max_in_flight: usize,
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        DeliveryConfig {
            ack_timeout: Duration::from_secs(30),
            max_attempts: 5,
            max_in_flight: 1000,
        }
    }
}

/// One delivery of a message to a group: the message and the attempt number that identifies its lease.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The message's offset in its topic.
    pub offset: u64,
    /// Which delivery of this message to this group this is: 1 the first time, 2 the next, and so on.
    pub attempt: u32,
    /// The bytes the producer sent.
    pub payload: Vec<u8>,
}

/// Why a message was dead-lettered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeadLetterReason {
    /// Its `max_attempts`-th delivery expired or was NACKed with requeue.
    MaxAttempts,
    /// A consumer NACKed it without requeue: it will never succeed.
    Rejected,
}

/// A message moved to a dead-letter topic, with where it came from and why. The payload of each message of
/// `<topic>.dlq` is one [`DeadLetter::encode`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetter {
    /// The group that gave up on the message.
    pub group: String,
    /// The topic the message came from.
    pub topic: String,
    /// Its offset in that topic.
    pub offset: u64,
    /// How many times it had been delivered to the group.
    pub attempts: u32,
    /// Why it was dead-lettered.
    pub reason: DeadLetterReason,
    /// The original payload.
    pub payload: Vec<u8>,
}

impl DeadLetter {
    /// The bytes stored as one message of the dead-letter topic. The format is yours to design (the tests
    /// only decode what your broker encoded); it must carry every field, and any payload, including an empty
    /// or binary one. Remember that it makes a dead letter longer than its payload.
    pub fn encode(&self) -> Vec<u8> {
        todo!("milestone 3")
    }

    /// Decodes [`DeadLetter::encode`]'s output: `decode(&letter.encode()) == Some(letter)`. Returns `None` for
    /// bytes that are not an encoded dead letter (an empty slice, for one).
    pub fn decode(bytes: &[u8]) -> Option<DeadLetter> {
        todo!("milestone 3")
    }
}

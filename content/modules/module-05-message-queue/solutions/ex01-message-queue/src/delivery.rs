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

/// Format version of an encoded dead letter.
const VERSION: u8 = 1;

/// The most an encoding adds to the payload: version, reason, attempts, offset and two names with lengths.
pub(crate) const MAX_ENVELOPE_BYTES: usize = 1 + 1 + 4 + 8 + 2 + 255 + 2 + 249;

impl DeadLetter {
    /// The bytes stored in the dead-letter topic:
    /// `[version: u8][reason: u8][attempts: u32][offset: u64][group_len: u16][group][topic_len: u16][topic][payload]`,
    /// little endian.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(MAX_ENVELOPE_BYTES + self.payload.len());
        out.push(VERSION);
        out.push(match self.reason {
            DeadLetterReason::MaxAttempts => 0,
            DeadLetterReason::Rejected => 1,
        });
        out.extend_from_slice(&self.attempts.to_le_bytes());
        out.extend_from_slice(&self.offset.to_le_bytes());
        for name in [&self.group, &self.topic] {
            // Names are validated to at most 255 bytes, so their lengths fit a u16.
            out.extend_from_slice(&(name.len() as u16).to_le_bytes());
            out.extend_from_slice(name.as_bytes());
        }
        out.extend_from_slice(&self.payload);
        out
    }

    /// Decodes [`DeadLetter::encode`]'s output; `None` if `bytes` are not an encoded dead letter.
    pub fn decode(bytes: &[u8]) -> Option<DeadLetter> {
        let (&version, rest) = bytes.split_first()?;
        if version != VERSION {
            return None;
        }
        let (&reason, rest) = rest.split_first()?;
        let reason = match reason {
            0 => DeadLetterReason::MaxAttempts,
            1 => DeadLetterReason::Rejected,
            _ => return None,
        };
        let (attempts, rest) = take::<4>(rest)?;
        let (offset, rest) = take::<8>(rest)?;
        let (group, rest) = take_name(rest)?;
        let (topic, payload) = take_name(rest)?;
        Some(DeadLetter {
            group,
            topic,
            offset: u64::from_le_bytes(offset),
            attempts: u32::from_le_bytes(attempts),
            reason,
            payload: payload.to_vec(),
        })
    }
}

fn take<const N: usize>(bytes: &[u8]) -> Option<([u8; N], &[u8])> {
    let head = bytes.get(..N)?.try_into().ok()?;
    Some((head, &bytes[N..]))
}

fn take_name(bytes: &[u8]) -> Option<(String, &[u8])> {
    let (len, rest) = take::<2>(bytes)?;
    let len = usize::from(u16::from_le_bytes(len));
    let name = std::str::from_utf8(rest.get(..len)?).ok()?;
    Some((name.to_string(), &rest[len..]))
}

//! The crate's error type.

use std::io;
use std::path::PathBuf;

/// Everything that can go wrong in the queue.
#[derive(Debug, thiserror::Error)]
pub enum MqError {
    /// An operating-system I/O error.
    #[error("I/O error: {0}")]
    Io(#[from] io::Error),
    /// A record that fails its checksum or does not fit its file, found while reading. (Damage at the tail
    /// of the active segment is repaired by `open` instead.)
    #[error("corrupt record in {} at byte {position}: {reason}", path.display())]
    Corrupt {
        /// The damaged file.
        path: PathBuf,
        /// Byte position of the damaged record.
        position: u64,
        /// What was wrong.
        reason: String,
    },
    /// A read below the earliest offset still retained.
    #[error("offset {requested} is before the earliest retained offset {earliest}")]
    OffsetOutOfRange {
        /// The offset asked for.
        requested: u64,
        /// The earliest offset the log still has.
        earliest: u64,
    },
    /// A payload larger than [`crate::LogConfig::max_message_bytes`].
    #[error("message of {len} bytes exceeds the limit of {max} bytes")]
    MessageTooLarge {
        /// The payload's length.
        len: usize,
        /// The configured limit.
        max: usize,
    },
    /// A topic name that is empty, too long or uses characters other than `A-Z a-z 0-9 . _ -`.
    #[error("invalid topic name {0:?}")]
    InvalidTopic(String),
    /// A group name that is empty or longer than 255 bytes.
    #[error("invalid group name {0:?}")]
    InvalidGroup(String),
    /// A fetch from a topic nobody has produced to.
    #[error("unknown topic {0:?}")]
    UnknownTopic(String),
    /// An ack for an offset that was never delivered to this group.
    #[error("offset {offset} is not in flight for group {group:?} on topic {topic:?}")]
    NotInFlight {
        /// The group.
        group: String,
        /// The topic.
        topic: String,
        /// The offset acked.
        offset: u64,
    },
    /// An ack or NACK from a delivery that no longer holds the message's lease: its ack deadline passed or it
    /// was NACKed, so the message is, or will be, delivered again (milestone 3).
    #[error("delivery {attempt} of offset {offset} no longer holds its lease (group {group:?}, topic {topic:?})")]
    StaleLease {
        /// The group.
        group: String,
        /// The topic.
        topic: String,
        /// The offset acked or NACKed.
        offset: u64,
        /// The attempt number the ack or NACK carried.
        attempt: u32,
    },
    /// A [`crate::LogConfig`] or [`crate::DeliveryConfig`] that cannot work.
    #[error("invalid configuration: {0}")]
    Config(String),
}

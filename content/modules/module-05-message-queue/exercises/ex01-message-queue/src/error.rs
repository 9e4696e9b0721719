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
    /// A consumer that is not subscribed to the group and topic it receives for (milestone 4).
    #[error("consumer {consumer:?} is not subscribed to topic {topic:?} in group {group:?}")]
    UnknownConsumer {
        /// The group.
        group: String,
        /// The topic.
        topic: String,
        /// The consumer.
        consumer: String,
    },
    /// A request from a member of a partitioned group that carries an older generation than the group's:
    /// the group rebalanced since the member's assignment (milestone 5).
    #[error("generation {generation} of group {group:?} on topic {topic:?} is stale: the group is at {current}")]
    StaleGeneration {
        /// The group.
        group: String,
        /// The topic.
        topic: String,
        /// The generation the request carried.
        generation: u64,
        /// The group's current generation.
        current: u64,
    },
    /// A member that is not (or no longer) in the partitioned group: it left or missed its session timeout
    /// (milestone 5).
    #[error("member {member:?} is not in group {group:?} on topic {topic:?}")]
    UnknownMember {
        /// The group.
        group: String,
        /// The topic.
        topic: String,
        /// The member.
        member: String,
    },
    /// An ack from a member for a partition of the current generation that is assigned to another member
    /// (milestone 5).
    #[error("partition {partition} of topic {topic:?} is not assigned to member {member:?} of group {group:?}")]
    NotAssigned {
        /// The group.
        group: String,
        /// The topic.
        topic: String,
        /// The member.
        member: String,
        /// The partition.
        partition: u32,
    },
    /// A [`crate::LogConfig`] or [`crate::DeliveryConfig`] that cannot work.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// The broker's server answered a request with an error status (milestone 2): the [`ErrorCode`] on the
    /// wire and the server's message.
    #[error("the server answered {code:?}: {message}")]
    Server {
        /// The status byte of the response.
        code: ErrorCode,
        /// The server's description of the error.
        message: String,
    },
    /// Bytes from the other side that do not follow the wire protocol (milestone 2).
    #[error("protocol error: {0}")]
    Protocol(String),
}

/// The status byte of an error response of the wire protocol (milestone 2). A successful response has
/// status 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// 1: an invalid topic or group name ([`MqError::InvalidTopic`], [`MqError::InvalidGroup`]).
    InvalidName,
    /// 2: [`MqError::UnknownTopic`].
    UnknownTopic,
    /// 3: [`MqError::NotInFlight`].
    NotInFlight,
    /// 4: [`MqError::StaleLease`].
    StaleLease,
    /// 5: [`MqError::MessageTooLarge`].
    MessageTooLarge,
    /// 6: any other failure of the broker (I/O, corruption, ...).
    Internal,
}

impl ErrorCode {
    /// The status byte on the wire.
    pub fn as_u8(self) -> u8 {
        match self {
            ErrorCode::InvalidName => 1,
            ErrorCode::UnknownTopic => 2,
            ErrorCode::NotInFlight => 3,
            ErrorCode::StaleLease => 4,
            ErrorCode::MessageTooLarge => 5,
            ErrorCode::Internal => 6,
        }
    }

    /// The code of a status byte; `None` for 0 (success) and unknown values.
    pub fn from_u8(status: u8) -> Option<ErrorCode> {
        Some(match status {
            1 => ErrorCode::InvalidName,
            2 => ErrorCode::UnknownTopic,
            3 => ErrorCode::NotInFlight,
            4 => ErrorCode::StaleLease,
            5 => ErrorCode::MessageTooLarge,
            6 => ErrorCode::Internal,
            _ => return None,
        })
    }

    /// The code the server sends for `error`.
    pub fn of(error: &MqError) -> ErrorCode {
        match error {
            MqError::InvalidTopic(_) | MqError::InvalidGroup(_) => ErrorCode::InvalidName,
            MqError::UnknownTopic(_) => ErrorCode::UnknownTopic,
            MqError::NotInFlight { .. } => ErrorCode::NotInFlight,
            MqError::StaleLease { .. } => ErrorCode::StaleLease,
            MqError::MessageTooLarge { .. } => ErrorCode::MessageTooLarge,
            MqError::Server { code, .. } => *code,
            _ => ErrorCode::Internal,
        }
    }
}

//! Milestone 4: retention by size and age.

use std::time::Duration;

/// Which old messages [`crate::Broker::apply_retention`] deletes. Retention deletes whole sealed segments,
/// oldest first, never the active segment, so a topic may stay above its limits until its active segment
/// is sealed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RetentionPolicy {
    /// Delete the oldest sealed segments while the topic's segments (their `.log` files) total more than
    /// this many bytes. `None`: no size limit.
    pub max_bytes: Option<u64>,
    /// Delete the oldest sealed segments whose newest message was appended at least this long ago, by the
    /// broker's clock. `None`: no age limit.
    pub max_age: Option<Duration>,
}

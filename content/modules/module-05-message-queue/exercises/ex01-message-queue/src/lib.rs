//! A persistent message queue, built milestone by milestone.
//!
//! Milestone 1 is the storage core, used as a library:
//!
//! - [`TopicLog`]: one topic's durable, segmented, append-only log with sparse offset indexes;
//! - [`OffsetStore`]: the durable map from (group, topic) to committed offset;
//! - [`Broker`]: topics plus consumer groups with at-least-once delivery (fetch, ack, commit, redelivery
//!   of un-acked messages after a restart).
//!
//! The network protocol, ack deadlines, dead letters and flow control come in later milestones.
//!
//! Add private modules as you like (a `record` module for the on-disk framing shared by the log and the
//! offset store is a good start). Remove the `allow` below once everything is implemented.

#![allow(unused)]

mod error;
mod names;

pub mod broker;
pub mod log;
pub mod offsets;

pub use broker::Broker;
pub use error::MqError;
pub use log::{FsyncPolicy, LogConfig, Message, TopicLog};
pub use names::{MAX_GROUP_LEN, MAX_TOPIC_LEN};
pub use offsets::OffsetStore;

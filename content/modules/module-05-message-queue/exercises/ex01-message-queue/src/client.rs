//! Milestone 2: a blocking client for the broker's wire protocol.

use std::net::ToSocketAddrs;
use std::time::Duration;

use crate::delivery::Delivery;
use crate::error::MqError;

/// One connection to a [`crate::Server`]. Requests are sent one at a time; each response must echo its
/// request's kind and correlation id (else [`MqError::Protocol`]). An error response becomes
/// [`MqError::Server`] with its code and message.
#[derive(Debug)]
pub struct Client {
    // Replace with your own fields: the stream (buffered) and the next correlation id.
    _todo: (),
}

impl Client {
    /// Connects to the server at `addr`.
    pub fn connect(addr: impl ToSocketAddrs) -> Result<Client, MqError> {
        todo!("milestone 2")
    }

    /// PRODUCE: appends `payload` to `topic` and returns its offset.
    pub fn produce(&mut self, topic: &str, payload: &[u8]) -> Result<u64, MqError> {
        todo!("milestone 2")
    }

    /// FETCH: up to `max` leased messages for `group`, waiting up to `max_wait` (whole milliseconds) when
    /// none is available yet. An empty vector when the wait ends with nothing.
    pub fn fetch(
        &mut self,
        group: &str,
        topic: &str,
        max: u32,
        max_wait: Duration,
    ) -> Result<Vec<Delivery>, MqError> {
        todo!("milestone 2")
    }

    /// ACK: the fenced ack of delivery `attempt` of `offset` ([`crate::Broker::ack_delivery`]).
    pub fn ack(
        &mut self,
        group: &str,
        topic: &str,
        offset: u64,
        attempt: u32,
    ) -> Result<(), MqError> {
        todo!("milestone 2")
    }

    /// NACK: [`crate::Broker::nack`] over the network.
    pub fn nack(
        &mut self,
        group: &str,
        topic: &str,
        offset: u64,
        attempt: u32,
        requeue: bool,
    ) -> Result<(), MqError> {
        todo!("milestone 2")
    }

    /// COMMITTED: the group's durable committed offset on `topic`, `None` if it never committed.
    pub fn committed(&mut self, group: &str, topic: &str) -> Result<Option<u64>, MqError> {
        todo!("milestone 2")
    }
}

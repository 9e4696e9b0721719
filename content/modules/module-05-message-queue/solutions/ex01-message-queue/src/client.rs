//! Milestone 2: a blocking client for the broker's wire protocol.

use std::io::{BufReader, BufWriter};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use crate::delivery::Delivery;
use crate::error::{ErrorCode, MqError};
use crate::protocol::{self, Reader, Request};

/// The largest response body the client accepts (a FETCH of many large messages).
const MAX_RESPONSE_BYTES: usize = 256 << 20;
/// kind, correlation id and status.
const RESPONSE_HEADER_LEN: usize = 1 + 4 + 1;

/// One connection to a [`crate::Server`]. Requests are sent one at a time; each response must echo its
/// request's kind and correlation id. The leases of messages fetched over a connection end with it: the
/// server NACKs (with requeue) whatever the client did not ack or NACK before closing.
#[derive(Debug)]
pub struct Client {
    reader: BufReader<TcpStream>,
    writer: BufWriter<TcpStream>,
    next_correlation_id: u32,
}

impl Client {
    /// Connects to the server at `addr`.
    pub fn connect(addr: impl ToSocketAddrs) -> Result<Client, MqError> {
        let stream = TcpStream::connect(addr)?;
        stream.set_nodelay(true)?;
        Ok(Client {
            reader: BufReader::new(stream.try_clone()?),
            writer: BufWriter::new(stream),
            next_correlation_id: 1,
        })
    }

    /// PRODUCE: appends `payload` to `topic` and returns its offset.
    pub fn produce(&mut self, topic: &str, payload: &[u8]) -> Result<u64, MqError> {
        let body = self.call(&Request::Produce {
            topic: topic.to_string(),
            payload: payload.to_vec(),
        })?;
        let mut fields = Reader(&body);
        let offset = fields.u64().ok_or_else(|| short("PRODUCE"))?;
        done(&fields, "PRODUCE")?;
        Ok(offset)
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
        let max_wait_ms = u32::try_from(max_wait.as_millis()).unwrap_or(u32::MAX);
        let body = self.call(&Request::Fetch {
            group: group.to_string(),
            topic: topic.to_string(),
            max,
            max_wait_ms,
        })?;
        let mut fields = Reader(&body);
        let count = fields.u32().ok_or_else(|| short("FETCH"))?;
        let mut deliveries = Vec::new();
        for _ in 0..count {
            let offset = fields.u64().ok_or_else(|| short("FETCH"))?;
            let attempt = fields.u32().ok_or_else(|| short("FETCH"))?;
            let payload = fields.bytes().ok_or_else(|| short("FETCH"))?.to_vec();
            deliveries.push(Delivery {
                offset,
                attempt,
                payload,
            });
        }
        done(&fields, "FETCH")?;
        Ok(deliveries)
    }

    /// ACK: the fenced ack of delivery `attempt` of `offset` ([`crate::Broker::ack_delivery`]).
    pub fn ack(
        &mut self,
        group: &str,
        topic: &str,
        offset: u64,
        attempt: u32,
    ) -> Result<(), MqError> {
        let body = self.call(&Request::Ack {
            group: group.to_string(),
            topic: topic.to_string(),
            offset,
            attempt,
        })?;
        let fields = Reader(&body);
        done(&fields, "ACK")
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
        let body = self.call(&Request::Nack {
            group: group.to_string(),
            topic: topic.to_string(),
            offset,
            attempt,
            requeue,
        })?;
        let fields = Reader(&body);
        done(&fields, "NACK")
    }

    /// COMMITTED: the group's durable committed offset on `topic`, `None` if it never committed.
    pub fn committed(&mut self, group: &str, topic: &str) -> Result<Option<u64>, MqError> {
        let body = self.call(&Request::Committed {
            group: group.to_string(),
            topic: topic.to_string(),
        })?;
        let mut fields = Reader(&body);
        let present = fields.flag().ok_or_else(|| short("COMMITTED"))?;
        let offset = fields.u64().ok_or_else(|| short("COMMITTED"))?;
        done(&fields, "COMMITTED")?;
        Ok(present.then_some(offset))
    }

    /// Sends `request` and returns the fields of a successful response, or the server's error.
    fn call(&mut self, request: &Request) -> Result<Vec<u8>, MqError> {
        let correlation_id = self.next_correlation_id;
        self.next_correlation_id = self.next_correlation_id.wrapping_add(1);
        protocol::write_frame(&mut self.writer, &request.encode(correlation_id))?;
        let mut body = protocol::read_frame(&mut self.reader, MAX_RESPONSE_BYTES)?
            .ok_or_else(|| MqError::Protocol("the server closed the connection".into()))?;
        let mut header = Reader(&body);
        let (kind, id, status) = (header.u8(), header.u32(), header.u8());
        if kind != Some(request.kind()) || id != Some(correlation_id) {
            return Err(MqError::Protocol(format!(
                "response (kind {kind:?}, id {id:?}) does not match request (kind {}, id {correlation_id})",
                request.kind()
            )));
        }
        match status {
            Some(0) => Ok(body.split_off(RESPONSE_HEADER_LEN)),
            Some(status) => {
                let code = ErrorCode::from_u8(status)
                    .ok_or_else(|| MqError::Protocol(format!("unknown status {status}")))?;
                let message = header.string().ok_or_else(|| short("an error"))?;
                Err(MqError::Server { code, message })
            }
            None => Err(short("a")),
        }
    }
}

fn short(what: &str) -> MqError {
    MqError::Protocol(format!("{what} response cut short"))
}

fn done(fields: &Reader<'_>, what: &str) -> Result<(), MqError> {
    fields
        .end()
        .ok_or_else(|| MqError::Protocol(format!("{what} response has bytes left over")))
}

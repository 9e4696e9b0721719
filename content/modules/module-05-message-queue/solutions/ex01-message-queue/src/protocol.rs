//! Milestone 2: the wire protocol shared by [`crate::Server`] and [`crate::Client`].
//!
//! ```text
//! frame    := len:u32 | body                       len = bytes in body, at most the server's max_frame_bytes
//! request  := kind:u8 | correlation_id:u32 | fields
//! response := kind:u8 | correlation_id:u32 | status:u8 | fields (status 0) or message:string (status 1..=6)
//! string   := len:u16 | UTF-8 bytes
//! bytes    := len:u32 | raw bytes
//! ```
//!
//! Integers are big endian. A response echoes its request's kind and correlation id.
//!
//! | kind | request fields | response fields |
//! | --- | --- | --- |
//! | 1 PRODUCE | topic:string, payload:bytes | offset:u64 |
//! | 2 FETCH | group:string, topic:string, max:u32, max_wait_ms:u32 | count:u32, count × (offset:u64, attempt:u32, payload:bytes) |
//! | 3 ACK | group:string, topic:string, offset:u64, attempt:u32 | none |
//! | 4 NACK | group:string, topic:string, offset:u64, attempt:u32, requeue:u8 (0 or 1) | none |
//! | 5 COMMITTED | group:string, topic:string | present:u8 (0 or 1), offset:u64 (0 when absent) |

use std::io::{self, Read, Write};

use crate::delivery::Delivery;

pub(crate) const PRODUCE: u8 = 1;
pub(crate) const FETCH: u8 = 2;
pub(crate) const ACK: u8 = 3;
pub(crate) const NACK: u8 = 4;
pub(crate) const COMMITTED: u8 = 5;

/// A decoded request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Request {
    Produce {
        topic: String,
        payload: Vec<u8>,
    },
    Fetch {
        group: String,
        topic: String,
        max: u32,
        max_wait_ms: u32,
    },
    Ack {
        group: String,
        topic: String,
        offset: u64,
        attempt: u32,
    },
    Nack {
        group: String,
        topic: String,
        offset: u64,
        attempt: u32,
        requeue: bool,
    },
    Committed {
        group: String,
        topic: String,
    },
}

impl Request {
    pub(crate) fn kind(&self) -> u8 {
        match self {
            Request::Produce { .. } => PRODUCE,
            Request::Fetch { .. } => FETCH,
            Request::Ack { .. } => ACK,
            Request::Nack { .. } => NACK,
            Request::Committed { .. } => COMMITTED,
        }
    }

    /// The whole frame of this request, length prefix included.
    pub(crate) fn encode(&self, correlation_id: u32) -> Vec<u8> {
        let mut w = Writer::frame(self.kind(), correlation_id);
        match self {
            Request::Produce { topic, payload } => {
                w.string(topic);
                w.bytes(payload);
            }
            Request::Fetch {
                group,
                topic,
                max,
                max_wait_ms,
            } => {
                w.string(group);
                w.string(topic);
                w.u32(*max);
                w.u32(*max_wait_ms);
            }
            Request::Ack {
                group,
                topic,
                offset,
                attempt,
            } => {
                w.string(group);
                w.string(topic);
                w.u64(*offset);
                w.u32(*attempt);
            }
            Request::Nack {
                group,
                topic,
                offset,
                attempt,
                requeue,
            } => {
                w.string(group);
                w.string(topic);
                w.u64(*offset);
                w.u32(*attempt);
                w.u8(u8::from(*requeue));
            }
            Request::Committed { group, topic } => {
                w.string(group);
                w.string(topic);
            }
        }
        w.finish()
    }

    /// Decodes a request body; `None` if it does not follow the protocol exactly (unknown kind, a field cut
    /// short, bytes left over, a string that is not UTF-8, a flag that is not 0 or 1).
    pub(crate) fn decode(body: &[u8]) -> Option<(u32, Request)> {
        let mut r = Reader(body);
        let kind = r.u8()?;
        let correlation_id = r.u32()?;
        let request = match kind {
            PRODUCE => Request::Produce {
                topic: r.string()?,
                payload: r.bytes()?.to_vec(),
            },
            FETCH => Request::Fetch {
                group: r.string()?,
                topic: r.string()?,
                max: r.u32()?,
                max_wait_ms: r.u32()?,
            },
            ACK => Request::Ack {
                group: r.string()?,
                topic: r.string()?,
                offset: r.u64()?,
                attempt: r.u32()?,
            },
            NACK => Request::Nack {
                group: r.string()?,
                topic: r.string()?,
                offset: r.u64()?,
                attempt: r.u32()?,
                requeue: r.flag()?,
            },
            COMMITTED => Request::Committed {
                group: r.string()?,
                topic: r.string()?,
            },
            _ => return None,
        };
        r.end()?;
        Some((correlation_id, request))
    }
}

/// The fields of a successful response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Reply {
    Offset(u64),
    Deliveries(Vec<Delivery>),
    Done,
    Committed(Option<u64>),
}

/// The whole frame of a response, length prefix included: status 0 and `reply`'s fields, or an error status
/// and its message.
pub(crate) fn encode_response(
    kind: u8,
    correlation_id: u32,
    result: &Result<Reply, (u8, String)>,
) -> Vec<u8> {
    let mut w = Writer::frame(kind, correlation_id);
    match result {
        Ok(reply) => {
            w.u8(0);
            match reply {
                Reply::Offset(offset) => w.u64(*offset),
                Reply::Deliveries(deliveries) => {
                    w.u32(u32::try_from(deliveries.len()).unwrap_or(u32::MAX));
                    for d in deliveries {
                        w.u64(d.offset);
                        w.u32(d.attempt);
                        w.bytes(&d.payload);
                    }
                }
                Reply::Done => {}
                Reply::Committed(offset) => {
                    w.u8(u8::from(offset.is_some()));
                    w.u64(offset.unwrap_or(0));
                }
            }
        }
        Err((status, message)) => {
            w.u8(*status);
            w.string(message);
        }
    }
    w.finish()
}

/// Reads one frame's body. `Ok(None)` at a clean end of stream (no byte of a new frame), an error for a
/// frame cut short, and `InvalidData` for a length above `max` (the body is not read).
pub(crate) fn read_frame(input: &mut impl Read, max: usize) -> io::Result<Option<Vec<u8>>> {
    let mut len = [0u8; 4];
    let mut filled = 0;
    while filled < len.len() {
        match input.read(&mut len[filled..]) {
            Ok(0) if filled == 0 => return Ok(None),
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    let len = u32::from_be_bytes(len) as usize;
    if len > max {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("frame of {len} bytes exceeds the limit of {max}"),
        ));
    }
    let mut body = vec![0; len];
    input.read_exact(&mut body)?;
    Ok(Some(body))
}

pub(crate) fn write_frame(output: &mut impl Write, frame: &[u8]) -> io::Result<()> {
    output.write_all(frame)?;
    output.flush()
}

/// Builds a frame: the length is patched in by `finish`.
pub(crate) struct Writer(Vec<u8>);

impl Writer {
    pub(crate) fn frame(kind: u8, correlation_id: u32) -> Writer {
        let mut w = Writer(vec![0; 4]);
        w.u8(kind);
        w.u32(correlation_id);
        w
    }

    pub(crate) fn u8(&mut self, v: u8) {
        self.0.push(v);
    }

    pub(crate) fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_be_bytes());
    }

    pub(crate) fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_be_bytes());
    }

    /// A string of at most `u16::MAX` bytes (longer ones are cut at a character boundary).
    pub(crate) fn string(&mut self, s: &str) {
        let mut end = s.len().min(usize::from(u16::MAX));
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        self.0.extend_from_slice(&(end as u16).to_be_bytes());
        self.0.extend_from_slice(&s.as_bytes()[..end]);
    }

    pub(crate) fn bytes(&mut self, b: &[u8]) {
        self.u32(u32::try_from(b.len()).expect("payloads are far below 4 GiB"));
        self.0.extend_from_slice(b);
    }

    pub(crate) fn finish(mut self) -> Vec<u8> {
        let len = u32::try_from(self.0.len() - 4).expect("frames are far below 4 GiB");
        self.0[..4].copy_from_slice(&len.to_be_bytes());
        self.0
    }
}

/// Reads fields off the front of a body; every method returns `None` when the body is too short.
pub(crate) struct Reader<'a>(pub(crate) &'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }

    pub(crate) fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }

    pub(crate) fn flag(&mut self) -> Option<bool> {
        match self.u8()? {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }

    pub(crate) fn u32(&mut self) -> Option<u32> {
        Some(u32::from_be_bytes(self.take(4)?.try_into().ok()?))
    }

    pub(crate) fn u64(&mut self) -> Option<u64> {
        Some(u64::from_be_bytes(self.take(8)?.try_into().ok()?))
    }

    pub(crate) fn string(&mut self) -> Option<String> {
        let len = u16::from_be_bytes(self.take(2)?.try_into().ok()?);
        let raw = self.take(usize::from(len))?;
        String::from_utf8(raw.to_vec()).ok()
    }

    pub(crate) fn bytes(&mut self) -> Option<&'a [u8]> {
        let len = self.u32()?;
        self.take(usize::try_from(len).ok()?)
    }

    /// `Some(())` if every byte was read.
    pub(crate) fn end(&self) -> Option<()> {
        self.0.is_empty().then_some(())
    }
}

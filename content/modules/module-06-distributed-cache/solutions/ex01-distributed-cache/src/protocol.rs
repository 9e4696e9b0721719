//! The wire protocol spoken by clients and nodes (and by nodes to each other when they forward).
//!
//! ```text
//! frame    := body_len:u32 | body                                   (big endian throughout)
//! request  := kind:u8 | hops:u8 | flags:u8 | key:bytes [| ttl_ms:u64 | value:bytes]   (value part for SET)
//! response := status:u8 [| bytes]
//! bytes    := len:u32 | raw bytes
//! ```
//!
//! Request kinds: 1 GET, 2 SET, 3 DEL. Flag bit 0: serve locally, never forward. `ttl_ms == 0` means no TTL.
//! Response statuses: 0 OK, 1 VALUE (+ bytes), 2 NOT_FOUND, 3 DELETED, 4 ERROR (+ UTF-8 message).

use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use crate::error::CacheError;

/// Largest frame either side accepts: bigger length prefixes are rejected before anything is buffered.
pub const MAX_FRAME: usize = 64 * 1024 * 1024;

/// A request to a node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// What to do.
    pub op: Op,
    /// How many times this request has been forwarded between nodes.
    pub hops: u8,
    /// Serve from the receiving node's local store; never forward.
    pub local_only: bool,
}

/// The operations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// Read a key.
    Get {
        /// The key.
        key: Vec<u8>,
    },
    /// Write a key.
    Set {
        /// The key.
        key: Vec<u8>,
        /// The value.
        value: Vec<u8>,
        /// Optional time to live.
        ttl: Option<Duration>,
    },
    /// Delete a key.
    Delete {
        /// The key.
        key: Vec<u8>,
    },
}

impl Op {
    /// The key this operation is about.
    pub fn key(&self) -> &[u8] {
        match self {
            Op::Get { key } | Op::Set { key, .. } | Op::Delete { key } => key,
        }
    }
}

/// A node's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Response {
    /// The write was applied.
    Ok,
    /// The key's value.
    Value(Vec<u8>),
    /// No such key (or it expired), or a delete found nothing.
    NotFound,
    /// A delete removed the key.
    Deleted,
    /// The request failed; the message says why.
    Error(String),
}

impl Request {
    /// The request's body (without the length prefix).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let kind = match self.op {
            Op::Get { .. } => 1,
            Op::Set { .. } => 2,
            Op::Delete { .. } => 3,
        };
        out.extend_from_slice(&[kind, self.hops, u8::from(self.local_only)]);
        put_bytes(&mut out, self.op.key());
        if let Op::Set { value, ttl, .. } = &self.op {
            let ttl_ms = ttl.map_or(0, |t| {
                u64::try_from(t.as_millis()).unwrap_or(u64::MAX).max(1)
            });
            out.extend_from_slice(&ttl_ms.to_be_bytes());
            put_bytes(&mut out, value);
        }
        out
    }

    /// Parses a request body.
    pub fn decode(body: &[u8]) -> Result<Request, CacheError> {
        let mut r = Reader(body);
        let (kind, hops, flags) = (r.u8()?, r.u8()?, r.u8()?);
        let key = r.bytes()?;
        let op = match kind {
            1 => Op::Get { key },
            2 => {
                let ttl_ms = r.u64()?;
                let value = r.bytes()?;
                let ttl = (ttl_ms > 0).then(|| Duration::from_millis(ttl_ms));
                Op::Set { key, value, ttl }
            }
            3 => Op::Delete { key },
            other => {
                return Err(CacheError::Protocol(format!(
                    "unknown request kind {other}"
                )))
            }
        };
        r.finish()?;
        Ok(Request {
            op,
            hops,
            local_only: flags & 1 == 1,
        })
    }
}

impl Response {
    /// The response's body (without the length prefix).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        match self {
            Response::Ok => out.push(0),
            Response::Value(v) => {
                out.push(1);
                put_bytes(&mut out, v);
            }
            Response::NotFound => out.push(2),
            Response::Deleted => out.push(3),
            Response::Error(message) => {
                out.push(4);
                put_bytes(&mut out, message.as_bytes());
            }
        }
        out
    }

    /// Parses a response body.
    pub fn decode(body: &[u8]) -> Result<Response, CacheError> {
        let mut r = Reader(body);
        let response = match r.u8()? {
            0 => Response::Ok,
            1 => Response::Value(r.bytes()?),
            2 => Response::NotFound,
            3 => Response::Deleted,
            4 => Response::Error(String::from_utf8_lossy(&r.bytes()?).into_owned()),
            other => {
                return Err(CacheError::Protocol(format!(
                    "unknown response status {other}"
                )))
            }
        };
        r.finish()?;
        Ok(response)
    }
}

/// Reads one frame's body. `Ok(None)` on a clean end of stream before a frame starts.
pub async fn read_frame<R: AsyncRead + Unpin>(
    reader: &mut R,
) -> Result<Option<Vec<u8>>, CacheError> {
    let mut len = [0u8; 4];
    match reader.read_exact(&mut len).await {
        Ok(_) => {}
        Err(err) if err.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(err) => return Err(err.into()),
    }
    let len = u32::from_be_bytes(len) as usize;
    if len > MAX_FRAME {
        return Err(CacheError::Protocol(format!(
            "frame of {len} bytes exceeds the limit"
        )));
    }
    let mut body = vec![0u8; len];
    reader.read_exact(&mut body).await?;
    Ok(Some(body))
}

/// Writes one frame (length prefix and body) with a single write.
pub async fn write_frame<W: AsyncWrite + Unpin>(
    writer: &mut W,
    body: &[u8],
) -> Result<(), CacheError> {
    let len = u32::try_from(body.len())
        .ok()
        .filter(|l| *l as usize <= MAX_FRAME)
        .ok_or_else(|| CacheError::Protocol("frame too large".into()))?;
    let mut frame = Vec::with_capacity(4 + body.len());
    frame.extend_from_slice(&len.to_be_bytes());
    frame.extend_from_slice(body);
    writer.write_all(&frame).await?;
    Ok(())
}

fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    // Frames are capped at MAX_FRAME (64 MiB), so lengths fit a u32.
    out.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
    out.extend_from_slice(bytes);
}

/// A cursor over a body that fails with a protocol error instead of panicking on short input.
struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], CacheError> {
        if self.0.len() < n {
            return Err(CacheError::Protocol("truncated message".into()));
        }
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        Ok(head)
    }

    fn u8(&mut self) -> Result<u8, CacheError> {
        Ok(self.take(1)?[0])
    }

    fn u64(&mut self) -> Result<u64, CacheError> {
        let mut buf = [0u8; 8];
        buf.copy_from_slice(self.take(8)?);
        Ok(u64::from_be_bytes(buf))
    }

    fn bytes(&mut self) -> Result<Vec<u8>, CacheError> {
        let mut len = [0u8; 4];
        len.copy_from_slice(self.take(4)?);
        let len = u32::from_be_bytes(len) as usize;
        Ok(self.take(len)?.to_vec())
    }

    fn finish(&self) -> Result<(), CacheError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(CacheError::Protocol("trailing bytes after message".into()))
        }
    }
}

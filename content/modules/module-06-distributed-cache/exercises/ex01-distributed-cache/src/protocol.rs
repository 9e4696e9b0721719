//! The wire protocol spoken by clients and nodes (and by nodes to each other when they forward).
//!
//! ```text
//! frame    := body_len:u32 | body                                   (big endian throughout)
//! request  := kind:u8 | hops:u8 | flags:u8 | key:bytes [| ttl_ms:u64 | value:bytes]   (value part for SET)
//! response := status:u8 [| bytes]
//! bytes    := len:u32 | raw bytes
//! ```
//!
//! This is a suggested format; the tests only talk to nodes through [`crate::Client`], so any format both
//! sides agree on works. Request kinds: 1 GET, 2 SET, 3 DEL. Flag bit 0: serve locally, never forward. `ttl_ms == 0` means no TTL.
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
        todo!("milestone 2")
    }

    /// Parses a request body.
    pub fn decode(body: &[u8]) -> Result<Request, CacheError> {
        todo!("milestone 2")
    }
}

impl Response {
    /// The response's body (without the length prefix).
    pub fn encode(&self) -> Vec<u8> {
        todo!("milestone 2")
    }

    /// Parses a response body.
    pub fn decode(body: &[u8]) -> Result<Response, CacheError> {
        todo!("milestone 2")
    }
}

/// Reads one frame's body. `Ok(None)` on a clean end of stream before a frame starts. A length above
/// [`MAX_FRAME`] is a protocol error, detected before anything is allocated.
pub async fn read_frame<R: AsyncRead + Unpin>(
    reader: &mut R,
) -> Result<Option<Vec<u8>>, CacheError> {
    todo!("milestone 2")
}

/// Writes one frame (length prefix and body) with a single write.
pub async fn write_frame<W: AsyncWrite + Unpin>(
    writer: &mut W,
    body: &[u8],
) -> Result<(), CacheError> {
    todo!("milestone 2")
}

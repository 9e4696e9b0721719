//! RESP2 frames: an incremental parser and an encoder.
//!
//! [`Frame::parse`] looks at the bytes buffered so far and either returns one complete frame and how many bytes
//! it used, or says the frame is [`FrameError::Incomplete`] (read more and try again), or says the bytes can
//! never become a valid frame ([`FrameError::Protocol`]: reply with an error and close the connection).

use bytes::{BufMut, Bytes, BytesMut};

/// Largest bulk string accepted, as in Redis's default `proto-max-bulk-len` (512 MiB).
pub const MAX_BULK_LEN: usize = 512 * 1024 * 1024;
/// Largest number of elements accepted in one array.
pub const MAX_ARRAY_LEN: usize = 1024 * 1024;
/// Deepest nesting of arrays accepted. Bounds the parser's recursion.
pub const MAX_DEPTH: usize = 32;
/// Longest header or simple line accepted before its `\r\n` arrives, so a client that never sends one cannot
/// make the server buffer forever.
pub const MAX_LINE_LEN: usize = 64 * 1024;

/// One RESP2 value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// `+OK\r\n`. Must not contain `\r` or `\n`.
    Simple(String),
    /// `-ERR message\r\n`. Must not contain `\r` or `\n`.
    Error(String),
    /// `:42\r\n`.
    Integer(i64),
    /// `$3\r\nfoo\r\n`: arbitrary bytes, not necessarily UTF-8.
    Bulk(Bytes),
    /// The null bulk string `$-1\r\n`. The null array `*-1\r\n` also parses to `Null`.
    Null,
    /// `*2\r\n...`: a sequence of frames.
    Array(Vec<Frame>),
}

/// Why [`Frame::parse`] did not return a frame.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// The buffer holds a valid prefix of a frame: read more bytes and parse again.
    #[error("incomplete frame")]
    Incomplete,
    /// The bytes are not RESP2 and never will be, whatever arrives next.
    #[error("Protocol error: {0}")]
    Protocol(String),
}

impl Frame {
    /// `+OK`.
    pub fn ok() -> Frame {
        Frame::Simple("OK".to_string())
    }

    /// A bulk string holding `data`.
    pub fn bulk(data: impl Into<Bytes>) -> Frame {
        Frame::Bulk(data.into())
    }

    /// An array of bulk strings, the shape in which clients send commands.
    pub fn command<I, T>(parts: I) -> Frame
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        Frame::Array(
            parts
                .into_iter()
                .map(|p| Frame::Bulk(Bytes::copy_from_slice(p.as_ref())))
                .collect(),
        )
    }

    /// Parses one frame from the start of `buf`.
    ///
    /// On success returns the frame and the number of bytes it occupied; bytes after it (the next pipelined
    /// command, say) are left alone. Returns [`FrameError::Incomplete`] if `buf` is a proper prefix of a
    /// valid frame, and [`FrameError::Protocol`] as soon as the input is known to be invalid, including
    /// lengths above [`MAX_BULK_LEN`] or [`MAX_ARRAY_LEN`], nesting deeper than [`MAX_DEPTH`] and header lines
    /// longer than [`MAX_LINE_LEN`].
    pub fn parse(buf: &[u8]) -> Result<(Frame, usize), FrameError> {
        todo!("milestone 1: parse one frame")
    }

    /// Appends the RESP2 encoding of this frame to `out`.
    pub fn encode(&self, out: &mut BytesMut) {
        todo!("milestone 1: encode a frame")
    }

    /// The RESP2 encoding of this frame as a new buffer.
    pub fn to_bytes(&self) -> Bytes {
        let mut out = BytesMut::new();
        self.encode(&mut out);
        out.freeze()
    }
}

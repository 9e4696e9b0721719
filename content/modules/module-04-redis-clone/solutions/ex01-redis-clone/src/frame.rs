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
        let mut cursor = Cursor { buf, pos: 0 };
        let frame = cursor.frame(0)?;
        Ok((frame, cursor.pos))
    }

    /// Appends the RESP2 encoding of this frame to `out`.
    pub fn encode(&self, out: &mut BytesMut) {
        match self {
            Frame::Simple(s) => line(out, b'+', s.as_bytes()),
            Frame::Error(s) => line(out, b'-', s.as_bytes()),
            Frame::Integer(n) => line(out, b':', n.to_string().as_bytes()),
            Frame::Bulk(data) => {
                line(out, b'$', data.len().to_string().as_bytes());
                out.put_slice(data);
                out.put_slice(b"\r\n");
            }
            Frame::Null => out.put_slice(b"$-1\r\n"),
            Frame::Array(items) => {
                line(out, b'*', items.len().to_string().as_bytes());
                for item in items {
                    item.encode(out);
                }
            }
        }
    }

    /// The RESP2 encoding of this frame as a new buffer.
    pub fn to_bytes(&self) -> Bytes {
        let mut out = BytesMut::new();
        self.encode(&mut out);
        out.freeze()
    }
}

fn line(out: &mut BytesMut, prefix: u8, body: &[u8]) {
    out.reserve(body.len() + 3);
    out.put_u8(prefix);
    out.put_slice(body);
    out.put_slice(b"\r\n");
}

/// A read position in the buffer being parsed. Every method either advances past what it consumed or fails.
struct Cursor<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn frame(&mut self, depth: usize) -> Result<Frame, FrameError> {
        let Some(&prefix) = self.buf.get(self.pos) else {
            return Err(FrameError::Incomplete);
        };
        self.pos += 1;
        match prefix {
            b'+' => Ok(Frame::Simple(self.utf8_line()?)),
            b'-' => Ok(Frame::Error(self.utf8_line()?)),
            b':' => Ok(Frame::Integer(self.integer_line()?)),
            b'$' => self.bulk(),
            b'*' => self.array(depth),
            other => Err(protocol(format!(
                "invalid frame type byte {:?}",
                char::from(other)
            ))),
        }
    }

    fn bulk(&mut self) -> Result<Frame, FrameError> {
        let len = self.integer_line()?;
        if len == -1 {
            return Ok(Frame::Null);
        }
        let len = checked_len(len, MAX_BULK_LEN, "bulk length")?;
        let start = self.pos;
        let end = start + len; // cannot overflow: len <= 512 MiB
        if self.buf.len() < end + 2 {
            // Before waiting for the rest, reject a wrong terminator we can already see.
            if self.buf.len() > end && self.buf[end] != b'\r' {
                return Err(protocol("bulk string not terminated by CRLF"));
            }
            return Err(FrameError::Incomplete);
        }
        if &self.buf[end..end + 2] != b"\r\n" {
            return Err(protocol("bulk string not terminated by CRLF"));
        }
        self.pos = end + 2;
        Ok(Frame::Bulk(Bytes::copy_from_slice(&self.buf[start..end])))
    }

    fn array(&mut self, depth: usize) -> Result<Frame, FrameError> {
        if depth >= MAX_DEPTH {
            return Err(protocol("arrays nested too deeply"));
        }
        let len = self.integer_line()?;
        if len == -1 {
            return Ok(Frame::Null);
        }
        let len = checked_len(len, MAX_ARRAY_LEN, "array length")?;
        // Do not trust `len` for the allocation: a 1M-element header costs nothing to send.
        let mut items = Vec::with_capacity(len.min(64));
        for _ in 0..len {
            items.push(self.frame(depth + 1)?);
        }
        Ok(Frame::Array(items))
    }

    /// The bytes up to the next `\r\n`, consuming the terminator too.
    fn line(&mut self) -> Result<&[u8], FrameError> {
        let rest = &self.buf[self.pos..];
        let window = &rest[..rest.len().min(MAX_LINE_LEN + 2)];
        match window.windows(2).position(|w| w == b"\r\n") {
            Some(end) => {
                self.pos += end + 2;
                Ok(&rest[..end])
            }
            None if rest.len() > MAX_LINE_LEN + 1 => Err(protocol("line too long")),
            None => Err(FrameError::Incomplete),
        }
    }

    fn utf8_line(&mut self) -> Result<String, FrameError> {
        let line = self.line()?;
        String::from_utf8(line.to_vec()).map_err(|_| protocol("simple string is not UTF-8"))
    }

    fn integer_line(&mut self) -> Result<i64, FrameError> {
        let line = self.line()?;
        std::str::from_utf8(line)
            .ok()
            .and_then(|s| s.parse::<i64>().ok())
            .ok_or_else(|| {
                protocol(format!(
                    "invalid integer {:?}",
                    String::from_utf8_lossy(line)
                ))
            })
    }
}

fn checked_len(len: i64, max: usize, what: &str) -> Result<usize, FrameError> {
    match usize::try_from(len) {
        Ok(n) if n <= max => Ok(n),
        _ => Err(protocol(format!("invalid {what} {len}"))),
    }
}

fn protocol(message: impl Into<String>) -> FrameError {
    FrameError::Protocol(message.into())
}

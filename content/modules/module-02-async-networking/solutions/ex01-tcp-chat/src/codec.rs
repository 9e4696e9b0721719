//! Framing: turning the TCP byte stream into lines, with a hard limit on line length.
//!
//! `tokio_util::codec::LinesCodec` almost fits, but it reports an over-long line as a decoder *error*,
//! and `FramedRead` ends the stream after any decoder error. A chat server wants to tell the client
//! "too long" and carry on, so this codec reports bad lines as ordinary frames and keeps errors for
//! real I/O failures.

use bytes::{Buf, BytesMut};
use tokio_util::codec::Decoder;

/// One decoded frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// A complete line, without its `\n` or `\r\n` terminator.
    Line(String),
    /// A line longer than the limit. It is reported as soon as the limit is exceeded (before its
    /// newline arrives); the rest of it, up to and including the next `\n`, is discarded.
    TooLong,
    /// A line of acceptable length that is not valid UTF-8; it was discarded.
    InvalidUtf8,
}

/// A newline-delimited codec that never buffers more than `max_len` (+2 for `\r\n`) bytes of a line.
///
/// `max_len` counts the bytes of the line itself, excluding the terminator: a line of exactly
/// `max_len` bytes is accepted, one byte more is [`Frame::TooLong`].
#[derive(Debug, Clone)]
pub struct LineCodec {
    max_len: usize,
    /// True after reporting `TooLong` until the end of that line has been skipped.
    discarding: bool,
}

impl LineCodec {
    /// A codec accepting lines of up to `max_len` bytes.
    pub fn new(max_len: usize) -> Self {
        LineCodec {
            max_len,
            discarding: false,
        }
    }

    /// The configured maximum line length in bytes.
    pub fn max_len(&self) -> usize {
        self.max_len
    }
}

impl Decoder for LineCodec {
    type Item = Frame;
    type Error = std::io::Error;

    /// Returns the next frame if the buffer holds one, consuming its bytes (terminator included), or
    /// `Ok(None)` if more bytes are needed. `FramedRead` calls this again after every read.
    fn decode(&mut self, buf: &mut BytesMut) -> Result<Option<Frame>, Self::Error> {
        if self.discarding {
            match buf.iter().position(|&b| b == b'\n') {
                Some(pos) => {
                    // Drop the tail of the rejected line; the buffer may already hold the next one.
                    buf.advance(pos + 1);
                    self.discarding = false;
                }
                None => {
                    buf.clear();
                    return Ok(None);
                }
            }
        }

        // A valid line plus "\r\n" fits in max_len + 2 bytes, so never look further than that.
        // This bounds both memory and the cost of re-scanning a partial line on every read.
        let window = buf.len().min(self.max_len + 2);
        match buf[..window].iter().position(|&b| b == b'\n') {
            Some(pos) => {
                let line = buf.split_to(pos + 1);
                Ok(Some(self.frame(&line[..pos])))
            }
            None if buf.len() >= self.max_len + 2 => {
                // No newline within the limit: this line can only be too long.
                self.discarding = true;
                buf.clear();
                Ok(Some(Frame::TooLong))
            }
            // Not a whole line yet; FramedRead will read more and call again.
            None => Ok(None),
        }
    }

    /// Called once the peer has closed its side: decode what is left. Bytes after the last `\n`
    /// form a final line, unless they belong to a line being discarded.
    fn decode_eof(&mut self, buf: &mut BytesMut) -> Result<Option<Frame>, Self::Error> {
        if let Some(frame) = self.decode(buf)? {
            return Ok(Some(frame));
        }
        if self.discarding || buf.is_empty() {
            buf.clear();
            return Ok(None);
        }
        // The peer closed the connection in the middle of a line: treat what arrived as a line.
        let line = buf.split();
        Ok(Some(self.frame(&line)))
    }
}

impl LineCodec {
    fn frame(&self, line: &[u8]) -> Frame {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.len() > self.max_len {
            return Frame::TooLong;
        }
        match std::str::from_utf8(line) {
            Ok(text) => Frame::Line(text.to_owned()),
            Err(_) => Frame::InvalidUtf8,
        }
    }
}

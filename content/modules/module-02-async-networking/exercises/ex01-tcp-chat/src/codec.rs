//! Framing: turning the TCP byte stream into lines, with a hard limit on line length.
//!
//! `tokio_util::codec::LinesCodec` almost fits, but it reports an over-long line as a decoder *error*,
//! and `FramedRead` ends the stream after any decoder error. A chat server wants to tell the client
//! "too long" and carry on, so this codec reports bad lines as ordinary frames and keeps errors for
//! real I/O failures.

use bytes::BytesMut;
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
    // Add whatever state you need to remember between calls.
}

impl LineCodec {
    /// A codec accepting lines of up to `max_len` bytes.
    pub fn new(max_len: usize) -> Self {
        LineCodec { max_len }
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
    ///
    /// Never let the buffer grow past about `max_len + 2` bytes for one line: as soon as a line is
    /// known to be too long, report [`Frame::TooLong`], then drop its bytes (now and in later calls)
    /// up to and including its `\n`.
    fn decode(&mut self, buf: &mut BytesMut) -> Result<Option<Frame>, Self::Error> {
        todo!("frame the {} buffered bytes", buf.len())
    }

    /// Called once the peer has closed its side: decode what is left. Bytes after the last `\n`
    /// form a final line, unless they belong to a line being discarded.
    fn decode_eof(&mut self, buf: &mut BytesMut) -> Result<Option<Frame>, Self::Error> {
        todo!("frame the {} bytes left at end of stream", buf.len())
    }
}

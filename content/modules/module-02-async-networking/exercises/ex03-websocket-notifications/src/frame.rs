//! WebSocket frames (RFC 6455 section 5) and a server-side codec for them.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-------+-+-------------+-------------------------------+
//! |F|R|R|R| opcode|M| Payload len |    Extended payload length    |
//! |I|S|S|S|  (4)  |A|     (7)     |             (16/64)           |
//! |N|V|V|V|       |S|             |   (if payload len==126/127)   |
//! | |1|2|3|       |K|             |                               |
//! +-+-+-+-+-------+-+-------------+ - - - - - - - - - - - - - - - +
//! |     Extended payload length continued, if payload len == 127  |
//! + - - - - - - - - - - - - - - - +-------------------------------+
//! |                               | Masking-key, if MASK set to 1 |
//! +-------------------------------+-------------------------------+
//! | Masking-key (continued)       |          Payload Data         |
//! +-------------------------------- - - - - - - - - - - - - - - - +
//! ```
//!
//! [`WsCodec`] plays the server role: it decodes frames a client sent (which must be masked) and encodes
//! frames for the client (which must not be).

use std::io;

use bytes::{Bytes, BytesMut};
use tokio_util::codec::{Decoder, Encoder};

/// Close status codes used by this server (RFC 6455 section 7.4.1).
pub mod close_code {
    /// The purpose of the connection has been fulfilled.
    pub const NORMAL: u16 = 1000;
    /// The server is going down, or the connection was idle for too long.
    pub const GOING_AWAY: u16 = 1001;
    /// The peer broke the framing rules.
    pub const PROTOCOL_ERROR: u16 = 1002;
    /// The peer sent a kind of data this endpoint does not accept (binary, here).
    pub const UNSUPPORTED_DATA: u16 = 1003;
    /// A text message was not valid UTF-8.
    pub const INVALID_PAYLOAD: u16 = 1007;
    /// A generic policy violation; used here for slow consumers.
    pub const POLICY_VIOLATION: u16 = 1008;
    /// A frame or message exceeded the size limit.
    pub const MESSAGE_TOO_BIG: u16 = 1009;
}

/// Largest payload a control frame (close, ping, pong) may carry.
pub const MAX_CONTROL_PAYLOAD: usize = 125;

/// The 4-bit frame type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpCode {
    /// 0x0: a later fragment of a fragmented message.
    Continuation,
    /// 0x1: UTF-8 text (or the first fragment of it).
    Text,
    /// 0x2: binary data (or the first fragment of it).
    Binary,
    /// 0x8: start or answer the closing handshake.
    Close,
    /// 0x9: a heartbeat request.
    Ping,
    /// 0xA: a heartbeat answer.
    Pong,
}

impl OpCode {
    /// The opcode for a 4-bit value, or `None` for the reserved values.
    pub fn from_u8(value: u8) -> Option<Self> {
        match value {
            0x0 => Some(Self::Continuation),
            0x1 => Some(Self::Text),
            0x2 => Some(Self::Binary),
            0x8 => Some(Self::Close),
            0x9 => Some(Self::Ping),
            0xA => Some(Self::Pong),
            _ => None,
        }
    }

    /// The 4-bit wire value.
    pub fn as_u8(self) -> u8 {
        match self {
            Self::Continuation => 0x0,
            Self::Text => 0x1,
            Self::Binary => 0x2,
            Self::Close => 0x8,
            Self::Ping => 0x9,
            Self::Pong => 0xA,
        }
    }

    /// Close, ping and pong are control frames: short, never fragmented, allowed between fragments.
    pub fn is_control(self) -> bool {
        matches!(self, Self::Close | Self::Ping | Self::Pong)
    }
}

/// One frame, already unmasked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// Whether this is the final fragment of its message.
    pub fin: bool,
    /// The frame type.
    pub opcode: OpCode,
    /// The application data.
    pub payload: Bytes,
}

impl Frame {
    /// A complete (unfragmented) text frame.
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            fin: true,
            opcode: OpCode::Text,
            payload: Bytes::from(text.into()),
        }
    }

    /// A ping carrying `payload` (at most 125 bytes).
    pub fn ping(payload: impl Into<Bytes>) -> Self {
        Self {
            fin: true,
            opcode: OpCode::Ping,
            payload: payload.into(),
        }
    }

    /// A pong carrying `payload`, normally the payload of the ping it answers.
    pub fn pong(payload: impl Into<Bytes>) -> Self {
        Self {
            fin: true,
            opcode: OpCode::Pong,
            payload: payload.into(),
        }
    }

    /// A close frame: the status code in network byte order, then a UTF-8 reason, truncated so the payload
    /// fits in 125 bytes.
    pub fn close(code: u16, reason: &str) -> Self {
        todo!()
    }

    /// The status code of a close frame, if it carries one.
    pub fn close_code(&self) -> Option<u16> {
        todo!()
    }
}

/// A frame that breaks the protocol, or a failed read. Every variant maps to the close code to send.
#[derive(Debug, thiserror::Error)]
pub enum ProtocolError {
    /// A reserved bit was set, but no extension was negotiated.
    #[error("reserved bits set without a negotiated extension")]
    ReservedBits,
    /// The opcode is one of the reserved values.
    #[error("unknown opcode {0:#x}")]
    UnknownOpcode(u8),
    /// A client frame arrived without a mask.
    #[error("client frames must be masked")]
    Unmasked,
    /// A control frame was fragmented or longer than 125 bytes.
    #[error("invalid control frame")]
    InvalidControlFrame,
    /// The declared payload length exceeds the limit.
    #[error("frame payload of {len} bytes exceeds the limit of {max}")]
    TooLarge {
        /// The length the frame header declared.
        len: u64,
        /// The configured limit.
        max: usize,
    },
    /// Reading from the socket failed, or it ended in the middle of a frame.
    #[error("I/O error: {0}")]
    Io(#[from] io::Error),
}

impl ProtocolError {
    /// The close code that reports this error to the peer: [`close_code::MESSAGE_TOO_BIG`] for
    /// [`ProtocolError::TooLarge`], [`close_code::PROTOCOL_ERROR`] for everything else.
    pub fn close_code(&self) -> u16 {
        todo!()
    }
}

/// Decodes masked client frames and encodes unmasked server frames.
#[derive(Debug, Clone)]
pub struct WsCodec {
    max_payload: usize,
}

impl WsCodec {
    /// A codec that rejects frames whose payload is longer than `max_payload` bytes.
    pub fn new(max_payload: usize) -> Self {
        Self { max_payload }
    }
}

/// Decoding rules, checked from the header alone, before the payload arrives:
///
/// * any of RSV1..RSV3 set → [`ProtocolError::ReservedBits`]; a reserved opcode →
///   [`ProtocolError::UnknownOpcode`]; MASK bit clear → [`ProtocolError::Unmasked`];
/// * a control frame with FIN clear or a payload over 125 bytes → [`ProtocolError::InvalidControlFrame`];
/// * a payload longer than `max_payload` → [`ProtocolError::TooLarge`].
///
/// Return `Ok(None)` while the buffer holds less than one whole frame, and consume exactly one frame's
/// bytes when returning one (the payload unmasked).
impl Decoder for WsCodec {
    type Item = Frame;
    type Error = ProtocolError;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<Frame>, ProtocolError> {
        todo!("parse one frame, or return Ok(None) until a whole frame has arrived")
    }
}

/// Encoding: FIN and opcode, MASK bit clear, then the shortest length form (7-bit, 16-bit after 126, or
/// 64-bit after 127), then the payload as is.
impl Encoder<Frame> for WsCodec {
    type Error = io::Error;

    fn encode(&mut self, frame: Frame, dst: &mut BytesMut) -> Result<(), io::Error> {
        todo!("write one unmasked frame")
    }
}

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

use bytes::{Buf, BufMut, Bytes, BytesMut};
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
        let mut end = reason.len().min(MAX_CONTROL_PAYLOAD - 2);
        while !reason.is_char_boundary(end) {
            end -= 1;
        }
        let mut payload = BytesMut::with_capacity(2 + end);
        payload.put_u16(code);
        payload.put_slice(&reason.as_bytes()[..end]);
        Self {
            fin: true,
            opcode: OpCode::Close,
            payload: payload.freeze(),
        }
    }

    /// The status code of a close frame, if it carries one.
    pub fn close_code(&self) -> Option<u16> {
        match (self.opcode, self.payload.get(..2)) {
            (OpCode::Close, Some(&[hi, lo])) => Some(u16::from_be_bytes([hi, lo])),
            _ => None,
        }
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
    /// The close code that reports this error to the peer.
    pub fn close_code(&self) -> u16 {
        match self {
            Self::TooLarge { .. } => close_code::MESSAGE_TOO_BIG,
            _ => close_code::PROTOCOL_ERROR,
        }
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

impl Decoder for WsCodec {
    type Item = Frame;
    type Error = ProtocolError;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<Frame>, ProtocolError> {
        if src.len() < 2 {
            return Ok(None);
        }
        let (b0, b1) = (src[0], src[1]);
        if b0 & 0x70 != 0 {
            return Err(ProtocolError::ReservedBits);
        }
        let fin = b0 & 0x80 != 0;
        let opcode = OpCode::from_u8(b0 & 0x0F).ok_or(ProtocolError::UnknownOpcode(b0 & 0x0F))?;
        if b1 & 0x80 == 0 {
            return Err(ProtocolError::Unmasked);
        }

        // Work out the header length and the payload length, checking limits before any payload arrives.
        let (len, mut header_len) = match b1 & 0x7F {
            126 => {
                if src.len() < 4 {
                    return Ok(None);
                }
                (u64::from(u16::from_be_bytes([src[2], src[3]])), 4)
            }
            127 => {
                let Some(ext) = src.get(2..10) else {
                    return Ok(None);
                };
                let mut bytes = [0u8; 8];
                bytes.copy_from_slice(ext);
                (u64::from_be_bytes(bytes), 10)
            }
            short => (u64::from(short), 2),
        };
        if opcode.is_control() && (!fin || len > MAX_CONTROL_PAYLOAD as u64) {
            return Err(ProtocolError::InvalidControlFrame);
        }
        let payload_len = match usize::try_from(len) {
            Ok(n) if n <= self.max_payload => n,
            _ => {
                return Err(ProtocolError::TooLarge {
                    len,
                    max: self.max_payload,
                })
            }
        };
        header_len += 4; // the masking key

        let frame_len = header_len + payload_len;
        if src.len() < frame_len {
            // Tell the buffer how much is coming, so it grows once instead of many times.
            src.reserve(frame_len - src.len());
            return Ok(None);
        }

        let mut mask = [0u8; 4];
        mask.copy_from_slice(&src[header_len - 4..header_len]);
        src.advance(header_len);
        let mut payload = src.split_to(payload_len);
        for (i, byte) in payload.iter_mut().enumerate() {
            *byte ^= mask[i % 4];
        }
        Ok(Some(Frame {
            fin,
            opcode,
            payload: payload.freeze(),
        }))
    }
}

impl Encoder<Frame> for WsCodec {
    type Error = io::Error;

    fn encode(&mut self, frame: Frame, dst: &mut BytesMut) -> Result<(), io::Error> {
        let len = frame.payload.len();
        dst.reserve(10 + len);
        dst.put_u8(u8::from(frame.fin) << 7 | frame.opcode.as_u8());
        // Server frames are never masked, so the MASK bit stays 0.
        if len < 126 {
            dst.put_u8(len as u8); // fits: checked just above
        } else if let Ok(len16) = u16::try_from(len) {
            dst.put_u8(126);
            dst.put_u16(len16);
        } else {
            dst.put_u8(127);
            dst.put_u64(len as u64); // usize is at most 64 bits on every supported target
        }
        dst.put_slice(&frame.payload);
        Ok(())
    }
}

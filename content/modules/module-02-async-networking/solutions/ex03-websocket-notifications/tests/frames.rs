//! Tests of the pure parts: the accept key, the frame codec and the close frame helpers.

use bytes::{Bytes, BytesMut};
use ex03_websocket_notifications::{accept_key, close_code, Frame, OpCode, ProtocolError, WsCodec};
use tokio_util::codec::{Decoder, Encoder};

const LIMIT: usize = 64 * 1024;

/// A masked client frame, built independently of the code under test.
fn masked(first_byte: u8, payload: &[u8], mask: [u8; 4]) -> Vec<u8> {
    let mut out = vec![first_byte];
    match payload.len() {
        n if n < 126 => out.push(0x80 | n as u8),
        n if n <= 0xFFFF => {
            out.push(0x80 | 126);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            out.push(0x80 | 127);
            out.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    out.extend_from_slice(&mask);
    out.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
    out
}

fn decode_all(bytes: &[u8]) -> Result<Option<Frame>, ProtocolError> {
    let mut buf = BytesMut::from(bytes);
    WsCodec::new(LIMIT).decode(&mut buf)
}

fn encode(frame: Frame) -> Vec<u8> {
    let mut buf = BytesMut::new();
    WsCodec::new(LIMIT).encode(frame, &mut buf).unwrap();
    buf.to_vec()
}

#[test]
fn accept_key_matches_the_rfc_6455_example() {
    // RFC 6455, section 1.3.
    assert_eq!(
        accept_key("dGhlIHNhbXBsZSBub25jZQ=="),
        "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
    );
}

#[test]
fn decodes_the_rfc_masked_hello_example() {
    // RFC 6455, section 5.7: a single-frame masked text message containing "Hello".
    let bytes = [
        0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
    ];
    let frame = decode_all(&bytes).unwrap().expect("a complete frame");
    assert_eq!(
        frame,
        Frame {
            fin: true,
            opcode: OpCode::Text,
            payload: Bytes::from_static(b"Hello")
        }
    );
}

#[test]
fn waits_for_a_complete_frame_and_leaves_the_rest_in_the_buffer() {
    let mut stream = masked(0x81, b"first", [1, 2, 3, 4]);
    stream.extend(masked(0x89, b"ping!", [9, 8, 7, 6]));
    let mut codec = WsCodec::new(LIMIT);
    let mut buf = BytesMut::new();
    let mut frames = Vec::new();

    // Feed one byte at a time: the decoder must return Ok(None) until a frame is complete.
    for byte in stream {
        buf.extend_from_slice(&[byte]);
        if let Some(frame) = codec.decode(&mut buf).unwrap() {
            frames.push(frame);
        }
    }
    assert!(buf.is_empty());
    assert_eq!(frames.len(), 2);
    assert_eq!(frames[0].payload, "first");
    assert_eq!(frames[1].opcode, OpCode::Ping);
    assert_eq!(frames[1].payload, "ping!");
}

#[test]
fn decodes_16_and_64_bit_lengths_and_fragments() {
    let medium = vec![b'm'; 300];
    let frame = decode_all(&masked(0x81, &medium, [5, 6, 7, 8]))
        .unwrap()
        .unwrap();
    assert_eq!(frame.payload.len(), 300);

    let large = vec![b'l'; 70_000];
    let frame = WsCodec::new(100_000)
        .decode(&mut BytesMut::from(&masked(0x81, &large, [1, 1, 1, 1])[..]))
        .unwrap();
    assert_eq!(frame.unwrap().payload.len(), 70_000);

    // A first fragment (FIN clear, text) and a final continuation.
    let first = decode_all(&masked(0x01, b"par", [0, 0, 0, 0]))
        .unwrap()
        .unwrap();
    assert!(!first.fin);
    assert_eq!(first.opcode, OpCode::Text);
    let last = decode_all(&masked(0x80, b"tial", [3, 3, 3, 3]))
        .unwrap()
        .unwrap();
    assert!(last.fin);
    assert_eq!(last.opcode, OpCode::Continuation);
}

#[test]
fn encodes_unmasked_server_frames_with_the_right_length_form() {
    // RFC 6455, section 5.7: an unmasked text frame containing "Hello".
    assert_eq!(
        encode(Frame::text("Hello")),
        [0x81, 0x05, b'H', b'e', b'l', b'l', b'o']
    );

    // 256 bytes use the 16-bit form, 64 KiB the 64-bit form.
    let frame = Frame {
        fin: true,
        opcode: OpCode::Binary,
        payload: Bytes::from(vec![0u8; 256]),
    };
    assert_eq!(encode(frame)[..4], [0x82, 0x7E, 0x01, 0x00]);
    let frame = Frame {
        fin: true,
        opcode: OpCode::Binary,
        payload: Bytes::from(vec![0u8; 65_536]),
    };
    let bytes = encode(frame);
    assert_eq!(bytes[..10], [0x82, 0x7F, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00]);
    assert_eq!(bytes.len(), 10 + 65_536);

    assert_eq!(
        encode(Frame::ping(Bytes::from_static(b"hb"))),
        [0x89, 0x02, b'h', b'b']
    );
    assert_eq!(encode(Frame::pong(Bytes::new())), [0x8A, 0x00]);
    let fragment = Frame {
        fin: false,
        opcode: OpCode::Text,
        payload: Bytes::from_static(b"a"),
    };
    assert_eq!(encode(fragment), [0x01, 0x01, b'a']);
}

#[test]
fn close_frames_carry_a_code_and_a_short_reason() {
    let frame = Frame::close(close_code::NORMAL, "bye");
    assert_eq!(frame.opcode, OpCode::Close);
    assert_eq!(&frame.payload[..], [0x03, 0xE8, b'b', b'y', b'e']);
    assert_eq!(frame.close_code(), Some(1000));

    // Control frames are limited to 125 bytes, so long reasons are cut (on a character boundary).
    let long = Frame::close(close_code::GOING_AWAY, &"é".repeat(100));
    assert!(long.payload.len() <= 125);
    assert!(std::str::from_utf8(&long.payload[2..]).is_ok());
    assert_eq!(Frame::text("x").close_code(), None);
}

#[test]
fn rejects_unmasked_client_frames() {
    let err = decode_all(&[0x81, 0x02, b'h', b'i']).unwrap_err();
    assert!(matches!(err, ProtocolError::Unmasked));
    assert_eq!(err.close_code(), close_code::PROTOCOL_ERROR);
}

#[test]
fn rejects_oversized_frames_from_the_header_alone() {
    // The header announces 1 MiB; not a single payload byte has arrived, and the error is immediate.
    let mut header = vec![0x81, 0x80 | 127];
    header.extend_from_slice(&(1u64 << 20).to_be_bytes());
    header.extend_from_slice(&[1, 2, 3, 4]);
    let err = decode_all(&header).unwrap_err();
    assert!(matches!(err, ProtocolError::TooLarge { len, max } if len == 1 << 20 && max == LIMIT));
    assert_eq!(err.close_code(), close_code::MESSAGE_TOO_BIG);
}

#[test]
fn rejects_broken_frames() {
    let reserved_bit = masked(0x81 | 0x40, b"x", [1, 2, 3, 4]);
    assert!(matches!(
        decode_all(&reserved_bit),
        Err(ProtocolError::ReservedBits)
    ));

    let unknown_opcode = masked(0x83, b"x", [1, 2, 3, 4]);
    assert!(matches!(
        decode_all(&unknown_opcode),
        Err(ProtocolError::UnknownOpcode(0x3))
    ));

    let fragmented_ping = masked(0x09, b"x", [1, 2, 3, 4]);
    assert!(matches!(
        decode_all(&fragmented_ping),
        Err(ProtocolError::InvalidControlFrame)
    ));

    let long_ping = masked(0x89, &[0u8; 126], [1, 2, 3, 4]);
    assert!(matches!(
        decode_all(&long_ping),
        Err(ProtocolError::InvalidControlFrame)
    ));

    for err in [decode_all(&reserved_bit), decode_all(&long_ping)] {
        assert_eq!(err.unwrap_err().close_code(), close_code::PROTOCOL_ERROR);
    }
}

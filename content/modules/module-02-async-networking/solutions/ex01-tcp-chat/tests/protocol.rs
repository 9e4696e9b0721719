//! Milestone 1: parsing commands and framing lines, without any sockets.

use bytes::BytesMut;
use ex01_tcp_chat::{ChatError, Command, Frame, LineCodec};
use tokio_util::codec::Decoder;

fn parse(line: &str) -> Result<Option<Command>, ChatError> {
    Command::parse(line)
}

#[test]
fn parses_every_command() {
    assert_eq!(
        parse("/nick alice"),
        Ok(Some(Command::Nick("alice".into())))
    );
    assert_eq!(
        parse("/join rust-lang"),
        Ok(Some(Command::Join("rust-lang".into())))
    );
    assert_eq!(parse("/leave"), Ok(Some(Command::Leave)));
    assert_eq!(parse("/rooms"), Ok(Some(Command::Rooms)));
    assert_eq!(parse("/who"), Ok(Some(Command::Who)));
    assert_eq!(parse("/quit"), Ok(Some(Command::Quit)));
}

#[test]
fn plain_text_is_a_message_kept_verbatim() {
    assert_eq!(
        parse("hello, world"),
        Ok(Some(Command::Say("hello, world".into())))
    );
    assert_eq!(
        parse("  spaced  out  "),
        Ok(Some(Command::Say("  spaced  out  ".into())))
    );
    assert_eq!(
        parse("a/b is not a command"),
        Ok(Some(Command::Say("a/b is not a command".into())))
    );
}

#[test]
fn blank_lines_are_ignored() {
    assert_eq!(parse(""), Ok(None));
    assert_eq!(parse("   \t "), Ok(None));
}

#[test]
fn arguments_are_whitespace_separated() {
    assert_eq!(
        parse("/nick   bob  "),
        Ok(Some(Command::Nick("bob".into())))
    );
    assert_eq!(
        parse("/join\tlobby"),
        Ok(Some(Command::Join("lobby".into())))
    );
}

#[test]
fn wrong_argument_counts_are_usage_errors() {
    for line in [
        "/nick",
        "/nick a b",
        "/join",
        "/join a b",
        "/leave now",
        "/rooms all",
        "/who is",
        "/quit please",
    ] {
        assert!(
            matches!(parse(line), Err(ChatError::Usage(_))),
            "{line:?} gave {:?}",
            parse(line)
        );
    }
}

#[test]
fn unknown_commands_are_rejected() {
    for line in ["/dance", "/", "/ nick alice", "/NICK alice"] {
        assert_eq!(parse(line), Err(ChatError::UnknownCommand), "{line:?}");
    }
}

#[test]
fn nicks_are_validated() {
    assert_eq!(parse("/nick a"), Ok(Some(Command::Nick("a".into()))));
    assert_eq!(
        parse("/nick Zed_99-x"),
        Ok(Some(Command::Nick("Zed_99-x".into())))
    );
    assert_eq!(
        parse(&format!("/nick {}", "n".repeat(16))),
        Ok(Some(Command::Nick("n".repeat(16))))
    );
    assert_eq!(
        parse(&format!("/nick {}", "n".repeat(17))),
        Err(ChatError::InvalidNick)
    );
    for bad in ["al!ce", "zoë", "a.b", "x:y"] {
        assert_eq!(
            parse(&format!("/nick {bad}")),
            Err(ChatError::InvalidNick),
            "{bad:?}"
        );
    }
}

#[test]
fn room_names_are_validated() {
    assert_eq!(
        parse(&format!("/join {}", "r".repeat(32))),
        Ok(Some(Command::Join("r".repeat(32))))
    );
    assert_eq!(
        parse(&format!("/join {}", "r".repeat(33))),
        Err(ChatError::InvalidRoom)
    );
    assert_eq!(parse("/join #rust"), Err(ChatError::InvalidRoom));
}

#[test]
fn error_codes_are_stable() {
    let cases = [
        (ChatError::UnknownCommand, "unknown-command"),
        (ChatError::Usage("/nick <name>"), "usage"),
        (ChatError::InvalidNick, "invalid-nick"),
        (ChatError::InvalidRoom, "invalid-room"),
        (ChatError::NickTaken("alice".into()), "nick-taken"),
        (ChatError::NoNick, "no-nick"),
        (ChatError::NotInRoom, "not-in-room"),
        (ChatError::LineTooLong, "line-too-long"),
        (ChatError::InvalidUtf8, "invalid-utf8"),
        (ChatError::ServerFull, "server-full"),
    ];
    for (error, code) in cases {
        assert_eq!(error.code(), code);
        let line = error.to_line();
        assert!(line.starts_with(&format!("ERR {code} ")), "{line:?}");
        assert!(!line.contains('\n'), "{line:?}");
    }
}

/// Feeds `input` to a fresh codec in one piece and collects every frame, including the final one at EOF.
fn decode_all(max_len: usize, input: &[u8]) -> Vec<Frame> {
    let mut codec = LineCodec::new(max_len);
    let mut buf = BytesMut::from(input);
    let mut frames = Vec::new();
    while let Some(frame) = codec.decode(&mut buf).expect("decode never fails") {
        frames.push(frame);
    }
    while let Some(frame) = codec.decode_eof(&mut buf).expect("decode_eof never fails") {
        frames.push(frame);
    }
    frames
}

fn line(text: &str) -> Frame {
    Frame::Line(text.to_owned())
}

#[test]
fn codec_splits_lines_and_strips_terminators() {
    assert_eq!(
        decode_all(64, b"one\ntwo\r\n\nthree\n"),
        vec![line("one"), line("two"), line(""), line("three")]
    );
}

#[test]
fn codec_waits_for_the_rest_of_a_line() {
    let mut codec = LineCodec::new(64);
    let mut buf = BytesMut::from(&b"hel"[..]);
    assert_eq!(codec.decode(&mut buf).unwrap(), None);
    buf.extend_from_slice(b"lo\nwor");
    assert_eq!(codec.decode(&mut buf).unwrap(), Some(line("hello")));
    assert_eq!(codec.decode(&mut buf).unwrap(), None);
    buf.extend_from_slice(b"ld\n");
    assert_eq!(codec.decode(&mut buf).unwrap(), Some(line("world")));
}

#[test]
fn codec_enforces_the_limit_exactly() {
    let ok = "x".repeat(8);
    let long = "y".repeat(9);
    assert_eq!(decode_all(8, format!("{ok}\n").as_bytes()), vec![line(&ok)]);
    assert_eq!(
        decode_all(8, format!("{ok}\r\n").as_bytes()),
        vec![line(&ok)]
    );
    assert_eq!(
        decode_all(8, format!("{long}\nnext\n").as_bytes()),
        vec![Frame::TooLong, line("next")]
    );
}

#[test]
fn codec_reports_an_endless_line_early_and_skips_it() {
    let mut codec = LineCodec::new(16);
    let mut buf = BytesMut::from(&[b'z'; 100][..]);
    // No newline yet, but already far over the limit: report it now rather than buffer more.
    assert_eq!(codec.decode(&mut buf).unwrap(), Some(Frame::TooLong));
    assert!(
        buf.len() <= 18,
        "the codec kept {} bytes of a line it rejected",
        buf.len()
    );
    buf.extend_from_slice(&[b'z'; 100]);
    assert_eq!(codec.decode(&mut buf).unwrap(), None);
    assert!(
        buf.len() <= 18,
        "the codec kept {} bytes of a line it rejected",
        buf.len()
    );
    // The rest of the long line is dropped, and the next line decodes normally.
    buf.extend_from_slice(b"zzz\n/rooms\n");
    assert_eq!(codec.decode(&mut buf).unwrap(), Some(line("/rooms")));
}

#[test]
fn codec_flags_invalid_utf8_and_continues() {
    assert_eq!(
        decode_all(64, b"ok\n\xff\xfe\nstill ok\n"),
        vec![line("ok"), Frame::InvalidUtf8, line("still ok")]
    );
}

#[test]
fn codec_returns_an_unterminated_last_line_at_eof() {
    assert_eq!(
        decode_all(64, b"first\nlast"),
        vec![line("first"), line("last")]
    );
    assert_eq!(decode_all(4, b"first\n"), vec![Frame::TooLong]);
}

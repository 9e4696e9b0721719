//! Milestone 1: RESP2 framing, command parsing and the string keyspace with expiry, driven as a library.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use ex01_redis_clone::frame::{MAX_ARRAY_LEN, MAX_BULK_LEN, MAX_DEPTH, MAX_LINE_LEN};
use ex01_redis_clone::{
    Command, CommandError, Db, Frame, FrameError, ManualClock, SetArgs, SetCondition,
};

// ---------------------------------------------------------------------------------------------------------
// Framing

fn bulk(s: &str) -> Frame {
    Frame::Bulk(Bytes::copy_from_slice(s.as_bytes()))
}

fn parse_all(input: &[u8]) -> Frame {
    let (frame, used) = Frame::parse(input).expect("a complete frame");
    assert_eq!(
        used,
        input.len(),
        "parse must report every byte of the frame as used"
    );
    frame
}

fn is_protocol_error(result: Result<(Frame, usize), FrameError>) -> bool {
    matches!(result, Err(FrameError::Protocol(_)))
}

#[test]
fn parses_every_frame_type() {
    assert_eq!(parse_all(b"+OK\r\n"), Frame::Simple("OK".into()));
    assert_eq!(parse_all(b"-ERR boom\r\n"), Frame::Error("ERR boom".into()));
    assert_eq!(parse_all(b":0\r\n"), Frame::Integer(0));
    assert_eq!(parse_all(b":-42\r\n"), Frame::Integer(-42));
    assert_eq!(
        parse_all(b":9223372036854775807\r\n"),
        Frame::Integer(i64::MAX)
    );
    assert_eq!(parse_all(b"$5\r\nhello\r\n"), bulk("hello"));
    assert_eq!(parse_all(b"$0\r\n\r\n"), bulk(""));
    assert_eq!(parse_all(b"$-1\r\n"), Frame::Null);
    assert_eq!(parse_all(b"*-1\r\n"), Frame::Null);
    assert_eq!(parse_all(b"*0\r\n"), Frame::Array(vec![]));
    assert_eq!(
        parse_all(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n*2\r\n:1\r\n+x\r\n"),
        Frame::Array(vec![
            bulk("SET"),
            bulk("k"),
            Frame::Array(vec![Frame::Integer(1), Frame::Simple("x".into())])
        ])
    );
}

#[test]
fn bulk_strings_are_binary_safe() {
    let input = b"$6\r\na\r\n\0\xffb\r\n";
    assert_eq!(
        parse_all(input),
        Frame::Bulk(Bytes::from_static(b"a\r\n\0\xffb"))
    );
}

#[test]
fn leaves_pipelined_bytes_alone() {
    let input = b"*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nPING\r\n";
    let (frame, used) = Frame::parse(input).unwrap();
    assert_eq!(frame, Frame::Array(vec![bulk("PING")]));
    assert_eq!(used, 14);
    let (second, used2) = Frame::parse(&input[used..]).unwrap();
    assert_eq!(second, frame);
    assert_eq!(used + used2, input.len());
}

#[test]
fn every_proper_prefix_is_incomplete() {
    let input: &[u8] = b"*4\r\n$3\r\nSET\r\n$3\r\nkey\r\n*2\r\n:-7\r\n$-1\r\n+hello world\r\n";
    parse_all(input);
    for cut in 0..input.len() {
        assert_eq!(
            Frame::parse(&input[..cut]),
            Err(FrameError::Incomplete),
            "prefix of {cut} bytes {:?}",
            String::from_utf8_lossy(&input[..cut])
        );
    }
}

#[test]
fn rejects_malformed_input() {
    assert!(
        is_protocol_error(Frame::parse(b"?what\r\n")),
        "unknown type byte"
    );
    assert!(
        is_protocol_error(Frame::parse(b"PING\r\n")),
        "inline commands are not supported"
    );
    assert!(is_protocol_error(Frame::parse(b":12a\r\n")), "bad integer");
    assert!(
        is_protocol_error(Frame::parse(b"$abc\r\n")),
        "bad bulk length"
    );
    assert!(
        is_protocol_error(Frame::parse(b"$-2\r\n")),
        "negative bulk length other than -1"
    );
    assert!(
        is_protocol_error(Frame::parse(b"*-5\r\n")),
        "negative array length other than -1"
    );
    assert!(
        is_protocol_error(Frame::parse(b"$3\r\nabcXY")),
        "bulk not followed by CRLF"
    );
    assert!(
        is_protocol_error(Frame::parse(b"+\xff\xfe\r\n")),
        "simple strings are UTF-8"
    );
}

#[test]
fn rejects_oversized_lengths_before_the_data_arrives() {
    let too_big_bulk = format!("${}\r\n", MAX_BULK_LEN + 1);
    assert!(
        is_protocol_error(Frame::parse(too_big_bulk.as_bytes())),
        "bulk length above MAX_BULK_LEN"
    );
    let too_big_array = format!("*{}\r\n", MAX_ARRAY_LEN + 1);
    assert!(
        is_protocol_error(Frame::parse(too_big_array.as_bytes())),
        "array length above MAX_ARRAY_LEN"
    );
    // A huge but legal length is just incomplete.
    let big = format!("${}\r\n", MAX_BULK_LEN);
    assert_eq!(Frame::parse(big.as_bytes()), Err(FrameError::Incomplete));
}

#[test]
fn rejects_unterminated_lines_past_the_limit() {
    let mut line = vec![b'a'; MAX_LINE_LEN + 11];
    line[0] = b'+';
    assert!(
        is_protocol_error(Frame::parse(&line)),
        "a line longer than MAX_LINE_LEN with no CRLF"
    );
    let mut short = vec![b'a'; 101];
    short[0] = b'+';
    assert_eq!(Frame::parse(&short), Err(FrameError::Incomplete));
}

#[test]
fn rejects_deep_nesting() {
    let ok = "*1\r\n".repeat(MAX_DEPTH - 1) + ":1\r\n";
    assert!(
        Frame::parse(ok.as_bytes()).is_ok(),
        "{} levels of arrays are allowed",
        MAX_DEPTH - 1
    );
    let deep = "*1\r\n".repeat(MAX_DEPTH + 1) + ":1\r\n";
    assert!(is_protocol_error(Frame::parse(deep.as_bytes())));
    let very_deep = "*1\r\n".repeat(100_000);
    assert!(
        is_protocol_error(Frame::parse(very_deep.as_bytes())),
        "must not overflow the stack"
    );
}

#[test]
fn encodes_exact_bytes() {
    assert_eq!(&Frame::Simple("OK".into()).to_bytes()[..], b"+OK\r\n");
    assert_eq!(&Frame::Error("ERR x".into()).to_bytes()[..], b"-ERR x\r\n");
    assert_eq!(&Frame::Integer(-5).to_bytes()[..], b":-5\r\n");
    assert_eq!(&bulk("hey").to_bytes()[..], b"$3\r\nhey\r\n");
    assert_eq!(&Frame::Null.to_bytes()[..], b"$-1\r\n");
    assert_eq!(&Frame::Array(vec![]).to_bytes()[..], b"*0\r\n");
    assert_eq!(
        &Frame::command(["GET", "k"]).to_bytes()[..],
        b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"
    );
}

#[test]
fn encode_then_parse_round_trips() {
    let frames = vec![
        Frame::Simple("PONG".into()),
        Frame::Error("WRONGTYPE nope".into()),
        Frame::Integer(i64::MIN),
        Frame::Bulk(Bytes::from_static(b"\r\n\r\n\0")),
        Frame::Null,
        Frame::Array(vec![
            Frame::Null,
            Frame::Array(vec![bulk("a"), Frame::Integer(3)]),
            bulk(""),
        ]),
    ];
    for frame in frames {
        let bytes = frame.to_bytes();
        assert_eq!(parse_all(&bytes), frame);
    }
}

// ---------------------------------------------------------------------------------------------------------
// Commands

#[test]
fn commands_parse_case_insensitively_into_typed_values() {
    assert_eq!(
        Command::from_frame(Frame::command(["get", "k"])),
        Ok(Command::Get(Bytes::from("k")))
    );
    assert_eq!(
        Command::from_frame(Frame::command(["PiNg"])),
        Ok(Command::Ping(None))
    );
    assert_eq!(
        Command::from_frame(Frame::command(["set", "k", "v", "nx", "px", "1500"])),
        Ok(Command::Set(SetArgs {
            key: Bytes::from("k"),
            value: Bytes::from("v"),
            condition: SetCondition::IfAbsent,
            expire_millis: Some(1500),
            keep_ttl: false,
        }))
    );
    assert_eq!(
        Command::from_frame(Frame::command(["SET", "k", "v", "EX", "2", "XX"])),
        Ok(Command::Set(SetArgs {
            key: Bytes::from("k"),
            value: Bytes::from("v"),
            condition: SetCondition::IfPresent,
            expire_millis: Some(2000),
            keep_ttl: false,
        }))
    );
    assert_eq!(
        Command::from_frame(Frame::command(["DECRBY", "n", "5"])),
        Ok(Command::IncrBy {
            key: Bytes::from("n"),
            delta: -5
        })
    );
    assert_eq!(
        Command::from_frame(Frame::command(["expire", "k", "3"])),
        Ok(Command::Expire {
            key: Bytes::from("k"),
            millis: 3000
        })
    );
}

#[test]
fn command_errors_have_redis_texts() {
    let err = |parts: &[&str]| Command::from_frame(Frame::command(parts)).unwrap_err();
    assert_eq!(err(&["GET"]), CommandError::WrongArity("get".into()));
    assert_eq!(
        err(&["get", "a", "b"]),
        CommandError::WrongArity("get".into())
    );
    assert!(matches!(err(&["FLY", "me"]), CommandError::Unknown(name) if name == "FLY"));
    assert_eq!(err(&["SET", "k", "v", "EX"]), CommandError::Syntax);
    assert_eq!(err(&["SET", "k", "v", "NX", "XX"]), CommandError::Syntax);
    assert_eq!(
        err(&["SET", "k", "v", "EX", "1", "PX", "1"]),
        CommandError::Syntax
    );
    assert_eq!(
        err(&["SET", "k", "v", "EX", "1", "KEEPTTL"]),
        CommandError::Syntax
    );
    assert_eq!(err(&["SET", "k", "v", "BOGUS"]), CommandError::Syntax);
    assert_eq!(
        err(&["SET", "k", "v", "EX", "ten"]),
        CommandError::NotAnInteger
    );
    assert_eq!(
        err(&["SET", "k", "v", "EX", "0"]),
        CommandError::InvalidExpire("set".into())
    );
    assert_eq!(
        err(&["SET", "k", "v", "PX", "-1"]),
        CommandError::InvalidExpire("set".into())
    );
    assert_eq!(err(&["INCRBY", "k", "1.5"]), CommandError::NotAnInteger);

    assert_eq!(
        CommandError::WrongArity("get".into()).to_string(),
        "ERR wrong number of arguments for 'get' command"
    );
    assert_eq!(
        CommandError::Syntax.to_frame(),
        Frame::Error("ERR syntax error".into())
    );
    assert!(CommandError::Unknown("FLY".into())
        .to_string()
        .starts_with("ERR unknown command 'FLY'"));

    assert_eq!(
        Command::from_frame(bulk("GET")),
        Err(CommandError::NotACommand)
    );
    assert_eq!(
        Command::from_frame(Frame::Array(vec![])),
        Err(CommandError::NotACommand)
    );
    assert_eq!(
        Command::from_frame(Frame::Array(vec![bulk("GET"), Frame::Integer(1)])),
        Err(CommandError::NotACommand)
    );
}

// ---------------------------------------------------------------------------------------------------------
// The keyspace

const T0: u64 = 1_700_000_000_000;

fn setup() -> (Db, ManualClock) {
    let clock = ManualClock::new(T0);
    (Db::with_clock(Arc::new(clock.clone())), clock)
}

fn run(db: &Db, parts: &[&str]) -> Frame {
    db.execute_frame(Frame::command(parts))
}

fn is_error(frame: &Frame, prefix: &str) -> bool {
    matches!(frame, Frame::Error(text) if text.starts_with(prefix))
}

#[test]
fn ping_and_echo() {
    let (db, _) = setup();
    assert_eq!(run(&db, &["PING"]), Frame::Simple("PONG".into()));
    assert_eq!(run(&db, &["PING", "hi"]), bulk("hi"));
    assert_eq!(run(&db, &["ECHO", "hello"]), bulk("hello"));
}

#[test]
fn set_get_del_exists() {
    let (db, _) = setup();
    assert_eq!(run(&db, &["GET", "k"]), Frame::Null);
    assert_eq!(run(&db, &["SET", "k", "v1"]), Frame::ok());
    assert_eq!(run(&db, &["GET", "k"]), bulk("v1"));
    assert_eq!(run(&db, &["SET", "k", "v2"]), Frame::ok());
    assert_eq!(run(&db, &["GET", "k"]), bulk("v2"));
    assert_eq!(run(&db, &["SET", "other", "x"]), Frame::ok());
    assert_eq!(
        run(&db, &["EXISTS", "k", "k", "nope", "other"]),
        Frame::Integer(3),
        "duplicates count twice"
    );
    assert_eq!(run(&db, &["DEL", "k", "nope", "k"]), Frame::Integer(1));
    assert_eq!(run(&db, &["GET", "k"]), Frame::Null);
    assert_eq!(run(&db, &["EXISTS", "k"]), Frame::Integer(0));
}

#[test]
fn values_are_binary_safe() {
    let (db, _) = setup();
    let value: &[u8] = b"\0\r\n\xff";
    db.execute_frame(Frame::command([b"SET".as_slice(), b"bin", value]));
    assert_eq!(
        db.execute_frame(Frame::command([b"GET".as_slice(), b"bin"])),
        Frame::Bulk(Bytes::from_static(value))
    );
}

#[test]
fn set_nx_and_xx() {
    let (db, _) = setup();
    assert_eq!(
        run(&db, &["SET", "k", "a", "XX"]),
        Frame::Null,
        "XX on a missing key does nothing"
    );
    assert_eq!(run(&db, &["GET", "k"]), Frame::Null);
    assert_eq!(run(&db, &["SET", "k", "a", "NX"]), Frame::ok());
    assert_eq!(
        run(&db, &["SET", "k", "b", "NX"]),
        Frame::Null,
        "NX on an existing key does nothing"
    );
    assert_eq!(run(&db, &["GET", "k"]), bulk("a"));
    assert_eq!(run(&db, &["SET", "k", "c", "XX"]), Frame::ok());
    assert_eq!(run(&db, &["GET", "k"]), bulk("c"));
}

#[test]
fn incr_family() {
    let (db, _) = setup();
    assert_eq!(
        run(&db, &["INCR", "n"]),
        Frame::Integer(1),
        "a missing key counts as 0"
    );
    assert_eq!(run(&db, &["INCRBY", "n", "41"]), Frame::Integer(42));
    assert_eq!(run(&db, &["DECR", "n"]), Frame::Integer(41));
    assert_eq!(run(&db, &["DECRBY", "n", "50"]), Frame::Integer(-9));
    assert_eq!(
        run(&db, &["GET", "n"]),
        bulk("-9"),
        "counters are stored as decimal strings"
    );

    run(&db, &["SET", "s", "abc"]);
    assert!(is_error(
        &run(&db, &["INCR", "s"]),
        "ERR value is not an integer"
    ));
    run(&db, &["SET", "f", "1.5"]);
    assert!(is_error(
        &run(&db, &["INCR", "f"]),
        "ERR value is not an integer"
    ));
    run(&db, &["SET", "max", &i64::MAX.to_string()]);
    assert!(is_error(
        &run(&db, &["INCR", "max"]),
        "ERR increment or decrement would overflow"
    ));
    assert_eq!(
        run(&db, &["GET", "max"]),
        bulk(&i64::MAX.to_string()),
        "a failed INCR changes nothing"
    );
}

#[test]
fn set_ex_expires_exactly_at_the_deadline() {
    let (db, clock) = setup();
    assert_eq!(run(&db, &["SET", "k", "v", "EX", "10"]), Frame::ok());
    clock.advance(Duration::from_millis(9_999));
    assert_eq!(run(&db, &["GET", "k"]), bulk("v"));
    clock.advance(Duration::from_millis(1));
    assert_eq!(run(&db, &["GET", "k"]), Frame::Null);
    assert_eq!(run(&db, &["EXISTS", "k"]), Frame::Integer(0));
    assert_eq!(run(&db, &["TTL", "k"]), Frame::Integer(-2));
}

#[test]
fn set_px_and_ttl_reporting() {
    let (db, clock) = setup();
    assert_eq!(run(&db, &["TTL", "missing"]), Frame::Integer(-2));
    run(&db, &["SET", "plain", "v"]);
    assert_eq!(run(&db, &["TTL", "plain"]), Frame::Integer(-1));
    assert_eq!(run(&db, &["PTTL", "plain"]), Frame::Integer(-1));

    run(&db, &["SET", "k", "v", "PX", "10000"]);
    assert_eq!(run(&db, &["PTTL", "k"]), Frame::Integer(10_000));
    clock.advance(Duration::from_millis(400));
    assert_eq!(run(&db, &["PTTL", "k"]), Frame::Integer(9_600));
    assert_eq!(
        run(&db, &["TTL", "k"]),
        Frame::Integer(10),
        "TTL rounds to the nearest second"
    );
    clock.advance(Duration::from_millis(200));
    assert_eq!(run(&db, &["TTL", "k"]), Frame::Integer(9));
}

#[test]
fn which_writes_keep_the_ttl() {
    let (db, clock) = setup();
    run(&db, &["SET", "k", "v", "EX", "100"]);
    run(&db, &["SET", "k", "v2"]);
    assert_eq!(
        run(&db, &["TTL", "k"]),
        Frame::Integer(-1),
        "a plain SET clears the TTL"
    );

    run(&db, &["SET", "k", "v", "EX", "100"]);
    run(&db, &["SET", "k", "v3", "KEEPTTL"]);
    assert_eq!(
        run(&db, &["TTL", "k"]),
        Frame::Integer(100),
        "KEEPTTL keeps it"
    );
    assert_eq!(run(&db, &["GET", "k"]), bulk("v3"));

    run(&db, &["SET", "n", "1", "EX", "100"]);
    assert_eq!(run(&db, &["INCR", "n"]), Frame::Integer(2));
    assert_eq!(
        run(&db, &["TTL", "n"]),
        Frame::Integer(100),
        "INCR keeps it"
    );
    clock.advance(Duration::from_secs(100));
    assert_eq!(run(&db, &["GET", "n"]), Frame::Null);
    assert_eq!(
        run(&db, &["INCR", "n"]),
        Frame::Integer(1),
        "an expired counter starts again from 0"
    );
    assert_eq!(run(&db, &["TTL", "n"]), Frame::Integer(-1));
}

#[test]
fn expire_pexpire_and_persist() {
    let (db, clock) = setup();
    assert_eq!(run(&db, &["EXPIRE", "nope", "10"]), Frame::Integer(0));
    run(&db, &["SET", "k", "v"]);
    assert_eq!(run(&db, &["EXPIRE", "k", "10"]), Frame::Integer(1));
    assert_eq!(run(&db, &["TTL", "k"]), Frame::Integer(10));
    assert_eq!(run(&db, &["PEXPIRE", "k", "2500"]), Frame::Integer(1));
    assert_eq!(run(&db, &["PTTL", "k"]), Frame::Integer(2_500));
    assert_eq!(run(&db, &["PERSIST", "k"]), Frame::Integer(1));
    assert_eq!(
        run(&db, &["PERSIST", "k"]),
        Frame::Integer(0),
        "nothing left to remove"
    );
    assert_eq!(run(&db, &["TTL", "k"]), Frame::Integer(-1));
    clock.advance(Duration::from_secs(3600));
    assert_eq!(run(&db, &["GET", "k"]), bulk("v"));

    assert_eq!(
        run(&db, &["EXPIRE", "k", "0"]),
        Frame::Integer(1),
        "a non-positive TTL deletes the key"
    );
    assert_eq!(run(&db, &["EXISTS", "k"]), Frame::Integer(0));
    run(&db, &["SET", "k", "v"]);
    assert_eq!(run(&db, &["PEXPIRE", "k", "-5"]), Frame::Integer(1));
    assert_eq!(run(&db, &["GET", "k"]), Frame::Null);
    assert!(is_error(
        &run(&db, &["EXPIRE", "k", "soon"]),
        "ERR value is not an integer"
    ));
}

#[test]
fn expired_keys_are_invisible_to_every_command() {
    let (db, clock) = setup();
    run(&db, &["SET", "a", "1", "PX", "5"]);
    run(&db, &["SET", "b", "2", "PX", "5"]);
    clock.advance(Duration::from_millis(5));
    assert_eq!(
        run(&db, &["DEL", "a"]),
        Frame::Integer(0),
        "deleting an expired key deletes nothing"
    );
    assert_eq!(run(&db, &["EXISTS", "b"]), Frame::Integer(0));
    assert_eq!(
        run(&db, &["EXPIRE", "b", "100"]),
        Frame::Integer(0),
        "an expired key cannot be revived"
    );
    assert_eq!(run(&db, &["PERSIST", "b"]), Frame::Integer(0));
    assert_eq!(
        run(&db, &["SET", "b", "3", "NX"]),
        Frame::ok(),
        "NX treats an expired key as absent"
    );
    assert_eq!(
        run(&db, &["SET", "a", "4", "XX"]),
        Frame::Null,
        "XX treats an expired key as absent"
    );
    assert_eq!(run(&db, &["GET", "b"]), bulk("3"));
}

#[test]
fn purge_expired_removes_only_expired_keys() {
    let (db, clock) = setup();
    for i in 0..10 {
        run(&db, &["SET", &format!("short{i}"), "v", "PX", "100"]);
        run(&db, &["SET", &format!("long{i}"), "v", "PX", "10000"]);
        run(&db, &["SET", &format!("forever{i}"), "v"]);
    }
    assert_eq!(db.purge_expired(), 0);
    clock.advance(Duration::from_millis(100));
    assert_eq!(db.purge_expired(), 10);
    assert_eq!(db.purge_expired(), 0);
    assert_eq!(
        run(&db, &["EXISTS", "long3", "forever3", "short3"]),
        Frame::Integer(2)
    );
}

#[test]
fn clones_share_one_keyspace_and_commands_are_atomic() {
    let (db, _) = setup();
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let db = db.clone();
            std::thread::spawn(move || {
                for _ in 0..1000 {
                    run(&db, &["INCR", "counter"]);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(run(&db, &["GET", "counter"]), bulk("4000"));
}

#[test]
fn invalid_commands_become_error_replies() {
    let (db, _) = setup();
    assert!(is_error(&run(&db, &["NOSUCH"]), "ERR unknown command"));
    assert!(is_error(
        &run(&db, &["SET", "k"]),
        "ERR wrong number of arguments for 'set' command"
    ));
    assert!(is_error(&db.execute_frame(Frame::Integer(1)), "ERR"));
}

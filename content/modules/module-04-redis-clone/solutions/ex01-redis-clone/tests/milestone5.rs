//! Milestone 5: pub/sub. Every test but the glob ones starts a server on 127.0.0.1:0 and checks the exact
//! bytes Redis 7 sends over RESP2, with raw TCP clients (the stand-in for `redis-cli`, which the tests cannot
//! run).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::{Buf, Bytes, BytesMut};
use ex01_redis_clone::pubsub::SUBSCRIBER_QUEUE_LIMIT;
use ex01_redis_clone::{glob_match, serve, Db, Frame, FrameError};
use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, RngAlgorithm, TestRng, TestRunner};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::time::timeout;

const LIMIT: Duration = Duration::from_secs(10);

async fn start() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(serve(listener, Db::new()));
    addr
}

struct Client {
    stream: TcpStream,
    buf: BytesMut,
}

impl Client {
    async fn connect(addr: SocketAddr) -> Client {
        let stream = timeout(LIMIT, TcpStream::connect(addr))
            .await
            .unwrap()
            .unwrap();
        Client {
            stream,
            buf: BytesMut::new(),
        }
    }

    async fn send(&mut self, parts: &[&[u8]]) {
        let bytes = Frame::command(parts).to_bytes();
        self.stream.write_all(&bytes).await.unwrap();
    }

    /// Reads exactly `expected.len()` bytes and checks they are `expected`.
    async fn expect(&mut self, expected: &[u8]) {
        while self.buf.len() < expected.len() {
            let read = timeout(LIMIT, self.stream.read_buf(&mut self.buf))
                .await
                .unwrap_or_else(|_| {
                    panic!(
                        "waited for {:?}, got only {:?}",
                        String::from_utf8_lossy(expected),
                        String::from_utf8_lossy(&self.buf)
                    )
                })
                .unwrap();
            assert!(
                read > 0,
                "connection closed; expected {:?}, got {:?}",
                String::from_utf8_lossy(expected),
                String::from_utf8_lossy(&self.buf)
            );
        }
        let got = self.buf.split_to(expected.len());
        assert_eq!(
            String::from_utf8_lossy(&got),
            String::from_utf8_lossy(expected)
        );
    }

    /// Sends a command and checks the exact bytes of the reply.
    async fn call(&mut self, parts: &[&[u8]], expected: &[u8]) {
        self.send(parts).await;
        self.expect(expected).await;
    }

    /// The next frame, or None once the server has closed the connection (or reset it).
    async fn frame(&mut self) -> Option<Frame> {
        timeout(LIMIT, async {
            loop {
                match Frame::parse(&self.buf) {
                    Ok((frame, used)) => {
                        self.buf.advance(used);
                        return Some(frame);
                    }
                    Err(FrameError::Incomplete) => {}
                    Err(err) => panic!("server sent invalid RESP: {err}"),
                }
                if self.stream.read_buf(&mut self.buf).await.unwrap_or(0) == 0 {
                    return None;
                }
            }
        })
        .await
        .expect("nothing arrived within the time limit")
    }
}

fn bulk(s: &[u8]) -> Frame {
    Frame::Bulk(Bytes::copy_from_slice(s))
}

fn message(channel: &[u8], payload: &[u8]) -> Vec<u8> {
    Frame::command([b"message".as_slice(), channel, payload])
        .to_bytes()
        .to_vec()
}

fn pmessage(pattern: &[u8], channel: &[u8], payload: &[u8]) -> Vec<u8> {
    Frame::command([b"pmessage".as_slice(), pattern, channel, payload])
        .to_bytes()
        .to_vec()
}

const PONG: &[u8] = b"*2\r\n$4\r\npong\r\n$0\r\n\r\n";

#[tokio::test]
async fn subscribe_confirms_each_channel_with_a_running_count() {
    let addr = start().await;
    let mut s = Client::connect(addr).await;
    s.call(
        &[b"SUBSCRIBE", b"news", b"sport"],
        b"*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n*3\r\n$9\r\nsubscribe\r\n$5\r\nsport\r\n:2\r\n",
    )
    .await;
    s.call(
        &[b"subscribe", b"news"],
        b"*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:2\r\n",
    )
    .await;
    s.call(
        &[b"PSUBSCRIBE", b"n*", b"s?ort"],
        b"*3\r\n$10\r\npsubscribe\r\n$2\r\nn*\r\n:3\r\n*3\r\n$10\r\npsubscribe\r\n$5\r\ns?ort\r\n:4\r\n",
    )
    .await;
    s.call(&[b"PING"], PONG).await;
}

#[tokio::test]
async fn publish_delivers_message_arrays_and_replies_with_receivers() {
    let addr = start().await;
    let mut a = Client::connect(addr).await;
    let mut b = Client::connect(addr).await;
    let mut other = Client::connect(addr).await;
    let mut p = Client::connect(addr).await;
    let news_confirmation = b"*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n";
    a.call(&[b"SUBSCRIBE", b"news"], news_confirmation).await;
    b.call(&[b"SUBSCRIBE", b"news"], news_confirmation).await;
    other
        .call(
            &[b"SUBSCRIBE", b"other"],
            b"*3\r\n$9\r\nsubscribe\r\n$5\r\nother\r\n:1\r\n",
        )
        .await;

    p.call(&[b"PUBLISH", b"news", b"hello"], b":2\r\n").await;
    a.expect(b"*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nhello\r\n")
        .await;
    b.expect(&message(b"news", b"hello")).await;
    p.call(&[b"PUBLISH", b"nobody", b"x"], b":0\r\n").await;
    p.call(&[b"publish", b"news", b"\x00\r\n*1\r\n\xff"], b":2\r\n")
        .await;
    a.expect(&message(b"news", b"\x00\r\n*1\r\n\xff")).await;
    b.expect(&message(b"news", b"\x00\r\n*1\r\n\xff")).await;

    // A pipeline of publishes arrives in order.
    let mut batch = BytesMut::new();
    let mut expected = Vec::new();
    for i in 0..100 {
        let payload = format!("m{i}");
        Frame::command([b"PUBLISH".as_slice(), b"news", payload.as_bytes()]).encode(&mut batch);
        expected.extend(message(b"news", payload.as_bytes()));
    }
    p.stream.write_all(&batch).await.unwrap();
    p.expect(&b":2\r\n".repeat(100)).await;
    a.expect(&expected).await;
    b.expect(&expected).await;

    // The subscriber of another channel received nothing: its next bytes are the reply to PING.
    other.call(&[b"PING"], PONG).await;
}

#[tokio::test]
async fn unsubscribe_confirms_and_returns_the_connection_to_normal_mode() {
    let addr = start().await;
    let mut s = Client::connect(addr).await;
    let mut p = Client::connect(addr).await;
    s.send(&[b"SUBSCRIBE", b"a", b"b", b"c"]).await;
    for _ in 0..3 {
        s.frame().await.unwrap();
    }
    s.call(
        &[b"UNSUBSCRIBE", b"b"],
        b"*3\r\n$11\r\nunsubscribe\r\n$1\r\nb\r\n:2\r\n",
    )
    .await;
    s.call(
        &[b"UNSUBSCRIBE", b"nope"],
        b"*3\r\n$11\r\nunsubscribe\r\n$4\r\nnope\r\n:2\r\n",
    )
    .await;

    // Messages published before the UNSUBSCRIBE was sent arrive before its confirmation.
    for i in 0..20 {
        p.call(&[b"PUBLISH", b"a", format!("{i}").as_bytes()], b":1\r\n")
            .await;
    }
    p.call(&[b"PUBLISH", b"b", b"gone"], b":0\r\n").await;
    s.send(&[b"UNSUBSCRIBE"]).await;
    for i in 0..20 {
        s.expect(&message(b"a", format!("{i}").as_bytes())).await;
    }
    // Without arguments: one confirmation per remaining channel, in any order, counting down.
    let mut left = Vec::new();
    for count in [1, 0] {
        match s.frame().await {
            Some(Frame::Array(items)) if items.len() == 3 => {
                assert_eq!(items[0], bulk(b"unsubscribe"));
                assert_eq!(items[2], Frame::Integer(count));
                left.push(items[1].clone());
            }
            other => panic!("expected an unsubscribe confirmation, got {other:?}"),
        }
    }
    left.sort_by_key(|f| format!("{f:?}"));
    assert_eq!(left, vec![bulk(b"a"), bulk(b"c")]);
    s.call(
        &[b"UNSUBSCRIBE"],
        b"*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n",
    )
    .await;

    // Back to normal: every command works again and nothing is delivered any more.
    s.call(&[b"SET", b"k", b"v"], b"+OK\r\n").await;
    s.call(&[b"GET", b"k"], b"$1\r\nv\r\n").await;
    s.call(&[b"PING"], b"+PONG\r\n").await;
    p.call(&[b"PUBLISH", b"a", b"x"], b":0\r\n").await;
}

#[tokio::test]
async fn psubscribe_receives_pmessage_for_matching_channels() {
    let addr = start().await;
    let mut s = Client::connect(addr).await;
    let mut p = Client::connect(addr).await;
    s.call(
        &[b"PSUBSCRIBE", b"news.*"],
        b"*3\r\n$10\r\npsubscribe\r\n$6\r\nnews.*\r\n:1\r\n",
    )
    .await;
    p.call(&[b"PUBLISH", b"news.tech", b"rust"], b":1\r\n")
        .await;
    s.expect(b"*4\r\n$8\r\npmessage\r\n$6\r\nnews.*\r\n$9\r\nnews.tech\r\n$4\r\nrust\r\n")
        .await;
    p.call(&[b"PUBLISH", b"weather", b"sun"], b":0\r\n").await;
    p.call(&[b"PUBLISH", b"news", b"x"], b":0\r\n").await;

    // A channel and two patterns that all match: three deliveries, each counted.
    s.call(
        &[b"SUBSCRIBE", b"news.tech"],
        b"*3\r\n$9\r\nsubscribe\r\n$9\r\nnews.tech\r\n:2\r\n",
    )
    .await;
    s.call(
        &[b"PSUBSCRIBE", b"*.tech"],
        b"*3\r\n$10\r\npsubscribe\r\n$6\r\n*.tech\r\n:3\r\n",
    )
    .await;
    p.call(&[b"PUBLISH", b"news.tech", b"x"], b":3\r\n").await;
    let mut got = Vec::new();
    for _ in 0..3 {
        got.push(s.frame().await.unwrap().to_bytes().to_vec());
    }
    got.sort();
    let mut expected = vec![
        message(b"news.tech", b"x"),
        pmessage(b"news.*", b"news.tech", b"x"),
        pmessage(b"*.tech", b"news.tech", b"x"),
    ];
    expected.sort();
    assert_eq!(got, expected);

    s.call(
        &[b"PUNSUBSCRIBE", b"news.*"],
        b"*3\r\n$12\r\npunsubscribe\r\n$6\r\nnews.*\r\n:2\r\n",
    )
    .await;
    s.call(
        &[b"PUNSUBSCRIBE"],
        b"*3\r\n$12\r\npunsubscribe\r\n$6\r\n*.tech\r\n:1\r\n",
    )
    .await;
    s.call(
        &[b"PUNSUBSCRIBE"],
        b"*3\r\n$12\r\npunsubscribe\r\n$-1\r\n:1\r\n",
    )
    .await;
    p.call(&[b"PUBLISH", b"news.tech", b"y"], b":1\r\n").await;
    s.expect(&message(b"news.tech", b"y")).await;
}

#[tokio::test]
async fn a_subscribed_connection_accepts_only_subscription_commands_ping_and_quit() {
    let addr = start().await;
    let mut s = Client::connect(addr).await;
    let mut p = Client::connect(addr).await;
    s.call(
        &[b"SUBSCRIBE", b"ch"],
        b"*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n",
    )
    .await;
    for (command, name) in [
        (vec![b"GET".as_slice(), b"k"], "get"),
        (vec![b"set", b"k", b"v"], "set"),
        (vec![b"PUBLISH", b"ch", b"x"], "publish"),
        (vec![b"DBSIZE"], "dbsize"),
    ] {
        let expected = format!(
            "-ERR Can't execute '{name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n"
        );
        s.call(&command, expected.as_bytes()).await;
    }
    s.call(&[b"PING"], PONG).await;
    s.call(&[b"ping", b"hi"], b"*2\r\n$4\r\npong\r\n$2\r\nhi\r\n")
        .await;
    s.send(&[b"NOSUCHCOMMAND"]).await;
    match s.frame().await {
        Some(Frame::Error(e)) => assert!(e.starts_with("ERR unknown command"), "{e}"),
        other => panic!("expected an error, got {other:?}"),
    }

    // Still subscribed, and nothing was written by the refused SET.
    p.call(&[b"PUBLISH", b"ch", b"still"], b":1\r\n").await;
    s.expect(&message(b"ch", b"still")).await;
    p.call(&[b"GET", b"k"], b"$-1\r\n").await;

    s.call(&[b"QUIT"], b"+OK\r\n").await;
    assert_eq!(s.frame().await, None, "QUIT closes the connection");
    let deadline = Instant::now() + LIMIT;
    loop {
        p.send(&[b"PUBLISH", b"ch", b"x"]).await;
        if p.frame().await == Some(Frame::Integer(0)) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "a closed connection stays subscribed"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn pubsub_commands_check_their_arguments_and_quit_works_anywhere() {
    let addr = start().await;
    let mut c = Client::connect(addr).await;
    c.call(
        &[b"SUBSCRIBE"],
        b"-ERR wrong number of arguments for 'subscribe' command\r\n",
    )
    .await;
    c.call(
        &[b"PSUBSCRIBE"],
        b"-ERR wrong number of arguments for 'psubscribe' command\r\n",
    )
    .await;
    c.call(
        &[b"PUBLISH", b"ch"],
        b"-ERR wrong number of arguments for 'publish' command\r\n",
    )
    .await;
    c.call(
        &[b"PUBLISH", b"ch", b"a", b"b"],
        b"-ERR wrong number of arguments for 'publish' command\r\n",
    )
    .await;
    // None of that subscribed the connection.
    c.call(&[b"GET", b"k"], b"$-1\r\n").await;
    c.call(&[b"PUBLISH", b"ch", b"x"], b":0\r\n").await;
    c.call(&[b"QUIT"], b"+OK\r\n").await;
    assert_eq!(c.frame().await, None, "QUIT closes the connection");
}

#[tokio::test]
async fn closed_subscribers_are_forgotten() {
    let addr = start().await;
    let mut p = Client::connect(addr).await;
    {
        let mut s = Client::connect(addr).await;
        s.send(&[b"SUBSCRIBE", b"ch"]).await;
        s.send(&[b"PSUBSCRIBE", b"c*"]).await;
        s.frame().await.unwrap();
        s.frame().await.unwrap();
        p.call(&[b"PUBLISH", b"ch", b"x"], b":2\r\n").await;
    } // dropped without unsubscribing
    let deadline = Instant::now() + LIMIT;
    loop {
        p.send(&[b"PUBLISH", b"ch", b"x"]).await;
        if p.frame().await == Some(Frame::Integer(0)) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "a closed connection stays subscribed"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// The number of the message that tells the fast subscriber that publishing is over.
const END: usize = 99_999_999;

/// The payload of message number `i`: its number, padded to 16 KiB.
fn payload(i: usize) -> Vec<u8> {
    let mut payload = format!("{i:08}").into_bytes();
    payload.resize(16 * 1024, b'.');
    payload
}

fn message_number(frame: &Frame) -> usize {
    match frame {
        Frame::Array(items) if items.len() == 3 && items[0] == bulk(b"message") => {
            match &items[2] {
                Frame::Bulk(p) => std::str::from_utf8(&p[..8]).unwrap().parse().unwrap(),
                other => panic!("not a payload: {other:?}"),
            }
        }
        other => panic!("expected a message, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_slow_subscriber_is_disconnected_and_never_slows_publishers() {
    let addr = start().await;
    // The slow subscriber never reads; a small receive buffer keeps the kernel from absorbing much for it.
    let socket = TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(64 * 1024).unwrap();
    let stream = timeout(LIMIT, socket.connect(addr)).await.unwrap().unwrap();
    let mut slow = Client {
        stream,
        buf: BytesMut::new(),
    };
    slow.call(
        &[b"SUBSCRIBE", b"firehose"],
        b"*3\r\n$9\r\nsubscribe\r\n$8\r\nfirehose\r\n:1\r\n",
    )
    .await;
    let mut fast = Client::connect(addr).await;
    fast.call(
        &[b"SUBSCRIBE", b"firehose"],
        b"*3\r\n$9\r\nsubscribe\r\n$8\r\nfirehose\r\n:1\r\n",
    )
    .await;
    let reader = tokio::spawn(async move {
        let mut received = 0;
        while let Some(frame) = fast.frame().await {
            let number = message_number(&frame);
            if number == END {
                return received;
            }
            assert_eq!(number, received, "the fast subscriber missed a message");
            received += 1;
        }
        panic!("the fast subscriber was disconnected after {received} messages");
    });

    // 32 MiB of messages is far more than the queue limit plus any kernel buffers.
    let max = 2048;
    assert!(max * 16 * 1024 > 16 * SUBSCRIBER_QUEUE_LIMIT);
    let mut p = Client::connect(addr).await;
    let mut dropped_at = None;
    let mut published = 0;
    while published < max {
        let sent = Instant::now();
        p.send(&[b"PUBLISH", b"firehose", &payload(published)])
            .await;
        let receivers = p.frame().await;
        assert!(
            sent.elapsed() < Duration::from_secs(5),
            "PUBLISH {published} waited {:?} for a subscriber",
            sent.elapsed()
        );
        published += 1;
        match receivers {
            Some(Frame::Integer(2)) if dropped_at.is_none() => {}
            Some(Frame::Integer(1)) => {
                let at = *dropped_at.get_or_insert(published);
                if published >= at + 50 {
                    break;
                }
            }
            other => panic!("PUBLISH {published} replied {other:?}"),
        }
    }
    let dropped_at = dropped_at.expect("the subscriber that never reads was never disconnected");
    p.call(&[b"PUBLISH", b"firehose", &payload(END)], b":1\r\n")
        .await;

    // The slow subscriber gets a prefix of the messages, in order, then end of stream.
    let mut received = 0;
    while let Some(frame) = slow.frame().await {
        assert_eq!(
            message_number(&frame),
            received,
            "a hole in the slow subscriber's stream"
        );
        received += 1;
    }
    assert!(
        received < dropped_at,
        "{received} messages reached the slow subscriber, dropped at {dropped_at}"
    );

    // The fast subscriber got every message, in order.
    let got = timeout(LIMIT, reader).await.unwrap().unwrap();
    assert_eq!(got, published);
}

#[test]
fn glob_patterns_follow_redis_rules() {
    let cases: &[(&str, &str, bool)] = &[
        ("news.*", "news.tech", true),
        ("news.*", "news.", true),
        ("news.*", "news", false),
        ("*", "", true),
        ("*", "anything at all", true),
        ("", "", true),
        ("", "x", false),
        ("h?llo", "hello", true),
        ("h?llo", "hllo", false),
        ("h*llo", "hllo", true),
        ("h*llo", "heeeello", true),
        ("h*llo", "hello!", false),
        ("h[ae]llo", "hallo", true),
        ("h[ae]llo", "hillo", false),
        ("h[^e]llo", "hallo", true),
        ("h[^e]llo", "hello", false),
        ("h[a-c]llo", "hbllo", true),
        ("h[a-c]llo", "hdllo", false),
        ("h[c-a]llo", "hbllo", true),
        ("h\\*llo", "h*llo", true),
        ("h\\*llo", "hello", false),
        ("h[\\]]llo", "h]llo", true),
        ("*.tech", "news.tech", true),
        ("*.tech", "news.techno", false),
        ("a*b*c", "a__b__c", true),
        ("a*b*c", "a__c__b", false),
        (
            "*a*a*a*a*a*a*a*a*b",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            false,
        ),
        ("user:?:*", "user:1:name", true),
        ("user:?:*", "user:12:name", false),
        ("N*", "news", false),
    ];
    for (pattern, subject, expected) in cases {
        assert_eq!(
            glob_match(pattern.as_bytes(), subject.as_bytes()),
            *expected,
            "glob_match({pattern:?}, {subject:?})"
        );
    }
}

/// `s` with every glob special character escaped, so that it matches itself only.
fn escape(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for &b in s {
        if b"*?[]^\\-".contains(&b) {
            out.push(b'\\');
        }
        out.push(b);
    }
    out
}

fn check_escaped(s: Vec<u8>, t: Vec<u8>) -> Result<(), TestCaseError> {
    let literal = escape(&s);
    prop_assert_eq!(glob_match(&literal, &t), s == t);
    prop_assert!(glob_match(&literal, &s));
    let contains = [b"*".as_slice(), &literal, b"*"].concat();
    let expected = s.is_empty() || t.windows(s.len()).any(|w| w == s.as_slice());
    prop_assert_eq!(glob_match(&contains, &t), expected);
    let prefix_and_one = [literal.as_slice(), b"?"].concat();
    prop_assert_eq!(
        glob_match(&prefix_and_one, &t),
        t.len() == s.len() + 1 && t.starts_with(&s)
    );
    Ok(())
}

#[test]
fn escaped_patterns_match_only_their_literal_text() {
    let config = ProptestConfig {
        cases: 512,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    let mut runner =
        TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha));
    let text = || prop::collection::vec(prop::sample::select(b"ab*?[]^\\-".to_vec()), 0..8);
    if let Err(e) = runner.run(&(text(), text()), |(s, t)| check_escaped(s, t)) {
        panic!("{e}");
    }
}

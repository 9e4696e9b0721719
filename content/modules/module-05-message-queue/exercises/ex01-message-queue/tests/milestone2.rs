//! Milestone 2: the broker on the network, through real TCP connections to 127.0.0.1.
//!
//! Some tests speak the wire protocol byte by byte (the README's specification); the others use the crate's
//! `Client`. Ack deadlines use a `ManualClock` the tests advance; only the long-poll tests wait, and for
//! fractions of a second.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::thread;
use std::time::{Duration, Instant};

use ex01_message_queue::{
    Broker, Client, DeadLetter, DeadLetterReason, Delivery, DeliveryConfig, ErrorCode, FsyncPolicy,
    LogConfig, ManualClock, MqError, Server, ServerConfig,
};

const ACK_TIMEOUT: Duration = Duration::from_secs(30);
const MAX_FRAME: usize = 64 * 1024;
const NO_WAIT: Duration = Duration::ZERO;

const PRODUCE: u8 = 1;
const FETCH: u8 = 2;
const ACK: u8 = 3;
const NACK: u8 = 4;
const COMMITTED: u8 = 5;

fn log_config() -> LogConfig {
    LogConfig {
        segment_bytes: 1024,
        index_interval_bytes: 256,
        max_message_bytes: 4096,
        fsync: FsyncPolicy::Never,
    }
}

fn start(dir: &Path, clock: &ManualClock) -> Server {
    let delivery = DeliveryConfig {
        ack_timeout: ACK_TIMEOUT,
        max_attempts: 5,
        max_in_flight: 1000,
    };
    let broker = Broker::open_with(dir, log_config(), delivery, clock.clone()).unwrap();
    let config = ServerConfig {
        max_frame_bytes: MAX_FRAME,
    };
    Server::start("127.0.0.1:0", broker, config).unwrap()
}

fn connect(addr: SocketAddr) -> Client {
    Client::connect(addr).unwrap()
}

fn delivery(offset: u64, attempt: u32, payload: &[u8]) -> Delivery {
    Delivery {
        offset,
        attempt,
        payload: payload.to_vec(),
    }
}

fn attempts(deliveries: &[Delivery]) -> Vec<(u64, u32)> {
    deliveries.iter().map(|d| (d.offset, d.attempt)).collect()
}

fn is_code<T>(result: Result<T, MqError>, expected: ErrorCode) -> bool {
    matches!(result, Err(MqError::Server { code, .. }) if code == expected)
}

// The wire protocol by hand: big-endian integers, strings with a u16 length, bytes with a u32 length.

fn string(s: &str) -> Vec<u8> {
    let mut out = (s.len() as u16).to_be_bytes().to_vec();
    out.extend_from_slice(s.as_bytes());
    out
}

fn bytes(b: &[u8]) -> Vec<u8> {
    let mut out = (b.len() as u32).to_be_bytes().to_vec();
    out.extend_from_slice(b);
    out
}

/// A request frame: length, kind, correlation id, fields.
fn frame(kind: u8, correlation_id: u32, fields: &[Vec<u8>]) -> Vec<u8> {
    let mut body = vec![kind];
    body.extend_from_slice(&correlation_id.to_be_bytes());
    for f in fields {
        body.extend_from_slice(f);
    }
    let mut out = (body.len() as u32).to_be_bytes().to_vec();
    out.extend_from_slice(&body);
    out
}

/// The body of the next response frame.
fn read_body(stream: &mut TcpStream) -> Vec<u8> {
    let mut len = [0u8; 4];
    stream.read_exact(&mut len).expect("a response frame");
    let mut body = vec![0; u32::from_be_bytes(len) as usize];
    stream
        .read_exact(&mut body)
        .expect("the whole response body");
    body
}

/// The expected body of a successful response.
fn ok_response(kind: u8, correlation_id: u32, fields: &[Vec<u8>]) -> Vec<u8> {
    let mut body = vec![kind];
    body.extend_from_slice(&correlation_id.to_be_bytes());
    body.push(0);
    for f in fields {
        body.extend_from_slice(f);
    }
    body
}

fn raw(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    stream
}

/// Whether the server closed `stream`: a read sees the end of the stream or a reset within 5 seconds.
fn closed_by_server(stream: &mut TcpStream) -> bool {
    let mut buf = [0u8; 64];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => return false,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                return matches!(
                    e.kind(),
                    io::ErrorKind::ConnectionReset
                        | io::ErrorKind::ConnectionAborted
                        | io::ErrorKind::BrokenPipe
                )
            }
        }
    }
}

#[test]
fn produce_fetch_ack_and_committed_work_over_tcp() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), &ManualClock::new());
    let mut c = connect(server.local_addr());
    let binary: Vec<u8> = (0..=255).collect();
    assert_eq!(c.produce("orders", b"first").unwrap(), 0);
    assert_eq!(c.produce("orders", b"").unwrap(), 1);
    assert_eq!(c.produce("orders", &binary).unwrap(), 2);

    let got = c.fetch("billing", "orders", 10, NO_WAIT).unwrap();
    assert_eq!(
        got,
        vec![
            delivery(0, 1, b"first"),
            delivery(1, 1, b""),
            delivery(2, 1, &binary)
        ]
    );
    assert!(c
        .fetch("billing", "orders", 10, NO_WAIT)
        .unwrap()
        .is_empty());

    assert_eq!(c.committed("billing", "orders").unwrap(), None);
    c.ack("billing", "orders", 1, 1).unwrap();
    assert_eq!(
        c.committed("billing", "orders").unwrap(),
        None,
        "offset 0 is not acked yet"
    );
    c.ack("billing", "orders", 0, 1).unwrap();
    assert_eq!(c.committed("billing", "orders").unwrap(), Some(2));
    c.ack("billing", "orders", 2, 1).unwrap();
    assert_eq!(c.committed("billing", "orders").unwrap(), Some(3));

    drop(c);
    server.shutdown().unwrap();
    let b = Broker::open(dir.path(), log_config()).unwrap();
    assert_eq!(b.committed_offset("billing", "orders"), Some(3));
    assert_eq!(b.topic("orders").unwrap().next_offset(), 3);
}

#[test]
fn pipelined_requests_follow_the_wire_protocol_and_echo_correlation_ids() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), &ManualClock::new());
    let mut s = raw(server.local_addr());

    // Four requests in one write: the responses come back in order, each echoing kind and id.
    let mut out = frame(PRODUCE, 7, &[string("t"), bytes(b"hello")]);
    out.extend(frame(PRODUCE, 0xDEAD_BEEF, &[string("t"), bytes(b"")]));
    out.extend(frame(
        FETCH,
        42,
        &[
            string("g"),
            string("t"),
            10u32.to_be_bytes().to_vec(),
            0u32.to_be_bytes().to_vec(),
        ],
    ));
    out.extend(frame(COMMITTED, 43, &[string("g"), string("t")]));
    s.write_all(&out).unwrap();

    assert_eq!(
        read_body(&mut s),
        ok_response(PRODUCE, 7, &[0u64.to_be_bytes().to_vec()])
    );
    assert_eq!(
        read_body(&mut s),
        ok_response(PRODUCE, 0xDEAD_BEEF, &[1u64.to_be_bytes().to_vec()])
    );
    assert_eq!(
        read_body(&mut s),
        ok_response(
            FETCH,
            42,
            &[
                2u32.to_be_bytes().to_vec(),
                0u64.to_be_bytes().to_vec(),
                1u32.to_be_bytes().to_vec(),
                bytes(b"hello"),
                1u64.to_be_bytes().to_vec(),
                1u32.to_be_bytes().to_vec(),
                bytes(b""),
            ]
        )
    );
    assert_eq!(
        read_body(&mut s),
        ok_response(COMMITTED, 43, &[vec![0], 0u64.to_be_bytes().to_vec()]),
        "COMMITTED of a group that never committed: present 0, offset 0"
    );

    // ACK both, then COMMITTED.
    for (id, offset) in [(44u32, 0u64), (45, 1)] {
        s.write_all(&frame(
            ACK,
            id,
            &[
                string("g"),
                string("t"),
                offset.to_be_bytes().to_vec(),
                1u32.to_be_bytes().to_vec(),
            ],
        ))
        .unwrap();
        assert_eq!(read_body(&mut s), ok_response(ACK, id, &[]));
    }
    s.write_all(&frame(COMMITTED, 46, &[string("g"), string("t")]))
        .unwrap();
    assert_eq!(
        read_body(&mut s),
        ok_response(COMMITTED, 46, &[vec![1], 2u64.to_be_bytes().to_vec()])
    );

    // NACK with requeue: the next FETCH delivers the message again as attempt 2.
    s.write_all(&frame(PRODUCE, 47, &[string("t"), bytes(b"again")]))
        .unwrap();
    assert_eq!(
        read_body(&mut s),
        ok_response(PRODUCE, 47, &[2u64.to_be_bytes().to_vec()])
    );
    let fetch_one = |id: u32| {
        frame(
            FETCH,
            id,
            &[
                string("g"),
                string("t"),
                1u32.to_be_bytes().to_vec(),
                0u32.to_be_bytes().to_vec(),
            ],
        )
    };
    let one = |attempt: u32| {
        vec![
            1u32.to_be_bytes().to_vec(),
            2u64.to_be_bytes().to_vec(),
            attempt.to_be_bytes().to_vec(),
            bytes(b"again"),
        ]
    };
    s.write_all(&fetch_one(48)).unwrap();
    assert_eq!(read_body(&mut s), ok_response(FETCH, 48, &one(1)));
    s.write_all(&frame(
        NACK,
        49,
        &[
            string("g"),
            string("t"),
            2u64.to_be_bytes().to_vec(),
            1u32.to_be_bytes().to_vec(),
            vec![1],
        ],
    ))
    .unwrap();
    assert_eq!(read_body(&mut s), ok_response(NACK, 49, &[]));
    s.write_all(&fetch_one(50)).unwrap();
    assert_eq!(read_body(&mut s), ok_response(FETCH, 50, &one(2)));
}

#[test]
fn errors_are_answered_with_a_status_code_and_keep_the_connection_open() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), &ManualClock::new());
    let mut s = raw(server.local_addr());

    // Byte by byte: kind, id, status 2 (unknown topic), then a message string and nothing else.
    s.write_all(&frame(
        FETCH,
        9,
        &[
            string("g"),
            string("nope"),
            1u32.to_be_bytes().to_vec(),
            0u32.to_be_bytes().to_vec(),
        ],
    ))
    .unwrap();
    let body = read_body(&mut s);
    assert_eq!(&body[..6], &[FETCH, 0, 0, 0, 9, 2]);
    let message_len = u16::from_be_bytes([body[6], body[7]]) as usize;
    assert_eq!(
        body.len(),
        8 + message_len,
        "an error response ends with its message string"
    );
    assert!(message_len > 0, "the message says what went wrong");
    assert!(std::str::from_utf8(&body[8..]).is_ok());

    // The same connection still works.
    s.write_all(&frame(PRODUCE, 10, &[string("t"), bytes(b"x")]))
        .unwrap();
    assert_eq!(
        read_body(&mut s),
        ok_response(PRODUCE, 10, &[0u64.to_be_bytes().to_vec()])
    );

    let mut c = connect(server.local_addr());
    assert!(is_code(
        c.fetch("g", "nope", 1, NO_WAIT),
        ErrorCode::UnknownTopic
    ));
    assert!(is_code(c.produce("bad/name", b"x"), ErrorCode::InvalidName));
    assert!(is_code(
        c.fetch("", "t", 1, NO_WAIT),
        ErrorCode::InvalidName
    ));
    assert!(is_code(c.ack("g", "t", 0, 1), ErrorCode::NotInFlight));
    assert!(is_code(
        c.produce("t", &[0u8; 4097]),
        ErrorCode::MessageTooLarge
    ));
    assert_eq!(c.produce("t", b"still fine").unwrap(), 1);
}

#[test]
fn a_malformed_request_closes_only_its_own_connection_and_is_not_executed() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), &ManualClock::new());
    let addr = server.local_addr();
    let mut good = connect(addr);
    assert_eq!(good.produce("t", b"m0").unwrap(), 0);

    let mut trailing = frame(PRODUCE, 1, &[string("t"), bytes(b"m1")]);
    trailing[3] += 1; // one more byte in the body than its fields use
    trailing.push(0);
    let mut truncated = frame(PRODUCE, 2, &[string("t")]);
    truncated.extend_from_slice(&[0, 0, 0, 10, b'a', b'b', b'c']); // bytes of 10 with 3 present
    let len = (truncated.len() - 4) as u32;
    truncated[..4].copy_from_slice(&len.to_be_bytes());
    let bad_flag = frame(
        NACK,
        3,
        &[
            string("g"),
            string("t"),
            0u64.to_be_bytes().to_vec(),
            1u32.to_be_bytes().to_vec(),
            vec![2],
        ],
    );
    let cases = [
        ("an unknown kind", frame(99, 4, &[string("t")])),
        ("bytes left over", trailing),
        ("a field cut short", truncated),
        ("a flag that is not 0 or 1", bad_flag),
        (
            "a string that is not UTF-8",
            frame(PRODUCE, 5, &[vec![0, 2, 0xFF, 0xFE], bytes(b"m2")]),
        ),
    ];
    for (what, request) in cases {
        let mut s = raw(addr);
        s.write_all(&request).unwrap();
        assert!(
            closed_by_server(&mut s),
            "a request with {what} closes the connection"
        );
        assert_eq!(
            good.committed("g", "t").unwrap(),
            None,
            "other connections keep working after {what}"
        );
    }
    assert_eq!(
        good.produce("t", b"m1").unwrap(),
        1,
        "no malformed PRODUCE was appended"
    );
    assert_eq!(connect(addr).produce("t", b"m2").unwrap(), 2);
}

#[test]
fn a_frame_over_the_limit_is_refused_before_its_body_arrives() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), &ManualClock::new());
    let addr = server.local_addr();

    // Only the length prefix is sent: a server waiting for the body would not close the connection.
    let mut s = raw(addr);
    s.write_all(&(MAX_FRAME as u32 + 1).to_be_bytes()).unwrap();
    assert!(closed_by_server(&mut s));
    let mut s = raw(addr);
    s.write_all(&u32::MAX.to_be_bytes()).unwrap();
    assert!(closed_by_server(&mut s));

    // A frame of exactly the limit is read (and answered: its payload is too large for the topic).
    let mut s = raw(addr);
    let payload = vec![7u8; MAX_FRAME - (1 + 4 + 2 + 1 + 4)];
    let request = frame(PRODUCE, 1, &[string("t"), bytes(&payload)]);
    assert_eq!(request.len(), 4 + MAX_FRAME);
    s.write_all(&request).unwrap();
    let body = read_body(&mut s);
    assert_eq!(&body[..6], &[PRODUCE, 0, 0, 0, 1, 5]);
    assert_eq!(connect(addr).produce("t", b"ok").unwrap(), 0);
}

#[test]
fn members_of_a_group_share_a_topic_and_groups_are_independent() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), &ManualClock::new());
    let addr = server.local_addr();
    let mut producer = connect(addr);
    for i in 0..12 {
        producer
            .produce("jobs", format!("job {i}").as_bytes())
            .unwrap();
    }

    let mut members: Vec<Client> = (0..3).map(|_| connect(addr)).collect();
    let mut seen = BTreeSet::new();
    let mut taken = Vec::new();
    for m in members.iter_mut() {
        let got = m.fetch("workers", "jobs", 4, NO_WAIT).unwrap();
        assert_eq!(got.len(), 4);
        for d in &got {
            assert!(
                seen.insert(d.offset),
                "offset {} went to two members",
                d.offset
            );
            assert_eq!(d.payload, format!("job {}", d.offset).into_bytes());
        }
        taken.push(got);
    }
    assert_eq!(seen, (0..12).collect::<BTreeSet<u64>>());
    assert!(members[0]
        .fetch("workers", "jobs", 4, NO_WAIT)
        .unwrap()
        .is_empty());

    let audit = connect(addr).fetch("audit", "jobs", 100, NO_WAIT).unwrap();
    assert_eq!(
        attempts(&audit),
        (0..12).map(|o| (o, 1)).collect::<Vec<_>>(),
        "another group gets every message"
    );

    for (m, got) in members.iter_mut().zip(&taken) {
        for d in got {
            m.ack("workers", "jobs", d.offset, d.attempt).unwrap();
        }
    }
    assert_eq!(producer.committed("workers", "jobs").unwrap(), Some(12));
    assert_eq!(producer.committed("audit", "jobs").unwrap(), None);
}

#[test]
fn fetch_long_polls_until_a_message_is_produced() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), &ManualClock::new());
    let addr = server.local_addr();
    let mut c = connect(addr);
    c.produce("t", b"m0").unwrap();
    let got = c.fetch("g", "t", 10, NO_WAIT).unwrap();
    c.ack("g", "t", 0, got[0].attempt).unwrap();
    c.produce("other", b"x").unwrap();

    // Nothing to deliver: the fetch waits its whole max_wait, then answers empty.
    let started = Instant::now();
    assert!(c
        .fetch("g", "t", 10, Duration::from_millis(200))
        .unwrap()
        .is_empty());
    assert!(started.elapsed() >= Duration::from_millis(200));

    // A long poll is answered by the next produce, and does not block other clients while it waits.
    let waiter = thread::spawn(move || {
        let mut c = connect(addr);
        let started = Instant::now();
        let got = c.fetch("g", "t", 10, Duration::from_secs(20)).unwrap();
        (got, started.elapsed())
    });
    thread::sleep(Duration::from_millis(150));
    let mut other = connect(addr);
    assert_eq!(other.fetch("g", "other", 10, NO_WAIT).unwrap().len(), 1);
    assert_eq!(other.produce("t", b"m1").unwrap(), 1);
    let (got, waited) = waiter.join().unwrap();
    assert_eq!(got, vec![delivery(1, 1, b"m1")]);
    assert!(
        waited < Duration::from_secs(10),
        "the produce ended the wait"
    );
}

#[test]
fn unacked_deliveries_are_redelivered_at_once_when_their_consumer_disconnects() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), &ManualClock::new());
    let addr = server.local_addr();
    let mut producer = connect(addr);
    for i in 0..3 {
        producer.produce("t", format!("m{i}").as_bytes()).unwrap();
    }

    let mut first = connect(addr);
    let got = first.fetch("g", "t", 10, NO_WAIT).unwrap();
    assert_eq!(attempts(&got), vec![(0, 1), (1, 1), (2, 1)]);
    first.ack("g", "t", 0, 1).unwrap();
    drop(first);

    // The ack deadline is 30 s on a clock nobody advances: only the disconnect can release the leases.
    let mut second = connect(addr);
    let again = second.fetch("g", "t", 10, Duration::from_secs(10)).unwrap();
    assert_eq!(
        again,
        vec![delivery(1, 2, b"m1"), delivery(2, 2, b"m2")],
        "the un-acked messages come back, as attempt 2"
    );
    for d in &again {
        second.ack("g", "t", d.offset, d.attempt).unwrap();
    }
    assert_eq!(second.committed("g", "t").unwrap(), Some(3));
}

#[test]
fn acks_and_nacks_over_the_network_are_fenced_by_attempt() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::starting_at(1_000_000);
    let server = start(dir.path(), &clock);
    let addr = server.local_addr();
    let (mut slow, mut fast) = (connect(addr), connect(addr));
    slow.produce("t", b"m0").unwrap();

    assert_eq!(
        slow.fetch("g", "t", 1, NO_WAIT).unwrap(),
        vec![delivery(0, 1, b"m0")]
    );
    clock.advance(ACK_TIMEOUT);
    assert_eq!(
        fast.fetch("g", "t", 1, NO_WAIT).unwrap(),
        vec![delivery(0, 2, b"m0")],
        "the expired lease is delivered again"
    );
    assert!(is_code(slow.ack("g", "t", 0, 1), ErrorCode::StaleLease));
    assert!(is_code(
        slow.nack("g", "t", 0, 1, true),
        ErrorCode::StaleLease
    ));
    fast.ack("g", "t", 0, 2).unwrap();
    assert_eq!(fast.committed("g", "t").unwrap(), Some(1));

    // NACK with requeue, then NACK without: the message goes to the dead-letter topic.
    fast.produce("t", b"m1").unwrap();
    assert_eq!(
        attempts(&fast.fetch("g", "t", 1, NO_WAIT).unwrap()),
        [(1, 1)]
    );
    fast.nack("g", "t", 1, 1, true).unwrap();
    assert_eq!(
        attempts(&fast.fetch("g", "t", 1, NO_WAIT).unwrap()),
        [(1, 2)]
    );
    fast.nack("g", "t", 1, 2, false).unwrap();
    assert_eq!(fast.committed("g", "t").unwrap(), Some(2));
    let letters = fast.fetch("ops", "t.dlq", 10, NO_WAIT).unwrap();
    assert_eq!(letters.len(), 1);
    let letter = DeadLetter::decode(&letters[0].payload).unwrap();
    assert_eq!(
        (letter.offset, letter.attempts, letter.reason),
        (1, 2, DeadLetterReason::Rejected)
    );
    assert_eq!(letter.payload, b"m1");
}

#[test]
fn shutdown_ends_long_polls_and_closes_every_connection() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), &ManualClock::new());
    let addr = server.local_addr();
    let mut idle = connect(addr);
    idle.produce("t", b"m0").unwrap();
    idle.fetch("g", "t", 1, NO_WAIT).unwrap();
    let waiter = thread::spawn(move || {
        let mut c = connect(addr);
        c.fetch("g", "t", 1, Duration::from_secs(30))
    });
    thread::sleep(Duration::from_millis(150));

    let started = Instant::now();
    server.shutdown().unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "shutdown does not wait for a 30 s long poll"
    );
    let polled = waiter.join().unwrap();
    assert!(
        !matches!(polled, Ok(ref got) if !got.is_empty()),
        "the long poll got nothing"
    );
    assert!(
        idle.committed("g", "t").is_err(),
        "the idle connection was closed"
    );

    // Everything is on disk for the next broker.
    let b = Broker::open(dir.path(), log_config()).unwrap();
    assert_eq!(b.topic("t").unwrap().next_offset(), 1);
}

#[test]
fn every_message_is_delivered_at_least_once_across_a_broker_restart() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new();
    let produce_concurrently = |addr: SocketAddr, phase: u32| {
        let producers: Vec<_> = (0..3)
            .map(|p| {
                thread::spawn(move || {
                    let mut c = connect(addr);
                    for n in 0..20 {
                        c.produce("events", format!("{phase}/{p}/{n}").as_bytes())
                            .unwrap();
                    }
                })
            })
            .collect();
        for p in producers {
            p.join().unwrap();
        }
    };
    // offset -> payload, and how often each offset was received
    let mut payloads = BTreeMap::new();
    let mut received: BTreeMap<u64, u32> = BTreeMap::new();
    let mut record = |d: &Delivery| {
        let previous = payloads.insert(d.offset, d.payload.clone());
        assert!(previous.is_none() || previous.as_ref() == Some(&d.payload));
        *received.entry(d.offset).or_default() += 1;
    };

    // Phase 1: three producers, then a group of three consumers that acks only even offsets.
    let server = start(dir.path(), &clock);
    let addr = server.local_addr();
    produce_concurrently(addr, 1);
    let mut consumers: Vec<Client> = (0..3).map(|_| connect(addr)).collect();
    for round in 0..4 {
        for c in consumers.iter_mut() {
            for d in c.fetch("g", "events", 5, NO_WAIT).unwrap() {
                assert_eq!(d.attempt, 1, "round {round}");
                record(&d);
                if d.offset % 2 == 0 {
                    c.ack("g", "events", d.offset, d.attempt).unwrap();
                }
            }
        }
    }
    let committed_before = consumers[0].committed("g", "events").unwrap();
    assert_eq!(committed_before, Some(1), "offset 1 is never acked");
    drop(consumers);
    server.shutdown().unwrap();

    // Phase 2: a new broker on the same directory, more producers, and the group drains everything.
    let server = start(dir.path(), &clock);
    let addr = server.local_addr();
    produce_concurrently(addr, 2);
    let mut consumers: Vec<Client> = (0..3).map(|_| connect(addr)).collect();
    let mut idle_rounds = 0;
    for _ in 0..200 {
        let mut got_any = false;
        for c in consumers.iter_mut() {
            for d in c
                .fetch("g", "events", 7, Duration::from_millis(20))
                .unwrap()
            {
                got_any = true;
                record(&d);
                c.ack("g", "events", d.offset, d.attempt).unwrap();
            }
        }
        idle_rounds = if got_any { 0 } else { idle_rounds + 1 };
        if idle_rounds == 2 {
            break;
        }
    }
    assert_eq!(consumers[0].committed("g", "events").unwrap(), Some(120));

    let expected: BTreeSet<String> = (1..=2)
        .flat_map(|phase| {
            (0..3).flat_map(move |p| (0..20).map(move |n| format!("{phase}/{p}/{n}")))
        })
        .collect();
    let got: BTreeSet<String> = payloads
        .values()
        .map(|p| String::from_utf8(p.clone()).unwrap())
        .collect();
    assert_eq!(got, expected, "every produced payload was received");
    assert_eq!(payloads.len(), 120);
    assert_eq!(
        received.get(&0),
        Some(&1),
        "below the committed offset: once"
    );
    assert!(
        received.values().all(|&n| n <= 2),
        "at most one redelivery each"
    );
    assert!(
        (1..60).all(|o| received[&o] == 2),
        "everything at or above the committed offset was delivered again after the restart"
    );
}

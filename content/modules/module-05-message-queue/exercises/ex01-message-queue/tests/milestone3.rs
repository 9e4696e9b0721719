//! Milestone 3: ack deadlines, NACKs, delivery attempts and dead letters, on the broker used as a library.
//!
//! Time is a `ManualClock` the tests advance: no test sleeps or reads the wall clock.

use std::path::Path;
use std::time::Duration;

use ex01_message_queue::{
    Broker, DeadLetter, DeadLetterReason, Delivery, DeliveryConfig, FsyncPolicy, LogConfig,
    ManualClock, MqError,
};

const ACK_TIMEOUT: Duration = Duration::from_secs(30);
const MS: Duration = Duration::from_millis(1);
const START: u64 = 1_000_000;

fn small_segments() -> LogConfig {
    LogConfig {
        segment_bytes: 1024,
        index_interval_bytes: 256,
        max_message_bytes: 4096,
        fsync: FsyncPolicy::Never,
    }
}

fn delivery(max_attempts: u32, max_in_flight: usize) -> DeliveryConfig {
    DeliveryConfig {
        ack_timeout: ACK_TIMEOUT,
        max_attempts,
        max_in_flight,
    }
}

fn open(dir: &Path, clock: &ManualClock, config: DeliveryConfig) -> Broker {
    Broker::open_with(dir, small_segments(), config, clock.clone()).unwrap()
}

fn produce_all(b: &mut Broker, topic: &str, payloads: &[&str]) {
    for p in payloads {
        b.produce(topic, p.as_bytes()).unwrap();
    }
}

/// (offset, attempt) of each delivery, in the order received.
fn attempts(deliveries: &[Delivery]) -> Vec<(u64, u32)> {
    deliveries.iter().map(|d| (d.offset, d.attempt)).collect()
}

fn dead_letters(b: &Broker, dlq: &str) -> Vec<DeadLetter> {
    let log = b
        .topic(dlq)
        .unwrap_or_else(|| panic!("the dead-letter topic {dlq:?} exists"));
    log.read(log.earliest_offset(), 1000)
        .unwrap()
        .iter()
        .map(|m| {
            DeadLetter::decode(&m.payload).expect("a dead-letter topic holds encoded DeadLetters")
        })
        .collect()
}

fn is_stale(result: Result<(), MqError>, offset: u64, attempt: u32) -> bool {
    matches!(result, Err(MqError::StaleLease { offset: o, attempt: a, .. }) if o == offset && a == attempt)
}

#[test]
fn an_unacked_delivery_is_redelivered_once_its_ack_deadline_passes() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::starting_at(START);
    let mut b = open(dir.path(), &clock, delivery(5, 100));
    produce_all(&mut b, "jobs", &["job 0", "job 1", "job 2"]);

    let first = b.receive("workers", "jobs", 2).unwrap();
    assert_eq!(
        attempts(&first),
        vec![(0, 1), (1, 1)],
        "first deliveries are attempt 1"
    );
    assert_eq!(first[0].payload, b"job 0");

    clock.advance(ACK_TIMEOUT - MS);
    assert_eq!(
        attempts(&b.receive("workers", "jobs", 10).unwrap()),
        vec![(2, 1)],
        "1 ms before the deadline the leases still hold: only the new message is delivered"
    );
    b.ack_delivery("workers", "jobs", 1, 1).unwrap();

    clock.advance(MS); // the clock reaches the deadline of offsets 0 and 1, not that of offset 2
    b.produce("jobs", b"job 3").unwrap();
    let again = b.receive("workers", "jobs", 10).unwrap();
    assert_eq!(
        attempts(&again),
        vec![(0, 2), (3, 1)],
        "the expired lease of 0 is delivered again, before the new message 3; acked 1 and still-leased 2 are not"
    );
    assert_eq!(again[0].payload, b"job 0");
    assert_eq!(b.in_flight("workers", "jobs"), vec![0, 2, 3]);
    assert_eq!(b.committed_offset("workers", "jobs"), None);
}

#[test]
fn nacked_messages_are_redelivered_at_once_before_new_messages() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::starting_at(START);
    let mut b = open(dir.path(), &clock, delivery(5, 100));
    produce_all(&mut b, "jobs", &["a", "b", "c", "d"]);

    assert_eq!(b.receive("w", "jobs", 2).unwrap().len(), 2);
    b.nack("w", "jobs", 1, 1, true).unwrap();
    b.nack("w", "jobs", 0, 1, true).unwrap();
    assert_eq!(
        b.in_flight("w", "jobs"),
        vec![0, 1],
        "a NACKed message is still in flight: not done"
    );
    assert_eq!(b.committed_offset("w", "jobs"), None);

    // No time passes: a NACK needs no deadline.
    let again = b.receive("w", "jobs", 3).unwrap();
    assert_eq!(
        attempts(&again),
        vec![(0, 2), (1, 2), (2, 1)],
        "NACKed messages come back first, lowest offset first, then new ones"
    );
    assert_eq!(again[1].payload, b"b");

    b.ack_delivery("w", "jobs", 0, 2).unwrap();
    b.ack_delivery("w", "jobs", 1, 2).unwrap();
    assert_eq!(b.committed_offset("w", "jobs"), Some(2));
}

#[test]
fn every_delivery_of_a_message_counts_as_one_more_attempt() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::starting_at(START);
    let mut b = open(dir.path(), &clock, delivery(10, 100));
    b.produce("t", b"flaky").unwrap();

    for attempt in 1..=6 {
        let got = b.receive("g", "t", 10).unwrap();
        assert_eq!(
            attempts(&got),
            vec![(0, attempt)],
            "delivery number {attempt}"
        );
        assert_eq!(got[0].payload, b"flaky");
        if attempt % 2 == 0 {
            b.nack("g", "t", 0, attempt, true).unwrap();
        } else {
            clock.advance(ACK_TIMEOUT);
        }
    }
    b.ack_delivery("g", "t", 0, 7).unwrap_err(); // attempt 7 was never handed out
    let last = b.receive("g", "t", 10).unwrap();
    assert_eq!(attempts(&last), vec![(0, 7)]);
    b.ack_delivery("g", "t", 0, 7).unwrap();
    assert_eq!(b.committed_offset("g", "t"), Some(1));
}

#[test]
fn a_late_ack_or_nack_from_an_expired_lease_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::starting_at(START);
    let mut b = open(dir.path(), &clock, delivery(5, 100));
    produce_all(&mut b, "t", &["slow", "other"]);

    assert_eq!(attempts(&b.receive("g", "t", 1).unwrap()), vec![(0, 1)]);
    clock.advance(ACK_TIMEOUT);
    assert_eq!(
        attempts(&b.receive("g", "t", 1).unwrap()),
        vec![(0, 2)],
        "the expired message goes to the next consumer"
    );

    assert!(
        is_stale(b.ack_delivery("g", "t", 0, 1), 0, 1),
        "the first consumer's late ack must not be taken for the second consumer's"
    );
    assert!(
        is_stale(b.nack("g", "t", 0, 1, true), 0, 1),
        "nor may its late NACK take the lease away from the second consumer"
    );
    assert_eq!(b.in_flight("g", "t"), vec![0]);
    assert_eq!(b.committed_offset("g", "t"), None);
    assert_eq!(
        attempts(&b.receive("g", "t", 1).unwrap()),
        vec![(1, 1)],
        "the rejected NACK did not make 0 available again"
    );

    b.ack_delivery("g", "t", 0, 2).unwrap();
    assert_eq!(b.committed_offset("g", "t"), Some(1));
    b.ack_delivery("g", "t", 0, 1)
        .expect("a late ack for a message already done is a harmless duplicate");
    assert!(matches!(
        b.ack_delivery("g", "t", 5, 1),
        Err(MqError::NotInFlight { offset: 5, .. })
    ));

    // A NACKed delivery has given up its lease as well.
    b.nack("g", "t", 1, 1, true).unwrap();
    assert_eq!(attempts(&b.receive("g", "t", 1).unwrap()), vec![(1, 2)]);
    assert!(is_stale(b.ack_delivery("g", "t", 1, 1), 1, 1));
}

#[test]
fn acked_messages_are_never_delivered_again() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::starting_at(START);
    let mut b = open(dir.path(), &clock, delivery(100, 100));
    produce_all(&mut b, "t", &["0", "1", "2", "3", "4"]);

    assert_eq!(b.fetch("g", "t", 10).unwrap().len(), 5);
    b.ack_delivery("g", "t", 1, 1).unwrap();
    b.ack_delivery("g", "t", 3, 1).unwrap();
    b.ack("g", "t", 4).unwrap(); // milestone 1's ack works on leased messages too

    for round in 2..=5 {
        clock.advance(ACK_TIMEOUT * 2);
        let got = b.receive("g", "t", 10).unwrap();
        assert_eq!(
            attempts(&got),
            vec![(0, round), (2, round)],
            "round {round}: only the unacked messages come back"
        );
    }
    b.ack("g", "t", 0).unwrap();
    b.ack_delivery("g", "t", 2, 5).unwrap();
    assert_eq!(b.committed_offset("g", "t"), Some(5));
    clock.advance(ACK_TIMEOUT * 10);
    assert_eq!(b.expire_leases().unwrap(), 0, "no lease is left to expire");
    assert_eq!(b.fetch("g", "t", 10).unwrap(), vec![]);
    assert_eq!(b.in_flight("g", "t"), Vec::<u64>::new());
}

#[test]
fn expire_leases_and_next_deadline_drive_one_timer_for_all_groups() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::starting_at(START);
    let mut b = open(dir.path(), &clock, delivery(5, 100));
    let timeout = ACK_TIMEOUT.as_millis() as u64;
    produce_all(&mut b, "t", &["x", "y"]);
    assert_eq!(b.next_deadline(), None, "nothing is leased");

    b.receive("a", "t", 1).unwrap(); // a leases 0 until START + timeout
    clock.advance(Duration::from_secs(10));
    b.receive("b", "t", 2).unwrap(); // b leases 0 and 1 until START + 10 s + timeout
    assert_eq!(b.next_deadline(), Some(START + timeout));

    b.ack_delivery("a", "t", 0, 1).unwrap();
    assert_eq!(
        b.next_deadline(),
        Some(START + 10_000 + timeout),
        "an acked lease no longer counts"
    );

    clock.advance(ACK_TIMEOUT - MS);
    assert_eq!(b.expire_leases().unwrap(), 0);
    clock.advance(MS);
    assert_eq!(
        b.expire_leases().unwrap(),
        2,
        "both of b's leases expire when the clock reaches their deadline"
    );
    assert_eq!(b.next_deadline(), None);
    assert_eq!(b.in_flight("b", "t"), vec![0, 1]);
    assert_eq!(b.in_flight("a", "t"), Vec::<u64>::new());

    let now = START + 10_000 + timeout;
    assert_eq!(
        attempts(&b.receive("b", "t", 10).unwrap()),
        vec![(0, 2), (1, 2)]
    );
    assert_eq!(b.next_deadline(), Some(now + timeout));
    assert_eq!(
        attempts(&b.receive("a", "t", 10).unwrap()),
        vec![(1, 1)],
        "group a has its own leases and attempts"
    );
}

#[test]
fn a_message_is_dead_lettered_after_max_attempts_with_its_metadata() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::starting_at(START);
    let mut b = open(dir.path(), &clock, delivery(3, 100));
    produce_all(&mut b, "orders", &["poison", "fine"]);

    assert_eq!(b.receive("billing", "orders", 2).unwrap().len(), 2);
    b.ack_delivery("billing", "orders", 1, 1).unwrap();
    clock.advance(ACK_TIMEOUT); // attempt 1 expires
    assert_eq!(
        attempts(&b.receive("billing", "orders", 10).unwrap()),
        vec![(0, 2)]
    );
    b.nack("billing", "orders", 0, 2, true).unwrap(); // attempt 2 fails
    assert_eq!(
        attempts(&b.receive("billing", "orders", 10).unwrap()),
        vec![(0, 3)]
    );
    assert!(
        b.topic("orders.dlq").is_none(),
        "nothing is dead-lettered before the last attempt fails"
    );

    clock.advance(ACK_TIMEOUT); // attempt 3, the last, expires
    assert_eq!(b.expire_leases().unwrap(), 1);
    assert_eq!(
        dead_letters(&b, "orders.dlq"),
        vec![DeadLetter {
            group: "billing".to_string(),
            topic: "orders".to_string(),
            offset: 0,
            attempts: 3,
            reason: DeadLetterReason::MaxAttempts,
            payload: b"poison".to_vec(),
        }]
    );
    assert_eq!(
        b.committed_offset("billing", "orders"),
        Some(2),
        "once dead-lettered, the message is acked and the group moves past it"
    );
    assert_eq!(b.in_flight("billing", "orders"), Vec::<u64>::new());
    clock.advance(ACK_TIMEOUT);
    assert_eq!(
        b.receive("billing", "orders", 10).unwrap(),
        vec![],
        "never a fourth delivery"
    );
    assert_eq!(
        b.topics(),
        vec!["orders".to_string(), "orders.dlq".to_string()]
    );
}

#[test]
fn the_last_failed_attempt_is_dead_lettered_by_a_nack_or_the_next_fetch() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::starting_at(START);
    let mut b = open(dir.path(), &clock, delivery(2, 100));
    produce_all(&mut b, "t", &["m0", "m1"]);

    // Offset 0 fails twice by NACK: the second NACK dead-letters it before returning.
    b.receive("g", "t", 1).unwrap();
    b.nack("g", "t", 0, 1, true).unwrap();
    assert_eq!(attempts(&b.receive("g", "t", 1).unwrap()), vec![(0, 2)]);
    b.nack("g", "t", 0, 2, true).unwrap();
    let letters = dead_letters(&b, "t.dlq");
    assert_eq!(letters.len(), 1);
    assert_eq!((letters[0].offset, letters[0].attempts), (0, 2));
    assert_eq!(letters[0].reason, DeadLetterReason::MaxAttempts);
    assert_eq!(b.committed_offset("g", "t"), Some(1));

    // Offset 1 expires twice; no timer runs, so the next fetch finds the expiry and dead-letters it.
    assert_eq!(attempts(&b.receive("g", "t", 1).unwrap()), vec![(1, 1)]);
    clock.advance(ACK_TIMEOUT);
    assert_eq!(attempts(&b.receive("g", "t", 1).unwrap()), vec![(1, 2)]);
    clock.advance(ACK_TIMEOUT);
    assert_eq!(b.fetch("g", "t", 10).unwrap(), vec![]);
    let letters = dead_letters(&b, "t.dlq");
    assert_eq!(letters.len(), 2);
    assert_eq!(
        (
            letters[1].offset,
            letters[1].attempts,
            letters[1].payload.as_slice()
        ),
        (1, 2, b"m1".as_slice())
    );
    assert_eq!(b.committed_offset("g", "t"), Some(2));
}

#[test]
fn a_nack_without_requeue_dead_letters_the_message_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::starting_at(START);
    let mut b = open(dir.path(), &clock, delivery(5, 100));
    produce_all(&mut b, "payments", &["malformed", "", "ok"]);

    let got = b.receive("ledger", "payments", 3).unwrap();
    assert_eq!(got.len(), 3);
    b.nack("ledger", "payments", 0, 1, false).unwrap();
    clock.advance(ACK_TIMEOUT);
    assert_eq!(
        attempts(&b.receive("ledger", "payments", 10).unwrap()),
        vec![(1, 2), (2, 2)]
    );
    b.nack("ledger", "payments", 1, 2, false).unwrap();
    b.ack_delivery("ledger", "payments", 2, 2).unwrap();

    let letters = dead_letters(&b, "payments.dlq");
    assert_eq!(
        letters,
        vec![
            DeadLetter {
                group: "ledger".to_string(),
                topic: "payments".to_string(),
                offset: 0,
                attempts: 1,
                reason: DeadLetterReason::Rejected,
                payload: b"malformed".to_vec(),
            },
            DeadLetter {
                group: "ledger".to_string(),
                topic: "payments".to_string(),
                offset: 1,
                attempts: 2,
                reason: DeadLetterReason::Rejected,
                payload: Vec::new(),
            },
        ]
    );
    assert_eq!(b.committed_offset("ledger", "payments"), Some(3));
    assert_eq!(b.receive("ledger", "payments", 10).unwrap(), vec![]);

    // Another group is unaffected and gets every message, including those the first group dead-lettered.
    assert_eq!(b.fetch("audit", "payments", 10).unwrap().len(), 3);
}

#[test]
fn the_in_flight_window_is_bounded_by_max_in_flight() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::starting_at(START);
    let mut b = open(dir.path(), &clock, delivery(5, 4));
    for i in 0..10u8 {
        b.produce("t", &[i]).unwrap();
    }

    assert_eq!(
        attempts(&b.receive("g", "t", 10).unwrap()),
        vec![(0, 1), (1, 1), (2, 1), (3, 1)],
        "at most max_in_flight offsets past the committed offset"
    );
    for offset in 1..4 {
        b.ack_delivery("g", "t", offset, 1).unwrap();
    }
    assert_eq!(
        b.receive("g", "t", 10).unwrap(),
        vec![],
        "acks past a stuck message do not open the window: the committed offset is still 0"
    );
    clock.advance(ACK_TIMEOUT);
    assert_eq!(
        attempts(&b.receive("g", "t", 10).unwrap()),
        vec![(0, 2)],
        "redeliveries stay inside the window"
    );
    b.ack_delivery("g", "t", 0, 2).unwrap();
    assert_eq!(b.committed_offset("g", "t"), Some(4));
    assert_eq!(
        attempts(&b.receive("g", "t", 10).unwrap()),
        vec![(4, 1), (5, 1), (6, 1), (7, 1)]
    );
}

#[test]
fn at_least_once_holds_across_a_reopen_with_leases_and_dead_letters() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::starting_at(START);
    {
        let mut b = open(dir.path(), &clock, delivery(5, 100));
        produce_all(&mut b, "jobs", &["j0", "j1", "j2", "j3", "j4", "j5"]);
        assert_eq!(b.receive("w", "jobs", 10).unwrap().len(), 6);
        b.ack_delivery("w", "jobs", 0, 1).unwrap();
        b.nack("w", "jobs", 1, 1, false).unwrap(); // dead-lettered, then acked
        clock.advance(ACK_TIMEOUT);
        assert_eq!(b.receive("w", "jobs", 10).unwrap().len(), 4); // 2..6 again, attempt 2
        b.ack_delivery("w", "jobs", 3, 2).unwrap(); // acked out of order
        b.nack("w", "jobs", 4, 2, true).unwrap(); // waiting for redelivery
        assert_eq!(b.committed_offset("w", "jobs"), Some(2));
    } // the broker stops with 2 and 5 leased, 4 waiting and 3 acked out of order

    let mut b = open(dir.path(), &clock, delivery(5, 100));
    assert_eq!(b.committed_offset("w", "jobs"), Some(2));
    let again = b.receive("w", "jobs", 10).unwrap();
    assert_eq!(
        again.iter().map(|d| d.offset).collect::<Vec<_>>(),
        vec![2, 3, 4, 5],
        "everything at or above the committed offset comes back, nothing below it"
    );
    assert_eq!(again[0].payload, b"j2");
    assert!(again.iter().all(|d| d.attempt >= 1));

    assert_eq!(
        b.topics(),
        vec!["jobs".to_string(), "jobs.dlq".to_string()],
        "the dead-letter topic is an ordinary, durable topic"
    );
    let letters = dead_letters(&b, "jobs.dlq");
    assert_eq!(letters.len(), 1);
    assert_eq!(
        (letters[0].offset, letters[0].payload.as_slice()),
        (1, b"j1".as_slice())
    );
    assert_eq!(
        b.fetch("ops", "jobs.dlq", 10).unwrap().len(),
        1,
        "and groups consume it like any other"
    );

    for d in &again {
        b.ack_delivery("w", "jobs", d.offset, d.attempt).unwrap();
    }
    assert_eq!(b.committed_offset("w", "jobs"), Some(6));
    drop(b);
    let mut b = open(dir.path(), &clock, delivery(5, 100));
    clock.advance(ACK_TIMEOUT * 3);
    assert_eq!(
        b.receive("w", "jobs", 10).unwrap(),
        vec![],
        "acked messages stay acked"
    );
}

#[test]
fn dead_letters_round_trip_through_their_encoding() {
    let letters = [
        DeadLetter {
            group: "g".to_string(),
            topic: "t".to_string(),
            offset: 0,
            attempts: 1,
            reason: DeadLetterReason::Rejected,
            payload: Vec::new(),
        },
        DeadLetter {
            group: "billing-\u{e9}quipe".to_string(),
            topic: "x".repeat(245),
            offset: u64::MAX - 1,
            attempts: u32::MAX,
            reason: DeadLetterReason::MaxAttempts,
            payload: b"\0\xff binary \r\n".repeat(100),
        },
    ];
    for letter in &letters {
        assert_eq!(DeadLetter::decode(&letter.encode()).as_ref(), Some(letter));
    }
    assert_eq!(DeadLetter::decode(b""), None, "no bytes are no dead letter");
}

#[test]
fn unusable_delivery_configs_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new();
    let configs = [
        DeliveryConfig {
            ack_timeout: Duration::ZERO,
            ..DeliveryConfig::default()
        },
        DeliveryConfig {
            max_attempts: 0,
            ..DeliveryConfig::default()
        },
        DeliveryConfig {
            max_in_flight: 0,
            ..DeliveryConfig::default()
        },
    ];
    for config in configs {
        assert!(
            matches!(
                Broker::open_with(dir.path(), small_segments(), config.clone(), clock.clone()),
                Err(MqError::Config(_))
            ),
            "{config:?} must be rejected"
        );
    }
    Broker::open_with(
        dir.path(),
        small_segments(),
        DeliveryConfig::default(),
        clock,
    )
    .unwrap();
}

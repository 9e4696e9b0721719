//! Milestone 4: credit-based flow control per consumer, batched appends, and retention by size and age,
//! on the broker used as a library.
//!
//! Time is a `ManualClock` the tests advance: no test sleeps. Nothing here depends on your record format:
//! segment sizes are read back through `segment_sizes` and checked against the files on disk.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;
use std::time::Duration;

use ex01_message_queue::{
    Broker, Delivery, DeliveryConfig, FsyncPolicy, LogConfig, ManualClock, MqError,
    RetentionPolicy, TopicLog,
};

const ACK_TIMEOUT: Duration = Duration::from_secs(30);
const SECOND: Duration = Duration::from_secs(1);
const MS: Duration = Duration::from_millis(1);
const START: u64 = 1_000_000;

fn small_segments(fsync: FsyncPolicy) -> LogConfig {
    LogConfig {
        segment_bytes: 1024,
        index_interval_bytes: 256,
        max_message_bytes: 4096,
        fsync,
    }
}

fn big_segments(fsync: FsyncPolicy) -> LogConfig {
    LogConfig {
        segment_bytes: 1 << 20,
        ..small_segments(fsync)
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
    Broker::open_with(
        dir,
        small_segments(FsyncPolicy::Never),
        config,
        clock.clone(),
    )
    .unwrap()
}

fn attempts(deliveries: &[Delivery]) -> Vec<(u64, u32)> {
    deliveries.iter().map(|d| (d.offset, d.attempt)).collect()
}

fn offsets(deliveries: &[Delivery]) -> Vec<u64> {
    deliveries.iter().map(|d| d.offset).collect()
}

/// A 300-byte payload naming its message: at most three fit in a 1024-byte segment.
fn big_payload(i: u64) -> Vec<u8> {
    let mut p = format!("message {i} ").into_bytes();
    p.resize(300, b'.');
    p
}

fn produce_big(b: &mut Broker, topic: &str, range: std::ops::Range<u64>) {
    for i in range {
        b.produce(topic, &big_payload(i)).unwrap();
    }
}

/// Every message from the earliest retained offset to the end is there, in order, with its payload.
fn assert_intact(log: &TopicLog) {
    let earliest = log.earliest_offset();
    let all = log.read(earliest, 10_000).unwrap();
    let expected: Vec<u64> = (earliest..log.next_offset()).collect();
    assert_eq!(all.iter().map(|m| m.offset).collect::<Vec<_>>(), expected);
    for m in &all {
        assert_eq!(m.payload, big_payload(m.offset));
    }
}

/// The `.log` files in `dir` by base offset, with their sizes on disk.
fn log_files(dir: &Path) -> Vec<(u64, u64)> {
    let mut files: Vec<(u64, u64)> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .filter_map(|e| {
            let name = e.file_name().into_string().unwrap();
            let base = name.strip_suffix(".log")?.parse().ok()?;
            Some((base, e.metadata().unwrap().len()))
        })
        .collect();
    files.sort();
    files
}

fn assert_files_match(log: &TopicLog) {
    let expected: Vec<(u64, u64)> = log
        .segment_base_offsets()
        .into_iter()
        .zip(log.segment_sizes())
        .collect();
    assert_eq!(
        log_files(log.dir()),
        expected,
        "segment_base_offsets and segment_sizes describe the .log files on disk"
    );
    assert_eq!(log.size_bytes(), expected.iter().map(|(_, s)| s).sum());
}

// Batching.

#[test]
fn append_batch_assigns_consecutive_offsets_and_rejects_an_oversized_batch_whole() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = TopicLog::open(dir.path(), small_segments(FsyncPolicy::Never)).unwrap();
    assert_eq!(log.append(b"a").unwrap(), 0);
    assert_eq!(log.append_batch(&[b"b", b"", b"d"]).unwrap(), 1..4);
    assert_eq!(log.append_batch(&[]).unwrap(), 4..4);
    let too_big = vec![0u8; 4097];
    let result = log.append_batch(&[b"x", &too_big, b"y"]);
    assert!(
        matches!(result, Err(MqError::MessageTooLarge { len: 4097, .. })),
        "{result:?}"
    );
    assert_eq!(
        log.next_offset(),
        4,
        "nothing of a rejected batch is appended"
    );
    assert_eq!(log.append_batch(&[b"e"]).unwrap(), 4..5);

    let payloads = |log: &TopicLog| -> Vec<Vec<u8>> {
        log.read(0, 10)
            .unwrap()
            .into_iter()
            .map(|m| m.payload)
            .collect()
    };
    let expected: Vec<Vec<u8>> = vec![
        b"a".to_vec(),
        b"b".to_vec(),
        vec![],
        b"d".to_vec(),
        b"e".to_vec(),
    ];
    assert_eq!(payloads(&log), expected);
    drop(log);
    let log = TopicLog::open(dir.path(), small_segments(FsyncPolicy::Never)).unwrap();
    assert_eq!(payloads(&log), expected);
    assert_eq!(log.next_offset(), 5);
}

#[test]
fn a_batch_is_fsynced_once_under_every_append() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = TopicLog::open(dir.path(), big_segments(FsyncPolicy::EveryAppend)).unwrap();
    assert_eq!(log.append_syncs(), 0);
    for i in 0..10u32 {
        log.append(&i.to_le_bytes()).unwrap();
    }
    assert_eq!(log.append_syncs(), 10, "one fsync per single append");
    let payloads: Vec<Vec<u8>> = (0..100u32).map(|i| i.to_le_bytes().to_vec()).collect();
    let refs: Vec<&[u8]> = payloads.iter().map(|p| p.as_slice()).collect();
    assert_eq!(log.append_batch(&refs).unwrap(), 10..110);
    assert_eq!(log.append_syncs(), 11, "one fsync for a batch of 100");
    log.append_batch(&[]).unwrap();
    assert_eq!(log.append_syncs(), 11, "an empty batch syncs nothing");
    drop(log);

    let reopened = TopicLog::open(dir.path(), big_segments(FsyncPolicy::Never)).unwrap();
    assert_eq!(reopened.append_syncs(), 0, "counted since open");
    assert_eq!(reopened.next_offset(), 110);
    let mut never = reopened;
    never.append_batch(&refs).unwrap();
    never.append(b"x").unwrap();
    assert_eq!(
        never.append_syncs(),
        0,
        "FsyncPolicy::Never never syncs appends"
    );
}

#[test]
fn a_batch_rolls_segments_exactly_like_single_appends() {
    let (one, batch) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let config = small_segments(FsyncPolicy::EveryAppend);
    // Sizes from 0 to about 1.5 segments, so some records get a segment of their own.
    let payloads: Vec<Vec<u8>> = (0..40u64)
        .map(|i| vec![i as u8; ((i * 397) % 1500) as usize])
        .collect();
    let refs: Vec<&[u8]> = payloads.iter().map(|p| p.as_slice()).collect();

    let mut singles = TopicLog::open(one.path(), config.clone()).unwrap();
    for p in &refs {
        singles.append(p).unwrap();
    }
    let mut batched = TopicLog::open(batch.path(), config.clone()).unwrap();
    assert_eq!(batched.append_batch(&refs).unwrap(), 0..40);
    assert_eq!(batched.append_syncs(), 1);

    assert!(singles.segment_base_offsets().len() > 10);
    assert_eq!(
        batched.segment_base_offsets(),
        singles.segment_base_offsets()
    );
    assert_eq!(batched.segment_sizes(), singles.segment_sizes());
    assert_files_match(&batched);
    drop(batched);
    let reopened = TopicLog::open(batch.path(), config).unwrap();
    let read: Vec<Vec<u8>> = reopened
        .read(0, 100)
        .unwrap()
        .into_iter()
        .map(|m| m.payload)
        .collect();
    assert_eq!(read, payloads);
}

#[test]
fn produce_batch_creates_the_topic_and_is_delivered_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::starting_at(START);
    let mut b = Broker::open_with(
        dir.path(),
        big_segments(FsyncPolicy::EveryAppend),
        delivery(5, 100),
        clock.clone(),
    )
    .unwrap();
    assert_eq!(b.produce_batch("t", &[b"m0", b"m1", b"m2"]).unwrap(), 0..3);
    assert_eq!(b.produce("t", b"m3").unwrap(), 3);
    assert_eq!(b.produce_batch("t", &[b"m4", b"m5"]).unwrap(), 4..6);
    assert_eq!(b.topic("t").unwrap().append_syncs(), 3);
    assert!(matches!(
        b.produce_batch("bad/name", &[b"x"]),
        Err(MqError::InvalidTopic(_))
    ));
    let too_big = vec![0u8; 4097];
    assert!(matches!(
        b.produce_batch("t", &[b"m6", &too_big]),
        Err(MqError::MessageTooLarge { .. })
    ));
    let got = b.receive("g", "t", 100).unwrap();
    assert_eq!(offsets(&got), (0..6).collect::<Vec<_>>());
    for d in &got {
        assert_eq!(d.payload, format!("m{}", d.offset).into_bytes());
    }
}

// Credit-based flow control.

#[test]
fn a_consumer_never_holds_more_leases_than_its_credit() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::starting_at(START);
    let mut b = open(dir.path(), &clock, delivery(5, 100));
    for i in 0..10 {
        b.produce("t", format!("m{i}").as_bytes()).unwrap();
    }
    b.subscribe("g", "t", "c1", 3).unwrap();

    assert_eq!(
        offsets(&b.receive_as("g", "t", "c1", 10).unwrap()),
        [0, 1, 2]
    );
    assert!(b.receive_as("g", "t", "c1", 10).unwrap().is_empty());
    assert_eq!(b.outstanding("g", "t", "c1"), 3);

    b.ack_delivery("g", "t", 1, 1).unwrap();
    assert_eq!(b.outstanding("g", "t", "c1"), 2);
    assert_eq!(offsets(&b.receive_as("g", "t", "c1", 10).unwrap()), [3]);
    assert!(b.receive_as("g", "t", "c1", 10).unwrap().is_empty());

    b.ack("g", "t", 0).unwrap();
    b.ack_delivery("g", "t", 2, 1).unwrap();
    assert_eq!(
        offsets(&b.receive_as("g", "t", "c1", 1).unwrap()),
        [4],
        "max still applies"
    );
    assert_eq!(offsets(&b.receive_as("g", "t", "c1", 10).unwrap()), [5]);
    assert_eq!(b.outstanding("g", "t", "c1"), 3);
}

#[test]
fn credit_comes_back_when_a_lease_ends_by_nack_expiry_or_dead_letter() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::starting_at(START);
    let mut b = open(dir.path(), &clock, delivery(3, 100));
    for i in 0..5 {
        b.produce("t", format!("m{i}").as_bytes()).unwrap();
    }
    b.subscribe("g", "t", "c1", 2).unwrap();
    assert_eq!(
        attempts(&b.receive_as("g", "t", "c1", 10).unwrap()),
        [(0, 1), (1, 1)]
    );

    b.nack("g", "t", 0, 1, true).unwrap();
    assert_eq!(
        b.outstanding("g", "t", "c1"),
        1,
        "a NACK returns its credit"
    );
    assert_eq!(
        attempts(&b.receive_as("g", "t", "c1", 10).unwrap()),
        [(0, 2)]
    );

    clock.advance(ACK_TIMEOUT - MS);
    assert_eq!(b.outstanding("g", "t", "c1"), 2);
    clock.advance(MS);
    assert_eq!(
        b.outstanding("g", "t", "c1"),
        0,
        "expired leases hold no credit"
    );
    assert_eq!(
        attempts(&b.receive_as("g", "t", "c1", 10).unwrap()),
        [(0, 3), (1, 2)]
    );

    b.nack("g", "t", 0, 3, true).unwrap(); // its last attempt: dead-lettered
    assert_eq!(b.outstanding("g", "t", "c1"), 1);
    assert_eq!(
        attempts(&b.receive_as("g", "t", "c1", 10).unwrap()),
        [(2, 1)]
    );
    b.nack("g", "t", 1, 2, false).unwrap(); // rejected: dead-lettered
    assert_eq!(
        attempts(&b.receive_as("g", "t", "c1", 10).unwrap()),
        [(3, 1)]
    );
    assert_eq!(b.topic("t.dlq").unwrap().next_offset(), 2);
}

#[test]
fn each_consumer_has_its_own_credit_within_the_group_window() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::starting_at(START);
    let mut b = open(dir.path(), &clock, delivery(5, 6));
    for i in 0..20 {
        b.produce("t", format!("m{i}").as_bytes()).unwrap();
    }
    b.subscribe("g", "t", "small", 2).unwrap();
    b.subscribe("g", "t", "large", 10).unwrap();

    let small = b.receive_as("g", "t", "small", 10).unwrap();
    assert_eq!(offsets(&small), [0, 1]);
    let large = b.receive_as("g", "t", "large", 10).unwrap();
    assert_eq!(
        offsets(&large),
        [2, 3, 4, 5],
        "the group's max_in_flight window still applies"
    );
    assert!(b.receive("g", "t", 10).unwrap().is_empty());
    assert_eq!(b.outstanding("g", "t", "small"), 2);
    assert_eq!(b.outstanding("g", "t", "large"), 4);

    // Acks by whoever: credit goes back to the consumer that held the lease.
    b.ack("g", "t", 0).unwrap();
    b.ack("g", "t", 1).unwrap();
    assert_eq!(b.outstanding("g", "t", "small"), 0);
    assert_eq!(
        offsets(&b.receive_as("g", "t", "large", 10).unwrap()),
        [6, 7]
    );
    assert!(b.receive_as("g", "t", "small", 10).unwrap().is_empty());

    // A consumer of the same name in another group is another consumer.
    assert!(matches!(
        b.receive_as("other", "t", "small", 10),
        Err(MqError::UnknownConsumer { .. })
    ));
    b.subscribe("other", "t", "small", 1).unwrap();
    assert_eq!(
        offsets(&b.receive_as("other", "t", "small", 10).unwrap()),
        [0]
    );
}

#[test]
fn unsubscribing_releases_a_consumers_leases_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::starting_at(START);
    let mut b = open(dir.path(), &clock, delivery(5, 100));
    for i in 0..4 {
        b.produce("t", format!("m{i}").as_bytes()).unwrap();
    }
    assert!(matches!(
        b.subscribe("g", "t", "c1", 0),
        Err(MqError::Config(_))
    ));
    assert!(matches!(
        b.subscribe("g", "nope", "c1", 1),
        Err(MqError::UnknownTopic(_))
    ));
    assert!(matches!(
        b.subscribe("g", "t", "", 1),
        Err(MqError::InvalidGroup(_))
    ));
    b.subscribe("g", "t", "c1", 5).unwrap();
    b.subscribe("g", "t", "c2", 5).unwrap();
    assert_eq!(b.receive_as("g", "t", "c1", 10).unwrap().len(), 4);

    b.unsubscribe("g", "t", "c1").unwrap();
    assert_eq!(b.outstanding("g", "t", "c1"), 0);
    assert!(matches!(
        b.receive_as("g", "t", "c1", 10),
        Err(MqError::UnknownConsumer { .. })
    ));
    assert_eq!(
        attempts(&b.receive_as("g", "t", "c2", 10).unwrap()),
        [(0, 2), (1, 2), (2, 2), (3, 2)],
        "no ack deadline passed: the unsubscribe released them"
    );

    // Lowering the credit below what a consumer holds stops its deliveries until enough leases end.
    b.produce("t", b"m4").unwrap();
    b.subscribe("g", "t", "c2", 1).unwrap();
    assert_eq!(b.outstanding("g", "t", "c2"), 4);
    for offset in 0..3 {
        b.ack_delivery("g", "t", offset, 2).unwrap();
    }
    assert!(b.receive_as("g", "t", "c2", 10).unwrap().is_empty());
    b.ack_delivery("g", "t", 3, 2).unwrap();
    assert_eq!(offsets(&b.receive_as("g", "t", "c2", 10).unwrap()), [4]);
}

// Retention.

#[test]
fn size_retention_deletes_whole_oldest_segments_and_never_the_active_one() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::starting_at(START);
    let mut b = open(dir.path(), &clock, delivery(5, 100));
    produce_big(&mut b, "t", 0..30);
    let log = b.topic("t").unwrap();
    assert_files_match(log);
    let sizes = log.segment_sizes();
    assert!(sizes.len() >= 10, "300-byte messages in 1024-byte segments");
    let total: u64 = sizes.iter().sum();

    let nothing = RetentionPolicy {
        max_bytes: Some(total),
        max_age: None,
    };
    assert_eq!(b.apply_retention(&nothing).unwrap(), 0);
    assert_eq!(b.apply_retention(&RetentionPolicy::default()).unwrap(), 0);

    let one = RetentionPolicy {
        max_bytes: Some(total - 1),
        max_age: None,
    };
    assert_eq!(b.apply_retention(&one).unwrap(), 1, "one whole segment");
    let log = b.topic("t").unwrap();
    assert_eq!(log.earliest_offset(), log.segment_base_offsets()[0]);
    assert_files_match(log);
    assert_intact(log);

    // The fewest oldest segments that bring the total to the limit.
    let limit = 2500;
    let before = b.topic("t").unwrap().segment_sizes();
    let deleted = b
        .apply_retention(&RetentionPolicy {
            max_bytes: Some(limit),
            max_age: None,
        })
        .unwrap();
    let after: u64 = b.topic("t").unwrap().size_bytes();
    assert!(after <= limit);
    assert!(
        after + before[deleted - 1] > limit,
        "no more segments than needed"
    );
    assert_eq!(
        b.topic("t").unwrap().segment_sizes(),
        before[deleted..].to_vec()
    );
    assert_files_match(b.topic("t").unwrap());
    assert_intact(b.topic("t").unwrap());

    // A limit of 0 leaves only the active segment, which keeps taking appends.
    b.apply_retention(&RetentionPolicy {
        max_bytes: Some(0),
        max_age: None,
    })
    .unwrap();
    let log = b.topic("t").unwrap();
    assert_eq!(log.segment_base_offsets().len(), 1);
    assert_eq!(log.next_offset(), 30);
    assert_intact(log);
    assert_eq!(b.produce("t", &big_payload(30)).unwrap(), 30);
    assert_intact(b.topic("t").unwrap());
}

#[test]
fn age_retention_deletes_segments_whose_newest_message_is_old_enough() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::starting_at(START);
    let mut b = open(dir.path(), &clock, delivery(5, 100));
    produce_big(&mut b, "t", 0..6); // at 0 s
    clock.advance(10 * SECOND);
    produce_big(&mut b, "t", 6..12); // at 10 s
    clock.advance(10 * SECOND);
    produce_big(&mut b, "t", 12..13); // at 20 s

    // Sealed segments whose newest message is at most `last`, oldest first.
    let bases = b.topic("t").unwrap().segment_base_offsets();
    let sealed_up_to = |last: u64| {
        (1..bases.len())
            .take_while(|&i| bases[i] - 1 <= last)
            .count()
    };
    assert!(sealed_up_to(5) >= 1);

    let age = |max_age: Duration| RetentionPolicy {
        max_bytes: None,
        max_age: Some(max_age),
    };
    assert_eq!(
        b.apply_retention(&age(20 * SECOND + MS)).unwrap(),
        0,
        "nothing is that old"
    );
    assert_eq!(
        b.apply_retention(&age(20 * SECOND)).unwrap(),
        sealed_up_to(5),
        "segments of messages exactly max_age old go; a segment with a newer message stays"
    );
    let log = b.topic("t").unwrap();
    assert_eq!(log.earliest_offset(), bases[sealed_up_to(5)]);
    assert_intact(log);

    clock.advance(5 * SECOND); // 25 s
    assert_eq!(
        b.apply_retention(&age(15 * SECOND)).unwrap(),
        sealed_up_to(11) - sealed_up_to(5)
    );
    let log = b.topic("t").unwrap();
    assert_eq!(
        log.segment_base_offsets().len(),
        1,
        "only the active segment is left"
    );
    assert_eq!(
        b.apply_retention(&age(Duration::ZERO)).unwrap(),
        0,
        "the active segment is never deleted"
    );
    assert_intact(b.topic("t").unwrap());
}

#[test]
fn after_a_reopen_messages_on_disk_count_as_appended_at_open() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::starting_at(START);
    let mut b = open(dir.path(), &clock, delivery(5, 100));
    produce_big(&mut b, "t", 0..10);
    drop(b);
    clock.advance(100 * SECOND);
    let mut b = open(dir.path(), &clock, delivery(5, 100));
    let policy = RetentionPolicy {
        max_bytes: None,
        max_age: Some(50 * SECOND),
    };
    assert_eq!(b.apply_retention(&policy).unwrap(), 0);
    clock.advance(50 * SECOND);
    let sealed = b.topic("t").unwrap().segment_base_offsets().len() - 1;
    assert_eq!(b.apply_retention(&policy).unwrap(), sealed);
    assert_intact(b.topic("t").unwrap());
}

#[test]
fn retention_covers_every_topic_and_moves_groups_past_deleted_messages() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::starting_at(START);
    let mut b = open(dir.path(), &clock, delivery(5, 100));
    produce_big(&mut b, "a", 0..15);
    produce_big(&mut b, "b", 0..15);
    // "early" consumed and acked the first 4 messages of "a"; "late" took 2 and acked none.
    for d in b.receive("early", "a", 4).unwrap() {
        b.ack("early", "a", d.offset).unwrap();
    }
    assert_eq!(b.receive("late", "a", 2).unwrap().len(), 2);
    let before = b.topic("a").unwrap().segment_base_offsets().len()
        + b.topic("b").unwrap().segment_base_offsets().len();

    let deleted = b
        .apply_retention(&RetentionPolicy {
            max_bytes: Some(1500),
            max_age: None,
        })
        .unwrap();
    let (a, bt) = (b.topic("a").unwrap(), b.topic("b").unwrap());
    assert!(a.size_bytes() <= 1500 && bt.size_bytes() <= 1500);
    let after = a.segment_base_offsets().len() + bt.segment_base_offsets().len();
    assert_eq!(deleted, before - after);
    let earliest = a.earliest_offset();
    assert!(earliest > 4);

    for group in ["early", "late", "new"] {
        let got = b.receive(group, "a", 1).unwrap();
        assert_eq!(
            offsets(&got),
            [earliest],
            "{group} continues at the earliest retained offset"
        );
        b.ack(group, "a", earliest).unwrap();
        assert_eq!(b.committed_offset(group, "a"), Some(earliest + 1));
    }
    let left: BTreeSet<u64> = b.in_flight("late", "a").into_iter().collect();
    assert!(left.is_empty(), "deleted messages are no longer in flight");
}

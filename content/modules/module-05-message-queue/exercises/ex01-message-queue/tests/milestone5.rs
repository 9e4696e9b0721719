//! Milestone 5: partitioned topics, keyed partitioning and consumer groups that rebalance, on the broker
//! used as a library.
//!
//! Time is a `ManualClock` the tests advance (session timeouts and ack deadlines): no test sleeps.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Duration;

use ex01_message_queue::{
    fnv1a_64, partition_for_key, Assignment, DeliveryConfig, FsyncPolicy, LogConfig, ManualClock,
    MqError, PartitionDelivery, PartitionedBroker,
};

const SESSION: Duration = Duration::from_secs(10);
const ACK_TIMEOUT: Duration = Duration::from_secs(60);
const MS: Duration = Duration::from_millis(1);
const SECOND: Duration = Duration::from_secs(1);
const START: u64 = 1_000_000;

fn open(dir: &Path, clock: &ManualClock) -> PartitionedBroker {
    let log = LogConfig {
        segment_bytes: 4096,
        index_interval_bytes: 512,
        max_message_bytes: 4096,
        fsync: FsyncPolicy::Never,
    };
    let delivery = DeliveryConfig {
        ack_timeout: ACK_TIMEOUT,
        max_attempts: 100,
        max_in_flight: 10_000,
    };
    PartitionedBroker::open(dir, log, delivery, SESSION, clock.clone()).unwrap()
}

/// The test's own FNV-1a 64: the specification the broker's hash must match.
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

fn assert_owned_once(assignments: &[&Assignment], partitions: u32) {
    let mut owners = BTreeMap::new();
    for a in assignments {
        for &p in &a.partitions {
            assert!(
                owners.insert(p, ()).is_none(),
                "partition {p} has two owners"
            );
        }
    }
    assert_eq!(
        owners.keys().copied().collect::<Vec<_>>(),
        (0..partitions).collect::<Vec<_>>(),
        "every partition has an owner"
    );
    let sizes: Vec<usize> = assignments.iter().map(|a| a.partitions.len()).collect();
    let (min, max) = (sizes.iter().min().unwrap(), sizes.iter().max().unwrap());
    assert!(max - min <= 1, "balanced: {sizes:?}");
    for a in assignments {
        assert!(a.partitions.windows(2).all(|w| w[0] < w[1]), "ascending");
    }
}

fn is_stale<T: std::fmt::Debug>(result: Result<T, MqError>) -> bool {
    matches!(result, Err(MqError::StaleGeneration { .. }))
}

fn is_unknown_member<T: std::fmt::Debug>(result: Result<T, MqError>) -> bool {
    matches!(result, Err(MqError::UnknownMember { .. }))
}

#[test]
fn keys_go_to_partitions_by_a_stable_fnv1a_hash() {
    assert_eq!(fnv1a_64(b""), 0xcbf2_9ce4_8422_2325);
    assert_eq!(fnv1a_64(b"a"), 0xaf63_dc4c_8601_ec8c);
    assert_eq!(fnv1a_64(b"foobar"), 0x8594_4171_f739_67e8);
    let mut seen = BTreeSet::new();
    for i in 0..500u32 {
        let key = format!("customer-{i}");
        assert_eq!(fnv1a_64(key.as_bytes()), fnv(key.as_bytes()));
        for n in [1, 2, 7, 16] {
            let p = partition_for_key(key.as_bytes(), n);
            assert_eq!(u64::from(p), fnv(key.as_bytes()) % u64::from(n));
            if n == 16 {
                seen.insert(p);
            }
        }
    }
    assert_eq!(seen.len(), 16, "500 keys reach all 16 partitions");
}

#[test]
fn topics_have_a_fixed_partition_count_that_survives_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::starting_at(START);
    let mut b = open(dir.path(), &clock);
    assert!(matches!(
        b.produce("orders", b"k", b"v"),
        Err(MqError::UnknownTopic(_))
    ));
    assert!(matches!(
        b.create_topic("orders", 0),
        Err(MqError::Config(_))
    ));
    assert!(matches!(
        b.create_topic("orders", 1025),
        Err(MqError::Config(_))
    ));
    assert!(matches!(
        b.create_topic("bad/name", 2),
        Err(MqError::InvalidTopic(_))
    ));
    b.create_topic("orders", 4).unwrap();
    b.create_topic("orders", 4).unwrap();
    assert!(matches!(
        b.create_topic("orders", 5),
        Err(MqError::Config(_))
    ));
    b.create_topic("single", 1).unwrap();
    assert_eq!(b.partitions("orders"), Some(4));
    assert_eq!(b.partitions("nope"), None);
    for p in 0..4 {
        assert_eq!(b.partition_log("orders", p).unwrap().next_offset(), 0);
    }
    assert!(b.partition_log("orders", 4).is_none());
    let (p, offset) = b.produce("orders", b"alice", b"first").unwrap();
    assert_eq!((p, offset), (partition_for_key(b"alice", 4), 0));
    drop(b);

    let b = open(dir.path(), &clock);
    assert_eq!(b.partitions("orders"), Some(4));
    assert_eq!(b.partitions("single"), Some(1));
    assert_eq!(b.partition_log("orders", p).unwrap().next_offset(), 1);
}

#[test]
fn each_key_keeps_its_order_within_its_partition() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::starting_at(START);
    let mut b = open(dir.path(), &clock);
    b.create_topic("events", 4).unwrap();
    let mut expected_offset = [0u64; 4];
    for i in 0..200u32 {
        let key = format!("key-{}", (i * 7) % 10);
        let (p, offset) = b
            .produce("events", key.as_bytes(), format!("{key}/{i}").as_bytes())
            .unwrap();
        assert_eq!(p, partition_for_key(key.as_bytes(), 4));
        assert_eq!(offset, expected_offset[p as usize], "offsets per partition");
        expected_offset[p as usize] += 1;
    }

    let a = b.join("g", "events", "solo").unwrap();
    assert_eq!(a.partitions, vec![0, 1, 2, 3]);
    let mut got: Vec<PartitionDelivery> = Vec::new();
    loop {
        let batch = b.fetch("g", "events", "solo", a.generation, 37).unwrap();
        if batch.is_empty() {
            break;
        }
        got.extend(batch);
    }
    assert_eq!(got.len(), 200);
    let mut last_offset: BTreeMap<u32, u64> = BTreeMap::new();
    let mut last_seq: BTreeMap<String, u32> = BTreeMap::new();
    for d in &got {
        if let Some(&prev) = last_offset.get(&d.partition) {
            assert_eq!(d.offset, prev + 1, "a partition is delivered in order");
        }
        last_offset.insert(d.partition, d.offset);
        let text = String::from_utf8(d.payload.clone()).unwrap();
        let (key, seq) = text.split_once('/').unwrap();
        assert_eq!(d.partition, partition_for_key(key.as_bytes(), 4));
        let seq: u32 = seq.parse().unwrap();
        if let Some(&prev) = last_seq.get(key) {
            assert!(seq > prev, "{key} is delivered in produce order");
        }
        last_seq.insert(key.to_string(), seq);
    }

    // Unkeyed messages go round-robin.
    b.create_topic("spread", 3).unwrap();
    let placed: Vec<u32> = (0..7)
        .map(|i| b.produce_unkeyed("spread", &[i]).unwrap().0)
        .collect();
    assert_eq!(placed, [0, 1, 2, 0, 1, 2, 0]);
}

#[test]
fn every_partition_has_exactly_one_owner_and_generations_count_changes() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::starting_at(START);
    let mut b = open(dir.path(), &clock);
    b.create_topic("t", 8).unwrap();
    assert_eq!(b.generation("g", "t"), 0);
    assert!(matches!(
        b.join("g", "nope", "a"),
        Err(MqError::UnknownTopic(_))
    ));
    assert!(matches!(
        b.join("g", "t", ""),
        Err(MqError::InvalidGroup(_))
    ));

    let a = b.join("g", "t", "a").unwrap();
    assert_eq!(a.generation, 1);
    assert_eq!(a.partitions, (0..8).collect::<Vec<_>>());
    b.join("g", "t", "b").unwrap();
    b.join("g", "t", "c").unwrap();
    assert_eq!(b.generation("g", "t"), 3);
    let all: Vec<Assignment> = ["a", "b", "c"]
        .iter()
        .map(|m| b.assignment("g", "t", m).unwrap())
        .collect();
    assert!(all.iter().all(|x| x.generation == 3));
    assert_owned_once(&all.iter().collect::<Vec<_>>(), 8);

    // A join of a present member and heartbeats change nothing.
    assert_eq!(b.join("g", "t", "b").unwrap(), all[1]);
    assert_eq!(b.heartbeat("g", "t", "c").unwrap(), all[2]);
    assert_eq!(b.generation("g", "t"), 3);
    // Another group on the same topic has its own members and generations.
    assert_eq!(
        b.join("other", "t", "x").unwrap().partitions,
        (0..8).collect::<Vec<_>>()
    );
    assert_eq!(b.generation("g", "t"), 3);

    b.leave("g", "t", "b").unwrap();
    b.leave("g", "t", "b").unwrap(); // not a member any more: nothing happens
    assert_eq!(b.generation("g", "t"), 4);
    assert_eq!(b.assignment("g", "t", "b"), None);
    let left: Vec<Assignment> = ["a", "c"]
        .iter()
        .map(|m| b.assignment("g", "t", m).unwrap())
        .collect();
    assert_owned_once(&left.iter().collect::<Vec<_>>(), 8);

    // More members than partitions: some own nothing, each partition still has one owner.
    b.create_topic("two", 2).unwrap();
    let members = ["m1", "m2", "m3"];
    for m in members {
        b.join("g", "two", m).unwrap();
    }
    let owned: Vec<Assignment> = members
        .iter()
        .map(|m| b.assignment("g", "two", m).unwrap())
        .collect();
    assert_owned_once(&owned.iter().collect::<Vec<_>>(), 2);
}

#[test]
fn a_rebalance_fences_requests_from_the_old_generation() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::starting_at(START);
    let mut b = open(dir.path(), &clock);
    b.create_topic("t", 4).unwrap();
    for p in 0..4u8 {
        b.produce_unkeyed("t", &[p]).unwrap();
    }
    let a1 = b.join("g", "t", "a").unwrap();
    let got = b.fetch("g", "t", "a", a1.generation, 10).unwrap();
    assert_eq!(got.len(), 4);

    let b2 = b.join("g", "t", "b").unwrap();
    assert_eq!(b2.generation, a1.generation + 1);
    let d = &got[0];
    assert!(is_stale(b.ack(
        "g",
        "t",
        "a",
        a1.generation,
        d.partition,
        d.offset,
        d.attempt
    )));
    assert!(is_stale(b.fetch("g", "t", "a", a1.generation, 10)));
    assert!(is_unknown_member(b.fetch(
        "g",
        "t",
        "zed",
        b2.generation,
        10
    )));

    // With the new generation, a member may ack only its own partitions.
    let a2 = b.heartbeat("g", "t", "a").unwrap();
    assert_eq!(a2.generation, b2.generation);
    let theirs = b2.partitions[0];
    assert!(matches!(
        b.ack("g", "t", "a", a2.generation, theirs, 0, 1),
        Err(MqError::NotAssigned { partition, .. }) if partition == theirs
    ));
    let mine = got
        .iter()
        .find(|d| a2.partitions.contains(&d.partition))
        .unwrap();
    b.ack(
        "g",
        "t",
        "a",
        a2.generation,
        mine.partition,
        mine.offset,
        mine.attempt,
    )
    .unwrap();
    assert_eq!(b.committed("g", "t", mine.partition), Some(1));
}

#[test]
fn a_member_that_misses_its_session_timeout_is_removed() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::starting_at(START);
    let mut b = open(dir.path(), &clock);
    b.create_topic("t", 4).unwrap();
    b.join("g", "t", "a").unwrap();
    b.join("g", "t", "b").unwrap();
    assert_eq!(b.generation("g", "t"), 2);

    clock.advance(SESSION - MS);
    b.heartbeat("g", "t", "a").unwrap();
    assert_eq!(b.expire_members().unwrap(), 0);
    clock.advance(MS); // b's last heartbeat was SESSION ago
    assert_eq!(b.expire_members().unwrap(), 1);
    assert_eq!(b.generation("g", "t"), 3);
    assert_eq!(b.assignment("g", "t", "b"), None);
    assert_eq!(
        b.assignment("g", "t", "a").unwrap().partitions,
        vec![0, 1, 2, 3]
    );
    assert!(is_unknown_member(b.heartbeat("g", "t", "b")));

    // Expiry is also noticed by the group's own requests, without expire_members.
    let rejoined = b.join("g", "t", "b").unwrap();
    assert_eq!(rejoined.generation, 4);
    clock.advance(SESSION);
    assert!(is_unknown_member(b.fetch("g", "t", "a", 4, 10)));
    assert_eq!(b.generation("g", "t"), 5, "both timed out: one rebalance");
    assert_eq!(b.join("g", "t", "a").unwrap().generation, 6);
}

#[test]
fn committed_offsets_and_unacked_messages_move_with_their_partition() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::starting_at(START);
    let mut b = open(dir.path(), &clock);
    b.create_topic("t", 2).unwrap();
    for i in 0..10u8 {
        b.produce_unkeyed("t", &[i]).unwrap(); // 5 per partition
    }
    let a = b.join("g", "t", "a").unwrap();
    let got = b.fetch("g", "t", "a", a.generation, 100).unwrap();
    assert_eq!(got.len(), 10);
    // a acks offsets 0 and 1 of each partition, and 3 out of order.
    for d in got.iter().filter(|d| [0, 1, 3].contains(&d.offset)) {
        b.ack(
            "g",
            "t",
            "a",
            a.generation,
            d.partition,
            d.offset,
            d.attempt,
        )
        .unwrap();
    }
    assert_eq!(b.committed("g", "t", 0), Some(2));
    assert_eq!(b.committed("g", "t", 1), Some(2));

    let z = b.join("g", "t", "z").unwrap();
    assert_eq!(z.partitions.len(), 1);
    let moved = z.partitions[0];
    assert_eq!(
        b.committed("g", "t", moved),
        Some(2),
        "the committed offset belongs to the group"
    );
    let taken = b.fetch("g", "t", "z", z.generation, 100).unwrap();
    let offsets: Vec<(u64, u32)> = taken.iter().map(|d| (d.offset, d.attempt)).collect();
    assert_eq!(
        offsets,
        vec![(2, 2), (4, 2)],
        "the un-acked messages of the moved partition, at once, as the next attempt"
    );
    assert!(taken.iter().all(|d| d.partition == moved));

    // The partition a kept is untouched: its leases are still a's.
    let a2 = b.heartbeat("g", "t", "a").unwrap();
    let kept = a2.partitions[0];
    assert!(b
        .fetch("g", "t", "a", a2.generation, 100)
        .unwrap()
        .is_empty());
    for offset in [2, 4] {
        b.ack("g", "t", "a", a2.generation, kept, offset, 1)
            .unwrap();
        b.ack("g", "t", "z", z.generation, moved, offset, 2)
            .unwrap();
    }
    assert_eq!(b.committed("g", "t", kept), Some(5));
    assert_eq!(b.committed("g", "t", moved), Some(5));
}

/// Produces messages `from..to` keyed by 17 customers, recording where each went.
fn produce(
    b: &mut PartitionedBroker,
    produced: &mut BTreeMap<(u32, u64), Vec<u8>>,
    from: u32,
    to: u32,
) {
    for i in from..to {
        let key = format!("customer-{}", i % 17);
        let payload = format!("{key}/{i}").into_bytes();
        let at = b.produce("orders", key.as_bytes(), &payload).unwrap();
        produced.insert(at, payload);
    }
}

#[test]
fn three_members_one_stops_heartbeating_and_no_message_is_lost() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::starting_at(START);
    let mut b = open(dir.path(), &clock);
    b.create_topic("orders", 6).unwrap();
    let mut produced = BTreeMap::new(); // (partition, offset) -> payload
    produce(&mut b, &mut produced, 0, 150);

    let names = ["a", "b", "c"];
    let mut generation: BTreeMap<&str, u64> = BTreeMap::new();
    for m in names {
        b.join("g", "orders", m).unwrap();
    }
    for m in names {
        generation.insert(m, b.generation("g", "orders"));
    }
    let mut received: BTreeMap<(u32, u64), Vec<&str>> = BTreeMap::new();
    let mut unacked_by_c: BTreeSet<(u32, u64)> = BTreeSet::new();

    for step in 0..40 {
        if step == 10 {
            produce(&mut b, &mut produced, 150, 300);
        }
        for m in names {
            let c_stopped = m == "c" && step >= 3;
            if c_stopped {
                continue; // c hangs: no heartbeats, no acks, no fetches
            }
            let a = match b.heartbeat("g", "orders", m) {
                Ok(a) => a,
                Err(e) => panic!("{m} is alive at step {step}: {e}"),
            };
            generation.insert(m, a.generation);
            let got = b.fetch("g", "orders", m, a.generation, 20).unwrap();
            for (i, d) in got.iter().enumerate() {
                assert_eq!(produced[&(d.partition, d.offset)], d.payload);
                received.entry((d.partition, d.offset)).or_default().push(m);
                if m == "c" && step == 2 && i % 2 == 0 {
                    unacked_by_c.insert((d.partition, d.offset)); // fetched, never acked
                    continue;
                }
                b.ack(
                    "g",
                    "orders",
                    m,
                    a.generation,
                    d.partition,
                    d.offset,
                    d.attempt,
                )
                .unwrap();
            }
        }
        clock.advance(SECOND);
    }

    assert!(!unacked_by_c.is_empty());
    assert_eq!(b.assignment("g", "orders", "c"), None, "c timed out");
    let survivors = [
        &b.assignment("g", "orders", "a").unwrap(),
        &b.assignment("g", "orders", "b").unwrap(),
    ];
    assert_owned_once(&survivors, 6);
    for p in 0..6 {
        assert_eq!(
            b.committed("g", "orders", p),
            Some(b.partition_log("orders", p).unwrap().next_offset()),
            "partition {p} is fully acked"
        );
    }
    let keys: BTreeSet<&(u32, u64)> = received.keys().collect();
    assert_eq!(
        keys,
        produced.keys().collect::<BTreeSet<_>>(),
        "every message was received"
    );
    for (at, by) in &received {
        if by.len() > 1 {
            assert!(
                unacked_by_c.contains(at) && by.len() == 2 && by[0] == "c" && by[1] != "c",
                "the only duplicates are c's un-acked messages, redelivered once to a survivor: {at:?} {by:?}"
            );
        }
    }
    assert!(unacked_by_c.iter().all(|at| received[at].len() == 2));
}

#[test]
fn committed_offsets_survive_a_reopen_and_membership_starts_afresh() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::starting_at(START);
    let mut b = open(dir.path(), &clock);
    b.create_topic("t", 3).unwrap();
    for i in 0..9u8 {
        b.produce_unkeyed("t", &[i]).unwrap();
    }
    let a = b.join("g", "t", "a").unwrap();
    for d in b.fetch("g", "t", "a", a.generation, 100).unwrap() {
        if d.offset == 0 {
            b.ack(
                "g",
                "t",
                "a",
                a.generation,
                d.partition,
                d.offset,
                d.attempt,
            )
            .unwrap();
        }
    }
    drop(b);

    let mut b = open(dir.path(), &clock);
    assert_eq!(b.generation("g", "t"), 0);
    assert!(is_unknown_member(b.heartbeat("g", "t", "a")));
    let a = b.join("g", "t", "a").unwrap();
    let got = b.fetch("g", "t", "a", a.generation, 100).unwrap();
    let mut per_partition: BTreeMap<u32, Vec<u64>> = BTreeMap::new();
    for d in &got {
        per_partition.entry(d.partition).or_default().push(d.offset);
    }
    for p in 0..3 {
        assert_eq!(b.committed("g", "t", p), Some(1));
        assert_eq!(
            per_partition[&p],
            vec![1, 2],
            "partition {p} resumes at its committed offset"
        );
    }
}

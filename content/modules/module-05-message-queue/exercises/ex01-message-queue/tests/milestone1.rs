//! Milestone 1: the segmented log, the offset store and at-least-once consumer groups, as a library.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use ex01_message_queue::{Broker, FsyncPolicy, LogConfig, Message, MqError, OffsetStore, TopicLog};

fn small_segments() -> LogConfig {
    LogConfig {
        segment_bytes: 1024,
        index_interval_bytes: 256,
        max_message_bytes: 4096,
        fsync: FsyncPolicy::Never,
    }
}

fn payload(i: u64) -> Vec<u8> {
    format!("message number {i:05} ").repeat(3).into_bytes() // 63 bytes
}

fn fill(log: &mut TopicLog, n: u64) {
    for i in 0..n {
        assert_eq!(log.append(&payload(i)).unwrap(), i);
    }
}

fn files_with_ext(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    files.sort();
    files
}

fn offsets(messages: &[Message]) -> Vec<u64> {
    messages.iter().map(|m| m.offset).collect()
}

// ---------------------------------------------------------------------------------------------------------
// The log

#[test]
fn appends_get_sequential_offsets_and_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = TopicLog::open(dir.path(), LogConfig::default()).unwrap();
    assert_eq!(log.next_offset(), 0);
    assert_eq!(log.earliest_offset(), 0);
    assert_eq!(
        log.read(0, 10).unwrap(),
        vec![],
        "an empty log reads as empty"
    );

    let payloads: Vec<&[u8]> = vec![b"first", b"", b"\0\xff binary \r\n", b"last"];
    for (i, p) in payloads.iter().enumerate() {
        assert_eq!(log.append(p).unwrap(), i as u64);
    }
    assert_eq!(log.next_offset(), 4);
    let messages = log.read(0, 100).unwrap();
    assert_eq!(offsets(&messages), vec![0, 1, 2, 3]);
    for (m, p) in messages.iter().zip(&payloads) {
        assert_eq!(&m.payload[..], *p);
    }
}

#[test]
fn reads_from_any_offset_with_a_limit() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = TopicLog::open(dir.path(), small_segments()).unwrap();
    fill(&mut log, 200);
    for from in [0, 1, 13, 57, 100, 150, 199] {
        let messages = log.read(from, 7).unwrap();
        let expected: Vec<u64> = (from..(from + 7).min(200)).collect();
        assert_eq!(offsets(&messages), expected, "read({from}, 7)");
        for m in &messages {
            assert_eq!(m.payload, payload(m.offset));
        }
    }
    assert_eq!(
        log.read(200, 10).unwrap(),
        vec![],
        "reading at next_offset is empty"
    );
    assert_eq!(
        log.read(5000, 10).unwrap(),
        vec![],
        "reading past the end is empty"
    );
    assert_eq!(log.read(3, 0).unwrap(), vec![]);
    assert_eq!(
        log.read(0, 1000).unwrap().len(),
        200,
        "reads cross segment boundaries"
    );
}

#[test]
fn rolls_segments_by_size_and_names_them_by_base_offset() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = TopicLog::open(dir.path(), small_segments()).unwrap();
    fill(&mut log, 100);
    let bases = log.segment_base_offsets();
    assert!(
        bases.len() >= 5,
        "100 records of ~80 bytes in 1 KiB segments need several segments, got {bases:?}"
    );
    assert_eq!(bases[0], 0);
    assert!(bases.windows(2).all(|w| w[0] < w[1]));

    let logs = files_with_ext(dir.path(), "log");
    let names: Vec<String> = logs
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    let expected: Vec<String> = bases.iter().map(|b| format!("{b:020}.log")).collect();
    assert_eq!(
        names, expected,
        "one .log file per segment, named by its base offset in 20 digits"
    );
    for file in &logs {
        assert!(
            fs::metadata(file).unwrap().len() <= 1024,
            "{} is bigger than segment_bytes",
            file.display()
        );
    }
    assert_eq!(
        files_with_ext(dir.path(), "index").len(),
        logs.len(),
        "one .index file per segment"
    );

    // Each segment starts exactly where the previous one ended.
    for pair in bases.windows(2) {
        let in_first = log.read(pair[0], 1000).unwrap();
        assert_eq!(
            in_first.iter().take_while(|m| m.offset < pair[1]).count() as u64,
            pair[1] - pair[0]
        );
    }
}

#[test]
fn a_message_bigger_than_a_segment_gets_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = TopicLog::open(dir.path(), small_segments()).unwrap();
    log.append(b"small").unwrap();
    let big = vec![7u8; 3000];
    assert_eq!(log.append(&big).unwrap(), 1);
    log.append(b"after").unwrap();
    let messages = log.read(0, 10).unwrap();
    assert_eq!(messages[1].payload, big);
    assert_eq!(messages[2].payload, b"after");
}

#[test]
fn rejects_oversized_messages() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = TopicLog::open(dir.path(), small_segments()).unwrap();
    match log.append(&vec![0u8; 4097]) {
        Err(MqError::MessageTooLarge {
            len: 4097,
            max: 4096,
        }) => {}
        other => panic!("expected MessageTooLarge, got {other:?}"),
    }
    assert_eq!(log.next_offset(), 0, "a rejected message takes no offset");
}

#[test]
fn index_files_are_sparse() {
    let dir = tempfile::tempdir().unwrap();
    let config = LogConfig {
        segment_bytes: 64 * 1024,
        index_interval_bytes: 1024,
        ..small_segments()
    };
    let mut log = TopicLog::open(dir.path(), config).unwrap();
    fill(&mut log, 2000);
    let log_bytes: u64 = files_with_ext(dir.path(), "log")
        .iter()
        .map(|p| fs::metadata(p).unwrap().len())
        .sum();
    let index_bytes: u64 = files_with_ext(dir.path(), "index")
        .iter()
        .map(|p| fs::metadata(p).unwrap().len())
        .sum();
    let max_entries = log_bytes / 1024 + 4;
    assert!(index_bytes > 0, "the index is written to disk");
    assert!(
        index_bytes <= max_entries * 16,
        "at most one index entry per index_interval_bytes: {index_bytes} index bytes for {log_bytes} log bytes"
    );
}

#[test]
fn reopening_restores_every_message() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut log = TopicLog::open(dir.path(), small_segments()).unwrap();
        fill(&mut log, 150);
    }
    let mut log = TopicLog::open(dir.path(), small_segments()).unwrap();
    assert_eq!(log.next_offset(), 150);
    let all = log.read(0, 1000).unwrap();
    assert_eq!(offsets(&all), (0..150).collect::<Vec<_>>());
    assert!(all.iter().all(|m| m.payload == payload(m.offset)));
    assert_eq!(
        log.append(b"more").unwrap(),
        150,
        "appends continue where the log left off"
    );
    drop(log);
    let log = TopicLog::open(dir.path(), small_segments()).unwrap();
    assert_eq!(log.read(150, 1).unwrap()[0].payload, b"more");
}

#[test]
fn missing_or_damaged_index_files_are_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut log = TopicLog::open(dir.path(), small_segments()).unwrap();
        fill(&mut log, 120);
    }
    let indexes = files_with_ext(dir.path(), "index");
    fs::remove_file(&indexes[0]).unwrap();
    fs::write(&indexes[1], b"\xff\xff\xff").unwrap(); // not even a whole entry
    fs::write(&indexes[2], [0u8; 64]).unwrap(); // zeros, as a crash can leave
    let log = TopicLog::open(dir.path(), small_segments()).unwrap();
    for from in 0..120 {
        let got = log.read(from, 1).unwrap();
        assert_eq!(
            got,
            vec![Message {
                offset: from,
                payload: payload(from)
            }]
        );
    }
    assert!(indexes[0].exists(), "a missing index is written again");
}

fn last_log_file(dir: &Path) -> PathBuf {
    files_with_ext(dir, "log").pop().unwrap()
}

#[test]
fn a_torn_tail_is_cut_off_on_open() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut log = TopicLog::open(dir.path(), small_segments()).unwrap();
        fill(&mut log, 30);
    }
    let last = last_log_file(dir.path());
    let len = fs::metadata(&last).unwrap().len();
    OpenOptions::new()
        .write(true)
        .open(&last)
        .unwrap()
        .set_len(len - 3)
        .unwrap(); // crash mid-write

    let mut log = TopicLog::open(dir.path(), small_segments()).unwrap();
    assert_eq!(log.next_offset(), 29, "the torn record is gone");
    assert_eq!(log.read(0, 100).unwrap().len(), 29);
    assert_eq!(
        log.append(b"replacement").unwrap(),
        29,
        "its offset is reused"
    );
    drop(log);
    let log = TopicLog::open(dir.path(), small_segments()).unwrap();
    let all = log.read(0, 100).unwrap();
    assert_eq!(all.len(), 30);
    assert_eq!(all[29].payload, b"replacement");
}

#[test]
fn a_checksum_failure_at_the_tail_is_cut_off_on_open() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut log = TopicLog::open(dir.path(), small_segments()).unwrap();
        fill(&mut log, 30);
    }
    let last = last_log_file(dir.path());
    let mut bytes = fs::read(&last).unwrap();
    let n = bytes.len();
    bytes[n - 2] ^= 0x55; // flip bits inside the last payload
    fs::write(&last, &bytes).unwrap();

    let mut log = TopicLog::open(dir.path(), small_segments()).unwrap();
    assert_eq!(log.next_offset(), 29);
    let truncated = fs::metadata(&last).unwrap().len();
    assert!(
        truncated < n as u64,
        "the damaged record is cut off the file"
    );
    assert!(truncated + 200 > n as u64, "but only that record");
    assert_eq!(log.append(b"fresh").unwrap(), 29);
    drop(log);
    let log = TopicLog::open(dir.path(), small_segments()).unwrap();
    assert_eq!(
        log.read(28, 5)
            .unwrap()
            .iter()
            .map(|m| m.payload.clone())
            .collect::<Vec<_>>(),
        vec![payload(28), b"fresh".to_vec()]
    );
}

#[test]
fn garbage_after_the_last_record_is_removed() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut log = TopicLog::open(dir.path(), small_segments()).unwrap();
        fill(&mut log, 5);
    }
    let last = last_log_file(dir.path());
    let len = fs::metadata(&last).unwrap().len();
    OpenOptions::new()
        .append(true)
        .open(&last)
        .unwrap()
        .write_all(&[0u8; 100])
        .unwrap();
    let mut log = TopicLog::open(dir.path(), small_segments()).unwrap();
    assert_eq!(log.next_offset(), 5);
    assert_eq!(fs::metadata(&last).unwrap().len(), len);
    assert_eq!(log.append(b"x").unwrap(), 5);
}

#[test]
fn corruption_inside_a_sealed_segment_is_reported_on_read() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut log = TopicLog::open(dir.path(), small_segments()).unwrap();
        fill(&mut log, 100);
    }
    let first = &files_with_ext(dir.path(), "log")[0];
    let mut bytes = fs::read(first).unwrap();
    bytes[100] ^= 0xff;
    fs::write(first, &bytes).unwrap();
    let log = TopicLog::open(dir.path(), small_segments()).unwrap();
    assert_eq!(
        log.next_offset(),
        100,
        "sealed segments are not rescanned on open"
    );
    assert!(
        matches!(log.read(0, 100), Err(MqError::Corrupt { .. })),
        "but damage is never returned as data"
    );
}

#[test]
fn retention_deletes_whole_old_segments() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = TopicLog::open(dir.path(), small_segments()).unwrap();
    fill(&mut log, 100);
    let bases = log.segment_base_offsets();
    let cut = bases[2] + 1; // inside the third segment

    assert_eq!(
        log.delete_segments_before(cut).unwrap(),
        2,
        "only segments entirely below the offset go"
    );
    assert_eq!(log.earliest_offset(), bases[2]);
    assert_eq!(log.segment_base_offsets(), bases[2..].to_vec());
    assert_eq!(files_with_ext(dir.path(), "log").len(), bases.len() - 2);
    assert_eq!(files_with_ext(dir.path(), "index").len(), bases.len() - 2);
    match log.read(0, 1) {
        Err(MqError::OffsetOutOfRange {
            requested: 0,
            earliest,
        }) => assert_eq!(earliest, bases[2]),
        other => panic!("expected OffsetOutOfRange, got {other:?}"),
    }
    assert_eq!(log.read(bases[2], 1).unwrap()[0].offset, bases[2]);

    assert_eq!(
        log.delete_segments_before(u64::MAX).unwrap(),
        bases.len() - 3
    );
    assert_eq!(
        log.segment_base_offsets(),
        vec![*bases.last().unwrap()],
        "the active segment always stays"
    );
    assert_eq!(log.next_offset(), 100);
    drop(log);

    let mut log = TopicLog::open(dir.path(), small_segments()).unwrap();
    assert_eq!(
        log.earliest_offset(),
        *bases.last().unwrap(),
        "retention survives a restart"
    );
    assert_eq!(log.append(b"next").unwrap(), 100);
}

#[test]
fn unusable_configs_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let zero = LogConfig {
        segment_bytes: 0,
        ..LogConfig::default()
    };
    assert!(matches!(
        TopicLog::open(dir.path(), zero),
        Err(MqError::Config(_))
    ));
    let huge = LogConfig {
        segment_bytes: 8 << 30,
        ..LogConfig::default()
    };
    assert!(matches!(
        TopicLog::open(dir.path(), huge),
        Err(MqError::Config(_))
    ));
}

// ---------------------------------------------------------------------------------------------------------
// The offset store

#[test]
fn committed_offsets_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("offsets.log");
    {
        let mut store = OffsetStore::open(&path).unwrap();
        assert_eq!(store.committed("billing", "orders"), None);
        store.commit("billing", "orders", 5).unwrap();
        store.commit("billing", "orders", 9).unwrap();
        store.commit("billing", "refunds", 1).unwrap();
        store.commit("audit", "orders", 3).unwrap();
        store.commit("audit", "orders", 2).unwrap(); // a reset backwards is allowed
    }
    let store = OffsetStore::open(&path).unwrap();
    assert_eq!(store.committed("billing", "orders"), Some(9));
    assert_eq!(store.committed("billing", "refunds"), Some(1));
    assert_eq!(store.committed("audit", "orders"), Some(2));
    assert_eq!(store.committed("audit", "refunds"), None);
    assert_eq!(store.len(), 3);
}

#[test]
fn a_torn_offset_commit_loses_only_itself() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("offsets.log");
    {
        let mut store = OffsetStore::open(&path).unwrap();
        store.commit("g", "t", 1).unwrap();
        store.commit("g", "t", 2).unwrap();
    }
    let len = fs::metadata(&path).unwrap().len();
    OpenOptions::new()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(len - 1)
        .unwrap();
    let mut store = OffsetStore::open(&path).unwrap();
    assert_eq!(store.committed("g", "t"), Some(1));
    store.commit("g", "t", 3).unwrap();
    drop(store);
    assert_eq!(
        OffsetStore::open(&path).unwrap().committed("g", "t"),
        Some(3)
    );
}

#[test]
fn compaction_shrinks_the_file_and_keeps_the_values() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("offsets.log");
    let mut store = OffsetStore::open(&path).unwrap();
    for i in 0..40 {
        store.commit("g1", "t", i).unwrap();
        store.commit("g2", "t", i * 2).unwrap();
    }
    let before = fs::metadata(&path).unwrap().len();
    store.compact().unwrap();
    let after = fs::metadata(&path).unwrap().len();
    assert!(
        after * 10 < before,
        "80 commits of 2 keys compact to 2 records ({before} -> {after} bytes)"
    );
    store.commit("g1", "t", 100).unwrap();
    drop(store);
    let store = OffsetStore::open(&path).unwrap();
    assert_eq!(store.committed("g1", "t"), Some(100));
    assert_eq!(store.committed("g2", "t"), Some(78));
}

// ---------------------------------------------------------------------------------------------------------
// The broker: consumer groups with at-least-once delivery

fn broker(dir: &Path) -> Broker {
    Broker::open(dir, small_segments()).unwrap()
}

#[test]
fn fetch_hands_out_each_message_once_and_ack_advances_the_committed_offset() {
    let dir = tempfile::tempdir().unwrap();
    let mut b = broker(dir.path());
    for i in 0..10 {
        assert_eq!(
            b.produce("orders", format!("order {i}").as_bytes())
                .unwrap(),
            i
        );
    }
    let first = b.fetch("billing", "orders", 4).unwrap();
    assert_eq!(offsets(&first), vec![0, 1, 2, 3]);
    assert_eq!(first[2].payload, b"order 2");
    let second = b.fetch("billing", "orders", 3).unwrap();
    assert_eq!(
        offsets(&second),
        vec![4, 5, 6],
        "in-flight messages are not handed out again"
    );
    assert_eq!(b.in_flight("billing", "orders"), vec![0, 1, 2, 3, 4, 5, 6]);
    assert_eq!(b.committed_offset("billing", "orders"), None);

    b.ack("billing", "orders", 0).unwrap();
    b.ack("billing", "orders", 1).unwrap();
    b.ack("billing", "orders", 3).unwrap();
    assert_eq!(
        b.committed_offset("billing", "orders"),
        Some(2),
        "the committed offset stops at the first gap"
    );
    assert_eq!(b.in_flight("billing", "orders"), vec![2, 4, 5, 6]);

    b.ack("billing", "orders", 2).unwrap();
    assert_eq!(
        b.committed_offset("billing", "orders"),
        Some(4),
        "filling the gap jumps over acked messages"
    );
    assert_eq!(b.in_flight("billing", "orders"), vec![4, 5, 6]);
}

#[test]
fn unacked_messages_are_redelivered_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut b = broker(dir.path());
        for i in 0..5 {
            b.produce("jobs", format!("job {i}").as_bytes()).unwrap();
        }
        assert_eq!(b.fetch("workers", "jobs", 10).unwrap().len(), 5);
        b.ack("workers", "jobs", 0).unwrap();
        b.ack("workers", "jobs", 1).unwrap();
        b.ack("workers", "jobs", 3).unwrap(); // acked out of order; 2 and 4 are never acked
    } // the broker crashes
    let mut b = broker(dir.path());
    assert_eq!(b.committed_offset("workers", "jobs"), Some(2));
    let again = b.fetch("workers", "jobs", 10).unwrap();
    assert_eq!(
        offsets(&again),
        vec![2, 3, 4],
        "at-least-once: 3 is delivered twice, nothing is lost"
    );
    assert_eq!(again[0].payload, b"job 2");
}

#[test]
fn groups_consume_independently() {
    let dir = tempfile::tempdir().unwrap();
    let mut b = broker(dir.path());
    for i in 0..3 {
        b.produce("events", &[i]).unwrap();
    }
    assert_eq!(offsets(&b.fetch("a", "events", 10).unwrap()), vec![0, 1, 2]);
    assert_eq!(offsets(&b.fetch("b", "events", 2).unwrap()), vec![0, 1]);
    b.ack("a", "events", 0).unwrap();
    assert_eq!(b.committed_offset("a", "events"), Some(1));
    assert_eq!(b.committed_offset("b", "events"), None);
    assert_eq!(offsets(&b.fetch("b", "events", 10).unwrap()), vec![2]);
}

#[test]
fn fetch_when_caught_up_returns_nothing_until_more_is_produced() {
    let dir = tempfile::tempdir().unwrap();
    let mut b = broker(dir.path());
    b.produce("t", b"one").unwrap();
    assert_eq!(b.fetch("g", "t", 10).unwrap().len(), 1);
    assert_eq!(b.fetch("g", "t", 10).unwrap(), vec![]);
    b.produce("t", b"two").unwrap();
    assert_eq!(offsets(&b.fetch("g", "t", 10).unwrap()), vec![1]);
}

#[test]
fn acks_are_validated_and_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let mut b = broker(dir.path());
    for _ in 0..3 {
        b.produce("t", b"m").unwrap();
    }
    assert!(
        matches!(
            b.ack("g", "t", 0),
            Err(MqError::NotInFlight { offset: 0, .. })
        ),
        "not delivered yet"
    );
    b.fetch("g", "t", 2).unwrap();
    assert!(
        matches!(
            b.ack("g", "t", 2),
            Err(MqError::NotInFlight { offset: 2, .. })
        ),
        "never delivered"
    );
    b.ack("g", "t", 1).unwrap();
    b.ack("g", "t", 1).unwrap(); // a duplicate ack of an in-flight message
    b.ack("g", "t", 0).unwrap();
    b.ack("g", "t", 0).unwrap(); // a duplicate ack of a committed message
    assert_eq!(b.committed_offset("g", "t"), Some(2));
    assert!(matches!(
        b.ack("g", "nope", 0),
        Err(MqError::UnknownTopic(_))
    ));
}

#[test]
fn topics_are_validated_created_on_produce_and_rediscovered() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut b = broker(dir.path());
        for bad in ["", "..", "a/b", "spaces here", &"x".repeat(250)] {
            assert!(
                matches!(b.produce(bad, b"m"), Err(MqError::InvalidTopic(_))),
                "{bad:?} must be rejected"
            );
        }
        assert!(matches!(
            b.fetch("g", "missing", 1),
            Err(MqError::UnknownTopic(_))
        ));
        assert!(matches!(
            b.fetch("", "missing", 1),
            Err(MqError::InvalidGroup(_))
        ));
        b.produce("b.topic", b"1").unwrap();
        b.produce("a-topic_2", b"2").unwrap();
        assert_eq!(
            b.topics(),
            vec!["a-topic_2".to_string(), "b.topic".to_string()]
        );
    }
    let mut b = broker(dir.path());
    assert_eq!(
        b.topics(),
        vec!["a-topic_2".to_string(), "b.topic".to_string()]
    );
    assert_eq!(b.topic("b.topic").unwrap().next_offset(), 1);
    assert_eq!(b.fetch("g", "a-topic_2", 5).unwrap()[0].payload, b"2");
}

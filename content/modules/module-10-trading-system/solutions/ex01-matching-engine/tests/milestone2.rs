//! Milestone 2: the command journal and the engine thread with its event bus.

use std::io::{self, Write};
use std::sync::{Arc, Mutex};
use std::thread;

use ex01_matching_engine::journal::{self, JournalError, RECORD_LEN};
use ex01_matching_engine::pipeline::{self, EventBatch, PipelineConfig, PipelineError};
use ex01_matching_engine::{Command, Engine, OrderId, Price, Qty, Side};

fn limit(id: u64, side: Side, price: i64, qty: u64) -> Command {
    Command::Limit {
        id: OrderId(id),
        side,
        price: Price(price),
        qty: Qty(qty),
    }
}

/// A deterministic mixed command script.
fn script(n: usize, mut state: u64) -> Vec<Command> {
    let mut next = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        state >> 33
    };
    (1..=n as u64)
        .map(|i| {
            let side = if next() % 2 == 0 {
                Side::Buy
            } else {
                Side::Sell
            };
            match next() % 10 {
                0..=5 => limit(i, side, 90 + (next() % 21) as i64, 1 + next() % 30),
                6 => Command::Market {
                    id: OrderId(i),
                    side,
                    qty: Qty(1 + next() % 40),
                },
                _ => Command::Cancel {
                    id: OrderId(1 + next() % i),
                },
            }
        })
        .collect()
}

fn encode_all(cmds: &[Command]) -> Vec<u8> {
    let mut bytes = Vec::new();
    for cmd in cmds {
        journal::encode(cmd, &mut bytes);
    }
    bytes
}

#[test]
fn every_command_encodes_to_one_fixed_size_record_and_decodes_back() {
    let cmds = vec![
        limit(1, Side::Buy, 10_125, 300),
        limit(u64::MAX, Side::Sell, i64::MAX, u64::MAX),
        Command::Market {
            id: OrderId(7),
            side: Side::Sell,
            qty: Qty(12),
        },
        Command::Cancel { id: OrderId(1) },
    ];
    let mut bytes = Vec::new();
    for (i, cmd) in cmds.iter().enumerate() {
        journal::encode(cmd, &mut bytes);
        assert_eq!(bytes.len(), (i + 1) * RECORD_LEN);
    }
    let decoded = journal::decode(&bytes).expect("a clean journal decodes");
    assert_eq!(decoded.commands, cmds);
    assert_eq!(decoded.valid_len, bytes.len());
    assert_eq!(
        journal::decode(&[]).expect("empty is fine").commands,
        vec![]
    );

    let mut written = Vec::new();
    journal::write_command(&mut written, &cmds[0]).expect("writing to a Vec works");
    assert_eq!(written, bytes[..RECORD_LEN]);
}

#[test]
fn a_torn_tail_is_dropped_and_reported_through_valid_len() {
    let cmds = script(20, 1);
    let bytes = encode_all(&cmds);
    for cut in [1, 7, RECORD_LEN - 1] {
        let torn = &bytes[..bytes.len() - cut];
        let decoded = journal::decode(torn).expect("a torn tail is not an error");
        assert_eq!(decoded.commands, cmds[..19]);
        assert_eq!(decoded.valid_len, 19 * RECORD_LEN);
    }

    // A complete final record with a bad checksum is also a torn write.
    let mut damaged = bytes.clone();
    let last = damaged.len() - 5;
    damaged[last] ^= 0x40;
    let decoded = journal::decode(&damaged).expect("a bad last record is a torn write");
    assert_eq!(decoded.commands, cmds[..19]);
    assert_eq!(decoded.valid_len, 19 * RECORD_LEN);
}

#[test]
fn damage_before_the_last_record_is_corruption() {
    let cmds = script(10, 2);
    let mut bytes = encode_all(&cmds);
    bytes[3 * RECORD_LEN + 12] ^= 0x01;
    assert_eq!(
        journal::decode(&bytes),
        Err(JournalError::Corrupt {
            offset: 3 * RECORD_LEN
        })
    );

    // The second-to-last record counts as "before the last" as long as a full record follows it.
    let mut bytes = encode_all(&cmds);
    bytes[8 * RECORD_LEN] ^= 0x01;
    assert_eq!(
        journal::decode(&bytes),
        Err(JournalError::Corrupt {
            offset: 8 * RECORD_LEN
        })
    );
}

#[test]
fn a_record_with_a_valid_checksum_but_unknown_content_is_invalid() {
    let mut record = vec![9u8; RECORD_LEN - 4]; // tag 9 does not exist
    let crc = crc_of(&record);
    record.extend_from_slice(&crc.to_le_bytes());
    let mut bytes = encode_all(&script(2, 3));
    bytes.extend_from_slice(&record);
    assert_eq!(
        journal::decode(&bytes),
        Err(JournalError::Invalid {
            offset: 2 * RECORD_LEN
        })
    );
}

/// CRC-32 (IEEE), bit by bit, so the test does not depend on how the solution computes it.
fn crc_of(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[test]
fn records_use_the_documented_layout() {
    let mut bytes = Vec::new();
    journal::encode(&limit(0x0102, Side::Sell, -2, 5), &mut bytes);
    let mut expected = vec![1u8, 1];
    expected.extend_from_slice(&0x0102u64.to_le_bytes());
    expected.extend_from_slice(&(-2i64).to_le_bytes());
    expected.extend_from_slice(&5u64.to_le_bytes());
    let crc = crc_of(&expected);
    expected.extend_from_slice(&crc.to_le_bytes());
    assert_eq!(bytes, expected);
}

/// A `Write` whose bytes the test can still read after the pipeline took ownership of it.
#[derive(Clone, Default)]
struct SharedBuf(Arc<Mutex<Vec<u8>>>);

impl Write for SharedBuf {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().expect("not poisoned").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn the_pipeline_publishes_the_same_events_as_the_pure_engine_to_every_subscriber() {
    let cmds = script(2_000, 42);
    let (_, expected) = Engine::replay(&cmds);

    let journal = SharedBuf::default();
    let (handle, subscriptions) = pipeline::spawn(
        journal.clone(),
        PipelineConfig {
            queue_capacity: 8,
            subscribers: 3,
        },
    );
    assert_eq!(subscriptions.len(), 3);
    // Small queues: the subscribers must drain concurrently or the engine (correctly) blocks.
    let readers: Vec<_> = subscriptions
        .into_iter()
        .map(|sub| thread::spawn(move || sub.collect::<Vec<Arc<EventBatch>>>()))
        .collect();
    for cmd in &cmds {
        handle.submit(*cmd).expect("engine is running");
    }
    let (engine, returned) = handle.shutdown().expect("clean shutdown");

    for reader in readers {
        let batches = reader.join().expect("reader thread");
        assert_eq!(batches.len(), cmds.len());
        for (i, batch) in batches.iter().enumerate() {
            assert_eq!(
                batch.seq,
                i as u64 + 1,
                "sequence numbers start at 1 and have no gaps"
            );
            assert_eq!(batch.command, cmds[i]);
            assert!(!batch.events.is_empty());
        }
        let flat: Vec<_> = batches
            .iter()
            .flat_map(|b| b.events.iter().copied())
            .collect();
        assert_eq!(flat, expected);
    }

    // The journal holds every command, in order, and replaying it rebuilds the same book.
    let bytes = returned.0.lock().expect("not poisoned").clone();
    assert_eq!(bytes.len(), cmds.len() * RECORD_LEN);
    let decoded = journal::decode(&bytes).expect("journal decodes");
    assert_eq!(decoded.commands, cmds);
    let (recovered, _) = Engine::replay(&decoded.commands);
    for side in [Side::Buy, Side::Sell] {
        assert_eq!(
            recovered.book().depth(side, usize::MAX),
            engine.book().depth(side, usize::MAX)
        );
    }
}

#[test]
fn a_dropped_subscriber_does_not_stop_the_others() {
    let cmds = script(300, 5);
    let (handle, mut subscriptions) = pipeline::spawn(
        io::sink(),
        PipelineConfig {
            queue_capacity: 4,
            subscribers: 2,
        },
    );
    drop(subscriptions.remove(0));
    let reader = {
        let sub = subscriptions.remove(0);
        thread::spawn(move || sub.count())
    };
    for cmd in &cmds {
        handle.submit(*cmd).expect("engine is running");
    }
    handle.shutdown().expect("clean shutdown");
    assert_eq!(reader.join().expect("reader thread"), cmds.len());
}

/// A journal that fails after `ok` successful writes.
#[derive(Debug)]
struct FailingJournal {
    ok: usize,
}

impl Write for FailingJournal {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.ok == 0 {
            return Err(io::Error::other("disk full"));
        }
        self.ok -= 1;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_journal_failure_stops_the_engine_before_it_applies_the_command() {
    let (handle, subscriptions) = pipeline::spawn(
        FailingJournal { ok: 3 },
        PipelineConfig {
            queue_capacity: 1,
            subscribers: 1,
        },
    );
    let reader = {
        let sub = subscriptions.into_iter().next().expect("one subscription");
        thread::spawn(move || sub.map(|b| b.seq).collect::<Vec<u64>>())
    };
    // Submits eventually fail once the engine has stopped; keep going until they do.
    let mut refused = false;
    for i in 1..=50 {
        if handle.submit(limit(i, Side::Buy, 100, 1)).is_err() {
            refused = true;
            break;
        }
    }
    assert!(refused, "submit must fail after the engine stopped");
    match handle.shutdown() {
        Err(PipelineError::Journal(e)) => assert_eq!(e.to_string(), "disk full"),
        other => panic!("expected a journal error, got {other:?}"),
    }
    assert_eq!(
        reader.join().expect("reader thread"),
        vec![1, 2, 3],
        "nothing unjournaled was published"
    );
}

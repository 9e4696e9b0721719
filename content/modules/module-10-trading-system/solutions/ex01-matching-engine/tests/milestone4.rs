//! Milestone 4: the measurement harness (histogram, coordinated-omission correction, open-loop
//! runner) and an allocation-free engine hot path. Nothing here measures real time: a fake clock
//! drives the harness, and a counting allocator checks the engine.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::collections::VecDeque;
use std::time::Duration;

use ex01_matching_engine::latency::{self, Clock, Histogram, LatencyRecorder};
use ex01_matching_engine::{Command, Engine, Event, OrderId, Price, Qty, Side};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

/// Counts allocations per thread, so tests running in parallel do not disturb each other.
struct CountingAllocator;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        System.alloc(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

/// Allocations made by this thread while running `f`.
fn allocations_during(f: impl FnOnce()) -> u64 {
    let before = ALLOCATIONS.with(|n| n.get());
    f();
    ALLOCATIONS.with(|n| n.get()) - before
}

fn runner(cases: u32) -> TestRunner {
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &[10; 32]))
}

/// The exact nearest-rank quantile, with the rank computed as the histogram documents.
fn exact_quantile(sorted: &[u64], q: f64) -> u64 {
    let rank = ((q * sorted.len() as f64).ceil() as u64).clamp(1, sorted.len() as u64);
    sorted[rank as usize - 1]
}

const QUANTILES: [f64; 10] = [0.0, 0.001, 0.1, 0.25, 0.5, 0.9, 0.99, 0.999, 0.9999, 1.0];

fn assert_close(h: &Histogram, sorted: &[u64], q: f64) {
    let exact = exact_quantile(sorted, q);
    let got = h.value_at_quantile(q).expect("not empty");
    let max = *sorted.last().unwrap();
    assert!(
        exact <= got && got <= max && (got - exact) as u128 * 128 <= exact as u128,
        "quantile {q}: got {got}, exact {exact}, max {max}"
    );
}

#[test]
fn values_below_256_are_recorded_exactly() {
    let mut h = Histogram::new();
    assert!(h.is_empty());
    assert_eq!(h.value_at_quantile(0.5), None);
    assert_eq!((h.min(), h.max()), (None, None));
    assert!(h.summary().is_none());
    let values: Vec<u64> = (0..256).chain(0..100).collect();
    for &v in &values {
        h.record(v);
    }
    let mut sorted = values.clone();
    sorted.sort_unstable();
    assert_eq!(h.len(), 356);
    assert_eq!((h.min(), h.max()), (Some(0), Some(255)));
    for q in QUANTILES {
        assert_eq!(
            h.value_at_quantile(q),
            Some(exact_quantile(&sorted, q)),
            "q = {q}"
        );
    }
    for v in 0..256 {
        assert_eq!(Histogram::highest_equivalent(v), v);
    }
}

#[test]
fn buckets_above_256_widen_with_the_value() {
    assert_eq!(Histogram::highest_equivalent(256), 257);
    assert_eq!(Histogram::highest_equivalent(257), 257);
    assert_eq!(Histogram::highest_equivalent(258), 259);
    assert_eq!(Histogram::highest_equivalent(511), 511);
    assert_eq!(Histogram::highest_equivalent(512), 515);
    assert_eq!(Histogram::highest_equivalent(1000), 1003);
    assert_eq!(Histogram::highest_equivalent(1_000_000), 1_003_519);
    assert_eq!(Histogram::highest_equivalent(u64::MAX), u64::MAX);
    assert_eq!(
        Histogram::highest_equivalent(1 << 63),
        (1 << 63) + (1 << 56) - 1
    );
    let mut runner = runner(64);
    runner
        .run(&any::<u64>(), |v| {
            let high = Histogram::highest_equivalent(v);
            prop_assert!(high >= v);
            prop_assert!((high - v) as u128 * 128 <= v as u128);
            prop_assert_eq!(Histogram::highest_equivalent(high), high);
            if high < u64::MAX {
                // The next value starts the next bucket.
                prop_assert!(Histogram::highest_equivalent(high + 1) > high);
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn quantiles_are_within_the_stated_relative_error() {
    let values = prop_oneof![
        0u64..300,
        0u64..1_000_000,
        1_000u64..50_000_000,
        any::<u64>(),
    ];
    let mut runner = runner(48);
    runner
        .run(&prop::collection::vec(values, 1..2_000), |values| {
            let mut h = Histogram::new();
            for &v in &values {
                h.record(v);
            }
            let mut sorted = values.clone();
            sorted.sort_unstable();
            prop_assert_eq!(h.len(), values.len() as u64);
            prop_assert_eq!(h.min(), Some(sorted[0]));
            prop_assert_eq!(h.max(), Some(*sorted.last().unwrap()));
            for q in QUANTILES {
                assert_close(&h, &sorted, q);
            }
            prop_assert_eq!(h.value_at_quantile(1.0), h.max());
            Ok(())
        })
        .unwrap();
}

#[test]
fn merging_equals_recording_everything_in_one_histogram() {
    let mut runner = runner(32);
    let lists = (
        prop::collection::vec(0u64..10_000_000, 0..500),
        prop::collection::vec(0u64..10_000_000, 0..500),
    );
    runner
        .run(&lists, |(a, b)| {
            let (mut ha, mut hb, mut all) = (Histogram::new(), Histogram::new(), Histogram::new());
            for &v in &a {
                ha.record(v);
                all.record(v);
            }
            for &v in &b {
                hb.record(v);
                all.record(v);
            }
            ha.merge(&hb);
            prop_assert_eq!(ha.len(), all.len());
            prop_assert_eq!((ha.min(), ha.max()), (all.min(), all.max()));
            for q in QUANTILES {
                prop_assert_eq!(ha.value_at_quantile(q), all.value_at_quantile(q));
            }
            let mut n = Histogram::new();
            n.record_n(42, 3);
            n.record_n(7, 0);
            prop_assert_eq!((n.len(), n.min(), n.max()), (3, Some(42), Some(42)));
            Ok(())
        })
        .unwrap();
}

#[test]
fn summary_reports_the_standard_percentiles() {
    let mut h = Histogram::new();
    for v in 1..=100_000u64 {
        h.record(v * 10);
    }
    let s = h.summary().expect("not empty");
    assert_eq!(s.count, 100_000);
    assert_eq!((s.min, s.max), (10, 1_000_000));
    assert_eq!(s.p50, h.value_at_quantile(0.5).unwrap());
    assert_eq!(s.p90, h.value_at_quantile(0.9).unwrap());
    assert_eq!(s.p99, h.value_at_quantile(0.99).unwrap());
    assert_eq!(s.p999, h.value_at_quantile(0.999).unwrap());
    assert_eq!(s.p9999, h.value_at_quantile(0.9999).unwrap());
    let mut sorted: Vec<u64> = (1..=100_000u64).map(|v| v * 10).collect();
    sorted.sort_unstable();
    for q in [0.5, 0.9, 0.99, 0.999, 0.9999] {
        assert_close(&h, &sorted, q);
    }
    h.clear();
    assert!(h.is_empty() && h.summary().is_none());
}

#[test]
fn recording_never_allocates() {
    let mut h = Histogram::new();
    let mut other = Histogram::new();
    other.record(5);
    let n = allocations_during(|| {
        let mut x = 1u64;
        for _ in 0..100_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            h.record(x >> (x % 64));
        }
        h.record_n(3, 1_000);
        h.merge(&other);
        let _ = h.value_at_quantile(0.999);
        let _ = h.summary();
    });
    assert_eq!(n, 0, "the histogram allocated while recording");
    assert_eq!(h.len(), 101_001);
}

#[test]
fn the_recorder_measures_from_the_intended_send_time() {
    let ms = Duration::from_millis;
    let us = Duration::from_micros;
    let mut r = LatencyRecorder::new(ms(1));
    assert_eq!(r.interval(), ms(1));
    assert_eq!(r.intended(0), Duration::ZERO);
    assert_eq!(r.intended(7), ms(7));
    // On time: both views agree.
    r.record(0, Duration::ZERO, us(30));
    // Sent 500 us late because of a stall, then served in 100 us.
    r.record(3, ms(3) + us(500), ms(3) + us(600));
    // Completed before its intended time (a clock quirk): never negative.
    r.record(9, ms(8), ms(8) + us(1));
    let c = r.corrected();
    let u = r.uncorrected();
    assert_eq!((c.len(), u.len()), (3, 3));
    assert_eq!(c.max(), Some(600_000));
    assert_eq!(u.max(), Some(100_000));
    assert_eq!(c.min(), Some(0));
    assert_eq!(u.min(), Some(1_000));
}

/// A clock that only moves when told to.
struct FakeClock {
    now: Cell<Duration>,
}

impl FakeClock {
    fn at(start: Duration) -> FakeClock {
        FakeClock {
            now: Cell::new(start),
        }
    }

    fn advance(&self, by: Duration) {
        self.now.set(self.now.get() + by);
    }
}

impl Clock for FakeClock {
    fn now(&self) -> Duration {
        self.now.get()
    }

    fn wait_until(&self, deadline: Duration) {
        if deadline > self.now.get() {
            self.now.set(deadline);
        }
    }
}

#[test]
fn the_open_loop_runner_follows_the_schedule() {
    let start = Duration::from_secs(5);
    let clock = FakeClock::at(start);
    let mut seen = Vec::new();
    let r = latency::run_open_loop(&clock, 1_000, Duration::from_millis(1), |i| {
        seen.push(i);
        clock.advance(Duration::from_micros(10));
    });
    assert_eq!(seen, (0..1_000).collect::<Vec<u64>>());
    // The last request went out at its intended time, 999 ms after the start, not back to back.
    assert_eq!(
        clock.now(),
        start + Duration::from_millis(999) + Duration::from_micros(10)
    );
    for h in [r.corrected(), r.uncorrected()] {
        assert_eq!(h.len(), 1_000);
        assert_eq!((h.min(), h.max()), (Some(10_000), Some(10_000)));
    }
}

#[test]
fn a_stall_is_charged_to_every_request_it_delayed() {
    let interval = Duration::from_millis(1);
    let service = Duration::from_micros(10);
    let stall = Duration::from_millis(50);
    let clock = FakeClock::at(Duration::from_millis(3));
    let r = latency::run_open_loop(&clock, 1_000, interval, |i| {
        clock.advance(if i == 100 { stall } else { service });
    });

    // The same run, simulated: a request goes out at its intended time or when the previous one
    // is done, whichever is later.
    let (mut corrected, mut uncorrected) = (Vec::new(), Vec::new());
    let mut free_at = 0u64;
    for i in 0..1_000u64 {
        let intended = i * 1_000_000;
        let sent = intended.max(free_at);
        let done = sent + if i == 100 { 50_000_000 } else { 10_000 };
        free_at = done;
        corrected.push(done - intended);
        uncorrected.push(done - sent);
    }
    corrected.sort_unstable();
    uncorrected.sort_unstable();
    assert_eq!(r.corrected().len(), 1_000);
    for q in QUANTILES {
        assert_close(r.corrected(), &corrected, q);
        assert_close(r.uncorrected(), &uncorrected, q);
    }
    // The naive view sees one slow request; the corrected one sees the ~50 the stall delayed.
    assert_eq!(
        r.uncorrected().value_at_quantile(0.99),
        Some(Histogram::highest_equivalent(10_000))
    );
    assert!(r.corrected().value_at_quantile(0.99).unwrap() > 30_000_000);
}

fn limit(id: u64, side: Side, price: i64, qty: u64) -> Command {
    Command::Limit {
        id: OrderId(id),
        side,
        price: Price(price),
        qty: Qty(qty),
    }
}

#[test]
fn the_engine_does_not_allocate_per_command_in_the_steady_state() {
    assert_eq!(
        allocations_during(|| drop(std::hint::black_box(Box::new(1)))),
        1,
        "the counter counts"
    );
    let mut engine = Engine::new();
    let mut out = Vec::with_capacity(1_024);
    // Deep anchor orders keep ten levels on each side alive: 991..=1000 bid, 1001..=1010 ask.
    for p in 0..10 {
        engine.apply(
            &limit(1 + p, Side::Buy, 1_000 - p as i64, 1 << 40),
            &mut out,
        );
        engine.apply(
            &limit(100 + p, Side::Sell, 1_001 + p as i64, 1 << 40),
            &mut out,
        );
    }
    let mut live: VecDeque<OrderId> = VecDeque::with_capacity(1_024);
    let mut next_id = 1_000u64;
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut step = |engine: &mut Engine, out: &mut Vec<Event>| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let r = state >> 8;
        out.clear();
        let side = if r & 1 == 0 { Side::Buy } else { Side::Sell };
        let cmd = match (r >> 1) % 20 {
            // Passive orders at existing levels: no new level, a slab slot and an index entry.
            0..=8 if live.len() < 500 => {
                next_id += 1;
                live.push_back(OrderId(next_id));
                let offset = ((r >> 8) % 10) as i64;
                let price = match side {
                    Side::Buy => 1_000 - offset,
                    Side::Sell => 1_001 + offset,
                };
                limit(next_id, side, price, 1 + (r >> 16) % 9)
            }
            // Cancels, oldest first.
            0..=16 => match live.pop_front() {
                Some(id) => Command::Cancel { id },
                None => Command::Cancel { id: OrderId(0) },
            },
            // Aggressive orders that trade with an anchor and never rest.
            17 | 18 => {
                next_id += 1;
                Command::Market {
                    id: OrderId(next_id),
                    side,
                    qty: Qty(1 + (r >> 16) % 5),
                }
            }
            _ => {
                next_id += 1;
                let price = match side {
                    Side::Buy => 1_001,
                    Side::Sell => 1_000,
                };
                limit(next_id, side, price, 1 + (r >> 16) % 5)
            }
        };
        engine.apply(&cmd, out);
        out.iter()
            .filter(|e| matches!(e, Event::Trade { .. }))
            .count()
    };
    for _ in 0..50_000 {
        step(&mut engine, &mut out);
    }
    let mut trades = 0;
    let n = allocations_during(|| {
        for _ in 0..100_000 {
            trades += step(&mut engine, &mut out);
        }
    });
    assert_eq!(n, 0, "Engine::apply allocated in the steady state");
    // The workload really traded, and kept its twenty levels.
    assert!(trades > 10_000, "only {trades} trades");
    assert_eq!(engine.book().depth(Side::Buy, 20).len(), 10);
    assert_eq!(engine.book().depth(Side::Sell, 20).len(), 10);
}

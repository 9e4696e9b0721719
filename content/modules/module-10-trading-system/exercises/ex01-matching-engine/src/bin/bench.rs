//! Open-loop latency benchmark of `Engine::apply`, at several offered rates.
//!
//! ```text
//! cargo run --release --bin bench -- [COMMANDS_PER_RATE]      (default 200000)
//! ```
//!
//! For each rate the same deterministic command mix is applied on a fixed schedule; latency is
//! reported from the intended send time (corrected) and from the actual one (service time). Run it
//! on a quiet machine, in release mode, and quote the machine with the numbers.

use std::hint::black_box;
use std::time::{Duration, Instant};

use ex01_matching_engine::latency::{self, SystemClock};
use ex01_matching_engine::{Command, Engine, OrderId, Price, Qty, Side};

/// A mix of passive limits, cancels and aggressive orders around a stable book.
fn workload(n: usize) -> Vec<Command> {
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut commands = Vec::with_capacity(n);
    let mut live = std::collections::VecDeque::new();
    for i in 0..n as u64 {
        let id = OrderId(i + 1);
        let r = next();
        let side = if r & 1 == 0 { Side::Buy } else { Side::Sell };
        let cmd = match r % 10 {
            0..=5 => {
                live.push_back(id);
                let offset = ((r >> 8) % 20) as i64;
                let price = match side {
                    Side::Buy => 10_000 - offset,
                    Side::Sell => 10_001 + offset,
                };
                Command::Limit {
                    id,
                    side,
                    price: Price(price),
                    qty: Qty(1 + (r >> 16) % 100),
                }
            }
            6..=8 => match live.pop_front() {
                Some(id) => Command::Cancel { id },
                None => Command::Cancel { id },
            },
            _ => Command::Market {
                id,
                side,
                qty: Qty(1 + (r >> 16) % 50),
            },
        };
        commands.push(cmd);
    }
    commands
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200_000);
    let commands = workload(n);

    // Saturation first: how fast does the engine go back to back?
    let mut engine = Engine::new();
    let mut out = Vec::with_capacity(256);
    let started = Instant::now();
    for cmd in &commands {
        out.clear();
        engine.apply(black_box(cmd), &mut out);
        black_box(&out);
    }
    let elapsed = started.elapsed();
    let max_rate = n as f64 / elapsed.as_secs_f64();
    println!("{n} commands back to back in {elapsed:?}: {max_rate:.0} commands/s");

    for fraction in [0.1, 0.25, 0.5, 0.75, 0.9, 1.1] {
        let rate = (max_rate * fraction).max(1.0);
        let interval = Duration::from_secs_f64(1.0 / rate);
        let mut engine = Engine::new();
        let mut out = Vec::with_capacity(256);
        let clock = SystemClock::new();
        let recorder = latency::run_open_loop(&clock, n as u64, interval, |i| {
            out.clear();
            engine.apply(black_box(&commands[i as usize]), &mut out);
            black_box(&out);
        });
        println!("offered {rate:>12.0}/s ({:>4.0}% of max)", fraction * 100.0);
        if let Some(s) = recorder.corrected().summary() {
            println!("  corrected   {s}");
        }
        if let Some(s) = recorder.uncorrected().summary() {
            println!("  uncorrected {s}");
        }
    }
}

//! Runs the exchange until stdin closes (Ctrl-D), then shuts it down cleanly.
//!
//! ```text
//! cargo run --release --bin exchange -- [ORDER_ADDR] [MARKET_DATA_ADDR] [JOURNAL_PATH]
//! defaults:                             127.0.0.1:7000 127.0.0.1:7001   exchange.journal
//! ```
//!
//! Try it with `nc 127.0.0.1 7000` in two terminals (orders) and `nc 127.0.0.1 7001` (market data).

use std::fs::File;
use std::io::{self, BufWriter, Read};
use std::net::SocketAddr;
use std::process::ExitCode;

use ex01_matching_engine::exchange::{Exchange, ExchangeConfig};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("exchange: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let order_entry: SocketAddr = args.next().as_deref().unwrap_or("127.0.0.1:7000").parse()?;
    let market_data: SocketAddr = args.next().as_deref().unwrap_or("127.0.0.1:7001").parse()?;
    let journal_path = args.next().unwrap_or_else(|| "exchange.journal".into());
    // A fresh journal per run: recovering a book at start-up is left to you (milestone 2's
    // decode + replay, then a pipeline that starts from the recovered engine).
    let journal = BufWriter::new(File::create(&journal_path)?);
    let config = ExchangeConfig {
        order_entry,
        market_data,
        ..ExchangeConfig::default()
    };
    let exchange = Exchange::start(journal, config)?;
    eprintln!(
        "orders on {}, market data on {}, journal {journal_path}; Ctrl-D to stop",
        exchange.order_entry_addr(),
        exchange.market_data_addr()
    );
    io::stdin().read_to_end(&mut Vec::new())?;
    let (engine, _journal) = exchange.shutdown()?;
    eprintln!("stopped with {} resting orders", engine.book().len());
    Ok(())
}

//! The engine on the network: an order-entry gateway and a market-data feed (milestone 3).
//!
//! ```text
//!  client --TCP--> session reader --submit--> [pipeline: journal + engine thread] --batches--+
//!  client <--TCP-- session writer <--queue-- router (client ids, FILL/ACK/...) <-------------+
//!  md sub <--TCP-- md writer      <--queue-- market-data publisher (mirror book, md seq) <---+
//! ```
//!
//! A suggested shape (the README has the full specification): `std::net` and threads, one reader
//! and one writer thread per connection, an acceptor per listener, and two subscribers of the
//! milestone-2 pipeline: a router that turns events into execution reports for the session that
//! owns each order, and a publisher that keeps a mirror of the book, numbers the level updates and
//! sends snapshots to new subscribers. Neither may ever block on a client: give every connection a
//! bounded outbound queue, fill it with `try_send`, and disconnect a client whose queue is full.

use std::io::{self, Write};
use std::marker::PhantomData;
use std::net::SocketAddr;

use crate::engine::Engine;
use crate::pipeline::PipelineError;

/// Where to listen and how much to buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExchangeConfig {
    /// The order-entry listener (default `127.0.0.1:0`: any free port).
    pub order_entry: SocketAddr,
    /// The market-data listener (default `127.0.0.1:0`).
    pub market_data: SocketAddr,
    /// Capacity of the pipeline's command and subscriber queues (default 1024).
    pub queue_capacity: usize,
    /// Messages queued for one client connection before it counts as too slow and is disconnected
    /// (default 4096).
    pub client_queue_capacity: usize,
}

impl Default for ExchangeConfig {
    fn default() -> Self {
        let any = SocketAddr::from(([127, 0, 0, 1], 0));
        ExchangeConfig {
            order_entry: any,
            market_data: any,
            queue_capacity: 1024,
            client_queue_capacity: 4096,
        }
    }
}

/// A running exchange: both listeners, the pipeline, and every thread around them.
pub struct Exchange<W> {
    // TODO: replace with your own fields (addresses, shared state, the pipeline handle, threads).
    _journal: PhantomData<W>,
}

impl<W: Write + Send + 'static> Exchange<W> {
    /// Binds both listeners, starts the pipeline (journaling to `journal`) and every thread.
    pub fn start(journal: W, config: ExchangeConfig) -> io::Result<Exchange<W>> {
        todo!("milestone 3")
    }

    /// The order-entry listener's address.
    pub fn order_entry_addr(&self) -> SocketAddr {
        todo!("milestone 3")
    }

    /// The market-data listener's address.
    pub fn market_data_addr(&self) -> SocketAddr {
        todo!("milestone 3")
    }

    /// Stops accepting, stops reading requests (resting orders stay in the book: this is not a
    /// disconnect), lets the engine apply and report everything already submitted, delivers the
    /// queued reports and updates, closes every connection and returns the engine and the journal.
    pub fn shutdown(self) -> Result<(Engine, W), PipelineError> {
        todo!("milestone 3")
    }
}

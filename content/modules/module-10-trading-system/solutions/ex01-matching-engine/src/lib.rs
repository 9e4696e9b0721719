//! A price-time priority matching engine for one instrument.
//!
//! * [`types`]: `Price` and `Qty` as integer newtypes, `OrderId`, `Side`.
//! * [`Command`] in, [`Event`] out: the engine's whole interface.
//! * [`OrderBook`]: sorted price levels, FIFO queues and an id index (milestone 1).
//! * [`Engine`]: the deterministic matching state machine and replay (milestone 1).
//! * [`journal`]: fixed-size, checksummed command records and recovery (milestone 2).
//! * [`pipeline`]: the engine on a dedicated thread behind bounded queues, with a fan-out event bus
//!   (milestone 2).
//! * [`protocol`]: the gateway's line protocol, decimal prices and execution reports (milestone 3).
//! * [`exchange`]: the TCP order-entry gateway and the market-data feed around the pipeline
//!   (milestone 3).
//! * [`latency`]: an HDR-style histogram and an open-loop latency harness (milestone 4).
//! * [`risk`]: per-account pre-trade risk checks and self-trade prevention (milestone 5).

pub mod book;
pub mod command;
pub mod engine;
pub mod event;
pub mod exchange;
pub mod journal;
pub mod latency;
pub mod pipeline;
pub mod protocol;
pub mod risk;
pub mod types;

pub use book::{OrderBook, RestingOrder};
pub use command::Command;
pub use engine::Engine;
pub use event::{CancelReason, Event, RejectReason};
pub use types::{OrderId, Price, Qty, Side};

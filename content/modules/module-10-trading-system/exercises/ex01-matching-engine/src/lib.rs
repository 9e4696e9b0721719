//! A price-time priority matching engine for one instrument.
//!
//! * [`types`]: `Price` and `Qty` as integer newtypes, `OrderId`, `Side` (given).
//! * [`Command`] in, [`Event`] out: the engine's whole interface (given).
//! * [`OrderBook`]: sorted price levels, FIFO queues and an id index (milestone 1).
//! * [`Engine`]: the deterministic matching state machine and replay (milestone 1).
//! * [`journal`]: fixed-size, checksummed command records and recovery (milestone 2).
//! * [`pipeline`]: the engine on a dedicated thread behind bounded queues, with a fan-out event bus
//!   (milestone 2).

#![allow(unused)] // TODO: remove once the todo!()s are gone

pub mod book;
pub mod command;
pub mod engine;
pub mod event;
pub mod journal;
pub mod pipeline;
pub mod types;

pub use book::{OrderBook, RestingOrder};
pub use command::Command;
pub use engine::Engine;
pub use event::{CancelReason, Event, RejectReason};
pub use types::{OrderId, Price, Qty, Side};

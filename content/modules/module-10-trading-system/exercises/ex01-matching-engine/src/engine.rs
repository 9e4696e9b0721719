//! The matching engine: a deterministic state machine from commands to events.
//!
//! `apply` must not read a clock, draw random numbers, do I/O or depend on hash-map iteration
//! order: the same commands must always produce the same events and the same book.

use crate::book::{OrderBook, RestingOrder};
use crate::command::Command;
use crate::event::{CancelReason, Event, RejectReason};
use crate::types::{OrderId, Price, Qty, Side};

/// The matching engine for one instrument.
#[derive(Debug, Default)]
pub struct Engine {
    book: OrderBook,
    // TODO: any scratch state you want to reuse between commands.
}

impl Engine {
    /// An engine with an empty book.
    pub fn new() -> Self {
        Self::default()
    }

    /// The current state of the book.
    pub fn book(&self) -> &OrderBook {
        &self.book
    }

    /// Applies one command, appending the events it produces to `out` (which is not cleared).
    ///
    /// Validation of a new order (`Limit` or `Market`), first failure wins:
    /// quantity zero -> `Rejected(ZeroQuantity)`; limit price <= 0 -> `Rejected(InvalidPrice)`;
    /// id already resting -> `Rejected(DuplicateOrderId)`. A rejected command changes nothing.
    ///
    /// Event order for an accepted order: `Accepted`; then one `Trade` per fill, walking the
    /// opposite side from the best price while it crosses the limit (any price for market orders),
    /// oldest order first within a level, at the maker's price; then, for a market order with
    /// quantity left, `Cancelled { reason: NoLiquidity }` (a limit order's remainder rests at the
    /// back of its level instead); finally one `BookUpdate` per level whose total changed, in the
    /// order the levels were first touched, carrying the level's new total (`Qty(0)` = gone).
    ///
    /// `Cancel` of a resting order: `Cancelled { remaining, reason: Requested }` then a
    /// `BookUpdate` for its level. Of anything else: `Rejected(UnknownOrder)`.
    pub fn apply(&mut self, cmd: &Command, out: &mut Vec<Event>) {
        todo!("milestone 1")
    }

    /// Applies every command to a fresh engine and returns it with all the events, in order.
    pub fn replay<'a, I>(commands: I) -> (Engine, Vec<Event>)
    where
        I: IntoIterator<Item = &'a Command>,
    {
        todo!("milestone 1")
    }
}

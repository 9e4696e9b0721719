//! The matching engine: a deterministic state machine from commands to events.
//!
//! `apply` reads no clock, draws no random numbers, does no I/O and never iterates a hash map, so
//! the same command sequence always yields the same event sequence and the same book. That single
//! property is what makes journaling, replay, hot standbys and golden-file tests possible.

use crate::book::{OrderBook, RestingOrder};
use crate::command::Command;
use crate::event::{CancelReason, Event, RejectReason};
use crate::types::{OrderId, Price, Qty, Side};

/// The matching engine for one instrument.
#[derive(Debug, Default)]
pub struct Engine {
    book: OrderBook,
    /// Levels touched by the command being applied, in first-touch order. Kept between calls so
    /// the hot path does not allocate.
    touched: Vec<(Side, Price)>,
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
    /// Event order for a new order: `Accepted`, then one `Trade` per fill in price-time priority,
    /// then `Cancelled` for a market order's unfilled remainder, then one `BookUpdate` per level
    /// whose total changed, in the order the levels were first touched. A cancel produces
    /// `Cancelled` then a `BookUpdate`. A refused command produces a single `Rejected`.
    pub fn apply(&mut self, cmd: &Command, out: &mut Vec<Event>) {
        self.touched.clear();
        match *cmd {
            Command::Limit {
                id,
                side,
                price,
                qty,
            } => self.submit(id, side, Some(price), qty, out),
            Command::Market { id, side, qty } => self.submit(id, side, None, qty, out),
            Command::Cancel { id } => self.cancel(id, out),
        }
        for &(side, price) in &self.touched {
            out.push(Event::BookUpdate {
                side,
                price,
                qty: self.book.level_qty(side, price),
            });
        }
    }

    /// Applies every command to a fresh engine and returns it with all the events, in order.
    pub fn replay<'a, I>(commands: I) -> (Engine, Vec<Event>)
    where
        I: IntoIterator<Item = &'a Command>,
    {
        let mut engine = Engine::new();
        let mut events = Vec::new();
        for cmd in commands {
            engine.apply(cmd, &mut events);
        }
        (engine, events)
    }

    fn submit(
        &mut self,
        id: OrderId,
        side: Side,
        limit: Option<Price>,
        qty: Qty,
        out: &mut Vec<Event>,
    ) {
        let reject = if qty.is_zero() {
            Some(RejectReason::ZeroQuantity)
        } else if limit.is_some_and(|p| p.0 <= 0) {
            Some(RejectReason::InvalidPrice)
        } else if self.book.contains(id) {
            Some(RejectReason::DuplicateOrderId)
        } else {
            None
        };
        if let Some(reason) = reject {
            out.push(Event::Rejected { id, reason });
            return;
        }
        out.push(Event::Accepted {
            id,
            side,
            price: limit,
            qty,
        });

        let mut remaining = qty;
        while let Some(fill) = self.book.fill_best(side.opposite(), limit, remaining) {
            remaining -= fill.qty;
            self.touch(side.opposite(), fill.price);
            out.push(Event::Trade {
                taker: id,
                maker: fill.maker,
                taker_side: side,
                price: fill.price,
                qty: fill.qty,
            });
        }
        if remaining.is_zero() {
            return;
        }
        match limit {
            Some(price) => {
                self.book.insert(RestingOrder {
                    id,
                    side,
                    price,
                    remaining,
                });
                self.touch(side, price);
            }
            None => out.push(Event::Cancelled {
                id,
                remaining,
                reason: CancelReason::NoLiquidity,
            }),
        }
    }

    fn cancel(&mut self, id: OrderId, out: &mut Vec<Event>) {
        match self.book.remove(id) {
            Some(order) => {
                out.push(Event::Cancelled {
                    id,
                    remaining: order.remaining,
                    reason: CancelReason::Requested,
                });
                self.touch(order.side, order.price);
            }
            None => out.push(Event::Rejected {
                id,
                reason: RejectReason::UnknownOrder,
            }),
        }
    }

    /// Records that a level changed. Fills walk one level at a time, so comparing with the last
    /// entry is enough to keep the list free of duplicates.
    fn touch(&mut self, side: Side, price: Price) {
        if self.touched.last() != Some(&(side, price)) {
            self.touched.push((side, price));
        }
    }
}

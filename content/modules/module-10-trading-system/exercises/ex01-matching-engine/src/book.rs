//! The limit order book: resting orders grouped by price, queued by arrival.
//!
//! The book stores and retrieves; the matching rules live in [`Engine`](crate::Engine). Design the
//! internals yourself (read lecture 1 first). Targets:
//!
//! * best bid / best ask in O(log L) or better (L = number of price levels on a side);
//! * adding an order: O(log L) plus O(1);
//! * cancelling by id without scanning a level: an id index plus a queue you can unlink from in
//!   O(1) (an intrusive list over a slab), or at worst O(log n);
//! * an empty level disappears from the book as soon as its last order leaves;
//! * nothing iterates a `HashMap` in a way that could change the engine's output.
//!
//! Add whatever private fields and `pub(crate)` methods the engine needs (insert, remove, take from
//! the front of the best level, ...). Keep the public signatures below: the tests use them.

use std::collections::{BTreeMap, HashMap, VecDeque};

use crate::types::{OrderId, Price, Qty, Side};

/// A snapshot of one resting order, as returned by [`OrderBook::order`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RestingOrder {
    /// The order's id.
    pub id: OrderId,
    /// Its side.
    pub side: Side,
    /// Its limit price, which is also the level it rests at.
    pub price: Price,
    /// What is left to trade.
    pub remaining: Qty,
}

/// A single-instrument limit order book with price-time priority.
#[derive(Debug, Default)]
pub struct OrderBook {
    // TODO: your fields, for example sorted maps of levels per side and an id index.
}

impl OrderBook {
    /// An empty book.
    pub fn new() -> Self {
        Self::default()
    }

    /// The highest bid and the total quantity resting there.
    pub fn best_bid(&self) -> Option<(Price, Qty)> {
        todo!("milestone 1")
    }

    /// The lowest ask and the total quantity resting there.
    pub fn best_ask(&self) -> Option<(Price, Qty)> {
        todo!("milestone 1")
    }

    /// Up to `levels` price levels of one side, best first (highest bid, lowest ask), with their
    /// total quantities. `usize::MAX` means all of them.
    pub fn depth(&self, side: Side, levels: usize) -> Vec<(Price, Qty)> {
        todo!("milestone 1")
    }

    /// Total quantity resting at one level (`Qty(0)` if there is no such level).
    pub fn level_qty(&self, side: Side, price: Price) -> Qty {
        todo!("milestone 1")
    }

    /// The ids resting at one level, in time priority (first to trade first). Empty if no level.
    pub fn orders_at(&self, side: Side, price: Price) -> Vec<OrderId> {
        todo!("milestone 1")
    }

    /// The resting order with this id, if any.
    pub fn order(&self, id: OrderId) -> Option<RestingOrder> {
        todo!("milestone 1")
    }

    /// `true` if an order with this id is resting.
    pub fn contains(&self, id: OrderId) -> bool {
        todo!("milestone 1")
    }

    /// Number of resting orders.
    pub fn len(&self) -> usize {
        todo!("milestone 1")
    }

    /// `true` when nothing rests on either side.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

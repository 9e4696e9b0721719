//! What the engine tells the outside world. The event stream is the engine's only output and its
//! audit trail: every command produces at least one event, rejections included.

use crate::types::{OrderId, Price, Qty, Side};

/// One fact produced by the engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// A new order passed validation. `price` is `None` for market orders.
    Accepted {
        /// The order.
        id: OrderId,
        /// Its side.
        side: Side,
        /// Its limit, or `None` for a market order.
        price: Option<Price>,
        /// Its full original quantity.
        qty: Qty,
    },
    /// A command was refused; the book is unchanged.
    Rejected {
        /// The order id named by the command.
        id: OrderId,
        /// Why.
        reason: RejectReason,
    },
    /// An incoming (taker) order traded with a resting (maker) order at the maker's price.
    Trade {
        /// The incoming order.
        taker: OrderId,
        /// The resting order it traded with.
        maker: OrderId,
        /// The taker's side (the maker is on the opposite one).
        taker_side: Side,
        /// The execution price: always the maker's limit.
        price: Price,
        /// The traded quantity, always positive.
        qty: Qty,
    },
    /// An order left the book, or a market order's unfilled remainder was dropped.
    Cancelled {
        /// The order.
        id: OrderId,
        /// The quantity that will never trade.
        remaining: Qty,
        /// Why.
        reason: CancelReason,
    },
    /// The aggregate resting quantity at one price level changed; `qty == Qty(0)` means the level is gone.
    BookUpdate {
        /// The side of the level.
        side: Side,
        /// The level's price.
        price: Price,
        /// The new total quantity resting at that price.
        qty: Qty,
    },
}

/// Why a command was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RejectReason {
    /// A new order with a quantity of zero.
    ZeroQuantity,
    /// A limit order with a price of zero or less.
    InvalidPrice,
    /// A new order whose id is already resting in the book.
    DuplicateOrderId,
    /// A cancel for an id that is not resting in the book (never seen, filled or already cancelled).
    UnknownOrder,
}

/// Why an order, or part of one, was cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CancelReason {
    /// The client asked for it with [`Command::Cancel`](crate::Command::Cancel).
    Requested,
    /// A market order ran out of liquidity on the other side.
    NoLiquidity,
}

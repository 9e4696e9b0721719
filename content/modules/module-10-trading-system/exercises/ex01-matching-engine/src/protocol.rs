//! The gateway's wire protocol: newline-framed text, one request or report per line.
//!
//! ```text
//! client -> gateway                     gateway -> client
//! LIMIT <cid> BUY|SELL <price> <qty>    ACK <cid>
//! MARKET <cid> BUY|SELL <qty>           FILL <cid> <price> <qty> <leaves>
//! CANCEL <cid>                          CANCELLED <cid> <remaining> REQUESTED|NO_LIQUIDITY
//!                                       REJECT <cid> <code>
//!                                       ERROR <message>
//! ```
//!
//! Prices are decimals on a grid of 0.01 (`101.25` is `Price(10125)`); quantities are whole lots.
//! Parsing happens here, at the edge, so nothing that is off the grid ever reaches the engine.

use std::fmt;

use thiserror::Error;

use crate::event::{CancelReason, RejectReason};
use crate::types::{Price, Qty, Side};

/// Ticks per currency unit: the tick size is 0.01.
pub const TICKS_PER_UNIT: i64 = 100;

/// The longest request line the gateway accepts, in bytes, newline excluded.
pub const MAX_LINE_LEN: usize = 256;

/// One parsed client request. `cid` is the client's own order id, unique only within its session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request {
    /// `LIMIT <cid> BUY|SELL <price> <qty>`
    Limit {
        /// The client's order id.
        cid: u64,
        /// Buy or sell.
        side: Side,
        /// The limit, converted to ticks.
        price: Price,
        /// The quantity in lots.
        qty: Qty,
    },
    /// `MARKET <cid> BUY|SELL <qty>`
    Market {
        /// The client's order id.
        cid: u64,
        /// Buy or sell.
        side: Side,
        /// The quantity in lots.
        qty: Qty,
    },
    /// `CANCEL <cid>`
    Cancel {
        /// The client's id of the order to cancel.
        cid: u64,
    },
}

/// Why a request line was refused before reaching the engine.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ParseError {
    /// The price is not a non-negative decimal with at most two decimal places (answered with
    /// `REJECT <cid> BAD_PRICE`).
    #[error("order {cid}: bad price")]
    BadPrice {
        /// The client's order id.
        cid: u64,
    },
    /// The quantity is not a whole number of lots (answered with `REJECT <cid> BAD_QUANTITY`).
    #[error("order {cid}: bad quantity")]
    BadQuantity {
        /// The client's order id.
        cid: u64,
    },
    /// Unknown verb, bad side, bad client id or wrong number of fields (answered with `ERROR`).
    #[error("malformed request: {0}")]
    Malformed(String),
}

/// Why the gateway or the engine refused an order, as sent in `REJECT <cid> <code>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RejectCode {
    /// The engine's [`RejectReason::ZeroQuantity`].
    ZeroQuantity,
    /// The engine's [`RejectReason::InvalidPrice`] (a limit of 0.00).
    InvalidPrice,
    /// The client id is already used by one of this session's live orders.
    DuplicateOrderId,
    /// The client id names no live order of this session.
    UnknownOrder,
    /// The price is off the 0.01 grid or not a number.
    BadPrice,
    /// The quantity is not a whole number.
    BadQuantity,
}

impl RejectCode {
    /// The code as written on the wire, e.g. `DUPLICATE_ORDER_ID`.
    pub fn as_str(self) -> &'static str {
        match self {
            RejectCode::ZeroQuantity => "ZERO_QUANTITY",
            RejectCode::InvalidPrice => "INVALID_PRICE",
            RejectCode::DuplicateOrderId => "DUPLICATE_ORDER_ID",
            RejectCode::UnknownOrder => "UNKNOWN_ORDER",
            RejectCode::BadPrice => "BAD_PRICE",
            RejectCode::BadQuantity => "BAD_QUANTITY",
        }
    }
}

impl From<RejectReason> for RejectCode {
    fn from(reason: RejectReason) -> Self {
        match reason {
            RejectReason::ZeroQuantity => RejectCode::ZeroQuantity,
            RejectReason::InvalidPrice => RejectCode::InvalidPrice,
            RejectReason::DuplicateOrderId => RejectCode::DuplicateOrderId,
            RejectReason::UnknownOrder => RejectCode::UnknownOrder,
        }
    }
}

/// One line from the gateway to a client. `Display` writes it without the trailing newline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Report {
    /// `ACK <cid>`: the engine accepted the order.
    Ack {
        /// The client's order id.
        cid: u64,
    },
    /// `FILL <cid> <price> <qty> <leaves>`: the order traded `qty` at `price`; `leaves` is what is
    /// still open (0: the order is complete).
    Fill {
        /// The client's order id.
        cid: u64,
        /// Execution price.
        price: Price,
        /// Traded quantity.
        qty: Qty,
        /// Quantity still open after this fill.
        leaves: Qty,
    },
    /// `CANCELLED <cid> <remaining> REQUESTED|NO_LIQUIDITY`.
    Cancelled {
        /// The client's order id.
        cid: u64,
        /// The quantity that will never trade.
        remaining: Qty,
        /// Why.
        reason: CancelReason,
    },
    /// `REJECT <cid> <code>`.
    Reject {
        /// The client's order id.
        cid: u64,
        /// Why.
        code: RejectCode,
    },
    /// `ERROR <message>`: a line the gateway could not parse; the session stays open.
    Error {
        /// Human-readable description.
        message: String,
    },
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        todo!("milestone 3")
    }
}

/// Parses a price such as `101`, `101.5` or `101.25` into ticks of 0.01. Refuses signs, exponents,
/// more than two decimal places, empty parts (`.5`, `5.`) and values that overflow `i64` ticks.
pub fn parse_price(text: &str) -> Option<Price> {
    todo!("milestone 3")
}

/// Formats ticks as a decimal with exactly two places: `Price(10125)` is `101.25`, `Price(5)` is
/// `0.05`.
pub fn format_price(price: Price) -> String {
    todo!("milestone 3")
}

/// Parses one request line (without its newline). Fields are separated by runs of whitespace;
/// verbs and sides are upper case. The verb, the number of fields, the client id (digits only) and
/// the side are checked first, and any failure there is [`ParseError::Malformed`]; then the price
/// ([`ParseError::BadPrice`]), then the quantity (digits only, [`ParseError::BadQuantity`]).
/// Values are not judged here: a price of 0 or a quantity of 0 parses, and the engine rejects it.
pub fn parse_request(line: &str) -> Result<Request, ParseError> {
    todo!("milestone 3")
}

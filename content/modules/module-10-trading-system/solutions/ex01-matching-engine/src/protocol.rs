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
        match self {
            Report::Ack { cid } => write!(f, "ACK {cid}"),
            Report::Fill {
                cid,
                price,
                qty,
                leaves,
            } => write!(
                f,
                "FILL {cid} {} {} {}",
                format_price(*price),
                qty.0,
                leaves.0
            ),
            Report::Cancelled {
                cid,
                remaining,
                reason,
            } => {
                let reason = match reason {
                    CancelReason::Requested => "REQUESTED",
                    CancelReason::NoLiquidity => "NO_LIQUIDITY",
                };
                write!(f, "CANCELLED {cid} {} {reason}", remaining.0)
            }
            Report::Reject { cid, code } => write!(f, "REJECT {cid} {}", code.as_str()),
            Report::Error { message } => write!(f, "ERROR {message}"),
        }
    }
}

/// Parses a price such as `101`, `101.5` or `101.25` into ticks of 0.01. Refuses signs, exponents,
/// more than two decimal places, empty parts (`.5`, `5.`) and values that overflow `i64` ticks.
pub fn parse_price(text: &str) -> Option<Price> {
    let (whole, frac) = match text.split_once('.') {
        Some((whole, frac)) => (whole, frac),
        None => (text, ""),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(whole) || (text.contains('.') && !all_digits(frac)) || frac.len() > 2 {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let mut cents: i64 = if frac.is_empty() {
        0
    } else {
        frac.parse().ok()?
    };
    if frac.len() == 1 {
        cents *= 10;
    }
    whole
        .checked_mul(TICKS_PER_UNIT)?
        .checked_add(cents)
        .map(Price)
}

/// Formats ticks as a decimal with exactly two places: `Price(10125)` is `101.25`, `Price(5)` is
/// `0.05`.
pub fn format_price(price: Price) -> String {
    let sign = if price.0 < 0 { "-" } else { "" };
    let abs = price.0.unsigned_abs();
    let unit = TICKS_PER_UNIT.unsigned_abs();
    format!("{sign}{}.{:02}", abs / unit, abs % unit)
}

/// Parses one request line (without its newline). Fields are separated by runs of whitespace;
/// verbs and sides are upper case. The verb, the number of fields, the client id (digits only) and
/// the side are checked first, and any failure there is [`ParseError::Malformed`]; then the price
/// ([`ParseError::BadPrice`]), then the quantity (digits only, [`ParseError::BadQuantity`]).
/// Values are not judged here: a price of 0 or a quantity of 0 parses, and the engine rejects it.
pub fn parse_request(line: &str) -> Result<Request, ParseError> {
    let fields: Vec<&str> = line.split_whitespace().collect();
    let malformed = |why: &str| ParseError::Malformed(why.to_string());
    let (&verb, rest) = fields
        .split_first()
        .ok_or_else(|| malformed("empty line"))?;
    let arity = match verb {
        "LIMIT" => 4,
        "MARKET" => 3,
        "CANCEL" => 1,
        _ => return Err(malformed("unknown verb")),
    };
    if rest.len() != arity {
        return Err(malformed("wrong number of fields"));
    }
    let cid = parse_u64(rest[0]).ok_or_else(|| malformed("bad client order id"))?;
    if verb == "CANCEL" {
        return Ok(Request::Cancel { cid });
    }
    let side = match rest[1] {
        "BUY" => Side::Buy,
        "SELL" => Side::Sell,
        _ => return Err(malformed("side must be BUY or SELL")),
    };
    if verb == "MARKET" {
        let qty = parse_u64(rest[2]).ok_or(ParseError::BadQuantity { cid })?;
        return Ok(Request::Market {
            cid,
            side,
            qty: Qty(qty),
        });
    }
    let price = parse_price(rest[2]).ok_or(ParseError::BadPrice { cid })?;
    let qty = parse_u64(rest[3]).ok_or(ParseError::BadQuantity { cid })?;
    Ok(Request::Limit {
        cid,
        side,
        price,
        qty: Qty(qty),
    })
}

/// Digits only: `u64::from_str` would also accept a leading `+`.
fn parse_u64(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

//! Pre-trade risk checks and self-trade prevention in front of the engine (milestone 5).
//!
//! The engine stays what it is: a deterministic matcher that knows nothing about who sent an order.
//! [`RiskEngine`] wraps it, tags every resting order with its [`AccountId`], and refuses or reshapes
//! commands before they reach the matcher. It is as deterministic as the engine: the same
//! `(account, command)` sequence always gives the same results, events and book, because it reads no
//! clock and never iterates a hash map.

use std::collections::HashMap;

use thiserror::Error;

use crate::command::Command;
use crate::engine::Engine;
use crate::event::Event;
use crate::types::{OrderId, Price, Qty, Side};

/// Who sent an order. Orders of one account must never trade with each other when self-trade
/// prevention is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AccountId(pub u32);

/// What to do when a new order would trade with a resting order of the same account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SelfTradePrevention {
    /// No prevention: the engine matches as usual.
    #[default]
    Allow,
    /// Cancel each of the account's resting orders that the new order would reach, then match.
    CancelResting,
    /// Refuse the new order if it would reach any resting order of the same account.
    RejectIncoming,
}

/// The limits every account is held to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RiskLimits {
    /// Largest quantity of one new order.
    pub max_order_qty: Qty,
    /// Most resting orders one account may have; a new limit order is refused at this count.
    pub max_open_orders: usize,
    /// Widest distance, in ticks, between a limit price and the last trade price (no check before
    /// the first trade). `None`: no band.
    pub price_band: Option<u64>,
    /// Self-trade prevention policy.
    pub self_trade: SelfTradePrevention,
}

impl Default for RiskLimits {
    /// No limits at all.
    fn default() -> Self {
        RiskLimits {
            max_order_qty: Qty(u64::MAX),
            max_open_orders: usize::MAX,
            price_band: None,
            self_trade: SelfTradePrevention::Allow,
        }
    }
}

/// Why the risk layer refused a command. A refused command reaches neither the engine nor the
/// event stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum RiskReject {
    /// The quantity exceeds `max_order_qty`.
    #[error("order quantity above the limit")]
    OrderTooLarge,
    /// The limit price is further than `price_band` ticks from the last trade.
    #[error("limit price outside the band around the last trade")]
    PriceOutOfBand,
    /// The account already has `max_open_orders` resting orders.
    #[error("too many open orders")]
    TooManyOpenOrders,
    /// The order would trade with the same account's resting order (policy `RejectIncoming`).
    #[error("the order would trade with the same account")]
    SelfTrade,
    /// A cancel for an order resting under another account.
    #[error("the order belongs to another account")]
    NotOwner,
}

/// An [`Engine`] behind per-account risk checks.
#[derive(Debug)]
pub struct RiskEngine {
    // TODO: your fields (the engine, the limits, the owner of each resting order, open-order
    // counts per account, the last trade price).
    _todo: (),
}

impl RiskEngine {
    /// An empty book behind these limits.
    pub fn new(limits: RiskLimits) -> Self {
        todo!("milestone 5")
    }

    /// The engine behind the checks.
    pub fn engine(&self) -> &Engine {
        todo!("milestone 5")
    }

    /// The limits in force.
    pub fn limits(&self) -> RiskLimits {
        todo!("milestone 5")
    }

    /// The account a resting order belongs to.
    pub fn owner(&self, id: OrderId) -> Option<AccountId> {
        todo!("milestone 5")
    }

    /// How many resting orders the account has.
    pub fn open_orders(&self, account: AccountId) -> usize {
        todo!("milestone 5")
    }

    /// The price of the most recent trade, the reference of the price band.
    pub fn last_trade_price(&self) -> Option<Price> {
        todo!("milestone 5")
    }

    /// Checks `cmd` for `account` and applies it, appending events to `out`.
    ///
    /// * A command the engine itself will reject (zero quantity, limit price of zero or less, an id
    ///   already resting) goes to the engine unchecked: its `Rejected` event is the answer.
    /// * A cancel of an order resting under another account is `Err(NotOwner)`.
    /// * A new order is checked in this order: `OrderTooLarge`, then for limit orders
    ///   `PriceOutOfBand` and `TooManyOpenOrders`, then self-trade prevention, which either refuses
    ///   it (`SelfTrade`) or first cancels the account's resting orders it would reach, in
    ///   price-time order, each with its own `Cancelled` and `BookUpdate` events.
    ///
    /// Returns how many resting orders self-trade prevention cancelled. On `Err`, nothing changed
    /// and nothing was appended.
    pub fn apply(
        &mut self,
        account: AccountId,
        cmd: &Command,
        out: &mut Vec<Event>,
    ) -> Result<usize, RiskReject> {
        todo!("milestone 5")
    }
}

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
#[derive(Debug, Default)]
pub struct RiskEngine {
    engine: Engine,
    limits: RiskLimits,
    /// The account of every resting order.
    owners: HashMap<OrderId, AccountId>,
    /// Resting orders per account (entries at zero are removed).
    open: HashMap<AccountId, usize>,
    last_trade: Option<Price>,
    /// Scratch: same-account orders in the way of the order being applied.
    in_the_way: Vec<OrderId>,
}

impl RiskEngine {
    /// An empty book behind these limits.
    pub fn new(limits: RiskLimits) -> Self {
        RiskEngine {
            limits,
            ..Self::default()
        }
    }

    /// The engine behind the checks.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The limits in force.
    pub fn limits(&self) -> RiskLimits {
        self.limits
    }

    /// The account a resting order belongs to.
    pub fn owner(&self, id: OrderId) -> Option<AccountId> {
        self.owners.get(&id).copied()
    }

    /// How many resting orders the account has.
    pub fn open_orders(&self, account: AccountId) -> usize {
        self.open.get(&account).copied().unwrap_or(0)
    }

    /// The price of the most recent trade, the reference of the price band.
    pub fn last_trade_price(&self) -> Option<Price> {
        self.last_trade
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
        let (id, side, limit, qty) = match *cmd {
            Command::Cancel { id } => {
                if self.owner(id).is_some_and(|owner| owner != account) {
                    return Err(RiskReject::NotOwner);
                }
                self.forward(account, cmd, out);
                return Ok(0);
            }
            Command::Limit {
                id,
                side,
                price,
                qty,
            } => (id, side, Some(price), qty),
            Command::Market { id, side, qty } => (id, side, None, qty),
        };
        let engine_rejects =
            qty.is_zero() || limit.is_some_and(|p| p.0 <= 0) || self.engine.book().contains(id);
        if engine_rejects {
            self.forward(account, cmd, out);
            return Ok(0);
        }
        if qty > self.limits.max_order_qty {
            return Err(RiskReject::OrderTooLarge);
        }
        if let Some(price) = limit {
            if let (Some(band), Some(reference)) = (self.limits.price_band, self.last_trade) {
                if price.0.abs_diff(reference.0) > band {
                    return Err(RiskReject::PriceOutOfBand);
                }
            }
            if self.open_orders(account) >= self.limits.max_open_orders {
                return Err(RiskReject::TooManyOpenOrders);
            }
        }
        let mut cancelled = 0;
        if self.limits.self_trade != SelfTradePrevention::Allow {
            self.find_own_orders_in_the_way(account, side, limit, qty);
            if !self.in_the_way.is_empty() {
                if self.limits.self_trade == SelfTradePrevention::RejectIncoming {
                    return Err(RiskReject::SelfTrade);
                }
                let ids = std::mem::take(&mut self.in_the_way);
                for &own in &ids {
                    self.forward(account, &Command::Cancel { id: own }, out);
                }
                cancelled = ids.len();
                self.in_the_way = ids;
            }
        }
        self.forward(account, cmd, out);
        Ok(cancelled)
    }

    /// Walks the opposite side in price-time order, as the engine would match, and collects the
    /// account's own orders the new order would reach before its quantity runs out. Orders of
    /// other accounts use up quantity; own orders do not (they will be cancelled or block).
    fn find_own_orders_in_the_way(
        &mut self,
        account: AccountId,
        side: Side,
        limit: Option<Price>,
        qty: Qty,
    ) {
        self.in_the_way.clear();
        let book = self.engine.book();
        let opposite = side.opposite();
        let mut remaining = qty;
        for (price, _) in book.depth(opposite, usize::MAX) {
            let crosses = match (side, limit) {
                (_, None) => true,
                (Side::Buy, Some(limit)) => price <= limit,
                (Side::Sell, Some(limit)) => price >= limit,
            };
            if !crosses || remaining.is_zero() {
                return;
            }
            for maker in book.orders_at(opposite, price) {
                if remaining.is_zero() {
                    return;
                }
                if self.owners.get(&maker) == Some(&account) {
                    self.in_the_way.push(maker);
                } else if let Some(order) = book.order(maker) {
                    remaining -= order.remaining.min(remaining);
                }
            }
        }
    }

    /// Applies one command to the engine and updates ownership from its events.
    fn forward(&mut self, account: AccountId, cmd: &Command, out: &mut Vec<Event>) {
        let start = out.len();
        self.engine.apply(cmd, out);
        for event in &out[start..] {
            match *event {
                Event::Trade { maker, price, .. } => {
                    self.last_trade = Some(price);
                    if !self.engine.book().contains(maker) {
                        self.release(maker);
                    }
                }
                Event::Cancelled { id, .. } => self.release(id),
                _ => {}
            }
        }
        if let Command::Limit { id, .. } = *cmd {
            let accepted = out[start..]
                .iter()
                .any(|e| matches!(e, Event::Accepted { id: a, .. } if *a == id));
            if accepted && self.engine.book().contains(id) {
                self.owners.insert(id, account);
                *self.open.entry(account).or_insert(0) += 1;
            }
        }
    }

    fn release(&mut self, id: OrderId) {
        if let Some(account) = self.owners.remove(&id) {
            if let Some(count) = self.open.get_mut(&account) {
                *count -= 1;
                if *count == 0 {
                    self.open.remove(&account);
                }
            }
        }
    }
}

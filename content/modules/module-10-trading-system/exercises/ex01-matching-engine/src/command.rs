//! What the outside world asks the engine to do.

use crate::types::{OrderId, Price, Qty, Side};

/// One instruction to the engine. Commands are plain `Copy` data so they can be journaled, queued and
/// replayed without allocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// A good-till-cancelled limit order: trade at `price` or better, rest whatever is left.
    Limit {
        /// Client-assigned id; must not collide with an order resting in the book.
        id: OrderId,
        /// Buy or sell.
        side: Side,
        /// The limit, in ticks; must be positive.
        price: Price,
        /// How much, in lots; must be positive.
        qty: Qty,
    },
    /// A market order: trade at any price, cancel whatever cannot be filled immediately.
    Market {
        /// Client-assigned id; must not collide with an order resting in the book.
        id: OrderId,
        /// Buy or sell.
        side: Side,
        /// How much, in lots; must be positive.
        qty: Qty,
    },
    /// Remove a resting order.
    Cancel {
        /// The order to cancel.
        id: OrderId,
    },
}

impl Command {
    /// The order id this command is about.
    pub fn order_id(&self) -> OrderId {
        match *self {
            Command::Limit { id, .. } | Command::Market { id, .. } | Command::Cancel { id } => id,
        }
    }
}

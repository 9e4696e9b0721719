//! Prices, quantities, order ids and sides as newtypes.
//!
//! Money never touches `f64` in this crate: a price is a whole number of ticks and a quantity a whole
//! number of lots. The gateway converts "101.25" into `Price(10125)` for a tick of 0.01 and rejects
//! prices off the tick grid before they ever reach the book.

use std::fmt;
use std::ops::{Add, AddAssign, Sub, SubAssign};

/// A price in integer ticks. Ordered, hashable and `Copy`; arithmetic between prices is not offered
/// because the engine never needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Price(pub i64);

/// A quantity in integer lots.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Qty(pub u64);

/// A client-assigned order id, unique among the orders resting in the book.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OrderId(pub u64);

/// Which side of the book an order is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Side {
    /// A bid: wants to buy at this price or lower.
    Buy,
    /// An ask (offer): wants to sell at this price or higher.
    Sell,
}

impl Side {
    /// The side an order of this side trades against.
    pub fn opposite(self) -> Side {
        match self {
            Side::Buy => Side::Sell,
            Side::Sell => Side::Buy,
        }
    }
}

impl Qty {
    /// The zero quantity.
    pub const ZERO: Qty = Qty(0);

    /// `true` for `Qty(0)`.
    pub fn is_zero(self) -> bool {
        self.0 == 0
    }
}

impl Add for Qty {
    type Output = Qty;
    fn add(self, rhs: Qty) -> Qty {
        Qty(self.0 + rhs.0)
    }
}

impl AddAssign for Qty {
    fn add_assign(&mut self, rhs: Qty) {
        self.0 += rhs.0;
    }
}

impl Sub for Qty {
    type Output = Qty;
    /// Panics on underflow in debug builds, like `u64`: taking more than is there is an engine bug.
    fn sub(self, rhs: Qty) -> Qty {
        Qty(self.0 - rhs.0)
    }
}

impl SubAssign for Qty {
    fn sub_assign(&mut self, rhs: Qty) {
        self.0 -= rhs.0;
    }
}

impl fmt::Display for Price {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}t", self.0)
    }
}

impl fmt::Display for Qty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl fmt::Display for OrderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

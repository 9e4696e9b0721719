//! The limit order book: price levels in sorted maps, orders in a slab, FIFO queues as intrusive
//! doubly linked lists threaded through the slab, and an id index for O(1) cancel lookups.
//!
//! ```text
//! bids: BTreeMap<Price, Level>        asks: BTreeMap<Price, Level>
//!            |                                   |
//!        Level { head, tail, total }  ...    Level { head, tail, total }
//!            |                                   |
//! slots: [ Node{prev,next} | Free | Node | Node | Free | ... ]   <- one Vec, reused
//! index: HashMap<OrderId, slot>                                   <- cancel without scanning
//! ```
//!
//! Adding an order is O(log L) for the level lookup (L = number of levels on that side) plus O(1);
//! cancelling is O(1) average for the index plus O(1) to unlink, plus O(log L) only when the level
//! empties. Matching the front order is O(1) once the best level is known. In the steady state the
//! slab and the index reuse their memory, so only creating a brand-new price level allocates.

use std::collections::{BTreeMap, HashMap};

use crate::types::{OrderId, Price, Qty, Side};

/// Sentinel for "no slot" in the intrusive lists. `u32` links keep a node at 40 bytes.
const NIL: u32 = u32::MAX;

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

/// One trade against the front of a level, as reported by [`OrderBook::fill_best`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Fill {
    pub maker: OrderId,
    pub price: Price,
    pub qty: Qty,
}

#[derive(Debug, Clone, Copy)]
struct Node {
    order: RestingOrder,
    prev: u32,
    next: u32,
}

#[derive(Debug, Clone, Copy)]
enum Slot {
    Used(Node),
    Free { next_free: u32 },
}

#[derive(Debug, Clone, Copy)]
struct Level {
    head: u32,
    tail: u32,
    total: Qty,
}

/// A single-instrument limit order book with price-time priority.
///
/// The book only stores and retrieves; the matching rules live in [`Engine`](crate::Engine).
/// Nothing here iterates the `HashMap`, so the book's behaviour never depends on hash order.
#[derive(Debug, Default)]
pub struct OrderBook {
    bids: BTreeMap<Price, Level>,
    asks: BTreeMap<Price, Level>,
    slots: Vec<Slot>,
    free_head: Option<u32>,
    index: HashMap<OrderId, u32>,
}

impl OrderBook {
    /// An empty book.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty book with room for `orders` resting orders before the slab or index reallocate.
    pub fn with_capacity(orders: usize) -> Self {
        OrderBook {
            slots: Vec::with_capacity(orders),
            index: HashMap::with_capacity(orders),
            ..Self::default()
        }
    }

    /// The highest bid and the total quantity resting there.
    pub fn best_bid(&self) -> Option<(Price, Qty)> {
        self.bids.iter().next_back().map(|(p, l)| (*p, l.total))
    }

    /// The lowest ask and the total quantity resting there.
    pub fn best_ask(&self) -> Option<(Price, Qty)> {
        self.asks.iter().next().map(|(p, l)| (*p, l.total))
    }

    /// Up to `levels` price levels of one side, best first, with their total quantities.
    pub fn depth(&self, side: Side, levels: usize) -> Vec<(Price, Qty)> {
        match side {
            Side::Buy => self
                .bids
                .iter()
                .rev()
                .take(levels)
                .map(|(p, l)| (*p, l.total))
                .collect(),
            Side::Sell => self
                .asks
                .iter()
                .take(levels)
                .map(|(p, l)| (*p, l.total))
                .collect(),
        }
    }

    /// Total quantity resting at one level (`Qty(0)` if there is no such level).
    pub fn level_qty(&self, side: Side, price: Price) -> Qty {
        self.side(side).get(&price).map_or(Qty::ZERO, |l| l.total)
    }

    /// The ids resting at one level, in time priority (first to trade first).
    pub fn orders_at(&self, side: Side, price: Price) -> Vec<OrderId> {
        let mut ids = Vec::new();
        let mut cursor = self.side(side).get(&price).map_or(NIL, |l| l.head);
        while let Some(node) = self.node(cursor) {
            ids.push(node.order.id);
            cursor = node.next;
        }
        ids
    }

    /// The resting order with this id, if any.
    pub fn order(&self, id: OrderId) -> Option<RestingOrder> {
        let slot = *self.index.get(&id)?;
        self.node(slot).map(|n| n.order)
    }

    /// `true` if an order with this id is resting.
    pub fn contains(&self, id: OrderId) -> bool {
        self.index.contains_key(&id)
    }

    /// Number of resting orders.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// `true` when nothing rests on either side.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// Appends an order to the back of its level's queue. The caller guarantees that the id is not
    /// already resting and that `remaining` is positive.
    pub(crate) fn insert(&mut self, order: RestingOrder) {
        debug_assert!(!self.contains(order.id) && !order.remaining.is_zero());
        let levels = match order.side {
            Side::Buy => &mut self.bids,
            Side::Sell => &mut self.asks,
        };
        let level = levels.entry(order.price).or_insert(Level {
            head: NIL,
            tail: NIL,
            total: Qty::ZERO,
        });
        let prev = level.tail;
        let node = Node {
            order,
            prev,
            next: NIL,
        };
        // Allocate a slot: reuse the free list first, grow the slab otherwise.
        let slot = match self.free_head {
            Some(free) => {
                self.free_head = match self.slots[free as usize] {
                    Slot::Free { next_free } if next_free != NIL => Some(next_free),
                    _ => None,
                };
                self.slots[free as usize] = Slot::Used(node);
                free
            }
            None => {
                let slot =
                    u32::try_from(self.slots.len()).expect("more than u32::MAX resting orders");
                self.slots.push(Slot::Used(node));
                slot
            }
        };
        if prev == NIL {
            level.head = slot;
        } else if let Slot::Used(prev_node) = &mut self.slots[prev as usize] {
            prev_node.next = slot;
        }
        level.tail = slot;
        level.total += order.remaining;
        self.index.insert(order.id, slot);
    }

    /// Removes a resting order wherever it is in its queue and returns it. Empty levels disappear.
    pub(crate) fn remove(&mut self, id: OrderId) -> Option<RestingOrder> {
        let slot = self.index.remove(&id)?;
        let node = *self.node(slot)?;
        self.unlink(slot, node);
        Some(node.order)
    }

    /// Trades up to `max` against the front order of the best level on `side`, provided that level
    /// crosses `limit` (`None` = any price). Returns `None` when nothing is left to trade against.
    pub(crate) fn fill_best(&mut self, side: Side, limit: Option<Price>, max: Qty) -> Option<Fill> {
        let (price, head) = match side {
            Side::Buy => self.bids.iter().next_back(),
            Side::Sell => self.asks.iter().next(),
        }
        .map(|(p, l)| (*p, l.head))?;
        let crosses = match (side, limit) {
            (_, None) => true,
            // A resting bid trades with a sell whose limit is at or below it, and vice versa.
            (Side::Buy, Some(limit)) => price >= limit,
            (Side::Sell, Some(limit)) => price <= limit,
        };
        if !crosses || max.is_zero() {
            return None;
        }
        let node = *self.node(head)?;
        let qty = node.order.remaining.min(max);
        if qty == node.order.remaining {
            self.index.remove(&node.order.id);
            self.unlink(head, node);
        } else {
            if let Slot::Used(n) = &mut self.slots[head as usize] {
                n.order.remaining -= qty;
            }
            if let Some(level) = self.side_mut(side).get_mut(&price) {
                level.total -= qty;
            }
        }
        Some(Fill {
            maker: node.order.id,
            price,
            qty,
        })
    }

    /// Detaches `node` (stored at `slot`) from its level and frees the slot.
    fn unlink(&mut self, slot: u32, node: Node) {
        if let Some(Slot::Used(prev)) = self.slots.get_mut(node.prev as usize) {
            prev.next = node.next;
        }
        if let Some(Slot::Used(next)) = self.slots.get_mut(node.next as usize) {
            next.prev = node.prev;
        }
        let price = node.order.price;
        let levels = self.side_mut(node.order.side);
        let now_empty = match levels.get_mut(&price) {
            Some(level) => {
                if level.head == slot {
                    level.head = node.next;
                }
                if level.tail == slot {
                    level.tail = node.prev;
                }
                level.total -= node.order.remaining;
                level.head == NIL
            }
            None => false,
        };
        if now_empty {
            levels.remove(&price);
        }
        self.slots[slot as usize] = Slot::Free {
            next_free: self.free_head.unwrap_or(NIL),
        };
        self.free_head = Some(slot);
    }

    fn node(&self, slot: u32) -> Option<&Node> {
        match self.slots.get(slot as usize) {
            Some(Slot::Used(node)) => Some(node),
            _ => None,
        }
    }

    fn side(&self, side: Side) -> &BTreeMap<Price, Level> {
        match side {
            Side::Buy => &self.bids,
            Side::Sell => &self.asks,
        }
    }

    fn side_mut(&mut self, side: Side) -> &mut BTreeMap<Price, Level> {
        match side {
            Side::Buy => &mut self.bids,
            Side::Sell => &mut self.asks,
        }
    }
}

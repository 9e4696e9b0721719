//! Milestone 5 (stretch, re-scoped): per-account risk checks and self-trade prevention in front of
//! the deterministic engine.

use std::collections::HashMap;

use ex01_matching_engine::risk::{
    AccountId, RiskEngine, RiskLimits, RiskReject, SelfTradePrevention,
};
use ex01_matching_engine::{
    CancelReason, Command, Engine, Event, OrderId, Price, Qty, RejectReason, Side,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

use Side::{Buy, Sell};

const ALICE: AccountId = AccountId(1);
const BOB: AccountId = AccountId(2);
const CAROL: AccountId = AccountId(3);

fn limit(id: u64, side: Side, price: i64, qty: u64) -> Command {
    Command::Limit {
        id: OrderId(id),
        side,
        price: Price(price),
        qty: Qty(qty),
    }
}

fn market(id: u64, side: Side, qty: u64) -> Command {
    Command::Market {
        id: OrderId(id),
        side,
        qty: Qty(qty),
    }
}

fn cancel(id: u64) -> Command {
    Command::Cancel { id: OrderId(id) }
}

/// Applies and returns the result with the events it produced.
fn run(
    risk: &mut RiskEngine,
    account: AccountId,
    cmd: Command,
) -> (Result<usize, RiskReject>, Vec<Event>) {
    let mut out = Vec::new();
    let result = risk.apply(account, &cmd, &mut out);
    (result, out)
}

/// Applies a command that must pass, returning its events.
fn ok(risk: &mut RiskEngine, account: AccountId, cmd: Command) -> Vec<Event> {
    let (result, events) = run(risk, account, cmd);
    assert_eq!(result, Ok(0), "{cmd:?} from {account:?}");
    events
}

/// Asserts a refusal that leaves no trace.
fn refused(risk: &mut RiskEngine, account: AccountId, cmd: Command, why: RiskReject) {
    let before = depth(risk.engine());
    let (result, events) = run(risk, account, cmd);
    assert_eq!(result, Err(why), "{cmd:?} from {account:?}");
    assert_eq!(events, vec![], "a refused command emits nothing");
    assert_eq!(
        depth(risk.engine()),
        before,
        "a refused command changes nothing"
    );
}

fn depth(engine: &Engine) -> Vec<(Side, Price, Qty)> {
    let mut all = Vec::new();
    for side in [Buy, Sell] {
        for (price, qty) in engine.book().depth(side, usize::MAX) {
            all.push((side, price, qty));
        }
    }
    all
}

fn trades(events: &[Event]) -> Vec<(u64, u64, i64, u64)> {
    events
        .iter()
        .filter_map(|e| match *e {
            Event::Trade {
                taker,
                maker,
                price,
                qty,
                ..
            } => Some((taker.0, maker.0, price.0, qty.0)),
            _ => None,
        })
        .collect()
}

#[test]
fn orders_above_the_size_limit_are_refused() {
    let mut risk = RiskEngine::new(RiskLimits {
        max_order_qty: Qty(100),
        ..RiskLimits::default()
    });
    assert_eq!(risk.limits().max_order_qty, Qty(100));
    ok(&mut risk, ALICE, limit(1, Buy, 50, 100));
    refused(
        &mut risk,
        ALICE,
        limit(2, Buy, 50, 101),
        RiskReject::OrderTooLarge,
    );
    refused(
        &mut risk,
        BOB,
        market(3, Sell, 101),
        RiskReject::OrderTooLarge,
    );
    let events = ok(&mut risk, BOB, market(3, Sell, 60));
    assert_eq!(trades(&events), vec![(3, 1, 50, 60)]);
    // What the engine rejects itself is answered by the engine, not by the risk layer.
    let events = ok(&mut risk, ALICE, limit(4, Buy, 50, 0));
    assert_eq!(
        events,
        vec![Event::Rejected {
            id: OrderId(4),
            reason: RejectReason::ZeroQuantity
        }]
    );
}

#[test]
fn limit_prices_must_stay_within_the_band_around_the_last_trade() {
    let mut risk = RiskEngine::new(RiskLimits {
        price_band: Some(10),
        ..RiskLimits::default()
    });
    // No trade yet: no reference, any price.
    assert_eq!(risk.last_trade_price(), None);
    ok(&mut risk, ALICE, limit(1, Sell, 1_000, 5));
    ok(&mut risk, ALICE, limit(2, Sell, 5_000, 5));
    ok(&mut risk, BOB, market(3, Buy, 2));
    assert_eq!(risk.last_trade_price(), Some(Price(1_000)));
    ok(&mut risk, BOB, limit(4, Buy, 990, 1));
    ok(&mut risk, BOB, limit(5, Sell, 1_010, 1));
    refused(
        &mut risk,
        BOB,
        limit(6, Buy, 989, 1),
        RiskReject::PriceOutOfBand,
    );
    refused(
        &mut risk,
        BOB,
        limit(7, Sell, 1_011, 1),
        RiskReject::PriceOutOfBand,
    );
    // Market orders have no price to check.
    ok(&mut risk, BOB, market(8, Buy, 3));
    // The reference follows the last trade.
    ok(&mut risk, CAROL, market(9, Buy, 1));
    assert_eq!(risk.last_trade_price(), Some(Price(1_010)));
    ok(&mut risk, CAROL, limit(10, Sell, 1_020, 1));
    refused(
        &mut risk,
        CAROL,
        limit(11, Buy, 999, 1),
        RiskReject::PriceOutOfBand,
    );
}

#[test]
fn an_account_cannot_exceed_its_open_order_limit() {
    let mut risk = RiskEngine::new(RiskLimits {
        max_open_orders: 2,
        ..RiskLimits::default()
    });
    ok(&mut risk, ALICE, limit(1, Buy, 10, 5));
    ok(&mut risk, ALICE, limit(2, Buy, 11, 5));
    assert_eq!(risk.open_orders(ALICE), 2);
    refused(
        &mut risk,
        ALICE,
        limit(3, Buy, 12, 5),
        RiskReject::TooManyOpenOrders,
    );
    // Other accounts have their own count, and market orders never rest.
    ok(&mut risk, BOB, limit(4, Sell, 20, 5));
    ok(&mut risk, ALICE, market(5, Buy, 1));
    // A cancel frees a slot...
    ok(&mut risk, ALICE, cancel(1));
    assert_eq!(risk.open_orders(ALICE), 1);
    ok(&mut risk, ALICE, limit(6, Buy, 9, 5));
    // ...and so does a complete fill, but not a partial one.
    ok(&mut risk, BOB, market(7, Sell, 3));
    assert_eq!(risk.open_orders(ALICE), 2);
    ok(&mut risk, BOB, market(8, Sell, 2));
    assert_eq!(risk.open_orders(ALICE), 1);
    assert_eq!(risk.owner(OrderId(2)), None);
    assert_eq!(risk.owner(OrderId(6)), Some(ALICE));
    ok(&mut risk, ALICE, limit(9, Buy, 8, 5));
    refused(
        &mut risk,
        ALICE,
        limit(10, Buy, 7, 5),
        RiskReject::TooManyOpenOrders,
    );
    assert_eq!(risk.open_orders(BOB), 1);
    assert_eq!(risk.open_orders(CAROL), 0);
}

#[test]
fn an_account_can_cancel_only_its_own_orders() {
    let mut risk = RiskEngine::new(RiskLimits::default());
    ok(&mut risk, ALICE, limit(1, Buy, 10, 5));
    refused(&mut risk, BOB, cancel(1), RiskReject::NotOwner);
    // An id that is not resting is the engine's business.
    let events = ok(&mut risk, BOB, cancel(99));
    assert_eq!(
        events,
        vec![Event::Rejected {
            id: OrderId(99),
            reason: RejectReason::UnknownOrder
        }]
    );
    let events = ok(&mut risk, ALICE, cancel(1));
    assert_eq!(
        events[0],
        Event::Cancelled {
            id: OrderId(1),
            remaining: Qty(5),
            reason: CancelReason::Requested
        }
    );
    assert_eq!(risk.owner(OrderId(1)), None);
    // Once gone, the id is free for anyone.
    ok(&mut risk, BOB, limit(1, Sell, 30, 1));
    assert_eq!(risk.owner(OrderId(1)), Some(BOB));
}

#[test]
fn cancel_resting_removes_the_accounts_orders_in_the_way_and_trades_with_the_rest() {
    let mut risk = RiskEngine::new(RiskLimits {
        self_trade: SelfTradePrevention::CancelResting,
        ..RiskLimits::default()
    });
    ok(&mut risk, ALICE, limit(1, Sell, 100, 3)); // first in the queue at 100
    ok(&mut risk, BOB, limit(2, Sell, 100, 4));
    ok(&mut risk, ALICE, limit(3, Sell, 101, 5));
    ok(&mut risk, BOB, limit(4, Sell, 102, 5));
    ok(&mut risk, ALICE, limit(5, Sell, 103, 5)); // beyond the buyer's reach
    let (result, events) = run(&mut risk, ALICE, limit(6, Buy, 102, 6));
    assert_eq!(result, Ok(2));
    assert_eq!(
        events,
        vec![
            Event::Cancelled {
                id: OrderId(1),
                remaining: Qty(3),
                reason: CancelReason::Requested
            },
            Event::BookUpdate {
                side: Sell,
                price: Price(100),
                qty: Qty(4)
            },
            Event::Cancelled {
                id: OrderId(3),
                remaining: Qty(5),
                reason: CancelReason::Requested
            },
            Event::BookUpdate {
                side: Sell,
                price: Price(101),
                qty: Qty(0)
            },
            Event::Accepted {
                id: OrderId(6),
                side: Buy,
                price: Some(Price(102)),
                qty: Qty(6)
            },
            Event::Trade {
                taker: OrderId(6),
                maker: OrderId(2),
                taker_side: Buy,
                price: Price(100),
                qty: Qty(4)
            },
            Event::Trade {
                taker: OrderId(6),
                maker: OrderId(4),
                taker_side: Buy,
                price: Price(102),
                qty: Qty(2)
            },
            Event::BookUpdate {
                side: Sell,
                price: Price(100),
                qty: Qty(0)
            },
            Event::BookUpdate {
                side: Sell,
                price: Price(102),
                qty: Qty(3)
            },
        ]
    );
    assert_eq!(risk.owner(OrderId(5)), Some(ALICE), "out of reach: kept");
    assert_eq!(risk.open_orders(ALICE), 1);
    // An order whose quantity runs out before it reaches an own order cancels nothing.
    ok(&mut risk, BOB, limit(7, Buy, 50, 1));
    ok(&mut risk, ALICE, limit(8, Buy, 49, 1));
    let (result, events) = run(&mut risk, ALICE, market(9, Sell, 1));
    assert_eq!(result, Ok(0));
    assert_eq!(trades(&events), vec![(9, 7, 50, 1)]);
    assert_eq!(risk.owner(OrderId(8)), Some(ALICE));
}

#[test]
fn reject_incoming_refuses_an_order_that_would_reach_its_own_account() {
    let mut risk = RiskEngine::new(RiskLimits {
        self_trade: SelfTradePrevention::RejectIncoming,
        ..RiskLimits::default()
    });
    ok(&mut risk, BOB, limit(1, Buy, 100, 2));
    ok(&mut risk, ALICE, limit(2, Buy, 100, 2));
    ok(&mut risk, BOB, limit(3, Buy, 99, 2));
    refused(&mut risk, ALICE, market(4, Sell, 3), RiskReject::SelfTrade);
    refused(
        &mut risk,
        ALICE,
        limit(5, Sell, 100, 3),
        RiskReject::SelfTrade,
    );
    // Stopping short of the own order is fine, and so is not crossing at all.
    let events = ok(&mut risk, ALICE, limit(6, Sell, 100, 2));
    assert_eq!(trades(&events), vec![(6, 1, 100, 2)]);
    ok(&mut risk, ALICE, limit(7, Sell, 101, 2));
    // Another account trades with Alice's bid as usual.
    let events = ok(&mut risk, CAROL, market(8, Sell, 3));
    assert_eq!(trades(&events), vec![(8, 2, 100, 2), (8, 3, 99, 1)]);
}

/// One step of a random session: (account, command).
fn steps() -> impl Strategy<Value = Vec<(u32, Command)>> {
    let cmd = (1u64..40, any::<bool>(), 95i64..106, 0u64..25, 0u8..10).prop_map(
        |(id, buy, price, qty, kind)| {
            let side = if buy { Buy } else { Sell };
            match kind {
                0..=5 => limit(id, side, price, qty),
                6 | 7 => market(id, side, qty),
                _ => cancel(id),
            }
        },
    );
    prop::collection::vec((1u32..4, cmd), 1..150)
}

#[test]
fn no_account_ever_trades_with_itself_and_every_order_keeps_its_owner() {
    let config = Config {
        cases: 200,
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner =
        TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &[5; 32]));
    let limits = RiskLimits {
        max_order_qty: Qty(20),
        max_open_orders: 6,
        price_band: Some(4),
        self_trade: SelfTradePrevention::CancelResting,
    };
    runner
        .run(&steps(), |steps| {
            let mut risk = RiskEngine::new(limits);
            let mut owner: HashMap<OrderId, u32> = HashMap::new();
            let mut results = Vec::new();
            let mut all_events = Vec::new();
            for &(account, cmd) in &steps {
                let mut out = Vec::new();
                let result = risk.apply(AccountId(account), &cmd, &mut out);
                for event in &out {
                    match *event {
                        Event::Accepted { id, .. } => {
                            owner.insert(id, account);
                        }
                        Event::Trade { taker, maker, .. } => {
                            prop_assert_ne!(
                                owner.get(&taker),
                                owner.get(&maker),
                                "self-trade between #{} and #{}",
                                taker.0,
                                maker.0
                            );
                        }
                        _ => {}
                    }
                }
                if let Err(RiskReject::OrderTooLarge) = result {
                    let qty = match cmd {
                        Command::Limit { qty, .. } | Command::Market { qty, .. } => qty,
                        Command::Cancel { .. } => Qty(0),
                    };
                    prop_assert!(qty > Qty(20));
                }
                results.push(result);
                all_events.extend(out);
                // Every resting order has the owner that placed it, and the counts add up.
                let mut counts: HashMap<u32, usize> = HashMap::new();
                for side in [Buy, Sell] {
                    for (price, _) in risk.engine().book().depth(side, usize::MAX) {
                        for id in risk.engine().book().orders_at(side, price) {
                            let account = owner[&id];
                            prop_assert_eq!(risk.owner(id), Some(AccountId(account)));
                            *counts.entry(account).or_default() += 1;
                        }
                    }
                }
                for account in 1..4 {
                    let n = counts.get(&account).copied().unwrap_or(0);
                    prop_assert_eq!(risk.open_orders(AccountId(account)), n);
                    prop_assert!(n <= 6);
                }
            }
            // Deterministic: the same inputs give the same results and the same events.
            let mut again = RiskEngine::new(limits);
            let mut replayed = Vec::new();
            for (i, &(account, cmd)) in steps.iter().enumerate() {
                let result = again.apply(AccountId(account), &cmd, &mut replayed);
                prop_assert_eq!(result, results[i]);
            }
            prop_assert_eq!(replayed, all_events);
            Ok(())
        })
        .unwrap();
}

//! Property test: random operation sequences must behave exactly like a naive `Vec`-based LRU model.

use std::hash::{BuildHasherDefault, Hasher};

use ex01_lru_cache::LruCache;
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::{RngAlgorithm, TestRng, TestRunner};

/// The obviously correct (and O(n)) reference: a `Vec` ordered from most to least recently used.
#[derive(Debug)]
struct Model {
    capacity: usize,
    entries: Vec<(u8, u32)>,
}

impl Model {
    fn new(capacity: usize) -> Self {
        Self {
            capacity,
            entries: Vec::new(),
        }
    }

    fn position(&self, key: u8) -> Option<usize> {
        self.entries.iter().position(|(k, _)| *k == key)
    }

    fn get(&mut self, key: u8) -> Option<u32> {
        let pos = self.position(key)?;
        let entry = self.entries.remove(pos);
        self.entries.insert(0, entry);
        Some(entry.1)
    }

    fn peek(&self, key: u8) -> Option<u32> {
        self.position(key).map(|pos| self.entries[pos].1)
    }

    fn put(&mut self, key: u8, value: u32) -> Option<(u8, u32)> {
        if let Some(pos) = self.position(key) {
            let old = self.entries.remove(pos);
            self.entries.insert(0, (key, value));
            return Some(old);
        }
        if self.capacity == 0 {
            return Some((key, value));
        }
        let evicted = if self.entries.len() == self.capacity {
            self.entries.pop()
        } else {
            None
        };
        self.entries.insert(0, (key, value));
        evicted
    }

    fn remove(&mut self, key: u8) -> Option<u32> {
        let pos = self.position(key)?;
        Some(self.entries.remove(pos).1)
    }

    fn pop_lru(&mut self) -> Option<(u8, u32)> {
        self.entries.pop()
    }
}

#[derive(Debug, Clone)]
enum Op {
    Put(u8, u32),
    Get(u8),
    GetMut(u8, u32),
    Peek(u8),
    Remove(u8),
    PopLru,
}

fn op() -> impl Strategy<Value = Op> {
    // A small key space makes hits, updates and evictions all common.
    let key = 0u8..8;
    prop_oneof![
        4 => (key.clone(), any::<u32>()).prop_map(|(k, v)| Op::Put(k, v)),
        3 => key.clone().prop_map(Op::Get),
        1 => (key.clone(), any::<u32>()).prop_map(|(k, v)| Op::GetMut(k, v)),
        1 => key.clone().prop_map(Op::Peek),
        1 => key.prop_map(Op::Remove),
        1 => Just(Op::PopLru),
    ]
}

/// Every key hashes to the same value, so every lookup goes through collision handling.
#[derive(Default)]
struct ConstantHasher;

impl Hasher for ConstantHasher {
    fn finish(&self) -> u64 {
        7
    }

    fn write(&mut self, _bytes: &[u8]) {}
}

fn check_against_model<S: std::hash::BuildHasher>(
    mut cache: LruCache<u8, u32, S>,
    capacity: usize,
    ops: &[Op],
) -> Result<(), TestCaseError> {
    let mut model = Model::new(capacity);
    for (step, op) in ops.iter().enumerate() {
        match *op {
            Op::Put(k, v) => {
                prop_assert_eq!(cache.put(k, v), model.put(k, v), "step {}: {:?}", step, op)
            }
            Op::Get(k) => prop_assert_eq!(
                cache.get(&k).copied(),
                model.get(k),
                "step {}: {:?}",
                step,
                op
            ),
            Op::GetMut(k, v) => {
                let expected = model.get(k);
                let actual = cache.get_mut(&k).map(|slot| std::mem::replace(slot, v));
                prop_assert_eq!(actual, expected, "step {}: {:?}", step, op);
                if expected.is_some() {
                    model.entries[0].1 = v;
                }
            }
            Op::Peek(k) => prop_assert_eq!(
                cache.peek(&k).copied(),
                model.peek(k),
                "step {}: {:?}",
                step,
                op
            ),
            Op::Remove(k) => {
                prop_assert_eq!(cache.remove(&k), model.remove(k), "step {}: {:?}", step, op)
            }
            Op::PopLru => {
                prop_assert_eq!(cache.pop_lru(), model.pop_lru(), "step {}: {:?}", step, op)
            }
        }
        prop_assert_eq!(cache.len(), model.entries.len(), "len after step {}", step);
        prop_assert_eq!(cache.is_empty(), model.entries.is_empty());
        let actual: Vec<(u8, u32)> = cache.iter().map(|(k, v)| (*k, *v)).collect();
        prop_assert_eq!(
            &actual,
            &model.entries,
            "order after step {}: {:?}",
            step,
            op
        );
        let reversed: Vec<(u8, u32)> = cache.iter().rev().map(|(k, v)| (*k, *v)).collect();
        let mut expected_reversed = model.entries.clone();
        expected_reversed.reverse();
        prop_assert_eq!(
            reversed,
            expected_reversed,
            "reverse order after step {}",
            step
        );
    }
    Ok(())
}

/// How many random operation sequences each property test runs.
const CASES: u32 = 256;

/// Runs `CASES` random (capacity, operations) cases through `check_against_model`, with a cache from `make`.
///
/// The seed is fixed, so every run (locally and in CI) checks the same sequences, and no failure persistence:
/// a failing run must not write a regressions file into tests/. Shrinking still reports a minimal failing case.
fn run_against_model<S: std::hash::BuildHasher>(make: impl Fn(usize) -> LruCache<u8, u32, S>) {
    let config = ProptestConfig {
        cases: CASES,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    let mut runner =
        TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha));
    let strategy = (0usize..6, vec(op(), 0..200));
    if let Err(e) = runner.run(&strategy, |(capacity, ops)| {
        check_against_model(make(capacity), capacity, &ops)
    }) {
        panic!("{e}");
    }
}

#[test]
fn behaves_like_the_model() {
    run_against_model(LruCache::new);
}

#[test]
fn behaves_like_the_model_under_hash_collisions() {
    run_against_model(|capacity| {
        LruCache::with_hasher(capacity, BuildHasherDefault::<ConstantHasher>::default())
    });
}

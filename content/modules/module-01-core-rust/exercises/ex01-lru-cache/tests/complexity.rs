//! Complexity tests: `get`, `put`, `remove` and friends must not scan the cache.
//!
//! Timing is too noisy to test reliably, so these tests count work instead. The keys are `Key`s, whose `Eq`
//! and `Hash` impls count how often they run, and the cache is built with `CountingState`, a hasher that counts
//! the hashes it computes. With 10,000 entries in the cache, an O(1) operation compares the key it is given
//! with a few stored keys and hashes it a few times; a linear scan compares (or hashes) thousands.
//! The hasher is deterministic, so a given implementation does exactly the same work on every run.

use std::cell::Cell;
use std::collections::hash_map::DefaultHasher;
use std::hash::{BuildHasher, Hash, Hasher};

use ex01_lru_cache::LruCache;

/// Entries in the full caches below: far more than any bound, so a linear scan cannot stay under one.
const N: u64 = 10_000;

/// The most key comparisons (`==` on keys) one operation may make. An O(1) design makes a few: one to confirm
/// a hit, plus the occasional stored key whose hash looks like the probe's to the hash map.
const MAX_COMPARISONS: u64 = 64;

/// The most times a key's `Hash` impl may run per operation, on average. An O(1) design hashes the key a few
/// times; one built on a `HashMap` of keys also rehashes every key when the map grows, which averages out.
const MAX_AVERAGE_HASHES: u64 = 8;

/// Extra key hashes allowed on top of the average: one rehash of every key in the cache.
const HASH_ALLOWANCE: u64 = N;

thread_local! {
    // Read as differences around each call (see `measure`), so tests running on other threads do not matter.
    static COMPARISONS: Cell<u64> = const { Cell::new(0) };
    static KEY_HASHES: Cell<u64> = const { Cell::new(0) };
    static HASHER_RESULTS: Cell<u64> = const { Cell::new(0) };
}

fn bump(counter: &'static std::thread::LocalKey<Cell<u64>>) {
    counter.with(|c| c.set(c.get() + 1));
}

fn read(counter: &'static std::thread::LocalKey<Cell<u64>>) -> u64 {
    counter.with(Cell::get)
}

/// A cache key that counts how often it is compared and hashed.
#[derive(Clone, Debug)]
struct Key(u64);

impl PartialEq for Key {
    fn eq(&self, other: &Self) -> bool {
        bump(&COMPARISONS);
        self.0 == other.0
    }
}

impl Eq for Key {}

impl Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        bump(&KEY_HASHES);
        self.0.hash(state);
    }
}

/// A deterministic hash builder (SipHash with fixed keys) that counts the hashes it produces.
#[derive(Clone, Default)]
struct CountingState;

impl BuildHasher for CountingState {
    type Hasher = CountingHasher;

    fn build_hasher(&self) -> CountingHasher {
        CountingHasher(DefaultHasher::new())
    }
}

struct CountingHasher(DefaultHasher);

impl Hasher for CountingHasher {
    fn finish(&self) -> u64 {
        bump(&HASHER_RESULTS);
        self.0.finish()
    }

    fn write(&mut self, bytes: &[u8]) {
        self.0.write(bytes);
    }
}

/// How much work one call did.
#[derive(Debug)]
struct Work {
    comparisons: u64,
    key_hashes: u64,
    hasher_results: u64,
}

/// Runs `f` and reports the key comparisons and hashes it caused.
fn measure<R>(f: impl FnOnce() -> R) -> (R, Work) {
    let before = (read(&COMPARISONS), read(&KEY_HASHES), read(&HASHER_RESULTS));
    let result = f();
    let work = Work {
        comparisons: read(&COMPARISONS) - before.0,
        key_hashes: read(&KEY_HASHES) - before.1,
        hasher_results: read(&HASHER_RESULTS) - before.2,
    };
    (result, work)
}

/// Counts the operations a test performs on one cache and the key hashes they cost, and enforces the bounds.
struct Meter {
    /// What the operations are part of, for failure messages.
    context: &'static str,
    operations: u64,
    key_hashes: u64,
}

impl Meter {
    fn new(context: &'static str) -> Self {
        Self {
            context,
            operations: 0,
            key_hashes: 0,
        }
    }

    /// Runs `f`, one cache operation described by `what` on a cache of `len` entries, and fails if it compared
    /// too many keys or if the operations so far hashed too many.
    fn run<R>(&mut self, what: &str, len: usize, f: impl FnOnce() -> R) -> R {
        let (result, work) = measure(f);
        let context = self.context;
        assert!(
            work.comparisons <= MAX_COMPARISONS,
            "{context}: {what} on a cache of {len} entries compared keys {} times; an O(1) cache compares \
             a few (the limit is {MAX_COMPARISONS}). Is it scanning the entries instead of using a hash map?",
            work.comparisons,
        );
        self.operations += 1;
        self.key_hashes += work.key_hashes;
        let limit = MAX_AVERAGE_HASHES * self.operations + HASH_ALLOWANCE;
        assert!(
            self.key_hashes <= limit,
            "{context}: after {} operations, the last {what} on a cache of {len} entries, keys had been hashed \
             {} times (the limit is {limit}: {MAX_AVERAGE_HASHES} per operation plus {HASH_ALLOWANCE}). An O(1) \
             cache hashes the key it is given a few times per operation. Is it hashing the stored keys to find \
             a match?",
            self.operations,
            self.key_hashes,
        );
        result
    }
}

/// The context of the operations that set up each test's cache.
const FILLING: &str = "filling the cache with 10000 keys";

/// A cache holding keys `0..N` (`N - 1` most recently used), filled with metered `put`s.
fn full_cache(meter: &mut Meter) -> LruCache<Key, u64, CountingState> {
    let mut cache = LruCache::with_hasher(N as usize, CountingState);
    for k in 0..N {
        let len = cache.len();
        let evicted = meter.run(&format!("put(Key({k}), _) of a new key"), len, || {
            cache.put(Key(k), k)
        });
        assert!(evicted.is_none(), "the cache is not full yet");
    }
    assert_eq!(cache.len(), N as usize);
    cache
}

/// `count` keys of `0..N` in an order that jumps all over the recency list (7919 is prime, so no repeats).
fn scattered(count: u64) -> impl Iterator<Item = u64> {
    (1..=count).map(|i| i * 7919 % N)
}

#[test]
fn put_in_a_large_cache_touches_few_keys() {
    let mut meter = Meter::new(FILLING);
    let mut cache = full_cache(&mut meter);
    meter.context = "updating present keys";
    for k in scattered(500) {
        let len = cache.len();
        let old = meter.run(&format!("put(Key({k}), _)"), len, || {
            cache.put(Key(k), k + 1)
        });
        assert_eq!(old.map(|(key, value)| (key.0, value)), Some((k, k)));
    }
    meter.context = "putting new keys into a full cache";
    for k in N..N + 500 {
        let len = cache.len();
        let evicted = meter.run(&format!("put(Key({k}), _)"), len, || cache.put(Key(k), k));
        assert!(evicted.is_some(), "a full cache evicts on put of a new key");
    }
    assert_eq!(cache.len(), N as usize);
}

#[test]
fn lookups_in_a_large_cache_touch_few_keys() {
    let mut meter = Meter::new(FILLING);
    let mut cache = full_cache(&mut meter);
    meter.context = "looking up present keys";
    let len = cache.len();
    for k in scattered(500) {
        let key = Key(k);
        let found = meter.run(&format!("get(&Key({k}))"), len, || cache.get(&key).copied());
        assert_eq!(found, Some(k));
        let found = meter.run(&format!("peek(&Key({k}))"), len, || {
            cache.peek(&key).copied()
        });
        assert_eq!(found, Some(k));
        let found = meter.run(&format!("contains_key(&Key({k}))"), len, || {
            cache.contains_key(&key)
        });
        assert!(found);
    }
    for k in scattered(500).map(|k| (k + 1) % N) {
        let key = Key(k);
        let found = meter.run(&format!("get_mut(&Key({k}))"), len, || {
            cache.get_mut(&key).is_some()
        });
        assert!(found);
    }
}

#[test]
fn lookups_of_missing_keys_in_a_large_cache_touch_few_keys() {
    let mut meter = Meter::new(FILLING);
    let mut cache = full_cache(&mut meter);
    meter.context = "looking up missing keys";
    let len = cache.len();
    for k in N..N + 200 {
        let key = Key(k);
        let found = meter.run(&format!("get(&Key({k}))"), len, || {
            cache.get(&key).is_some()
        });
        assert!(!found);
        let found = meter.run(&format!("get_mut(&Key({k}))"), len, || {
            cache.get_mut(&key).is_some()
        });
        assert!(!found);
        let found = meter.run(&format!("peek(&Key({k}))"), len, || {
            cache.peek(&key).is_some()
        });
        assert!(!found);
        let found = meter.run(&format!("contains_key(&Key({k}))"), len, || {
            cache.contains_key(&key)
        });
        assert!(!found);
        let removed = meter.run(&format!("remove(&Key({k}))"), len, || cache.remove(&key));
        assert_eq!(removed, None);
    }
}

#[test]
fn remove_and_pop_lru_in_a_large_cache_touch_few_keys() {
    let mut meter = Meter::new(FILLING);
    let mut cache = full_cache(&mut meter);
    meter.context = "removing keys";
    for k in scattered(500) {
        let len = cache.len();
        let removed = meter.run(&format!("remove(&Key({k}))"), len, || cache.remove(&Key(k)));
        assert_eq!(removed, Some(k));
    }
    meter.context = "popping the least recently used entry";
    for _ in 0..500 {
        let len = cache.len();
        let popped = meter.run("pop_lru()", len, || cache.pop_lru());
        assert!(popped.is_some());
    }
    assert_eq!(cache.len(), N as usize - 1000);
}

/// Fails unless `work` includes at least one hash computed by the cache's own hasher.
fn assert_used_the_hasher(what: &str, work: &Work) {
    assert!(
        work.hasher_results >= 1,
        "{what} did not hash the key with the hasher passed to with_hasher: a cache built with \
         with_hasher must find its keys through that hasher",
    );
}

#[test]
fn hashes_keys_with_the_hasher_it_was_given() {
    let mut cache = LruCache::with_hasher(100, CountingState);
    for k in 0..50 {
        let (_, work) = measure(|| cache.put(Key(k), k));
        assert_used_the_hasher(&format!("put(Key({k}), _)"), &work);
    }
    // Hits. No lookup is of the most recently used key, so a shortcut for that key cannot skip the hasher.
    for a in (0..48).step_by(2) {
        let b = a + 1;
        let (_, work) = measure(|| cache.peek(&Key(a)).is_some());
        assert_used_the_hasher(&format!("peek(&Key({a}))"), &work);
        let (_, work) = measure(|| cache.contains_key(&Key(a)));
        assert_used_the_hasher(&format!("contains_key(&Key({a}))"), &work);
        let (_, work) = measure(|| cache.get(&Key(a)).is_some());
        assert_used_the_hasher(&format!("get(&Key({a}))"), &work);
        let (_, work) = measure(|| cache.get_mut(&Key(b)).is_some());
        assert_used_the_hasher(&format!("get_mut(&Key({b}))"), &work);
        let (_, work) = measure(|| cache.remove(&Key(a)));
        assert_used_the_hasher(&format!("remove(&Key({a}))"), &work);
        let (_, work) = measure(|| cache.put(Key(a), a));
        assert_used_the_hasher(&format!("put(Key({a}), _)"), &work);
    }
    // Misses.
    for k in 100..120 {
        let (_, work) = measure(|| cache.get(&Key(k)).is_some());
        assert_used_the_hasher(&format!("get(&Key({k})) of a missing key"), &work);
        let (_, work) = measure(|| cache.get_mut(&Key(k)).is_some());
        assert_used_the_hasher(&format!("get_mut(&Key({k})) of a missing key"), &work);
        let (_, work) = measure(|| cache.peek(&Key(k)).is_some());
        assert_used_the_hasher(&format!("peek(&Key({k})) of a missing key"), &work);
        let (_, work) = measure(|| cache.contains_key(&Key(k)));
        assert_used_the_hasher(&format!("contains_key(&Key({k})) of a missing key"), &work);
        let (_, work) = measure(|| cache.remove(&Key(k)));
        assert_used_the_hasher(&format!("remove(&Key({k})) of a missing key"), &work);
    }
}

//! Milestone 1: the consistent-hash ring and the local LRU/TTL cache, as a library.
//!
//! The statistical tests use fixed key sets and the crate's fixed hash function, so they are deterministic:
//! they either always pass or always fail for a given implementation.

use std::collections::HashMap;
use std::time::Duration;

use ex01_distributed_cache::{hash64, CacheStats, HashRing, LruCache, ManualClock, DEFAULT_VNODES};

const KEYS: usize = 100_000;

fn keys() -> impl Iterator<Item = Vec<u8>> {
    (0..KEYS).map(|i| format!("user:{i}:profile").into_bytes())
}

fn ring_of(nodes: &[&str]) -> HashRing {
    let mut ring = HashRing::new();
    for node in nodes {
        assert!(ring.add_node(node, DEFAULT_VNODES));
    }
    ring
}

fn load(ring: &HashRing) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for key in keys() {
        *counts
            .entry(ring.owner(&key).unwrap().to_string())
            .or_insert(0) += 1;
    }
    counts
}

const FIVE: [&str; 5] = [
    "cache-a:7000",
    "cache-b:7000",
    "cache-c:7000",
    "cache-d:7000",
    "cache-e:7000",
];

// ---------------------------------------------------------------------------------------------------------
// The ring

#[test]
fn the_hash_is_the_documented_one() {
    // Pinned values: every node of a cluster, in every version, must agree on them.
    assert_eq!(hash64(b""), 0xefd0_1f60_ba99_2926);
    assert_eq!(hash64(b"a"), 0x82a2_a958_a9be_ce5b);
    assert_eq!(hash64(b"user:42"), 0x9988_17be_e671_8248);
}

#[test]
fn an_empty_ring_owns_nothing() {
    let ring = HashRing::new();
    assert!(ring.is_empty());
    assert_eq!(ring.owner(b"k"), None);
    assert!(ring.replicas(b"k", 3).is_empty());
}

#[test]
fn a_single_node_owns_everything() {
    let ring = ring_of(&["only"]);
    assert!(keys().take(1000).all(|k| ring.owner(&k) == Some("only")));
    assert_eq!(ring.replicas(b"k", 3), vec!["only"]);
}

#[test]
fn membership_bookkeeping() {
    let mut ring = HashRing::new();
    assert!(ring.add_node("b", 10));
    assert!(ring.add_node("a", 10));
    assert!(
        !ring.add_node("a", 50),
        "adding a present node changes nothing"
    );
    assert!(
        !ring.add_node("c", 0),
        "a node needs at least one virtual node"
    );
    assert_eq!(ring.nodes(), vec!["a", "b"]);
    assert_eq!(ring.len(), 2);
    assert!(ring.contains("a") && !ring.contains("c"));
    assert!(ring.remove_node("a"));
    assert!(!ring.remove_node("a"));
    assert_eq!(ring.nodes(), vec!["b"]);
}

#[test]
fn placement_does_not_depend_on_insertion_order() {
    let forward = ring_of(&FIVE);
    let mut reversed = FIVE;
    reversed.reverse();
    let backward = ring_of(&reversed);
    for key in keys().take(20_000) {
        assert_eq!(forward.owner(&key), backward.owner(&key));
        assert_eq!(forward.replicas(&key, 3), backward.replicas(&key, 3));
    }
    let mut churned = ring_of(&FIVE);
    churned.add_node("temp", DEFAULT_VNODES);
    churned.remove_node("temp");
    assert!(
        keys()
            .take(20_000)
            .all(|k| churned.owner(&k) == forward.owner(&k)),
        "add then remove is a no-op"
    );
}

#[test]
fn virtual_nodes_balance_the_load() {
    let counts = load(&ring_of(&FIVE));
    assert_eq!(counts.len(), 5, "every node owns keys");
    let mean = KEYS as f64 / 5.0;
    for (node, count) in &counts {
        let share = *count as f64 / mean;
        assert!(
            (0.8..=1.2).contains(&share),
            "{node} owns {count} keys, {share:.2}x its fair share"
        );
    }
}

#[test]
fn one_virtual_node_each_is_badly_balanced() {
    // Not a requirement on your code, a demonstration of why virtual nodes exist.
    let mut ring = HashRing::new();
    for node in FIVE {
        ring.add_node(node, 1);
    }
    let counts = load(&ring);
    let max = *counts.values().max().unwrap() as f64;
    let min = counts.values().min().copied().unwrap_or(0) as f64;
    assert!(
        max > 1.5 * min,
        "expected a visible imbalance, got min {min} max {max}"
    );
}

#[test]
fn weights_scale_the_share() {
    let mut ring = ring_of(&FIVE[..4]);
    ring.add_node("big", 2 * DEFAULT_VNODES);
    let counts = load(&ring);
    let small_mean = FIVE[..4].iter().map(|n| counts[*n]).sum::<usize>() as f64 / 4.0;
    let ratio = counts["big"] as f64 / small_mean;
    assert!(
        (1.5..=2.6).contains(&ratio),
        "a node with twice the virtual nodes owns {ratio:.2}x the keys"
    );
}

#[test]
fn adding_a_node_moves_about_one_nth_of_the_keys_all_to_it() {
    let before = ring_of(&FIVE);
    let mut after = before.clone();
    assert!(after.add_node("cache-f:7000", DEFAULT_VNODES));
    let mut moved = 0;
    for key in keys() {
        let (old, new) = (before.owner(&key).unwrap(), after.owner(&key).unwrap());
        if old != new {
            assert_eq!(new, "cache-f:7000", "a key may only move to the new node");
            moved += 1;
        }
    }
    let fraction = moved as f64 / KEYS as f64;
    assert!(
        (0.13..=0.21).contains(&fraction),
        "expected about 1/6 of the keys to move, {fraction:.3} did"
    );
}

#[test]
fn removing_a_node_moves_only_its_keys() {
    let before = ring_of(&FIVE);
    let mut after = before.clone();
    assert!(after.remove_node("cache-c:7000"));
    let mut moved = 0;
    for key in keys() {
        let (old, new) = (before.owner(&key).unwrap(), after.owner(&key).unwrap());
        if old != new {
            assert_eq!(old, "cache-c:7000", "only the removed node's keys may move");
            moved += 1;
        }
        assert_ne!(new, "cache-c:7000");
    }
    let fraction = moved as f64 / KEYS as f64;
    assert!(
        (0.16..=0.24).contains(&fraction),
        "expected about 1/5 of the keys to move, {fraction:.3} did"
    );
}

#[test]
fn modulo_hashing_would_move_almost_everything() {
    // The baseline consistent hashing is measured against (again a demonstration, not a requirement).
    let moved = keys().filter(|k| hash64(k) % 5 != hash64(k) % 6).count();
    assert!(moved as f64 / KEYS as f64 > 0.8);
}

#[test]
fn replicas_are_distinct_physical_nodes_starting_with_the_owner() {
    let ring = ring_of(&FIVE);
    for key in keys().take(5_000) {
        let replicas = ring.replicas(&key, 3);
        assert_eq!(replicas.len(), 3);
        assert_eq!(Some(replicas[0]), ring.owner(&key));
        assert!(
            replicas[0] != replicas[1] && replicas[1] != replicas[2] && replicas[0] != replicas[2]
        );
    }
    let all = ring.replicas(b"some key", 10);
    assert_eq!(
        all.len(),
        5,
        "asking for more replicas than nodes returns every node once"
    );
    let mut sorted = all.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), 5);
    assert!(ring.replicas(b"some key", 0).is_empty());
}

#[test]
fn heavy_nodes_are_still_counted_once_per_preference_list() {
    let mut ring = HashRing::new();
    ring.add_node("huge", 5_000);
    ring.add_node("tiny-1", 10);
    ring.add_node("tiny-2", 10);
    for key in keys().take(2_000) {
        let replicas = ring.replicas(&key, 3);
        assert_eq!(
            replicas.len(),
            3,
            "walk past the heavy node's many points to find distinct nodes"
        );
    }
}

#[test]
fn preference_lists_shift_minimally_when_a_node_leaves() {
    let before = ring_of(&FIVE);
    let mut after = before.clone();
    after.remove_node("cache-b:7000");
    for key in keys().take(10_000) {
        let expected: Vec<&str> = before
            .replicas(&key, 4)
            .into_iter()
            .filter(|n| *n != "cache-b:7000")
            .take(3)
            .collect();
        assert_eq!(
            after.replicas(&key, 3),
            expected,
            "the surviving replicas keep their order"
        );
    }
}

#[test]
fn a_cloned_ring_is_an_independent_snapshot() {
    let mut ring = ring_of(&FIVE);
    let snapshot = ring.clone();
    ring.remove_node("cache-a:7000");
    assert_eq!(snapshot.len(), 5);
    assert_eq!(ring.len(), 4);
}

// ---------------------------------------------------------------------------------------------------------
// The local cache

fn cache(max_bytes: usize) -> (LruCache<ManualClock>, ManualClock) {
    let clock = ManualClock::new();
    (LruCache::with_clock(max_bytes, clock.clone()), clock)
}

fn put(c: &mut LruCache<ManualClock>, key: &str, value: &str) -> bool {
    c.put(key.as_bytes().to_vec(), value.as_bytes().to_vec(), None)
}

fn get(c: &mut LruCache<ManualClock>, key: &str) -> Option<String> {
    c.get(key.as_bytes())
        .map(|v| String::from_utf8(v.to_vec()).unwrap())
}

#[test]
fn put_get_overwrite_remove() {
    let (mut c, _) = cache(1000);
    assert!(c.is_empty());
    assert_eq!(get(&mut c, "k"), None);
    assert!(put(&mut c, "k", "one"));
    assert_eq!(get(&mut c, "k").as_deref(), Some("one"));
    assert!(put(&mut c, "k", "three"));
    assert_eq!(get(&mut c, "k").as_deref(), Some("three"));
    assert_eq!(c.len(), 1);
    assert_eq!(c.size_bytes(), 1 + 5, "size is key bytes plus value bytes");
    assert!(c.remove(b"k"));
    assert!(!c.remove(b"k"));
    assert_eq!(c.size_bytes(), 0);
    assert_eq!(get(&mut c, "k"), None);
    assert_eq!(c.capacity_bytes(), 1000);
}

#[test]
fn evicts_least_recently_used_by_bytes() {
    let (mut c, _) = cache(100);
    for i in 0..5 {
        assert!(put(&mut c, &format!("key{i}"), &"v".repeat(16))); // 20 bytes each
    }
    assert_eq!(c.size_bytes(), 100);
    assert!(get(&mut c, "key0").is_some()); // key1 is now the least recently used
    assert!(put(&mut c, "key5", &"v".repeat(16)));
    assert_eq!(get(&mut c, "key1"), None, "the LRU entry was evicted");
    assert!(
        get(&mut c, "key0").is_some(),
        "a recently read entry survived"
    );
    assert_eq!(c.len(), 5);
    assert_eq!(c.stats().evictions, 1);

    assert!(put(&mut c, "wide", &"w".repeat(56))); // 60 bytes: evicts three entries
    assert_eq!(c.stats().evictions, 4);
    assert!(c.size_bytes() <= 100);
    assert_eq!(
        get(&mut c, "key0").map(|v| v.len()),
        Some(16),
        "key0 was used most recently before 'wide'"
    );
}

#[test]
fn oversized_entries_are_rejected_and_drop_the_old_value() {
    let (mut c, _) = cache(50);
    assert!(put(&mut c, "k", "small"));
    assert!(!put(&mut c, "k", &"x".repeat(60)));
    assert_eq!(
        get(&mut c, "k"),
        None,
        "a stale value must not survive a rejected write"
    );
    assert!(
        put(&mut c, "exact", &"y".repeat(45)),
        "an entry of exactly the budget fits"
    );
}

#[test]
fn ttl_expires_at_the_deadline() {
    let (mut c, clock) = cache(1000);
    c.put(
        b"session".to_vec(),
        b"abc".to_vec(),
        Some(Duration::from_millis(100)),
    );
    put(&mut c, "forever", "x");
    clock.advance(Duration::from_millis(99));
    assert_eq!(get(&mut c, "session").as_deref(), Some("abc"));
    clock.advance(Duration::from_millis(1));
    assert_eq!(get(&mut c, "session"), None);
    assert_eq!(c.stats().expirations, 1);
    clock.advance(Duration::from_secs(3600));
    assert_eq!(get(&mut c, "forever").as_deref(), Some("x"));
}

#[test]
fn overwriting_resets_the_ttl() {
    let (mut c, clock) = cache(1000);
    c.put(
        b"k".to_vec(),
        b"1".to_vec(),
        Some(Duration::from_millis(100)),
    );
    clock.advance(Duration::from_millis(80));
    c.put(
        b"k".to_vec(),
        b"2".to_vec(),
        Some(Duration::from_millis(100)),
    );
    clock.advance(Duration::from_millis(80));
    assert_eq!(get(&mut c, "k").as_deref(), Some("2"));
    put(&mut c, "k", "3");
    clock.advance(Duration::from_secs(10));
    assert_eq!(
        get(&mut c, "k").as_deref(),
        Some("3"),
        "a put without TTL clears it"
    );
}

#[test]
fn purge_expired_reclaims_space() {
    let (mut c, clock) = cache(10_000);
    for i in 0..10 {
        c.put(
            format!("t{i}").into_bytes(),
            vec![0; 98],
            Some(Duration::from_millis(50)),
        );
        c.put(format!("p{i}").into_bytes(), vec![0; 98], None);
    }
    assert_eq!(c.size_bytes(), 2000);
    clock.advance(Duration::from_millis(50));
    assert_eq!(c.purge_expired(), 10);
    assert_eq!(c.len(), 10);
    assert_eq!(c.size_bytes(), 1000);
    assert!(!c.remove(b"t3"), "already gone");
}

#[test]
fn stats_count_hits_and_misses() {
    let (mut c, clock) = cache(1000);
    put(&mut c, "a", "1");
    c.put(b"b".to_vec(), b"2".to_vec(), Some(Duration::from_millis(1)));
    get(&mut c, "a");
    get(&mut c, "a");
    get(&mut c, "zzz");
    clock.advance(Duration::from_millis(1));
    get(&mut c, "b");
    assert_eq!(
        c.stats(),
        CacheStats {
            hits: 2,
            misses: 2,
            evictions: 0,
            expirations: 1
        }
    );
}

/// A deliberately simple reference model: a vector in recency order, most recent last.
struct Model {
    max: usize,
    entries: Vec<(Vec<u8>, Vec<u8>)>,
}

impl Model {
    fn size(&self) -> usize {
        self.entries.iter().map(|(k, v)| k.len() + v.len()).sum()
    }
    fn get(&mut self, key: &[u8]) -> Option<Vec<u8>> {
        let i = self.entries.iter().position(|(k, _)| k == key)?;
        let entry = self.entries.remove(i);
        let value = entry.1.clone();
        self.entries.push(entry);
        Some(value)
    }
    fn put(&mut self, key: Vec<u8>, value: Vec<u8>) {
        self.entries.retain(|(k, _)| *k != key);
        if key.len() + value.len() > self.max {
            return;
        }
        self.entries.push((key, value));
        while self.size() > self.max {
            self.entries.remove(0);
        }
    }
    fn remove(&mut self, key: &[u8]) -> bool {
        let before = self.entries.len();
        self.entries.retain(|(k, _)| k != key);
        before != self.entries.len()
    }
}

#[test]
fn behaves_like_the_reference_model_under_a_random_workload() {
    let (mut c, _) = cache(2_000);
    let mut model = Model {
        max: 2_000,
        entries: Vec::new(),
    };
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for step in 0..20_000 {
        let r = next();
        let key = format!("k{}", r % 97).into_bytes();
        match (r >> 8) % 10 {
            0..=4 => {
                let value = vec![b'v'; ((r >> 16) % 300) as usize];
                model.put(key.clone(), value.clone());
                c.put(key, value, None);
            }
            5..=8 => assert_eq!(
                c.get(&key).map(|v| v.to_vec()),
                model.get(&key),
                "step {step}"
            ),
            _ => assert_eq!(c.remove(&key), model.remove(&key), "step {step}"),
        }
        assert_eq!(c.len(), model.entries.len(), "step {step}");
        assert_eq!(c.size_bytes(), model.size(), "step {step}");
    }
}

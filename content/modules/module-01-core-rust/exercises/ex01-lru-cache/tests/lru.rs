//! Behaviour tests for `LruCache`: eviction order, promotion, updates, edge capacities and iteration.

use std::hash::{BuildHasherDefault, Hasher};
use std::rc::Rc;

use ex01_lru_cache::LruCache;

/// Recency order as a `Vec`, most recently used first.
fn order<K: Clone, V: Clone, S>(cache: &LruCache<K, V, S>) -> Vec<(K, V)> {
    cache.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

#[test]
fn new_cache_is_empty() {
    let cache: LruCache<&str, i32> = LruCache::new(3);
    assert_eq!(cache.capacity(), 3);
    assert_eq!(cache.len(), 0);
    assert!(cache.is_empty());
    assert_eq!(cache.peek("a"), None);
    assert_eq!(cache.iter().next(), None);
}

#[test]
fn put_then_get_returns_values() {
    let mut cache = LruCache::new(3);
    assert_eq!(cache.put("a", 1), None);
    assert_eq!(cache.put("b", 2), None);
    assert_eq!(cache.len(), 2);
    assert!(!cache.is_empty());
    assert_eq!(cache.get("a"), Some(&1));
    assert_eq!(cache.get("b"), Some(&2));
    assert_eq!(cache.get("missing"), None);
}

#[test]
fn evicts_least_recently_inserted_first() {
    let mut cache = LruCache::new(2);
    cache.put("a", 1);
    cache.put("b", 2);
    assert_eq!(cache.put("c", 3), Some(("a", 1)));
    assert_eq!(cache.len(), 2);
    assert_eq!(cache.peek("a"), None);
    assert_eq!(cache.put("d", 4), Some(("b", 2)));
    assert_eq!(order(&cache), [("d", 4), ("c", 3)]);
}

#[test]
fn get_promotes_entry() {
    let mut cache = LruCache::new(2);
    cache.put("a", 1);
    cache.put("b", 2);
    assert_eq!(cache.get("a"), Some(&1));
    assert_eq!(
        cache.put("c", 3),
        Some(("b", 2)),
        "b was least recently used"
    );
    assert_eq!(cache.peek("a"), Some(&1));
    assert_eq!(order(&cache), [("c", 3), ("a", 1)]);
}

#[test]
fn get_mut_promotes_and_updates_in_place() {
    let mut cache = LruCache::new(2);
    cache.put("a", 1);
    cache.put("b", 2);
    *cache.get_mut("a").expect("a is present") += 10;
    assert_eq!(cache.put("c", 3), Some(("b", 2)));
    assert_eq!(cache.peek("a"), Some(&11));
    assert_eq!(cache.get_mut("b"), None);
}

#[test]
fn peek_and_contains_key_do_not_promote() {
    let mut cache = LruCache::new(2);
    cache.put("a", 1);
    cache.put("b", 2);
    assert_eq!(cache.peek("a"), Some(&1));
    assert!(cache.contains_key("a"));
    assert!(!cache.contains_key("z"));
    assert_eq!(
        cache.put("c", 3),
        Some(("a", 1)),
        "peek must not save a from eviction"
    );
}

#[test]
fn put_existing_key_replaces_value_and_promotes() {
    let mut cache = LruCache::new(2);
    cache.put("a", 1);
    cache.put("b", 2);
    assert_eq!(
        cache.put("a", 10),
        Some(("a", 1)),
        "the displaced pair is returned"
    );
    assert_eq!(cache.len(), 2, "an update does not grow the cache");
    assert_eq!(cache.peek("a"), Some(&10));
    assert_eq!(cache.put("c", 3), Some(("b", 2)), "the update promoted a");
    assert_eq!(order(&cache), [("c", 3), ("a", 10)]);
}

#[test]
fn capacity_one_keeps_only_latest() {
    let mut cache = LruCache::new(1);
    assert_eq!(cache.put(1, "one"), None);
    assert_eq!(cache.put(2, "two"), Some((1, "one")));
    assert_eq!(cache.get(&1), None);
    assert_eq!(cache.get(&2), Some(&"two"));
    assert_eq!(cache.put(2, "deux"), Some((2, "two")));
    assert_eq!(cache.len(), 1);
    assert_eq!(cache.pop_lru(), Some((2, "deux")));
    assert!(cache.is_empty());
    assert_eq!(cache.put(3, "three"), None);
    assert_eq!(order(&cache), [(3, "three")]);
}

#[test]
fn capacity_zero_stores_nothing_and_hands_entries_back() {
    let mut cache = LruCache::new(0);
    assert_eq!(cache.capacity(), 0);
    assert_eq!(cache.put("a", 1), Some(("a", 1)));
    assert_eq!(cache.len(), 0);
    assert!(cache.is_empty());
    assert_eq!(cache.get("a"), None);
    assert_eq!(cache.pop_lru(), None);
    assert_eq!(cache.remove("a"), None);
}

#[test]
fn remove_returns_value_and_frees_space() {
    let mut cache = LruCache::new(3);
    cache.put("a", 1);
    cache.put("b", 2);
    cache.put("c", 3);
    assert_eq!(cache.remove("b"), Some(2));
    assert_eq!(cache.remove("b"), None);
    assert_eq!(cache.len(), 2);
    assert_eq!(
        cache.put("d", 4),
        None,
        "removal made room, so nothing is evicted"
    );
    assert_eq!(order(&cache), [("d", 4), ("c", 3), ("a", 1)]);
}

#[test]
fn remove_head_tail_and_middle_keep_order_consistent() {
    let mut cache = LruCache::new(5);
    for (k, v) in [("a", 1), ("b", 2), ("c", 3), ("d", 4), ("e", 5)] {
        cache.put(k, v);
    }
    assert_eq!(cache.remove("e"), Some(5)); // head
    assert_eq!(cache.remove("a"), Some(1)); // tail
    assert_eq!(cache.remove("c"), Some(3)); // middle
    assert_eq!(order(&cache), [("d", 4), ("b", 2)]);
    assert_eq!(cache.peek("d"), Some(&4));
    assert_eq!(cache.peek("b"), Some(&2));
    assert_eq!(
        cache.iter().rev().collect::<Vec<_>>(),
        [(&"b", &2), (&"d", &4)]
    );
    assert_eq!(cache.get("b"), Some(&2));
    assert_eq!(order(&cache), [("b", 2), ("d", 4)]);
}

#[test]
fn pop_lru_drains_in_recency_order() {
    let mut cache = LruCache::new(3);
    cache.put("a", 1);
    cache.put("b", 2);
    cache.put("c", 3);
    cache.get("a");
    assert_eq!(cache.pop_lru(), Some(("b", 2)));
    assert_eq!(cache.pop_lru(), Some(("c", 3)));
    assert_eq!(cache.pop_lru(), Some(("a", 1)));
    assert_eq!(cache.pop_lru(), None);
}

#[test]
fn iter_runs_from_most_to_least_recent_and_is_exact_size() {
    let mut cache = LruCache::new(4);
    cache.put(1, 'a');
    cache.put(2, 'b');
    cache.put(3, 'c');
    cache.get(&1);

    let mut iter = cache.iter();
    assert_eq!(iter.len(), 3);
    assert_eq!(iter.next(), Some((&1, &'a')));
    assert_eq!(iter.next_back(), Some((&2, &'b')));
    assert_eq!(iter.len(), 1);
    assert_eq!(iter.next(), Some((&3, &'c')));
    assert_eq!(iter.next(), None);
    assert_eq!(iter.next_back(), None);

    let keys: Vec<i32> = (&cache).into_iter().map(|(k, _)| *k).collect();
    assert_eq!(keys, [1, 3, 2]);
}

#[test]
fn iter_does_not_promote() {
    let mut cache = LruCache::new(2);
    cache.put("a", 1);
    cache.put("b", 2);
    assert_eq!(cache.iter().count(), 2);
    assert_eq!(cache.put("c", 3), Some(("a", 1)));
}

#[test]
fn owned_keys_can_be_looked_up_by_borrowed_form() {
    let mut cache: LruCache<String, u32> = LruCache::new(2);
    cache.put("alpha".to_string(), 1);
    cache.put("beta".to_string(), 2);
    assert_eq!(cache.get("alpha"), Some(&1));
    assert_eq!(cache.peek("beta"), Some(&2));
    assert!(cache.contains_key("alpha"));
    assert_eq!(cache.remove("beta"), Some(2));
    if let Some(v) = cache.get_mut("alpha") {
        *v = 100;
    }
    assert_eq!(cache.peek("alpha"), Some(&100));
}

#[test]
fn clear_empties_but_keeps_capacity() {
    let mut cache = LruCache::new(2);
    cache.put("a", 1);
    cache.put("b", 2);
    cache.clear();
    assert!(cache.is_empty());
    assert_eq!(cache.capacity(), 2);
    assert_eq!(cache.get("a"), None);
    assert_eq!(cache.put("c", 3), None);
    assert_eq!(cache.put("d", 4), None);
    assert_eq!(cache.put("e", 5), Some(("c", 3)));
}

#[test]
fn debug_lists_entries_in_recency_order() {
    let mut cache = LruCache::new(3);
    cache.put("a", 1);
    cache.put("b", 2);
    cache.get("a");
    assert_eq!(format!("{cache:?}"), r#"{"a": 1, "b": 2}"#);
}

#[test]
fn every_value_is_dropped_exactly_once() {
    let tracker = Rc::new(());
    {
        let mut cache = LruCache::new(3);
        for i in 0..10 {
            // Each put beyond capacity hands back an evicted Rc, dropped at the end of this statement.
            cache.put(i % 5, Rc::clone(&tracker));
            if i % 4 == 0 {
                cache.get(&(i % 5));
            }
        }
        cache.remove(&4);
        assert_eq!(Rc::strong_count(&tracker), 1 + cache.len());
    }
    assert_eq!(
        Rc::strong_count(&tracker),
        1,
        "dropping the cache drops every value it held"
    );
}

/// A deliberately terrible hasher: every key gets the same hash.
#[derive(Default)]
struct ConstantHasher;

impl Hasher for ConstantHasher {
    fn finish(&self) -> u64 {
        42
    }

    fn write(&mut self, _bytes: &[u8]) {}
}

#[test]
fn stays_correct_when_every_key_collides() {
    let mut cache = LruCache::with_hasher(3, BuildHasherDefault::<ConstantHasher>::default());
    cache.put("a", 1);
    cache.put("b", 2);
    cache.put("c", 3);
    assert_eq!(cache.get("a"), Some(&1));
    assert_eq!(cache.put("d", 4), Some(("b", 2)));
    assert_eq!(cache.put("c", 30), Some(("c", 3)));
    assert_eq!(cache.remove("a"), Some(1));
    assert_eq!(cache.peek("a"), None);
    assert_eq!(cache.peek("d"), Some(&4));
    assert_eq!(order(&cache), [("c", 30), ("d", 4)]);
}

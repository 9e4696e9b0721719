//! Milestone 3: lists, hashes, TYPE/DBSIZE/FLUSHDB and active expiry, driven as a library with a manual
//! clock. Only the background-task test runs on Tokio; it waits a few milliseconds of real time for the task
//! to run, never for the clock.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use ex01_redis_clone::db::ACTIVE_EXPIRE_SAMPLE;
use ex01_redis_clone::{active_expiry, Db, ExpireCycleStats, Frame, ManualClock};

const T0: u64 = 1_700_000_000_000;
const WRONGTYPE: &str = "WRONGTYPE Operation against a key holding the wrong kind of value";

fn setup() -> (Db, ManualClock) {
    let clock = ManualClock::new(T0);
    (Db::with_clock(Arc::new(clock.clone())), clock)
}

fn run(db: &Db, parts: &[&str]) -> Frame {
    db.execute_frame(Frame::command(parts))
}

fn bulk(s: &str) -> Frame {
    Frame::Bulk(Bytes::copy_from_slice(s.as_bytes()))
}

fn bulks(items: &[&str]) -> Frame {
    Frame::Array(items.iter().map(|s| bulk(s)).collect())
}

fn int(n: i64) -> Frame {
    Frame::Integer(n)
}

fn simple(s: &str) -> Frame {
    Frame::Simple(s.to_string())
}

fn is_error(frame: &Frame, prefix: &str) -> bool {
    matches!(frame, Frame::Error(text) if text.starts_with(prefix))
}

fn dbsize(db: &Db) -> i64 {
    match run(db, &["DBSIZE"]) {
        Frame::Integer(n) => n,
        other => panic!("DBSIZE replied {other:?}"),
    }
}

/// HGETALL's reply as sorted (field, value) pairs: the order of a hash's fields is unspecified.
fn hgetall(db: &Db, key: &str) -> Vec<(Bytes, Bytes)> {
    let Frame::Array(items) = run(db, &["HGETALL", key]) else {
        panic!("HGETALL must reply with an array");
    };
    assert_eq!(items.len() % 2, 0, "HGETALL alternates fields and values");
    let mut pairs: Vec<(Bytes, Bytes)> = items
        .chunks(2)
        .map(|pair| match pair {
            [Frame::Bulk(f), Frame::Bulk(v)] => (f.clone(), v.clone()),
            other => panic!("HGETALL must reply with bulk strings, got {other:?}"),
        })
        .collect();
    pairs.sort();
    pairs
}

fn pairs(items: &[(&str, &str)]) -> Vec<(Bytes, Bytes)> {
    items
        .iter()
        .map(|(f, v)| {
            (
                Bytes::copy_from_slice(f.as_bytes()),
                Bytes::copy_from_slice(v.as_bytes()),
            )
        })
        .collect()
}

/// Runs active expiry cycles until one deletes nothing (at most 100), returning their combined stats.
fn expire_until_quiet(db: &Db) -> ExpireCycleStats {
    let mut total = ExpireCycleStats::default();
    for _ in 0..100 {
        let stats = db.active_expire_cycle();
        total.rounds += stats.rounds;
        total.sampled += stats.sampled;
        total.expired += stats.expired;
        total.largest_round = total.largest_round.max(stats.largest_round);
        if stats.expired == 0 {
            break;
        }
    }
    total
}

// ---------------------------------------------------------------------------------------------------------
// Lists

#[test]
fn list_push_pop_and_length() {
    let (db, _) = setup();
    assert_eq!(
        run(&db, &["LLEN", "l"]),
        int(0),
        "a missing list has length 0"
    );
    assert_eq!(run(&db, &["LPOP", "l"]), Frame::Null);
    assert_eq!(run(&db, &["RPOP", "l"]), Frame::Null);

    assert_eq!(
        run(&db, &["RPUSH", "l", "a", "b"]),
        int(2),
        "pushes reply with the new length"
    );
    assert_eq!(
        run(&db, &["LPUSH", "l", "x", "y", "z"]),
        int(5),
        "LPUSH pushes each element in turn"
    );
    assert_eq!(
        run(&db, &["LRANGE", "l", "0", "-1"]),
        bulks(&["z", "y", "x", "a", "b"])
    );
    assert_eq!(run(&db, &["LLEN", "l"]), int(5));

    assert_eq!(run(&db, &["LPOP", "l"]), bulk("z"));
    assert_eq!(run(&db, &["RPOP", "l"]), bulk("b"));
    assert_eq!(run(&db, &["LLEN", "l"]), int(3));
    assert_eq!(
        run(&db, &["LRANGE", "l", "0", "-1"]),
        bulks(&["y", "x", "a"])
    );
    assert_eq!(run(&db, &["TYPE", "l"]), simple("list"));

    let value: &[u8] = b"\0\r\n\xff";
    db.execute_frame(Frame::command([b"RPUSH".as_slice(), b"bin", value]));
    assert_eq!(
        db.execute_frame(Frame::command([b"LPOP".as_slice(), b"bin"])),
        Frame::Bulk(Bytes::from_static(value)),
        "list elements are binary safe"
    );
}

#[test]
fn lpop_and_rpop_with_count() {
    let (db, _) = setup();
    run(&db, &["RPUSH", "l", "a", "b", "c", "d", "e"]);
    assert_eq!(run(&db, &["LPOP", "l", "2"]), bulks(&["a", "b"]));
    assert_eq!(
        run(&db, &["RPOP", "l", "2"]),
        bulks(&["e", "d"]),
        "RPOP with a count pops from the tail, tail first"
    );
    assert_eq!(
        run(&db, &["LPOP", "l", "1"]),
        bulks(&["c"]),
        "with a count the reply is an array, even for one element"
    );
    assert_eq!(run(&db, &["EXISTS", "l"]), int(0));

    run(&db, &["RPUSH", "l", "a", "b", "c"]);
    assert_eq!(
        run(&db, &["LPOP", "l", "0"]),
        bulks(&[]),
        "a count of 0 pops nothing"
    );
    assert_eq!(run(&db, &["LLEN", "l"]), int(3));
    assert_eq!(
        run(&db, &["RPOP", "l", "10"]),
        bulks(&["c", "b", "a"]),
        "a count above the length pops everything"
    );
    assert_eq!(run(&db, &["EXISTS", "l"]), int(0));
    assert_eq!(
        run(&db, &["LPOP", "l", "3"]),
        Frame::Null,
        "a missing key is null, count or not"
    );

    run(&db, &["RPUSH", "l", "a"]);
    assert!(is_error(
        &run(&db, &["LPOP", "l", "-1"]),
        "ERR value is out of range, must be positive"
    ));
    assert!(is_error(
        &run(&db, &["RPOP", "l", "two"]),
        "ERR value is not an integer or out of range"
    ));
    assert_eq!(
        run(&db, &["LLEN", "l"]),
        int(1),
        "a rejected pop changes nothing"
    );
}

#[test]
fn lrange_supports_negative_indexes() {
    let (db, _) = setup();
    run(&db, &["RPUSH", "l", "a", "b", "c", "d", "e"]);
    assert_eq!(
        run(&db, &["LRANGE", "l", "0", "-1"]),
        bulks(&["a", "b", "c", "d", "e"]),
        "0 -1 is the whole list"
    );
    assert_eq!(
        run(&db, &["LRANGE", "l", "1", "3"]),
        bulks(&["b", "c", "d"])
    );
    assert_eq!(run(&db, &["LRANGE", "l", "-2", "-1"]), bulks(&["d", "e"]));
    assert_eq!(run(&db, &["LRANGE", "l", "-3", "3"]), bulks(&["c", "d"]));
    assert_eq!(run(&db, &["LRANGE", "l", "2", "2"]), bulks(&["c"]));
    assert_eq!(run(&db, &["LRANGE", "l", "0", "-5"]), bulks(&["a"]));
    assert_eq!(
        run(&db, &["LRANGE", "l", "-1", "-2"]),
        bulks(&[]),
        "start after stop is empty"
    );
    assert_eq!(run(&db, &["LRANGE", "l", "3", "1"]), bulks(&[]));
    assert!(is_error(
        &run(&db, &["LRANGE", "l", "0", "end"]),
        "ERR value is not an integer or out of range"
    ));
}

#[test]
fn lrange_clamps_out_of_range_indexes() {
    let (db, _) = setup();
    assert_eq!(
        run(&db, &["LRANGE", "missing", "0", "-1"]),
        bulks(&[]),
        "a missing list is an empty array"
    );
    run(&db, &["RPUSH", "l", "a", "b", "c"]);
    assert_eq!(
        run(&db, &["LRANGE", "l", "-100", "100"]),
        bulks(&["a", "b", "c"]),
        "both ends are clamped"
    );
    assert_eq!(run(&db, &["LRANGE", "l", "1", "100"]), bulks(&["b", "c"]));
    assert_eq!(run(&db, &["LRANGE", "l", "-100", "0"]), bulks(&["a"]));
    assert_eq!(
        run(&db, &["LRANGE", "l", "3", "10"]),
        bulks(&[]),
        "a start at or past the end is empty"
    );
    assert_eq!(
        run(&db, &["LRANGE", "l", "0", "-4"]),
        bulks(&[]),
        "a stop before the start of the list is empty"
    );
    assert_eq!(run(&db, &["LRANGE", "l", "-100", "-50"]), bulks(&[]));
    let (min, max) = (i64::MIN.to_string(), i64::MAX.to_string());
    assert_eq!(
        run(&db, &["LRANGE", "l", &min, &max]),
        bulks(&["a", "b", "c"]),
        "extreme indexes neither overflow nor panic"
    );
    assert_eq!(run(&db, &["LRANGE", "l", &max, &min]), bulks(&[]));
}

// ---------------------------------------------------------------------------------------------------------
// Hashes

#[test]
fn hash_set_get_delete_and_length() {
    let (db, _) = setup();
    assert_eq!(run(&db, &["HGET", "h", "f"]), Frame::Null);
    assert_eq!(run(&db, &["HLEN", "h"]), int(0));
    assert_eq!(
        run(&db, &["HGETALL", "h"]),
        bulks(&[]),
        "a missing hash is an empty array"
    );
    assert_eq!(run(&db, &["HDEL", "h", "f"]), int(0));

    assert_eq!(
        run(&db, &["HSET", "h", "name", "ada", "lang", "rust"]),
        int(2),
        "HSET replies with the number of new fields"
    );
    assert_eq!(
        run(&db, &["HSET", "h", "lang", "Rust", "year", "2015"]),
        int(1),
        "updating a field does not count"
    );
    assert_eq!(
        run(&db, &["HSET", "h", "k", "1", "k", "2"]),
        int(1),
        "a field repeated in one call is new once, and the last value wins"
    );
    assert_eq!(run(&db, &["HGET", "h", "lang"]), bulk("Rust"));
    assert_eq!(run(&db, &["HGET", "h", "k"]), bulk("2"));
    assert_eq!(run(&db, &["HGET", "h", "nope"]), Frame::Null);
    assert_eq!(run(&db, &["HLEN", "h"]), int(4));
    assert_eq!(
        hgetall(&db, "h"),
        pairs(&[
            ("k", "2"),
            ("lang", "Rust"),
            ("name", "ada"),
            ("year", "2015")
        ])
    );
    assert_eq!(run(&db, &["TYPE", "h"]), simple("hash"));

    assert_eq!(
        run(&db, &["HDEL", "h", "k", "nope", "year", "k"]),
        int(2),
        "HDEL counts the fields it removed"
    );
    assert_eq!(run(&db, &["HLEN", "h"]), int(2));
    assert_eq!(run(&db, &["HGET", "h", "k"]), Frame::Null);
    assert_eq!(
        hgetall(&db, "h"),
        pairs(&[("lang", "Rust"), ("name", "ada")])
    );
}

// ---------------------------------------------------------------------------------------------------------
// Empty collections

#[test]
fn popping_the_last_element_deletes_the_list() {
    let (db, _) = setup();
    run(&db, &["RPUSH", "l", "a", "b"]);
    run(&db, &["SET", "other", "x"]);
    assert_eq!(dbsize(&db), 2);
    assert_eq!(run(&db, &["LPOP", "l"]), bulk("a"));
    assert_eq!(run(&db, &["RPOP", "l"]), bulk("b"));
    assert_eq!(run(&db, &["EXISTS", "l"]), int(0), "no empty lists");
    assert_eq!(run(&db, &["TYPE", "l"]), simple("none"));
    assert_eq!(dbsize(&db), 1);

    run(&db, &["RPUSH", "l", "a", "b", "c"]);
    assert_eq!(run(&db, &["LPOP", "l", "3"]), bulks(&["a", "b", "c"]));
    assert_eq!(
        run(&db, &["EXISTS", "l"]),
        int(0),
        "popping with a count empties it too"
    );
    assert_eq!(
        run(&db, &["HSET", "l", "f", "v"]),
        int(1),
        "the name is free for another type"
    );
    assert_eq!(run(&db, &["TYPE", "l"]), simple("hash"));
}

#[test]
fn deleting_the_last_field_deletes_the_hash() {
    let (db, _) = setup();
    run(&db, &["HSET", "h", "a", "1", "b", "2"]);
    assert_eq!(run(&db, &["HDEL", "h", "a"]), int(1));
    assert_eq!(run(&db, &["EXISTS", "h"]), int(1));
    assert_eq!(run(&db, &["HDEL", "h", "b", "c"]), int(1));
    assert_eq!(run(&db, &["EXISTS", "h"]), int(0), "no empty hashes");
    assert_eq!(run(&db, &["TYPE", "h"]), simple("none"));
    assert_eq!(dbsize(&db), 0);
    assert_eq!(
        run(&db, &["RPUSH", "h", "x"]),
        int(1),
        "the name is free for another type"
    );
}

// ---------------------------------------------------------------------------------------------------------
// Types

#[test]
fn wrong_type_operations_fail_and_change_nothing() {
    let (db, _) = setup();
    run(&db, &["SET", "s", "text"]);
    run(&db, &["RPUSH", "l", "a", "b"]);
    run(&db, &["HSET", "h", "f", "v"]);
    let wrong = |parts: &[&str]| {
        let reply = run(&db, parts);
        assert_eq!(
            reply,
            Frame::Error(WRONGTYPE.to_string()),
            "{parts:?} must reply WRONGTYPE"
        );
    };

    for parts in [
        &["LPUSH", "s", "x"][..],
        &["RPUSH", "s", "x", "y"],
        &["LPOP", "s"],
        &["RPOP", "s", "2"],
        &["LPOP", "s", "0"],
        &["LLEN", "s"],
        &["LRANGE", "s", "0", "-1"],
        &["HSET", "s", "f", "v"],
        &["HGET", "s", "f"],
        &["HDEL", "s", "f"],
        &["HGETALL", "s"],
        &["HLEN", "s"],
    ] {
        wrong(parts);
    }
    for parts in [
        &["GET", "l"][..],
        &["INCR", "l"],
        &["DECRBY", "l", "3"],
        &["HSET", "l", "f", "v"],
        &["HGET", "l", "a"],
        &["HDEL", "l", "a"],
        &["HGETALL", "l"],
        &["HLEN", "l"],
    ] {
        wrong(parts);
    }
    for parts in [
        &["GET", "h"][..],
        &["INCR", "h"],
        &["LPUSH", "h", "x"],
        &["RPOP", "h"],
        &["LLEN", "h"],
        &["LRANGE", "h", "0", "-1"],
    ] {
        wrong(parts);
    }

    assert_eq!(
        run(&db, &["GET", "s"]),
        bulk("text"),
        "the string is unchanged"
    );
    assert_eq!(
        run(&db, &["LRANGE", "l", "0", "-1"]),
        bulks(&["a", "b"]),
        "the list is unchanged"
    );
    assert_eq!(
        hgetall(&db, "h"),
        pairs(&[("f", "v")]),
        "the hash is unchanged"
    );
    assert_eq!(run(&db, &["TYPE", "s"]), simple("string"));
    assert_eq!(run(&db, &["TYPE", "l"]), simple("list"));
    assert_eq!(run(&db, &["TYPE", "h"]), simple("hash"));
    assert_eq!(dbsize(&db), 3);
}

#[test]
fn set_del_and_ttl_commands_work_on_every_type() {
    let (db, _) = setup();
    run(&db, &["RPUSH", "l", "a"]);
    run(&db, &["HSET", "h", "f", "v"]);
    assert_eq!(
        run(&db, &["SET", "l", "NX-blocked", "NX"]),
        Frame::Null,
        "a list is an existing key for NX"
    );
    assert_eq!(run(&db, &["EXISTS", "l", "h"]), int(2));

    assert_eq!(run(&db, &["EXPIRE", "l", "100"]), int(1));
    assert_eq!(run(&db, &["TTL", "l"]), int(100));
    assert_eq!(
        run(&db, &["SET", "l", "now a string"]),
        Frame::ok(),
        "SET overwrites a key of any type"
    );
    assert_eq!(run(&db, &["TYPE", "l"]), simple("string"));
    assert_eq!(run(&db, &["GET", "l"]), bulk("now a string"));
    assert_eq!(
        run(&db, &["TTL", "l"]),
        int(-1),
        "and, without KEEPTTL, clears the TTL"
    );

    assert_eq!(run(&db, &["PEXPIRE", "h", "5000"]), int(1));
    assert_eq!(run(&db, &["SET", "h", "v", "KEEPTTL"]), Frame::ok());
    assert_eq!(run(&db, &["TYPE", "h"]), simple("string"));
    assert_eq!(run(&db, &["PTTL", "h"]), int(5000), "KEEPTTL keeps it");

    run(&db, &["HSET", "h2", "f", "v"]);
    run(&db, &["RPUSH", "l2", "a"]);
    assert_eq!(run(&db, &["EXPIRE", "h2", "10"]), int(1));
    assert_eq!(run(&db, &["PERSIST", "h2"]), int(1));
    assert_eq!(run(&db, &["TTL", "h2"]), int(-1));
    assert_eq!(
        run(&db, &["DEL", "h2", "l2", "missing"]),
        int(2),
        "DEL removes lists and hashes"
    );
    assert_eq!(run(&db, &["EXISTS", "h2", "l2"]), int(0));
}

#[test]
fn type_dbsize_and_flushdb() {
    let (db, _) = setup();
    assert_eq!(run(&db, &["DBSIZE"]), int(0));
    assert_eq!(run(&db, &["TYPE", "nothing"]), simple("none"));
    run(&db, &["SET", "s", "v"]);
    run(&db, &["LPUSH", "l", "a"]);
    run(&db, &["HSET", "h", "f", "v"]);
    run(&db, &["SET", "t", "v", "EX", "100"]);
    assert_eq!(run(&db, &["TYPE", "s"]), simple("string"));
    assert_eq!(run(&db, &["TYPE", "t"]), simple("string"));
    assert_eq!(run(&db, &["TYPE", "l"]), simple("list"));
    assert_eq!(run(&db, &["TYPE", "h"]), simple("hash"));
    assert_eq!(run(&db, &["DBSIZE"]), int(4));

    assert_eq!(run(&db, &["FLUSHDB"]), Frame::ok());
    assert_eq!(run(&db, &["DBSIZE"]), int(0));
    assert_eq!(run(&db, &["EXISTS", "s", "l", "h", "t"]), int(0));
    assert_eq!(run(&db, &["TYPE", "l"]), simple("none"));
    assert_eq!(
        run(&db, &["SET", "t", "again"]),
        Frame::ok(),
        "the keyspace is usable after a flush"
    );
    assert_eq!(run(&db, &["TTL", "t"]), int(-1), "no TTL survives a flush");
    assert_eq!(run(&db, &["DBSIZE"]), int(1));
    assert_eq!(run(&db, &["FLUSHDB"]), Frame::ok());
    assert_eq!(
        run(&db, &["FLUSHDB"]),
        Frame::ok(),
        "flushing an empty keyspace is fine"
    );
}

#[test]
fn new_commands_check_their_arguments() {
    let (db, _) = setup();
    let arity = |parts: &[&str], name: &str| {
        let reply = run(&db, parts);
        let expected = format!("ERR wrong number of arguments for '{name}' command");
        assert!(
            is_error(&reply, &expected),
            "{parts:?} replied {reply:?}, expected {expected:?}"
        );
    };
    arity(&["LPUSH", "l"], "lpush");
    arity(&["rpush", "l"], "rpush");
    arity(&["LPOP"], "lpop");
    arity(&["RPOP", "l", "1", "2"], "rpop");
    arity(&["LLEN"], "llen");
    arity(&["LRANGE", "l", "0"], "lrange");
    arity(&["HSET", "h", "f"], "hset");
    arity(&["HSET", "h", "f", "v", "g"], "hset");
    arity(&["HGET", "h"], "hget");
    arity(&["HDEL", "h"], "hdel");
    arity(&["HGETALL"], "hgetall");
    arity(&["HLEN", "a", "b"], "hlen");
    arity(&["TYPE"], "type");
    arity(&["DBSIZE", "x"], "dbsize");
    arity(&["FlushDB", "now", "please"], "flushdb");
    assert_eq!(dbsize(&db), 0, "rejected commands create nothing");
    assert_eq!(
        run(&db, &["lpush", "l", "a"]),
        int(1),
        "names are case-insensitive"
    );
    assert_eq!(run(&db, &["HsEt", "h", "f", "v"]), int(1));
}

// ---------------------------------------------------------------------------------------------------------
// Expiry

#[test]
fn lists_and_hashes_expire_and_keep_their_ttl_when_modified() {
    let (db, clock) = setup();
    run(&db, &["RPUSH", "l", "a"]);
    run(&db, &["HSET", "h", "f", "v"]);
    run(&db, &["EXPIRE", "l", "10"]);
    run(&db, &["EXPIRE", "h", "10"]);
    run(&db, &["RPUSH", "l", "b"]);
    run(&db, &["LPOP", "l"]);
    run(&db, &["HSET", "h", "g", "w"]);
    run(&db, &["HDEL", "h", "f"]);
    assert_eq!(
        run(&db, &["TTL", "l"]),
        int(10),
        "modifying a list keeps its TTL"
    );
    assert_eq!(
        run(&db, &["TTL", "h"]),
        int(10),
        "modifying a hash keeps its TTL"
    );

    clock.advance(Duration::from_millis(9_999));
    assert_eq!(run(&db, &["LRANGE", "l", "0", "-1"]), bulks(&["b"]));
    assert_eq!(run(&db, &["HGET", "h", "g"]), bulk("w"));
    clock.advance(Duration::from_millis(1));
    assert_eq!(run(&db, &["LLEN", "l"]), int(0), "an expired list is empty");
    assert_eq!(run(&db, &["LRANGE", "l", "0", "-1"]), bulks(&[]));
    assert_eq!(run(&db, &["HGET", "h", "g"]), Frame::Null);
    assert_eq!(run(&db, &["HGETALL", "h"]), bulks(&[]));
    assert_eq!(run(&db, &["TYPE", "h"]), simple("none"));

    assert_eq!(
        run(&db, &["LPUSH", "l", "fresh"]),
        int(1),
        "a push onto an expired list starts a new one"
    );
    assert_eq!(run(&db, &["TTL", "l"]), int(-1), "without the old TTL");
    run(&db, &["SET", "s", "v", "PX", "5"]);
    clock.advance(Duration::from_millis(5));
    assert_eq!(
        run(&db, &["HSET", "s", "f", "v"]),
        int(1),
        "an expired string is no obstacle to a hash"
    );
    assert_eq!(run(&db, &["TYPE", "s"]), simple("hash"));
}

#[test]
fn dbsize_counts_expired_keys_until_they_are_reclaimed() {
    let (db, clock) = setup();
    for i in 0..5 {
        run(&db, &["SET", &format!("k{i}"), "v", "PX", "10"]);
    }
    run(&db, &["SET", "forever", "v"]);
    clock.advance(Duration::from_millis(10));
    assert_eq!(
        dbsize(&db),
        6,
        "DBSIZE counts stored keys, like Redis: expired keys stay until something reclaims them"
    );
    assert_eq!(run(&db, &["GET", "k0"]), Frame::Null);
    assert_eq!(dbsize(&db), 5, "reading an expired key reclaims it");
    assert_eq!(db.purge_expired(), 4);
    assert_eq!(dbsize(&db), 1);
}

#[test]
fn active_expire_cycle_reclaims_expired_keys_without_reads() {
    let (db, clock) = setup();
    for i in 0..10_000 {
        run(&db, &["SET", &format!("short:{i}"), "v", "PX", "1"]);
    }
    for i in 0..100 {
        run(&db, &["SET", &format!("forever:{i}"), "v"]);
    }
    for i in 0..10 {
        run(&db, &["SET", &format!("long:{i}"), "v", "EX", "3600"]);
    }
    assert_eq!(dbsize(&db), 10_110);
    clock.advance(Duration::from_millis(1));
    assert_eq!(dbsize(&db), 10_110, "nothing has been reclaimed yet");

    let stats = expire_until_quiet(&db);
    let left = dbsize(&db);
    assert!(
        left <= 110 + 100,
        "after a few cycles at most 1% of the expired keys may remain, but DBSIZE is {left}"
    );
    assert_eq!(
        i64::try_from(stats.expired).unwrap(),
        10_110 - left,
        "the cycles report exactly the keys they deleted"
    );
    assert!(stats.expired <= stats.sampled);
    assert!(stats.largest_round <= ACTIVE_EXPIRE_SAMPLE);

    let mut live: Vec<String> = (0..100).map(|i| format!("forever:{i}")).collect();
    live.extend((0..10).map(|i| format!("long:{i}")));
    let mut exists = vec!["EXISTS"];
    exists.extend(live.iter().map(String::as_str));
    assert_eq!(
        run(&db, &exists),
        int(110),
        "active expiry never deletes a live key"
    );
}

#[test]
fn active_expiry_rounds_examine_at_most_one_batch() {
    let (db, clock) = setup();
    let empty = db.active_expire_cycle();
    assert_eq!(
        (empty.sampled, empty.expired),
        (0, 0),
        "nothing to sample in an empty keyspace"
    );

    for i in 0..1_000 {
        run(&db, &["SET", &format!("forever:{i}"), "v"]);
    }
    let no_ttl = db.active_expire_cycle();
    assert_eq!(
        (no_ttl.sampled, no_ttl.expired),
        (0, 0),
        "only keys with a TTL are sampled"
    );

    for i in 0..1_000 {
        run(&db, &["SET", &format!("live:{i}"), "v", "EX", "3600"]);
    }
    let live = db.active_expire_cycle();
    assert_eq!(live.expired, 0);
    assert_eq!(
        live.rounds, 1,
        "a round that finds no expired key ends the cycle"
    );
    assert!(
        (1..=ACTIVE_EXPIRE_SAMPLE).contains(&live.sampled),
        "one round samples between 1 and {ACTIVE_EXPIRE_SAMPLE} keys, not {}",
        live.sampled
    );

    run(&db, &["FLUSHDB"]);
    for i in 0..5_000 {
        run(&db, &["SET", &format!("short:{i}"), "v", "PX", "1"]);
    }
    clock.advance(Duration::from_millis(1));
    let before = dbsize(&db);
    let busy = db.active_expire_cycle();
    assert!(
        busy.rounds >= 2,
        "a round where more than 25% of the sample expired is followed by another, got {busy:?}"
    );
    assert!(
        busy.largest_round <= ACTIVE_EXPIRE_SAMPLE,
        "no round may examine more than {ACTIVE_EXPIRE_SAMPLE} keys under the lock, got {busy:?}"
    );
    assert!(busy.sampled <= busy.rounds * ACTIVE_EXPIRE_SAMPLE);
    assert!(busy.expired <= busy.sampled, "{busy:?}");
    assert_eq!(
        before - dbsize(&db),
        i64::try_from(busy.expired).unwrap(),
        "the cycle reports exactly the keys it deleted"
    );
}

#[test]
fn active_expiry_ignores_keys_whose_ttl_was_removed() {
    let (db, clock) = setup();
    // Each of these had a deadline once and has none now: active expiry must leave them alone.
    run(&db, &["SET", "persisted", "v", "EX", "10"]);
    run(&db, &["PERSIST", "persisted"]);
    run(&db, &["SET", "overwritten", "old", "EX", "10"]);
    run(&db, &["SET", "overwritten", "new"]);
    run(&db, &["SET", "recreated", "old", "EX", "10"]);
    run(&db, &["DEL", "recreated"]);
    run(&db, &["SET", "recreated", "new"]);
    run(&db, &["RPUSH", "list", "a"]);
    run(&db, &["EXPIRE", "list", "10"]);
    run(&db, &["LPOP", "list"]);
    run(&db, &["RPUSH", "list", "b"]);
    run(&db, &["HSET", "hash", "f", "v"]);
    run(&db, &["EXPIRE", "hash", "10"]);
    run(&db, &["HDEL", "hash", "f"]);
    run(&db, &["HSET", "hash", "g", "w"]);
    run(&db, &["SET", "lazy", "old", "PX", "5"]);
    clock.advance(Duration::from_millis(5));
    assert_eq!(run(&db, &["GET", "lazy"]), Frame::Null);
    run(&db, &["SET", "lazy", "new"]);
    run(&db, &["SET", "zeroed", "v", "EX", "10"]);
    run(&db, &["EXPIRE", "zeroed", "0"]);
    run(&db, &["SET", "zeroed", "new"]);
    run(&db, &["SET", "counter", "1", "EX", "10"]);
    run(&db, &["SET", "counter", "5"]);
    run(&db, &["INCR", "counter"]);
    // These still have one, and it will have passed.
    run(&db, &["SET", "kept", "v", "EX", "10"]);
    run(&db, &["SET", "kept", "v2", "KEEPTTL"]);
    run(&db, &["HSET", "expiring", "f", "v"]);
    run(&db, &["EXPIRE", "expiring", "10"]);

    clock.advance(Duration::from_secs(60));
    expire_until_quiet(&db);
    assert_eq!(
        dbsize(&db),
        8,
        "exactly the keys without a deadline remain, and both expired ones are gone"
    );
    let survivors = [
        "EXISTS",
        "persisted",
        "overwritten",
        "recreated",
        "list",
        "hash",
        "lazy",
        "zeroed",
        "counter",
    ];
    assert_eq!(
        run(&db, &survivors),
        int(8),
        "active expiry must not delete a key whose deadline was removed or replaced"
    );
    assert_eq!(run(&db, &["GET", "counter"]), bulk("6"));

    run(&db, &["FLUSHDB"]);
    run(&db, &["SET", "flushed", "v"]);
    run(&db, &["SET", "extended", "v", "EX", "10"]);
    run(&db, &["EXPIRE", "extended", "3600"]);
    clock.advance(Duration::from_secs(60));
    assert_eq!(db.active_expire_cycle().expired, 0);
    assert_eq!(
        run(&db, &["EXISTS", "flushed", "extended"]),
        int(2),
        "a flush forgets old deadlines, and a later EXPIRE replaces an earlier one"
    );
}

// Multi-threaded, so that a cycle run with `spawn_blocking` or `block_in_place` works as well as inline.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn background_task_reclaims_expired_keys_without_reads() {
    let (db, clock) = setup();
    for i in 0..10_000 {
        run(&db, &["SET", &format!("short:{i}"), "v", "PX", "1"]);
    }
    for i in 0..10 {
        run(&db, &["SET", &format!("forever:{i}"), "v"]);
    }
    clock.advance(Duration::from_millis(1));
    assert_eq!(dbsize(&db), 10_010);

    let task = tokio::spawn(active_expiry(db.clone(), Duration::from_millis(5)));
    let reclaimed = tokio::time::timeout(Duration::from_secs(10), async {
        while dbsize(&db) > 10 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    })
    .await;
    task.abort();
    assert!(
        reclaimed.is_ok(),
        "the background task did not reclaim the expired keys within 10 s; DBSIZE is {}",
        dbsize(&db)
    );
    assert_eq!(dbsize(&db), 10, "only the keys without a TTL remain");
}

//! Milestone 4: rows, a catalog and a small SQL subset behind `Connection`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use ex01_embedded_db::{Connection, DbError, Value};
use proptest::prelude::*;
use proptest::test_runner::{RngAlgorithm, TestRng, TestRunner};

fn int(n: i64) -> Value {
    Value::Integer(n)
}

fn text(s: &str) -> Value {
    Value::Text(s.to_owned())
}

fn rows(conn: &mut Connection, sql: &str) -> Vec<Vec<Value>> {
    conn.query(sql)
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .collect::<Result<Vec<_>, _>>()
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// The error a query fails with, whether `query` reports it or the first row does.
fn query_error(conn: &mut Connection, sql: &str) -> DbError {
    match conn.query(sql) {
        Err(e) => e,
        Ok(mut rows) => match rows.find_map(Result::err) {
            Some(e) => e,
            None => panic!("{sql}: expected an error"),
        },
    }
}

fn expect_query_error(e: DbError, sql: &str, name: &str) {
    match e {
        DbError::Query(message) => assert!(
            message.contains(name),
            "{sql}: the error `{message}` should name `{name}`"
        ),
        other => panic!("{sql}: expected DbError::Query, got `{other}`"),
    }
}

fn shuffled(n: u64, seed: u64) -> Vec<u64> {
    let mut keys: Vec<u64> = (0..n).collect();
    let mut state = 0x2545_f491_4f6c_dd1d ^ seed;
    for i in (1..keys.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        keys.swap(i, (state % (i as u64 + 1)) as usize);
    }
    keys
}

fn journal_of(db: &std::path::Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push("-journal");
    PathBuf::from(name)
}

/// One row of the big table: (id, name, score, city).
#[derive(Clone, Debug)]
struct Person {
    id: i64,
    name: String,
    score: Option<i64>,
    city: Option<&'static str>,
}

const CITIES: [&str; 4] = ["berlin", "paris", "rome", "oslo"];

fn person(i: i64) -> Person {
    Person {
        id: i * 3,
        name: format!("user{i}"),
        score: (i % 13 != 0).then_some((i * 37) % 1000 - 500),
        city: (i % 17 != 0).then_some(CITIES[i as usize % 4]),
    }
}

fn sql_value(v: &Option<impl ToString>, quoted: bool) -> String {
    match v {
        None => "NULL".to_owned(),
        Some(v) if quoted => format!("'{}'", v.to_string()),
        Some(v) => v.to_string(),
    }
}

fn as_row(p: &Person) -> Vec<Value> {
    vec![
        int(p.id),
        text(&p.name),
        p.score.map_or(Value::Null, int),
        p.city.map_or(Value::Null, text),
    ]
}

/// A database with 10,000 people inserted in shuffled order, 100 rows per INSERT, in one
/// transaction. Returns the people in id order.
fn people_db(conn: &mut Connection) -> Vec<Person> {
    conn.execute(
        "CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT, score INTEGER, city TEXT)",
    )
    .unwrap();
    conn.execute("BEGIN").unwrap();
    let order = shuffled(10_000, 1);
    for chunk in order.chunks(100) {
        let values: Vec<String> = chunk
            .iter()
            .map(|&i| {
                let p = person(i as i64);
                format!(
                    "({}, '{}', {}, {})",
                    p.id,
                    p.name,
                    sql_value(&p.score, false),
                    sql_value(&p.city, true)
                )
            })
            .collect();
        let sql = format!("INSERT INTO people VALUES {}", values.join(", "));
        assert_eq!(conn.execute(&sql).unwrap(), chunk.len());
    }
    conn.execute("COMMIT").unwrap();
    (0..10_000).map(person).collect()
}

#[test]
fn create_insert_and_select_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = Connection::open(dir.path().join("db")).unwrap();
    assert_eq!(
        conn.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, age INTEGER)")
            .unwrap(),
        0
    );
    assert_eq!(
        conn.execute("INSERT INTO users VALUES (3, 'grace', 45), (1, 'ada', 36)")
            .unwrap(),
        2
    );
    assert_eq!(
        conn.execute("insert into users (name, id) values ('it''s', 2);")
            .unwrap(),
        1
    );
    // Without a value for the primary key, the row gets the largest key plus one.
    assert_eq!(
        conn.execute("INSERT INTO users (name, age) VALUES ('auto', -7)")
            .unwrap(),
        1
    );
    assert_eq!(
        rows(&mut conn, "SELECT * FROM users"),
        [
            vec![int(1), text("ada"), int(36)],
            vec![int(2), text("it's"), Value::Null],
            vec![int(3), text("grace"), int(45)],
            vec![int(4), text("auto"), int(-7)],
        ]
    );
    assert_eq!(
        rows(
            &mut conn,
            "SELECT name, age * 2 + 1 FROM users WHERE age > 30"
        ),
        [vec![text("ada"), int(73)], vec![text("grace"), int(91)]]
    );
    assert_eq!(
        rows(
            &mut conn,
            "select id from users where name = 'ada' or age < 0"
        ),
        [vec![int(1)], vec![int(4)]]
    );
    assert_eq!(
        rows(
            &mut conn,
            "SELECT id, (id + 1) * 2, name FROM users WHERE NOT (id = 2 OR id = 3)"
        ),
        [
            vec![int(1), int(4), text("ada")],
            vec![int(4), int(10), text("auto")],
        ]
    );
    conn.check().unwrap();
}

#[test]
fn ten_thousand_rows_survive_a_reopen_and_answer_filtered_queries() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let people = {
        let mut conn = Connection::open(&path).unwrap();
        people_db(&mut conn)
    };
    let mut conn = Connection::open(&path).unwrap();
    conn.check().unwrap();

    let all = rows(&mut conn, "SELECT * FROM people");
    assert_eq!(all, people.iter().map(as_row).collect::<Vec<_>>());

    let want: Vec<Vec<Value>> = people
        .iter()
        .filter(|p| p.score.is_some_and(|s| s > 400) && p.city == Some("paris"))
        .map(|p| vec![int(p.id), text(&p.name)])
        .collect();
    assert!(!want.is_empty());
    assert_eq!(
        rows(
            &mut conn,
            "SELECT id, name FROM people WHERE score > 400 AND city = 'paris'"
        ),
        want
    );

    let want: Vec<Vec<Value>> = people
        .iter()
        .filter(|p| p.score.is_none() || p.city.is_none())
        .map(|p| vec![int(p.id)])
        .collect();
    assert_eq!(
        rows(
            &mut conn,
            "SELECT id FROM people WHERE score IS NULL OR city IS NULL"
        ),
        want
    );

    // NOT of NULL is NULL, so rows without a city are not kept.
    let want: Vec<Vec<Value>> = people
        .iter()
        .filter(|p| p.id % 7 == 0 && p.city.is_some_and(|c| c != "rome"))
        .map(|p| {
            vec![
                int(p.id),
                p.score.map_or(Value::Null, |s| int(s * 2 - p.id)),
            ]
        })
        .collect();
    assert_eq!(
        rows(
            &mut conn,
            "SELECT id, score * 2 - id FROM people WHERE id % 7 = 0 AND NOT city = 'rome'"
        ),
        want
    );

    let want: Vec<Vec<Value>> = people
        .iter()
        .filter(|p| (300..=330).contains(&p.id))
        .map(as_row)
        .collect();
    assert_eq!(
        rows(
            &mut conn,
            "SELECT * FROM people WHERE id BETWEEN 300 AND 330"
        ),
        want
    );
    assert_eq!(
        rows(&mut conn, "SELECT name FROM people WHERE id = 2997"),
        [vec![text("user999")]]
    );
    assert!(rows(&mut conn, "SELECT name FROM people WHERE id = 2998").is_empty());
    assert!(rows(
        &mut conn,
        "SELECT name FROM people WHERE id > 10 AND id < 5"
    )
    .is_empty());
}

#[test]
fn where_on_the_primary_key_seeks_instead_of_scanning() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = Connection::open(dir.path().join("db")).unwrap();
    let people = people_db(&mut conn);
    fn pages_read(conn: &mut Connection, sql: &str) -> (Vec<Vec<Value>>, u64) {
        let before = conn.cache_stats();
        let result = rows(conn, sql);
        let after = conn.cache_stats();
        let pages = (after.hits + after.misses) - (before.hits + before.misses);
        (result, pages)
    }

    let (_, full) = pages_read(&mut conn, "SELECT id FROM people WHERE score = 1");
    assert!(
        full >= 50,
        "a filter on a non-key column reads every leaf ({full} page reads)"
    );
    type Case = (&'static str, fn(&Person) -> bool);
    let cases: [Case; 6] = [
        ("SELECT * FROM people WHERE id = 15000", |p| p.id == 15000),
        ("SELECT * FROM people WHERE 15000 = id", |p| p.id == 15000),
        ("SELECT * FROM people WHERE id = 15001", |_| false),
        ("SELECT * FROM people WHERE id >= 3000 AND id < 3015", |p| {
            (3000..3015).contains(&p.id)
        }),
        (
            "SELECT * FROM people WHERE 29985 < id AND score IS NOT NULL",
            |p| p.id > 29985 && p.score.is_some(),
        ),
        (
            "SELECT * FROM people WHERE id BETWEEN 600 AND 606 AND city = 'rome'",
            |p| (600..=606).contains(&p.id) && p.city == Some("rome"),
        ),
    ];
    for (sql, filter) in cases {
        let (got, pages) = pages_read(&mut conn, sql);
        let want: Vec<Vec<Value>> = people.iter().filter(|p| filter(p)).map(as_row).collect();
        assert_eq!(got, want, "{sql}");
        assert!(
            pages <= 10,
            "{sql}: {pages} page reads; a key lookup should read about one page per level, not scan ({full} reads)"
        );
    }
}

#[test]
fn null_follows_three_valued_logic() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = Connection::open(dir.path().join("db")).unwrap();
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER, b TEXT)")
        .unwrap();
    conn.execute("INSERT INTO t VALUES (1, NULL, NULL), (2, 0, 'x'), (3, 5, 'y')")
        .unwrap();
    let ids = |conn: &mut Connection, filter: &str| -> Vec<i64> {
        rows(conn, &format!("SELECT id FROM t WHERE {filter}"))
            .into_iter()
            .map(|r| match r[0] {
                Value::Integer(n) => n,
                _ => panic!("id is not an integer"),
            })
            .collect()
    };
    for (filter, want) in [
        ("a = NULL", vec![]),
        ("NOT a = NULL", vec![]),
        ("a IS NULL", vec![1]),
        ("a IS NOT NULL", vec![2, 3]),
        ("NOT a = 0", vec![3]),
        ("a <> 0", vec![3]),
        ("a = 5 OR b IS NULL", vec![1, 3]),
        ("a > 100 OR b = 'x'", vec![2]),
        ("a > 100 OR a < 100", vec![2, 3]),
        ("NOT (a > 100 AND b = 'q')", vec![2, 3]),
        ("NOT (a IS NULL AND b = 'q')", vec![2, 3]),
        ("NOT (a IS NULL AND b IS NULL)", vec![2, 3]),
        ("a", vec![3]),
        ("a + 1 > 0 AND b >= 'x'", vec![2, 3]),
    ] {
        assert_eq!(ids(&mut conn, filter), want, "WHERE {filter}");
    }
    assert_eq!(
        rows(
            &mut conn,
            "SELECT a + 1, a = NULL, a IS NULL, NULL AND 0, NULL OR 1, NULL AND 1, 7 / 0, b FROM t WHERE id = 1"
        ),
        [vec![
            Value::Null,
            Value::Null,
            int(1),
            int(0),
            int(1),
            Value::Null,
            Value::Null,
            Value::Null
        ]]
    );
    assert_eq!(
        rows(
            &mut conn,
            "SELECT a / 2, a % 3, -a, a * -3 FROM t WHERE id = 3"
        ),
        [vec![int(2), int(2), int(-5), int(-15)]]
    );
}

#[test]
fn errors_are_values_that_name_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = Connection::open(dir.path().join("db")).unwrap();
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER, b TEXT)")
        .unwrap();
    conn.execute("INSERT INTO t VALUES (1, 10, 'x'), (2, 20, 'y')")
        .unwrap();
    let before = rows(&mut conn, "SELECT * FROM t");

    // Syntax errors carry the byte offset where the statement goes wrong.
    for (sql, at) in [
        ("SELEKT * FROM t", 0),
        ("SELECT * FROM t WHERE a = = 1", 26),
        ("SELECT * FROM t WHERE", 21),
        ("INSERT INTO t VALUES (3, 'unterminated)", 25),
        ("SELECT * FROM t extra", 16),
    ] {
        match conn.query(sql) {
            Err(DbError::Sql { position, .. }) => assert_eq!(position, at, "{sql}"),
            Err(e) => panic!("{sql}: expected DbError::Sql, got `{e}`"),
            Ok(_) => panic!("{sql}: expected a syntax error"),
        }
    }
    match conn.execute("INSERT INTO t VALUES (3, 1,") {
        Err(DbError::Sql { position, .. }) => assert_eq!(position, 27),
        other => panic!("expected a syntax error at the end, got {other:?}"),
    }

    // Unknown names are reported by name.
    for (sql, name) in [
        ("SELECT * FROM nope", "nope"),
        ("SELECT missing FROM t", "missing"),
        ("SELECT * FROM t WHERE ghost = 1", "ghost"),
    ] {
        expect_query_error(query_error(&mut conn, sql), sql, name);
    }
    for (sql, name) in [
        ("INSERT INTO nope VALUES (1)", "nope"),
        ("INSERT INTO t (id, phantom) VALUES (5, 1)", "phantom"),
        ("CREATE TABLE t (x INTEGER)", "t"),
    ] {
        expect_query_error(conn.execute(sql).unwrap_err(), sql, name);
    }

    // Type errors in WHERE are errors, not panics.
    for sql in [
        "SELECT * FROM t WHERE b > 3",
        "SELECT * FROM t WHERE a + 'x' = 1",
        "SELECT * FROM t WHERE -b = 'x'",
        "SELECT * FROM t WHERE b",
        "SELECT * FROM t WHERE a = 1 OR b",
    ] {
        assert!(
            matches!(query_error(&mut conn, sql), DbError::Query(_)),
            "{sql}: expected DbError::Query"
        );
    }

    // Bad inserts change nothing, not even their valid rows.
    for sql in [
        "INSERT INTO t VALUES (3, 'text', 'x')",
        "INSERT INTO t VALUES (3, 1, 2)",
        "INSERT INTO t VALUES (3, 1)",
        "INSERT INTO t VALUES (4, 1, 'ok'), (1, 1, 'duplicate key')",
        "INSERT INTO t VALUES (5, 1, 'ok'), (5, 2, 'same key twice')",
        "INSERT INTO t VALUES (6, 1, 'ok'), (7, 'bad', 'bad')",
    ] {
        assert!(
            matches!(conn.execute(sql), Err(DbError::Query(_))),
            "{sql}: expected DbError::Query"
        );
    }
    assert_eq!(rows(&mut conn, "SELECT * FROM t"), before);
    conn.check().unwrap();
}

#[test]
fn begin_commit_rollback_and_autocommit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let mut conn = Connection::open(&path).unwrap();
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
        .unwrap();
    conn.execute("INSERT INTO t VALUES (1, 'autocommitted')")
        .unwrap();
    assert!(
        !journal_of(&path).exists(),
        "a statement outside BEGIN commits on its own"
    );

    conn.execute("BEGIN").unwrap();
    conn.execute("INSERT INTO t VALUES (2, 'b'), (3, 'c')")
        .unwrap();
    assert_eq!(rows(&mut conn, "SELECT id FROM t").len(), 3);
    conn.execute("ROLLBACK").unwrap();
    assert_eq!(rows(&mut conn, "SELECT id FROM t"), [vec![int(1)]]);

    conn.execute("BEGIN").unwrap();
    conn.execute("CREATE TABLE u (x INTEGER)").unwrap();
    conn.execute("INSERT INTO u VALUES (1)").unwrap();
    assert_eq!(rows(&mut conn, "SELECT x FROM u"), [vec![int(1)]]);
    conn.execute("ROLLBACK").unwrap();
    expect_query_error(
        query_error(&mut conn, "SELECT x FROM u"),
        "SELECT x FROM u",
        "u",
    );

    conn.execute("BEGIN").unwrap();
    assert!(conn.execute("BEGIN").is_err(), "BEGIN inside a transaction");
    conn.execute("INSERT INTO t VALUES (2, 'kept')").unwrap();
    conn.execute("COMMIT").unwrap();
    assert!(conn.execute("COMMIT").is_err(), "COMMIT without BEGIN");
    assert!(conn.execute("ROLLBACK").is_err(), "ROLLBACK without BEGIN");

    // A transaction that is never committed is gone after a reopen.
    conn.execute("BEGIN").unwrap();
    conn.execute("CREATE TABLE lost (x INTEGER)").unwrap();
    for i in 10..510 {
        conn.execute(&format!(
            "INSERT INTO t VALUES ({i}, '{}')",
            "z".repeat(200)
        ))
        .unwrap();
    }
    drop(conn);
    let mut conn = Connection::open(&path).unwrap();
    assert!(!journal_of(&path).exists());
    assert_eq!(
        rows(&mut conn, "SELECT * FROM t"),
        [
            vec![int(1), text("autocommitted")],
            vec![int(2), text("kept")]
        ]
    );
    assert!(conn.query("SELECT * FROM lost").is_err());
    conn.check().unwrap();
}

#[test]
fn several_tables_share_one_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let mut conn = Connection::open(&path).unwrap();
    conn.execute("CREATE TABLE log (line TEXT, n INTEGER)")
        .unwrap();
    conn.execute("CREATE TABLE docs (id INTEGER PRIMARY KEY, body TEXT)")
        .unwrap();
    conn.execute("BEGIN").unwrap();
    let mut docs = BTreeMap::new();
    for i in 0..1500i64 {
        conn.execute(&format!("INSERT INTO log VALUES ('line {i}', {})", i * i))
            .unwrap();
        let id = (i * 7919) % 1500 - 750;
        let body = if i % 100 == 0 {
            "long ".repeat(2000)
        } else {
            format!("doc {i}")
        };
        conn.execute(&format!("INSERT INTO docs VALUES ({id}, '{body}')"))
            .unwrap();
        docs.insert(id, body);
    }
    conn.execute("COMMIT").unwrap();
    conn.check().unwrap();
    drop(conn);

    let mut conn = Connection::open(&path).unwrap();
    conn.check().unwrap();
    // Without a primary key, rows keep their insertion order (hidden row ids 1, 2, 3, ...).
    let log = rows(&mut conn, "SELECT n, line FROM log");
    assert_eq!(log.len(), 1500);
    for (i, row) in log.iter().enumerate() {
        assert_eq!(
            row,
            &vec![int(i as i64 * i as i64), text(&format!("line {i}"))]
        );
    }
    // Negative keys sort before positive ones.
    let got = rows(&mut conn, "SELECT * FROM docs");
    let want: Vec<Vec<Value>> = docs
        .iter()
        .map(|(id, body)| vec![int(*id), text(body)])
        .collect();
    assert_eq!(got, want);
    assert_eq!(
        rows(&mut conn, "SELECT body FROM docs WHERE id = -750"),
        [vec![text(&docs[&-750])]]
    );
}

// ---------------------------------------------------------------------------------------------
// WHERE against a model of SQL's three-valued logic
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Pred {
    /// column (0 = id, 1 = a), operator, constant
    Cmp(usize, &'static str, i64),
    BIs(&'static str),
    BIsNull,
    Not(Box<Pred>),
    And(Box<Pred>, Box<Pred>),
    Or(Box<Pred>, Box<Pred>),
}

const OPS: [&str; 6] = ["=", "<>", "<", "<=", ">", ">="];
const WORDS: [&str; 3] = ["red", "green", "blue"];

fn pred() -> impl Strategy<Value = Pred> {
    let leaf = prop_oneof![
        (0usize..2, prop::sample::select(OPS.to_vec()), -25i64..25)
            .prop_map(|(c, op, v)| Pred::Cmp(c, op, v)),
        prop::sample::select(WORDS.to_vec()).prop_map(Pred::BIs),
        Just(Pred::BIsNull),
    ];
    leaf.prop_recursive(3, 12, 2, |inner| {
        prop_oneof![
            inner.clone().prop_map(|p| Pred::Not(Box::new(p))),
            (inner.clone(), inner.clone()).prop_map(|(p, q)| Pred::And(Box::new(p), Box::new(q))),
            (inner.clone(), inner).prop_map(|(p, q)| Pred::Or(Box::new(p), Box::new(q))),
        ]
    })
}

fn render(p: &Pred) -> String {
    match p {
        Pred::Cmp(c, op, v) => format!("{} {op} {v}", ["id", "a"][*c]),
        Pred::BIs(w) => format!("b = '{w}'"),
        Pred::BIsNull => "b IS NULL".to_owned(),
        Pred::Not(p) => format!("NOT ({})", render(p)),
        Pred::And(p, q) => format!("({}) AND ({})", render(p), render(q)),
        Pred::Or(p, q) => format!("({}) OR ({})", render(p), render(q)),
    }
}

type ModelRow = (i64, Option<i64>, Option<&'static str>);

fn holds(p: &Pred, row: &ModelRow) -> Option<bool> {
    match p {
        Pred::Cmp(c, op, v) => {
            let x = if *c == 0 { Some(row.0) } else { row.1 }?;
            Some(match *op {
                "=" => x == *v,
                "<>" => x != *v,
                "<" => x < *v,
                "<=" => x <= *v,
                ">" => x > *v,
                _ => x >= *v,
            })
        }
        Pred::BIs(w) => row.2.map(|b| b == *w),
        Pred::BIsNull => Some(row.2.is_none()),
        Pred::Not(p) => holds(p, row).map(|b| !b),
        Pred::And(p, q) => match (holds(p, row), holds(q, row)) {
            (Some(false), _) | (_, Some(false)) => Some(false),
            (Some(true), Some(true)) => Some(true),
            _ => None,
        },
        Pred::Or(p, q) => match (holds(p, row), holds(q, row)) {
            (Some(true), _) | (_, Some(true)) => Some(true),
            (Some(false), Some(false)) => Some(false),
            _ => None,
        },
    }
}

/// Random rows and random WHERE conditions (comparisons on the key and on a nullable column,
/// NULL tests, NOT, AND, OR): the query returns exactly the rows for which the condition is
/// true under three-valued logic, in key order. Seeded, so every run checks the same cases.
#[test]
fn where_agrees_with_a_model_of_three_valued_logic() {
    let config = ProptestConfig {
        cases: 48,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    let mut runner =
        TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha));
    let row = (
        prop::option::of(-25i64..25),
        prop::option::of(prop::sample::select(WORDS.to_vec())),
    );
    let strategy = (
        prop::collection::btree_map(-30i64..30, row, 1..40),
        prop::collection::vec(pred(), 1..6),
    );
    let result = runner.run(&strategy, |(table, preds)| {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = Connection::open(dir.path().join("db")).unwrap();
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER, b TEXT)")
            .unwrap();
        let values: Vec<String> = table
            .iter()
            .map(|(id, (a, b))| format!("({id}, {}, {})", sql_value(a, false), sql_value(b, true)))
            .collect();
        conn.execute(&format!("INSERT INTO t VALUES {}", values.join(", ")))
            .unwrap();
        for p in &preds {
            let sql = format!("SELECT id FROM t WHERE {}", render(p));
            let got = rows(&mut conn, &sql);
            let want: Vec<Vec<Value>> = table
                .iter()
                .filter(|(id, (a, b))| holds(p, &(**id, *a, *b)) == Some(true))
                .map(|(id, _)| vec![int(*id)])
                .collect();
            prop_assert_eq!(got, want, "{}", sql);
        }
        Ok(())
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
}

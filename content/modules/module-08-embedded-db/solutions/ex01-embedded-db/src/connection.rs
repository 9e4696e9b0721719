//! Milestone 4: rows, a catalog, and SQL executed by a pipeline of pull-based operators.

use std::cmp::Ordering;
use std::collections::HashSet;
use std::ops::Bound;
use std::path::Path;

use crate::journal::journal_path;
use crate::spage::corrupt;
use crate::sql::{parse, BinOp, ColumnDef, ColumnType, Expr, Statement};
use crate::store::{Range, Store};
use crate::{CacheStats, DbError, PageCache, PageId, Pager};

/// A SQL value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// SQL `NULL`.
    Null,
    /// An `INTEGER`.
    Integer(i64),
    /// A `TEXT`.
    Text(String),
}

/// The catalog's tree: one row per table (name, root page, the `CREATE TABLE` text).
const CATALOG: PageId = PageId(1);

/// Record: column count u16, one tag byte per column (0 null, 1 integer, 2 text), then the
/// bodies: integers as 8 bytes big-endian, text as a u32 length and UTF-8.
fn encode_record(values: &[Value]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend((values.len() as u16).to_be_bytes());
    out.extend(values.iter().map(|v| match v {
        Value::Null => 0u8,
        Value::Integer(_) => 1,
        Value::Text(_) => 2,
    }));
    for v in values {
        match v {
            Value::Null => {}
            Value::Integer(n) => out.extend(n.to_be_bytes()),
            Value::Text(s) => {
                out.extend((s.len() as u32).to_be_bytes());
                out.extend(s.as_bytes());
            }
        }
    }
    out
}

fn decode_record(bytes: &[u8]) -> Option<Vec<Value>> {
    let count = usize::from(u16::from_be_bytes(bytes.get(..2)?.try_into().ok()?));
    let tags = bytes.get(2..2 + count)?;
    let mut at = 2 + count;
    let mut out = Vec::with_capacity(count);
    for &tag in tags {
        out.push(match tag {
            0 => Value::Null,
            1 => {
                let n = i64::from_be_bytes(bytes.get(at..at + 8)?.try_into().ok()?);
                at += 8;
                Value::Integer(n)
            }
            2 => {
                let len = u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?) as usize;
                let text = std::str::from_utf8(bytes.get(at + 4..at + 4 + len)?).ok()?;
                at += 4 + len;
                Value::Text(text.to_owned())
            }
            _ => return None,
        });
    }
    (at == bytes.len()).then_some(out)
}

/// Row ids are `i64`; flipping the sign bit makes their order the order of the `u64` keys.
fn key_of(rowid: i64) -> u64 {
    (rowid as u64) ^ (1 << 63)
}

fn rowid_of(key: u64) -> i64 {
    (key ^ (1 << 63)) as i64
}

fn query_error(message: impl Into<String>) -> DbError {
    DbError::Query(message.into())
}

struct Table {
    name: String,
    root: PageId,
    columns: Vec<ColumnDef>,
    /// The `INTEGER PRIMARY KEY` column, whose value is the row's key; without one, rows get
    /// hidden row ids 1, 2, 3, ...
    primary_key: Option<usize>,
}

impl Table {
    fn new(name: String, root: PageId, columns: Vec<ColumnDef>) -> Result<Self, DbError> {
        let mut seen = HashSet::new();
        if let Some(c) = columns.iter().find(|c| !seen.insert(c.name.as_str())) {
            return Err(query_error(format!("duplicate column name: {}", c.name)));
        }
        let keys: Vec<usize> = (0..columns.len())
            .filter(|&i| columns[i].primary_key)
            .collect();
        if keys.len() > 1 {
            return Err(query_error(format!(
                "table {name} has more than one primary key"
            )));
        }
        if let Some(&k) = keys.first() {
            if columns[k].ty != ColumnType::Integer {
                return Err(query_error(format!(
                    "primary key {} must be INTEGER",
                    columns[k].name
                )));
            }
        }
        Ok(Self {
            name,
            root,
            columns,
            primary_key: keys.first().copied(),
        })
    }

    fn column(&self, name: &str) -> Result<usize, DbError> {
        self.columns
            .iter()
            .position(|c| c.name == name)
            .ok_or_else(|| query_error(format!("no such column: {name}")))
    }
}

/// An embedded SQL database in one file: tables are B+trees of records (milestone 2's slotted
/// trees), the catalog is the tree on page 1, and writes go through milestone 3's journal.
///
/// Outside `BEGIN` ... `COMMIT`, every statement that changes something commits on its own.
pub struct Connection {
    store: Store,
    tables: Vec<Table>,
    in_transaction: bool,
}

impl Connection {
    /// Opens or creates the database at `path`, rolling back a hot journal first.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, DbError> {
        let path = path.as_ref();
        let mut pager = Pager::open(path)?;
        pager.roll_back(&journal_path(path))?;
        let mut cache = PageCache::new(pager, 64);
        cache.enable_journal(path);
        let mut store = Store::new(cache);
        if store.cache.page_count() == 1 {
            let root = store.cache.allocate()?;
            store.init_root(root)?;
            store.cache.flush()?;
        }
        let mut conn = Self {
            store,
            tables: Vec::new(),
            in_transaction: false,
        };
        conn.load_catalog()?;
        Ok(conn)
    }

    fn load_catalog(&mut self) -> Result<(), DbError> {
        let mut tables = Vec::new();
        for entry in self.store.range(CATALOG, ..)? {
            let (_, bytes) = entry?;
            let bad = || corrupt(CATALOG, "bad catalog row");
            let row = decode_record(&bytes).ok_or_else(bad)?;
            let [Value::Text(name), Value::Integer(root), Value::Text(sql)] = row.as_slice() else {
                return Err(bad());
            };
            let Ok(Statement::Create { columns, .. }) = parse(sql) else {
                return Err(bad());
            };
            let root = u32::try_from(*root).map_err(|_| bad())?;
            tables.push(Table::new(name.clone(), PageId(root), columns)?);
        }
        self.tables = tables;
        Ok(())
    }

    fn table(&self, name: &str) -> Result<usize, DbError> {
        self.tables
            .iter()
            .position(|t| t.name == name)
            .ok_or_else(|| query_error(format!("no such table: {name}")))
    }

    /// Runs a statement that returns no rows: `CREATE TABLE`, `INSERT` (returns the number of
    /// rows inserted), `BEGIN`, `COMMIT`, `ROLLBACK`. A `SELECT` is an error: use `query`.
    pub fn execute(&mut self, sql: &str) -> Result<usize, DbError> {
        match parse(sql)? {
            Statement::Begin => {
                if self.in_transaction {
                    return Err(query_error("a transaction is already open"));
                }
                self.in_transaction = true;
                Ok(0)
            }
            Statement::Commit => {
                if !self.in_transaction {
                    return Err(query_error("no transaction is open"));
                }
                self.store.cache.flush()?;
                self.in_transaction = false;
                Ok(0)
            }
            Statement::Rollback => {
                if !self.in_transaction {
                    return Err(query_error("no transaction is open"));
                }
                self.in_transaction = false;
                self.store.cache.rollback()?;
                self.load_catalog()?;
                Ok(0)
            }
            Statement::Select { .. } => Err(query_error("execute does not return rows: use query")),
            statement => {
                let result = self.write(statement);
                if !self.in_transaction {
                    match &result {
                        Ok(_) => self.store.cache.flush()?,
                        Err(_) => {
                            self.store.cache.rollback()?;
                            self.load_catalog()?;
                        }
                    }
                }
                result
            }
        }
    }

    fn write(&mut self, statement: Statement) -> Result<usize, DbError> {
        match statement {
            Statement::Create { name, columns } => {
                if self.table(&name).is_ok() {
                    return Err(query_error(format!("table {name} already exists")));
                }
                let sql = create_sql(&name, &columns);
                let mut table = Table::new(name, PageId(0), columns)?;
                let root = self.store.alloc()?;
                self.store.init_root(root)?;
                table.root = root;
                let id = self.store.last_key(CATALOG)?.map_or(0, |k| k + 1);
                let row = [
                    Value::Text(table.name.clone()),
                    Value::Integer(i64::from(root.0)),
                    Value::Text(sql),
                ];
                self.store.insert(CATALOG, id, &encode_record(&row))?;
                self.tables.push(table);
                Ok(0)
            }
            Statement::Insert {
                table,
                columns,
                rows,
            } => self.insert(&table, columns, rows),
            _ => Err(query_error("not a write statement")),
        }
    }

    /// Plans and checks every row before writing any, so a failing `INSERT` changes nothing.
    fn insert(
        &mut self,
        table: &str,
        columns: Option<Vec<(String, usize)>>,
        rows: Vec<Vec<Expr>>,
    ) -> Result<usize, DbError> {
        let t = &self.tables[self.table(table)?];
        let targets: Vec<usize> = match columns {
            None => (0..t.columns.len()).collect(),
            Some(names) => names
                .iter()
                .map(|(name, _)| t.column(name))
                .collect::<Result<_, _>>()?,
        };
        let mut seen = HashSet::new();
        if targets.iter().any(|i| !seen.insert(*i)) {
            return Err(query_error("a column is named twice"));
        }
        let mut planned = Vec::with_capacity(rows.len());
        for row in rows {
            if row.len() != targets.len() {
                return Err(query_error(format!(
                    "table {} expects {} values, got {}",
                    t.name,
                    targets.len(),
                    row.len()
                )));
            }
            let mut values = vec![Value::Null; t.columns.len()];
            for (expr, &i) in row.iter().zip(&targets) {
                let value = eval(&bind(expr, None)?, &[])?;
                let column = &t.columns[i];
                let ok = match (&value, column.ty) {
                    (Value::Null, _) => true,
                    (Value::Integer(_), ty) => ty == ColumnType::Integer,
                    (Value::Text(_), ty) => ty == ColumnType::Text,
                };
                if !ok {
                    return Err(query_error(format!(
                        "column {} is {}, got {}",
                        column.name,
                        type_name(Some(column.ty)),
                        value_type(&value)
                    )));
                }
                values[i] = value;
            }
            planned.push(values);
        }
        let (root, pk, name) = (t.root, t.primary_key, t.name.clone());
        let mut next = self
            .store
            .last_key(root)?
            .map_or(1, |k| rowid_of(k).saturating_add(1));
        let mut keys = Vec::with_capacity(planned.len());
        let mut taken = HashSet::new();
        for values in &mut planned {
            let rowid = match pk.map(|i| &values[i]) {
                Some(Value::Integer(id)) => *id,
                _ => next,
            };
            if let Some(i) = pk {
                values[i] = Value::Integer(rowid);
            }
            if !taken.insert(rowid) || self.store.get(root, key_of(rowid))?.is_some() {
                return Err(query_error(format!(
                    "UNIQUE constraint failed: {name}.{}",
                    pk.map_or("rowid", |_| "primary key")
                )));
            }
            next = next.max(rowid.saturating_add(1));
            keys.push(key_of(rowid));
        }
        for (key, values) in keys.into_iter().zip(&planned) {
            self.store.insert(root, key, &encode_record(values))?;
        }
        Ok(planned.len())
    }

    /// Runs a `SELECT` and returns its rows as an iterator that reads them one at a time. Names
    /// and types are checked before any row is read; `WHERE` conditions on an `INTEGER
    /// PRIMARY KEY` column become a seek or a range scan of the table's tree.
    pub fn query(&mut self, sql: &str) -> Result<Rows<'_>, DbError> {
        let Statement::Select {
            table,
            items,
            filter,
            ..
        } = parse(sql)?
        else {
            return Err(query_error("query runs a SELECT: use execute"));
        };
        let t = &self.tables[self.table(&table)?];
        let filter = filter.map(|f| bind(&f, Some(t))).transpose()?;
        if let Some(f) = &filter {
            if let Some(ty) = type_of(f, t)? {
                if ty != ColumnType::Integer {
                    return Err(query_error("WHERE needs a condition, got TEXT"));
                }
            }
        }
        let items = match items {
            None => (0..t.columns.len()).map(Expr::Column).collect(),
            Some(items) => items
                .iter()
                .map(|e| bind(e, Some(t)))
                .collect::<Result<Vec<_>, _>>()?,
        };
        for item in &items {
            type_of(item, t)?;
        }
        let (low, high) = match (&filter, t.primary_key) {
            (Some(f), Some(pk)) => key_bounds(f, pk),
            _ => (Bound::Unbounded, Bound::Unbounded),
        };
        let root = t.root;
        let empty = match (low, high) {
            (Bound::Included(a) | Bound::Excluded(a), Bound::Included(b) | Bound::Excluded(b)) => {
                a > b
                    || (a == b
                        && (matches!(low, Bound::Excluded(_))
                            || matches!(high, Bound::Excluded(_))))
            }
            _ => false,
        };
        let range = if empty {
            self.store
                .range(root, (Bound::Excluded(0), Bound::Excluded(0)))?
        } else {
            let convert = |b: Bound<i64>| match b {
                Bound::Included(v) => Bound::Included(key_of(v)),
                Bound::Excluded(v) => Bound::Excluded(key_of(v)),
                Bound::Unbounded => Bound::Unbounded,
            };
            self.store.range(root, (convert(low), convert(high)))?
        };
        let mut op: Box<dyn Operator + '_> = Box::new(Scan { range });
        if let Some(predicate) = filter {
            op = Box::new(Filter {
                input: op,
                predicate,
            });
        }
        Ok(Rows {
            op: Box::new(Project { input: op, items }),
            done: false,
        })
    }

    /// The page cache's counters, to see how many pages a query reads.
    pub fn cache_stats(&self) -> CacheStats {
        self.store.cache.stats()
    }

    /// Checks every table's tree, the catalog's, and the free list (see `SlottedTree::check`).
    pub fn check(&mut self) -> Result<(), DbError> {
        let mut roots = vec![CATALOG];
        roots.extend(self.tables.iter().map(|t| t.root));
        self.store.check(&roots)
    }
}

fn create_sql(name: &str, columns: &[ColumnDef]) -> String {
    let columns: Vec<String> = columns
        .iter()
        .map(|c| {
            let key = if c.primary_key { " PRIMARY KEY" } else { "" };
            format!("{} {}{key}", c.name, type_name(Some(c.ty)))
        })
        .collect();
    format!("CREATE TABLE {name} ({})", columns.join(", "))
}

fn type_name(ty: Option<ColumnType>) -> &'static str {
    match ty {
        Some(ColumnType::Integer) => "INTEGER",
        Some(ColumnType::Text) => "TEXT",
        None => "NULL",
    }
}

fn value_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "NULL",
        Value::Integer(_) => "INTEGER",
        Value::Text(_) => "TEXT",
    }
}

/// Resolves column names to indexes (`table` is `None` where no column may appear).
fn bind(e: &Expr, table: Option<&Table>) -> Result<Expr, DbError> {
    Ok(match e {
        Expr::Name(name, _) => match table {
            Some(t) => Expr::Column(t.column(name)?),
            None => return Err(query_error(format!("no such column: {name}"))),
        },
        Expr::Literal(_) | Expr::Column(_) => e.clone(),
        Expr::Neg(a) => Expr::Neg(Box::new(bind(a, table)?)),
        Expr::Not(a) => Expr::Not(Box::new(bind(a, table)?)),
        Expr::IsNull(a, negated) => Expr::IsNull(Box::new(bind(a, table)?), *negated),
        Expr::Binary(op, a, b) => {
            Expr::Binary(*op, Box::new(bind(a, table)?), Box::new(bind(b, table)?))
        }
    })
}

/// The static type of a bound expression (`None` for a `NULL` literal), or the type error.
fn type_of(e: &Expr, t: &Table) -> Result<Option<ColumnType>, DbError> {
    use ColumnType::{Integer, Text};
    let integer = |ty: Option<ColumnType>, what: &str| match ty {
        Some(Text) => Err(query_error(format!(
            "{what} needs INTEGER operands, got TEXT"
        ))),
        _ => Ok(Some(Integer)),
    };
    match e {
        Expr::Literal(Value::Null) => Ok(None),
        Expr::Literal(Value::Integer(_)) => Ok(Some(Integer)),
        Expr::Literal(Value::Text(_)) => Ok(Some(Text)),
        Expr::Column(i) => Ok(t.columns.get(*i).map(|c| c.ty)),
        Expr::Name(name, _) => Err(query_error(format!("no such column: {name}"))),
        Expr::Neg(a) => integer(type_of(a, t)?, "-"),
        Expr::Not(a) => integer(type_of(a, t)?, "NOT"),
        Expr::IsNull(a, _) => type_of(a, t).map(|_| Some(Integer)),
        Expr::Binary(op, a, b) => {
            let (ta, tb) = (type_of(a, t)?, type_of(b, t)?);
            match op {
                BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                    match (ta, tb) {
                        (Some(x), Some(y)) if x != y => Err(query_error(format!(
                            "cannot compare {} with {}",
                            type_name(ta),
                            type_name(tb)
                        ))),
                        _ => Ok(Some(Integer)),
                    }
                }
                _ => {
                    let what = format!("{op:?}").to_ascii_uppercase();
                    integer(ta, &what)?;
                    integer(tb, &what)
                }
            }
        }
    }
}

/// The bounds on the primary key implied by the top-level `AND`s of a `WHERE` condition.
fn key_bounds(e: &Expr, pk: usize) -> (Bound<i64>, Bound<i64>) {
    let (mut low, mut high) = (Bound::Unbounded, Bound::Unbounded);
    let mut conjuncts = vec![e];
    while let Some(e) = conjuncts.pop() {
        let Expr::Binary(op, a, b) = e else { continue };
        if *op == BinOp::And {
            conjuncts.push(a);
            conjuncts.push(b);
            continue;
        }
        let (op, v) = match (a.as_ref(), b.as_ref()) {
            (Expr::Column(c), Expr::Literal(Value::Integer(v))) if *c == pk => (*op, *v),
            (Expr::Literal(Value::Integer(v)), Expr::Column(c)) if *c == pk => match op {
                BinOp::Lt => (BinOp::Gt, *v),
                BinOp::Le => (BinOp::Ge, *v),
                BinOp::Gt => (BinOp::Lt, *v),
                BinOp::Ge => (BinOp::Le, *v),
                other => (*other, *v),
            },
            _ => continue,
        };
        let tighter_low = |new: Bound<i64>, old: Bound<i64>| match (new, old) {
            (_, Bound::Unbounded) => new,
            (Bound::Included(n) | Bound::Excluded(n), Bound::Included(o) | Bound::Excluded(o)) => {
                match n.cmp(&o) {
                    Ordering::Greater => new,
                    Ordering::Equal if matches!(new, Bound::Excluded(_)) => new,
                    _ => old,
                }
            }
            (Bound::Unbounded, _) => old,
        };
        let tighter_high = |new: Bound<i64>, old: Bound<i64>| match (new, old) {
            (_, Bound::Unbounded) => new,
            (Bound::Included(n) | Bound::Excluded(n), Bound::Included(o) | Bound::Excluded(o)) => {
                match n.cmp(&o) {
                    Ordering::Less => new,
                    Ordering::Equal if matches!(new, Bound::Excluded(_)) => new,
                    _ => old,
                }
            }
            (Bound::Unbounded, _) => old,
        };
        match op {
            BinOp::Eq => {
                low = tighter_low(Bound::Included(v), low);
                high = tighter_high(Bound::Included(v), high);
            }
            BinOp::Gt => low = tighter_low(Bound::Excluded(v), low),
            BinOp::Ge => low = tighter_low(Bound::Included(v), low),
            BinOp::Lt => high = tighter_high(Bound::Excluded(v), high),
            BinOp::Le => high = tighter_high(Bound::Included(v), high),
            _ => {}
        }
    }
    (low, high)
}

fn truth(v: &Value) -> Result<Option<bool>, DbError> {
    match v {
        Value::Null => Ok(None),
        Value::Integer(n) => Ok(Some(*n != 0)),
        Value::Text(_) => Err(query_error("a condition is TEXT")),
    }
}

fn boolean(b: Option<bool>) -> Value {
    b.map_or(Value::Null, |b| Value::Integer(i64::from(b)))
}

/// Evaluates a bound expression against a row, with SQL's three-valued logic: comparisons and
/// arithmetic with `NULL` give `NULL`; `NULL AND false` is false, `NULL OR true` is true.
fn eval(e: &Expr, row: &[Value]) -> Result<Value, DbError> {
    Ok(match e {
        Expr::Literal(v) => v.clone(),
        Expr::Column(i) => row
            .get(*i)
            .cloned()
            .ok_or_else(|| query_error("row is missing a column"))?,
        Expr::Name(name, _) => return Err(query_error(format!("no such column: {name}"))),
        Expr::Neg(a) => match eval(a, row)? {
            Value::Null => Value::Null,
            Value::Integer(n) => Value::Integer(
                n.checked_neg()
                    .ok_or_else(|| query_error("integer overflow"))?,
            ),
            Value::Text(_) => return Err(query_error("- needs an INTEGER, got TEXT")),
        },
        Expr::Not(a) => boolean(truth(&eval(a, row)?)?.map(|b| !b)),
        Expr::IsNull(a, negated) => {
            Value::Integer(i64::from((eval(a, row)? == Value::Null) != *negated))
        }
        Expr::Binary(BinOp::And, a, b) => {
            let (x, y) = (truth(&eval(a, row)?)?, truth(&eval(b, row)?)?);
            boolean(match (x, y) {
                (Some(false), _) | (_, Some(false)) => Some(false),
                (Some(true), Some(true)) => Some(true),
                _ => None,
            })
        }
        Expr::Binary(BinOp::Or, a, b) => {
            let (x, y) = (truth(&eval(a, row)?)?, truth(&eval(b, row)?)?);
            boolean(match (x, y) {
                (Some(true), _) | (_, Some(true)) => Some(true),
                (Some(false), Some(false)) => Some(false),
                _ => None,
            })
        }
        Expr::Binary(op, a, b) => {
            let (x, y) = (eval(a, row)?, eval(b, row)?);
            let ordering = match (&x, &y) {
                (Value::Null, _) | (_, Value::Null) => return Ok(Value::Null),
                (Value::Integer(m), Value::Integer(n)) => {
                    let (m, n) = (*m, *n);
                    let overflow = || query_error("integer overflow");
                    let arithmetic = match op {
                        BinOp::Add => Some(m.checked_add(n).ok_or_else(overflow)?),
                        BinOp::Sub => Some(m.checked_sub(n).ok_or_else(overflow)?),
                        BinOp::Mul => Some(m.checked_mul(n).ok_or_else(overflow)?),
                        // Division by zero is NULL, as in SQLite.
                        BinOp::Div | BinOp::Rem if n == 0 => return Ok(Value::Null),
                        BinOp::Div => Some(m.checked_div(n).ok_or_else(overflow)?),
                        BinOp::Rem => Some(m.checked_rem(n).ok_or_else(overflow)?),
                        _ => None,
                    };
                    if let Some(v) = arithmetic {
                        return Ok(Value::Integer(v));
                    }
                    m.cmp(&n)
                }
                (Value::Text(s), Value::Text(t)) if !is_arithmetic(*op) => s.cmp(t),
                _ => {
                    return Err(query_error(format!(
                        "cannot apply {op:?} to {} and {}",
                        value_type(&x),
                        value_type(&y)
                    )))
                }
            };
            boolean(Some(match op {
                BinOp::Eq => ordering == Ordering::Equal,
                BinOp::Ne => ordering != Ordering::Equal,
                BinOp::Lt => ordering == Ordering::Less,
                BinOp::Le => ordering != Ordering::Greater,
                BinOp::Gt => ordering == Ordering::Greater,
                _ => ordering != Ordering::Less,
            }))
        }
    })
}

fn is_arithmetic(op: BinOp) -> bool {
    matches!(
        op,
        BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Rem
    )
}

/// A Volcano operator: each call pulls one row from its input.
trait Operator {
    fn next(&mut self) -> Option<Result<Vec<Value>, DbError>>;
}

/// Reads a table's rows in key order from a range of its tree.
struct Scan<'a> {
    range: Range<'a>,
}

impl Operator for Scan<'_> {
    fn next(&mut self) -> Option<Result<Vec<Value>, DbError>> {
        Some(self.range.next()?.and_then(|(key, bytes)| {
            decode_record(&bytes).ok_or_else(|| DbError::Corrupt {
                page: 0,
                reason: format!("row {} is not a valid record", rowid_of(key)),
            })
        }))
    }
}

/// Passes on the rows for which the predicate is true (not false, not NULL).
struct Filter<'a> {
    input: Box<dyn Operator + 'a>,
    predicate: Expr,
}

impl Operator for Filter<'_> {
    fn next(&mut self) -> Option<Result<Vec<Value>, DbError>> {
        loop {
            let row = match self.input.next()? {
                Ok(row) => row,
                Err(e) => return Some(Err(e)),
            };
            match eval(&self.predicate, &row).and_then(|v| truth(&v)) {
                Ok(Some(true)) => return Some(Ok(row)),
                Ok(_) => {}
                Err(e) => return Some(Err(e)),
            }
        }
    }
}

/// Computes the selected expressions from each row.
struct Project<'a> {
    input: Box<dyn Operator + 'a>,
    items: Vec<Expr>,
}

impl Operator for Project<'_> {
    fn next(&mut self) -> Option<Result<Vec<Value>, DbError>> {
        Some(self.input.next()?.and_then(|row| {
            self.items
                .iter()
                .map(|e| eval(e, &row))
                .collect::<Result<Vec<_>, _>>()
        }))
    }
}

/// The rows of a query, pulled one at a time. After an error the iteration ends.
pub struct Rows<'a> {
    op: Box<dyn Operator + 'a>,
    done: bool,
}

impl Iterator for Rows<'_> {
    type Item = Result<Vec<Value>, DbError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let item = self.op.next();
        self.done = !matches!(item, Some(Ok(_)));
        item
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_and_keys_keep_order() {
        let row = vec![Value::Integer(-5), Value::Null, Value::Text("héllo".into())];
        assert_eq!(decode_record(&encode_record(&row)), Some(row));
        assert!(decode_record(&[0, 1, 9]).is_none());
        assert!(key_of(-1) < key_of(0) && key_of(i64::MIN) < key_of(i64::MAX));
        assert_eq!(rowid_of(key_of(-42)), -42);
    }
}

use std::path::Path;

use crate::{CacheStats, DbError, PageCache};

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

/// Milestone 4: an embedded SQL database in one file. Tables are B+trees of records
/// (milestone 2's slotted trees, one root page per table), the catalog is the tree on page 1,
/// and every write goes through milestone 3's journal. Outside `BEGIN` ... `COMMIT`, every
/// statement that changes something commits on its own.
///
/// Suggested modules: `sql.rs` (lexer, recursive-descent parser, AST), a record format and
/// the catalog, and the operators (`Scan`, `Filter`, `Project`), each pulling one row at a time
/// from its input. See the exercise README for the exact subset and behaviour.
pub struct Connection {
    /// The page cache, with milestone 3's journal, shared by the catalog and every table.
    cache: PageCache,
    // TODO: the catalog, whether BEGIN is open
}

impl Connection {
    /// Opens or creates the database at `path`, rolling back a hot journal first.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, DbError> {
        todo!("open {:?}", path.as_ref())
    }

    /// Runs a statement that returns no rows: `CREATE TABLE`, `INSERT` (returns the number of
    /// rows inserted; 0 for the others), `BEGIN`, `COMMIT`, `ROLLBACK`. A `SELECT` is an
    /// error: use [`Connection::query`].
    pub fn execute(&mut self, sql: &str) -> Result<usize, DbError> {
        todo!("execute {sql}")
    }

    /// Runs a `SELECT` and returns its rows as an iterator that reads them one at a time.
    /// Names and types are checked before any row is read; `WHERE` conditions on an
    /// `INTEGER PRIMARY KEY` column become a seek or a range scan of the table's tree.
    pub fn query(&mut self, sql: &str) -> Result<Rows<'_>, DbError> {
        todo!("query {sql}")
    }

    /// The page cache's counters, to see how many pages a query reads.
    pub fn cache_stats(&self) -> CacheStats {
        todo!()
    }

    /// Checks every table's tree, the catalog's, and the free list (as `SlottedTree::check`).
    pub fn check(&mut self) -> Result<(), DbError> {
        todo!()
    }
}

/// The rows of a query, pulled one at a time. After an error the iteration ends.
pub struct Rows<'a> {
    conn: &'a mut Connection,
    // TODO: the operator pipeline, e.g. a `Box<dyn Operator + 'a>`
}

impl Iterator for Rows<'_> {
    type Item = Result<Vec<Value>, DbError>;

    fn next(&mut self) -> Option<Self::Item> {
        todo!()
    }
}

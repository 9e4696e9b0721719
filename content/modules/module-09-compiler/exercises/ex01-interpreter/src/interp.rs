use std::collections::HashMap;
use std::io::Write;
use std::rc::Rc;

use crate::ast::{BinOp, Block, Expr, ExprKind, Stmt, UnOp};
use crate::{parse, Error, ErrorKind, Span, Value};

/// A tree-walking interpreter. Global variables persist across calls to [`Interpreter::run`],
/// so one interpreter can back a REPL.
///
/// Scopes are a stack of maps: index 0 holds the globals, and each block pushes a scope on
/// entry and pops it on exit. (Milestone 3's closures need scopes that outlive the block that
/// created them; that is when this becomes a chain of `Rc<RefCell<Env>>`. Keep the globals
/// where [`Interpreter::global`] can still return a plain `&Value`: a reference cannot be
/// handed out from inside a `RefCell`.)
pub struct Interpreter {
    scopes: Vec<HashMap<String, Value>>,
    // TODO: anything else you need (for example a depth counter, see the README)
}

impl Default for Interpreter {
    fn default() -> Self {
        Self::new()
    }
}

impl Interpreter {
    /// An interpreter with no variables defined.
    ///
    /// Milestone 3: the native functions `print`, `len` and `clock` are predefined globals,
    /// and `print` writes to standard output.
    pub fn new() -> Self {
        Self {
            scopes: vec![HashMap::new()],
        }
    }

    /// Milestone 3: like [`Interpreter::new`], except that `print` writes to `out` instead of
    /// standard output (the tests read what was printed this way).
    ///
    /// `print(a, b, ..)` takes any number of arguments and writes their display forms (as
    /// [`Value`]'s `Display` prints them) separated by single spaces, then a newline; it
    /// returns nil.
    pub fn with_output(out: impl Write + 'static) -> Self {
        todo!("an interpreter printing to the given writer")
    }

    /// Parses and runs `src`, returning the value of its trailing expression (nil if it ends
    /// with a statement). Top-level `let`s define globals that later runs can see. After a
    /// runtime error, globals defined before the error remain defined.
    pub fn run(&mut self, src: &str) -> Result<Value, Error> {
        todo!("run {src:?}")
    }

    /// The current value of global variable `name`.
    pub fn global(&self, name: &str) -> Option<&Value> {
        todo!("look up {name}")
    }
}

/// Runs `src` in a fresh interpreter.
pub fn eval(src: &str) -> Result<Value, Error> {
    Interpreter::new().run(src)
}

use std::collections::HashMap;
use std::io::Write;
use std::mem;
use std::rc::Rc;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::ast::{BinOp, Block, Expr, ExprKind, FnDef, Stmt, UnOp};
use crate::env::{self, Env, EnvRef};
use crate::value::{Closure, Native};
use crate::vm::arity_error;
use crate::{parse, Error, ErrorKind, Span, Value};

/// A runtime error before it is given a line and column (the evaluator does not hold the
/// source text; [`Interpreter::run`] does).
struct RuntimeError {
    message: String,
    span: Span,
    /// The source text `span` points into, once known: set by the first function call the
    /// error leaves (the function's own source). `None` means the text being run.
    src: Option<Rc<str>>,
}

/// Why evaluation stopped early: an error, or a `return` on its way to the call boundary.
/// Both travel through `?`; only a call catches `Return`. The error is boxed to keep `Eval`,
/// which every level of the recursion returns, small.
enum Unwind {
    Error(Box<RuntimeError>),
    Return(Value),
}

type Eval<T = Value> = Result<T, Unwind>;

fn fail<T>(message: impl Into<String>, span: Span) -> Eval<T> {
    Err(Unwind::Error(Box::new(RuntimeError {
        message: message.into(),
        span,
        src: None,
    })))
}

/// A tree-walking interpreter. Global variables persist across calls to [`Interpreter::run`],
/// so one interpreter can back a REPL.
///
/// The globals are a plain map owned by the interpreter. Every other scope (a block's, a
/// call's) is an [`Env`] on the heap with a link to its parent, because a closure created in it
/// may keep it alive after the block or call has finished. `env` is the innermost scope of the
/// code running now; `None` means the global scope.
pub struct Interpreter {
    globals: HashMap<String, Value>,
    env: Option<EnvRef>,
    /// The source text of the code running now: the current `run`'s, or inside a call, the
    /// text the function was written in. Closures created now remember it.
    src: Rc<str>,
    /// Current nesting of `eval` calls, bounded by [`MAX_EVAL_DEPTH`].
    depth: usize,
    /// Function calls in progress, bounded by [`MAX_CALLS`].
    calls: usize,
    /// Where `print` writes.
    out: Box<dyn Write>,
}

/// How deeply `eval` may recurse. The parser bounds nesting, but a long chain like
/// `1 + 1 + ... + 1` is parsed in a loop and still produces a deep (left-leaning) tree, and
/// every guest function call nests a few more levels. Past this depth we report an error
/// instead of overflowing the Rust stack, which would abort the process. It is high enough that
/// [`MAX_CALLS`] calls of an ordinary function body hit `stack overflow` first.
const MAX_EVAL_DEPTH: usize = 1_000;

/// How many function calls may be in progress at once. The call that would be one more fails
/// with `stack overflow`.
const MAX_CALLS: usize = 200;

impl Default for Interpreter {
    fn default() -> Self {
        Self::new()
    }
}

impl Interpreter {
    /// An interpreter whose only variables are the native functions, and whose `print` writes
    /// to standard output.
    pub fn new() -> Self {
        Self::with_output(std::io::stdout())
    }

    /// An interpreter whose `print` writes to `out`.
    pub fn with_output(out: impl Write + 'static) -> Self {
        let globals = Native::ALL
            .iter()
            .map(|&native| (native.name().to_owned(), Value::Native(native)))
            .collect();
        Self {
            globals,
            env: None,
            src: Rc::from(""),
            depth: 0,
            calls: 0,
            out: Box::new(out),
        }
    }

    /// Parses and runs `src`, returning the value of its trailing expression (nil if it ends
    /// with a statement). Top-level `let`s define globals that later runs can see. After a
    /// runtime error, globals defined before the error remain defined.
    pub fn run(&mut self, src: &str) -> Result<Value, Error> {
        let program = parse(src)?;
        self.src = Rc::from(src);
        let result = self.block_contents(&program);
        // Unwind whatever an error left behind: scopes, call depth, a function's source.
        self.env = None;
        self.depth = 0;
        self.calls = 0;
        let _ = self.out.flush();
        match result {
            // The parser rejects `return` outside a function, so no `Return` gets this far.
            Ok(value) | Err(Unwind::Return(value)) => Ok(value),
            Err(Unwind::Error(e)) => {
                let text = e.src.as_deref().unwrap_or(src);
                Err(Error::new(ErrorKind::Runtime, e.message, e.span, text))
            }
        }
    }

    /// The current value of global variable `name`.
    pub fn global(&self, name: &str) -> Option<&Value> {
        self.globals.get(name)
    }

    fn block_contents(&mut self, block: &Block) -> Eval {
        for stmt in &block.stmts {
            self.exec(stmt)?;
        }
        match &block.tail {
            Some(expr) => self.eval(expr),
            None => Ok(Value::Nil),
        }
    }

    /// Runs a block in a new scope inside the current one. The old scope is restored on every
    /// path out, errors and `return` included.
    fn scoped_block(&mut self, block: &Block) -> Eval {
        let inner = Env::child(self.env.as_ref());
        let outer = self.env.replace(inner);
        let result = self.block_contents(block);
        self.env = outer;
        result
    }

    fn exec(&mut self, stmt: &Stmt) -> Eval<()> {
        let (name, expr) = match stmt {
            Stmt::Let { name, init, .. } => (Some(name), init),
            Stmt::Expr(expr) => (None, expr),
        };
        let value = self.eval(expr)?;
        if let Some(name) = name {
            self.define(name, value);
        }
        Ok(())
    }

    /// Declares `name` in the current scope. A second `let` of the same name in the same scope
    /// replaces the variable: closures that captured the scope see the new one.
    fn define(&mut self, name: &str, value: Value) {
        match &self.env {
            Some(scope) => scope.borrow_mut().define(name, value),
            None => {
                self.globals.insert(name.to_owned(), value);
            }
        }
    }

    /// Evaluates one expression. Each non-trivial form lives in its own method: in debug builds
    /// a function's stack frame holds the locals of every `match` arm at once, and this function
    /// recurses once per level of the tree, so keeping it small multiplies the depth we survive.
    fn eval(&mut self, expr: &Expr) -> Eval {
        if self.depth >= MAX_EVAL_DEPTH {
            return fail("expression nested too deeply", expr.span);
        }
        self.depth += 1;
        let result = self.eval_kind(expr);
        self.depth -= 1;
        result
    }

    fn eval_kind(&mut self, expr: &Expr) -> Eval {
        match &expr.kind {
            ExprKind::Int(n) => Ok(Value::Int(*n)),
            ExprKind::Float(x) => Ok(Value::Float(*x)),
            ExprKind::Str(s) => Ok(Value::Str(Rc::from(s.as_str()))),
            ExprKind::Bool(b) => Ok(Value::Bool(*b)),
            ExprKind::Nil => Ok(Value::Nil),
            ExprKind::Var(name) => self.lookup(name, expr.span),
            ExprKind::Assign { name, value } => self.assign(name, value, expr.span),
            ExprKind::Unary {
                op,
                op_span,
                operand,
            } => self.unary(*op, *op_span, operand),
            ExprKind::Binary {
                op: op @ (BinOp::And | BinOp::Or),
                op_span,
                lhs,
                rhs,
            } => self.logical(*op, *op_span, lhs, rhs),
            ExprKind::Binary {
                op,
                op_span,
                lhs,
                rhs,
            } => self.binary(*op, *op_span, lhs, rhs),
            ExprKind::Block(block) => self.scoped_block(block),
            ExprKind::If {
                cond,
                then_branch,
                else_branch,
            } => self.if_else(cond, then_branch, else_branch.as_deref()),
            ExprKind::While { cond, body } => self.while_loop(cond, body),
            ExprKind::Fn(def) => Ok(self.closure(def)),
            ExprKind::Call {
                callee,
                paren_span,
                args,
            } => self.call(callee, *paren_span, args),
            ExprKind::Return(value) => self.return_value(value.as_deref()),
        }
    }

    fn lookup(&self, name: &str, span: Span) -> Eval {
        if let Some(value) = env::get(self.env.clone(), name) {
            return Ok(value);
        }
        match self.globals.get(name) {
            Some(value) => Ok(value.clone()),
            None => fail(format!("undefined variable `{name}`"), span),
        }
    }

    fn assign(&mut self, name: &str, value: &Expr, span: Span) -> Eval {
        let value = self.eval(value)?;
        let Err(value) = env::assign(self.env.clone(), name, value.clone()) else {
            return Ok(value);
        };
        match self.globals.get_mut(name) {
            Some(slot) => {
                *slot = value.clone();
                Ok(value)
            }
            None => fail(format!("undefined variable `{name}`"), span),
        }
    }

    fn unary(&mut self, op: UnOp, op_span: Span, operand: &Expr) -> Eval {
        let value = self.eval(operand)?;
        apply_unary(op, value).or_else(|message| fail(message, op_span))
    }

    fn logical(&mut self, op: BinOp, op_span: Span, lhs: &Expr, rhs: &Expr) -> Eval {
        let left = want_bool(op, op_span, self.eval(lhs)?)?;
        // Short-circuit: the right operand is not evaluated (or type-checked) when the left
        // one decides the result.
        if (op == BinOp::And && !left) || (op == BinOp::Or && left) {
            return Ok(Value::Bool(left));
        }
        Ok(Value::Bool(want_bool(op, op_span, self.eval(rhs)?)?))
    }

    fn binary(&mut self, op: BinOp, op_span: Span, lhs: &Expr, rhs: &Expr) -> Eval {
        let left = self.eval(lhs)?;
        let right = self.eval(rhs)?;
        apply_binary(op, &left, &right).or_else(|message| fail(message, op_span))
    }

    fn if_else(&mut self, cond: &Expr, then_branch: &Block, else_branch: Option<&Expr>) -> Eval {
        if self.condition(cond)? {
            self.scoped_block(then_branch)
        } else if let Some(other) = else_branch {
            self.eval(other)
        } else {
            Ok(Value::Nil)
        }
    }

    fn while_loop(&mut self, cond: &Expr, body: &Block) -> Eval {
        while self.condition(cond)? {
            self.scoped_block(body)?;
        }
        Ok(Value::Nil)
    }

    fn condition(&mut self, cond: &Expr) -> Eval<bool> {
        match self.eval(cond)? {
            Value::Bool(b) => Ok(b),
            other => fail(
                format!("condition must be bool, found {}", other.type_name()),
                cond.span,
            ),
        }
    }

    /// A function expression: the definition plus the current scope and source text.
    fn closure(&self, def: &Rc<FnDef>) -> Value {
        Value::Closure(Rc::new(Closure {
            def: Rc::clone(def),
            env: self.env.clone(),
            src: Rc::clone(&self.src),
        }))
    }

    /// Evaluates the callee, then the arguments from left to right, then calls.
    ///
    /// `call` and `call_closure` are on the recursive path of every guest call, so the work
    /// that is not (evaluating arguments, checking them, building the frame, tidying up an
    /// error) lives in helpers whose stack frames are gone by the time the body runs.
    fn call(&mut self, callee: &Expr, paren_span: Span, args: &[Expr]) -> Eval {
        let callee = self.eval(callee)?;
        let args = self.eval_args(args)?;
        match callee {
            Value::Closure(closure) => self.call_closure(&closure, args, paren_span),
            Value::Native(native) => self.call_native(native, args, paren_span),
            other => fail(format!("cannot call {}", other.type_name()), paren_span),
        }
    }

    fn eval_args(&mut self, args: &[Expr]) -> Eval<Vec<Value>> {
        let mut values = Vec::with_capacity(args.len());
        for arg in args {
            values.push(self.eval(arg)?);
        }
        Ok(values)
    }

    fn call_closure(&mut self, closure: &Closure, args: Vec<Value>, paren_span: Span) -> Eval {
        let frame = self.enter(closure, args, paren_span)?;
        let caller_env = self.env.replace(frame);
        let caller_src = mem::replace(&mut self.src, Rc::clone(&closure.src));
        self.calls += 1;
        let result = self.block_contents(&closure.def.body);
        self.calls -= 1;
        self.env = caller_env;
        self.src = caller_src;
        finish_call(result, closure)
    }

    /// Checks a call and builds its scope: a child of the scope the function was *created*
    /// in (not the caller's), holding the parameters.
    fn enter(&self, closure: &Closure, args: Vec<Value>, paren_span: Span) -> Eval<EnvRef> {
        check_arity(closure.arity(), args.len(), paren_span)?;
        if self.calls >= MAX_CALLS {
            return fail("stack overflow", paren_span);
        }
        let frame = Env::child(closure.env.as_ref());
        {
            let mut scope = frame.borrow_mut();
            for (param, arg) in closure.def.params.iter().zip(args) {
                scope.define(param, arg);
            }
        } // the borrow ends before the body runs and touches the frame
        Ok(frame)
    }

    fn call_native(&mut self, native: Native, args: Vec<Value>, paren_span: Span) -> Eval {
        call_native(native, &args, &mut self.out).or_else(|message| fail(message, paren_span))
    }

    fn return_value(&mut self, value: Option<&Expr>) -> Eval {
        let value = match value {
            Some(expr) => self.eval(expr)?,
            None => Value::Nil,
        };
        Err(Unwind::Return(value))
    }
}

/// At the call boundary a `return` becomes the call's value. An error leaving the function gets
/// the function's source text, unless it already has one (from a function called deeper), so
/// that its span is read against the text it points into.
fn finish_call(result: Eval, closure: &Closure) -> Eval {
    match result {
        Ok(value) | Err(Unwind::Return(value)) => Ok(value),
        Err(Unwind::Error(mut error)) => {
            error.src.get_or_insert_with(|| Rc::clone(&closure.src));
            Err(Unwind::Error(error))
        }
    }
}

/// `expected 2 arguments, found 1` (and `expected 1 argument, ...` in the singular).
fn check_arity(expected: usize, found: usize, span: Span) -> Eval<()> {
    match arity_error(expected, found) {
        None => Ok(()),
        Some(message) => fail(message, span),
    }
}

/// Runs a native function (shared by the tree-walker and the VM). Errors are messages; the
/// caller attaches the call's span.
pub(crate) fn call_native(
    native: Native,
    args: &[Value],
    out: &mut dyn Write,
) -> Result<Value, String> {
    if let Some(message) = native
        .arity()
        .and_then(|arity| arity_error(arity, args.len()))
    {
        return Err(message);
    }
    match native {
        Native::Print => {
            let line = args
                .iter()
                .map(Value::to_string)
                .collect::<Vec<_>>()
                .join(" ");
            writeln!(out, "{line}").map_err(|e| format!("cannot print: {e}"))?;
            Ok(Value::Nil)
        }
        Native::Len => match &args[0] {
            Value::Str(s) => Ok(Value::Int(s.chars().count() as i64)),
            other => Err(format!(
                "argument of `len` must be string, found {}",
                other.type_name()
            )),
        },
        Native::Clock => {
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0.0, |d| d.as_secs_f64());
            Ok(Value::Float(now))
        }
    }
}

pub(crate) fn apply_unary(op: UnOp, value: Value) -> Result<Value, String> {
    match (op, &value) {
        (UnOp::Neg, Value::Int(n)) => n
            .checked_neg()
            .map(Value::Int)
            .ok_or_else(|| "integer overflow".to_owned()),
        (UnOp::Neg, Value::Float(x)) => Ok(Value::Float(-x)),
        (UnOp::Not, Value::Bool(b)) => Ok(Value::Bool(!b)),
        _ => Err(format!(
            "cannot apply `{}` to {}",
            op.symbol(),
            value.type_name()
        )),
    }
}

/// An operand of `&&` or `||`.
fn want_bool(op: BinOp, op_span: Span, value: Value) -> Eval<bool> {
    match value {
        Value::Bool(b) => Ok(b),
        other => fail(
            format!(
                "operands of `{}` must be bool, found {}",
                op.symbol(),
                other.type_name()
            ),
            op_span,
        ),
    }
}

/// Applies a strict (non-short-circuit) binary operator. Errors are messages; the caller
/// attaches the operator's span.
pub(crate) fn apply_binary(op: BinOp, left: &Value, right: &Value) -> Result<Value, String> {
    use Value::{Bool, Float, Int, Str};
    let mismatch = || {
        format!(
            "cannot apply `{}` to {} and {}",
            op.symbol(),
            left.type_name(),
            right.type_name()
        )
    };
    match op {
        BinOp::Eq => return Ok(Bool(equal(left, right))),
        BinOp::Ne => return Ok(Bool(!equal(left, right))),
        _ => {}
    }
    match (left, right) {
        (Int(a), Int(b)) => int_op(op, *a, *b).ok_or_else(mismatch)?,
        (Str(a), Str(b)) => match op {
            BinOp::Add => Ok(Str(format!("{a}{b}").into())),
            BinOp::Lt => Ok(Bool(a < b)),
            BinOp::Le => Ok(Bool(a <= b)),
            BinOp::Gt => Ok(Bool(a > b)),
            BinOp::Ge => Ok(Bool(a >= b)),
            _ => Err(mismatch()),
        },
        (Int(_) | Float(_), Int(_) | Float(_)) => {
            let (a, b) = (as_f64(left), as_f64(right));
            Ok(match op {
                BinOp::Add => Float(a + b),
                BinOp::Sub => Float(a - b),
                BinOp::Mul => Float(a * b),
                BinOp::Div => Float(a / b),
                BinOp::Rem => Float(a % b),
                BinOp::Pow => Float(a.powf(b)),
                BinOp::Lt => Bool(a < b),
                BinOp::Le => Bool(a <= b),
                BinOp::Gt => Bool(a > b),
                BinOp::Ge => Bool(a >= b),
                _ => return Err(mismatch()),
            })
        }
        _ => Err(mismatch()),
    }
}

/// Integer arithmetic and comparison. `None` means the operator does not apply to ints;
/// `Some(Err)` is an arithmetic error.
fn int_op(op: BinOp, a: i64, b: i64) -> Option<Result<Value, String>> {
    let overflow = || "integer overflow".to_owned();
    let arith = |r: Option<i64>| Some(r.map(Value::Int).ok_or_else(overflow));
    match op {
        BinOp::Add => arith(a.checked_add(b)),
        BinOp::Sub => arith(a.checked_sub(b)),
        BinOp::Mul => arith(a.checked_mul(b)),
        BinOp::Div | BinOp::Rem if b == 0 => Some(Err("division by zero".to_owned())),
        BinOp::Div => arith(a.checked_div(b)),
        BinOp::Rem => arith(a.checked_rem(b)),
        BinOp::Pow if b < 0 => Some(Err("negative exponent".to_owned())),
        BinOp::Pow => arith(u32::try_from(b).ok().and_then(|e| a.checked_pow(e))),
        BinOp::Lt => Some(Ok(Value::Bool(a < b))),
        BinOp::Le => Some(Ok(Value::Bool(a <= b))),
        BinOp::Gt => Some(Ok(Value::Bool(a > b))),
        BinOp::Ge => Some(Ok(Value::Bool(a >= b))),
        _ => None,
    }
}

fn as_f64(value: &Value) -> f64 {
    match value {
        Value::Int(n) => *n as f64,
        Value::Float(x) => *x,
        _ => f64::NAN,
    }
}

/// Language equality: values of different types are unequal, except that ints and floats
/// compare numerically (`1 == 1.0`).
fn equal(left: &Value, right: &Value) -> bool {
    match (left, right) {
        (Value::Int(_), Value::Float(_)) | (Value::Float(_), Value::Int(_)) => {
            as_f64(left) == as_f64(right)
        }
        _ => left == right,
    }
}

/// Runs `src` in a fresh interpreter.
pub fn eval(src: &str) -> Result<Value, Error> {
    Interpreter::new().run(src)
}

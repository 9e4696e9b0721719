use std::collections::HashMap;
use std::rc::Rc;

use crate::ast::{BinOp, Block, Expr, ExprKind, Stmt, UnOp};
use crate::{parse, Error, ErrorKind, Span, Value};

/// A runtime error before it is given a line and column (the evaluator does not hold the
/// source text; [`Interpreter::run`] does).
struct RuntimeError {
    message: String,
    span: Span,
}

type Eval<T = Value> = Result<T, RuntimeError>;

fn fail<T>(message: impl Into<String>, span: Span) -> Eval<T> {
    Err(RuntimeError {
        message: message.into(),
        span,
    })
}

/// A tree-walking interpreter. Global variables persist across calls to [`Interpreter::run`],
/// so one interpreter can back a REPL.
///
/// Scopes are a stack of maps: index 0 holds the globals, and each block pushes a scope on
/// entry and pops it on exit. (Milestone 3's closures need scopes that outlive the block that
/// created them; that is when this becomes a chain of `Rc<RefCell<Env>>`.)
pub struct Interpreter {
    scopes: Vec<HashMap<String, Value>>,
    /// Current nesting of `eval` calls, bounded by [`MAX_EVAL_DEPTH`].
    depth: usize,
}

/// How deeply `eval` may recurse. The parser bounds nesting, but a long chain like
/// `1 + 1 + ... + 1` is parsed in a loop and still produces a deep (left-leaning) tree. Past this
/// depth we report an error instead of overflowing the Rust stack, which would abort the
/// process. Milestone 3 reuses the same guard for deep recursion in the guest language.
const MAX_EVAL_DEPTH: usize = 400;

impl Default for Interpreter {
    fn default() -> Self {
        Self::new()
    }
}

impl Interpreter {
    /// An interpreter with no variables defined.
    pub fn new() -> Self {
        Self {
            scopes: vec![HashMap::new()],
            depth: 0,
        }
    }

    /// Parses and runs `src`, returning the value of its trailing expression (nil if it ends
    /// with a statement). Top-level `let`s define globals that later runs can see. After a
    /// runtime error, globals defined before the error remain defined.
    pub fn run(&mut self, src: &str) -> Result<Value, Error> {
        let program = parse(src)?;
        let result = self.block_contents(&program);
        self.scopes.truncate(1); // unwind scopes an error may have left behind
        self.depth = 0;
        result.map_err(|e| Error::new(ErrorKind::Runtime, e.message, e.span, src))
    }

    /// The current value of global variable `name`.
    pub fn global(&self, name: &str) -> Option<&Value> {
        self.scopes[0].get(name)
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

    fn scoped_block(&mut self, block: &Block) -> Eval {
        self.scopes.push(HashMap::new());
        let result = self.block_contents(block);
        self.scopes.pop();
        result
    }

    fn exec(&mut self, stmt: &Stmt) -> Eval<()> {
        match stmt {
            Stmt::Let { name, init, .. } => {
                let value = self.eval(init)?;
                self.scopes
                    .last_mut()
                    .expect("global scope")
                    .insert(name.clone(), value);
            }
            Stmt::Expr(expr) => {
                self.eval(expr)?;
            }
        }
        Ok(())
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
        }
    }

    fn lookup(&self, name: &str, span: Span) -> Eval {
        match self.scopes.iter().rev().find_map(|scope| scope.get(name)) {
            Some(value) => Ok(value.clone()),
            None => fail(format!("undefined variable `{name}`"), span),
        }
    }

    fn assign(&mut self, name: &str, value: &Expr, span: Span) -> Eval {
        let value = self.eval(value)?;
        match self
            .scopes
            .iter_mut()
            .rev()
            .find_map(|scope| scope.get_mut(name))
        {
            Some(slot) => {
                *slot = value.clone();
                Ok(value)
            }
            None => fail(format!("undefined variable `{name}`"), span),
        }
    }

    fn unary(&mut self, op: UnOp, op_span: Span, operand: &Expr) -> Eval {
        let value = self.eval(operand)?;
        match (op, &value) {
            (UnOp::Neg, Value::Int(n)) => n
                .checked_neg()
                .map(Value::Int)
                .map_or_else(|| fail("integer overflow", op_span), Ok),
            (UnOp::Neg, Value::Float(x)) => Ok(Value::Float(-x)),
            (UnOp::Not, Value::Bool(b)) => Ok(Value::Bool(!b)),
            _ => fail(
                format!("cannot apply `{}` to {}", op.symbol(), value.type_name()),
                op_span,
            ),
        }
    }

    fn logical(&mut self, op: BinOp, op_span: Span, lhs: &Expr, rhs: &Expr) -> Eval {
        let want_bool = |v: Value| match v {
            Value::Bool(b) => Ok(b),
            other => fail(
                format!(
                    "operands of `{}` must be bool, found {}",
                    op.symbol(),
                    other.type_name()
                ),
                op_span,
            ),
        };
        let left = want_bool(self.eval(lhs)?)?;
        // Short-circuit: the right operand is not evaluated (or type-checked) when the left
        // one decides the result.
        if (op == BinOp::And && !left) || (op == BinOp::Or && left) {
            return Ok(Value::Bool(left));
        }
        Ok(Value::Bool(want_bool(self.eval(rhs)?)?))
    }

    fn binary(&mut self, op: BinOp, op_span: Span, lhs: &Expr, rhs: &Expr) -> Eval {
        let left = self.eval(lhs)?;
        let right = self.eval(rhs)?;
        apply_binary(op, &left, &right).map_err(|message| RuntimeError {
            message,
            span: op_span,
        })
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
}

/// Applies a strict (non-short-circuit) binary operator. Errors are messages; the caller
/// attaches the operator's span.
fn apply_binary(op: BinOp, left: &Value, right: &Value) -> Result<Value, String> {
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

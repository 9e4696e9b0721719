//! The abstract syntax tree. Every expression carries its span so that runtime errors can point
//! at the code that caused them.
//!
//! `Display` prints a compact, fully parenthesized form used by the tests to check precedence
//! and associativity: `1 + 2 * 3` prints as `(+ 1 (* 2 3))`, a block as `{(let x 1) x}`, a call
//! as `(call f 1 2)` and a function as `(fn (a b) {(+ a b)})`.

use std::fmt;
use std::rc::Rc;

use crate::Span;

/// A binary operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    /// `+` (numbers, or string concatenation)
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/` (integer division truncates)
    Div,
    /// `%`
    Rem,
    /// `**` (right-associative, binds tighter than unary minus)
    Pow,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `&&` (short-circuit)
    And,
    /// `||` (short-circuit)
    Or,
}

impl BinOp {
    /// The operator as written in source.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Rem => "%",
            BinOp::Pow => "**",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::And => "&&",
            BinOp::Or => "||",
        }
    }
}

/// A prefix operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnOp {
    /// `-x`
    Neg,
    /// `!x`
    Not,
}

impl UnOp {
    /// The operator as written in source.
    pub fn symbol(self) -> &'static str {
        match self {
            UnOp::Neg => "-",
            UnOp::Not => "!",
        }
    }
}

/// An expression and the source it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// What kind of expression.
    pub kind: ExprKind,
    /// The source text the whole expression covers.
    pub span: Span,
}

/// The expression forms.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// An integer literal.
    Int(i64),
    /// A float literal.
    Float(f64),
    /// A string literal, escapes decoded.
    Str(String),
    /// `true` or `false`.
    Bool(bool),
    /// `nil`.
    Nil,
    /// A variable reference.
    Var(String),
    /// `name = value`; evaluates to the assigned value.
    Assign {
        /// The variable assigned to.
        name: String,
        /// The new value.
        value: Box<Expr>,
    },
    /// A prefix operation.
    Unary {
        /// The operator.
        op: UnOp,
        /// Where the operator is (runtime errors point here).
        op_span: Span,
        /// The operand.
        operand: Box<Expr>,
    },
    /// An infix operation.
    Binary {
        /// The operator.
        op: BinOp,
        /// Where the operator is (runtime errors point here).
        op_span: Span,
        /// Left operand.
        lhs: Box<Expr>,
        /// Right operand.
        rhs: Box<Expr>,
    },
    /// `{ stmts; tail }` (milestone 2): a new scope; its value is the tail, or nil.
    Block(Block),
    /// `if cond { .. } else ..` (milestone 2). Without `else`, a false condition gives nil.
    If {
        /// Must evaluate to a bool.
        cond: Box<Expr>,
        /// Taken when `cond` is true.
        then_branch: Block,
        /// Taken when `cond` is false: a block, or another `if` for `else if`.
        else_branch: Option<Box<Expr>>,
    },
    /// `while cond { .. }` (milestone 2); evaluates to nil.
    While {
        /// Must evaluate to a bool before each iteration.
        cond: Box<Expr>,
        /// The loop body.
        body: Block,
    },
    /// `fn (a, b) { .. }` (milestone 3): evaluates to a closure over the current environment.
    /// The definition sits behind an `Rc` so that a closure can keep its code alive after the
    /// program's AST is gone (a function defined in one `run` and called in the next).
    Fn(Rc<FnDef>),
    /// `callee(arg, ..)` (milestone 3): a postfix operator with the highest binding power.
    Call {
        /// The expression that should evaluate to a function.
        callee: Box<Expr>,
        /// Where the `(` is (call errors point here, as operator errors point at the operator).
        paren_span: Span,
        /// The arguments, evaluated left to right.
        args: Vec<Expr>,
    },
    /// `return` or `return value` (milestone 3): leaves the innermost function call with the
    /// value, or nil.
    Return(Option<Box<Expr>>),
}

/// A function's definition (milestone 3): what a closure runs when called.
#[derive(Debug, Clone, PartialEq)]
pub struct FnDef {
    /// `Some` for a declaration `fn name(..) { .. }`, `None` for a function expression.
    pub name: Option<String>,
    /// The parameter names, in order (all different).
    pub params: Vec<String>,
    /// The body; its value (or a `return`) is the call's value.
    pub body: Block,
}

/// A statement inside a block or at the top level of a program.
#[derive(Debug, Clone, PartialEq)]
pub enum Stmt {
    /// `let name = init;` declares a variable in the current scope (shadowing is allowed).
    ///
    /// A function declaration `fn name(a) { .. }` (milestone 3) is parsed as a `Let` whose `init`
    /// is an [`ExprKind::Fn`] with `name: Some(..)`, and prints as
    /// `(let name (fn name (a) {..}))`.
    Let {
        /// The new variable.
        name: String,
        /// Where the name is.
        name_span: Span,
        /// Its initial value.
        init: Expr,
    },
    /// An expression evaluated for its effect; its value is discarded.
    Expr(Expr),
}

/// A sequence of statements with an optional trailing expression (no `;`), whose value is the
/// block's value. A whole program is a block without braces.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Block {
    /// The statements, in order.
    pub stmts: Vec<Stmt>,
    /// The trailing expression, if the block ends with one.
    pub tail: Option<Box<Expr>>,
    /// The source the block covers.
    pub span: Span,
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ExprKind::Int(n) => write!(f, "{n}"),
            ExprKind::Float(x) => write!(f, "{x:?}"),
            ExprKind::Str(s) => write!(f, "{s:?}"),
            ExprKind::Bool(b) => write!(f, "{b}"),
            ExprKind::Nil => f.write_str("nil"),
            ExprKind::Var(name) => f.write_str(name),
            ExprKind::Assign { name, value } => write!(f, "(= {name} {value})"),
            ExprKind::Unary { op, operand, .. } => write!(f, "({} {operand})", op.symbol()),
            ExprKind::Binary { op, lhs, rhs, .. } => write!(f, "({} {lhs} {rhs})", op.symbol()),
            ExprKind::Block(block) => write!(f, "{block}"),
            ExprKind::If {
                cond,
                then_branch,
                else_branch,
            } => {
                write!(f, "(if {cond} {then_branch}")?;
                if let Some(other) = else_branch {
                    write!(f, " {other}")?;
                }
                f.write_str(")")
            }
            ExprKind::While { cond, body } => write!(f, "(while {cond} {body})"),
            ExprKind::Fn(def) => {
                f.write_str("(fn ")?;
                if let Some(name) = &def.name {
                    write!(f, "{name} ")?;
                }
                write!(f, "({}) {})", def.params.join(" "), def.body)
            }
            ExprKind::Call { callee, args, .. } => {
                write!(f, "(call {callee}")?;
                for arg in args {
                    write!(f, " {arg}")?;
                }
                f.write_str(")")
            }
            ExprKind::Return(None) => f.write_str("(return)"),
            ExprKind::Return(Some(value)) => write!(f, "(return {value})"),
        }
    }
}

impl fmt::Display for Stmt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Stmt::Let { name, init, .. } => write!(f, "(let {name} {init})"),
            Stmt::Expr(expr) => write!(f, "{expr};"),
        }
    }
}

impl fmt::Display for Block {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("{")?;
        let mut first = true;
        for item in self
            .stmts
            .iter()
            .map(|s| s as &dyn fmt::Display)
            .chain(self.tail.iter().map(|e| e as &dyn fmt::Display))
        {
            if !first {
                f.write_str(" ")?;
            }
            first = false;
            write!(f, "{item}")?;
        }
        f.write_str("}")
    }
}

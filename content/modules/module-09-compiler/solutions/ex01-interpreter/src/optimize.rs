//! Milestone 5: constant folding and dead-code elimination on the AST.
//!
//! [`optimize`] rewrites a program bottom-up into one that behaves the same (the same value,
//! output and errors, at the same positions) with less to evaluate: operations on literals are
//! computed ahead of time, branches whose condition is a literal are chosen ahead of time, and
//! statements that can have no effect, or can never run, are dropped. An operation that would
//! fail is never folded: it stays, so that the program still fails where and how it did.

use std::rc::Rc;

use crate::ast::{BinOp, Block, Expr, ExprKind, FnDef, Stmt, UnOp};
use crate::interp::{apply_binary, apply_unary};
use crate::Value;

/// Returns the optimized program. The input is left alone; spans are kept, a folded literal
/// taking the span of the whole expression it replaces.
pub fn optimize(program: &Block) -> Block {
    block(program)
}

fn block(block: &Block) -> Block {
    let mut stmts = Vec::with_capacity(block.stmts.len());
    let mut tail = block.tail.as_deref().map(expr).map(Box::new);
    for stmt in &block.stmts {
        let stmt = match stmt {
            Stmt::Let {
                name,
                name_span,
                init,
            } => Stmt::Let {
                name: name.clone(),
                name_span: *name_span,
                init: expr(init),
            },
            Stmt::Expr(e) => {
                let e = expr(e);
                if has_no_effect(&e) {
                    continue;
                }
                Stmt::Expr(e)
            }
        };
        let returns = matches!(&stmt, Stmt::Expr(e) if always_returns(e));
        stmts.push(stmt);
        if returns {
            // Nothing after a `return` in the same block can run.
            tail = None;
            break;
        }
    }
    Block {
        stmts,
        tail,
        span: block.span,
    }
}

/// Whether evaluating `e` as a statement always ends in a `return`: a `return`, or a block
/// (already optimized, so cut after its own `return`) whose last statement always returns.
fn always_returns(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Return(_) => true,
        ExprKind::Block(b) => {
            matches!(b.stmts.last(), Some(Stmt::Expr(last)) if always_returns(last))
        }
        _ => false,
    }
}

/// A statement that can be dropped: evaluating it cannot fail, print or assign.
fn has_no_effect(e: &Expr) -> bool {
    literal(e).is_some() || matches!(e.kind, ExprKind::Fn(_))
}

/// The value of a literal expression.
fn literal(e: &Expr) -> Option<Value> {
    Some(match &e.kind {
        ExprKind::Int(n) => Value::Int(*n),
        ExprKind::Float(x) => Value::Float(*x),
        ExprKind::Str(s) => Value::Str(Rc::from(s.as_str())),
        ExprKind::Bool(b) => Value::Bool(*b),
        ExprKind::Nil => Value::Nil,
        _ => return None,
    })
}

/// The literal expression for a value computed from literals, if it has one.
fn from_value(value: Value, span: crate::Span) -> Option<Expr> {
    let kind = match value {
        Value::Int(n) => ExprKind::Int(n),
        Value::Float(x) => ExprKind::Float(x),
        Value::Str(s) => ExprKind::Str(s.to_string()),
        Value::Bool(b) => ExprKind::Bool(b),
        Value::Nil => ExprKind::Nil,
        _ => return None,
    };
    Some(Expr { kind, span })
}

fn boxed(e: &Expr) -> Box<Expr> {
    Box::new(expr(e))
}

fn expr(e: &Expr) -> Expr {
    let span = e.span;
    let kind = match &e.kind {
        ExprKind::Int(_)
        | ExprKind::Float(_)
        | ExprKind::Str(_)
        | ExprKind::Bool(_)
        | ExprKind::Nil
        | ExprKind::Var(_) => e.kind.clone(),
        ExprKind::Assign { name, value } => ExprKind::Assign {
            name: name.clone(),
            value: boxed(value),
        },
        ExprKind::Unary {
            op,
            op_span,
            operand,
        } => return unary(*op, *op_span, expr(operand), span),
        ExprKind::Binary {
            op,
            op_span,
            lhs,
            rhs,
        } => return binary(*op, *op_span, expr(lhs), expr(rhs), span),
        ExprKind::Block(b) => return block_expr(block(b), span),
        ExprKind::If {
            cond,
            then_branch,
            else_branch,
        } => {
            let cond = expr(cond);
            match cond.kind {
                ExprKind::Bool(true) => return block_expr(block(then_branch), span),
                ExprKind::Bool(false) => {
                    return match else_branch {
                        Some(other) => expr(other),
                        None => Expr {
                            kind: ExprKind::Nil,
                            span,
                        },
                    };
                }
                _ => ExprKind::If {
                    cond: Box::new(cond),
                    then_branch: block(then_branch),
                    else_branch: else_branch.as_deref().map(boxed),
                },
            }
        }
        ExprKind::While { cond, body } => {
            let cond = expr(cond);
            if matches!(cond.kind, ExprKind::Bool(false)) {
                ExprKind::Nil
            } else {
                ExprKind::While {
                    cond: Box::new(cond),
                    body: block(body),
                }
            }
        }
        ExprKind::Fn(def) => ExprKind::Fn(Rc::new(FnDef {
            name: def.name.clone(),
            params: def.params.clone(),
            body: block(&def.body),
        })),
        ExprKind::Call {
            callee,
            paren_span,
            args,
        } => ExprKind::Call {
            callee: boxed(callee),
            paren_span: *paren_span,
            args: args.iter().map(expr).collect(),
        },
        ExprKind::Return(value) => ExprKind::Return(value.as_deref().map(boxed)),
    };
    Expr { kind, span }
}

/// A block in expression position. One without statements declares nothing, so it is just its
/// tail (or nil).
fn block_expr(b: Block, span: crate::Span) -> Expr {
    if b.stmts.is_empty() {
        return match b.tail {
            Some(tail) => *tail,
            None => Expr {
                kind: ExprKind::Nil,
                span,
            },
        };
    }
    Expr {
        kind: ExprKind::Block(b),
        span,
    }
}

fn unary(op: UnOp, op_span: crate::Span, operand: Expr, span: crate::Span) -> Expr {
    if let Some(value) = literal(&operand) {
        if let Some(folded) = apply_unary(op, value)
            .ok()
            .and_then(|v| from_value(v, span))
        {
            return folded;
        }
    }
    Expr {
        kind: ExprKind::Unary {
            op,
            op_span,
            operand: Box::new(operand),
        },
        span,
    }
}

fn binary(op: BinOp, op_span: crate::Span, lhs: Expr, rhs: Expr, span: crate::Span) -> Expr {
    let folded = match (op, literal(&lhs), literal(&rhs)) {
        // The left operand decides: the right one is never evaluated.
        (BinOp::And, Some(Value::Bool(false)), _) => Some(Value::Bool(false)),
        (BinOp::Or, Some(Value::Bool(true)), _) => Some(Value::Bool(true)),
        // Otherwise the result is the right operand, which must still be checked.
        (BinOp::And | BinOp::Or, Some(Value::Bool(_)), Some(Value::Bool(b))) => {
            Some(Value::Bool(b))
        }
        (BinOp::And | BinOp::Or, _, _) => None,
        (_, Some(a), Some(b)) => apply_binary(op, &a, &b).ok(),
        _ => None,
    };
    if let Some(folded) = folded.and_then(|v| from_value(v, span)) {
        return folded;
    }
    Expr {
        kind: ExprKind::Binary {
            op,
            op_span,
            lhs: Box::new(lhs),
            rhs: Box::new(rhs),
        },
        span,
    }
}

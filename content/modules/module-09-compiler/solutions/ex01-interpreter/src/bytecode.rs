//! Milestone 4: the bytecode the compiler produces and the VM runs, and its disassembler.
//!
//! An instruction is an [`Op`]: a one-byte tag and at most one 32-bit operand, eight bytes in
//! all, stored in a flat `Vec` with a parallel `Vec` of spans so that a runtime error can point
//! at the source of the instruction that failed. A [`Function`] is one unit of code: the
//! script, or the body of one `fn`.

use std::fmt::{self, Write as _};
use std::rc::Rc;

use crate::ast::{BinOp, UnOp};
use crate::{Span, Value};

/// One instruction. Operands are indexes: into the function's constants, names or functions,
/// into the current frame's stack slots or the closure's upvalues, or an absolute instruction
/// index for jumps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// Push `constants[k]` (an int, float or string literal).
    Const(u32),
    /// Push nil.
    Nil,
    /// Push true.
    True,
    /// Push false.
    False,
    /// Discard the top of the stack.
    Pop,
    /// Push the local in slot `s` of the current frame.
    GetLocal(u32),
    /// Store the top of the stack (which stays) into slot `s`.
    SetLocal(u32),
    /// Push the value of the closure's upvalue `u`.
    GetUpvalue(u32),
    /// Store the top of the stack (which stays) into upvalue `u`.
    SetUpvalue(u32),
    /// Push the global named `names[k]`; `undefined variable` if there is none.
    GetGlobal(u32),
    /// Store the top of the stack (which stays) into the existing global `names[k]`.
    SetGlobal(u32),
    /// Pop a value and define (or redefine) the global `names[k]` with it.
    DefineGlobal(u32),
    /// Pop one operand, push the result (`-` or `!`).
    Unary(UnOp),
    /// Pop two operands, push the result. Never `&&` or `||`, which compile to jumps.
    Binary(BinOp),
    /// Continue at instruction `t`.
    Jump(u32),
    /// Pop a condition, which must be a bool; continue at `t` if it is false.
    JumpIfFalse(u32),
    /// The left operand of `&&` is on top and must be a bool: if false, keep it and continue
    /// at `t`; if true, pop it and go on to the right operand.
    And(u32),
    /// The left operand of `||` is on top and must be a bool: if true, keep it and continue at
    /// `t`; if false, pop it and go on to the right operand.
    Or(u32),
    /// The right operand of `&&` or `||` is on top: check that it is a bool.
    CheckBool(BinOp),
    /// Call the value below the top `n` arguments with them; the result replaces all `n + 1`.
    Call(u32),
    /// Push a new closure of `functions[k]`, capturing the upvalues its `captures` list.
    Closure(u32),
    /// Keep the top value, discard the `n` slots below it (a block's locals), closing any
    /// upvalue that still points at one of them.
    EndScope(u32),
    /// Return the top value to the caller, closing the frame's open upvalues.
    Return,
}

/// Where a closure gets one of its upvalues when it is created: a local slot of the function
/// creating it, or one of that function's own upvalues.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capture {
    /// Slot `s` of the enclosing function's frame.
    Local(u32),
    /// Upvalue `u` of the enclosing closure.
    Upvalue(u32),
}

/// Compiled code: the script, or one function body.
#[derive(Debug, Default)]
pub struct Function {
    /// The declared name (`fn name(..)`), or `None` for a function expression or the script.
    pub name: Option<String>,
    /// Whether this is a whole program rather than a function.
    pub is_script: bool,
    /// The number of parameters.
    pub arity: usize,
    /// The instructions.
    pub code: Vec<Op>,
    /// `spans[i]` is the source of `code[i]`; runtime errors point there.
    pub spans: Vec<Span>,
    /// Literal values for [`Op::Const`].
    pub constants: Vec<Value>,
    /// Global names for [`Op::GetGlobal`], [`Op::SetGlobal`] and [`Op::DefineGlobal`].
    pub names: Vec<Rc<str>>,
    /// Nested functions for [`Op::Closure`].
    pub functions: Vec<Rc<Function>>,
    /// What a closure of this function captures, one entry per upvalue.
    pub captures: Vec<Capture>,
    /// The source text the spans point into.
    pub src: Rc<str>,
}

impl Function {
    /// How the function displays in a header or a `closure` instruction: `<script>`,
    /// `<fn name>` or `<fn>`.
    pub fn title(&self) -> String {
        match (&self.name, self.is_script) {
            (_, true) => "<script>".to_owned(),
            (Some(name), false) => format!("<fn {name}>"),
            (None, false) => "<fn>".to_owned(),
        }
    }

    /// The listing described in the README: a `== title ==` header, one line per instruction
    /// (`0004 get_local 1`), then the listing of each nested function in order, each after an
    /// empty line.
    pub fn disassemble(&self) -> String {
        let mut out = String::new();
        self.write_listing(&mut out)
            .expect("writing to a String cannot fail");
        out
    }

    fn write_listing(&self, out: &mut String) -> fmt::Result {
        writeln!(out, "== {} ==", self.title())?;
        for (i, op) in self.code.iter().enumerate() {
            write!(out, "{i:04} ")?;
            self.write_op(out, *op)?;
            out.push('\n');
        }
        for function in &self.functions {
            out.push('\n');
            function.write_listing(out)?;
        }
        Ok(())
    }

    fn write_op(&self, out: &mut String, op: Op) -> fmt::Result {
        let name = |k: u32| &self.names[k as usize];
        match op {
            Op::Const(k) => match &self.constants[k as usize] {
                Value::Str(s) => write!(out, "const {:?}", &**s),
                value => write!(out, "const {value}"),
            },
            Op::Nil => out.write_str("nil"),
            Op::True => out.write_str("true"),
            Op::False => out.write_str("false"),
            Op::Pop => out.write_str("pop"),
            Op::GetLocal(s) => write!(out, "get_local {s}"),
            Op::SetLocal(s) => write!(out, "set_local {s}"),
            Op::GetUpvalue(u) => write!(out, "get_upvalue {u}"),
            Op::SetUpvalue(u) => write!(out, "set_upvalue {u}"),
            Op::GetGlobal(k) => write!(out, "get_global {}", name(k)),
            Op::SetGlobal(k) => write!(out, "set_global {}", name(k)),
            Op::DefineGlobal(k) => write!(out, "define_global {}", name(k)),
            Op::Unary(op) => out.write_str(unary_name(op)),
            Op::Binary(op) => out.write_str(binary_name(op)),
            Op::Jump(t) => write!(out, "jump {t:04}"),
            Op::JumpIfFalse(t) => write!(out, "jump_if_false {t:04}"),
            Op::And(t) => write!(out, "and {t:04}"),
            Op::Or(t) => write!(out, "or {t:04}"),
            Op::CheckBool(op) => write!(out, "check_bool {}", op.symbol()),
            Op::Call(n) => write!(out, "call {n}"),
            Op::Closure(k) => {
                let function = &self.functions[k as usize];
                write!(out, "closure {}", function.title())?;
                for (i, capture) in function.captures.iter().enumerate() {
                    out.write_str(if i == 0 { " [" } else { ", " })?;
                    match capture {
                        Capture::Local(s) => write!(out, "local {s}")?,
                        Capture::Upvalue(u) => write!(out, "upvalue {u}")?,
                    }
                }
                if !function.captures.is_empty() {
                    out.write_str("]")?;
                }
                Ok(())
            }
            Op::EndScope(n) => write!(out, "end_scope {n}"),
            Op::Return => out.write_str("return"),
        }
    }
}

fn unary_name(op: UnOp) -> &'static str {
    match op {
        UnOp::Neg => "neg",
        UnOp::Not => "not",
    }
}

fn binary_name(op: BinOp) -> &'static str {
    match op {
        BinOp::Add => "add",
        BinOp::Sub => "sub",
        BinOp::Mul => "mul",
        BinOp::Div => "div",
        BinOp::Rem => "rem",
        BinOp::Pow => "pow",
        BinOp::Eq => "eq",
        BinOp::Ne => "ne",
        BinOp::Lt => "lt",
        BinOp::Le => "le",
        BinOp::Gt => "gt",
        BinOp::Ge => "ge",
        BinOp::And => "and",
        BinOp::Or => "or",
    }
}

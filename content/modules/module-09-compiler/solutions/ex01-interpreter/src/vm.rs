//! Milestone 4: a stack virtual machine for the bytecode of [`crate::bytecode`].
//!
//! One `Vec<Value>` holds every frame's slots and temporaries; a call frame is a closure, an
//! instruction pointer and the stack index of its slot 0 (the callee, followed by the
//! arguments). The loop is iterative, so guest recursion never recurses in Rust: the only
//! bound on it is the 200-call limit.
//!
//! Closures capture variables through *upvalues*. While the variable's frame is alive the
//! upvalue is *open*, an index into the stack, shared by every closure capturing that slot;
//! when the slot goes away (its block ends or its function returns) the upvalue is *closed*:
//! the value moves into it, and the closures keep sharing it.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::io::Write;
use std::rc::Rc;

use crate::bytecode::{Capture, Function, Op};
use crate::compiler::compile;
use crate::interp::{apply_binary, apply_unary, call_native};
use crate::value::Native;
use crate::{Error, ErrorKind, Span, Value};

/// How many calls may be in progress at once, as in the tree-walker.
const MAX_CALLS: usize = 200;

/// A function value created by the VM: compiled code plus the upvalues it captured.
pub struct VmClosure {
    function: Rc<Function>,
    upvalues: Vec<UpvalueRef>,
}

impl VmClosure {
    /// The compiled code the closure runs.
    pub fn function(&self) -> &Function {
        &self.function
    }
}

/// Functions compare by identity, as in the tree-walker.
impl PartialEq for VmClosure {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

impl fmt::Debug for VmClosure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

impl fmt::Display for VmClosure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.function.title())
    }
}

type UpvalueRef = Rc<RefCell<Upvalue>>;

enum Upvalue {
    /// The variable is still in stack slot `usize`.
    Open(usize),
    /// The variable's slot is gone; the value lives here now.
    Closed(Value),
}

struct Frame {
    closure: Rc<VmClosure>,
    /// The next instruction, saved while the frame is not the innermost one.
    ip: usize,
    /// Stack index of the frame's slot 0.
    base: usize,
}

/// A runtime error: the message, and the instruction it came from.
type Fault = (String, Span, Rc<str>);

/// The bytecode VM: the same language, the same globals and natives, and the same results and
/// errors as [`crate::Interpreter`].
pub struct Vm {
    globals: HashMap<Rc<str>, Value>,
    stack: Vec<Value>,
    frames: Vec<Frame>,
    /// Open upvalues, sorted by stack index, at most one per slot.
    open: Vec<UpvalueRef>,
    out: Box<dyn Write>,
}

impl Default for Vm {
    fn default() -> Self {
        Self::new()
    }
}

impl Vm {
    /// A VM whose only globals are the native functions, printing to standard output.
    pub fn new() -> Self {
        Self::with_output(std::io::stdout())
    }

    /// A VM whose `print` writes to `out`.
    pub fn with_output(out: impl Write + 'static) -> Self {
        let globals = Native::ALL
            .iter()
            .map(|&native| (Rc::from(native.name()), Value::Native(native)))
            .collect();
        Self {
            globals,
            stack: Vec::new(),
            frames: Vec::new(),
            open: Vec::new(),
            out: Box::new(out),
        }
    }

    /// Compiles and runs `src`, like [`crate::Interpreter::run`].
    pub fn run(&mut self, src: &str) -> Result<Value, Error> {
        let script = compile(src)?;
        self.execute(script)
    }

    /// Runs a compiled script (from [`compile`](crate::compile)). Globals persist between
    /// runs, including after an error.
    pub fn execute(&mut self, script: Function) -> Result<Value, Error> {
        let closure = Rc::new(VmClosure {
            function: Rc::new(script),
            upvalues: Vec::new(),
        });
        self.stack.push(Value::VmClosure(Rc::clone(&closure)));
        self.frames.push(Frame {
            closure,
            ip: 0,
            base: 0,
        });
        let result = self.run_frames();
        self.stack.clear();
        self.frames.clear();
        self.open.clear();
        let _ = self.out.flush();
        result.map_err(|(message, span, src)| Error::new(ErrorKind::Runtime, message, span, &src))
    }

    /// The current value of global variable `name`.
    pub fn global(&self, name: &str) -> Option<&Value> {
        self.globals.get(name)
    }

    fn pop(&mut self) -> Value {
        self.stack.pop().expect("the compiler balances the stack")
    }

    fn top(&self) -> &Value {
        self.stack.last().expect("the compiler balances the stack")
    }

    /// The dispatch loop. The innermost frame's closure, instruction pointer and base live in
    /// locals; they are saved into the frame on a call and reloaded on a return.
    fn run_frames(&mut self) -> Result<Value, Fault> {
        let frame = self.frames.last().expect("a frame to run");
        let mut closure = Rc::clone(&frame.closure);
        let mut ip = frame.ip;
        let mut base = frame.base;
        loop {
            let function = &closure.function;
            let op = function.code[ip];
            ip += 1;
            macro_rules! fail {
                ($message:expr) => {
                    return Err(($message, function.spans[ip - 1], Rc::clone(&function.src)))
                };
            }
            match op {
                Op::Const(k) => self.stack.push(function.constants[k as usize].clone()),
                Op::Nil => self.stack.push(Value::Nil),
                Op::True => self.stack.push(Value::Bool(true)),
                Op::False => self.stack.push(Value::Bool(false)),
                Op::Pop => {
                    self.pop();
                }
                Op::GetLocal(s) => self.stack.push(self.stack[base + s as usize].clone()),
                Op::SetLocal(s) => self.stack[base + s as usize] = self.top().clone(),
                Op::GetUpvalue(u) => {
                    let value = match &*closure.upvalues[u as usize].borrow() {
                        Upvalue::Open(i) => self.stack[*i].clone(),
                        Upvalue::Closed(value) => value.clone(),
                    };
                    self.stack.push(value);
                }
                Op::SetUpvalue(u) => {
                    let value = self.top().clone();
                    match &mut *closure.upvalues[u as usize].borrow_mut() {
                        Upvalue::Open(i) => self.stack[*i] = value,
                        Upvalue::Closed(slot) => *slot = value,
                    }
                }
                Op::GetGlobal(k) => {
                    let name = &function.names[k as usize];
                    match self.globals.get(name) {
                        Some(value) => self.stack.push(value.clone()),
                        None => fail!(format!("undefined variable `{name}`")),
                    }
                }
                Op::SetGlobal(k) => {
                    let name = &function.names[k as usize];
                    let value = self.top().clone();
                    match self.globals.get_mut(name) {
                        Some(slot) => *slot = value,
                        None => fail!(format!("undefined variable `{name}`")),
                    }
                }
                Op::DefineGlobal(k) => {
                    let value = self.pop();
                    self.globals
                        .insert(Rc::clone(&function.names[k as usize]), value);
                }
                Op::Unary(op) => {
                    let value = self.pop();
                    match apply_unary(op, value) {
                        Ok(result) => self.stack.push(result),
                        Err(message) => fail!(message),
                    }
                }
                Op::Binary(op) => {
                    let right = self.pop();
                    let left = self.pop();
                    match apply_binary(op, &left, &right) {
                        Ok(result) => self.stack.push(result),
                        Err(message) => fail!(message),
                    }
                }
                Op::Jump(t) => ip = t as usize,
                Op::JumpIfFalse(t) => match self.pop() {
                    Value::Bool(true) => {}
                    Value::Bool(false) => ip = t as usize,
                    other => fail!(format!(
                        "condition must be bool, found {}",
                        other.type_name()
                    )),
                },
                Op::And(t) | Op::Or(t) => {
                    let jump_on = matches!(op, Op::Or(_));
                    match *self.top() {
                        Value::Bool(b) if b == jump_on => ip = t as usize,
                        Value::Bool(_) => {
                            self.pop();
                        }
                        ref other => {
                            let symbol = if jump_on { "||" } else { "&&" };
                            fail!(not_bool(symbol, other))
                        }
                    }
                }
                Op::CheckBool(op) => {
                    if !matches!(self.top(), Value::Bool(_)) {
                        fail!(not_bool(op.symbol(), self.top()))
                    }
                }
                Op::Call(n) => {
                    let n = n as usize;
                    let callee_at = self.stack.len() - 1 - n;
                    match &self.stack[callee_at] {
                        Value::VmClosure(callee) => {
                            let callee = Rc::clone(callee);
                            if let Some(message) = arity_error(callee.function.arity, n) {
                                fail!(message)
                            }
                            if self.frames.len() > MAX_CALLS {
                                fail!("stack overflow".to_owned())
                            }
                            self.frames.last_mut().expect("the caller").ip = ip;
                            self.frames.push(Frame {
                                closure: Rc::clone(&callee),
                                ip: 0,
                                base: callee_at,
                            });
                            closure = callee;
                            ip = 0;
                            base = callee_at;
                        }
                        &Value::Native(native) => {
                            let args = self.stack.split_off(callee_at + 1);
                            match call_native(native, &args, &mut self.out) {
                                Ok(result) => {
                                    self.stack.pop();
                                    self.stack.push(result);
                                }
                                Err(message) => fail!(message),
                            }
                        }
                        other => fail!(format!("cannot call {}", other.type_name())),
                    }
                }
                Op::Closure(k) => {
                    let function = Rc::clone(&function.functions[k as usize]);
                    let upvalues = function
                        .captures
                        .iter()
                        .map(|capture| match *capture {
                            Capture::Local(s) => self.capture(base + s as usize),
                            Capture::Upvalue(u) => Rc::clone(&closure.upvalues[u as usize]),
                        })
                        .collect();
                    let value = VmClosure { function, upvalues };
                    self.stack.push(Value::VmClosure(Rc::new(value)));
                }
                Op::EndScope(n) => {
                    let value = self.pop();
                    let cut = self.stack.len() - n as usize;
                    self.close_upvalues(cut);
                    self.stack.truncate(cut);
                    self.stack.push(value);
                }
                Op::Return => {
                    let value = self.pop();
                    self.close_upvalues(base);
                    self.stack.truncate(base);
                    self.frames.pop();
                    let Some(caller) = self.frames.last() else {
                        return Ok(value);
                    };
                    self.stack.push(value);
                    closure = Rc::clone(&caller.closure);
                    ip = caller.ip;
                    base = caller.base;
                }
            }
        }
    }

    /// The open upvalue for stack slot `index`, shared with any closure that captured the same
    /// slot before.
    fn capture(&mut self, index: usize) -> UpvalueRef {
        let position = self
            .open
            .partition_point(|up| matches!(*up.borrow(), Upvalue::Open(i) if i < index));
        if let Some(existing) = self.open.get(position) {
            if matches!(*existing.borrow(), Upvalue::Open(i) if i == index) {
                return Rc::clone(existing);
            }
        }
        let upvalue = Rc::new(RefCell::new(Upvalue::Open(index)));
        self.open.insert(position, Rc::clone(&upvalue));
        upvalue
    }

    /// Closes every open upvalue at stack index `cut` or above: the slots are about to go.
    fn close_upvalues(&mut self, cut: usize) {
        while let Some(last) = self.open.last() {
            let index = match *last.borrow() {
                Upvalue::Open(i) => i,
                Upvalue::Closed(_) => unreachable!("closed upvalues leave the open list"),
            };
            if index < cut {
                break;
            }
            let value = self.stack[index].clone();
            *last.borrow_mut() = Upvalue::Closed(value);
            self.open.pop();
        }
    }
}

fn not_bool(symbol: &str, value: &Value) -> String {
    format!(
        "operands of `{symbol}` must be bool, found {}",
        value.type_name()
    )
}

/// `expected 2 arguments, found 1`, or `None` when the count is right.
pub(crate) fn arity_error(expected: usize, found: usize) -> Option<String> {
    if expected == found {
        return None;
    }
    let plural = if expected == 1 { "" } else { "s" };
    Some(format!(
        "expected {expected} argument{plural}, found {found}"
    ))
}

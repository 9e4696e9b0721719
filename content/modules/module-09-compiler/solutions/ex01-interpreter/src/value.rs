use std::fmt;
use std::rc::Rc;

use crate::ast::FnDef;
use crate::env::EnvRef;
use crate::vm::VmClosure;

/// A runtime value. Strings are `Rc<str>`: immutable and shared, so copying a value is cheap.
/// Functions (milestone 3) are shared the same way: copying one copies a pointer.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// The absence of a value.
    Nil,
    /// `true` or `false`.
    Bool(bool),
    /// A 64-bit signed integer; overflow is a runtime error.
    Int(i64),
    /// A 64-bit float.
    Float(f64),
    /// An immutable string.
    Str(Rc<str>),
    /// A function written in the language, with the environment it was created in.
    Closure(Rc<Closure>),
    /// A function provided by the interpreter.
    Native(Native),
    /// A function compiled to bytecode and created by the VM (milestone 4).
    VmClosure(Rc<VmClosure>),
}

impl Value {
    /// The name of the value's type, as used in error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Nil => "nil",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) => "string",
            Value::Closure(_) | Value::Native(_) | Value::VmClosure(_) => "function",
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Nil => f.write_str("nil"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(n) => write!(f, "{n}"),
            Value::Float(x) => write!(f, "{x:?}"),
            Value::Str(s) => f.write_str(s),
            Value::Closure(c) => write!(f, "{c}"),
            Value::Native(n) => write!(f, "<native fn {}>", n.name()),
            Value::VmClosure(c) => write!(f, "{c}"),
        }
    }
}

/// A function value: the code of a function plus the environment it was created in.
pub struct Closure {
    /// The parameters and body, shared with the AST (and with every other closure created from
    /// the same `fn`).
    pub(crate) def: Rc<FnDef>,
    /// The environment the `fn` was evaluated in; `None` is the global scope. Calls create a
    /// child of this environment, not of the caller's: that is lexical scoping.
    pub(crate) env: Option<EnvRef>,
    /// The source text the function was written in, so that an error inside it gets a line and
    /// column in that text even when the call comes from a later `run`.
    pub(crate) src: Rc<str>,
}

impl Closure {
    /// The declared name, if the function was declared with `fn name(..)`.
    pub fn name(&self) -> Option<&str> {
        self.def.name.as_deref()
    }

    /// The number of parameters.
    pub fn arity(&self) -> usize {
        self.def.params.len()
    }
}

/// Functions compare by identity: two closures are equal only if they are the same value
/// (`let g = f; f == g`), never because their code looks alike.
impl PartialEq for Closure {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

/// Prints `<fn name>` or `<fn>`. It must not print the environment: a recursive function's
/// environment contains the function itself.
impl fmt::Debug for Closure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

impl fmt::Display for Closure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => write!(f, "<fn {name}>"),
            None => f.write_str("<fn>"),
        }
    }
}

/// The native functions, predefined as globals of every interpreter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Native {
    /// `print(a, b, ..)`: writes its arguments' display forms separated by spaces, then a
    /// newline; returns nil.
    Print,
    /// `len(s)`: the number of characters of a string.
    Len,
    /// `clock()`: seconds since the Unix epoch, as a float.
    Clock,
}

impl Native {
    /// Every native function, in the order they are defined.
    pub const ALL: [Native; 3] = [Native::Print, Native::Len, Native::Clock];

    /// The global name it is bound to.
    pub fn name(self) -> &'static str {
        match self {
            Native::Print => "print",
            Native::Len => "len",
            Native::Clock => "clock",
        }
    }

    /// The number of arguments it takes, or `None` if it takes any number.
    pub fn arity(self) -> Option<usize> {
        match self {
            Native::Print => None,
            Native::Len => Some(1),
            Native::Clock => Some(0),
        }
    }
}

use std::fmt;
use std::rc::Rc;

/// A runtime value. Strings are `Rc<str>`: immutable and shared, so copying a value is cheap.
///
/// Milestone 3 adds function values, yours to design: a variant for closures (the function's
/// definition plus the environment it was created in) and one for native functions. Their
/// type name is `function`; they display as `<fn name>` (declared with `fn name(..)`), `<fn>`
/// (a function expression) or `<native fn name>`; and `==` compares them by identity, so
/// implement `PartialEq` (and `Debug`: a recursive function's environment contains the
/// function itself) by hand for the closure type.
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
        }
    }
}

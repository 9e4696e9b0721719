//! Environments for milestone 3: heap-allocated scopes with a parent link, shared by every
//! closure that captured them.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use crate::Value;

/// A shared, mutable scope. Closures hold these, so a scope lives as long as anything that can
/// still see it.
pub(crate) type EnvRef = Rc<RefCell<Env>>;

/// One scope: a block's or a call's variables, and the scope around it. The global scope is not
/// an `Env`: it lives in the interpreter (so that `Interpreter::global` can hand out a plain
/// reference), and a `parent` of `None` means "the globals".
pub(crate) struct Env {
    vars: HashMap<String, Value>,
    parent: Option<EnvRef>,
}

impl Env {
    /// A new, empty scope inside `parent` (`None`: inside the globals).
    pub(crate) fn child(parent: Option<&EnvRef>) -> EnvRef {
        Rc::new(RefCell::new(Env {
            vars: HashMap::new(),
            parent: parent.cloned(),
        }))
    }

    /// Declares `name` in this scope, replacing any variable of that name declared in it before.
    pub(crate) fn define(&mut self, name: &str, value: Value) {
        self.vars.insert(name.to_owned(), value);
    }
}

/// Where a name was found: in a local scope (`Ok`) or not at all (`Err`), in which case the
/// caller tries the globals.
///
/// Both functions walk the chain in a loop and hold each `RefCell` borrow only while looking at
/// one scope, so no borrow is ever alive when `eval` runs again.
pub(crate) fn get(mut env: Option<EnvRef>, name: &str) -> Option<Value> {
    while let Some(scope) = env {
        let scope = scope.borrow();
        if let Some(value) = scope.vars.get(name) {
            return Some(value.clone());
        }
        env = scope.parent.clone();
    }
    None
}

/// Assigns to the nearest local variable called `name`. Returns the value back if there is
/// none, so that the caller can try the globals.
pub(crate) fn assign(mut env: Option<EnvRef>, name: &str, value: Value) -> Result<(), Value> {
    while let Some(scope) = env {
        let mut scope = scope.borrow_mut();
        if let Some(slot) = scope.vars.get_mut(name) {
            *slot = value;
            return Ok(());
        }
        env = scope.parent.clone();
    }
    Err(value)
}

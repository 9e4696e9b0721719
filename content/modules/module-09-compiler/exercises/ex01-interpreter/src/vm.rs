//! Milestone 4: a stack virtual machine for the bytecode of [`crate::bytecode`].

use std::io::Write;

use crate::bytecode::Function;
use crate::{Error, Value};

/// The bytecode VM: the same language, the same globals and natives, and the same results and
/// errors as [`crate::Interpreter`].
///
/// Its function values are yours to add to [`Value`] (compiled code plus the upvalues it
/// captured), with the same type name, display and identity equality as the tree-walker's.
pub struct Vm {
    // TODO: globals, the value stack, call frames, open upvalues, the output
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
        todo!("a VM printing to the given writer")
    }

    /// Compiles and runs `src`, like [`crate::Interpreter::run`].
    pub fn run(&mut self, src: &str) -> Result<Value, Error> {
        let script = crate::compile(src)?;
        self.execute(script)
    }

    /// Runs a compiled script (from [`compile`](crate::compile)). Globals persist between
    /// runs, including after an error.
    pub fn execute(&mut self, script: Function) -> Result<Value, Error> {
        todo!("run a compiled script")
    }

    /// The current value of global variable `name`.
    pub fn global(&self, name: &str) -> Option<&Value> {
        todo!("look up {name}")
    }
}

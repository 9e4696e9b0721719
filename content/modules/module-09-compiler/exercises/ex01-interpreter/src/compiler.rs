//! Milestone 4: a compiler from the AST to [`Function`]s of bytecode. See the README for the
//! compilation scheme the disassembly tests expect.

use crate::ast::Block;
use crate::bytecode::Function;
use crate::{parse, Error};

/// Parses and compiles a program. The result is the script: its `return` gives the program's
/// value.
pub fn compile(src: &str) -> Result<Function, Error> {
    let program = parse(src)?;
    compile_program(&program, src)
}

/// Compiles an already parsed program whose spans point into `src`.
pub fn compile_program(program: &Block, src: &str) -> Result<Function, Error> {
    todo!("compile a program")
}

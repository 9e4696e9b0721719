//! A lexer, a Pratt parser and a tree-walking interpreter for a small expression language.
//!
//! ```text
//! let greeting = "hello";
//! let n = 3;
//! while n > 0 { greeting = greeting + "!"; n = n - 1; }
//! if n == 0 { greeting } else { "unreachable" }      // the program's value: "hello!!!"
//! ```
//!
//! The pipeline is `&str` → [`lex`] → tokens → [`parse`] → [`ast::Block`] → [`Interpreter`] →
//! [`Value`]. Every stage reports failures as an [`Error`] with a byte span and a 1-based
//! line and column.

#![allow(unused)] // TODO: remove once the todo!()s are gone

pub mod ast;
pub mod bytecode;
mod compiler;
mod error;
mod interp;
mod lexer;
mod optimize;
mod parser;
mod value;
mod vm;

pub use compiler::{compile, compile_program};
pub use error::{Error, ErrorKind, Span};
pub use interp::{eval, Interpreter};
pub use lexer::{lex, Lexer, Token, TokenKind};
pub use optimize::optimize;
pub use parser::{parse, parse_expr};
pub use value::Value;
pub use vm::Vm;

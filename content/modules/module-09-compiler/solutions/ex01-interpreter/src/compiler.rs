//! Milestone 4: a single-pass compiler from the AST to [`Function`]s of bytecode.
//!
//! Variables are resolved while compiling. Inside a block or a function a `let` creates a
//! *local*, a slot of the current call frame, read and written by index; a local of an
//! enclosing function is reached through an *upvalue*; every other name is a *global*, looked
//! up by name when the instruction runs (so a function may still use a global defined after
//! it).
//!
//! The compiler tracks the height of the frame's stack as it emits code, because blocks are
//! expressions: in `1 + { let a = 2; a }` the `1` is already on the stack when `a` gets its
//! slot, so a slot number is the stack height at the `let`, not a count of locals.

use std::rc::Rc;

use crate::ast::{BinOp, Block, Expr, ExprKind, FnDef, Stmt};
use crate::bytecode::{Capture, Function, Op};
use crate::{parse, Error, ErrorKind, Span, Value};

/// How deeply expressions may nest, the same bound as the tree-walker's evaluator: compiling is
/// recursive, and a long chain such as `1 + 1 + ... + 1` is a deep tree.
const MAX_DEPTH: usize = 1_000;

/// Parses and compiles a program. The result is the script: its `return` gives the program's
/// value.
pub fn compile(src: &str) -> Result<Function, Error> {
    let program = parse(src)?;
    compile_program(&program, src)
}

/// Compiles an already parsed program whose spans point into `src`.
pub fn compile_program(program: &Block, src: &str) -> Result<Function, Error> {
    let src: Rc<str> = Rc::from(src);
    let mut compiler = Compiler {
        states: vec![FnState::new(
            Function {
                is_script: true,
                src: Rc::clone(&src),
                ..Function::default()
            },
            0,
        )],
        src,
        depth: 0,
    };
    compiler
        .block_contents(program)
        .map_err(|(message, span)| Error::new(ErrorKind::Runtime, message, span, &compiler.src))?;
    compiler.emit(Op::Return, program.span);
    let state = compiler.states.pop().expect("the script's state");
    Ok(state.function)
}

type Compile<T = ()> = Result<T, (&'static str, Span)>;

/// A variable living in a stack slot of the current frame.
struct Local {
    name: String,
    /// The block nesting depth that declared it (1 for parameters).
    depth: usize,
    slot: u32,
}

/// The function being compiled, one per level of `fn` nesting.
struct FnState {
    function: Function,
    locals: Vec<Local>,
    /// Block nesting: 0 at the top level of the script (where `let` defines globals), 1 in a
    /// function body.
    scope_depth: usize,
    /// Values on the frame's stack at this point of the code, slot 0 (the callee) included.
    height: u32,
}

impl FnState {
    fn new(function: Function, scope_depth: usize) -> Self {
        Self {
            function,
            // Slot 0 holds the closure being run; no name can refer to it.
            locals: Vec::new(),
            scope_depth,
            height: 1,
        }
    }

    fn local(&self, name: &str) -> Option<&Local> {
        self.locals.iter().rev().find(|local| local.name == name)
    }

    fn add_capture(&mut self, capture: Capture) -> u32 {
        let captures = &mut self.function.captures;
        if let Some(i) = captures.iter().position(|&c| c == capture) {
            return i as u32;
        }
        captures.push(capture);
        (captures.len() - 1) as u32
    }
}

/// Where a name lives, as seen from the code being compiled.
enum Place {
    Local(u32),
    Upvalue(u32),
    Global(u32),
}

struct Compiler {
    /// The enclosing functions, innermost last; the script is first.
    states: Vec<FnState>,
    src: Rc<str>,
    depth: usize,
}

impl Compiler {
    fn state(&mut self) -> &mut FnState {
        self.states
            .last_mut()
            .expect("a function is being compiled")
    }

    /// Appends an instruction and keeps track of the stack height it leaves behind. Returns the
    /// instruction's index, for jumps to patch.
    fn emit(&mut self, op: Op, span: Span) -> u32 {
        let state = self.state();
        let effect: i64 = match op {
            Op::Const(_)
            | Op::Nil
            | Op::True
            | Op::False
            | Op::GetLocal(_)
            | Op::GetUpvalue(_)
            | Op::GetGlobal(_)
            | Op::Closure(_) => 1,
            // `and`/`or` pop their operand on the path that falls through to the right one;
            // on the jump, the right operand's value is what they left instead.
            Op::Pop | Op::DefineGlobal(_) | Op::Binary(_) | Op::JumpIfFalse(_) => -1,
            Op::And(_) | Op::Or(_) => -1,
            Op::Call(n) | Op::EndScope(n) => -i64::from(n),
            // `return` is an expression: whatever follows it (unreachable) sees a value.
            Op::SetLocal(_)
            | Op::SetUpvalue(_)
            | Op::SetGlobal(_)
            | Op::Unary(_)
            | Op::Jump(_)
            | Op::CheckBool(_)
            | Op::Return => 0,
        };
        state.height = (i64::from(state.height) + effect) as u32;
        let function = &mut state.function;
        function.code.push(op);
        function.spans.push(span);
        (function.code.len() - 1) as u32
    }

    fn here(&mut self) -> u32 {
        self.state().function.code.len() as u32
    }

    /// Points the jump at `at` to the next instruction to be emitted.
    fn patch(&mut self, at: u32) {
        let target = self.here();
        match &mut self.state().function.code[at as usize] {
            Op::Jump(t) | Op::JumpIfFalse(t) | Op::And(t) | Op::Or(t) => *t = target,
            op => unreachable!("patching {op:?}"),
        }
    }

    fn constant(&mut self, value: Value, span: Span) {
        let constants = &mut self.state().function.constants;
        constants.push(value);
        let k = (constants.len() - 1) as u32;
        self.emit(Op::Const(k), span);
    }

    fn name(&mut self, name: &str) -> u32 {
        let names = &mut self.state().function.names;
        if let Some(k) = names.iter().position(|n| &**n == name) {
            return k as u32;
        }
        names.push(Rc::from(name));
        (names.len() - 1) as u32
    }

    /// Resolves `name` from the innermost function: its locals, then (as an upvalue) those of
    /// each enclosing function, then the globals.
    fn resolve(&mut self, name: &str) -> Place {
        let innermost = self.states.len() - 1;
        if let Some(local) = self.states[innermost].local(name) {
            return Place::Local(local.slot);
        }
        match self.upvalue(innermost, name) {
            Some(u) => Place::Upvalue(u),
            None => Place::Global(self.name(name)),
        }
    }

    /// The upvalue of function `level` that reaches `name` in an enclosing function, adding it
    /// (and the ones in between) to the capture lists as needed.
    fn upvalue(&mut self, level: usize, name: &str) -> Option<u32> {
        if level == 0 {
            return None;
        }
        let enclosing = level - 1;
        if let Some(slot) = self.states[enclosing].local(name).map(|l| l.slot) {
            return Some(self.states[level].add_capture(Capture::Local(slot)));
        }
        let u = self.upvalue(enclosing, name)?;
        Some(self.states[level].add_capture(Capture::Upvalue(u)))
    }

    fn block_contents(&mut self, block: &Block) -> Compile {
        for stmt in &block.stmts {
            self.stmt(stmt)?;
        }
        match &block.tail {
            Some(expr) => self.expr(expr),
            None => {
                self.emit(Op::Nil, block.span);
                Ok(())
            }
        }
    }

    /// A block in a scope of its own: its value stays on the stack, its locals go.
    fn scoped_block(&mut self, block: &Block) -> Compile {
        let state = self.state();
        state.scope_depth += 1;
        let before = state.locals.len();
        let result = self.block_contents(block);
        let state = self.state();
        let declared = state.locals.len() - before;
        state.locals.truncate(before);
        state.scope_depth -= 1;
        result?;
        if declared > 0 {
            self.emit(Op::EndScope(declared as u32), block.span);
        }
        Ok(())
    }

    fn stmt(&mut self, stmt: &Stmt) -> Compile {
        match stmt {
            Stmt::Expr(expr) => {
                self.expr(expr)?;
                self.emit(Op::Pop, expr.span);
                Ok(())
            }
            Stmt::Let {
                name,
                name_span,
                init,
            } => self.let_stmt(name, *name_span, init),
        }
    }

    fn let_stmt(&mut self, name: &str, name_span: Span, init: &Expr) -> Compile {
        let state = self.state();
        let depth = state.scope_depth;
        if depth == 0 {
            self.expr(init)?;
            let k = self.name(name);
            self.emit(Op::DefineGlobal(k), name_span);
            return Ok(());
        }
        // One variable per name per scope: a second `let` in the same scope assigns the slot,
        // which closures that captured it see.
        let existing = state
            .local(name)
            .filter(|local| local.depth == depth)
            .map(|local| local.slot);
        if let Some(slot) = existing {
            self.expr(init)?;
            self.emit(Op::SetLocal(slot), name_span);
            self.emit(Op::Pop, name_span);
            return Ok(());
        }
        let slot = state.height;
        let local = Local {
            name: name.to_owned(),
            depth,
            slot,
        };
        // A function can call itself: declare it before compiling its body, in the slot its
        // closure is about to be pushed to. Any other initializer sees the outer variables.
        if matches!(init.kind, ExprKind::Fn(_)) {
            state.locals.push(local);
            self.expr(init)
        } else {
            self.expr(init)?;
            self.state().locals.push(local);
            Ok(())
        }
    }

    fn expr(&mut self, expr: &Expr) -> Compile {
        if self.depth >= MAX_DEPTH {
            return Err(("expression nested too deeply", expr.span));
        }
        self.depth += 1;
        let result = self.expr_kind(expr);
        self.depth -= 1;
        result
    }

    fn expr_kind(&mut self, expr: &Expr) -> Compile {
        let span = expr.span;
        match &expr.kind {
            ExprKind::Int(n) => self.constant(Value::Int(*n), span),
            ExprKind::Float(x) => self.constant(Value::Float(*x), span),
            ExprKind::Str(s) => self.constant(Value::Str(Rc::from(s.as_str())), span),
            ExprKind::Bool(true) => _ = self.emit(Op::True, span),
            ExprKind::Bool(false) => _ = self.emit(Op::False, span),
            ExprKind::Nil => _ = self.emit(Op::Nil, span),
            ExprKind::Var(name) => {
                let op = match self.resolve(name) {
                    Place::Local(s) => Op::GetLocal(s),
                    Place::Upvalue(u) => Op::GetUpvalue(u),
                    Place::Global(k) => Op::GetGlobal(k),
                };
                self.emit(op, span);
            }
            ExprKind::Assign { name, value } => {
                self.expr(value)?;
                let op = match self.resolve(name) {
                    Place::Local(s) => Op::SetLocal(s),
                    Place::Upvalue(u) => Op::SetUpvalue(u),
                    Place::Global(k) => Op::SetGlobal(k),
                };
                self.emit(op, span);
            }
            ExprKind::Unary {
                op,
                op_span,
                operand,
            } => {
                self.expr(operand)?;
                self.emit(Op::Unary(*op), *op_span);
            }
            ExprKind::Binary {
                op: op @ (BinOp::And | BinOp::Or),
                op_span,
                lhs,
                rhs,
            } => {
                self.expr(lhs)?;
                let jump = match op {
                    BinOp::And => Op::And(0),
                    _ => Op::Or(0),
                };
                let at = self.emit(jump, *op_span);
                self.expr(rhs)?;
                self.emit(Op::CheckBool(*op), *op_span);
                self.patch(at);
            }
            ExprKind::Binary {
                op,
                op_span,
                lhs,
                rhs,
            } => {
                self.expr(lhs)?;
                self.expr(rhs)?;
                self.emit(Op::Binary(*op), *op_span);
            }
            ExprKind::Block(block) => self.scoped_block(block)?,
            ExprKind::If {
                cond,
                then_branch,
                else_branch,
            } => {
                self.expr(cond)?;
                let to_else = self.emit(Op::JumpIfFalse(0), cond.span);
                self.scoped_block(then_branch)?;
                let to_end = self.emit(Op::Jump(0), span);
                // The then-branch's value is not on the stack on the way to the else-branch.
                self.state().height -= 1;
                self.patch(to_else);
                match else_branch {
                    Some(other) => self.expr(other)?,
                    None => _ = self.emit(Op::Nil, span),
                }
                self.patch(to_end);
            }
            ExprKind::While { cond, body } => {
                let start = self.here();
                self.expr(cond)?;
                let to_end = self.emit(Op::JumpIfFalse(0), cond.span);
                self.scoped_block(body)?;
                self.emit(Op::Pop, body.span);
                self.emit(Op::Jump(start), span);
                self.patch(to_end);
                self.emit(Op::Nil, span);
            }
            ExprKind::Fn(def) => self.function(def, span)?,
            ExprKind::Call {
                callee,
                paren_span,
                args,
            } => {
                self.expr(callee)?;
                for arg in args {
                    self.expr(arg)?;
                }
                self.emit(Op::Call(args.len() as u32), *paren_span);
            }
            ExprKind::Return(value) => {
                match value {
                    Some(value) => self.expr(value)?,
                    None => _ = self.emit(Op::Nil, span),
                }
                self.emit(Op::Return, span);
            }
        }
        Ok(())
    }

    /// Compiles a function body into a new [`Function`] and emits the `closure` that creates
    /// it at run time.
    fn function(&mut self, def: &FnDef, span: Span) -> Compile {
        let mut state = FnState::new(
            Function {
                name: def.name.clone(),
                arity: def.params.len(),
                src: Rc::clone(&self.src),
                ..Function::default()
            },
            1,
        );
        for param in &def.params {
            state.locals.push(Local {
                name: param.clone(),
                depth: 1,
                slot: state.height,
            });
            state.height += 1;
        }
        self.states.push(state);
        let result = self.block_contents(&def.body);
        if result.is_ok() {
            self.emit(Op::Return, def.body.span);
        }
        let state = self.states.pop().expect("the function's state");
        result?;
        let functions = &mut self.state().function.functions;
        functions.push(Rc::new(state.function));
        let k = (functions.len() - 1) as u32;
        self.emit(Op::Closure(k), span);
        Ok(())
    }
}

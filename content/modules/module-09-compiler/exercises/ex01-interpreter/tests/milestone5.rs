//! Milestone 5 (stretch, re-scoped): constant folding and dead-code elimination. `optimize`
//! rewrites a parsed program into a smaller one with the same behaviour; the tests read its
//! output through the AST printer and the disassembler, and check that optimized programs run
//! exactly like the originals.

use std::cell::RefCell;
use std::io::{self, Write};
use std::rc::Rc;

use ex01_interpreter::{
    compile_program, optimize, parse, Error, ErrorKind, Interpreter, Value, Vm,
};

/// A `Write` whose bytes the test can read after handing it to an interpreter.
#[derive(Clone, Default)]
struct Captured(Rc<RefCell<Vec<u8>>>);

impl Captured {
    fn text(&self) -> String {
        String::from_utf8(self.0.borrow().clone()).expect("print wrote UTF-8")
    }
}

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Runs `f` on a thread with a 64 MiB stack: the tree-walker recurses in Rust, and some
/// programs here recurse 200 calls deep.
fn on_a_big_stack(f: impl FnOnce() + Send) {
    std::thread::scope(|scope| {
        let handle = std::thread::Builder::new()
            .stack_size(64 << 20)
            .spawn_scoped(scope, f)
            .expect("spawn a test thread");
        if let Err(panic) = handle.join() {
            std::panic::resume_unwind(panic);
        }
    });
}

/// A result in a form both backends can be compared in: function values differ in type
/// between the backends, so they compare by their display form.
#[derive(Debug, PartialEq)]
enum Outcome {
    Value(Value),
    Function(String),
    Error(ErrorKind, usize, usize, String),
}

fn outcome(result: Result<Value, Error>) -> Outcome {
    match result {
        Ok(value) if value.type_name() == "function" => Outcome::Function(value.to_string()),
        Ok(value) => Outcome::Value(value),
        Err(e) => Outcome::Error(e.kind, e.line, e.column, e.message),
    }
}

/// The optimized program, as the AST printer shows it.
fn optimized(src: &str) -> String {
    let program = parse(src).unwrap_or_else(|e| panic!("{src:?} failed to parse: {e}"));
    optimize(&program).to_string()
}

/// The expected listing, written indented in the test: each line trimmed.
fn lines(text: &str) -> String {
    let mut out = String::new();
    for line in text.trim().lines() {
        out.push_str(line.trim());
        out.push('\n');
    }
    out
}

/// Asserts that optimizing `src` changes nothing.
fn unchanged(src: &str) {
    let program = parse(src).unwrap_or_else(|e| panic!("{src:?} failed to parse: {e}"));
    assert_eq!(
        optimize(&program).to_string(),
        program.to_string(),
        "{src:?} must not change"
    );
}

/// Runs `src` on the tree-walker as written and on the VM optimized, and asserts the same
/// outcome and the same printed output.
fn same_behaviour(src: &str) -> Outcome {
    let tree_out = Captured::default();
    let vm_out = Captured::default();
    let expected = outcome(Interpreter::with_output(tree_out.clone()).run(src));
    let program = parse(src).unwrap_or_else(|e| panic!("{src:?} failed to parse: {e}"));
    let optimized = optimize(&program);
    let actual = outcome(
        compile_program(&optimized, src)
            .and_then(|script| Vm::with_output(vm_out.clone()).execute(script)),
    );
    assert_eq!(
        actual, expected,
        "{src:?} optimized to {optimized} behaves differently"
    );
    assert_eq!(vm_out.text(), tree_out.text(), "output of {src:?}");
    actual
}

#[test]
fn folds_operations_on_literals() {
    assert_eq!(optimized("1 + 2 * 3"), "{7}");
    assert_eq!(optimized("2 ** 3 ** 2"), "{512}");
    assert_eq!(optimized("-5"), "{-5}");
    assert_eq!(optimized("7 / 2 * 2 + 7 % 2"), "{7}");
    assert_eq!(optimized("1.5 + 1"), "{2.5}");
    assert_eq!(optimized("\"con\" + \"cat\""), "{\"concat\"}");
    assert_eq!(optimized("1 == 1.0"), "{true}");
    assert_eq!(optimized("(\"a\" < \"b\") == !false"), "{true}");
    assert_eq!(optimized("nil != nil"), "{false}");
    assert_eq!(
        optimized("-9223372036854775807 - 1"),
        "{-9223372036854775808}"
    );
    assert_eq!(optimized("let x = 2 * 3; x"), "{(let x 6) x}");
}

#[test]
fn folds_only_literal_subexpressions() {
    assert_eq!(optimized("x + 2 * 3"), "{(+ x 6)}");
    assert_eq!(optimized("(1 + 2) * x"), "{(* 3 x)}");
    assert_eq!(
        optimized("x + 1 + 2"),
        "{(+ (+ x 1) 2)}",
        "no reassociation: x + 1 may fail, or concatenate"
    );
    assert_eq!(
        optimized("let a = 1; a + 1"),
        "{(let a 1) (+ a 1)}",
        "no propagation through variables"
    );
    assert_eq!(
        optimized("f(1 + 1, -(2))(3 * 3)"),
        "{(call (call f 2 -2) 9)}"
    );
    assert_eq!(optimized("y = 10 / 5"), "{(= y 2)}");
}

#[test]
fn never_folds_an_operation_that_would_fail() {
    for src in [
        "1 / 0",
        "1 % 0",
        "2 ** 64",
        "9223372036854775807 + 1",
        "1 + true",
        "-\"s\"",
        "!3",
        "\"a\" < 1",
        "nil + nil",
    ] {
        unchanged(src);
        let outcome = same_behaviour(src);
        assert!(
            matches!(outcome, Outcome::Error(ErrorKind::Runtime, ..)),
            "{src:?} still fails at run time: {outcome:?}"
        );
    }
    assert_eq!(optimized("1 + 2 + 1 / 0"), "{(+ 3 (/ 1 0))}");
    assert_eq!(optimized("2 ** -1"), "{(** 2 -1)}");
    same_behaviour("2 ** -1");
    assert_eq!(
        same_behaviour("let a = 4 * 4;\nlet b = a + 2 ** 62 * 2;"),
        Outcome::Error(ErrorKind::Runtime, 2, 21, "integer overflow".to_owned()),
        "the error is still reported at the operator that failed"
    );
}

#[test]
fn folds_logical_operators_only_when_the_result_is_certain() {
    assert_eq!(optimized("false && x"), "{false}");
    assert_eq!(optimized("true || x"), "{true}");
    assert_eq!(optimized("true && false || true"), "{true}");
    assert_eq!(optimized("1 < 2 && 3 < 4"), "{true}");
    unchanged("true && x");
    unchanged("false || x");
    unchanged("x && false");
    unchanged("1 && x");
    unchanged("true && 1");
    assert_eq!(
        optimized("false && 1 / 0"),
        "{false}",
        "the right operand would never have run"
    );
}

#[test]
fn chooses_branches_of_constant_conditions() {
    assert_eq!(optimized("if true { 1 } else { 2 }"), "{1}");
    assert_eq!(optimized("if 1 > 2 { 1 } else { 2 }"), "{2}");
    assert_eq!(optimized("let v = if false { 1 }; v"), "{(let v nil) v}");
    assert_eq!(
        optimized("if false { a } else if true { b } else { c }"),
        "{b}"
    );
    assert_eq!(
        optimized("if true { let a = 1; a } else { b }"),
        "{{(let a 1) a}}",
        "a branch that declares something keeps its scope"
    );
    assert_eq!(
        optimized("{ 2 * 2 }"),
        "{4}",
        "a block without statements is its tail"
    );
    assert_eq!(
        optimized("let w = while 1 > 2 { x = 1; }; w"),
        "{(let w nil) w}"
    );
    assert_eq!(optimized("if c { 1 + 1 } else { 2 + 2 }"), "{(if c {2} 4)}");
    unchanged("if 1 { 2 }");
    unchanged("while x { }");
}

#[test]
fn removes_statements_without_effect_and_code_after_return() {
    assert_eq!(optimized("1; \"s\"; x; fn () { }; 2 + 2; y"), "{x; y}");
    assert_eq!(
        optimized("while false { print(1); } if false { print(2); } 3"),
        "{3}"
    );
    assert_eq!(
        optimized("fn f() { return 1; print(2); 3 }"),
        "{(let f (fn f () {(return 1);}))}"
    );
    assert_eq!(
        optimized("fn f(x) { if true { print(x); return x; } let y = 2; y }"),
        "{(let f (fn f (x) {{(call print x); (return x);};}))}",
        "a block that always returns ends its block too"
    );
    assert_eq!(
        optimized("fn f(x) { if x { return 1; } 2 }"),
        "{(let f (fn f (x) {(if x {(return 1);}); 2}))}",
        "a return that may not happen keeps what follows"
    );
    assert_eq!(
        optimized("fn f() { let v = 1 + return 5; v }"),
        "{(let f (fn f () {(let v (+ 1 (return 5))) v}))}"
    );
}

#[test]
fn optimized_bytecode_is_smaller() {
    let src =
        "let x = 2 * 3 + 4;\nif x > 100 && false { print(\"big\"); } else { print(x * (1 + 1)); }";
    let program = parse(src).expect("parses");
    let optimized = optimize(&program);
    assert_eq!(
        optimized.to_string(),
        "{(let x 10) (if (&& (> x 100) false) {(call print \"big\");} {(call print (* x 2));})}"
    );
    let before = compile_program(&program, src).expect("compiles").code.len();
    let after = compile_program(&optimized, src).expect("compiles");
    assert_eq!(
        after.disassemble(),
        lines(
            r#"
            == <script> ==
            0000 const 10
            0001 define_global x
            0002 get_global x
            0003 const 100
            0004 gt
            0005 and 0008
            0006 false
            0007 check_bool &&
            0008 jump_if_false 0015
            0009 get_global print
            0010 const "big"
            0011 call 1
            0012 pop
            0013 nil
            0014 jump 0022
            0015 get_global print
            0016 get_global x
            0017 const 2
            0018 mul
            0019 call 1
            0020 pop
            0021 nil
            0022 return
            "#
        )
    );
    assert!(
        after.code.len() < before,
        "{} >= {before}",
        after.code.len()
    );
}

#[test]
fn optimized_programs_behave_like_the_originals() {
    on_a_big_stack(|| {
        for src in [
            "let i = 0; let total = 0; while i < 2 + 3 { i = i + 1; if 1 < 2 { total = total + i * (2 * 2); } } total",
            "fn fib(n) { if n < 1 + 1 { n } else { fib(n - 1) + fib(n - (4 - 2)) } } fib(10 + 5)",
            "fn make() { let n = 0 * 5; fn () { n = n + (1 * 1); n } } let c = make(); c(); c() + 0",
            "fn f(x) { if true { return x * (3 - 1); } print(\"never\"); } f(21)",
            "let s = \"\" + \"\"; let i = 0; while i < 3 { s = s + (\"a\" + \"b\"); i = i + 1; } len(s) + len(\"x\" + \"yz\")",
            "print(1 + 1, \"a\" + \"b\", 2.5 * 2, !true, nil == nil); if false { print(\"no\"); } print(0)",
            "let x = 5;\nif x > 2 * 2 { x + (true && 1) } else { 0 }",
            "fn f() { f() } if 1 == 1 { f() }",
            "fn d(n) { if n == 0 { 0 } else { 1 + d(n - 1) } } d(100 * 2)",
            "let g = nil; { let k = 2 ** 3; g = fn () { k * (10 - 9) }; } g()",
            "fn f() { return 1 + 1; } f() + (if false { 1 / 0 } else { 2 })",
            "{ let a = 1; 1 + 1; a }",
        ] {
            same_behaviour(src);
        }
    });
}

#[test]
fn generated_programs_keep_their_behaviour_and_optimizing_twice_changes_nothing() {
    on_a_big_stack(|| {
        let mut changed = 0;
        for seed in 0..300 {
            let src = Generator::new(seed).program();
            if let Outcome::Error(ErrorKind::Lex | ErrorKind::Parse, _, _, message) =
                outcome(parse(&src).map(|_| Value::Nil))
            {
                panic!("generated program {seed} is not valid ({message}):\n{src}");
            }
            same_behaviour(&src);
            let program = parse(&src).expect("parses");
            let once = optimize(&program);
            assert_eq!(
                optimize(&once).to_string(),
                once.to_string(),
                "optimizing {src:?} a second time changed it"
            );
            if once.to_string() != program.to_string() {
                changed += 1;
            }
        }
        assert!(
            changed > 200,
            "the generator should give the optimizer work: {changed}"
        );
    });
}

/// A small, seeded pseudo-random generator (xorshift64*), so that every run of the tests
/// generates the same programs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// Generates programs with integer variables, strings, blocks, loops with counters, functions
/// that capture and assign outer variables, and the occasional type or arithmetic error.
/// Every name is new, so a closure never depends on a `let` that comes after it (the one
/// place where the README lets the backends differ).
struct Generator {
    rng: Rng,
    next_name: usize,
    /// Variables in scope that hold ints, innermost scope last.
    vars: Vec<Vec<String>>,
    /// Functions in scope and their arity: each takes and returns ints.
    fns: Vec<Vec<(String, usize)>>,
    /// Loop counters in scope: readable, never assigned by generated code.
    counters: Vec<String>,
    depth: usize,
}

impl Generator {
    fn new(seed: u64) -> Self {
        Self {
            rng: Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1),
            next_name: 0,
            vars: vec![Vec::new()],
            fns: vec![Vec::new()],
            counters: Vec::new(),
            depth: 0,
        }
    }

    fn fresh(&mut self, prefix: &str) -> String {
        self.next_name += 1;
        format!("{prefix}{}", self.next_name)
    }

    fn pick<T: Clone>(&mut self, items: &[T]) -> Option<T> {
        if items.is_empty() {
            return None;
        }
        let i = self.rng.below(items.len() as u64) as usize;
        Some(items[i].clone())
    }

    fn visible_vars(&self) -> Vec<String> {
        self.vars.iter().flatten().cloned().collect()
    }

    fn visible_fns(&self) -> Vec<(String, usize)> {
        self.fns.iter().flatten().cloned().collect()
    }

    fn program(&mut self) -> String {
        let mut out = String::new();
        for _ in 0..2 + self.rng.below(6) {
            out.push_str(&self.stmt());
            out.push('\n');
        }
        out.push_str(&self.item_expr());
        out
    }

    /// An int expression where an item starts: one that starts with `{` or `if` would be a
    /// statement of its own there, so it goes in parentheses.
    fn item_expr(&mut self) -> String {
        let expr = self.int_expr();
        if expr.starts_with('{') || expr.starts_with("if ") {
            format!("({expr})")
        } else {
            expr
        }
    }

    fn stmt(&mut self) -> String {
        match self.rng.below(10) {
            0..=2 => {
                let init = self.int_expr();
                let name = self.fresh("v");
                self.vars.last_mut().expect("a scope").push(name.clone());
                format!("let {name} = {init};")
            }
            3 => match self.pick(&self.visible_vars()) {
                Some(name) => format!("{name} = {};", self.int_expr()),
                None => "print(\"none\");".to_owned(),
            },
            4 if self.depth < 3 => self.loop_stmt(),
            5 if self.depth < 3 => self.fn_decl(),
            6 => format!("print({}, \"s\" + \"t\");", self.int_expr()),
            7 if self.depth < 3 => {
                let body = self.block();
                format!("{body};")
            }
            8 => format!(
                "while {} > 2 {{ print(1); }} {};",
                self.rng.below(3),
                self.rng.below(9)
            ),
            _ => format!("{};", self.item_expr()),
        }
    }

    fn block(&mut self) -> String {
        self.depth += 1;
        self.vars.push(Vec::new());
        self.fns.push(Vec::new());
        let mut out = String::from("{ ");
        for _ in 0..self.rng.below(4) {
            out.push_str(&self.stmt());
            out.push(' ');
        }
        out.push_str(&self.item_expr());
        out.push_str(" }");
        self.vars.pop();
        self.fns.pop();
        self.depth -= 1;
        out
    }

    fn loop_stmt(&mut self) -> String {
        let counter = self.fresh("i");
        let limit = self.rng.below(5);
        self.counters.push(counter.clone());
        let body = self.block();
        self.counters.pop();
        // The counter goes up at the start of each iteration, so the body cannot skip it.
        let body = body.replacen("{ ", &format!("{{ {counter} = {counter} + 1; "), 1);
        format!("let {counter} = 0; while {counter} < {limit} {body}")
    }

    fn fn_decl(&mut self) -> String {
        let name = self.fresh("f");
        let arity = self.rng.below(3) as usize;
        let params: Vec<String> = (0..arity).map(|_| self.fresh("p")).collect();
        self.depth += 1;
        self.vars.push(params.clone());
        self.fns.push(Vec::new());
        let mut body = String::new();
        for _ in 0..self.rng.below(3) {
            body.push_str(&self.stmt());
            body.push(' ');
        }
        if self.rng.chance(30) {
            let value = self.int_expr();
            body.push_str(&format!("if {} {{ return {value}; }} ", self.condition()));
        }
        body.push_str(&self.item_expr());
        self.vars.pop();
        self.fns.pop();
        self.depth -= 1;
        // Declared after its body is generated: functions never call themselves, so every
        // call terminates.
        self.fns
            .last_mut()
            .expect("a scope")
            .push((name.clone(), arity));
        format!("fn {name}({}) {{ {body} }}", params.join(", "))
    }

    fn condition(&mut self) -> String {
        let ops = ["<", "<=", ">", ">=", "==", "!="];
        let op = ops[self.rng.below(ops.len() as u64) as usize];
        let cmp = format!("{} {op} {}", self.atom(), self.atom());
        match self.rng.below(6) {
            0 => format!("{cmp} && {}", self.atom_condition()),
            3 => format!("true && {cmp}"),
            4 => format!("false || {cmp}"),
            1 => format!("{cmp} || {}", self.atom_condition()),
            2 => format!("!({cmp})"),
            _ => cmp,
        }
    }

    fn atom_condition(&mut self) -> String {
        if self.rng.chance(2) {
            return self.atom(); // an int where a bool belongs: a runtime error
        }
        format!("{} == {}", self.atom(), self.atom())
    }

    fn atom(&mut self) -> String {
        let vars = self.visible_vars();
        let counters = self.counters.clone();
        match self.rng.below(10) {
            0..=3 if !vars.is_empty() => self.pick(&vars).expect("vars"),
            4 if !counters.is_empty() => self.pick(&counters).expect("counters"),
            5 => format!("len(\"{}\")", "ab".repeat(self.rng.below(3) as usize)),
            6 => format!(
                "({} {} {})",
                self.rng.below(10),
                ["+", "*", "-"][self.rng.below(3) as usize],
                self.rng.below(10)
            ),
            7 => format!(
                "if {} < {} {{ {} }} else {{ {} }}",
                self.rng.below(5),
                self.rng.below(5),
                self.rng.below(9),
                self.atom()
            ),
            _ => self.rng.below(10).to_string(),
        }
    }

    fn int_expr(&mut self) -> String {
        if self.depth > 5 {
            return self.atom();
        }
        self.depth += 1;
        let fns = self.visible_fns();
        let expr = match self.rng.below(12) {
            0..=2 => self.atom(),
            3..=5 => {
                let ops = ["+", "-", "*", "+", "-", "/", "%"];
                let op = ops[self.rng.below(ops.len() as u64) as usize];
                let (lhs, rhs) = (self.int_expr(), self.int_expr());
                if (op == "/" || op == "%") && !self.rng.chance(3) {
                    // A divisor that cannot be zero, most of the time.
                    format!("{lhs} {op} ({rhs} % 7 + 8)")
                } else {
                    format!("{lhs} {op} {rhs}")
                }
            }
            6 => format!("({})", self.int_expr()),
            7 => format!(
                "if {} {{ {} }} else {{ {} }}",
                self.condition(),
                self.item_expr(),
                self.item_expr()
            ),
            8 if !fns.is_empty() => {
                let (name, arity) = self.pick(&fns).expect("fns");
                let args: Vec<String> = (0..arity).map(|_| self.int_expr()).collect();
                format!("{name}({})", args.join(", "))
            }
            9 => {
                let param = self.fresh("p");
                self.vars.push(vec![param.clone()]);
                let body = self.item_expr();
                self.vars.pop();
                format!("fn ({param}) {{ {body} }}({})", self.int_expr())
            }
            10 if self.rng.chance(3) => format!("{} + true", self.atom()),
            _ => {
                let block = self.block();
                block.to_string()
            }
        };
        self.depth -= 1;
        expr
    }
}

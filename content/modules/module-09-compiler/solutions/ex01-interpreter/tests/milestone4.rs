//! Milestone 4: a bytecode compiler and a stack VM. The VM must give the same results, the same
//! errors (kind, line, column, message) and the same printed output as the tree-walker on the
//! programs of milestones 1 to 3 and on seeded generated programs; its disassembly follows the
//! format and the compilation scheme in the README.

use std::cell::RefCell;
use std::io::{self, Write};
use std::rc::Rc;

use ex01_interpreter::bytecode::Op;
use ex01_interpreter::{compile, Error, ErrorKind, Interpreter, Value, Vm};

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

/// Runs the sources one after the other on one tree-walker and on one VM, and asserts that
/// every run ends the same way and that both printed the same text. Returns the outcomes.
fn session(sources: &[&str]) -> Vec<Outcome> {
    let tree_out = Captured::default();
    let vm_out = Captured::default();
    let mut tree = Interpreter::with_output(tree_out.clone());
    let mut vm = Vm::with_output(vm_out.clone());
    let mut outcomes = Vec::new();
    for src in sources {
        let expected = outcome(tree.run(src));
        let actual = outcome(vm.run(src));
        assert_eq!(
            actual, expected,
            "the VM disagrees on {src:?} (in {sources:?})"
        );
        outcomes.push(actual);
    }
    assert_eq!(
        vm_out.text(),
        tree_out.text(),
        "the VM printed something else for {sources:?}"
    );
    outcomes
}

fn agree(src: &str) -> Outcome {
    session(&[src]).pop().expect("one outcome")
}

fn all_agree(programs: &[&str]) {
    for src in programs {
        agree(src);
    }
}

fn vm_ok(src: &str) -> Value {
    Vm::new()
        .run(src)
        .unwrap_or_else(|e| panic!("{src:?} failed on the VM: {e}"))
}

fn listing(src: &str) -> String {
    compile(src)
        .unwrap_or_else(|e| panic!("{src:?} failed to compile: {e}"))
        .disassemble()
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

// ---------------------------------------------------------------------------------------------
// The bytecode and its disassembly
// ---------------------------------------------------------------------------------------------

#[test]
fn disassembles_expressions_and_globals() {
    assert_eq!(
        listing("1 + 2 * 3"),
        lines(
            "
            == <script> ==
            0000 const 1
            0001 const 2
            0002 const 3
            0003 mul
            0004 add
            0005 return
            "
        )
    );
    assert_eq!(
        listing("let x = 1.5; x = -x; \"a\\n\" + nil; !true == false"),
        lines(
            r#"
            == <script> ==
            0000 const 1.5
            0001 define_global x
            0002 get_global x
            0003 neg
            0004 set_global x
            0005 pop
            0006 const "a\n"
            0007 nil
            0008 add
            0009 pop
            0010 true
            0011 not
            0012 false
            0013 eq
            0014 return
            "#
        )
    );
    assert_eq!(
        listing("len(\"x\", 2)"),
        lines(
            r#"
            == <script> ==
            0000 get_global len
            0001 const "x"
            0002 const 2
            0003 call 2
            0004 return
            "#
        ),
    );
    assert_eq!(
        listing("let y = 1;"),
        lines(
            "
            == <script> ==
            0000 const 1
            0001 define_global y
            0002 nil
            0003 return
            "
        ),
        "a program without a trailing expression returns nil"
    );
    assert!(
        std::mem::size_of::<Op>() <= 8,
        "an instruction is at most 8 bytes, not {}",
        std::mem::size_of::<Op>()
    );
}

#[test]
fn disassembles_blocks_with_local_slots() {
    assert_eq!(
        listing("{ let a = 1; let b = a; b = 2; a }"),
        lines(
            "
            == <script> ==
            0000 const 1
            0001 get_local 1
            0002 const 2
            0003 set_local 2
            0004 pop
            0005 get_local 1
            0006 end_scope 2
            0007 return
            "
        )
    );
    assert_eq!(
        listing("10 + { let a = 2; { let b = a; b } }"),
        lines(
            "
            == <script> ==
            0000 const 10
            0001 const 2
            0002 get_local 2
            0003 get_local 3
            0004 end_scope 1
            0005 end_scope 1
            0006 add
            0007 return
            "
        ),
        "a slot is the stack height at the `let`: the 10 is below a"
    );
    assert_eq!(
        listing("{ let a = 1; let a = a + 1; }"),
        lines(
            "
            == <script> ==
            0000 const 1
            0001 get_local 1
            0002 const 1
            0003 add
            0004 set_local 1
            0005 pop
            0006 nil
            0007 end_scope 1
            0008 return
            "
        ),
        "a second `let` in the same scope reuses the slot"
    );
    assert_eq!(
        listing("{ 5 }"),
        lines(
            "
            == <script> ==
            0000 const 5
            0001 return
            "
        ),
        "a block without locals needs no end_scope"
    );
}

#[test]
fn disassembles_control_flow_with_absolute_jump_targets() {
    assert_eq!(
        listing("if x { 1 } else { 2 }"),
        lines(
            "
            == <script> ==
            0000 get_global x
            0001 jump_if_false 0004
            0002 const 1
            0003 jump 0005
            0004 const 2
            0005 return
            "
        )
    );
    assert_eq!(
        listing("if a { 1 } else if b { 2 }"),
        lines(
            "
            == <script> ==
            0000 get_global a
            0001 jump_if_false 0004
            0002 const 1
            0003 jump 0009
            0004 get_global b
            0005 jump_if_false 0008
            0006 const 2
            0007 jump 0009
            0008 nil
            0009 return
            "
        ),
    );
    assert_eq!(
        listing("while i < 3 { i = i + 1; }"),
        lines(
            "
            == <script> ==
            0000 get_global i
            0001 const 3
            0002 lt
            0003 jump_if_false 0012
            0004 get_global i
            0005 const 1
            0006 add
            0007 set_global i
            0008 pop
            0009 nil
            0010 pop
            0011 jump 0000
            0012 nil
            0013 return
            "
        )
    );
    assert_eq!(
        listing("a && b || c"),
        lines(
            "
            == <script> ==
            0000 get_global a
            0001 and 0004
            0002 get_global b
            0003 check_bool &&
            0004 or 0007
            0005 get_global c
            0006 check_bool ||
            0007 return
            "
        )
    );
}

#[test]
fn disassembles_functions_closures_and_upvalues() {
    let src = "fn make(step) { let n = 0; fn () { n = n + step; n } }";
    assert_eq!(
        listing(src),
        lines(
            "
            == <script> ==
            0000 closure <fn make>
            0001 define_global make
            0002 nil
            0003 return

            == <fn make> ==
            0000 const 0
            0001 closure <fn> [local 2, local 1]
            0002 return

            == <fn> ==
            0000 get_upvalue 0
            0001 get_upvalue 1
            0002 add
            0003 set_upvalue 0
            0004 pop
            0005 get_upvalue 0
            0006 return
            "
        )
    );
    let src = "fn outer(a) { fn middle() { fn () { a } } }";
    assert_eq!(
        listing(src),
        lines(
            "
            == <script> ==
            0000 closure <fn outer>
            0001 define_global outer
            0002 nil
            0003 return

            == <fn outer> ==
            0000 closure <fn middle> [local 1]
            0001 nil
            0002 return

            == <fn middle> ==
            0000 closure <fn> [upvalue 0]
            0001 return

            == <fn> ==
            0000 get_upvalue 0
            0001 return
            "
        ),
        "a local two functions out is reached through the middle function's upvalue"
    );
    let src = "fn f() { fn g(k) { if k { g(false) } else { return 1; } } g(true) }";
    assert_eq!(
        listing(src),
        lines(
            "
            == <script> ==
            0000 closure <fn f>
            0001 define_global f
            0002 nil
            0003 return

            == <fn f> ==
            0000 closure <fn g> [local 1]
            0001 get_local 1
            0002 true
            0003 call 1
            0004 return

            == <fn g> ==
            0000 get_local 1
            0001 jump_if_false 0006
            0002 get_upvalue 0
            0003 false
            0004 call 1
            0005 jump 0010
            0006 const 1
            0007 return
            0008 pop
            0009 nil
            0010 return
            "
        ),
        "a local function can call itself: its name is declared before its body"
    );
}

// ---------------------------------------------------------------------------------------------
// Same results as the tree-walker
// ---------------------------------------------------------------------------------------------

#[test]
fn agrees_on_expressions_and_their_errors() {
    assert_eq!(agree("1 + 2 * 3"), Outcome::Value(Value::Int(7)));
    all_agree(&[
        "2 ** 3 ** 2",
        "-2 ** 2",
        "7 / 2 * 2 + 7 % 2",
        "-7 / 2",
        "1.5 + 1",
        "7 / 2.0",
        "10 % 3.5",
        "2 ** 0.5",
        "\"con\" + \"cat\"",
        "\"abc\" < \"abd\"",
        "\"b\" >= \"a\"",
        "1 == 1.0",
        "1 != \"1\"",
        "nil == nil",
        "true && false || true",
        "!(1 < 2) == false",
        "let x = 1; let y = x = 5; x + y",
        "let a = 1; let a = a + 1; a",
        "1 + true",
        "-\"s\"",
        "!3",
        "\"a\" < 1",
        "\"a\" - \"b\"",
        "1 / 0",
        "1 % 0",
        "9223372036854775807 + 1",
        "-9223372036854775807 - 2",
        "-(-9223372036854775807 - 1)",
        "2 ** -1",
        "2 ** 64",
        "1.0 / 0",
        "1 && true",
        "true && 1",
        "false && 1",
        "true || 1",
        "false || nil",
        "undefined + 1",
        "y = 1",
        "let x = 1;\nlet y = x +\n  \"s\";",
        "\"żółw\" + 1",
        "1 +",
        "let = 2;",
        "a < b < c",
        "\"open",
        "1 @ 2",
    ]);
}

#[test]
fn agrees_on_blocks_conditionals_and_loops() {
    let loop_src = "
        let i = 0;
        let total = 0;
        while i < 10 { i = i + 1; if i % 2 == 0 { total = total + i; } }
        total
    ";
    assert_eq!(agree(loop_src), Outcome::Value(Value::Int(30)));
    all_agree(&[
        "{ 1; 2 }",
        "{ 1; 2; }",
        "let x = { let a = 20; a + 1 }; x * 2",
        "let x = 1; { let x = 2; x = x + 10; } x",
        "let x = 1; { x = 5; } x",
        "{ let inner = 1; } inner",
        "{}",
        "{ { { 3 } } }",
        "if 1 < 2 { \"yes\" } else { \"no\" }",
        "let n = -5; if n > 0 { 1 } else if n < 0 { -1 } else { 0 }",
        "if false { 1 }",
        "let x = if true { 10 } else { 20 } + 1; x",
        "if 1 { 2 }",
        "while nil { }",
        "let i = 0; while i < 3 { i = i + 1; }",
        "let s = \"\"; let i = 0; while i < 4 { let c = \"ab\"; s = s + c; i = i + 1; } s",
        "let n = 0; while true { n = n + 1; if n == 5 { n = n / 0; } }",
        "let x = 1; 1 + { let y = x + { let z = 3; z * 2 }; y * 10 } + x",
        "let a = { let t = 1; { let u = t + 1; { let v = u + 1; t + u + v } } }; a",
        "{ let a = 1; let b = 2; let a = 3; a + b }",
        "{ let a = 1; { let a = a + 10; a } + a }",
    ]);
}

#[test]
fn agrees_on_functions_and_calls() {
    all_agree(&[
        "fn add(a, b) { a + b } add(2, 3)",
        "let sq = fn (x) { x * x }; sq(sq(3))",
        "fn nothing() {} nothing()",
        "fn two() { 1; 2; } two()",
        "fn (x) { x + 1 }(41)",
        "fn f() { 1 }",
        "fn sign(n) { if n < 0 { -1 } else { 1 } } sign(-5) * 10 + sign(3)",
        "fn f() { let v = 1 + return 5; v } f()",
        "fn f(x) { { { if x { return \"deep\"; } } } \"shallow\" } f(true) + f(false)",
        "let x = \"outer\"; fn f() { let x = \"inner\"; { return x; } } f() + x",
        "fn outer() { let g = fn () { return 1; }; g(); 2 } outer()",
        "fn first(limit) { let i = 0; while true { if i * i > limit { return i; } i = i + 1; } } first(50)",
        "fn add(a, b) { a + b } add",
        "let f = fn (x) { x }; f",
        "print",
        "let f = fn () { 1 }; let g = f; f == g",
        "fn () { 1 } == fn () { 1 }",
        "len == len",
        "fn f() {} f + 1",
        "fn twice(f, x) { f(f(x)) } twice(fn (n) { n * 3 }, 2)",
        "fn apply(f, x) { f(x) } apply(len, \"four\")",
        "let x = 5;\nx(1)",
        "\"text\"()",
        "fn f() { nil } f()()",
        "undefined_fn(1 / 0)",
        "5(1 / 0)",
        "fn f(a, b) { a } f(1)",
        "fn g(a) { a }\ng(1, 2)",
        "len()",
        "clock(1)",
        "len(42)",
        "len(\"héllo\")",
        "let len = 3; len",
        "fn f(x) {\n    x + true\n}\nf(1)",
        "fn f(x) { let y = { let x = x * 10; x }; y + x } f(2)",
        "let n = 100; fn f(n) { n * 2 } f(3) + n",
        "fn f() { later } let later = 5; f()",
        "fn peek() { local }\nfn caller() { let local = 1; peek() }\ncaller()",
        "fn f() { let secret = 1; }\nf();\nsecret",
        "print(\"a\", 1, 2.5, nil, true); print(); fn f() {} print(len, f)",
        "fn pick() { print(\"callee\"); fn (a) { a } }\npick()(print(\"arg 1\"), print(\"arg 2\"))",
        "fn f(a) { let a = a + 1; a } f(1)",
    ]);
}

#[test]
fn agrees_on_closures_and_upvalues() {
    let counter = "fn make() { let n = 0; fn () { n = n + 1; n } }\n";
    assert_eq!(
        agree(&format!(
            "{counter}let a = make(); let b = make(); a(); a(); b(); a() * 10 + b()"
        )),
        Outcome::Value(Value::Int(32))
    );
    all_agree(&[
        "let x = 1; let f = fn () { x }; x = 2; f()",
        "let inc = nil; let get = nil;
         fn setup() { let n = 0; inc = fn () { n = n + 1; }; get = fn () { n }; }
         setup(); inc(); inc(); get()",
        "let total = 0; fn add(n) { total = total + n; } add(5); add(7); total",
        "let a = 1; fn f(a) { a = a + 1; a } f(a) * 10 + a",
        "fn adder(n) { fn (x) { x + n } } let add5 = adder(5); let add10 = adder(10); add5(1) * 100 + add10(1)",
        "let f = nil; { let hidden = \"kept\"; f = fn () { hidden }; } f()",
        "let first = nil; let second = nil; let i = 0;
         while i < 2 {
             let j = i + 1;
             let f = fn () { j };
             if i == 0 { first = f; } else { second = f; }
             i = i + 1;
         }
         first() * 10 + second()",
        "fn f() { let x = 1; let g = fn () { x }; let x = 2; g() } f()",
        "let x = \"global\"; fn show() { x } fn test() { let x = \"local\"; show() } test()",
        "fn outer() {
             let x = 1;
             fn middle() { fn inner() { x = x + 1; x } inner }
             let i = middle();
             i(); i();
             x * 100 + i()
         }
         outer()",
        "fn pair() {
             let v = 0;
             let set = fn (n) { v = n; };
             let get = fn () { v };
             set(7);
             let before = get();
             { let v = 100; set(v); }
             before * 1000 + get()
         }
         pair()",
        "let getters = nil;
         { let a = 1; let b = 2; getters = fn () { fn () { a * 10 + b } }; a = 3; }
         getters()()",
        "fn counter_pair() {
             let count = 0;
             let inc = fn () { count = count + 1; count };
             inc(); inc();
             fn () { count + inc() }
         }
         let f = counter_pair(); f() * 10 + f()",
        "fn make() { let a = 1; { let b = 2; fn () { a + b } } } make()()",
        "let fs = nil; let i = 0;
         while i < 3 { let k = i; let prev = fs; fs = fn () { if prev == nil { k } else { k + 10 * prev() } }; i = i + 1; }
         fs()",
        "fn f() { fn g() { 1 } fn h() { g() + 1 } h() } f()",
        "fn fib(n) { if n < 2 { n } else { fib(n - 1) + fib(n - 2) } } fib(20)",
        "let fact = fn (n) { if n < 2 { 1 } else { n * fact(n - 1) } }; fact(20)",
        "fn is_even(n) { if n == 0 { true } else { is_odd(n - 1) } }
         fn is_odd(n) { if n == 0 { false } else { is_even(n - 1) } }
         is_even(10) && is_odd(7)",
    ]);
}

#[test]
fn agrees_on_the_call_limit_and_recursion() {
    on_a_big_stack(|| {
        let depth = "fn depth(n) { if n == 0 { 0 } else { 1 + depth(n - 1) } }\n";
        assert_eq!(
            agree(&format!("{depth}depth(199)")),
            Outcome::Value(Value::Int(199))
        );
        assert_eq!(
            agree(&format!("{depth}depth(200)")),
            Outcome::Error(ErrorKind::Runtime, 1, 47, "stack overflow".to_owned())
        );
        all_agree(&[
            "fn f() { f() } f()",
            "fn down(n) {\n    1 + down(n + 1)\n}\ndown(0)",
            "let calls = 0;\nfn count() { calls = calls + 1; count() }\ncount();",
            "let calls = 0;\nfn count() { calls = calls + 1; count() }\ncount(); calls",
        ]);
        let outcomes = session(&[
            "let calls = 0;\nfn count() { calls = calls + 1; count() }\ncount()",
            "calls",
        ]);
        assert_eq!(outcomes[1], Outcome::Value(Value::Int(200)));
    });
}

#[test]
fn agrees_across_runs_and_after_errors() {
    let outcomes = session(&[
        "let calls = 0;\nfn risky(x) {\n    calls = calls + 1;\n    10 / x\n}",
        "risky(2); risky(0)",
        "calls",
        "risky(1);\nrisky(1, 2)",
        "fn make() { let n = 0; fn () { n = n + 1; n } } let c = make();",
        "c()",
        "c(); c()",
        "fn f() { f() }\nlet before = 1;\nf()",
        "before",
        "fn g(x) { let inner = 1; x + nil } g(1)",
        "let after = 2; after",
        "inner",
        "{ let a = 1; a + nil }",
        "let ok = \"fine\"; ok",
    ]);
    assert_eq!(
        outcomes[1],
        Outcome::Error(ErrorKind::Runtime, 4, 8, "division by zero".to_owned()),
        "an error inside a function defined by an earlier run points into that run's text"
    );
    assert_eq!(outcomes[6], Outcome::Value(Value::Int(3)));
}

#[test]
fn vm_values_behave_like_the_tree_walkers() {
    let f = vm_ok("fn add(a, b) { a + b } add");
    assert_eq!(f.type_name(), "function");
    assert_eq!(f.to_string(), "<fn add>");
    assert_eq!(vm_ok("fn (x) { x }").to_string(), "<fn>");
    let mut vm = Vm::new();
    vm.run("let total = 0; fn bump(n) { total = total + n; } bump(4); bump(5);")
        .unwrap();
    assert_eq!(vm.global("total"), Some(&Value::Int(9)));
    assert_eq!(vm.global("bump").map(Value::type_name), Some("function"));
    assert_eq!(vm.global("len").map(Value::type_name), Some("function"));
    assert_eq!(vm.global("nope"), None);
    let err = vm.run("bump(1);\n bump(nil)").unwrap_err();
    assert_eq!(
        err.to_string(),
        "1:43: runtime error: cannot apply `+` to int and nil"
    );
    assert_eq!(
        vm.global("total"),
        Some(&Value::Int(10)),
        "globals keep what the failed run assigned"
    );
}

#[test]
fn the_vm_does_not_recurse_on_the_rust_stack() {
    // On the default 2 MiB test thread, in a debug build: 200 nested guest calls, each doing
    // real work, must be no problem for a VM whose loop does not recurse.
    let src = "
        fn depth(n) { if n == 0 { 0 } else { let here = n * 2; here - n + depth(n - 1) } }
        depth(199)
    ";
    assert_eq!(vm_ok(src), Value::Int(19900));
    let err = Vm::new()
        .run("fn f(n) { f(n + 1) } f(0)")
        .expect_err("runaway recursion");
    assert_eq!((err.column, err.message.as_str()), (12, "stack overflow"));
}

// ---------------------------------------------------------------------------------------------
// Generated programs
// ---------------------------------------------------------------------------------------------

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

#[test]
fn agrees_on_generated_programs() {
    on_a_big_stack(|| {
        let mut errors = 0;
        let mut values = 0;
        for seed in 0..300 {
            let src = Generator::new(seed).program();
            match agree(&src) {
                Outcome::Error(ErrorKind::Runtime, ..) => errors += 1,
                Outcome::Error(kind, _, _, message) => {
                    panic!("generated program {seed} is not valid ({kind:?}: {message}):\n{src}")
                }
                _ => values += 1,
            }
        }
        assert!(
            values > 150 && errors > 20,
            "the generator should produce both: {values} values, {errors} errors"
        );
    });
}

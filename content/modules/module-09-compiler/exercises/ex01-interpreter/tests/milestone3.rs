//! Milestone 3: functions and closures. Function declarations and expressions, calls (a postfix
//! operator), `return`, closures over `Rc<RefCell<Env>>`-style environments, native functions,
//! and runtime errors for bad calls and runaway recursion.

use std::cell::RefCell;
use std::io::{self, Write};
use std::rc::Rc;

use ex01_interpreter::{eval, parse, parse_expr, ErrorKind, Interpreter, Value};

fn int(n: i64) -> Value {
    Value::Int(n)
}

fn string(s: &str) -> Value {
    Value::Str(s.into())
}

fn ok(src: &str) -> Value {
    eval(src).unwrap_or_else(|e| panic!("{src:?} failed: {e}"))
}

fn sexpr(src: &str) -> String {
    parse_expr(src)
        .unwrap_or_else(|e| panic!("{src:?} failed to parse: {e}"))
        .to_string()
}

/// Asserts that `src` fails with the given kind, position and message.
fn fails(src: &str, kind: ErrorKind, line: usize, column: usize, message: &str) {
    let err = eval(src).expect_err(src);
    assert_eq!(
        (err.kind, err.line, err.column, err.message.as_str()),
        (kind, line, column, message),
        "error for {src:?} was: {err}"
    );
}

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

/// Recursion `n` calls deep: `depth(n)` has `n + 1` calls in progress at its deepest.
const DEPTH: &str = "fn depth(n) { if n == 0 { 0 } else { 1 + depth(n - 1) } }\n";

/// Runs `f` on a thread with a 64 MiB stack. The tests that recurse 200 calls deep check the
/// interpreter's limits, not how large its stack frames are in a debug build, so they run
/// where any reasonable evaluator fits. (Keeping a debug build on a 2 MiB thread from
/// crashing is still your job: see the README.)
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

// ---------------------------------------------------------------------------------------------
// Syntax
// ---------------------------------------------------------------------------------------------

#[test]
fn calls_parse_as_postfix_operators_that_bind_tightest() {
    assert_eq!(sexpr("f(1, 2)"), "(call f 1 2)");
    assert_eq!(sexpr("f()"), "(call f)");
    assert_eq!(
        sexpr("f(1, 2,)"),
        "(call f 1 2)",
        "a trailing comma is allowed"
    );
    assert_eq!(sexpr("f(1)(2)"), "(call (call f 1) 2)");
    assert_eq!(sexpr("-f(x) ** 2"), "(- (** (call f x) 2))");
    assert_eq!(sexpr("a + g(b * c, d)"), "(+ a (call g (* b c) d))");
    assert_eq!(sexpr("!ready()"), "(! (call ready))");
    assert_eq!(sexpr("(f)(x)"), "(call f x)");
    assert_eq!(sexpr("fn (a, b) { a + b }"), "(fn (a b) {(+ a b)})");
    assert_eq!(sexpr("fn () { 1 }()"), "(call (fn () {1}))");
    assert_eq!(sexpr("fn (x,) { x }"), "(fn (x) {x})");
}

#[test]
fn declarations_and_return_parse_as_expected() {
    assert_eq!(
        parse("fn add(a, b) { return a + b; } add(1, 2)")
            .unwrap()
            .to_string(),
        "{(let add (fn add (a b) {(return (+ a b));})) (call add 1 2)}"
    );
    assert_eq!(
        parse("fn f() { return; } fn g() { return }; g")
            .unwrap()
            .to_string(),
        "{(let f (fn f () {(return);})) (let g (fn g () {(return)})) g}",
        "a declaration ends at its brace; a `;` after it is allowed"
    );
    assert_eq!(
        parse("let k = fn (x) { fn (y) { x } }; k(1)(2)")
            .unwrap()
            .to_string(),
        "{(let k (fn (x) {(fn (y) {x})})) (call (call k 1) 2)}"
    );
}

#[test]
fn function_syntax_errors() {
    fails("fn f {}", ErrorKind::Parse, 1, 6, "expected `(`, found `{`");
    fails(
        "fn (a b) { a }",
        ErrorKind::Parse,
        1,
        7,
        "expected `,` or `)`, found identifier `b`",
    );
    fails(
        "fn (a, 1) { a }",
        ErrorKind::Parse,
        1,
        8,
        "expected identifier, found number `1`",
    );
    fails(
        "fn (a) a",
        ErrorKind::Parse,
        1,
        8,
        "expected `{`, found identifier `a`",
    );
    fails(
        "fn pair(a, b, a) { a }",
        ErrorKind::Parse,
        1,
        15,
        "duplicate parameter `a`",
    );
    fails(
        "f(1 2)",
        ErrorKind::Parse,
        1,
        5,
        "expected `,` or `)`, found number `2`",
    );
    fails(
        "f(1,",
        ErrorKind::Parse,
        1,
        5,
        "expected expression, found end of input",
    );
    fails(
        "fn f() { 1 }\nlet g = fn h() { 2 };",
        ErrorKind::Parse,
        2,
        12,
        "expected `(`, found identifier `h`",
    );
    fails(
        "return 1;",
        ErrorKind::Parse,
        1,
        1,
        "`return` outside of a function",
    );
    fails(
        "let x = 1;\nif x > 0 { return; }",
        ErrorKind::Parse,
        2,
        12,
        "`return` outside of a function",
    );
}

#[test]
fn deeply_nested_functions_are_a_parse_error_not_a_crash() {
    let nested =
        |open: &str, close: &str| format!("{}1{}", open.repeat(10_000), close.repeat(10_000));
    for src in [
        nested("fn f() { ", "}"),
        nested("fn () { ", "}"),
        nested("let f = fn () { ", "};"),
        nested("f(", ")"),
        format!("fn f() {{ {}1 }}", "return ".repeat(10_000)),
    ] {
        let err = eval(&src).unwrap_err();
        assert_eq!(
            (err.kind, err.message.as_str()),
            (ErrorKind::Parse, "expression is nested too deeply"),
            "{}...",
            &src[..30]
        );
    }
    assert_eq!(
        ok(&format!("{}1{}", "fn () { ".repeat(20), "}".repeat(20))).to_string(),
        "<fn>",
        "20 levels of functions are fine"
    );
}

// ---------------------------------------------------------------------------------------------
// Calls, returns and function values
// ---------------------------------------------------------------------------------------------

#[test]
fn declaring_and_calling_functions() {
    assert_eq!(ok("fn add(a, b) { a + b } add(2, 3)"), int(5));
    assert_eq!(ok("let sq = fn (x) { x * x }; sq(sq(3))"), int(81));
    assert_eq!(
        ok("fn nothing() {} nothing()"),
        Value::Nil,
        "an empty body gives nil"
    );
    assert_eq!(ok("fn two() { 1; 2; } two()"), Value::Nil);
    assert_eq!(ok("fn (x) { x + 1 }(41)"), int(42));
    assert_eq!(
        ok("fn f() { 1 }"),
        Value::Nil,
        "a declaration is a statement"
    );
    assert_eq!(ok("fn f() { 1 }; f()"), int(1));
    assert_eq!(
        ok("fn sign(n) { if n < 0 { -1 } else { 1 } } sign(-5) * 10 + sign(3)"),
        int(-9)
    );
    assert_eq!(
        ok("fn greet(name,) { \"hi \" + name } greet(\"bo\",)"),
        string("hi bo")
    );
}

#[test]
fn return_unwinds_through_blocks_and_loops() {
    let find = "
        fn first_square_above(limit) {
            let i = 0;
            while true {
                if i * i > limit { return i; }
                i = i + 1;
            }
        }
        first_square_above(50)
    ";
    assert_eq!(ok(find), int(8));
    assert_eq!(
        ok("fn f() { return; 1 } f()"),
        Value::Nil,
        "a bare return gives nil"
    );
    assert_eq!(
        ok("fn f(x) { { { if x { return \"deep\"; } } } \"shallow\" } f(true) + f(false)"),
        string("deepshallow")
    );
    assert_eq!(
        ok("let x = \"outer\"; fn f() { let x = \"inner\"; { return x; } } f() + x"),
        string("innerouter"),
        "the caller's scopes are intact after a return from nested blocks"
    );
    assert_eq!(
        ok("fn outer() { let g = fn () { return 1; }; g(); 2 } outer()"),
        int(2),
        "return leaves only the innermost call"
    );
    assert_eq!(
        ok("fn f() { let v = 1 + return 5; v } f()"),
        int(5),
        "return is an expression"
    );
}

#[test]
fn functions_are_values() {
    assert_eq!(ok("fn (x) { x }").type_name(), "function");
    assert_eq!(ok("len").type_name(), "function");
    assert_eq!(ok("fn add(a, b) { a + b } add").to_string(), "<fn add>");
    assert_eq!(ok("let f = fn (x) { x }; f").to_string(), "<fn>");
    assert_eq!(ok("print").to_string(), "<native fn print>");
    assert_eq!(
        ok("let f = fn () { 1 }; let g = f; f == g"),
        Value::Bool(true)
    );
    assert_eq!(
        ok("fn () { 1 } == fn () { 1 }"),
        Value::Bool(false),
        "functions compare by identity"
    );
    assert_eq!(ok("len == len"), Value::Bool(true));
    assert_eq!(ok("len != print"), Value::Bool(true));
    assert_eq!(ok("fn f() {} f == 1"), Value::Bool(false));
    fails(
        "fn f() {} f + 1",
        ErrorKind::Runtime,
        1,
        13,
        "cannot apply `+` to function and int",
    );
    fails(
        "len < len",
        ErrorKind::Runtime,
        1,
        5,
        "cannot apply `<` to function and function",
    );
}

#[test]
fn functions_are_first_class_arguments_and_results() {
    assert_eq!(
        ok("fn twice(f, x) { f(f(x)) } twice(fn (n) { n * 3 }, 2)"),
        int(18)
    );
    assert_eq!(
        ok("fn compose(f, g) { fn (x) { f(g(x)) } }
            let inc_then_double = compose(fn (x) { x * 2 }, fn (x) { x + 1 });
            inc_then_double(5)"),
        int(12)
    );
    assert_eq!(ok("fn add(a) { fn (b) { a + b } } add(2)(3)"), int(5));
    assert_eq!(
        ok("fn apply(f, x) { f(x) } apply(len, \"four\")"),
        int(4),
        "natives are values too"
    );
    let sum_with = "
        fn sum_to(n, f) {
            let total = 0;
            let i = 1;
            while i <= n { total = total + f(i); i = i + 1; }
            total
        }
        sum_to(4, fn (i) { i * i })
    ";
    assert_eq!(ok(sum_with), int(30));
}

// ---------------------------------------------------------------------------------------------
// Recursion
// ---------------------------------------------------------------------------------------------

#[test]
fn recursion_works_through_declarations_and_let() {
    on_a_big_stack(recursion_cases);
}

fn recursion_cases() {
    assert_eq!(
        ok("fn fib(n) { if n < 2 { n } else { fib(n - 1) + fib(n - 2) } } fib(20)"),
        int(6765)
    );
    assert_eq!(
        ok("let fact = fn (n) { if n < 2 { 1 } else { n * fact(n - 1) } }; fact(20)"),
        int(2_432_902_008_176_640_000)
    );
    let mutual = "
        fn is_even(n) { if n == 0 { true } else { is_odd(n - 1) } }
        fn is_odd(n) { if n == 0 { false } else { is_even(n - 1) } }
        is_even(10) && is_odd(7)
    ";
    assert_eq!(ok(mutual), Value::Bool(true));
    assert_eq!(ok(&format!("{DEPTH}depth(150)")), int(150));
}

#[test]
fn runaway_recursion_is_a_stack_overflow_error() {
    on_a_big_stack(runaway_recursion_cases);
}

fn runaway_recursion_cases() {
    fails(
        "fn f() { f() } f()",
        ErrorKind::Runtime,
        1,
        11,
        "stack overflow",
    );
    fails(
        "fn down(n) {\n    1 + down(n + 1)\n}\ndown(0)",
        ErrorKind::Runtime,
        2,
        13,
        "stack overflow",
    );
    // The limit is exactly 200 calls in progress: the 201st call fails, at its `(`.
    let mut interp = Interpreter::new();
    let err = interp
        .run("let calls = 0;\nfn count() { calls = calls + 1; count() }\ncount()")
        .unwrap_err();
    assert_eq!(
        (err.kind, err.line, err.column, err.message.as_str()),
        (ErrorKind::Runtime, 2, 38, "stack overflow")
    );
    assert_eq!(
        interp.global("calls"),
        Some(&int(200)),
        "200 calls ran before the 201st failed"
    );
    assert_eq!(
        ok(&format!("{DEPTH}depth(199)")),
        int(199),
        "200 nested calls"
    );
    fails(
        &format!("{DEPTH}depth(200)"),
        ErrorKind::Runtime,
        1,
        47,
        "stack overflow",
    );
}

// ---------------------------------------------------------------------------------------------
// Closures and scope
// ---------------------------------------------------------------------------------------------

#[test]
fn a_counter_closure_keeps_its_state() {
    let counter = "fn make() { let n = 0; fn () { n = n + 1; n } }\n";
    assert_eq!(
        ok(&format!("{counter}let c = make(); c(); c(); c()")),
        int(3)
    );
    assert_eq!(
        ok(&format!(
            "{counter}let a = make(); let b = make(); a(); a(); b(); a() * 10 + b()"
        )),
        int(32),
        "each call of make creates a new n"
    );
    let mut interp = Interpreter::new();
    interp
        .run(&format!("{counter}let c = make();"))
        .expect("definitions");
    assert_eq!(interp.run("c()").unwrap(), int(1));
    assert_eq!(
        interp.run("c(); c()").unwrap(),
        int(3),
        "the state survives between runs"
    );
}

#[test]
fn closures_capture_variables_not_values() {
    assert_eq!(ok("let x = 1; let f = fn () { x }; x = 2; f()"), int(2));
    let shared = "
        let inc = nil;
        let get = nil;
        fn setup() {
            let n = 0;
            inc = fn () { n = n + 1; };
            get = fn () { n };
        }
        setup();
        inc(); inc();
        get()
    ";
    assert_eq!(
        ok(shared),
        int(2),
        "two closures over one scope share its variables"
    );
    assert_eq!(
        ok("let total = 0; fn add(n) { total = total + n; } add(5); add(7); total"),
        int(12),
        "assignment inside a function reaches the global"
    );
    assert_eq!(
        ok("let a = 1; fn f(a) { a = a + 1; a } f(a) * 10 + a"),
        int(21),
        "parameters are new variables: assigning one leaves the caller's alone"
    );
}

#[test]
fn closures_outlive_the_scope_that_created_them() {
    assert_eq!(
        ok("fn adder(n) { fn (x) { x + n } }
            let add5 = adder(5);
            let add10 = adder(10);
            add5(1) * 100 + add10(1)"),
        int(611)
    );
    assert_eq!(
        ok("let f = nil; { let hidden = \"kept\"; f = fn () { hidden }; } f()"),
        string("kept")
    );
    let per_iteration = "
        let first = nil;
        let second = nil;
        let i = 0;
        while i < 2 {
            let j = i + 1;
            let f = fn () { j };
            if i == 0 { first = f; } else { second = f; }
            i = i + 1;
        }
        first() * 10 + second()
    ";
    assert_eq!(
        ok(per_iteration),
        int(12),
        "each iteration's block is a new scope"
    );
}

#[test]
fn scopes_are_lexical_not_dynamic() {
    let lexical = "
        let x = \"global\";
        fn show() { x }
        fn test() { let x = \"local\"; show() }
        test()
    ";
    assert_eq!(
        ok(lexical),
        string("global"),
        "a function sees where it was defined, not where it is called"
    );
    fails(
        "fn peek() { local }\nfn caller() { let local = 1; peek() }\ncaller()",
        ErrorKind::Runtime,
        1,
        13,
        "undefined variable `local`",
    );
    fails(
        "fn f() { let secret = 1; }\nf();\nsecret",
        ErrorKind::Runtime,
        3,
        1,
        "undefined variable `secret`",
    );
    assert_eq!(
        ok("fn f() { later } let later = 5; f()"),
        int(5),
        "names are looked up when the body runs"
    );
    assert_eq!(
        ok("let n = 100; fn f(n) { n * 2 } f(3) + n"),
        int(106),
        "a parameter shadows a global"
    );
    assert_eq!(
        ok("fn f(x) { let y = { let x = x * 10; x }; y + x } f(2)"),
        int(22),
        "a block's let shadows a parameter"
    );
    assert_eq!(
        ok("fn f() { let x = 1; let g = fn () { x }; let x = 2; g() } f()"),
        int(2),
        "a second let in the same scope replaces the variable the closure sees"
    );
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

#[test]
fn calling_a_non_function_is_an_error_at_the_paren() {
    fails(
        "let x = 5;\nx(1)",
        ErrorKind::Runtime,
        2,
        2,
        "cannot call int",
    );
    fails("\"text\"()", ErrorKind::Runtime, 1, 7, "cannot call string");
    fails(
        "fn f() { nil } f()()",
        ErrorKind::Runtime,
        1,
        19,
        "cannot call nil",
    );
    fails(
        "undefined_fn(1 / 0)",
        ErrorKind::Runtime,
        1,
        1,
        "undefined variable `undefined_fn`",
    );
    fails("5(1 / 0)", ErrorKind::Runtime, 1, 5, "division by zero");
}

#[test]
fn wrong_argument_counts_are_errors_at_the_paren() {
    fails(
        "fn f(a, b) { a } f(1)",
        ErrorKind::Runtime,
        1,
        19,
        "expected 2 arguments, found 1",
    );
    fails(
        "fn g(a) { a }\ng(1, 2)",
        ErrorKind::Runtime,
        2,
        2,
        "expected 1 argument, found 2",
    );
    fails(
        "fn h() { 0 } h(nil)",
        ErrorKind::Runtime,
        1,
        15,
        "expected 0 arguments, found 1",
    );
    fails(
        "len()",
        ErrorKind::Runtime,
        1,
        4,
        "expected 1 argument, found 0",
    );
    fails(
        "clock(1)",
        ErrorKind::Runtime,
        1,
        6,
        "expected 0 arguments, found 1",
    );
}

#[test]
fn errors_inside_functions_point_into_the_function() {
    fails(
        "fn f(x) {\n    x + true\n}\nf(1)",
        ErrorKind::Runtime,
        2,
        7,
        "cannot apply `+` to int and bool",
    );
    let mut interp = Interpreter::new();
    interp
        .run("let calls = 0;\nfn risky(x) {\n    calls = calls + 1;\n    10 / x\n}")
        .expect("definitions");
    let err = interp.run("risky(2); risky(0)").unwrap_err();
    assert_eq!(
        (err.kind, err.line, err.column, err.message.as_str()),
        (ErrorKind::Runtime, 4, 8, "division by zero"),
        "the position is in the text where risky was written: {err}"
    );
    assert_eq!(interp.global("calls"), Some(&int(2)));
    let err = interp.run("risky(1);\nrisky(1, 2)").unwrap_err();
    assert_eq!(
        (err.line, err.column, err.message.as_str()),
        (2, 6, "expected 1 argument, found 2"),
        "a bad call is reported where the call is: {err}"
    );
}

#[test]
fn the_interpreter_recovers_after_errors_inside_calls() {
    on_a_big_stack(recovery_cases);
}

fn recovery_cases() {
    let mut interp = Interpreter::new();
    let err = interp
        .run("fn f() { f() }\nlet before = 1;\nf()")
        .unwrap_err();
    assert_eq!(err.message, "stack overflow");
    assert_eq!(interp.global("before"), Some(&int(1)));
    assert_eq!(
        interp.run(&format!("{DEPTH}depth(199)")).unwrap(),
        int(199),
        "the call depth starts from zero again"
    );
    assert!(interp
        .run("fn g(x) { let inner = 1; x + nil } g(1)")
        .is_err());
    assert_eq!(
        interp.run("let after = 2; after").unwrap(),
        int(2),
        "a new global goes to the global scope, not to g's"
    );
    assert_eq!(interp.global("after"), Some(&int(2)));
    assert_eq!(interp.global("inner"), None);
}

// ---------------------------------------------------------------------------------------------
// Native functions
// ---------------------------------------------------------------------------------------------

#[test]
fn native_len_and_clock() {
    assert_eq!(ok("len(\"héllo\")"), int(5), "len counts characters");
    assert_eq!(ok("len(\"\")"), int(0));
    fails(
        "len(42)",
        ErrorKind::Runtime,
        1,
        4,
        "argument of `len` must be string, found int",
    );
    assert_eq!(ok("clock()").type_name(), "float");
    assert_eq!(ok("clock() > 0.0"), Value::Bool(true));
    assert_eq!(
        ok("let len = 3; len"),
        int(3),
        "natives are globals and can be shadowed"
    );
    let interp = Interpreter::new();
    for name in ["print", "len", "clock"] {
        assert_eq!(
            interp.global(name).map(Value::type_name),
            Some("function"),
            "{name}"
        );
    }
}

#[test]
fn print_writes_to_the_interpreters_output() {
    let out = Captured::default();
    let mut interp = Interpreter::with_output(out.clone());
    let result = interp
        .run("print(\"a\", 1, 2.5, nil, true); print(); fn f() {} print(len, f)")
        .unwrap();
    assert_eq!(result, Value::Nil, "print returns nil");
    assert_eq!(out.text(), "a 1 2.5 nil true\n\n<native fn len> <fn f>\n");

    let out = Captured::default();
    let mut interp = Interpreter::with_output(out.clone());
    let err = interp
        .run("fn pick() { print(\"callee\"); fn (a) { a } }\npick()(print(\"arg 1\"), print(\"arg 2\"))")
        .unwrap_err();
    assert_eq!(
        out.text(),
        "callee\narg 1\narg 2\n",
        "the callee, then the arguments left to right, then the call"
    );
    assert_eq!(
        (err.line, err.column, err.message.as_str()),
        (2, 7, "expected 1 argument, found 2")
    );
}

//! Milestone 2: blocks with lexical scope, `if`/`else` and `while`, all of them expressions.

use ex01_interpreter::{eval, parse, ErrorKind, Value};

fn ok(src: &str) -> Value {
    eval(src).unwrap_or_else(|e| panic!("{src:?} failed: {e}"))
}

fn fails(src: &str, kind: ErrorKind, line: usize, column: usize, message: &str) {
    let err = eval(src).expect_err(src);
    assert_eq!(
        (err.kind, err.line, err.column, err.message.as_str()),
        (kind, line, column, message),
        "error for {src:?} was: {err}"
    );
}

#[test]
fn blocks_are_expressions_with_their_own_scope() {
    assert_eq!(ok("{ 1; 2 }"), Value::Int(2));
    assert_eq!(ok("{ 1; 2; }"), Value::Nil);
    assert_eq!(ok("let x = { let a = 20; a + 1 }; x * 2"), Value::Int(42));
    assert_eq!(
        ok("let x = 1; { let x = 2; x = x + 10; } x"),
        Value::Int(1),
        "inner let shadows, outer x untouched"
    );
    assert_eq!(
        ok("let x = 1; { x = 5; } x"),
        Value::Int(5),
        "assignment reaches the enclosing scope"
    );
    fails(
        "{ let inner = 1; } inner",
        ErrorKind::Runtime,
        1,
        20,
        "undefined variable `inner`",
    );
    assert_eq!(ok("{}"), Value::Nil);
    assert_eq!(ok("{ { { 3 } } }"), Value::Int(3));
}

#[test]
fn if_else_is_an_expression() {
    assert_eq!(
        ok("if 1 < 2 { \"yes\" } else { \"no\" }"),
        Value::Str("yes".into())
    );
    assert_eq!(
        ok("let n = 0; let sign = if n > 0 { 1 } else if n < 0 { -1 } else { 0 }; sign"),
        Value::Int(0)
    );
    assert_eq!(
        ok("let n = -5; if n > 0 { 1 } else if n < 0 { -1 } else { 0 }"),
        Value::Int(-1)
    );
    assert_eq!(
        ok("if false { 1 }"),
        Value::Nil,
        "no else and a false condition gives nil"
    );
    assert_eq!(ok("if true { 1 }"), Value::Int(1));
    assert_eq!(
        ok("let x = if true { 10 } else { 20 } + 1; x"),
        Value::Int(11),
        "in expression position it continues"
    );
    assert_eq!(
        ok("let a = 1; if a == 1 { a = 2; } a"),
        Value::Int(2),
        "a block-like statement needs no semicolon"
    );
}

#[test]
fn while_loops() {
    let src = "
        let i = 0;
        let total = 0;
        while i < 10 {
            i = i + 1;
            if i % 2 == 0 { total = total + i; }
        }
        total
    ";
    assert_eq!(ok(src), Value::Int(30));
    assert_eq!(ok("while false { 1 }"), Value::Nil);
    let fib = "
        let a = 0; let b = 1; let n = 0;
        while n < 50 { let next = a + b; a = b; b = next; n = n + 1; }
        a
    ";
    assert_eq!(ok(fib), Value::Int(12_586_269_025));
    let strings = "let s = \"\"; let i = 0; while i < 3 { s = s + \"ab\"; i = i + 1; } s";
    assert_eq!(ok(strings), Value::Str("ababab".into()));
}

#[test]
fn statement_blocks_end_at_their_brace() {
    // As in Rust, a statement that starts with `if`, `while` or `{` ends at its closing brace.
    fails(
        "if true { 1 } else { 2 } * 3",
        ErrorKind::Parse,
        1,
        26,
        "expected expression, found `*`",
    );
    assert_eq!(
        ok("let v = (if true { 1 } else { 2 }) * 3; v"),
        Value::Int(3)
    );
}

#[test]
fn conditions_must_be_bool() {
    fails(
        "if 1 { 2 }",
        ErrorKind::Runtime,
        1,
        4,
        "condition must be bool, found int",
    );
    fails(
        "let s = \"x\";\nwhile s { }",
        ErrorKind::Runtime,
        2,
        7,
        "condition must be bool, found string",
    );
    fails(
        "if nil { 1 } else { 2 }",
        ErrorKind::Runtime,
        1,
        4,
        "condition must be bool, found nil",
    );
}

#[test]
fn block_syntax_errors() {
    fails(
        "if true 1",
        ErrorKind::Parse,
        1,
        9,
        "expected `{`, found number `1`",
    );
    fails(
        "if true { 1 } else 2",
        ErrorKind::Parse,
        1,
        20,
        "expected `{`, found number `2`",
    );
    fails(
        "{ let x = 1;",
        ErrorKind::Parse,
        1,
        13,
        "expected `}`, found end of input",
    );
    fails(
        "while true { 1 2 }",
        ErrorKind::Parse,
        1,
        16,
        "expected `;`, found number `2`",
    );
    fails(
        "1 + }",
        ErrorKind::Parse,
        1,
        5,
        "expected expression, found `}`",
    );
}

#[test]
fn runtime_errors_inside_loops_keep_their_position() {
    let src = "let i = 0;\nwhile i < 5 {\n    i = i + 1;\n    let r = 10 / (3 - i);\n}";
    fails(src, ErrorKind::Runtime, 4, 16, "division by zero");
}

#[test]
fn nested_blocks_print_as_expected() {
    assert_eq!(
        parse("let x = 1; if x > 0 { x = 0; } else if x < 0 { x } while x < 3 { x = x + 1; } x")
            .unwrap()
            .to_string(),
        "{(let x 1) (if (> x 0) {(= x 0);} (if (< x 0) {x})); (while (< x 3) {(= x (+ x 1));}); x}"
    );
}

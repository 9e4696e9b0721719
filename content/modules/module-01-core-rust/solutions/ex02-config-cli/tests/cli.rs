//! End-to-end tests: run the real binary on temporary files and check exit codes and output.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tempfile::TempDir;

const VALID: &str = r#"
[server]
host = "localhost"
port = 8080

[database]
url = "postgres://localhost/app"
"#;

const INVALID: &str = r#"
[server]
host = "localhost"
port = 0

[database]
url = "mysql://localhost/app"
"#;

/// The binary under test. A unique env prefix keeps the test runner's own environment out of the way.
fn binary() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ex02-config-cli"));
    command.args(["--env-prefix", "EX02TEST"]);
    command
}

fn write(dir: &TempDir, name: &str, contents: &str) -> PathBuf {
    let path = dir.path().join(name);
    fs::write(&path, contents).unwrap();
    path
}

fn run(command: &mut Command) -> (i32, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = command.output().expect("the binary runs");
    let code = status.code().expect("the binary exits normally");
    (
        code,
        String::from_utf8(stdout).unwrap(),
        String::from_utf8(stderr).unwrap(),
    )
}

fn arg(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn validate_accepts_a_valid_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(&dir, "app.toml", VALID);
    let (code, stdout, stderr) = run(binary().args(["validate", arg(&file)]));
    assert_eq!(code, 0, "stderr: {stderr}");
    assert!(stdout.contains("OK"), "{stdout}");
    assert!(stderr.is_empty(), "{stderr}");
}

#[test]
fn validate_reports_every_problem_on_stderr_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(&dir, "app.toml", INVALID);
    let (code, stdout, stderr) = run(binary().args(["validate", arg(&file)]));
    assert_eq!(code, 1);
    assert!(stdout.is_empty(), "{stdout}");
    assert!(stderr.contains("server.port"), "{stderr}");
    assert!(stderr.contains("database.url"), "{stderr}");
    assert!(
        stderr.contains("app.toml"),
        "the report names the file: {stderr}"
    );
}

#[test]
fn show_prints_the_effective_config_as_toml_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(&dir, "app.toml", VALID);
    let (code, stdout, stderr) = run(binary().args(["show", arg(&file)]));
    assert_eq!(code, 0, "stderr: {stderr}");
    let shown = write(&dir, "shown.toml", &stdout);
    let (code, _, stderr) = run(binary().args(["validate", arg(&shown)]));
    assert_eq!(
        code, 0,
        "the printed TOML is itself a valid config: {stderr}\n{stdout}"
    );
    assert!(
        stdout.contains("workers = 4"),
        "defaults are shown: {stdout}"
    );
}

#[test]
fn show_applies_env_and_set_overrides_and_prints_json() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        &dir,
        "app.json",
        r#"{"server": {"host": "h", "port": 1}, "database": {"url": "sqlite://a.db"}}"#,
    );
    let (code, stdout, stderr) = run(binary()
        .env("EX02TEST_SERVER__PORT", "9000")
        .env("EX02TEST_LOGGING__LEVEL", "debug")
        .args([
            "show",
            arg(&file),
            "--format",
            "json",
            "--set",
            "logging.level=error",
        ]));
    assert_eq!(code, 0, "stderr: {stderr}");
    let value: serde_json::Value = serde_json::from_str(&stdout).expect("stdout is JSON");
    assert_eq!(value["server"]["port"], 9000);
    assert_eq!(value["logging"]["level"], "error");
    assert_eq!(value["database"]["max_connections"], 10);
}

#[test]
fn no_env_ignores_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(&dir, "app.toml", VALID);
    let (code, stdout, _) = run(binary().env("EX02TEST_SERVER__PORT", "not a number").args([
        "--no-env",
        "show",
        arg(&file),
        "--format",
        "json",
    ]));
    assert_eq!(code, 0);
    let value: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(value["server"]["port"], 8080);
}

#[test]
fn a_bad_env_value_fails_and_names_the_variable() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(&dir, "app.toml", VALID);
    let (code, _, stderr) = run(binary()
        .env("EX02TEST_SERVER__PORT", "http")
        .args(["validate", arg(&file)]));
    assert_eq!(code, 1);
    assert!(stderr.contains("server.port"), "{stderr}");
    assert!(stderr.contains("EX02TEST_SERVER__PORT"), "{stderr}");
}

#[test]
fn a_missing_file_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.toml");
    let (code, _, stderr) = run(binary().args(["validate", arg(&missing)]));
    assert_eq!(code, 1);
    assert!(stderr.contains("missing.toml"), "{stderr}");
}

#[test]
fn an_unsupported_extension_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(&dir, "app.yaml", "server: {}");
    let (code, _, stderr) = run(binary().args(["validate", arg(&file)]));
    assert_eq!(code, 1);
    assert!(stderr.contains(".toml or .json"), "{stderr}");
}

#[test]
fn usage_errors_exit_2() {
    let (code, _, stderr) = run(binary().args(["frobnicate"]));
    assert_eq!(code, 2, "{stderr}");
    let (code, _, _) = run(binary().args(["show", "x.toml", "--format", "yaml"]));
    assert_eq!(code, 2);
    let (code, _, stderr) = run(binary().args(["validate", "x.toml", "--set", "no-equals-sign"]));
    assert_eq!(code, 2);
    assert!(stderr.contains("FIELD=VALUE"), "{stderr}");
}

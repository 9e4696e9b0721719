//! Every validation rule, error collection and error messages.

use ex02_config_cli::{load_str, ConfigError, ConfigErrors, Format, Origin, Overrides};

/// A valid file with one line replaced (or removed, if `replacement` is empty).
fn with_line(original: &str, replacement: &str) -> String {
    let key = original.split('=').next().unwrap().trim();
    let base = r#"
[server]
host = "localhost"
port = 8080
workers = 4
request_timeout_ms = 1000

[database]
url = "postgres://localhost/app"
max_connections = 10
min_connections = 2

[logging]
level = "info"
format = "text"
"#;
    base.lines()
        .map(|line| {
            if line.split('=').next().unwrap().trim() == key {
                replacement
            } else {
                line
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn errors_for(text: &str) -> ConfigErrors {
    load_str(text, Format::Toml, &Overrides::new()).expect_err("config should be invalid")
}

/// Asserts that `text` fails with exactly one `Invalid` error for `field`, and returns its message.
fn single_invalid(text: &str, field: &str) -> String {
    let errors = errors_for(text);
    assert_eq!(errors.fields(), [field], "{errors}");
    let error = errors.iter().next().unwrap();
    assert!(matches!(error, ConfigError::Invalid { .. }), "{error:?}");
    let message = error.to_string();
    assert!(
        message.starts_with(&format!("{field}: expected ")),
        "{message}"
    );
    message
}

/// Asserts that `text` fails with exactly one `Missing` error for `field`.
fn single_missing(text: &str, field: &str) {
    let errors = errors_for(text);
    assert_eq!(errors.fields(), [field], "{errors}");
    match errors.iter().next().unwrap() {
        ConfigError::Missing { expected, .. } => assert!(!expected.is_empty()),
        other => panic!("expected Missing, got {other:?}"),
    }
}

#[test]
fn the_base_file_is_valid() {
    let text = with_line("workers = 4", "workers = 4");
    load_str(&text, Format::Toml, &Overrides::new()).expect("the base config is valid");
}

#[test]
fn host_is_required() {
    single_missing(&with_line("host =", ""), "server.host");
}

#[test]
fn host_must_be_non_empty_without_whitespace() {
    single_invalid(&with_line("host =", r#"host = """#), "server.host");
    let message = single_invalid(&with_line("host =", r#"host = "my host""#), "server.host");
    assert!(message.contains("\"my host\""), "{message}");
    single_invalid(&with_line("host =", "host = 127"), "server.host");
}

#[test]
fn port_is_required() {
    single_missing(&with_line("port =", ""), "server.port");
}

#[test]
fn port_must_be_between_1_and_65535() {
    single_invalid(&with_line("port =", "port = 0"), "server.port");
    let message = single_invalid(&with_line("port =", "port = 70000"), "server.port");
    assert!(message.contains("1 to 65535"), "{message}");
    assert!(message.contains("70000"), "{message}");
    single_invalid(&with_line("port =", "port = -1"), "server.port");
    load_str(
        &with_line("port =", "port = 65535"),
        Format::Toml,
        &Overrides::new(),
    )
    .expect("65535 is valid");
    load_str(
        &with_line("port =", "port = 1"),
        Format::Toml,
        &Overrides::new(),
    )
    .expect("1 is valid");
}

#[test]
fn numbers_in_files_must_not_be_quoted_or_fractional() {
    let message = single_invalid(&with_line("port =", r#"port = "8080""#), "server.port");
    assert!(message.contains("string"), "{message}");
    single_invalid(&with_line("port =", "port = 80.5"), "server.port");
    single_invalid(&with_line("port =", "port = true"), "server.port");
}

#[test]
fn workers_must_be_between_1_and_1024() {
    single_invalid(&with_line("workers =", "workers = 0"), "server.workers");
    single_invalid(&with_line("workers =", "workers = 1025"), "server.workers");
}

#[test]
fn request_timeout_must_be_between_100_and_600000() {
    single_invalid(
        &with_line("request_timeout_ms =", "request_timeout_ms = 99"),
        "server.request_timeout_ms",
    );
    single_invalid(
        &with_line("request_timeout_ms =", "request_timeout_ms = 600001"),
        "server.request_timeout_ms",
    );
}

#[test]
fn database_url_is_required() {
    single_missing(&with_line("url =", ""), "database.url");
}

#[test]
fn database_url_must_use_a_supported_scheme() {
    let message = single_invalid(
        &with_line("url =", r#"url = "mysql://localhost/app""#),
        "database.url",
    );
    assert!(message.contains("postgres://"), "{message}");
    single_invalid(
        &with_line("url =", r#"url = "postgres://""#),
        "database.url",
    );
    single_invalid(&with_line("url =", r#"url = "localhost""#), "database.url");
    for url in ["postgresql://db/app", "sqlite://app.db"] {
        let text = with_line("url =", &format!("url = {url:?}"));
        load_str(&text, Format::Toml, &Overrides::new()).expect(url);
    }
}

#[test]
fn max_connections_must_be_between_1_and_1000() {
    single_invalid(
        &with_line("max_connections =", "max_connections = 0"),
        "database.max_connections",
    );
    single_invalid(
        &with_line("max_connections =", "max_connections = 1001"),
        "database.max_connections",
    );
}

#[test]
fn min_connections_must_not_exceed_max_connections() {
    let message = single_invalid(
        &with_line("min_connections =", "min_connections = 11"),
        "database.min_connections",
    );
    assert!(
        message.contains("database.max_connections (10)"),
        "{message}"
    );
    let equal = with_line("min_connections =", "min_connections = 10");
    load_str(&equal, Format::Toml, &Overrides::new()).expect("min == max is valid");
    let zero = with_line("min_connections =", "min_connections = 0");
    load_str(&zero, Format::Toml, &Overrides::new()).expect("min 0 is valid");
}

#[test]
fn cross_field_rule_is_skipped_when_max_is_itself_invalid() {
    let text = with_line("max_connections =", "max_connections = 0");
    assert_eq!(errors_for(&text).fields(), ["database.max_connections"]);
}

#[test]
fn log_level_must_be_a_known_level() {
    let message = single_invalid(
        &with_line("level =", r#"level = "verbose""#),
        "logging.level",
    );
    assert!(
        message.contains("trace, debug, info, warn, error"),
        "{message}"
    );
    single_invalid(&with_line("level =", r#"level = "INFO""#), "logging.level");
}

#[test]
fn log_format_must_be_text_or_json() {
    let message = single_invalid(
        &with_line("format =", r#"format = "xml""#),
        "logging.format",
    );
    assert!(message.contains("text, json"), "{message}");
}

#[test]
fn unknown_keys_in_the_file_are_reported_with_a_suggestion() {
    let text = with_line("port =", "prot = 8080");
    let errors = errors_for(&text);
    assert_eq!(errors.fields(), ["server.prot", "server.port"], "{errors}");
    let unknown = errors.iter().next().unwrap();
    match unknown {
        ConfigError::UnknownField {
            origin, expected, ..
        } => {
            assert_eq!(origin, &Origin::File);
            assert!(expected.contains("server.port"), "{expected}");
        }
        other => panic!("expected UnknownField, got {other:?}"),
    }
    assert!(
        unknown.to_string().contains("did you mean server.port?"),
        "{unknown}"
    );
}

#[test]
fn unknown_sections_are_reported() {
    let text = format!(
        "{}\n[cache]\nsize = 1\n",
        with_line("workers =", "workers = 4")
    );
    let errors = errors_for(&text);
    assert_eq!(errors.fields(), ["cache"], "{errors}");
}

#[test]
fn all_problems_are_collected_in_schema_order() {
    let text = r#"
[server]
host = ""
port = 0
tls = true

[database]
max_connections = 5
min_connections = 9

[logging]
level = "loud"
"#;
    let errors = errors_for(text);
    assert_eq!(
        errors.fields(),
        [
            "server.tls",
            "server.host",
            "server.port",
            "database.url",
            "database.min_connections",
            "logging.level"
        ],
        "{errors}"
    );
    assert_eq!(
        errors.to_string().lines().count(),
        6,
        "one line per problem:\n{errors}"
    );
}

#[test]
fn an_empty_file_reports_every_required_setting() {
    let errors = errors_for("");
    assert_eq!(
        errors.fields(),
        ["server.host", "server.port", "database.url"]
    );
}

#[test]
fn messages_name_the_field_the_expectation_and_the_value() {
    let errors = errors_for(&with_line("workers =", "workers = 0"));
    assert_eq!(
        errors.to_string(),
        "server.workers: expected an integer from 1 to 1024, found the integer 0"
    );
    let errors = errors_for(&with_line("host =", ""));
    assert_eq!(
        errors.to_string(),
        "server.host: missing; expected a non-empty host name or IP address without whitespace"
    );
}

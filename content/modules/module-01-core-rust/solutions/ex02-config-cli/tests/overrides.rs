//! Environment variables and `--set` assignments: mapping, precedence and errors.

use ex02_config_cli::{
    load_str, parse_assignment, ConfigError, Format, LogLevel, Origin, Overrides,
};

const FILE: &str = r#"
[server]
host = "localhost"
port = 8080

[database]
url = "postgres://localhost/app"

[logging]
level = "warn"
"#;

fn load(overrides: Overrides) -> ex02_config_cli::Config {
    load_str(FILE, Format::Toml, &overrides).expect("valid config")
}

#[test]
fn env_overrides_the_file() {
    let config = load(Overrides::new().env("APP", [("APP_SERVER__PORT", "9090")]));
    assert_eq!(config.server.port, 9090);
    assert_eq!(
        config.server.host, "localhost",
        "other settings keep their file values"
    );
}

#[test]
fn env_overrides_defaults() {
    let config = load(Overrides::new().env("APP", [("APP_SERVER__WORKERS", "16")]));
    assert_eq!(config.server.workers, 16);
}

#[test]
fn multi_word_field_names_keep_single_underscores() {
    let config = load(Overrides::new().env(
        "APP",
        [
            ("APP_SERVER__REQUEST_TIMEOUT_MS", "2500"),
            ("APP_DATABASE__MAX_CONNECTIONS", "3"),
        ],
    ));
    assert_eq!(config.server.request_timeout_ms, 2500);
    assert_eq!(config.database.max_connections, 3);
}

#[test]
fn env_can_supply_a_required_setting_missing_from_the_file() {
    let file = "[server]\nhost = \"h\"\n[database]\nurl = \"sqlite://x.db\"\n";
    let overrides = Overrides::new().env("APP", [("APP_SERVER__PORT", "1234")]);
    let config = load_str(file, Format::Toml, &overrides).expect("port comes from the environment");
    assert_eq!(config.server.port, 1234);
}

#[test]
fn env_strings_are_parsed_for_every_kind_of_setting() {
    let config = load(Overrides::new().env(
        "APP",
        [
            ("APP_SERVER__HOST", "10.0.0.1"),
            ("APP_SERVER__PORT", " 443 "),
            ("APP_LOGGING__LEVEL", "trace"),
            ("APP_DATABASE__URL", "sqlite://override.db"),
        ],
    ));
    assert_eq!(config.server.host, "10.0.0.1");
    assert_eq!(config.server.port, 443);
    assert_eq!(config.logging.level, LogLevel::Trace);
    assert_eq!(config.database.url, "sqlite://override.db");
}

#[test]
fn variables_without_the_prefix_are_ignored() {
    let config = load(Overrides::new().env(
        "APP",
        [
            ("HOME", "/root"),
            ("SERVER__PORT", "1"),
            ("APPLE_SERVER__PORT", "2"),
            ("app_server__port", "3"),
        ],
    ));
    assert_eq!(config.server.port, 8080);
}

#[test]
fn the_prefix_is_configurable() {
    let vars = [("MYSVC_SERVER__PORT", "7000"), ("APP_SERVER__PORT", "1")];
    let config = load(Overrides::new().env("MYSVC", vars));
    assert_eq!(config.server.port, 7000);
}

#[test]
fn an_empty_prefix_disables_env_overrides() {
    let config = load(Overrides::new().env("", [("SERVER__PORT", "1"), ("_SERVER__PORT", "2")]));
    assert_eq!(config.server.port, 8080);
}

#[test]
fn env_accepts_owned_strings() {
    let vars = vec![("APP_SERVER__PORT".to_string(), "8181".to_string())];
    assert_eq!(load(Overrides::new().env("APP", vars)).server.port, 8181);
}

#[test]
fn assignments_override_env_and_file() {
    let overrides = Overrides::new()
        .env(
            "APP",
            [
                ("APP_SERVER__PORT", "9090"),
                ("APP_LOGGING__LEVEL", "debug"),
            ],
        )
        .assign("server.port", "7070");
    let config = load(overrides);
    assert_eq!(config.server.port, 7070, "--set beats the environment");
    assert_eq!(
        config.logging.level,
        LogLevel::Debug,
        "the environment beats the file"
    );
}

#[test]
fn later_assignments_win() {
    let config = load(
        Overrides::new()
            .assign("server.port", "1")
            .assign("server.port", "2"),
    );
    assert_eq!(config.server.port, 2);
}

#[test]
fn precedence_is_independent_of_call_order() {
    let overrides = Overrides::new()
        .assign("server.port", "7070")
        .env("APP", [("APP_SERVER__PORT", "9090")]);
    assert_eq!(load(overrides).server.port, 7070);
}

#[test]
fn an_invalid_env_value_names_the_field_and_the_variable() {
    let overrides = Overrides::new().env("APP", [("APP_SERVER__PORT", "eighty")]);
    let errors = load_str(FILE, Format::Toml, &overrides).unwrap_err();
    assert_eq!(errors.fields(), ["server.port"]);
    match errors.iter().next().unwrap() {
        ConfigError::Invalid { found, origin, .. } => {
            assert!(found.contains("eighty"), "{found}");
            assert_eq!(origin, &Origin::Env("APP_SERVER__PORT".into()));
        }
        other => panic!("expected Invalid, got {other:?}"),
    }
    let message = errors.to_string();
    assert!(
        message.starts_with("server.port: expected an integer from 1 to 65535"),
        "{message}"
    );
    assert!(message.contains("APP_SERVER__PORT"), "{message}");
}

#[test]
fn an_out_of_range_env_value_is_invalid() {
    let overrides = Overrides::new().env("APP", [("APP_SERVER__PORT", "65536")]);
    let errors = load_str(FILE, Format::Toml, &overrides).unwrap_err();
    assert_eq!(errors.fields(), ["server.port"]);
}

#[test]
fn an_unknown_env_setting_is_reported_with_the_variable() {
    let overrides = Overrides::new().env("APP", [("APP_SERVER__PROT", "1"), ("APP_DEBUG", "1")]);
    let errors = load_str(FILE, Format::Toml, &overrides).unwrap_err();
    assert_eq!(
        errors.fields(),
        ["debug", "server.prot"],
        "sorted by variable name: {errors}"
    );
    let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert!(
        messages[0].contains("environment variable APP_DEBUG"),
        "{}",
        messages[0]
    );
    assert!(
        messages[1].contains("environment variable APP_SERVER__PROT"),
        "{}",
        messages[1]
    );
    assert!(
        messages[1].contains("did you mean server.port?"),
        "{}",
        messages[1]
    );
    match errors.iter().nth(1).unwrap() {
        ConfigError::UnknownField { origin, .. } => {
            assert_eq!(origin, &Origin::Env("APP_SERVER__PROT".into()));
        }
        other => panic!("expected UnknownField, got {other:?}"),
    }
}

#[test]
fn override_errors_and_file_errors_are_reported_together() {
    let file = FILE.replace("port = 8080", "port = 0");
    let overrides = Overrides::new()
        .env(
            "APP",
            [("APP_SERVER__NOPE", "1"), ("APP_SERVER__WORKERS", "0")],
        )
        .assign("logging.level", "shout");
    let errors = load_str(&file, Format::Toml, &overrides).unwrap_err();
    assert_eq!(
        errors.fields(),
        [
            "server.nope",
            "server.port",
            "server.workers",
            "logging.level"
        ],
        "{errors}"
    );
    let last = errors.iter().last().unwrap();
    assert!(last.to_string().contains("--set"), "{last}");
}

#[test]
fn a_bad_override_hides_nothing_when_the_file_value_is_valid() {
    // The file's port is valid, but an override replaced it with garbage: that must still be an error.
    let errors = load_str(
        FILE,
        Format::Toml,
        &Overrides::new().assign("server.port", ""),
    )
    .unwrap_err();
    assert_eq!(errors.fields(), ["server.port"]);
}

#[test]
fn an_unknown_assignment_field_is_reported() {
    let errors = load_str(
        FILE,
        Format::Toml,
        &Overrides::new().assign("server.hots", "x"),
    )
    .unwrap_err();
    assert_eq!(errors.fields(), ["server.hots"]);
    let message = errors.to_string();
    assert!(message.contains("--set"), "{message}");
    assert!(message.contains("did you mean server.host?"), "{message}");
}

#[test]
fn parse_assignment_splits_at_the_first_equals_sign() {
    assert_eq!(
        parse_assignment("server.port=80"),
        Ok(("server.port".into(), "80".into()))
    );
    assert_eq!(
        parse_assignment("database.url=sqlite://a=b"),
        Ok(("database.url".into(), "sqlite://a=b".into()))
    );
    assert_eq!(
        parse_assignment("server.host="),
        Ok(("server.host".into(), String::new()))
    );
    assert!(parse_assignment("server.port").is_err());
    assert!(parse_assignment("=80").is_err());
}

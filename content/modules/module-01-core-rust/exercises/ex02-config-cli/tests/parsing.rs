//! Loading valid files: both formats, defaults, file handling and rendering.

use std::fs;
use std::path::Path;

use ex02_config_cli::{
    load_file, load_str, Config, ConfigError, DatabaseConfig, Format, LogFormat, LogLevel,
    LoggingConfig, Overrides, ServerConfig,
};

const FULL_TOML: &str = r#"
[server]
host = "0.0.0.0"
port = 8080
workers = 8
request_timeout_ms = 5000

[database]
url = "postgres://app@db.internal:5432/app"
max_connections = 50
min_connections = 5

[logging]
level = "warn"
format = "json"
"#;

const FULL_JSON: &str = r#"{
  "server": { "host": "0.0.0.0", "port": 8080, "workers": 8, "request_timeout_ms": 5000 },
  "database": { "url": "postgres://app@db.internal:5432/app", "max_connections": 50, "min_connections": 5 },
  "logging": { "level": "warn", "format": "json" }
}"#;

const MINIMAL_TOML: &str = r#"
[server]
host = "localhost"
port = 3000

[database]
url = "sqlite://data/app.db"
"#;

fn full_config() -> Config {
    Config {
        server: ServerConfig {
            host: "0.0.0.0".into(),
            port: 8080,
            workers: 8,
            request_timeout_ms: 5000,
        },
        database: DatabaseConfig {
            url: "postgres://app@db.internal:5432/app".into(),
            max_connections: 50,
            min_connections: 5,
        },
        logging: LoggingConfig {
            level: LogLevel::Warn,
            format: LogFormat::Json,
        },
    }
}

#[test]
fn parses_a_full_toml_file() {
    let config = load_str(FULL_TOML, Format::Toml, &Overrides::new()).expect("valid config");
    assert_eq!(config, full_config());
}

#[test]
fn parses_a_full_json_file() {
    let config = load_str(FULL_JSON, Format::Json, &Overrides::new()).expect("valid config");
    assert_eq!(config, full_config());
}

#[test]
fn omitted_optional_settings_get_defaults() {
    let config = load_str(MINIMAL_TOML, Format::Toml, &Overrides::new()).expect("valid config");
    assert_eq!(config.server.host, "localhost");
    assert_eq!(config.server.port, 3000);
    assert_eq!(config.server.workers, 4);
    assert_eq!(config.server.request_timeout_ms, 30_000);
    assert_eq!(config.database.url, "sqlite://data/app.db");
    assert_eq!(config.database.max_connections, 10);
    assert_eq!(config.database.min_connections, 1);
    assert_eq!(config.logging.level, LogLevel::Info);
    assert_eq!(config.logging.format, LogFormat::Text);
}

#[test]
fn json_null_counts_as_omitted() {
    let json = r#"{"server": {"host": "h", "port": 1, "workers": null}, "database": {"url": "sqlite://x"}}"#;
    let config = load_str(json, Format::Json, &Overrides::new()).expect("valid config");
    assert_eq!(config.server.workers, 4);
}

#[test]
fn format_comes_from_the_extension() {
    assert_eq!(
        Format::from_path(Path::new("app.toml")).unwrap(),
        Format::Toml
    );
    assert_eq!(
        Format::from_path(Path::new("conf/app.json")).unwrap(),
        Format::Json
    );
    assert_eq!(
        Format::from_path(Path::new("APP.TOML")).unwrap(),
        Format::Toml
    );
    for name in ["app.yaml", "app", "toml"] {
        match Format::from_path(Path::new(name)) {
            Err(ConfigError::UnsupportedFormat { path }) => assert_eq!(path, Path::new(name)),
            other => panic!("{name}: expected UnsupportedFormat, got {other:?}"),
        }
    }
}

#[test]
fn toml_syntax_errors_are_parse_errors() {
    let errors = load_str("[server\nport = 1", Format::Toml, &Overrides::new()).unwrap_err();
    assert_eq!(errors.len(), 1);
    match errors.iter().next() {
        Some(ConfigError::Parse {
            format: Format::Toml,
            message,
        }) => assert!(!message.is_empty()),
        other => panic!("expected a TOML parse error, got {other:?}"),
    }
    assert!(errors.to_string().starts_with("invalid TOML: "), "{errors}");
}

#[test]
fn json_syntax_errors_report_the_position() {
    let errors = load_str(
        r#"{"server": {"port": 1,}}"#,
        Format::Json,
        &Overrides::new(),
    )
    .unwrap_err();
    match errors.iter().next() {
        Some(ConfigError::Parse {
            format: Format::Json,
            message,
        }) => {
            assert!(message.contains("line 1"), "{message}");
        }
        other => panic!("expected a JSON parse error, got {other:?}"),
    }
}

#[test]
fn a_section_that_is_not_a_table_is_a_parse_error() {
    let errors = load_str("server = 5", Format::Toml, &Overrides::new()).unwrap_err();
    assert!(
        matches!(errors.iter().next(), Some(ConfigError::Parse { .. })),
        "{errors:?}"
    );
    assert!(errors.to_string().contains("server"), "{errors}");
}

#[test]
fn loads_files_from_disk() {
    let dir = tempfile::tempdir().unwrap();
    let toml_path = dir.path().join("app.toml");
    let json_path = dir.path().join("app.json");
    fs::write(&toml_path, FULL_TOML).unwrap();
    fs::write(&json_path, FULL_JSON).unwrap();
    assert_eq!(
        load_file(&toml_path, &Overrides::new()).unwrap(),
        full_config()
    );
    assert_eq!(
        load_file(&json_path, &Overrides::new()).unwrap(),
        full_config()
    );
}

#[test]
fn a_missing_file_is_an_io_error_naming_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("absent.toml");
    let errors = load_file(&path, &Overrides::new()).unwrap_err();
    match errors.iter().next() {
        Some(ConfigError::Io { path: p, .. }) => assert_eq!(p, &path),
        other => panic!("expected an I/O error, got {other:?}"),
    }
    assert!(errors.to_string().contains("absent.toml"), "{errors}");
}

#[test]
fn rendered_output_parses_back_to_the_same_config() {
    let config = full_config();
    for format in [Format::Toml, Format::Json] {
        let text = config.render(format).expect("renders");
        assert!(text.ends_with('\n'));
        let reparsed =
            load_str(&text, format, &Overrides::new()).expect("rendered config is valid");
        assert_eq!(reparsed, config, "round trip through {format}");
    }
}

#[test]
fn json_rendering_uses_lowercase_enum_names() {
    let text = full_config().render(Format::Json).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(value["logging"]["level"], "warn");
    assert_eq!(value["logging"]["format"], "json");
    assert_eq!(value["server"]["port"], 8080);
}

//! The validation step: turns the raw layer into a typed [`Config`], collecting every problem on the way.

use std::ops::RangeInclusive;

use serde_json::Value;

use crate::raw::{RawConfig, RawDatabase, RawLogging, RawServer, Setting};
use crate::{
    Config, ConfigError, ConfigErrors, DatabaseConfig, LogFormat, LogLevel, LoggingConfig, Origin,
    ServerConfig,
};

const URL_SCHEMES: [&str; 3] = ["postgres://", "postgresql://", "sqlite://"];

const LEVELS: [(&str, LogLevel); 5] = [
    ("trace", LogLevel::Trace),
    ("debug", LogLevel::Debug),
    ("info", LogLevel::Info),
    ("warn", LogLevel::Warn),
    ("error", LogLevel::Error),
];

const FORMATS: [(&str, LogFormat); 2] = [("text", LogFormat::Text), ("json", LogFormat::Json)];

/// Validates every setting, returning the typed config or every problem found.
///
/// `errors` holds problems found by earlier stages (unknown override names); they are reported first.
pub(crate) fn validate(
    raw: &RawConfig,
    mut errors: Vec<ConfigError>,
) -> Result<Config, ConfigErrors> {
    errors.extend(raw.unknown_keys());
    let mut v = Validator { errors };

    let server = server(&mut v, &raw.server);
    let database = database(&mut v, &raw.database);
    let logging = logging(&mut v, &raw.logging);

    match (server, database, logging) {
        (Some(server), Some(database), Some(logging)) if v.errors.is_empty() => Ok(Config {
            server,
            database,
            logging,
        }),
        _ => {
            debug_assert!(
                !v.errors.is_empty(),
                "a setting was rejected without an error"
            );
            Err(ConfigErrors::new(v.errors))
        }
    }
}

fn server(v: &mut Validator, raw: &RawServer) -> Option<ServerConfig> {
    let host = v.string(
        "server.host",
        raw.host.as_ref(),
        "a non-empty host name or IP address without whitespace",
        |s| !s.is_empty() && !s.contains(char::is_whitespace),
    );
    let port = v.integer("server.port", raw.port.as_ref(), None, 1..=65_535);
    let workers = v.integer("server.workers", raw.workers.as_ref(), Some(4), 1..=1024);
    let request_timeout_ms = v.integer(
        "server.request_timeout_ms",
        raw.request_timeout_ms.as_ref(),
        Some(30_000),
        100..=600_000,
    );
    // Evaluate every field first, then combine: `?` here must not skip the checks of later fields.
    Some(ServerConfig {
        host: host?,
        port: port?,
        workers: workers?,
        request_timeout_ms: request_timeout_ms?,
    })
}

fn database(v: &mut Validator, raw: &RawDatabase) -> Option<DatabaseConfig> {
    let url = v.string(
        "database.url",
        raw.url.as_ref(),
        "a URL starting with postgres://, postgresql:// or sqlite://",
        |s| {
            URL_SCHEMES
                .iter()
                .any(|scheme| s.len() > scheme.len() && s.starts_with(scheme))
        },
    );
    let max_connections = v.integer(
        "database.max_connections",
        raw.max_connections.as_ref(),
        Some(10),
        1..=1000,
    );
    let mut min_connections = v.integer(
        "database.min_connections",
        raw.min_connections.as_ref(),
        Some(1),
        0..=1000,
    );

    // Cross-field rule, checked only when both sides are individually valid.
    if let (Some(min), Some(max)) = (min_connections, max_connections) {
        if min > max {
            let origin = raw
                .min_connections
                .as_ref()
                .map_or(Origin::File, |s| s.origin.clone());
            v.errors.push(ConfigError::Invalid {
                field: "database.min_connections".into(),
                expected: format!("at most database.max_connections ({max})"),
                found: format!("the integer {min}"),
                origin,
            });
            min_connections = None;
        }
    }
    Some(DatabaseConfig {
        url: url?,
        max_connections: max_connections?,
        min_connections: min_connections?,
    })
}

fn logging(v: &mut Validator, raw: &RawLogging) -> Option<LoggingConfig> {
    let level = v.choice("logging.level", raw.level.as_ref(), LogLevel::Info, &LEVELS);
    let format = v.choice(
        "logging.format",
        raw.format.as_ref(),
        LogFormat::Text,
        &FORMATS,
    );
    Some(LoggingConfig {
        level: level?,
        format: format?,
    })
}

/// Collects errors while checking settings. Each check returns `None` exactly when it recorded an error.
struct Validator {
    errors: Vec<ConfigError>,
}

impl Validator {
    fn missing(&mut self, field: &str, expected: String) {
        self.errors.push(ConfigError::Missing {
            field: field.to_owned(),
            expected,
        });
    }

    fn invalid(&mut self, field: &str, expected: String, setting: &Setting) {
        self.errors.push(ConfigError::Invalid {
            field: field.to_owned(),
            expected,
            found: describe(&setting.value),
            origin: setting.origin.clone(),
        });
    }

    /// A required string that must satisfy `is_valid`.
    fn string(
        &mut self,
        field: &str,
        setting: Option<&Setting>,
        expected: &str,
        is_valid: impl Fn(&str) -> bool,
    ) -> Option<String> {
        let Some(setting) = setting else {
            self.missing(field, expected.to_owned());
            return None;
        };
        match &setting.value {
            Value::String(s) if is_valid(s) => Some(s.clone()),
            _ => {
                self.invalid(field, expected.to_owned(), setting);
                None
            }
        }
    }

    /// An integer in `range`, converted to the field's type. `default` of `None` makes the field required.
    ///
    /// Files must use real numbers; overrides are strings and are parsed.
    fn integer<T: TryFrom<i64>>(
        &mut self,
        field: &str,
        setting: Option<&Setting>,
        default: Option<T>,
        range: RangeInclusive<i64>,
    ) -> Option<T> {
        let expected = format!("an integer from {} to {}", range.start(), range.end());
        let Some(setting) = setting else {
            if default.is_none() {
                self.missing(field, expected);
            }
            return default;
        };
        let number = match (&setting.value, &setting.origin) {
            (Value::Number(n), _) => n.as_i64(),
            (Value::String(s), Origin::Env(_) | Origin::Flag) => s.trim().parse().ok(),
            _ => None,
        };
        match number.filter(|n| range.contains(n)).map(T::try_from) {
            Some(Ok(value)) => Some(value),
            _ => {
                self.invalid(field, expected, setting);
                None
            }
        }
    }

    /// One of a fixed set of lowercase names.
    fn choice<T: Copy>(
        &mut self,
        field: &str,
        setting: Option<&Setting>,
        default: T,
        choices: &[(&str, T)],
    ) -> Option<T> {
        let Some(setting) = setting else {
            return Some(default);
        };
        let found = match &setting.value {
            Value::String(s) => choices
                .iter()
                .find(|(name, _)| name == s)
                .map(|(_, value)| *value),
            _ => None,
        };
        if found.is_none() {
            let names: Vec<&str> = choices.iter().map(|(name, _)| *name).collect();
            self.invalid(field, format!("one of {}", names.join(", ")), setting);
        }
        found
    }
}

/// A short description of a value for error messages, e.g. `the string "abc"` or `a table`.
fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) if n.is_i64() || n.is_u64() => format!("the integer {n}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("the string {s:?}"),
        Value::Array(_) => "an array".to_owned(),
        Value::Object(_) => "a table".to_owned(),
    }
}

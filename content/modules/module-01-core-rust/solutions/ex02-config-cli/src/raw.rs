//! The raw layer: what the file and the overrides said, before any rule is applied.
//!
//! Serde checks the *shape* here (sections are tables, the file is well-formed) and nothing else. Each leaf is
//! kept as an untyped [`Setting`] that remembers where it came from, so that type, range and cross-field
//! problems can all be reported together, with field names, by the validation step.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use serde_json::Value;

use crate::{ConfigError, Format};

/// The sections of the config and the settings in each, in schema order.
pub(crate) const SCHEMA: [(&str, &[&str]); 3] = [
    ("server", &["host", "port", "workers", "request_timeout_ms"]),
    ("database", &["url", "max_connections", "min_connections"]),
    ("logging", &["level", "format"]),
];

/// Where a setting's value came from. Later layers override earlier ones: defaults, the file, environment
/// variables, then `--set` flags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// The config file.
    File,
    /// The named environment variable.
    Env(String),
    /// A `--set FIELD=VALUE` command-line flag.
    Flag,
}

impl Origin {
    /// `" (from <origin>)"` for overrides, empty for the file, for appending to error messages.
    pub(crate) fn suffix(&self) -> String {
        match self {
            Self::File => String::new(),
            Self::Env(_) | Self::Flag => format!(" (from {self})"),
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::File => f.write_str("the config file"),
            Self::Env(var) => write!(f, "environment variable {var}"),
            Self::Flag => f.write_str("a --set flag"),
        }
    }
}

/// One leaf value and where it came from. Values from the file keep their TOML/JSON type; overrides are
/// always strings, because that is all an environment variable or a flag can be.
#[derive(Debug, Clone, Deserialize)]
#[serde(from = "Value")]
pub(crate) struct Setting {
    pub(crate) value: Value,
    pub(crate) origin: Origin,
}

impl From<Value> for Setting {
    /// Anything deserialized comes from the file.
    fn from(value: Value) -> Self {
        Self {
            value,
            origin: Origin::File,
        }
    }
}

/// The whole file. Unknown top-level keys are collected rather than rejected, so they can be reported together
/// with every other problem.
#[derive(Debug, Default, Deserialize)]
#[serde(default, expecting = "a table of sections")]
pub(crate) struct RawConfig {
    pub(crate) server: RawServer,
    pub(crate) database: RawDatabase,
    pub(crate) logging: RawLogging,
    #[serde(flatten)]
    pub(crate) unknown: BTreeMap<String, Value>,
}

/// The `[server]` section as written.
#[derive(Debug, Default, Deserialize)]
#[serde(default, expecting = "a [server] table")]
pub(crate) struct RawServer {
    pub(crate) host: Option<Setting>,
    pub(crate) port: Option<Setting>,
    pub(crate) workers: Option<Setting>,
    pub(crate) request_timeout_ms: Option<Setting>,
    #[serde(flatten)]
    pub(crate) unknown: BTreeMap<String, Value>,
}

/// The `[database]` section as written.
#[derive(Debug, Default, Deserialize)]
#[serde(default, expecting = "a [database] table")]
pub(crate) struct RawDatabase {
    pub(crate) url: Option<Setting>,
    pub(crate) max_connections: Option<Setting>,
    pub(crate) min_connections: Option<Setting>,
    #[serde(flatten)]
    pub(crate) unknown: BTreeMap<String, Value>,
}

/// The `[logging]` section as written.
#[derive(Debug, Default, Deserialize)]
#[serde(default, expecting = "a [logging] table")]
pub(crate) struct RawLogging {
    pub(crate) level: Option<Setting>,
    pub(crate) format: Option<Setting>,
    #[serde(flatten)]
    pub(crate) unknown: BTreeMap<String, Value>,
}

impl RawConfig {
    /// Parses a TOML or JSON document. Only syntax and shape errors are reported here.
    pub(crate) fn parse(text: &str, format: Format) -> Result<Self, ConfigError> {
        let parsed = match format {
            Format::Toml => toml::from_str(text).map_err(|e| e.to_string()),
            Format::Json => serde_json::from_str(text).map_err(|e| e.to_string()),
        };
        parsed.map_err(|message| ConfigError::Parse { format, message })
    }

    /// Overrides the setting named by the dotted `field` with a string value.
    pub(crate) fn set(
        &mut self,
        field: &str,
        value: &str,
        origin: Origin,
    ) -> Result<(), ConfigError> {
        match self.slot(field) {
            Some(slot) => {
                *slot = Some(Setting {
                    value: Value::String(value.to_owned()),
                    origin,
                });
                Ok(())
            }
            None => Err(unknown_field(field, origin)),
        }
    }

    /// The storage for a dotted field name, or `None` if there is no such setting.
    fn slot(&mut self, field: &str) -> Option<&mut Option<Setting>> {
        let slot = match field {
            "server.host" => &mut self.server.host,
            "server.port" => &mut self.server.port,
            "server.workers" => &mut self.server.workers,
            "server.request_timeout_ms" => &mut self.server.request_timeout_ms,
            "database.url" => &mut self.database.url,
            "database.max_connections" => &mut self.database.max_connections,
            "database.min_connections" => &mut self.database.min_connections,
            "logging.level" => &mut self.logging.level,
            "logging.format" => &mut self.logging.format,
            _ => return None,
        };
        Some(slot)
    }

    /// Every key in the file that is not part of the schema, as `UnknownField` errors.
    pub(crate) fn unknown_keys(&self) -> Vec<ConfigError> {
        let sections = [
            ("", &self.unknown),
            ("server.", &self.server.unknown),
            ("database.", &self.database.unknown),
            ("logging.", &self.logging.unknown),
        ];
        sections
            .into_iter()
            .flat_map(|(prefix, keys)| keys.keys().map(move |key| format!("{prefix}{key}")))
            .map(|field| unknown_field(&field, Origin::File))
            .collect()
    }
}

/// Builds the error for a setting name that does not exist, listing what would have been valid there.
pub(crate) fn unknown_field(field: &str, origin: Origin) -> ConfigError {
    let candidates: Vec<String> = match field.split_once('.') {
        // A bare top-level key in a file can only be a section.
        None if origin == Origin::File => SCHEMA
            .iter()
            .map(|(section, _)| section.to_string())
            .collect(),
        Some((section, _)) if SCHEMA.iter().any(|(s, _)| *s == section) => SCHEMA
            .iter()
            .filter(|(s, _)| *s == section)
            .flat_map(|(s, keys)| keys.iter().map(move |key| format!("{s}.{key}")))
            .collect(),
        _ => all_fields(),
    };
    let mut expected = format!("one of {}", candidates.join(", "));
    if let Some(closest) = closest(field, &candidates) {
        expected.push_str(&format!(" (did you mean {closest}?)"));
    }
    ConfigError::UnknownField {
        field: field.to_owned(),
        expected,
        origin,
    }
}

/// Every dotted setting name, in schema order.
pub(crate) fn all_fields() -> Vec<String> {
    SCHEMA
        .iter()
        .flat_map(|(section, keys)| keys.iter().map(move |key| format!("{section}.{key}")))
        .collect()
}

/// The candidate within a small edit distance of `name`, if any: a cheap "did you mean".
fn closest<'a>(name: &str, candidates: &'a [String]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|candidate| (edit_distance(name, candidate), candidate))
        .filter(|(distance, _)| *distance <= 2)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate.as_str())
}

/// Levenshtein distance over chars, with a single reused row.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = if ca == *cb {
                diagonal
            } else {
                1 + diagonal.min(above).min(row[j])
            };
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_schema_field_has_a_slot() {
        let mut raw = RawConfig::default();
        for field in all_fields() {
            assert!(raw.slot(&field).is_some(), "{field} has no slot");
        }
        assert!(raw.slot("server.nope").is_none());
    }

    #[test]
    fn edit_distance_counts_single_edits() {
        assert_eq!(edit_distance("port", "port"), 0);
        assert_eq!(edit_distance("prot", "port"), 2);
        assert_eq!(edit_distance("server.prt", "server.port"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}

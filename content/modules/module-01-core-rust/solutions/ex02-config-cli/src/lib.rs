//! Load, override, validate and print application configuration.
//!
//! The pipeline has four layers, each overriding the one before:
//!
//! 1. built-in defaults for optional settings;
//! 2. a TOML or JSON file;
//! 3. environment variables: `APP_SERVER__PORT=8080` sets `server.port` (prefix `APP`, `__` between levels);
//! 4. `--set server.port=8080` assignments.
//!
//! Parsing only checks the shape of the file. Validation then checks every setting and reports *all* problems at
//! once, each naming its field, what was expected and, for overrides, where the bad value came from.
//!
//! ```
//! use ex02_config_cli::{load_str, Format, Overrides};
//!
//! let file = r#"
//!     [server]
//!     host = "0.0.0.0"
//!     port = 8080
//!     [database]
//!     url = "postgres://app@localhost/app"
//! "#;
//! let overrides = Overrides::new().env("APP", [("APP_SERVER__PORT", "9090")]);
//! let config = load_str(file, Format::Toml, &overrides).unwrap();
//! assert_eq!(config.server.port, 9090);
//! assert_eq!(config.server.workers, 4); // default
//! ```

pub mod cli;
mod error;
mod model;
mod raw;
mod validate;

use std::fmt;
use std::fs;
use std::path::Path;

pub use error::{ConfigError, ConfigErrors};
pub use model::{Config, DatabaseConfig, LogFormat, LogLevel, LoggingConfig, ServerConfig};
pub use raw::Origin;

use raw::RawConfig;

/// A config file format, used both for input files and for `show --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// TOML.
    Toml,
    /// JSON.
    Json,
}

impl Format {
    /// Picks the format from a file's extension (`.toml` or `.json`, in any case).
    ///
    /// # Errors
    ///
    /// [`ConfigError::UnsupportedFormat`] for any other extension, or none.
    pub fn from_path(path: &Path) -> Result<Self, ConfigError> {
        let extension = path
            .extension()
            .and_then(|ext| ext.to_str())
            .map(str::to_ascii_lowercase);
        match extension.as_deref() {
            Some("toml") => Ok(Self::Toml),
            Some("json") => Ok(Self::Json),
            _ => Err(ConfigError::UnsupportedFormat {
                path: path.to_path_buf(),
            }),
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Toml => "TOML",
            Self::Json => "JSON",
        })
    }
}

/// The layers above the file: environment variables and `--set` assignments.
///
/// Built with chained calls; the default has no overrides at all.
///
/// ```
/// use ex02_config_cli::Overrides;
///
/// let overrides = Overrides::new()
///     .env("APP", [("APP_LOGGING__LEVEL", "debug"), ("HOME", "/root")]) // HOME is ignored
///     .assign("server.port", "9000");
/// # let _ = overrides;
/// ```
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    env: Vec<(String, String)>,
    env_prefix: String,
    assignments: Vec<(String, String)>,
}

impl Overrides {
    /// No overrides.
    pub fn new() -> Self {
        Self::default()
    }

    /// Uses the variables in `vars` whose names start with `{prefix}_` as overrides; others are ignored.
    ///
    /// The rest of the name is split at `__` and lowercased: with prefix `APP`, `APP_SERVER__REQUEST_TIMEOUT_MS`
    /// sets `server.request_timeout_ms`. An empty prefix disables environment overrides. Variables are applied
    /// in name order, so the outcome never depends on the order of `vars`.
    pub fn env<I, K, V>(mut self, prefix: &str, vars: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        self.env_prefix = prefix.to_owned();
        self.env.clear();
        if !prefix.is_empty() {
            let start = format!("{prefix}_");
            self.env = vars
                .into_iter()
                .map(|(name, value)| (name.into(), value.into()))
                .filter(|(name, _)| name.starts_with(&start))
                .collect();
            self.env.sort();
        }
        self
    }

    /// Sets the dotted `field` to `value`, above every other layer. Later assignments win.
    pub fn assign(mut self, field: impl Into<String>, value: impl Into<String>) -> Self {
        self.assignments.push((field.into(), value.into()));
        self
    }

    /// Applies the overrides to `raw`, returning an error for each one that names no known setting.
    fn apply(&self, raw: &mut RawConfig) -> Vec<ConfigError> {
        let mut errors = Vec::new();
        let prefix_len = self.env_prefix.len() + 1;
        for (name, value) in &self.env {
            let field = name[prefix_len..]
                .split("__")
                .map(str::to_lowercase)
                .collect::<Vec<_>>()
                .join(".");
            if let Err(e) = raw.set(&field, value, Origin::Env(name.clone())) {
                errors.push(e);
            }
        }
        for (field, value) in &self.assignments {
            if let Err(e) = raw.set(field, value, Origin::Flag) {
                errors.push(e);
            }
        }
        errors
    }
}

/// Parses `text` as `format`, applies `overrides` and validates the result.
///
/// # Errors
///
/// A single [`ConfigError::Parse`] if the text is malformed; otherwise every unknown setting, missing setting
/// and invalid value found in the text and the overrides.
pub fn load_str(text: &str, format: Format, overrides: &Overrides) -> Result<Config, ConfigErrors> {
    let mut raw = RawConfig::parse(text, format)?;
    let override_errors = overrides.apply(&mut raw);
    validate::validate(&raw, override_errors)
}

/// Reads the file at `path` (format from its extension), applies `overrides` and validates the result.
///
/// # Errors
///
/// As [`load_str`], plus a single [`ConfigError::UnsupportedFormat`] or [`ConfigError::Io`] if the file cannot
/// be identified or read.
pub fn load_file(path: &Path, overrides: &Overrides) -> Result<Config, ConfigErrors> {
    let format = Format::from_path(path)?;
    let text = fs::read_to_string(path).map_err(|source| ConfigError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    load_str(&text, format, overrides)
}

/// Parses a `FIELD=VALUE` assignment as given to `--set`. The value may be empty or contain `=`.
///
/// # Errors
///
/// A message for clap to show if there is no `=` or the field name is empty.
pub fn parse_assignment(input: &str) -> Result<(String, String), String> {
    match input.split_once('=') {
        Some((field, value)) if !field.trim().is_empty() => {
            Ok((field.trim().to_owned(), value.to_owned()))
        }
        _ => Err(format!(
            "expected FIELD=VALUE (e.g. server.port=8080), found {input:?}"
        )),
    }
}

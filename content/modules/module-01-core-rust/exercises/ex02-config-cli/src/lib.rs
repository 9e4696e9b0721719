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
//! The public API below is the contract the tests check. The README lists every setting and rule. How you
//! represent the raw, not-yet-validated layer is up to you; private modules such as `raw.rs` and `validate.rs`
//! are a good way to organise it.
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

// Fields and parameters are unused until you write the code. Delete this line once you have an implementation.
#![allow(unused_variables, dead_code)]

pub mod cli;
mod error;
mod model;

use std::fmt;
use std::path::Path;

pub use error::{ConfigError, ConfigErrors};
pub use model::{Config, DatabaseConfig, LogFormat, LogLevel, LoggingConfig, ServerConfig};

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
        todo!("look at path.extension()")
    }
}

impl fmt::Display for Format {
    /// `TOML` or `JSON`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        todo!()
    }
}

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

impl fmt::Display for Origin {
    /// `the config file`, `environment variable <NAME>` or `a --set flag`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        todo!()
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
    pub fn env<I, K, V>(self, prefix: &str, vars: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        todo!("keep the matching variables, sorted by name")
    }

    /// Sets the dotted `field` to `value`, above every other layer. Later assignments win.
    pub fn assign(self, field: impl Into<String>, value: impl Into<String>) -> Self {
        todo!()
    }
}

/// Parses `text` as `format`, applies `overrides` and validates the result.
///
/// # Errors
///
/// A single [`ConfigError::Parse`] if the text is malformed; otherwise every unknown setting, missing setting
/// and invalid value found in the text and the overrides.
pub fn load_str(text: &str, format: Format, overrides: &Overrides) -> Result<Config, ConfigErrors> {
    todo!("parse the raw layer, apply the overrides, validate")
}

/// Reads the file at `path` (format from its extension), applies `overrides` and validates the result.
///
/// # Errors
///
/// As [`load_str`], plus a single [`ConfigError::UnsupportedFormat`] or [`ConfigError::Io`] if the file cannot
/// be identified or read.
pub fn load_file(path: &Path, overrides: &Overrides) -> Result<Config, ConfigErrors> {
    todo!()
}

/// Parses a `FIELD=VALUE` assignment as given to `--set`. The value may be empty or contain `=`.
///
/// # Errors
///
/// A message for clap to show if there is no `=` or the field name is empty.
pub fn parse_assignment(input: &str) -> Result<(String, String), String> {
    todo!()
}

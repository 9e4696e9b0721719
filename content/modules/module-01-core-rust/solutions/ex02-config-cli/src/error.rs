//! Error types. Every variant that concerns a setting names the field and says what was expected.

use std::fmt;
use std::io;
use std::path::PathBuf;

use thiserror::Error;

use crate::{Format, Origin};

/// One problem found while loading, overriding, validating or rendering a config.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The config file could not be read.
    #[error("cannot read {}: {source}", .path.display())]
    Io {
        /// The file that could not be read.
        path: PathBuf,
        /// The underlying I/O error.
        source: io::Error,
    },

    /// The file extension does not say which format the file is in.
    #[error("{}: unsupported file type; expected a .toml or .json extension", .path.display())]
    UnsupportedFormat {
        /// The offending path.
        path: PathBuf,
    },

    /// The file is not well-formed TOML or JSON, or its overall shape is wrong (for example a section that is
    /// not a table). The message comes from the parser and includes the position or key where it has one.
    #[error("invalid {format}: {message}")]
    Parse {
        /// The format the file was parsed as.
        format: Format,
        /// The parser's description of the problem.
        message: String,
    },

    /// A required setting has no value in any layer.
    #[error("{field}: missing; expected {expected}")]
    Missing {
        /// The dotted name of the setting, e.g. `server.port`.
        field: String,
        /// What a valid value looks like.
        expected: String,
    },

    /// A setting has a value of the wrong type, out of range, or inconsistent with another setting.
    #[error("{field}: expected {expected}, found {found}{}", .origin.suffix())]
    Invalid {
        /// The dotted name of the setting, e.g. `server.port`.
        field: String,
        /// What a valid value looks like.
        expected: String,
        /// A description of the value that was found.
        found: String,
        /// Where the bad value came from.
        origin: Origin,
    },

    /// A key in the file, an environment variable or a `--set` flag names a setting that does not exist.
    #[error("{field}: unknown setting{}; expected {expected}", .origin.suffix())]
    UnknownField {
        /// The dotted name that was given.
        field: String,
        /// The settings that are valid at that position, with a suggestion when one is close.
        expected: String,
        /// Where the unknown name came from.
        origin: Origin,
    },

    /// The effective config could not be serialized.
    #[error("cannot render the config as {format}: {message}")]
    Render {
        /// The requested output format.
        format: Format,
        /// The serializer's description of the problem.
        message: String,
    },
}

impl ConfigError {
    /// The dotted setting name this error is about, if it is about one setting.
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::Missing { field, .. }
            | Self::Invalid { field, .. }
            | Self::UnknownField { field, .. } => Some(field),
            Self::Io { .. }
            | Self::UnsupportedFormat { .. }
            | Self::Parse { .. }
            | Self::Render { .. } => None,
        }
    }
}

/// Every problem found in one attempt to load a config, in a stable order: overrides naming unknown settings,
/// unknown keys in the file, then each setting in schema order.
///
/// Never empty when returned as an error.
#[derive(Debug)]
pub struct ConfigErrors(Vec<ConfigError>);

impl ConfigErrors {
    /// Wraps a list of problems.
    pub fn new(errors: Vec<ConfigError>) -> Self {
        Self(errors)
    }

    /// The number of problems.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Returns true if there are no problems.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Iterates over the problems in order.
    pub fn iter(&self) -> std::slice::Iter<'_, ConfigError> {
        self.0.iter()
    }

    /// The field names of the problems that concern one field, in order.
    pub fn fields(&self) -> Vec<&str> {
        self.0.iter().filter_map(ConfigError::field).collect()
    }

    /// Unwraps the list.
    pub fn into_vec(self) -> Vec<ConfigError> {
        self.0
    }
}

impl fmt::Display for ConfigErrors {
    /// One problem per line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, error) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}

impl From<ConfigError> for ConfigErrors {
    fn from(error: ConfigError) -> Self {
        Self(vec![error])
    }
}

impl IntoIterator for ConfigErrors {
    type Item = ConfigError;
    type IntoIter = std::vec::IntoIter<ConfigError>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a ConfigErrors {
    type Item = &'a ConfigError;
    type IntoIter = std::slice::Iter<'a, ConfigError>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

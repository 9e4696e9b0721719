//! The validated configuration: plain, fully typed data. If you hold a `Config`, every rule has passed.

use serde::{Deserialize, Serialize};

use crate::{ConfigError, Format};

/// The effective configuration of the application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Config {
    /// The `[server]` section.
    pub server: ServerConfig,
    /// The `[database]` section.
    pub database: DatabaseConfig,
    /// The `[logging]` section.
    pub logging: LoggingConfig,
}

/// The `[server]` section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerConfig {
    /// Host name or IP address to listen on. Required; non-empty, no whitespace.
    pub host: String,
    /// TCP port to listen on. Required; 1 to 65535.
    pub port: u16,
    /// Worker threads. Default 4; 1 to 1024.
    pub workers: u32,
    /// Per-request timeout in milliseconds. Default 30000; 100 to 600000.
    pub request_timeout_ms: u64,
}

/// The `[database]` section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatabaseConfig {
    /// Connection URL. Required; must start with `postgres://`, `postgresql://` or `sqlite://`.
    pub url: String,
    /// Maximum pool size. Default 10; 1 to 1000.
    pub max_connections: u32,
    /// Connections kept open when idle. Default 1; 0 to 1000 and at most `max_connections`.
    pub min_connections: u32,
}

/// The `[logging]` section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoggingConfig {
    /// Minimum level to log. Default `info`.
    pub level: LogLevel,
    /// Output format of log lines. Default `text`.
    pub format: LogFormat,
}

/// Log verbosity, from most to least verbose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogLevel {
    /// Everything, including very fine-grained tracing.
    Trace,
    /// Diagnostic detail.
    Debug,
    /// Normal operation.
    Info,
    /// Something unexpected but recoverable.
    Warn,
    /// Failures.
    Error,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

impl Config {
    /// Serializes the config as pretty TOML or JSON, ending with a newline.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Render`] if the serializer fails, which this schema never triggers in practice.
    pub fn render(&self, format: Format) -> Result<String, ConfigError> {
        let rendered = match format {
            Format::Toml => toml::to_string_pretty(self).map_err(|e| e.to_string()),
            Format::Json => serde_json::to_string_pretty(self)
                .map(|json| json + "\n")
                .map_err(|e| e.to_string()),
        };
        rendered.map_err(|message| ConfigError::Render { format, message })
    }
}

//! The command-line interface: argument definitions and a `run` function that does everything except touch the
//! real process (arguments, environment, stdout/stderr and exit code are all passed in).

use std::io::{self, Write};
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::{parse_assignment, Format};

/// Exit code: success.
pub const EXIT_OK: u8 = 0;
/// Exit code: the config could not be loaded or is invalid. (Usage errors exit with 2, clap's default.)
pub const EXIT_INVALID: u8 = 1;

/// Validate and inspect layered application configuration.
///
/// Settings come from built-in defaults, then the file, then environment variables such as
/// APP_SERVER__PORT=8080, then --set flags.
#[derive(Debug, Parser)]
#[command(name = "ex02-config-cli", version)]
pub struct Cli {
    /// Environment variables named PREFIX_SECTION__FIELD override the file
    #[arg(long, global = true, value_name = "PREFIX", default_value = "APP")]
    pub env_prefix: String,

    /// Ignore environment variables
    #[arg(long, global = true)]
    pub no_env: bool,

    /// What to do
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a config file and report every problem found
    Validate(Input),
    /// Print the effective config after defaults and overrides
    Show {
        /// The config to load
        #[command(flatten)]
        input: Input,
        /// Output format
        #[arg(long, value_enum, default_value_t = Format::Toml)]
        format: Format,
    },
}

impl Command {
    /// The input arguments shared by every subcommand.
    pub fn input(&self) -> &Input {
        match self {
            Self::Validate(input) | Self::Show { input, .. } => input,
        }
    }
}

/// Where the config comes from.
#[derive(Debug, Args)]
pub struct Input {
    /// Path to a .toml or .json config file
    pub file: PathBuf,

    /// Override one setting, above every other layer (repeatable)
    #[arg(long = "set", value_name = "FIELD=VALUE", value_parser = parse_assignment)]
    pub assignments: Vec<(String, String)>,
}

/// Runs the parsed command. Results go to `stdout`, problems to `stderr`; the return value is the exit code.
///
/// * `validate`: on success print `<file>: OK` to stdout and return [`EXIT_OK`].
/// * `show`: on success print the effective config in the requested format to stdout and return [`EXIT_OK`].
/// * On any config problem print a header naming the file, then every problem on its own line, to stderr, and
///   return [`EXIT_INVALID`]. Nothing goes to stdout.
/// * Environment overrides use `cli.env_prefix` and the variables in `env`, unless `cli.no_env` is set;
///   the subcommand's `--set` assignments go on top.
///
/// # Errors
///
/// Only failures to write to `stdout` or `stderr`; every config problem is reported and turned into an exit code.
pub fn run<I>(cli: &Cli, env: I, stdout: &mut dyn Write, stderr: &mut dyn Write) -> io::Result<u8>
where
    I: IntoIterator<Item = (String, String)>,
{
    todo!("build the overrides, load the file, then print the result or report the problems")
}

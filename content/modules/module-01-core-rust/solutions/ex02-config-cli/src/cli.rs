//! The command-line interface: argument definitions and a `run` function that does everything except touch the
//! real process (arguments, environment, stdout/stderr and exit code are all passed in).

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand};

use crate::{load_file, parse_assignment, ConfigErrors, Format, Overrides};

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
/// # Errors
///
/// Only failures to write to `stdout` or `stderr`; every config problem is reported and turned into an exit code.
pub fn run<I>(cli: &Cli, env: I, stdout: &mut dyn Write, stderr: &mut dyn Write) -> io::Result<u8>
where
    I: IntoIterator<Item = (String, String)>,
{
    let input = cli.command.input();
    let mut overrides = Overrides::new();
    if !cli.no_env {
        overrides = overrides.env(&cli.env_prefix, env);
    }
    for (field, value) in &input.assignments {
        overrides = overrides.assign(field, value);
    }

    let config = match load_file(&input.file, &overrides) {
        Ok(config) => config,
        Err(errors) => {
            report(stderr, &input.file, &errors)?;
            return Ok(EXIT_INVALID);
        }
    };

    match &cli.command {
        Command::Validate(_) => writeln!(stdout, "{}: OK", input.file.display())?,
        Command::Show { format, .. } => match config.render(*format) {
            Ok(text) => stdout.write_all(text.as_bytes())?,
            Err(error) => {
                writeln!(stderr, "error: {error}")?;
                return Ok(EXIT_INVALID);
            }
        },
    }
    Ok(EXIT_OK)
}

/// Writes every problem, one per line, under a header naming the file.
fn report(out: &mut dyn Write, file: &Path, errors: &ConfigErrors) -> io::Result<()> {
    let count = errors.len();
    let noun = if count == 1 { "problem" } else { "problems" };
    writeln!(out, "error: {}: {count} {noun} found:", file.display())?;
    for error in errors {
        writeln!(out, "  - {error}")?;
    }
    Ok(())
}

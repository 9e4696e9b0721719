//! The binary: parse arguments, hand the real environment and streams to the library, exit with its code.

use std::io;
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use ex02_config_cli::cli::{run, Cli};

fn main() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    // `std::env::vars()` panics on a variable that is not valid Unicode; skip such variables instead.
    let env = std::env::vars_os()
        .filter_map(|(name, value)| Some((name.into_string().ok()?, value.into_string().ok()?)));
    let code = run(
        &cli,
        env,
        &mut io::stdout().lock(),
        &mut io::stderr().lock(),
    )
    .context("cannot write output")?;
    Ok(ExitCode::from(code))
}

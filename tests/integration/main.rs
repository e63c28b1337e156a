//! One integration-test binary (ripgrep style): each module covers one part of lode.

mod errors;
mod explain;
mod props;
mod reask;
mod report;
mod scenarios;
mod timeline;
mod validation;
mod whatif;

use clap::Parser;
use lode::cli::Cli;
use lode::commands::dispatch;
use lode::engine::{self, Model};
use lode::lower::{self, Facts, Options};
use lode::scenario::{self, Scenario};
use std::path::Path;

/// Loads and lowers a scenario file, panicking with the rendered diagnostic on error.
pub fn open(path: &Path) -> (Scenario, Facts) {
    let s = scenario::load(Some(path)).unwrap_or_else(|e| panic!("{}", lode::error::render(&e)));
    let f = lower::lower(&s, &Options::default())
        .unwrap_or_else(|e| panic!("{}", lode::error::render(&e)));
    (s, f)
}

/// Loads, lowers and evaluates a scenario file.
pub fn evaluate(path: &Path) -> (Scenario, Facts, Model) {
    let (s, f) = open(path);
    let m = engine::evaluate(&f);
    (s, f, m)
}

/// Loads and lowers scenario text; returns the rendered diagnostic on error.
pub fn lower_text(text: &str) -> Result<(Scenario, Facts), String> {
    let s = scenario::load_str("test.toml", text, None).map_err(|e| lode::error::render(&e))?;
    let f = lower::lower(&s, &Options::default()).map_err(|e| lode::error::render(&e))?;
    Ok((s, f))
}

/// Runs `lode ARGS…` in-process: (stdout, exit code), or the rendered error with code 2.
pub fn lode(args: &[&str]) -> (String, u8) {
    let cli = match Cli::try_parse_from(std::iter::once("lode").chain(args.iter().copied())) {
        Ok(c) => c,
        Err(e) => return (e.to_string(), 2),
    };
    match dispatch(cli) {
        Ok(o) => (o.stdout.into_string(), o.code),
        Err(e) => (lode::error::render(&e), 2),
    }
}

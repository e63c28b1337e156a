//! `lode coverage [SCENARIO…]`: which rules fired at least once over the scenarios (default:
//! every scenarios/*.toml), by the provenance engine. A rule with an empty body (a fact written in
//! the rules) counts as fired. `--fail-under PCT` exits 1 below PCT.

use super::{Outcome, scenario_files};
use crate::cli::Format;
use crate::engine;
use crate::error::Error;
use crate::explain::Coverage;
use crate::lower::Options;
use crate::report::proof::audit;
use std::path::PathBuf;

pub fn coverage(
    scenarios: &[PathBuf],
    fail_under: Option<f64>,
    format: Format,
) -> Result<Outcome, Error> {
    if let Some(t) = fail_under
        && !(0.0..=100.0).contains(&t)
    {
        return Err(Error::usage(
            format!("--fail-under must be a percentage between 0 and 100, found {t}"),
            None,
        ));
    }
    let files = scenario_files(scenarios)?;
    if files.is_empty() {
        return Err(Error::usage(
            "no scenario to measure",
            Some("name scenario files, or run from a directory with scenarios/*.toml".into()),
        ));
    }
    let mut cov = Coverage::new(files.iter().map(|p| p.display().to_string()).collect());
    for (i, p) in files.iter().enumerate() {
        let (_, facts) = super::load_and_lower(Some(p), &Options::default())?;
        let (_, firings) = engine::evaluate_traced(&facts);
        cov.add(i, &firings);
    }
    let stdout = match format {
        Format::Table => audit::coverage_text(&cov, fail_under),
        Format::Json => audit::coverage_json(&cov, fail_under),
    };
    let code = u8::from(fail_under.is_some_and(|t| cov.percent() < t));
    Ok(Outcome::new(stdout, code))
}

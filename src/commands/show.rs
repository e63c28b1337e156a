//! `lode show [SCENARIO]`: the merged facts of a scenario (after `extends`, replacement and
//! removal), grouped by table, each with the file and line it came from.

use super::{Outcome, open};
use crate::cli::{EvalArgs, Format};
use crate::error::Error;
use crate::report;
use std::path::Path;

pub fn show(scenario: Option<&Path>, format: Format, eval: &EvalArgs) -> Result<Outcome, Error> {
    // Lowering validates the merged scenario and applies --set to the parameters shown.
    let (s, _facts) = open(scenario, eval)?;
    let opts = super::options(eval)?;
    let stdout = match format {
        Format::Table => report::show::text(&s, &opts),
        Format::Json => report::show::json(&s, &opts),
    };
    Ok(Outcome::ok(stdout))
}

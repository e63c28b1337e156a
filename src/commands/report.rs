//! `lode report` (not yet built).

use super::Outcome;
use crate::error::Error;
use crate::cli::EvalArgs;
use std::path::Path;

pub fn report(_scenario: Option<&Path>, _against: Option<&Path>, _out: &Path, _eval: &EvalArgs) -> Result<Outcome, Error> {
    Err(super::not_yet("report"))
}

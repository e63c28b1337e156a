//! `lode export` (not yet built).

use super::Outcome;
use crate::error::Error;
use crate::cli::{EvalArgs, ExportTarget};
use std::path::Path;

pub fn export(_to: ExportTarget, _out: &Path, _scenario: Option<&Path>, _eval: &EvalArgs) -> Result<Outcome, Error> {
    Err(super::not_yet("export"))
}

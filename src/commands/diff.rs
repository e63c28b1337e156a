//! `lode diff` (not yet built).

use super::Outcome;
use crate::error::Error;
use crate::cli::{EvalArgs, Format};
use std::path::Path;

pub fn diff(_a: &Path, _b: &Path, _format: Format, _explain: bool, _eval: &EvalArgs) -> Result<Outcome, Error> {
    Err(super::not_yet("diff"))
}

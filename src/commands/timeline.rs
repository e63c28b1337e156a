//! `lode timeline` (not yet built).

use super::Outcome;
use crate::error::Error;
use crate::cli::{EvalArgs, Format};
use std::path::Path;

pub fn timeline(_scenario: Option<&Path>, _from: &str, _to: &str, _relations: &[String], _format: Format, _eval: &EvalArgs) -> Result<Outcome, Error> {
    Err(super::not_yet("timeline"))
}

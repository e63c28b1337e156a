//! `lode show` (not yet built).

use super::Outcome;
use crate::error::Error;
use crate::cli::{EvalArgs, Format};
use std::path::Path;

pub fn show(_scenario: Option<&Path>, _format: Format, _eval: &EvalArgs) -> Result<Outcome, Error> {
    Err(super::not_yet("show"))
}

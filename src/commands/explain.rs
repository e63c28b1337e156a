//! `lode explain` (not yet built).

use super::Outcome;
use crate::error::Error;
use crate::cli::{EvalArgs, ProofFormat};

pub fn explain(_args: &[String], _why_not: bool, _depth: Option<usize>, _format: ProofFormat, _eval: &EvalArgs) -> Result<Outcome, Error> {
    Err(super::not_yet("explain"))
}

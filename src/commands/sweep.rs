//! `lode sweep` (not yet built).

use super::Outcome;
use crate::error::Error;
use crate::cli::{CutKind, EvalArgs, Format};
use std::path::Path;

pub fn sweep(_scenario: Option<&Path>, _cut: CutKind, _k: u8, _top: Option<usize>, _format: Format, _eval: &EvalArgs) -> Result<Outcome, Error> {
    Err(super::not_yet("sweep"))
}

//! `lode coverage` (not yet built).

use super::Outcome;
use crate::error::Error;
use crate::cli::Format;
use std::path::PathBuf;

pub fn coverage(_scenarios: &[PathBuf], _fail_under: Option<f64>, _format: Format) -> Result<Outcome, Error> {
    Err(super::not_yet("coverage"))
}

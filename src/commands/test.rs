//! `lode test` (not yet built).

use super::Outcome;
use crate::error::Error;
use std::path::PathBuf;

pub fn test(_scenarios: &[PathBuf]) -> Result<Outcome, Error> {
    Err(super::not_yet("test"))
}

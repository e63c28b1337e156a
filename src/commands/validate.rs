//! `lode validate` (not yet built).

use super::Outcome;
use crate::error::Error;
use std::path::Path;

pub fn validate(_data: &Path, _out: Option<&Path>) -> Result<Outcome, Error> {
    Err(super::not_yet("validate"))
}

//! `lode gen` (not yet built).

use super::Outcome;
use crate::error::Error;
use std::path::Path;

pub fn generate(_facts: usize, _seed: u64, _out: Option<&Path>) -> Result<Outcome, Error> {
    Err(super::not_yet("gen"))
}

//! `lode rules` (not yet built).

use super::Outcome;
use crate::error::Error;
use crate::cli::Format;

pub fn rules(_format: Format) -> Result<Outcome, Error> {
    Err(super::not_yet("rules"))
}

//! `lode rules`: every relation (fields, doc, input / derived / output) and every rule
//! (file:line, doc).

use super::Outcome;
use crate::cli::Format;
use crate::error::Error;
use crate::report::proof::audit;

pub fn rules(format: Format) -> Result<Outcome, Error> {
    Ok(Outcome::ok(match format {
        Format::Table => audit::rules_text(),
        Format::Json => audit::rules_json(),
    }))
}

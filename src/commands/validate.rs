//! `lode validate`: compare the bundled baseline's conclusions with published assessments and
//! write the markdown report (docs/validation.md).

use super::{Outcome, open};
use crate::cli::EvalArgs;
use crate::engine;
use crate::error::Error;
use crate::report;
use crate::validate::{self, Reference};
use std::path::Path;

/// `data`: a directory to read the reference tables from instead of the embedded ones.
pub fn validate(data: Option<&Path>, out: Option<&Path>) -> Result<Outcome, Error> {
    let reference = match data {
        Some(dir) => Reference::read(dir)?,
        None => Reference::embedded()?,
    };
    let (s, facts) = open(None, &EvalArgs::default())?;
    let model = engine::evaluate(&facts);
    let v = validate::validate(&s, &facts, &model, &reference);
    let text = report::validation::markdown(&v);
    match out {
        None => Ok(Outcome::ok(text)),
        Some(path) => {
            std::fs::write(path, &text).map_err(|e| Error::Io {
                path: path.display().to_string(),
                reason: e.to_string(),
            })?;
            Ok(Outcome::ok(report::validation::written(
                &path.display().to_string(),
                &v,
            )))
        }
    }
}

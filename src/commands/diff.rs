//! `lode diff A B`: what changes in the conclusions from scenario A to scenario B.
//!
//! Exit code 0 when no conclusion differs, 1 when one does (so CI can guard a scenario), 2 on
//! error.

use super::{Outcome, open, reask};
use crate::cli::{EvalArgs, Format};
use crate::diff::{self, Lowered};
use crate::engine;
use crate::error::Error;
use crate::report;
use std::path::Path;

pub fn diff(
    a: &Path,
    b: &Path,
    format: Format,
    explain: bool,
    eval: &EvalArgs,
) -> Result<Outcome, Error> {
    let (sa, fa) = open(Some(a), eval)?;
    let (sb, fb) = open(Some(b), eval)?;
    let (ma, mb) = (engine::evaluate(&fa), engine::evaluate(&fb));
    let r = diff::report(
        Lowered {
            scenario: &sa,
            facts: &fa,
        },
        &ma,
        Lowered {
            scenario: &sb,
            facts: &fb,
        },
        &mb,
        explain,
    );
    let again = (reask(Some(a), eval), reask(Some(b), eval));
    let stdout = match format {
        Format::Table => report::diff::text(&r, &again),
        Format::Json => report::diff::json(&r, &again),
    };
    Ok(Outcome::new(stdout, u8::from(r.differs())))
}

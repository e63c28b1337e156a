//! `lode report`: evaluate a scenario (and, with `--against`, another) and write the HTML report.

use super::{Outcome, open};
use crate::cli::EvalArgs;
use crate::engine;
use crate::error::Error;
use crate::explain::Explainer;
use crate::report::html::{self, Page, Side};
use std::path::Path;

pub fn report(
    scenario: Option<&Path>,
    against: Option<&Path>,
    out: &Path,
    eval: &EvalArgs,
) -> Result<Outcome, Error> {
    let (s, facts) = open(scenario, eval)?;
    let explainer = Explainer::new(&s, &facts);
    let other = match against {
        Some(p) => {
            let (os, of) = open(Some(p), eval)?;
            let om = engine::evaluate(&of);
            Some((os, of, om))
        }
        None => None,
    };
    let page = Page {
        main: Side {
            scenario: &s,
            facts: &facts,
            model: explainer.model(),
        },
        against: other.as_ref().map(|(os, of, om)| Side {
            scenario: os,
            facts: of,
            model: om,
        }),
        explainer: Some(&explainer),
    };
    let text = html::render(&page);
    std::fs::write(out, &text).map_err(|e| Error::Io {
        path: out.display().to_string(),
        reason: e.to_string(),
    })?;
    Ok(Outcome::ok(html::written(
        &out.display().to_string(),
        text.len(),
    )))
}

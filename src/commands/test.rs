//! `lode test [SCENARIO…]`: checks every `[[expect]]` of the scenarios (default: every
//! scenarios/*.toml). Each failure is shown at the place of the expectation with what was derived
//! instead; exit 1 on any failure. A query that does not parse is bad input (exit 2), reported
//! at its place in the scenario file.

use super::{Outcome, scenario_files};
use crate::error::Error;
use crate::explain::Explainer;
use crate::lower::Options;
use crate::query;
use crate::report::proof::audit;
use std::path::PathBuf;

pub fn test(scenarios: &[PathBuf]) -> Result<Outcome, Error> {
    let files = scenario_files(scenarios)?;
    let mut out = String::new();
    let (mut total, mut failed) = (0, 0);
    for p in &files {
        let (s, facts) = super::load_and_lower(Some(p), &Options::default())?;
        // Resolve every query first: all bad queries of a file are reported together.
        let mut patterns = Vec::new();
        let mut problems = Vec::new();
        for e in &s.expects {
            let file = s.file(&e.loc);
            // The query text starts after the opening quote of the TOML string.
            let offset = e.loc.span.start + 1;
            match query::parse(&e.query).and_then(|q| q.resolve(&facts.syms)) {
                Ok(pat) => patterns.push(pat),
                Err(qe) => problems.push(qe.problem(file, offset)),
            }
        }
        if !problems.is_empty() {
            return Err(Error::invalid(&p.display().to_string(), problems));
        }
        let ex = Explainer::new(&s, &facts);
        let outcomes: Vec<_> = s
            .expects
            .iter()
            .zip(patterns)
            .map(|(e, pat)| ex.expect(s.place(&e.loc), e.holds, &e.query, pat))
            .collect();
        total += outcomes.len();
        failed += outcomes.iter().filter(|o| !o.passed).count();
        out.push_str(&audit::expectations_text(
            &facts.syms,
            &p.display().to_string(),
            &outcomes,
        ));
    }
    out.push_str(&audit::expectations_total(files.len(), total, failed));
    Ok(Outcome::new(out, u8::from(failed > 0)))
}

//! `lode explain [SCENARIO] QUERY`: why a conclusion holds (a least-height proof down to the
//! cited facts), or with `--why-not`, why it does not.

use super::{Outcome, apply_cuts, open};
use crate::cli::{EvalArgs, ProofFormat};
use crate::error::Error;
use crate::explain::{Explainer, WHY_NOT_DEPTH};
use crate::query;
use crate::report::proof::{self, Ctx};
use std::path::Path;

/// At most this many matching conclusions are explained in one answer.
pub const MAX_PROOFS: usize = 10;

pub fn explain(
    args: &[String],
    why_not: bool,
    depth: Option<usize>,
    format: ProofFormat,
    cut: &[String],
    eval: &EvalArgs,
) -> Result<Outcome, Error> {
    let (path, text) = match args {
        [q] => (None, q.as_str()),
        [s, q] => (Some(Path::new(s.as_str())), q.as_str()),
        _ => {
            return Err(Error::usage(
                "explain takes a query, optionally after a scenario file",
                Some("e.g. lode explain scenarios/baseline.toml 'RiskLevel(USA, gallium, refining, critical)'".into()),
            ));
        }
    };
    // Check the query's syntax before loading anything.
    let parsed = query::parse(text).map_err(|e| e.into_error(text))?;
    let (s, facts) = open(path, eval)?;
    let facts = apply_cuts(facts, cut)?;
    let pattern = parsed
        .resolve(&facts.syms)
        .map_err(|e| e.into_error(text))?;
    let ex = Explainer::new(&s, &facts);
    let ctx = Ctx {
        scenario: &s,
        syms: &facts.syms,
    };
    if why_not {
        let w = ex.why_not_depth(pattern.rel, &pattern.fields, depth.unwrap_or(WHY_NOT_DEPTH));
        let stdout = match format {
            ProofFormat::Text => proof::why_not_text(ctx, &w),
            ProofFormat::Json => proof::why_not_json(ctx, &w),
            ProofFormat::Dot => proof::why_not_dot(ctx, &w),
        };
        // Asking why something does not hold when it does is a failed premise: exit 1.
        let code = u8::from(!w.holds.is_empty());
        return Ok(Outcome::new(stdout, code));
    }
    let matches = pattern.find(&ex.model().db);
    if matches.is_empty() && format != ProofFormat::Json {
        return Ok(Outcome::new(proof::no_match(ctx, &pattern, text), 1));
    }
    let proofs: Vec<_> = matches
        .iter()
        .take(MAX_PROOFS)
        .filter_map(|t| ex.proof(pattern.rel, t, depth))
        .collect();
    let stdout = match format {
        ProofFormat::Text => proof::texts(ctx, &proofs, matches.len()),
        ProofFormat::Json => proof::json(ctx, text, matches.len(), &proofs),
        ProofFormat::Dot => proof::dot(ctx, &proofs),
    };
    Ok(Outcome::new(stdout, u8::from(matches.is_empty())))
}

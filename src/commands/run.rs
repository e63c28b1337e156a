//! `lode run`: evaluate a scenario and print its conclusions.

use super::{Outcome, lower_loaded, lower_loaded_inputs, options, relation_ids, release};
use crate::aggregate;
use crate::bake;
use crate::cli::{EvalArgs, Format};
use crate::confidence::{self, Confidences};
use crate::datalog::program;
use crate::engine;
use crate::error::Error;
use crate::explain::Explainer;
use crate::memory::return_pages;
use crate::model::{Database, Symbols, Value};
use crate::report;
use crate::scenario;
use crate::scenario::Meta;
use std::path::Path;

pub fn run(
    scenario: Option<&Path>,
    format: Format,
    relations: &[String],
    all: bool,
    confidence: bool,
    min_confidence: Option<&str>,
    eval: &EvalArgs,
) -> Result<Outcome, Error> {
    let min = match min_confidence {
        None => None,
        Some(m) => Some(confidence::parse(m).ok_or_else(|| {
            Error::usage(
                format!("unknown confidence `{m}` in --min-confidence"),
                Some(report::confidence::choices()),
            )
        })?),
    };
    let rels = if all {
        (0..program().relations.len()).collect()
    } else if relations.is_empty() {
        crate::datalog::output_relations()
    } else {
        relation_ids(relations)?
    };
    let plain = !confidence && min.is_none();
    // The bundled baseline with no options was evaluated at build time (`bake`).
    if plain
        && scenario.is_none()
        && eval.set.is_empty()
        && eval.as_of.is_none()
        && let Some(b) = bake::embedded(Some(&rels))
        && !b.claims
    {
        let as_of = b.as_of.to_string();
        return Ok(listing(format, rels, b.meta, as_of, b.syms, b.db));
    }
    let mut opts = options(eval)?;
    let loaded = scenario::read(scenario)?;
    // Confidence needs proofs (the provenance engine); it is shown when asked for, and always
    // for a scenario that states claims, so that no conclusion resting on one goes unmarked.
    let automatic = plain && confidence::has_claims(&loaded.scenario);
    // A listing without proofs never reads an origin, so none is recorded.
    opts.skip_origins = plain && !automatic;
    if plain && !automatic {
        // Past lowering the listing reads only the scenario's name and the tuples: the
        // scenario is freed before the computed relations are added and the rules evaluated,
        // which reuse its memory.
        return_pages();
        let (s, mut facts) = lower_loaded_inputs(loaded, &opts)?;
        let meta = s.meta.clone();
        drop(s);
        return_pages();
        // Computed relations the listing does not show reach the rules packed.
        facts.pack_all_but(&rels);
        aggregate::compute(&mut facts);
        let as_of = facts.as_of.to_string();
        let (syms, model) = engine::evaluate_listed(facts, &rels);
        return_pages();
        return Ok(listing(format, rels, meta, as_of, syms, model.db));
    }
    let (s, facts) = lower_loaded(loaded, &opts)?;
    let as_of = facts.as_of.to_string();
    let ex = Explainer::new(&s, &facts);
    let conf = Confidences::of_relations(&s, &ex, &rels);
    let db = match min {
        Some(m) => conf.keep_at_least(&ex.model().db, &rels, m),
        None => ex.model().db.clone(),
    };
    release(ex);
    let kept = rels.iter().map(|&r| db.rel(r).len()).sum();
    Ok(Outcome::stream(move |w| {
        let written = match format {
            Format::Table => {
                let mut heading = report::heading(&s.meta, &as_of);
                heading.push_str(&report::confidence::note(
                    &conf.counts(),
                    min,
                    kept,
                    automatic,
                ));
                let extra = |r: usize, t: &[Value]| {
                    conf.get(r, t).map(|q| {
                        report::confidence::cell(q, conf.assumed(r, t).unwrap_or_default())
                    })
                };
                report::write_relations_table(
                    w,
                    &heading,
                    &facts.syms,
                    &db,
                    &rels,
                    &extra,
                    Some("confidence"),
                )
            }
            Format::Json => {
                let extra = |r: usize, t: &[Value]| conf.get(r, t).map(report::confidence::field);
                report::write_relations_json(w, &facts.syms, &db, &rels, &s.meta, &as_of, &extra)
            }
        };
        release((conf, db));
        release((s, facts));
        written
    }))
}

/// The plain listing (no confidence column), written as it is formatted: the listing of a large
/// scenario is tens of MiB.
fn listing(
    format: Format,
    rels: Vec<usize>,
    meta: Meta,
    as_of: String,
    syms: Symbols,
    db: Database,
) -> Outcome {
    Outcome::stream(move |w| {
        let written = match format {
            Format::Table => report::write_relations_table(
                w,
                &report::heading(&meta, &as_of),
                &syms,
                &db,
                &rels,
                &|_, _| None,
                None,
            ),
            Format::Json => {
                report::write_relations_json(w, &syms, &db, &rels, &meta, &as_of, &|_, _| None)
            }
        };
        release((meta, syms, db));
        written
    })
}

//! `lode run`: evaluate a scenario and print its conclusions.

use super::{Outcome, open, relation_ids};
use crate::cli::{EvalArgs, Format};
use crate::datalog::program;
use crate::engine;
use crate::error::Error;
use crate::report;
use std::path::Path;

pub fn run(
    scenario: Option<&Path>,
    format: Format,
    relations: &[String],
    all: bool,
    _confidence: bool,
    _min_confidence: Option<&str>,
    eval: &EvalArgs,
) -> Result<Outcome, Error> {
    let rels = if all {
        (0..program().relations.len()).collect()
    } else if relations.is_empty() {
        program()
            .relations
            .iter()
            .enumerate()
            .filter(|(_, r)| r.output)
            .map(|(i, _)| i)
            .collect()
    } else {
        relation_ids(relations)?
    };
    let (s, facts) = open(scenario, eval)?;
    let model = engine::evaluate(&facts);
    let as_of = facts.as_of.to_string();
    let out = match format {
        Format::Table => {
            let mut out = report::heading(&s.meta, &as_of);
            out.push_str(&report::relations_table(
                &facts.syms,
                &model.db,
                &rels,
                &|_, _| None,
                None,
            ));
            out
        }
        Format::Json => {
            report::relations_json(&facts.syms, &model.db, &rels, &s.meta, &as_of, &|_, _| None)
        }
    };
    Ok(Outcome::ok(out))
}

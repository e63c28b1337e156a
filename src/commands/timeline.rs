//! `lode timeline`: when each conclusion starts and stops holding between two dates.

use super::{Outcome, options, reask, relation_ids};
use crate::cli::{EvalArgs, Format};
use crate::error::Error;
use crate::scenario::{self, Date};
use crate::{report, timeline};
use std::path::Path;

fn date(flag: &str, s: &str) -> Result<Date, Error> {
    Date::parse(s).ok_or_else(|| {
        Error::usage(
            format!("`{flag} {s}` is not a date"),
            Some(format!("write it as YYYY-MM-DD, e.g. {flag} 2026-11-28")),
        )
    })
}

pub fn timeline(
    scenario: Option<&Path>,
    from: &str,
    to: &str,
    relations: &[String],
    explain: bool,
    format: Format,
    eval: &EvalArgs,
) -> Result<Outcome, Error> {
    let (d1, d2) = (date("--from", from)?, date("--to", to)?);
    if d2 < d1 {
        return Err(Error::usage(
            format!("`--to {d2}` precedes `--from {d1}`"),
            Some("give the earlier date to --from".into()),
        ));
    }
    let rels = if relations.is_empty() {
        timeline::default_relations()
    } else {
        relation_ids(relations)?
    };
    let opts = options(eval)?;
    let s = scenario::load(scenario)?;
    let t = timeline::build(&s, &opts, d1, d2, &rels)?;
    let again = reask(scenario, eval);
    Ok(Outcome::ok(match format {
        Format::Table => report::timeline::table(&s, &t, explain.then_some(&again)),
        Format::Json => report::timeline::json(&s, &t, &again),
    }))
}

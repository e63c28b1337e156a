//! `lode needs [SCENARIO] QUERY --via LEVER`: what would it take to move a risk level to a
//! target; see [`crate::needs`].

use super::{Outcome, open};
use crate::cli::{EvalArgs, Format};
use crate::error::Error;
use crate::needs;
use crate::query;
use crate::report;
use std::path::Path;

pub fn needs(
    args: &[String],
    via: &str,
    max: Option<f64>,
    format: Format,
    eval: &EvalArgs,
) -> Result<Outcome, Error> {
    let example = "e.g. lode needs scenarios/mongolia-partnership-2030.toml 'RiskLevel(USA, rare_earths, refining, moderate)' --via mng-khalzan-buregtei-ree-plant";
    let (path, text) = match args {
        [q] => (None, q.as_str()),
        [s, q] => (Some(Path::new(s.as_str())), q.as_str()),
        _ => {
            return Err(Error::usage(
                "needs takes a query, optionally after a scenario file",
                Some(example.into()),
            ));
        }
    };
    let parsed = query::parse(text).map_err(|e| e.into_error(text))?;
    if let Some(m) = max
        && !(m.is_finite() && m > 0.0)
    {
        return Err(Error::usage(
            format!("`--max {m}` must be a positive percentage"),
            None,
        ));
    }
    let (s, facts) = open(path, eval)?;
    let pattern = parsed
        .resolve(&facts.syms)
        .map_err(|e| e.into_error(text))?;
    let names: Vec<Option<String>> = pattern
        .fields
        .iter()
        .map(|v| v.map(|v| facts.syms.show(&v)))
        .collect();
    let [Some(k), Some(m), Some(st), Some(level)] = names.as_slice() else {
        return Err(Error::usage(
            "name a RiskLevel with its consumer, mineral, stage and target level",
            Some(example.into()),
        ));
    };
    if pattern.rel != crate::datalog::rel::RISK_LEVEL {
        return Err(Error::usage(
            "`lode needs` answers for RiskLevel(consumer, mineral, stage, target level)",
            Some(example.into()),
        ));
    }
    let answer = needs::needs(
        &facts,
        k,
        m,
        st,
        level,
        via,
        max.map(crate::params::percent_to_bp),
    )
    .map_err(|msg| Error::usage(msg, Some(example.into())))?;
    let stdout = match format {
        Format::Table => report::needs::text(&s.meta, &answer),
        Format::Json => report::needs::json(&s.meta, &answer),
    };
    // No value within bounds is a failed check: exit 1.
    let code = u8::from(answer.found.is_none());
    Ok(Outcome::new(stdout, code))
}

//! `lode check`: validate scenarios without evaluating them.

use super::Outcome;
use crate::error::Error;
use crate::lower::{self, Options};
use crate::scenario;
use std::path::PathBuf;

pub fn check(paths: &[PathBuf]) -> Result<Outcome, Error> {
    let mut out = String::new();
    for p in paths {
        let s = scenario::load(Some(p))?;
        let facts = lower::lower(&s, &Options::default())?;
        out.push_str(&format!(
            "ok: {} — scenario `{}`, {} facts, {} input tuples\n",
            p.display(),
            s.meta.name,
            s.facts.len(),
            facts.db.size()
        ));
    }
    Ok(Outcome::ok(out))
}

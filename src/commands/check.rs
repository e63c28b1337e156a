//! `lode check`: validate scenarios without evaluating them.

use super::Outcome;
use crate::error::Error;
use crate::lower::Options;
use std::path::PathBuf;

pub fn check(paths: &[PathBuf]) -> Result<Outcome, Error> {
    let mut out = String::new();
    for p in paths {
        let (s, facts) = super::load_and_lower(Some(p), &Options::default())?;
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

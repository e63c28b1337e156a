//! `lode gen`: write a synthetic, valid scenario of about N facts.

use super::Outcome;
use crate::error::Error;
use std::path::Path;

pub fn generate(facts: usize, seed: u64, out: Option<&Path>) -> Result<Outcome, Error> {
    const MAX_FACTS: usize = 10_000_000;
    if facts > MAX_FACTS {
        return Err(Error::usage(
            format!("`--facts {facts}` is more than the limit of {MAX_FACTS}"),
            Some("ask for at most 10000000 facts".into()),
        ));
    }
    let text = crate::r#gen::generate(facts, seed);
    match out {
        None => Ok(Outcome::ok(text)),
        Some(path) => {
            std::fs::write(path, &text).map_err(|e| {
                Error::usage(
                    format!(
                        "cannot write `{}`: {}",
                        path.display(),
                        e.to_string().to_lowercase()
                    ),
                    Some("check that the directory exists and is writable".into()),
                )
            })?;
            let n = text.lines().filter(|l| l.starts_with("[[")).count();
            Ok(Outcome::ok(format!(
                "wrote {}: {n} facts, {} bytes\n",
                path.display(),
                text.len()
            )))
        }
    }
}

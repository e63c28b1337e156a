//! `lode gen`: write a synthetic, valid scenario of about N facts: one TOML file, or (`--out` a
//! directory) `scenario.toml` with its sourced tables as CSV files beside it.

use super::{Outcome, cannot_write};
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
    if let Some(dir) = out.filter(|p| p.is_dir() || p.to_string_lossy().ends_with('/')) {
        return write_tables(facts, seed, dir);
    }
    let text = crate::r#gen::generate(facts, seed);
    match out {
        None => Ok(Outcome::ok(text)),
        Some(path) => {
            std::fs::write(path, &text).map_err(|e| cannot_write(path, &e))?;
            let n = text.lines().filter(|l| l.starts_with("[[")).count();
            Ok(Outcome::ok(format!(
                "wrote {}: {n} facts, {} bytes\n",
                path.display(),
                text.len()
            )))
        }
    }
}

/// `dir/scenario.toml` and `dir/<table>.csv`: the same world, its tables in CSV.
fn write_tables(facts: usize, seed: u64, dir: &Path) -> Result<Outcome, Error> {
    std::fs::create_dir_all(dir).map_err(|e| cannot_write(dir, &e))?;
    let (text, files) = crate::r#gen::generate_tables(facts, seed);
    let toml = dir.join("scenario.toml");
    std::fs::write(&toml, &text).map_err(|e| cannot_write(&toml, &e))?;
    let mut bytes = text.len();
    let mut rows = 0;
    for (name, t) in &files {
        let path = dir.join(name);
        std::fs::write(&path, t).map_err(|e| cannot_write(&path, &e))?;
        bytes += t.len();
        rows += t.lines().count().saturating_sub(1);
    }
    let blocks = text
        .lines()
        .filter(|l| l.starts_with("[[") && l != &"[[load]]")
        .count();
    Ok(Outcome::ok(format!(
        "wrote {}: {} facts ({blocks} in TOML, {rows} rows in {} CSV files), {bytes} bytes\n",
        toml.display(),
        blocks + rows,
        files.len(),
    )))
}

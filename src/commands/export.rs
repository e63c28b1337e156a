//! `lode export`: write the rules and a scenario's input facts for Soufflé or clingo.

use super::{Outcome, cannot_write, open};
use crate::cli::{EvalArgs, ExportTarget};
use crate::datalog::program;
use crate::error::Error;
use crate::export;
use std::path::Path;

/// `--to souffle DIR`: `DIR/rules.dl` and one `.facts` file per input relation.
/// `--to asp FILE`: one program for clingo (`-` writes it to standard output).
pub fn export(
    to: ExportTarget,
    out: &Path,
    scenario: Option<&Path>,
    eval: &EvalArgs,
) -> Result<Outcome, Error> {
    let (_, facts) = open(scenario, eval)?;
    let prog = program();
    match to {
        ExportTarget::Souffle => {
            if out.is_file() {
                return Err(Error::usage(
                    format!(
                        "`{}` is a file; `--to souffle` writes a directory",
                        out.display()
                    ),
                    Some("name a new or existing directory".into()),
                ));
            }
            let files = export::souffle_facts(prog, &facts)?;
            std::fs::create_dir_all(out).map_err(|e| cannot_write(out, &e))?;
            let rules = out.join("rules.dl");
            std::fs::write(&rules, export::souffle_rules(prog))
                .map_err(|e| cannot_write(&rules, &e))?;
            for (name, text) in &files {
                let p = out.join(name);
                std::fs::write(&p, text).map_err(|e| cannot_write(&p, &e))?;
            }
            Ok(Outcome::ok(format!(
                "wrote {}: rules.dl and {} .facts files (run: souffle -F {0} -D OUT {0}/rules.dl)\n",
                out.display(),
                files.len()
            )))
        }
        ExportTarget::Asp => {
            let text = export::asp(prog, &facts)?;
            if out == Path::new("-") {
                return Ok(Outcome::ok(text));
            }
            if out.is_dir() {
                return Err(Error::usage(
                    format!(
                        "`{}` is a directory; `--to asp` writes one file",
                        out.display()
                    ),
                    Some("name a file, e.g. scenario.lp, or `-` for standard output".into()),
                ));
            }
            std::fs::write(out, &text).map_err(|e| cannot_write(out, &e))?;
            Ok(Outcome::ok(format!(
                "wrote {} (run: clingo {0})\n",
                out.display()
            )))
        }
    }
}

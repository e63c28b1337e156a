//! `lode sweep`: make each supplier, route or initiative (or each pair) unavailable in turn and
//! rank the disruptions. The scenario is lowered once; see [`crate::sweep`].

use super::{Outcome, open, reask};
use crate::cli::{CutKind, EvalArgs, Format};
use crate::error::Error;
use crate::report;
use crate::sweep::{self, Target};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::path::Path;

pub fn sweep(
    scenario: Option<&Path>,
    cut: CutKind,
    k: u8,
    top: Option<usize>,
    explain: bool,
    format: Format,
    eval: &EvalArgs,
) -> Result<Outcome, Error> {
    let (s, facts) = open(scenario, eval)?;
    let target = match cut {
        CutKind::Supplier => Target::Supplier,
        CutKind::Route => Target::Route,
        CutKind::Initiative => Target::Initiative,
    };
    let n = sweep::combinations(sweep::items(&facts, target).len(), k).len();
    // A progress bar on a terminal only: never in pipes, files or tests.
    let bar = if std::io::stderr().is_terminal() {
        let bar = ProgressBar::with_draw_target(Some(n as u64), ProgressDrawTarget::stderr());
        if let Ok(style) =
            ProgressStyle::with_template("{spinner} sweeping {pos}/{len} cuts {wide_bar} {eta}")
        {
            bar.set_style(style);
        }
        bar
    } else {
        ProgressBar::hidden()
    };
    let result = sweep::sweep(&facts, target, k, &|| bar.inc(1));
    bar.finish_and_clear();
    let again = reask(scenario, eval);
    let stdout = match format {
        Format::Table => report::sweep::text(&s.meta, &result, top, explain.then_some(&again)),
        Format::Json => report::sweep::json(&s.meta, &result, top, &again),
    };
    Ok(Outcome::ok(stdout))
}

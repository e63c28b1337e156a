//! `lode sweep` output: the largest disruption per consumer, then every cut that changes
//! something, worst first, with what it changes; or one JSON document.

use super::command::Reask;
use super::{columns, to_pretty};
use crate::diff::{Direction, Entry, Kind};
use crate::report::diff::{atom as row_text, sentence};
use crate::scenario::Meta;
use crate::sweep::{Disruption, Sweep, Target};
use serde_json::{Value as Json, json};

/// How many changes are listed under each cut in the table.
const DETAIL_LINES: usize = 6;

fn what(t: Target) -> &'static str {
    match t {
        Target::Supplier => {
            "a supplier stops supplying every consumer (an export ban on every mineral it produces)"
        }
        Target::Route => "a transit route closes",
        Target::Initiative => "an initiative fails",
    }
}

fn cut_name(d: &Disruption) -> String {
    d.cut.join(" + ")
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// `raises 9 risk levels by 9 ranks, scores by 12.40 points`.
fn damage(levels: usize, ranks: i64, score: i64) -> String {
    format!(
        "raises {levels} risk level{} by {ranks} rank{}, scores by {} points",
        plural(levels),
        plural(ranks as usize),
        points(score)
    )
}

/// A score change in basis points as points of the 0–100 scale: `12.40`.
fn points(bp: i64) -> String {
    format!("{:.2}", bp as f64 / 100.0)
}

/// Changes that matter most first: raised levels, then the largest score rises, then new
/// isolation and cut-off options.
fn ordered(entries: &[Entry]) -> Vec<&Entry> {
    let mut v: Vec<&Entry> = entries.iter().collect();
    v.sort_by_key(|e| {
        let (dir, n) = match (e.ranks, crate::sweep::score_delta(e)) {
            (Some((Direction::Raised, n)), _) => (0, -n * 10_000),
            (None, Some(x)) if x > 0 => (1, -x),
            (Some((Direction::Lowered, n)), _) => (3, n),
            _ => (2, 0),
        };
        (dir, n)
    });
    v
}

/// The `lode explain` commands that prove a line of cut `d`: the conclusion as it holds under
/// the cut (added or changed), and as it held without it (removed or changed).
pub fn commands(again: &Reask, d: &Disruption, e: &Entry) -> Vec<(&'static str, String)> {
    super::command::for_entry(e, ("cut", &again.cut(&d.specs)), ("uncut", again))
}

/// The sweep as text. `top` limits the ranked list (not the per-consumer summary); with
/// `explain`, each listed change is followed by the commands that prove it.
pub fn text(meta: &Meta, s: &Sweep, top: Option<usize>, explain: Option<&Reask>) -> String {
    let mut out = format!(
        "sweep of {}: {} (k = {}), {} item{}, {} evaluation{}\n",
        meta.name,
        what(s.target),
        s.k,
        s.items,
        plural(s.items),
        s.evaluations,
        plural(s.evaluations)
    );
    if s.evaluations == 0 {
        out.push_str(&format!(
            "nothing to cut: the scenario has no {} to make unavailable\n",
            s.target.as_str()
        ));
        return out;
    }
    if !s.worst_for.is_empty() {
        out.push_str("\nlargest disruption per consumer:\n");
        for (consumer, &i) in &s.worst_for {
            if let Some(d) = s.disruptions.get(i) {
                let (n, r, x) = d.raised_for(consumer);
                out.push_str(&format!(
                    "  {consumer}: {} — {}\n",
                    cut_name(d),
                    damage(n, r, x)
                ));
            }
        }
    }
    let hurting: Vec<&Disruption> = s.disruptions.iter().filter(|d| !d.is_empty()).collect();
    let quiet = s.disruptions.len() - hurting.len();
    let shown: Vec<&Disruption> = hurting
        .iter()
        .copied()
        .take(top.unwrap_or(usize::MAX))
        .collect();
    if shown.is_empty() {
        out.push_str(
            "\nno cut changes a risk level, a score, an isolation or a diversification option\n",
        );
        return out;
    }
    out.push_str("\ndisruptions, worst first:\n");
    let header: Vec<String> = [
        "rank",
        "cut",
        "levels raised",
        "ranks raised",
        "score raised",
        "lowered",
        "isolated",
        "options cut off",
    ]
    .iter()
    .map(|h| h.to_string())
    .collect();
    let rows: Vec<Vec<String>> = shown
        .iter()
        .enumerate()
        .map(|(i, d)| {
            vec![
                (i + 1).to_string(),
                cut_name(d),
                d.raised.to_string(),
                d.raised_ranks.to_string(),
                points(d.score_raised),
                d.lowered.to_string(),
                if d.isolated.is_empty() {
                    "-".into()
                } else {
                    d.isolated.join(", ")
                },
                d.cut_off.to_string(),
            ]
        })
        .collect();
    out.push_str(&columns(&header, &rows, "  "));
    out.push_str("\nwhat each cut changes:\n");
    for (i, d) in shown.iter().enumerate() {
        out.push_str(&format!("  {}. {}\n", i + 1, cut_name(d)));
        let entries = ordered(&d.entries);
        for e in entries.iter().take(DETAIL_LINES) {
            out.push_str(&format!("       {}\n", sentence(e)));
            for (label, cmd) in explain.map(|a| commands(a, d, e)).unwrap_or_default() {
                out.push_str(&format!("           {label}: {cmd}\n"));
            }
        }
        if entries.len() > DETAIL_LINES {
            let more = entries.len() - DETAIL_LINES;
            out.push_str(&format!("       … and {more} more\n"));
        }
    }
    if hurting.len() > shown.len() {
        let rest = hurting.len() - shown.len();
        out.push_str(&format!(
            "\n{rest} more cut{} change something (see --top)\n",
            plural(rest)
        ));
    }
    if quiet > 0 {
        out.push_str(&format!("{quiet} cut{} change nothing\n", plural(quiet)));
    }
    if explain.is_none() {
        out.push_str("\na line holds only under its cut: --explain prints the `lode explain --cut …` command for each\n");
    }
    out
}

fn entry_json(again: &Reask, d: &Disruption, e: &Entry) -> Json {
    let (change, before, after) = match &e.kind {
        Kind::Added(r) => ("added", Json::Null, json!(row_text(e.rel, r))),
        Kind::Removed(r) => ("removed", json!(row_text(e.rel, r)), Json::Null),
        Kind::Changed { before, after } => (
            "changed",
            json!(row_text(e.rel, before)),
            json!(row_text(e.rel, after)),
        ),
    };
    let (dir, ranks) = match e.ranks {
        Some((Direction::Raised, n)) => (json!("raised"), json!(n)),
        Some((Direction::Lowered, n)) => (json!("lowered"), json!(n)),
        None => (Json::Null, Json::Null),
    };
    let explain: serde_json::Map<String, Json> = commands(again, d, e)
        .into_iter()
        .map(|(k, v)| (k.to_string(), json!(v)))
        .collect();
    json!({"change": change, "before": before, "after": after, "direction": dir, "ranks": ranks, "text": sentence(e), "commands": explain})
}

/// The sweep as one JSON document (every cut, `top` applied; each change with its commands).
pub fn json(meta: &Meta, s: &Sweep, top: Option<usize>, again: &Reask) -> String {
    let cuts: Vec<Json> = s
        .disruptions
        .iter()
        .take(top.unwrap_or(usize::MAX))
        .enumerate()
        .map(|(i, d)| {
            json!({
                "rank": i + 1,
                "cut": d.cut,
                "cut_specs": d.specs,
                "risk_levels_raised": d.raised,
                "ranks_raised": d.raised_ranks,
                "scores_raised": d.scores_raised,
                "score_raised_bp": d.score_raised,
                "risk_levels_lowered": d.lowered,
                "isolated": d.isolated,
                "options_cut_off": d.cut_off,
                "changes": ordered(&d.entries).into_iter().map(|e| entry_json(again, d, e)).collect::<Vec<_>>(),
            })
        })
        .collect();
    let worst: serde_json::Map<String, Json> = s
        .worst_for
        .iter()
        .filter_map(|(k, &i)| {
            let d = s.disruptions.get(i)?;
            let (n, r, x) = d.raised_for(k);
            Some((
                k.clone(),
                json!({"cut": d.cut, "rank": i + 1, "risk_levels_raised": n, "ranks_raised": r, "score_raised_bp": x}),
            ))
        })
        .collect();
    to_pretty(&json!({
        "scenario": meta.name,
        "cut": s.target.as_str(),
        "k": s.k,
        "items": s.items,
        "evaluations": s.evaluations,
        "largest_per_consumer": worst,
        "disruptions": cuts,
    }))
}

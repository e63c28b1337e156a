//! `lode diff` output: the what-if question (B's description), a summary, then every difference
//! grouped by consumer and mineral, in plain words; or one JSON document.

use super::command::Reask;
use super::to_pretty;
use crate::datalog::{program, rel};
use crate::diff::{
    Cell, Direction, Entry, Evidence, Group, Kind, Provenance, Report, is_value_field,
};
use serde_json::{Map, Value as Json, json};

/// What a relation's tuple says, as a noun phrase (the key fields are printed before it).
fn phrase(r: usize) -> String {
    let known: &[(usize, &str)] = &[
        (rel::RISK_LEVEL, "risk"),
        (rel::RISK_SCORE, "supply-risk score"),
        (rel::SUPPLY_REACH, "reachable supply"),
        (
            rel::INITIATIVE_IMPACT,
            "initiative's own effect at its horizon",
        ),
        (rel::BLOC_EXPOSURE, "exposed to a low-alignment bloc"),
        (
            rel::OPTION_LIMITED,
            "limited option: little of its output is reachable",
        ),
        (
            rel::PROJECTED_RISK_LEVEL,
            "projected risk at the initiative's horizon",
        ),
        (rel::INITIATIVE_EFFECT, "risk with the initiative"),
        (rel::INITIATIVE_REDUCES_RISK, "initiative lowers the risk"),
        (rel::CONTROL_REACHES, "export control reaches the consumer"),
        (rel::SUPPLY_BANNED, "supplier bans exports to the consumer"),
        (rel::ISOLATED, "isolated: every export route closed"),
        (rel::TRANSIT_DEPENDENCE, "exports depend on transit"),
        (rel::DIVERSIFICATION_OPTION, "diversification option"),
        (
            rel::OPTION_TRANSIT_EXPOSURE,
            "option's exports cross a neighbour of low alignment",
        ),
        (
            rel::OPTION_CUT_OFF,
            "option cut off: its exports cannot leave",
        ),
        (rel::POTENTIAL_OPTION, "potential option"),
        (
            rel::LEVERAGE_EXPOSURE,
            "exposed to a rival's export leverage",
        ),
        (rel::HIGH_RELIANCE, "high import reliance"),
        (rel::EXPOSURE, "exposed to a dominant supplier"),
        (rel::CONCENTRATION, "concentration"),
        (rel::DOMINANT, "dominant supplier"),
        (rel::CAP_BREACH, "above the single-supplier cap"),
        (rel::POTENTIAL_SUPPLIER, "potential supplier"),
    ];
    known
        .iter()
        .find(|(x, _)| *x == r)
        .map(|(_, p)| p.to_string())
        .unwrap_or_else(|| {
            program()
                .relations
                .get(r)
                .map_or_else(|| "?".into(), |x| x.name.clone())
        })
}

fn field_name(r: usize, i: usize) -> &'static str {
    program()
        .relations
        .get(r)
        .and_then(|x| x.fields.get(i))
        .map_or("", |f| f.name.as_str())
}

/// A cell for a reader: `_bp` numbers as percentages, `_milli` as decimals.
pub fn cell(r: usize, i: usize, c: &Cell) -> String {
    let name = field_name(r, i);
    match c {
        Cell::Num(n) if name.ends_with("_bp") => format!("{:.2}%", *n as f64 / 100.0),
        Cell::Num(n) if name.ends_with("_milli") => format!("{:.3}", *n as f64 / 1000.0),
        Cell::Num(n) => n.to_string(),
        Cell::Sym(s) => s.clone(),
    }
}

fn cell_json(c: &Cell) -> Json {
    match c {
        Cell::Num(n) => json!(n),
        Cell::Sym(s) => Json::String(s.clone()),
    }
}

/// `RiskLevel(USA, gallium, refining, critical)`.
pub fn atom(r: usize, row: &[Cell]) -> String {
    let name = program().relations.get(r).map_or("?", |x| x.name.as_str());
    let args: Vec<String> = row.iter().enumerate().map(|(i, c)| cell(r, i, c)).collect();
    format!("{name}({})", args.join(", "))
}

/// `USA · germanium · refining`: the key fields of a row.
fn keys(r: usize, row: &[Cell]) -> String {
    let parts: Vec<String> = row
        .iter()
        .enumerate()
        .filter(|(i, _)| !is_value_field(r, *i))
        .map(|(i, c)| cell(r, i, c))
        .collect();
    parts.join(" · ")
}

/// The value fields of a row: `12.30%` or `kind export_ban, share 12.30%`.
fn values(r: usize, row: &[Cell]) -> String {
    if r == rel::INITIATIVE_IMPACT && row.len() == 6 {
        return format!(
            "score {} without it → {} with it, reachable aligned supply {} → {}",
            cell(r, 2, &row[2]),
            cell(r, 3, &row[3]),
            cell(r, 4, &row[4]),
            cell(r, 5, &row[5])
        );
    }
    if r == rel::INITIATIVE_EFFECT && row.len() == 6 {
        return format!(
            "{} today → {} at its horizon",
            cell(r, 4, &row[4]),
            cell(r, 5, &row[5])
        );
    }
    let vals: Vec<(usize, &Cell)> = row
        .iter()
        .enumerate()
        .filter(|(i, _)| is_value_field(r, *i))
        .collect();
    match vals.as_slice() {
        [] => String::new(),
        [(i, c)] => cell(r, *i, c),
        many => many
            .iter()
            .map(|(i, c)| format!("{} {}", field_name(r, *i), cell(r, *i, c)))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// One difference in plain words: `USA · germanium · refining: risk high → critical (raised 1)`.
pub fn sentence(e: &Entry) -> String {
    let r = e.rel;
    let p = phrase(r);
    match &e.kind {
        Kind::Changed { before, after } => {
            let fields = e.changed_fields();
            let moved: Vec<String> = if fields.len() == 1 && values_count(r) == 1 {
                fields
                    .iter()
                    .map(|&i| format!("{p} {} → {}", cell(r, i, &before[i]), cell(r, i, &after[i])))
                    .collect()
            } else {
                let each: Vec<String> = fields
                    .iter()
                    .map(|&i| {
                        format!(
                            "{} {} → {}",
                            field_name(r, i),
                            cell(r, i, &before[i]),
                            cell(r, i, &after[i])
                        )
                    })
                    .collect();
                vec![format!("{p}: {}", each.join(", "))]
            };
            let dir = match (e.ranks, e.moved) {
                (Some((Direction::Raised, n)), _) => format!(" (raised {n})"),
                (Some((Direction::Lowered, n)), _) => format!(" (lowered {n})"),
                (None, Some(Direction::Raised)) => " (up)".into(),
                (None, Some(Direction::Lowered)) => " (down)".into(),
                (None, None) => String::new(),
            };
            format!("{}: {}{dir}", keys(r, after), moved.join(", "))
        }
        Kind::Added(row) | Kind::Removed(row) => {
            let v = values(r, row);
            let v = if v.is_empty() { v } else { format!(" ({v})") };
            let when = if matches!(e.kind, Kind::Added(_)) {
                "now holds"
            } else {
                "no longer holds"
            };
            format!("{}: {p}{v} — {when}", keys(r, row))
        }
    }
}

fn values_count(r: usize) -> usize {
    program().relations.get(r).map_or(0, |x| {
        (0..x.fields.len())
            .filter(|&i| is_value_field(r, i))
            .count()
    })
}

/// `USA · germanium`, `USA`, `germanium`, `MNG` or `other`.
pub fn group_title(g: &Group) -> String {
    let parts: Vec<&str> = [&g.consumer, &g.mineral, &g.country]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect();
    if parts.is_empty() {
        "other".into()
    } else {
        parts.join(" · ")
    }
}

fn short(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let cut: String = s.chars().take(max.saturating_sub(1)).collect();
        format!("{}…", cut.trim_end())
    }
}

fn evidence_line(ev: &Evidence, indent: &str) -> String {
    let e = &ev.input;
    let (mark, row) = match &e.kind {
        Kind::Added(r) => ("+", r),
        Kind::Removed(r) => ("−", r),
        Kind::Changed { after, .. } => ("~", after),
    };
    let what = match &e.kind {
        Kind::Changed { before, .. } => {
            format!("{} (was {})", atom(e.rel, row), atom(e.rel, before))
        }
        _ => atom(e.rel, row),
    };
    let mut out = format!("{indent}{mark} {what}\n");
    let mut provs: Vec<(&str, &Provenance)> = ev.was.iter().map(|p| ("was", p)).collect();
    provs.extend(ev.now.iter().map(|p| ("now", p)));
    for (label, p) in provs {
        let src = if p.source.is_empty() {
            String::new()
        } else {
            format!(" — {}", short(&p.source, 90))
        };
        let label = if matches!(e.kind, Kind::Changed { .. }) {
            format!("{label}: ")
        } else {
            String::new()
        };
        out.push_str(&format!("{indent}    {label}{}{src}\n", p.place));
    }
    out
}

/// The `lode explain` commands that prove a difference: in B for what holds now (added or
/// changed), in A for what held before (removed or changed). `again` is (A, B).
pub fn commands(again: &(Reask, Reask), e: &Entry) -> Vec<(&'static str, String)> {
    super::command::for_entry(e, ("now", &again.1), ("was", &again.0))
}

/// The diff as text; when explained, each line is followed by its evidence and commands.
/// `again` is how to re-ask A and B.
pub fn text(r: &Report, again: &(Reask, Reask)) -> String {
    let mut out = String::new();
    let desc = if r.b.description.is_empty() {
        &r.b.name
    } else {
        &r.b.description
    };
    out.push_str(&format!("{desc}\n\n"));
    out.push_str(&format!(
        "{} ({}) → {} ({})\n",
        r.a.name, r.a.file, r.b.name, r.b.file
    ));
    if r.a.as_of != r.b.as_of {
        out.push_str(&format!("judged on {} (A: {})\n", r.b.as_of, r.a.as_of));
    }
    let s = &r.summary;
    if s.changed + s.added + s.removed == 0 {
        out.push_str("no conclusion differs");
        if r.inputs_differ > 0 {
            out.push_str(&format!(
                " ({} input fact{} differ{})",
                r.inputs_differ,
                plural(r.inputs_differ),
                if r.inputs_differ == 1 { "s" } else { "" }
            ));
        }
        out.push('\n');
        return out;
    }
    out.push_str(&format!(
        "risk levels: {} raised ({} rank{}), {} lowered ({} rank{})\n",
        s.raised,
        s.raised_ranks,
        plural(s.raised_ranks as usize),
        s.lowered,
        s.lowered_ranks,
        plural(s.lowered_ranks as usize)
    ));
    out.push_str(&format!(
        "supply-risk scores: {} raised (+{:.2} points in total), {} lowered (−{:.2} points in total)\n",
        s.scores_raised,
        s.score_raised as f64 / 100.0,
        s.scores_lowered,
        s.score_lowered as f64 / 100.0
    ));
    out.push_str(&format!(
        "conclusions: {} changed, {} now hold, {} no longer hold ({} input fact{} differ{})\n",
        s.changed,
        s.added,
        s.removed,
        r.inputs_differ,
        plural(r.inputs_differ),
        if r.inputs_differ == 1 { "s" } else { "" }
    ));
    let all: Vec<Entry> = r
        .groups
        .iter()
        .flat_map(|(_, v)| v.iter().map(|(e, _)| e.clone()))
        .collect();
    let ranking = crate::diff::score_ranking(&all);
    if !ranking.is_empty() {
        out.push_str("\nlargest score changes:\n");
        for (e, d) in ranking.iter().take(SCORE_LINES) {
            out.push_str(&format!(
                "  {:+.2}  {}\n",
                *d as f64 / 100.0,
                keys(e.rel, e.row())
            ));
        }
        if ranking.len() > SCORE_LINES {
            out.push_str(&format!("  … and {} more\n", ranking.len() - SCORE_LINES));
        }
    }
    if !r.global.is_empty() {
        out.push_str("\ninputs that differ and name no consumer, mineral or country (they may carry any change):\n");
        for ev in &r.global {
            out.push_str(&evidence_line(ev, "  "));
        }
    }
    for (g, entries) in &r.groups {
        out.push_str(&format!("\n{}\n", group_title(g)));
        for (e, evs) in entries {
            out.push_str(&format!("  {}\n", sentence(e)));
            if r.explained {
                for (label, cmd) in commands(again, e) {
                    out.push_str(&format!("      {label}: {cmd}\n"));
                }
                if evs.is_empty() {
                    out.push_str("      (no differing input names it: see the inputs above)\n");
                }
                for ev in evs {
                    out.push_str(&evidence_line(ev, "      "));
                }
            }
        }
    }
    if !r.explained {
        out.push_str("\n--explain shows, under each line, the facts that carry it and the `lode explain` command that proves it\n");
    }
    out
}

/// How many score changes the ranking lists.
const SCORE_LINES: usize = 10;

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn row_json(r: usize, row: &[Cell]) -> Json {
    let mut obj = Map::new();
    for (i, c) in row.iter().enumerate() {
        obj.insert(field_name(r, i).to_string(), cell_json(c));
    }
    Json::Object(obj)
}

fn entry_json(e: &Entry) -> Map<String, Json> {
    let name = program()
        .relations
        .get(e.rel)
        .map_or("?", |x| x.name.as_str());
    let (change, before, after) = match &e.kind {
        Kind::Added(r) => ("added", Json::Null, row_json(e.rel, r)),
        Kind::Removed(r) => ("removed", row_json(e.rel, r), Json::Null),
        Kind::Changed { before, after } => {
            ("changed", row_json(e.rel, before), row_json(e.rel, after))
        }
    };
    let mut obj = Map::new();
    obj.insert("relation".into(), json!(name));
    obj.insert("change".into(), json!(change));
    obj.insert("before".into(), before);
    obj.insert("after".into(), after);
    let (dir, ranks) = match e.ranks {
        Some((Direction::Raised, n)) => (json!("raised"), json!(n)),
        Some((Direction::Lowered, n)) => (json!("lowered"), json!(n)),
        None => match e.moved {
            Some(Direction::Raised) => (json!("up"), Json::Null),
            Some(Direction::Lowered) => (json!("down"), Json::Null),
            None => (Json::Null, Json::Null),
        },
    };
    obj.insert("direction".into(), dir);
    obj.insert("ranks".into(), ranks);
    obj
}

fn provenance_json(ps: &[Provenance]) -> Json {
    Json::Array(
        ps.iter()
            .map(|p| json!({"place": p.place, "source": p.source}))
            .collect(),
    )
}

fn evidence_json(ev: &Evidence) -> Json {
    let mut obj = entry_json(&ev.input);
    obj.remove("direction");
    obj.remove("ranks");
    obj.insert("was".into(), provenance_json(&ev.was));
    obj.insert("now".into(), provenance_json(&ev.now));
    Json::Object(obj)
}

/// The diff as one JSON document; each difference carries its `lode explain` commands.
pub fn json(r: &Report, again: &(Reask, Reask)) -> String {
    let side = |s: &crate::diff::SideInfo| json!({"file": s.file, "name": s.name, "description": s.description, "as_of": s.as_of});
    let groups: Vec<Json> = r
        .groups
        .iter()
        .map(|(g, entries)| {
            let diffs: Vec<Json> = entries
                .iter()
                .map(|(e, evs)| {
                    let mut obj = entry_json(e);
                    obj.insert("text".into(), json!(sentence(e)));
                    let cmds: Map<String, Json> = commands(again, e)
                        .into_iter()
                        .map(|(k, v)| (k.to_string(), json!(v)))
                        .collect();
                    obj.insert("commands".into(), Json::Object(cmds));
                    if r.explained {
                        obj.insert("evidence".into(), Json::Array(evs.iter().map(evidence_json).collect()));
                    }
                    Json::Object(obj)
                })
                .collect();
            json!({"consumer": g.consumer, "mineral": g.mineral, "country": g.country, "differences": diffs})
        })
        .collect();
    let s = &r.summary;
    let mut doc = json!({
        "a": side(&r.a),
        "b": side(&r.b),
        "differs": s.changed + s.added + s.removed > 0,
        "summary": {
            "changed": s.changed,
            "added": s.added,
            "removed": s.removed,
            "risk_levels_raised": s.raised,
            "ranks_raised": s.raised_ranks,
            "risk_levels_lowered": s.lowered,
            "ranks_lowered": s.lowered_ranks,
            "scores_raised": s.scores_raised,
            "score_raised_bp": s.score_raised,
            "scores_lowered": s.scores_lowered,
            "score_lowered_bp": s.score_lowered,
            "inputs_differ": r.inputs_differ,
        },
        "groups": groups,
    });
    if r.explained {
        doc["global_evidence"] = Json::Array(r.global.iter().map(evidence_json).collect());
    }
    to_pretty(&doc)
}

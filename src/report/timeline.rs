//! `lode timeline` output: the dates where facts change, what starts and stops holding on each,
//! every changing conclusion's periods, and projected risk by year.

use super::command::Reask;
use super::{columns, to_pretty};
use crate::datalog::program;
use crate::scenario::{Date, Scenario};
use crate::timeline::{Conclusion, Edge, Period, Term, Timeline, prev_day};
use serde_json::{Map, Value as Json, json};
use std::collections::BTreeMap;

/// `SupplyBanned(USA, gallium, CHN)`: as `lode run` prints it and `lode explain` accepts it.
pub fn atom(c: &Conclusion) -> String {
    super::diff::atom(c.rel, &c.tuple)
}

/// The `lode explain` command for a conclusion that starts (holds on `date`) or stops holding
/// on `date` (held the day before).
fn command(again: &Reask, c: &Conclusion, date: Date, started: bool) -> String {
    let day = if started { date } else { prev_day(date) };
    again.on(&day.to_string()).explain(&atom(c))
}

fn edge_word(e: Edge) -> &'static str {
    match e {
        Edge::Opens => "opens",
        Edge::Closes => "closes",
    }
}

/// The window date that makes a fact's edge: its `from`, or its `until` for a close.
fn edge_date(s: &Scenario, fact: usize, e: Edge) -> String {
    let key = match e {
        Edge::Opens => "from",
        Edge::Closes => "until",
    };
    s.facts
        .get(fact)
        .and_then(|f| f.date(key))
        .map_or_else(String::new, |d| format!("{key} {d}"))
}

fn describe(s: &Scenario, fact: usize) -> String {
    s.facts
        .get(fact)
        .map_or_else(|| "?".to_string(), |f| f.describe())
}

fn day(t: &Timeline, d: Date, first: bool) -> String {
    if (first && d == t.from) || (!first && d == t.to) {
        "…".to_string()
    } else {
        d.to_string()
    }
}

fn heading(s: &Scenario) -> String {
    let mut out = format!(
        "scenario: {} (reference year {})\n",
        s.meta.name, s.meta.reference_year
    );
    if let Some(label) = &s.meta.label {
        out.push_str(&format!("label: {label}\n"));
    }
    out
}

/// The timeline as text; with `explain`, each + and − line is followed by its command.
pub fn table(s: &Scenario, t: &Timeline, explain: Option<&Reask>) -> String {
    let mut out = heading(s);
    let changing = t.breakpoints.len().saturating_sub(1);
    out.push_str(&format!(
        "timeline: {} to {}, {} date{} where facts change\n",
        t.from,
        t.to,
        changing,
        if changing == 1 { "" } else { "s" }
    ));
    for b in t.breakpoints.iter().skip(1) {
        out.push_str(&format!("\n{}\n", b.date));
        let rows: Vec<Vec<String>> = b
            .changes
            .iter()
            .map(|&(f, e)| vec![edge_word(e).to_string(), describe(s, f), edge_date(s, f, e)])
            .collect();
        if !rows.is_empty() {
            let header = [
                "change".to_string(),
                "fact".to_string(),
                "window".to_string(),
            ];
            out.push_str(&columns(&header, &rows, "  "));
        }
        let lines = b.stopped.iter().map(|c| ("-", c, false));
        for (mark, c, started) in lines.chain(b.started.iter().map(|c| ("+", c, true))) {
            out.push_str(&format!("  {mark} {}\n", atom(c)));
            if let Some(again) = explain {
                let held = if started { "holds" } else { "held" };
                out.push_str(&format!(
                    "      {held}: {}\n",
                    command(again, c, b.date, started)
                ));
            }
        }
        if b.started.is_empty() && b.stopped.is_empty() {
            out.push_str("  (no conclusion of the followed relations changes)\n");
        }
    }

    let changed: Vec<&(Conclusion, Vec<Period>)> =
        t.periods.iter().filter(|(_, p)| !t.throughout(p)).collect();
    out.push_str(&format!(
        "\nConclusions that start or stop holding ({}); from and until are inclusive, … = beyond the window\n",
        changed.len()
    ));
    let rows: Vec<Vec<String>> = changed
        .iter()
        .flat_map(|(c, ps)| {
            ps.iter()
                .map(move |p| vec![atom(c), day(t, p.from, true), day(t, p.until, false)])
        })
        .collect();
    if !rows.is_empty() {
        out.push_str(&columns(
            &["conclusion".into(), "from".into(), "until".into()],
            &rows,
            "  ",
        ));
    }

    let mut steady: BTreeMap<usize, usize> = BTreeMap::new();
    for (c, p) in &t.periods {
        if t.throughout(p) {
            *steady.entry(c.rel).or_default() += 1;
        }
    }
    let total: usize = steady.values().sum();
    out.push_str(&format!(
        "\nConclusions that hold on every day of the window ({total}; `lode run --as-of {}` lists them)\n",
        t.to
    ));
    let rows: Vec<Vec<String>> = steady
        .iter()
        .map(|(&r, &n)| {
            vec![
                program()
                    .relations
                    .get(r)
                    .map_or("?", |x| x.name.as_str())
                    .to_string(),
                n.to_string(),
            ]
        })
        .collect();
    if !rows.is_empty() {
        out.push_str(&columns(&["relation".into(), "rows".into()], &rows, "  "));
    }

    out.push_str(&format!(
        "\nProjected risk by year, from initiatives' start and horizon years (facts in force on {}; {} row{})\n",
        t.projected_as_of,
        t.projections.len(),
        if t.projections.len() == 1 { "" } else { "s" }
    ));
    if t.projections.is_empty() {
        out.push_str("  (no live initiative with a projected risk level)\n");
    } else {
        let rows: Vec<Vec<String>> = t
            .projections
            .iter()
            .map(|p| {
                vec![
                    p.consumer.clone(),
                    p.mineral.clone(),
                    p.stage.clone(),
                    p.year.to_string(),
                    p.level.clone(),
                    p.due.join(", "),
                ]
            })
            .collect();
        let header: Vec<String> = [
            "consumer",
            "mineral",
            "stage",
            "year",
            "level",
            "horizon reached by",
        ]
        .iter()
        .map(|h| h.to_string())
        .collect();
        out.push_str(&columns(&header, &rows, "  "));
    }
    out
}

fn conclusion_json(c: &Conclusion, explain: Option<String>) -> Json {
    let mut fields = Map::new();
    if let Some(r) = program().relations.get(c.rel) {
        for (f, v) in r.fields.iter().zip(&c.tuple) {
            let v = match v {
                Term::Num(n) => json!(n),
                Term::Sym(s) => json!(s),
            };
            fields.insert(f.name.clone(), v);
        }
    }
    let mut o = json!({
        "relation": program().relations.get(c.rel).map_or("?", |r| r.name.as_str()),
        "atom": atom(c),
        "fields": fields,
    });
    if let (Some(cmd), Json::Object(m)) = (explain, &mut o) {
        m.insert("explain".into(), json!(cmd));
    }
    o
}

/// The timeline as one JSON document; each started or stopped conclusion carries its command.
pub fn json(s: &Scenario, t: &Timeline, again: &Reask) -> String {
    let breakpoints: Vec<Json> = t
        .breakpoints
        .iter()
        .map(|b| {
            let facts: Vec<Json> = b
                .changes
                .iter()
                .map(|&(f, e)| {
                    json!({
                        "fact": describe(s, f),
                        "edge": edge_word(e),
                        "window": edge_date(s, f, e),
                    })
                })
                .collect();
            json!({
                "date": b.date.to_string(),
                "facts": facts,
                "started": b.started.iter().map(|c| conclusion_json(c, Some(command(again, c, b.date, true)))).collect::<Vec<_>>(),
                "stopped": b.stopped.iter().map(|c| conclusion_json(c, Some(command(again, c, b.date, false)))).collect::<Vec<_>>(),
            })
        })
        .collect();
    let conclusions: Vec<Json> = t
        .periods
        .iter()
        .map(|(c, ps)| {
            let mut o = conclusion_json(c, None);
            if let Json::Object(m) = &mut o {
                let periods: Vec<Json> = ps
                    .iter()
                    .map(|p| json!({"from": p.from.to_string(), "until": p.until.to_string()}))
                    .collect();
                m.insert("periods".into(), Json::Array(periods));
                m.insert("throughout".into(), json!(t.throughout(ps)));
            }
            o
        })
        .collect();
    let projections: Vec<Json> = t
        .projections
        .iter()
        .map(|p| {
            json!({
                "consumer": p.consumer,
                "mineral": p.mineral,
                "stage": p.stage,
                "year": p.year,
                "level": p.level,
                "horizon_reached_by": p.due,
            })
        })
        .collect();
    let rels: Vec<&str> = t
        .rels
        .iter()
        .filter_map(|&r| program().relations.get(r).map(|x| x.name.as_str()))
        .collect();
    let doc = json!({
        "scenario": {
            "name": s.meta.name,
            "description": s.meta.description,
            "reference_year": s.meta.reference_year,
            "label": s.meta.label,
        },
        "from": t.from.to_string(),
        "to": t.to.to_string(),
        "relations": rels,
        "breakpoints": breakpoints,
        "conclusions": conclusions,
        "projections": projections,
    });
    to_pretty(&doc)
}

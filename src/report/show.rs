//! `lode show` output: a scenario's merged facts, grouped by table in schema order, each with
//! the `file:line` it came from; or one JSON document.

use super::{columns, to_pretty};
use crate::diff::line_place;
use crate::lower::Options;
use crate::params::PARAMS;
use crate::scenario::{Fact, Scenario, TABLES, Val};
use serde_json::{Map, Value as Json, json};

fn val_text(v: &Val) -> String {
    match v {
        Val::Str(s) => s.to_string(),
        Val::Num(n) => format!("{n}"),
        Val::Bool(b) => b.to_string(),
        Val::Date(d) => d.to_string(),
        Val::List(l) => l.join(", "),
        Val::Measure(m) => m.to_string(),
    }
}

fn val_json(v: &Val) -> Json {
    match v {
        Val::Str(s) => json!(s),
        Val::Num(n) => json!(n),
        Val::Bool(b) => json!(b),
        Val::Date(d) => json!(d.to_string()),
        Val::List(l) => json!(l),
        // An exact measure is a number, a bound or a word as written (">50", "W").
        Val::Measure(m) => match (m.bound, m.value) {
            (crate::scenario::Bound::Exact, Some(n)) => json!(n),
            _ => json!(m.to_string()),
        },
    }
}

/// Each parameter's value and where it was set: `--set`, `file:line` or `default`.
fn params(s: &Scenario, opts: &Options) -> Vec<(&'static str, f64, String)> {
    PARAMS
        .iter()
        .map(|p| {
            if let Some((_, v)) = opts.set.iter().rev().find(|(n, _)| n == p.name) {
                (p.name, *v, "--set".to_string())
            } else if let Some(v) = s.params.get(p.name) {
                (
                    p.name,
                    v.value,
                    v.loc
                        .as_ref()
                        .map_or_else(|| "default".into(), |l| line_place(s, l)),
                )
            } else {
                (p.name, p.default, "default".to_string())
            }
        })
        .collect()
}

/// Columns of a table that some fact of it uses (source and note are left to JSON).
fn used_columns(facts: &[&Fact]) -> Vec<&'static str> {
    let mut cols = Vec::new();
    if let Some(f) = facts.first() {
        for c in f.table.cols {
            if facts.iter().any(|x| x.get(c.key).is_some()) {
                cols.push(c.key);
            }
        }
    }
    for k in ["from", "until"] {
        if facts.iter().any(|x| x.get(k).is_some()) {
            cols.push(k);
        }
    }
    cols
}

/// The scenario's files as a reader expects them: the extends chain from the root parent down
/// (files are read child first), then the tables it loads.
fn files_parent_first(s: &Scenario) -> Vec<&str> {
    s.chain()
        .rev()
        .chain(s.table_files())
        .map(|f| f.name.as_str())
        .collect()
}

pub fn text(s: &Scenario, opts: &Options) -> String {
    let mut out = format!(
        "scenario: {} (reference year {})\n",
        s.meta.name, s.meta.reference_year
    );
    if let Some(label) = &s.meta.label {
        out.push_str(&format!("label: {label}\n"));
    }
    let files = files_parent_first(s);
    out.push_str(&format!("files (parent first): {}\n", files.join(" ← ")));
    out.push_str(&format!("{} facts\n", s.facts.len()));
    let header: Vec<String> = ["name", "value", "at"]
        .iter()
        .map(|h| h.to_string())
        .collect();
    let rows: Vec<Vec<String>> = params(s, opts)
        .into_iter()
        .map(|(n, v, at)| vec![n.to_string(), format!("{v}"), at])
        .collect();
    out.push_str(&format!("\nparams ({})\n", rows.len()));
    out.push_str(&columns(&header, &rows, "  "));
    for t in TABLES {
        let facts: Vec<&Fact> = s.facts_of(t.name).collect();
        if facts.is_empty() {
            continue;
        }
        let cols = used_columns(&facts);
        let mut header: Vec<String> = cols.iter().map(|c| c.to_string()).collect();
        header.extend(["quality".to_string(), "at".to_string()]);
        let rows: Vec<Vec<String>> = facts
            .iter()
            .map(|f| {
                let mut row: Vec<String> = cols
                    .iter()
                    .map(|c| f.get(c).map(val_text).unwrap_or_default())
                    .collect();
                row.push(f.quality.as_str().to_string());
                row.push(line_place(s, &f.loc));
                row
            })
            .collect();
        out.push_str(&format!(
            "\n{} ({} fact{})\n",
            t.name,
            facts.len(),
            if facts.len() == 1 { "" } else { "s" }
        ));
        out.push_str(&columns(&header, &rows, "  "));
    }
    out
}

pub fn json(s: &Scenario, opts: &Options) -> String {
    let params: Vec<Json> = params(s, opts)
        .into_iter()
        .map(|(n, v, at)| json!({"name": n, "value": v, "at": at}))
        .collect();
    let mut tables = Map::new();
    for t in TABLES {
        let rows: Vec<Json> = s
            .facts_of(t.name)
            .map(|f| {
                let mut obj = Map::new();
                for (k, (v, _)) in &f.fields {
                    obj.insert(k.to_string(), val_json(v));
                }
                obj.insert("source".into(), json!(f.source));
                obj.insert("quality".into(), json!(f.quality));
                obj.insert("at".into(), json!(line_place(s, &f.loc)));
                Json::Object(obj)
            })
            .collect();
        if !rows.is_empty() {
            tables.insert(t.name.to_string(), Json::Array(rows));
        }
    }
    let files = files_parent_first(s);
    to_pretty(&json!({
        "scenario": {
            "name": s.meta.name,
            "description": s.meta.description,
            "reference_year": s.meta.reference_year,
            "as_of": s.meta.as_of.map(|d| d.to_string()),
            "label": s.meta.label,
        },
        "files": files,
        "params": params,
        "tables": tables,
    }))
}

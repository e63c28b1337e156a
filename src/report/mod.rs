//! Step 5: every byte lode prints is formatted here. Other modules hand over data.
pub mod command;
pub mod confidence;
pub mod diff;
pub mod html;
pub mod needs;
pub mod proof;
pub mod show;
pub mod sweep;
pub mod timeline;
pub mod validation;

use crate::datalog::program;
use crate::model::{Symbols, Value};
use crate::scenario::Meta;
use serde_json::{Map, Value as Json, json};

/// Renders one field value for a reader: `_bp` fields as percentages, `_milli` as decimals.
pub fn field(syms: &Symbols, field_name: &str, v: &Value) -> String {
    match v {
        Value::Num(n) if field_name.ends_with("_bp") => format!("{:.2}%", *n as f64 / 100.0),
        Value::Num(n) if field_name.ends_with("_milli") => format!("{:.3}", *n as f64 / 1000.0),
        _ => syms.show(v),
    }
}

/// A field value as JSON: symbols as strings, numbers as numbers (raw units, named by the field).
pub fn field_json(syms: &Symbols, v: &Value) -> Json {
    match v {
        Value::Sym(s) => Json::String(syms.name(*s).to_string()),
        Value::Num(n) => json!(n),
    }
}

/// `RiskLevel(USA, gallium, refining, critical)`: a tuple as `lode explain` accepts it.
pub fn atom(syms: &Symbols, rel: usize, t: &[Value]) -> String {
    let r = &program().relations[rel];
    let args: Vec<String> = t.iter().map(|v| syms.show(v)).collect();
    format!("{}({})", r.name, args.join(", "))
}

/// Lays out rows as aligned columns, with a header row.
pub fn columns(header: &[String], rows: &[Vec<String>], indent: &str) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            if i < widths.len() {
                widths[i] = widths[i].max(c.chars().count());
            }
        }
    }
    let line = |cells: &[String]| -> String {
        let mut s = String::from(indent);
        for (i, c) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                s.push_str(c);
            } else {
                s.push_str(c);
                s.push_str(&" ".repeat(widths[i] - c.chars().count() + 2));
            }
        }
        s.trim_end().to_string() + "\n"
    };
    let mut out = line(header);
    for r in rows {
        out.push_str(&line(r));
    }
    out
}

/// The heading printed above every conclusion listing.
pub fn heading(meta: &Meta, as_of: &str) -> String {
    let mut s = format!(
        "scenario: {} (reference year {}, as of {as_of})\n",
        meta.name, meta.reference_year
    );
    if let Some(label) = &meta.label {
        s.push_str(&format!("label: {label}\n"));
    }
    s
}

/// Conclusions as text, one relation after another in program order: a heading with the
/// relation's signature and doc line, then one line per tuple written as a query,
/// `  RiskLevel(USA, gallium,  refining, critical)`, its fields aligned in columns. Any extra
/// column (the confidence) follows a `#`, which `lode explain` reads as a comment, so every data
/// line can be pasted into `lode explain` as it is.
pub fn relations_table(
    syms: &Symbols,
    db: &crate::model::Database,
    rels: &[usize],
    extra: &dyn Fn(usize, &[Value]) -> Option<String>,
    extra_header: Option<&str>,
) -> String {
    let mut out = String::new();
    for &ri in rels {
        let r = &program().relations[ri];
        let tuples = db.rel(ri);
        let fields: Vec<&str> = r.fields.iter().map(|f| f.name.as_str()).collect();
        out.push_str(&format!(
            "\n{}({}) — {} ({} row{}{})\n",
            r.name,
            fields.join(", "),
            r.doc,
            tuples.len(),
            if tuples.len() == 1 { "" } else { "s" },
            match extra_header {
                Some(h) if !tuples.is_empty() => format!(", {h} after #"),
                _ => String::new(),
            }
        ));
        let rows: Vec<(Vec<String>, Option<String>)> = tuples
            .iter()
            .map(|t| {
                let cells = r
                    .fields
                    .iter()
                    .zip(t.iter())
                    .map(|(f, v)| field(syms, &f.name, v))
                    .collect();
                (cells, extra(ri, t))
            })
            .collect();
        out.push_str(&atom_lines(&r.name, &rows, "  "));
    }
    out
}

/// Lines `Name(a,   b, c)  # extra`, the fields aligned in columns (the padding is whitespace
/// `lode explain` skips), the extras aligned after `#`.
pub fn atom_lines(name: &str, rows: &[(Vec<String>, Option<String>)], indent: &str) -> String {
    let n = rows.iter().map(|(c, _)| c.len()).max().unwrap_or(0);
    let mut widths = vec![0usize; n];
    for (cells, _) in rows {
        for (i, c) in cells.iter().enumerate() {
            widths[i] = widths[i].max(c.chars().count() + 1);
        }
    }
    let atoms: Vec<String> = rows
        .iter()
        .map(|(cells, _)| {
            let mut s = format!("{name}(");
            for (i, c) in cells.iter().enumerate() {
                if i + 1 == cells.len() {
                    s.push_str(c);
                } else {
                    let cell = format!("{c},");
                    let pad = widths[i].saturating_sub(cell.chars().count());
                    s.push_str(&cell);
                    s.push_str(&" ".repeat(pad + 1));
                }
            }
            s.push(')');
            s
        })
        .collect();
    let width = atoms.iter().map(|a| a.chars().count()).max().unwrap_or(0);
    let mut out = String::new();
    for (a, (_, x)) in atoms.iter().zip(rows) {
        match x {
            Some(x) => {
                let pad = width - a.chars().count();
                out.push_str(&format!("{indent}{a}{}  # {x}\n", " ".repeat(pad)));
            }
            None => out.push_str(&format!("{indent}{a}\n")),
        }
    }
    out
}

/// Adds one named field to a conclusion's JSON object (e.g. its confidence).
pub type ExtraJson<'a> = dyn Fn(usize, &[Value]) -> Option<(String, Json)> + 'a;

/// Conclusions as one JSON document with named fields.
pub fn relations_json(
    syms: &Symbols,
    db: &crate::model::Database,
    rels: &[usize],
    meta: &Meta,
    as_of: &str,
    extra: &ExtraJson<'_>,
) -> String {
    let mut relations = Map::new();
    for &ri in rels {
        let r = &program().relations[ri];
        let rows: Vec<Json> = db
            .rel(ri)
            .iter()
            .map(|t| {
                let mut obj = Map::new();
                for (f, v) in r.fields.iter().zip(t.iter()) {
                    obj.insert(f.name.clone(), field_json(syms, v));
                }
                if let Some((k, v)) = extra(ri, t) {
                    obj.insert(k, v);
                }
                Json::Object(obj)
            })
            .collect();
        relations.insert(r.name.clone(), Json::Array(rows));
    }
    let doc = json!({
        "scenario": {
            "name": meta.name,
            "description": meta.description,
            "reference_year": meta.reference_year,
            "as_of": as_of,
            "label": meta.label,
        },
        "relations": relations,
    });
    to_pretty(&doc)
}

/// Pretty JSON with a trailing newline.
pub fn to_pretty(v: &Json) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}

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
use crate::model::{Symbols, Tuple, Value};
use crate::scenario::Meta;
use serde::Serialize;
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde_json::{Value as Json, json};
use std::borrow::Cow;
use std::io::{self, Write};

/// Renders one field value for a reader: `_bp` fields as percentages, `_milli` as decimals.
pub fn field(syms: &Symbols, field_name: &str, v: &Value) -> String {
    cell(syms, field_name, v).into_owned()
}

/// [`field`], borrowing a symbol's name instead of copying it.
fn cell<'s>(syms: &'s Symbols, field_name: &str, v: &Value) -> Cow<'s, str> {
    match v {
        Value::Num(n) if field_name.ends_with("_bp") => Cow::Owned(fixed(*n, 100) + "%"),
        Value::Num(n) if field_name.ends_with("_milli") => Cow::Owned(fixed(*n, 1000)),
        Value::Num(n) => Cow::Owned(n.to_string()),
        Value::Sym(s) => Cow::Borrowed(syms.name(*s)),
    }
}

/// `n / unit` written with as many decimals as `unit` has zeros (`fixed(-5, 100)` is `-0.05`),
/// in integers: what `format!("{:.2}", n as f64 / 100.0)` prints, without float formatting.
fn fixed(n: i64, unit: u64) -> String {
    let a = n.unsigned_abs();
    let digits = unit.ilog10() as usize;
    let sign = if n < 0 { "-" } else { "" };
    format!("{sign}{}.{:0digits$}", a / unit, a % unit)
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

/// Conclusions as text, after `heading` (see [`heading`]), one relation after another in program
/// order: a heading with the relation's signature and doc line, then one line per tuple written
/// as a query,
/// `  RiskLevel(USA, gallium,  refining, critical)`, its fields aligned in columns. Any extra
/// column (the confidence) follows a `#`, which `lode explain` reads as a comment, so every data
/// line can be pasted into `lode explain` as it is.
///
/// Written to `w` line by line (at 10^5 facts the listing is 5 MB, 39 MB with `--all`): a first
/// pass over a relation's tuples measures its columns, a second renders and writes each line.
pub fn write_relations_table(
    w: &mut dyn Write,
    heading: &str,
    syms: &Symbols,
    db: &crate::model::Database,
    rels: &[usize],
    extra: &dyn Fn(usize, &[Value]) -> Option<String>,
    extra_header: Option<&str>,
) -> io::Result<()> {
    w.write_all(heading.as_bytes())?;
    for &ri in rels {
        let r = &program().relations[ri];
        let tuples = db.rel(ri);
        let fields: Vec<&str> = r.fields.iter().map(|f| f.name.as_str()).collect();
        writeln!(
            w,
            "\n{}({}) — {} ({} row{}{})",
            r.name,
            fields.join(", "),
            r.doc,
            tuples.len(),
            if tuples.len() == 1 { "" } else { "s" },
            match extra_header {
                Some(h) if !tuples.is_empty() => format!(", {h} after #"),
                _ => String::new(),
            }
        )?;
        let lines = AtomLines::measure(&r.name, syms, &fields, tuples);
        let mut cells = Vec::new();
        for t in tuples {
            cells.clear();
            cells.extend(fields.iter().zip(t.iter()).map(|(f, v)| cell(syms, f, v)));
            lines.write(w, "  ", &cells, extra(ri, t).as_deref())?;
        }
    }
    Ok(())
}

/// The layout of lines `Name(a,   b, c)  # extra`: the fields aligned in columns (the padding is
/// whitespace `lode explain` skips), the extras aligned after `#`.
struct AtomLines<'a> {
    name: &'a str,
    /// Per column, the widest cell plus its comma.
    widths: Vec<usize>,
    /// The widest atom `Name(…)`.
    width: usize,
}

impl<'a> AtomLines<'a> {
    /// Measures the rendered cells of every tuple (each row's cells: its fields, as [`field`]
    /// renders them).
    fn measure(name: &'a str, syms: &Symbols, fields: &[&str], tuples: &[Tuple]) -> Self {
        let mut widths = vec![0usize; fields.len()];
        // The widest last cell, by number of cells: an atom is its other cells, each padded to
        // its column, then its last cell.
        let mut last = vec![None::<usize>; fields.len() + 1];
        for t in tuples {
            let mut n = 0;
            let mut last_width = 0;
            for (i, (f, v)) in fields.iter().zip(t.iter()).enumerate() {
                let c = cell(syms, f, v).chars().count();
                widths[i] = widths[i].max(c + 1);
                n = i + 1;
                last_width = c;
            }
            last[n] = Some(last[n].map_or(last_width, |m: usize| m.max(last_width)));
        }
        let name_width = name.chars().count();
        let width = last
            .iter()
            .enumerate()
            .filter_map(|(n, l)| {
                let others: usize = widths[..n.saturating_sub(1)].iter().map(|w| w + 1).sum();
                l.map(|l| name_width + 1 + others + l + 1)
            })
            .max()
            .unwrap_or(0);
        AtomLines {
            name,
            widths,
            width,
        }
    }

    /// Writes one line.
    fn write(
        &self,
        w: &mut dyn Write,
        indent: &str,
        cells: &[Cow<'_, str>],
        extra: Option<&str>,
    ) -> io::Result<()> {
        w.write_all(indent.as_bytes())?;
        w.write_all(self.name.as_bytes())?;
        w.write_all(b"(")?;
        let mut atom = self.name.chars().count() + 2;
        for (i, c) in cells.iter().enumerate() {
            w.write_all(c.as_bytes())?;
            if i + 1 == cells.len() {
                atom += c.chars().count();
            } else {
                let cell = c.chars().count() + 1;
                let pad = self.widths[i].saturating_sub(cell) + 1;
                w.write_all(b",")?;
                spaces(w, pad)?;
                atom += cell + pad;
            }
        }
        match extra {
            Some(x) => {
                w.write_all(b")")?;
                spaces(w, self.width.saturating_sub(atom))?;
                w.write_all(b"  # ")?;
                w.write_all(x.as_bytes())?;
                w.write_all(b"\n")
            }
            None => w.write_all(b")\n"),
        }
    }
}

/// Writes `n` spaces.
fn spaces(w: &mut dyn Write, mut n: usize) -> io::Result<()> {
    const SPACES: &[u8; 64] = &[b' '; 64];
    while n > 0 {
        let k = n.min(SPACES.len());
        w.write_all(&SPACES[..k])?;
        n -= k;
    }
    Ok(())
}

/// Adds one named string field to a conclusion's JSON object (e.g. its confidence).
pub type ExtraJson<'a> = dyn Fn(usize, &[Value]) -> Option<(&'static str, &'static str)> + 'a;

/// Conclusions as one JSON document with named fields, keys sorted as in every JSON object lode
/// prints, pretty-printed with a trailing newline.
///
/// Serialised straight from the tuples to `w`: no `serde_json::Value` of the document and no
/// string of it exist (at 10^5 facts the document is 14 MB, 107 MB with `--all`; building both
/// added ≈ 80 MiB to the peak, 1.2 GiB with `--all`).
pub fn write_relations_json(
    w: &mut dyn Write,
    syms: &Symbols,
    db: &crate::model::Database,
    rels: &[usize],
    meta: &Meta,
    as_of: &str,
    extra: &ExtraJson<'_>,
) -> io::Result<()> {
    let doc = RunJson {
        relations: RelationsJson::new(syms, db, rels, extra),
        scenario: ScenarioJson {
            as_of,
            description: &meta.description,
            label: meta.label.as_deref(),
            name: &meta.name,
            reference_year: meta.reference_year,
        },
    };
    let mut ser = serde_json::Serializer::pretty(&mut *w);
    doc.serialize(&mut ser).map_err(io::Error::from)?;
    w.write_all(b"\n")
}

/// The document of `lode run --format json`; fields in key order.
#[derive(Serialize)]
struct RunJson<'a> {
    relations: RelationsJson<'a>,
    scenario: ScenarioJson<'a>,
}

/// The scenario a listing is of; fields in key order.
#[derive(Serialize)]
struct ScenarioJson<'a> {
    as_of: &'a str,
    description: &'a str,
    label: Option<&'a str>,
    name: &'a str,
    reference_year: i64,
}

/// The listed relations by name: name → array of tuples as objects.
struct RelationsJson<'a> {
    syms: &'a Symbols,
    db: &'a crate::model::Database,
    /// Sorted by name, each relation once.
    rels: Vec<RelationKeys>,
    extra: &'a ExtraJson<'a>,
}

/// A relation listed in JSON: its name, id, and fields (name, position) in key order.
struct RelationKeys {
    name: &'static str,
    rel: usize,
    keys: Vec<(&'static str, usize)>,
}

impl<'a> RelationsJson<'a> {
    fn new(
        syms: &'a Symbols,
        db: &'a crate::model::Database,
        rels: &[usize],
        extra: &'a ExtraJson<'a>,
    ) -> Self {
        let prog = program();
        let mut rels: Vec<_> = rels
            .iter()
            .map(|&ri| {
                let r = &prog.relations[ri];
                let mut keys: Vec<(&'static str, usize)> = r
                    .fields
                    .iter()
                    .enumerate()
                    .map(|(i, f)| (f.name.as_str(), i))
                    .collect();
                // A key given twice keeps its last value, as in a map.
                keys.sort_by(|a, b| a.0.cmp(b.0).then(b.1.cmp(&a.1)));
                keys.dedup_by_key(|k| k.0);
                RelationKeys {
                    name: r.name.as_str(),
                    rel: ri,
                    keys,
                }
            })
            .collect();
        rels.sort_by(|a, b| a.name.cmp(b.name));
        rels.dedup_by_key(|r| r.name);
        RelationsJson {
            syms,
            db,
            rels,
            extra,
        }
    }
}

impl Serialize for RelationsJson<'_> {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        let mut map = ser.serialize_map(Some(self.rels.len()))?;
        for r in &self.rels {
            map.serialize_entry(
                r.name,
                &TuplesJson {
                    of: self,
                    rel: r.rel,
                    keys: &r.keys,
                },
            )?;
        }
        map.end()
    }
}

/// The tuples of one relation, as an array of objects.
struct TuplesJson<'a> {
    of: &'a RelationsJson<'a>,
    rel: usize,
    keys: &'a [(&'static str, usize)],
}

impl Serialize for TuplesJson<'_> {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        let tuples = self.of.db.rel(self.rel);
        let mut seq = ser.serialize_seq(Some(tuples.len()))?;
        for t in tuples {
            seq.serialize_element(&TupleJson {
                syms: self.of.syms,
                keys: self.keys,
                tuple: t,
                extra: (self.of.extra)(self.rel, t),
            })?;
        }
        seq.end()
    }
}

/// One tuple as an object: its fields by name and any extra field, in key order.
struct TupleJson<'a> {
    syms: &'a Symbols,
    keys: &'a [(&'static str, usize)],
    tuple: &'a [Value],
    extra: Option<(&'static str, &'static str)>,
}

impl Serialize for TupleJson<'_> {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        let mut map = ser.serialize_map(None)?;
        let mut extra = self.extra;
        for &(key, i) in self.keys {
            let Some(v) = self.tuple.get(i) else {
                continue;
            };
            // The extra field takes its place in key order, and its value wins over a field
            // of the same name.
            if let Some((k, x)) = extra.filter(|&(k, _)| k <= key) {
                map.serialize_entry(k, x)?;
                extra = None;
                if k == key {
                    continue;
                }
            }
            map.serialize_entry(key, &FieldJson(self.syms, v))?;
        }
        if let Some((k, x)) = extra {
            map.serialize_entry(k, x)?;
        }
        map.end()
    }
}

/// A field value as JSON, as [`field_json`] makes it.
struct FieldJson<'a>(&'a Symbols, &'a Value);

impl Serialize for FieldJson<'_> {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        match self.1 {
            Value::Sym(s) => ser.serialize_str(self.0.name(*s)),
            Value::Num(n) => ser.serialize_i64(*n),
        }
    }
}

/// Pretty JSON with a trailing newline.
pub fn to_pretty(v: &Json) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_point_fields_print_as_the_float_formatting_did() {
        let syms = Symbols::from_names(Vec::new());
        let mut values: Vec<i64> = (-2_500..2_500).collect();
        values.extend([
            i64::from(i32::MAX),
            -1_000_000_007,
            123_456_789_012,
            9_999_999,
        ]);
        for n in values {
            let v = Value::Num(n);
            assert_eq!(
                field(&syms, "share_bp", &v),
                format!("{:.2}%", n as f64 / 100.0)
            );
            assert_eq!(
                field(&syms, "score_milli", &v),
                format!("{:.3}", n as f64 / 1000.0)
            );
            assert_eq!(field(&syms, "year", &v), n.to_string());
        }
    }
}

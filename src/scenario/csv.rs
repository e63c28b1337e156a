//! Reading a table file (`[[load]] table = "share" file = "../data/shares.csv"`): one fact per
//! row, the header naming columns of the table's schema (plus the common columns `source`,
//! `quality`, `note`, `from`, `until`) in any order.
//!
//! The `csv` crate splits the records; a small scanner finds each cell's byte span in the file,
//! so every problem points at its cell (`data/shares.csv:12:3`) and every fact keeps the place
//! of its row. Every problem of the file is reported in one pass: unknown or repeated headers,
//! missing required columns, rows with the wrong number of fields, values of the wrong kind or
//! out of range, missing sources, an unclosed quote, an empty or binary file. A UTF-8 byte-order
//! mark and CRLF line ends are read as if absent.

use super::{
    COMMON, Col, Date, Fact, Interner, Kind, Loc, MAX_STRING_CHARS, Measure, Quality, Span, Str,
    TableSchema, Val, toml::measure_help,
};
use crate::error::{Problem, SourceFile, suggest};
use std::ops::Range;

/// What a `[[load]]` gives rows that do not say themselves.
pub(super) struct Defaults {
    /// The `[[load]]`'s `source`, interned: every row without its own cites the same string.
    pub source: Option<Str>,
    pub quality: Quality,
}

/// A cell that does not hold what its column needs.
struct Bad {
    message: String,
    label: &'static str,
    help: Option<String>,
}

fn bad(message: String) -> Bad {
    Bad {
        message,
        label: "here",
        help: None,
    }
}

/// Reads the rows of `file` (index `fid` among the loader's files) as facts of `schema`, and
/// hands each fact to `add` as it is read: every row that could be read; with problems, only
/// those whose required fields could be. A problem `add` returns (a duplicate) is recorded
/// after the row's own.
///
/// Returns true when the file as a whole could not be read (empty, binary, no usable header, a
/// missing required column): its facts are missing, not merely wrong.
pub(super) fn read(
    file: &SourceFile,
    fid: usize,
    schema: &'static TableSchema,
    defaults: &Defaults,
    strings: &mut Interner,
    problems: &mut Vec<Problem>,
    add: &mut dyn FnMut(Fact) -> Option<Problem>,
) -> bool {
    let text: &str = &file.text;
    if let Some(at) = text.find('\0') {
        problems.push(
            Problem::new(file, at..at + 1, "the file is binary, not a CSV table")
                .label("NUL byte")
                .help("save the table as CSV (comma-separated text) in UTF-8"),
        );
        return true;
    }
    let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let bytes = &text.as_bytes()[start..];
    if text[start..].trim().is_empty() {
        problems.push(
            Problem::new(file, 0..0, "the table file is empty")
                .label("empty")
                .help(format!(
                    "a table starts with a header row naming its columns, e.g. {}",
                    example_header(schema)
                )),
        );
        return true;
    }
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut record = ::csv::StringRecord::new();
    // Reused from row to row, as `record` is: the cells' spans, and the fields of a row before
    // they are copied into a fact's own vector of their size.
    let mut spans: Vec<Range<usize>> = Vec::new();
    let mut scratch = super::Fields::new();
    let mut header: Option<Header> = None;
    let mut rows = 0usize;
    let mut lost = false;
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let at = e.position().map_or(0, |p| p.byte() as usize) + start;
                problems.push(
                    Problem::new(file, at..at + 1, format!("cannot read the table: {e}"))
                        .label("unreadable"),
                );
                lost = true;
                break;
            }
        }
        // After `\r\n` the crate's position may point at the `\n`: the row starts after it.
        let mut at = record.position().map_or(0, |p| p.byte() as usize) + start;
        while matches!(text.as_bytes().get(at), Some(b'\r' | b'\n')) {
            at += 1;
        }
        let end = match scan_record(text.as_bytes(), at, &mut spans) {
            Ok(end) => end,
            Err(quote) => {
                problems.push(
                    Problem::new(file, quote..quote + 1, "unclosed quote")
                        .label("this quote is never closed")
                        .help("close the quoted cell with `\"`; a quote inside a quoted cell is written `\"\"`"),
                );
                // The rest of the file is inside the quote: nothing after it is a row.
                lost |= header.is_none();
                rows += 1;
                break;
            }
        };
        // The scanner and the csv crate agree on cells; if not, point at the whole row.
        let cell = |i: usize| -> Range<usize> {
            if spans.len() == record.len() {
                spans[i].clone()
            } else {
                at..end
            }
        };
        match &header {
            None => {
                let h = read_header(file, schema, defaults, &record, &cell, at..end, problems);
                if h.missing_required {
                    lost = true;
                }
                header = Some(h);
            }
            Some(h) => {
                rows += 1;
                if record.len() != h.cols.len() {
                    let n = record.len();
                    let m = h.cols.len();
                    problems.push(
                        Problem::new(
                            file,
                            at..end,
                            format!(
                                "this row has {n} field{}, the header has {m}",
                                if n == 1 { "" } else { "s" }
                            ),
                        )
                        .label(format!("{n} of {m} fields"))
                        .help("every row has one cell per column of the header; an empty cell is written as nothing between two commas"),
                    );
                    continue;
                }
                if let Some(f) = read_row(
                    file,
                    fid,
                    schema,
                    defaults,
                    h,
                    &record,
                    &cell,
                    at..end,
                    strings,
                    &mut scratch,
                    problems,
                ) {
                    problems.extend(add(f));
                }
            }
        }
    }
    match &header {
        None => lost = true,
        Some(_) if rows == 0 && !lost => {
            // A header and no rows: a table that loads nothing is a mistake, not a table.
            let first = text[start..]
                .find(['\r', '\n'])
                .map_or(text.len(), |i| i + start);
            problems.push(
                Problem::new(file, start..first, "the table has a header but no rows")
                    .label("no rows below")
                    .help("add rows, or drop the `[[load]]` of this file"),
            );
        }
        Some(_) => {}
    }
    lost
}

/// `mineral,stage,country,year,percent,source`: the required columns, for help texts.
fn example_header(schema: &TableSchema) -> String {
    let mut cols: Vec<&str> = schema
        .cols
        .iter()
        .filter(|c| c.required)
        .map(|c| c.key)
        .collect();
    if schema.needs_source {
        cols.push("source");
    }
    cols.join(",")
}

/// The header row, read once: the column of each field.
struct Header {
    cols: Vec<Option<&'static Col>>,
    /// A required column is missing: no row can be read whole.
    missing_required: bool,
}

#[allow(clippy::too_many_arguments)]
fn read_header(
    file: &SourceFile,
    schema: &'static TableSchema,
    defaults: &Defaults,
    record: &::csv::StringRecord,
    cell: &dyn Fn(usize) -> Range<usize>,
    row: Range<usize>,
    problems: &mut Vec<Problem>,
) -> Header {
    let known = || schema.cols.iter().chain(COMMON);
    let mut cols: Vec<Option<&'static Col>> = Vec::with_capacity(record.len());
    for (i, name) in record.iter().enumerate() {
        let name = name.trim();
        let col = known().find(|c| c.key == name);
        match col {
            None => {
                let names: Vec<&str> = known().map(|c| c.key).collect();
                let (msg, label) = if name.is_empty() {
                    (
                        format!("a column of the `{}` table has no name", schema.name),
                        "empty header",
                    )
                } else {
                    (
                        format!("unknown column `{name}` in the `{}` table", schema.name),
                        "unknown column",
                    )
                };
                let help = suggest(name, names.iter().copied())
                    .unwrap_or_else(|| format!("known columns: {}", names.join(", ")));
                problems.push(Problem::new(file, cell(i), msg).label(label).help(help));
                cols.push(None);
            }
            Some(c) if cols.iter().any(|x| x.is_some_and(|x| x.key == c.key)) => {
                problems.push(
                    Problem::new(file, cell(i), format!("column `{name}` is named twice"))
                        .label("named again")
                        .help("keep one column of each name"),
                );
                cols.push(None);
            }
            Some(c) => cols.push(Some(c)),
        }
    }
    let has = |key: &str| cols.iter().any(|c| c.is_some_and(|c| c.key == key));
    let mut missing_required = false;
    for col in schema.cols.iter().filter(|c| c.required) {
        if !has(col.key) {
            missing_required = true;
            problems.push(
                Problem::new(
                    file,
                    row.clone(),
                    format!(
                        "the `{}` table lacks required column `{}`",
                        schema.name, col.key
                    ),
                )
                .label(format!("no `{}`", col.key))
                .help(format!(
                    "the header needs at least {}",
                    example_header(schema)
                )),
            );
        }
    }
    if schema.needs_source && !has("source") && defaults.source.is_none() {
        problems.push(
            Problem::new(
                file,
                row,
                format!("the `{}` table has no `source` column", schema.name),
            )
            .label("no source")
            .help("every fact cites where it comes from: add a `source` column, or `source = \"…\"` to the [[load]]"),
        );
    }
    Header {
        cols,
        missing_required,
    }
}

#[allow(clippy::too_many_arguments)]
fn read_row(
    file: &SourceFile,
    fid: usize,
    schema: &'static TableSchema,
    defaults: &Defaults,
    header: &Header,
    record: &::csv::StringRecord,
    cell: &dyn Fn(usize) -> Range<usize>,
    row: Range<usize>,
    strings: &mut Interner,
    fields: &mut super::Fields,
    problems: &mut Vec<Problem>,
) -> Option<Fact> {
    let before = problems.len();
    fields.0.clear();
    for (i, (col, text)) in header.cols.iter().zip(record.iter()).enumerate() {
        let Some(col) = col else { continue };
        let text = text.trim();
        if text.is_empty() {
            if col.required {
                problems.push(
                    Problem::new(
                        file,
                        cell(i),
                        format!("`{}` lacks required `{}`", schema.name, col.key),
                    )
                    .label(format!("no `{}`", col.key)),
                );
            }
            continue;
        }
        match value(schema, col, text, strings) {
            Ok(v) => {
                fields.insert(&col.key, (v, Span::from(cell(i))));
            }
            Err(b) => {
                let mut p = Problem::new(file, cell(i), b.message).label(b.label);
                if let Some(h) = b.help {
                    p = p.help(h);
                }
                problems.push(p);
            }
        }
    }
    let source = match (fields.get("source"), &defaults.source) {
        (Some((Val::Str(s), _)), _) | (_, Some(s)) => s.clone(),
        _ => strings.get(""),
    };
    let needs_source =
        schema.needs_source || (schema.name == "country" && fields.contains_key("governance"));
    let has_column = header
        .cols
        .iter()
        .any(|c| c.is_some_and(|c| c.key == "source"));
    // Without a `source` column the header's problem says it once for every row.
    if needs_source && source.trim().is_empty() && (has_column || defaults.source.is_some()) {
        let span = header
            .cols
            .iter()
            .position(|c| c.is_some_and(|c| c.key == "source"))
            .map_or(row.clone(), cell);
        problems.push(
            Problem::new(file, span, format!("`{}` has no `source`", schema.name))
                .label("no source")
                .help("every fact cites where it comes from: fill in the `source` cell"),
        );
    }
    let quality = match fields.get("quality") {
        Some((Val::Str(q), _)) => Quality::parse(q).unwrap_or(defaults.quality),
        _ => defaults.quality,
    };
    let keep = problems.len() == before || super::keep_with_problems(schema, fields);
    keep.then(|| Fact {
        table: schema,
        loc: Loc {
            file: fid,
            span: row,
        },
        // Room for the cells that hold a value, not for every column: most rows leave most
        // of the common columns (`quality`, `note`, `from`, …) empty.
        fields: super::Fields(fields.0.drain(..).collect()),
        source,
        quality,
    })
}

/// The value of a non-empty cell, read as its column's kind.
fn value(schema: &TableSchema, col: &Col, text: &str, strings: &mut Interner) -> Result<Val, Bad> {
    let key = col.key;
    let number = |what: &str| -> Result<f64, Bad> {
        let n: f64 = text
            .parse()
            .map_err(|_| bad(format!("`{key}` must be {what}, found `{text}`")))?;
        if n.is_finite() {
            Ok(n)
        } else {
            Err(Bad {
                message: format!("`{key}` must be a finite number"),
                label: "here",
                help: Some("nan and inf are not allowed".into()),
            })
        }
    };
    match col.kind {
        Kind::Id | Kind::Text => {
            // No more characters than bytes: only a long cell needs counting.
            let n = if text.len() > MAX_STRING_CHARS {
                text.chars().count()
            } else {
                0
            };
            if n > MAX_STRING_CHARS {
                return Err(Bad {
                    message: format!(
                        "`{key}` is {n} characters long, more than the limit of {MAX_STRING_CHARS}"
                    ),
                    label: "this cell is too long",
                    help: Some("shorten it, or cite a document instead of quoting it".into()),
                });
            }
            Ok(Val::Str(strings.get(text)))
        }
        Kind::Enum(words) => {
            if words.contains(&text) {
                Ok(Val::Str(strings.get(text)))
            } else {
                Err(Bad {
                    message: format!("unknown {key} `{text}` in `{}`", schema.name),
                    label: "here",
                    help: Some(
                        suggest(text, words.iter().copied())
                            .unwrap_or_else(|| format!("one of: {}", words.join(", "))),
                    ),
                })
            }
        }
        Kind::Percent => {
            let n = number("a number")?;
            if (0.0..=100.0).contains(&n) {
                Ok(Val::Num(n))
            } else {
                Err(Bad {
                    message: format!("`{key}` must be a percentage between 0 and 100, found {n}"),
                    label: "out of range",
                    help: None,
                })
            }
        }
        Kind::Number => {
            let n = number("a number")?;
            if n >= 0.0 {
                Ok(Val::Num(n))
            } else {
                Err(bad(format!("`{key}` must not be negative, found {n}")))
            }
        }
        Kind::Year => {
            let y: i64 = text
                .parse()
                .map_err(|_| bad(format!("`{key}` must be a year, found `{text}`")))?;
            if (1000..=9999).contains(&y) {
                Ok(Val::Num(y as f64))
            } else {
                Err(Bad {
                    message: format!("`{key}` must be a year between 1000 and 9999, found {y}"),
                    label: "out of range",
                    help: None,
                })
            }
        }
        Kind::Bool => match text {
            "true" | "TRUE" | "True" => Ok(Val::Bool(true)),
            "false" | "FALSE" | "False" => Ok(Val::Bool(false)),
            _ => Err(bad(format!(
                "`{key}` must be true or false, found `{text}`"
            ))),
        },
        Kind::Date => {
            if let Some(d) = Date::parse(text) {
                return Ok(Val::Date(d));
            }
            match text.parse::<i32>() {
                Ok(year) if (1000..=9999).contains(&year) => Ok(Val::Date(if key == "until" {
                    Date {
                        year,
                        month: 12,
                        day: 31,
                    }
                } else {
                    Date {
                        year,
                        month: 1,
                        day: 1,
                    }
                })),
                _ => Err(bad(format!(
                    "`{key}` must be a date like 2025-11-09 or a year, found `{text}`"
                ))),
            }
        }
        Kind::IdList => {
            let items: Vec<String> = text.split(';').map(|s| s.trim().to_string()).collect();
            if items.iter().any(String::is_empty) {
                return Err(Bad {
                    message: format!("`{key}` has an empty item"),
                    label: "here",
                    help: Some("separate ids with `;`, e.g. gallium;germanium".into()),
                });
            }
            Ok(Val::List(items.into_boxed_slice()))
        }
        Kind::Measure { net_exporter } => match Measure::parse(text, net_exporter) {
            Ok(m) => Ok(Val::Measure(m)),
            Err(e) => {
                let (message, label) = e.message(key, net_exporter);
                let help = (!matches!(e, super::MeasureError::Range(_)))
                    .then(|| measure_help(net_exporter).replace('"', ""));
                Err(Bad {
                    message,
                    label,
                    help,
                })
            }
        },
    }
}

/// The byte span of each cell of the record that starts at `at`, and where the record ends (its
/// line end excluded), following RFC 4180 as the `csv` crate reads it: a cell that starts with
/// `"` runs to the next lone `"` (`""` is a quote inside it), and a record ends at `\n`, `\r\n`
/// or `\r` outside quotes. `Err` holds the offset of a quote that is never closed. The spans go
/// to `spans`, cleared first.
pub(super) fn scan_record(
    b: &[u8],
    at: usize,
    spans: &mut Vec<Range<usize>>,
) -> Result<usize, usize> {
    spans.clear();
    let mut i = at;
    loop {
        let start = i;
        if b.get(i) == Some(&b'"') {
            i += 1;
            loop {
                match b.get(i) {
                    None => return Err(start),
                    Some(b'"') if b.get(i + 1) == Some(&b'"') => i += 2,
                    Some(b'"') => {
                        i += 1;
                        break;
                    }
                    Some(_) => i += 1,
                }
            }
        }
        while i < b.len() && !matches!(b[i], b',' | b'\n' | b'\r') {
            i += 1;
        }
        spans.push(start..i);
        if b.get(i) == Some(&b',') {
            i += 1;
        } else {
            return Ok(i);
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::single_range_in_vec_init)]
mod tests {
    use super::scan_record;

    #[test]
    fn cells_are_located_through_quotes_and_line_ends() {
        let t = b"a,\"b,\"\"c\"\"\",d\r\nx";
        let scan = |b: &[u8], at| {
            let mut spans = vec![99..99];
            scan_record(b, at, &mut spans).map(|end| (spans, end))
        };
        let (spans, end) = scan(t, 0).unwrap();
        assert_eq!(spans, vec![0..1, 2..11, 12..13]);
        assert_eq!(end, 13);
        assert_eq!(scan(t, 15).unwrap(), (vec![15..16], 16));
        assert_eq!(scan(b"a,\"open\nrest", 0), Err(2));
        assert_eq!(scan(b"", 0).unwrap(), (vec![0..0], 0));
    }

    use super::{Defaults, read};
    use crate::error::SourceFile;
    use crate::scenario::{Quality, Val, table};
    use proptest::prelude::*;

    fn config() -> ProptestConfig {
        ProptestConfig {
            cases: 128,
            failure_persistence: None,
            rng_seed: proptest::test_runner::RngSeed::Fixed(0x10de),
            ..ProptestConfig::default()
        }
    }

    /// A cell as a spreadsheet writes it: quoted when it holds a comma, quote or line end.
    fn quoted(cell: &str) -> String {
        if cell.contains([',', '"', '\n', '\r']) || cell.starts_with(' ') {
            format!("\"{}\"", cell.replace('"', "\"\""))
        } else {
            cell.to_string()
        }
    }

    fn read_text(
        text: &str,
    ) -> (
        Vec<crate::scenario::Fact>,
        Vec<crate::error::Problem>,
        SourceFile,
    ) {
        let file = SourceFile {
            name: "t.csv".into(),
            text: text.into(),
        };
        let schema = table("stage").unwrap();
        let mut problems = Vec::new();
        let defaults = Defaults {
            source: None,
            quality: Quality::Official,
        };
        let mut facts = Vec::new();
        read(
            &file,
            0,
            schema,
            &defaults,
            &mut Default::default(),
            &mut problems,
            &mut |f| {
                facts.push(f);
                None
            },
        );
        (facts, problems, file)
    }

    proptest! {
        #![proptest_config(config())]

        /// Any table written as a spreadsheet writes it (quotes, commas, line ends, non-ASCII,
        /// a BOM, CRLF) reads back cell for cell, each cell located at its text in the file.
        #[test]
        fn written_tables_read_back_cell_for_cell(
            rows in proptest::collection::vec(
                ("[a-z][a-z0-9_]{0,8}", "[a-zA-Z0-9 ,\"é\n\r\t;]{0,12}", "[a-zA-Z ,\"ü]{0,10}"),
                1..12,
            ),
            bom in any::<bool>(),
            crlf in any::<bool>(),
            final_newline in any::<bool>(),
        ) {
            let nl = if crlf { "\r\n" } else { "\n" };
            // Unique ids: a repeated id is a (reported) duplicate, not what this tests.
            let rows: Vec<(String, String, String)> = rows
                .into_iter()
                .enumerate()
                .map(|(i, (id, name, note))| (format!("{id}{i}"), name, note))
                .collect();
            let mut text = String::from(if bom { "\u{feff}" } else { "" });
            text.push_str("note,id,name");
            for (id, name, note) in &rows {
                text.push_str(nl);
                text.push_str(&format!("{},{},{}", quoted(note), id, quoted(name)));
            }
            if final_newline {
                text.push_str(nl);
            }
            let (facts, problems, file) = read_text(&text);
            let names: Vec<&String> = rows.iter().map(|r| &r.1).collect();
            // A name that is blank once trimmed is a missing required cell: reported, not read.
            let blank = names.iter().filter(|n| n.trim().is_empty()).count();
            prop_assert_eq!(problems.len(), blank, "{:?}", problems.iter().map(|p| p.message.clone()).collect::<Vec<_>>());
            // A declaration whose id could be read is kept with its problems (for reference checks).
            prop_assert_eq!(facts.len(), rows.len());
            for ((id, name, note), f) in rows.iter().zip(&facts) {
                prop_assert_eq!(f.str("id"), id.as_str());
                prop_assert_eq!(f.str("name"), name.trim());
                if name.trim().is_empty() {
                    continue;
                }
                prop_assert_eq!(f.get("note").cloned(), (!note.trim().is_empty()).then(|| Val::Str(note.trim().into())));
                let (_, span) = f.fields.get("id").unwrap();
                prop_assert_eq!(&file.text[span.range()], id.as_str());
                let (_, span) = f.fields.get("name").unwrap();
                let written = quoted(name);
                prop_assert_eq!(&file.text[span.range()], written.as_str());
                // The row starts on a line of its own.
                prop_assert!(f.loc.span.start == 0 || matches!(file.text.as_bytes()[f.loc.span.start - 1], b'\n' | b'\r') || bom);
            }
        }

        /// Arbitrary text never panics, and every problem points inside the file.
        #[test]
        fn any_text_reads_without_panic(text in "(?s).{0,200}") {
            let (_, problems, file) = read_text(&text);
            for p in &problems {
                prop_assert!(p.span.offset() + p.span.len() <= file.text.len());
            }
        }
    }
}

//! Reading a scenario's TOML: a spanned tree (`toml::de::DeTable`) read against [`TABLES`], every
//! problem of the file collected in one pass, each pointing at its key.

use super::{
    Bound, COMMON, Date, Expect, Fact, Interner, Kind, LoadSpec, Loc, MAX_STRING_CHARS, Measure,
    MeasureError, Meta, ParamVal, Parsed, Quality, Span, Str, TABLES, TableSchema, Val,
    merge::duplicate, sort_problems, table,
};
use crate::error::{Error, Problem, SourceFile, suggest};
use ::toml::Spanned;
use ::toml::de::{DeTable, DeValue};
use std::collections::BTreeMap;
use std::ops::Range;

/// Parses one TOML file (`fid` its index in the loader's files) into its own content. Problems of
/// shape go to `problems` and reading goes on; only syntax errors stop it (`Err`).
pub(super) fn parse(
    file: &SourceFile,
    fid: usize,
    strings: &mut Interner,
    problems: &mut Vec<Problem>,
) -> Result<Parsed, Error> {
    let (root, errors) = DeTable::parse_recoverable(&file.text);
    let mut syntax: Vec<Problem> = errors
        .into_iter()
        .map(|e| {
            let span = e.span().unwrap_or(0..0);
            Problem::new(
                file,
                span,
                format!(
                    "toml syntax error: {}",
                    e.message().trim_end_matches('.').trim()
                ),
            )
            .label("syntax error")
        })
        .collect();
    if !syntax.is_empty() {
        sort_problems(&mut syntax);
        return Err(Error::invalid(&file.name, syntax));
    }
    let mut r = Reader {
        file,
        fid,
        strings,
        problems,
    };
    let mut out = Parsed {
        file: fid,
        meta: Meta::default(),
        extends: None,
        params: BTreeMap::new(),
        facts: Vec::new(),
        removes: Vec::new(),
        expects: Vec::new(),
        loads: Vec::new(),
        default_quality: Quality::Official,
        has_header: false,
        header_is_table: false,
        header: 0..0,
    };
    let mut default_source: Option<String> = None;
    let mut default_quality = Quality::Official;
    let root = root.into_inner();
    // [scenario] first: default_source applies to every fact of the file.
    for (k, v) in root.iter() {
        if k.get_ref().as_ref() == "scenario" {
            out.has_header = true;
            out.header = k.span();
            if let Some(t) = r.table(v, "scenario") {
                out.header_is_table = true;
                r.read_header(t, &mut out, &mut default_source, &mut default_quality);
            }
        }
    }
    // Interned once: every fact of the file without a source of its own shares it.
    let default_source = default_source.map(|s| r.strings.get(&s));
    let mut keys_seen = super::KeyIndex::default();
    for (k, v) in root.iter() {
        let key = k.get_ref().as_ref();
        match key {
            "scenario" => {}
            "params" => {
                if let Some(t) = r.table(v, "params") {
                    r.read_params(t, &mut out.params);
                }
            }
            "expect" => {
                for row in r.rows(v, "expect") {
                    r.read_expect(row, &mut out.expects);
                }
            }
            "remove" => {
                for row in r.rows(v, "remove") {
                    r.read_remove(row, &mut out.removes);
                }
            }
            "load" => {
                for row in r.rows(v, "load") {
                    r.read_load(row, &mut out.loads);
                }
            }
            _ => match table(key) {
                Some(schema) => {
                    for row in r.rows(v, key) {
                        if let Some(fact) =
                            r.read_fact(schema, row, default_source.as_ref(), default_quality)
                        {
                            if let Some(first) =
                                keys_seen.find_or_insert(&out.facts, &fact, out.facts.len())
                            {
                                let p =
                                    duplicate(std::slice::from_ref(file), &out.facts[first], &fact);
                                r.problems.push(p);
                            } else {
                                out.facts.push(fact);
                            }
                        }
                    }
                }
                None => {
                    let mut names: Vec<&str> = TABLES.iter().map(|t| t.name).collect();
                    names.extend(["scenario", "params", "load", "expect", "remove"]);
                    let mut p = Problem::new(file, k.span(), format!("unknown table `{key}`"))
                        .label("unknown table");
                    if let Some(s) = suggest(key, names.iter().copied()) {
                        p = p.help(s);
                    } else {
                        p = p.help(format!("known tables: {}", names.join(", ")));
                    }
                    r.problems.push(p);
                }
            },
        }
    }
    out.default_quality = default_quality;
    Ok(out)
}

/// How to write a measured percentage, for diagnostics.
pub(super) fn measure_help(net_exporter: bool) -> &'static str {
    if net_exporter {
        "write a number (93.8), a bound (\">50\", \"<25\"), \"W\" (withheld) or \"E\" (net exporter)"
    } else {
        "write a number (93.8), a bound (\">50\", \"<25\") or \"W\" (withheld)"
    }
}

/// Reads values out of the spanned TOML tree, recording every problem.
struct Reader<'a> {
    file: &'a SourceFile,
    fid: usize,
    strings: &'a mut Interner,
    problems: &'a mut Vec<Problem>,
}

fn type_name(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

impl<'a> Reader<'a> {
    fn problem(&mut self, span: Range<usize>, message: impl Into<String>) -> &mut Problem {
        self.problems.push(Problem::new(self.file, span, message));
        let last = self.problems.len() - 1;
        &mut self.problems[last]
    }

    fn table<'v>(&mut self, v: &'v Spanned<DeValue<'v>>, name: &str) -> Option<&'v DeTable<'v>> {
        match v.get_ref() {
            DeValue::Table(t) => Some(t),
            other => {
                let msg = format!("`{name}` must be a table, found {}", type_name(other));
                self.problem(v.span(), msg).help = Some(format!("write it as [{name}]"));
                None
            }
        }
    }

    fn rows<'v>(
        &mut self,
        v: &'v Spanned<DeValue<'v>>,
        name: &str,
    ) -> Vec<(&'v DeTable<'v>, Range<usize>)> {
        match v.get_ref() {
            DeValue::Array(a) => {
                let mut out = Vec::new();
                for item in a.iter() {
                    match item.get_ref() {
                        DeValue::Table(t) => out.push((t, item.span())),
                        other => {
                            let msg = format!(
                                "each `{name}` must be a table, found {}",
                                type_name(other)
                            );
                            self.problem(item.span(), msg);
                        }
                    }
                }
                out
            }
            other => {
                let msg = format!(
                    "`{name}` must be an array of tables, found {}",
                    type_name(other)
                );
                self.problem(v.span(), msg).help = Some(format!("write each entry as [[{name}]]"));
                Vec::new()
            }
        }
    }

    fn string(&mut self, key: &str, v: &Spanned<DeValue<'_>>) -> Option<String> {
        self.text(key, v).map(str::to_string)
    }

    /// [`Reader::string`], interned.
    fn shared(&mut self, key: &str, v: &Spanned<DeValue<'_>>) -> Option<Str> {
        let s = self.text(key, v)?;
        Some(self.strings.get(s))
    }

    /// A string value, borrowed from the tree; `None` (with a problem) for anything else or a
    /// string past [`MAX_STRING_CHARS`].
    fn text<'v>(&mut self, key: &str, v: &'v Spanned<DeValue<'_>>) -> Option<&'v str> {
        match v.get_ref() {
            DeValue::String(s) => {
                // No more characters than bytes: only a long string needs counting.
                let n = if s.len() > MAX_STRING_CHARS {
                    s.chars().count()
                } else {
                    0
                };
                if n > MAX_STRING_CHARS {
                    let msg = format!(
                        "`{key}` is {n} characters long, more than the limit of {MAX_STRING_CHARS}"
                    );
                    // Point at the opening quote only: the value itself is too long to underline.
                    let start = v.span().start;
                    let p = self.problem(start..start + 1, msg);
                    p.label = "this string is too long".into();
                    p.help = Some("shorten it, or cite a document instead of quoting it".into());
                    None
                } else {
                    Some(s)
                }
            }
            other => {
                let msg = format!("`{key}` must be a string, found {}", type_name(other));
                self.problem(v.span(), msg);
                None
            }
        }
    }

    fn number(&mut self, key: &str, v: &Spanned<DeValue<'_>>) -> Option<f64> {
        let n = match v.get_ref() {
            DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
                Ok(x) => Some(x as f64),
                Err(_) => {
                    self.problem(v.span(), format!("`{key}` is out of range"));
                    return None;
                }
            },
            DeValue::Float(f) => f.as_str().replace('_', "").parse::<f64>().ok(),
            other => {
                let msg = format!("`{key}` must be a number, found {}", type_name(other));
                self.problem(v.span(), msg);
                return None;
            }
        };
        match n {
            Some(x) if x.is_finite() => Some(x),
            _ => {
                let msg = format!("`{key}` must be a finite number");
                self.problem(v.span(), msg).help = Some("nan and inf are not allowed".into());
                None
            }
        }
    }

    fn integer(&mut self, key: &str, v: &Spanned<DeValue<'_>>) -> Option<i64> {
        match v.get_ref() {
            DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
                Ok(n) => Some(n),
                Err(_) => {
                    let msg = format!("`{key}` is out of range");
                    self.problem(v.span(), msg);
                    None
                }
            },
            other => {
                let msg = format!("`{key}` must be an integer, found {}", type_name(other));
                self.problem(v.span(), msg);
                None
            }
        }
    }

    fn date(&mut self, key: &str, v: &Spanned<DeValue<'_>>, end_of_year: bool) -> Option<Date> {
        match v.get_ref() {
            DeValue::Datetime(dt) => {
                let d = dt.date.and_then(|d| {
                    Date::parse(&format!("{:04}-{:02}-{:02}", d.year, d.month, d.day))
                });
                if d.is_none() || dt.time.is_some() {
                    let msg = format!("`{key}` must be a date like 2025-11-09, without a time");
                    self.problem(v.span(), msg);
                }
                d
            }
            DeValue::Integer(_) => {
                let y = self.integer(key, v)?;
                if !(1000..=9999).contains(&y) {
                    let msg = format!("`{key}` year {y} is out of range");
                    self.problem(v.span(), msg);
                    return None;
                }
                Some(if end_of_year {
                    Date {
                        year: y as i32,
                        month: 12,
                        day: 31,
                    }
                } else {
                    Date {
                        year: y as i32,
                        month: 1,
                        day: 1,
                    }
                })
            }
            other => {
                let msg = format!(
                    "`{key}` must be a date (2025-11-09) or a year, found {}",
                    type_name(other)
                );
                self.problem(v.span(), msg);
                None
            }
        }
    }

    fn unknown_key(&mut self, span: Range<usize>, key: &str, table: &str, known: &[&str]) {
        let msg = format!("unknown key `{key}` in `{table}`");
        let help = suggest(key, known.iter().copied())
            .unwrap_or_else(|| format!("known keys: {}", known.join(", ")));
        let p = self.problem(span, msg);
        p.label = "unknown key".into();
        p.help = Some(help);
    }

    fn read_header(
        &mut self,
        t: &DeTable<'_>,
        out: &mut Parsed,
        default_source: &mut Option<String>,
        default_quality: &mut Quality,
    ) {
        const KNOWN: &[&str] = &[
            "name",
            "description",
            "reference_year",
            "as_of",
            "extends",
            "default_source",
            "default_quality",
            "label",
        ];
        for (k, v) in t.iter() {
            let key = k.get_ref().as_ref();
            match key {
                "name" => out.meta.name = self.string(key, v).unwrap_or_default(),
                "description" => out.meta.description = self.string(key, v).unwrap_or_default(),
                "label" => out.meta.label = self.string(key, v),
                "reference_year" => {
                    if let Some(y) = self.integer(key, v) {
                        if (1900..=2200).contains(&y) {
                            out.meta.reference_year = y;
                        } else {
                            self.problem(
                                v.span(),
                                format!("reference_year {y} is out of range (1900–2200)"),
                            );
                        }
                    }
                }
                "as_of" => out.meta.as_of = self.date(key, v, false),
                "extends" => {
                    if let Some(s) = self.string(key, v) {
                        out.extends = Some((s, v.span()));
                    }
                }
                "default_source" => *default_source = self.string(key, v),
                "default_quality" => {
                    if let Some(q) = self.string(key, v) {
                        match Quality::parse(&q) {
                            Some(q) => *default_quality = q,
                            None => {
                                let p = self.problem(v.span(), format!("unknown quality `{q}`"));
                                p.help = Some(format!("one of: {}", Quality::NAMES.join(", ")));
                            }
                        }
                    }
                }
                _ => self.unknown_key(k.span(), key, "scenario", KNOWN),
            }
        }
    }

    fn read_params(&mut self, t: &DeTable<'_>, params: &mut BTreeMap<String, ParamVal>) {
        for (k, v) in t.iter() {
            let key = k.get_ref().as_ref();
            if crate::params::spec(key).is_none() {
                let names: Vec<&str> = crate::params::PARAMS.iter().map(|p| p.name).collect();
                self.unknown_key(k.span(), key, "params", &names);
                continue;
            }
            if let Some(n) = self.number(key, v) {
                if let Err(msg) = crate::params::check(key, n) {
                    self.problem(v.span(), msg);
                } else {
                    params.insert(
                        key.to_string(),
                        ParamVal {
                            value: n,
                            loc: Some(Loc {
                                file: self.fid,
                                span: v.span(),
                            }),
                        },
                    );
                }
            }
        }
    }

    fn read_expect(&mut self, (t, span): (&DeTable<'_>, Range<usize>), out: &mut Vec<Expect>) {
        let mut got = None;
        for (k, v) in t.iter() {
            let key = k.get_ref().as_ref();
            match key {
                "holds" | "absent" => {
                    if got.is_some() {
                        self.problem(
                            k.span(),
                            "an expectation has either `holds` or `absent`, not both",
                        );
                    }
                    if let Some(q) = self.string(key, v) {
                        got = Some(Expect {
                            holds: key == "holds",
                            query: q,
                            loc: Loc {
                                file: self.fid,
                                span: v.span(),
                            },
                        });
                    }
                }
                "note" => {
                    self.string(key, v);
                }
                _ => self.unknown_key(k.span(), key, "expect", &["holds", "absent", "note"]),
            }
        }
        match got {
            Some(e) => out.push(e),
            None => {
                let p = self.problem(span, "an expectation needs `holds` or `absent`");
                p.help =
                    Some("e.g. holds = \"RiskLevel(USA, gallium, refining, critical)\"".into());
            }
        }
    }

    fn read_remove(
        &mut self,
        (t, span): (&DeTable<'_>, Range<usize>),
        out: &mut Vec<(String, BTreeMap<String, String>, Loc)>,
    ) {
        let mut tname = None;
        let mut fields = BTreeMap::new();
        let mut spans = Vec::new();
        for (k, v) in t.iter() {
            let key = k.get_ref().as_ref();
            if key == "table" {
                if let Some(s) = self.string(key, v) {
                    if table(&s).is_none() {
                        let names: Vec<&str> = TABLES.iter().map(|t| t.name).collect();
                        let help = suggest(&s, names.iter().copied())
                            .unwrap_or_else(|| format!("one of: {}", names.join(", ")));
                        self.problem(v.span(), format!("unknown table `{s}`")).help = Some(help);
                    } else {
                        tname = Some(s);
                    }
                }
            } else {
                let val = match v.get_ref() {
                    DeValue::String(s) => Some(s.to_string()),
                    DeValue::Integer(_) | DeValue::Float(_) => {
                        self.number(key, v).map(|n| format!("{n}"))
                    }
                    DeValue::Boolean(b) => Some(b.to_string()),
                    other => {
                        let msg = format!(
                            "`{key}` in a removal must be a string or number, found {}",
                            type_name(other)
                        );
                        self.problem(v.span(), msg);
                        None
                    }
                };
                spans.push((key.to_string(), k.span()));
                if let Some(val) = val {
                    fields.insert(key.to_string(), val);
                }
            }
        }
        let Some(tname) = tname else {
            self.problem(span, "a removal needs `table`").help =
                Some("e.g. table = \"share\", mineral = \"gallium\", country = \"CHN\"".into());
            return;
        };
        if let Some(schema) = table(&tname) {
            for (key, kspan) in spans {
                if !schema.cols.iter().chain(COMMON).any(|c| c.key == key) {
                    let known: Vec<&str> = schema.cols.iter().map(|c| c.key).collect();
                    self.unknown_key(kspan, &key, &tname, &known);
                }
            }
        }
        if fields.is_empty() {
            self.problem(span, "a removal needs at least one field to match")
                .help = Some("removing a whole table is not allowed; name the facts".into());
            return;
        }
        out.push((
            tname,
            fields,
            Loc {
                file: self.fid,
                span,
            },
        ));
    }

    fn read_load(&mut self, (t, span): (&DeTable<'_>, Range<usize>), out: &mut Vec<LoadSpec>) {
        let mut schema = None;
        let mut file = None;
        let mut source = None;
        let mut quality = None;
        for (k, v) in t.iter() {
            let key = k.get_ref().as_ref();
            match key {
                "table" => {
                    if let Some(s) = self.string(key, v) {
                        match table(&s) {
                            Some(t) => schema = Some(t),
                            None => {
                                let names: Vec<&str> = TABLES.iter().map(|t| t.name).collect();
                                let help = suggest(&s, names.iter().copied())
                                    .unwrap_or_else(|| format!("one of: {}", names.join(", ")));
                                let p = self.problem(v.span(), format!("unknown table `{s}`"));
                                p.label = "unknown table".into();
                                p.help = Some(help);
                            }
                        }
                    }
                }
                "file" => {
                    if let Some(s) = self.string(key, v) {
                        if s.trim().is_empty() {
                            self.problem(v.span(), "`file` is empty").help =
                                Some("name a .csv file, relative to this scenario".into());
                        } else {
                            file = Some((s, v.span()));
                        }
                    }
                }
                "source" => source = self.string(key, v),
                "quality" => {
                    if let Some(q) = self.string(key, v) {
                        match Quality::parse(&q) {
                            Some(q) => quality = Some(q),
                            None => {
                                let p = self.problem(v.span(), format!("unknown quality `{q}`"));
                                p.help = Some(format!("one of: {}", Quality::NAMES.join(", ")));
                            }
                        }
                    }
                }
                _ => self.unknown_key(
                    k.span(),
                    key,
                    "load",
                    &["table", "file", "source", "quality"],
                ),
            }
        }
        for (what, missing) in [("table", schema.is_none()), ("file", file.is_none())] {
            if missing && !t.iter().any(|(k, _)| k.get_ref().as_ref() == what) {
                let p = self.problem(span.clone(), format!("`load` lacks required key `{what}`"));
                p.label = format!("no `{what}`");
                p.help = Some(
                    "e.g. table = \"share\", file = \"../data/shares.csv\" (relative to this file)"
                        .into(),
                );
            }
        }
        if let (Some(schema), Some((file, file_span))) = (schema, file) {
            out.push(LoadSpec {
                schema,
                file,
                file_span,
                source,
                quality,
            });
        }
    }

    fn read_fact(
        &mut self,
        schema: &'static TableSchema,
        (t, span): (&DeTable<'_>, Range<usize>),
        default_source: Option<&Str>,
        default_quality: Quality,
    ) -> Option<Fact> {
        let before = self.problems.len();
        let mut fields = super::Fields::with_capacity(t.len());
        for (k, v) in t.iter() {
            let key = k.get_ref().as_ref();
            let Some(col) = schema.cols.iter().chain(COMMON).find(|c| c.key == key) else {
                let known: Vec<&str> = schema.cols.iter().chain(COMMON).map(|c| c.key).collect();
                self.unknown_key(k.span(), key, schema.name, &known);
                continue;
            };
            let val = match col.kind {
                Kind::Id | Kind::Text => self.shared(key, v).map(Val::Str),
                Kind::Enum(words) => self.shared(key, v).and_then(|s| {
                    if words.contains(&s.as_str()) {
                        Some(Val::Str(s))
                    } else {
                        let help = suggest(&s, words.iter().copied())
                            .unwrap_or_else(|| format!("one of: {}", words.join(", ")));
                        let p = self.problem(
                            v.span(),
                            format!("unknown {key} `{s}` in `{}`", schema.name),
                        );
                        p.help = Some(help);
                        None
                    }
                }),
                Kind::Percent => self.number(key, v).and_then(|n| {
                    if (0.0..=100.0).contains(&n) {
                        Some(Val::Num(n))
                    } else {
                        let p = self.problem(
                            v.span(),
                            format!("`{key}` must be a percentage between 0 and 100, found {n}"),
                        );
                        p.label = "out of range".into();
                        None
                    }
                }),
                Kind::Measure { net_exporter } => {
                    let m = match v.get_ref() {
                        DeValue::String(t) => Measure::parse(t, net_exporter),
                        DeValue::Integer(_) | DeValue::Float(_) => match self.number(key, v) {
                            Some(n) => Measure::checked(n, Bound::Exact),
                            None => continue,
                        },
                        other => {
                            let msg = format!(
                                "`{key}` must be a number or a string like \">50\", found {}",
                                type_name(other)
                            );
                            self.problem(v.span(), msg).help =
                                Some(measure_help(net_exporter).into());
                            continue;
                        }
                    };
                    match m {
                        Ok(m) => Some(Val::Measure(m)),
                        Err(e) => {
                            let (msg, label) = e.message(key, net_exporter);
                            let p = self.problem(v.span(), msg);
                            p.label = label.into();
                            if !matches!(e, MeasureError::Range(_)) {
                                p.help = Some(measure_help(net_exporter).into());
                            }
                            None
                        }
                    }
                }
                Kind::Number => self.number(key, v).and_then(|n| {
                    if n >= 0.0 {
                        Some(Val::Num(n))
                    } else {
                        self.problem(v.span(), format!("`{key}` must not be negative, found {n}"));
                        None
                    }
                }),
                Kind::Year => self.integer(key, v).and_then(|y| {
                    if (1000..=9999).contains(&y) {
                        Some(Val::Num(y as f64))
                    } else {
                        self.problem(
                            v.span(),
                            format!("`{key}` must be a year between 1000 and 9999, found {y}"),
                        );
                        None
                    }
                }),
                Kind::Bool => match v.get_ref() {
                    DeValue::Boolean(b) => Some(Val::Bool(*b)),
                    other => {
                        let msg =
                            format!("`{key}` must be true or false, found {}", type_name(other));
                        self.problem(v.span(), msg);
                        None
                    }
                },
                Kind::Date => self.date(key, v, key == "until").map(Val::Date),
                Kind::IdList => match v.get_ref() {
                    DeValue::Array(a) => {
                        let mut items = Vec::new();
                        for item in a.iter() {
                            if let Some(s) = self.string(key, item) {
                                items.push(s);
                            }
                        }
                        Some(Val::List(items.into_boxed_slice()))
                    }
                    other => {
                        let msg = format!(
                            "`{key}` must be an array of strings, found {}",
                            type_name(other)
                        );
                        self.problem(v.span(), msg);
                        None
                    }
                },
            };
            if let Some(val) = val {
                fields.insert(&col.key, (val, Span::from(v.span())));
            }
        }
        for col in schema.cols.iter().filter(|c| c.required) {
            if !t.iter().any(|(k, _)| k.get_ref().as_ref() == col.key) {
                let p = self.problem(
                    span.clone(),
                    format!("`{}` lacks required key `{}`", schema.name, col.key),
                );
                p.label = format!("no `{}`", col.key);
            }
        }
        let source = match (fields.get("source"), default_source) {
            (Some((Val::Str(s), _)), _) | (_, Some(s)) => s.clone(),
            _ => self.strings.get(""),
        };
        let needs_source =
            schema.needs_source || (schema.name == "country" && fields.contains_key("governance"));
        if needs_source && source.trim().is_empty() {
            let p = self.problem(span.clone(), format!("`{}` has no `source`", schema.name));
            p.label = "no source".into();
            p.help = Some("every fact cites where it comes from: add source = \"…\", or default_source in [scenario]".into());
        }
        let quality = match fields.get("quality") {
            Some((Val::Str(q), _)) => Quality::parse(q).unwrap_or(default_quality),
            _ => default_quality,
        };
        let keep = self.problems.len() == before || super::keep_with_problems(schema, &fields);
        keep.then_some(Fact {
            table: schema,
            loc: Loc {
                file: self.fid,
                span,
            },
            fields,
            source,
            quality,
        })
    }
}

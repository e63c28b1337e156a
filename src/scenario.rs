//! Step 1 of the pipeline: read scenario files, check their shape, follow `extends`, merge.
//!
//! The TOML is parsed into a spanned tree (`toml::de::DeTable`) and read against a table-driven
//! schema ([`TABLES`]), so that every problem in a file — syntax, unknown keys, wrong types,
//! missing sources, duplicates — is collected in one pass and points at its key. What comes out,
//! [`Scenario`], is well-formed but not yet checked against itself (unknown countries, shares
//! past 100 %): that is `lower`'s job.

use crate::error::{Error, Problem, SourceFile, suggest};
use std::collections::BTreeMap;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// Largest scenario file lode reads.
/// Large enough for a generated world of 10⁶ facts (about 90 MB); parsing takes about 30 bytes
/// of memory per byte of TOML.
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;
/// Longest chain of `extends` lode follows.
pub const MAX_EXTENDS_DEPTH: usize = 32;
/// Longest string value lode accepts.
pub const MAX_STRING_CHARS: usize = 4096;

/// A calendar date (or a year, read as its first or last day).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

impl Date {
    pub fn parse(s: &str) -> Option<Date> {
        let mut parts = s.trim().splitn(3, '-');
        let year = parts.next()?.parse().ok()?;
        let month: u8 = parts.next()?.parse().ok()?;
        let day: u8 = parts.next()?.parse().ok()?;
        let d = Date { year, month, day };
        d.is_valid().then_some(d)
    }

    fn is_valid(&self) -> bool {
        let leap = (self.year % 4 == 0 && self.year % 100 != 0) || self.year % 400 == 0;
        let days = match self.month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return false,
        };
        (1..=days).contains(&self.day) && (0..=9999).contains(&self.year)
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// What a fact is, by its source. Ordered from weakest to strongest (docs/scenario-format.md):
/// an unsourced claim, the analyst's labelled assumption, a secondary compilation, arithmetic on
/// official figures, an official statistic (also when read from a faithful transcription, which
/// the source names).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Quality {
    Claim,
    Assumption,
    Secondary,
    Derived,
    Official,
}

impl Quality {
    /// Strongest first.
    pub const NAMES: &'static [&'static str] =
        &["official", "derived", "secondary", "assumption", "claim"];

    pub fn parse(s: &str) -> Option<Quality> {
        match s {
            "official" => Some(Quality::Official),
            "derived" => Some(Quality::Derived),
            "secondary" => Some(Quality::Secondary),
            "assumption" => Some(Quality::Assumption),
            "claim" => Some(Quality::Claim),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Quality::Official => "official",
            Quality::Derived => "derived",
            Quality::Secondary => "secondary",
            Quality::Assumption => "assumption",
            Quality::Claim => "claim",
        }
    }
}

/// What a column holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// An identifier (lower-case for most things, upper-case for countries).
    Id,
    /// Free text.
    Text,
    /// A percentage 0–100.
    Percent,
    /// A non-negative number.
    Number,
    /// A whole year.
    Year,
    Bool,
    /// A TOML date, or a year.
    Date,
    /// One of a fixed set of words.
    Enum(&'static [&'static str]),
    /// A list of identifiers.
    IdList,
}

#[derive(Debug)]
pub struct Col {
    pub key: &'static str,
    pub kind: Kind,
    pub required: bool,
}

const fn req(key: &'static str, kind: Kind) -> Col {
    Col {
        key,
        kind,
        required: true,
    }
}

const fn opt(key: &'static str, kind: Kind) -> Col {
    Col {
        key,
        kind,
        required: false,
    }
}

/// The schema of one array-of-tables (`[[share]]`).
#[derive(Debug)]
pub struct TableSchema {
    pub name: &'static str,
    pub cols: &'static [Col],
    /// Columns that identify a fact: a later fact with the same key replaces it in an overlay.
    pub key: &'static [&'static str],
    /// Facts of this table must cite a `source` (directly or through `default_source`).
    pub needs_source: bool,
}

pub const ALIGNMENT_LEVELS: &[&str] = &["ally", "partner", "neutral", "rival"];
pub const INITIATIVE_KINDS: &[&str] = &[
    "infrastructure_investment",
    "research_development",
    "regulatory_support",
    "workforce_development",
    "environmental_protection",
    "trade_mission",
    "policy_dialogue",
    "joint_venture",
    "bilateral_investment_treaty",
    "task_force",
];
pub const INITIATIVE_STATUS: &[&str] = &["proposed", "active", "completed", "failed"];
pub const EVENT_KINDS: &[&str] = &[
    "export_licensing",
    "export_ban",
    "technology_export_ban",
    "suspension",
];

/// Columns every fact table accepts.
const COMMON: &[Col] = &[
    opt("source", Kind::Text),
    opt("quality", Kind::Enum(Quality::NAMES)),
    opt("note", Kind::Text),
    opt("from", Kind::Date),
    opt("until", Kind::Date),
];

pub static TABLES: &[TableSchema] = &[
    TableSchema {
        name: "country",
        cols: &[
            req("id", Kind::Id),
            req("name", Kind::Text),
            opt("governance", Kind::Number),
            opt("landlocked", Kind::Bool),
            opt("kind", Kind::Enum(&["country", "bloc"])),
        ],
        key: &["id"],
        needs_source: false,
    },
    TableSchema {
        name: "mineral",
        cols: &[req("id", Kind::Id), req("name", Kind::Text)],
        key: &["id"],
        needs_source: false,
    },
    TableSchema {
        name: "stage",
        cols: &[req("id", Kind::Id), req("name", Kind::Text)],
        key: &["id"],
        needs_source: false,
    },
    TableSchema {
        name: "alignment",
        cols: &[
            req("consumer", Kind::Id),
            req("country", Kind::Id),
            req("level", Kind::Enum(ALIGNMENT_LEVELS)),
            req("rationale", Kind::Text),
        ],
        key: &["consumer", "country"],
        needs_source: false,
    },
    TableSchema {
        name: "share",
        cols: &[
            req("mineral", Kind::Id),
            req("stage", Kind::Id),
            req("country", Kind::Id),
            req("year", Kind::Year),
            req("percent", Kind::Percent),
        ],
        key: &["mineral", "stage", "country", "year"],
        needs_source: true,
    },
    TableSchema {
        name: "deposit",
        cols: &[
            req("mineral", Kind::Id),
            req("country", Kind::Id),
            opt("name", Kind::Text),
            opt("tonnes", Kind::Number),
            req("kind", Kind::Enum(&["reserve", "resource"])),
            opt("target_year", Kind::Year),
        ],
        key: &["mineral", "country", "name"],
        needs_source: true,
    },
    TableSchema {
        name: "reliance",
        cols: &[
            req("consumer", Kind::Id),
            req("mineral", Kind::Id),
            req("year", Kind::Year),
            req("percent", Kind::Percent),
        ],
        key: &["consumer", "mineral", "year"],
        needs_source: true,
    },
    TableSchema {
        name: "import_source",
        cols: &[
            req("consumer", Kind::Id),
            req("mineral", Kind::Id),
            req("country", Kind::Id),
            req("percent", Kind::Percent),
            opt("period", Kind::Text),
        ],
        key: &["consumer", "mineral", "country"],
        needs_source: true,
    },
    TableSchema {
        name: "transit",
        cols: &[
            req("country", Kind::Id),
            req("via", Kind::Id),
            req("percent", Kind::Percent),
            opt("status", Kind::Enum(&["open", "closed"])),
        ],
        key: &["country", "via"],
        needs_source: true,
    },
    TableSchema {
        name: "export_share",
        cols: &[
            req("country", Kind::Id),
            req("partner", Kind::Id),
            req("year", Kind::Year),
            req("percent", Kind::Percent),
        ],
        key: &["country", "partner", "year"],
        needs_source: true,
    },
    TableSchema {
        name: "partnership",
        cols: &[
            req("id", Kind::Id),
            opt("name", Kind::Text),
            req("members", Kind::IdList),
            req("since", Kind::Year),
            req("instrument", Kind::Text),
        ],
        key: &["id"],
        needs_source: true,
    },
    TableSchema {
        name: "initiative",
        cols: &[
            req("id", Kind::Id),
            req("partnership", Kind::Id),
            req("kind", Kind::Enum(INITIATIVE_KINDS)),
            req("mineral", Kind::Id),
            req("stage", Kind::Id),
            req("country", Kind::Id),
            req("start", Kind::Year),
            req("horizon", Kind::Year),
            req("status", Kind::Enum(INITIATIVE_STATUS)),
            opt("capacity", Kind::Percent),
            opt("name", Kind::Text),
        ],
        key: &["id"],
        needs_source: true,
    },
    TableSchema {
        name: "indicator",
        cols: &[
            req("partnership", Kind::Id),
            req("name", Kind::Id),
            req("year", Kind::Year),
            req("value", Kind::Number),
            opt("unit", Kind::Text),
        ],
        key: &["partnership", "name", "year"],
        needs_source: true,
    },
    TableSchema {
        name: "event",
        cols: &[
            req("id", Kind::Id),
            req("actor", Kind::Id),
            req("kind", Kind::Enum(EVENT_KINDS)),
            opt("minerals", Kind::IdList),
            opt("target", Kind::Id),
            opt("suspends", Kind::IdList),
            opt("measure", Kind::Text),
        ],
        key: &["id"],
        needs_source: true,
    },
];

pub fn table(name: &str) -> Option<&'static TableSchema> {
    TABLES.iter().find(|t| t.name == name)
}

/// A field value, with the span of the value in its file.
#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    Str(String),
    Num(f64),
    Bool(bool),
    Date(Date),
    List(Vec<String>),
}

impl Val {
    /// The value as written in a key: used to compare facts for overlays and removals.
    pub fn key_text(&self) -> String {
        match self {
            Val::Str(s) => s.clone(),
            Val::Num(n) => format!("{n}"),
            Val::Bool(b) => b.to_string(),
            Val::Date(d) => d.to_string(),
            Val::List(l) => l.join(","),
        }
    }
}

/// Where something was written: a file of [`Scenario::files`] and a byte span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Loc {
    pub file: usize,
    pub span: Range<usize>,
}

/// One fact: a row of a table, with the place of the row and of each field.
#[derive(Clone, Debug)]
pub struct Fact {
    pub table: &'static TableSchema,
    pub loc: Loc,
    pub fields: BTreeMap<&'static str, (Val, Range<usize>)>,
    /// The citation (its own, or the file's `default_source`).
    pub source: String,
    pub quality: Quality,
}

impl Fact {
    pub fn get(&self, key: &str) -> Option<&Val> {
        self.fields.get(key).map(|(v, _)| v)
    }

    pub fn str(&self, key: &str) -> &str {
        match self.get(key) {
            Some(Val::Str(s)) => s,
            _ => "",
        }
    }

    pub fn num(&self, key: &str) -> Option<f64> {
        match self.get(key) {
            Some(Val::Num(n)) => Some(*n),
            _ => None,
        }
    }

    pub fn list(&self, key: &str) -> &[String] {
        match self.get(key) {
            Some(Val::List(l)) => l,
            _ => &[],
        }
    }

    pub fn date(&self, key: &str) -> Option<Date> {
        match self.get(key) {
            Some(Val::Date(d)) => Some(*d),
            _ => None,
        }
    }

    pub fn bool(&self, key: &str) -> Option<bool> {
        match self.get(key) {
            Some(Val::Bool(b)) => Some(*b),
            _ => None,
        }
    }

    /// The span of a field's value, or of the whole row if the field is absent.
    pub fn span_of(&self, key: &str) -> Loc {
        Loc {
            file: self.loc.file,
            span: self
                .fields
                .get(key)
                .map_or(self.loc.span.clone(), |(_, s)| s.clone()),
        }
    }

    /// The identifying key of the fact, as text, in the order of its table's key columns.
    pub fn key(&self) -> Vec<String> {
        self.table
            .key
            .iter()
            .map(|k| self.get(k).map(Val::key_text).unwrap_or_default())
            .collect()
    }

    /// `share(gallium, refining, CHN, 2024)`: how the fact is named in messages.
    pub fn describe(&self) -> String {
        format!("{}({})", self.table.name, self.key().join(", "))
    }
}

/// A parameter as written in `[params]` or with `--set`.
#[derive(Clone, Debug)]
pub struct ParamVal {
    pub value: f64,
    pub loc: Option<Loc>,
}

/// An `[[expect]]` entry.
#[derive(Clone, Debug)]
pub struct Expect {
    /// True for `holds`, false for `absent`.
    pub holds: bool,
    pub query: String,
    pub loc: Loc,
}

/// The `[scenario]` header, merged over the extends chain.
#[derive(Clone, Debug, Default)]
pub struct Meta {
    pub name: String,
    pub description: String,
    pub reference_year: i64,
    pub as_of: Option<Date>,
    pub label: Option<String>,
}

/// A scenario after `extends` is resolved: the merged facts, each with the file it came from.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// Every file read: the scenario's own file first, then its parents in `extends` order;
    /// [`Loc::file`] indexes it.
    pub files: Vec<SourceFile>,
    pub meta: Meta,
    pub params: BTreeMap<String, ParamVal>,
    pub facts: Vec<Fact>,
    pub expects: Vec<Expect>,
}

impl Scenario {
    pub fn file(&self, loc: &Loc) -> &SourceFile {
        &self.files[loc.file.min(self.files.len().saturating_sub(1))]
    }

    /// `file:line:col` of a location.
    pub fn place(&self, loc: &Loc) -> String {
        let f = self.file(loc);
        let (l, c) = f.line_col(loc.span.start);
        format!("{}:{l}:{c}", f.name)
    }

    /// A problem at a location of this scenario.
    pub fn problem(&self, loc: &Loc, message: impl Into<String>) -> Problem {
        Problem::new(self.file(loc), loc.span.clone(), message)
    }

    pub fn facts_of<'a>(&'a self, table: &'a str) -> impl Iterator<Item = &'a Fact> + 'a {
        self.facts.iter().filter(move |f| f.table.name == table)
    }
}

/// The bundled baseline scenario, embedded so `lode run` works from any directory.
pub const BASELINE_NAME: &str = "scenarios/baseline.toml";
pub const BASELINE_TEXT: &str = include_str!("../scenarios/baseline.toml");

/// Loads a scenario file and its `extends` chain. `None` loads the bundled baseline.
pub fn load(path: Option<&Path>) -> Result<Scenario, Error> {
    let mut loader = Loader {
        files: Vec::new(),
        stack: Vec::new(),
    };
    match path {
        None => loader.load_text(BASELINE_NAME.into(), BASELINE_TEXT.into(), None),
        Some(p) => loader.load_path(p, None),
    }
}

/// Loads a scenario from text (for tests and tools): `name` is shown in diagnostics; `extends`
/// is resolved relative to `dir`.
pub fn load_str(name: &str, text: &str, dir: Option<&Path>) -> Result<Scenario, Error> {
    let mut loader = Loader {
        files: Vec::new(),
        stack: Vec::new(),
    };
    loader.load_text(name.into(), text.into(), dir.map(Path::to_path_buf))
}

struct Loader {
    files: Vec<SourceFile>,
    /// Canonical paths of the files being loaded, child first: a repeat is a cycle.
    stack: Vec<PathBuf>,
}

/// A file's own content, before merging with its parent.
struct Parsed {
    file: usize,
    meta: Meta,
    extends: Option<(String, Range<usize>)>,
    params: BTreeMap<String, ParamVal>,
    facts: Vec<Fact>,
    removes: Vec<(String, BTreeMap<String, String>, Loc)>,
    expects: Vec<Expect>,
    has_header: bool,
    /// The span of the `scenario` key of `[scenario]`.
    header: Range<usize>,
}

fn display_path(p: &Path) -> String {
    if let Ok(cwd) = std::env::current_dir()
        && let Ok(rel) = p.strip_prefix(&cwd)
    {
        return rel.display().to_string();
    }
    p.display().to_string()
}

impl Loader {
    fn load_path(
        &mut self,
        path: &Path,
        from: Option<(&SourceFile, Range<usize>)>,
    ) -> Result<Scenario, Error> {
        let shown = path.display().to_string();
        let located = |message: String, help: &str| -> Error {
            match &from {
                Some((f, span)) => Error::invalid(
                    &f.name,
                    vec![
                        Problem::new(f, span.clone(), message)
                            .label("extends")
                            .help(help.to_string()),
                    ],
                ),
                None => Error::Io {
                    path: shown.clone(),
                    reason: message,
                },
            }
        };
        let meta = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) => {
                return Err(located(
                    format!("cannot read `{shown}`: {}", io_reason(&e)),
                    "the path is relative to the file that extends it",
                ));
            }
        };
        if meta.is_dir() {
            return Err(match &from {
                Some(_) => located(
                    format!("`{shown}` is a directory"),
                    "extends must name a .toml file",
                ),
                None => Error::IsDirectory { path: shown },
            });
        }
        if meta.len() > MAX_FILE_BYTES {
            return Err(Error::TooLarge {
                path: shown,
                size: meta.len(),
                limit: MAX_FILE_BYTES,
            });
        }
        // Read at most one byte past the limit: a device or a file that grows while it is read
        // (its metadata said it was small) is refused too, never read without end.
        let mut bytes = Vec::new();
        let read = std::fs::File::open(path).and_then(|f| {
            std::io::Read::read_to_end(&mut std::io::Read::take(f, MAX_FILE_BYTES + 1), &mut bytes)
        });
        if let Err(e) = read {
            return Err(Error::Io {
                path: shown.clone(),
                reason: io_reason(&e),
            });
        }
        if bytes.len() as u64 > MAX_FILE_BYTES {
            return Err(Error::TooLarge {
                path: shown,
                size: bytes.len() as u64,
                limit: MAX_FILE_BYTES,
            });
        }
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => return Err(not_utf8(display_path(path), e)),
        };
        if self.stack.len() >= MAX_EXTENDS_DEPTH {
            return Err(located(
                format!("`extends` goes more than {MAX_EXTENDS_DEPTH} files deep"),
                "flatten the chain of scenarios",
            ));
        }
        let canonical = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        if let Some(pos) = self.stack.iter().position(|p| *p == canonical) {
            let chain: Vec<String> = self.stack[pos..]
                .iter()
                .map(|p| display_path(p))
                .chain(std::iter::once(display_path(&canonical)))
                .collect();
            return Err(located(
                format!("`extends` makes a cycle: {}", chain.join(" → ")),
                "a scenario cannot extend itself, directly or through its parents",
            ));
        }
        self.stack.push(canonical);
        let dir = path.parent().map(Path::to_path_buf);
        let r = self.load_text(display_path(path), text, dir);
        self.stack.pop();
        r
    }

    fn load_text(
        &mut self,
        name: String,
        text: String,
        dir: Option<PathBuf>,
    ) -> Result<Scenario, Error> {
        let file = SourceFile {
            name: name.clone(),
            text: Arc::from(text),
        };
        if file.text.trim().is_empty() {
            return Err(Error::invalid(
                &name,
                vec![Problem::new(&file, 0..0, "the scenario file is empty")
                    .help("a scenario needs at least a [scenario] table with name, description and reference_year")],
            ));
        }
        let own = self.parse(file)?;
        let mut problems = Vec::new();
        let this = self.files[own.file].clone();
        let base = match &own.extends {
            Some((rel, span)) => {
                let target = dir.as_deref().unwrap_or(Path::new(".")).join(rel);
                Some(self.load_path(&target, Some((&this, span.clone())))?)
            }
            None => None,
        };
        if !own.has_header {
            problems.push(
                Problem::new(&this, 0..0, "missing [scenario] table")
                    .help("add [scenario] with name, description and reference_year"),
            );
        }
        let merged = merge(base, own, &self.files, &mut problems);
        if problems.is_empty() {
            Ok(merged)
        } else {
            sort_problems(&mut problems);
            Err(Error::invalid(&name, problems))
        }
    }

    fn parse(&mut self, file: SourceFile) -> Result<Parsed, Error> {
        let fid = self.files.len();
        self.files.push(file.clone());
        let (root, errors) = DeTable::parse_recoverable(&file.text);
        let mut problems: Vec<Problem> = errors
            .into_iter()
            .map(|e| {
                let span = e.span().unwrap_or(0..0);
                Problem::new(
                    &file,
                    span,
                    format!(
                        "toml syntax error: {}",
                        e.message().trim_end_matches('.').trim()
                    ),
                )
                .label("syntax error")
            })
            .collect();
        if !problems.is_empty() {
            sort_problems(&mut problems);
            return Err(Error::invalid(&file.name, problems));
        }
        let mut r = Reader {
            file: &file,
            fid,
            problems: &mut problems,
        };
        let mut out = Parsed {
            file: fid,
            meta: Meta::default(),
            extends: None,
            params: BTreeMap::new(),
            facts: Vec::new(),
            removes: Vec::new(),
            expects: Vec::new(),
            has_header: false,
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
                    r.read_header(t, &mut out, &mut default_source, &mut default_quality);
                }
            }
        }
        let mut keys_seen: HashMap<(&'static str, Vec<String>), usize> = HashMap::new();
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
                _ => match table(key) {
                    Some(schema) => {
                        for row in r.rows(v, key) {
                            if let Some(fact) =
                                r.read_fact(schema, row, default_source.as_deref(), default_quality)
                            {
                                let fkey = (schema.name, fact.key());
                                if let Some(&first) = keys_seen.get(&fkey) {
                                    r.problems.push(duplicate(&file, &out.facts[first], &fact));
                                } else {
                                    keys_seen.insert(fkey, out.facts.len());
                                    out.facts.push(fact);
                                }
                            }
                        }
                    }
                    None => {
                        let mut names: Vec<&str> = TABLES.iter().map(|t| t.name).collect();
                        names.extend(["scenario", "params", "expect", "remove"]);
                        let mut p = Problem::new(&file, k.span(), format!("unknown table `{key}`"))
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
        if problems.is_empty() {
            Ok(out)
        } else {
            sort_problems(&mut problems);
            Err(Error::invalid(&file.name, problems))
        }
    }
}

/// Problems in the order of the text (file, then place), so a report reads top to bottom.
fn sort_problems(problems: &mut [Problem]) {
    problems.sort_by_key(|p| (p.src.name().to_string(), p.span.offset()));
}

/// A fact whose key an earlier fact of the same file already has: a duplicate id, a repeated
/// fact, or (worse) the same fact with conflicting values. Points at the second one's key.
fn duplicate(file: &SourceFile, first: &Fact, second: &Fact) -> Problem {
    let (line, _) = file.line_col(first.loc.span.start);
    let key_col = second.table.key.first().copied().unwrap_or("id");
    let span = second.span_of(key_col).span;
    if second.table.key == ["id"] {
        let id = second.str("id");
        return Problem::new(
            file,
            span,
            format!("{} `{id}` is declared twice", second.table.name),
        )
        .label("declared again")
        .help(format!(
            "`{id}` is first declared at line {line}; keep one of them"
        ));
    }
    let conflicts: Vec<String> = first
        .fields
        .iter()
        .filter(|(k, _)| !matches!(**k, "note" | "source"))
        .filter_map(|(k, (v, _))| {
            let other = second.get(k);
            (other != Some(v)).then(|| match other {
                Some(o) => format!(
                    "`{k}` is {} here but {} at line {line}",
                    o.key_text(),
                    v.key_text()
                ),
                None => format!("`{k}` is {} at line {line} and absent here", v.key_text()),
            })
        })
        .chain(
            second
                .fields
                .keys()
                .filter(|k| !matches!(**k, "note" | "source") && !first.fields.contains_key(*k))
                .map(|k| format!("`{k}` is absent at line {line}")),
        )
        .collect();
    if conflicts.is_empty() {
        Problem::new(file, span, format!("duplicate fact {}", second.describe()))
            .label("repeated")
            .help(format!(
                "the same fact is first given at line {line}; drop one of them"
            ))
    } else {
        Problem::new(
            file,
            span,
            format!(
                "conflicting facts {}: {}",
                second.describe(),
                conflicts.join(", ")
            ),
        )
        .label("same key, other values")
        .help(format!(
            "a `{}` fact is identified by {}: keep the right one",
            second.table.name,
            second
                .table
                .key
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ))
    }
}

/// A file that is not UTF-8: the problem points at the first bad byte, shown in a lossy copy of
/// the text (the text before that byte is the same in both), and names the key of its line.
fn not_utf8(name: String, e: std::string::FromUtf8Error) -> Error {
    let offset = e.utf8_error().valid_up_to();
    let byte = e.as_bytes().get(offset).copied().unwrap_or(0);
    let file = SourceFile {
        name,
        text: Arc::from(String::from_utf8_lossy(e.as_bytes()).into_owned()),
    };
    let line_start = file.text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let key = file.text[line_start..offset]
        .split_once('=')
        .map(|(k, _)| k.trim().to_string())
        .filter(|k| !k.is_empty());
    let message = match &key {
        Some(k) => format!("the value of `{k}` is not valid UTF-8"),
        None => "the file is not valid UTF-8".to_string(),
    };
    // U+FFFD, which replaced the bad byte in the lossy copy, is three bytes long.
    let problem = Problem::new(&file, offset..offset + 3, message)
        .label(format!("byte 0x{byte:02X} is not UTF-8"))
        .help("save the file as UTF-8");
    Error::invalid(&file.name, vec![problem])
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string().to_lowercase(),
    }
}

/// Merges a file's own content over its (already merged) parent.
fn merge(
    base: Option<Scenario>,
    own: Parsed,
    files: &[SourceFile],
    problems: &mut Vec<Problem>,
) -> Scenario {
    let mut s = base.unwrap_or_else(|| Scenario {
        files: Vec::new(),
        meta: Meta::default(),
        params: BTreeMap::new(),
        facts: Vec::new(),
        expects: Vec::new(),
    });
    s.files = files.to_vec();
    let m = own.meta;
    if !m.name.is_empty() {
        s.meta.name = m.name;
    }
    if !m.description.is_empty() {
        s.meta.description = m.description;
    }
    if m.reference_year != 0 {
        s.meta.reference_year = m.reference_year;
    }
    if m.as_of.is_some() {
        s.meta.as_of = m.as_of;
    }
    if m.label.is_some() {
        s.meta.label = m.label;
    }
    s.params.extend(own.params);
    for (tname, fields, loc) in own.removes {
        let before = s.facts.len();
        s.facts.retain(|f| {
            f.table.name != tname
                || !fields
                    .iter()
                    .all(|(k, v)| f.get(k).is_some_and(|x| x.key_text() == *v))
        });
        if s.facts.len() == before {
            let file = &files[loc.file];
            let what: Vec<String> = fields.iter().map(|(k, v)| format!("{k} = {v:?}")).collect();
            problems.push(
                Problem::new(
                    file,
                    loc.span,
                    format!("this removal matches no `{tname}` fact of the parent scenario"),
                )
                .label("matches nothing")
                .help(format!(
                    "no {tname} has {}; check the spelling or drop the removal",
                    what.join(", ")
                )),
            );
        }
    }
    // Index the parent's facts by (table, key) once: an overlay replaces the first fact of the
    // same key, anything else is appended. (A linear search per fact made loading quadratic.)
    // Without parent facts there is nothing to replace: a file's own keys are unique (`parse`
    // reports duplicates), so its facts are appended as they are.
    if s.facts.is_empty() {
        s.facts = own.facts;
    } else {
        let mut index: HashMap<(&'static str, Vec<String>), usize> =
            HashMap::with_capacity(s.facts.len() + own.facts.len());
        for (i, f) in s.facts.iter().enumerate() {
            index.entry((f.table.name, f.key())).or_insert(i);
        }
        for fact in own.facts {
            match index.entry((fact.table.name, fact.key())) {
                Entry::Occupied(e) => s.facts[*e.get()] = fact,
                Entry::Vacant(e) => {
                    e.insert(s.facts.len());
                    s.facts.push(fact);
                }
            }
        }
    }
    // Expectations pin what one file must show: a what-if does not inherit its parent's.
    s.expects = own.expects;
    if s.meta.name.is_empty() || s.meta.description.is_empty() || s.meta.reference_year == 0 {
        let file = &files[own.file];
        let mut missing = Vec::new();
        if s.meta.name.is_empty() {
            missing.push("name");
        }
        if s.meta.description.is_empty() {
            missing.push("description");
        }
        if s.meta.reference_year == 0 {
            missing.push("reference_year");
        }
        if own.has_header {
            problems.push(
                Problem::new(
                    file,
                    own.header.clone(),
                    format!(
                        "[scenario] lacks {}",
                        missing.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
                    ),
                )
                .label("incomplete")
                .help("every scenario (or the one it extends) states name, description and reference_year"),
            );
        }
    }
    s
}

/// Reads values out of the spanned TOML tree, recording every problem.
struct Reader<'a> {
    file: &'a SourceFile,
    fid: usize,
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
        match v.get_ref() {
            DeValue::String(s) => {
                let n = s.chars().count();
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
                    Some(s.to_string())
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

    fn read_fact(
        &mut self,
        schema: &'static TableSchema,
        (t, span): (&DeTable<'_>, Range<usize>),
        default_source: Option<&str>,
        default_quality: Quality,
    ) -> Option<Fact> {
        let before = self.problems.len();
        let mut fields = BTreeMap::new();
        for (k, v) in t.iter() {
            let key = k.get_ref().as_ref();
            let Some(col) = schema.cols.iter().chain(COMMON).find(|c| c.key == key) else {
                let known: Vec<&str> = schema.cols.iter().chain(COMMON).map(|c| c.key).collect();
                self.unknown_key(k.span(), key, schema.name, &known);
                continue;
            };
            let val = match col.kind {
                Kind::Id | Kind::Text => self.string(key, v).map(Val::Str),
                Kind::Enum(words) => self.string(key, v).and_then(|s| {
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
                        Some(Val::List(items))
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
                fields.insert(col.key, (val, v.span()));
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
        let source = match fields.get("source") {
            Some((Val::Str(s), _)) => s.clone(),
            _ => default_source.unwrap_or("").to_string(),
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
        (self.problems.len() == before).then_some(Fact {
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

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    //! Overlay merge rules: add, replace, remove, chains, cycles, missing parents, removals that
    //! match nothing.
    use super::*;

    const PARENT: &str = r#"
[scenario]
name = "parent"
description = "the parent"
reference_year = 2025
default_source = "test"

[[country]]
id = "CHN"
name = "China"

[[country]]
id = "USA"
name = "United States"

[[mineral]]
id = "gallium"
name = "Gallium"

[[stage]]
id = "refining"
name = "Refining"

[[share]]
mineral = "gallium"
stage = "refining"
country = "CHN"
year = 2024
percent = 98.0

[[share]]
mineral = "gallium"
stage = "refining"
country = "USA"
year = 2024
percent = 1.0
"#;

    /// A fresh directory holding the given files.
    fn dir_with(name: &str, files: &[(&str, &str)]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("lode-overlay-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for (f, text) in files {
            std::fs::write(dir.join(f), text).unwrap();
        }
        dir
    }

    fn child(name: &str, body: &str) -> Result<Scenario, String> {
        let dir = dir_with(name, &[("parent.toml", PARENT)]);
        let text = format!(
            "[scenario]\nextends = \"parent.toml\"\ndescription = \"the child\"\ndefault_source = \"test\"\n{body}"
        );
        load_str("child.toml", &text, Some(&dir)).map_err(|e| crate::error::render(&e))
    }

    fn shares(s: &Scenario) -> Vec<(String, f64)> {
        s.facts_of("share")
            .map(|f| {
                (
                    f.str("country").to_string(),
                    f.num("percent").unwrap_or(-1.0),
                )
            })
            .collect()
    }

    #[test]
    fn a_child_with_no_facts_has_its_parents_facts() {
        let s = child("none", "").unwrap();
        assert_eq!(s.facts.len(), 6);
        assert_eq!(s.meta.name, "parent");
        assert_eq!(s.meta.description, "the child");
    }

    #[test]
    fn a_fact_with_a_new_key_is_added() {
        let s = child("add", "[[share]]\nmineral = \"gallium\"\nstage = \"refining\"\ncountry = \"USA\"\nyear = 2025\npercent = 2.0\n").unwrap();
        assert_eq!(s.facts_of("share").count(), 3);
        let added = s
            .facts_of("share")
            .find(|f| f.num("year") == Some(2025.0))
            .unwrap();
        // The child is the first file read.
        assert_eq!(s.files[added.loc.file].name, "child.toml");
    }

    #[test]
    fn a_fact_with_the_same_key_replaces_the_parents() {
        let s = child("replace", "[[share]]\nmineral = \"gallium\"\nstage = \"refining\"\ncountry = \"CHN\"\nyear = 2024\npercent = 60.0\n").unwrap();
        assert_eq!(
            shares(&s),
            vec![("CHN".to_string(), 60.0), ("USA".to_string(), 1.0)]
        );
        let chn = s
            .facts_of("share")
            .find(|f| f.str("country") == "CHN")
            .unwrap();
        assert_eq!(s.files[chn.loc.file].name, "child.toml");
    }

    #[test]
    fn a_removal_drops_every_matching_fact() {
        let s = child(
            "remove",
            "[[remove]]\ntable = \"share\"\ncountry = \"CHN\"\n",
        )
        .unwrap();
        assert_eq!(shares(&s), vec![("USA".to_string(), 1.0)]);
        let s = child(
            "remove-all",
            "[[remove]]\ntable = \"share\"\nmineral = \"gallium\"\n",
        )
        .unwrap();
        assert!(shares(&s).is_empty());
        // Numbers match as written.
        let s = child(
            "remove-num",
            "[[remove]]\ntable = \"share\"\npercent = 98.0\n",
        )
        .unwrap();
        assert_eq!(shares(&s), vec![("USA".to_string(), 1.0)]);
    }

    #[test]
    fn a_removal_applies_before_the_childs_own_facts() {
        let body = "[[remove]]\ntable = \"share\"\ncountry = \"CHN\"\n\n[[share]]\nmineral = \"gallium\"\nstage = \"refining\"\ncountry = \"CHN\"\nyear = 2024\npercent = 50.0\n";
        let s = child("remove-then-add", body).unwrap();
        assert_eq!(
            shares(&s),
            vec![("USA".to_string(), 1.0), ("CHN".to_string(), 50.0)]
        );
    }

    #[test]
    fn a_removal_that_matches_nothing_is_an_error() {
        let err = child(
            "remove-nothing",
            "[[remove]]\ntable = \"share\"\ncountry = \"FRA\"\n",
        )
        .unwrap_err();
        assert!(
            err.contains("this removal matches no `share` fact of the parent scenario"),
            "{err}"
        );
        assert!(err.contains("child.toml"), "{err}");
    }

    #[test]
    fn a_removal_of_an_unknown_table_is_an_error() {
        let err = child(
            "remove-table",
            "[[remove]]\ntable = \"shares\"\ncountry = \"CHN\"\n",
        )
        .unwrap_err();
        assert!(err.contains("unknown table `shares`"), "{err}");
    }

    #[test]
    fn params_of_the_child_override_the_parents() {
        let dir = dir_with(
            "params",
            &[(
                "parent.toml",
                &format!("{PARENT}\n[params]\nhhi_high = 2500\nhhi_moderate = 1500\n"),
            )],
        );
        let s = load_str(
            "child.toml",
            "[scenario]\nextends = \"parent.toml\"\n[params]\nhhi_high = 3000\n",
            Some(&dir),
        )
        .unwrap();
        assert_eq!(s.params.get("hhi_high").map(|p| p.value), Some(3000.0));
        assert_eq!(s.params.get("hhi_moderate").map(|p| p.value), Some(1500.0));
    }

    #[test]
    fn a_chain_of_three_merges_in_order() {
        let mid = "[scenario]\nextends = \"parent.toml\"\nname = \"mid\"\ndefault_source = \"t\"\n[[share]]\nmineral = \"gallium\"\nstage = \"refining\"\ncountry = \"CHN\"\nyear = 2024\npercent = 70.0\n";
        let dir = dir_with("chain", &[("parent.toml", PARENT), ("mid.toml", mid)]);
        let top = "[scenario]\nextends = \"mid.toml\"\nname = \"top\"\ndefault_source = \"t\"\n[[remove]]\ntable = \"share\"\ncountry = \"USA\"\n";
        let s = load_str("top.toml", top, Some(&dir)).unwrap();
        assert_eq!(s.meta.name, "top");
        assert_eq!(shares(&s), vec![("CHN".to_string(), 70.0)]);
        assert_eq!(s.files.len(), 3);
    }

    #[test]
    fn a_cycle_is_an_error() {
        let a = "[scenario]\nextends = \"b.toml\"\nname = \"a\"\ndescription = \"a\"\nreference_year = 2025\n";
        let b = "[scenario]\nextends = \"a.toml\"\nname = \"b\"\ndescription = \"b\"\nreference_year = 2025\n";
        let dir = dir_with("cycle", &[("a.toml", a), ("b.toml", b)]);
        let err = crate::error::render(&load(Some(&dir.join("a.toml"))).unwrap_err());
        assert!(err.contains("`extends` makes a cycle"), "{err}");
        assert!(err.contains("a.toml → ") && err.contains("b.toml"), "{err}");
    }

    #[test]
    fn extending_oneself_is_a_cycle() {
        let a = "[scenario]\nextends = \"self.toml\"\nname = \"a\"\ndescription = \"a\"\nreference_year = 2025\n";
        let dir = dir_with("self", &[("self.toml", a)]);
        let err = crate::error::render(&load(Some(&dir.join("self.toml"))).unwrap_err());
        assert!(err.contains("`extends` makes a cycle"), "{err}");
    }

    #[test]
    fn a_missing_parent_is_an_error_at_the_extends_key() {
        let dir = dir_with("missing", &[]);
        let err = load_str(
            "child.toml",
            "[scenario]\nextends = \"nowhere.toml\"\n",
            Some(&dir),
        )
        .unwrap_err();
        let text = crate::error::render(&err);
        assert!(
            text.contains("cannot read")
                && text.contains("nowhere.toml")
                && text.contains("no such file"),
            "{text}"
        );
        assert!(text.contains("child.toml"), "{text}");
    }
}

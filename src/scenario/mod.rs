//! Step 1 of the pipeline: read scenario files, check their shape, follow `extends`, merge.
//!
//! The TOML is parsed into a spanned tree (`toml::de::DeTable`) and read against a table-driven
//! schema ([`TABLES`]), so that every problem in a file — syntax, unknown keys, wrong types,
//! missing sources, duplicates — is collected in one pass and points at its key. What comes out,
//! [`Scenario`], is well-formed but not yet checked against itself (unknown countries, shares
//! past 100 %): that is `lower`'s job.

mod csv;
mod merge;
mod schema;
mod toml;

pub use schema::*;

use crate::error::{Error, Problem, SourceFile};
use std::collections::BTreeMap;
use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Largest scenario file lode reads.
/// Large enough for a generated world of 10⁶ facts (about 90 MB); parsing takes about 30 bytes
/// of memory per byte of TOML.
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;
/// Longest chain of `extends` lode follows.
pub const MAX_EXTENDS_DEPTH: usize = 32;
/// Longest string value lode accepts.
pub const MAX_STRING_CHARS: usize = 4096;

// Spans are stored as `u32` offsets ([`Span`]): every file lode reads fits.
const _: () = assert!(MAX_FILE_BYTES <= u32::MAX as u64);

/// A string of a scenario (an id, a name, a citation), shared by every fact that has the same
/// text: strings are interned while a scenario is read, so the id `CHN` of ten thousand rows, or
/// a file's `default_source`, is held once. Reads as a `&str` (`Deref`, [`Str::as_str`]).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Str(Arc<str>);

impl Str {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for Str {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Str {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

// `Str` hashes and compares as its text, so a set of them is looked up by `&str`.
impl std::borrow::Borrow<str> for Str {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Str {
    fn from(s: &str) -> Self {
        Str(Arc::from(s))
    }
}

impl From<String> for Str {
    fn from(s: String) -> Self {
        Str(Arc::from(s))
    }
}

impl std::fmt::Display for Str {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&*self.0, f)
    }
}

impl std::fmt::Debug for Str {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&*self.0, f)
    }
}

impl PartialEq<str> for Str {
    fn eq(&self, other: &str) -> bool {
        *self.0 == *other
    }
}

impl PartialEq<&str> for Str {
    fn eq(&self, other: &&str) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<String> for Str {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl serde::Serialize for Str {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

/// The strings of a scenario being read: each text once, handed out as shared [`Str`]s.
#[derive(Default)]
pub(crate) struct Interner(rustc_hash::FxHashSet<Str>);

impl Interner {
    /// The shared string of `text`.
    pub(crate) fn get(&mut self, text: &str) -> Str {
        if let Some(s) = self.0.get(text) {
            return s.clone();
        }
        let s = Str::from(text);
        self.0.insert(s.clone());
        s
    }
}

/// A byte span in a file, as `u32` offsets: half a `Range<usize>`, and one is kept for every
/// field of every fact. Files are at most [`MAX_FILE_BYTES`]; an offset past `u32::MAX` (text
/// loaded with [`load_str`]) would read as `u32::MAX`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    /// The span as a range of byte offsets.
    pub fn range(self) -> Range<usize> {
        self.start as usize..self.end as usize
    }
}

impl From<Range<usize>> for Span {
    fn from(r: Range<usize>) -> Self {
        let narrow = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Span {
            start: narrow(r.start),
            end: narrow(r.end),
        }
    }
}

/// A field value, with the span of the value in its file.
#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    Str(Str),
    Num(f64),
    Bool(bool),
    Date(Date),
    /// A boxed slice, not a `Vec`: with it a `Val` is 24 bytes, not 32.
    List(Box<[String]>),
    /// A measured percentage (`93.8`, `>50`, `<25`, `W`, `E`).
    Measure(Measure),
}

impl Val {
    /// The value as written in a key: used to compare facts for overlays and removals.
    pub fn key_text(&self) -> String {
        match self {
            Val::Str(s) => s.to_string(),
            Val::Num(n) => match whole(*n) {
                Some(i) => i.to_string(),
                None => format!("{n}"),
            },
            Val::Bool(b) => b.to_string(),
            Val::Date(d) => d.to_string(),
            Val::List(l) => l.join(","),
            Val::Measure(m) => m.to_string(),
        }
    }
}

/// `n` as an integer when `format!("{n}")` would print it as one (years, whole percentages):
/// formatting an `i64` is several times cheaper than an `f64`.
fn whole(n: f64) -> Option<i64> {
    (n.fract() == 0.0 && n.abs() < 1e15 && !(n == 0.0 && n.is_sign_negative())).then_some(n as i64)
}

/// Feeds a fact's identifying key to a hasher as [`Fact::key`] would spell it, without building
/// the strings: the same texts hash the same.
fn hash_key(f: &Fact, h: &mut rustc_hash::FxHasher) {
    use std::hash::Hasher;
    /// A number's text, on the stack (the hasher must see each text in one `write`).
    struct Buf {
        b: [u8; 40],
        n: usize,
        over: bool,
    }
    impl std::fmt::Write for Buf {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            match self.b.get_mut(self.n..self.n + s.len()) {
                Some(dst) => {
                    dst.copy_from_slice(s.as_bytes());
                    self.n += s.len();
                }
                None => self.over = true,
            }
            Ok(())
        }
    }
    h.write(f.table.name.as_bytes());
    for k in f.table.key {
        h.write_u8(0xff);
        match f.get(k) {
            None => {}
            Some(Val::Str(s)) => h.write(s.as_bytes()),
            Some(v @ Val::Num(n)) => {
                let mut buf = Buf {
                    b: [0; 40],
                    n: 0,
                    over: false,
                };
                let _ = match whole(*n) {
                    Some(i) => std::fmt::Write::write_fmt(&mut buf, format_args!("{i}")),
                    None => std::fmt::Write::write_fmt(&mut buf, format_args!("{n}")),
                };
                match buf.b.get(..buf.n) {
                    Some(text) if !buf.over => h.write(text),
                    _ => h.write(v.key_text().as_bytes()),
                }
            }
            Some(v) => h.write(v.key_text().as_bytes()),
        }
    }
}

/// Whether two facts have the same table and the same key texts ([`Fact::key`]), without
/// allocating for the usual string keys.
fn same_key(a: &Fact, b: &Fact) -> bool {
    a.table.name == b.table.name
        && a.table.key.iter().all(|k| match (a.get(k), b.get(k)) {
            (Some(Val::Str(x)), Some(Val::Str(y))) => x == y,
            (x, y) => {
                x.map(Val::key_text).unwrap_or_default() == y.map(Val::key_text).unwrap_or_default()
            }
        })
}

/// Facts of a list indexed by (table, identifying key): the first fact of each key. Keys are
/// hashed as text, never built: loading used to allocate a `Vec<String>` per fact for this.
#[derive(Default)]
pub(crate) struct KeyIndex {
    /// Key hash → the latest fact index inserted with that hash.
    heads: rustc_hash::FxHashMap<u64, usize>,
    /// Per fact index, the previous fact inserted with the same hash (a collision chain).
    next: Vec<usize>,
}

impl KeyIndex {
    fn hash(f: &Fact) -> u64 {
        use std::hash::Hasher;
        let mut h = rustc_hash::FxHasher::default();
        hash_key(f, &mut h);
        h.finish()
    }

    pub(crate) fn with_capacity(n: usize) -> Self {
        KeyIndex {
            heads: rustc_hash::FxHashMap::with_capacity_and_hasher(n, Default::default()),
            next: Vec::with_capacity(n),
        }
    }

    /// The index in `facts` of the indexed fact with `f`'s table and key; if there is none,
    /// indexes `f` as `facts[i]` (the caller pushes it there next).
    pub(crate) fn find_or_insert(&mut self, facts: &[Fact], f: &Fact, i: usize) -> Option<usize> {
        let h = Self::hash(f);
        let head = self.heads.get(&h).copied();
        let mut at = head;
        while let Some(j) = at {
            if facts.get(j).is_some_and(|g| same_key(g, f)) {
                return Some(j);
            }
            at = self.next.get(j).copied().filter(|&n| n != usize::MAX);
        }
        self.heads.insert(h, i);
        if self.next.len() <= i {
            self.next.resize(i + 1, usize::MAX);
        }
        self.next[i] = head.unwrap_or(usize::MAX);
        None
    }
}

/// Where something was written: a file of [`Scenario::files`] and a byte span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Loc {
    pub file: usize,
    pub span: Range<usize>,
}

/// A fact's fields by column name, each with the span of its value, in name order. A sorted
/// vector: a fact has a handful of fields, and a `BTreeMap` allocated a node of eleven slots
/// (≈ 700 bytes) for each fact. Readers size it to the fields they keep: 40 bytes each, the
/// name a thin reference to its column's `key` in the schema.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Fields(Vec<(&'static &'static str, (Val, Span))>);

type FieldEntry = (&'static &'static str, (Val, Span));

fn entry_parts(e: &FieldEntry) -> (&&'static str, &(Val, Span)) {
    (e.0, &e.1)
}

impl Fields {
    pub fn new() -> Self {
        Fields(Vec::new())
    }

    pub fn with_capacity(n: usize) -> Self {
        Fields(Vec::with_capacity(n))
    }

    pub fn get(&self, key: &str) -> Option<&(Val, Span)> {
        self.0.iter().find(|(k, _)| **k == key).map(|(_, v)| v)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Sets a field, replacing (and returning) one of the same name. `key` is the `key` of a
    /// column of the schema ([`Col`]).
    pub fn insert(
        &mut self,
        key: &'static &'static str,
        value: (Val, Span),
    ) -> Option<(Val, Span)> {
        match self.0.binary_search_by(|(k, _)| (**k).cmp(*key)) {
            Ok(i) => self
                .0
                .get_mut(i)
                .map(|e| std::mem::replace(&mut e.1, value)),
            Err(i) => {
                self.0.insert(i, (key, value));
                None
            }
        }
    }

    /// The fields in name order.
    pub fn iter(&self) -> std::iter::Map<std::slice::Iter<'_, FieldEntry>, FieldParts<'_>> {
        self.0.iter().map(entry_parts as FieldParts<'_>)
    }

    pub fn keys(&self) -> impl Iterator<Item = &&'static str> + '_ {
        self.0.iter().map(|(k, _)| *k)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

type FieldParts<'a> = fn(&'a FieldEntry) -> (&'a &'static str, &'a (Val, Span));

impl<'a> IntoIterator for &'a Fields {
    type Item = (&'a &'static str, &'a (Val, Span));
    type IntoIter = std::iter::Map<std::slice::Iter<'a, FieldEntry>, FieldParts<'a>>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// One fact: a row of a table, with the place of the row and of each field.
#[derive(Clone, Debug)]
pub struct Fact {
    pub table: &'static TableSchema,
    pub loc: Loc,
    pub fields: Fields,
    /// The citation (its own, or the file's `default_source`), shared by the facts citing it.
    pub source: Str,
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

    /// A number; for a measured percentage, its number (exact or a bound), `None` for `W`/`E`.
    pub fn num(&self, key: &str) -> Option<f64> {
        match self.get(key) {
            Some(Val::Num(n)) => Some(*n),
            Some(Val::Measure(m)) => m.value,
            _ => None,
        }
    }

    /// A measured percentage with its bound; a plain number reads as an exact measure.
    pub fn measure(&self, key: &str) -> Option<Measure> {
        match self.get(key) {
            Some(Val::Measure(m)) => Some(*m),
            Some(Val::Num(n)) => Some(Measure::exact(*n)),
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
                .map_or(self.loc.span.clone(), |(_, s)| s.range()),
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
    /// Key columns the fact leaves out (an optional `stage`) are not shown.
    pub fn describe(&self) -> String {
        let key: Vec<String> = self
            .table
            .key
            .iter()
            .filter_map(|k| self.get(k).map(Val::key_text))
            .collect();
        format!("{}({})", self.table.name, key.join(", "))
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
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
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
    /// Every file read: the scenario's own file first, then its parents in `extends` order,
    /// with the table files each loads among them; [`Loc::file`] indexes it.
    pub files: Vec<SourceFile>,
    /// Indexes into `files` of the table (CSV) files, in the order they were read.
    pub tables: Vec<usize>,
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

    /// The scenario (TOML) files: its own first, then its parents in `extends` order.
    pub fn chain(&self) -> impl DoubleEndedIterator<Item = &SourceFile> + '_ {
        self.files
            .iter()
            .enumerate()
            .filter(|(i, _)| !self.tables.contains(i))
            .map(|(_, f)| f)
    }

    /// The table files the chain loads, in the order they were read.
    pub fn table_files(&self) -> impl Iterator<Item = &SourceFile> + '_ {
        self.tables.iter().filter_map(|&i| self.files.get(i))
    }

    pub fn facts_of<'a>(&'a self, table: &'a str) -> impl Iterator<Item = &'a Fact> + 'a {
        self.facts.iter().filter(move |f| f.table.name == table)
    }
}

/// The files build.rs bundles into the binary: every `scenarios/*.toml` and `data/**/*.csv`.
mod bundled {
    include!(concat!(env!("OUT_DIR"), "/bundled.rs"));
}

/// Every bundled file as `(repository-relative path, text)`, sorted by path.
pub use bundled::BUNDLED;

/// The bundled baseline scenario, embedded (with the tables it loads) so `lode run` works from
/// any directory.
pub const BASELINE_NAME: &str = "scenarios/baseline.toml";
pub use bundled::BASELINE_TEXT;

/// The text of a bundled file, by its repository-relative path (`data/shares.csv`).
pub fn bundled_file(path: &str) -> Option<&'static str> {
    BUNDLED
        .binary_search_by_key(&path, |(p, _)| p)
        .ok()
        .map(|i| BUNDLED[i].1)
}

/// A scenario as read, with every problem of shape found on the way.
#[derive(Debug)]
pub struct Loaded {
    /// When `problems` is not empty, this holds the facts that could be read — enough to check
    /// their references (`lower`), never to evaluate.
    pub scenario: Scenario,
    /// Problems of shape (syntax aside, which stops reading): unknown keys and headers, bad
    /// values, missing sources, duplicates, unreadable tables, removals that match nothing.
    pub problems: Vec<Problem>,
    /// False when a whole table or file could not be read: what it declares is missing, so
    /// references to it would all look unknown; checking references is then pointless.
    pub complete: bool,
}

impl Loaded {
    /// The scenario if it has no problems; else all of them, in file order, as one error.
    pub fn into_result(mut self) -> Result<Scenario, Error> {
        if self.problems.is_empty() {
            return Ok(self.scenario);
        }
        sort_problems(&mut self.problems);
        let name = self.name().to_string();
        Err(Error::invalid(&name, self.problems))
    }

    /// The name of the scenario's own file (the first read).
    pub fn name(&self) -> &str {
        self.scenario
            .files
            .first()
            .map_or("scenario", |f| f.name.as_str())
    }
}

/// Loads a scenario file, its `extends` chain and the tables they `[[load]]`. `None` loads the
/// bundled baseline (its tables from the bundled files).
pub fn load(path: Option<&Path>) -> Result<Scenario, Error> {
    read(path)?.into_result()
}

/// Like [`load`], but a scenario with problems of shape comes back with them (see [`Loaded`]),
/// so that its references can be checked in the same run. `Err` only when reading cannot go on
/// (a missing or unreadable scenario file, a TOML syntax error, an `extends` cycle).
pub fn read(path: Option<&Path>) -> Result<Loaded, Error> {
    match path {
        None => Loader::new(true).finish(|l| {
            l.load_text(
                BASELINE_NAME.into(),
                BASELINE_TEXT.into(),
                PathBuf::from("scenarios"),
            )
        }),
        Some(p) => Loader::new(false).finish(|l| l.load_path(p, None)),
    }
}

/// Loads a scenario from text (for tests and tools): `name` is shown in diagnostics. `extends`
/// and `[[load]]` are resolved relative to `dir`; without one, relative to `name` among the
/// bundled files (so `load_str(BASELINE_NAME, BASELINE_TEXT, None)` is the baseline), then on
/// disk relative to the working directory.
pub fn load_str(name: &str, text: &str, dir: Option<&Path>) -> Result<Scenario, Error> {
    read_str(name, text, dir)?.into_result()
}

/// [`load_str`] that keeps the problems of shape with the partial scenario, as [`read`] does.
pub fn read_str(name: &str, text: &str, dir: Option<&Path>) -> Result<Loaded, Error> {
    let (bundled, dir) = match dir {
        Some(d) => (false, d.to_path_buf()),
        None => (
            true,
            Path::new(name)
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default(),
        ),
    };
    Loader::new(bundled).finish(|l| l.load_text(name.into(), text.into(), dir))
}

struct Loader {
    files: Vec<SourceFile>,
    /// Canonical paths of the files being loaded, child first: a repeat is a cycle.
    stack: Vec<PathBuf>,
    /// Relative paths name bundled files first (the bundled baseline, `load_str` without a
    /// directory); else files on disk.
    bundled: bool,
    problems: Vec<Problem>,
    complete: bool,
    /// Every table file loaded so far (canonical path, or bundled name), with the place of the
    /// `[[load]]` that loaded it: a file is loaded once.
    loaded: HashMap<PathBuf, Loc>,
    /// Indexes into `files` of the table files.
    tables: Vec<usize>,
    /// The strings of every file read: facts of the TOML and of the tables share them.
    strings: Interner,
}

/// One `[[load]]` entry.
#[derive(Debug)]
struct LoadSpec {
    schema: &'static TableSchema,
    file: String,
    /// The span of the `file` value.
    file_span: Range<usize>,
    /// Defaults for rows that give no `source` / `quality` of their own.
    source: Option<String>,
    quality: Option<Quality>,
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
    loads: Vec<LoadSpec>,
    default_quality: Quality,
    has_header: bool,
    /// `[scenario]` is a table (a header written as a value is reported once, not as incomplete).
    header_is_table: bool,
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

/// `dir/rel` with `.` and `..` resolved without touching the disk.
fn normalize_path(dir: &Path, rel: &str) -> PathBuf {
    let mut out = PathBuf::new();
    for c in dir.join(rel).components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                let last = out.components().next_back();
                if matches!(last, Some(std::path::Component::Normal(_))) {
                    out.pop();
                } else if !matches!(last, Some(std::path::Component::RootDir)) {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// [`normalize_path`] as a `/`-separated name: the name of a bundled file (`scenarios` +
/// `../data/x.csv` is `data/x.csv`).
fn normalize(dir: &Path, rel: &str) -> String {
    normalize_path(dir, rel)
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Why a file could not be read.
enum ReadFail {
    Io(String),
    IsDir,
    TooLarge(u64),
    NotUtf8(std::string::FromUtf8Error),
}

/// Reads a text file of at most [`MAX_FILE_BYTES`].
fn read_disk(path: &Path) -> Result<String, ReadFail> {
    let meta = std::fs::metadata(path).map_err(|e| ReadFail::Io(io_reason(&e)))?;
    if meta.is_dir() {
        return Err(ReadFail::IsDir);
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(ReadFail::TooLarge(meta.len()));
    }
    // Read at most one byte past the limit: a device or a file that grows while it is read
    // (its metadata said it was small) is refused too, never read without end.
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| {
            std::io::Read::read_to_end(&mut std::io::Read::take(f, MAX_FILE_BYTES + 1), &mut bytes)
        })
        .map_err(|e| ReadFail::Io(io_reason(&e)))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(ReadFail::TooLarge(bytes.len() as u64));
    }
    String::from_utf8(bytes).map_err(ReadFail::NotUtf8)
}

impl Loader {
    fn new(bundled: bool) -> Self {
        Loader {
            files: Vec::new(),
            stack: Vec::new(),
            bundled,
            problems: Vec::new(),
            complete: true,
            loaded: HashMap::new(),
            tables: Vec::new(),
            strings: Interner::default(),
        }
    }

    /// Runs a load and gathers its problems. A fatal error of a parent keeps the problems
    /// already found in its children.
    fn finish(
        mut self,
        run: impl FnOnce(&mut Self) -> Result<Scenario, Error>,
    ) -> Result<Loaded, Error> {
        match run(&mut self) {
            Ok(mut scenario) => {
                scenario.tables = self.tables;
                Ok(Loaded {
                    scenario,
                    problems: self.problems,
                    complete: self.complete,
                })
            }
            Err(Error::Invalid {
                file, mut problems, ..
            }) if !self.problems.is_empty() => {
                problems.append(&mut self.problems);
                sort_problems(&mut problems);
                let name = self.files.first().map_or(file, |f| f.name.clone());
                Err(Error::invalid(&name, problems))
            }
            Err(e) => Err(e),
        }
    }

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
        let text = match read_disk(path) {
            Ok(text) => text,
            Err(ReadFail::Io(reason)) => {
                return Err(match &from {
                    Some(_) => located(
                        format!("cannot read `{shown}`: {reason}"),
                        "the path is relative to the file that extends it",
                    ),
                    None => Error::Io {
                        path: shown,
                        reason,
                    },
                });
            }
            Err(ReadFail::IsDir) => {
                return Err(match &from {
                    Some(_) => located(
                        format!("`{shown}` is a directory"),
                        "extends must name a .toml file",
                    ),
                    None => Error::IsDirectory { path: shown },
                });
            }
            Err(ReadFail::TooLarge(size)) => {
                return Err(Error::TooLarge {
                    path: shown,
                    size,
                    limit: MAX_FILE_BYTES,
                });
            }
            Err(ReadFail::NotUtf8(e)) => return Err(not_utf8(display_path(path), e)),
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
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let r = self.load_text(display_path(path), text, dir);
        self.stack.pop();
        r
    }

    /// The parent named by `extends`: a bundled file when loading bundled files, else on disk.
    fn load_parent(
        &mut self,
        dir: &Path,
        rel: &str,
        from: (&SourceFile, Range<usize>),
    ) -> Result<Scenario, Error> {
        if self.bundled {
            let name = normalize(dir, rel);
            if let Some(text) = bundled_file(&name) {
                if self.stack.len() >= MAX_EXTENDS_DEPTH
                    || self.stack.iter().any(|p| *p == Path::new(&name))
                {
                    let p = Problem::new(from.0, from.1, "`extends` makes a cycle")
                        .label("extends")
                        .help("a scenario cannot extend itself, directly or through its parents");
                    return Err(Error::invalid(&from.0.name, vec![p]));
                }
                self.stack.push(PathBuf::from(&name));
                let parent = Path::new(&name).parent().map(Path::to_path_buf);
                let r = self.load_text(name, text.to_string(), parent.unwrap_or_default());
                self.stack.pop();
                return r;
            }
        }
        self.load_path(&dir.join(rel), Some(from))
    }

    fn load_text(&mut self, name: String, text: String, dir: PathBuf) -> Result<Scenario, Error> {
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
        let fid = self.files.len();
        self.files.push(file.clone());
        let mut own = toml::parse(&file, fid, &mut self.strings, &mut self.problems)?;
        let base = match &own.extends {
            Some((rel, span)) => Some(self.load_parent(&dir, rel, (&file, span.clone()))?),
            None => None,
        };
        if !own.has_header {
            self.problems.push(
                Problem::new(&file, 0..0, "missing [scenario] table")
                    .help("add [scenario] with name, description and reference_year"),
            );
        }
        // Tables after the parent: a file the parent loads already is reported at the child.
        self.load_tables(&mut own, &dir);
        Ok(merge::merge(base, own, &self.files, &mut self.problems))
    }

    /// Reads the tables a file `[[load]]`s and adds their rows to its own facts; a row whose
    /// key another fact of the same file has is a duplicate, as in TOML.
    fn load_tables(&mut self, own: &mut Parsed, dir: &Path) {
        if own.loads.is_empty() {
            return;
        }
        let mut index = KeyIndex::with_capacity(own.facts.len());
        for (i, f) in own.facts.iter().enumerate() {
            index.find_or_insert(&own.facts, f, i);
        }
        for spec in std::mem::take(&mut own.loads) {
            let Some((name, text, key)) = self.fetch_table(own.file, dir, &spec) else {
                self.complete = false;
                continue;
            };
            if let Some(first) = self.loaded.get(&key) {
                let at = place(&self.files, first);
                let p = Problem::new(
                    &self.files[own.file],
                    spec.file_span.clone(),
                    format!("`{name}` is loaded twice"),
                )
                .label("loaded again")
                .help(format!(
                    "it is first loaded at {at}; a scenario inherits the tables of the one it extends"
                ));
                self.problems.push(p);
                continue;
            }
            self.loaded.insert(
                key,
                Loc {
                    file: own.file,
                    span: spec.file_span.clone(),
                },
            );
            let fid = self.files.len();
            self.tables.push(fid);
            self.files.push(SourceFile {
                name,
                text: Arc::from(text),
            });
            let defaults = csv::Defaults {
                source: spec.source.as_deref().map(|s| self.strings.get(s)),
                quality: spec.quality.unwrap_or(own.default_quality),
            };
            // Each row goes straight to the file's facts (no vector of the table's own).
            let files = &self.files;
            let facts = &mut own.facts;
            let lost = csv::read(
                &files[fid],
                fid,
                spec.schema,
                &defaults,
                &mut self.strings,
                &mut self.problems,
                &mut |fact| match index.find_or_insert(facts, &fact, facts.len()) {
                    Some(first) => Some(merge::duplicate(files, &facts[first], &fact)),
                    None => {
                        facts.push(fact);
                        None
                    }
                },
            );
            if lost {
                self.complete = false;
            }
        }
    }

    /// The name, text and identity of a `[[load]]`ed file; `None` (with a problem at the
    /// `file` value) if it cannot be read.
    fn fetch_table(
        &mut self,
        fid: usize,
        dir: &Path,
        spec: &LoadSpec,
    ) -> Option<(String, String, PathBuf)> {
        if self.bundled {
            let name = normalize(dir, &spec.file);
            if let Some(text) = bundled_file(&name) {
                return Some((name.clone(), text.to_string(), PathBuf::from(name)));
            }
        }
        let path = normalize_path(dir, &spec.file);
        let shown = display_path(&path);
        let file = &self.files[fid];
        let fail = |message: String, label: &str, help: &str| {
            Problem::new(file, spec.file_span.clone(), message)
                .label(label.to_string())
                .help(help.to_string())
        };
        let problem = match read_disk(&path) {
            Ok(text) => {
                let key = path.canonicalize().unwrap_or(path);
                return Some((shown, text, key));
            }
            Err(ReadFail::Io(reason)) => fail(
                format!("cannot read `{shown}`: {reason}"),
                "load",
                "the path is relative to the scenario file",
            ),
            Err(ReadFail::IsDir) => fail(
                format!("`{shown}` is a directory"),
                "load",
                "`file` must name a .csv file",
            ),
            Err(ReadFail::TooLarge(size)) => fail(
                format!("`{shown}` is {size} bytes, more than the limit of {MAX_FILE_BYTES} bytes"),
                "too large",
                "split the table into several files",
            ),
            Err(ReadFail::NotUtf8(e)) => {
                let (lossy, p) = not_utf8_problem(shown, &e, true);
                self.tables.push(self.files.len());
                self.files.push(lossy);
                p
            }
        };
        self.problems.push(problem);
        None
    }
}

/// Whether a fact with problems of shape is still kept in a [`Loaded`] scenario: when every
/// required field could be read, or, for a declaration of a country, mineral or stage, its id.
/// Such a scenario is only checked, never evaluated; keeping the fact spares the reader a
/// cascade of "unknown country" problems about a country whose declaration has a typo.
fn keep_with_problems(schema: &TableSchema, fields: &Fields) -> bool {
    schema
        .cols
        .iter()
        .all(|c| !c.required || fields.contains_key(c.key))
        || (matches!(schema.name, "country" | "mineral" | "stage") && fields.contains_key("id"))
}

/// `file:line:col` of a location among `files`.
fn place(files: &[SourceFile], loc: &Loc) -> String {
    match files.get(loc.file) {
        Some(f) => {
            let (l, c) = f.line_col(loc.span.start);
            format!("{}:{l}:{c}", f.name)
        }
        None => "an earlier file".into(),
    }
}

/// Problems in the order of the text (file, then place), so a report reads top to bottom.
pub fn sort_problems(problems: &mut [Problem]) {
    problems.sort_by_key(|p| (p.src.name().to_string(), p.span.offset()));
}

/// A file that is not UTF-8: the problem points at the first bad byte, shown in a lossy copy of
/// the text (the text before that byte is the same in both), and names the key of its line.
fn not_utf8(name: String, e: std::string::FromUtf8Error) -> Error {
    let (file, problem) = not_utf8_problem(name, &e, false);
    Error::invalid(&file.name, vec![problem])
}

/// The problem of [`not_utf8`], with the lossy copy it points into. A table with a NUL byte is
/// called binary.
fn not_utf8_problem(
    name: String,
    e: &std::string::FromUtf8Error,
    table: bool,
) -> (SourceFile, Problem) {
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
        .filter(|k| !k.is_empty() && !table);
    let message = match &key {
        Some(k) => format!("the value of `{k}` is not valid UTF-8"),
        None if table && e.as_bytes().contains(&0) => {
            "the file is binary, not a CSV table".to_string()
        }
        None => "the file is not valid UTF-8".to_string(),
    };
    // U+FFFD, which replaced the bad byte in the lossy copy, is three bytes long.
    let problem = Problem::new(&file, offset..offset + 3, message)
        .label(format!("byte 0x{byte:02X} is not UTF-8"))
        .help(if table {
            "save the table as CSV in UTF-8"
        } else {
            "save the file as UTF-8"
        });
    (file, problem)
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string().to_lowercase(),
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

    // ---- tables loaded from CSV -------------------------------------------------------------

    const TABLE_HEAD: &str = "[scenario]\nname = \"t\"\ndescription = \"tables\"\nreference_year = 2025\n\n[[load]]\ntable = \"country\"\nfile = \"countries.csv\"\n\n[[load]]\ntable = \"share\"\nfile = \"shares.csv\"\n";
    const COUNTRIES: &str =
        "id,name,governance,source\nCHN,China,0.3,WGI 2023\nUSA,United States,0.8,WGI 2023\n";
    const SHARES: &str = "mineral,stage,country,year,percent,source,note\ngallium,refining,CHN,2024,98,USGS MCS 2025,\ngallium,refining,USA,2024,W,USGS MCS 2025,\"withheld, \"\"W\"\"\"\ngallium,mining,CHN,2024,>50,USGS MCS 2025,\n";

    fn tables(name: &str, shares: &str, extra: &str) -> Result<Scenario, String> {
        let dir = dir_with(
            name,
            &[("countries.csv", COUNTRIES), ("shares.csv", shares)],
        );
        std::fs::write(dir.join("s.toml"), format!("{TABLE_HEAD}{extra}")).unwrap();
        load(Some(&dir.join("s.toml"))).map_err(|e| crate::error::render(&e))
    }

    #[test]
    fn each_row_is_a_fact_that_keeps_its_place() {
        let s = tables("rows", SHARES, "").unwrap();
        assert_eq!(s.facts_of("country").count(), 2);
        let shares: Vec<&Fact> = s.facts_of("share").collect();
        assert_eq!(shares.len(), 3);
        let usa = shares[1];
        assert_eq!(usa.str("country"), "USA");
        assert_eq!(
            usa.measure("percent"),
            Some(Measure {
                value: None,
                bound: Bound::Withheld
            })
        );
        assert_eq!(usa.num("percent"), None);
        assert_eq!(usa.str("note"), "withheld, \"W\"");
        assert_eq!(usa.source, "USGS MCS 2025");
        assert!(
            s.place(&usa.loc).ends_with("shares.csv:3:1"),
            "{}",
            s.place(&usa.loc)
        );
        assert!(
            s.place(&usa.span_of("percent"))
                .ends_with("shares.csv:3:27")
        );
        assert_eq!(
            shares[2].measure("percent").map(|m| m.bound),
            Some(Bound::AtLeast)
        );
        assert_eq!(shares[2].num("percent"), Some(50.0));
        assert_eq!(shares[0].num("percent"), Some(98.0));
    }

    #[test]
    fn a_byte_order_mark_and_crlf_line_ends_load_the_same_facts() {
        let plain = tables("plain", SHARES, "").unwrap();
        let crlf = SHARES.replace('\n', "\r\n");
        for (name, text) in [
            ("bom", format!("\u{feff}{SHARES}")),
            ("crlf", crlf.clone()),
            ("bom-crlf", format!("\u{feff}{crlf}")),
            ("no-final-newline", SHARES.trim_end().to_string()),
        ] {
            let s = tables(name, &text, "").unwrap_or_else(|e| panic!("{name}: {e}"));
            let a: Vec<_> = plain
                .facts
                .iter()
                .map(|f| {
                    (
                        f.key(),
                        f.fields
                            .iter()
                            .map(|(k, (v, _))| (*k, v.clone()))
                            .collect::<Vec<_>>(),
                    )
                })
                .collect();
            let b: Vec<_> = s
                .facts
                .iter()
                .map(|f| {
                    (
                        f.key(),
                        f.fields
                            .iter()
                            .map(|(k, (v, _))| (*k, v.clone()))
                            .collect::<Vec<_>>(),
                    )
                })
                .collect();
            assert_eq!(a, b, "{name}: {}", text.escape_debug());
            let usa = s.facts_of("share").nth(1).unwrap();
            assert!(s.place(&usa.loc).ends_with("shares.csv:3:1"), "{name}");
        }
    }

    #[test]
    fn overlays_replace_and_remove_table_facts_by_key() {
        let dir = dir_with(
            "overlay-csv",
            &[("countries.csv", COUNTRIES), ("shares.csv", SHARES)],
        );
        std::fs::write(dir.join("base.toml"), TABLE_HEAD).unwrap();
        let child = "[scenario]\nextends = \"base.toml\"\ndefault_source = \"what-if\"\n\n[[share]]\nmineral = \"gallium\"\nstage = \"refining\"\ncountry = \"CHN\"\nyear = 2024\npercent = 60\n\n[[remove]]\ntable = \"share\"\ncountry = \"USA\"\n";
        std::fs::write(dir.join("child.toml"), child).unwrap();
        let s = load(Some(&dir.join("child.toml")))
            .map_err(|e| crate::error::render(&e))
            .unwrap();
        let got: Vec<(String, String, Option<f64>)> = s
            .facts_of("share")
            .map(|f| {
                (
                    f.str("stage").to_string(),
                    f.str("country").to_string(),
                    f.num("percent"),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("refining".into(), "CHN".into(), Some(60.0)),
                ("mining".into(), "CHN".into(), Some(50.0)),
            ]
        );
        // A removal by a measured value matches it as written.
        std::fs::write(
            dir.join("w.toml"),
            "[scenario]\nextends = \"base.toml\"\n[[remove]]\ntable = \"share\"\npercent = \"W\"\n",
        )
        .unwrap();
        let s = load(Some(&dir.join("w.toml")))
            .map_err(|e| crate::error::render(&e))
            .unwrap();
        assert_eq!(s.facts_of("share").count(), 2);
    }

    #[test]
    fn a_child_loads_more_tables_but_not_the_same_file_again() {
        let dir = dir_with(
            "child-load",
            &[
                ("countries.csv", COUNTRIES),
                ("shares.csv", SHARES),
                (
                    "reliance.csv",
                    "consumer,mineral,year,percent,source\nUSA,gallium,2024,100,USGS\nCHN,gallium,2024,E,USGS\n",
                ),
            ],
        );
        std::fs::write(dir.join("base.toml"), TABLE_HEAD).unwrap();
        std::fs::write(dir.join("more.toml"), "[scenario]\nextends = \"base.toml\"\n[[load]]\ntable = \"reliance\"\nfile = \"reliance.csv\"\n").unwrap();
        let s = load(Some(&dir.join("more.toml")))
            .map_err(|e| crate::error::render(&e))
            .unwrap();
        assert_eq!(s.facts_of("reliance").count(), 2);
        assert_eq!(s.facts_of("share").count(), 3);
        std::fs::write(dir.join("again.toml"), "[scenario]\nextends = \"base.toml\"\n[[load]]\ntable = \"share\"\nfile = \"./shares.csv\"\n").unwrap();
        let err = load(Some(&dir.join("again.toml")))
            .map_err(|e| crate::error::render(&e))
            .unwrap_err();
        assert!(err.contains("is loaded twice"), "{err}");
        assert!(err.contains("base.toml:12:8"), "{err}");
        assert!(
            err.contains("child-load/shares.csv` is loaded twice"),
            "{err}"
        );
    }

    #[test]
    fn a_row_repeating_a_toml_fact_of_the_same_file_is_a_duplicate() {
        let extra = "\n[[share]]\nmineral = \"gallium\"\nstage = \"refining\"\ncountry = \"CHN\"\nyear = 2024\npercent = 97\nsource = \"x\"\n";
        let err = tables("dup-toml", SHARES, extra).unwrap_err();
        assert!(
            err.contains("conflicting facts share(gallium, refining, CHN, 2024)"),
            "{err}"
        );
        assert!(err.contains("s.toml:"), "{err}");
    }

    #[test]
    fn a_bundled_scenario_extends_and_loads_from_the_bundled_files() {
        // Text without a directory resolves `extends` among the bundled files, from any cwd.
        let s = load_str(
            "scenarios/what-if.toml",
            "[scenario]\nextends = \"baseline.toml\"\nname = \"what-if\"\n",
            None,
        )
        .map_err(|e| crate::error::render(&e))
        .unwrap();
        let base = load(None).unwrap();
        assert_eq!(s.facts.len(), base.facts.len());
        assert_eq!(s.files[1].name, BASELINE_NAME);
        // A table the bundle lacks is looked for on disk, and reported at its `[[load]]`.
        let err = load_str(
            "scenarios/x.toml",
            "[scenario]\nextends = \"baseline.toml\"\n[[load]]\ntable = \"share\"\nfile = \"../data/no-such-table.csv\"\n",
            None,
        )
        .map_err(|e| crate::error::render(&e))
        .unwrap_err();
        assert!(
            err.contains("cannot read `data/no-such-table.csv`: no such file"),
            "{err}"
        );
        assert!(err.contains("[scenarios/x.toml:5:8]"), "{err}");
    }

    #[test]
    fn relative_paths_of_bundled_files_resolve_lexically() {
        assert_eq!(
            normalize(Path::new("scenarios"), "../data/x.csv"),
            "data/x.csv"
        );
        assert_eq!(normalize(Path::new(""), "./data/a/../b.csv"), "data/b.csv");
        assert_eq!(normalize(Path::new("scenarios"), "../../x.csv"), "../x.csv");
        assert!(bundled_file(BASELINE_NAME).is_some());
        assert_eq!(bundled_file(BASELINE_NAME), Some(BASELINE_TEXT));
        assert!(BUNDLED.windows(2).all(|w| w[0].0 < w[1].0));
    }
}

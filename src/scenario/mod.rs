//! Step 1 of the pipeline: read scenario files, check their shape, follow `extends`, merge.
//!
//! The TOML is parsed into a spanned tree (`toml::de::DeTable`) and read against a table-driven
//! schema ([`TABLES`]), so that every problem in a file — syntax, unknown keys, wrong types,
//! missing sources, duplicates — is collected in one pass and points at its key. What comes out,
//! [`Scenario`], is well-formed but not yet checked against itself (unknown countries, shares
//! past 100 %): that is `lower`'s job.

mod merge;
mod schema;
mod toml;

pub use schema::*;

use crate::error::{Error, Problem, SourceFile};
use std::collections::BTreeMap;
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

/// A field value, with the span of the value in its file.
#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    Str(String),
    Num(f64),
    Bool(bool),
    Date(Date),
    List(Vec<String>),
    /// A measured percentage (`93.8`, `>50`, `<25`, `W`, `E`).
    Measure(Measure),
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
            Val::Measure(m) => m.to_string(),
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
pub const BASELINE_TEXT: &str = include_str!("../../scenarios/baseline.toml");

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
        let merged = merge::merge(base, own, &self.files, &mut problems);
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
        toml::parse(&file, fid)
    }
}

/// Problems in the order of the text (file, then place), so a report reads top to bottom.
fn sort_problems(problems: &mut [Problem]) {
    problems.sort_by_key(|p| (p.src.name().to_string(), p.span.offset()));
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

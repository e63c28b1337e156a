//! Step 2: validate a merged scenario against itself and lower it to interned input facts.
//!
//! Every input error that needs more than one fact to see — an undeclared country, shares past
//! 100 %, a horizon before its start — is raised here, all of them in one pass. After this
//! step nothing looks at the TOML again: later stages work on [`Facts`] only, and every tuple
//! keeps an [`Origin`] so explain can cite it.

use crate::datalog::rel;
use crate::error::{Error, Problem, SourceFile, suggest};
use crate::model::{Database, Packed, Sym, Symbols, Tuple, Value};
use crate::params::{self, percent_to_bp};
use crate::scenario::{Bound, Date, Fact, Loc, Scenario, Val};
use rustc_hash::{FxHashMap, FxHashSet};
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

/// Where an input tuple came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A scenario fact: index into [`Scenario::facts`].
    Fact(usize),
    /// A parameter: from the scenario file, from `--set`, or the default.
    Param { name: String, from: ParamFrom },
    /// Computed in Rust before evaluation from the listed tuples (references into
    /// [`Facts::db`], see [`InputRef`]). The list is shared (`Arc`) by the computed tuples that
    /// rest on the same inputs; the formula is a constant.
    Computed {
        formula: &'static str,
        inputs: std::sync::Arc<[InputRef]>,
    },
    /// Added by a sweep or what-if cut, not by any file.
    Cut { what: String },
}

/// A tuple of [`Facts::db`] by position: `db.rel(rel)[index]`. A computed tuple names its inputs
/// this way rather than by copies (at 10⁵ facts the copies were half the heap). Positions stay
/// valid because input relations are only appended to or edited in place after lowering, and
/// computed relations are replaced all at once by `aggregate::compute`, which numbers the
/// tuples it refers to as it pushes them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct InputRef {
    pub rel: u32,
    pub index: u32,
}

impl InputRef {
    pub fn new(rel: usize, index: usize) -> Self {
        InputRef {
            rel: rel as u32,
            index: index as u32,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParamFrom {
    File(Loc),
    CommandLine,
    Default,
}

/// The input facts of one evaluation: tuples per input relation, each with its origin.
#[derive(Clone, Debug)]
pub struct Facts {
    pub syms: Symbols,
    /// Input relations only; derived relations are empty.
    pub db: Database,
    /// Parallel to `db`: `origins[rel][i]` is the origin of `db.rel(rel)[i]`; every list is
    /// empty when the facts were lowered without origins ([`Options::skip_origins`]).
    pub origins: Vec<Vec<Origin>>,
    /// The date dated facts and events were judged at.
    pub as_of: Date,
    /// Whether [`Facts::add`], [`Facts::set`] and [`Facts::put`] keep the origins they are given.
    pub keeps_origins: bool,
    /// Parallel to `db`: the relations stored packed instead ([`Facts::pack_all_but`]); their
    /// lists in `db` are empty.
    pub packed: Vec<Packed>,
    /// Per relation: whether [`Facts::build_rel`] builds it packed.
    pack: Vec<bool>,
}

/// A relation being built (by `aggregate` as it computes, or by [`Facts::set`]): its tuples, and
/// their origins only when the facts keep origins (without them no placeholder is stored beside
/// each tuple). [`Facts::put`] stores it.
#[derive(Debug)]
pub struct Built {
    tuples: Vec<Tuple>,
    origins: Vec<Origin>,
    keep: bool,
    /// Set when the relation is built packed ([`Facts::build_rel`]): its tuples go here.
    packed: Option<Packed>,
}

impl Built {
    pub fn push(&mut self, t: Tuple, origin: Origin) {
        match &mut self.packed {
            Some(p) => p.push(&t),
            None => self.tuples.push(t),
        }
        if self.keep {
            self.origins.push(origin);
        }
    }

    /// [`Built::push`] of a tuple given by its values, which are copied only into the form the
    /// relation is built in (no tuple is allocated for a packed relation).
    pub fn push_values(&mut self, t: &[Value], origin: Origin) {
        match &mut self.packed {
            Some(p) => p.push(t),
            None => self.tuples.push(t.into()),
        }
        if self.keep {
            self.origins.push(origin);
        }
    }

    /// How many tuples were pushed: the position the next one takes.
    pub fn len(&self) -> usize {
        self.packed.as_ref().map_or(self.tuples.len(), Packed::len)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Facts {
    pub fn add(&mut self, rel: usize, t: Tuple, origin: Origin) {
        self.db.push(rel, t);
        if !self.keeps_origins {
            return;
        }
        self.origins_mut(rel).push(origin);
    }

    /// Replaces a relation's tuples, each given with its origin (cuts, edits; [`Facts::put`] stores
    /// a relation built as it is computed).
    pub fn set(&mut self, rel: usize, tuples: Vec<(Tuple, Origin)>) {
        // Into lists of their own size: `collect` would reuse the pairs' allocation in place,
        // keeping the room of every dropped origin alive beside the tuples.
        let mut built = self.build();
        built.tuples.reserve_exact(tuples.len());
        if built.keep {
            built.origins.reserve_exact(tuples.len());
        }
        for (t, origin) in tuples {
            built.push(t, origin);
        }
        self.put(rel, built);
    }

    /// Replaces a relation's tuples with those of `built` (origins too, when the facts keep
    /// them).
    pub fn put(&mut self, rel: usize, built: Built) {
        self.db.set(rel, built.tuples);
        // A relation is stored one way: a relation built again as tuples leaves no packed copy
        // behind for the evaluation to read instead.
        match built.packed {
            Some(p) => {
                if self.packed.len() <= rel {
                    self.packed.resize_with(rel + 1, Packed::default);
                }
                self.packed[rel] = p;
            }
            None => {
                if let Some(p) = self.packed.get_mut(rel) {
                    *p = Packed::default();
                }
            }
        }
        if !self.keeps_origins {
            return;
        }
        *self.origins_mut(rel) = built.origins;
    }

    /// The origins of a relation, the list made if it had none yet.
    fn origins_mut(&mut self, rel: usize) -> &mut Vec<Origin> {
        if self.origins.len() <= rel {
            self.origins.resize(rel + 1, Vec::new());
        }
        &mut self.origins[rel]
    }

    /// An empty relation to build, keeping origins as these facts do.
    pub fn build(&self) -> Built {
        Built {
            tuples: Vec::new(),
            origins: Vec::new(),
            keep: self.keeps_origins,
            packed: None,
        }
    }

    /// An empty relation `rel` to build: packed ([`Packed`]) if [`Facts::pack_all_but`] asked
    /// for it and the facts keep no origins (a packed relation is never listed or explained),
    /// else as [`Facts::build`] does.
    pub fn build_rel(&self, rel: usize) -> Built {
        let mut built = self.build();
        if !self.keeps_origins && self.pack.get(rel).copied().unwrap_or(false) {
            let syms = crate::datalog::program()
                .relations
                .get(rel)
                .map_or_else(Vec::new, |r| {
                    r.fields
                        .iter()
                        .map(|f| f.ty == crate::datalog::syntax::Ty::Symbol)
                        .collect()
                });
            built.packed = Some(Packed::new(syms));
        }
        built
    }

    /// Asks that every relation built from now on by [`Facts::build_rel`], except those of
    /// `listed`, be stored packed: for an evaluation that lists only `listed`
    /// ([`crate::engine::evaluate_listed`]), which reads the others only as inputs of the rules.
    /// Facts that keep origins pack nothing.
    pub fn pack_all_but(&mut self, listed: &[usize]) {
        self.pack = (0..self.db.len()).map(|r| !listed.contains(&r)).collect();
    }

    /// Edits the tuples of an input relation, each with its origin, then stores them as
    /// [`Facts::set`] does (what sweeps and `lode needs` do to a clone).
    pub fn edit(&mut self, rel: usize, mut f: impl FnMut(&mut Tuple, &mut Origin)) {
        let mut origins = self.origins.get(rel).cloned().unwrap_or_default();
        // Without origins, each tuple is edited beside a placeholder that `set` drops.
        origins.resize(self.db.rel(rel).len(), Origin::Fact(usize::MAX));
        let mut all: Vec<(Tuple, Origin)> = self.db.rel(rel).iter().cloned().zip(origins).collect();
        for (t, o) in &mut all {
            f(t, o);
        }
        self.set(rel, all);
    }

    /// Every origin of a tuple of an input relation.
    pub fn origins_of(&self, rel: usize, t: &[Value]) -> Vec<&Origin> {
        self.db
            .rel(rel)
            .iter()
            .zip(self.origins.get(rel).map_or(&[][..], Vec::as_slice))
            .filter(|(x, _)| &***x == t)
            .map(|(_, o)| o)
            .collect()
    }

    pub fn sym(&self, s: &str) -> Option<Sym> {
        self.syms.get(s)
    }

    /// Sorts every relation by what a reader sees ([`crate::model::Ranks`]; equal tuples keep
    /// their order), moving each origin with its tuple and renumbering the [`InputRef`]s the
    /// computed tuples hold. `aggregate::compute` ends with it, so an evaluation takes the
    /// input relations as they are instead of sorting them again.
    pub fn sort(&mut self) {
        let ranks = self.syms.ranks();
        // Per relation, the new position of each old one (`None`: the relation did not move).
        let orders = self.db.orders(&ranks);
        let mut moved: Vec<Option<Vec<u32>>> = vec![None; orders.len()];
        for ((r, slot), order) in moved.iter_mut().enumerate().zip(orders) {
            let Some(order) = order else { continue };
            crate::model::gather(self.db.rel_mut(r), &order);
            if !self.keeps_origins {
                // No origin, so no reference to renumber.
                continue;
            }
            if let Some(os) = self.origins.get_mut(r) {
                crate::model::permute(os, &order);
            }
            let mut new_of = vec![0u32; order.len()];
            for (new, &old) in order.iter().enumerate() {
                new_of[old as usize] = new as u32;
            }
            *slot = Some(new_of);
        }
        if moved.iter().all(Option::is_none) {
            return;
        }
        let renumber = |r: &InputRef| match moved.get(r.rel as usize) {
            Some(Some(new_of)) => InputRef {
                rel: r.rel,
                index: new_of.get(r.index as usize).copied().unwrap_or(r.index),
            },
            _ => *r,
        };
        // A list shared by several tuples is renumbered once and stays shared; the old list is
        // kept alive beside its replacement so its address cannot be reused while in the map.
        type Shared = std::sync::Arc<[InputRef]>;
        let mut done: FxHashMap<*const InputRef, (Shared, Shared)> = FxHashMap::default();
        for origin in self.origins.iter_mut().flatten() {
            if let Origin::Computed { inputs, .. } = origin {
                let key = inputs.as_ptr();
                let (_, new) = done
                    .entry(key)
                    .or_insert_with(|| (inputs.clone(), inputs.iter().map(renumber).collect()));
                *inputs = new.clone();
            }
        }
    }

    /// The tuple an [`InputRef`] names (`None` only for a reference from a stale origin).
    pub fn input(&self, r: InputRef) -> Option<&Tuple> {
        self.db.rel(r.rel as usize).get(r.index as usize)
    }
}

/// Options of a lowering that come from the command line.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// `--as-of`: overrides the scenario's date.
    pub as_of: Option<Date>,
    /// Lower without origins ([`Facts::origins`] stays empty): for a command that only lists
    /// tuples and never explains one (BENCHMARKS.md, "Session 2026-12-02 (bake)": with the
    /// in-place `model::permute`, `lode run` at 10⁵ facts went from 0.77 to 0.56 s).
    pub skip_origins: bool,
    /// `--set name=value`, already parsed.
    pub set: Vec<(String, f64)>,
}

/// Parses one `--set name=value` argument.
pub fn parse_set(arg: &str) -> Result<(String, f64), Error> {
    let Some((name, value)) = arg.split_once('=') else {
        return Err(Error::usage(
            format!("`--set {arg}` is not of the form name=value"),
            Some("e.g. --set dominant_share=40".into()),
        ));
    };
    let name = name.trim();
    if params::spec(name).is_none() {
        let names: Vec<&str> = params::PARAMS.iter().map(|p| p.name).collect();
        let help = suggest(name, names.iter().copied())
            .unwrap_or_else(|| format!("known parameters: {}", names.join(", ")));
        return Err(Error::usage(
            format!("unknown parameter `{name}` in --set"),
            Some(help),
        ));
    }
    let v: f64 = value.trim().parse().map_err(|_| {
        Error::usage(
            format!("`{}` is not a number in `--set {arg}`", value.trim()),
            Some("give a plain number, e.g. --set reliance_high=40".into()),
        )
    })?;
    params::check(name, v).map_err(|m| Error::usage(m, None))?;
    Ok((name.to_string(), v))
}

fn is_country_id(s: &str) -> bool {
    (2..=8).contains(&s.len())
        && s.starts_with(|c: char| c.is_ascii_uppercase())
        && s.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

fn is_lower_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

struct Lowerer<'a> {
    s: &'a Scenario,
    problems: Vec<Problem>,
    facts: Facts,
    countries: FxHashSet<&'a str>,
    minerals: FxHashSet<&'a str>,
    stages: FxHashSet<&'a str>,
    partnerships: FxHashSet<&'a str>,
    initiatives: FxHashSet<&'a str>,
    events: FxHashSet<&'a str>,
    /// Per table of [`YEAR_GROUPS`] (same index), the current (latest up to the reference
    /// year) year of each group.
    current: Vec<FxHashMap<GroupKey<'a>, i64>>,
}

/// The texts of a fact's grouping fields ([`Val::key_text`]; `""` for an absent field and
/// past the group's fields), borrowed where the value is a string.
type GroupKey<'a> = [Cow<'a, str>; 4];

fn group_key<'a>(f: &'a Fact, group: &[&str]) -> GroupKey<'a> {
    let text = |i: usize| -> Cow<'a, str> {
        match group.get(i).and_then(|k| f.get(k)) {
            None => Cow::Borrowed(""),
            Some(Val::Str(s)) => Cow::Borrowed(s.as_str()),
            Some(v) => Cow::Owned(v.key_text()),
        }
    };
    [text(0), text(1), text(2), text(3)]
}

/// What a reference must name.
#[derive(Clone, Copy)]
enum RefKind {
    Country,
    Mineral,
    Stage,
    Partnership,
    Event,
}

impl Lowerer<'_> {
    fn problem(&mut self, loc: &Loc, msg: impl Into<String>) -> &mut Problem {
        self.problems.push(self.s.problem(loc, msg));
        let last = self.problems.len() - 1;
        &mut self.problems[last]
    }

    /// Checks that `fact.key` names a declared thing; reports and returns false if not.
    fn check_ref(&mut self, fact: &Fact, key: &str, value: &str, kind: RefKind) -> bool {
        let (set, what, hint) = match kind {
            RefKind::Country => (&self.countries, "country", "declare it with [[country]]"),
            RefKind::Mineral => (&self.minerals, "mineral", "declare it with [[mineral]]"),
            RefKind::Stage => (&self.stages, "stage", "declare it with [[stage]]"),
            RefKind::Partnership => (
                &self.partnerships,
                "partnership",
                "declare it with [[partnership]]",
            ),
            RefKind::Event => (&self.events, "event", "name the id of an [[event]]"),
        };
        if set.contains(value) {
            return true;
        }
        // In name order, as the suggestion keeps the first of equally close names.
        let mut names: Vec<&str> = set.iter().copied().collect();
        names.sort_unstable();
        let help = suggest(value, names).unwrap_or_else(|| hint.to_string());
        let loc = fact.span_of(key);
        let p = self.problem(
            &loc,
            format!("unknown {what} `{value}` in `{}`", fact.table.name),
        );
        p.label = format!("not a declared {what}");
        p.help = Some(help);
        false
    }

    fn sym(&mut self, s: &str) -> Value {
        Value::Sym(self.facts.syms.intern(s))
    }

    fn in_window(&self, f: &Fact) -> bool {
        let d = self.facts.as_of;
        f.date("from").is_none_or(|x| x <= d) && f.date("until").is_none_or(|x| d <= x)
    }
}

/// Validates and lowers a merged scenario, computed relations included. All problems of the
/// scenario are reported together.
pub fn lower(s: &Scenario, opts: &Options) -> Result<Facts, Error> {
    let mut facts = lower_inputs(s, opts)?;
    crate::aggregate::compute(&mut facts);
    Ok(facts)
}

/// [`lower`] without the computed relations: the facts as the scenario states them, validated.
/// `aggregate::compute` completes them from the facts alone, so a caller that needs no more of
/// the scenario can free it first (the plain `lode run` does).
pub fn lower_inputs(s: &Scenario, opts: &Options) -> Result<Facts, Error> {
    let as_of = opts.as_of.or(s.meta.as_of).unwrap_or(Date {
        year: s.meta.reference_year as i32,
        month: 7,
        day: 1,
    });
    let n = crate::datalog::program().relations.len();
    let mut l = Lowerer {
        s,
        problems: Vec::new(),
        facts: Facts {
            syms: Symbols::new(),
            db: Database::empty(n),
            origins: vec![Vec::new(); n],
            as_of,
            keeps_origins: !opts.skip_origins,
            packed: Vec::new(),
            pack: Vec::new(),
        },
        countries: FxHashSet::default(),
        minerals: FxHashSet::default(),
        stages: FxHashSet::default(),
        partnerships: FxHashSet::default(),
        initiatives: FxHashSet::default(),
        events: FxHashSet::default(),
        current: YEAR_GROUPS
            .iter()
            .map(|(table, group)| current_years(s, table, group))
            .collect(),
    };
    declarations(&mut l);
    for (i, f) in s.facts.iter().enumerate() {
        lower_fact(&mut l, i, f);
    }
    sums(&mut l, opts);
    lower_params(&mut l, opts);
    if !l.problems.is_empty() {
        // The scenario's own file is the first read; its parents follow.
        let name = s
            .files
            .first()
            .map_or("scenario", |f: &SourceFile| f.name.as_str())
            .to_string();
        // Report in file order, so the list reads top to bottom.
        l.problems
            .sort_by_key(|p| (p.src.name().to_string(), p.span.offset()));
        return Err(Error::invalid(&name, l.problems));
    }
    Ok(l.facts)
}

fn declarations(l: &mut Lowerer<'_>) {
    let s = l.s;
    for (i, f) in s.facts.iter().enumerate() {
        let id = f.str("id");
        match f.table.name {
            "country" => {
                let bloc = f.str("kind") == "bloc";
                let ok = if bloc {
                    is_country_id(id)
                } else {
                    id.len() == 3 && is_country_id(id)
                };
                if !ok {
                    let loc = f.span_of("id");
                    let p = l.problem(
                        &loc,
                        format!("`{id}` is not an ISO 3166 alpha-3 country id"),
                    );
                    p.help = Some(if bloc {
                        "a bloc id is 2–8 upper-case letters or digits, e.g. EU27".into()
                    } else {
                        "use three upper-case letters, e.g. MNG; for a bloc set kind = \"bloc\""
                            .into()
                    });
                    continue;
                }
                if let Some(g) = f.num("governance")
                    && !(0.0..=1.0).contains(&g)
                {
                    let loc = f.span_of("governance");
                    l.problem(
                        &loc,
                        format!("`governance` must be between 0 and 1 (WGI normalised), found {g}"),
                    );
                }
                l.countries.insert(id);
                let c = l.sym(id);
                l.facts.add(rel::COUNTRY, Box::new([c]), Origin::Fact(i));
                if f.bool("landlocked") == Some(true) {
                    l.facts.add(rel::LANDLOCKED, Box::new([c]), Origin::Fact(i));
                }
                if let Some(g) = f.num("governance") {
                    l.facts.add(
                        rel::GOVERNANCE,
                        Box::new([c, Value::Num((g * 10_000.0).round() as i64)]),
                        Origin::Fact(i),
                    );
                }
            }
            "mineral" | "stage" | "partnership" | "initiative" | "event" => {
                if !is_lower_id(id) {
                    let loc = f.span_of("id");
                    let p = l.problem(&loc, format!("`{id}` is not a valid {} id", f.table.name));
                    p.help = Some(
                        "use lower-case letters, digits, `_` and `-`, e.g. rare_earths".into(),
                    );
                    continue;
                }
                let set = match f.table.name {
                    "mineral" => &mut l.minerals,
                    "stage" => &mut l.stages,
                    "partnership" => &mut l.partnerships,
                    "initiative" => &mut l.initiatives,
                    _ => &mut l.events,
                };
                set.insert(id);
                let v = l.sym(id);
                match f.table.name {
                    "mineral" => l.facts.add(rel::MINERAL, Box::new([v]), Origin::Fact(i)),
                    "stage" => l.facts.add(rel::STAGE, Box::new([v]), Origin::Fact(i)),
                    _ => {}
                }
            }
            _ => {}
        }
    }
}

/// Tables whose facts carry a year, and the fields that group them: per group only the latest
/// year up to the reference year is current.
const YEAR_GROUPS: [(&str, &[&str]); 5] = [
    ("share", &["mineral", "stage"]),
    ("reliance", &["consumer", "mineral", "stage"]),
    ("export_share", &["country", "partner"]),
    ("commitment", &["country", "mineral", "stage", "to"]),
    ("ownership", &["country", "mineral", "stage", "owner"]),
];

/// Whether a fact's year is the current one of its group.
fn is_current(l: &Lowerer<'_>, f: &Fact) -> bool {
    let Some(at) = YEAR_GROUPS.iter().position(|(t, _)| *t == f.table.name) else {
        return true;
    };
    let key = group_key(f, YEAR_GROUPS[at].1);
    let y = f.num("year").unwrap_or(0.0) as i64;
    l.current.get(at).and_then(|m| m.get(&key)) == Some(&y)
}

/// The latest year up to the reference year, per group: which facts of a table are current.
fn current_years<'a>(
    s: &'a Scenario,
    table: &'a str,
    group: &[&str],
) -> FxHashMap<GroupKey<'a>, i64> {
    let mut best: FxHashMap<GroupKey<'a>, i64> = FxHashMap::default();
    for f in s.facts_of(table) {
        let y = f.num("year").unwrap_or(0.0) as i64;
        if y > s.meta.reference_year {
            continue;
        }
        let e = best.entry(group_key(f, group)).or_insert(y);
        *e = (*e).max(y);
    }
    best
}

fn lower_fact(l: &mut Lowerer<'_>, i: usize, f: &Fact) {
    if let (Some(a), Some(b)) = (f.date("from"), f.date("until"))
        && b < a
    {
        let loc = f.span_of("until");
        l.problem(&loc, format!("`until` ({b}) precedes `from` ({a})"));
    }
    let live = l.in_window(f);
    let bp = |key: &str| Value::Num(percent_to_bp(f.num(key).unwrap_or(0.0)));
    match f.table.name {
        "alignment" => {
            let (k, c) = (f.str("consumer"), f.str("country"));
            let ok = l.check_ref(f, "consumer", k, RefKind::Country)
                & l.check_ref(f, "country", c, RefKind::Country);
            if ok && k == c {
                let loc = f.span_of("country");
                l.problem(
                    &loc,
                    "`country` is the consumer itself: an alignment toward oneself is not needed",
                );
            }
            if ok && live {
                let t = Box::new([l.sym(k), l.sym(c), l.sym(f.str("level"))]);
                l.facts.add(rel::ALIGNMENT, t, Origin::Fact(i));
            }
        }
        "share" => {
            let ok = l.check_ref(f, "mineral", f.str("mineral"), RefKind::Mineral)
                & l.check_ref(f, "stage", f.str("stage"), RefKind::Stage)
                & l.check_ref(f, "country", f.str("country"), RefKind::Country);
            if ok && live && is_current(l, f) {
                let (bound, value) = measure_of(f, "percent");
                let key = [
                    l.sym(f.str("mineral")),
                    l.sym(f.str("stage")),
                    l.sym(f.str("country")),
                ];
                // Every listed producer produces, withheld ("W") output and 0.0 shares included;
                // only a share of known size enters the sums.
                l.facts.add(rel::PRODUCES, Box::new(key), Origin::Fact(i));
                if bound != "withheld" {
                    let t = Box::new([key[0], key[1], key[2], Value::Num(percent_to_bp(value))]);
                    l.facts.add(rel::SHARE, t, Origin::Fact(i));
                }
            }
        }
        "deposit" => {
            let ok = l.check_ref(f, "mineral", f.str("mineral"), RefKind::Mineral)
                & l.check_ref(f, "country", f.str("country"), RefKind::Country);
            if ok && live {
                let t = Box::new([
                    l.sym(f.str("mineral")),
                    l.sym(f.str("country")),
                    l.sym(f.str("kind")),
                ]);
                l.facts.add(rel::DEPOSIT, t, Origin::Fact(i));
            }
        }
        "reliance" => {
            let ok = l.check_ref(f, "consumer", f.str("consumer"), RefKind::Country)
                & l.check_ref(f, "mineral", f.str("mineral"), RefKind::Mineral)
                & (f.get("stage").is_none()
                    || l.check_ref(f, "stage", f.str("stage"), RefKind::Stage));
            if ok && live && is_current(l, f) {
                let (bound, value) = measure_of(f, "percent");
                let stage = match f.get("stage") {
                    Some(Val::Str(s)) => s.to_string(),
                    _ => "all".to_string(),
                };
                let t = Box::new([
                    l.sym(f.str("consumer")),
                    l.sym(f.str("mineral")),
                    l.sym(&stage),
                    l.sym(bound),
                    Value::Num(percent_to_bp(value)),
                ]);
                l.facts.add(rel::RELIANCE, t, Origin::Fact(i));
                if stage == "all" {
                    let t = Box::new([
                        l.sym(f.str("consumer")),
                        l.sym(f.str("mineral")),
                        Value::Num(percent_to_bp(value)),
                    ]);
                    l.facts.add(rel::IMPORT_RELIANCE, t, Origin::Fact(i));
                }
            }
        }
        "commitment" | "ownership" => {
            let other = if f.table.name == "commitment" {
                "to"
            } else {
                "owner"
            };
            let ok = l.check_ref(f, "country", f.str("country"), RefKind::Country)
                & l.check_ref(f, "mineral", f.str("mineral"), RefKind::Mineral)
                & l.check_ref(f, "stage", f.str("stage"), RefKind::Stage)
                & l.check_ref(f, other, f.str(other), RefKind::Country);
            if ok && live && is_current(l, f) {
                let t = Box::new([
                    l.sym(f.str("country")),
                    l.sym(f.str("mineral")),
                    l.sym(f.str("stage")),
                    l.sym(f.str(other)),
                    bp("percent"),
                ]);
                let r = if f.table.name == "commitment" {
                    rel::COMMITMENT
                } else {
                    rel::OWNERSHIP
                };
                l.facts.add(r, t, Origin::Fact(i));
            }
        }
        "import_source" => {
            let ok = l.check_ref(f, "consumer", f.str("consumer"), RefKind::Country)
                & l.check_ref(f, "mineral", f.str("mineral"), RefKind::Mineral)
                & l.check_ref(f, "country", f.str("country"), RefKind::Country);
            if ok && live {
                let t = Box::new([
                    l.sym(f.str("consumer")),
                    l.sym(f.str("mineral")),
                    l.sym(f.str("country")),
                    bp("percent"),
                ]);
                l.facts.add(rel::IMPORT_SOURCE, t, Origin::Fact(i));
            }
        }
        "transit" => {
            let ok = l.check_ref(f, "country", f.str("country"), RefKind::Country)
                & l.check_ref(f, "via", f.str("via"), RefKind::Country);
            if ok && live {
                let (c, v) = (l.sym(f.str("country")), l.sym(f.str("via")));
                l.facts.add(
                    rel::TRANSIT,
                    Box::new([c, v, bp("percent")]),
                    Origin::Fact(i),
                );
                if f.str("status") == "closed" {
                    l.facts
                        .add(rel::ROUTE_CLOSED, Box::new([c, v]), Origin::Fact(i));
                }
            }
        }
        "export_share" => {
            let ok = l.check_ref(f, "country", f.str("country"), RefKind::Country)
                & l.check_ref(f, "partner", f.str("partner"), RefKind::Country);
            if ok && live && is_current(l, f) {
                let t = Box::new([
                    l.sym(f.str("country")),
                    l.sym(f.str("partner")),
                    bp("percent"),
                ]);
                l.facts.add(rel::EXPORT_SHARE, t, Origin::Fact(i));
            }
        }
        "partnership" => {
            let members = f.list("members");
            if members.iter().collect::<BTreeSet<_>>().len() < 2 {
                let loc = f.span_of("members");
                l.problem(&loc, "a partnership needs at least two `members`");
            }
            let mut seen = BTreeSet::new();
            for m in members {
                if !seen.insert(m) {
                    let loc = f.span_of("members");
                    l.problem(&loc, format!("`{m}` is listed twice in `members`"));
                }
                if l.check_ref(f, "members", m, RefKind::Country)
                    && live
                    && is_lower_id(f.str("id"))
                {
                    let t = Box::new([l.sym(f.str("id")), l.sym(m)]);
                    l.facts.add(rel::MEMBER, t, Origin::Fact(i));
                }
            }
        }
        "initiative" => {
            let ok = l.check_ref(f, "partnership", f.str("partnership"), RefKind::Partnership)
                & l.check_ref(f, "mineral", f.str("mineral"), RefKind::Mineral)
                & l.check_ref(f, "stage", f.str("stage"), RefKind::Stage)
                & l.check_ref(f, "country", f.str("country"), RefKind::Country);
            let (start, horizon) = (
                f.num("start").unwrap_or(0.0),
                f.num("horizon").unwrap_or(0.0),
            );
            if horizon < start {
                let loc = f.span_of("horizon");
                let p = l.problem(
                    &loc,
                    format!("`horizon` ({horizon}) precedes `start` ({start})"),
                );
                p.label = "before the start".into();
                p.help = Some(
                    "the horizon is the year the initiative's effect is due: at or after its start"
                        .into(),
                );
            }
            if ok && live && is_lower_id(f.str("id")) {
                let id = l.sym(f.str("id"));
                let t = Box::new([
                    id,
                    l.sym(f.str("partnership")),
                    l.sym(f.str("kind")),
                    l.sym(f.str("mineral")),
                    l.sym(f.str("stage")),
                    l.sym(f.str("country")),
                ]);
                l.facts.add(rel::INITIATIVE, t, Origin::Fact(i));
                let plan = Box::new([
                    id,
                    Value::Num(start as i64),
                    Value::Num(horizon as i64),
                    l.sym(f.str("status")),
                    bp("capacity"),
                ]);
                l.facts.add(rel::INITIATIVE_PLAN, plan, Origin::Fact(i));
                if let Some(o) = f.num("offtake") {
                    let t = Box::new([id, Value::Num(percent_to_bp(o))]);
                    l.facts.add(rel::INITIATIVE_OFFTAKE, t, Origin::Fact(i));
                }
                if let (Some(Val::Str(via)), Some(r)) = (f.get("via"), f.num("route_capacity")) {
                    let via = via.clone();
                    if l.check_ref(f, "via", &via, RefKind::Country) {
                        let t = Box::new([id, l.sym(&via), Value::Num(percent_to_bp(r))]);
                        l.facts.add(rel::INITIATIVE_ROUTE, t, Origin::Fact(i));
                    }
                }
                if let Some(y) = f.num("years_saved") {
                    let t = Box::new([id, Value::Num(y.round() as i64)]);
                    l.facts.add(rel::INITIATIVE_YEARS_SAVED, t, Origin::Fact(i));
                }
            }
        }
        "indicator" => {
            let ok = l.check_ref(f, "partnership", f.str("partnership"), RefKind::Partnership);
            if ok && live {
                let t = Box::new([
                    l.sym(f.str("partnership")),
                    l.sym(f.str("name")),
                    Value::Num(f.num("year").unwrap_or(0.0) as i64),
                    Value::Num((f.num("value").unwrap_or(0.0) * 1000.0).round() as i64),
                ]);
                l.facts.add(rel::INDICATOR, t, Origin::Fact(i));
            }
        }
        "event" => lower_event(l, i, f, live),
        _ => {}
    }
}

fn lower_event(l: &mut Lowerer<'_>, i: usize, f: &Fact, live: bool) {
    let actor_ok = l.check_ref(f, "actor", f.str("actor"), RefKind::Country);
    let kind = f.str("kind");
    let target = match f.get("target") {
        Some(Val::Str(t)) => t.to_string(),
        _ => "all".to_string(),
    };
    let target_ok = target == "all" || l.check_ref(f, "target", &target, RefKind::Country);
    if kind == "suspension" {
        if f.list("suspends").is_empty() {
            let loc = f.span_of("suspends");
            let p = l.problem(
                &loc,
                "a suspension must name the events it suspends in `suspends`",
            );
            p.help = Some("add suspends = [\"<event id>\"]".into());
        }
        for e in f.list("suspends") {
            if l.check_ref(f, "suspends", e, RefKind::Event) && live && is_lower_id(f.str("id")) {
                let t = Box::new([l.sym(f.str("id")), l.sym(e)]);
                l.facts.add(rel::SUSPENDS, t, Origin::Fact(i));
            }
        }
        return;
    }
    if f.list("minerals").is_empty() {
        let loc = f.span_of("minerals");
        let p = l.problem(
            &loc,
            format!("a `{kind}` event must list the minerals it covers in `minerals`"),
        );
        p.help = Some("add minerals = [\"gallium\", …]".into());
    }
    if !f.list("suspends").is_empty() {
        let loc = f.span_of("suspends");
        l.problem(
            &loc,
            "only a suspension can suspend events: drop `suspends`",
        );
    }
    for m in f.list("minerals") {
        if l.check_ref(f, "minerals", m, RefKind::Mineral)
            && actor_ok
            && target_ok
            && live
            && is_lower_id(f.str("id"))
        {
            let t = Box::new([
                l.sym(f.str("id")),
                l.sym(f.str("actor")),
                l.sym(kind),
                l.sym(m),
                l.sym(&target),
            ]);
            l.facts.add(rel::EVENT, t, Origin::Fact(i));
        }
    }
}

/// A measured percentage (USGS notation): its bound (`exact`, `at_least` for `>50`, `below` for
/// `<25`, `withheld` for `W`, `net_exporter` for `E`) and its number (0 for `W` and `E`).
fn measure_of(f: &Fact, key: &str) -> (&'static str, f64) {
    use crate::scenario::Bound;
    let Some(m) = f.measure(key) else {
        return ("exact", f.num(key).unwrap_or(0.0));
    };
    let bound = match m.bound {
        Bound::Exact => "exact",
        Bound::AtLeast => "at_least",
        Bound::AtMost => "below",
        Bound::Withheld => "withheld",
        Bound::NetExporter => "net_exporter",
    };
    (bound, m.value.unwrap_or(0.0))
}

/// Shares of one group may not sum past 100 % (plus the tolerance).
fn sums(l: &mut Lowerer<'_>, opts: &Options) {
    let tol = opts
        .set
        .iter()
        .rev()
        .find(|(n, _)| n == "share_sum_tolerance")
        .map(|(_, v)| *v)
        .or_else(|| l.s.params.get("share_sum_tolerance").map(|p| p.value))
        .unwrap_or(0.5);
    let groups: &[(&str, &[&str], &str)] = &[
        ("share", &["mineral", "stage", "year"], "world output"),
        (
            "import_source",
            &["consumer", "mineral", "stage"],
            "the consumer's imports",
        ),
        ("transit", &["country"], "the country's exports"),
        (
            "export_share",
            &["country", "year"],
            "the country's exports",
        ),
    ];
    for (table, keys, whole) in groups {
        let s = l.s;
        let mut sum: BTreeMap<GroupKey<'_>, (f64, Vec<usize>)> = BTreeMap::new();
        for (i, f) in s.facts.iter().enumerate() {
            if f.table.name != *table {
                continue;
            }
            let e = sum.entry(group_key(f, keys)).or_default();
            // An upper bound (`<0.1`) may be as small as zero: only exact values and lower
            // bounds count towards the sum.
            e.0 += f
                .measure("percent")
                .filter(|m| m.bound != Bound::AtMost)
                .and_then(|m| m.value)
                .unwrap_or(0.0);
            e.1.push(i);
        }
        for (key, (total, idx)) in sum {
            if total > 100.0 + tol + 1e-9 {
                let f = &s.facts[idx[idx.len() - 1]];
                let loc = f.span_of("percent");
                let first = s.place(&s.facts[idx[0]].loc);
                let p = l.problem(
                    &loc,
                    format!(
                        "{table} percentages for ({}) sum to {total:.1}%, past 100%",
                        key[..keys.len().min(4)].join(", ")
                    ),
                );
                p.label = "the sum passes 100% here".into();
                p.help = Some(format!(
                    "{} rows share {whole}, the first at {first}; fix a figure or raise share_sum_tolerance (now {tol})",
                    idx.len()
                ));
            }
        }
    }
}

fn lower_params(l: &mut Lowerer<'_>, opts: &Options) {
    for spec in params::PARAMS {
        let (value, from) =
            if let Some((_, v)) = opts.set.iter().rev().find(|(n, _)| n == spec.name) {
                (*v, ParamFrom::CommandLine)
            } else if let Some(p) = l.s.params.get(spec.name) {
                (
                    p.value,
                    p.loc.clone().map_or(ParamFrom::Default, ParamFrom::File),
                )
            } else {
                (spec.default, ParamFrom::Default)
            };
        let t = Box::new([
            l.sym(spec.name),
            Value::Num(params::to_rule_value(spec.name, value)),
        ]);
        l.facts.add(
            rel::PARAM,
            t,
            Origin::Param {
                name: spec.name.to_string(),
                from,
            },
        );
    }
}

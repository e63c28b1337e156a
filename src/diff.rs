//! Step 4 (what-if): compare the conclusions of two evaluations.
//!
//! The two sides may come from different scenarios, each with its own symbol table, so tuples
//! are compared by what a reader sees ([`Cell`]: symbols by name), never by [`Sym`] id.
//!
//! # Added, removed, changed
//!
//! Per relation, each field is either a **key** field or a **value** field:
//!
//! - value fields are every `number` field (shares, HHI points, years) and every symbol field
//!   named one of [`VALUE_NAMES`] (`level`, `band`, `kind`, `status`, `today`, `horizon`);
//! - every other field is a key field (consumer, mineral, stage, country, initiative, …).
//!
//! A tuple of A that is not in B and a tuple of B that is not in A, of the same relation, are
//! paired as one **change** when they agree on every key field and no other unmatched tuple of
//! either side has that key (a one-to-one pairing). Every other unmatched tuple is **removed**
//! (only in A) or **added** (only in B). So `RiskLevel(USA, germanium, refining, high)` →
//! `…, critical)` is one change, not one removal and one addition.
//!
//! A change whose differing fields are all risk levels (names [`RiskRank`] ranks: low, moderate,
//! high, critical) has a direction: raised or lowered, by the difference in rank. A change of
//! numbers has the direction of the difference; any other change has none.
//!
//! # Explain
//!
//! [`report`] with `explain` gives, for a change, the input tuples that differ between A and B
//! and that can carry it ([`carries`]): those that agree with the change on every role
//! (consumer, mineral, stage, country, initiative) both mention, and share at least one. A
//! suspension mentions the roles of the events it suspends. Input differences that mention no
//! role at all (parameters) may carry any change; they are listed once. This is a sound
//! over-approximation of the proofs' leaves, not a proof.
//!
//! [`Sym`]: crate::model::Sym
//! [`RiskRank`]: crate::datalog::rel::RISK_RANK

use crate::datalog::{program, rel, syntax::Ty};
use crate::lower::{Facts, Origin, ParamFrom};
use crate::model::{Database, Symbols, Value};
use crate::scenario::Scenario;
use std::collections::{BTreeMap, BTreeSet};

/// Symbol fields with these names hold a value, not a key.
pub const VALUE_NAMES: &[&str] = &["level", "band", "kind", "status", "today", "horizon"];

/// One field of a tuple as a reader sees it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Cell {
    Num(i64),
    Sym(String),
}

impl Cell {
    pub fn of(syms: &Symbols, v: &Value) -> Cell {
        match v {
            Value::Sym(s) => Cell::Sym(syms.name(*s).to_string()),
            Value::Num(n) => Cell::Num(*n),
        }
    }

    pub fn as_sym(&self) -> Option<&str> {
        match self {
            Cell::Sym(s) => Some(s),
            Cell::Num(_) => None,
        }
    }
}

/// A tuple as a reader sees it.
pub type Row = Vec<Cell>;

/// Whether field `i` of relation `rel` is a value field (see the module doc).
pub fn is_value_field(rel: usize, i: usize) -> bool {
    program()
        .relations
        .get(rel)
        .and_then(|r| r.fields.get(i))
        .is_some_and(|f| f.ty == Ty::Number || VALUE_NAMES.contains(&f.name.as_str()))
}

/// The key fields of a row.
fn key_of(rel: usize, row: &[Cell]) -> Vec<Cell> {
    row.iter()
        .enumerate()
        .filter(|(i, _)| !is_value_field(rel, *i))
        .map(|(_, c)| c.clone())
        .collect()
}

/// What happened to a conclusion between A and B.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Holds in B only.
    Added(Row),
    /// Holds in A only.
    Removed(Row),
    /// Holds in both with the same key and different values.
    Changed { before: Row, after: Row },
}

/// Up or down.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Direction {
    Raised,
    Lowered,
}

/// One difference between the two sides.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub rel: usize,
    pub kind: Kind,
    /// For a change of risk levels: the direction and how many ranks (always positive).
    pub ranks: Option<(Direction, i64)>,
    /// For a change of numbers: the direction of the (first) differing number.
    pub moved: Option<Direction>,
}

impl Entry {
    /// The row in B, or in A if the conclusion is gone.
    pub fn row(&self) -> &Row {
        match &self.kind {
            Kind::Added(r) | Kind::Removed(r) => r,
            Kind::Changed { after, .. } => after,
        }
    }

    /// The value of a named field of the row.
    pub fn field(&self, name: &str) -> Option<&Cell> {
        let r = program().relations.get(self.rel)?;
        let i = r.fields.iter().position(|f| f.name == name)?;
        self.row().get(i)
    }

    /// Indices of the fields that differ (for a change), in field order.
    pub fn changed_fields(&self) -> Vec<usize> {
        match &self.kind {
            Kind::Changed { before, after } => (0..after.len())
                .filter(|&i| before.get(i) != after.get(i))
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// The ranks of risk levels, by name, from an evaluated model (`RiskRank`).
pub fn risk_ranks(syms: &Symbols, db: &Database) -> BTreeMap<String, i64> {
    db.rel(rel::RISK_RANK)
        .iter()
        .filter_map(|t| match (t.first(), t.get(1)) {
            (Some(Value::Sym(s)), Some(Value::Num(n))) => Some((syms.name(*s).to_string(), *n)),
            _ => None,
        })
        .collect()
}

/// One side of a comparison: a symbol table and a database (a model or input facts).
#[derive(Clone, Copy)]
pub struct Side<'a> {
    pub syms: &'a Symbols,
    pub db: &'a Database,
}

/// The rows of a relation, rendered, as a set.
fn rows(side: Side<'_>, rel: usize) -> BTreeSet<Row> {
    side.db
        .rel(rel)
        .iter()
        .map(|t| t.iter().map(|v| Cell::of(side.syms, v)).collect())
        .collect()
}

/// Compares the given relations of two sides. `ranks` orders risk levels (see [`risk_ranks`]).
/// The result is sorted: by relation (in the order given), then by row.
pub fn compare(
    a: Side<'_>,
    b: Side<'_>,
    rels: &[usize],
    ranks: &BTreeMap<String, i64>,
) -> Vec<Entry> {
    let mut out = Vec::new();
    for &rel in rels {
        let (ra, rb) = (rows(a, rel), rows(b, rel));
        let mut gone: BTreeMap<Vec<Cell>, Vec<Row>> = BTreeMap::new();
        for r in ra.difference(&rb) {
            gone.entry(key_of(rel, r)).or_default().push(r.clone());
        }
        let mut new: BTreeMap<Vec<Cell>, Vec<Row>> = BTreeMap::new();
        for r in rb.difference(&ra) {
            new.entry(key_of(rel, r)).or_default().push(r.clone());
        }
        let mut entries = Vec::new();
        for (key, olds) in &gone {
            match new.get(key) {
                Some(news) if olds.len() == 1 && news.len() == 1 => {
                    entries.push(changed(rel, olds[0].clone(), news[0].clone(), ranks));
                }
                _ => entries.extend(olds.iter().map(|r| plain(rel, Kind::Removed(r.clone())))),
            }
        }
        for (key, news) in &new {
            let paired = news.len() == 1 && gone.get(key).is_some_and(|o| o.len() == 1);
            if !paired {
                entries.extend(news.iter().map(|r| plain(rel, Kind::Added(r.clone()))));
            }
        }
        entries.sort_by(|x, y| {
            x.row()
                .cmp(y.row())
                .then_with(|| kind_order(&x.kind).cmp(&kind_order(&y.kind)))
        });
        out.extend(entries);
    }
    out
}

fn kind_order(k: &Kind) -> u8 {
    match k {
        Kind::Changed { .. } => 0,
        Kind::Added(_) => 1,
        Kind::Removed(_) => 2,
    }
}

fn plain(rel: usize, kind: Kind) -> Entry {
    Entry {
        rel,
        kind,
        ranks: None,
        moved: None,
    }
}

/// A change of one row into another of the same key.
pub fn changed(rel: usize, before: Row, after: Row, ranks: &BTreeMap<String, i64>) -> Entry {
    let diffs: Vec<(&Cell, &Cell)> = before.iter().zip(&after).filter(|(x, y)| x != y).collect();
    let rank = |c: &Cell| c.as_sym().and_then(|s| ranks.get(s)).copied();
    let mut total = Some(0i64);
    for (x, y) in &diffs {
        total = match (total, rank(x), rank(y)) {
            (Some(t), Some(p), Some(q)) => Some(t + q - p),
            _ => None,
        };
    }
    let by_rank = total.filter(|t| *t != 0).map(|t| {
        if t > 0 {
            (Direction::Raised, t)
        } else {
            (Direction::Lowered, -t)
        }
    });
    let moved = diffs.iter().find_map(|(x, y)| match (x, y) {
        (Cell::Num(p), Cell::Num(q)) if q > p => Some(Direction::Raised),
        (Cell::Num(p), Cell::Num(q)) if q < p => Some(Direction::Lowered),
        _ => None,
    });
    Entry {
        rel,
        kind: Kind::Changed { before, after },
        ranks: by_rank,
        moved,
    }
}

/// Conclusions of two evaluated models: every `.output` relation, plus the risk ranks of A
/// (the rules fix them, so both sides agree).
pub fn conclusions(a: Side<'_>, b: Side<'_>) -> Vec<Entry> {
    let rels = crate::datalog::output_relations();
    let ranks = risk_ranks(a.syms, a.db);
    compare(a, b, &rels, &ranks)
}

/// Input tuples of two lowerings that differ (facts, parameters, computed facts and cuts).
pub fn inputs(a: Side<'_>, b: Side<'_>) -> Vec<Entry> {
    let rels: Vec<usize> = program()
        .relations
        .iter()
        .enumerate()
        .filter(|(_, r)| r.input)
        .map(|(i, _)| i)
        .collect();
    compare(a, b, &rels, &BTreeMap::new())
}

/// The role a field plays, for matching evidence to a change.
fn role(field: &str) -> Option<&'static str> {
    match field {
        "consumer" | "target" => Some("consumer"),
        "mineral" => Some("mineral"),
        "stage" => Some("stage"),
        "country" => Some("country"),
        "initiative" => Some("initiative"),
        _ => None,
    }
}

/// The names a row gives each role (key fields only).
pub type Roles = BTreeMap<&'static str, BTreeSet<String>>;

fn roles(rel: usize, row: &[Cell]) -> Roles {
    let mut out = Roles::new();
    if let Some(r) = program().relations.get(rel) {
        for (i, (f, c)) in r.fields.iter().zip(row).enumerate() {
            if let (Some(role), Some(s), false) =
                (role(&f.name), c.as_sym(), is_value_field(rel, i))
            {
                out.entry(role).or_default().insert(s.to_string());
            }
        }
    }
    out
}

/// The roles an input difference mentions: its own, and for a suspension those of the events
/// it suspends (`events`: every `Event` row of either side).
pub fn input_roles(input: &Entry, events: &[Row]) -> Roles {
    let mut have = roles(input.rel, input.row());
    let mut rows = vec![input.row().clone()];
    if let Kind::Changed { before, .. } = &input.kind {
        for (k, v) in roles(input.rel, before) {
            have.entry(k).or_default().extend(v);
        }
        rows.push(before.clone());
    }
    if input.rel == rel::SUSPENDS {
        for row in rows {
            for ev in events
                .iter()
                .filter(|e| !e.is_empty() && e.first() == row.get(1))
            {
                for (k, v) in roles(rel::EVENT, ev) {
                    have.entry(k).or_default().extend(v);
                }
            }
        }
    }
    have
}

/// Whether an input difference (its roles, from [`input_roles`]) can carry a change: on every
/// role both mention they share a name, and they share at least one role.
pub fn carries(change: &Entry, have: &Roles) -> bool {
    let want = roles(change.rel, change.row());
    let mut shared = 0;
    for (role, names) in have {
        if let Some(w) = want.get(role) {
            // An event aimed at every destination reaches every consumer.
            let all = *role == "consumer" && names.contains("all");
            if w.is_disjoint(names) && !all {
                return false;
            }
            shared += 1;
        }
    }
    shared > 0
}

/// The `Event` rows of both sides, rendered.
pub fn event_rows(a: Side<'_>, b: Side<'_>) -> Vec<Row> {
    let mut all: BTreeSet<Row> = rows(a, rel::EVENT);
    all.extend(rows(b, rel::EVENT));
    all.into_iter().collect()
}

/// Where an input tuple came from, for a reader: `file:line` and the cited source.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Provenance {
    pub place: String,
    pub source: String,
}

/// A lowered scenario, for finding where its input tuples came from.
#[derive(Clone, Copy)]
pub struct Lowered<'a> {
    pub scenario: &'a Scenario,
    pub facts: &'a Facts,
}

impl Lowered<'_> {
    /// The origins of a rendered input row.
    pub fn provenance(&self, rel: usize, row: &[Cell]) -> Vec<Provenance> {
        let f = self.facts;
        let mut out: Vec<Provenance> = f
            .db
            .rel(rel)
            .iter()
            .zip(f.origins.get(rel).map_or(&[][..], Vec::as_slice))
            .filter(|(t, _)| {
                t.len() == row.len() && t.iter().zip(row).all(|(v, c)| Cell::of(&f.syms, v) == *c)
            })
            .map(|(_, o)| self.describe(o))
            .collect();
        out.sort();
        out.dedup();
        out
    }

    fn describe(&self, o: &Origin) -> Provenance {
        let s = self.scenario;
        match o {
            Origin::Fact(i) => match s.facts.get(*i) {
                Some(fact) => Provenance {
                    place: line_place(s, &fact.loc),
                    source: fact.source.to_string(),
                },
                None => Provenance {
                    place: "?".into(),
                    source: String::new(),
                },
            },
            Origin::Param { name, from } => Provenance {
                place: match from {
                    ParamFrom::File(loc) => line_place(s, loc),
                    ParamFrom::CommandLine => "--set".into(),
                    ParamFrom::Default => "default".into(),
                },
                source: format!("parameter {name}"),
            },
            Origin::Computed { formula, .. } => Provenance {
                place: "computed".into(),
                source: formula.to_string(),
            },
            Origin::Cut { what } => Provenance {
                place: "cut".into(),
                source: what.clone(),
            },
        }
    }
}

/// `file:line` of a location.
pub fn line_place(s: &Scenario, loc: &crate::scenario::Loc) -> String {
    let f = s.file(loc);
    let (line, _) = f.line_col(loc.span.start);
    format!("{}:{line}", f.name)
}

/// The provenance of an input difference: from A for what is gone, from B for what is new,
/// from both for a change.
pub fn provenance_of(
    e: &Entry,
    a: Lowered<'_>,
    b: Lowered<'_>,
) -> (Vec<Provenance>, Vec<Provenance>) {
    match &e.kind {
        Kind::Added(r) => (Vec::new(), b.provenance(e.rel, r)),
        Kind::Removed(r) => (a.provenance(e.rel, r), Vec::new()),
        Kind::Changed { before, after } => {
            (a.provenance(e.rel, before), b.provenance(e.rel, after))
        }
    }
}

/// Counts for a summary line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub changed: usize,
    pub added: usize,
    pub removed: usize,
    /// Risk-level changes that raise a level, and by how many ranks in total.
    pub raised: usize,
    pub raised_ranks: i64,
    pub lowered: usize,
    pub lowered_ranks: i64,
    /// Supply-risk scores (`RiskScore`) raised and lowered, and the summed change of each
    /// direction in basis points of the 0–10,000 scale.
    pub scores_raised: usize,
    pub score_raised: i64,
    pub scores_lowered: usize,
    pub score_lowered: i64,
}

/// The change of a supply-risk score (after − before, basis points), for a `RiskScore` change.
pub fn score_delta(e: &Entry) -> Option<i64> {
    if e.rel != rel::RISK_SCORE {
        return None;
    }
    match &e.kind {
        Kind::Changed { before, after } => match (before.last(), after.last()) {
            (Some(Cell::Num(a)), Some(Cell::Num(b))) => Some(b - a),
            _ => None,
        },
        _ => None,
    }
}

/// Score changes, largest first (by size; ties by row).
pub fn score_ranking(entries: &[Entry]) -> Vec<(&Entry, i64)> {
    let mut v: Vec<(&Entry, i64)> = entries
        .iter()
        .filter_map(|e| score_delta(e).filter(|d| *d != 0).map(|d| (e, d)))
        .collect();
    v.sort_by(|(a, x), (b, y)| y.abs().cmp(&x.abs()).then_with(|| a.row().cmp(b.row())));
    v
}

pub fn summary(entries: &[Entry]) -> Summary {
    let mut s = Summary::default();
    for e in entries {
        match score_delta(e) {
            Some(d) if d > 0 => {
                s.scores_raised += 1;
                s.score_raised += d;
            }
            Some(d) if d < 0 => {
                s.scores_lowered += 1;
                s.score_lowered -= d;
            }
            _ => {}
        }
        match &e.kind {
            Kind::Added(_) => s.added += 1,
            Kind::Removed(_) => s.removed += 1,
            Kind::Changed { .. } => s.changed += 1,
        }
        match e.ranks {
            Some((Direction::Raised, n)) => {
                s.raised += 1;
                s.raised_ranks += n;
            }
            Some((Direction::Lowered, n)) => {
                s.lowered += 1;
                s.lowered_ranks += n;
            }
            None => {}
        }
    }
    s
}

/// The group a difference is shown under: its consumer and mineral, where the relation has them.
///
/// A relation with an `initiative` but no `mineral` field takes the mineral of the initiative
/// (from `Initiative` in either model); one with neither consumer nor mineral is grouped by its
/// country, if it has one.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Group {
    pub consumer: Option<String>,
    pub mineral: Option<String>,
    pub country: Option<String>,
}

/// Mineral of each initiative, from the `Initiative` relation of the given sides.
pub fn initiative_minerals(sides: &[Side<'_>]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for side in sides {
        for t in side.db.rel(rel::INITIATIVE) {
            if let (Some(i), Some(m)) = (t.first(), t.get(3)) {
                out.entry(side.syms.show(i))
                    .or_insert_with(|| side.syms.show(m));
            }
        }
    }
    out
}

pub fn group_of(e: &Entry, initiatives: &BTreeMap<String, String>) -> Group {
    let sym = |name: &str| e.field(name).and_then(Cell::as_sym).map(str::to_string);
    let consumer = sym("consumer");
    let mineral =
        sym("mineral").or_else(|| sym("initiative").and_then(|i| initiatives.get(&i).cloned()));
    let country = if consumer.is_none() && mineral.is_none() {
        sym("country")
    } else {
        None
    };
    Group {
        consumer,
        mineral,
        country,
    }
}

/// Groups differences, in group order; inside a group, risk levels come first.
pub fn grouped(
    entries: Vec<Entry>,
    initiatives: &BTreeMap<String, String>,
) -> Vec<(Group, Vec<Entry>)> {
    let mut groups: BTreeMap<(bool, Group), Vec<Entry>> = BTreeMap::new();
    for e in entries {
        let g = group_of(&e, initiatives);
        // Groups without a consumer or a mineral go last.
        let general = g.consumer.is_none() && g.mineral.is_none();
        groups.entry((general, g)).or_default().push(e);
    }
    groups
        .into_iter()
        .map(|((_, g), mut v)| {
            v.sort_by(|x, y| {
                priority(x.rel)
                    .cmp(&priority(y.rel))
                    .then_with(|| kind_order(&x.kind).cmp(&kind_order(&y.kind)))
                    .then_with(|| x.row().cmp(y.row()))
            });
            (g, v)
        })
        .collect()
}

/// Relations an analyst reads first.
const FIRST: &[usize] = &[
    rel::RISK_LEVEL,
    rel::RISK_SCORE,
    rel::SUPPLY_REACH,
    rel::INITIATIVE_IMPACT,
    rel::PROJECTED_RISK_LEVEL,
    rel::INITIATIVE_EFFECT,
    rel::INITIATIVE_REDUCES_RISK,
    rel::SUPPLY_BANNED,
    rel::ISOLATED,
    rel::OPTION_CUT_OFF,
    rel::EXPOSURE,
];

fn priority(rel: usize) -> (usize, usize) {
    match FIRST.iter().position(|&r| r == rel) {
        Some(p) => (0, p),
        None => (1, rel),
    }
}

/// An input difference that can carry a change, with where its tuples came from.
#[derive(Clone, Debug)]
pub struct Evidence {
    pub input: Entry,
    /// Origins in A (of what is gone or changed).
    pub was: Vec<Provenance>,
    /// Origins in B (of what is new or changed).
    pub now: Vec<Provenance>,
}

/// Which scenario a side is.
#[derive(Clone, Debug)]
pub struct SideInfo {
    pub file: String,
    /// The date the side was judged at.
    pub as_of: String,
    pub name: String,
    pub description: String,
}

impl SideInfo {
    pub fn of(s: &Scenario, facts: &Facts) -> SideInfo {
        SideInfo {
            as_of: facts.as_of.to_string(),
            // The scenario's own file is read first; its parents follow.
            file: s.files.first().map_or_else(String::new, |f| f.name.clone()),
            name: s.meta.name.clone(),
            description: s.meta.description.clone(),
        }
    }
}

/// A difference and the input differences that can carry it.
pub type Explained = (Entry, Vec<Evidence>);

/// A whole comparison, ready for `report::diff`.
#[derive(Clone, Debug)]
pub struct Report {
    pub a: SideInfo,
    pub b: SideInfo,
    pub summary: Summary,
    /// Input tuples (facts, parameters, computed facts) that differ.
    pub inputs_differ: usize,
    /// Whether evidence was gathered (`--explain`).
    pub explained: bool,
    /// Differences by group; each with its evidence (empty unless explained).
    pub groups: Vec<(Group, Vec<Explained>)>,
    /// Input differences that may carry any change (parameters), when explained.
    pub global: Vec<Evidence>,
}

impl Report {
    pub fn differs(&self) -> bool {
        self.summary.changed + self.summary.added + self.summary.removed > 0
    }
}

/// Compares two evaluated scenarios.
pub fn report(
    a: Lowered<'_>,
    am: &crate::engine::Model,
    b: Lowered<'_>,
    bm: &crate::engine::Model,
    explain: bool,
) -> Report {
    let (sa, sb) = (
        Side {
            syms: &a.facts.syms,
            db: &am.db,
        },
        Side {
            syms: &b.facts.syms,
            db: &bm.db,
        },
    );
    let entries = conclusions(sa, sb);
    let changed_inputs = inputs(
        Side {
            syms: &a.facts.syms,
            db: &a.facts.db,
        },
        Side {
            syms: &b.facts.syms,
            db: &b.facts.db,
        },
    );
    let with_prov = |e: &Entry| {
        let (was, now) = provenance_of(e, a, b);
        Evidence {
            input: e.clone(),
            was,
            now,
        }
    };
    let events = event_rows(
        Side {
            syms: &a.facts.syms,
            db: &a.facts.db,
        },
        Side {
            syms: &b.facts.syms,
            db: &b.facts.db,
        },
    );
    let input_roles: Vec<Roles> = changed_inputs
        .iter()
        .map(|e| input_roles(e, &events))
        .collect();
    // Differences that mention no role (parameters) may carry any change.
    let global: Vec<Evidence> = if explain {
        changed_inputs
            .iter()
            .zip(&input_roles)
            .filter(|(_, r)| r.is_empty())
            .map(|(e, _)| with_prov(e))
            .collect()
    } else {
        Vec::new()
    };
    let summary = summary(&entries);
    let initiatives = initiative_minerals(&[sa, sb]);
    let groups = grouped(entries, &initiatives)
        .into_iter()
        .map(|(g, es)| {
            let es = es
                .into_iter()
                .map(|e| {
                    let ev = if explain {
                        changed_inputs
                            .iter()
                            .zip(&input_roles)
                            .filter(|(_, r)| carries(&e, r))
                            .map(|(i, _)| with_prov(i))
                            .collect()
                    } else {
                        Vec::new()
                    };
                    (e, ev)
                })
                .collect();
            (g, es)
        })
        .collect();
    Report {
        a: SideInfo::of(a.scenario, a.facts),
        b: SideInfo::of(b.scenario, b.facts),
        summary,
        inputs_differ: changed_inputs.len(),
        explained: explain,
        groups,
        global,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::model::Tuple;

    fn db(syms: &mut Symbols, rows: &[&[&str]]) -> Database {
        let mut db = Database::empty(program().relations.len());
        for r in rows {
            let t: Tuple = r.iter().map(|s| Value::Sym(syms.intern(s))).collect();
            db.push(rel::RISK_LEVEL, t);
        }
        db
    }

    fn ranks() -> BTreeMap<String, i64> {
        [("low", 1), ("moderate", 2), ("high", 3), ("critical", 4)]
            .iter()
            .map(|(k, v)| (k.to_string(), *v))
            .collect()
    }

    #[test]
    fn a_moved_level_is_one_change_with_a_direction() {
        let (mut sa, mut sb) = (Symbols::new(), Symbols::new());
        // Different interning orders on each side: comparison is by name.
        sb.intern("zzz");
        let a = db(
            &mut sa,
            &[
                &["USA", "germanium", "refining", "high"],
                &["USA", "gallium", "refining", "low"],
            ],
        );
        let b = db(
            &mut sb,
            &[
                &["USA", "germanium", "refining", "critical"],
                &["USA", "gallium", "refining", "low"],
            ],
        );
        let d = compare(
            Side { syms: &sa, db: &a },
            Side { syms: &sb, db: &b },
            &[rel::RISK_LEVEL],
            &ranks(),
        );
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].ranks, Some((Direction::Raised, 1)));
        assert!(matches!(d[0].kind, Kind::Changed { .. }));
    }

    #[test]
    fn unmatched_keys_are_added_and_removed() {
        let (mut sa, mut sb) = (Symbols::new(), Symbols::new());
        let a = db(&mut sa, &[&["USA", "cobalt", "mining", "high"]]);
        let b = db(&mut sb, &[&["USA", "nickel", "mining", "low"]]);
        let d = compare(
            Side { syms: &sa, db: &a },
            Side { syms: &sb, db: &b },
            &[rel::RISK_LEVEL],
            &ranks(),
        );
        assert_eq!(
            summary(&d),
            Summary {
                added: 1,
                removed: 1,
                ..Summary::default()
            }
        );
    }

    #[test]
    fn identical_sides_do_not_differ() {
        let mut s = Symbols::new();
        let a = db(&mut s, &[&["USA", "cobalt", "mining", "high"]]);
        let d = compare(
            Side { syms: &s, db: &a },
            Side { syms: &s, db: &a },
            &[rel::RISK_LEVEL],
            &ranks(),
        );
        assert!(d.is_empty());
    }

    #[test]
    fn a_lowered_level_counts_ranks() {
        let (mut sa, mut sb) = (Symbols::new(), Symbols::new());
        let a = db(&mut sa, &[&["USA", "cobalt", "mining", "critical"]]);
        let b = db(&mut sb, &[&["USA", "cobalt", "mining", "low"]]);
        let d = compare(
            Side { syms: &sa, db: &a },
            Side { syms: &sb, db: &b },
            &[rel::RISK_LEVEL],
            &ranks(),
        );
        assert_eq!(d[0].ranks, Some((Direction::Lowered, 3)));
    }
}

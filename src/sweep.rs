//! Contingency sweeps: make each supplier, transit route or initiative (or each pair of them)
//! unavailable in turn, re-evaluate, and rank the disruptions.
//!
//! The scenario is lowered once. Each cut clones the lowered [`Facts`] (symbols included, so no
//! name is interned twice and nothing is re-parsed), adds or edits input tuples, and evaluates
//! with the plain engine:
//!
//! - a **supplier** cut adds, for each consumer other than the supplier and each mineral the
//!   supplier produces (a positive share at any stage), the tuple
//!   `Event(sweep-cut, supplier, export_ban, mineral, consumer)` — the supplier stops supplying
//!   the consumer, as an export ban would;
//! - a **route** cut adds `RouteClosed(country, via)` for a transit route that is still open;
//! - an **initiative** cut sets the status of a live initiative's `InitiativePlan` to `failed`
//!   and recomputes the computed relations.
//!
//! Every added or edited tuple carries [`Origin::Cut`]. The cut model is compared with the uncut
//! one on `RiskLevel`, `ProjectedRiskLevel`, `OptionCutOff` and `Isolated` ([`crate::diff`]).
//! A failed initiative's own projection disappears; it is counted as its projected level going
//! back to today's (from the uncut `InitiativeEffect`), which is what failing means.
//!
//! Every cut recomputes the computed relations ([`aggregate::compute`]): reachable supply and the
//! supply-risk score depend on bans, routes and plans. The cut model is also compared on
//! `RiskScore`, so a cut that moves no level still shows its size.
//!
//! Disruptions are ranked by how many risk levels they raise, then by the ranks raised in
//! total, then by the summed rise of supply-risk scores, then by countries newly isolated and
//! options newly cut off, then by name.

use crate::aggregate;
use crate::datalog::rel;
use crate::diff::{self, Cell, Direction, Entry, Kind, Side};
use crate::engine::{self, Model};
use crate::lower::{Facts, Origin};
use crate::model::{Sym, Value};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

/// What a sweep makes unavailable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Supplier,
    Route,
    Initiative,
}

impl Target {
    pub fn as_str(self) -> &'static str {
        match self {
            Target::Supplier => "supplier",
            Target::Route => "route",
            Target::Initiative => "initiative",
        }
    }
}

/// One thing a sweep can cut.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    /// A supplier country.
    Supplier(Sym),
    /// A transit route: country, via.
    Route(Sym, Sym),
    /// An initiative.
    Initiative(Sym),
}

impl Item {
    /// `CHN`, `MNG via CHN`, `ot-underground`.
    pub fn label(&self, facts: &Facts) -> String {
        let n = |s: &Sym| facts.syms.name(*s).to_string();
        match self {
            Item::Supplier(c) => n(c),
            Item::Route(c, v) => format!("{} via {}", n(c), n(v)),
            Item::Initiative(i) => n(i),
        }
    }

    /// The item as `lode explain --cut` and `lode run --cut` take it: `supplier=CHN`,
    /// `route=MNG/CHN` (MNG's route via CHN), `initiative=ot-underground`.
    pub fn spec(&self, facts: &Facts) -> String {
        let n = |s: &Sym| facts.syms.name(*s).to_string();
        match self {
            Item::Supplier(c) => format!("supplier={}", n(c)),
            Item::Route(c, v) => format!("route={}/{}", n(c), n(v)),
            Item::Initiative(i) => format!("initiative={}", n(i)),
        }
    }
}

/// Why a `--cut` spec names nothing the scenario can cut: the message and a hint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadCut {
    pub message: String,
    pub hint: String,
}

/// Parses a `--cut` spec ([`Item::spec`]'s form; a route may also be written `MNG via CHN`)
/// into an item the scenario can cut, as `lode sweep` would cut it.
pub fn parse_cut(facts: &Facts, spec: &str) -> Result<Item, BadCut> {
    let kinds = "supplier=CTRY, route=CTRY/VIA or initiative=ID";
    let Some((kind, name)) = spec.split_once('=') else {
        return Err(BadCut {
            message: format!("`--cut {spec}` names no kind of cut"),
            hint: format!("write {kinds}, e.g. --cut supplier=CHN"),
        });
    };
    let target = match kind.trim() {
        "supplier" => Target::Supplier,
        "route" => Target::Route,
        "initiative" => Target::Initiative,
        other => {
            return Err(BadCut {
                message: format!("`{other}` is not a kind of cut"),
                hint: format!("write {kinds}"),
            });
        }
    };
    let name = name.trim().replace(" via ", "/");
    let all = items(facts, target);
    let specs: Vec<String> = all.iter().map(|i| i.spec(facts)).collect();
    let wanted = format!("{}={name}", target.as_str());
    match specs.iter().position(|s| *s == wanted) {
        Some(i) => Ok(all[i].clone()),
        None => {
            let names: Vec<&str> = specs
                .iter()
                .filter_map(|s| s.split_once('=').map(|(_, n)| n))
                .collect();
            let shown = names
                .iter()
                .take(12)
                .copied()
                .collect::<Vec<_>>()
                .join(", ");
            let more = names.len().saturating_sub(12);
            Err(BadCut {
                message: format!("the scenario has no {} `{name}` to cut", target.as_str()),
                hint: if names.is_empty() {
                    format!("it has no {} that can be cut", target.as_str())
                } else if more > 0 {
                    format!(
                        "it can cut {shown} and {more} more (`lode sweep --cut {}` lists them)",
                        target.as_str()
                    )
                } else {
                    format!("it can cut {shown}")
                },
            })
        }
    }
}

/// The facts with `cut` made unavailable exactly as a sweep makes them, computed relations
/// recomputed: the world one line of `lode sweep` holds in.
pub fn cut_world(mut facts: Facts, cut: &[Item]) -> Facts {
    let ctx = Ctx::new(&mut facts);
    let labels: Vec<String> = cut.iter().map(|i| i.label(&facts)).collect();
    cut_in(&mut facts, &ctx, cut.iter().zip(&labels));
    facts
}

/// Cuts each item of `f` (labelled for its origin), then recomputes the computed relations.
fn cut_in<'a>(f: &mut Facts, ctx: &Ctx, cut: impl Iterator<Item = (&'a Item, &'a String)>) {
    for (item, label) in cut {
        apply(f, item, ctx, label);
    }
    // Reachable supply and the scores depend on bans, routes and plans: recompute.
    aggregate::compute(f);
}

/// The relations a sweep compares.
pub const COMPARED: &[usize] = &[
    rel::RISK_LEVEL,
    rel::RISK_SCORE,
    rel::PROJECTED_RISK_LEVEL,
    rel::OPTION_CUT_OFF,
    rel::ISOLATED,
];

/// The effect of one cut (one item, or a pair).
#[derive(Clone, Debug)]
pub struct Disruption {
    /// Labels of the items cut, in item order.
    pub cut: Vec<String>,
    /// The same items as `--cut` specs ([`Item::spec`]), for `lode explain --cut`.
    pub specs: Vec<String>,
    /// Risk levels (today's and projected) raised, and the ranks raised in total.
    pub raised: usize,
    pub raised_ranks: i64,
    /// Risk levels lowered (rare: a cut can remove an exposure's condition).
    pub lowered: usize,
    /// Supply-risk scores raised, and the summed rise in basis points (0–10,000 scale).
    pub scores_raised: usize,
    pub score_raised: i64,
    /// Countries newly isolated.
    pub isolated: Vec<String>,
    /// Diversification options newly cut off.
    pub cut_off: usize,
    /// Every difference against the uncut model, sorted.
    pub entries: Vec<Entry>,
}

impl Disruption {
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Ranking key: larger is worse; ties broken by name (ascending).
    fn score(&self) -> (usize, i64, i64, usize, usize) {
        (
            self.raised,
            self.raised_ranks,
            self.score_raised,
            self.isolated.len(),
            self.cut_off,
        )
    }

    /// The risk levels this cut raises for one consumer, by how many ranks, and how much it
    /// raises the consumer's scores in total (basis points).
    pub fn raised_for(&self, consumer: &str) -> (usize, i64, i64) {
        let mine = || {
            self.entries
                .iter()
                .filter(|e| e.field("consumer").and_then(Cell::as_sym) == Some(consumer))
        };
        let (n, r) = mine()
            .filter_map(|e| match e.ranks {
                Some((Direction::Raised, n)) => Some(n),
                _ => None,
            })
            .fold((0, 0), |(c, r), n| (c + 1, r + n));
        let score = mine().filter_map(score_delta).filter(|d| *d > 0).sum();
        (n, r, score)
    }
}

/// A whole sweep.
#[derive(Clone, Debug)]
pub struct Sweep {
    pub target: Target,
    pub k: u8,
    /// Items that could be cut.
    pub items: usize,
    /// Evaluations run (one per cut).
    pub evaluations: usize,
    /// Every cut, worst first.
    pub disruptions: Vec<Disruption>,
    /// Per consumer, the index (in `disruptions`) of the cut that raises most of its levels,
    /// if any cut raises one.
    pub worst_for: BTreeMap<String, usize>,
}

/// Names the sweep needs that the scenario may not: interned once, before cloning.
struct Ctx {
    cut_id: Sym,
    export_ban: Sym,
    failed: Sym,
    consumers: Vec<Sym>,
    /// Minerals each supplier produces.
    produces: BTreeMap<Sym, BTreeSet<Sym>>,
}

impl Ctx {
    /// Interns the names a cut adds into `base` (before it is cloned per cut).
    fn new(base: &mut Facts) -> Ctx {
        Ctx {
            cut_id: base.syms.intern("sweep-cut"),
            export_ban: base.syms.intern("export_ban"),
            failed: base.syms.intern("failed"),
            consumers: base
                .db
                .rel(rel::RELIANCE)
                .iter()
                .map(|t| t[0].sym())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect(),
            produces: base
                .db
                .rel(rel::SHARE)
                .iter()
                .filter(|t| t[3].num() > 0)
                .fold(BTreeMap::new(), |mut m, t| {
                    m.entry(t[2].sym())
                        .or_insert_with(BTreeSet::new)
                        .insert(t[0].sym());
                    m
                }),
        }
    }
}

/// The items of a target, in name order.
pub fn items(facts: &Facts, target: Target) -> Vec<Item> {
    let syms = &facts.syms;
    let mut out: Vec<Item> = match target {
        Target::Supplier => {
            let set: BTreeSet<Sym> = facts
                .db
                .rel(rel::SHARE)
                .iter()
                .filter(|t| t[3].num() > 0)
                .map(|t| t[2].sym())
                .collect();
            set.into_iter().map(Item::Supplier).collect()
        }
        Target::Route => {
            let closed: BTreeSet<(Sym, Sym)> = facts
                .db
                .rel(rel::ROUTE_CLOSED)
                .iter()
                .map(|t| (t[0].sym(), t[1].sym()))
                .collect();
            let set: BTreeSet<(Sym, Sym)> = facts
                .db
                .rel(rel::TRANSIT)
                .iter()
                .map(|t| (t[0].sym(), t[1].sym()))
                .filter(|r| !closed.contains(r))
                .collect();
            set.into_iter().map(|(c, v)| Item::Route(c, v)).collect()
        }
        Target::Initiative => {
            let failed = syms.get("failed");
            let set: BTreeSet<Sym> = facts
                .db
                .rel(rel::INITIATIVE_PLAN)
                .iter()
                .filter(|t| Some(t[3].sym()) != failed)
                .map(|t| t[0].sym())
                .collect();
            set.into_iter().map(Item::Initiative).collect()
        }
    };
    out.sort_by_key(|i| i.label(facts));
    out
}

/// All cuts of size `k` (1 or 2) over `n` items: index lists in lexicographic order.
pub fn combinations(n: usize, k: u8) -> Vec<Vec<usize>> {
    if k >= 2 {
        (0..n)
            .flat_map(|i| (i + 1..n).map(move |j| vec![i, j]))
            .collect()
    } else {
        (0..n).map(|i| vec![i]).collect()
    }
}

fn apply(facts: &mut Facts, item: &Item, ctx: &Ctx, label: &str) {
    match item {
        Item::Supplier(c) => {
            let minerals = ctx.produces.get(c).cloned().unwrap_or_default();
            for &k in ctx.consumers.iter().filter(|&&k| k != *c) {
                for &m in &minerals {
                    let t = Box::new([
                        Value::Sym(ctx.cut_id),
                        Value::Sym(*c),
                        Value::Sym(ctx.export_ban),
                        Value::Sym(m),
                        Value::Sym(k),
                    ]);
                    let what = format!("sweep: {label} stops supplying {}", facts.syms.name(k));
                    facts.add(rel::EVENT, t, Origin::Cut { what });
                }
            }
        }
        Item::Route(c, v) => {
            let what = format!("sweep: route {label} closes");
            facts.add(
                rel::ROUTE_CLOSED,
                Box::new([Value::Sym(*c), Value::Sym(*v)]),
                Origin::Cut { what },
            );
        }
        Item::Initiative(i) => {
            facts.edit(rel::INITIATIVE_PLAN, |t, o| {
                if t[0].sym() == *i {
                    t[3] = Value::Sym(ctx.failed);
                    *o = Origin::Cut {
                        what: format!("sweep: initiative {label} fails"),
                    };
                }
            });
        }
    }
}

/// Runs a sweep: `k` is 1 or 2; `tick` is called once per finished evaluation (from any thread).
pub fn sweep(facts: &Facts, target: Target, k: u8, tick: &(dyn Fn() + Sync)) -> Sweep {
    let mut base = facts.clone();
    let ctx = Ctx::new(&mut base);
    let uncut = engine::evaluate(&base);
    let ranks = diff::risk_ranks(&base.syms, &uncut.db);
    let all = items(&base, target);
    let labels: Vec<String> = all.iter().map(|i| i.label(&base)).collect();
    let specs: Vec<String> = all.iter().map(|i| i.spec(&base)).collect();
    let combos = combinations(all.len(), k);
    let mut disruptions: Vec<Disruption> = combos
        .par_iter()
        .map(|combo| {
            let mut f = base.clone();
            cut_in(&mut f, &ctx, combo.iter().map(|&i| (&all[i], &labels[i])));
            let model = engine::evaluate(&f);
            let d = assess(
                &base,
                &uncut,
                &f,
                &model,
                &ranks,
                combo.iter().map(|&i| labels[i].clone()).collect(),
                combo.iter().map(|&i| specs[i].clone()).collect(),
            );
            tick();
            d
        })
        .collect();
    disruptions.sort_by(|a, b| b.score().cmp(&a.score()).then_with(|| a.cut.cmp(&b.cut)));
    let mut worst_for = BTreeMap::new();
    for k in &ctx.consumers {
        let name = base.syms.name(*k);
        let best = disruptions
            .iter()
            .enumerate()
            .map(|(i, d)| (d.raised_for(name), i))
            .filter(|((n, _, x), _)| *n > 0 || *x > 0)
            // Most levels, then most ranks, then the largest score rise, then the earliest.
            .max_by(|((n1, r1, x1), i1), ((n2, r2, x2), i2)| {
                (n1, r1, x1).cmp(&(n2, r2, x2)).then_with(|| i2.cmp(i1))
            });
        if let Some((_, i)) = best {
            worst_for.insert(name.to_string(), i);
        }
    }
    Sweep {
        target,
        k,
        items: all.len(),
        evaluations: combos.len(),
        disruptions,
        worst_for,
    }
}

/// Compares a cut model with the uncut one.
fn assess(
    base: &Facts,
    uncut: &Model,
    f: &Facts,
    model: &Model,
    ranks: &BTreeMap<String, i64>,
    cut: Vec<String>,
    specs: Vec<String>,
) -> Disruption {
    let a = Side {
        syms: &base.syms,
        db: &uncut.db,
    };
    let b = Side {
        syms: &f.syms,
        db: &model.db,
    };
    let entries: Vec<Entry> = diff::compare(a, b, COMPARED, ranks)
        .into_iter()
        .map(|e| failed_projection(e, a, ranks))
        .collect();
    let mut d = Disruption {
        cut,
        specs,
        raised: 0,
        raised_ranks: 0,
        lowered: 0,
        scores_raised: 0,
        score_raised: 0,
        isolated: Vec::new(),
        cut_off: 0,
        entries: Vec::new(),
    };
    for e in &entries {
        if let Some(x) = score_delta(e).filter(|x| *x > 0) {
            d.scores_raised += 1;
            d.score_raised += x;
        }
        match (e.ranks, &e.kind) {
            (Some((Direction::Raised, n)), _) => {
                d.raised += 1;
                d.raised_ranks += n;
            }
            (Some((Direction::Lowered, _)), _) => d.lowered += 1,
            (None, Kind::Added(row)) if e.rel == rel::ISOLATED => {
                d.isolated
                    .extend(row.first().and_then(Cell::as_sym).map(str::to_string));
            }
            (None, Kind::Added(_)) if e.rel == rel::OPTION_CUT_OFF => d.cut_off += 1,
            _ => {}
        }
    }
    d.entries = entries;
    d
}

pub use crate::diff::score_delta;

/// A projection gone because its initiative failed: its level goes back to today's.
fn failed_projection(e: Entry, uncut: Side<'_>, ranks: &BTreeMap<String, i64>) -> Entry {
    let Kind::Removed(row) = &e.kind else {
        return e;
    };
    if e.rel != rel::PROJECTED_RISK_LEVEL || row.len() != 3 {
        return e;
    }
    let today = uncut.db.rel(rel::INITIATIVE_EFFECT).iter().find_map(|t| {
        let cells: Vec<Cell> = t.iter().map(|v| Cell::of(uncut.syms, v)).collect();
        (cells.len() == 6 && cells[0] == row[0] && cells[1] == row[1] && cells[5] == row[2])
            .then(|| cells[4].clone())
    });
    let Some(today) = today else { return e };
    if today == row[2] {
        return e;
    }
    let after = vec![row[0].clone(), row[1].clone(), today];
    diff::changed(rel::PROJECTED_RISK_LEVEL, row.clone(), after, ranks)
}

//! Step 2b: the aggregates crepe cannot express, computed in Rust and fed to the rules as facts.
//!
//! All work from the input tuples of [`Facts`] (never from the TOML), so a sweep that changes
//! inputs can recompute them without re-parsing. Each computed tuple records the input tuples
//! it was computed from, so explain can show them down to the scenario's facts.
//!
//! - `Hhi(m, s, h)`: Σ share², shares in percent (0–10,000).
//! - `HhiWgi(m, s, x)`: Σ (share as a fraction)² · WGI on the EU's 0–10 scale (10 = poorest
//!   governance, i.e. 10 · (1 − normalised WGI)) · trade factor 1, × 1000. Countries without a
//!   governance figure are left out of the sum.
//! - `TopSupplier(m, s, c, bp)`: the largest share (all tied countries).
//! - `AlignedSupply(k, m, s, bp)`: Σ world share of the consumer itself and the countries `k`
//!   rates ally or partner.
//! - **Reachable supply** (see `Ctx::reach`): `Reach(k, m, s, c, bp)` is the part of supplier
//!   `c`'s share that consumer `k` can obtain:
//!   `share × route × (1 − max(committed elsewhere, rival-owned))`, where `route` is the open
//!   route capacity of a landlocked country with known routes (Σ open route shares / Σ route
//!   shares: with the 90 % route closed, at most 10 % leaves), `committed elsewhere` the summed
//!   `Commitment` of `c`'s output of the mineral × stage to buyers other than `k`, and
//!   `rival-owned` the summed `Ownership` by countries `k` rates rival. It is 0 when `c` bans
//!   exports of the mineral to `k` (an `export_ban` event in force, not suspended, aimed at `k`
//!   or at all) or when every route of `c` is closed, and the whole share when `c` is `k`.
//!   Commitment and ownership may overlap, so the larger of the two is taken (a lower bound on
//!   what is unavailable). `ReachableSupply` and `ReachableAlignedSupply` sum it (over all
//!   suppliers, and over `k` itself and its allies and partners). `LowAlignedSupply` sums the
//!   world share of suppliers `k` rates neutral or rival, plus the rival-owned part of the other
//!   suppliers' output. `LicensedSupply` sums the share of suppliers whose licensing or quota
//!   reaches `k`.
//! - **Supply-risk score** `SupplyRisk(k, m, s, x)`, 0–10,000 (shown as 0–100 %):
//!   `ρ · (w_s·(1 − A) + w_c·H + w_k·K) / (w_s + w_c + w_k)` with `ρ` the reliance that applies to
//!   the stage (its bound for `>50`/`<25`, 0 for a net exporter), `A` the reachable aligned
//!   supply, `H` = HHI / 10,000, `K` = min(1, banned share + licensing_weight · licensed share),
//!   and the weights the params `score_weight_supply`, `score_weight_concentration`,
//!   `score_weight_controls`.
//! - Projections at an initiative's horizon (see `projections`).

use crate::datalog::rel;
use crate::lower::{Facts, InputRef, Origin};
use crate::model::{Sym, Tuple, Value};
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

type Key = (Sym, Sym);
type Input = InputRef;
/// Per (country, mineral, stage): (buyer or owner, share, the input tuple).
type Stakes = FxHashMap<(Sym, Sym, Sym), Vec<(Sym, i64, Input)>>;
/// A landlocked country's route: (via, share, the Transit tuple, the RouteClosed tuple if closed).
type Route = (Sym, i64, Input, Option<Input>);
/// One supplier of a world: (country, share, the `Share` tuple when the share is today's).
type Supplier = (Sym, i64, Option<Input>);
/// A projected world: shares, extra route capacity, offtakes per (consumer, country), inputs.
type World = (
    BTreeMap<Sym, i64>,
    BTreeMap<Sym, i64>,
    BTreeMap<(Sym, Sym), i64>,
    Vec<Input>,
);

fn hhi(shares: impl Iterator<Item = i64>) -> i64 {
    let sum: i128 = shares.map(|bp| (bp as i128) * (bp as i128)).sum();
    ((sum + 5_000) / 10_000) as i64
}

fn t2(a: Value, b: Value) -> Tuple {
    Box::new([a, b])
}
fn t3(a: Value, b: Value, c: Value) -> Tuple {
    Box::new([a, b, c])
}
fn t4(a: Value, b: Value, c: Value, d: Value) -> Tuple {
    Box::new([a, b, c, d])
}

/// `a · b / d`, rounded, without overflow.
fn muldiv(a: i64, b: i64, d: i64) -> i64 {
    if d == 0 {
        return 0;
    }
    let (a, b, d) = (a as i128, b as i128, d as i128);
    ((a * b + d / 2) / d) as i64
}

/// Everything the computed relations read, indexed once.
struct Ctx {
    /// Whether the facts keep origins ([`Facts::keeps_origins`]): without them no inputs are
    /// listed.
    trace: bool,
    shares: BTreeMap<Key, Vec<Supplier>>,
    governance: FxHashMap<Sym, (i64, Input)>,
    aligned: FxHashMap<Sym, FxHashSet<Sym>>,
    low: FxHashMap<Sym, FxHashSet<Sym>>,
    rival: FxHashMap<Sym, FxHashSet<Sym>>,
    alignment: FxHashMap<(Sym, Sym), Input>,
    consumers: BTreeSet<Sym>,
    /// (k, m, s) → (reliance value for the score, the Reliance tuple that applies).
    reliance: FxHashMap<(Sym, Sym, Sym), (i64, Input)>,
    /// (c, m, k) → the Event tuple of a ban in force (and a suspension-free one).
    bans: FxHashMap<(Sym, Sym, Sym), Input>,
    /// (c, m, k) → the Event tuple of a licensing or quota regime in force.
    throttles: FxHashMap<(Sym, Sym, Sym), Input>,
    landlocked: FxHashSet<Sym>,
    routes: FxHashMap<Sym, Vec<Route>>,
    commitments: Stakes,
    ownership: Stakes,
    params: FxHashMap<String, (i64, Input)>,
}

impl Ctx {
    fn read(facts: &Facts) -> Ctx {
        let syms = &facts.syms;
        let db = &facts.db;
        let word = |w: &str| syms.get(w);
        let at = |r: usize, i: usize| InputRef::new(r, i);
        let mut shares: BTreeMap<Key, Vec<Supplier>> = BTreeMap::new();
        for (i, t) in db.rel(rel::SHARE).iter().enumerate() {
            shares.entry((t[0].sym(), t[1].sym())).or_default().push((
                t[2].sym(),
                t[3].num(),
                Some(at(rel::SHARE, i)),
            ));
        }
        let governance = db
            .rel(rel::GOVERNANCE)
            .iter()
            .enumerate()
            .map(|(i, t)| (t[0].sym(), (t[1].num(), at(rel::GOVERNANCE, i))))
            .collect();
        let (ally, partner, neutral, rival_w) = (
            word("ally"),
            word("partner"),
            word("neutral"),
            word("rival"),
        );
        let mut aligned: FxHashMap<Sym, FxHashSet<Sym>> = FxHashMap::default();
        let mut low: FxHashMap<Sym, FxHashSet<Sym>> = FxHashMap::default();
        let mut rival: FxHashMap<Sym, FxHashSet<Sym>> = FxHashMap::default();
        let mut alignment = FxHashMap::default();
        for (i, t) in db.rel(rel::ALIGNMENT).iter().enumerate() {
            let (k, c, l) = (t[0].sym(), t[1].sym(), Some(t[2].sym()));
            alignment.insert((k, c), at(rel::ALIGNMENT, i));
            if l == ally || l == partner {
                aligned.entry(k).or_default().insert(c);
            }
            if l == neutral || l == rival_w {
                low.entry(k).or_default().insert(c);
            }
            if l == rival_w {
                rival.entry(k).or_default().insert(c);
            }
        }
        let consumers: BTreeSet<Sym> = db.rel(rel::RELIANCE).iter().map(|t| t[0].sym()).collect();
        // The figure that applies to a stage: the stage's own, else the all-forms one (as the
        // rules `RelianceAt` choose).
        let stages: Vec<Sym> = db.rel(rel::STAGE).iter().map(|t| t[0].sym()).collect();
        let all = word("all");
        let net_exporter = word("net_exporter");
        let mut reliance = FxHashMap::default();
        for (i, t) in db.rel(rel::RELIANCE).iter().enumerate() {
            let (k, m, s) = (t[0].sym(), t[1].sym(), t[2].sym());
            let v = if Some(t[3].sym()) == net_exporter {
                0
            } else {
                t[4].num().clamp(0, 10_000)
            };
            if Some(s) == all {
                for &st in &stages {
                    reliance
                        .entry((k, m, st))
                        .or_insert((v, at(rel::RELIANCE, i)));
                }
            } else {
                reliance.insert((k, m, s), (v, at(rel::RELIANCE, i)));
            }
        }
        // Stage figures replace all-forms ones whichever came first.
        for (i, t) in db.rel(rel::RELIANCE).iter().enumerate() {
            let (k, m, s) = (t[0].sym(), t[1].sym(), t[2].sym());
            if Some(s) != all {
                let v = if Some(t[3].sym()) == net_exporter {
                    0
                } else {
                    t[4].num().clamp(0, 10_000)
                };
                reliance.insert((k, m, s), (v, at(rel::RELIANCE, i)));
            }
        }
        let suspended: BTreeSet<Sym> = db.rel(rel::SUSPENDS).iter().map(|t| t[1].sym()).collect();
        let (ban, lic, quota) = (
            word("export_ban"),
            word("export_licensing"),
            word("export_quota"),
        );
        let mut bans = FxHashMap::default();
        let mut throttles = FxHashMap::default();
        for (i, t) in db.rel(rel::EVENT).iter().enumerate() {
            if suspended.contains(&t[0].sym()) {
                continue;
            }
            let (c, kind, m, target) = (t[1].sym(), Some(t[2].sym()), t[3].sym(), t[4].sym());
            let targets: Vec<Sym> = if Some(target) == all {
                consumers.iter().copied().collect()
            } else if consumers.contains(&target) {
                vec![target]
            } else {
                Vec::new()
            };
            for k in targets {
                if kind == ban {
                    bans.entry((c, m, k)).or_insert(at(rel::EVENT, i));
                } else if kind == lic || kind == quota {
                    throttles.entry((c, m, k)).or_insert(at(rel::EVENT, i));
                }
            }
        }
        let landlocked = db.rel(rel::LANDLOCKED).iter().map(|t| t[0].sym()).collect();
        let mut closed: FxHashMap<(Sym, Sym), Input> = FxHashMap::default();
        for (i, t) in db.rel(rel::ROUTE_CLOSED).iter().enumerate() {
            closed
                .entry((t[0].sym(), t[1].sym()))
                .or_insert(at(rel::ROUTE_CLOSED, i));
        }
        let mut routes: FxHashMap<Sym, Vec<Route>> = FxHashMap::default();
        for (i, t) in db.rel(rel::TRANSIT).iter().enumerate() {
            let (c, v) = (t[0].sym(), t[1].sym());
            routes.entry(c).or_default().push((
                v,
                t[2].num(),
                at(rel::TRANSIT, i),
                closed.get(&(c, v)).copied(),
            ));
        }
        let stakes = |relation: usize| {
            let mut out: Stakes = FxHashMap::default();
            for (i, t) in db.rel(relation).iter().enumerate() {
                out.entry((t[0].sym(), t[1].sym(), t[2].sym()))
                    .or_default()
                    .push((t[3].sym(), t[4].num(), at(relation, i)));
            }
            out
        };
        let commitments = stakes(rel::COMMITMENT);
        let ownership = stakes(rel::OWNERSHIP);
        let params = db
            .rel(rel::PARAM)
            .iter()
            .enumerate()
            .map(|(i, t)| {
                (
                    syms.name(t[0].sym()).to_string(),
                    (t[1].num(), at(rel::PARAM, i)),
                )
            })
            .collect();
        Ctx {
            trace: facts.keeps_origins,
            shares,
            governance,
            aligned,
            low,
            rival,
            alignment,
            consumers,
            reliance,
            bans,
            throttles,
            landlocked,
            routes,
            commitments,
            ownership,
            params,
        }
    }

    /// A computed tuple's origin; when the facts keep no origins, a placeholder that
    /// [`crate::lower::Built`] drops, so no list of inputs is copied (at 10⁶ facts, one per reach tuple).
    fn computed(&self, formula: &'static str, inputs: impl Into<Arc<[Input]>>) -> Origin {
        if self.trace {
            Origin::Computed {
                formula,
                inputs: inputs.into(),
            }
        } else {
            Origin::Fact(usize::MAX)
        }
    }

    fn param(&self, name: &str, inputs: &mut Vec<Input>) -> i64 {
        match self.params.get(name) {
            Some(&(v, t)) => {
                inputs.push(t);
                v
            }
            None => crate::params::spec(name)
                .map_or(0, |p| crate::params::to_rule_value(name, p.default)),
        }
    }

    fn is_aligned(&self, k: Sym, c: Sym) -> bool {
        c == k || self.aligned.get(&k).is_some_and(|s| s.contains(&c))
    }

    fn alignment_input(&self, k: Sym, c: Sym, inputs: &mut Vec<Input>) {
        if let Some(&t) = self.alignment.get(&(k, c)) {
            inputs.push(t);
        }
    }

    /// The part of `c`'s share `bp` of `m × s` that `k` can reach. `extra_route` adds open
    /// route capacity (bp of the country's exports, from initiatives); `offtake` is the share
    /// of `c`'s output directed toward `k` (from initiatives), which stays available whatever
    /// else is committed.
    #[allow(clippy::too_many_arguments)]
    fn reach(
        &self,
        k: Sym,
        m: Sym,
        s: Sym,
        c: Sym,
        bp: i64,
        extra_route: i64,
        offtake: i64,
        inputs: &mut Vec<Input>,
    ) -> i64 {
        if c == k {
            return bp;
        }
        if let Some(&t) = self.bans.get(&(c, m, k)) {
            inputs.push(t);
            return 0;
        }
        let mut route = (10_000i64, 10_000i64);
        if self.landlocked.contains(&c)
            && let Some(rs) = self.routes.get(&c)
        {
            let total: i64 = rs.iter().map(|r| r.1).sum();
            let open: i64 = rs
                .iter()
                .filter(|r| r.3.is_none())
                .map(|r| r.1)
                .sum::<i64>()
                + extra_route;
            for &(_, _, t, closed) in rs {
                inputs.push(t);
                inputs.extend(closed);
            }
            if total > 0 {
                route = (open.min(total), total);
            }
        }
        let committed: i64 = self
            .commitments
            .get(&(c, m, s))
            .map(|v| {
                v.iter()
                    .filter(|(to, _, _)| *to != k)
                    .map(|&(_, p, t)| {
                        inputs.push(t);
                        p
                    })
                    .sum()
            })
            .unwrap_or(0);
        let owned: i64 = self
            .rival_stakes(k, m, s, c)
            .map(|&(o, p, t)| {
                inputs.push(t);
                self.alignment_input(k, o, inputs);
                p
            })
            .sum();
        let unavailable = committed.max(owned).clamp(0, 10_000);
        let available = (10_000 - unavailable).max(offtake.clamp(0, 10_000));
        muldiv(muldiv(bp, route.0, route.1), available, 10_000)
    }

    /// The stakes in `c`'s output of `m` at `s` held by owners `k` rates a rival.
    fn rival_stakes(
        &self,
        k: Sym,
        m: Sym,
        s: Sym,
        c: Sym,
    ) -> impl Iterator<Item = &(Sym, i64, Input)> {
        let rivals = self.rival.get(&k);
        self.ownership
            .get(&(c, m, s))
            .into_iter()
            .flatten()
            .filter(move |(o, _, _)| rivals.is_some_and(|r| r.contains(o)))
    }

    /// The rival-owned part of `c`'s share, for a supplier `k` does not already count as low.
    fn rival_owned(&self, k: Sym, m: Sym, s: Sym, c: Sym, bp: i64, inputs: &mut Vec<Input>) -> i64 {
        let owned: i64 = self
            .rival_stakes(k, m, s, c)
            .map(|&(_, p, t)| {
                inputs.push(t);
                p
            })
            .sum();
        muldiv(bp, owned.clamp(0, 10_000), 10_000)
    }

    /// Reachable, aligned, low-alignment and licensed supply of one consumer × mineral × stage
    /// over a world of shares, with their inputs.
    fn supply(
        &self,
        k: Sym,
        m: Sym,
        s: Sym,
        world: &[Supplier],
        extra_route: &BTreeMap<Sym, i64>,
        offtake: &BTreeMap<Sym, i64>,
    ) -> Supply {
        let mut out = Supply::default();
        let low = self.low.get(&k);
        // Without origins the inputs go to one reused list, not one new list per supplier.
        let mut scratch = Vec::new();
        for &(c, bp, share) in world {
            let mut inp: Vec<Input> = if self.trace {
                share.into_iter().collect()
            } else {
                scratch.clear();
                std::mem::take(&mut scratch)
            };
            let r = self.reach(
                k,
                m,
                s,
                c,
                bp,
                extra_route.get(&c).copied().unwrap_or(0),
                offtake.get(&c).copied().unwrap_or(0),
                &mut inp,
            );
            out.reachable += r;
            if self.is_aligned(k, c) {
                out.aligned += r;
                self.alignment_input(k, c, &mut inp);
            }
            if c != k && low.is_some_and(|l| l.contains(&c)) {
                out.low += bp;
                self.alignment_input(k, c, &mut inp);
            } else if c != k {
                out.low += self.rival_owned(k, m, s, c, bp, &mut inp);
            }
            if self.bans.contains_key(&(c, m, k)) {
                out.banned += bp;
            } else if let Some(&t) = self.throttles.get(&(c, m, k)) {
                out.licensed += bp;
                inp.push(t);
            }
            if self.trace {
                out.inputs.extend(inp.iter().copied());
                out.per_supplier.push((c, r, inp));
            } else {
                out.per_supplier.push((c, r, Vec::new()));
                scratch = inp;
            }
        }
        out
    }

    /// The supply-risk score (0–10,000) and its inputs.
    fn score(&self, k: Sym, m: Sym, s: Sym, sup: &Supply, h: i64) -> Option<(i64, Vec<Input>)> {
        let &(rho, rt) = self.reliance.get(&(k, m, s))?;
        let mut inputs = vec![rt];
        let ws = self.param("score_weight_supply", &mut inputs);
        let wc = self.param("score_weight_concentration", &mut inputs);
        let wk = self.param("score_weight_controls", &mut inputs);
        let lw = self.param("licensing_weight", &mut inputs);
        let a = sup.aligned.clamp(0, 10_000);
        let control = (sup.banned + muldiv(sup.licensed, lw, 10_000)).clamp(0, 10_000);
        let wsum = ws + wc + wk;
        let mix = if wsum > 0 {
            (ws as i128 * (10_000 - a) as i128
                + wc as i128 * h.clamp(0, 10_000) as i128
                + wk as i128 * control as i128)
                / wsum as i128
        } else {
            0
        } as i64;
        Some((muldiv(rho, mix, 10_000), inputs))
    }
}

#[derive(Default)]
struct Supply {
    reachable: i64,
    aligned: i64,
    low: i64,
    licensed: i64,
    banned: i64,
    inputs: Vec<Input>,
    per_supplier: Vec<(Sym, i64, Vec<Input>)>,
}

const SCORE_FORMULA: &str = "score = reliance · (w_supply·(1 − reachable aligned) + w_concentration·HHI/10000 + w_controls·min(1, banned + licensing_weight·licensed)) / (Σ w)";

/// Recomputes every computed relation from the input tuples.
pub fn compute(facts: &mut Facts) {
    let ctx = Ctx::read(facts);
    let at = InputRef::new;

    let mut hhis = facts.build();
    let mut wgis = facts.build();
    let mut tops = facts.build();
    let mut aligned_out = facts.build();
    // A third of all tuples at 10^5 facts: packed when nothing lists it.
    let mut reach_out = facts.build_rel(rel::REACH);
    let mut reachable_out = facts.build();
    let mut reach_aligned_out = facts.build();
    let mut low_out = facts.build();
    let mut licensed_out = facts.build();
    let mut score_out = facts.build();
    let none = BTreeMap::new();
    for (&(m, s), shares) in &ctx.shares {
        let inputs: Arc<[Input]> = shares.iter().filter_map(|x| x.2).collect();
        let h = hhi(shares.iter().map(|&(_, bp, _)| bp));
        let hhi_ref = at(rel::HHI, hhis.len());
        hhis.push(
            t3(Value::Sym(m), Value::Sym(s), Value::Num(h)),
            ctx.computed("HHI = Σ share², shares in percent", inputs.clone()),
        );
        let mut wgi_inputs = Vec::new();
        let mut x = 0.0f64;
        for &(c, bp, share) in shares {
            if let Some(&(g, gt)) = ctx.governance.get(&c) {
                let frac = bp as f64 / 10_000.0;
                x += frac * frac * 10.0 * (1.0 - g as f64 / 10_000.0);
                wgi_inputs.extend(share);
                wgi_inputs.push(gt);
            }
        }
        wgis.push(
            t3(
                Value::Sym(m),
                Value::Sym(s),
                Value::Num((x * 1000.0).round() as i64),
            ),
            ctx.computed(
                "HHI_WGI = Σ (share as fraction)² · 10·(1 − WGI), × 1000",
                wgi_inputs,
            ),
        );
        let max = shares.iter().map(|&(_, bp, _)| bp).max().unwrap_or(0);
        for &(c, bp, _) in shares.iter().filter(|&&(_, bp, _)| bp == max) {
            tops.push(
                t4(Value::Sym(m), Value::Sym(s), Value::Sym(c), Value::Num(bp)),
                ctx.computed("the largest share of this mineral × stage", inputs.clone()),
            );
        }
        for &k in &ctx.consumers {
            let mut sum = 0;
            let mut used = Vec::new();
            for &(c, bp, share) in shares {
                if ctx.is_aligned(k, c) {
                    sum += bp;
                    used.extend(share);
                    ctx.alignment_input(k, c, &mut used);
                }
            }
            let key = |v: i64| t4(Value::Sym(k), Value::Sym(m), Value::Sym(s), Value::Num(v));
            aligned_out.push(
                key(sum),
                ctx.computed(
                    "Σ share of the consumer itself and the countries it rates ally or partner",
                    used,
                ),
            );
            let mut sup = ctx.supply(k, m, s, shares, &none, &none);
            let mut reach_inputs =
                Vec::with_capacity(if ctx.trace { sup.per_supplier.len() } else { 0 });
            let mut aligned_inputs = Vec::new();
            for (c, r, inp) in std::mem::take(&mut sup.per_supplier) {
                let this = at(rel::REACH, reach_out.len());
                if ctx.trace {
                    reach_inputs.push(this);
                    if ctx.is_aligned(k, c) {
                        aligned_inputs.push(this);
                    }
                }
                reach_out.push_values(
                    &[
                        Value::Sym(k),
                        Value::Sym(m),
                        Value::Sym(s),
                        Value::Sym(c),
                        Value::Num(r),
                    ],
                    ctx.computed(
                        "reach = share × open route capacity × (1 − max(committed to other buyers, owned by rivals)); 0 under a ban or when isolated; all of the consumer's own output",
                        inp,
                    ),
                );
            }
            reachable_out.push(
                key(sup.reachable),
                ctx.computed("Σ reach over every supplier", reach_inputs),
            );
            let ra_ref = at(rel::REACHABLE_ALIGNED_SUPPLY, reach_aligned_out.len());
            reach_aligned_out.push(
                key(sup.aligned),
                ctx.computed(
                    "Σ reach over the consumer itself and the countries it rates ally or partner",
                    aligned_inputs,
                ),
            );
            // Both sums rest on every supplier's inputs: one shared list.
            let sup_inputs: Arc<[Input]> = std::mem::take(&mut sup.inputs).into();
            low_out.push(
                key(sup.low),
                ctx.computed(
                    "Σ share of suppliers rated neutral or rival + the rival-owned part of the others' output",
                    sup_inputs.clone(),
                ),
            );
            licensed_out.push(
                key(sup.licensed),
                ctx.computed(
                    "Σ share of suppliers whose export licensing or quota reaches the consumer",
                    sup_inputs.clone(),
                ),
            );
            if let Some((x, mut inp)) = ctx.score(k, m, s, &sup, h) {
                inp.push(ra_ref);
                inp.push(hhi_ref);
                inp.extend(
                    sup_inputs
                        .iter()
                        .filter(|r| r.rel as usize == rel::EVENT)
                        .copied(),
                );
                score_out.push(key(x), ctx.computed(SCORE_FORMULA, inp));
            }
        }
    }
    facts.put(rel::HHI, hhis);
    facts.put(rel::HHI_WGI, wgis);
    facts.put(rel::TOP_SUPPLIER, tops);
    facts.put(rel::ALIGNED_SUPPLY, aligned_out);
    facts.put(rel::REACH, reach_out);
    facts.put(rel::REACHABLE_SUPPLY, reachable_out);
    facts.put(rel::REACHABLE_ALIGNED_SUPPLY, reach_aligned_out);
    facts.put(rel::LOW_ALIGNED_SUPPLY, low_out);
    facts.put(rel::LICENSED_SUPPLY, licensed_out);
    facts.put(rel::SUPPLY_RISK, score_out);
    projections(facts, &ctx);
    // Every relation in reading order, so evaluations need not sort the inputs.
    crate::memory::return_pages();
    facts.sort();
}

/// A live initiative, as the projections read it.
struct Init {
    id: Sym,
    partnership: Sym,
    mineral: Sym,
    stage: Sym,
    country: Sym,
    start: i64,
    horizon: i64,
    status: Sym,
    capacity: i64,
    offtake: i64,
    route: Option<(Sym, i64)>,
    years: i64,
    inputs: Vec<Input>,
    /// What its kind pulls ([`lever_of`]), and whether it is an infrastructure investment
    /// (routes) or a joint venture or trade mission (offtakes): read once, not per pair.
    lever: &'static str,
    infra: bool,
    offtake_kind: bool,
}

/// Which lever each kind pulls (mirrors `KindLever` in rules/60_initiatives.dl).
fn lever_of(kind: &str) -> &'static str {
    match kind {
        "infrastructure_investment" | "joint_venture" => "capacity",
        "trade_mission" => "offtake",
        "bilateral_investment_treaty"
        | "regulatory_support"
        | "workforce_development"
        | "research_development" => "years",
        "environmental_protection" | "policy_dialogue" | "task_force" => "confidence",
        _ => "",
    }
}

/// The tuples of a relation keyed by their first field (an initiative id: one tuple each),
/// with their references.
fn by_first(facts: &Facts, relation: usize) -> BTreeMap<Sym, (&[Value], Input)> {
    facts
        .db
        .rel(relation)
        .iter()
        .enumerate()
        .map(|(i, t)| (t[0].sym(), (&t[..], InputRef::new(relation, i))))
        .collect()
}

/// Projections at each live initiative's horizon:
///
/// - each live initiative `j` has an **effective horizon**: its horizon minus the years saved by
///   live years initiatives (investment treaty, regulatory support, workforce, R&D) on the same
///   mineral and country that start no later, never before its start (`EffectiveHorizon`);
/// - the world at initiative `i`'s effective horizon adds, for every live capacity initiative
///   `j` on `i`'s mineral × stage due by then, `capacity_j × confidence_j`, and renormalises to
///   100 %. `confidence_j` is `confidence_active` for an active or completed project, else
///   `confidence_proposed`, plus `confidence_step` for each live confidence initiative
///   (environmental protection, policy dialogue, task force) on the same mineral and country,
///   at most 100 %;
/// - route initiatives due by then add their route capacity to the country's open routes; offtake
///   initiatives due by then keep their offtake share of the country's output reachable for the
///   partnership's consumers;
/// - `Projected*Without` is the same world without initiative `i` itself, so the difference is
///   `i`'s own effect.
fn projections(facts: &mut Facts, ctx: &Ctx) {
    let syms = &facts.syms;
    let failed = syms.get("failed");
    let plans = by_first(facts, rel::INITIATIVE_PLAN);
    let offtakes = by_first(facts, rel::INITIATIVE_OFFTAKE);
    let routes = by_first(facts, rel::INITIATIVE_ROUTE);
    let years = by_first(facts, rel::INITIATIVE_YEARS_SAVED);
    let mut members: BTreeMap<Sym, BTreeSet<Sym>> = BTreeMap::new();
    for t in facts.db.rel(rel::MEMBER) {
        members.entry(t[0].sym()).or_default().insert(t[1].sym());
    }
    let mut inits: Vec<Init> = Vec::new();
    for (n, t) in facts.db.rel(rel::INITIATIVE).iter().enumerate() {
        let id = t[0].sym();
        let Some(&(plan, plan_ref)) = plans.get(&id) else {
            continue;
        };
        if Some(plan[3].sym()) == failed {
            continue;
        }
        let kind = syms.name(t[2].sym());
        let mut inputs = vec![InputRef::new(rel::INITIATIVE, n), plan_ref];
        let offtake = offtakes.get(&id).map_or(0, |&(o, r)| {
            inputs.push(r);
            o[1].num()
        });
        let route = routes.get(&id).map(|&(o, r)| {
            inputs.push(r);
            (o[1].sym(), o[2].num())
        });
        let yrs = years.get(&id).map_or(0, |&(o, r)| {
            inputs.push(r);
            o[1].num()
        });
        inits.push(Init {
            id,
            partnership: t[1].sym(),
            mineral: t[3].sym(),
            stage: t[4].sym(),
            country: t[5].sym(),
            start: plan[1].num(),
            horizon: plan[2].num(),
            status: plan[3].sym(),
            capacity: plan[4].num(),
            offtake,
            route,
            years: yrs,
            inputs,
            lever: lever_of(kind),
            infra: kind == "infrastructure_investment",
            offtake_kind: matches!(kind, "joint_venture" | "trade_mission"),
        });
    }
    // The confidence initiatives on each mineral × country, in initiative order.
    let mut boosters: FxHashMap<(Sym, Sym), Vec<&Init>> = FxHashMap::default();
    for c in inits.iter().filter(|c| c.lever == "confidence") {
        boosters.entry((c.mineral, c.country)).or_default().push(c);
    }
    let mut pinputs = Vec::new();
    let conf_active = ctx.param("confidence_active", &mut pinputs);
    let conf_proposed = ctx.param("confidence_proposed", &mut pinputs);
    let conf_step = ctx.param("confidence_step", &mut pinputs);
    let active = [syms.get("active"), syms.get("completed")];

    // Effective horizons (years initiatives bring projects forward).
    let mut eff: BTreeMap<Sym, (i64, Vec<Input>)> = BTreeMap::new();
    for j in &inits {
        let mut inp = j.inputs.clone();
        let saved: i64 = inits
            .iter()
            .filter(|y| {
                y.lever == "years"
                    && y.id != j.id
                    && y.mineral == j.mineral
                    && y.country == j.country
                    && y.start <= j.horizon
            })
            .map(|y| {
                inp.extend(y.inputs.iter().copied());
                y.years.max(0)
            })
            .sum();
        eff.insert(j.id, ((j.horizon - saved).max(j.start), inp));
    }
    let mut eff_out = facts.build();
    for (&i, (h, inp)) in &eff {
        eff_out.push(
            t2(Value::Sym(i), Value::Num(*h)),
            ctx.computed(
                "effective horizon = horizon − Σ years saved by live years initiatives on the same mineral and country, not before the start",
                inp.clone(),
            ),
        );
    }
    let horizon_of = |i: &Init| eff.get(&i.id).map_or(i.horizon, |e| e.0);
    let horizons: Vec<i64> = inits.iter().map(horizon_of).collect();

    let mut shares_out = facts.build();
    let mut hhi_out = facts.build();
    let mut aligned_out = facts.build();
    let mut reach_aligned_out = facts.build();
    let mut reach_aligned_without = facts.build();
    let mut low_out = facts.build();
    let mut score_out = facts.build();
    let mut score_without = facts.build();
    for i in &inits {
        let h_i = horizon_of(i);
        let (m, s) = (i.mineral, i.stage);
        // The world at i's horizon, with (true) and without (false) i.
        let world = |with: bool| -> World {
            let mut inputs: Vec<Input> = pinputs.clone();
            let today = ctx.shares.get(&(m, s)).map_or(&[][..], Vec::as_slice);
            let mut w: BTreeMap<Sym, i64> = today.iter().map(|&(c, bp, _)| (c, bp)).collect();
            // In country order, as the world's shares are listed.
            let mut share_refs: Vec<(Sym, Input)> = today
                .iter()
                .filter_map(|&(c, _, r)| Some((c, r?)))
                .collect();
            share_refs.sort_by_key(|&(c, _)| c);
            inputs.extend(share_refs.into_iter().map(|(_, r)| r));
            inputs.extend(i.inputs.iter().copied());
            let mut added = 0i64;
            let mut extra_route: BTreeMap<Sym, i64> = BTreeMap::new();
            let mut offtake: BTreeMap<(Sym, Sym), i64> = BTreeMap::new();
            for (j, &h_j) in inits.iter().zip(&horizons) {
                if (!with && j.id == i.id) || h_j > h_i {
                    continue;
                }
                if j.mineral == m && j.stage == s && j.capacity > 0 && j.lever == "capacity" {
                    let boosts = boosters
                        .get(&(j.mineral, j.country))
                        .into_iter()
                        .flatten()
                        .filter(|c| with || c.id != i.id)
                        .inspect(|c| inputs.extend(c.inputs.iter().copied()))
                        .count() as i64;
                    let base = if active.contains(&Some(j.status)) {
                        conf_active
                    } else {
                        conf_proposed
                    };
                    let conf = (base + boosts * conf_step).clamp(0, 10_000);
                    let cap = muldiv(j.capacity, conf, 10_000);
                    *w.entry(j.country).or_insert(0) += cap;
                    added += cap;
                    inputs.extend(j.inputs.iter().copied());
                }
                if let Some((_, r)) = j.route
                    && j.infra
                {
                    *extra_route.entry(j.country).or_insert(0) += r;
                    inputs.extend(j.inputs.iter().copied());
                }
                if j.offtake > 0 && j.mineral == m && j.stage == s && j.offtake_kind {
                    for &k in members.get(&j.partnership).into_iter().flatten() {
                        let e = offtake.entry((k, j.country)).or_insert(0);
                        *e = (*e).max(j.offtake);
                    }
                    inputs.extend(j.inputs.iter().copied());
                }
            }
            let total = 10_000 + added;
            let scaled: BTreeMap<Sym, i64> = w
                .iter()
                .map(|(&c, &bp)| (c, muldiv(bp, 10_000, total)))
                .collect();
            (scaled, extra_route, offtake, inputs)
        };
        let (scaled, extra_route, offtake, inputs) = world(true);
        let (scaled0, extra_route0, offtake0, inputs0) = world(false);
        let origin = ctx.computed(
            "shares at the horizon: today's shares plus capacity × confidence of live initiatives due by then, renormalised to 100%; new routes and offtakes due by then",
            inputs.clone(),
        );
        let origin0 = ctx.computed(
            "the same world at the horizon without this initiative",
            inputs0.clone(),
        );
        for (&c, &bp) in &scaled {
            shares_out.push(
                t3(Value::Sym(i.id), Value::Sym(c), Value::Num(bp)),
                origin.clone(),
            );
        }
        let h = hhi(scaled.values().copied());
        hhi_out.push(t2(Value::Sym(i.id), Value::Num(h)), origin.clone());
        let h0 = hhi(scaled0.values().copied());
        let consumers: Vec<Sym> = ctx.consumers.iter().copied().collect();
        for k in consumers {
            let sum: i64 = scaled
                .iter()
                .filter(|(c, _)| ctx.is_aligned(k, **c))
                .map(|(_, bp)| bp)
                .sum();
            aligned_out.push(
                t3(Value::Sym(k), Value::Sym(i.id), Value::Num(sum)),
                origin.clone(),
            );
            if !members.get(&i.partnership).is_some_and(|p| p.contains(&k)) {
                continue;
            }
            let for_k = |o: &BTreeMap<(Sym, Sym), i64>| -> BTreeMap<Sym, i64> {
                o.iter()
                    .filter(|((kk, _), _)| *kk == k)
                    .map(|((_, c), v)| (*c, *v))
                    .collect()
            };
            let world_v: Vec<Supplier> = scaled.iter().map(|(&c, &b)| (c, b, None)).collect();
            let world_v0: Vec<Supplier> = scaled0.iter().map(|(&c, &b)| (c, b, None)).collect();
            let sup = ctx.supply(k, m, s, &world_v, &extra_route, &for_k(&offtake));
            let sup0 = ctx.supply(k, m, s, &world_v0, &extra_route0, &for_k(&offtake0));
            let row = |v: i64| t3(Value::Sym(k), Value::Sym(i.id), Value::Num(v));
            reach_aligned_out.push(row(sup.aligned), origin.clone());
            reach_aligned_without.push(row(sup0.aligned), origin0.clone());
            low_out.push(row(sup.low), origin.clone());
            if let Some((x, mut inp)) = ctx.score(k, m, s, &sup, h) {
                inp.extend(inputs.iter().copied());
                score_out.push(row(x), ctx.computed(SCORE_FORMULA, inp));
            }
            if let Some((x, mut inp)) = ctx.score(k, m, s, &sup0, h0) {
                inp.extend(inputs0.iter().copied());
                score_without.push(row(x), ctx.computed(SCORE_FORMULA, inp));
            }
        }
    }
    facts.put(rel::EFFECTIVE_HORIZON, eff_out);
    facts.put(rel::PROJECTED_SHARE, shares_out);
    facts.put(rel::PROJECTED_HHI, hhi_out);
    facts.put(rel::PROJECTED_ALIGNED_SUPPLY, aligned_out);
    facts.put(rel::PROJECTED_REACHABLE_ALIGNED_SUPPLY, reach_aligned_out);
    facts.put(
        rel::PROJECTED_REACHABLE_ALIGNED_SUPPLY_WITHOUT,
        reach_aligned_without,
    );
    facts.put(rel::PROJECTED_LOW_ALIGNED_SUPPLY, low_out);
    facts.put(rel::PROJECTED_SUPPLY_RISK, score_out);
    facts.put(rel::PROJECTED_SUPPLY_RISK_WITHOUT, score_without);
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::{hhi, muldiv};
    use crate::datalog::rel;
    use crate::lower::{self, Origin};
    use crate::scenario::{self, BASELINE_NAME, BASELINE_TEXT};

    /// Lowering without origins gives the same tuples, in the same order, and keeps no origin.
    #[test]
    fn facts_lowered_without_origins_are_the_same_tuples() {
        let s = scenario::load_str(BASELINE_NAME, BASELINE_TEXT, None).unwrap();
        let with = lower::lower(&s, &lower::Options::default()).unwrap();
        let opts = lower::Options {
            skip_origins: true,
            ..lower::Options::default()
        };
        let without = lower::lower(&s, &opts).unwrap();
        assert_eq!(with.db, without.db);
        // With origins, every input tuple has one, computed relations included.
        for r in 0..with.origins.len() {
            assert_eq!(with.origins[r].len(), with.db.rel(r).len(), "relation {r}");
        }
        assert!(!with.origins[rel::REACH].is_empty());
        assert!(without.origins.iter().all(Vec::is_empty));
        assert_eq!(with.syms.names(), without.syms.names());
    }

    /// After lowering (and so after `Facts::sort` moved the tuples), every reference a computed
    /// tuple holds still names the tuple it was computed from.
    #[test]
    fn computed_inputs_name_their_tuples_after_sorting() {
        let s = scenario::load_str(BASELINE_NAME, BASELINE_TEXT, None).unwrap();
        let f = lower::lower(&s, &lower::Options::default()).unwrap();
        let ranks = f.syms.ranks();
        for r in 0..f.db.len() {
            assert!(ranks.is_sorted(f.db.rel(r)), "relation {r} is not sorted");
        }
        let (reach, origins) = (f.db.rel(rel::REACH), &f.origins[rel::REACH]);
        assert!(!reach.is_empty());
        for (t, o) in reach.iter().zip(origins) {
            let Origin::Computed { inputs, .. } = o else {
                panic!("reach without a computed origin")
            };
            // The first input is the supplier's share: (mineral, stage, country) as in reach.
            let share = f.input(inputs[0]).unwrap();
            assert_eq!(inputs[0].rel as usize, rel::SHARE);
            assert_eq!(share[..3], t[1..4]);
        }
        // Each reachable-supply sum names exactly the reach tuples of its consumer × mineral ×
        // stage, and sums them.
        for (t, o) in
            f.db.rel(rel::REACHABLE_SUPPLY)
                .iter()
                .zip(&f.origins[rel::REACHABLE_SUPPLY])
        {
            let Origin::Computed { inputs, .. } = o else {
                panic!("reachable supply without a computed origin")
            };
            let mut sum = 0;
            for &i in inputs.iter() {
                assert_eq!(i.rel as usize, rel::REACH);
                let r = f.input(i).unwrap();
                assert_eq!(r[..3], t[..3]);
                sum += r[4].num();
            }
            assert_eq!(sum, t[3].num());
        }
    }

    #[test]
    fn hhi_of_a_monopoly_is_ten_thousand() {
        assert_eq!(hhi([10_000].into_iter()), 10_000);
    }

    #[test]
    fn hhi_sums_squared_percent_shares() {
        // 60% and 40%: 3600 + 1600.
        assert_eq!(hhi([6_000, 4_000].into_iter()), 5_200);
        // 93.8%: 8798.44 → 8798.
        assert_eq!(hhi([9_380].into_iter()), 8_798);
    }

    #[test]
    fn hhi_of_nothing_is_zero() {
        assert_eq!(hhi(std::iter::empty()), 0);
    }

    #[test]
    fn a_closed_ninety_percent_route_leaves_a_tenth() {
        // 15 % of world output, 10 % of the route capacity open, 12 % uncommitted.
        assert_eq!(muldiv(muldiv(1_500, 1_000, 10_000), 1_200, 10_000), 18);
    }
}

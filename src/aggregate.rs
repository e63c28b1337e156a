//! Step 2b: the aggregates crepe cannot express, computed in Rust and fed to the rules as facts.
//!
//! All work from the input tuples of [`Facts`] (never from the TOML), so a sweep that changes
//! inputs can recompute them without re-parsing. Each computed tuple records the input tuples
//! it was computed from, so explain can show them.
//!
//! - `Hhi(m, s, h)`: Σ share², shares in percent (0–10,000).
//! - `HhiWgi(m, s, x)`: Σ (share as a fraction)² · WGI on the EU's 0–10 scale (10 = poorest
//!   governance, i.e. 10 · (1 − normalised WGI)) · trade factor 1, × 1000. Countries without a
//!   governance figure are left out of the sum.
//! - `TopSupplier(m, s, c, bp)`: the largest share (all tied countries).
//! - `AlignedSupply(k, m, s, bp)`: Σ share of countries `k` rates ally or partner.
//! - `ProjectedShare`, `ProjectedHhi`, `ProjectedAlignedSupply`: the same at an initiative's
//!   horizon, after adding the capacity of every live initiative on the same mineral × stage
//!   whose horizon is not later, and renormalising world output to 100 %.

use crate::datalog::rel;
use crate::lower::{Facts, Origin};
use crate::model::{Sym, Tuple, Value};
use std::collections::{BTreeMap, BTreeSet};

type Key = (Sym, Sym);

fn hhi(shares: impl Iterator<Item = i64>) -> i64 {
    let sum: i128 = shares.map(|bp| (bp as i128) * (bp as i128)).sum();
    ((sum + 5_000) / 10_000) as i64
}

fn computed(formula: &str, inputs: Vec<(usize, Tuple)>) -> Origin {
    Origin::Computed {
        formula: formula.to_string(),
        inputs,
    }
}

/// Recomputes every computed relation from the input tuples.
pub fn compute(facts: &mut Facts) {
    let mut by_stage: BTreeMap<Key, Vec<(Sym, i64)>> = BTreeMap::new();
    for t in facts.db.rel(rel::SHARE) {
        by_stage
            .entry((t[0].sym(), t[1].sym()))
            .or_default()
            .push((t[2].sym(), t[3].num()));
    }
    let governance: BTreeMap<Sym, i64> = facts
        .db
        .rel(rel::GOVERNANCE)
        .iter()
        .map(|t| (t[0].sym(), t[1].num()))
        .collect();
    let aligned_words: Vec<Sym> = ["ally", "partner"]
        .iter()
        .filter_map(|w| facts.syms.get(w))
        .collect();
    let mut aligned: BTreeMap<Sym, BTreeSet<Sym>> = BTreeMap::new();
    let mut alignment_tuples: BTreeMap<(Sym, Sym), Tuple> = BTreeMap::new();
    for t in facts.db.rel(rel::ALIGNMENT) {
        if aligned_words.contains(&t[2].sym()) {
            aligned.entry(t[0].sym()).or_default().insert(t[1].sym());
            alignment_tuples.insert((t[0].sym(), t[1].sym()), t.clone());
        }
    }
    let consumers: BTreeSet<Sym> = facts
        .db
        .rel(rel::IMPORT_RELIANCE)
        .iter()
        .map(|t| t[0].sym())
        .collect();
    let share_tuple = |m: Sym, s: Sym, c: Sym, bp: i64| -> (usize, Tuple) {
        (
            rel::SHARE,
            Box::new([Value::Sym(m), Value::Sym(s), Value::Sym(c), Value::Num(bp)]),
        )
    };

    let mut hhis = Vec::new();
    let mut wgis = Vec::new();
    let mut tops = Vec::new();
    let mut aligned_out = Vec::new();
    for (&(m, s), shares) in &by_stage {
        let inputs: Vec<(usize, Tuple)> = shares
            .iter()
            .map(|&(c, bp)| share_tuple(m, s, c, bp))
            .collect();
        let h = hhi(shares.iter().map(|&(_, bp)| bp));
        hhis.push((
            Box::new([Value::Sym(m), Value::Sym(s), Value::Num(h)]) as Tuple,
            computed("HHI = Σ share², shares in percent", inputs.clone()),
        ));
        let mut wgi_inputs = Vec::new();
        let mut x = 0.0f64;
        for &(c, bp) in shares {
            if let Some(&g) = governance.get(&c) {
                let frac = bp as f64 / 10_000.0;
                x += frac * frac * 10.0 * (1.0 - g as f64 / 10_000.0);
                wgi_inputs.push(share_tuple(m, s, c, bp));
                wgi_inputs.push((
                    rel::GOVERNANCE,
                    Box::new([Value::Sym(c), Value::Num(g)]) as Tuple,
                ));
            }
        }
        wgis.push((
            Box::new([
                Value::Sym(m),
                Value::Sym(s),
                Value::Num((x * 1000.0).round() as i64),
            ]) as Tuple,
            computed(
                "HHI_WGI = Σ (share as fraction)² · 10·(1 − WGI), × 1000",
                wgi_inputs,
            ),
        ));
        let max = shares.iter().map(|&(_, bp)| bp).max().unwrap_or(0);
        for &(c, bp) in shares.iter().filter(|&&(_, bp)| bp == max) {
            tops.push((
                Box::new([Value::Sym(m), Value::Sym(s), Value::Sym(c), Value::Num(bp)]) as Tuple,
                computed("the largest share of this mineral × stage", inputs.clone()),
            ));
        }
        for &k in &consumers {
            let set = aligned.get(&k);
            let mut sum = 0;
            let mut used = Vec::new();
            for &(c, bp) in shares {
                if set.is_some_and(|x| x.contains(&c)) {
                    sum += bp;
                    used.push(share_tuple(m, s, c, bp));
                    if let Some(t) = alignment_tuples.get(&(k, c)) {
                        used.push((rel::ALIGNMENT, t.clone()));
                    }
                }
            }
            aligned_out.push((
                Box::new([Value::Sym(k), Value::Sym(m), Value::Sym(s), Value::Num(sum)]) as Tuple,
                computed(
                    "Σ share of countries the consumer rates ally or partner",
                    used,
                ),
            ));
        }
    }
    facts.set(rel::HHI, hhis);
    facts.set(rel::HHI_WGI, wgis);
    facts.set(rel::TOP_SUPPLIER, tops);
    facts.set(rel::ALIGNED_SUPPLY, aligned_out);
    projections(facts, &by_stage, &aligned, &consumers);
}

fn projections(
    facts: &mut Facts,
    by_stage: &BTreeMap<Key, Vec<(Sym, i64)>>,
    aligned: &BTreeMap<Sym, BTreeSet<Sym>>,
    consumers: &BTreeSet<Sym>,
) {
    let failed = facts.syms.get("failed");
    // initiative -> (mineral, stage, country)
    let targets: BTreeMap<Sym, (Sym, Sym, Sym, Tuple)> = facts
        .db
        .rel(rel::INITIATIVE)
        .iter()
        .map(|t| (t[0].sym(), (t[3].sym(), t[4].sym(), t[5].sym(), t.clone())))
        .collect();
    // live initiatives: id -> (horizon, capacity, plan tuple)
    let live: BTreeMap<Sym, (i64, i64, Tuple)> = facts
        .db
        .rel(rel::INITIATIVE_PLAN)
        .iter()
        .filter(|t| Some(t[3].sym()) != failed)
        .map(|t| (t[0].sym(), (t[2].num(), t[4].num(), t.clone())))
        .collect();
    let mut shares_out = Vec::new();
    let mut hhi_out = Vec::new();
    let mut aligned_out = Vec::new();
    for (&i, &(horizon, _, _)) in &live {
        let Some(&(m, s, _, _)) = targets.get(&i) else {
            continue;
        };
        let mut world: BTreeMap<Sym, i64> = by_stage
            .get(&(m, s))
            .map(|v| v.iter().copied().collect())
            .unwrap_or_default();
        let mut inputs: Vec<(usize, Tuple)> = world
            .iter()
            .map(|(&c, &bp)| {
                (
                    rel::SHARE,
                    Box::new([Value::Sym(m), Value::Sym(s), Value::Sym(c), Value::Num(bp)])
                        as Tuple,
                )
            })
            .collect();
        let mut added = 0i64;
        for (&j, &(h, cap, ref plan)) in &live {
            let Some(&(mj, sj, cj, ref init)) = targets.get(&j) else {
                continue;
            };
            if mj == m && sj == s && h <= horizon {
                *world.entry(cj).or_insert(0) += cap;
                added += cap;
                inputs.push((rel::INITIATIVE, init.clone()));
                inputs.push((rel::INITIATIVE_PLAN, plan.clone()));
            }
        }
        let total = 10_000 + added;
        let scaled: BTreeMap<Sym, i64> = world
            .iter()
            .map(|(&c, &bp)| {
                (
                    c,
                    ((bp as i128 * 10_000 + total as i128 / 2) / total as i128) as i64,
                )
            })
            .collect();
        let origin = computed(
            "shares at the horizon: today's shares plus the capacity of live initiatives due by then, renormalised to 100%",
            inputs,
        );
        for (&c, &bp) in &scaled {
            shares_out.push((
                Box::new([Value::Sym(i), Value::Sym(c), Value::Num(bp)]) as Tuple,
                origin.clone(),
            ));
        }
        hhi_out.push((
            Box::new([Value::Sym(i), Value::Num(hhi(scaled.values().copied()))]) as Tuple,
            origin.clone(),
        ));
        for &k in consumers {
            let set = aligned.get(&k);
            let sum: i64 = scaled
                .iter()
                .filter(|(c, _)| set.is_some_and(|x| x.contains(c)))
                .map(|(_, bp)| bp)
                .sum();
            aligned_out.push((
                Box::new([Value::Sym(k), Value::Sym(i), Value::Num(sum)]) as Tuple,
                origin.clone(),
            ));
        }
    }
    facts.set(rel::PROJECTED_SHARE, shares_out);
    facts.set(rel::PROJECTED_HHI, hhi_out);
    facts.set(rel::PROJECTED_ALIGNED_SUPPLY, aligned_out);
}

#[cfg(test)]
mod tests {
    use super::hhi;

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
}

//! The plain-words summary at the top: per consumer, each mineral at high or critical risk and
//! why, in one sentence; then the partner's role.

use super::ctx::{Ctx, anchor, and_list, pct, rank, thousands};
use super::{Compare, partner};
use crate::datalog::rel;
use maud::{Markup, html};
use std::collections::BTreeMap;

/// A risk level as a small badge (colour plus the word, never colour alone).
pub fn badge(level: &str) -> Markup {
    html! { span class={ "lvl lvl-" (level) } { (level) } }
}

pub fn alignment_words(level: &str) -> &'static str {
    match level {
        "ally" => "an ally",
        "partner" => "a partner",
        "neutral" => "rated neutral",
        "rival" => "a rival",
        _ => "not rated",
    }
}

pub fn kind_words(kind: &str) -> String {
    kind.replace('_', " ")
}

/// The consumers lode assessed (those with a risk level), sorted.
pub fn consumers(ctx: &Ctx<'_>) -> Vec<String> {
    let mut out: Vec<String> = ctx
        .tuples(rel::RISK_LEVEL)
        .iter()
        .map(|t| ctx.s(&t[0]).to_string())
        .collect();
    out.dedup();
    out.sort();
    out.dedup();
    out
}

/// Per mineral, the (stage, level) pairs of one consumer.
pub fn levels_of(ctx: &Ctx<'_>, consumer: &str) -> BTreeMap<String, Vec<(String, String)>> {
    let mut out: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for t in ctx.tuples(rel::RISK_LEVEL) {
        if ctx.s(&t[0]) == consumer {
            out.entry(ctx.s(&t[1]).to_string())
                .or_default()
                .push((ctx.s(&t[2]).to_string(), ctx.s(&t[3]).to_string()));
        }
    }
    out
}

pub fn worst(levels: &[(String, String)]) -> usize {
    levels.iter().map(|(_, l)| rank(l)).max().unwrap_or(0)
}

pub fn render(ctx: &Ctx<'_>, cmp: Option<&Compare<'_>>) -> Markup {
    let consumers = consumers(ctx);
    html! {
        section #summary {
            h2 { "Summary" }
            @if consumers.is_empty() {
                p { "No consumer's risk could be assessed: the scenario states no import reliance for a mineral with known world shares." }
            }
            @for k in &consumers {
                (consumer_summary(ctx, k))
            }
            (partner::role(ctx))
            @if let Some(c) = cmp {
                (c.summary(ctx))
            }
        }
    }
}

fn consumer_summary(ctx: &Ctx<'_>, k: &str) -> Markup {
    let by_mineral = levels_of(ctx, k);
    let mut counts = [0usize; 5];
    for levels in by_mineral.values() {
        for (_, l) in levels {
            counts[rank(l)] += 1;
        }
    }
    let mut flagged: Vec<(&String, &Vec<(String, String)>)> =
        by_mineral.iter().filter(|(_, v)| worst(v) >= 3).collect();
    flagged.sort_by(|a, b| worst(b.1).cmp(&worst(a.1)).then(a.0.cmp(b.0)));
    let total: usize = counts.iter().sum();
    html! {
        div.consumer {
            h3 { (ctx.country(k)) " (" (k) ")" }
            p.lede {
                "lode assessed " (total) " mineral × stage supplies of " (ctx.country(k)) ": "
                @for (i, l) in [(4usize, "critical"), (3, "high"), (2, "moderate"), (1, "low")].iter().enumerate() {
                    @if i > 0 { ", " }
                    strong { (counts[l.0]) } " " (badge(l.1))
                }
                "."
            }
            @if flagged.is_empty() {
                p { "No mineral is at high or critical risk." }
            } @else {
                ul.findings {
                    @for (m, levels) in &flagged {
                        li { (finding(ctx, k, m, levels)) }
                    }
                }
            }
        }
    }
}

/// One mineral at high or critical risk, in one sentence.
fn finding(ctx: &Ctx<'_>, k: &str, m: &str, levels: &[(String, String)]) -> Markup {
    let w = worst(levels);
    let mut at: Vec<(usize, String)> = Vec::new();
    for lvl in [4usize, 3] {
        let stages: Vec<String> = levels
            .iter()
            .filter(|(_, l)| rank(l) == lvl)
            .map(|(s, _)| s.clone())
            .collect();
        if !stages.is_empty() {
            at.push((lvl, and_list(&stages)));
        }
    }
    // The stage the sentence explains: the first at the worst level.
    let Some((s, level)) = levels.iter().find(|(_, l)| rank(l) == w) else {
        return html! {};
    };
    let risk_anchor = ctx
        .tuples(rel::RISK_LEVEL)
        .iter()
        .find(|t| ctx.s(&t[0]) == k && ctx.s(&t[1]) == m && ctx.s(&t[2]) == s)
        .map(|t| anchor(&ctx.side.facts.syms, rel::RISK_LEVEL, t));
    // The reliance the rules judged this stage by: the stage's own, else the mineral's (stage
    // "all"), else the older per-mineral figure. (relation, tuple, bound, basis points)
    let staged = |stage: &str| {
        ctx.tuples(rel::RELIANCE).iter().find(|t| {
            ctx.s(&t[0]) == k && ctx.s(&t[1]) == m && ctx.s(&t[2]) == stage && t.len() == 5
        })
    };
    let reliance = staged(s)
        .or_else(|| staged("all"))
        .map(|t| (rel::RELIANCE, t, ctx.s(&t[3]), t[4].num()))
        .or_else(|| {
            ctx.tuples(rel::IMPORT_RELIANCE)
                .iter()
                .find(|t| ctx.s(&t[0]) == k && ctx.s(&t[1]) == m)
                .map(|t| (rel::IMPORT_RELIANCE, t, "exact", t[2].num()))
        });
    let exposures: Vec<String> = ctx
        .tuples(rel::EXPOSURE)
        .iter()
        .filter(|t| ctx.s(&t[0]) == k && ctx.s(&t[1]) == m && ctx.s(&t[2]) == s)
        .map(|t| ctx.s(&t[3]).to_string())
        .collect();
    let band = ctx
        .tuples(rel::CONCENTRATION)
        .iter()
        .find(|t| ctx.s(&t[0]) == m && ctx.s(&t[1]) == s)
        .map(|t| ctx.s(&t[2]));
    let hhi = ctx
        .tuples(rel::HHI)
        .iter()
        .find(|t| ctx.s(&t[0]) == m && ctx.s(&t[1]) == s)
        .map(|t| t[2].num());
    let aligned = ctx
        .tuples(rel::ALIGNED_SUPPLY)
        .iter()
        .find(|t| ctx.s(&t[0]) == k && ctx.s(&t[1]) == m && ctx.s(&t[2]) == s)
        .map(|t| t[3].num());
    let min = ctx.param("aligned_supply_min").unwrap_or(0);
    let kname = ctx.country(k);
    html! {
        strong { (ctx.mineral(m)) }
        " — "
        @for (i, (lvl, stages)) in at.iter().enumerate() {
            @if i > 0 { ", " }
            (badge(super::ctx::LEVELS[lvl - 1])) " at " (stages)
        }
        ": "
        @if let Some((r, t, bound, bp)) = reliance {
            (kname) " relies on imports for "
            @match bound { "at_least" => "at least ", "at_most" => "at most ", _ => "" }
            (ctx.pct_of(r, t, bp)) " of its supply"
        }
        @for (i, c) in exposures.iter().enumerate() {
            @if reliance.is_some() || i > 0 { "; " }
            (ctx.country(c)) ", " (alignment_words(ctx.alignment(k, c))) ", holds "
            @if let Some(d) = ctx.tuples(rel::DOMINANT).iter().find(|t| ctx.s(&t[0]) == m && ctx.s(&t[1]) == s && ctx.s(&t[2]) == c.as_str()) {
                (ctx.pct_of(rel::SHARE, d, d[3].num()))
            }
            " of world " (s)
            @for ctl in ctx.tuples(rel::CONTROL_REACHES).iter().filter(|t| ctx.s(&t[0]) == k && ctx.s(&t[1]) == m && ctx.s(&t[2]) == c.as_str()) {
                ", and its " (kind_words(ctx.s(&ctl[3]))) " reaches " (kname)
            }
        }
        @if let (Some(b), Some(h)) = (band, hhi) {
            " (" (band_words(b)) ", HHI " (thousands(h)) ")"
        }
        @if let Some(a) = aligned {
            @if rank(level) == 4 && a < min {
                "; aligned countries hold only " (pct(a)) " of world " (s) ", under the " (ctx.param_num("aligned_supply_min")) " minimum"
            }
        }
        "."
        @if let Some(id) = risk_anchor {
            " " a.why href={ "#" (id) } { "Why?" }
        }
    }
}

pub fn band_words(band: &str) -> &'static str {
    match band {
        "high" => "highly concentrated",
        "moderate" => "moderately concentrated",
        "low" => "unconcentrated",
        _ => "concentration unknown",
    }
}

//! Per mineral: who supplies the world at each stage (share bars coloured by alignment toward the
//! consumer), with the HHI and its concentration band.

use super::ctx::{Ctx, anchor, pct, thousands};
use super::summary::{badge, band_words, consumers, levels_of, worst};
use crate::datalog::rel;
use crate::model::Tuple;
use maud::{Markup, html};
use std::collections::BTreeMap;

const ALIGNMENTS: [(&str, &str); 5] = [
    ("ally", "ally"),
    ("partner", "partner"),
    ("neutral", "neutral"),
    ("rival", "rival"),
    ("unrated", "not rated"),
];

/// How many suppliers get a bar of their own; the rest share one.
const BARS: usize = 10;

pub fn alignment_legend(consumers: &[String]) -> Markup {
    html! {
        div.legend role="note" aria-label="alignment legend" {
            span.legend-title {
                "Alignment"
                @if consumers.len() > 1 {
                    " toward "
                    select #al-view aria-label="consumer whose alignment colours the bars" {
                        @for k in consumers { option value=(k) { (k) } }
                    }
                } @else if let Some(k) = consumers.first() {
                    " toward " (k)
                }
            }
            @for (class, word) in ALIGNMENTS {
                span.key {
                    svg.swatch width="14" height="14" viewBox="0 0 14 14" aria-hidden="true" {
                        rect class={ "al-" (class) } x="0.5" y="0.5" width="13" height="13" {}
                    }
                    " " (word)
                }
            }
        }
    }
}

type Shares<'a> = BTreeMap<String, Vec<&'a Tuple>>;

pub fn render(ctx: &Ctx<'_>) -> Markup {
    // mineral → stage → share tuples
    let mut by_mineral: BTreeMap<String, Shares<'_>> = BTreeMap::new();
    for t in ctx.tuples(rel::SHARE) {
        by_mineral
            .entry(ctx.s(&t[0]).to_string())
            .or_default()
            .entry(ctx.s(&t[1]).to_string())
            .or_default()
            .push(t);
    }
    let consumers = consumers(ctx);
    let worst_of = |m: &str| -> usize {
        consumers
            .iter()
            .map(|k| levels_of(ctx, k).get(m).map_or(0, |v| worst(v)))
            .max()
            .unwrap_or(0)
    };
    let mut minerals: Vec<(usize, String)> = by_mineral
        .keys()
        .map(|m| (worst_of(m), m.clone()))
        .collect();
    minerals.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let stage_order = ctx.stages();
    html! {
        section #supply {
            h2 { "World supply by mineral" }
            p.note {
                "Bars show each country's share of world output at a stage, coloured by the consumer's alignment toward it; "
                "the dashed line marks the dominant share, the dotted line the single-supplier cap. "
                "The HHI (Herfindahl–Hirschman index, Σ share², 0–10,000) is moderately concentrated above "
                (ctx.param_num("hhi_moderate")) " and highly concentrated above " (ctx.param_num("hhi_high")) ". "
                "Minerals are ordered by the worst risk lode found."
            }
            (alignment_legend(&consumers))
            nav.toc aria-label="minerals" {
                @for (r, m) in &minerals {
                    a href={ "#m-" (m) } class={ "toc-" (super::ctx::LEVELS.get(r.wrapping_sub(1)).copied().unwrap_or("none")) } { (ctx.mineral(m)) }
                }
            }
            @for (_, m) in &minerals {
                @if let Some(stages) = by_mineral.get(m) {
                    article.mineral id={ "m-" (m) } {
                        h3 {
                            (ctx.mineral(m))
                            @for k in &consumers {
                                @for (s, l) in levels_of(ctx, k).get(m).cloned().unwrap_or_default() {
                                    " " span.tag { (k) " " (s) " " (badge(&l)) }
                                }
                            }
                        }
                        @for s in stage_order.iter().filter(|s| stages.contains_key(s.as_str())) {
                            @if let Some(shares) = stages.get(s) {
                                (stage_block(ctx, &consumers, m, s, shares))
                            }
                        }
                    }
                }
            }
        }
    }
}

fn stage_block(ctx: &Ctx<'_>, consumers: &[String], m: &str, s: &str, shares: &[&Tuple]) -> Markup {
    let mut sorted: Vec<&Tuple> = shares.to_vec();
    sorted.sort_by(|a, b| {
        b[3].num()
            .cmp(&a[3].num())
            .then(ctx.s(&a[2]).cmp(ctx.s(&b[2])))
    });
    let hhi = ctx
        .tuples(rel::HHI)
        .iter()
        .find(|t| ctx.s(&t[0]) == m && ctx.s(&t[1]) == s);
    let band = ctx
        .tuples(rel::CONCENTRATION)
        .iter()
        .find(|t| ctx.s(&t[0]) == m && ctx.s(&t[1]) == s);
    html! {
        div.stage {
            h4 {
                (s)
                @if let Some(h) = hhi {
                    " · HHI "
                    span.num title={ "Herfindahl–Hirschman index: Σ share² over the " (sorted.len()) " suppliers below, shares in percent (0–10,000)" } {
                        (thousands(h[2].num()))
                    }
                }
                @if let Some(b) = band {
                    " · "
                    a.band href={ "#" (anchor(&ctx.side.facts.syms, rel::CONCENTRATION, b)) } title="why this band: follow to the explanation" {
                        span class={ "band band-" (ctx.s(&b[2])) } { (band_words(ctx.s(&b[2]))) }
                    }
                }
            }
            (bars(ctx, consumers, m, s, &sorted))
            @if sorted.len() > BARS {
                details.others {
                    summary { "All " (sorted.len()) " suppliers" }
                    (ctx.defer(html! { table.small {
                        thead { tr { th { "Country" } th.numcol { "Share" } @for k in consumers { th { "Alignment toward " (k) } } } }
                        tbody {
                            @for t in &sorted {
                                tr {
                                    td { (ctx.country(ctx.s(&t[2]))) " (" (ctx.s(&t[2])) ")" }
                                    td.numcol { (ctx.pct_of(rel::SHARE, t, t[3].num())) }
                                    @for k in consumers { td { (ctx.alignment(k, ctx.s(&t[2]))) } }
                                }
                            }
                        }
                    } }))
                }
            }
        }
    }
}

/// `USA:rival EU27:partner`: the alignment toward each consumer, for the consumer switch.
fn alignments(ctx: &Ctx<'_>, consumers: &[String], c: &str) -> String {
    consumers
        .iter()
        .map(|k| format!("{k}:{}", ctx.alignment(k, c)))
        .collect::<Vec<_>>()
        .join(" ")
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(n - 1).collect();
        out.push('…');
        out
    }
}

const LABEL_W: i64 = 190;
const BAR_W: i64 = 600;
const ROW_H: i64 = 20;

fn x_of(bp: i64) -> i64 {
    LABEL_W + bp.clamp(0, 10_000) * BAR_W / 10_000
}

fn bars(ctx: &Ctx<'_>, consumers: &[String], m: &str, s: &str, sorted: &[&Tuple]) -> Markup {
    let shown: Vec<&Tuple> = sorted.iter().take(BARS).copied().collect();
    let rest: Vec<&Tuple> = sorted.iter().skip(BARS).copied().collect();
    let rest_bp: i64 = rest.iter().map(|t| t[3].num()).sum();
    let rows = shown.len() as i64 + i64::from(!rest.is_empty());
    let top = 16;
    let height = top + rows * ROW_H + 4;
    let dominant = ctx.param("dominant_share");
    let cap = ctx.param("single_supplier_cap");
    let desc = format!(
        "world {s} of {}: {} suppliers",
        ctx.mineral(m),
        sorted.len()
    );
    html! {
        svg.bars viewBox={ "0 0 880 " (height) } width="880" height=(height) role="img" aria-label=(desc) {
            @for (i, t) in shown.iter().enumerate() {
                @let c = ctx.s(&t[2]);
                @let al = consumers.first().map_or("unrated", |k| ctx.alignment(k, c));
                @let y = top + i as i64 * ROW_H;
                @let cite = ctx.cite_tuple(rel::SHARE, t);
                @let name = ctx.country(c);
                // The script completes the tooltip on hover, from the rect's `data-al` and the
                // footnote the bar links to: `· partner toward EU27 · [51] data/…:147 (derived)`.
                g.bar {
                    title {
                        (name) " (" (c) "): " (pct(t[3].num())) " of world " (s)
                    }
                    @let inner = html! {
                        text.label x=(LABEL_W - 6) y=(y + 14) { (truncate(&name, 26)) }
                        rect class={ "al-" (al) } x=(LABEL_W) y=(y + 3) width=((x_of(t[3].num()) - LABEL_W).max(1)) height=(ROW_H - 6) data-al=(alignments(ctx, consumers, c)) {}
                        text.value x=(x_of(t[3].num()) + 5) y=(y + 14) { (pct(t[3].num())) }
                    };
                    @if let Some(ci) = &cite {
                        a href={ "#src-" (ci.n) } { (inner) }
                    } @else {
                        (inner)
                    }
                }
            }
            @if !rest.is_empty() {
                @let y = top + shown.len() as i64 * ROW_H;
                g.bar {
                    title { (rest.len()) " more suppliers, " (pct(rest_bp)) " together; listed under “All suppliers”" }
                    text.label x=(LABEL_W - 6) y=(y + 14) { (rest.len()) " others" }
                    rect.al-others x=(LABEL_W) y=(y + 3) width=((x_of(rest_bp) - LABEL_W).max(1)) height=(ROW_H - 6) {}
                    text.value x=(x_of(rest_bp) + 5) y=(y + 14) { (pct(rest_bp)) }
                }
            }
            @if let Some(d) = dominant {
                line.threshold.dominant x1=(x_of(d)) x2=(x_of(d)) y1="12" y2=(height - 2) {}
                text.tlabel x=(x_of(d)) y="10" text-anchor="middle" { "dominant " (pct(d)) }
            }
            @if let Some(c) = cap {
                line.threshold.cap x1=(x_of(c)) x2=(x_of(c)) y1="12" y2=(height - 2) {}
                text.tlabel x=(x_of(c) + 4) y="10" text-anchor="start" { "cap " (pct(c)) }
            }
        }
    }
}

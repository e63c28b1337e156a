//! The heat map: risk level per consumer × mineral (rows) × stage (columns).

use super::Compare;
use super::ctx::{Ctx, LEVELS, anchor, rank};
use super::summary::{badge, consumers, levels_of, worst};
use crate::datalog::rel;
use crate::scenario::Quality;
use maud::{Markup, html};

/// The legend of risk levels, shared by the heat map and the summary.
pub fn legend(with_changes: bool) -> Markup {
    html! {
        div.legend role="note" aria-label="legend" {
            span.legend-title { "Risk level" }
            @for l in LEVELS.iter().rev() {
                span.key { (badge(l)) }
            }
            span.key { span.lvl.lvl-none { "not assessed" } }
            span.key { span.q.q-claim { "claim" } " rests on an unverified claim" }
            @if with_changes {
                span.key { span.lvl.lvl-high.changed-demo { "changed" } " outlined: differs from the comparison" }
            }
        }
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// A heat-map row: consumer, mineral, and the (stage, level) pairs.
type Row = (String, String, Vec<(String, String)>);

pub fn render(ctx: &Ctx<'_>, cmp: Option<&Compare<'_>>) -> Markup {
    let stages = ctx.stages();
    let mut rows: Vec<Row> = Vec::new();
    for k in consumers(ctx) {
        let mut ms: Vec<(String, Vec<(String, String)>)> = levels_of(ctx, &k).into_iter().collect();
        ms.sort_by(|a, b| worst(&b.1).cmp(&worst(&a.1)).then(a.0.cmp(&b.0)));
        for (m, levels) in ms {
            rows.push((k.clone(), m, levels));
        }
    }
    let cells = rows.len() * stages.len();
    html! {
        section #heatmap {
            h2 { "Risk heat map" }
            p.note {
                "Each cell is lode's risk level for a consumer's supply of a mineral at one stage of the supply chain. "
                "Follow a cell to its explanation; hover a figure for its source."
            }
            (legend(cmp.is_some()))
            @if rows.is_empty() {
                p { "No risk level was derived in this scenario." }
            } @else {
                div.table-wrap {
                    table.heat data-rows=(rows.len()) data-cells=(cells) {
                        thead {
                            tr {
                                th scope="col" { "Consumer" }
                                th scope="col" { "Mineral" }
                                th scope="col" .numcol { "Import reliance" }
                                @for s in &stages {
                                    th scope="col" title=(ctx.stage(s)) { (capitalised(s)) }
                                }
                            }
                        }
                        tbody {
                            @for (k, m, levels) in &rows {
                                tr.heat-row {
                                    th scope="row" title=(ctx.country(k)) { (k) }
                                    th scope="row" { (ctx.mineral(m)) }
                                    td.numcol { (reliance(ctx, k, m)) }
                                    @for s in &stages {
                                        (cell(ctx, cmp, k, m, s, levels.iter().find(|(x, _)| x == s).map(|(_, l)| l.as_str())))
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn cell(
    ctx: &Ctx<'_>,
    cmp: Option<&Compare<'_>>,
    k: &str,
    m: &str,
    s: &str,
    level: Option<&str>,
) -> Markup {
    let before = cmp.map(|c| c.risk_before(k, m, s));
    let changed = before.as_ref().is_some_and(|b| b.as_deref() != level);
    let was = match &before {
        Some(Some(b)) => b.clone(),
        _ => "not assessed".to_string(),
    };
    let lvl = level.unwrap_or("none");
    let class = format!("cell lvl-{lvl}{}", if changed { " changed" } else { "" });
    let label = format!(
        "{} · {} · {}: {}",
        k,
        ctx.mineral(m),
        s,
        level.unwrap_or("not assessed (no world shares or no reliance for this stage)")
    );
    let t = ctx
        .tuples(rel::RISK_LEVEL)
        .iter()
        .find(|t| ctx.s(&t[0]) == k && ctx.s(&t[1]) == m && ctx.s(&t[2]) == s);
    let quality = t.and_then(|t| ctx.confidence(rel::RISK_LEVEL, t));
    let label = match quality {
        Some(q) => format!("{label} · weakest source: {}", q.as_str()),
        None => label,
    };
    html! {
        td class=(class) data-level=(lvl) data-rank=(level.map_or(0, rank)) title=(label) {
            @if let Some(t) = t {
                a href={ "#" (anchor(&ctx.side.facts.syms, rel::RISK_LEVEL, t)) } { (lvl) }
            } @else {
                span.na { "—" }
            }
            @if quality == Some(Quality::Claim) {
                span.q.q-claim { "claim" }
            }
            @if changed {
                span.was { "was " (was) }
            }
        }
    }
}

/// A consumer's import reliance on a mineral, linked to its source: the figure for all stages
/// (`≥ 50%` for a lower bound, `net exporter`, `W` for withheld), else each stage's
/// (`mining 100% · refining 98%`).
fn reliance(ctx: &Ctx<'_>, k: &str, m: &str) -> Markup {
    let all: Vec<&crate::model::Tuple> = ctx
        .tuples(rel::RELIANCE)
        .iter()
        .filter(|t| t.len() == 5 && ctx.s(&t[0]) == k && ctx.s(&t[1]) == m)
        .collect();
    let fig = |t: &crate::model::Tuple| {
        let n = t[4].num();
        match ctx.s(&t[3]) {
            "at_least" => html! { "≥ " (ctx.pct_of(rel::RELIANCE, t, n)) },
            "at_most" => html! { "≤ " (ctx.pct_of(rel::RELIANCE, t, n)) },
            "net_exporter" => ctx.num("net exporter", ctx.cite_tuple(rel::RELIANCE, t)),
            "withheld" => ctx.num("W", ctx.cite_tuple(rel::RELIANCE, t)),
            _ => ctx.pct_of(rel::RELIANCE, t, n),
        }
    };
    if let Some(t) = all.iter().find(|t| ctx.s(&t[2]) == "all") {
        return fig(t);
    }
    if !all.is_empty() {
        return html! {
            @for (i, t) in all.iter().enumerate() {
                @if i > 0 { " · " }
                (ctx.s(&t[2])) " " (fig(t))
            }
        };
    }
    match ctx
        .tuples(rel::IMPORT_RELIANCE)
        .iter()
        .find(|t| ctx.s(&t[0]) == k && ctx.s(&t[1]) == m)
    {
        Some(r) => ctx.pct_of(rel::IMPORT_RELIANCE, r, r[2].num()),
        None => html! {},
    }
}

//! The partner view (Mongolia): what it could supply, how its exports leave, whom they go to,
//! and its initiatives on a timeline to their horizon with the projected risk.

use super::ctx::{Ctx, anchor, and_list, pct, rank, thousands};
use super::summary::{alignment_words, badge};
use crate::datalog::rel;
use crate::model::Tuple;
use maud::{Markup, html};

/// The partner the report is about: Mongolia if declared, else the first landlocked country.
pub fn partner(ctx: &Ctx<'_>) -> Option<String> {
    if ctx.declared("country", "MNG") {
        return Some("MNG".to_string());
    }
    ctx.tuples(rel::LANDLOCKED)
        .first()
        .map(|t| ctx.s(&t[0]).to_string())
}

fn rows<'a>(ctx: &Ctx<'a>, r: usize, col: usize, p: &str) -> Vec<&'a Tuple> {
    ctx.tuples(r)
        .iter()
        .filter(|t| ctx.s(&t[col]) == p)
        .collect()
}

fn concl(ctx: &Ctx<'_>, r: usize, t: &Tuple) -> String {
    format!("#{}", anchor(&ctx.side.facts.syms, r, t))
}

/// The partner's role in a paragraph, for the summary.
pub fn role(ctx: &Ctx<'_>) -> Markup {
    let Some(p) = partner(ctx) else {
        return html! {};
    };
    let name = ctx.country(&p);
    let options = rows(ctx, rel::DIVERSIFICATION_OPTION, 3, &p);
    let potential = rows(ctx, rel::POTENTIAL_OPTION, 2, &p);
    let cut = rows(ctx, rel::OPTION_CUT_OFF, 3, &p);
    let transit = rows(ctx, rel::TRANSIT, 0, &p);
    let closed = rows(ctx, rel::ROUTE_CLOSED, 0, &p);
    let leverage = rows(ctx, rel::LEVERAGE_EXPOSURE, 1, &p);
    let exports = rows(ctx, rel::EXPORT_SHARE, 0, &p);
    let effects = ctx.tuples(rel::INITIATIVE_EFFECT);
    let reduces = ctx.tuples(rel::INITIATIVE_REDUCES_RISK);
    let n_init = ctx
        .tuples(rel::INITIATIVE)
        .iter()
        .filter(|t| ctx.s(&t[5]) == p.as_str())
        .count();
    let isolated = ctx
        .tuples(rel::ISOLATED)
        .iter()
        .any(|t| ctx.s(&t[0]) == p.as_str());
    let mut stays: Vec<String> = effects
        .iter()
        .filter(|t| ctx.s(&t[4]) == ctx.s(&t[5]) && rank(ctx.s(&t[4])) >= 3)
        .map(|t| {
            format!(
                "{} {} stays {}",
                ctx.mineral(ctx.s(&t[2])).to_lowercase(),
                ctx.s(&t[3]),
                ctx.s(&t[5])
            )
        })
        .collect();
    stays.sort();
    stays.dedup();
    let mut potential_minerals: Vec<String> = potential
        .iter()
        .map(|t| ctx.mineral(ctx.s(&t[1])).to_lowercase())
        .collect();
    potential_minerals.sort();
    potential_minerals.dedup();
    html! {
        div.role {
            h3 { (name) "’s role" }
            p {
                @if options.is_empty() {
                    (name) " is no diversification option for any consumer in this scenario"
                } @else {
                    (name) " is a diversification option for "
                    @for (i, t) in options.iter().enumerate() {
                        @if i > 0 { @if i + 1 == options.len() { " and " } @else { ", " } }
                        (ctx.country(ctx.s(&t[0]))) " in " (ctx.mineral(ctx.s(&t[1])).to_lowercase()) " " (ctx.s(&t[2]))
                        " (" (ctx.pct_of(rel::SHARE, &share_of(t), t[4].num())) " of world output)"
                    }
                }
                @if !potential_minerals.is_empty() {
                    "; it holds " (and_list(&potential_minerals)) " deposits it does not mine yet, a potential option"
                }
                ". "
                @if !cut.is_empty() || isolated {
                    strong { "Its exports are cut off: every known route is closed. " }
                }
                @if !transit.is_empty() {
                    "It is landlocked: "
                    @for (i, t) in transit.iter().enumerate() {
                        @if i > 0 { ", " }
                        (ctx.pct_of(rel::TRANSIT, t, t[2].num())) " of its exports cross " (ctx.country(ctx.s(&t[1])))
                        @if closed.iter().any(|c| c[1] == t[1]) { " (closed)" }
                    }
                    ". "
                }
                @for t in &exports {
                    (ctx.pct_of(rel::EXPORT_SHARE, t, t[2].num())) " of its exports go to " (ctx.country(ctx.s(&t[1])))
                    @if leverage.iter().any(|l| l[2] == t[1]) {
                        ", which gives " (ctx.country(ctx.s(&t[1]))) " leverage over it"
                    }
                    ". "
                }
                @if n_init == 0 {
                    "This scenario models no initiatives with " (name) "."
                } @else if reduces.is_empty() {
                    "None of its " (n_init) " initiatives lowers a risk level by its horizon"
                    @if !stays.is_empty() { ": " (and_list(&stays)) }
                    "."
                } @else {
                    (reduces.len()) " of its " (n_init) " initiatives lower a risk level by their horizon."
                }
                " " a.why href="#partner" { "Partner view" }
            }
        }
    }
}

/// The Share tuple behind a DiversificationOption (k, m, s, c, bp).
fn share_of(t: &Tuple) -> Tuple {
    Box::new([t[1], t[2], t[3], t[4]])
}

pub fn render(ctx: &Ctx<'_>) -> Markup {
    let Some(p) = partner(ctx) else {
        return html! {
            section #partner {
                h2 { "Partner view" }
                p { "This scenario declares no partner country (Mongolia or another landlocked country)." }
            }
        };
    };
    let name = ctx.country(&p);
    let governance = rows(ctx, rel::GOVERNANCE, 0, &p);
    let landlocked = !rows(ctx, rel::LANDLOCKED, 0, &p).is_empty();
    html! {
        section #partner {
            h2 { "Partner view: " (name) }
            p.note {
                (name) " (" (p) ")"
                @if landlocked { " is landlocked" }
                @for g in &governance {
                    "; governance (WGI, 0–1, 1 best) "
                    (ctx.num(&format!("{:.2}", g[1].num() as f64 / 10_000.0), ctx.cite_tuple(rel::GOVERNANCE, g)))
                }
                "."
            }
            div.grid {
                (could_supply(ctx, &p))
                (transit(ctx, &p))
                (exports(ctx, &p))
            }
            (initiatives(ctx, &p))
        }
    }
}

fn could_supply(ctx: &Ctx<'_>, p: &str) -> Markup {
    let options = rows(ctx, rel::DIVERSIFICATION_OPTION, 3, p);
    let exposure = rows(ctx, rel::OPTION_TRANSIT_EXPOSURE, 3, p);
    let cut = rows(ctx, rel::OPTION_CUT_OFF, 3, p);
    let potential = rows(ctx, rel::POTENTIAL_OPTION, 2, p);
    let suppliers = rows(ctx, rel::POTENTIAL_SUPPLIER, 1, p);
    let deposits: Vec<(usize, &crate::scenario::Fact)> = ctx
        .scenario()
        .facts
        .iter()
        .enumerate()
        .filter(|(_, f)| f.table.name == "deposit" && f.str("country") == p)
        .collect();
    html! {
        div.card #partner-supply {
            h3 { "What it could supply" }
            @if options.is_empty() && potential.is_empty() && cut.is_empty() {
                p { "No diversification or potential option." }
            }
            @if !options.is_empty() {
                table.small {
                    caption { "Diversification options (produces today)" }
                    thead { tr { th { "For" } th { "Mineral · stage" } th.numcol { "World share" } th { "Exports cross" } } }
                    tbody {
                        @for t in &options {
                            tr {
                                td { (ctx.s(&t[0])) }
                                td { a href=(concl(ctx, rel::DIVERSIFICATION_OPTION, t)) { (ctx.mineral(ctx.s(&t[1]))) " · " (ctx.s(&t[2])) } }
                                td.numcol { (ctx.pct_of(rel::SHARE, &share_of(t), t[4].num())) }
                                td {
                                    @for e in exposure.iter().filter(|e| e[0] == t[0] && e[1] == t[1] && e[2] == t[2]) {
                                        a.exposed href=(concl(ctx, rel::OPTION_TRANSIT_EXPOSURE, e)) title={ (alignment_words(ctx.alignment(ctx.s(&t[0]), ctx.s(&e[4])))) " toward " (ctx.s(&t[0])) } { (ctx.s(&e[4])) }
                                        " "
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if !cut.is_empty() {
                p.alert {
                    "Cut off (every route closed): "
                    @for (i, t) in cut.iter().enumerate() {
                        @if i > 0 { ", " }
                        a href=(concl(ctx, rel::OPTION_CUT_OFF, t)) { (ctx.mineral(ctx.s(&t[1]))) " " (ctx.s(&t[2])) " for " (ctx.s(&t[0])) }
                    }
                }
            }
            @if !potential.is_empty() || !suppliers.is_empty() {
                table.small {
                    caption { "Potential supply (deposits, no output yet)" }
                    thead { tr { th { "Mineral" } th { "Kind" } th { "Potential option for" } } }
                    tbody {
                        @for t in &suppliers {
                            tr {
                                td { a href=(concl(ctx, rel::POTENTIAL_SUPPLIER, t)) { (ctx.mineral(ctx.s(&t[0]))) } }
                                td { (ctx.s(&t[2])) }
                                td {
                                    @for o in potential.iter().filter(|o| o[1] == t[0] && o[3] == t[2]) {
                                        a href=(concl(ctx, rel::POTENTIAL_OPTION, o)) { (ctx.s(&o[0])) } " "
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if !deposits.is_empty() {
                details {
                    summary { (deposits.len()) " known deposits" }
                    table.small {
                        thead { tr { th { "Mineral" } th { "Deposit" } th.numcol { "Tonnes" } th { "Kind" } th { "Target year" } } }
                        tbody {
                            @for (i, f) in &deposits {
                                @let cite = ctx.cite_fact(*i);
                                tr {
                                    td { (ctx.mineral(f.str("mineral"))) }
                                    td { (f.str("name")) }
                                    td.numcol { (ctx.num(&f.num("tonnes").map_or("—".to_string(), |t| thousands(t.round() as i64)), Some(cite))) }
                                    td { (f.str("kind")) }
                                    td { (f.num("target_year").map_or(String::new(), |y| format!("{y:.0}"))) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn transit(ctx: &Ctx<'_>, p: &str) -> Markup {
    let routes = rows(ctx, rel::TRANSIT, 0, p);
    let deps = rows(ctx, rel::TRANSIT_DEPENDENCE, 0, p);
    let closed = rows(ctx, rel::ROUTE_CLOSED, 0, p);
    let isolated = ctx.tuples(rel::ISOLATED).iter().find(|t| ctx.s(&t[0]) == p);
    html! {
        div.card #partner-transit {
            h3 { "Transit dependence" }
            @if routes.is_empty() {
                p { "No export routes are stated." }
            } @else {
                (share_strip(ctx, &routes, rel::TRANSIT, |t| ctx.country(ctx.s(&t[1]))))
                ul.plain {
                    @for t in &routes {
                        @let via = ctx.s(&t[1]);
                        li {
                            (ctx.pct_of(rel::TRANSIT, t, t[2].num())) " of exports cross " (ctx.country(via))
                            @if closed.iter().any(|c| c[1] == t[1]) { " " span.tag.alert { "closed" } }
                            @if let Some(d) = deps.iter().find(|d| d[1] == t[1]) {
                                " — " a href=(concl(ctx, rel::TRANSIT_DEPENDENCE, d)) { "dependent" }
                                " (at least " (ctx.param_num("transit_dependence")) ")"
                            }
                        }
                    }
                }
                @if let Some(t) = isolated {
                    p.alert { a href=(concl(ctx, rel::ISOLATED, t)) { "Isolated" } ": every known route is closed." }
                }
            }
        }
    }
}

fn exports(ctx: &Ctx<'_>, p: &str) -> Markup {
    let shares = rows(ctx, rel::EXPORT_SHARE, 0, p);
    let leverage = rows(ctx, rel::LEVERAGE_EXPOSURE, 1, p);
    html! {
        div.card #partner-exports {
            h3 { "Export dependence" }
            @if shares.is_empty() {
                p { "No export destinations are stated." }
            } @else {
                (share_strip(ctx, &shares, rel::EXPORT_SHARE, |t| ctx.country(ctx.s(&t[1]))))
                ul.plain {
                    @for t in &shares {
                        li { (ctx.pct_of(rel::EXPORT_SHARE, t, t[2].num())) " of exports go to " (ctx.country(ctx.s(&t[1]))) }
                    }
                }
            }
            @for l in &leverage {
                p.alert {
                    a href=(concl(ctx, rel::LEVERAGE_EXPOSURE, l)) { "Leverage exposure" } ": "
                    (ctx.s(&l[0])) " counts " (ctx.country(p)) " " (alignment_words(ctx.alignment(ctx.s(&l[0]), p)))
                    ", yet it sends " (pct(l[3].num())) " of its exports to " (ctx.country(ctx.s(&l[2])))
                    ", " (alignment_words("rival")) " of " (ctx.s(&l[0])) " (threshold " (ctx.param_num("export_dependence")) ")."
                }
            }
        }
    }
}

/// One horizontal 100 % strip: each part a segment with its share; the rest unstated.
fn share_strip(
    ctx: &Ctx<'_>,
    parts: &[&Tuple],
    r: usize,
    label: impl Fn(&Tuple) -> String,
) -> Markup {
    let w = 300i64;
    let total: i64 = parts.iter().map(|t| t[t.len() - 1].num()).sum();
    // (offset, width) of each segment
    let mut segs: Vec<(i64, i64)> = Vec::new();
    let mut x = 0i64;
    for t in parts {
        let seg = (t[t.len() - 1].num().clamp(0, 10_000) * w / 10_000).max(1);
        segs.push((x, seg));
        x += seg;
    }
    html! {
        svg.strip viewBox={ "0 0 " (w) " 26" } width=(w) height="26" role="img" aria-label="shares" {
            @for (i, t) in parts.iter().enumerate() {
                @let bp = t[t.len() - 1].num();
                @let (x0, seg) = segs.get(i).copied().unwrap_or((0, 0));
                @let cite = ctx.cite_tuple(r, t);
                g {
                    title { (label(t)) ": " (pct(bp)) @if let Some(c) = &cite { " · " (c.title) } }
                    rect class={ "seg seg-" (i % 4) } x=(x0) y="0" width=(seg) height="26" {}
                    @if seg > 60 {
                        text.seglabel x=(x0 + 6) y="17" { (label(t)) " " (pct(bp)) }
                    }
                }
            }
            @if total < 10_000 {
                rect.seg-rest x=(x) y="0" width=((w - x).max(0)) height="26" {
                    title { "not stated: " (pct(10_000 - total)) }
                }
            }
        }
    }
}

fn initiatives(ctx: &Ctx<'_>, p: &str) -> Markup {
    let mut inits: Vec<&Tuple> = ctx.tuples(rel::INITIATIVE).iter().collect();
    let plan = |id: &crate::model::Value| {
        ctx.tuples(rel::INITIATIVE_PLAN)
            .iter()
            .find(|t| t[0] == *id)
    };
    inits.sort_by(|a, b| {
        let pa = plan(&a[0]).map_or((0, 0), |t| (t[2].num(), t[1].num()));
        let pb = plan(&b[0]).map_or((0, 0), |t| (t[2].num(), t[1].num()));
        (ctx.s(&a[5]) != p)
            .cmp(&(ctx.s(&b[5]) != p))
            .then(pa.cmp(&pb))
            .then(ctx.s(&a[0]).cmp(ctx.s(&b[0])))
    });
    let planned: Vec<(&Tuple, &Tuple)> = inits
        .iter()
        .filter_map(|t| plan(&t[0]).map(|pl| (*t, pl)))
        .collect();
    html! {
        div #partner-initiatives {
            h3 { "Initiatives and projected risk" }
            @if planned.is_empty() {
                p.note {
                    "This scenario models no initiatives. "
                    code { "scenarios/mongolia-partnership-2030.toml" } " adds initiatives under the US–"
                    (ctx.country(p)) " partnerships and projects the risk at each horizon."
                }
            } @else {
                p.note {
                    "Each bar runs from an initiative's start to its horizon; the marker at the horizon shows the risk lode projects there "
                    "(today → horizon), counting the capacity of every live initiative on the same mineral × stage due by then."
                }
                (timeline(ctx, &planned))
                div.table-wrap {
                    table.small.initiatives {
                        thead {
                            tr {
                                th { "Initiative" } th { "Kind" } th { "Mineral · stage" } th { "Years" } th { "Status" }
                                th.numcol { "Capacity" } th { "Risk today → at horizon" }
                            }
                        }
                        tbody {
                            @for (t, pl) in &planned {
                                @let id = ctx.s(&t[0]);
                                tr data-initiative=(id) {
                                    td {
                                        (ctx.initiative(id)) br;
                                        small {
                                            @if ctx.initiative(id) != id { (id) " · " }
                                            (ctx.partnership(ctx.s(&t[1])))
                                        }
                                    }
                                    td { (ctx.s(&t[2]).replace('_', " ")) }
                                    td { (ctx.mineral(ctx.s(&t[3]))) " · " (ctx.s(&t[4])) }
                                    td { (pl[1].num()) "–" (pl[2].num()) }
                                    td { span class={ "status st-" (ctx.s(&pl[3])) } { (ctx.s(&pl[3])) } }
                                    td.numcol { (ctx.pct_of(rel::INITIATIVE_PLAN, pl, pl[4].num())) }
                                    td {
                                        @let effects: Vec<&Tuple> = ctx.tuples(rel::INITIATIVE_EFFECT).iter().filter(|e| e[1] == t[0]).collect();
                                        @if effects.is_empty() {
                                            @for pr in ctx.tuples(rel::PROJECTED_RISK_LEVEL).iter().filter(|e| e[1] == t[0]) {
                                                (ctx.s(&pr[0])) ": at horizon "
                                                a href=(concl(ctx, rel::PROJECTED_RISK_LEVEL, pr)) { (badge(ctx.s(&pr[2]))) }
                                                " "
                                            }
                                        }
                                        @for e in &effects {
                                            (ctx.s(&e[0])) ": "
                                            a href=(concl(ctx, rel::INITIATIVE_EFFECT, e)) { (badge(ctx.s(&e[4]))) " → " (badge(ctx.s(&e[5]))) }
                                            @if rank(ctx.s(&e[5])) < rank(ctx.s(&e[4])) { " " span.tag.good { "reduces risk" } }
                                            " "
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
}

fn timeline(ctx: &Ctx<'_>, planned: &[(&Tuple, &Tuple)]) -> Markup {
    let as_of = ctx.side.facts.as_of;
    let now = as_of.year as i64;
    let y0 = planned
        .iter()
        .map(|(_, p)| p[1].num())
        .min()
        .unwrap_or(now)
        .min(now);
    let y1 = planned
        .iter()
        .map(|(_, p)| p[2].num())
        .max()
        .unwrap_or(now)
        .max(now)
        + 1;
    let (left, right) = (250i64, 640i64);
    let span = (y1 - y0).max(1);
    let x = |year_milli: i64| left + (year_milli - y0 * 1000) * (right - left) / (span * 1000);
    let row = 24i64;
    let top = 28i64;
    let height = top + planned.len() as i64 * row + 20;
    let now_milli = now * 1000
        + (i64::from(as_of.month) - 1) * 1000 / 12
        + (i64::from(as_of.day) - 1) * 1000 / 365;
    html! {
        svg.timeline viewBox={ "0 0 760 " (height) } width="760" height=(height) role="img" aria-label="initiatives timeline" {
            @for y in y0..=y1 {
                line.tick x1=(x(y * 1000)) x2=(x(y * 1000)) y1="18" y2=(height - 4) {}
                text.year x=(x(y * 1000)) y="12" text-anchor="middle" { (y) }
            }
            line.today x1=(x(now_milli)) x2=(x(now_milli)) y1="14" y2=(height - 2) {}
            text.tlabel x=(x(now_milli) + 3) y=(height - 4) { "as of " (as_of.to_string()) }
            @for (i, (t, pl)) in planned.iter().enumerate() {
                @let id = ctx.s(&t[0]);
                @let y = top + i as i64 * row;
                @let (start, horizon) = (pl[1].num(), pl[2].num());
                @let status = ctx.s(&pl[3]);
                @let effect = ctx.tuples(rel::INITIATIVE_EFFECT).iter().find(|e| e[1] == t[0]);
                @let projected = ctx.tuples(rel::PROJECTED_RISK_LEVEL).iter().find(|e| e[1] == t[0]).map(|e| ctx.s(&e[2]));
                @let cite = ctx.cite_tuple(rel::INITIATIVE_PLAN, pl);
                g.init {
                    title {
                        (ctx.initiative(id)) " (" (id) "): " (ctx.mineral(ctx.s(&t[3]))) " " (ctx.s(&t[4])) ", "
                        (start) "–" (horizon) ", " (status)
                        @if let Some(e) = effect { ", risk " (ctx.s(&e[4])) " today → " (ctx.s(&e[5])) " at horizon" }
                        @if let Some(c) = &cite { " · " (c.title) }
                    }
                    text.label x=(left - 8) y=(y + 15) text-anchor="end" { (truncate(id, 38)) }
                    rect class={ "span st-" (status) } x=(x(start * 1000)) y=(y + 5) width=((x(horizon * 1000) - x(start * 1000)).max(4)) height="14" rx="3" {}
                    @if let Some(l) = projected {
                        circle class={ "mark lvl-" (l) } cx=(x(horizon * 1000)) cy=(y + 12) r="7" {}
                        text.proj x=(x(horizon * 1000) + 12) y=(y + 16) {
                            @if let Some(e) = effect { (ctx.s(&e[4])) " → " }
                            (l)
                        }
                    }
                }
            }
        }
    }
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

//! The footnotes: every fact and parameter a number of the report cites, numbered in order of
//! first citation, with the full source (addresses as links), the file and line, and the quality.
//! The list is deferred to the page's packed data block ([`Ctx::defer`]) and drawn when the page
//! loads.

use super::ctx::{Ctx, NoteKey};
use super::links::linked;
use crate::scenario::{Fact, Val};
use maud::{Markup, html};

fn value_of(f: &Fact) -> String {
    let mut parts = Vec::new();
    for key in [
        "percent",
        "capacity",
        "tonnes",
        "value",
        "governance",
        "start",
        "horizon",
        "status",
        "level",
    ] {
        match f.get(key) {
            Some(Val::Num(n)) => parts.push(format!("{key} {n}")),
            Some(Val::Str(s)) => parts.push(format!("{key} {s}")),
            Some(Val::Measure(m)) => parts.push(format!("{key} {m}")),
            _ => {}
        }
    }
    parts.join(", ")
}

/// The works cited, in order of first citation: each work's source string (the same text on many
/// facts: a statistical yearbook, a study) and the footnotes of the facts that cite it. Facts with
/// no source (the analyst's alignment ratings) form a group of their own, with their rationales;
/// the parameters come last.
fn works(ctx: &Ctx<'_>, notes: &[NoteKey]) -> Vec<(Option<String>, Vec<usize>)> {
    let mut order: Vec<(Option<String>, Vec<usize>)> = Vec::new();
    let mut params = Vec::new();
    for (i, key) in notes.iter().enumerate() {
        let n = i + 1;
        let work = match key {
            NoteKey::Fact(fi) => {
                let src = ctx.scenario().facts[*fi].source.trim().to_string();
                Some(if src.is_empty() { None } else { Some(src) })
            }
            NoteKey::Param(_) => None,
        };
        match work {
            Some(w) => match order.iter_mut().find(|(k, _)| *k == w) {
                Some((_, ns)) => ns.push(n),
                None => order.push((w, vec![n])),
            },
            None => params.push(n),
        }
    }
    if !params.is_empty() {
        order.push((Some(String::new()), params));
    }
    order
}

pub fn render(ctx: &Ctx<'_>) -> Markup {
    let notes = ctx.notes();
    let works = works(ctx, &notes);
    html! {
        section #sources {
            h2 { "Sources" }
            p.note {
                "Every figure in this report links here. The footnotes are grouped by the work they cite, given once above them. "
                "Each gives the fact as lode read it, the file and line it was read from, and its quality "
                "(official, derived from official figures, secondary, the analyst's assumption, or an unverified claim)."
            }
            @if notes.is_empty() {
                p { "No figure is cited." }
            }
            (ctx.defer(html! { @for (w, (work, ns)) in works.iter().enumerate() {
                div.work id={ "work-" (w + 1) } {
                    p.cite {
                        @match work.as_deref() {
                            Some("") => { strong { "Thresholds" } " (lode’s parameters, as this scenario sets them)" }
                            Some(src) => { span.src { (linked(src)) } }
                            None => { strong { "The analyst’s assumptions" } " (no source: each states its rationale)" }
                        }
                    }
                    ol.sources {
                        @for n in ns {
                            (note(ctx, *n, &notes[*n - 1], w + 1))
                        }
                    }
                }
            } }))
        }
    }
}

fn note(ctx: &Ctx<'_>, n: usize, key: &NoteKey, work: usize) -> Markup {
    match key {
        NoteKey::Fact(fi) => {
            let f = &ctx.scenario().facts[*fi];
            let q = crate::confidence::quality_of(f);
            html! {
                li id={ "src-" (n) } value=(n) data-place=(ctx.place(*fi)) data-work=(work) {
                    span.fact { (f.describe()) }
                    @let v = value_of(f);
                    @if !v.is_empty() { " — " (v) }
                    ". "
                    span class={ "q q-" (q.as_str()) } { (q.as_str()) }
                    " "
                    code.place { (ctx.place(*fi)) }
                    @let rationale = f.str("rationale");
                    @if !rationale.is_empty() {
                        br;
                        small.fnote { "rationale: " (rationale) }
                    }
                    @let note = f.str("note");
                    @if !note.is_empty() {
                        br;
                        small.fnote { (note) }
                    }
                }
            }
        }
        NoteKey::Param(name) => html! {
            li id={ "src-" (n) } value=(n) data-work=(work) {
                span.fact { "parameter " (name) " = " (ctx.param_num_plain(name)) }
                ". " (ctx.param_origin(name))
            }
        },
    }
}

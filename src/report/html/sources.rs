//! The footnotes: every fact and parameter a number of the report cites, numbered in order of
//! first citation, with the full source (addresses as links), the file and line, and the quality.

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

pub fn render(ctx: &Ctx<'_>) -> Markup {
    let notes = ctx.notes();
    html! {
        section #sources {
            h2 { "Sources" }
            p.note {
                "Every figure in this report links here. Each entry gives the fact as lode read it, its source as the scenario cites it, "
                "the file and line it was read from, and the quality the scenario assigns to it "
                "(official, derived from official figures, secondary, the analyst's assumption, or an unverified claim)."
            }
            @if notes.is_empty() {
                p { "No figure is cited." }
            }
            ol.sources {
                @for (i, key) in notes.iter().enumerate() {
                    @let n = i + 1;
                    @match key {
                        NoteKey::Fact(fi) => {
                            @let f = &ctx.scenario().facts[*fi];
                            li id={ "src-" (n) } value=(n) data-place=(ctx.place(*fi)) {
                                span.fact { (f.describe()) }
                                @let v = value_of(f);
                                @if !v.is_empty() { " — " (v) }
                                ". "
                                span class={ "q q-" (f.quality.as_str()) } { (f.quality.as_str()) }
                                " "
                                span.src { (linked(&f.source)) }
                                " "
                                code.place { (ctx.place(*fi)) }
                                @let note = f.str("note");
                                @if !note.is_empty() {
                                    br;
                                    small.fnote { (note) }
                                }
                            }
                        }
                        NoteKey::Param(name) => {
                            li id={ "src-" (n) } value=(n) {
                                span.fact { "parameter " (name) " = " (ctx.param_num_plain(name)) }
                                ". " (ctx.param_origin(name))
                            }
                        }
                    }
                }
            }
        }
    }
}

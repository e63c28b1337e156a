//! Every conclusion of the scenario, each a `<details>` that opens to its explanation. The list is
//! deferred to the page's packed data block ([`Ctx::defer`]) and drawn when the page loads.

use super::Compare;
use super::ctx::{Ctx, anchor, pct};
use crate::datalog::{program, rel};
use crate::model::{Symbols, Value};
use crate::scenario::Quality;
use maud::{Markup, html};

/// A tuple as a reader sees it: `Share(gallium, refining, CHN, 99%)`.
pub fn atom(syms: &Symbols, r: usize, t: &[Value]) -> String {
    let Some(relation) = program().relations.get(r) else {
        return String::new();
    };
    let args: Vec<String> = relation
        .fields
        .iter()
        .zip(t.iter())
        .map(|(f, v)| match v {
            Value::Num(n) if f.name.ends_with("_bp") => pct(*n),
            Value::Num(n) if f.name.ends_with("_milli") => format!("{:.3}", *n as f64 / 1000.0),
            _ => syms.show(v),
        })
        .collect();
    format!("{}({})", relation.name, args.join(", "))
}

/// The output relations in the order an analyst reads them: risk first.
pub fn output_relations() -> Vec<usize> {
    let first = [
        rel::RISK_LEVEL,
        rel::EXPOSURE,
        rel::HIGH_RELIANCE,
        rel::CONCENTRATION,
        rel::DOMINANT,
        rel::CAP_BREACH,
    ];
    let mut out: Vec<usize> = first.to_vec();
    for (i, r) in program().relations.iter().enumerate() {
        if r.output && !out.contains(&i) {
            out.push(i);
        }
    }
    out.retain(|&i| program().relations.get(i).is_some_and(|r| r.output));
    out
}

/// The section; the proofs go into `table` (stored once, drawn by the script on opening).
pub fn render(ctx: &Ctx<'_>, cmp: Option<&Compare<'_>>, table: &super::proof::Table) -> Markup {
    let explain = ctx.explainer;
    let syms = &ctx.side.facts.syms;
    let rels: Vec<usize> = output_relations()
        .into_iter()
        .filter(|&r| !ctx.tuples(r).is_empty())
        .collect();
    let total: usize = rels.iter().map(|&r| ctx.tuples(r).len()).sum();
    html! {
        section #conclusions data-count=(total) {
            h2 { "Every conclusion, explained" }
            p.note {
                (total) " conclusions. Open one to see why it holds: the rule that derived it, the conditions it checked, "
                "and the facts underneath, each with its source, then the assumptions it rests on. A conclusion resting on data weaker than "
                "official is tagged with the weakest quality among its data facts."
                @if explain.is_none() {
                    " This build of lode has no proof trees; each conclusion lists the rules that can derive it."
                }
            }
            p.controls {
                button type="button" data-action="expand" { "Expand all" }
                " "
                button type="button" data-action="collapse" { "Collapse all" }
            }
            (ctx.defer(html! { @for r in &rels {
                @let relation = &program().relations[*r];
                div.rel id={ "r-" (relation.name) } {
                    h3 {
                        (relation.name) " "
                        small { "— " (relation.doc) " (" (ctx.tuples(*r).len()) ")" }
                    }
                    @for t in ctx.tuples(*r) {
                        @let text = atom(syms, *r, t);
                        @let new = cmp.is_some_and(|c| c.is_new(*r, &text));
                        @let proof = explain.and_then(|e| e.proof(*r, t, None));
                        @let quality = proof.as_ref().map(|p| crate::confidence::of_proof(ctx.scenario(), p));
                        @let root = proof.as_ref().map(|p| table.add(ctx, p));
                        details class={ "concl" @if new { " added" } } id=(anchor(syms, *r, t)) data-p=[root] {
                            summary {
                                code { (text) }
                                @if let Some(q) = quality.filter(|q| *q < Quality::Official) {
                                    " " span class={ "q q-" (q.as_str()) } { (q.as_str()) }
                                }
                                @if new { " " span.tag.change { "new" } }
                            }
                            div.expl {
                                @if proof.is_none() { (rules_of(*r)) }
                            }
                        }
                    }
                }
            } }))
        }
    }
}

/// The rules whose head is a relation, with their doc lines and places.
pub fn rules_of(r: usize) -> Markup {
    html! {
        p.muted { "Derived by:" }
        ul.rules {
            @for rule in program().rules.iter().filter(|x| x.head.rel == r) {
                li { (rule.doc) " " code.place { (rule.file) ":" (rule.line) } }
            }
        }
    }
}

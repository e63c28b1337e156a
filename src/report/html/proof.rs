//! A proof (from `explain`) as a tree of nested lists: each derived tuple with the rule that
//! derived it, its conditions and negations, and the facts underneath with their sources.

use super::ctx::Ctx;
use super::links::linked;
use crate::datalog::program;
use crate::datalog::syntax::Literal;
use crate::explain::{Proof, Step};
use crate::lower::{Origin, ParamFrom};
use crate::report::proof::{pattern, rule_place, tuple};
use maud::{Markup, html};

/// The explanation tree of one conclusion.
pub fn render(ctx: &Ctx<'_>, p: &Proof) -> Markup {
    html! {
        ul.tree { (node(ctx, p)) }
    }
}

fn node(ctx: &Ctx<'_>, p: &Proof) -> Markup {
    let syms = &ctx.side.facts.syms;
    let head = tuple(syms, p.rel, &p.tuple);
    html! {
        li {
            span.atom { (head) }
            @match &p.step {
                Step::Rule { rule, premises, negations, conditions, .. } => {
                    @if let Some(r) = program().rules.get(*rule) {
                        " " span.because { "— " (r.doc) } " " code.place { (rule_place(r)) }
                        @if p.alternatives > 0 {
                            " " span.tag { "+" (p.alternatives) " other derivation" @if p.alternatives > 1 { "s" } }
                        }
                        ul {
                            @let (mut pi, mut ni, mut ci) = (premises.iter(), negations.iter(), conditions.iter());
                            @for lit in &r.body {
                                @match lit {
                                    Literal::Pos(_) => {
                                        @if let Some(q) = pi.next() { (node(ctx, q)) }
                                    }
                                    Literal::Neg(_) => {
                                        @if let Some(n) = ni.next() {
                                            li.neg { "and no " code { (pattern(syms, n)) } " holds" }
                                        }
                                    }
                                    Literal::Cmp(..) | Literal::Bind(..) => {
                                        @if let Some(c) = ci.next() {
                                            li.cond { "check " code { (c) } }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                Step::Input { origins } => {
                    @for o in origins {
                        " " (origin(ctx, p, o))
                    }
                }
                Step::Computed { formula, inputs } => {
                    " " span.because { "— computed: " (formula) }
                    details.computed {
                        summary { "from " (inputs.len()) " input" @if inputs.len() != 1 { "s" } }
                        ul { @for q in inputs { (node(ctx, q)) } }
                    }
                }
                Step::Truncated => {
                    " " span.muted { "(proof not shown)" }
                }
            }
        }
    }
}

fn origin(ctx: &Ctx<'_>, p: &Proof, o: &Origin) -> Markup {
    match o {
        Origin::Fact(i) => match ctx.scenario().facts.get(*i) {
            Some(f) => html! {
                div.leaf {
                    span class={ "q q-" (f.quality.as_str()) } { (f.quality.as_str()) } " "
                    (f.describe())
                    @if let Some(v) = f.num("percent") { " = " (v) "%" }
                    " — "
                    @if !f.source.trim().is_empty() {
                        (linked(&f.source))
                    } @else if !f.str("rationale").is_empty() {
                        "rationale: " (f.str("rationale"))
                    } @else {
                        span.muted { "no source given" }
                    }
                    " " code.place { (ctx.place(*i)) }
                }
            },
            None => html! {},
        },
        Origin::Param { name, from } => {
            let at = match from {
                ParamFrom::Default => "lode's default".to_string(),
                ParamFrom::CommandLine => "set with --set".to_string(),
                ParamFrom::File(loc) => format!("set at {}", ctx.scenario().place(loc)),
            };
            let _ = p;
            html! { span.leaf { "parameter " code { (name) } " = " (ctx.param_num_plain(name)) " (" (at) ")" } }
        }
        Origin::Computed { formula, .. } => html! { span.because { "computed: " (formula) } },
        Origin::Cut { what } => html! { span.leaf { "cut: " (what) } },
    }
}

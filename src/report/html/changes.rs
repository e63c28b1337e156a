//! `--against OTHER`: what differs between the report's scenario and another, highlighted in the
//! heat map and the conclusion list and listed in a section of its own.

use super::conclusions::{atom, output_relations};
use super::ctx::{Ctx, Side, rank};
use super::summary::badge;
use crate::datalog::{program, rel};
use crate::diff::{self, Entry, Kind};
use crate::report::diff::{atom as diff_atom, sentence};
use maud::{Markup, html};
use std::collections::{BTreeMap, BTreeSet};

/// A change of risk level of one consumer × mineral × stage.
struct RiskChange {
    key: (String, String, String),
    before: Option<String>,
    after: Option<String>,
}

pub struct Compare<'a> {
    other: Side<'a>,
    /// The other scenario's risk levels.
    risk: BTreeMap<(String, String, String), String>,
    risk_changes: Vec<RiskChange>,
    /// Conclusions (relation, atom text) that hold only in the report's scenario.
    added: BTreeSet<(usize, String)>,
    /// Conclusions that hold only in the other scenario.
    removed: BTreeSet<(usize, String)>,
    /// The differences as `diff` pairs them: added, removed, changed (other → this).
    entries: Vec<Entry>,
}

fn risk_map(
    syms: &crate::model::Symbols,
    db: &crate::model::Database,
) -> BTreeMap<(String, String, String), String> {
    db.rel(rel::RISK_LEVEL)
        .iter()
        .map(|t| {
            let s = |i: usize| syms.name(t[i].sym()).to_string();
            ((s(0), s(1), s(2)), s(3))
        })
        .collect()
}

impl<'a> Compare<'a> {
    pub fn new(main: &Ctx<'_>, other: Side<'a>) -> Self {
        let (ms, os) = (&main.side.facts.syms, &other.facts.syms);
        let mine = risk_map(ms, &main.side.model.db);
        let risk = risk_map(os, &other.model.db);
        let keys: BTreeSet<&(String, String, String)> = mine.keys().chain(risk.keys()).collect();
        let risk_changes = keys
            .into_iter()
            .filter(|k| mine.get(*k) != risk.get(*k))
            .map(|k| RiskChange {
                key: k.clone(),
                before: risk.get(k).cloned(),
                after: mine.get(k).cloned(),
            })
            .collect();
        let mut added = BTreeSet::new();
        let mut removed = BTreeSet::new();
        for r in output_relations() {
            let a: BTreeSet<String> = main
                .side
                .model
                .db
                .rel(r)
                .iter()
                .map(|t| atom(ms, r, t))
                .collect();
            let b: BTreeSet<String> = other
                .model
                .db
                .rel(r)
                .iter()
                .map(|t| atom(os, r, t))
                .collect();
            added.extend(a.difference(&b).map(|x| (r, x.clone())));
            removed.extend(b.difference(&a).map(|x| (r, x.clone())));
        }
        let entries = diff::conclusions(
            diff::Side {
                syms: os,
                db: &other.model.db,
            },
            diff::Side {
                syms: ms,
                db: &main.side.model.db,
            },
        );
        Compare {
            other,
            risk,
            risk_changes,
            added,
            removed,
            entries,
        }
    }

    /// Whether a conclusion holds here but not in the other scenario.
    pub fn is_new(&self, r: usize, text: &str) -> bool {
        self.added.contains(&(r, text.to_string()))
    }

    /// The other scenario's risk level of a consumer × mineral × stage (`None`: not assessed).
    pub fn risk_before(&self, k: &str, m: &str, s: &str) -> Option<String> {
        self.risk
            .get(&(k.to_string(), m.to_string(), s.to_string()))
            .cloned()
    }

    fn other_name(&self) -> &str {
        &self.other.scenario.meta.name
    }

    /// The line under the title: what the report is compared against.
    pub fn header(&self) -> Markup {
        let o = self.other.scenario;
        html! {
            p.against {
                "Compared against " strong { (o.meta.name) } " ("
                @for (i, f) in o.files.iter().enumerate() {
                    @if i > 0 { ", " }
                    code { (f.name) }
                }
                "): changes are " span.changed-demo { "outlined" } "."
                @if let Some(l) = &o.meta.label {
                    " " span.label-inline { (l) }
                }
            }
        }
    }

    /// One paragraph for the summary.
    pub fn summary(&self, _ctx: &Ctx<'_>) -> Markup {
        let raised = self
            .risk_changes
            .iter()
            .filter(|c| {
                rank(c.after.as_deref().unwrap_or("")) > rank(c.before.as_deref().unwrap_or(""))
            })
            .count();
        let lowered = self.risk_changes.len() - raised;
        html! {
            div.role {
                h3 { "Against " (self.other_name()) }
                p {
                    @if self.added.is_empty() && self.removed.is_empty() {
                        "No conclusion differs from " (self.other_name()) "."
                    } @else {
                        (self.added.len()) " conclusions hold only here and " (self.removed.len()) " only in " (self.other_name()) "; "
                        (self.risk_changes.len()) " risk levels differ (" (raised) " higher here, " (lowered) " lower). "
                        a.why href="#changes" { "Changes" }
                    }
                }
            }
        }
    }

    /// The changes section.
    pub fn render(&self, ctx: &Ctx<'_>) -> Markup {
        let mut by_rel: BTreeMap<usize, Vec<&Entry>> = BTreeMap::new();
        for e in &self.entries {
            by_rel.entry(e.rel).or_default().push(e);
        }
        let order = output_relations();
        let mut rels: Vec<usize> = by_rel.keys().copied().collect();
        rels.sort_by_key(|r| order.iter().position(|x| x == r).unwrap_or(usize::MAX));
        html! {
            section #changes data-added=(self.added.len()) data-removed=(self.removed.len()) data-risk-changes=(self.risk_changes.len()) {
                h2 { "Changes against " (self.other_name()) }
                @if self.added.is_empty() && self.removed.is_empty() {
                    p { "No conclusion differs." }
                }
                @if !self.risk_changes.is_empty() {
                    table.small.risk-changes {
                        caption { "Risk levels that differ" }
                        thead { tr { th { "Consumer" } th { "Mineral" } th { "Stage" } th { (self.other_name()) } th { "Here" } } }
                        tbody {
                            @for c in &self.risk_changes {
                                @let up = rank(c.after.as_deref().unwrap_or("")) > rank(c.before.as_deref().unwrap_or(""));
                                tr class=(if up { "up" } else { "down" }) {
                                    td { (c.key.0) }
                                    td { (ctx.mineral(&c.key.1)) }
                                    td { (c.key.2) }
                                    td { @match &c.before { Some(b) => (badge(b)), None => span.muted { "not assessed" } } }
                                    td {
                                        @match &c.after { Some(a) => (badge(a)), None => span.muted { "not assessed" } }
                                        " " span.arrow { (if up { "▲ higher" } else { "▼ lower" }) }
                                    }
                                }
                            }
                        }
                    }
                }
                @for r in &rels {
                    @if let Some(entries) = by_rel.get(r) {
                        div.rel-changes {
                            h3 { (program().relations.get(*r).map_or("", |x| x.name.as_str())) " " small { "(" (entries.len()) ")" } }
                            ul.changes {
                                @for e in entries {
                                    @match &e.kind {
                                        Kind::Added(row) => li.added { span.sign { "+" } " " (sentence(e)) " " code { (diff_atom(e.rel, row)) } },
                                        Kind::Removed(row) => li.removed { span.sign { "−" } " " (sentence(e)) " " code { (diff_atom(e.rel, row)) } },
                                        Kind::Changed { after, .. } => li.changed { span.sign { "~" } " " (sentence(e)) " " code { (diff_atom(e.rel, after)) } },
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

//! Proofs (from `explain`) for the report, stored once: every proof node, fact leaf and citation
//! goes into one [`Table`], embedded in the page's script as a JSON object, and a conclusion's
//! `<details>` names its root node (`data-p`). The inline script builds the tree of nested lists
//! (each derived tuple with the rule that derived it, its conditions and negations, and the facts
//! underneath with their sources) when the conclusion is opened.
//!
//! Proofs share most of their nodes (the same shares, alignments and thresholds carry many
//! conclusions), so a node is stored once however many proofs use it: a tuple's least-height
//! proof is one tree, whichever conclusion reaches it.
//!
//! Layout of the JSON (short keys: it is read by the script, not by tools — those use
//! `lode explain --format json`):
//!
//! - `rules[i]` = `[doc, place]` for rule `i` of the program;
//! - `cites[i]` = a source string as pieces: a string (text) or `[text, href]` (a link);
//! - `leaves[i]` = `{k: "fact"|"assumption", q: quality, d: fact and value, s: cite, r: rationale,
//!   m: note, p: place}` or `{t: text}` (a parameter, a cut);
//! - `nodes[i]` = `{a: atom, r: rule, n: alternatives, c: [child…]}` (a rule step; a child is a
//!   node id, `["c", check]` or `["n", negated pattern]`), `{a, o: [leaf…]}` (an input),
//!   `{a, f: formula, c: [node…]}` (a computed tuple) or `{a, t: 1}` (not shown).

use super::ctx::Ctx;
use super::links::{Piece, pieces};
use crate::datalog::program;
use crate::datalog::syntax::Literal;
use crate::explain::{Proof, Step};
use crate::lower::{Origin, ParamFrom};
use crate::model::Tuple;
use crate::report::proof::{fact_value, pattern, rule_place, tuple};
use serde_json::{Map, Value as Json, json};
use std::cell::RefCell;
use std::collections::HashMap;

#[derive(Default)]
struct Inner {
    nodes: Vec<Json>,
    node_ids: HashMap<(usize, Tuple), usize>,
    leaves: Vec<Json>,
    leaf_ids: HashMap<String, usize>,
    cites: Vec<Json>,
    cite_ids: HashMap<String, usize>,
}

/// The proof nodes of a report, each stored once.
#[derive(Default)]
pub struct Table {
    inner: RefCell<Inner>,
}

impl Table {
    /// Adds a proof (and every node under it not stored yet); returns the id of its root.
    pub fn add(&self, ctx: &Ctx<'_>, p: &Proof) -> usize {
        let key = (p.rel, p.tuple.clone());
        if let Some(&id) = self.inner.borrow().node_ids.get(&key) {
            return id;
        }
        let syms = &ctx.side.facts.syms;
        let mut m = Map::new();
        m.insert("a".into(), json!(tuple(syms, p.rel, &p.tuple)));
        match &p.step {
            Step::Rule {
                rule,
                premises,
                negations,
                conditions,
                ..
            } => {
                m.insert("r".into(), json!(rule));
                if p.alternatives > 0 {
                    m.insert("n".into(), json!(p.alternatives));
                }
                let mut children = Vec::new();
                if let Some(r) = program().rules.get(*rule) {
                    let (mut pi, mut ni, mut ci) =
                        (premises.iter(), negations.iter(), conditions.iter());
                    for lit in &r.body {
                        match lit {
                            Literal::Pos(_) => {
                                if let Some(q) = pi.next() {
                                    children.push(json!(self.add(ctx, q)));
                                }
                            }
                            Literal::Neg(_) => {
                                if let Some(n) = ni.next() {
                                    children.push(json!(["n", pattern(syms, n)]));
                                }
                            }
                            Literal::Cmp(..) | Literal::Bind(..) => {
                                if let Some(c) = ci.next() {
                                    children.push(json!(["c", c]));
                                }
                            }
                        }
                    }
                }
                m.insert("c".into(), Json::Array(children));
            }
            Step::Input { origins } => {
                let leaves: Vec<Json> = origins.iter().map(|o| json!(self.leaf(ctx, o))).collect();
                m.insert("o".into(), Json::Array(leaves));
            }
            Step::Computed { formula, inputs } => {
                m.insert("f".into(), json!(formula));
                let children: Vec<Json> = inputs.iter().map(|q| json!(self.add(ctx, q))).collect();
                m.insert("c".into(), Json::Array(children));
            }
            Step::Truncated => {
                m.insert("t".into(), json!(1));
            }
        }
        let mut inner = self.inner.borrow_mut();
        let id = inner.nodes.len();
        inner.nodes.push(Json::Object(m));
        inner.node_ids.insert(key, id);
        id
    }

    fn leaf(&self, ctx: &Ctx<'_>, o: &Origin) -> usize {
        let v = match o {
            Origin::Fact(i) => match ctx.scenario().facts.get(*i) {
                Some(f) => {
                    let mut m = Map::new();
                    let assumed = crate::confidence::is_assumption(f);
                    m.insert(
                        "k".into(),
                        json!(if assumed { "assumption" } else { "fact" }),
                    );
                    m.insert("q".into(), json!(crate::confidence::quality_of(f).as_str()));
                    m.insert(
                        "d".into(),
                        json!(format!("{}{}", f.describe(), fact_value(f))),
                    );
                    if !f.source.trim().is_empty() {
                        m.insert("s".into(), json!(self.cite(&f.source)));
                    }
                    for (k, col) in [("r", "rationale"), ("m", "note")] {
                        let t = f.str(col).trim();
                        if !t.is_empty() {
                            m.insert(k.into(), json!(t));
                        }
                    }
                    m.insert("p".into(), json!(ctx.place(*i)));
                    Json::Object(m)
                }
                None => json!({ "t": format!("fact #{i}") }),
            },
            Origin::Param { name, from } => {
                let at = match from {
                    ParamFrom::Default => "lode's default".to_string(),
                    ParamFrom::CommandLine => "set with --set".to_string(),
                    ParamFrom::File(loc) => format!("set at {}", ctx.scenario().place(loc)),
                };
                json!({ "t": format!("parameter {name} = {} ({at})", ctx.param_num_plain(name)) })
            }
            Origin::Computed { formula, .. } => json!({ "t": format!("computed: {formula}") }),
            Origin::Cut { what } => json!({ "t": format!("cut: {what}") }),
        };
        let key = v.to_string();
        if let Some(&id) = self.inner.borrow().leaf_ids.get(&key) {
            return id;
        }
        let mut inner = self.inner.borrow_mut();
        let id = inner.leaves.len();
        inner.leaves.push(v);
        inner.leaf_ids.insert(key, id);
        id
    }

    fn cite(&self, source: &str) -> usize {
        if let Some(&id) = self.inner.borrow().cite_ids.get(source) {
            return id;
        }
        let v: Vec<Json> = pieces(source)
            .into_iter()
            .map(|p| match p {
                Piece::Text(t) => json!(t),
                Piece::Link { text, href } => json!([text, href]),
            })
            .collect();
        let mut inner = self.inner.borrow_mut();
        let id = inner.cites.len();
        inner.cites.push(Json::Array(v));
        inner.cite_ids.insert(source.to_string(), id);
        id
    }

    /// The table as JSON, for the page's packed data block.
    pub fn value(&self) -> Json {
        let inner = self.inner.borrow();
        let rules: Vec<Json> = program()
            .rules
            .iter()
            .map(|r| json!([r.doc, rule_place(r)]))
            .collect();
        json!({
            "rules": rules,
            "cites": inner.cites,
            "leaves": inner.leaves,
            "nodes": inner.nodes,
        })
    }
}

//! Proofs (from `explain`) for the report, stored once: every proof node, fact leaf and citation
//! goes into one [`Table`], a JSON object in the page's packed data block (see `html.rs`), and a
//! conclusion's `<details>` names its root node (`data-p`). The inline script builds the tree of
//! nested lists (each derived tuple with the rule that derived it, its conditions and negations,
//! and the facts underneath with their sources) when the conclusion is opened.
//!
//! Proofs share most of their nodes (the same shares, alignments and thresholds carry many
//! conclusions), so a node is stored once however many proofs use it: a tuple's least-height
//! proof is one tree, whichever conclusion reaches it.
//!
//! Layout of the JSON (arrays and integer ids: it is read by the script, not by tools — those use
//! `lode explain --format json`). Every text is stored once, in `strs`, and named by its index
//! there (written `s` below):
//!
//! - `rels[i]` = the name of relation `i`; an atom is `[rel, s…]` (its fields, as `lode run`
//!   prints them);
//! - `rules[i]` = `[doc, place]` for rule `i` of the program;
//! - `cites[i]` = a source string as pieces: a string (text) or `[text, href]` (a link);
//! - `leaves[i]` = `[assumed (0|1), quality s, fact and value s, cite|-1, rationale s|-1,
//!   note s|-1, place s]` for a fact, or `s` for a text (a parameter, a cut);
//! - `nodes[i]` = `[atom, 0, rule, alternatives, [child…]]` (a rule step; a child is a node id,
//!   `[0, check s]` or `[1, negated pattern s]`), `[atom, 1, [leaf…]]` (an input),
//!   `[atom, 2, formula s, [node…]]` (a computed tuple) or `[atom, 3]` (not shown).

use super::ctx::Ctx;
use super::links::{Piece, pieces};
use crate::datalog::program;
use crate::datalog::syntax::Literal;
use crate::explain::{Proof, Step};
use crate::lower::{Origin, ParamFrom};
use crate::model::Tuple;
use crate::model::Value;
use crate::report::field;
use crate::report::proof::{fact_value, pattern, rule_place};
use serde_json::{Value as Json, json};
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
    strs: Vec<String>,
    str_ids: HashMap<String, usize>,
}

impl Inner {
    /// The index of a text in `strs`, adding it the first time.
    fn s(&mut self, text: &str) -> usize {
        if let Some(&i) = self.str_ids.get(text) {
            return i;
        }
        let i = self.strs.len();
        self.strs.push(text.to_string());
        self.str_ids.insert(text.to_string(), i);
        i
    }
}

/// The proof nodes of a report, each stored once.
#[derive(Default)]
pub struct Table {
    inner: RefCell<Inner>,
}

impl Table {
    /// A text's index in the string table.
    fn s(&self, text: &str) -> usize {
        self.inner.borrow_mut().s(text)
    }

    /// An atom: `[rel, s…]`, its fields as `lode run` prints them.
    fn atom(&self, ctx: &Ctx<'_>, rel: usize, t: &[Value]) -> Json {
        let syms = &ctx.side.facts.syms;
        let mut a = vec![json!(rel)];
        if let Some(r) = program().relations.get(rel) {
            for (f, v) in r.fields.iter().zip(t) {
                a.push(json!(self.s(&field(syms, &f.name, v))));
            }
        }
        Json::Array(a)
    }

    /// Adds a proof (and every node under it not stored yet); returns the id of its root.
    pub fn add(&self, ctx: &Ctx<'_>, p: &Proof) -> usize {
        let key = (p.rel, p.tuple.clone());
        if let Some(&id) = self.inner.borrow().node_ids.get(&key) {
            return id;
        }
        let syms = &ctx.side.facts.syms;
        let atom = self.atom(ctx, p.rel, &p.tuple);
        let node = match &p.step {
            Step::Rule {
                rule,
                premises,
                negations,
                conditions,
                ..
            } => {
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
                                    children.push(json!([1, self.s(&pattern(syms, n))]));
                                }
                            }
                            Literal::Cmp(..) | Literal::Bind(..) => {
                                if let Some(c) = ci.next() {
                                    children.push(json!([0, self.s(c)]));
                                }
                            }
                        }
                    }
                }
                json!([atom, 0, rule, p.alternatives, children])
            }
            Step::Input { origins } => {
                let leaves: Vec<usize> = origins.iter().map(|o| self.leaf(ctx, o)).collect();
                json!([atom, 1, leaves])
            }
            Step::Computed { formula, inputs } => {
                let children: Vec<usize> = inputs.iter().map(|q| self.add(ctx, q)).collect();
                json!([atom, 2, self.s(formula), children])
            }
            Step::Truncated => json!([atom, 3]),
        };
        let mut inner = self.inner.borrow_mut();
        let id = inner.nodes.len();
        inner.nodes.push(node);
        inner.node_ids.insert(key, id);
        id
    }

    fn leaf(&self, ctx: &Ctx<'_>, o: &Origin) -> usize {
        let text = |t: String| json!(self.s(&t));
        let v = match o {
            Origin::Fact(i) => match ctx.scenario().facts.get(*i) {
                Some(f) => {
                    let assumed = crate::confidence::is_assumption(f);
                    let source = f.source.trim();
                    let cite = if source.is_empty() {
                        -1
                    } else {
                        i64::try_from(self.cite(source)).unwrap_or(-1)
                    };
                    let opt = |col: &str| {
                        let t = f.str(col).trim();
                        if t.is_empty() {
                            -1
                        } else {
                            i64::try_from(self.s(t)).unwrap_or(-1)
                        }
                    };
                    json!([
                        u8::from(assumed),
                        self.s(crate::confidence::quality_of(f).as_str()),
                        self.s(&format!("{}{}", f.describe(), fact_value(f))),
                        cite,
                        opt("rationale"),
                        opt("note"),
                        self.s(&ctx.place(*i)),
                    ])
                }
                None => text(format!("fact #{i}")),
            },
            Origin::Param { name, from } => {
                let at = match from {
                    ParamFrom::Default => "lode's default".to_string(),
                    ParamFrom::CommandLine => "set with --set".to_string(),
                    ParamFrom::File(loc) => format!("set at {}", ctx.scenario().place(loc)),
                };
                text(format!(
                    "parameter {name} = {} ({at})",
                    ctx.param_num_plain(name)
                ))
            }
            Origin::Computed { formula, .. } => text(format!("computed: {formula}")),
            Origin::Cut { what } => text(format!("cut: {what}")),
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
        let rels: Vec<&str> = program()
            .relations
            .iter()
            .map(|r| r.name.as_str())
            .collect();
        let rules: Vec<Json> = program()
            .rules
            .iter()
            .map(|r| json!([r.doc, rule_place(r)]))
            .collect();
        json!({
            "rels": rels,
            "strs": inner.strs,
            "rules": rules,
            "cites": inner.cites,
            "leaves": inner.leaves,
            "nodes": inner.nodes,
        })
    }
}

//! Proofs and why-not answers as text (an indented tree), JSON (nested, stable field names) and
//! Graphviz DOT.
//!
//! Tuples are written as `lode run` prints them (`Dominant(gallium, refining, CHN, 98.90%)`), so
//! any line can be pasted back into `lode explain`.

use super::{field, field_json, to_pretty};
use crate::datalog::program;
use crate::datalog::syntax::{Atom, Literal, Program, Rule, Term, expr_to_string};
use crate::explain::{Proof, Reason, Step, WhyNot};
use crate::lower::{Origin, ParamFrom};
use crate::model::{Symbols, Value};
use crate::params::{self, Unit};
use crate::query::Pattern;
use crate::scenario::{Fact, Scenario};
use serde_json::{Map, Value as Json, json};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// What rendering needs besides the proof: the scenario (for places) and the symbol table.
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    pub scenario: &'a Scenario,
    pub syms: &'a Symbols,
}

/// `Dominant(gallium, refining, CHN, 98.90%)`: a tuple as `lode run` prints its fields.
pub fn tuple(syms: &Symbols, rel: usize, t: &[Value]) -> String {
    let Some(r) = program().relations.get(rel) else {
        return "?".into();
    };
    let args: Vec<String> = r
        .fields
        .iter()
        .zip(t)
        .map(|(f, v)| field(syms, &f.name, v))
        .collect();
    format!("{}({})", r.name, args.join(", "))
}

/// `Exposure(USA, fluorspar, mining, _)`: a pattern, `_` for an open field.
pub fn pattern(syms: &Symbols, p: &Pattern) -> String {
    let Some(r) = program().relations.get(p.rel) else {
        return "?".into();
    };
    let args: Vec<String> = r
        .fields
        .iter()
        .zip(&p.fields)
        .map(|(f, v)| v.as_ref().map_or("_".into(), |v| field(syms, &f.name, v)))
        .collect();
    format!("{}({})", r.name, args.join(", "))
}

/// `rules/risk.dl:50`.
pub fn rule_place(rule: &Rule) -> String {
    format!("{}:{}", rule.file, rule.line)
}

fn atom_text(prog: &Program, a: &Atom) -> String {
    let args: Vec<String> = a
        .args
        .iter()
        .map(|t| match t {
            Term::Var(v) if v.starts_with("_w") => "_".to_string(),
            Term::Var(v) => v.clone(),
            Term::Wild => "_".into(),
            Term::Sym(s) => format!("\"{s}\""),
            Term::Num(n) => n.to_string(),
        })
        .collect();
    let name = prog.relations.get(a.rel).map_or("?", |r| r.name.as_str());
    format!("{name}({})", args.join(", "))
}

/// A rule as written: `Head(..) :- Body(..), ….`
pub fn rule_text(rule: &Rule) -> String {
    let prog = program();
    let head = atom_text(prog, &rule.head);
    if rule.body.is_empty() {
        return format!("{head}.");
    }
    let body: Vec<String> = rule
        .body
        .iter()
        .map(|l| match l {
            Literal::Pos(a) => atom_text(prog, a),
            Literal::Neg(a) => format!("!{}", atom_text(prog, a)),
            Literal::Cmp(l, op, r) => format!(
                "{} {} {}",
                expr_to_string(l),
                op.as_str(),
                expr_to_string(r)
            ),
            Literal::Bind(v, e) => format!("{v} = {}", expr_to_string(e)),
        })
        .collect();
    format!("{head} :- {}.", body.join(", "))
}

fn param_value(name: &str, v: i64) -> String {
    match params::spec(name).map(|p| p.unit) {
        Some(Unit::Percent) => format!("{}%", trim_num(v as f64 / 100.0)),
        _ => v.to_string(),
    }
}

fn trim_num(x: f64) -> String {
    let s = format!("{x:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

fn param_from(ctx: Ctx<'_>, from: &ParamFrom) -> String {
    match from {
        ParamFrom::Default => "lode's default".into(),
        ParamFrom::CommandLine => "set with --set".into(),
        ParamFrom::File(loc) => format!("set at {}", ctx.scenario.place(loc)),
    }
}

/// A fact's value as a reader should take it: ` = 98.9%` (the bound, period and unit it was
/// published with belong to the value, so they show with it).
pub fn fact_value(f: &Fact) -> String {
    use crate::scenario::Bound;
    let mut v = match f.measure("percent") {
        Some(m) => match (m.bound, m.value) {
            (Bound::Exact, Some(p)) => format!(" = {}%", trim_num(p)),
            (Bound::AtLeast, Some(p)) => format!(
                " = at least {}% (published as >{})",
                trim_num(p),
                trim_num(p)
            ),
            (Bound::AtMost, Some(p)) => format!(
                " = at most {}% (published as <{})",
                trim_num(p),
                trim_num(p)
            ),
            (Bound::Withheld, _) => " = W (withheld: produces, size not published)".to_string(),
            (Bound::NetExporter, _) => " = E (a net exporter)".to_string(),
            (_, None) => String::new(),
        },
        None => String::new(),
    };
    if f.table.name == "alignment" && !f.str("level").is_empty() {
        v = format!(" = {}", f.str("level"));
    }
    let period = f.str("period");
    if !period.is_empty() {
        let _ = write!(v, " (reference period {period})");
    }
    v
}

/// One line for an origin: `fact: share(gallium, refining, CHN, 2025) = 98.9% — source: …
/// [official] at file:line:col`, or for an assumption, `assumption: alignment(USA, CHN) = rival
/// — rationale: … [assumption] at file:line:col`.
pub fn origin_line(ctx: Ctx<'_>, rel: usize, t: &[Value], o: &Origin) -> String {
    match o {
        Origin::Fact(i) => match ctx.scenario.facts.get(*i) {
            Some(f) => fact_line(ctx, f),
            None => format!("fact #{i}"),
        },
        Origin::Param { name, from } => {
            let v = if rel == crate::datalog::rel::PARAM {
                t.get(1).map(Value::num)
            } else {
                None
            };
            let v = v.map(|v| param_value(name, v)).unwrap_or_default();
            format!("parameter: {name} = {v} ({})", param_from(ctx, from))
        }
        Origin::Computed { formula, .. } => format!("computed: {formula}"),
        Origin::Cut { what } => format!("cut: {what}"),
    }
}

/// One line for a fact (see [`origin_line`]): what it is, its value, what it rests on (its source,
/// or the rationale of an assumption), its quality and its place.
pub fn fact_line(ctx: Ctx<'_>, f: &Fact) -> String {
    let assumed = crate::confidence::is_assumption(f);
    let mut grounds = Vec::new();
    if !f.str("rationale").is_empty() {
        grounds.push(format!("rationale: {}", f.str("rationale")));
    }
    if !f.source.trim().is_empty() {
        grounds.push(format!("source: {}", f.source));
    }
    if grounds.is_empty() {
        grounds.push(if assumed {
            "no rationale given".to_string()
        } else {
            "no source given".to_string()
        });
    }
    format!(
        "{}: {}{} — {} [{}] at {}",
        if assumed { "assumption" } else { "fact" },
        f.describe(),
        fact_value(f),
        grounds.join("; "),
        crate::confidence::quality_of(f).as_str(),
        ctx.scenario.place(&f.loc)
    )
}

/// The note of a fact, as a line under it (`note: …`), if it has one.
fn note_line(f: &Fact) -> Option<String> {
    let n = f.str("note").trim();
    (!n.is_empty()).then(|| format!("note: {n}"))
}

fn other_rules_text(p: &Proof) -> Option<String> {
    if p.alternatives == 0 {
        return None;
    }
    let prog = program();
    let mut s = format!(
        "also derivable {} other way{}",
        p.alternatives,
        if p.alternatives == 1 { "" } else { "s" }
    );
    if !p.other_rules.is_empty() {
        let places: Vec<String> = p
            .other_rules
            .iter()
            .filter_map(|&r| prog.rules.get(r))
            .map(rule_place)
            .collect();
        let _ = write!(s, ", by {}", places.join(", "));
    }
    Some(s)
}

/// A node of a text tree: a head line, detail lines under it, then its children.
struct Node {
    head: String,
    details: Vec<String>,
    children: Vec<Node>,
}

fn draw(n: &Node, lead: &str, root: bool, last: bool, out: &mut String) {
    let cont = if root {
        String::new()
    } else {
        let _ = writeln!(out, "{lead}{}{}", if last { "└─ " } else { "├─ " }, n.head);
        format!("{lead}{}", if last { "   " } else { "│  " })
    };
    if root {
        let _ = writeln!(out, "{}", n.head);
    }
    let bar = if n.children.is_empty() {
        "   "
    } else {
        "│  "
    };
    for d in &n.details {
        let _ = writeln!(out, "{cont}{bar}{d}");
    }
    for (i, c) in n.children.iter().enumerate() {
        draw(c, &cont, false, i + 1 == n.children.len(), out);
    }
}

fn tree(ctx: Ctx<'_>, p: &Proof) -> Node {
    let prog = program();
    let head = tuple(ctx.syms, p.rel, &p.tuple);
    let mut details = Vec::new();
    let mut children = Vec::new();
    match &p.step {
        Step::Rule {
            rule,
            premises,
            negations,
            conditions,
            ..
        } => {
            if let Some(r) = prog.rules.get(*rule) {
                details.push(format!("by {} — {}", rule_place(r), r.doc));
                if let Some(o) = other_rules_text(p) {
                    details.push(o);
                }
                // Body order: atoms, negations and conditions as the rule states them.
                let (mut pi, mut ni, mut ci) =
                    (premises.iter(), negations.iter(), conditions.iter());
                for lit in &r.body {
                    match lit {
                        Literal::Pos(_) => {
                            if let Some(q) = pi.next() {
                                children.push(tree(ctx, q));
                            }
                        }
                        Literal::Neg(_) => {
                            if let Some(n) = ni.next() {
                                children.push(leaf(format!("no {} holds", pattern(ctx.syms, n))));
                            }
                        }
                        Literal::Cmp(..) | Literal::Bind(..) => {
                            if let Some(c) = ci.next() {
                                children.push(leaf(format!("check: {c}")));
                            }
                        }
                    }
                }
            }
        }
        Step::Input { origins } => {
            if origins.is_empty() {
                details.push("input tuple with no recorded origin".into());
            }
            for o in origins {
                details.push(origin_line(ctx, p.rel, &p.tuple, o));
                if let Origin::Fact(i) = o
                    && let Some(n) = ctx.scenario.facts.get(*i).and_then(note_line)
                {
                    details.push(n);
                }
            }
        }
        Step::Computed { formula, inputs } => {
            details.push(if inputs.is_empty() {
                format!("computed: {formula}, from no input (an empty sum)")
            } else {
                format!(
                    "computed: {formula}, from {} input{}",
                    inputs.len(),
                    if inputs.len() == 1 { "" } else { "s" }
                )
            });
            children.extend(inputs.iter().map(|q| tree(ctx, q)));
        }
        Step::Truncated => details.push(format!(
            "… (proof of height {} not shown: --depth)",
            p.height
        )),
    }
    Node {
        head,
        details,
        children,
    }
}

fn leaf(head: String) -> Node {
    Node {
        head,
        details: Vec::new(),
        children: Vec::new(),
    }
}

/// A proof as an indented tree.
pub fn text(ctx: Ctx<'_>, p: &Proof) -> String {
    let mut out = String::new();
    let mut root = tree(ctx, p);
    mark_weakest(ctx, p, &mut root);
    draw(&root, "", true, true, &mut out);
    out.push_str(&assumptions_text(ctx, p));
    out
}

/// A parameter leaf of a proof: its name, value (as the rules see it) and where it is set.
struct ParamLeaf<'p> {
    name: &'p str,
    value: Option<i64>,
    from: &'p ParamFrom,
}

fn param_leaves<'p>(p: &'p Proof, out: &mut BTreeMap<&'p str, ParamLeaf<'p>>) {
    match &p.step {
        Step::Rule { premises, .. } => premises.iter().for_each(|q| param_leaves(q, out)),
        Step::Computed { inputs, .. } => inputs.iter().for_each(|q| param_leaves(q, out)),
        Step::Input { origins } => {
            for o in origins {
                if let Origin::Param { name, from } = o {
                    let value = (p.rel == crate::datalog::rel::PARAM)
                        .then(|| p.tuple.get(1).map(Value::num))
                        .flatten();
                    out.entry(name.as_str()).or_insert(ParamLeaf {
                        name: name.as_str(),
                        value,
                        from,
                    });
                }
            }
        }
        Step::Truncated => {}
    }
}

/// The assumptions a proof rests on, listed apart from its data: each assumed fact with its
/// rationale, then each parameter with its value, doc line and origin.
fn assumptions_text(ctx: Ctx<'_>, p: &Proof) -> String {
    let facts = crate::confidence::assumptions(ctx.scenario, p);
    let mut params = BTreeMap::new();
    param_leaves(p, &mut params);
    if facts.is_empty() && params.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "assumptions it rests on ({} assumed fact{}, {} parameter{}):\n",
        facts.len(),
        if facts.len() == 1 { "" } else { "s" },
        params.len(),
        if params.len() == 1 { "" } else { "s" }
    );
    for i in facts {
        if let Some(f) = ctx.scenario.facts.get(i) {
            let _ = writeln!(out, "  {}", fact_line(ctx, f));
        }
    }
    for (name, pl) in &params {
        let v = pl.value.map(|v| param_value(name, v)).unwrap_or_default();
        let doc = params::spec(name).map_or("", |s| s.doc);
        let _ = writeln!(
            out,
            "  parameter: {} = {v} — {doc} ({})",
            pl.name,
            param_from(ctx, pl.from)
        );
    }
    out
}

fn fields_json(syms: &Symbols, rel: usize, t: &[Value]) -> Json {
    let mut m = Map::new();
    if let Some(r) = program().relations.get(rel) {
        for (f, v) in r.fields.iter().zip(t) {
            m.insert(f.name.clone(), field_json(syms, v));
        }
    }
    Json::Object(m)
}

fn rule_json(rule: usize) -> Json {
    match program().rules.get(rule) {
        Some(r) => json!({ "file": r.file, "line": r.line, "doc": r.doc, "text": rule_text(r) }),
        None => Json::Null,
    }
}

fn origin_json(ctx: Ctx<'_>, rel: usize, t: &[Value], o: &Origin) -> Json {
    match o {
        Origin::Fact(i) => match ctx.scenario.facts.get(*i) {
            Some(f) => fact_json(ctx, f),
            None => json!({ "kind": "fact" }),
        },
        Origin::Param { name, from } => json!({
            "kind": "param",
            "name": name,
            "value": if rel == crate::datalog::rel::PARAM { t.get(1).map(Value::num) } else { None },
            "from": match from {
                ParamFrom::Default => "default".to_string(),
                ParamFrom::CommandLine => "command line".to_string(),
                ParamFrom::File(loc) => ctx.scenario.place(loc),
            },
        }),
        Origin::Computed { formula, .. } => json!({ "kind": "computed", "formula": formula }),
        Origin::Cut { what } => json!({ "kind": "cut", "what": what }),
    }
}

/// A proof as a JSON value (see [`fn@json`]).
pub fn json_value(ctx: Ctx<'_>, p: &Proof) -> Json {
    let prog = program();
    let mut m = Map::new();
    m.insert(
        "relation".into(),
        json!(prog.relations.get(p.rel).map(|r| r.name.clone())),
    );
    m.insert("atom".into(), json!(tuple(ctx.syms, p.rel, &p.tuple)));
    m.insert("fields".into(), fields_json(ctx.syms, p.rel, &p.tuple));
    m.insert("height".into(), json!(p.height));
    m.insert("alternatives".into(), json!(p.alternatives));
    m.insert(
        "other_rules".into(),
        Json::Array(p.other_rules.iter().map(|&r| rule_json(r)).collect()),
    );
    match &p.step {
        Step::Rule {
            rule,
            bindings,
            premises,
            negations,
            conditions,
        } => {
            m.insert("step".into(), json!("rule"));
            m.insert("rule".into(), rule_json(*rule));
            let mut b = Map::new();
            for (n, v) in bindings.iter().filter(|(n, _)| !n.starts_with("_w")) {
                b.insert(n.clone(), field_json(ctx.syms, v));
            }
            m.insert("bindings".into(), Json::Object(b));
            m.insert(
                "premises".into(),
                Json::Array(premises.iter().map(|q| json_value(ctx, q)).collect()),
            );
            m.insert(
                "negations".into(),
                Json::Array(
                    negations
                        .iter()
                        .map(|n| json!(pattern(ctx.syms, n)))
                        .collect(),
                ),
            );
            m.insert("conditions".into(), json!(conditions));
        }
        Step::Input { origins } => {
            m.insert("step".into(), json!("input"));
            m.insert(
                "origins".into(),
                Json::Array(
                    origins
                        .iter()
                        .map(|o| origin_json(ctx, p.rel, &p.tuple, o))
                        .collect(),
                ),
            );
        }
        Step::Computed { formula, inputs } => {
            m.insert("step".into(), json!("computed"));
            m.insert("formula".into(), json!(formula));
            m.insert(
                "inputs".into(),
                Json::Array(inputs.iter().map(|q| json_value(ctx, q)).collect()),
            );
        }
        Step::Truncated => {
            m.insert("step".into(), json!("truncated"));
        }
    }
    Json::Object(m)
}

/// Proofs as one JSON document: `{"query", "matches", "proofs": [...]}`.
pub fn json(ctx: Ctx<'_>, query: &str, matches: usize, proofs: &[Proof]) -> String {
    to_pretty(&json!({
        "query": query,
        "matches": matches,
        "proofs": proofs.iter().map(|p| with_confidence(ctx, p, json_value(ctx, p))).collect::<Vec<_>>(),
    }))
}

fn dot_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

struct Dot {
    ids: BTreeMap<String, usize>,
    nodes: Vec<String>,
    edges: Vec<String>,
}

impl Dot {
    fn node(&mut self, key: String, label: &str, attrs: &str) -> usize {
        if let Some(&id) = self.ids.get(&key) {
            return id;
        }
        let id = self.ids.len();
        self.ids.insert(key, id);
        self.nodes
            .push(format!("  n{id} [label=\"{}\"{attrs}];", dot_escape(label)));
        id
    }

    fn edge(&mut self, from: usize, to: usize, label: Option<&str>) {
        let e = match label {
            Some(l) => format!("  n{from} -> n{to} [label=\"{}\"];", dot_escape(l)),
            None => format!("  n{from} -> n{to};"),
        };
        if !self.edges.contains(&e) {
            self.edges.push(e);
        }
    }

    fn proof(&mut self, ctx: Ctx<'_>, p: &Proof) -> usize {
        let prog = program();
        let atom = tuple(ctx.syms, p.rel, &p.tuple);
        match &p.step {
            Step::Rule {
                rule,
                premises,
                negations,
                conditions,
                ..
            } => {
                let place = prog.rules.get(*rule).map(rule_place).unwrap_or_default();
                let id = self.node(format!("t:{atom}"), &format!("{atom}\n{place}"), "");
                for q in premises {
                    let c = self.proof(ctx, q);
                    self.edge(id, c, None);
                }
                for n in negations {
                    let text = format!("no {}", pattern(ctx.syms, n));
                    let c = self.node(format!("n:{text}"), &text, ", style=dashed");
                    self.edge(id, c, None);
                }
                for cond in conditions {
                    let c = self.node(format!("c:{id}:{cond}"), cond, ", shape=plaintext");
                    self.edge(id, c, None);
                }
                id
            }
            Step::Input { origins } => {
                let lines: Vec<String> = origins
                    .iter()
                    .map(|o| origin_line(ctx, p.rel, &p.tuple, o))
                    .collect();
                self.node(
                    format!("t:{atom}"),
                    &format!("{atom}\n{}", lines.join("\n")),
                    ", shape=note, style=filled, fillcolor=\"#eef5ff\"",
                )
            }
            Step::Computed { formula, inputs } => {
                let id = self.node(
                    format!("t:{atom}"),
                    &format!("{atom}\ncomputed: {formula}"),
                    ", style=filled, fillcolor=\"#f3f3f3\"",
                );
                for q in inputs {
                    let c = self.proof(ctx, q);
                    self.edge(id, c, None);
                }
                id
            }
            Step::Truncated => {
                self.node(format!("t:{atom}"), &format!("{atom}\n…"), ", style=dotted")
            }
        }
    }
}

/// Proofs as one Graphviz digraph (identical tuples share a node).
pub fn dot(ctx: Ctx<'_>, proofs: &[Proof]) -> String {
    let mut d = Dot {
        ids: BTreeMap::new(),
        nodes: Vec::new(),
        edges: Vec::new(),
    };
    for p in proofs {
        d.proof(ctx, p);
    }
    let mut out = String::from(
        "digraph proof {\n  rankdir=TB;\n  node [shape=box, fontname=\"Helvetica\", fontsize=10];\n",
    );
    for n in &d.nodes {
        out.push_str(n);
        out.push('\n');
    }
    for e in &d.edges {
        out.push_str(e);
        out.push('\n');
    }
    out.push_str("}\n");
    out
}

fn bindings_text(syms: &Symbols, rule: usize, b: &[(String, Value)]) -> String {
    if b.is_empty() {
        return String::new();
    }
    let rule = program().rules.get(rule);
    let percent = rule.map(crate::explain::percent_vars).unwrap_or_default();
    let parts: Vec<String> = b
        .iter()
        .map(|(n, v)| {
            let pct = rule
                .and_then(|r| r.vars.iter().position(|(x, _)| x == n))
                .is_some_and(|i| percent.get(i) == Some(&true));
            match v {
                Value::Num(x) if pct => format!("{n} = {:.2}%", *x as f64 / 100.0),
                _ => format!("{n} = {}", syms.show(v)),
            }
        })
        .collect();
    format!(" (with {})", parts.join(", "))
}

fn reason_node(ctx: Ctx<'_>, rule: usize, r: &Reason) -> Node {
    let prog = program();
    let head = prog
        .rules
        .get(rule)
        .map_or("?".into(), |x| format!("{} — {}", rule_place(x), x.doc));
    let mut details = Vec::new();
    let mut children = Vec::new();
    match r {
        Reason::Fires => details.push("fires: the conclusion holds by this rule".into()),
        Reason::Missing {
            atom,
            bindings,
            deeper,
            ..
        } => {
            let input = prog.relations.get(atom.rel).is_some_and(|x| x.input);
            details.push(format!(
                "needs {}, which does not hold{}{}",
                pattern(ctx.syms, atom),
                if input { " (no such input fact)" } else { "" },
                bindings_text(ctx.syms, rule, bindings)
            ));
            if let Some(w) = deeper {
                children = why_not_children(ctx, w);
            }
        }
        Reason::Blocked {
            atom, by, bindings, ..
        } => details.push(format!(
            "blocked: needs no {} to hold, but {} holds{}",
            pattern(ctx.syms, atom),
            tuple(ctx.syms, atom.rel, by),
            bindings_text(ctx.syms, rule, bindings)
        )),
        Reason::Fails {
            condition,
            bindings,
            ..
        } => details.push(format!(
            "fails the check {condition}{}",
            bindings_text(ctx.syms, rule, bindings)
        )),
        Reason::TooManyCombinations => {
            details.push("too many combinations to search; ask about a narrower pattern".into())
        }
    }
    Node {
        head,
        details,
        children,
    }
}

fn why_not_children(ctx: Ctx<'_>, w: &WhyNot) -> Vec<Node> {
    let mut out = Vec::new();
    if w.input || w.rules.is_empty() {
        return out;
    }
    let what = pattern(ctx.syms, &w.pattern);
    let mut n = leaf(format!(
        "{} rule{} could derive {what}:",
        w.rules.len(),
        if w.rules.len() == 1 { "" } else { "s" }
    ));
    if !w.instead.is_empty() {
        n.details.push(instead_text(ctx, w));
    }
    n.children = w
        .rules
        .iter()
        .map(|r| reason_node(ctx, r.rule, &r.reason))
        .collect();
    out.push(n);
    out
}

fn instead_text(ctx: Ctx<'_>, w: &WhyNot) -> String {
    let shown: Vec<String> = w
        .instead
        .iter()
        .take(5)
        .map(|t| tuple(ctx.syms, w.pattern.rel, t))
        .collect();
    let more = w.instead.len().saturating_sub(5);
    format!(
        "holds instead: {}{}",
        shown.join(", "),
        if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        }
    )
}

/// A why-not answer as text.
pub fn why_not_text(ctx: Ctx<'_>, w: &WhyNot) -> String {
    let what = pattern(ctx.syms, &w.pattern);
    let mut out = String::new();
    if !w.holds.is_empty() {
        let _ = writeln!(
            out,
            "{what} holds ({} match{}); `lode explain` shows why",
            w.holds.len(),
            if w.holds.len() == 1 { "" } else { "es" }
        );
        return out;
    }
    let _ = writeln!(out, "{what} does not hold");
    if !w.instead.is_empty() {
        let _ = writeln!(out, "{}", instead_text(ctx, w));
    }
    if w.input {
        let _ = writeln!(
            out,
            "{} is an input relation: only a scenario fact (or a fact lode computes from them) could give it",
            program()
                .relations
                .get(w.pattern.rel)
                .map_or("?", |r| r.name.as_str())
        );
        return out;
    }
    if w.rules.is_empty() {
        let _ = writeln!(
            out,
            "no rule can derive it: no rule's conclusion has this shape"
        );
        return out;
    }
    let root = Node {
        head: format!(
            "{} rule{} could derive it:",
            w.rules.len(),
            if w.rules.len() == 1 { "" } else { "s" }
        ),
        details: Vec::new(),
        children: w
            .rules
            .iter()
            .map(|r| reason_node(ctx, r.rule, &r.reason))
            .collect(),
    };
    draw(&root, "", true, true, &mut out);
    out
}

fn reason_json(ctx: Ctx<'_>, r: &Reason) -> Json {
    let b = |bindings: &[(String, Value)]| {
        let mut m = Map::new();
        for (n, v) in bindings {
            m.insert(n.clone(), field_json(ctx.syms, v));
        }
        Json::Object(m)
    };
    match r {
        Reason::Fires => json!({ "reason": "fires" }),
        Reason::Missing {
            literal,
            atom,
            bindings,
            deeper,
        } => json!({
            "reason": "missing",
            "literal": literal,
            "atom": pattern(ctx.syms, atom),
            "bindings": b(bindings),
            "deeper": deeper.as_ref().map(|w| why_not_value(ctx, w)),
        }),
        Reason::Blocked {
            literal,
            atom,
            by,
            bindings,
        } => json!({
            "reason": "blocked",
            "literal": literal,
            "atom": pattern(ctx.syms, atom),
            "by": tuple(ctx.syms, atom.rel, by),
            "bindings": b(bindings),
        }),
        Reason::Fails {
            literal,
            condition,
            bindings,
        } => json!({
            "reason": "fails",
            "literal": literal,
            "condition": condition,
            "bindings": b(bindings),
        }),
        Reason::TooManyCombinations => json!({ "reason": "too_many_combinations" }),
    }
}

/// A why-not answer as a JSON value.
pub fn why_not_value(ctx: Ctx<'_>, w: &WhyNot) -> Json {
    json!({
        "query": pattern(ctx.syms, &w.pattern),
        "holds": w.holds.iter().map(|t| tuple(ctx.syms, w.pattern.rel, t)).collect::<Vec<_>>(),
        "instead": w.instead.iter().map(|t| tuple(ctx.syms, w.pattern.rel, t)).collect::<Vec<_>>(),
        "input": w.input,
        "rules": w.rules.iter().map(|r| {
            let mut v = reason_json(ctx, &r.reason);
            if let Json::Object(m) = &mut v {
                m.insert("rule".into(), rule_json(r.rule));
            }
            v
        }).collect::<Vec<_>>(),
    })
}

/// A why-not answer as a JSON document.
pub fn why_not_json(ctx: Ctx<'_>, w: &WhyNot) -> String {
    to_pretty(&why_not_value(ctx, w))
}

/// A why-not answer as a Graphviz digraph: the pattern, each rule, and what blocks it.
pub fn why_not_dot(ctx: Ctx<'_>, w: &WhyNot) -> String {
    let mut d = Dot {
        ids: BTreeMap::new(),
        nodes: Vec::new(),
        edges: Vec::new(),
    };
    fn walk(ctx: Ctx<'_>, d: &mut Dot, w: &WhyNot) -> usize {
        let what = pattern(ctx.syms, &w.pattern);
        let top = d.node(
            format!("w:{what}"),
            &format!("{what}\ndoes not hold"),
            ", color=red",
        );
        for r in &w.rules {
            let place = program()
                .rules
                .get(r.rule)
                .map(rule_place)
                .unwrap_or_default();
            let rid = d.node(format!("r:{}:{what}", r.rule), &place, ", shape=ellipse");
            d.edge(top, rid, None);
            let (label, deeper) = match &r.reason {
                Reason::Fires => ("fires".to_string(), None),
                Reason::Missing { atom, deeper, .. } => (
                    format!("needs {}", pattern(ctx.syms, atom)),
                    deeper.as_deref(),
                ),
                Reason::Blocked { by, atom, .. } => (
                    format!("blocked by {}", tuple(ctx.syms, atom.rel, by)),
                    None,
                ),
                Reason::Fails { condition, .. } => (format!("fails {condition}"), None),
                Reason::TooManyCombinations => ("too many combinations".to_string(), None),
            };
            match deeper {
                Some(sub) => {
                    let c = walk(ctx, d, sub);
                    d.edge(rid, c, None);
                }
                None => {
                    let c = d.node(format!("x:{}:{what}", r.rule), &label, ", shape=plaintext");
                    d.edge(rid, c, None);
                }
            }
        }
        top
    }
    walk(ctx, &mut d, w);
    let mut out = String::from(
        "digraph why_not {\n  rankdir=TB;\n  node [shape=box, fontname=\"Helvetica\", fontsize=10];\n",
    );
    for n in d.nodes.iter().chain(&d.edges) {
        out.push_str(n);
        out.push('\n');
    }
    out.push_str("}\n");
    out
}

/// Proofs of the tuples matching a query, as text: each proof, separated by a blank line, and a
/// note when only the first `proofs.len()` of `matches` are shown.
pub fn texts(ctx: Ctx<'_>, proofs: &[Proof], matches: usize) -> String {
    let mut out = String::new();
    if matches > 1 {
        let _ = writeln!(
            out,
            "{matches} conclusions match{}\n",
            if proofs.len() < matches {
                format!(
                    "; the first {} are explained (name more fields to narrow the query)",
                    proofs.len()
                )
            } else {
                String::new()
            }
        );
    }
    for (i, p) in proofs.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&text(ctx, p));
    }
    out
}

/// The answer to a query nothing matches.
pub fn no_match(ctx: Ctx<'_>, p: &Pattern, query: &str) -> String {
    format!(
        "no conclusion matches {}\nto see why, run: lode explain --why-not '{}'\n",
        pattern(ctx.syms, p),
        query.replace('\'', "\"")
    )
}

pub mod audit;

// ---- Confidence (src/confidence.rs): the weakest leaves of a proof --------------------------

/// Adds the proof's confidence under its root and marks its weakest facts `◀ weakest` (only when
/// the confidence is below official: an official proof has no weak leaf to point at).
fn mark_weakest(ctx: Ctx<'_>, p: &Proof, root: &mut Node) {
    let q = crate::confidence::of_proof(ctx.scenario, p);
    let shown = if crate::confidence::is_complete(p) {
        ""
    } else {
        " (of the facts shown; --depth hides the rest)"
    };
    let weakest = crate::confidence::weakest_facts(ctx.scenario, p);
    let assumed = crate::confidence::assumptions(ctx.scenario, p).len();
    let mut params = BTreeMap::new();
    param_leaves(p, &mut params);
    let rests = if assumed + params.len() == 0 {
        String::new()
    } else {
        format!(
            "; it rests on {assumed} assumed fact{} and {} parameter{} (listed below the proof)",
            if assumed == 1 { "" } else { "s" },
            params.len(),
            if params.len() == 1 { "" } else { "s" }
        )
    };
    match weakest.first().and_then(|&i| ctx.scenario.facts.get(i)) {
        None => root.details.push(format!(
            "confidence: {}{shown} — it rests on no data fact{rests}",
            q.as_str()
        )),
        Some(_) if q == crate::scenario::Quality::Official => root.details.push(format!(
            "confidence: official{shown} — every data fact is official{rests}"
        )),
        Some(f) => {
            let more = match weakest.len() {
                1 => String::new(),
                n => format!(" and {} more", n - 1),
            };
            root.details.push(format!(
                "confidence: {}{shown} — its weakest data: {}{more} (marked ◀ weakest){rests}",
                q.as_str(),
                f.describe()
            ));
        }
    }
    if q == crate::scenario::Quality::Official {
        return;
    }
    let lines: Vec<String> = weakest
        .into_iter()
        .map(|i| origin_line(ctx, 0, &[], &Origin::Fact(i)))
        .collect();
    fn walk(n: &mut Node, lines: &[String]) {
        for d in &mut n.details {
            if lines.contains(d) {
                d.push_str("  ◀ weakest");
            }
        }
        n.children.iter_mut().for_each(|c| walk(c, lines));
    }
    walk(root, &lines);
}

/// A fact as JSON: what it is, its value, what it rests on, its quality and place.
fn fact_json(ctx: Ctx<'_>, f: &Fact) -> Json {
    let text = |k: &str| {
        let v = f.str(k).trim();
        if v.is_empty() { Json::Null } else { json!(v) }
    };
    json!({
        "kind": if crate::confidence::is_assumption(f) { "assumption" } else { "fact" },
        "table": f.table.name,
        "fact": f.describe(),
        "percent": f.measure("percent").and_then(|m| m.value),
        "bound": f.measure("percent").map(|m| m.bound),
        "period": text("period"),
        "level": text("level"),
        "rationale": text("rationale"),
        "note": text("note"),
        "source": f.source,
        "quality": crate::confidence::quality_of(f).as_str(),
        "at": ctx.scenario.place(&f.loc),
    })
}

/// A proof's JSON with its `confidence`, the data facts that set it (`weakest_facts`), and the
/// assumptions it rests on, apart (`assumptions`: assumed facts; `params`).
fn with_confidence(ctx: Ctx<'_>, p: &Proof, mut v: Json) -> Json {
    if let Json::Object(m) = &mut v {
        let q = crate::confidence::of_proof(ctx.scenario, p);
        m.insert("confidence".into(), json!(q.as_str()));
        let weakest: Vec<Json> = if q == crate::scenario::Quality::Official {
            Vec::new()
        } else {
            crate::confidence::weakest_facts(ctx.scenario, p)
                .into_iter()
                .filter_map(|i| ctx.scenario.facts.get(i))
                .map(|f| fact_json(ctx, f))
                .collect()
        };
        m.insert("weakest_facts".into(), Json::Array(weakest));
        let assumed: Vec<Json> = crate::confidence::assumptions(ctx.scenario, p)
            .into_iter()
            .filter_map(|i| ctx.scenario.facts.get(i))
            .map(|f| fact_json(ctx, f))
            .collect();
        m.insert("assumptions".into(), Json::Array(assumed));
        let mut params = BTreeMap::new();
        param_leaves(p, &mut params);
        let params: Vec<Json> = params
            .values()
            .map(|pl| {
                json!({
                    "name": pl.name,
                    "value": pl.value,
                    "doc": params::spec(pl.name).map(|s| s.doc),
                    "from": param_from(ctx, pl.from),
                })
            })
            .collect();
        m.insert("params".into(), Json::Array(params));
    }
    v
}

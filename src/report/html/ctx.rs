//! What every section of the HTML report reads: lookups over one evaluated scenario, number
//! formatting, and the citation registry that numbers the footnotes in order of first use.

use crate::datalog::{program, rel};
use crate::engine::Model;
use crate::explain::Explainer;
use crate::lower::{Facts, Origin, ParamFrom};
use crate::model::{Tuple, Value};
use crate::scenario::{Fact, Quality, Scenario};
use maud::{Markup, html};
use std::cell::RefCell;
use std::collections::BTreeMap;

/// One evaluated scenario: what the report is about, or what it is compared against.
#[derive(Clone, Copy)]
pub struct Side<'a> {
    pub scenario: &'a Scenario,
    pub facts: &'a Facts,
    pub model: &'a Model,
}

/// What a footnote cites.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum NoteKey {
    /// A scenario fact, by index into `Scenario::facts`.
    Fact(usize),
    /// A threshold parameter, by name.
    Param(String),
}

/// A citation: the footnote number and a one-line tooltip.
#[derive(Clone, Debug)]
pub struct Cite {
    pub n: usize,
    pub title: String,
}

/// The risk levels, worst last; rank 0 is "not assessed".
pub const LEVELS: [&str; 4] = ["low", "moderate", "high", "critical"];

pub fn rank(level: &str) -> usize {
    LEVELS.iter().position(|l| *l == level).map_or(0, |i| i + 1)
}

pub struct Ctx<'a> {
    pub side: Side<'a>,
    /// The explainer of `side`, when proofs (and so confidences) are available.
    pub explainer: Option<&'a Explainer<'a>>,
    /// (table, id) → index of the declaring fact (country, mineral, stage, initiative, partnership).
    decl: BTreeMap<(&'static str, String), usize>,
    /// (consumer, country) → alignment level.
    alignment: BTreeMap<(String, String), String>,
    notes: RefCell<Vec<NoteKey>>,
    note_index: RefCell<BTreeMap<NoteKey, usize>>,
    /// Markup deferred to the page's packed data block (see [`Ctx::defer`]).
    frags: RefCell<Vec<String>>,
}

impl<'a> Ctx<'a> {
    pub fn new(side: Side<'a>, explainer: Option<&'a Explainer<'a>>) -> Self {
        let mut decl = BTreeMap::new();
        for (i, f) in side.scenario.facts.iter().enumerate() {
            if matches!(
                f.table.name,
                "country" | "mineral" | "stage" | "initiative" | "partnership"
            ) {
                decl.insert((f.table.name, f.str("id").to_string()), i);
            }
        }
        let mut ctx = Ctx {
            side,
            explainer,
            decl,
            alignment: BTreeMap::new(),
            notes: RefCell::new(Vec::new()),
            note_index: RefCell::new(BTreeMap::new()),
            frags: RefCell::new(Vec::new()),
        };
        let mut alignment = BTreeMap::new();
        for t in ctx.tuples(rel::ALIGNMENT) {
            alignment.insert(
                (ctx.s(&t[0]).to_string(), ctx.s(&t[1]).to_string()),
                ctx.s(&t[2]).to_string(),
            );
        }
        ctx.alignment = alignment;
        ctx
    }

    /// The confidence of a conclusion: the weakest source quality on its proof.
    pub fn confidence(&self, rel: usize, t: &[Value]) -> Option<Quality> {
        let p = self.explainer?.proof(rel, t, None)?;
        Some(crate::confidence::of_proof(self.side.scenario, &p))
    }

    pub fn scenario(&self) -> &'a Scenario {
        self.side.scenario
    }

    /// The tuples of a relation (inputs and conclusions), sorted.
    pub fn tuples(&self, rel: usize) -> &'a [Tuple] {
        self.side.model.db.rel(rel)
    }

    /// A symbol's text.
    pub fn s(&self, v: &Value) -> &'a str {
        self.side.facts.syms.name(v.sym())
    }

    fn decl_fact(&self, table: &'static str, id: &str) -> Option<&'a Fact> {
        self.decl
            .get(&(table, id.to_string()))
            .map(|&i| &self.side.scenario.facts[i])
    }

    /// The declared name of a thing, or its id.
    fn named(&self, table: &'static str, id: &str) -> String {
        match self.decl_fact(table, id).map(|f| f.str("name")) {
            Some(n) if !n.trim().is_empty() => n.to_string(),
            _ => id.replace('_', " "),
        }
    }

    pub fn country(&self, id: &str) -> String {
        self.named("country", id)
    }

    pub fn mineral(&self, id: &str) -> String {
        self.named("mineral", id)
    }

    pub fn stage(&self, id: &str) -> String {
        self.named("stage", id)
    }

    pub fn initiative(&self, id: &str) -> String {
        self.named("initiative", id)
    }

    pub fn partnership(&self, id: &str) -> String {
        self.named("partnership", id)
    }

    /// Whether a country is declared landlocked.
    pub fn declared(&self, table: &'static str, id: &str) -> bool {
        self.decl_fact(table, id).is_some()
    }

    /// The stages in the order the scenario declares them.
    pub fn stages(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for f in self.side.scenario.facts_of("stage") {
            let id = f.str("id").to_string();
            if !out.contains(&id) {
                out.push(id);
            }
        }
        for t in self.tuples(rel::STAGE) {
            let id = self.s(&t[0]).to_string();
            if !out.contains(&id) {
                out.push(id);
            }
        }
        out
    }

    /// A consumer's alignment toward a country: ally, partner, neutral, rival or unrated.
    pub fn alignment(&self, consumer: &str, country: &str) -> &str {
        self.alignment
            .get(&(consumer.to_string(), country.to_string()))
            .map_or("unrated", String::as_str)
    }

    /// The alignment tuple of a consumer toward a country, if the scenario rates it.
    pub fn alignment_tuple(&self, consumer: &str, country: &str) -> Option<&'a Tuple> {
        self.tuples(rel::ALIGNMENT)
            .iter()
            .find(|t| self.s(&t[0]) == consumer && self.s(&t[1]) == country)
    }

    /// The scenario fact an input tuple came from.
    pub fn fact_of(&self, rel: usize, t: &[Value]) -> Option<usize> {
        self.side
            .facts
            .origins_of(rel, t)
            .into_iter()
            .find_map(|o| match o {
                Origin::Fact(i) => Some(*i),
                _ => None,
            })
    }

    /// The origin of an input tuple.
    pub fn origin_of(&self, rel: usize, t: &[Value]) -> Option<&'a Origin> {
        self.side.facts.origins_of(rel, t).into_iter().next()
    }

    /// `file:line` of a fact.
    pub fn place(&self, i: usize) -> String {
        let f = &self.side.scenario.facts[i];
        let file = self.side.scenario.file(&f.loc);
        let (line, _) = file.line_col(f.loc.span.start);
        format!("{}:{line}", file.name)
    }

    fn register(&self, key: NoteKey) -> usize {
        if let Some(&n) = self.note_index.borrow().get(&key) {
            return n;
        }
        let mut notes = self.notes.borrow_mut();
        notes.push(key.clone());
        let n = notes.len();
        self.note_index.borrow_mut().insert(key, n);
        n
    }

    /// Cites a scenario fact: registers its footnote and returns the number and a short tooltip
    /// (`[53] scenarios/baseline.toml:8146 (official)`). The full source is in the footnote, once;
    /// the page's script shows it as the tooltip of a linked number on hover.
    pub fn cite_fact(&self, i: usize) -> Cite {
        let n = self.register(NoteKey::Fact(i));
        let f = &self.side.scenario.facts[i];
        Cite {
            n,
            title: format!(
                "[{n}] {} ({})",
                self.place(i),
                crate::confidence::quality_of(f).as_str()
            ),
        }
    }

    /// Cites a threshold parameter.
    pub fn cite_param(&self, name: &str) -> Cite {
        let n = self.register(NoteKey::Param(name.to_string()));
        Cite {
            n,
            title: format!("[{n}] parameter {name}: {}", self.param_origin(name)),
        }
    }

    /// Cites the fact (or parameter) an input tuple came from.
    pub fn cite_tuple(&self, rel: usize, t: &[Value]) -> Option<Cite> {
        match self.origin_of(rel, t)? {
            Origin::Fact(i) => Some(self.cite_fact(*i)),
            Origin::Param { name, .. } => Some(self.cite_param(name)),
            _ => None,
        }
    }

    /// Where a parameter's value comes from, in words.
    pub fn param_origin(&self, name: &str) -> String {
        let spec = crate::params::spec(name).map_or("", |p| p.doc);
        let from = self
            .tuples(rel::PARAM)
            .iter()
            .filter(|t| self.s(&t[0]) == name)
            .find_map(|t| match self.origin_of(rel::PARAM, t) {
                Some(Origin::Param { from, .. }) => Some(match from {
                    ParamFrom::File(loc) => {
                        let f = self.side.scenario.file(loc);
                        format!("{}:{}", f.name, f.line_col(loc.span.start).0)
                    }
                    ParamFrom::CommandLine => "set on the command line (--set)".to_string(),
                    ParamFrom::Default => "lode's default".to_string(),
                }),
                _ => None,
            })
            .unwrap_or_else(|| "lode's default".to_string());
        format!("{spec} — {from}")
    }

    /// A parameter's value as the rules see it (basis points for percentages).
    pub fn param(&self, name: &str) -> Option<i64> {
        self.tuples(rel::PARAM)
            .iter()
            .find(|t| self.s(&t[0]) == name)
            .map(|t| t[1].num())
    }

    /// Moves a long, repetitive piece of markup (the conclusions, the footnotes, a full supplier
    /// table) into the page's packed data block and returns its placeholder, an empty
    /// `<div data-frag="k">` that the script replaces with the markup when the page loads.
    pub fn defer(&self, m: Markup) -> Markup {
        let mut frags = self.frags.borrow_mut();
        let k = frags.len();
        frags.push(m.into_string());
        html! { div data-frag=(k) {} }
    }

    /// The deferred markup, in order of [`Ctx::defer`].
    pub fn frags(&self) -> Vec<String> {
        self.frags.borrow().clone()
    }

    /// Every footnote registered so far, numbered from 1.
    pub fn notes(&self) -> Vec<NoteKey> {
        self.notes.borrow().clone()
    }

    /// A number linked to its footnote, with the citation as its tooltip.
    pub fn num(&self, text: &str, cite: Option<Cite>) -> Markup {
        match cite {
            Some(c) => html! {
                a.num href={ "#src-" (c.n) } data-ref=(c.n) { (text) }
            },
            None => html! { span.num { (text) } },
        }
    }

    /// A percentage held in an input tuple, linked to its source.
    pub fn pct_of(&self, rel: usize, t: &[Value], bp: i64) -> Markup {
        self.num(&pct(bp), self.cite_tuple(rel, t))
    }

    /// A parameter's value as text: "50%", "2,500".
    pub fn param_num_plain(&self, name: &str) -> String {
        match (self.param(name), crate::params::spec(name).map(|p| p.unit)) {
            (Some(v), Some(crate::params::Unit::Percent)) => pct(v),
            (Some(v), _) => thousands(v),
            (None, _) => "?".to_string(),
        }
    }

    /// A parameter's value, linked to where it is set.
    pub fn param_num(&self, name: &str) -> Markup {
        self.num(&self.param_num_plain(name), Some(self.cite_param(name)))
    }
}

/// Basis points as a percentage: 9380 → "93.8%", 10000 → "100%", 125 → "1.25%".
pub fn pct(bp: i64) -> String {
    let sign = if bp < 0 { "-" } else { "" };
    let bp = bp.unsigned_abs();
    let (whole, frac) = (bp / 100, bp % 100);
    if frac == 0 {
        format!("{sign}{whole}%")
    } else if frac % 10 == 0 {
        format!("{sign}{whole}.{}%", frac / 10)
    } else {
        format!("{sign}{whole}.{frac:02}%")
    }
}

/// 9801 → "9,801".
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// The anchor of a conclusion: `c-RiskLevel-USA-gallium-refining-critical`.
pub fn anchor(syms: &crate::model::Symbols, rel: usize, t: &[Value]) -> String {
    let mut s = String::from("c-");
    s.push_str(
        program()
            .relations
            .get(rel)
            .map_or("rel", |r| r.name.as_str()),
    );
    for v in t {
        s.push('-');
        for ch in syms.show(v).chars() {
            s.push(if ch.is_ascii_alphanumeric() || ch == '_' || ch == '-' {
                ch
            } else {
                '_'
            });
        }
    }
    s
}

/// "mining and refining", "a, b and c".
pub fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [a] => a.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::{pct, thousands};

    #[test]
    fn percentages_drop_trailing_zeros() {
        assert_eq!(pct(9380), "93.8%");
        assert_eq!(pct(10_000), "100%");
        assert_eq!(pct(125), "1.25%");
        assert_eq!(pct(0), "0%");
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(9801), "9,801");
        assert_eq!(thousands(10_000), "10,000");
        assert_eq!(thousands(150), "150");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}

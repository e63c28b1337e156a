//! Proofs and why-not: why a conclusion holds, down to the scenario facts that carry it, and why
//! another does not.
//!
//! crepe keeps no provenance, so [`Explainer::new`] runs the provenance engine
//! ([`engine::evaluate_traced`]), which records every firing of every rule as the values of the
//! rule's variables. From the firings, [`Heights::compute`] finds the height of a least-height
//! proof of every tuple (Knuth's generalisation of Dijkstra's algorithm: inputs have height 0, a
//! firing 1 + the largest height of its positive body tuples, a derived tuple the least height of
//! its firings; tuples are settled in order of height, so each is settled by its best firing).
//! [`Explainer::proof`] then unfolds a tuple's best firing recursively; every step can be checked
//! against its rule by substituting [`Step::Rule::bindings`] into it.
//!
//! Why-not ([`Explainer::why_not`]) takes each rule whose head unifies with the pattern and joins
//! its body left to right against the model, keeping the attempt that got furthest: the first
//! literal it cannot pass is the reason (a positive atom with no match, a negated atom that holds,
//! a comparison that fails). A missing derived atom is explained in turn, a few levels deep.
//!
//! Nothing here formats output: `report::proof` renders proofs and why-not answers.

use crate::datalog::program;
use crate::datalog::syntax::{ArithOp, CmpOp, Expr, Literal, Rule, Term, expr_to_string};
use crate::engine::{self, Firings, Model};
use crate::lower::{Facts, Origin};
use crate::model::{Field, Rows, Sym, Symbols, Tuple, TupleIndex, Value};
use crate::query::Pattern;
use crate::scenario::Scenario;
use std::collections::BTreeSet;
use std::sync::OnceLock;

/// One proof of a tuple, of least height.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proof {
    pub rel: usize,
    pub tuple: Tuple,
    /// 0 for an input tuple; 1 + the largest height of the premises for a derived one.
    pub height: usize,
    pub step: Step,
    /// How many other firings (of this rule with other values, or of other rules) also derive it.
    pub alternatives: usize,
    /// The other rules (ids, sorted) with at least one firing that derives it.
    pub other_rules: Vec<usize>,
}

/// How a tuple of a proof is justified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// A rule fired: `bindings` are the values of its variables (in [`Rule::vars`] order);
    /// `premises` prove its positive body atoms, in body order; `negations` are its negated atoms
    /// as instantiated (none of them holds); `conditions` its comparisons and bindings, e.g.
    /// `9890 >= 5000 (bp >= t)`.
    Rule {
        rule: usize,
        bindings: Vec<(String, Value)>,
        premises: Vec<Proof>,
        negations: Vec<Pattern>,
        conditions: Vec<String>,
    },
    /// An input tuple: a scenario fact, a parameter, or a cut. Every origin is listed (a tuple can
    /// come from several facts).
    Input { origins: Vec<Origin> },
    /// An input tuple computed in Rust (HHI and the like): the formula and proofs of the input
    /// tuples it was computed from.
    Computed { formula: String, inputs: Vec<Proof> },
    /// Cut by `depth`: the tuple holds, its proof is not shown.
    Truncated,
}

impl Proof {
    /// The origins at the leaves of the proof: scenario facts, parameters and cuts. The inputs of
    /// computed tuples are followed down to their own origins.
    pub fn leaves(&self) -> Vec<&Origin> {
        let mut out = Vec::new();
        self.collect_leaves(&mut out);
        out
    }

    fn collect_leaves<'p>(&'p self, out: &mut Vec<&'p Origin>) {
        match &self.step {
            Step::Rule { premises, .. } => premises.iter().for_each(|p| p.collect_leaves(out)),
            Step::Computed { inputs, .. } => inputs.iter().for_each(|p| p.collect_leaves(out)),
            Step::Input { origins } => out.extend(origins.iter()),
            Step::Truncated => {}
        }
    }

    /// Number of nodes in the proof tree.
    pub fn size(&self) -> usize {
        1 + match &self.step {
            Step::Rule { premises, .. } => premises.iter().map(Proof::size).sum(),
            Step::Computed { inputs, .. } => inputs.iter().map(Proof::size).sum(),
            _ => 0,
        }
    }
}

/// Why a pattern does not hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WhyNot {
    pub pattern: Pattern,
    /// Tuples that match the pattern (empty unless the question is moot: it does hold).
    pub holds: Vec<Tuple>,
    /// Tuples that hold instead: the pattern with its last given field left open.
    pub instead: Vec<Tuple>,
    /// The relation is an input: only scenario facts (or computed facts) could give it.
    pub input: bool,
    /// One entry per rule whose head unifies with the pattern, in rule order.
    pub rules: Vec<RuleWhyNot>,
}

/// Why one rule does not derive the pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleWhyNot {
    pub rule: usize,
    pub reason: Reason,
}

/// The first body literal the best attempt could not pass.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reason {
    /// The rule does fire for the pattern (it holds).
    Fires,
    /// Body literal `literal` (index into the rule body) has no match given the values bound so
    /// far; `deeper` says why, when the atom is derived and the depth allows.
    Missing {
        literal: usize,
        atom: Pattern,
        bindings: Vec<(String, Value)>,
        deeper: Option<Box<WhyNot>>,
    },
    /// Negated literal `literal` is blocked: `by` holds.
    Blocked {
        literal: usize,
        atom: Pattern,
        by: Tuple,
        bindings: Vec<(String, Value)>,
    },
    /// Comparison `literal` is false, e.g. `4000 >= 9000 (r >= t)`.
    Fails {
        literal: usize,
        condition: String,
        bindings: Vec<(String, Value)>,
    },
    /// The search gave up (too many combinations) before finding a reason.
    TooManyCombinations,
}

/// Where a value of an atom's argument comes from, given a firing.
#[derive(Clone, Copy, Debug)]
enum Src {
    Var(usize),
    Const(Value),
    Wild,
}

/// A rule with its atoms' arguments resolved to variable positions and constant values.
#[derive(Clone, Debug)]
struct Compiled {
    head: Vec<Src>,
    /// Per body literal: the argument sources of an atom (empty for comparisons and bindings).
    atoms: Vec<Vec<Src>>,
    /// Per variable: whether it holds a percentage in basis points (bound from a `_bp` field or
    /// from a percent parameter), so conditions can show it as a percentage.
    percent: Vec<bool>,
}

/// Which variables of a rule hold basis points: bound first from a `_bp` field or from the value
/// of a percent parameter. Renderers show them as percentages.
pub fn percent_vars(rule: &Rule) -> Vec<bool> {
    let prog = program();
    let mut out = vec![false; rule.vars.len()];
    let mut seen = vec![false; rule.vars.len()];
    for lit in &rule.body {
        let Literal::Pos(a) = lit else { continue };
        let Some(rel) = prog.relations.get(a.rel) else {
            continue;
        };
        let param = match (a.rel == crate::datalog::rel::PARAM, a.args.first()) {
            (true, Some(Term::Sym(name))) => {
                crate::params::spec(name).map(|p| p.unit == crate::params::Unit::Percent)
            }
            _ => None,
        };
        for (i, (t, f)) in a.args.iter().zip(&rel.fields).enumerate() {
            let Term::Var(v) = t else { continue };
            let Some(vi) = rule.vars.iter().position(|(n, _)| n == v) else {
                continue;
            };
            if seen[vi] {
                continue;
            }
            seen[vi] = true;
            out[vi] = f.name.ends_with("_bp") || (i == 1 && param == Some(true));
        }
    }
    out
}

fn expr_is_percent(e: &Expr, rule: &Rule, percent: &[bool]) -> bool {
    match e {
        Expr::Term(Term::Var(v)) => rule
            .vars
            .iter()
            .position(|(n, _)| n == v)
            .is_some_and(|i| percent.get(i) == Some(&true)),
        Expr::Term(_) => false,
        Expr::Bin(a, _, b) => {
            expr_is_percent(a, rule, percent) || expr_is_percent(b, rule, percent)
        }
    }
}

/// Every rule compiled, once per process: a rule's constants are symbols at the fixed ids every
/// symbol table gives them ([`Symbols::new`] interns them first), so compiling against a fresh
/// table is compiling against any.
fn compiled_rules() -> &'static [Compiled] {
    static COMPILED: OnceLock<Vec<Compiled>> = OnceLock::new();
    COMPILED.get_or_init(|| {
        let syms = Symbols::new();
        program().rules.iter().map(|r| compile(r, &syms)).collect()
    })
}

fn compile(rule: &Rule, syms: &Symbols) -> Compiled {
    let src = |t: &Term| -> Src {
        match t {
            Term::Var(v) => rule
                .vars
                .iter()
                .position(|(n, _)| n == v)
                .map_or(Src::Wild, Src::Var),
            Term::Wild => Src::Wild,
            Term::Sym(s) => Src::Const(Value::Sym(syms.get(s).unwrap_or(Sym::NONE))),
            Term::Num(n) => Src::Const(Value::Num(*n)),
        }
    };
    Compiled {
        head: rule.head.args.iter().map(src).collect(),
        atoms: rule
            .body
            .iter()
            .map(|l| match l {
                Literal::Pos(a) | Literal::Neg(a) => a.args.iter().map(src).collect(),
                _ => Vec::new(),
            })
            .collect(),
        percent: percent_vars(rule),
    }
}

fn subst(args: &[Src], vals: &[Value]) -> Tuple {
    args.iter().map(|s| value(s, vals)).collect()
}

fn subst_pattern(rel: usize, args: &[Src], env: &[Option<Value>]) -> Pattern {
    Pattern {
        rel,
        fields: args
            .iter()
            .map(|s| match s {
                Src::Var(i) => env.get(*i).copied().flatten(),
                Src::Const(v) => Some(*v),
                Src::Wild => None,
            })
            .collect(),
    }
}

/// The value of an expression under a firing's bindings (`None` if a variable is unbound).
pub fn eval_expr(e: &Expr, rule: &Rule, env: &[Option<Value>], syms: &Symbols) -> Option<Value> {
    match e {
        Expr::Term(Term::Var(v)) => rule
            .vars
            .iter()
            .position(|(n, _)| n == v)
            .and_then(|i| env.get(i).copied().flatten()),
        Expr::Term(Term::Wild) => None,
        Expr::Term(Term::Sym(s)) => Some(Value::Sym(syms.get(s).unwrap_or(Sym::NONE))),
        Expr::Term(Term::Num(n)) => Some(Value::Num(*n)),
        Expr::Bin(a, op, b) => {
            let (a, b) = (
                eval_expr(a, rule, env, syms)?,
                eval_expr(b, rule, env, syms)?,
            );
            let (Value::Num(a), Value::Num(b)) = (a, b) else {
                return None;
            };
            Some(Value::Num(match op {
                ArithOp::Add => a.saturating_add(b),
                ArithOp::Sub => a.saturating_sub(b),
                ArithOp::Mul => a.saturating_mul(b),
            }))
        }
    }
}

/// Whether a comparison holds between two values (symbols compare by identity).
pub fn compare(a: Value, op: CmpOp, b: Value) -> bool {
    match (a, b) {
        (Value::Num(a), Value::Num(b)) => match op {
            CmpOp::Lt => a < b,
            CmpOp::Le => a <= b,
            CmpOp::Gt => a > b,
            CmpOp::Ge => a >= b,
            CmpOp::Eq => a == b,
            CmpOp::Ne => a != b,
        },
        (a, b) => match op {
            CmpOp::Eq => a == b,
            CmpOp::Ne => a != b,
            _ => false,
        },
    }
}

/// The value of an atom's argument under a firing's values.
fn value(s: &Src, vals: &[Value]) -> Value {
    match s {
        Src::Var(i) => vals.get(*i).copied().unwrap_or(Value::Num(0)),
        Src::Const(v) => *v,
        Src::Wild => Value::Num(0),
    }
}

/// An atom of a rule as a lookup of the tuple it makes of a firing's values.
fn fields(args: &[Src]) -> Vec<Field> {
    args.iter()
        .map(|s| match s {
            Src::Var(i) => Field::Row(*i),
            Src::Const(v) => Field::Fixed(*v),
            Src::Wild => Field::Fixed(Value::Num(0)),
        })
        .collect()
}

/// Least proof heights of every derived tuple of a model, and which firings derive each.
///
/// Derived tuples are numbered relation by relation in model order (`offsets[rel] + index`);
/// input tuples have height 0 and no node.
#[derive(Clone, Debug, Default)]
pub struct Heights {
    offsets: Vec<usize>,
    /// Per tuple: least proof height (`u32::MAX`: no proof found).
    height: Vec<u32>,
    /// Per tuple `n`: `derivers[dstart[n]..dstart[n + 1]]` are its deriving firings `(rule, row in
    /// firings[rule])`, the one of a least-height proof first.
    dstart: Vec<u32>,
    derivers: Vec<(u32, u32)>,
}

impl Heights {
    /// Computes heights from a model and the firings that produced it. Rules with an empty body
    /// (facts written in the rules) count as one firing with no premises, of height 1.
    pub fn compute(model: &Model, firings: &Firings) -> Heights {
        Self::compute_compiled(model, firings, compiled_rules())
    }

    /// [`Heights::compute`] with the rules already compiled (`compiled[i]` is rule `i`), as
    /// [`Explainer::new`] has them.
    fn compute_compiled(model: &Model, firings: &Firings, compiled: &[Compiled]) -> Heights {
        let prog = program();
        let nrel = prog.relations.len();
        let mut offsets = Vec::with_capacity(nrel + 1);
        let mut total = 0usize;
        // Only derived tuples get a node: an input tuple in the model has height 0 and needs no
        // waiting for, so premises on input relations are skipped (most tuples are inputs).
        let mut index: Vec<Option<TupleIndex<'_>>> = Vec::with_capacity(nrel);
        for r in 0..nrel {
            offsets.push(total);
            if prog.relations[r].input {
                index.push(None);
                continue;
            }
            let ts = model.db.rel(r);
            index.push(Some(TupleIndex::new(ts)));
            total += ts.len();
        }
        offsets.push(total);
        let node = |(rel, fields): &(usize, Vec<Field>), vals: &[Value]| {
            let ix = index.get(*rel)?.as_ref()?;
            ix.find(fields, vals).map(|i| (offsets[*rel] + i) as u32)
        };

        // Every firing: its head node and its premise nodes.
        let body_less = prog.rules.iter().filter(|r| r.body.is_empty()).count();
        let nfire = body_less + firings.iter().map(Rows::len).sum::<usize>();
        let mut fire_head: Vec<u32> = Vec::with_capacity(nfire);
        let mut fire_id: Vec<(u32, u32)> = Vec::with_capacity(nfire);
        let mut pending: Vec<u32> = Vec::with_capacity(nfire);
        let mut uses_count = vec![0u32; total + 1];
        let mut premises: Vec<(u32, u32)> = Vec::new(); // (node, fire)
        for (ri, (rule, c)) in prog.rules.iter().zip(compiled).enumerate() {
            let fired = firings.get(ri);
            let rows = if rule.body.is_empty() {
                1
            } else {
                fired.map_or(0, Rows::len)
            };
            if rows == 0 {
                continue;
            }
            let head = (rule.head.rel, fields(&c.head));
            let derived_atoms: Vec<(usize, Vec<Field>)> = rule
                .body
                .iter()
                .zip(&c.atoms)
                .filter_map(|(lit, args)| match lit {
                    Literal::Pos(a) if !prog.relations[a.rel].input => Some((a.rel, fields(args))),
                    _ => None,
                })
                .collect();
            premises.reserve(rows * derived_atoms.len());
            for row in 0..rows {
                let vals = fired.and_then(|f| f.get(row)).unwrap_or(&[]);
                let Some(h) = node(&head, vals) else {
                    continue;
                };
                let fid = fire_head.len() as u32;
                for at in &derived_atoms {
                    let p = node(at, vals).unwrap_or(total as u32);
                    premises.push((p, fid));
                    uses_count[p as usize] += 1;
                }
                fire_head.push(h);
                fire_id.push((ri as u32, row as u32));
                pending.push(derived_atoms.len() as u32);
            }
        }
        // Node → firings that use it (CSR).
        let mut start = vec![0u32; total + 2];
        for i in 0..=total {
            start[i + 1] = start[i] + uses_count[i];
        }
        let mut fill = start.clone();
        let mut uses = vec![0u32; premises.len()];
        for &(p, f) in &premises {
            uses[fill[p as usize] as usize] = f;
            fill[p as usize] += 1;
        }
        drop(premises);

        let mut height = vec![u32::MAX; total];
        let mut best: Vec<u32> = vec![u32::MAX; total];
        let mut buckets: Vec<Vec<u32>> = vec![Vec::new()];
        for (f, &n) in pending.iter().enumerate() {
            if n == 0 {
                let h = fire_head[f] as usize;
                if best[h] == u32::MAX {
                    best[h] = f as u32;
                    if buckets.len() < 2 {
                        buckets.resize(2, Vec::new());
                    }
                    buckets[1].push(h as u32);
                }
            }
        }
        let mut level = 0usize;
        while level < buckets.len() {
            let nodes = std::mem::take(&mut buckets[level]);
            for n in nodes {
                let n = n as usize;
                if height[n] != u32::MAX {
                    continue;
                }
                height[n] = level as u32;
                for &f in &uses[start[n] as usize..start[n + 1] as usize] {
                    let f = f as usize;
                    pending[f] -= 1;
                    if pending[f] == 0 {
                        let h = fire_head[f] as usize;
                        if height[h] == u32::MAX && best[h] == u32::MAX {
                            best[h] = f as u32;
                            if buckets.len() < level + 2 {
                                buckets.resize(level + 2, Vec::new());
                            }
                            buckets[level + 1].push(h as u32);
                        }
                    }
                }
            }
            level += 1;
        }

        // Node → deriving firings (CSR), the best one first.
        let mut dstart = vec![0u32; total + 1];
        for &h in &fire_head {
            dstart[h as usize + 1] += 1;
        }
        for i in 0..total {
            dstart[i + 1] += dstart[i];
        }
        let mut fill = dstart.clone();
        let mut derivers = vec![(0u32, 0u32); fire_head.len()];
        for (f, &h) in fire_head.iter().enumerate() {
            let h = h as usize;
            let at = fill[h] as usize;
            derivers[at] = fire_id[f];
            fill[h] += 1;
            if best[h] == f as u32 {
                derivers.swap(dstart[h] as usize, at);
            }
        }
        Heights {
            offsets,
            height,
            dstart,
            derivers,
        }
    }

    fn node(&self, rel: usize, idx: usize) -> Option<usize> {
        let n = self.offsets.get(rel)? + idx;
        (n < *self.offsets.get(rel + 1)?).then_some(n)
    }

    /// The least proof height of tuple `idx` of relation `rel` (index in the model's order).
    pub fn height(&self, rel: usize, idx: usize) -> Option<usize> {
        let h = *self.height.get(self.node(rel, idx)?)?;
        (h != u32::MAX).then_some(h as usize)
    }

    /// The firings `(rule, row)` that derive tuple `idx` of `rel`, the one of a least-height proof first.
    pub fn derivers(&self, rel: usize, idx: usize) -> &[(u32, u32)] {
        let Some(n) = self.node(rel, idx) else {
            return &[];
        };
        match (self.dstart.get(n), self.dstart.get(n + 1)) {
            (Some(&a), Some(&b)) => self.derivers.get(a as usize..b as usize).unwrap_or(&[]),
            _ => &[],
        }
    }
}

/// Explains conclusions of one evaluated scenario.
pub struct Explainer<'a> {
    scenario: &'a Scenario,
    facts: &'a Facts,
    model: Model,
    firings: Firings,
    heights: Heights,
    compiled: &'static [Compiled],
}

/// Default depth of why-not: how many missing derived atoms are explained in turn.
pub const WHY_NOT_DEPTH: usize = 4;

/// How many candidate tuples a why-not search may try per rule before giving up.
const BUDGET: usize = 2_000_000;

impl<'a> Explainer<'a> {
    /// Evaluates the scenario with the provenance engine and computes proof heights.
    pub fn new(scenario: &'a Scenario, facts: &'a Facts) -> Self {
        let ranks = facts.syms.ranks();
        let (model, firings) = engine::evaluate_traced_ranked(facts, &ranks);
        let compiled = compiled_rules();
        let heights = Heights::compute_compiled(&model, &firings, compiled);
        Explainer {
            scenario,
            facts,
            model,
            firings,
            heights,
            compiled,
        }
    }

    pub fn model(&self) -> &Model {
        &self.model
    }

    pub fn firings(&self) -> &Firings {
        &self.firings
    }

    pub fn facts(&self) -> &Facts {
        self.facts
    }

    pub fn scenario(&self) -> &Scenario {
        self.scenario
    }

    /// The position of a tuple in the model's (sorted) relation.
    fn index_of(&self, rel: usize, t: &[Value]) -> Option<usize> {
        let ts = self.model.db.rel(rel);
        ts.binary_search_by(|x| self.facts.syms.cmp_tuples(x, t))
            .ok()
            .or_else(|| ts.iter().position(|x| &**x == t))
    }

    /// One proof of least height of a tuple of the model, cut at `depth` levels of rules
    /// (`None`: whole). `None` if the tuple does not hold.
    pub fn proof(&self, rel: usize, tuple: &[Value], depth: Option<usize>) -> Option<Proof> {
        let idx = self.index_of(rel, tuple)?;
        Some(self.proof_at(rel, idx, tuple, 0, depth))
    }

    fn proof_at(
        &self,
        rel: usize,
        idx: usize,
        tuple: &[Value],
        level: usize,
        depth: Option<usize>,
    ) -> Proof {
        let prog = program();
        let tuple: Tuple = tuple.into();
        if prog.relations.get(rel).is_some_and(|r| r.input) {
            return self.input_proof(rel, tuple, level, depth);
        }
        let height = self.heights.height(rel, idx).unwrap_or(0);
        let derivers = self.heights.derivers(rel, idx);
        let alternatives = derivers.len().saturating_sub(1);
        let chosen = derivers.first().map(|&(r, _)| r as usize);
        let other_rules: Vec<usize> = derivers
            .iter()
            .map(|&(r, _)| r as usize)
            .filter(|&r| Some(r) != chosen)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut proof = Proof {
            rel,
            tuple,
            height,
            step: Step::Truncated,
            alternatives,
            other_rules,
        };
        if depth.is_some_and(|d| level >= d) {
            return proof;
        }
        let Some(&(rule_id, row)) = derivers.first() else {
            return proof;
        };
        let (rule_id, row) = (rule_id as usize, row as usize);
        let Some(rule) = prog.rules.get(rule_id) else {
            return proof;
        };
        let vals: &[Value] = self
            .firings
            .get(rule_id)
            .and_then(|f| f.get(row))
            .unwrap_or(&[]);
        let env: Vec<Option<Value>> = vals.iter().map(|v| Some(*v)).collect();
        let c = &self.compiled[rule_id];
        let mut premises = Vec::new();
        let mut negations = Vec::new();
        let mut conditions = Vec::new();
        for (lit, args) in rule.body.iter().zip(&c.atoms) {
            match lit {
                Literal::Pos(a) => {
                    let t = subst(args, vals);
                    match self.index_of(a.rel, &t) {
                        Some(i) => premises.push(self.proof_at(a.rel, i, &t, level + 1, depth)),
                        None => premises.push(Proof {
                            rel: a.rel,
                            tuple: t,
                            height: 0,
                            step: Step::Truncated,
                            alternatives: 0,
                            other_rules: Vec::new(),
                        }),
                    }
                }
                Literal::Neg(a) => negations.push(subst_pattern(a.rel, args, &env)),
                Literal::Cmp(l, op, r) => conditions.push(self.condition(rule, &env, l, *op, r)),
                Literal::Bind(v, e) => {
                    let val = eval_expr(e, rule, &env, &self.facts.syms)
                        .map_or("?".into(), |x| self.facts.syms.show(&x));
                    conditions.push(format!("{v} = {val} ({v} = {})", expr_to_string(e)));
                }
            }
        }
        proof.step = Step::Rule {
            rule: rule_id,
            bindings: rule
                .vars
                .iter()
                .map(|(n, _)| n.clone())
                .zip(vals.iter().copied())
                .collect(),
            premises,
            negations,
            conditions,
        };
        proof
    }

    fn condition(
        &self,
        rule: &Rule,
        env: &[Option<Value>],
        l: &Expr,
        op: CmpOp,
        r: &Expr,
    ) -> String {
        let percent = program()
            .rules
            .iter()
            .position(|x| std::ptr::eq(x, rule))
            .and_then(|i| self.compiled.get(i))
            .is_some_and(|c| {
                expr_is_percent(l, rule, &c.percent) || expr_is_percent(r, rule, &c.percent)
            });
        let show = |e: &Expr| match eval_expr(e, rule, env, &self.facts.syms) {
            Some(Value::Num(n)) if percent => format!("{:.2}%", n as f64 / 100.0),
            Some(v) => self.facts.syms.show(&v),
            None => "?".into(),
        };
        format!(
            "{} {} {} ({} {} {})",
            show(l),
            op.as_str(),
            show(r),
            expr_to_string(l),
            op.as_str(),
            expr_to_string(r)
        )
    }

    fn input_proof(&self, rel: usize, tuple: Tuple, level: usize, depth: Option<usize>) -> Proof {
        let origins: Vec<Origin> = self
            .facts
            .origins_of(rel, &tuple)
            .into_iter()
            .cloned()
            .collect();
        let mut proof = Proof {
            rel,
            tuple,
            height: 0,
            step: Step::Truncated,
            alternatives: origins.len().saturating_sub(1),
            other_rules: Vec::new(),
        };
        if let Some(Origin::Computed { formula, inputs }) = origins
            .iter()
            .find(|o| matches!(o, Origin::Computed { .. }))
        {
            if depth.is_some_and(|d| level >= d) || level > 16 {
                return proof;
            }
            let inputs = inputs
                .iter()
                .filter_map(|&r| {
                    let t = self.facts.input(r)?.clone();
                    Some(self.input_proof(r.rel as usize, t, level + 1, depth))
                })
                .collect();
            proof.step = Step::Computed {
                formula: formula.to_string(),
                inputs,
            };
            return proof;
        }
        proof.step = Step::Input { origins };
        proof
    }

    /// Why no tuple matching `pattern` holds, rule by rule (see the module doc).
    pub fn why_not(&self, rel: usize, pattern: &[Option<Value>]) -> WhyNot {
        self.why_not_depth(rel, pattern, WHY_NOT_DEPTH)
    }

    /// [`Explainer::why_not`], explaining missing derived atoms `depth` levels deep.
    pub fn why_not_depth(&self, rel: usize, pattern: &[Option<Value>], depth: usize) -> WhyNot {
        let mut seen = BTreeSet::new();
        self.why_not_rec(
            &Pattern {
                rel,
                fields: pattern.to_vec(),
            },
            depth,
            &mut seen,
        )
    }

    fn why_not_rec(&self, pattern: &Pattern, depth: usize, seen: &mut BTreeSet<Pattern>) -> WhyNot {
        let prog = program();
        let rel = pattern.rel;
        let holds: Vec<Tuple> = pattern.find(&self.model.db).into_iter().cloned().collect();
        let instead = match pattern.fields.iter().rposition(Option::is_some) {
            Some(last) if holds.is_empty() => {
                let mut relaxed = pattern.clone();
                relaxed.fields[last] = None;
                relaxed.find(&self.model.db).into_iter().cloned().collect()
            }
            _ => Vec::new(),
        };
        let input = prog.relations.get(rel).is_some_and(|r| r.input);
        let mut out = WhyNot {
            pattern: pattern.clone(),
            holds,
            instead,
            input,
            rules: Vec::new(),
        };
        seen.insert(pattern.clone());
        for (ri, rule) in prog.rules.iter().enumerate() {
            if rule.head.rel != rel {
                continue;
            }
            let c = &self.compiled[ri];
            // Unify the head with the pattern.
            let mut env: Vec<Option<Value>> = vec![None; rule.vars.len()];
            let mut unifies = true;
            for (src, want) in c.head.iter().zip(&pattern.fields) {
                let Some(want) = want else { continue };
                match src {
                    Src::Const(v) if v != want => unifies = false,
                    Src::Var(i) => match env[*i] {
                        Some(v) if v != *want => unifies = false,
                        _ => env[*i] = Some(*want),
                    },
                    _ => {}
                }
            }
            if !unifies {
                continue;
            }
            let mut search = Search {
                ex: self,
                rule,
                c,
                best: None,
                budget: BUDGET,
                found: false,
            };
            search.dfs(0, &mut env);
            let reason = if search.found {
                Reason::Fires
            } else {
                match search.best {
                    None => Reason::TooManyCombinations,
                    Some((_, mut r)) => {
                        if let Reason::Missing { atom, deeper, .. } = &mut r {
                            let derived = prog.relations.get(atom.rel).is_some_and(|x| !x.input);
                            if derived && depth > 0 && !seen.contains(atom) {
                                *deeper = Some(Box::new(self.why_not_rec(atom, depth - 1, seen)));
                            }
                        }
                        r
                    }
                }
            };
            out.rules.push(RuleWhyNot { rule: ri, reason });
        }
        seen.remove(pattern);
        out
    }
}

/// A left-to-right join of one rule body, remembering the furthest failure.
struct Search<'s, 'a> {
    ex: &'s Explainer<'a>,
    rule: &'s Rule,
    c: &'s Compiled,
    /// (literal index, reason) of the furthest failure so far.
    best: Option<(usize, Reason)>,
    budget: usize,
    found: bool,
}

impl Search<'_, '_> {
    fn bindings(&self, env: &[Option<Value>]) -> Vec<(String, Value)> {
        self.rule
            .vars
            .iter()
            .zip(env)
            .filter(|((n, _), _)| !n.starts_with("_w"))
            .filter_map(|((n, _), v)| v.map(|v| (n.clone(), v)))
            .collect()
    }

    fn fail(&mut self, at: usize, reason: impl FnOnce(&Self) -> Reason) {
        if self.best.as_ref().is_none_or(|(b, _)| at > *b) {
            let r = reason(self);
            self.best = Some((at, r));
        }
    }

    fn dfs(&mut self, at: usize, env: &mut Vec<Option<Value>>) {
        if self.found || self.budget == 0 {
            return;
        }
        let Some(lit) = self.rule.body.get(at) else {
            self.found = true;
            return;
        };
        let syms = &self.ex.facts.syms;
        match lit {
            Literal::Pos(a) => {
                let args = &self.c.atoms[at];
                let pat = subst_pattern(a.rel, args, env);
                let mut any = false;
                for t in self.ex.model.db.rel(a.rel) {
                    if self.found || self.budget == 0 {
                        return;
                    }
                    self.budget -= 1;
                    if !pat.matches(t) {
                        continue;
                    }
                    // Bind the free variables (a variable may repeat within the atom).
                    let saved = env.clone();
                    let mut ok = true;
                    for (s, v) in args.iter().zip(t.iter()) {
                        if let Src::Var(i) = s {
                            match env[*i] {
                                Some(x) if x != *v => ok = false,
                                _ => env[*i] = Some(*v),
                            }
                        }
                    }
                    if ok {
                        any = true;
                        self.dfs(at + 1, env);
                    }
                    *env = saved;
                }
                if !any {
                    self.fail(at, |s| Reason::Missing {
                        literal: at,
                        atom: pat.clone(),
                        bindings: s.bindings(env),
                        deeper: None,
                    });
                }
            }
            Literal::Neg(a) => {
                let pat = subst_pattern(a.rel, &self.c.atoms[at], env);
                match self.ex.model.db.rel(a.rel).iter().find(|t| pat.matches(t)) {
                    Some(by) => {
                        let by = by.clone();
                        self.fail(at, |s| Reason::Blocked {
                            literal: at,
                            atom: pat.clone(),
                            by,
                            bindings: s.bindings(env),
                        });
                    }
                    None => self.dfs(at + 1, env),
                }
            }
            Literal::Cmp(l, op, r) => {
                let (lv, rv) = (
                    eval_expr(l, self.rule, env, syms),
                    eval_expr(r, self.rule, env, syms),
                );
                match (lv, rv) {
                    (Some(x), Some(y)) if compare(x, *op, y) => self.dfs(at + 1, env),
                    _ => {
                        let condition = self.ex.condition(self.rule, env, l, *op, r);
                        self.fail(at, |s| Reason::Fails {
                            literal: at,
                            condition,
                            bindings: s.bindings(env),
                        });
                    }
                }
            }
            Literal::Bind(v, e) => {
                let i = self.rule.vars.iter().position(|(n, _)| n == v);
                let val = eval_expr(e, self.rule, env, syms);
                if let (Some(i), Some(val)) = (i, val) {
                    let old = env[i];
                    if old.is_none_or(|o| o == val) {
                        env[i] = Some(val);
                        self.dfs(at + 1, env);
                        env[i] = old;
                    } else {
                        let want = old.map_or("?".into(), |o| syms.show(&o));
                        let condition = format!(
                            "{v} = {} ({v} = {}), not {want}",
                            syms.show(&val),
                            expr_to_string(e)
                        );
                        self.fail(at, |s| Reason::Fails {
                            literal: at,
                            condition,
                            bindings: s.bindings(env),
                        });
                    }
                }
            }
        }
    }
}

/// Which rules fired over a set of scenarios (`lode coverage`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Coverage {
    /// The scenarios, as named on the command line.
    pub scenarios: Vec<String>,
    /// One entry per rule, in program order.
    pub rules: Vec<RuleCoverage>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RuleCoverage {
    pub rule: usize,
    /// Indexes into [`Coverage::scenarios`] of the scenarios where the rule fired.
    pub fired_in: Vec<usize>,
    /// Firings over all scenarios (a rule with an empty body counts one per scenario).
    pub firings: usize,
}

impl Coverage {
    pub fn new(scenarios: Vec<String>) -> Self {
        Coverage {
            scenarios,
            rules: (0..program().rules.len())
                .map(|rule| RuleCoverage {
                    rule,
                    ..RuleCoverage::default()
                })
                .collect(),
        }
    }

    /// Records the firings of scenario `s` (an index into `scenarios`).
    pub fn add(&mut self, s: usize, firings: &Firings) {
        for (rc, rule) in self.rules.iter_mut().zip(&program().rules) {
            let n = if rule.body.is_empty() {
                1
            } else {
                firings.get(rc.rule).map_or(0, Rows::len)
            };
            if n > 0 {
                rc.fired_in.push(s);
                rc.firings += n;
            }
        }
    }

    pub fn fired(&self) -> usize {
        self.rules.iter().filter(|r| !r.fired_in.is_empty()).count()
    }

    /// Percentage of rules that fired at least once (100 for a program without rules).
    pub fn percent(&self) -> f64 {
        if self.rules.is_empty() {
            100.0
        } else {
            100.0 * self.fired() as f64 / self.rules.len() as f64
        }
    }
}

/// The outcome of one `[[expect]]` entry (`lode test`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpectOutcome {
    /// `file:line:col` of the expectation.
    pub place: String,
    /// True for `holds`, false for `absent`.
    pub holds: bool,
    pub query: String,
    pub pattern: Pattern,
    pub passed: bool,
    /// The conclusions that match the query.
    pub matching: Vec<Tuple>,
    /// For a failed `absent`: the rule that derives the first match.
    pub derived_by: Option<usize>,
    /// For a failed `holds`: why not (what holds instead, and per rule what is missing).
    pub why_not: Option<WhyNot>,
}

impl Explainer<'_> {
    /// Checks one expectation against the model.
    pub fn expect(
        &self,
        place: String,
        holds: bool,
        query: &str,
        pattern: Pattern,
    ) -> ExpectOutcome {
        let matching: Vec<Tuple> = pattern.find(&self.model.db).into_iter().cloned().collect();
        let passed = matching.is_empty() != holds;
        let derived_by = if !passed && !holds {
            matching
                .first()
                .and_then(|t| self.index_of(pattern.rel, t))
                .and_then(|i| self.heights.derivers(pattern.rel, i).first())
                .map(|&(r, _)| r as usize)
        } else {
            None
        };
        let why_not =
            (!passed && holds).then(|| self.why_not_depth(pattern.rel, &pattern.fields, 0));
        ExpectOutcome {
            place,
            holds,
            query: query.to_string(),
            pattern,
            passed,
            matching,
            derived_by,
            why_not,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::{Src, fields};
    use crate::datalog::program;
    use crate::lower::{self, Options};
    use crate::model::{TupleIndex, Value};

    /// Every derived tuple of the baseline is found at its own position (its node) by the atom
    /// that names its fields; a tuple that does not hold has no node.
    #[test]
    fn nodes_number_each_derived_tuple_by_its_position() {
        let s = crate::scenario::load(None).unwrap();
        let facts = lower::lower(&s, &Options::default()).unwrap();
        let model = crate::engine::evaluate(&facts);
        let mut checked = 0;
        for (r, rel) in program().relations.iter().enumerate() {
            if rel.input {
                continue;
            }
            let ts = model.db.rel(r);
            let ix = TupleIndex::new(ts);
            let args: Vec<Src> = (0..rel.fields.len()).map(Src::Var).collect();
            let all = fields(&args);
            for (i, t) in ts.iter().enumerate() {
                assert_eq!(ix.find(&all, t), Some(i), "{}", rel.name);
                checked += 1;
            }
            let Some(t) = ts.last() else { continue };
            // One field changed to a value the relation never holds there.
            let mut x = t.to_vec();
            x[0] = match x[0] {
                Value::Num(_) => Value::Num(i64::MIN + 17),
                Value::Sym(_) => Value::Sym(crate::model::Sym::NONE),
            };
            assert_eq!(ix.find(&all, &x), None, "{}", rel.name);
            // A constant of the atom is matched as a fixed field; a variable past the firing's
            // values matches nothing.
            let mut fixed = args.clone();
            fixed[0] = Src::Const(t[0]);
            assert_eq!(ix.find(&fields(&fixed), t), Some(ts.len() - 1));
            assert_eq!(ix.find(&fields(&[Src::Var(t.len())]), t), None);
        }
        assert!(checked > 1000, "{checked} tuples checked");
    }

    /// The rules compiled once per process name their constants as the scenario's own symbol
    /// table does.
    #[test]
    fn rules_compiled_once_match_a_scenarios_symbols() {
        let s = crate::scenario::load(None).unwrap();
        let facts = lower::lower(&s, &Options::default()).unwrap();
        let once = super::compiled_rules();
        assert_eq!(once.len(), program().rules.len());
        let mut consts = 0;
        for (rule, c) in program().rules.iter().zip(once) {
            let fresh = super::compile(rule, &facts.syms);
            assert_eq!(
                format!("{c:?}"),
                format!("{fresh:?}"),
                "{}:{}",
                rule.file,
                rule.line
            );
            consts += c
                .atoms
                .iter()
                .flatten()
                .filter(|a| matches!(a, Src::Const(Value::Sym(_))))
                .count();
        }
        assert!(consts > 10, "{consts} symbol constants");
    }
}

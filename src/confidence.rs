//! Confidence: how far a conclusion can be trusted, given where its facts came from.
//!
//! A conclusion's confidence is the weakest [`Quality`] among the leaves of its minimal proof
//! ([`Explainer::proof`], a proof of least height):
//!
//! - a scenario fact has its own quality ([`crate::scenario::Fact::quality`]: its `quality`, or the
//!   file's `default_quality`);
//! - a parameter, and a tuple a sweep or what-if cut adds, is `official` (it is a stated threshold
//!   or hypothesis, not a measurement);
//! - a computed tuple (HHI, top supplier, aligned supply, projections) is as weak as the weakest
//!   tuple it was computed from, recursively;
//! - an input tuple stated by several facts is as strong as the strongest of them (any one of them
//!   makes it hold);
//! - negated atoms have no leaves: the absence of a fact adds no weakness.
//!
//! Qualities are ordered `claim < assumption < secondary < derived < official`.

use crate::explain::{Explainer, Proof, Step};
use crate::lower::Origin;
use crate::model::{Database, Tuple, Value};
use crate::scenario::{Quality, Scenario};
use std::collections::{BTreeMap, HashMap};

/// The quality of one origin of an input tuple.
pub fn of_origin(s: &Scenario, o: &Origin) -> Quality {
    match o {
        Origin::Fact(i) => s.facts.get(*i).map_or(Quality::Official, |f| f.quality),
        Origin::Param { .. } | Origin::Cut { .. } | Origin::Computed { .. } => Quality::Official,
    }
}

/// The weakest quality among the leaves of a proof (`official` for a proof without leaves, e.g. a
/// rule with no body). Leaves cut off by a depth limit are not seen.
pub fn of_proof(s: &Scenario, p: &Proof) -> Quality {
    match &p.step {
        Step::Rule { premises, .. } => premises
            .iter()
            .map(|q| of_proof(s, q))
            .min()
            .unwrap_or(Quality::Official),
        Step::Computed { inputs, .. } => inputs
            .iter()
            .map(|q| of_proof(s, q))
            .min()
            .unwrap_or(Quality::Official),
        Step::Input { origins } => origins
            .iter()
            .map(|o| of_origin(s, o))
            .max()
            .unwrap_or(Quality::Official),
        Step::Truncated => Quality::Official,
    }
}

/// The facts (indices into [`Scenario::facts`]) at the weakest leaves of a proof: the facts that
/// set its confidence. Empty when the proof is `official` throughout, or rests only on parameters.
pub fn weakest_facts(s: &Scenario, p: &Proof) -> Vec<usize> {
    let q = of_proof(s, p);
    let mut out = Vec::new();
    collect(s, p, q, &mut out);
    out.sort_unstable();
    out.dedup();
    out
}

fn collect(s: &Scenario, p: &Proof, q: Quality, out: &mut Vec<usize>) {
    if of_proof(s, p) != q {
        return;
    }
    match &p.step {
        Step::Rule { premises, .. } => premises.iter().for_each(|x| collect(s, x, q, out)),
        Step::Computed { inputs, .. } => inputs.iter().for_each(|x| collect(s, x, q, out)),
        Step::Input { origins } => {
            // The strongest origin carries the tuple; several origins of that quality all do.
            out.extend(origins.iter().filter_map(|o| match o {
                Origin::Fact(i) if of_origin(s, o) == q => Some(*i),
                _ => None,
            }));
        }
        Step::Truncated => {}
    }
}

/// Parses a `--min-confidence` value.
pub fn parse(s: &str) -> Option<Quality> {
    Quality::parse(s.trim())
}

/// Whether a scenario states any fact of quality `claim`.
pub fn has_claims(s: &Scenario) -> bool {
    s.facts.iter().any(|f| f.quality == Quality::Claim)
}

/// The confidence of every tuple of some relations of one evaluated scenario.
#[derive(Clone, Debug, Default)]
pub struct Confidences {
    map: HashMap<(usize, Tuple), Quality>,
}

impl Confidences {
    /// Proves every tuple of `rels` in `ex`'s model and keeps its confidence.
    pub fn of_relations(s: &Scenario, ex: &Explainer<'_>, rels: &[usize]) -> Confidences {
        let db = &ex.model().db;
        let mut map = HashMap::new();
        for &r in rels {
            for t in db.rel(r) {
                let q = ex
                    .proof(r, t, None)
                    .map_or(Quality::Official, |p| of_proof(s, &p));
                map.insert((r, t.clone()), q);
            }
        }
        Confidences { map }
    }

    /// The confidence of a tuple, if it was computed.
    pub fn get(&self, rel: usize, t: &[Value]) -> Option<Quality> {
        self.map.get(&(rel, Tuple::from(t))).copied()
    }

    /// The tuples of `rels` whose confidence is at least `min`, in their order in `db` (other
    /// relations are empty).
    pub fn keep_at_least(&self, db: &Database, rels: &[usize], min: Quality) -> Database {
        let mut out = Database::default();
        for &r in rels {
            let kept: Vec<Tuple> = db
                .rel(r)
                .iter()
                .filter(|t| self.get(r, t).is_some_and(|q| q >= min))
                .cloned()
                .collect();
            out.set(r, kept);
        }
        out
    }

    /// How many tuples have each quality, weakest first.
    pub fn counts(&self) -> Vec<(Quality, usize)> {
        let mut c: BTreeMap<Quality, usize> = BTreeMap::new();
        for q in self.map.values() {
            *c.entry(*q).or_default() += 1;
        }
        c.into_iter().collect()
    }
}

/// Whether a proof is shown whole: no part of it was cut by a depth limit.
pub fn is_complete(p: &Proof) -> bool {
    match &p.step {
        Step::Rule { premises, .. } => premises.iter().all(is_complete),
        Step::Computed { inputs, .. } => inputs.iter().all(is_complete),
        Step::Input { .. } => true,
        Step::Truncated => false,
    }
}

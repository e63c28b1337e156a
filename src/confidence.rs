//! Confidence: how far a conclusion can be trusted, given where its facts came from.
//!
//! The leaves of a conclusion's minimal proof ([`Explainer::proof`], a proof of least height) are
//! of two kinds, kept apart so that assumptions neither hide nor swamp the data:
//!
//! - **data**: facts that state a measurement or a report — an official statistic, arithmetic on
//!   official figures, a secondary compilation, an unsourced claim;
//! - **assumptions**: what the analyst assumed ([`is_assumption`]) — an alignment rating (with its
//!   rationale), any fact of quality `assumption` (a route split, say), and the parameters (the
//!   thresholds, each with its doc line).
//!
//! A conclusion's confidence is the weakest [`Quality`] among its **data** facts:
//!
//! - a scenario fact has its own quality ([`crate::scenario::Fact::quality`]);
//! - a computed tuple (HHI, top supplier, aligned supply, projections) is as weak as the weakest
//!   data it was computed from, recursively;
//! - an input tuple stated by several facts is as strong as the strongest of them (any one of them
//!   makes it hold);
//! - negated atoms have no leaves: the absence of a fact adds no weakness;
//! - a proof with no data fact at all is `assumption` if it rests on an assumed fact, `official`
//!   if only on parameters or cuts (a stated threshold or hypothesis, not a measurement).
//!
//! [`assumptions`] lists the assumed facts a proof rests on, [`params`] its parameters.
//! Qualities are ordered `claim < assumption < secondary < derived < official`.

use crate::explain::{Explainer, Proof, Step};
use crate::lower::Origin;
use crate::model::{Database, Tuple, Value};
use crate::scenario::{Fact, Quality, Scenario};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Whether a fact is the analyst's assumption rather than data: an alignment rating (a judgement,
/// stated with its rationale) or any fact of quality `assumption`.
pub fn is_assumption(f: &Fact) -> bool {
    f.table.name == "alignment" || f.quality == Quality::Assumption
}

/// The quality a fact is shown with: `assumption` for an alignment rating (whatever its file's
/// default), its own quality otherwise.
pub fn quality_of(f: &Fact) -> Quality {
    if is_assumption(f) {
        Quality::Assumption
    } else {
        f.quality
    }
}

/// The quality of one origin of an input tuple, if it is data (`None` for an assumption, a
/// parameter or a cut).
fn data_quality(s: &Scenario, o: &Origin) -> Option<Quality> {
    match o {
        Origin::Fact(i) => s
            .facts
            .get(*i)
            .filter(|f| !is_assumption(f))
            .map(|f| f.quality),
        Origin::Param { .. } | Origin::Cut { .. } | Origin::Computed { .. } => None,
    }
}

/// The quality of one origin of an input tuple, as a leaf of its own (parameters and cuts are
/// `official`).
pub fn of_origin(s: &Scenario, o: &Origin) -> Quality {
    match o {
        Origin::Fact(i) => s.facts.get(*i).map_or(Quality::Official, quality_of),
        Origin::Param { .. } | Origin::Cut { .. } | Origin::Computed { .. } => Quality::Official,
    }
}

/// The weakest data quality of a proof, `None` when it rests on no data fact.
fn data_of(s: &Scenario, p: &Proof) -> Option<Quality> {
    match &p.step {
        Step::Rule { premises, .. } => premises.iter().filter_map(|q| data_of(s, q)).min(),
        Step::Computed { inputs, .. } => inputs.iter().filter_map(|q| data_of(s, q)).min(),
        // The strongest data origin carries the tuple.
        Step::Input { origins } => origins.iter().filter_map(|o| data_quality(s, o)).max(),
        Step::Truncated => None,
    }
}

/// A proof's confidence: the weakest quality among its data facts (see the module doc). Leaves
/// cut off by a depth limit are not seen.
pub fn of_proof(s: &Scenario, p: &Proof) -> Quality {
    data_of(s, p).unwrap_or_else(|| {
        if assumptions(s, p).is_empty() {
            Quality::Official
        } else {
            Quality::Assumption
        }
    })
}

/// The data facts (indices into [`Scenario::facts`]) at the weakest data leaves of a proof: the
/// facts that set its confidence. Empty when the proof rests on no data.
pub fn weakest_facts(s: &Scenario, p: &Proof) -> Vec<usize> {
    let Some(q) = data_of(s, p) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    collect(s, p, q, &mut out);
    out.sort_unstable();
    out.dedup();
    out
}

fn collect(s: &Scenario, p: &Proof, q: Quality, out: &mut Vec<usize>) {
    if data_of(s, p) != Some(q) {
        return;
    }
    match &p.step {
        Step::Rule { premises, .. } => premises.iter().for_each(|x| collect(s, x, q, out)),
        Step::Computed { inputs, .. } => inputs.iter().for_each(|x| collect(s, x, q, out)),
        Step::Input { origins } => {
            // The strongest origin carries the tuple; several origins of that quality all do.
            out.extend(origins.iter().filter_map(|o| match o {
                Origin::Fact(i) if data_quality(s, o) == Some(q) => Some(*i),
                _ => None,
            }));
        }
        Step::Truncated => {}
    }
}

/// The assumed facts ([`is_assumption`]) among the leaves of a proof, by index, sorted.
pub fn assumptions(s: &Scenario, p: &Proof) -> Vec<usize> {
    let mut out = BTreeSet::new();
    for o in p.leaves() {
        if let Origin::Fact(i) = o
            && s.facts.get(*i).is_some_and(is_assumption)
        {
            out.insert(*i);
        }
    }
    out.into_iter().collect()
}

/// The parameters among the leaves of a proof, by name, sorted.
pub fn params(p: &Proof) -> Vec<String> {
    let mut out = BTreeSet::new();
    for o in p.leaves() {
        if let Origin::Param { name, .. } = o {
            out.insert(name.clone());
        }
    }
    out.into_iter().collect()
}

/// The tables of the assumed facts a proof rests on (`alignment`, `transit`), sorted.
pub fn assumed_tables(s: &Scenario, p: &Proof) -> Vec<&'static str> {
    let t: BTreeSet<&'static str> = assumptions(s, p)
        .into_iter()
        .filter_map(|i| s.facts.get(i).map(|f| f.table.name))
        .collect();
    t.into_iter().collect()
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
    assumed: HashMap<(usize, Tuple), Vec<&'static str>>,
}

impl Confidences {
    /// Proves every tuple of `rels` in `ex`'s model and keeps its confidence.
    pub fn of_relations(s: &Scenario, ex: &Explainer<'_>, rels: &[usize]) -> Confidences {
        let db = &ex.model().db;
        let mut map = HashMap::new();
        let mut assumed = HashMap::new();
        for &r in rels {
            for t in db.rel(r) {
                let (q, a) = ex
                    .proof(r, t, None)
                    .map_or((Quality::Official, Vec::new()), |p| {
                        (of_proof(s, &p), assumed_tables(s, &p))
                    });
                map.insert((r, t.clone()), q);
                assumed.insert((r, t.clone()), a);
            }
        }
        Confidences { map, assumed }
    }

    /// The tables of the assumed facts a tuple's proof rests on, if it was computed.
    pub fn assumed(&self, rel: usize, t: &[Value]) -> Option<&[&'static str]> {
        self.assumed.get(&(rel, Tuple::from(t))).map(Vec::as_slice)
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

//! "What would it take": the smallest change of one lever that moves a consumer's risk level for
//! a mineral × stage to a target level.
//!
//! A lever is either
//!
//! - the **capacity** of a live initiative on the mineral × stage: the level read is the
//!   projected one at the initiative's (effective) horizon (`ProjectedRiskLevel`), searched
//!   from its stated capacity up to `max` (default 100 % of world output); or
//! - a **parameter**: the level read is today's (`RiskLevel`), searched from the param's value
//!   toward both ends of its range, the nearer answer kept.
//!
//! The search is a bisection over integer rule values (basis points, HHI points): each probe
//! clones the lowered facts, edits one input tuple ([`Origin::Cut`]), recomputes the aggregates
//! and re-evaluates. It assumes the level moves monotonically along the lever between the
//! current value and the bound; the value found is **checked** by re-evaluating at it (and at
//! the value one step short of it), and the answer says so. When the bound itself does not reach
//! the target, the answer says no value within bounds suffices.

use crate::aggregate;
use crate::datalog::rel;
use crate::engine;
use crate::lower::{Facts, Origin};
use crate::model::{Sym, Value};
use crate::params;

/// What is varied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lever {
    /// The capacity (basis points of world output) of an initiative.
    Capacity(Sym),
    /// A parameter, by name.
    Param(String),
}

/// One evaluation at a value of the lever.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Probe {
    /// The lever's rule value (basis points, or HHI points).
    pub value: i64,
    /// The level read there (`None`: not assessed).
    pub level: Option<String>,
    /// The score read there (basis points of 0–100 %).
    pub score: Option<i64>,
}

/// The answer.
#[derive(Clone, Debug)]
pub struct Answer {
    pub consumer: String,
    pub mineral: String,
    pub stage: String,
    pub target: String,
    pub lever: Lever,
    /// Human name of the lever (`capacity of mng-khalzan-…`, `param dominant_share`).
    pub lever_name: String,
    /// Whether the lever's unit is a percentage (basis points) or HHI points.
    pub percent: bool,
    /// The initiative's country and effective horizon, for a capacity lever.
    pub at: Option<(String, i64)>,
    /// The lever's current value and what it gives.
    pub now: Probe,
    /// The bounds searched, in search order (nearest answer first).
    pub bounds: Vec<i64>,
    /// The smallest change found: the probe at it and the probe one step short of it.
    pub found: Option<(Probe, Probe)>,
    /// The probe at each bound (when nothing within bounds suffices).
    pub at_bounds: Vec<Probe>,
    /// Evaluations run.
    pub evaluations: usize,
}

/// Why no search could be made: the message is shown to the user as is.
pub type NeedError = String;

fn rank(level: &str) -> i64 {
    match level {
        "low" => 1,
        "moderate" => 2,
        "high" => 3,
        "critical" => 4,
        _ => 0,
    }
}

struct Job<'a> {
    facts: &'a Facts,
    k: Sym,
    m: Sym,
    s: Sym,
    lever: &'a Lever,
    param_sym: Option<Sym>,
    evaluations: usize,
}

impl Job<'_> {
    fn probe(&mut self, value: i64) -> Probe {
        self.evaluations += 1;
        let mut f = self.facts.clone();
        match self.lever {
            Lever::Capacity(i) => f.edit(rel::INITIATIVE_PLAN, |t, o| {
                if t[0].sym() == *i {
                    t[4] = Value::Num(value);
                    *o = Origin::Cut {
                        what: "what would it take: capacity probed".into(),
                    };
                }
            }),
            Lever::Param(_) => f.edit(rel::PARAM, |t, o| {
                if Some(t[0].sym()) == self.param_sym {
                    t[1] = Value::Num(value);
                    *o = Origin::Cut {
                        what: "what would it take: param probed".into(),
                    };
                }
            }),
        }
        aggregate::compute(&mut f);
        let model = engine::evaluate(&f);
        let (level, score) = match self.lever {
            Lever::Capacity(i) => (
                model
                    .db
                    .rel(rel::PROJECTED_RISK_LEVEL)
                    .iter()
                    .find(|t| t[0].sym() == self.k && t[1].sym() == *i)
                    .map(|t| f.syms.name(t[2].sym()).to_string()),
                model
                    .db
                    .rel(rel::PROJECTED_SUPPLY_RISK)
                    .iter()
                    .find(|t| t[0].sym() == self.k && t[1].sym() == *i)
                    .map(|t| t[2].num()),
            ),
            Lever::Param(_) => (
                model
                    .db
                    .rel(rel::RISK_LEVEL)
                    .iter()
                    .find(|t| t[0].sym() == self.k && t[1].sym() == self.m && t[2].sym() == self.s)
                    .map(|t| f.syms.name(t[3].sym()).to_string()),
                model
                    .db
                    .rel(rel::RISK_SCORE)
                    .iter()
                    .find(|t| t[0].sym() == self.k && t[1].sym() == self.m && t[2].sym() == self.s)
                    .map(|t| t[3].num()),
            ),
        };
        Probe {
            value,
            level,
            score,
        }
    }
}

/// Whether a level reaches the target, coming from `from`.
fn reaches(level: Option<&str>, target: &str, from: &str) -> bool {
    let Some(l) = level else { return false };
    let (l, t, f) = (rank(l), rank(target), rank(from));
    if t < f {
        l <= t
    } else if t > f {
        l >= t
    } else {
        l == t
    }
}

/// Searches the smallest change of `lever` that moves `RiskLevel(k, m, s, _)` to `target`.
/// `max` bounds a capacity search (basis points); params search their whole range.
pub fn needs(
    facts: &Facts,
    consumer: &str,
    mineral: &str,
    stage: &str,
    target: &str,
    via: &str,
    max: Option<i64>,
) -> Result<Answer, NeedError> {
    if rank(target) == 0 {
        return Err(format!(
            "`{target}` is not a risk level: name low, moderate, high or critical"
        ));
    }
    let sym = |n: &str, what: &str| {
        facts
            .sym(n)
            .ok_or_else(|| format!("unknown {what} `{n}` in this scenario"))
    };
    let (k, m, s) = (
        sym(consumer, "consumer")?,
        sym(mineral, "mineral")?,
        sym(stage, "stage")?,
    );
    let init = facts
        .db
        .rel(rel::INITIATIVE)
        .iter()
        .find(|t| facts.syms.name(t[0].sym()) == via)
        .cloned();
    let (lever, lever_name, percent, current, bounds, at) = if let Some(t) = init {
        let i = t[0].sym();
        if t[3].sym() != m || t[4].sym() != s {
            return Err(format!(
                "initiative `{via}` targets {} {}, not {mineral} {stage}",
                facts.syms.name(t[3].sym()),
                facts.syms.name(t[4].sym())
            ));
        }
        let plan = facts
            .db
            .rel(rel::INITIATIVE_PLAN)
            .iter()
            .find(|p| p[0].sym() == i)
            .cloned()
            .ok_or_else(|| format!("initiative `{via}` has no plan"))?;
        if facts.syms.name(plan[3].sym()) == "failed" {
            return Err(format!(
                "initiative `{via}` has failed: it adds nothing at any capacity"
            ));
        }
        let horizon = facts
            .db
            .rel(rel::EFFECTIVE_HORIZON)
            .iter()
            .find(|h| h[0].sym() == i)
            .map_or(plan[2].num(), |h| h[1].num());
        let cur = plan[4].num();
        let hi = max.unwrap_or(10_000).max(cur);
        (
            Lever::Capacity(i),
            format!("capacity of initiative {via}"),
            true,
            cur,
            vec![hi],
            Some((facts.syms.name(t[5].sym()).to_string(), horizon)),
        )
    } else if let Some(spec) = params::spec(via) {
        let p = facts
            .db
            .rel(rel::PARAM)
            .iter()
            .find(|t| facts.syms.name(t[0].sym()) == via)
            .ok_or_else(|| format!("param `{via}` is not set in this scenario"))?;
        let cur = p[1].num();
        let top = params::to_rule_value(
            via,
            match spec.unit {
                params::Unit::Percent => 100.0,
                params::Unit::Hhi => 10_000.0,
            },
        );
        (
            Lever::Param(via.to_string()),
            format!("param {via}"),
            spec.unit == params::Unit::Percent,
            cur,
            vec![top, 0],
            None,
        )
    } else {
        return Err(format!(
            "`{via}` is neither an initiative of this scenario nor a param"
        ));
    };
    let mut job = Job {
        facts,
        k,
        m,
        s,
        lever: &lever,
        param_sym: facts.sym(via),
        evaluations: 0,
    };
    let now = job.probe(current);
    let Some(from) = now.level.clone() else {
        return Err(match lever {
            Lever::Capacity(_) => format!(
                "{consumer} has no projected risk for initiative `{via}`: is {consumer} a member of its partnership with a reliance figure for {mineral}?"
            ),
            Lever::Param(_) => format!(
                "RiskLevel({consumer}, {mineral}, {stage}, _) is not assessed in this scenario"
            ),
        });
    };
    let mut answer = Answer {
        consumer: consumer.into(),
        mineral: mineral.into(),
        stage: stage.into(),
        target: target.into(),
        lever: lever.clone(),
        lever_name,
        percent,
        at,
        now: now.clone(),
        bounds: bounds.clone(),
        found: None,
        at_bounds: Vec::new(),
        evaluations: 0,
    };
    if reaches(now.level.as_deref(), target, &from) {
        answer.found = Some((now.clone(), now));
        answer.evaluations = job.evaluations;
        return Ok(answer);
    }
    let mut best: Option<(Probe, Probe)> = None;
    for &bound in &bounds {
        if bound == current {
            continue;
        }
        let end = job.probe(bound);
        if !reaches(end.level.as_deref(), target, &from) {
            answer.at_bounds.push(end);
            continue;
        }
        // Bisection: `short` does not reach, `hit` does.
        let (mut short, mut hit) = (now.clone(), end);
        while (hit.value - short.value).abs() > 1 {
            let mid = short.value + (hit.value - short.value) / 2;
            let p = job.probe(mid);
            if reaches(p.level.as_deref(), target, &from) {
                hit = p;
            } else {
                short = p;
            }
        }
        // Check by re-evaluating at the value found and one step short of it.
        let check = job.probe(hit.value);
        let before = job.probe(short.value);
        if !reaches(check.level.as_deref(), target, &from)
            || reaches(before.level.as_deref(), target, &from)
        {
            return Err(format!(
                "the level does not move monotonically along {}: no single threshold",
                answer.lever_name
            ));
        }
        let nearer = best
            .as_ref()
            .is_none_or(|(b, _)| (check.value - current).abs() < (b.value - current).abs());
        if nearer {
            best = Some((check, before));
        }
    }
    answer.found = best;
    answer.evaluations = job.evaluations;
    Ok(answer)
}

#[cfg(test)]
mod tests {
    use super::reaches;

    #[test]
    fn lowering_to_moderate_is_reached_by_moderate_or_low() {
        assert!(reaches(Some("moderate"), "moderate", "high"));
        assert!(reaches(Some("low"), "moderate", "high"));
        assert!(!reaches(Some("high"), "moderate", "high"));
        assert!(!reaches(None, "moderate", "high"));
    }

    #[test]
    fn raising_to_critical_needs_critical() {
        assert!(reaches(Some("critical"), "critical", "high"));
        assert!(!reaches(Some("high"), "critical", "moderate"));
    }
}

//! `lode needs` output: the lever, where it stands, the value found (checked) or why none.

use super::to_pretty;
use crate::needs::{Answer, Lever, Probe};
use crate::scenario::Meta;
use serde_json::json;

fn value(a: &Answer, v: i64) -> String {
    if a.percent {
        format!("{:.2}%", v as f64 / 100.0)
    } else {
        v.to_string()
    }
}

fn at(a: &Answer, p: &Probe) -> String {
    let level = p.level.as_deref().unwrap_or("not assessed");
    let score = p
        .score
        .map_or_else(String::new, |x| format!(", score {:.2}%", x as f64 / 100.0));
    format!("{} → {level}{score}", value(a, p.value))
}

/// The answer as text.
pub fn text(meta: &Meta, a: &Answer) -> String {
    let mut out = format!(
        "what would it take, in {}: RiskLevel({}, {}, {}) to {}\n",
        meta.name, a.consumer, a.mineral, a.stage, a.target
    );
    let read = match (&a.lever, &a.at) {
        (Lever::Capacity(_), Some((c, h))) => {
            format!(
                "the projected level at the initiative's horizon, {h} (capacity in {c}, in % of world output)"
            )
        }
        _ => "today's level".to_string(),
    };
    out.push_str(&format!("lever: {}; reading {read}\n", a.lever_name));
    out.push_str(&format!("now:   {}\n", at(a, &a.now)));
    match &a.found {
        Some((hit, _)) if hit.value == a.now.value => {
            out.push_str(&format!(
                "the level is already {} or beyond: nothing to change\n",
                a.target
            ));
        }
        Some((hit, short)) => {
            out.push_str(&format!(
                "needs: {} (was {}; change {})\n",
                value(a, hit.value),
                value(a, a.now.value),
                value(a, hit.value - a.now.value)
            ));
            out.push_str(&format!(
                "checked by re-evaluation: at {}; one step short, at {}\n",
                at(a, hit),
                at(a, short)
            ));
            if let (Lever::Capacity(_), Some((_, h))) = (&a.lever, &a.at) {
                out.push_str(&format!("by when: the initiative's horizon, {h}\n"));
            }
        }
        None => {
            let bounds: Vec<String> = a.bounds.iter().map(|&b| value(a, b)).collect();
            out.push_str(&format!(
                "no value within bounds ({}) moves it to {}\n",
                bounds.join(" and "),
                a.target
            ));
            for p in &a.at_bounds {
                out.push_str(&format!("  at the bound: {}\n", at(a, p)));
            }
        }
    }
    out.push_str(&format!("({} evaluations)\n", a.evaluations));
    out
}

fn probe_json(p: &Probe) -> serde_json::Value {
    json!({"value": p.value, "level": p.level, "score_bp": p.score})
}

/// The answer as one JSON document (values in rule units: basis points or HHI points).
pub fn json(meta: &Meta, a: &Answer) -> String {
    let found = a.found.as_ref().map(|(hit, short)| {
        json!({"value": hit.value, "checked": probe_json(hit), "one_step_short": probe_json(short)})
    });
    to_pretty(&json!({
        "scenario": meta.name,
        "consumer": a.consumer,
        "mineral": a.mineral,
        "stage": a.stage,
        "target": a.target,
        "lever": a.lever_name,
        "unit": if a.percent { "bp" } else { "points" },
        "horizon": a.at.as_ref().map(|(_, h)| h),
        "now": probe_json(&a.now),
        "bounds": a.bounds,
        "found": found,
        "at_bounds": a.at_bounds.iter().map(probe_json).collect::<Vec<_>>(),
        "evaluations": a.evaluations,
    }))
}

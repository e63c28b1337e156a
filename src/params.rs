//! The thresholds the rules use: names, defaults, units and checks.
//!
//! Rules read them through the `Param(name, value)` input relation; nothing an analyst may want to
//! change is hard-coded in `rules/`. Percent params are handed to the rules in basis points.

/// The unit of a parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// A percentage 0–100, given to the rules in basis points.
    Percent,
    /// HHI points 0–10,000.
    Hhi,
}

pub struct ParamSpec {
    pub name: &'static str,
    pub default: f64,
    pub unit: Unit,
    pub doc: &'static str,
}

pub static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        name: "hhi_moderate",
        default: 1500.0,
        unit: Unit::Hhi,
        doc: "HHI above this is moderately concentrated (US merger guidelines 2010)",
    },
    ParamSpec {
        name: "hhi_high",
        default: 2500.0,
        unit: Unit::Hhi,
        doc: "HHI above this is highly concentrated (US merger guidelines 2010)",
    },
    ParamSpec {
        name: "dominant_share",
        default: 50.0,
        unit: Unit::Percent,
        doc: "a supplier with at least this share of world output at a stage is dominant",
    },
    ParamSpec {
        name: "single_supplier_cap",
        default: 65.0,
        unit: Unit::Percent,
        doc: "more than this from one country breaches the EU CRM Act benchmark",
    },
    ParamSpec {
        name: "reliance_high",
        default: 50.0,
        unit: Unit::Percent,
        doc: "net import reliance at or above this is high",
    },
    ParamSpec {
        name: "reliance_critical",
        default: 90.0,
        unit: Unit::Percent,
        doc: "reliance at or above this can make an exposure critical",
    },
    ParamSpec {
        name: "aligned_supply_min",
        default: 25.0,
        unit: Unit::Percent,
        doc: "an exposure is critical only if aligned countries hold less than this share of world output",
    },
    ParamSpec {
        name: "option_min_share",
        default: 1.0,
        unit: Unit::Percent,
        doc: "smallest share for an aligned producer to count as a diversification option",
    },
    ParamSpec {
        name: "transit_dependence",
        default: 10.0,
        unit: Unit::Percent,
        doc: "share of a landlocked country's exports crossing a neighbour that makes it dependent on it",
    },
    ParamSpec {
        name: "export_dependence",
        default: 50.0,
        unit: Unit::Percent,
        doc: "share of a partner's exports to one rival that gives the rival leverage",
    },
    ParamSpec {
        name: "indicator_growth",
        default: 10.0,
        unit: Unit::Percent,
        doc: "least rise (or fall) of a partnership indicator, in percent of its earlier value, that counts as growth (or decline)",
    },
    ParamSpec {
        name: "bloc_share",
        default: 50.0,
        unit: Unit::Percent,
        doc: "low-alignment suppliers holding together at least this share of a stage expose a consumer as a bloc (benchmark: the same share as dominant_share, treating a bloc that can act together as one supplier)",
    },
    ParamSpec {
        name: "import_source_min",
        default: 10.0,
        unit: Unit::Percent,
        doc: "an import source sending at least this share of a consumer's imports passes on its own supplier's exposure (assumption: one tenth of a consumer's imports is a source that matters)",
    },
    ParamSpec {
        name: "licensing_weight",
        default: 50.0,
        unit: Unit::Percent,
        doc: "in the score, a licensing or quota regime counts as this fraction of a ban on the supplier's share (assumption: a licence is granted or refused at will, so halfway between open trade and a ban)",
    },
    ParamSpec {
        name: "score_weight_supply",
        default: 50.0,
        unit: Unit::Percent,
        doc: "score weight of the share of world output that is not reachable aligned supply (assumption: who holds the supply weighs as much as how it is concentrated and controlled together)",
    },
    ParamSpec {
        name: "score_weight_concentration",
        default: 25.0,
        unit: Unit::Percent,
        doc: "score weight of concentration, HHI / 10,000 (assumption: half of the remainder)",
    },
    ParamSpec {
        name: "score_weight_controls",
        default: 25.0,
        unit: Unit::Percent,
        doc: "score weight of export controls reaching the consumer: banned share + licensing_weight × licensed share (assumption: half of the remainder)",
    },
    ParamSpec {
        name: "confidence_active",
        default: 80.0,
        unit: Unit::Percent,
        doc: "share of an active (or completed) project's stated capacity counted at its horizon (assumption: an active project can still slip)",
    },
    ParamSpec {
        name: "confidence_proposed",
        default: 50.0,
        unit: Unit::Percent,
        doc: "share of a proposed project's stated capacity counted at its horizon (assumption: even odds that a proposal reaches its horizon)",
    },
    ParamSpec {
        name: "confidence_step",
        default: 10.0,
        unit: Unit::Percent,
        doc: "percentage points each live environmental-protection, policy-dialogue or task-force initiative adds to the confidence of a project on the same mineral and country (assumption: a tenth of the way, at most 100 %)",
    },
    ParamSpec {
        name: "share_sum_tolerance",
        default: 0.5,
        unit: Unit::Percent,
        doc: "shares of one mineral × stage × year may sum to at most 100 + this (rounding)",
    },
];

pub fn spec(name: &str) -> Option<&'static ParamSpec> {
    PARAMS.iter().find(|p| p.name == name)
}

/// Checks a value for a parameter; the message is shown as is.
pub fn check(name: &str, value: f64) -> Result<(), String> {
    let Some(p) = spec(name) else {
        return Err(format!("unknown parameter `{name}`"));
    };
    if !value.is_finite() {
        return Err(format!("`{name}` must be a finite number"));
    }
    let max = match p.unit {
        Unit::Percent => 100.0,
        Unit::Hhi => 10_000.0,
    };
    if !(0.0..=max).contains(&value) {
        return Err(format!(
            "`{name}` must be between 0 and {max}, found {value}"
        ));
    }
    Ok(())
}

/// The value the rules see: basis points for percentages, points for HHI.
pub fn to_rule_value(name: &str, value: f64) -> i64 {
    match spec(name).map(|p| p.unit) {
        Some(Unit::Percent) => percent_to_bp(value),
        _ => value.round() as i64,
    }
}

/// 93.8 % → 9380 bp.
pub fn percent_to_bp(p: f64) -> i64 {
    (p * 100.0).round() as i64
}

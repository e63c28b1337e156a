//! `lode validate`: how far lode agrees with the assessments analysts already use.
//!
//! Everything is computed from an evaluated scenario (the bundled baseline) and the reference
//! tables of `data/reference/` (embedded in the binary; see [`mod@reference`]):
//!
//! 1. **EU supply risk.** The EU CRM 2023 formula, computed from the scenario's facts:
//!    `SR = [HHI_WGI(global supply) · IR/2 + HHI_WGI(EU sourcing) · (1 − IR/2)] · (1 − EoL_RIR) · SI_SR`
//!    per stage, the higher (bottleneck) stage kept. HHI_WGI of global supply is the `HhiWgi`
//!    relation / 1000 (0–10 scale); HHI_WGI of EU sourcing is computed here from the EU27
//!    `ImportSource` and `Governance` tuples; IR is the EU27 `ImportReliance`. lode has no
//!    recycling input rates or substitution indices, so EoL_RIR = 0 and SI_SR = 1, and trade
//!    factors t = 1 (as in `aggregate`). Compared with the published 2023 SR (Spearman rank
//!    correlation, agreement of the SR ≥ 1.0 class), with each input's [`Provenance`]: an input
//!    that is the study's own figure does not make the agreement independent.
//! 2. **Critical lists.** lode's critical + high set (any stage) for a consumer against a
//!    published list (USGS 2025 and 2022, EU 2023), over the minerals the scenario declares:
//!    precision, recall (also over the minerals lode can assess) and every miss with its reason.
//! 3. **Coverage.** Every item of the USGS 2025 list (USA) and the EU 2023 list (EU27): assessed
//!    (directly, or through its group when lode assesses rare earths as one mineral) or not, and
//!    why (not declared, no country production, no reliance figure).
//!
//! Nothing here formats output: `report::validation` does.

pub mod reference;

use crate::datalog::rel;
use crate::engine::Model;
use crate::lower::{Facts, Origin};
use crate::model::Value;
use crate::scenario::{Quality, Scenario};
pub use reference::Reference;
use reference::{ListItem, ids};
use std::collections::{BTreeMap, BTreeSet};

/// The SR threshold of the EU method: a material with SR ≥ this (and EI ≥ 2.8) is critical.
pub const SR_THRESHOLD: f64 = 1.0;

/// Governance-weighted HHI on the EU's 0–10 scale: Σ share² · 10 · (1 − WGI), shares as fractions
/// and WGI normalised to 0–1 (1 = best), trade factor 1.
pub fn hhi_wgi(shares: impl IntoIterator<Item = (f64, f64)>) -> f64 {
    shares
        .into_iter()
        .map(|(s, wgi)| s * s * 10.0 * (1.0 - wgi))
        .sum()
}

/// The EU CRM supply risk of one stage:
/// `[global · IR/2 + eu · (1 − IR/2)] · (1 − eol) · si`, with IR, eol as fractions 0–1.
pub fn supply_risk(global: f64, eu: f64, ir: f64, eol: f64, si: f64) -> f64 {
    (global * ir / 2.0 + eu * (1.0 - ir / 2.0)) * (1.0 - eol) * si
}

/// Spearman rank correlation (ties get their average rank). `None` below two pairs or when a
/// side has no spread.
pub fn spearman(pairs: &[(f64, f64)]) -> Option<f64> {
    if pairs.len() < 2 {
        return None;
    }
    let xs = ranks(&pairs.iter().map(|p| p.0).collect::<Vec<_>>());
    let ys = ranks(&pairs.iter().map(|p| p.1).collect::<Vec<_>>());
    let n = xs.len() as f64;
    let (mx, my) = (xs.iter().sum::<f64>() / n, ys.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (x, y) in xs.iter().zip(&ys) {
        sxy += (x - mx) * (y - my);
        sxx += (x - mx) * (x - mx);
        syy += (y - my) * (y - my);
    }
    if sxx == 0.0 || syy == 0.0 {
        return None;
    }
    Some(sxy / (sxx * syy).sqrt())
}

fn ranks(v: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..v.len()).collect();
    idx.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
    let mut out = vec![0.0; v.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && v[idx[j + 1]] == v[idx[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        for &k in &idx[i..=j] {
            out[k] = avg;
        }
        i = j + 1;
    }
    out
}

/// Why a comparison differs: the three kinds of reason the report distinguishes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Cause {
    /// lode lacks a figure the comparison needs.
    DataGap,
    /// lode's rules cannot express what drove the published result.
    RuleGap,
    /// lode and the publication compute or define it differently.
    MethodDifference,
}

impl Cause {
    pub fn as_str(self) -> &'static str {
        match self {
            Cause::DataGap => "data gap",
            Cause::RuleGap => "rule gap",
            Cause::MethodDifference => "method difference",
        }
    }
}

/// What is known about a material's or a list entry's difference beyond the numbers: the
/// analyst's explanation, shown with the computed diagnosis. Keyed by (consumer or "SR", mineral
/// or material).
const NOTES: &[(&str, &str, Cause, &str)] = &[
    (
        "SR",
        "Cobalt",
        Cause::MethodDifference,
        "the EU27 reliance is derived from the study's EU-sourcing table as 100 − the EU member states' share, and member states (FIN 62 %, BEL 29 %) supply most of EU cobalt refining, so IR is 9 %; the study's EU-sourcing term counts the member states' own concentration, which lode's EU27 import sources (non-EU countries only) leave out, and the study's bottleneck is extraction (DRC), for which lode has no EU sourcing row",
    ),
    (
        "SR",
        "Hafnium",
        Cause::MethodDifference,
        "the EU27 reliance is derived from the study's EU-sourcing table as 100 − the EU member states' share, and France supplies 76 % of EU hafnium, so IR is 24 %; the study's EU-sourcing term counts that concentration, lode's import sources (non-EU countries only) leave it out",
    ),
    (
        "SR",
        "Strontium",
        Cause::MethodDifference,
        "the EU27 reliance is derived from the study's EU-sourcing table as 100 − the EU member states' share, and Spain supplies 99 % of EU strontium, so IR is 1 %; the study's EU-sourcing term counts that concentration (one member state), lode's import sources (non-EU countries only) leave it out",
    ),
    (
        "SR",
        "Molybdenum",
        Cause::MethodDifference,
        "lode takes no end-of-life recycling input and no substitution (EoL_RIR = 0, SI = 1); the EU's factors lower molybdenum's SR below 1.0",
    ),
    (
        "SR",
        "Copper",
        Cause::MethodDifference,
        "the EU's copper SR is low partly because end-of-life recycling and substitution lower it; lode uses neither",
    ),
    (
        "USA",
        "nickel",
        Cause::MethodDifference,
        "the USGS lists score the economic effect of supply disruptions (2022: disruption potential × trade exposure × economic vulnerability; 2025: modelled disruption scenarios), which does not require majority import reliance; lode's rules do",
    ),
    (
        "EU27",
        "cobalt",
        Cause::DataGap,
        "the derived EU IR rests on the processing stage, where EU member states refine most EU cobalt; the EU-sourcing table has no extraction row for cobalt, whose ore the EU imports (DRC)",
    ),
    (
        "EU27",
        "copper",
        Cause::RuleGap,
        "copper is on the EU list as a strategic raw material, not by supply risk (its published SR is below 1.0); lode's rules judge supply risk only",
    ),
    (
        "EU27",
        "nickel",
        Cause::RuleGap,
        "nickel (battery grade) is on the EU list as a strategic raw material, not by supply risk (its published SR is below 1.0)",
    ),
];

fn note(key: &str, item: &str) -> Option<(Cause, &'static str)> {
    NOTES
        .iter()
        .find(|(k, i, _, _)| *k == key && i.eq_ignore_ascii_case(item))
        .map(|(_, _, c, t)| (*c, *t))
}

/// One stage's supply risk for one mineral.
/// Where an input of lode's SR comes from, judged by the sources of the facts behind it: the
/// EU study's own figures (or arithmetic on them) are not independent of the published SR.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Provenance {
    /// Every fact behind it cites the EU study and is its figure.
    Study,
    /// Every fact behind it is arithmetic on the EU study's tables (quality `derived`).
    StudyDerived,
    /// Some facts from the study, some not.
    Mixed,
    /// No fact behind it cites the EU study (USGS, other sources).
    Independent,
    /// The scenario has no such facts.
    Absent,
}

impl Provenance {
    pub fn as_str(self) -> &'static str {
        match self {
            Provenance::Study => "EU study",
            Provenance::StudyDerived => "derived from the EU study",
            Provenance::Mixed => "partly the EU study",
            Provenance::Independent => "independent",
            Provenance::Absent => "none",
        }
    }
    /// The study's own figures, wholly or in part.
    pub fn is_study(self) -> bool {
        matches!(
            self,
            Provenance::Study | Provenance::StudyDerived | Provenance::Mixed
        )
    }
}

/// Whether a citation names the EU CRM 2023 study (or its transcription).
pub fn cites_study(source: &str) -> bool {
    let s = source.to_lowercase();
    s.contains("critical raw materials for the eu")
        || s.contains("10.2873/725585")
        || s.contains("erikemilsson")
}

/// One stage's supply risk for one mineral.
#[derive(Clone, Debug, PartialEq)]
pub struct StageRisk {
    pub mineral: String,
    pub stage: String,
    /// HHI_WGI of global supply at this stage, 0–10.
    pub global: f64,
    /// EU27 import reliance, 0–1.
    pub ir: f64,
    /// HHI_WGI of EU sourcing, 0–10; `None` when the scenario has no EU27 import source for the
    /// mineral (then taken as 0, a lower bound).
    pub eu: Option<f64>,
    pub sr: f64,
    /// Where the global shares, the IR and the EU-sourcing shares come from.
    pub global_from: Provenance,
    pub ir_from: Provenance,
    pub eu_from: Provenance,
}

/// One published material compared.
#[derive(Clone, Debug, PartialEq)]
pub struct SrRow {
    pub material: String,
    /// The scenario minerals the material stands for.
    pub minerals: Vec<String>,
    /// The bottleneck: the member mineral and stage with the highest SR.
    pub bottleneck: StageRisk,
    pub published: f64,
    /// Both sides on the same side of the SR threshold.
    pub agree: bool,
    /// For a disagreement: the cause and its explanation.
    pub why: Option<(Cause, String)>,
}

/// A material of the comparison that could not be computed or compared, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct Skipped {
    pub material: String,
    pub reason: String,
}

/// The gallium sanity check of DOMAIN.md: HHI_WGI of gallium processing.
#[derive(Clone, Debug, PartialEq)]
pub struct Sanity {
    /// lode's `HhiWgi(gallium, refining)` / 1000, from the scenario's shares.
    pub lode: Option<f64>,
    /// China's share of gallium refining in the scenario, percent.
    pub lode_china_share: Option<f64>,
    /// China's WGI in the scenario, 0–1.
    pub china_wgi: Option<f64>,
    /// The EU study's China share of gallium processing (eu_crm_gallium_supply.csv), percent.
    pub eu_china_share: Option<f64>,
    /// HHI_WGI with the EU study's share and the scenario's WGI (DOMAIN.md: ≈ 5.0).
    pub at_eu_share: Option<f64>,
}

/// One mineral of a list comparison that lode and the list classify differently.
#[derive(Clone, Debug, PartialEq)]
pub struct Miss {
    pub mineral: String,
    /// On the list but not critical/high in lode (false negative), or the reverse.
    pub on_list: bool,
    /// lode's highest risk level over the stages, if it assesses the mineral.
    pub level: Option<String>,
    pub cause: Cause,
    pub reason: String,
}

/// lode's critical + high set for one consumer against one published list.
#[derive(Clone, Debug, PartialEq)]
pub struct ListComparison {
    pub consumer: String,
    /// The list's id in critical_lists.csv.
    pub list: String,
    pub label: String,
    /// The list's citation.
    pub source: String,
    /// Minerals the scenario declares (the universe of the comparison).
    pub covered: usize,
    /// Minerals lode can assess for the consumer (a risk level at some stage).
    pub assessed: BTreeSet<String>,
    /// Declared minerals the list's items stand for.
    pub on_list: BTreeSet<String>,
    /// Declared minerals lode rates critical or high at some stage.
    pub flagged: BTreeSet<String>,
    pub misses: Vec<Miss>,
}

impl ListComparison {
    pub fn hits(&self) -> usize {
        self.flagged.intersection(&self.on_list).count()
    }
    /// Listed minerals lode can assess.
    pub fn listed_assessed(&self) -> usize {
        self.on_list.intersection(&self.assessed).count()
    }
    /// Share of lode's flagged minerals that are on the list (all flagged minerals are assessed).
    pub fn precision(&self) -> Option<f64> {
        ratio(self.hits(), self.flagged.len())
    }
    /// Share of the listed declared minerals lode flags (data gaps count as misses).
    pub fn recall(&self) -> Option<f64> {
        ratio(self.hits(), self.on_list.len())
    }
    /// Share of the listed minerals lode can assess that it flags (data gaps set aside).
    pub fn recall_assessed(&self) -> Option<f64> {
        ratio(self.hits(), self.listed_assessed())
    }
}

fn ratio(a: usize, b: usize) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

/// Whether and how lode assesses one item of a published list for its consumer.
#[derive(Clone, Debug, PartialEq)]
pub enum Status {
    /// lode assesses the item's own mineral(s); the highest level among them.
    Assessed {
        minerals: Vec<String>,
        level: String,
    },
    /// lode assesses the group the item belongs to (rare earths) as one mineral.
    AsGroup { group: String, level: String },
    /// lode does not assess it, and why.
    NotAssessed { reason: String },
}

/// One list item's coverage.
#[derive(Clone, Debug, PartialEq)]
pub struct ItemCoverage {
    pub item: String,
    pub status: Status,
}

/// How many items of a published list lode assesses for the list's consumer.
#[derive(Clone, Debug, PartialEq)]
pub struct Coverage {
    pub consumer: String,
    pub list: String,
    pub label: String,
    pub items: Vec<ItemCoverage>,
}

impl Coverage {
    pub fn assessed(&self) -> usize {
        self.items
            .iter()
            .filter(|i| !matches!(i.status, Status::NotAssessed { .. }))
            .count()
    }
    /// Assessed items lode rates critical or high.
    pub fn flagged(&self) -> usize {
        self.items
            .iter()
            .filter(|i| match &i.status {
                Status::Assessed { level, .. } | Status::AsGroup { level, .. } => rank(level) >= 3,
                Status::NotAssessed { .. } => false,
            })
            .count()
    }
}

/// Everything `lode validate` found.
#[derive(Clone, Debug, PartialEq)]
pub struct Validation {
    pub scenario: String,
    pub as_of: String,
    /// Where the reference tables were read from.
    pub reference: String,
    pub sr: Vec<SrRow>,
    pub skipped: Vec<Skipped>,
    /// Published 2023 materials with an SR whose minerals the scenario does not declare.
    pub undeclared: Vec<String>,
    pub sanity: Sanity,
    pub lists: Vec<ListComparison>,
    pub coverage: Vec<Coverage>,
}

impl Validation {
    /// Spearman rank correlation of lode's SR with the published SR.
    pub fn spearman(&self) -> Option<f64> {
        let pairs: Vec<(f64, f64)> = self
            .sr
            .iter()
            .map(|r| (r.bottleneck.sr, r.published))
            .collect();
        spearman(&pairs)
    }
    /// The compared materials whose global shares (the term lode computes from its own data)
    /// do not come from the EU study.
    pub fn independent(&self) -> impl Iterator<Item = &SrRow> {
        self.sr
            .iter()
            .filter(|r| !r.bottleneck.global_from.is_study())
    }
    /// Spearman ρ over the materials whose global shares are independent of the study.
    pub fn spearman_independent(&self) -> Option<f64> {
        let pairs: Vec<(f64, f64)> = self
            .independent()
            .map(|r| (r.bottleneck.sr, r.published))
            .collect();
        spearman(&pairs)
    }
    /// Share of compared materials whose SR ≥ 1.0 class agrees.
    pub fn agreement(&self) -> Option<f64> {
        ratio(self.sr.iter().filter(|r| r.agree).count(), self.sr.len())
    }
    /// The comparison with a list (by its id in critical_lists.csv).
    pub fn list(&self, id: &str) -> Option<&ListComparison> {
        self.lists.iter().find(|l| l.list == id)
    }
    pub fn coverage(&self, id: &str) -> Option<&Coverage> {
        self.coverage.iter().find(|c| c.list == id)
    }
}

/// The list comparisons: consumer, list id in critical_lists.csv, short label.
pub const LISTS: &[(&str, &str, &str)] = &[
    ("USA", "usgs_2025", "USGS 2025 final list"),
    ("USA", "usgs_2022", "USGS 2022 list"),
    ("EU27", "eu_2023_critical", "EU 2023 critical list"),
];

/// The lists whose every item's coverage is reported.
pub const COVERAGE: &[(&str, &str, &str)] = &[
    ("USA", "usgs_2025", "USGS 2025 final list"),
    ("EU27", "eu_2023_critical", "EU 2023 critical list"),
];

fn rank(level: &str) -> u8 {
    match level {
        "critical" => 4,
        "high" => 3,
        "moderate" => 2,
        "low" => 1,
        _ => 0,
    }
}

// ----------------------------------------------------------------------------------------------
// The comparison
// ----------------------------------------------------------------------------------------------

/// Input tuples of an evaluated scenario, by name, for the computations below.
struct View<'a> {
    scenario: &'a Scenario,
    facts: &'a Facts,
    model: &'a Model,
}

impl View<'_> {
    fn name(&self, v: &Value) -> String {
        self.facts.syms.show(v)
    }
    fn tuples(&self, rel: usize) -> impl Iterator<Item = Vec<String>> + '_ {
        self.model
            .db
            .rel(rel)
            .iter()
            .map(|t| t.iter().map(|v| self.name(v)).collect())
    }
    fn nums(&self, rel: usize) -> impl Iterator<Item = (Vec<String>, i64)> + '_ {
        self.model.db.rel(rel).iter().filter_map(|t| {
            let (last, rest) = t.split_last()?;
            match last {
                Value::Num(n) => Some((rest.iter().map(|v| self.name(v)).collect(), *n)),
                Value::Sym(_) => None,
            }
        })
    }
    /// `ImportSource` tuples by name with their value and the stage of the fact behind each.
    fn import_sources(&self) -> Vec<(Vec<String>, i64, String)> {
        let r = rel::IMPORT_SOURCE;
        let origins = self.facts.origins.get(r).map_or(&[][..], Vec::as_slice);
        let mut out = Vec::new();
        for (t, o) in self.facts.db.rel(r).iter().zip(origins) {
            let Some((Value::Num(n), rest)) = t.split_last() else {
                continue;
            };
            let stage = match o {
                Origin::Fact(i) => self
                    .scenario
                    .facts
                    .get(*i)
                    .map(|f| f.str("stage").to_string())
                    .unwrap_or_default(),
                _ => String::new(),
            };
            out.push((rest.iter().map(|v| self.name(v)).collect(), *n, stage));
        }
        out
    }
    /// Where the input tuples of `rel` that `keep` selects (by their names) come from.
    fn provenance(&self, rel: usize, keep: impl Fn(&[String]) -> bool) -> Provenance {
        let origins = self.facts.origins.get(rel).map_or(&[][..], Vec::as_slice);
        let (mut study, mut derived, mut other) = (0, 0, 0);
        for (t, o) in self.facts.db.rel(rel).iter().zip(origins) {
            let names: Vec<String> = t.iter().map(|v| self.name(v)).collect();
            if !keep(&names) {
                continue;
            }
            let Origin::Fact(i) = o else { continue };
            let Some(f) = self.scenario.facts.get(*i) else {
                continue;
            };
            if !cites_study(&f.source) {
                other += 1;
            } else if f.quality == Quality::Derived {
                derived += 1;
            } else {
                study += 1;
            }
        }
        match (study + derived, other) {
            (0, 0) => Provenance::Absent,
            (0, _) => Provenance::Independent,
            (_, 0) if study == 0 => Provenance::StudyDerived,
            (_, 0) => Provenance::Study,
            _ => Provenance::Mixed,
        }
    }
}

/// Compares an evaluated scenario with the published assessments of `reference`.
pub fn validate(s: &Scenario, facts: &Facts, model: &Model, reference: &Reference) -> Validation {
    let v = View {
        scenario: s,
        facts,
        model,
    };
    let governance: BTreeMap<String, f64> = v
        .nums(rel::GOVERNANCE)
        .map(|(k, g)| (k.concat(), g as f64 / 10_000.0))
        .collect();
    let (sr, skipped, undeclared) = supply_risks(&v, &governance, reference);
    let sanity = sanity(&v, &governance, reference);
    let known = Known::of(&v);
    let lists = LISTS
        .iter()
        .map(|(c, l, label)| compare(&known, reference, c, l, label))
        .collect();
    let coverage = COVERAGE
        .iter()
        .map(|(c, l, label)| coverage(&known, reference, c, l, label))
        .collect();
    Validation {
        scenario: s.meta.name.clone(),
        as_of: facts.as_of.to_string(),
        reference: reference.origin.clone(),
        sr,
        skipped,
        undeclared,
        sanity,
        lists,
        coverage,
    }
}

/// The lode minerals a published item (a list item, an EU material) stands for: its `minerals`
/// cell, else its name as an id (`coking coal` → `coking_coal`); `-` stands for none.
fn members(name: &str, minerals: &str) -> Vec<String> {
    if minerals.trim() == "-" {
        return Vec::new();
    }
    let listed: Vec<String> = ids(minerals).map(str::to_string).collect();
    if !listed.is_empty() {
        return listed;
    }
    let id: String = name
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '_' })
        .collect();
    vec![id]
}

fn supply_risks(
    v: &View<'_>,
    governance: &BTreeMap<String, f64>,
    reference: &Reference,
) -> (Vec<SrRow>, Vec<Skipped>, Vec<String>) {
    let declared: BTreeSet<String> = v.tuples(rel::MINERAL).map(|t| t.concat()).collect();
    let global: BTreeMap<(String, String), f64> = v
        .nums(rel::HHI_WGI)
        .filter_map(|(k, x)| match k.as_slice() {
            [m, s] => Some(((m.clone(), s.clone()), x as f64 / 1000.0)),
            _ => None,
        })
        .collect();
    let ir: BTreeMap<String, f64> = v
        .nums(rel::IMPORT_RELIANCE)
        .filter_map(|(k, bp)| match k.as_slice() {
            [c, m, ..] if c == "EU27" => Some((m.clone(), bp as f64 / 10_000.0)),
            _ => None,
        })
        .collect();
    // The EU method weighs each stage by that stage's import reliance: where the scenario gives
    // reliance per stage (`Reliance(consumer, mineral, stage, bound, bp)`), the stage's figure
    // is used, else the headline `ImportReliance`.
    let ir_stage: BTreeMap<(String, String), f64> = crate::datalog::relation("Reliance")
        .map(|r| {
            v.nums(r)
                .filter_map(|(k, bp)| match k.as_slice() {
                    [c, m, s, ..] if c == "EU27" => {
                        Some(((m.clone(), s.clone()), bp as f64 / 10_000.0))
                    }
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    // EU sourcing per stage: `ImportSource` has no stage, so the stage is read from the fact
    // each tuple came from (empty when the fact names none).
    let mut eu_rows: BTreeMap<(String, String), Vec<(f64, f64)>> = BTreeMap::new();
    for (k, bp, stage) in v.import_sources() {
        if let [c, m, country, ..] = k.as_slice()
            && c == "EU27"
        {
            let e = eu_rows.entry((m.clone(), stage)).or_default();
            if let Some(&g) = governance.get(country) {
                e.push((bp as f64 / 10_000.0, g));
            }
        }
    }
    let eu: BTreeMap<(String, String), f64> = eu_rows
        .into_iter()
        .map(|(k, rows)| (k, hhi_wgi(rows)))
        .collect();
    // The stage's own EU sourcing, else the sourcing that names no stage; none = 0.
    let eu_at = |m: &str, s: &str| -> Option<f64> {
        eu.get(&(m.to_string(), s.to_string()))
            .or_else(|| eu.get(&(m.to_string(), String::new())))
            .copied()
    };

    let stage_risk = |m: &str, gaps: &mut Vec<String>| -> Option<StageRisk> {
        if !ir.contains_key(m) && !ir_stage.keys().any(|(im, _)| im == m) {
            gaps.push(format!("{m}: no EU27 import reliance"));
            return None;
        }
        let mut best: Option<StageRisk> = None;
        for ((gm, s), &g) in &global {
            if gm != m {
                continue;
            }
            let key = |st: &str| (m.to_string(), st.to_string());
            let Some(r) = ir_stage
                .get(&key(s))
                .or_else(|| ir_stage.get(&key("all")))
                .or_else(|| ir.get(m))
                .copied()
            else {
                continue;
            };
            let e = eu_at(m, s);
            let sr = supply_risk(g, e.unwrap_or(0.0), r, 0.0, 1.0);
            if best.as_ref().is_none_or(|b| sr > b.sr) {
                best = Some(StageRisk {
                    mineral: m.to_string(),
                    stage: s.clone(),
                    global: g,
                    ir: r,
                    eu: e,
                    sr,
                    global_from: Provenance::Absent,
                    ir_from: Provenance::Absent,
                    eu_from: Provenance::Absent,
                });
            }
        }
        if best.is_none() {
            gaps.push(format!("{m}: no world shares at any stage"));
        }
        best
    };

    let mut rows = Vec::new();
    let mut skipped = Vec::new();
    let mut undeclared = Vec::new();
    let mut compared: BTreeSet<String> = BTreeSet::new();
    for score in reference
        .scores
        .iter()
        .filter(|s| s.assessment_year == 2023)
    {
        let Some(published) = score.supply_risk else {
            continue;
        };
        let all = members(&score.material, &score.minerals);
        compared.extend(all.iter().cloned());
        compared.extend(ids(&score.group).map(str::to_string));
        let mine: Vec<String> = all
            .iter()
            .filter(|m| declared.contains(*m))
            .cloned()
            .collect();
        let mut gaps = Vec::new();
        let mut best: Option<StageRisk> = None;
        for m in &mine {
            if let Some(r) = stage_risk(m, &mut gaps)
                && best.as_ref().is_none_or(|b| r.sr > b.sr)
            {
                best = Some(r);
            }
        }
        // A group lode assesses as one mineral stands for each of its members.
        let mut via_group = false;
        if best.is_none() {
            for g in ids(&score.group).filter(|g| declared.contains(*g)) {
                if let Some(r) = stage_risk(g, &mut gaps) {
                    best = Some(r);
                    via_group = true;
                }
            }
        }
        let Some(mut b) = best else {
            if mine.is_empty() && !ids(&score.group).any(|g| declared.contains(g)) {
                undeclared.push(score.material.clone());
            } else {
                skipped.push(Skipped {
                    material: score.material.clone(),
                    reason: format!(
                        "published SR {published}; lode cannot compute it ({})",
                        gaps.join("; ")
                    ),
                });
            }
            continue;
        };
        let (m, s) = (b.mineral.clone(), b.stage.clone());
        b.global_from = v.provenance(rel::SHARE, |t| t.len() >= 2 && t[0] == m && t[1] == s);
        b.ir_from = match crate::datalog::relation("Reliance") {
            Some(r) => v.provenance(r, |t| {
                t.len() >= 3 && t[0] == "EU27" && t[1] == m && (t[2] == s || t[2] == "all")
            }),
            None => Provenance::Absent,
        };
        if b.ir_from == Provenance::Absent {
            b.ir_from = v.provenance(rel::IMPORT_RELIANCE, |t| {
                t.len() >= 2 && t[0] == "EU27" && t[1] == m
            });
        }
        b.eu_from = if b.eu.is_some() {
            v.provenance(rel::IMPORT_SOURCE, |t| {
                t.len() >= 2 && t[0] == "EU27" && t[1] == m
            })
        } else {
            Provenance::Absent
        };
        let agree = (b.sr >= SR_THRESHOLD) == (published >= SR_THRESHOLD);
        let why = (!agree).then(|| sr_reason(&score.material, &b, published));
        rows.push(SrRow {
            material: score.material.clone(),
            minerals: if via_group { vec![m] } else { mine },
            bottleneck: b,
            published,
            agree,
            why,
        });
    }
    for m in &declared {
        if !compared.contains(m) {
            skipped.push(Skipped {
                material: m.clone(),
                reason: format!(
                    "no material of its own with a 2023 SR in the EU assessment ({})",
                    reference::SCORES
                ),
            });
        }
    }
    rows.sort_by_key(|a| a.material.to_lowercase());
    skipped.sort_by_key(|a| a.material.to_lowercase());
    undeclared.sort_by_key(|a| a.to_lowercase());
    (rows, skipped, undeclared)
}

/// The computed diagnosis of an SR disagreement, with the analyst's note where there is one.
fn sr_reason(material: &str, b: &StageRisk, published: f64) -> (Cause, String) {
    let mut parts = Vec::new();
    if b.sr >= SR_THRESHOLD {
        parts.push(format!(
            "lode's SR {:.2} is {:.2} × the published {published:.1}; the published SR would follow from lode's if (1 − EoL_RIR) · SI_SR · t were {:.2}",
            b.sr,
            b.sr / published,
            published / b.sr
        ));
    } else {
        parts.push(format!(
            "lode's SR {:.2} is below the published {published:.1}: IR {:.0} % at the bottleneck ({} {}), global HHI_WGI {:.2}",
            b.sr,
            b.ir * 100.0,
            b.mineral,
            b.stage,
            b.global
        ));
    }
    if b.eu.is_none() {
        parts.push("no EU27 import sources in the scenario, so the EU-sourcing term is 0".into());
    }
    match note("SR", material) {
        Some((cause, text)) => {
            parts.push(text.to_string());
            (cause, parts.join("; "))
        }
        None => (Cause::MethodDifference, parts.join("; ")),
    }
}

fn sanity(v: &View<'_>, governance: &BTreeMap<String, f64>, reference: &Reference) -> Sanity {
    let lode = v
        .nums(rel::HHI_WGI)
        .find(|(k, _)| k.as_slice() == ["gallium", "refining"])
        .map(|(_, x)| x as f64 / 1000.0);
    let lode_china_share = v
        .nums(rel::SHARE)
        .find(|(k, _)| k.as_slice() == ["gallium", "refining", "CHN"])
        .map(|(_, bp)| bp as f64 / 100.0);
    let china_wgi = governance.get("CHN").copied();
    let eu_china_share = reference
        .gallium
        .iter()
        .find(|r| r.mineral == "gallium" && r.stage == "refining" && r.country == "CHN")
        .map(|r| r.percent);
    let at_eu_share = match (eu_china_share, china_wgi) {
        (Some(sh), Some(g)) => Some(hhi_wgi([(sh / 100.0, g)])),
        _ => None,
    };
    Sanity {
        lode,
        lode_china_share,
        china_wgi,
        eu_china_share,
        at_eu_share,
    }
}

/// What the scenario knows per mineral, for the list comparisons and the coverage.
struct Known {
    declared: BTreeSet<String>,
    /// Minerals with world shares at some stage.
    produced: BTreeSet<String>,
    /// (consumer, mineral) → import reliance in percent (the highest over stages).
    reliance: BTreeMap<(String, String), f64>,
    /// (consumer, mineral) → the highest risk level over the stages.
    level: BTreeMap<(String, String), String>,
    reliance_high: f64,
}

impl Known {
    fn of(v: &View<'_>) -> Known {
        let declared = v.tuples(rel::MINERAL).map(|t| t.concat()).collect();
        // A listed producer is production whatever its share (withheld "W" output, shares that
        // round to 0.0): `Produces` where the rules have it, and every `Share`.
        let mut produced: BTreeSet<String> = v
            .tuples(rel::SHARE)
            .filter_map(|t| t.first().cloned())
            .collect();
        if let Some(r) = crate::datalog::relation("Produces") {
            produced.extend(v.tuples(r).filter_map(|t| t.first().cloned()));
        }
        let mut reliance: BTreeMap<(String, String), f64> = BTreeMap::new();
        for (k, bp) in v.nums(rel::IMPORT_RELIANCE) {
            if let [c, m, ..] = k.as_slice() {
                let e = reliance.entry((c.clone(), m.clone())).or_insert(f64::MIN);
                *e = e.max(bp as f64 / 100.0);
            }
        }
        let mut level: BTreeMap<(String, String), String> = BTreeMap::new();
        for t in v.tuples(rel::RISK_LEVEL) {
            if let [c, m, .., lv] = t.as_slice() {
                let e = level
                    .entry((c.clone(), m.clone()))
                    .or_insert_with(|| lv.clone());
                if rank(lv) > rank(e) {
                    *e = lv.clone();
                }
            }
        }
        let reliance_high = v
            .nums(rel::PARAM)
            .find(|(k, _)| k.as_slice() == ["reliance_high"])
            .map_or(0.0, |(_, bp)| bp as f64 / 100.0);
        Known {
            declared,
            produced,
            reliance,
            level,
            reliance_high,
        }
    }

    fn level(&self, consumer: &str, m: &str) -> Option<&String> {
        self.level.get(&(consumer.to_string(), m.to_string()))
    }

    fn reliance(&self, consumer: &str, m: &str) -> Option<f64> {
        self.reliance
            .get(&(consumer.to_string(), m.to_string()))
            .copied()
    }

    /// Why lode does not assess a declared mineral for `consumer`.
    fn gap(&self, consumer: &str, m: &str) -> String {
        let produced = self.produced.contains(m);
        let relied = self.reliance(consumer, m).is_some();
        match (produced, relied) {
            (false, false) => format!("no country production and no {consumer} reliance figure"),
            (false, true) => "no country production (no world shares at any stage)".into(),
            (true, false) => format!("no {consumer} reliance figure"),
            (true, true) => "shares and reliance are there, but no rule derives a level".into(),
        }
    }
}

/// The declared minerals an item stands for, and its group if the scenario declares it.
fn item_minerals(item: &ListItem, known: &Known) -> (Vec<String>, Option<String>) {
    let mine = members(&item.item, &item.minerals)
        .into_iter()
        .filter(|m| known.declared.contains(m))
        .collect();
    let group = ids(&item.group)
        .find(|g| known.declared.contains(*g))
        .map(str::to_string);
    (mine, group)
}

fn compare(
    known: &Known,
    reference: &Reference,
    consumer: &str,
    list: &str,
    label: &str,
) -> ListComparison {
    let mut on_list = BTreeSet::new();
    let mut source = String::new();
    for item in reference.list(list) {
        let (mine, group) = item_minerals(item, known);
        on_list.extend(mine);
        on_list.extend(group);
        source.clone_from(&item.source);
    }
    let minerals = &known.declared;
    let assessed: BTreeSet<String> = minerals
        .iter()
        .filter(|m| known.level(consumer, m).is_some())
        .cloned()
        .collect();
    let flagged: BTreeSet<String> = assessed
        .iter()
        .filter(|m| known.level(consumer, m).is_some_and(|l| rank(l) >= 3))
        .cloned()
        .collect();
    let mut misses = Vec::new();
    for m in minerals {
        let listed = on_list.contains(m);
        if listed == flagged.contains(m) {
            continue;
        }
        let lv = known.level(consumer, m).cloned();
        let r = known.reliance(consumer, m);
        let high = known.reliance_high;
        let (mut cause, mut reason) = if lv.is_none() {
            (
                Cause::DataGap,
                format!("{}, so lode cannot assess it", known.gap(consumer, m)),
            )
        } else if let (Some(r), false) = (r, listed) {
            (
                Cause::MethodDifference,
                format!(
                    "import reliance {r:.0} % and a dominant supplier of low alignment make lode rate it {}; the list does not include it",
                    lv.clone().unwrap_or_default()
                ),
            )
        } else if let Some(r) = r.filter(|r| *r < high) {
            (
                Cause::MethodDifference,
                format!(
                    "import reliance {r:.0} % is below reliance_high ({high:.0} %), so lode sees no exposure"
                ),
            )
        } else {
            (
                Cause::MethodDifference,
                format!(
                    "import reliance {:.0} % is high, but no stage has a dominant supplier of low alignment toward {consumer}",
                    r.unwrap_or(0.0)
                ),
            )
        };
        if let Some((c, text)) = note(consumer, m) {
            cause = c;
            reason = format!("{reason}; {text}");
        }
        misses.push(Miss {
            mineral: m.clone(),
            on_list: listed,
            level: lv,
            cause,
            reason,
        });
    }
    ListComparison {
        consumer: consumer.to_string(),
        list: list.to_string(),
        label: label.to_string(),
        source,
        covered: minerals.len(),
        assessed,
        on_list,
        flagged,
        misses,
    }
}

fn coverage(
    known: &Known,
    reference: &Reference,
    consumer: &str,
    list: &str,
    label: &str,
) -> Coverage {
    let mut items = Vec::new();
    for item in reference.list(list) {
        let (mine, group) = item_minerals(item, known);
        let levels: Vec<(&String, &String)> = mine
            .iter()
            .filter_map(|m| known.level(consumer, m).map(|l| (m, l)))
            .collect();
        let status = if let Some(&(_, top)) = levels.iter().max_by_key(|(_, l)| rank(l)) {
            Status::Assessed {
                minerals: levels.iter().map(|(m, _)| m.to_string()).collect(),
                level: top.clone(),
            }
        } else if let Some((g, l)) = group
            .as_ref()
            .and_then(|g| known.level(consumer, g).map(|l| (g, l)))
        {
            Status::AsGroup {
                group: g.clone(),
                level: l.clone(),
            }
        } else {
            let mut reasons: Vec<String> = mine
                .iter()
                .chain(group.iter())
                .map(|m| format!("{m}: {}", known.gap(consumer, m)))
                .collect();
            if reasons.is_empty() {
                let ids = members(&item.item, &item.minerals).join(", ");
                reasons.push(format!("not declared (the scenario has no mineral {ids})"));
            }
            Status::NotAssessed {
                reason: reasons.join("; "),
            }
        };
        items.push(ItemCoverage {
            item: item.item.clone(),
            status,
        });
    }
    items.sort_by(|a, b| a.item.cmp(&b.item));
    Coverage {
        consumer: consumer.to_string(),
        list: list.to_string(),
        label: label.to_string(),
        items,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spearman_of_identical_ranks_is_one() {
        let r = spearman(&[(1.0, 10.0), (2.0, 20.0), (3.0, 35.0)]);
        assert!(r.is_some_and(|r| (r - 1.0).abs() < 1e-12));
    }

    #[test]
    fn spearman_of_reversed_ranks_is_minus_one() {
        let r = spearman(&[(1.0, 3.0), (2.0, 2.0), (3.0, 1.0)]);
        assert!(r.is_some_and(|r| (r + 1.0).abs() < 1e-12));
    }

    #[test]
    fn ties_share_their_average_rank() {
        assert_eq!(ranks(&[5.0, 1.0, 5.0]), vec![2.5, 1.0, 2.5]);
    }

    #[test]
    fn supply_risk_weighs_global_supply_by_half_the_import_reliance() {
        // IR = 1: half global, half EU sourcing.
        assert!((supply_risk(4.0, 2.0, 1.0, 0.0, 1.0) - 3.0).abs() < 1e-12);
        // IR = 0: EU sourcing only; recycling and substitution scale the result.
        assert!((supply_risk(4.0, 2.0, 0.0, 0.5, 0.8) - 0.8).abs() < 1e-12);
    }

    #[test]
    fn an_item_stands_for_its_minerals_or_its_name() {
        assert_eq!(members("coking coal", ""), vec!["coking_coal"]);
        assert!(members("Titanium", "-").is_empty());
        assert_eq!(
            members("light rare earth elements", "cerium; lanthanum"),
            vec!["cerium", "lanthanum"]
        );
    }

    #[test]
    fn the_study_is_recognised_by_its_citation() {
        assert!(cites_study(
            "European Commission (2023), Study on the critical raw materials for the EU 2023"
        ));
        assert!(!cites_study("USGS Mineral Commodity Summaries 2026"));
    }
}

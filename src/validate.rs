//! `lode validate`: how far lode agrees with the assessments analysts already use.
//!
//! Two comparisons, both computed from an evaluated scenario (the bundled baseline) and the
//! shared data directory:
//!
//! 1. **EU supply risk.** The EU CRM 2023 formula, computed from the scenario's facts:
//!    `SR = [HHI_WGI(global supply) · IR/2 + HHI_WGI(EU sourcing) · (1 − IR/2)] · (1 − EoL_RIR) · SI_SR`
//!    per stage, the higher (bottleneck) stage kept. HHI_WGI of global supply is the `HhiWgi`
//!    relation / 1000 (0–10 scale); HHI_WGI of EU sourcing is computed here from the EU27
//!    `ImportSource` and `Governance` tuples; IR is the EU27 `ImportReliance`. The shared data
//!    have no recycling input rates or substitution indices, so EoL_RIR = 0 and SI_SR = 1, and
//!    trade factors t = 1 (as in `aggregate`). Compared with the published 2023 SR
//!    (`eu_crm_sr_ei.csv`): Spearman rank correlation and agreement of the SR ≥ 1.0 class.
//! 2. **Critical lists.** lode's critical + high set (any stage) for a consumer against a
//!    published list (`lists.csv`), over the minerals the scenario declares: precision, recall
//!    and every miss with its reason.
//!
//! Nothing here formats output: `report::validation` does.

use crate::datalog::rel;
use crate::engine::Model;
use crate::error::Error;
use crate::lower::Facts;
use crate::model::Value;
use crate::scenario::Scenario;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

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

/// Published materials of the EU 2023 assessment and the scenario minerals each stands for.
/// A group (light or heavy rare earths) is compared through its members: lode's SR of the group
/// is the highest of its members', as a stage's bottleneck is.
pub const EU_MATERIALS: &[(&str, &[&str])] = &[
    ("Antimony", &["antimony"]),
    ("Cobalt", &["cobalt"]),
    ("Coking coal", &["coking_coal"]),
    ("Copper", &["copper"]),
    ("Fluorspar", &["fluorspar"]),
    ("Gallium", &["gallium"]),
    ("Germanium", &["germanium"]),
    (
        "HREEs",
        &["dysprosium", "gadolinium", "terbium", "yttrium", "lutetium"],
    ),
    ("Lithium", &["lithium"]),
    (
        "LREEs",
        &[
            "cerium",
            "lanthanum",
            "neodymium",
            "praseodymium",
            "samarium",
        ],
    ),
    ("Manganese", &["manganese"]),
    ("Molybdenum", &["molybdenum"]),
    ("Natural graphite", &["graphite"]),
    ("Nickel", &["nickel"]),
    ("Scandium", &["scandium"]),
    ("Tungsten", &["tungsten"]),
];

/// Items of the published lists that stand for several scenario minerals (beyond an item whose
/// name is a scenario mineral or whose `mineral_key` maps to one).
const LIST_GROUPS: &[(&str, &[&str])] = &[
    (
        "light rare earth elements",
        &[
            "cerium",
            "lanthanum",
            "neodymium",
            "praseodymium",
            "samarium",
        ],
    ),
    (
        "heavy rare earth elements",
        &["dysprosium", "gadolinium", "terbium", "yttrium", "lutetium"],
    ),
];

/// `mineral_key` values of the shared data that differ from the scenario's mineral ids.
const KEY_TO_MINERAL: &[(&str, &str)] = &[
    ("graphite_natural", "graphite"),
    ("coal_coking", "coking_coal"),
];

/// The lists compared: consumer, list name in `lists.csv`, short label.
pub const LISTS: &[(&str, &str, &str)] = &[
    (
        "USA",
        "USGS 2022 Final List of Critical Minerals (US)",
        "USGS 2022 list",
    ),
    (
        "EU27",
        "EU Critical Raw Materials 2023 (34) - CRMA Regulation (EU) 2024/1252 Annex II Sec.1",
        "EU 2023 critical list",
    ),
];

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
        Cause::DataGap,
        "the EU-sourcing table has only a processing row for cobalt, where EU member states (Finland, Belgium) supply most of EU sourcing, so the derived IR is low; the EU's bottleneck is extraction (DRC), whose EU import dependence is not in the shared data",
    ),
    (
        "SR",
        "Nickel",
        Cause::MethodDifference,
        "lode's mining shares are USGS 2025, where Indonesia holds about two thirds of world output, against about a quarter in the EU study's 2016–2020 shares; and no recycling input or substitution lowers lode's SR",
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
        "the USGS 2022 list scores disruption potential × trade exposure × economic vulnerability, which does not require majority import reliance; lode's rules do",
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
    /// The EU study's China share of gallium processing (production_shares.csv), percent.
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
    pub list: String,
    pub label: String,
    /// Minerals the scenario declares (the universe of the comparison).
    pub covered: usize,
    /// Minerals lode can assess for the consumer (a risk level at some stage).
    pub assessed: BTreeSet<String>,
    /// Covered minerals on the list.
    pub on_list: BTreeSet<String>,
    /// Covered minerals lode rates critical or high at some stage.
    pub flagged: BTreeSet<String>,
    pub misses: Vec<Miss>,
}

impl ListComparison {
    pub fn hits(&self) -> usize {
        self.flagged.intersection(&self.on_list).count()
    }
    /// Share of lode's flagged minerals that are on the list.
    pub fn precision(&self) -> Option<f64> {
        ratio(self.hits(), self.flagged.len())
    }
    /// Share of the listed covered minerals lode flags.
    pub fn recall(&self) -> Option<f64> {
        ratio(self.hits(), self.on_list.len())
    }
    /// Recall over the listed minerals lode can assess (data gaps set aside).
    pub fn recall_assessed(&self) -> Option<f64> {
        ratio(
            self.hits(),
            self.on_list.intersection(&self.assessed).count(),
        )
    }
}

fn ratio(a: usize, b: usize) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

/// Everything `lode validate` found.
#[derive(Clone, Debug, PartialEq)]
pub struct Validation {
    pub scenario: String,
    pub as_of: String,
    pub sr: Vec<SrRow>,
    pub skipped: Vec<Skipped>,
    pub sanity: Sanity,
    pub lists: Vec<ListComparison>,
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
    /// Share of compared materials whose SR ≥ 1.0 class agrees.
    pub fn agreement(&self) -> Option<f64> {
        ratio(self.sr.iter().filter(|r| r.agree).count(), self.sr.len())
    }
    pub fn list(&self, consumer: &str) -> Option<&ListComparison> {
        self.lists.iter().find(|l| l.consumer == consumer)
    }
}

// ----------------------------------------------------------------------------------------------
// CSV
// ----------------------------------------------------------------------------------------------

/// A CSV file: header and rows (RFC 4180 quoting, fields may span lines).
struct Csv {
    name: String,
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Csv {
    fn read(dir: &Path, name: &str) -> Result<Csv, Error> {
        let path = dir.join(name);
        let text = std::fs::read_to_string(&path).map_err(|e| Error::Io {
            path: path.display().to_string(),
            reason: format!("{e}; give the shared data directory with --data"),
        })?;
        let mut records = parse_csv(&text);
        if records.is_empty() {
            return Err(Error::usage(format!("`{name}` is empty"), None));
        }
        let header = records.remove(0);
        Ok(Csv {
            name: name.to_string(),
            header,
            rows: records,
        })
    }

    fn col(&self, name: &str) -> Result<usize, Error> {
        self.header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| Error::usage(format!("`{}` has no column `{name}`", self.name), None))
    }
}

fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    field.push('"');
                    chars.next();
                } else {
                    quoted = false;
                }
            } else {
                field.push(c);
            }
            continue;
        }
        match c {
            '"' => quoted = true,
            ',' => row.push(std::mem::take(&mut field)),
            '\r' => {}
            '\n' => {
                row.push(std::mem::take(&mut field));
                out.push(std::mem::take(&mut row));
            }
            _ => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        out.push(row);
    }
    out
}

fn cell(row: &[String], i: usize) -> &str {
    row.get(i).map_or("", |s| s.trim())
}

// ----------------------------------------------------------------------------------------------
// The comparison
// ----------------------------------------------------------------------------------------------

/// Input tuples of an evaluated scenario, by name, for the computations below.
struct View<'a> {
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
}

/// Compares an evaluated scenario with the published assessments in `data`.
pub fn validate(
    s: &Scenario,
    facts: &Facts,
    model: &Model,
    data: &Path,
) -> Result<Validation, Error> {
    let v = View { facts, model };
    let governance: BTreeMap<String, f64> = v
        .nums(rel::GOVERNANCE)
        .map(|(k, g)| (k.concat(), g as f64 / 10_000.0))
        .collect();
    let published = published_sr(data)?;
    let (sr, skipped) = supply_risks(&v, &governance, &published);
    let sanity = sanity(&v, &governance, data)?;
    let lists = lists(&v, data)?;
    Ok(Validation {
        scenario: s.meta.name.clone(),
        as_of: facts.as_of.to_string(),
        sr,
        skipped,
        sanity,
        lists,
    })
}

/// Published 2023 SR by material (`-` = not assessed is left out).
fn published_sr(data: &Path) -> Result<BTreeMap<String, f64>, Error> {
    let csv = Csv::read(data, "eu_crm_sr_ei.csv")?;
    let (m, y, sr) = (
        csv.col("material")?,
        csv.col("assessment_year")?,
        csv.col("supply_risk_SR")?,
    );
    Ok(csv
        .rows
        .iter()
        .filter(|r| cell(r, y) == "2023")
        .filter_map(|r| Some((cell(r, m).to_string(), cell(r, sr).parse::<f64>().ok()?)))
        .collect())
}

fn supply_risks(
    v: &View<'_>,
    governance: &BTreeMap<String, f64>,
    published: &BTreeMap<String, f64>,
) -> (Vec<SrRow>, Vec<Skipped>) {
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
            [c, m] if c == "EU27" => Some((m.clone(), bp as f64 / 10_000.0)),
            _ => None,
        })
        .collect();
    let mut eu_rows: BTreeMap<String, Vec<(f64, f64)>> = BTreeMap::new();
    for (k, bp) in v.nums(rel::IMPORT_SOURCE) {
        if let [c, m, country] = k.as_slice()
            && c == "EU27"
        {
            let e = eu_rows.entry(m.clone()).or_default();
            if let Some(&g) = governance.get(country) {
                e.push((bp as f64 / 10_000.0, g));
            }
        }
    }
    let eu: BTreeMap<String, f64> = eu_rows
        .into_iter()
        .map(|(m, rows)| (m, hhi_wgi(rows)))
        .collect();

    let mut rows = Vec::new();
    let mut skipped = Vec::new();
    for (material, members) in EU_MATERIALS {
        let Some(&pubd) = published.get(*material) else {
            skipped.push(Skipped {
                material: material.to_string(),
                reason: "no published 2023 SR in eu_crm_sr_ei.csv".into(),
            });
            continue;
        };
        let mut best: Option<StageRisk> = None;
        let mut gaps = Vec::new();
        for &m in *members {
            let stages: Vec<(&String, f64)> = global
                .iter()
                .filter(|((gm, _), _)| gm == m)
                .map(|((_, s), x)| (s, *x))
                .collect();
            let Some(&r) = ir.get(m) else {
                gaps.push(format!("{m}: no EU27 import reliance"));
                continue;
            };
            if stages.is_empty() {
                gaps.push(format!("{m}: no share data"));
                continue;
            }
            for (s, g) in stages {
                let e = eu.get(m).copied();
                let sr = supply_risk(g, e.unwrap_or(0.0), r, 0.0, 1.0);
                if best.as_ref().is_none_or(|b| sr > b.sr) {
                    best = Some(StageRisk {
                        mineral: m.to_string(),
                        stage: s.clone(),
                        global: g,
                        ir: r,
                        eu: e,
                        sr,
                    });
                }
            }
        }
        let Some(b) = best else {
            skipped.push(Skipped {
                material: material.to_string(),
                reason: format!(
                    "published SR {pubd}; lode cannot compute it ({})",
                    gaps.join("; ")
                ),
            });
            continue;
        };
        let agree = (b.sr >= SR_THRESHOLD) == (pubd >= SR_THRESHOLD);
        let why = (!agree).then(|| sr_reason(material, &b, pubd));
        rows.push(SrRow {
            material: material.to_string(),
            minerals: members.iter().map(|m| m.to_string()).collect(),
            bottleneck: b,
            published: pubd,
            agree,
            why,
        });
    }
    for m in v.tuples(rel::MINERAL).map(|t| t.concat()) {
        if !EU_MATERIALS.iter().any(|(_, ms)| ms.contains(&m.as_str())) {
            skipped.push(Skipped {
                material: m,
                reason: "no material of its own in the EU 2023 assessment (eu_crm_sr_ei.csv)"
                    .into(),
            });
        }
    }
    skipped.sort_by(|a, b| a.material.cmp(&b.material));
    (rows, skipped)
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

fn sanity(v: &View<'_>, governance: &BTreeMap<String, f64>, data: &Path) -> Result<Sanity, Error> {
    let lode = v
        .nums(rel::HHI_WGI)
        .find(|(k, _)| k.as_slice() == ["gallium", "refining"])
        .map(|(_, x)| x as f64 / 1000.0);
    let lode_china_share = v
        .nums(rel::SHARE)
        .find(|(k, _)| k.as_slice() == ["gallium", "refining", "CHN"])
        .map(|(_, bp)| bp as f64 / 100.0);
    let china_wgi = governance.get("CHN").copied();
    let csv = Csv::read(data, "production_shares.csv")?;
    let (m, s, c, p, src) = (
        csv.col("mineral")?,
        csv.col("stage")?,
        csv.col("country")?,
        csv.col("share_pct")?,
        csv.col("source")?,
    );
    let eu_china_share = csv
        .rows
        .iter()
        .find(|r| {
            cell(r, m) == "gallium"
                && cell(r, s) == "processing/refining"
                && cell(r, c) == "China"
                && cell(r, src).starts_with("European Commission")
        })
        .and_then(|r| cell(r, p).parse::<f64>().ok());
    let at_eu_share = match (eu_china_share, china_wgi) {
        (Some(sh), Some(g)) => Some(hhi_wgi([(sh / 100.0, g)])),
        _ => None,
    };
    Ok(Sanity {
        lode,
        lode_china_share,
        china_wgi,
        eu_china_share,
        at_eu_share,
    })
}

/// The scenario minerals an item of a published list stands for.
fn list_minerals(item: &str, key: &str, minerals: &BTreeSet<String>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let item = item.to_lowercase();
    if minerals.contains(&item) {
        out.insert(item.clone());
    }
    let key = KEY_TO_MINERAL
        .iter()
        .find(|(k, _)| *k == key)
        .map_or(key, |(_, m)| *m);
    if minerals.contains(key) {
        out.insert(key.to_string());
    }
    for (g, ms) in LIST_GROUPS {
        if *g == item {
            out.extend(
                ms.iter()
                    .filter(|m| minerals.contains(**m))
                    .map(|m| m.to_string()),
            );
        }
    }
    out
}

fn lists(v: &View<'_>, data: &Path) -> Result<Vec<ListComparison>, Error> {
    let csv = Csv::read(data, "lists.csv")?;
    let (l, i, k) = (csv.col("list")?, csv.col("item")?, csv.col("mineral_key")?);
    let minerals: BTreeSet<String> = v.tuples(rel::MINERAL).map(|t| t.concat()).collect();
    let shared: BTreeSet<String> = v
        .tuples(rel::HHI)
        .filter_map(|t| t.first().cloned())
        .collect();
    let reliance: BTreeMap<(String, String), f64> = v
        .nums(rel::IMPORT_RELIANCE)
        .filter_map(|(k, bp)| match k.as_slice() {
            [c, m] => Some(((c.clone(), m.clone()), bp as f64 / 100.0)),
            _ => None,
        })
        .collect();
    let reliance_high = v
        .nums(rel::PARAM)
        .find(|(k, _)| k.as_slice() == ["reliance_high"])
        .map_or(0.0, |(_, bp)| bp as f64 / 100.0);
    let rank = |l: &str| match l {
        "critical" => 4,
        "high" => 3,
        "moderate" => 2,
        "low" => 1,
        _ => 0,
    };
    let mut out = Vec::new();
    for (consumer, list, label) in LISTS {
        let on_list: BTreeSet<String> = csv
            .rows
            .iter()
            .filter(|r| cell(r, l) == *list)
            .flat_map(|r| list_minerals(cell(r, i), cell(r, k), &minerals))
            .collect();
        let mut level: BTreeMap<String, String> = BTreeMap::new();
        for t in v.tuples(rel::RISK_LEVEL) {
            if let [c, m, _, lv] = t.as_slice()
                && c == consumer
            {
                let e = level.entry(m.clone()).or_insert_with(|| lv.clone());
                if rank(lv) > rank(e) {
                    *e = lv.clone();
                }
            }
        }
        let flagged: BTreeSet<String> = level
            .iter()
            .filter(|(_, lv)| rank(lv) >= 3)
            .map(|(m, _)| m.clone())
            .collect();
        let assessed: BTreeSet<String> = level.keys().cloned().collect();
        let mut misses = Vec::new();
        for m in &minerals {
            let listed = on_list.contains(m);
            if listed == flagged.contains(m) {
                continue;
            }
            let lv = level.get(m).cloned();
            let r = reliance.get(&(consumer.to_string(), m.clone())).copied();
            let (mut cause, mut reason) = if !shared.contains(m) {
                (
                    Cause::DataGap,
                    "no share data at any stage, so lode cannot assess it".to_string(),
                )
            } else if r.is_none() {
                (
                    Cause::DataGap,
                    format!(
                        "no {consumer} import reliance for it in the shared data, so lode cannot assess it"
                    ),
                )
            } else if let (Some(r), false) = (r, listed) {
                (
                    Cause::MethodDifference,
                    format!(
                        "import reliance {r:.0} % and a dominant supplier of low alignment make lode rate it {}; the list does not include it",
                        lv.clone().unwrap_or_default()
                    ),
                )
            } else if let Some(r) = r.filter(|r| *r < reliance_high) {
                (
                    Cause::MethodDifference,
                    format!(
                        "import reliance {r:.0} % is below reliance_high ({reliance_high:.0} %), so lode sees no exposure"
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
        out.push(ListComparison {
            consumer: consumer.to_string(),
            list: list.to_string(),
            label: label.to_string(),
            covered: minerals.len(),
            assessed: assessed.intersection(&minerals).cloned().collect(),
            on_list,
            flagged: flagged.intersection(&minerals).cloned().collect(),
            misses,
        });
    }
    Ok(out)
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
    fn csv_fields_may_be_quoted_and_span_lines() {
        let rows = parse_csv("a,b\n\"x, y\",\"two\nlines\"\n\"q\"\"q\",z\n");
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[1], vec!["x, y".to_string(), "two\nlines".to_string()]);
        assert_eq!(rows[2], vec!["q\"q".to_string(), "z".to_string()]);
    }

    #[test]
    fn supply_risk_weighs_global_supply_by_half_the_import_reliance() {
        // IR = 1: half global, half EU sourcing.
        assert!((supply_risk(4.0, 2.0, 1.0, 0.0, 1.0) - 3.0).abs() < 1e-12);
        // IR = 0: EU sourcing only; recycling and substitution scale the result.
        assert!((supply_risk(4.0, 2.0, 0.0, 0.5, 0.8) - 0.8).abs() < 1e-12);
    }
}

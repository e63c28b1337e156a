//! Time and trust: `--as-of`, `lode timeline`, and the confidence of conclusions.

use crate::lode;
use lode::datalog::relation;
use lode::engine;
use lode::lower::{self, Options};
use lode::scenario::{self, Date};
use lode::{report, timeline};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn scenario_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
}

fn date(s: &str) -> Date {
    Date::parse(s).unwrap_or_else(|| panic!("bad test date {s}"))
}

/// The conclusions of the baseline on a date, as atoms.
fn atoms_on(day: &str, rels: &[&str]) -> BTreeSet<String> {
    let s = scenario::load(Some(&scenario_path("baseline.toml")))
        .unwrap_or_else(|e| panic!("{}", lode::error::render(&e)));
    let o = Options {
        as_of: Some(date(day)),
        set: Vec::new(),
        skip_origins: false,
    };
    let f = lower::lower(&s, &o).unwrap_or_else(|e| panic!("{}", lode::error::render(&e)));
    let m = engine::evaluate(&f);
    let mut out = BTreeSet::new();
    for name in rels {
        let r = relation(name).unwrap_or_else(|| panic!("no relation {name}"));
        for t in m.db.rel(r) {
            out.insert(report::atom(&f.syms, r, t));
        }
    }
    out
}

#[test]
fn the_us_ban_is_back_the_day_after_its_suspension_ends() {
    let rels = ["SupplyBanned", "ControlReaches", "RiskLevel", "Exposure"];
    let before = atoms_on("2026-11-26", &rels);
    let after = atoms_on("2026-11-28", &rels);
    let gone: Vec<&String> = before.difference(&after).collect();
    let new: Vec<&String> = after.difference(&before).collect();
    assert_eq!(
        gone,
        // Antimony refining is already critical: China's antimony licensing (in force since
        // 2024-09-15) throttles a dominant supplier of a stage the US relies on critically.
        ["RiskLevel(USA, germanium, refining, high)"],
        "what stops holding on 2026-11-28"
    );
    assert_eq!(
        new,
        [
            "ControlReaches(USA, antimony, CHN, export_ban)",
            "ControlReaches(USA, gallium, CHN, export_ban)",
            "ControlReaches(USA, germanium, CHN, export_ban)",
            "RiskLevel(USA, germanium, refining, critical)",
            "SupplyBanned(USA, antimony, CHN)",
            "SupplyBanned(USA, gallium, CHN)",
            "SupplyBanned(USA, germanium, CHN)",
        ],
        "what starts holding on 2026-11-28"
    );
    // Gallium refining is critical on both dates (reliance, concentration and too little aligned
    // supply are enough), but only after the 27th is China banned as its supplier.
    assert!(before.contains("RiskLevel(USA, gallium, refining, critical)"));
    assert!(after.contains("RiskLevel(USA, gallium, refining, critical)"));
    // The last day of the suspension (its `until`, inclusive) is still suspended.
    assert_eq!(atoms_on("2026-11-27", &rels), before);
}

#[test]
fn run_as_of_the_two_dates_differs_on_gallium_and_germanium() {
    let (a, code_a) = lode(&[
        "run",
        "--as-of",
        "2026-11-26",
        "-r",
        "SupplyBanned",
        "-r",
        "RiskLevel",
    ]);
    let (b, code_b) = lode(&[
        "run",
        "--as-of",
        "2026-11-28",
        "-r",
        "SupplyBanned",
        "-r",
        "RiskLevel",
    ]);
    assert_eq!((code_a, code_b), (0, 0));
    assert!(a.contains("as of 2026-11-26") && b.contains("as of 2026-11-28"));
    for line in ["USA gallium CHN", "USA germanium CHN"] {
        assert!(!has_row(&a, line), "no ban on 2026-11-26: {line}\n{a}");
        assert!(has_row(&b, line), "a ban on 2026-11-28: {line}\n{b}");
    }
    assert!(has_row(&a, "USA germanium refining high"), "{a}");
    assert!(has_row(&b, "USA germanium refining critical"), "{b}");
}

#[test]
fn a_bad_as_of_date_is_a_usage_error() {
    let (out, code) = lode(&["run", "--as-of", "2026-02-30"]);
    assert_eq!(code, 2);
    assert!(out.contains("`--as-of 2026-02-30` is not a date"), "{out}");
}

#[test]
fn timeline_of_the_baseline_2023_to_2027() {
    let (out, code) = lode(&["timeline", "--from", "2023-01-01", "--to", "2027-12-31"]);
    assert_eq!(code, 0, "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn timeline_json_has_the_ban_periods() {
    let s = scenario::load(None).unwrap_or_else(|e| panic!("{}", lode::error::render(&e)));
    let r = relation("SupplyBanned").unwrap_or_else(|| panic!("no SupplyBanned"));
    let t = timeline::build(
        &s,
        &Options::default(),
        date("2023-01-01"),
        date("2027-12-31"),
        &[r],
    )
    .unwrap_or_else(|e| panic!("{}", lode::error::render(&e)));
    let json: serde_json::Value =
        serde_json::from_str(&report::timeline::json(&s, &t, &Default::default()))
            .unwrap_or_else(|e| panic!("{e}"));
    let conclusions = json["conclusions"].as_array().cloned().unwrap_or_default();
    let gallium = conclusions
        .iter()
        .find(|c| c["atom"] == "SupplyBanned(USA, gallium, CHN)")
        .unwrap_or_else(|| panic!("no gallium ban in {json}"));
    assert_eq!(
        gallium["periods"],
        serde_json::json!([
            {"from": "2024-12-03", "until": "2025-11-08"},
            {"from": "2026-11-28", "until": "2027-12-31"},
        ])
    );
    assert_eq!(gallium["throughout"], false);
}

#[test]
fn timeline_projects_initiatives_year_by_year() {
    let path = scenario_path("mongolia-partnership-2030.toml");
    let path = path.to_string_lossy();
    let (out, code) = lode(&[
        "timeline",
        &path,
        "--from",
        "2025-01-01",
        "--to",
        "2025-12-31",
        "-r",
        "RiskLevel",
    ]);
    assert_eq!(code, 0, "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn timeline_rejects_reversed_and_malformed_dates() {
    let (out, code) = lode(&["timeline", "--from", "2027-01-01", "--to", "2026-01-01"]);
    assert_eq!(code, 2);
    assert!(
        out.contains("`--to 2026-01-01` precedes `--from 2027-01-01`"),
        "{out}"
    );
    let (out, code) = lode(&["timeline", "--from", "2027-13-01", "--to", "2028-01-01"]);
    assert_eq!(code, 2);
    assert!(out.contains("`--from 2027-13-01` is not a date"), "{out}");
}

#[test]
fn run_with_confidence_on_the_baseline() {
    let (out, code) = lode(&[
        "run",
        "--confidence",
        "-r",
        "RiskLevel",
        "-r",
        "Exposure",
        "-r",
        "SupplyBanned",
    ]);
    assert_eq!(code, 0, "{out}");
    insta::assert_snapshot!(out);
}

/// Every conclusion of seed-claims that is not in the baseline rests on a claim (the scenario
/// only adds facts of quality `claim`), so each must be marked `claim`; the snapshot lists every
/// conclusion of seed-claims weaker than official, with its confidence.
#[test]
fn seed_claims_conclusions_resting_on_claims_are_marked() {
    let rels = lode::timeline::default_relations();
    let (_, base) = super::open(&scenario_path("baseline.toml"));
    let base_model = engine::evaluate(&base);
    let base_syms = &base.syms;
    let base_atoms: BTreeSet<String> = rels
        .iter()
        .flat_map(|&r| {
            base_model
                .db
                .rel(r)
                .iter()
                .map(move |t| report::atom(base_syms, r, t))
        })
        .collect();
    let (s, facts) = super::open(&scenario_path("seed-claims.toml"));
    let ex = lode::explain::Explainer::new(&s, &facts);
    let conf = lode::confidence::Confidences::of_relations(&s, &ex, &rels);
    let mut weak = String::new();
    let mut new = 0;
    for &r in &rels {
        for t in ex.model().db.rel(r) {
            let a = report::atom(&facts.syms, r, t);
            let q = conf
                .get(r, t)
                .unwrap_or_else(|| panic!("no confidence for {a}"));
            if !base_atoms.contains(&a) {
                new += 1;
                assert_eq!(q, scenario::Quality::Claim, "{a} rests on a seed claim");
            }
            if q != scenario::Quality::Official {
                weak.push_str(&format!("{a}  {}\n", q.as_str()));
            }
        }
    }
    assert!(new > 0, "seed-claims adds conclusions");
    insta::assert_snapshot!(weak);
    // `lode run` marks them without being asked.
    let path = scenario_path("seed-claims.toml");
    let (out, code) = lode(&["run", &path.to_string_lossy(), "-r", "PotentialSupplier"]);
    assert_eq!(code, 0, "{out}");
    assert!(has_row(&out, "lithium MNG resource claim"), "{out}");
}

#[test]
fn min_confidence_filters_and_rejects_unknown_words() {
    let (out, code) = lode(&["run", "--min-confidence", "official", "-r", "RiskLevel"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        has_row(&out, "USA germanium refining high official"),
        "{out}"
    );
    let rows: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("  RiskLevel(USA"))
        .collect();
    assert!(!rows.is_empty(), "{out}");
    assert!(rows.iter().all(|l| l.contains("# official")), "{out}");
    let (out, code) = lode(&["run", "--min-confidence", "certain"]);
    assert_eq!(code, 2);
    assert!(out.contains("unknown confidence `certain`"), "{out}");
    assert!(
        out.contains("official, derived, secondary, assumption, claim"),
        "{out}"
    );
}

#[test]
fn explain_marks_the_weakest_leaf() {
    let path = scenario_path("seed-claims.toml");
    let (out, code) = lode(&[
        "explain",
        &path.to_string_lossy(),
        "PotentialOption(USA, lithium, MNG, resource)",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains(
            "confidence: claim — its weakest data: deposit(lithium, MNG, national total (news claim)) (marked ◀ weakest)"
        ),
        "{out}"
    );
    let marked: Vec<&str> = out.lines().filter(|l| l.ends_with("◀ weakest")).collect();
    assert_eq!(marked.len(), 1, "{out}");
    assert!(
        marked[0].contains("deposit(lithium, MNG, national total (news claim))")
            && marked[0].contains("[claim]"),
        "{out}"
    );
    // An official proof says so and marks nothing.
    let (out, _) = lode(&["explain", "RiskLevel(USA, germanium, refining, high)"]);
    assert!(out.contains("confidence: official"), "{out}");
    assert!(!out.contains("◀ weakest"), "{out}");
    let (out, _) = lode(&[
        "explain",
        "--format",
        "json",
        "RiskLevel(USA, gallium, refining, critical)",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    assert_eq!(v["proofs"][0]["confidence"], "derived");
    assert!(
        !v["proofs"][0]["weakest_facts"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .is_empty()
    );
}

/// Whether some line of a table holds exactly these words, whatever the column widths.
/// Whether `lode run` printed a row with these field values (and confidence), in order:
/// `USA gallium CHN` finds `  SupplyBanned(USA, gallium, CHN)`.
fn has_row(out: &str, words: &str) -> bool {
    out.lines().filter(|l| l.starts_with("  ")).any(|l| {
        let l = l.split(';').next().unwrap_or_default();
        let inner = l
            .split_once('(')
            .map_or(l, |(_, rest)| rest)
            .replace([')', ',', '#'], " ");
        inner.split_whitespace().eq(words.split_whitespace())
    })
}

//! `lode validate`: agreement with published assessments must not drop below what was measured
//! and recorded in docs/validation.md, and the EU supply-risk formula reproduces DOMAIN.md's
//! gallium example. The reference tables are the ones embedded from data/reference/: nothing
//! here reads outside the repository.

use lode::engine;
use lode::lower::{self, Options};
use lode::scenario;
use lode::validate::{self, Reference, Status, Validation, hhi_wgi, reference, supply_risk};
use std::path::Path;

/// The floors: the values measured on the baseline and recorded in docs/validation.md (3 decimals).
/// The SR rank correlation keeps issue 13's floor (0.683, measured before the data broadened;
/// 0.721 now), as coverage grows.
const SPEARMAN_MIN: f64 = 0.683;
/// ρ over the materials whose world shares are not the EU study's (independent agreement).
const SPEARMAN_INDEPENDENT_MIN: f64 = 0.906;
const SR_AGREEMENT_MIN: f64 = 0.864;
/// (list id, precision, recall over the minerals lode can assess)
const LIST_MIN: &[(&str, f64, f64)] = &[
    ("usgs_2025", 1.000, 0.658),
    ("usgs_2022", 0.880, 0.733),
    ("eu_2023_critical", 0.949, 0.787),
];
/// (list id, items assessed, items on the list)
const COVERAGE_MIN: &[(&str, usize, usize)] =
    &[("usgs_2025", 52, 60), ("eu_2023_critical", 33, 34)];

fn measured() -> Validation {
    let s = scenario::load(None).unwrap_or_else(|e| panic!("{}", lode::error::render(&e)));
    let facts = lower::lower(&s, &Options::default())
        .unwrap_or_else(|e| panic!("{}", lode::error::render(&e)));
    let model = engine::evaluate(&facts);
    let reference = Reference::embedded().unwrap_or_else(|e| panic!("{}", lode::error::render(&e)));
    validate::validate(&s, &facts, &model, &reference)
}

/// Rounds to 3 decimals, the precision the floors are recorded with (NaN if not computable).
fn at3(x: Option<f64>) -> f64 {
    (x.unwrap_or(f64::NAN) * 1000.0).round() / 1000.0
}

#[test]
fn agreement_with_published_assessments_does_not_drop() {
    let v = measured();
    let mut got = vec![
        (
            "Spearman rank correlation of SR".to_string(),
            at3(v.spearman()),
            SPEARMAN_MIN,
        ),
        (
            "Spearman rank correlation of SR, independent world shares".to_string(),
            at3(v.spearman_independent()),
            SPEARMAN_INDEPENDENT_MIN,
        ),
        (
            "SR ≥ 1.0 classification agreement".to_string(),
            at3(v.agreement()),
            SR_AGREEMENT_MIN,
        ),
    ];
    for (id, precision, recall) in LIST_MIN {
        let l = v
            .list(id)
            .unwrap_or_else(|| panic!("a comparison with {id}"));
        got.push((
            format!("{} precision vs {id}", l.consumer),
            at3(l.precision()),
            *precision,
        ));
        got.push((
            format!("{} recall over assessed minerals vs {id}", l.consumer),
            at3(l.recall_assessed()),
            *recall,
        ));
    }
    for (what, value, floor) in got {
        assert!(
            value >= floor - 1e-9,
            "{what} dropped to {value:.3}, below the recorded {floor:.3}: a change made lode less faithful to the published assessments (see docs/validation.md)"
        );
    }
}

#[test]
fn coverage_of_the_lists_does_not_drop_and_every_gap_has_a_reason() {
    let v = measured();
    for (id, floor, total) in COVERAGE_MIN {
        let c = v
            .coverage(id)
            .unwrap_or_else(|| panic!("the coverage of {id}"));
        assert_eq!(c.items.len(), *total, "{id} has {total} items");
        assert!(
            c.assessed() >= *floor,
            "{} assesses {} items of {id}, fewer than the recorded {floor}",
            c.consumer,
            c.assessed()
        );
        for i in &c.items {
            if let Status::NotAssessed { reason } = &i.status {
                assert!(!reason.is_empty(), "{id} {} has no reason", i.item);
            }
        }
    }
}

#[test]
fn rare_earth_elements_count_through_the_group() {
    let v = measured();
    let c = v.coverage("usgs_2025").expect("the USGS 2025 coverage");
    let ree = [
        "cerium",
        "dysprosium",
        "erbium",
        "europium",
        "gadolinium",
        "holmium",
        "lanthanum",
        "lutetium",
        "neodymium",
        "praseodymium",
        "samarium",
        "terbium",
        "thulium",
        "ytterbium",
        "yttrium",
    ];
    let group_assessed = c
        .items
        .iter()
        .any(|i| matches!(&i.status, Status::AsGroup { .. }));
    for e in ree {
        let item = c
            .items
            .iter()
            .find(|i| i.item == e)
            .unwrap_or_else(|| panic!("{e} is on the USGS 2025 list"));
        if group_assessed {
            assert!(
                !matches!(item.status, Status::NotAssessed { .. }),
                "{e} is not counted although rare earths are assessed as a group"
            );
        }
    }
}

#[test]
fn the_reference_tables_on_disk_are_the_embedded_ones() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/reference");
    let disk = Reference::read(&dir).unwrap_or_else(|e| panic!("{}", lode::error::render(&e)));
    let embedded = Reference::embedded().unwrap_or_else(|e| panic!("{}", lode::error::render(&e)));
    assert_eq!(disk.scores, embedded.scores);
    assert_eq!(disk.lists, embedded.lists);
    assert_eq!(disk.gallium, embedded.gallium);
}

#[test]
fn a_bad_reference_table_is_reported_at_its_line() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/reference");
    let dir = std::env::temp_dir().join(format!("lode-validate-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    for name in [reference::SCORES, reference::LISTS, reference::GALLIUM] {
        std::fs::copy(src.join(name), dir.join(name)).expect("a copy of the table");
    }
    let mut text = std::fs::read_to_string(dir.join(reference::GALLIUM)).expect("the table");
    text.push_str("gallium,refining,CHN,2016-2020,ninety,a source,official,CC BY 4.0,\n");
    std::fs::write(dir.join(reference::GALLIUM), &text).expect("the bad table");
    let err = Reference::read(&dir).expect_err("a non-numeric percent must not load");
    let shown = lode::error::render(&err);
    let _ = std::fs::remove_dir_all(&dir);
    let line = text.lines().count();
    assert!(
        shown.contains(&format!("{}:{line}:", reference::GALLIUM)),
        "{shown}"
    );
}

#[test]
fn every_disagreement_and_miss_is_explained() {
    let v = measured();
    for r in v.sr.iter().filter(|r| !r.agree) {
        assert!(
            r.why.as_ref().is_some_and(|(_, w)| !w.is_empty()),
            "{} has no explanation",
            r.material
        );
    }
    for l in &v.lists {
        for m in &l.misses {
            assert!(
                !m.reason.is_empty(),
                "{} {} has no reason",
                l.consumer,
                m.mineral
            );
        }
    }
}

#[test]
fn committed_validation_report_is_current() {
    let text = lode::report::validation::markdown(&measured());
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/validation.md");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == text,
        "docs/validation.md is stale: run `cargo run -- validate -o docs/validation.md`"
    );
}

#[test]
fn gallium_processing_hhi_wgi_matches_the_domain_example() {
    // DOMAIN.md: China 93.8 % of gallium processing, WGI ≈ 0.43 (0–1) → ≈ 5.7 on the inverted
    // 0–10 scale → HHI_WGI ≈ 0.88 · 5.7 ≈ 5.0.
    let x = hhi_wgi([(0.938, 0.43)]);
    assert!((x - 5.015).abs() < 0.001, "HHI_WGI {x}");
    // With the EU's full import reliance of gallium (IR = 1) and an EU-sourcing HHI_WGI of 0,
    // SR is half the global term; no recycling and no substitution leave it unchanged.
    let sr = supply_risk(x, 0.0, 1.0, 0.0, 1.0);
    assert!((sr - x / 2.0).abs() < 1e-12);
    // Recycling input and substitution scale SR down.
    assert!(supply_risk(x, 0.0, 1.0, 0.2, 0.9) < sr);
}

#[test]
fn gallium_in_the_baseline_is_near_five() {
    let v = measured();
    let at_eu = v.sanity.at_eu_share.expect("the EU study's gallium share");
    assert!(
        (at_eu - 5.0).abs() < 0.1,
        "HHI_WGI at the EU study's share {at_eu}"
    );
}

/// The partnership-depth rules (rules/70_partnership.dl) on indicators that grow, fall, stay or
/// move both ways, with the default indicator_growth of 10 %.
#[test]
fn partnership_depth_follows_the_indicators() {
    let mut text = String::from(
        "[scenario]\nname = \"depth\"\ndescription = \"partnership indicators\"\nreference_year = 2025\ndefault_source = \"test\"\n\n\
         [[country]]\nid = \"USA\"\nname = \"United States\"\n\n[[country]]\nid = \"MNG\"\nname = \"Mongolia\"\n",
    );
    // partnership -> (indicator, value in 2024, value in 2025)
    type Rows = &'static [(&'static str, f64, f64)];
    let cases: &[(&str, Rows)] = &[
        (
            "growing",
            &[("trade", 250.0, 300.0), ("exchanges", 5.0, 5.0)],
        ),
        ("falling", &[("trade", 250.0, 200.0)]),
        ("both", &[("trade", 250.0, 300.0), ("exercises", 2.0, 1.0)]),
        ("flat", &[("trade", 250.0, 260.0)]),
        ("single", &[("trade", 250.0, f64::NAN)]),
    ];
    for (p, rows) in cases {
        text += &format!(
            "\n[[partnership]]\nid = \"{p}\"\nname = \"{p}\"\nmembers = [\"USA\", \"MNG\"]\nsince = 2020\ninstrument = \"test\"\n"
        );
        for (name, a, b) in *rows {
            for (year, v) in [(2024, a), (2025, b)] {
                if !v.is_nan() {
                    text += &format!(
                        "\n[[indicator]]\npartnership = \"{p}\"\nname = \"{name}\"\nyear = {year}\nvalue = {v:?}\n"
                    );
                }
            }
        }
    }
    let (_, facts) = super::lower_text(&text).unwrap_or_else(|e| panic!("{e}"));
    let model = engine::evaluate(&facts);
    let rel = lode::datalog::relation("PartnershipDepth").expect("PartnershipDepth");
    let got: Vec<String> = model
        .db
        .rel(rel)
        .iter()
        .map(|t| lode::report::atom(&facts.syms, rel, t))
        .collect();
    assert_eq!(
        got,
        [
            "PartnershipDepth(both, mixed)",
            "PartnershipDepth(falling, eroding)",
            "PartnershipDepth(flat, steady)",
            "PartnershipDepth(growing, deepening)",
        ],
        "a rise of 4 % (flat) is below indicator_growth; one stated year (single) has no trend"
    );
}

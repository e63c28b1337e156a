//! `lode report`: the HTML report of every scenario renders, has its sections and the expected
//! counts, escapes scenario text, is deterministic, and `--against` highlights the changes.

use lode::datalog::{program, rel};
use lode::engine;
use lode::engine::Model;
use lode::lower::Facts;
use lode::report::html::{self, Page, Side};
use lode::scenario::Scenario;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn scenarios() -> Vec<PathBuf> {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios"));
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    v.retain(|p| p.extension().is_some_and(|x| x == "toml"));
    v.sort();
    assert!(!v.is_empty(), "no scenarios found");
    v
}

/// The report as a browser shows it: the page with its deferred markup (conclusions, footnotes,
/// full supplier tables) unpacked from the data block and put in place, as the script does.
fn render(
    s: &Scenario,
    f: &Facts,
    m: &Model,
    against: Option<(&Scenario, &Facts, &Model)>,
) -> String {
    let page = render_packed(s, f, m, against);
    html::expand(&page).unwrap_or_else(|| panic!("the data block does not unpack"))
}

/// The page as `lode report` writes it.
fn render_packed(
    s: &Scenario,
    f: &Facts,
    m: &Model,
    against: Option<(&Scenario, &Facts, &Model)>,
) -> String {
    html::render(&Page {
        main: Side {
            scenario: s,
            facts: f,
            model: m,
        },
        against: against.map(|(scenario, facts, model)| Side {
            scenario,
            facts,
            model,
        }),
        explainer: None,
    })
}

fn count(hay: &str, needle: &str) -> usize {
    hay.matches(needle).count()
}

#[test]
fn every_scenario_renders_with_its_sections_and_counts() {
    for path in scenarios() {
        let (s, f, m) = super::evaluate(&path);
        let out = render(&s, &f, &m, None);
        let name = path.display();
        assert!(
            out.starts_with("<!DOCTYPE html>"),
            "{name}: not an HTML document"
        );
        assert!(out.len() > 10_000, "{name}: report is suspiciously short");
        for id in [
            "summary",
            "heatmap",
            "supply",
            "partner",
            "method",
            "conclusions",
            "sources",
        ] {
            assert!(
                out.contains(&format!("id=\"{id}\"")),
                "{name}: no section #{id}"
            );
        }
        assert!(
            !out.contains("id=\"changes\""),
            "{name}: a changes section without --against"
        );
        // Heat map: one row per consumer × mineral with a risk level, one cell per stage.
        let pairs: BTreeSet<(String, String)> =
            m.db.rel(rel::RISK_LEVEL)
                .iter()
                .map(|t| (f.syms.show(&t[0]), f.syms.show(&t[1])))
                .collect();
        let stages = m.db.rel(rel::STAGE).len();
        assert_eq!(
            count(&out, "<tr class=\"heat-row\""),
            pairs.len(),
            "{name}: heat-map rows"
        );
        assert_eq!(
            count(&out, "<td class=\"cell "),
            pairs.len() * stages,
            "{name}: heat-map cells"
        );
        assert!(out.contains(&format!("data-rows=\"{}\"", pairs.len())));
        assert!(out.contains(&format!("data-cells=\"{}\"", pairs.len() * stages)));
        let filled = m.db.rel(rel::RISK_LEVEL).len();
        assert_eq!(
            count(&out, "<td class=\"cell lvl-none"),
            pairs.len() * stages - filled,
            "{name}: empty cells"
        );
        // Every conclusion of every output relation is one <details>.
        let conclusions: usize = program()
            .relations
            .iter()
            .enumerate()
            .filter(|(_, r)| r.output)
            .map(|(i, _)| m.db.rel(i).len())
            .sum();
        assert_eq!(
            count(&out, "<details class=\"concl"),
            conclusions,
            "{name}: conclusions"
        );
        // One bar chart per mineral × stage with world shares.
        let stages_with_shares: BTreeSet<(String, String)> =
            m.db.rel(rel::SHARE)
                .iter()
                .map(|t| (f.syms.show(&t[0]), f.syms.show(&t[1])))
                .collect();
        assert_eq!(
            count(&out, "<svg class=\"bars\""),
            stages_with_shares.len(),
            "{name}: bar charts"
        );
        // Every footnote link has its footnote.
        let notes = count(&out, "<li id=\"src-");
        assert!(notes > 0, "{name}: no footnotes");
        assert!(
            !out.contains("href=\"#src-0\""),
            "{name}: a link to no footnote"
        );
        assert!(out.contains(&format!("id=\"src-{notes}\"")));
        assert!(
            !out.contains(&format!("href=\"#src-{}\"", notes + 1)),
            "{name}: a link past the last footnote"
        );
        // The label, when there is one, is shown in a banner.
        if let Some(label) = &s.meta.label {
            assert!(
                out.contains("class=\"label-banner\""),
                "{name}: label banner missing"
            );
            assert!(out.contains(label.as_str()), "{name}: label text missing");
        }
        // Self-contained: no external assets.
        for bad in ["<link ", "src=\"http", "@import", "url(http"] {
            assert!(!out.contains(bad), "{name}: external asset ({bad})");
        }
    }
}

#[test]
fn the_label_is_shown_prominently() {
    let path = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/seed-claims.toml"
    ));
    let (s, f, m) = super::evaluate(path);
    let out = render(&s, &f, &m, None);
    assert!(out.contains("UNVERIFIED CLAIMS FROM NEWS ARTICLES"));
    let banner = out.find("class=\"label-banner\"").unwrap_or(usize::MAX);
    let summary = out.find("id=\"summary\"").unwrap_or(0);
    assert!(
        banner < summary,
        "the label banner comes before the summary"
    );
}

#[test]
fn the_partner_view_shows_initiatives_with_projected_risk() {
    let path = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/mongolia-partnership-2030.toml"
    ));
    let (s, f, m) = super::evaluate(path);
    let out = render(&s, &f, &m, None);
    let initiatives = m.db.rel(rel::INITIATIVE).len();
    assert!(initiatives > 0);
    assert_eq!(count(&out, "<tr data-initiative="), initiatives);
    assert_eq!(count(&out, "<g class=\"init\""), initiatives);
    assert!(out.contains("id=\"partner-initiatives\""));
    assert!(out.contains("Mongolia"));
    // the baseline has none, and says where to find them
    let (bs, bf, bm) = super::evaluate(&path.with_file_name("baseline.toml"));
    let base = render(&bs, &bf, &bm, None);
    assert!(base.contains("mongolia-partnership-2030.toml"));
    assert_eq!(count(&base, "<g class=\"init\""), 0);
}

#[test]
fn against_highlights_changes() {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios"));
    let (a, af, am) = super::evaluate(&dir.join("china-gallium-germanium-controls.toml"));
    let (b, bf, bm) = super::evaluate(&dir.join("baseline.toml"));
    let out = render(&a, &af, &am, Some((&b, &bf, &bm)));
    assert!(out.contains("id=\"changes\""));
    assert!(out.contains("Compared against"));
    // germanium refining is critical under the controls, high in the baseline
    assert!(
        count(&out, " changed\"") >= 1,
        "a changed heat-map cell is outlined"
    );
    assert!(out.contains("was high"));
    assert!(count(&out, "<li class=\"added\"") + count(&out, "<li class=\"removed\"") > 0);
    // against itself: nothing changes
    let same = render(&b, &bf, &bm, Some((&b, &bf, &bm)));
    assert!(same.contains("No conclusion differs"));
    assert_eq!(count(&same, " changed\""), 0);
}

#[test]
fn the_report_is_deterministic() {
    let path = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/baseline.toml"
    ));
    let (s, f, m) = super::evaluate(path);
    let (s2, f2, m2) = super::evaluate(path);
    assert_eq!(
        render_packed(&s, &f, &m, None),
        render_packed(&s2, &f2, &m2, None)
    );
}

const XSS: &str = "<script>alert(1)</script>";

fn hostile_scenario() -> String {
    format!(
        r#"
[scenario]
name = "xss {XSS}"
description = "a description with {XSS}"
reference_year = 2025
label = "LABEL {XSS}"

[[country]]
id = "USA"
name = "United States"

[[country]]
id = "XSS"
name = "{XSS}"

[[country]]
id = "CHN"
name = "China"

[[mineral]]
id = "gallium"
name = "Gallium {XSS}"

[[stage]]
id = "refining"
name = "Refining"

[[alignment]]
consumer = "USA"
country = "XSS"
level = "rival"
rationale = "{XSS}"

[[alignment]]
consumer = "USA"
country = "CHN"
level = "rival"
rationale = "test"

[[share]]
mineral = "gallium"
stage = "refining"
country = "XSS"
year = 2024
percent = 90
source = "source {XSS} https://example.org/a?b=1&c=<script>"

[[share]]
mineral = "gallium"
stage = "refining"
country = "CHN"
year = 2024
percent = 10
source = "test"

[[reliance]]
consumer = "USA"
mineral = "gallium"
year = 2024
percent = 100
source = "test {XSS}"
note = "note {XSS}"
"#
    )
}

#[test]
fn scenario_text_is_escaped() {
    let (s, f) = super::lower_text(&hostile_scenario()).unwrap_or_else(|e| panic!("{e}"));
    let m = engine::evaluate(&f);
    // the page as written: its data block is base64, so no scenario text can close the script
    let packed = render_packed(&s, &f, &m, None);
    assert!(!packed.contains(XSS), "raw script tag in the report");
    assert_eq!(count(&packed, "</script>"), 1);
    // and the page as shown, with the deferred markup in place
    let out = render(&s, &f, &m, None);
    assert!(!out.contains(XSS), "raw script tag in the report");
    assert!(
        !out.contains("<script>alert"),
        "raw script tag in the report"
    );
    // the name is shown as text
    assert!(out.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    // exactly one script element: lode's own
    assert_eq!(count(&out, "<script"), 1);
    // the heat map still has its one row
    assert_eq!(count(&out, "<tr class=\"heat-row\""), 1);
    assert!(out.contains("LABEL &lt;script&gt;"));
}

#[test]
fn report_command_writes_one_file() {
    use clap::Parser;
    let dir = std::env::temp_dir().join(format!("lode-report-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let out = dir.join("report.html");
    let base = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/baseline.toml");
    let other = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/china-transit-closed.toml"
    );
    let cli = lode::cli::Cli::parse_from([
        "lode",
        "report",
        other,
        "--against",
        base,
        "-o",
        out.to_str().unwrap_or(""),
    ]);
    let outcome =
        lode::commands::dispatch(cli).unwrap_or_else(|e| panic!("{}", lode::error::render(&e)));
    assert_eq!(outcome.code, 0);
    assert!(outcome.stdout.into_string().starts_with("wrote "));
    let text = std::fs::read_to_string(&out).unwrap_or_else(|e| panic!("{e}"));
    assert!(text.contains("id=\"changes\""));
    assert!(text.contains("OptionTransitExposure"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// The baseline report (`lode report -o report.html` on the embedded baseline) is at most 1 MB:
/// the conclusions, footnotes, full supplier tables and proof nodes are packed (deflate, in
/// base64) in the one script, and each proof node, fact leaf and citation is stored once (the
/// script draws a tree when its conclusion opens).
#[test]
fn the_baseline_report_stores_each_proof_node_once() {
    use clap::Parser;
    let dir = std::env::temp_dir().join(format!("lode-report-size-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let path = dir.join("report.html");
    let cli = lode::cli::Cli::parse_from(["lode", "report", "-o", path.to_str().unwrap_or("")]);
    let outcome =
        lode::commands::dispatch(cli).unwrap_or_else(|e| panic!("{}", lode::error::render(&e)));
    assert_eq!(outcome.code, 0);
    let out = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}"));
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        out.len() <= 1_000_000,
        "the baseline report is {} bytes, over 1 MB",
        out.len()
    );
    // One script holds the data block and lode's code; nothing else is loaded.
    assert_eq!(count(&out, "<script"), 1);
    assert_eq!(count(&out, "</script>"), 1);
    assert!(out.contains("var LODE_DATA = \""));
    let data: serde_json::Value = html::unpack(&out)
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_else(|| panic!("the data block does not unpack"));
    let proofs = &data["proofs"];
    let nodes = proofs["nodes"].as_array().map_or(0, Vec::len);
    let leaves = proofs["leaves"].as_array().map_or(0, Vec::len);
    assert!(
        nodes > 1000 && leaves > 100,
        "{nodes} nodes, {leaves} leaves"
    );
    // Each leaf is stored once.
    let distinct: BTreeSet<String> = proofs["leaves"]
        .as_array()
        .into_iter()
        .flatten()
        .map(ToString::to_string)
        .collect();
    assert_eq!(distinct.len(), leaves, "a fact leaf is stored twice");
    // Every conclusion with a proof names its root node, in the page as shown.
    let shown = html::expand(&out).unwrap_or_else(|| panic!("the deferred markup is missing"));
    let conclusions = count(&shown, "<details class=\"concl");
    assert!(conclusions > 1000);
    assert_eq!(count(&shown, " data-p=\""), conclusions);
    assert_eq!(
        count(&shown, "<div data-frag="),
        0,
        "a placeholder left empty"
    );
    // Alignment leaves are assumptions with their rationale, never "official": a fact leaf is
    // [assumed, quality, fact, cite, rationale, note, place], its texts indices into `strs`.
    let strs: Vec<&str> = proofs["strs"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str())
        .collect();
    let text = |v: &serde_json::Value| {
        v.as_u64()
            .and_then(|i| strs.get(usize::try_from(i).ok()?).copied())
            .unwrap_or("")
    };
    let alignment = proofs["leaves"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|l| text(&l[2]) == "alignment(USA, CHN) = rival")
        .unwrap_or_else(|| panic!("no alignment leaf for USA toward China"));
    assert_eq!(alignment[0], 1, "the alignment leaf is not an assumption");
    assert_eq!(text(&alignment[1]), "assumption");
    assert!(
        text(&alignment[4]).starts_with("named"),
        "the alignment leaf has no rationale: {alignment}"
    );
}

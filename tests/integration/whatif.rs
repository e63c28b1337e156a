//! What-if: overlays (`extends`, replacement, `[[remove]]`), `--set`, `lode diff`, `lode sweep`
//! and `lode show`.

use crate::lode;
use lode::datalog::rel;
use lode::diff::{self, Direction, Kind, Lowered, Side};
use lode::engine;
use lode::lower::{self, Options};
use lode::scenario;
use lode::sweep::{self, Target};
use std::path::{Path, PathBuf};

fn scenario_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
}

fn path_str(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// A scratch directory for overlay files.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("whatif-{name}"));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes an overlay of the baseline and returns its path.
fn overlay(name: &str, body: &str) -> PathBuf {
    let dir = scratch(name);
    let base = path_str(&scenario_path("baseline.toml"));
    let text = format!(
        "[scenario]\nextends = {base:?}\nname = \"{name}\"\ndescription = \"What if {name}?\"\ndefault_source = \"test\"\n{body}"
    );
    let p = dir.join(format!("{name}.toml"));
    std::fs::write(&p, text).unwrap();
    p
}

// ---------------------------------------------------------------------------------------------
// lode diff
// ---------------------------------------------------------------------------------------------

#[test]
fn diff_of_the_baseline_against_each_what_if() {
    let base = scenario_path("baseline.toml");
    insta::glob!("../../scenarios", "*.toml", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        if !text.contains("extends = \"baseline.toml\"") {
            return;
        }
        let (out, code) = lode(&["diff", &path_str(&base), &path_str(path)]);
        assert!(code <= 1, "{out}");
        assert_eq!(code == 1, !out.contains("no conclusion differs"), "{out}");
        insta::assert_snapshot!(out);
    });
}

#[test]
fn diff_of_a_scenario_with_itself_exits_0() {
    let base = path_str(&scenario_path("baseline.toml"));
    let (out, code) = lode(&["diff", &base, &base]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("no conclusion differs"), "{out}");
    let (json, code) = lode(&["diff", &base, &base, "--format", "json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["differs"], false);
}

#[test]
fn diff_on_a_missing_file_exits_2() {
    let base = path_str(&scenario_path("baseline.toml"));
    let (out, code) = lode(&["diff", &base, "no/such/file.toml"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("no such file"), "{out}");
}

#[test]
fn diff_reads_as_an_answer_to_the_question() {
    let (out, code) = lode(&[
        "diff",
        &path_str(&scenario_path("baseline.toml")),
        &path_str(&scenario_path("china-gallium-germanium-controls.toml")),
    ]);
    assert_eq!(code, 1);
    // The question first, then the changes in plain words, one change per moved level.
    assert!(
        out.starts_with("What if China's December 2024 ban"),
        "{out}"
    );
    assert!(
        out.contains("USA · germanium · refining: risk high → critical (raised 1)"),
        "{out}"
    );
    assert!(
        !out.contains("germanium · refining: risk high — no longer holds"),
        "{out}"
    );
}

#[test]
fn diff_explain_names_the_facts_that_carry_a_change() {
    let (out, _) = lode(&[
        "diff",
        "--explain",
        &path_str(&scenario_path("baseline.toml")),
        &path_str(&scenario_path("china-gallium-germanium-controls.toml")),
    ]);
    // The suspension of the ban is not in force on the what-if's date: it carries the change.
    let at = out
        .find("USA · germanium · refining: risk high → critical")
        .unwrap();
    let after = &out[at..];
    assert!(
        after.contains("− Suspends(cn-us-ban-suspension-2025, cn-us-ban-2024)"),
        "{out}"
    );
    assert!(after.contains("data/events.csv:"), "{out}");
}

#[test]
fn diff_json_pairs_a_moved_level_into_one_change() {
    let (json, code) = lode(&[
        "diff",
        "--format",
        "json",
        "--explain",
        &path_str(&scenario_path("baseline.toml")),
        &path_str(&scenario_path("china-gallium-germanium-controls.toml")),
    ]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let group = v["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["consumer"] == "USA" && g["mineral"] == "germanium")
        .unwrap();
    let risk: Vec<&serde_json::Value> = group["differences"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["relation"] == "RiskLevel")
        .collect();
    assert_eq!(risk.len(), 1);
    assert_eq!(risk[0]["change"], "changed");
    assert_eq!(risk[0]["before"]["level"], "high");
    assert_eq!(risk[0]["after"]["level"], "critical");
    assert_eq!(risk[0]["direction"], "raised");
    assert_eq!(risk[0]["ranks"], 1);
    assert!(!risk[0]["evidence"].as_array().unwrap().is_empty());
}

#[test]
fn diff_compares_by_name_across_symbol_tables() {
    // The same scenario lowered twice, once with an extra name interned first: no difference.
    let s = scenario::load(Some(&scenario_path("baseline.toml"))).unwrap();
    let a = lower::lower(&s, &Options::default()).unwrap();
    let mut b = a.clone();
    b.syms.intern("an-extra-name");
    let (ma, mb) = (engine::evaluate(&a), engine::evaluate(&b));
    let r = diff::report(
        Lowered {
            scenario: &s,
            facts: &a,
        },
        &ma,
        Lowered {
            scenario: &s,
            facts: &b,
        },
        &mb,
        true,
    );
    assert!(!r.differs());
}

// ---------------------------------------------------------------------------------------------
// Overlays and --set, end to end
// ---------------------------------------------------------------------------------------------

#[test]
fn an_overlay_replacing_a_fact_changes_the_conclusion() {
    // Closing both Mongolian routes in an overlay isolates Mongolia.
    let p = overlay(
        "both-routes-closed",
        r#"
[[transit]]
country = "MNG"
via = "CHN"
percent = 90.0
status = "closed"

[[transit]]
country = "MNG"
via = "RUS"
percent = 10.0
status = "closed"
"#,
    );
    let (out, code) = lode(&[
        "diff",
        &path_str(&scenario_path("baseline.toml")),
        &path_str(&p),
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(out.starts_with("What if both-routes-closed?"), "{out}");
    assert!(
        out.contains("MNG: isolated: every export route closed — now holds"),
        "{out}"
    );
}

#[test]
fn an_overlay_removing_a_fact_is_shown_merged() {
    let p = overlay(
        "no-transit-via-russia",
        "[[remove]]\ntable = \"transit\"\ncountry = \"MNG\"\nvia = \"RUS\"\n",
    );
    let (out, code) = lode(&["show", &path_str(&p)]);
    assert_eq!(code, 0, "{out}");
    let transit = &out[out.find("\ntransit (").unwrap()..];
    let transit = &transit[..transit[1..].find("\n\n").map_or(transit.len(), |i| i + 1)];
    assert!(transit.contains("transit (1 fact)"), "{transit}");
    assert!(transit.contains("MNG      CHN"), "{transit}");
    assert!(!transit.contains("RUS"), "{transit}");
    assert!(transit.contains("scenarios/baseline.toml:"), "{transit}");
}

#[test]
fn show_names_the_file_and_line_of_each_fact() {
    let (out, code) = lode(&[
        "show",
        &path_str(&scenario_path("china-transit-closed.toml")),
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let transit = v["tables"]["transit"].as_array().unwrap();
    let chn = transit.iter().find(|t| t["via"] == "CHN").unwrap();
    assert_eq!(chn["status"], "closed");
    assert!(
        chn["at"]
            .as_str()
            .unwrap()
            .starts_with("scenarios/china-transit-closed.toml:")
    );
    let rus = transit.iter().find(|t| t["via"] == "RUS").unwrap();
    assert!(
        rus["at"]
            .as_str()
            .unwrap()
            .starts_with("scenarios/baseline.toml:")
    );
    let files: Vec<&str> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f.as_str())
        .collect();
    assert!(files.contains(&"scenarios/baseline.toml"), "{files:?}");
    assert!(files.contains(&"data/events.csv"), "{files:?}");
}

#[test]
fn an_overlay_with_a_removal_that_matches_nothing_is_an_error() {
    let p = overlay(
        "remove-nothing",
        "[[remove]]\ntable = \"transit\"\ncountry = \"MNG\"\nvia = \"KAZ\"\n",
    );
    let (out, code) = lode(&["run", &path_str(&p)]);
    assert_eq!(code, 2);
    assert!(
        out.contains("this removal matches no `transit` fact of the parent scenario"),
        "{out}"
    );
}

#[test]
fn overlays_through_lower_text() {
    // Text scenarios resolve `extends` from the current directory: the package root.
    let text = "[scenario]\nextends = \"scenarios/baseline.toml\"\nname = \"t\"\n[params]\nreliance_critical = 100\n";
    let (s, facts) = super::lower_text(text).unwrap();
    assert_eq!(s.meta.name, "t");
    let base = super::open(&scenario_path("baseline.toml")).1;
    let (m, mb) = (engine::evaluate(&facts), engine::evaluate(&base));
    let d = diff::conclusions(
        Side {
            syms: &base.syms,
            db: &mb.db,
        },
        Side {
            syms: &facts.syms,
            db: &m.db,
        },
    );
    // Nothing reaches 100 % reliance except where the data says so: some critical levels fall.
    assert!(
        d.iter()
            .all(|e| e.ranks.is_none_or(|(dir, _)| dir == Direction::Lowered))
    );
}

#[test]
fn set_overrides_a_param_on_both_sides_of_a_diff() {
    let base = path_str(&scenario_path("baseline.toml"));
    let (out, code) = lode(&["diff", &base, &base, "--set", "dominant_share=40"]);
    assert_eq!(code, 0, "{out}");
    let (out, code) = lode(&["diff", &base, &base, "--set", "dominant_share=400"]);
    assert_eq!(code, 2);
    assert!(
        out.contains("`dominant_share` must be between 0 and 100, found 400"),
        "{out}"
    );
    let (out, code) = lode(&["show", "--set", "dominant_share=40"]);
    assert_eq!(code, 0);
    assert!(
        out.lines()
            .any(|l| l.contains("dominant_share") && l.contains("40") && l.contains("--set")),
        "{out}"
    );
}

#[test]
fn set_changes_conclusions() {
    let s = scenario::load(Some(&scenario_path("baseline.toml"))).unwrap();
    let a = lower::lower(&s, &Options::default()).unwrap();
    let opts = Options {
        set: vec![lower::parse_set("reliance_high=100").unwrap()],
        ..Options::default()
    };
    let b = lower::lower(&s, &opts).unwrap();
    let (ma, mb) = (engine::evaluate(&a), engine::evaluate(&b));
    let r = diff::report(
        Lowered {
            scenario: &s,
            facts: &a,
        },
        &ma,
        Lowered {
            scenario: &s,
            facts: &b,
        },
        &mb,
        true,
    );
    assert!(r.differs());
    assert!(r.summary.lowered > 0);
    // The parameter is the only input that differs, and it may carry every change.
    assert_eq!(r.global.len(), 1);
    assert_eq!(r.global[0].now[0].place, "--set");
}

// ---------------------------------------------------------------------------------------------
// lode sweep
// ---------------------------------------------------------------------------------------------

#[test]
fn supplier_sweep_of_the_baseline() {
    let (out, code) = lode(&["sweep", "--cut", "supplier"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("\n  USA: CHN — raises"), "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn china_is_the_largest_supplier_disruption_for_the_united_states() {
    let (_, facts) = super::open(&scenario_path("baseline.toml"));
    let s = sweep::sweep(&facts, Target::Supplier, 1, &|| {});
    assert_eq!(s.evaluations, s.items);
    let worst = &s.disruptions[s.worst_for["USA"]];
    assert_eq!(worst.cut, vec!["CHN".to_string()]);
    assert_eq!(s.disruptions[0].cut, vec!["CHN".to_string()]);
    assert!(worst.raised > 1);
    // Every change of a risk level here is a raise.
    assert!(
        worst
            .entries
            .iter()
            .all(|e| e.ranks.is_none_or(|(d, _)| d == Direction::Raised))
    );
}

#[test]
fn a_pair_of_closed_routes_isolates_mongolia() {
    let (_, facts) = super::open(&scenario_path("baseline.toml"));
    let one = sweep::sweep(&facts, Target::Route, 1, &|| {});
    assert!(one.disruptions.iter().all(|d| d.isolated.is_empty()));
    let two = sweep::sweep(&facts, Target::Route, 2, &|| {});
    let top = &two.disruptions[0];
    assert_eq!(
        top.cut,
        vec!["MNG via CHN".to_string(), "MNG via RUS".to_string()]
    );
    assert_eq!(top.isolated, vec!["MNG".to_string()]);
    let (out, code) = lode(&["sweep", "--cut", "route", "--k", "2", "--format", "json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["disruptions"][0]["isolated"][0], "MNG");
}

#[test]
fn an_initiative_sweep_fails_each_initiative() {
    let (_, facts) = super::open(&scenario_path("mongolia-partnership-2030.toml"));
    let s = sweep::sweep(&facts, Target::Initiative, 1, &|| {});
    assert!(s.items > 0);
    // A failed initiative's projection falls back to today's level: never lower.
    for d in &s.disruptions {
        for e in &d.entries {
            if e.rel == rel::PROJECTED_RISK_LEVEL {
                assert!(
                    !matches!(e.ranks, Some((Direction::Lowered, _))),
                    "{:?}",
                    d.cut
                );
            }
            assert!(!matches!(e.kind, Kind::Added(_)) || e.rel != rel::RISK_LEVEL);
        }
    }
}

#[test]
fn sweep_output_is_deterministic_and_k_is_checked() {
    let a = lode(&[
        "sweep", "--cut", "supplier", "--k", "1", "--top", "3", "--format", "json",
    ]);
    let b = lode(&[
        "sweep", "--cut", "supplier", "--k", "1", "--top", "3", "--format", "json",
    ]);
    assert_eq!(a, b);
    let (_, code) = lode(&["sweep", "--cut", "supplier", "--k", "3"]);
    assert_eq!(code, 2);
}

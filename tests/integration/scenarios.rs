//! Every scenario in scenarios/: its conclusions, one per line and sorted, are a reviewed
//! snapshot (`conclusion_lines@<scenario>.snap`).
//!
//! This is the rule-change review: change a rule, run `cargo insta test`, and `cargo insta
//! review` shows the conclusions that appear and disappear as added and removed lines, each
//! written as `lode explain` accepts it. Every `.output` relation is listed, so a new output
//! relation (a score, say) simply appears as new lines.

use lode::datalog::program;
use lode::report::proof::tuple;

/// Every conclusion of a scenario's output relations, one per line, sorted.
pub fn conclusion_lines(path: &std::path::Path) -> String {
    let (_, facts, model) = super::evaluate(path);
    let mut lines: Vec<String> = lode::datalog::output_relations()
        .into_iter()
        .flat_map(|r| {
            let syms = &facts.syms;
            model.db.rel(r).iter().map(move |t| tuple(syms, r, t))
        })
        .collect();
    lines.sort();
    let mut out = format!(
        "# {} conclusions of {} output relations\n",
        lines.len(),
        lode::datalog::output_relations().len()
    );
    for l in lines {
        out.push_str(&l);
        out.push('\n');
    }
    out
}

#[test]
fn conclusion_lines_of_every_scenario() {
    insta::glob!("../../scenarios", "*.toml", |path| {
        insta::assert_snapshot!("conclusion_lines", conclusion_lines(path));
    });
}

#[test]
fn conclusion_lines_name_only_output_relations() {
    let path = std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/baseline.toml"
    ));
    let text = conclusion_lines(path);
    let prog = program();
    for line in text.lines().skip(1) {
        let name = line.split('(').next().unwrap_or_default();
        let r = prog.relations.iter().find(|r| r.name == name);
        assert!(r.is_some_and(|r| r.output), "{line}");
    }
}

#[test]
fn evaluation_is_deterministic() {
    let path = std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/baseline.toml"
    ));
    let (_, _, a) = super::evaluate(path);
    let (_, _, b) = super::evaluate(path);
    assert_eq!(a.db, b.db);
}

#[test]
fn the_baked_baseline_lists_what_the_file_computes() {
    // `lode run` on the bundled baseline reads the model baked at build time (`lode::bake`);
    // `lode run scenarios/baseline.toml` loads, lowers and evaluates the same file now.
    assert!(
        lode::bake::embedded(None).is_some(),
        "this build has no baked baseline"
    );
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/baseline.toml");
    for args in [
        &[][..],
        &["--format", "json"],
        &["--all"],
        &["--all", "--format", "json"],
        &["-r", "RiskLevel", "-r", "Hhi"],
    ] {
        let baked: Vec<&str> = ["run"].iter().chain(args).copied().collect();
        let computed: Vec<&str> = ["run", file].iter().chain(args).copied().collect();
        let (a, code_a) = super::lode(&baked);
        let (b, code_b) = super::lode(&computed);
        assert_eq!((code_a, code_b), (0, 0), "{args:?}");
        assert!(a == b, "lode run {args:?}: the baked listing differs");
    }
}

#[test]
fn run_json_is_pretty_json_with_sorted_keys() {
    // `lode run --format json` is serialised from the tuples as it is written; read back and
    // printed again through `serde_json::Value` (whose maps sort their keys, and hold each key
    // once), it is the same bytes.
    let claims = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/seed-claims.toml");
    for args in [
        &["run", "--format", "json"][..],
        &["run", "--all", "--format", "json"],
        &["run", "--confidence", "--format", "json"],
        &["run", claims, "--format", "json"],
        &[
            "run",
            "-r",
            "RiskLevel",
            "-r",
            "risklevel",
            "-r",
            "Hhi",
            "--format",
            "json",
        ],
    ] {
        let (out, code) = super::lode(args);
        assert_eq!(code, 0, "{args:?}: {out}");
        let doc: serde_json::Value =
            serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: {e}"));
        let again = serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n";
        assert!(again == out, "{args:?}: not pretty JSON with sorted keys");
    }
}

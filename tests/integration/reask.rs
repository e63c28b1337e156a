//! The `lode explain` commands that diff, sweep and timeline print under their lines (with
//! `--explain`, and always in JSON): each, run as printed, proves its line.

use crate::lode;
use std::collections::BTreeSet;

/// The commands printed after `label: ` on the lines of `out`, each split into its words.
fn printed_commands(out: &str) -> BTreeSet<Vec<String>> {
    out.lines()
        .filter_map(|l| l.split_once(": lode explain ").map(|(_, rest)| rest))
        .map(|rest| {
            let mut words = vec!["explain".to_string()];
            words.extend(
                shlex::split(rest).unwrap_or_else(|| panic!("not a shell command line: {rest}")),
            );
            words
        })
        .collect()
}

/// Runs every printed command; each must find its conclusion and prove it down to a source.
fn each_proves(run: &[&str], at_least: usize) {
    let (out, code) = lode(run);
    assert!(code <= 1, "lode {run:?} failed:\n{out}");
    let commands = printed_commands(&out);
    assert!(
        commands.len() >= at_least,
        "lode {run:?} printed {} commands, expected at least {at_least}:\n{out}",
        commands.len()
    );
    for words in &commands {
        let args: Vec<&str> = words.iter().map(String::as_str).collect();
        let (proof, code) = lode(&args);
        assert_eq!(
            code, 0,
            "printed by lode {run:?}: lode {args:?} fails:\n{proof}"
        );
        assert!(
            proof.contains("source:") || proof.contains("cut: sweep:"),
            "lode {args:?} reaches no cited fact:\n{proof}"
        );
    }
}

#[test]
fn diff_lines_explain_in_the_scenario_where_they_hold() {
    each_proves(
        &[
            "diff",
            "--explain",
            "scenarios/baseline.toml",
            "scenarios/china-transit-closed.toml",
        ],
        10,
    );
}

#[test]
fn sweep_lines_explain_under_their_cut() {
    each_proves(&["sweep", "--cut", "route", "--explain"], 6);
    each_proves(
        &[
            "sweep",
            "scenarios/mongolia-partnership-2030.toml",
            "--cut",
            "initiative",
            "--top",
            "3",
            "--explain",
        ],
        2,
    );
}

#[test]
fn timeline_lines_explain_on_their_date() {
    each_proves(
        &[
            "timeline",
            "--from",
            "2025-01-01",
            "--to",
            "2026-12-31",
            "-r",
            "RiskLevel",
            "--explain",
        ],
        6,
    );
}

#[test]
fn a_cut_that_names_nothing_is_bad_usage() {
    let (out, code) = lode(&["explain", "--cut", "supplier=XXX", "RiskLevel(USA, _)"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("no supplier `XXX` to cut"), "{out}");
    let (out, code) = lode(&["explain", "--cut", "pipeline=MNG", "RiskLevel(USA, _)"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("`pipeline` is not a kind of cut"), "{out}");
}

//! The audit listings: `lode rules`, `lode coverage` and `lode test`.

use super::{pattern, rule_place, rule_text, tuple};
use crate::datalog::program;
use crate::explain::{Coverage, ExpectOutcome, Reason};
use crate::model::Symbols;
use crate::report::{columns, to_pretty};
use serde_json::{Value as Json, json};
use std::fmt::Write as _;

fn kind(input: bool, output: bool) -> &'static str {
    match (input, output) {
        (true, _) => "input",
        (false, true) => "output",
        (false, false) => "derived",
    }
}

/// Every relation and every rule, as text.
pub fn rules_text() -> String {
    let prog = program();
    let mut out = format!(
        "{} relations, {} rules\n\nrelations (input: from scenario facts or computed; output: shown by `lode run`)\n",
        prog.relations.len(),
        prog.rules.len()
    );
    for r in &prog.relations {
        let fields: Vec<String> = r
            .fields
            .iter()
            .map(|f| format!("{}: {}", f.name, f.ty.as_str()))
            .collect();
        let _ = writeln!(
            out,
            "  {:<8}{}({})  {}:{}",
            kind(r.input, r.output),
            r.name,
            fields.join(", "),
            r.file,
            r.line
        );
        let _ = writeln!(out, "          {}", r.doc);
    }
    out.push_str("\nrules\n");
    for r in &prog.rules {
        let _ = writeln!(out, "  {}  {}", rule_place(r), rule_text(r));
        let _ = writeln!(out, "      {}", r.doc);
    }
    out
}

/// Every relation and every rule, as JSON.
pub fn rules_json() -> String {
    let prog = program();
    let relations: Vec<Json> = prog
        .relations
        .iter()
        .map(|r| {
            json!({
                "name": r.name,
                "kind": kind(r.input, r.output),
                "fields": r.fields.iter().map(|f| json!({"name": f.name, "type": f.ty.as_str()})).collect::<Vec<_>>(),
                "doc": r.doc,
                "file": r.file,
                "line": r.line,
            })
        })
        .collect();
    let rules: Vec<Json> = prog
        .rules
        .iter()
        .enumerate()
        .map(|(i, r)| {
            json!({
                "id": i,
                "head": prog.relations.get(r.head.rel).map(|x| x.name.clone()),
                "file": r.file,
                "line": r.line,
                "doc": r.doc,
                "text": rule_text(r),
            })
        })
        .collect();
    to_pretty(&json!({ "relations": relations, "rules": rules }))
}

fn head_name(rule: usize) -> String {
    let prog = program();
    prog.rules
        .get(rule)
        .and_then(|r| prog.relations.get(r.head.rel))
        .map_or("?".into(), |r| r.name.clone())
}

/// Rule coverage as a table, the rules that never fired, and the total.
pub fn coverage_text(c: &Coverage, fail_under: Option<f64>) -> String {
    let prog = program();
    let n = c.scenarios.len();
    let mut out = format!(
        "rule coverage over {n} scenario{}\n\n",
        if n == 1 { "" } else { "s" }
    );
    let header: Vec<String> = ["rule", "concludes", "scenarios", "firings"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let rows: Vec<Vec<String>> = c
        .rules
        .iter()
        .map(|r| {
            vec![
                prog.rules.get(r.rule).map(rule_place).unwrap_or_default(),
                head_name(r.rule),
                format!("{}/{n}", r.fired_in.len()),
                r.firings.to_string(),
            ]
        })
        .collect();
    out.push_str(&columns(&header, &rows, "  "));
    let never: Vec<_> = c.rules.iter().filter(|r| r.fired_in.is_empty()).collect();
    if !never.is_empty() {
        let _ = writeln!(out, "\nnever fired ({}):", never.len());
        for r in never {
            if let Some(rule) = prog.rules.get(r.rule) {
                let _ = writeln!(
                    out,
                    "  {}  {}\n      {}",
                    rule_place(rule),
                    rule_text(rule),
                    rule.doc
                );
            }
        }
    }
    let _ = writeln!(
        out,
        "\ncoverage: {}/{} rules fired ({:.1}%)",
        c.fired(),
        c.rules.len(),
        c.percent()
    );
    if let Some(t) = fail_under
        && c.percent() < t
    {
        let _ = writeln!(
            out,
            "below --fail-under {t}%: add a scenario or a test that exercises the rules above"
        );
    }
    out
}

/// Rule coverage as JSON.
pub fn coverage_json(c: &Coverage, fail_under: Option<f64>) -> String {
    let prog = program();
    let rules: Vec<Json> = c
        .rules
        .iter()
        .map(|r| {
            let rule = prog.rules.get(r.rule);
            json!({
                "id": r.rule,
                "file": rule.map(|x| x.file.clone()),
                "line": rule.map(|x| x.line),
                "head": head_name(r.rule),
                "doc": rule.map(|x| x.doc.clone()),
                "fired_in": r.fired_in.iter().filter_map(|&s| c.scenarios.get(s)).collect::<Vec<_>>(),
                "firings": r.firings,
            })
        })
        .collect();
    to_pretty(&json!({
        "scenarios": c.scenarios,
        "rules": rules,
        "fired": c.fired(),
        "total": c.rules.len(),
        "percent": (c.percent() * 10.0).round() / 10.0,
        "fail_under": fail_under,
        "passed": fail_under.is_none_or(|t| c.percent() >= t),
    }))
}

/// One scenario's expectations: a summary line, then each failure with what was derived instead.
pub fn expectations_text(syms: &Symbols, scenario: &str, outcomes: &[ExpectOutcome]) -> String {
    let prog = program();
    let failed = outcomes.iter().filter(|o| !o.passed).count();
    let mut out = format!(
        "{scenario}: {} expectation{}, {} passed, {failed} failed\n",
        outcomes.len(),
        if outcomes.len() == 1 { "" } else { "s" },
        outcomes.len() - failed
    );
    for o in outcomes.iter().filter(|o| !o.passed) {
        let what = pattern(syms, &o.pattern);
        if o.holds {
            let _ = writeln!(
                out,
                "  FAIL {}: expected {what} to hold, but it does not",
                o.place
            );
            if let Some(w) = &o.why_not {
                if !w.instead.is_empty() {
                    let shown: Vec<String> = w
                        .instead
                        .iter()
                        .take(5)
                        .map(|t| tuple(syms, o.pattern.rel, t))
                        .collect();
                    let more = w.instead.len().saturating_sub(5);
                    let more = if more > 0 {
                        format!(" and {more} more")
                    } else {
                        String::new()
                    };
                    let _ = writeln!(out, "       derived instead: {}{more}", shown.join(", "));
                }
                for r in &w.rules {
                    let place = prog.rules.get(r.rule).map(rule_place).unwrap_or_default();
                    let why = match &r.reason {
                        Reason::Fires => "fires".to_string(),
                        Reason::Missing { atom, .. } => {
                            format!("needs {}, which does not hold", pattern(syms, atom))
                        }
                        Reason::Blocked { by, atom, .. } => {
                            format!("is blocked: {} holds", tuple(syms, atom.rel, by))
                        }
                        Reason::Fails { condition, .. } => format!("fails the check {condition}"),
                        Reason::TooManyCombinations => {
                            "has too many combinations to search".to_string()
                        }
                    };
                    let _ = writeln!(out, "       {place} {why}");
                }
                if w.input {
                    let _ = writeln!(out, "       it is an input: no scenario fact gives it");
                }
            }
        } else {
            let _ = writeln!(
                out,
                "  FAIL {}: expected {what} to be absent, but it holds",
                o.place
            );
            let shown: Vec<String> = o
                .matching
                .iter()
                .take(5)
                .map(|t| tuple(syms, o.pattern.rel, t))
                .collect();
            let more = o.matching.len().saturating_sub(5);
            let more = if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            };
            let _ = writeln!(out, "       derived: {}{more}", shown.join(", "));
            if let Some(r) = o.derived_by.and_then(|r| prog.rules.get(r)) {
                let _ = writeln!(out, "       by {} — {}", rule_place(r), r.doc);
            }
        }
        let _ = writeln!(
            out,
            "       (lode explain{} {scenario} '{}')",
            if o.holds { " --why-not" } else { "" },
            o.query.replace('\'', "\"")
        );
    }
    out
}

/// The closing line of `lode test`.
pub fn expectations_total(scenarios: usize, total: usize, failed: usize) -> String {
    format!(
        "\n{total} expectation{} in {scenarios} scenario{}: {} passed, {failed} failed\n",
        if total == 1 { "" } else { "s" },
        if scenarios == 1 { "" } else { "s" },
        total - failed
    )
}

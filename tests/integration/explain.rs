//! Explain: snapshots of proofs and why-not answers on the baseline, and a property over every
//! scenario: every conclusion has a proof whose leaves are cited facts, parameters or computed
//! facts, each step of which re-checks against its rule, and whose height is the least height
//! a naive fixpoint over the firings finds.

use crate::lode;
use lode::datalog::program;
use lode::datalog::syntax::{ArithOp, CmpOp, Expr, Literal, Rule, Term};
use lode::explain::{Explainer, Proof, Step};
use lode::lower::{Facts, Origin};
use lode::model::{Tuple, Value};
use std::collections::HashMap;
use std::path::Path;

/// Replaces the digits (and colons) right after each occurrence of `key` with `with`.
fn redact(text: &str, key: &str, with: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(key) {
        out.push_str(&rest[..i + key.len()]);
        rest = &rest[i + key.len()..];
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == ':'))
            .unwrap_or(rest.len());
        if digits > 0 {
            out.push_str(with);
        }
        rest = &rest[digits..];
    }
    out.push_str(rest);
    out
}

/// Makes a proof snapshot churn only when a proof changes: the line:col of places in the
/// generated baseline (`scenarios/baseline.toml:9369:1`) become `N:N`, and a rule's line number
/// (`rules/20_risk.dl:47`, JSON `"line": 47`) becomes `N` (`0`): the rule stays named by its file and
/// its doc line, which the proof prints next to it, so moving a rule within its file changes
/// nothing here while changing what it says or does does.
pub fn stable(text: &str) -> String {
    let t = redact(text, "baseline.toml:", "N:N");
    let t = redact(&t, ".dl:", "N");
    redact(&t, "\"line\": ", "0")
}

fn explain_ok(args: &[&str]) -> String {
    let (out, code) = lode(args);
    assert_eq!(code, 0, "lode {args:?}:\n{out}");
    stable(&out)
}

#[test]
fn proof_text_gallium_refining_critical() {
    insta::assert_snapshot!(explain_ok(&[
        "explain",
        "RiskLevel(USA, gallium, refining, critical)"
    ]));
}

#[test]
fn proof_text_diversification_option() {
    insta::assert_snapshot!(explain_ok(&[
        "explain",
        "DiversificationOption(USA, fluorspar, mining, MNG, _)"
    ]));
}

#[test]
fn proof_text_transit_dependence_named_fields() {
    insta::assert_snapshot!(explain_ok(&[
        "explain",
        "transitdependence(country=MNG, via=CHN)"
    ]));
}

#[test]
fn proof_text_depth_cut() {
    insta::assert_snapshot!(explain_ok(&[
        "explain",
        "--depth",
        "1",
        "RiskLevel(USA, gallium, refining, critical)"
    ]));
}

#[test]
fn proof_json_dominant() {
    insta::assert_snapshot!(explain_ok(&[
        "explain",
        "--format",
        "json",
        "Dominant(gallium, refining, CHN, _)"
    ]));
}

#[test]
fn proof_dot_concentration() {
    let out = explain_ok(&[
        "explain",
        "--format",
        "dot",
        "Concentration(gallium, refining, high)",
    ]);
    assert!(out.starts_with("digraph proof {"), "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn why_not_text_rare_earths_refining_critical() {
    insta::assert_snapshot!(explain_ok(&[
        "explain",
        "--why-not",
        "RiskLevel(USA, rare_earths, refining, critical)"
    ]));
}

#[test]
fn why_not_json_rare_earths_refining_critical() {
    insta::assert_snapshot!(explain_ok(&[
        "explain",
        "--why-not",
        "--format",
        "json",
        "RiskLevel(USA, rare_earths, refining, critical)"
    ]));
}

#[test]
fn nothing_matches_suggests_why_not() {
    let (out, code) = lode(&["explain", "RiskLevel(USA, rare_earths, refining, critical)"]);
    assert_eq!(code, 1);
    assert!(
        out.contains("lode explain --why-not 'RiskLevel(USA, rare_earths, refining, critical)'"),
        "{out}"
    );
}

#[test]
fn why_not_of_what_holds_exits_1() {
    let (out, code) = lode(&[
        "explain",
        "--why-not",
        "RiskLevel(USA, gallium, refining, critical)",
    ]);
    assert_eq!(code, 1);
    assert!(out.contains("holds"), "{out}");
}

#[test]
fn query_errors_suggest() {
    let (out, code) = lode(&["explain", "RiskLevl(USA, gallium, refining, critical)"]);
    assert_eq!(code, 2);
    assert!(
        out.contains("unknown relation `RiskLevl`") && out.contains("did you mean `RiskLevel`?"),
        "{out}"
    );
    let (out, code) = lode(&["explain", "RiskLevel(USA, galium, refining, critical)"]);
    assert_eq!(code, 2);
    assert!(out.contains("did you mean `gallium`?"), "{out}");
}

#[test]
fn several_matches_are_each_explained() {
    let (out, code) = lode(&["explain", "TransitDependence(MNG, _, _)"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("2 conclusions match"), "{out}");
    assert!(
        out.contains("TransitDependence(MNG, CHN, 90.00%)")
            && out.contains("TransitDependence(MNG, RUS, 10.00%)"),
        "{out}"
    );
}

/// The data lines of a `lode run` text output: every line indented under a relation heading.
fn data_lines(out: &str) -> Vec<&str> {
    out.lines().filter(|l| l.starts_with("  ")).collect()
}

/// Whether every leaf of a proof is a fact that names its source, a parameter, or a computed
/// tuple whose own inputs are (recursively): the proof goes down to a source.
fn down_to_a_source(s: &lode::scenario::Scenario, p: &Proof) -> Result<(), String> {
    match &p.step {
        Step::Rule { premises, .. } => premises.iter().try_for_each(|q| down_to_a_source(s, q)),
        // A computed tuple with no inputs is an empty sum (no aligned share): nothing to cite.
        Step::Computed { inputs, .. } => inputs.iter().try_for_each(|q| down_to_a_source(s, q)),
        Step::Input { origins } => {
            if origins.is_empty() {
                return Err("an input tuple with no origin".into());
            }
            for o in origins {
                match o {
                    Origin::Fact(i) => {
                        let f = s.facts.get(*i).ok_or("a fact index out of range")?;
                        if f.table.needs_source
                            && [f.source.as_str(), f.str("rationale"), f.str("note")]
                                .iter()
                                .all(|x| x.trim().is_empty())
                        {
                            return Err(format!("fact {} names no source", f.describe()));
                        }
                    }
                    Origin::Param { .. } => {}
                    Origin::Computed { .. } | Origin::Cut { .. } => {
                        return Err(format!("unexpected origin {o:?} in a baseline proof"));
                    }
                }
            }
            Ok(())
        }
        Step::Truncated => Err("a truncated proof".into()),
    }
}

#[test]
fn every_line_of_run_output_pastes_into_explain() {
    // Every data line of `lode run` and `lode run --confidence` on the baseline, pasted as it is
    // (leading spaces, column padding and the `# confidence` comment included), parses with the
    // parser `lode explain` uses, matches exactly the conclusion it shows, and has a proof that
    // goes down to cited facts.
    let path = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/baseline.toml"
    ));
    let (s, facts) = super::open(path);
    let ex = Explainer::new(&s, &facts);
    let mut tested = 0;
    for args in [&["run"][..], &["run", "--confidence"][..]] {
        let (out, code) = lode(args);
        assert_eq!(code, 0, "{out}");
        let lines = data_lines(&out);
        assert!(
            lines.len() > 100,
            "lode {args:?}: only {} data lines",
            lines.len()
        );
        for line in lines {
            let q = lode::query::parse(line).unwrap_or_else(|e| panic!("{line:?}: {e:?}"));
            let p = q
                .resolve(&facts.syms)
                .unwrap_or_else(|e| panic!("{line:?}: {e:?}"));
            let found = p.find(&ex.model().db);
            assert_eq!(
                found.len(),
                1,
                "{line:?} matches {} conclusions",
                found.len()
            );
            let proof = ex
                .proof(p.rel, found[0], None)
                .unwrap_or_else(|| panic!("{line:?} has no proof"));
            if let Err(e) = down_to_a_source(&s, &proof) {
                panic!("{line:?}: {e}");
            }
            tested += 1;
        }
    }
    assert!(tested > 200, "{tested}");
    // And end to end, through `lode explain` itself, for every 50th line.
    let (out, _) = lode(&["run", "--confidence"]);
    for line in data_lines(&out).into_iter().step_by(50) {
        let (proof, code) = lode(&["explain", line]);
        assert_eq!(code, 0, "{line}\n{proof}");
        let atom = line.split('#').next().unwrap_or_default();
        let squeezed: String = atom.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(proof.starts_with(&squeezed), "{squeezed}\n{proof}");
        assert!(proof.contains("source: "), "{line}\n{proof}");
    }
}

#[test]
fn rules_lists_every_relation_and_rule() {
    let (out, code) = lode(&["rules", "--format", "json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["relations"].as_array().map(Vec::len),
        Some(program().relations.len())
    );
    assert_eq!(
        v["rules"].as_array().map(Vec::len),
        Some(program().rules.len())
    );
    let (text, _) = lode(&["rules"]);
    for r in &program().rules {
        assert!(
            text.contains(&format!("{}:{}", r.file, r.line)),
            "{}:{}",
            r.file,
            r.line
        );
    }
}

#[test]
fn coverage_fail_under() {
    let (out, code) = lode(&["coverage", "scenarios/baseline.toml", "--fail-under", "100"]);
    assert!(out.contains("coverage: "), "{out}");
    assert_eq!(code, u8::from(!out.contains("(100.0%)")));
    let (_, code) = lode(&["coverage", "scenarios/baseline.toml", "--fail-under", "0"]);
    assert_eq!(code, 0);
}

// ---- the property: every conclusion of every scenario has a checked, least-height proof ----

fn sym(facts: &Facts, s: &str) -> Value {
    Value::Sym(
        facts
            .syms
            .get(s)
            .unwrap_or_else(|| panic!("rule constant `{s}` not interned")),
    )
}

fn var(rule: &Rule, vals: &[(String, Value)], v: &str) -> Value {
    assert!(
        rule.vars.iter().any(|(n, _)| n == v),
        "{v} is not a variable of the rule"
    );
    vals.iter()
        .find(|(n, _)| n == v)
        .map(|(_, x)| *x)
        .unwrap_or_else(|| panic!("no value for {v}"))
}

fn term(facts: &Facts, rule: &Rule, vals: &[(String, Value)], t: &Term) -> Option<Value> {
    match t {
        Term::Var(v) => Some(var(rule, vals, v)),
        Term::Wild => None,
        Term::Sym(s) => Some(sym(facts, s)),
        Term::Num(n) => Some(Value::Num(*n)),
    }
}

fn eval(facts: &Facts, rule: &Rule, vals: &[(String, Value)], e: &Expr) -> Value {
    match e {
        Expr::Term(t) => {
            term(facts, rule, vals, t).unwrap_or_else(|| panic!("`_` in an expression"))
        }
        Expr::Bin(a, op, b) => {
            let (a, b) = (
                eval(facts, rule, vals, a).num(),
                eval(facts, rule, vals, b).num(),
            );
            Value::Num(match op {
                ArithOp::Add => a.saturating_add(b),
                ArithOp::Sub => a.saturating_sub(b),
                ArithOp::Mul => a.saturating_mul(b),
            })
        }
    }
}

fn holds(op: CmpOp, a: Value, b: Value) -> bool {
    match (a, b) {
        (Value::Num(a), Value::Num(b)) => match op {
            CmpOp::Lt => a < b,
            CmpOp::Le => a <= b,
            CmpOp::Gt => a > b,
            CmpOp::Ge => a >= b,
            CmpOp::Eq => a == b,
            CmpOp::Ne => a != b,
        },
        _ => match op {
            CmpOp::Eq => a == b,
            CmpOp::Ne => a != b,
            _ => panic!("symbols compared with an order"),
        },
    }
}

/// Checks one proof step against its rule and recurses. Returns the number of nodes checked.
fn check(ex: &Explainer<'_>, p: &Proof, what: &str) -> usize {
    let prog = program();
    let facts = ex.facts();
    let db = &ex.model().db;
    assert!(
        db.contains(p.rel, &p.tuple),
        "{what}: a proof node does not hold"
    );
    match &p.step {
        Step::Rule {
            rule,
            bindings,
            premises,
            negations,
            conditions,
        } => {
            let r = &prog.rules[*rule];
            assert_eq!(r.head.rel, p.rel, "{what}: rule concludes another relation");
            assert_eq!(
                bindings.len(),
                r.vars.len(),
                "{what}: one value per variable"
            );
            let head: Vec<Value> = r
                .head
                .args
                .iter()
                .map(|t| term(facts, r, bindings, t).unwrap())
                .collect();
            assert_eq!(
                &head[..],
                &p.tuple[..],
                "{what}: the rule's head, substituted, is not the conclusion"
            );
            let mut pi = premises.iter();
            let (mut negs, mut conds) = (0, 0);
            for lit in &r.body {
                match lit {
                    Literal::Pos(a) => {
                        let q = pi
                            .next()
                            .unwrap_or_else(|| panic!("{what}: a premise is missing"));
                        let t: Vec<Value> = a
                            .args
                            .iter()
                            .map(|t| term(facts, r, bindings, t).unwrap())
                            .collect();
                        assert_eq!(
                            (q.rel, &t[..]),
                            (a.rel, &q.tuple[..]),
                            "{what}: premise differs from the body atom"
                        );
                        assert!(db.contains(a.rel, &t), "{what}: premise not in the model");
                    }
                    Literal::Neg(a) => {
                        negs += 1;
                        let pat: Vec<Option<Value>> =
                            a.args.iter().map(|t| term(facts, r, bindings, t)).collect();
                        let blocked = db
                            .rel(a.rel)
                            .iter()
                            .any(|t| t.iter().zip(&pat).all(|(v, w)| w.is_none_or(|w| w == *v)));
                        assert!(!blocked, "{what}: a negated atom holds");
                    }
                    Literal::Cmp(l, op, rr) => {
                        conds += 1;
                        let (a, b) = (eval(facts, r, bindings, l), eval(facts, r, bindings, rr));
                        assert!(holds(*op, a, b), "{what}: a comparison fails");
                    }
                    Literal::Bind(v, e) => {
                        conds += 1;
                        assert_eq!(
                            eval(facts, r, bindings, e),
                            var(r, bindings, v),
                            "{what}: a binding differs"
                        );
                    }
                }
            }
            assert!(pi.next().is_none(), "{what}: more premises than body atoms");
            assert_eq!(
                (negations.len(), conditions.len()),
                (negs, conds),
                "{what}: negations or conditions miscounted"
            );
            let h = 1 + premises.iter().map(|q| q.height).max().unwrap_or(0);
            assert_eq!(p.height, h, "{what}: height is not 1 + the highest premise");
            1 + premises.iter().map(|q| check(ex, q, what)).sum::<usize>()
        }
        Step::Input { origins } => {
            assert!(
                prog.relations[p.rel].input,
                "{what}: an input step on a derived relation"
            );
            assert!(!origins.is_empty(), "{what}: an input with no origin");
            for o in origins {
                match o {
                    Origin::Fact(i) => assert!(
                        *i < ex.scenario().facts.len(),
                        "{what}: a fact index out of range"
                    ),
                    Origin::Param { .. } => {}
                    other => panic!("{what}: leaf is not a scenario fact or parameter: {other:?}"),
                }
            }
            assert_eq!(p.height, 0);
            1
        }
        Step::Computed { inputs, .. } => {
            assert!(
                prog.relations[p.rel].input,
                "{what}: a computed step on a derived relation"
            );
            assert!(
                facts
                    .origins_of(p.rel, &p.tuple)
                    .iter()
                    .any(|o| matches!(o, Origin::Computed { .. }))
            );
            1 + inputs.iter().map(|q| check(ex, q, what)).sum::<usize>()
        }
        Step::Truncated => panic!("{what}: truncated without --depth"),
    }
}

/// Least proof heights by a naive fixpoint over the firings: independent of `Heights`.
fn naive_heights(ex: &Explainer<'_>) -> HashMap<(usize, Tuple), usize> {
    let prog = program();
    let facts = ex.facts();
    let mut h: HashMap<(usize, Tuple), usize> = HashMap::new();
    for (ri, r) in prog.relations.iter().enumerate() {
        if r.input {
            for t in ex.model().db.rel(ri) {
                h.insert((ri, t.clone()), 0);
            }
        }
    }
    let mut changed = true;
    while changed {
        changed = false;
        for (ri, rule) in prog.rules.iter().enumerate() {
            let empty: &[Value] = &[];
            let rows: Vec<&[Value]> = if rule.body.is_empty() {
                vec![empty]
            } else {
                ex.firings()[ri].iter().collect()
            };
            for row in rows {
                let vals: Vec<(String, Value)> = rule
                    .vars
                    .iter()
                    .map(|(n, _)| n.clone())
                    .zip(row.iter().copied())
                    .collect();
                let mut best = 0;
                let mut ok = true;
                for lit in &rule.body {
                    if let Literal::Pos(a) = lit {
                        let t: Tuple = a
                            .args
                            .iter()
                            .map(|t| term(facts, rule, &vals, t).unwrap())
                            .collect();
                        match h.get(&(a.rel, t)) {
                            Some(&x) => best = best.max(x),
                            None => ok = false,
                        }
                    }
                }
                if !ok {
                    continue;
                }
                let head: Tuple = rule
                    .head
                    .args
                    .iter()
                    .map(|t| term(facts, rule, &vals, t).unwrap())
                    .collect();
                let e = h.entry((rule.head.rel, head)).or_insert(usize::MAX);
                if best + 1 < *e {
                    *e = best + 1;
                    changed = true;
                }
            }
        }
    }
    h
}

#[test]
fn every_conclusion_of_every_scenario_has_a_checked_least_height_proof() {
    let mut files: Vec<_> = std::fs::read_dir("scenarios")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    for path in files {
        let (s, facts) = super::open(Path::new(&path));
        let ex = Explainer::new(&s, &facts);
        let naive = naive_heights(&ex);
        let mut checked = 0;
        for (ri, r) in program().relations.iter().enumerate() {
            if r.input {
                continue;
            }
            for t in ex.model().db.rel(ri) {
                let what = format!(
                    "{}: {}",
                    path.display(),
                    lode::report::atom(&facts.syms, ri, t)
                );
                let p = ex
                    .proof(ri, t, None)
                    .unwrap_or_else(|| panic!("{what}: no proof"));
                assert!(!p.leaves().is_empty() || p.size() == 1, "{what}: no leaves");
                for leaf in p.leaves() {
                    assert!(
                        matches!(leaf, Origin::Fact(_) | Origin::Param { .. }),
                        "{what}: leaf {leaf:?}"
                    );
                }
                checked += check(&ex, &p, &what);
                assert_eq!(
                    Some(&p.height),
                    naive.get(&(ri, t.clone())),
                    "{what}: not a least-height proof"
                );
            }
        }
        assert!(checked > 0, "{}: nothing checked", path.display());
    }
}

#[test]
fn fact_leaves_point_at_their_table_rows() {
    let (s, facts) = super::open(Path::new("scenarios/baseline.toml"));
    let ex = Explainer::new(&s, &facts);
    let rel = lode::datalog::relation("RiskLevel").unwrap();
    for t in ex.model().db.rel(rel) {
        let p = ex.proof(rel, t, None).unwrap();
        for leaf in p.leaves() {
            if let Origin::Fact(i) = leaf {
                let f = &s.facts[*i];
                let file = s.file(&f.loc);
                let (line, _) = file.line_col(f.loc.span.start);
                let text = file.text.lines().nth(line - 1).unwrap_or_default();
                assert!(
                    !text.trim().is_empty(),
                    "{}: empty line at {}",
                    f.describe(),
                    s.place(&f.loc)
                );
            }
        }
    }
}

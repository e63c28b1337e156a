//! Exports the rule program and a scenario's input facts for two independent engines:
//! Soufflé (a directory: `rules.dl` and one tab-separated `.facts` file per input relation) and
//! clingo (one answer-set program).
//!
//! Both translations are generated from the parsed program ([`crate::datalog::program`]), never
//! written per rule, so the engines run the very program lode runs. The facts are the input
//! relations after lowering *and* the aggregates computed in Rust ([`Facts::db`]): the other
//! engine sees exactly the tuples lode's engine sees.
//!
//! Numbers stay integers (basis points, HHI points). Both engines use 32-bit integers by default;
//! every number lode derives from valid input is far below 2³¹.

use crate::datalog::syntax::{ArithOp, Atom, CmpOp, Expr, Literal, Program, Term};
use crate::error::Error;
use crate::lower::Facts;
use crate::model::{Tuple, Value};
use std::fmt::Write as _;

/// Words Soufflé reserves: a rule variable with one of these names gets a `v_` prefix.
const SOUFFLE_KEYWORDS: &[&str] = &[
    "as",
    "band",
    "bnot",
    "bor",
    "bshl",
    "bshr",
    "bshru",
    "bxor",
    "cat",
    "choice",
    "contains",
    "count",
    "false",
    "land",
    "lnot",
    "lor",
    "lxor",
    "match",
    "max",
    "mean",
    "min",
    "nil",
    "ord",
    "range",
    "strlen",
    "substr",
    "sum",
    "to_float",
    "to_number",
    "to_string",
    "to_unsigned",
    "true",
    "autoinc",
    "inline",
    "number",
    "symbol",
    "float",
    "unsigned",
];

/// The name of a relation in ASP: `ImportReliance` → `import_reliance`.
pub fn asp_name(relation: &str) -> String {
    let mut out = String::with_capacity(relation.len() + 4);
    for (i, c) in relation.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// A string constant, quoted for ASP or Soufflé (both use C-like escapes).
fn quoted(s: &str) -> String {
    let mut q = String::with_capacity(s.len() + 2);
    q.push('"');
    for c in s.chars() {
        match c {
            '"' => q.push_str("\\\""),
            '\\' => q.push_str("\\\\"),
            '\n' => q.push_str("\\n"),
            '\t' => q.push_str("\\t"),
            c => q.push(c),
        }
    }
    q.push('"');
    q
}

/// The two target dialects.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Dialect {
    Souffle,
    Asp,
}

fn is_wildcard_var(v: &str) -> bool {
    v.starts_with("_w")
}

fn var(d: Dialect, v: &str) -> String {
    if is_wildcard_var(v) {
        return "_".into();
    }
    match d {
        Dialect::Asp => format!("V_{v}"),
        Dialect::Souffle if SOUFFLE_KEYWORDS.contains(&v) => format!("v_{v}"),
        Dialect::Souffle => v.to_string(),
    }
}

fn term(d: Dialect, t: &Term) -> String {
    match t {
        Term::Var(v) => var(d, v),
        Term::Wild => "_".into(),
        Term::Sym(s) => quoted(s),
        Term::Num(n) if *n < 0 => format!("({n})"),
        Term::Num(n) => n.to_string(),
    }
}

fn expr(d: Dialect, e: &Expr) -> String {
    match e {
        Expr::Term(t) => term(d, t),
        Expr::Bin(a, op, b) => {
            let op = match op {
                ArithOp::Add => "+",
                ArithOp::Sub => "-",
                ArithOp::Mul => "*",
            };
            format!("({} {op} {})", expr(d, a), expr(d, b))
        }
    }
}

fn atom(d: Dialect, program: &Program, a: &Atom) -> String {
    let name = program
        .relations
        .get(a.rel)
        .map_or("unknown", |r| r.name.as_str());
    let name = match d {
        Dialect::Asp => asp_name(name),
        Dialect::Souffle => name.to_string(),
    };
    let args: Vec<String> = a.args.iter().map(|t| term(d, t)).collect();
    format!("{name}({})", args.join(", "))
}

fn literal(d: Dialect, program: &Program, lit: &Literal) -> String {
    match lit {
        Literal::Pos(a) => atom(d, program, a),
        Literal::Neg(a) => match d {
            Dialect::Asp => format!("not {}", atom(d, program, a)),
            Dialect::Souffle => format!("!{}", atom(d, program, a)),
        },
        Literal::Cmp(l, op, r) => {
            let op = match op {
                CmpOp::Lt => "<",
                CmpOp::Le => "<=",
                CmpOp::Gt => ">",
                CmpOp::Ge => ">=",
                CmpOp::Eq => "=",
                CmpOp::Ne => "!=",
            };
            format!("{} {op} {}", expr(d, l), expr(d, r))
        }
        Literal::Bind(v, e) => format!("{} = {}", var(d, v), expr(d, e)),
    }
}

fn has_arith(e: &Expr) -> bool {
    matches!(e, Expr::Bin(..))
}

/// The variables of an expression, in order of first appearance.
fn expr_vars(e: &Expr, out: &mut Vec<String>) {
    match e {
        Expr::Term(Term::Var(v)) if !out.contains(v) => out.push(v.clone()),
        Expr::Term(_) => {}
        Expr::Bin(a, _, b) => {
            expr_vars(a, out);
            expr_vars(b, out);
        }
    }
}

/// An expression in Python (exact integers), over the arguments `v_<name>`.
fn py_expr(e: &Expr) -> String {
    match e {
        Expr::Term(Term::Var(v)) => format!("v_{v}"),
        Expr::Term(Term::Num(n)) => format!("({n})"),
        Expr::Term(_) => "None".into(),
        Expr::Bin(a, op, b) => {
            let op = match op {
                ArithOp::Add => "+",
                ArithOp::Sub => "-",
                ArithOp::Mul => "*",
            };
            format!("({} {op} {})", py_expr(a), py_expr(b))
        }
    }
}

/// ASP literals with arithmetic are evaluated by a Python function of the exported program:
/// clingo's integers are 32 bits and wrap silently on overflow, lode's are 64 bits. Returns the
/// literal and appends the function to `py`.
fn asp_arith(lit: &Literal, py: &mut String) -> Option<String> {
    let n = py.matches("\ndef lode_").count();
    let (vars, body, call) = match lit {
        Literal::Cmp(l, op, r) if has_arith(l) || has_arith(r) => {
            let mut vars = Vec::new();
            expr_vars(l, &mut vars);
            expr_vars(r, &mut vars);
            let op = match op {
                CmpOp::Lt => "<",
                CmpOp::Le => "<=",
                CmpOp::Gt => ">",
                CmpOp::Ge => ">=",
                CmpOp::Eq => "==",
                CmpOp::Ne => "!=",
            };
            let body = format!("Number(1 if {} {op} {} else 0)", py_expr(l), py_expr(r));
            (vars, body, "{call} = 1".to_string())
        }
        Literal::Bind(v, e) if has_arith(e) => {
            let mut vars = Vec::new();
            expr_vars(e, &mut vars);
            (
                vars,
                format!("_fit({})", py_expr(e)),
                format!("{} = {{call}}", var(Dialect::Asp, v)),
            )
        }
        _ => return None,
    };
    let params: Vec<String> = vars.iter().map(|v| format!("v_{v}")).collect();
    let _ = writeln!(py, "\ndef lode_{n}({}):", params.join(", "));
    for p in &params {
        let _ = writeln!(py, "    {p} = {p}.number");
    }
    let _ = writeln!(py, "    return {body}");
    let args: Vec<String> = vars.iter().map(|v| var(Dialect::Asp, v)).collect();
    Some(call.replace("{call}", &format!("@lode_{n}({})", args.join(", "))))
}

fn rules(d: Dialect, program: &Program, out: &mut String) {
    let mut py = String::new();
    for rule in &program.rules {
        let comment = match d {
            Dialect::Asp => "%",
            Dialect::Souffle => "//",
        };
        let _ = writeln!(out, "{comment} {}:{}: {}", rule.file, rule.line, rule.doc);
        let head = atom(d, program, &rule.head);
        if rule.body.is_empty() {
            let _ = writeln!(out, "{head}.");
        } else {
            let body: Vec<String> = rule
                .body
                .iter()
                .map(|l| {
                    let arith = if d == Dialect::Asp {
                        asp_arith(l, &mut py)
                    } else {
                        None
                    };
                    arith.unwrap_or_else(|| literal(d, program, l))
                })
                .collect();
            let _ = writeln!(out, "{head} :- {}.", body.join(", "));
        }
    }
    if !py.is_empty() {
        out.push_str(
            "\n% Arithmetic in exact integers: clingo's own are 32 bits and wrap silently on overflow.\n\
             #script (python)\nfrom clingo import Number\n\n\
             def _fit(x):\n    if not -2**31 <= x < 2**31:\n        \
             raise OverflowError(f\"{x} does not fit clingo's 32-bit integers\")\n    return Number(x)\n",
        );
        out.push_str(&py);
        out.push_str("#end.\n");
    }
}

/// The rule program in Soufflé syntax: a `.decl` per relation, `.input` for input relations,
/// `.output` for every derived relation, then the rules.
pub fn souffle_rules(program: &Program) -> String {
    let mut out = String::from(
        "// @generated by `lode export --to souffle` from rules/*.dl: do not edit.\n\
         // Numbers are lode's 64-bit integers: products in rules can pass 2^31, so run a Soufflé\n\
         // built with a 64-bit domain (cmake -DSOUFFLE_DOMAIN_64BIT=ON).\n\n",
    );
    for r in &program.relations {
        let fields: Vec<String> = r
            .fields
            .iter()
            .map(|f| {
                let name = if SOUFFLE_KEYWORDS.contains(&f.name.as_str()) {
                    format!("f_{}", f.name)
                } else {
                    f.name.clone()
                };
                format!("{name}: {}", f.ty.as_str())
            })
            .collect();
        let _ = writeln!(out, "// {}", r.doc);
        let _ = writeln!(out, ".decl {}({})", r.name, fields.join(", "));
        let io = if r.input { ".input" } else { ".output" };
        let _ = writeln!(out, "{io} {}\n", r.name);
    }
    rules(Dialect::Souffle, program, &mut out);
    out
}

/// Both engines hold 32-bit integers by default (Soufflé unless built for 64 bits, clingo
/// always): a larger input number is refused rather than silently wrapped.
fn check_fits(facts: &Facts, rel: &str, t: &[Value]) -> Result<(), Error> {
    for v in t {
        if let Value::Num(n) = v
            && i32::try_from(*n).is_err()
        {
            let vals: Vec<String> = t.iter().map(|v| facts.syms.show(v)).collect();
            return Err(Error::usage(
                format!(
                    "{rel}({}) holds {n}, beyond the 32-bit integers of Soufflé and clingo",
                    vals.join(", ")
                ),
                Some("lode itself computes in 64 bits; only the export is limited".into()),
            ));
        }
    }
    Ok(())
}

/// The sorted, deduplicated tuples of an input relation.
fn input_tuples(facts: &Facts, rel: usize) -> Vec<Tuple> {
    let mut ts: Vec<Tuple> = facts.db.rel(rel).to_vec();
    ts.sort_by(|a, b| facts.syms.cmp_tuples(a, b));
    ts.dedup();
    ts
}

/// One `.facts` file per input relation of the program, `(file name, tab-separated content)`,
/// in program order. Relations without tuples get an empty file (Soufflé requires the file).
pub fn souffle_facts(program: &Program, facts: &Facts) -> Result<Vec<(String, String)>, Error> {
    let mut files = Vec::new();
    for (ri, r) in program.relations.iter().enumerate() {
        if !r.input {
            continue;
        }
        let mut text = String::new();
        for t in input_tuples(facts, ri) {
            check_fits(facts, &r.name, &t)?;
            let mut cells = Vec::with_capacity(t.len());
            for v in t.iter() {
                let cell = facts.syms.show(v);
                if cell.contains(['\t', '\n', '\r']) {
                    return Err(Error::usage(
                        format!(
                            "`{}` holds a tab or a line break and cannot be written to {}.facts",
                            cell.escape_debug(),
                            r.name
                        ),
                        None,
                    ));
                }
                cells.push(cell);
            }
            text.push_str(&cells.join("\t"));
            text.push('\n');
        }
        files.push((format!("{}.facts", r.name), text));
    }
    Ok(files)
}

/// One answer-set program for clingo: the input facts, the rules (`not` for negation, variables
/// `V_x`), and `#show` for every derived relation. A comment line per relation,
/// `%% lode relation <Name> <asp_name>/<arity> input|derived <field>,…`, maps ASP names back to
/// lode's.
pub fn asp(program: &Program, facts: &Facts) -> Result<String, Error> {
    let mut out = String::from(
        "% @generated by `lode export --to asp`: the rules of rules/*.dl and a scenario's input facts.\n",
    );
    out.push_str(
        "% Run: clingo FILE (one answer set: the program is stratified). Arithmetic, if any, is a\n\
         % #script (python): from Python, call clingo.script.enable_python() first.\n\n",
    );
    for r in &program.relations {
        let kind = if r.input { "input" } else { "derived" };
        let fields: Vec<&str> = r.fields.iter().map(|f| f.name.as_str()).collect();
        let _ = writeln!(
            out,
            "%% lode relation {} {}/{} {kind} {}",
            r.name,
            asp_name(&r.name),
            r.fields.len(),
            fields.join(",")
        );
    }
    out.push_str("\n% ---- input facts (after lowering and the computed aggregates) ----\n");
    for (ri, r) in program.relations.iter().enumerate() {
        if !r.input {
            continue;
        }
        let name = asp_name(&r.name);
        let ts = input_tuples(facts, ri);
        let _ = writeln!(out, "% {} ({} tuples)", r.name, ts.len());
        for t in ts {
            check_fits(facts, &r.name, &t)?;
            let args: Vec<String> = t
                .iter()
                .map(|v| match v {
                    Value::Sym(s) => quoted(facts.syms.name(*s)),
                    Value::Num(n) => n.to_string(),
                })
                .collect();
            let _ = writeln!(out, "{name}({}).", args.join(","));
        }
    }
    out.push_str("\n% ---- rules ----\n");
    rules(Dialect::Asp, program, &mut out);
    out.push_str("\n% ---- derived relations ----\n");
    for r in &program.relations {
        if !r.input {
            let _ = writeln!(out, "#show {}/{}.", asp_name(&r.name), r.fields.len());
        }
    }
    // Input relations no rule or fact mentions would make clingo warn: declare them empty.
    out.push_str("\n% ---- every input relation exists, even when empty ----\n");
    for r in &program.relations {
        if r.input {
            let _ = writeln!(out, "#defined {}/{}.", asp_name(&r.name), r.fields.len());
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asp_names_are_snake_case() {
        assert_eq!(asp_name("ImportReliance"), "import_reliance");
        assert_eq!(asp_name("Hhi"), "hhi");
        assert_eq!(asp_name("HhiWgi"), "hhi_wgi");
    }

    #[test]
    fn every_rule_is_translated() {
        let p = crate::datalog::program();
        let s = souffle_rules(p);
        assert_eq!(
            s.matches(" :- ").count() + p.rules.iter().filter(|r| r.body.is_empty()).count(),
            p.rules.len()
        );
        assert!(s.contains(".output RiskLevel"));
        assert!(s.contains(".input Share"));
        assert!(s.contains("!Critical(k, m, s)"));
    }
}

//! Code generation shared by the two build scripts (`build.rs` of lode, `bake/build.rs` of the
//! copy of the library that `build.rs` runs): reads `rules/*.dl`, checks the program and writes
//! the engines into `OUT_DIR`:
//!
//! - `fast.rs`: the rules as written, in stages (one crepe program per depth of the graph of
//!   strongly connected components, [`gen_staged`]); `lode run` and friends use it.
//! - `prov.rs`: the same rules, each split in two through a `Fire<i>` relation that records every
//!   firing with the value of each of its variables; only explain and coverage use it.
//!
//! and `rule_files.rs`, which embeds the rule texts so the library can parse the very same program
//! as metadata (relation names, fields, docs, rule bodies); and `bundled.rs`, which embeds every
//! `scenarios/*.toml` and `data/**/*.csv` so the bundled baseline loads from any directory.

#[path = "../src/datalog/syntax.rs"]
#[allow(dead_code)]
mod syntax;

use std::fmt::Write as _;
use std::path::Path;
use syntax::{ArithOp, Atom, CmpOp, Expr, Literal, Program, Term, Ty};

/// Writes `fast.rs`, `prov.rs`, `rule_files.rs` and `bundled.rs` into `OUT_DIR`, from the rules,
/// scenarios and tables under `root` (the repository).
pub fn generate(root: &Path) {
    let dir = root.join("rules");
    println!("cargo:rerun-if-changed={}", dir.display());
    println!(
        "cargo:rerun-if-changed={}",
        root.join("src/datalog/syntax.rs").display()
    );
    println!(
        "cargo:rerun-if-changed={}",
        root.join("build/codegen.rs").display()
    );
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| fail(&format!("cannot read rules/: {e}")))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "dl"))
        .collect();
    paths.sort();
    let texts: Vec<(String, String)> = paths
        .iter()
        .map(|p| {
            println!("cargo:rerun-if-changed={}", p.display());
            let text = std::fs::read_to_string(p)
                .unwrap_or_else(|e| fail(&format!("cannot read {}: {e}", p.display())));
            (
                format!(
                    "rules/{}",
                    p.file_name()
                        .map(|f| f.to_string_lossy())
                        .unwrap_or_default()
                ),
                text,
            )
        })
        .collect();
    let borrowed: Vec<(&str, &str)> = texts
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let program = syntax::parse_program(&borrowed).unwrap_or_else(|e| fail(&e.to_string()));

    let out = std::env::var("OUT_DIR").unwrap_or_else(|_| fail("OUT_DIR is not set"));
    let out = Path::new(&out);
    // The parsed program itself, so the library need not parse the rules again at start-up.
    let bytes = postcard::to_stdvec(&program).unwrap_or_else(|e| fail(&e.to_string()));
    if let Err(e) = std::fs::write(out.join("program.bin"), bytes) {
        fail(&format!("cannot write program.bin: {e}"));
    }
    write(&out.join("fast.rs"), &gen_staged(&program));
    write(&out.join("prov.rs"), &gen_prov(&program));
    let mut files = String::from(
        "/// The rule files, embedded: `(path, text)` in name order.\npub static RULE_FILES: &[(&str, &str)] = &[\n",
    );
    for (name, _) in &texts {
        let _ = writeln!(
            files,
            "    ({name:?}, include_str!({:?})),",
            root.join(name).display().to_string()
        );
    }
    files.push_str("];\n\n/// Relation ids, by name, as numbered in the program.\n#[allow(dead_code)]\npub mod rel {\n");
    for (i, r) in program.relations.iter().enumerate() {
        let _ = writeln!(files, "    pub const {}: usize = {i};", screaming(&r.name));
    }
    files.push_str("}\n");
    write(&out.join("rule_files.rs"), &files);
    write(&out.join("bundled.rs"), &bundled(root));
}

/// `bundled.rs`: every `scenarios/*.toml` and `data/**/*.csv`, embedded as
/// `(repository-relative path, text)` sorted by path, so the bundled baseline and the tables it
/// loads need no files at run time.
fn bundled(root: &Path) -> String {
    let mut found = Vec::new();
    for (dir, ext, deep) in [("scenarios", "toml", false), ("data", "csv", true)] {
        if root.join(dir).is_dir() {
            println!("cargo:rerun-if-changed={}", root.join(dir).display());
            collect(root, Path::new(dir), ext, deep, &mut found);
        }
    }
    found.sort();
    let mut out = String::from(
        "/// Every bundled file: `(repository-relative path, text)`, sorted by path.\npub static BUNDLED: &[(&str, &str)] = &[\n",
    );
    let mut baseline = None;
    for (i, rel) in found.iter().enumerate() {
        let _ = writeln!(out, "    ({rel:?}, F{i}),");
        if rel == "scenarios/baseline.toml" {
            baseline = Some(i);
        }
    }
    out.push_str("];\n");
    for (i, rel) in found.iter().enumerate() {
        let abs = root.join(rel);
        let _ = writeln!(
            out,
            "const F{i}: &str = include_str!({:?});",
            abs.display().to_string()
        );
    }
    let _ = writeln!(
        out,
        "/// The text of `scenarios/baseline.toml`.\npub const BASELINE_TEXT: &str = {};",
        baseline.map_or("\"\"".to_string(), |i| format!("F{i}"))
    );
    out
}

/// Files under `root/dir` ending in `.ext` (in subdirectories too if `deep`), as `/`-separated
/// paths relative to `root`.
fn collect(root: &Path, dir: &Path, ext: &str, deep: bool, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let rel = dir.join(&name);
        let path = e.path();
        if path.is_dir() {
            if deep {
                collect(root, &rel, ext, deep, out);
            }
        } else if path.extension().is_some_and(|x| x == ext) {
            out.push(
                rel.components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/"),
            );
        }
    }
}

fn screaming(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

pub fn fail(msg: &str) -> ! {
    eprintln!("error in rules: {msg}");
    std::process::exit(1)
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text)
        .unwrap_or_else(|e| fail(&format!("cannot write {}: {e}", path.display())));
}

fn rust_ty(ty: Ty) -> &'static str {
    match ty {
        Ty::Symbol => "Sym",
        Ty::Number => "i64",
    }
}

fn sym_const(program: &Program, s: &str) -> String {
    let i = program.constants.iter().position(|c| c == s).unwrap_or(0);
    format!("Sym({i})")
}

fn term(program: &Program, t: &Term) -> String {
    match t {
        Term::Var(v) if v.starts_with("_w") => format!("v{v}"),
        Term::Var(v) => format!("v_{v}"),
        Term::Wild => "_".into(),
        Term::Sym(s) => sym_const(program, s),
        Term::Num(n) => format!("{n}i64"),
    }
}

fn expr(program: &Program, e: &Expr) -> String {
    match e {
        Expr::Term(t) => term(program, t),
        Expr::Bin(a, op, b) => {
            let f = match op {
                ArithOp::Add => "saturating_add",
                ArithOp::Sub => "saturating_sub",
                ArithOp::Mul => "saturating_mul",
            };
            format!("({}).{f}({})", expr(program, a), expr(program, b))
        }
    }
}

fn atom(program: &Program, a: &Atom) -> String {
    let args: Vec<String> = a.args.iter().map(|t| term(program, t)).collect();
    format!("{}({})", program.relations[a.rel].name, args.join(", "))
}

fn body(program: &Program, lits: &[Literal]) -> String {
    let mut parts = Vec::new();
    for lit in lits {
        parts.push(match lit {
            Literal::Pos(a) => atom(program, a),
            Literal::Neg(a) => format!("!{}", atom(program, a)),
            Literal::Cmp(l, op, r) => {
                let op = match op {
                    CmpOp::Lt => "<",
                    CmpOp::Le => "<=",
                    CmpOp::Gt => ">",
                    CmpOp::Ge => ">=",
                    CmpOp::Eq => "==",
                    CmpOp::Ne => "!=",
                };
                format!("({} {op} {})", expr(program, l), expr(program, r))
            }
            Literal::Bind(v, e) => format!("let v_{v} = {}", expr(program, e)),
        });
    }
    parts.join(", ")
}

fn var_name(v: &str) -> String {
    if v.starts_with("_w") {
        format!("v{v}")
    } else {
        format!("v_{v}")
    }
}

/// The generated engines' readers of a field of a `Tuple`.
const TUPLE_READERS: &str = "fn sym(t: &Tuple, i: usize) -> Sym { t.get(i).map_or(Sym::NONE, |v| v.sym()) }\nfn num(t: &Tuple, i: usize) -> i64 { t.get(i).map_or(0, |v| v.num()) }\n\n";

/// `prov.rs`: the provenance program, one crepe program where each rule *i* fires through a
/// `Fire<i>` relation holding the value of each of its variables.
fn gen_prov(program: &Program) -> String {
    let mut s = String::new();
    s.push_str("// @generated by build.rs from rules/*.dl: do not edit.\n");
    s.push_str("#[allow(warnings, clippy::all, clippy::pedantic, clippy::unwrap_used, clippy::expect_used, clippy::panic)]\nmod program {\n    use crate::model::Sym;\n    crepe::crepe! {\n");
    for rel in &program.relations {
        let tys: Vec<&str> = rel.fields.iter().map(|f| rust_ty(f.ty)).collect();
        let kind = if rel.input { "@input" } else { "@output" };
        let _ = writeln!(
            s,
            "        {kind}\n        pub struct {}({});",
            rel.name,
            tys.iter()
                .map(|t| format!("pub {t}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    for (i, rule) in program.rules.iter().enumerate() {
        if rule.body.is_empty() {
            continue;
        }
        let tys: Vec<String> = rule
            .vars
            .iter()
            .map(|(_, t)| format!("pub {}", rust_ty(*t)))
            .collect();
        let _ = writeln!(
            s,
            "        @output\n        pub struct Fire{i}({});",
            tys.join(", ")
        );
    }
    for (i, rule) in program.rules.iter().enumerate() {
        let head = atom(program, &rule.head);
        if rule.body.is_empty() {
            let _ = writeln!(s, "        {head};");
        } else {
            let vars: Vec<String> = rule.vars.iter().map(|(v, _)| var_name(v)).collect();
            let fire = format!("Fire{i}({})", vars.join(", "));
            let _ = writeln!(s, "        {fire} <- {};", body(program, &rule.body));
            let _ = writeln!(s, "        {head} <- {fire};");
        }
    }
    s.push_str("    }\n}\n\n");
    s.push_str("use program::*;\nuse crate::model::{Database, Tuple, Value, Sym};\n\n");
    s.push_str(TUPLE_READERS);
    s.push_str("use crate::model::Rows;\n\n");
    s.push_str("/// Evaluates the provenance program: the derived relations and, per rule, every firing.\n/// Each input relation of `db` is let go once copied into crepe (freed, unless shared).\npub fn run(mut db: Database) -> (Database, Vec<Rows>) {\n");
    s.push_str("    let mut rt = Crepe::new();\n");
    // Only the input relations some rule reads go into crepe, which copies each into two hash
    // sets: the rest (at 10^6 facts, a million tuples) would be built and thrown away, since
    // `engine` takes every input relation of the model from the facts.
    let read: std::collections::BTreeSet<usize> = program
        .rules
        .iter()
        .flat_map(|r| &r.body)
        .filter_map(|l| match l {
            Literal::Pos(a) | Literal::Neg(a) => Some(a.rel),
            Literal::Cmp(..) | Literal::Bind(..) => None,
        })
        .collect();
    for (ri, rel) in program.relations.iter().enumerate() {
        if !rel.input || !read.contains(&ri) {
            continue;
        }
        let args: Vec<String> = per_field(rel, "sym(t, {i})", "num(t, {i})");
        let _ = writeln!(
            s,
            "    rt.extend(db.take({ri}).iter().map(|t| {}({})));",
            rel.name,
            args.join(", ")
        );
    }
    let mut outs = Vec::new();
    for (ri, rel) in program.relations.iter().enumerate() {
        if !rel.input {
            outs.push(format!("o{ri}"));
        }
    }
    let mut fires = Vec::new();
    for (i, rule) in program.rules.iter().enumerate() {
        if !rule.body.is_empty() {
            fires.push(format!("f{i}"));
        }
    }
    let all: Vec<String> = outs.iter().chain(fires.iter()).cloned().collect();
    // The relations no rule reads go too, before the run allocates its sets.
    s.push_str("    drop(db);\n");
    let _ = writeln!(
        s,
        "    let ({},) = rt.run_with_hasher::<rustc_hash::FxBuildHasher>();",
        all.join(", ")
    );
    let _ = writeln!(
        s,
        "    let mut out = Database::empty({});",
        program.relations.len()
    );
    for (ri, rel) in program.relations.iter().enumerate() {
        if rel.input {
            continue;
        }
        let binds: Vec<String> = (0..rel.fields.len()).map(|i| format!("a{i}")).collect();
        let vals: Vec<String> = per_field(rel, "Value::Sym(a{i})", "Value::Num(a{i})");
        let _ = writeln!(
            s,
            "    out.set({ri}, o{ri}.into_iter().map(|{}({})| Tuple::from([{}])).collect());",
            rel.name,
            binds.join(", "),
            vals.join(", ")
        );
    }
    let _ = writeln!(
        s,
        "    let mut fired: Vec<Rows> = vec![Rows::default(); {}];",
        program.rules.len()
    );
    for (i, rule) in program.rules.iter().enumerate() {
        if rule.body.is_empty() {
            continue;
        }
        let binds: Vec<String> = (0..rule.vars.len()).map(|j| format!("a{j}")).collect();
        let vals: Vec<String> = rule
            .vars
            .iter()
            .enumerate()
            .map(|(j, (_, t))| match t {
                Ty::Symbol => format!("Value::Sym(a{j})"),
                Ty::Number => format!("Value::Num(a{j})"),
            })
            .collect();
        // One flat list per rule (`Rows`): no allocation per firing.
        let _ = writeln!(
            s,
            "    let n = f{i}.len();\n    let mut vals = Vec::with_capacity(n.saturating_mul({}));\n    for Fire{i}({}) in f{i} {{ vals.extend_from_slice(&[{}]); }}\n    fired[{i}] = Rows::from_flat({}, n, vals);",
            rule.vars.len(),
            binds.join(", "),
            vals.join(", "),
            rule.vars.len()
        );
    }
    s.push_str("    (out, fired)\n}\n");
    s
}

/// The relations a rule's body reads, positively or negatively.
fn body_rels(rule: &syntax::Rule) -> impl Iterator<Item = usize> + '_ {
    rule.body.iter().filter_map(|l| match l {
        Literal::Pos(a) | Literal::Neg(a) => Some(a.rel),
        Literal::Cmp(..) | Literal::Bind(..) => None,
    })
}

/// The stages of the plain evaluation: `stages[k]` lists the derived relations computed by the
/// k-th crepe program. A relation's stage is its depth in the graph of the program's strongly
/// connected components (one more than the deepest component it reads from, input relations at
/// depth 0), so every relation a stage reads outside its own components was computed by an
/// earlier stage, negated ones included, and the relations of one stage do not read each other
/// across components.
fn stages(program: &Program) -> Vec<Vec<usize>> {
    let n = program.relations.len();
    let mut reads: Vec<Vec<usize>> = vec![Vec::new(); n];
    for rule in &program.rules {
        reads[rule.head.rel].extend(body_rels(rule));
    }
    for r in &mut reads {
        r.sort_unstable();
        r.dedup();
    }
    let comp = components(&reads);
    let mut depth = vec![0usize; n];
    // Components are numbered so that a component reads only components numbered before it
    // (Tarjan's order), so one pass in that order settles every depth.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&r| (comp[r], r));
    for &r in &order {
        if program.relations[r].input {
            continue;
        }
        let d = reads[r]
            .iter()
            .filter(|&&b| comp[b] != comp[r])
            .map(|&b| depth[b])
            .max()
            .unwrap_or(0)
            + 1;
        // Every member of a component takes the deepest of them.
        for m in 0..n {
            if comp[m] == comp[r] {
                depth[m] = depth[m].max(d);
            }
        }
    }
    let derived =
        |r: &usize| !program.relations[*r].input && program.rules.iter().any(|x| x.head.rel == *r);
    (1..=depth.iter().copied().max().unwrap_or(0))
        .map(|d| {
            (0..n)
                .filter(derived)
                .filter(|&r| depth[r] == d)
                .collect::<Vec<_>>()
        })
        .filter(|st| !st.is_empty())
        .collect()
}

/// Tarjan's strongly connected components of the graph `reads` (an edge from each relation to
/// those it reads): `comp[r]` numbers `r`'s component, every component numbered after the ones
/// it reads from.
fn components(reads: &[Vec<usize>]) -> Vec<usize> {
    struct State<'a> {
        reads: &'a [Vec<usize>],
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        on: Vec<bool>,
        stack: Vec<usize>,
        next: usize,
        comp: Vec<usize>,
        comps: usize,
    }
    fn visit(s: &mut State<'_>, v: usize) {
        s.index[v] = Some(s.next);
        s.low[v] = s.next;
        s.next += 1;
        s.stack.push(v);
        s.on[v] = true;
        for i in 0..s.reads[v].len() {
            let w = s.reads[v][i];
            match s.index[w] {
                None => {
                    visit(s, w);
                    s.low[v] = s.low[v].min(s.low[w]);
                }
                Some(iw) if s.on[w] => s.low[v] = s.low[v].min(iw),
                Some(_) => {}
            }
        }
        if Some(s.low[v]) == s.index[v] {
            while let Some(w) = s.stack.pop() {
                s.on[w] = false;
                s.comp[w] = s.comps;
                if w == v {
                    break;
                }
            }
            s.comps += 1;
        }
    }
    let n = reads.len();
    let mut s = State {
        reads,
        index: vec![None; n],
        low: vec![0; n],
        on: vec![false; n],
        stack: Vec::new(),
        next: 0,
        comp: vec![0; n],
        comps: 0,
    };
    for v in 0..n {
        if s.index[v].is_none() {
            visit(&mut s, v);
        }
    }
    s.comp
}

/// A relation's fields as a Rust tuple type: `(Sym, i64,)`.
fn carrier_ty(rel: &syntax::Relation) -> String {
    let tys: Vec<&str> = rel.fields.iter().map(|f| rust_ty(f.ty)).collect();
    format!("({},)", tys.join(", "))
}

/// `a0, a1, …` for a relation's fields.
fn binds(rel: &syntax::Relation) -> String {
    (0..rel.fields.len())
        .map(|i| format!("a{i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One expression per field of `rel`: `sym` for a symbol, `num` for a number, `{i}` in either
/// standing for the field's position.
fn per_field(rel: &syntax::Relation, sym: &str, num: &str) -> Vec<String> {
    rel.fields
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let pattern = match f.ty {
                Ty::Symbol => sym,
                Ty::Number => num,
            };
            pattern.replace("{i}", &i.to_string())
        })
        .collect()
}

/// `out.set(r, …)` from an iterator expression `from` of carrier tuples.
fn to_tuples(ri: usize, rel: &syntax::Relation, from: &str) -> String {
    let vals: Vec<String> = per_field(rel, "Value::Sym(a{i})", "Value::Num(a{i})");
    format!(
        "out.set({ri}, {from}.map(|({},)| Tuple::from([{}])).collect());",
        binds(rel),
        vals.join(", ")
    )
}

/// `fast.rs`: the plain evaluation, as one crepe program per stage ([`stages`]) run one after
/// another. crepe holds every relation of a program, and every index it built, until the program
/// ends; split, each relation and index lives only through the stage that computes or reads it.
/// Between stages a relation is carried as a list of plain tuples (its fields, no pointer), let
/// go after the last stage that reads it unless `keep` asks for it; the kept ones become the
/// database's tuples at the end, once every stage's sets are gone. Between two stages
/// `memory::return_pages` hands what the first freed back to the operating system.
fn gen_staged(program: &Program) -> String {
    let stages = stages(program);
    let n = program.relations.len();
    let mut stage_of = vec![None; n];
    for (k, st) in stages.iter().enumerate() {
        for &r in st {
            stage_of[r] = Some(k);
        }
    }
    // Per stage, the relations it reads that an earlier stage (or the facts) supplied.
    let stage_reads: Vec<Vec<usize>> = stages
        .iter()
        .enumerate()
        .map(|(k, st)| {
            let mut reads: Vec<usize> = program
                .rules
                .iter()
                .filter(|r| st.contains(&r.head.rel))
                .flat_map(body_rels)
                .filter(|&b| stage_of[b] != Some(k))
                .collect();
            reads.sort_unstable();
            reads.dedup();
            reads
        })
        .collect();
    let last_reader = |r: usize| stage_reads.iter().rposition(|rs| rs.contains(&r));

    let mut s = String::new();
    s.push_str("// @generated by build.rs from rules/*.dl: do not edit.\n");
    let _ = writeln!(s, "// {} stages.", stages.len());
    for (k, st) in stages.iter().enumerate() {
        let _ = writeln!(
            s,
            "#[allow(warnings, clippy::all, clippy::pedantic, clippy::unwrap_used, clippy::expect_used, clippy::panic)]\nmod stage{k} {{\n    use crate::model::Sym;\n    crepe::crepe! {{"
        );
        let mut declared: Vec<usize> = stage_reads[k].iter().chain(st).copied().collect();
        declared.sort_unstable();
        for r in declared {
            let rel = &program.relations[r];
            let tys: Vec<String> = rel
                .fields
                .iter()
                .map(|f| format!("pub {}", rust_ty(f.ty)))
                .collect();
            let kind = if st.contains(&r) { "@output" } else { "@input" };
            let _ = writeln!(
                s,
                "        {kind}\n        pub struct {}({});",
                rel.name,
                tys.join(", ")
            );
        }
        for rule in program.rules.iter().filter(|r| st.contains(&r.head.rel)) {
            let head = atom(program, &rule.head);
            if rule.body.is_empty() {
                let _ = writeln!(s, "        {head};");
            } else {
                let _ = writeln!(s, "        {head} <- {};", body(program, &rule.body));
            }
        }
        s.push_str("    }\n}\n\n");
    }
    s.push_str("use crate::model::{Database, Packed, Tuple, Value, Sym, word_num, word_sym};\n\n");
    s.push_str(TUPLE_READERS);
    s.push_str("/// Relation `r` of `packed`, taken out (empty if it has none).\nfn take_packed(packed: &mut [Packed], r: usize) -> Packed { packed.get_mut(r).map(std::mem::take).unwrap_or_default() }\n\n");
    s.push_str("/// Evaluates the rules over `db` (input relations filled) and returns every derived relation.\npub fn run(db: Database) -> Database {\n    run_keeping(db, Vec::new(), &|_| true)\n}\n\n");
    s.push_str("/// Evaluates the rules over `db` (input relations filled; a relation of `packed` that is not\n/// empty is read from there instead) and returns the derived relations `keep` names (the others\n/// are left empty). Each input relation is let go once copied (freed, unless shared), and each\n/// derived relation once no later stage reads it.\n#[allow(clippy::redundant_closure_for_method_calls, clippy::too_many_lines)]\npub fn run_keeping(mut db: Database, mut packed: Vec<Packed>, keep: &dyn Fn(usize) -> bool) -> Database {\n");
    let _ = writeln!(s, "    let mut out = Database::empty({n});");
    // The input relations some stage reads, as plain tuples; the facts' copies go at once.
    for (ri, rel) in program.relations.iter().enumerate() {
        if last_reader(ri).is_none() || stage_of[ri].is_some() {
            continue;
        }
        if rel.input {
            let args = per_field(rel, "sym(t, {i})", "num(t, {i})");
            // `model::Packed`'s layout: a word per symbol, two per number.
            let mut at = 0;
            let words: Vec<String> = rel
                .fields
                .iter()
                .map(|f| {
                    let (read, width) = match f.ty {
                        Ty::Symbol => (format!("word_sym(w, {at})"), 1),
                        Ty::Number => (format!("word_num(w, {at})"), 2),
                    };
                    at += width;
                    read
                })
                .collect();
            let _ = writeln!(
                s,
                "    let p = take_packed(&mut packed, {ri});\n    let mut c{ri}: Vec<{}> = if p.is_empty() {{ db.take({ri}).iter().map(|t| ({},)).collect() }} else {{ p.rows().map(|w| ({},)).collect() }};\n    drop(p);",
                carrier_ty(rel),
                args.join(", "),
                words.join(", ")
            );
        } else {
            // Declared but derived by no rule: always empty.
            let _ = writeln!(
                s,
                "    let mut c{ri}: Vec<{}> = Vec::new();",
                carrier_ty(rel)
            );
        }
    }
    s.push_str("    drop(db);\n    drop(packed);\n");
    for (k, st) in stages.iter().enumerate() {
        // What the last stage freed (its sets and indices), or the facts once copied, goes back
        // before this one fills its own.
        s.push_str("    crate::memory::return_pages();\n");
        let mutable = if stage_reads[k].is_empty() {
            ""
        } else {
            "mut "
        };
        let _ = writeln!(
            s,
            "    // Stage {k}.\n    let {mutable}rt = stage{k}::Crepe::new();"
        );
        for &ri in &stage_reads[k] {
            let rel = &program.relations[ri];
            let b = binds(rel);
            let last = last_reader(ri) == Some(k);
            if last && rel.input {
                // The last stage to read an input relation consumes its list.
                let _ = writeln!(
                    s,
                    "    rt.extend(std::mem::take(&mut c{ri}).into_iter().map(|({b},)| stage{k}::{}({b})));",
                    rel.name
                );
            } else {
                let _ = writeln!(
                    s,
                    "    rt.extend(c{ri}.iter().copied().map(|({b},)| stage{k}::{}({b})));",
                    rel.name
                );
                if last {
                    // Read for the last time: kept only for the result.
                    let _ = writeln!(s, "    if !keep({ri}) {{ c{ri} = Vec::new(); }}");
                }
            }
        }
        let outs: Vec<String> = st.iter().map(|r| format!("o{r}")).collect();
        let _ = writeln!(
            s,
            "    let ({},) = rt.run_with_hasher::<rustc_hash::FxBuildHasher>();",
            outs.join(", ")
        );
        for &ri in st {
            let rel = &program.relations[ri];
            let b = binds(rel);
            let name = &rel.name;
            // Carried as plain tuples while a later stage reads it or the result keeps it; the
            // result's tuples are made at the end, once every stage's sets are gone.
            let (carried, mutable) = if last_reader(ri).is_some() {
                ("true".to_string(), "mut ")
            } else {
                (format!("keep({ri})"), "")
            };
            let _ = writeln!(
                s,
                "    let {mutable}c{ri}: Vec<{}> = if {carried} {{ o{ri}.into_iter().map(|stage{k}::{name}({b})| ({b},)).collect() }} else {{ drop(o{ri}); Vec::new() }};",
                carrier_ty(rel)
            );
        }
    }
    // The last stage's sets go back before the kept relations become tuples.
    s.push_str("    crate::memory::return_pages();\n");
    for st in &stages {
        for &ri in st {
            let rel = &program.relations[ri];
            let _ = writeln!(
                s,
                "    if keep({ri}) {{ {} }}",
                to_tuples(ri, rel, &format!("c{ri}.into_iter()"))
            );
        }
    }
    s.push_str("    out\n}\n");
    s
}

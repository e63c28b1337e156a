//! Times lode's pipeline stages inside one process, for `bench/compare.sh` and BENCHMARKS.md.
//!
//! ```text
//! cargo run --release --example stages -- [OPTIONS] SCENARIO.toml
//! cargo run --release --example stages -- [OPTIONS] --baseline
//! cargo run --release --example stages -- [OPTIONS] --gen FACTS SEED
//!   --repeat R             best of R runs of load, lower and evaluate (default 1)
//!   --explain              also the explain overhead: medians of max(R, 50) interleaved rounds of
//!                          engine::evaluate, engine::evaluate_traced and Explainer::new
//!   --counts               relation sizes and firings per rule, on standard error
//!   --export-souffle DIR   also write rules.dl and the .facts files (as `lode export --to souffle`)
//!   --export-asp FILE      also write the clingo program (as `lode export --to asp`)
//! ```
//!
//! Prints one JSON object: milliseconds of read (or generate), load (parse + validate), lower
//! (lowering + aggregates) and evaluate (the plain engine: crepe plus sorting the result); the
//! number of input and derived tuples; and the process's peak resident memory in KiB (VmHWM)
//! after each stage of the first run.
//!
//! A file is loaded as `lode run` loads it (`scenario::load`: the TOML and the CSV tables it
//! `[[load]]`s); `--baseline` is the bundled baseline; `--gen` text goes through
//! `scenario::load_str`.

use lode::datalog::program;
use lode::engine;
use lode::export;
use lode::lower::{self, Options};
use lode::scenario;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

// The allocator of the `lode` binary, so the stages time what `lode run` runs.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn peak_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

fn fail(msg: &str) -> ExitCode {
    eprintln!("{msg}");
    ExitCode::from(2)
}

#[derive(Default)]
struct Args {
    scenario: Option<String>,
    generate: Option<(usize, u64)>,
    repeat: usize,
    souffle: Option<PathBuf>,
    asp: Option<PathBuf>,
    explain: bool,
    counts: bool,
}

fn parse_args() -> Result<Args, String> {
    let usage = "usage: stages [--repeat R] [--export-souffle DIR] [--export-asp FILE] (SCENARIO.toml | --gen FACTS SEED)";
    let mut a = Args {
        repeat: 1,
        ..Args::default()
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || {
            it.next()
                .ok_or_else(|| format!("{arg} needs a value\n{usage}"))
        };
        match arg.as_str() {
            "--repeat" => a.repeat = value()?.parse().map_err(|_| usage.to_string())?,
            "--export-souffle" => a.souffle = Some(value()?.into()),
            "--export-asp" => a.asp = Some(value()?.into()),
            "--explain" => a.explain = true,
            "--counts" => a.counts = true,
            "--gen" => {
                let n = value()?.parse().map_err(|_| usage.to_string())?;
                let seed = value()?.parse().map_err(|_| usage.to_string())?;
                a.generate = Some((n, seed));
            }
            "--baseline" => a.scenario = Some(String::new()),
            s if !s.starts_with("--") && a.scenario.is_none() => a.scenario = Some(s.to_string()),
            _ => return Err(usage.to_string()),
        }
    }
    if a.scenario.is_none() == a.generate.is_none() {
        return Err(usage.to_string());
    }
    a.repeat = a.repeat.max(1);
    Ok(a)
}

fn write(path: &std::path::Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => return fail(&e),
    };
    let t = Instant::now();
    // A file is loaded as `lode run` loads it (`scenario::load`: the TOML and any CSV tables it
    // loads); `--gen` text with `scenario::load_str`; `--baseline` is the bundled baseline.
    let (name, text) = match (&args.scenario, args.generate) {
        (Some(path), _) => (path.clone(), None),
        (None, Some((n, seed))) => (
            format!("gen-{n}.toml"),
            Some(lode::r#gen::generate(n, seed)),
        ),
        (None, None) => return fail("nothing to load"),
    };
    let read_ms = ms(t);
    let bytes = match &text {
        Some(t) => t.len() as u64,
        None => std::fs::metadata(&name).map_or(0, |m| m.len()),
    };
    let opts = Options::default();
    let mut best = [f64::INFINITY; 3];
    let mut peaks = [0u64; 3];
    let (mut inputs, mut derived) = (0, 0);
    let mut explain: Option<(f64, f64, f64)> = None;
    for run in 0..args.repeat {
        let t = Instant::now();
        let loaded = match (&text, name.as_str()) {
            (Some(text), _) => scenario::load_str(&name, text, None),
            (None, "") => scenario::load(None),
            (None, path) => scenario::load(Some(std::path::Path::new(path))),
        };
        let s = match loaded {
            Ok(s) => s,
            Err(e) => return fail(&lode::error::render(&e)),
        };
        best[0] = best[0].min(ms(t));
        let p0 = peak_kib();
        let t = Instant::now();
        let facts = match lower::lower(&s, &opts) {
            Ok(f) => f,
            Err(e) => return fail(&lode::error::render(&e)),
        };
        best[1] = best[1].min(ms(t));
        let p1 = peak_kib();
        let t = Instant::now();
        let model = engine::evaluate(&facts);
        best[2] = best[2].min(ms(t));
        let p2 = peak_kib();
        if run > 0 {
            continue;
        }
        if args.explain {
            explain = Some(explain_ratio(&s, &facts, args.repeat.max(50)));
        }
        if args.counts {
            counts(&facts, &model);
        }
        peaks = [p0, p1, p2];
        inputs = facts.db.size();
        derived = program()
            .relations
            .iter()
            .enumerate()
            .filter(|(_, r)| !r.input)
            .map(|(i, _)| model.db.rel(i).len())
            .sum::<usize>();
        drop(model);
        if let Some(dir) = &args.souffle {
            let files = match export::souffle_facts(program(), &facts) {
                Ok(f) => f,
                Err(e) => return fail(&lode::error::render(&e)),
            };
            if let Err(e) = std::fs::create_dir_all(dir) {
                return fail(&format!("cannot create {}: {e}", dir.display()));
            }
            let mut all = vec![("rules.dl".to_string(), export::souffle_rules(program()))];
            all.extend(files);
            for (file, text) in &all {
                if let Err(e) = write(&dir.join(file), text) {
                    return fail(&e);
                }
            }
        }
        if let Some(file) = &args.asp {
            match export::asp(program(), &facts) {
                Ok(text) => {
                    if let Err(e) = write(file, &text) {
                        return fail(&e);
                    }
                }
                Err(e) => return fail(&lode::error::render(&e)),
            }
        }
    }
    let explain = explain.map_or(String::new(), |(p, t, e)| {
        format!(", \"explain_rounds\": {}, \"evaluate_median_ms\": {p:.4}, \"traced_median_ms\": {t:.4}, \"explainer_median_ms\": {e:.4}, \"traced_ratio\": {:.3}, \"explain_ratio\": {:.3}", args.repeat.max(50), t / p, e / p)
    });
    println!(
        "{{\"scenario\": {name:?}, \"bytes\": {}, \"read_ms\": {read_ms:.3}, \"load_ms\": {:.3}, \"lower_ms\": {:.3}, \"evaluate_ms\": {:.3}, \"input_tuples\": {inputs}, \"derived_tuples\": {derived}, \"peak_kib_after_load\": {}, \"peak_kib_after_lower\": {}, \"peak_kib_after_evaluate\": {}{explain}}}",
        bytes, best[0], best[1], best[2], peaks[0], peaks[1], peaks[2]
    );
    ExitCode::SUCCESS
}

/// Medians over `rounds` interleaved rounds (so both see the same load) of `engine::evaluate`,
/// `engine::evaluate_traced` and `Explainer::new`, in milliseconds — what benches/explain.rs
/// measures, in a process light enough for callgrind.
#[inline(never)]
fn explain_ratio(s: &scenario::Scenario, facts: &lower::Facts, rounds: usize) -> (f64, f64, f64) {
    let (mut p, mut t, mut e) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..rounds {
        let x = Instant::now();
        std::hint::black_box(engine::evaluate(facts));
        p.push(ms(x));
        let x = Instant::now();
        std::hint::black_box(engine::evaluate_traced(facts));
        t.push(ms(x));
        let x = Instant::now();
        std::hint::black_box(lode::explain::Explainer::new(s, facts));
        e.push(ms(x));
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    (median(&mut p), median(&mut t), median(&mut e))
}

/// Relation sizes and firings per rule, on standard error.
fn counts(facts: &lower::Facts, model: &engine::Model) {
    let prog = program();
    for (i, r) in prog.relations.iter().enumerate() {
        eprintln!(
            "rel {:>8} {}{}",
            model.db.rel(i).len(),
            r.name,
            if r.input { " (input)" } else { "" }
        );
    }
    let (_, firings) = engine::evaluate_traced(facts);
    for (i, f) in firings.iter().enumerate() {
        if let Some(rule) = prog.rules.get(i) {
            eprintln!("rule {:>8} #{i} {}:{}", f.len(), rule.file, rule.line);
        }
    }
}

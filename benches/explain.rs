//! Explain overhead: plain evaluation (`engine::evaluate`) against the provenance evaluation
//! (`engine::evaluate_traced`, every rule split through a `Fire<i>` relation) and against all
//! that `lode explain` does before it renders (`Explainer::new`: traced evaluation plus least proof
//! heights), on the bundled baseline. `cargo bench --bench explain`; the ratios go to
//! BENCHMARKS.md, "Explain overhead".

use criterion::{Criterion, criterion_group, criterion_main};
use lode::engine;
use lode::explain::{Explainer, Heights};
use lode::lower::{self, Options};
use lode::scenario;
use std::hint::black_box;
use std::time::{Duration, Instant};

// The allocator of the `lode` binary, so the benches time what the binary runs.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn overhead(c: &mut Criterion) {
    let s = match scenario::load(None) {
        Ok(s) => s,
        Err(e) => panic!("{}", lode::error::render(&e)),
    };
    let facts = match lower::lower(&s, &Options::default()) {
        Ok(f) => f,
        Err(e) => panic!("{}", lode::error::render(&e)),
    };
    let mut g = c.benchmark_group("explain_overhead");
    g.sample_size(30).measurement_time(Duration::from_secs(8));
    g.bench_function("evaluate", |b| {
        b.iter(|| black_box(engine::evaluate(black_box(&facts))))
    });
    g.bench_function("evaluate_traced", |b| {
        b.iter(|| black_box(engine::evaluate_traced(black_box(&facts))))
    });
    // The engines alone, without sorting and merging the inputs back in: where the time goes.
    g.bench_function("fast_run", |b| {
        b.iter(|| black_box(lode::datalog::fast::run(black_box(facts.db.clone()))))
    });
    g.bench_function("prov_run", |b| {
        b.iter(|| black_box(lode::datalog::prov::run(black_box(facts.db.clone()))))
    });
    let (model, firings) = engine::evaluate_traced(&facts);
    g.bench_function("heights", |b| {
        b.iter(|| black_box(Heights::compute(&model, &firings)))
    });
    g.bench_function("explainer_new", |b| {
        b.iter(|| black_box(Explainer::new(&s, &facts)))
    });
    g.finish();
    interleaved(&s, &facts);
}

/// The ratio that matters, robust to a busy machine: the two runs alternate, so both see the
/// same load, and the medians are compared.
fn interleaved(s: &lode::scenario::Scenario, facts: &lode::lower::Facts) {
    let rounds = 300;
    let (mut plain, mut traced, mut explain) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..rounds {
        let t = Instant::now();
        black_box(engine::evaluate(black_box(facts)));
        plain.push(t.elapsed());
        let t = Instant::now();
        black_box(engine::evaluate_traced(black_box(facts)));
        traced.push(t.elapsed());
        let t = Instant::now();
        black_box(Explainer::new(s, facts));
        explain.push(t.elapsed());
    }
    let median = |v: &mut Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let (p, t, e) = (
        median(&mut plain),
        median(&mut traced),
        median(&mut explain),
    );
    println!(
        "interleaved medians over {rounds} rounds: evaluate {p:?}, evaluate_traced {t:?} ({:.2}x), Explainer::new {e:?} ({:.2}x)",
        t.as_secs_f64() / p.as_secs_f64(),
        e.as_secs_f64() / p.as_secs_f64()
    );
}

criterion_group!(benches, overhead);
criterion_main!(benches);

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
use std::time::Duration;

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
    let (model, firings) = engine::evaluate_traced(&facts);
    g.bench_function("heights", |b| {
        b.iter(|| black_box(Heights::compute(&model, &firings, &facts.syms)))
    });
    g.bench_function("explainer_new", |b| {
        b.iter(|| black_box(Explainer::new(&s, &facts)))
    });
    g.finish();
}

criterion_group!(benches, overhead);
criterion_main!(benches);

//! Pipeline benchmarks: parse + validate (`scenario::load_str`), lowering + aggregates
//! (`lower::lower`) and plain evaluation (`engine::evaluate`), on the bundled baseline and on
//! synthetic worlds from `lode::gen::generate` at 10³, 10⁴ and 10⁵ facts.
//!
//! `cargo bench --bench pipeline` runs the default sizes (a few minutes on two cores). Other sizes:
//! `LODE_BENCH_SIZES=1000,1000000 cargo bench --bench pipeline`. `bench/fit.py` reads criterion's
//! estimates and fits each stage's growth exponent (the slope of log time against log facts).

use criterion::{BenchmarkId, Criterion, SamplingMode, criterion_group, criterion_main};
use lode::engine;
use lode::r#gen::generate;
use lode::lower::{self, Options};
use lode::scenario::{self, BASELINE_NAME, BASELINE_TEXT};
use std::hint::black_box;
use std::time::Duration;

// The allocator of the `lode` binary, so the benches time what the binary runs.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const SEED: u64 = 8;

fn sizes() -> Vec<usize> {
    match std::env::var("LODE_BENCH_SIZES") {
        Ok(s) => s.split(',').filter_map(|x| x.trim().parse().ok()).collect(),
        Err(_) => vec![1_000, 10_000, 100_000],
    }
}

/// The worlds to measure: `(id, toml text)`, baseline first.
fn worlds() -> Vec<(String, String)> {
    let mut out = vec![("baseline".to_string(), BASELINE_TEXT.to_string())];
    for n in sizes() {
        out.push((n.to_string(), generate(n, SEED)));
    }
    out
}

fn pipeline(c: &mut Criterion) {
    let opts = Options::default();
    // Load and lower every world once, up front; each stage then measures only itself.
    let mut prepared = Vec::new();
    for (id, text) in worlds() {
        let name = if id == "baseline" {
            BASELINE_NAME.to_string()
        } else {
            format!("gen-{id}.toml")
        };
        let Ok(s) = scenario::load_str(&name, &text, None) else {
            eprintln!("skipping {id}: the scenario does not load");
            continue;
        };
        let Ok(facts) = lower::lower(&s, &opts) else {
            eprintln!("skipping {id}: the scenario does not lower");
            continue;
        };
        prepared.push((id, name, text, s, facts));
    }
    for stage in ["load", "lower", "evaluate"] {
        let mut g = c.benchmark_group(stage);
        g.sampling_mode(SamplingMode::Flat);
        g.warm_up_time(Duration::from_secs(1));
        g.measurement_time(Duration::from_secs(4));
        g.sample_size(10);
        for (id, name, text, s, facts) in &prepared {
            let bid = BenchmarkId::from_parameter(id);
            match stage {
                "load" => g.bench_with_input(bid, text, |b, t| {
                    b.iter(|| scenario::load_str(name, black_box(t), None))
                }),
                "lower" => {
                    g.bench_with_input(bid, s, |b, s| b.iter(|| lower::lower(black_box(s), &opts)))
                }
                _ => {
                    g.bench_with_input(bid, facts, |b, f| b.iter(|| engine::evaluate(black_box(f))))
                }
            };
        }
        g.finish();
    }
}

criterion_group!(benches, pipeline);
criterion_main!(benches);

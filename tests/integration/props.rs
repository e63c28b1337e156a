//! Property tests: generated scenarios evaluate, the order of facts does not matter, an overlay
//! that changes nothing changes no conclusion, and mangled input never makes lode panic.

use lode::datalog::program;
use lode::engine;
use lode::r#gen::generate;
use lode::lower::{self, Facts, Options};
use lode::scenario::{self, Scenario};
use proptest::prelude::*;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

/// Every relation (inputs, computed facts and conclusions) as sorted lines of text: what a
/// reader sees, independent of symbol numbering.
fn conclusions(facts: &Facts) -> Vec<String> {
    let model = engine::evaluate(facts);
    let mut out = Vec::new();
    for (ri, r) in program().relations.iter().enumerate() {
        for t in model.db.rel(ri) {
            let vals: Vec<String> = t.iter().map(|v| facts.syms.show(v)).collect();
            out.push(format!("{}({})", r.name, vals.join(", ")));
        }
    }
    out.sort();
    out
}

fn lower_ok(s: &Scenario) -> Facts {
    lower::lower(s, &Options::default()).unwrap_or_else(|e| panic!("{}", lode::error::render(&e)))
}

fn load_text(text: &str) -> Scenario {
    scenario::load_str("gen.toml", text, None)
        .unwrap_or_else(|e| panic!("{}", lode::error::render(&e)))
}

/// Splits scenario text into its head (everything before the first `[[…]]`) and its blocks.
fn blocks(text: &str) -> (String, Vec<String>) {
    let mut head = String::new();
    let mut blocks: Vec<String> = Vec::new();
    for line in text.lines() {
        if line.starts_with("[[") {
            blocks.push(String::new());
        }
        match blocks.last_mut() {
            Some(b) => {
                b.push_str(line);
                b.push('\n');
            }
            None => {
                head.push_str(line);
                head.push('\n');
            }
        }
    }
    (head, blocks)
}

/// A fixed RNG seed keeps CI deterministic; set PROPTEST_RNG_SEED (and PROPTEST_CASES) to explore.
fn config(cases: u32) -> ProptestConfig {
    let explore = std::env::var_os("PROPTEST_RNG_SEED").is_some();
    let default = ProptestConfig::default();
    ProptestConfig {
        cases: if std::env::var_os("PROPTEST_CASES").is_some() {
            default.cases
        } else {
            cases
        },
        failure_persistence: None,
        rng_seed: if explore {
            default.rng_seed
        } else {
            proptest::test_runner::RngSeed::Fixed(0x10de)
        },
        ..default
    }
}

proptest! {
    #![proptest_config(config(24))]

    /// Random valid scenarios load, lower and evaluate without error, and derive something.
    #[test]
    fn generated_scenarios_evaluate(seed in any::<u64>(), facts in 20usize..600) {
        let text = generate(facts, seed);
        let s = load_text(&text);
        let f = lower_ok(&s);
        let c = conclusions(&f);
        prop_assert!(c.iter().any(|l| l.starts_with("RiskLevel(")), "no RiskLevel for seed {seed}");
    }
}

proptest! {
    #![proptest_config(config(12))]

    /// The conclusions are the same whatever the order of the `[[…]]` blocks in the file.
    #[test]
    fn order_of_facts_does_not_matter(seed in any::<u64>(), facts in 20usize..400, perm in any::<u64>()) {
        let text = generate(facts, seed);
        let (head, mut bl) = blocks(&text);
        // A permutation drawn from `perm`: a seeded Fisher–Yates shuffle.
        let mut x = perm | 1;
        for i in (1..bl.len()).rev() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            bl.swap(i, (x % (i as u64 + 1)) as usize);
        }
        let shuffled = format!("{head}{}", bl.concat());
        let a = conclusions(&lower_ok(&load_text(&text)));
        let b = conclusions(&lower_ok(&load_text(&shuffled)));
        prop_assert_eq!(a, b);
    }

    /// An overlay that extends a scenario and adds nothing, or restates some of its facts
    /// unchanged, changes no conclusion.
    #[test]
    fn an_overlay_that_changes_nothing_changes_no_conclusion(
        seed in any::<u64>(),
        facts in 20usize..400,
        restate in proptest::collection::vec(any::<prop::sample::Index>(), 0..8),
    ) {
        let dir = tempdir(&format!("overlay-{seed}-{facts}"));
        let text = generate(facts, seed);
        std::fs::write(dir.join("base.toml"), &text).expect("write base");
        let (_, bl) = blocks(&text);
        let mut overlay = String::from("[scenario]\nextends = \"base.toml\"\ndefault_source = \"restated\"\n\n");
        for ix in &restate {
            let b = &bl[ix.index(bl.len())];
            if !overlay.contains(b.as_str()) {
                overlay.push_str(b);
                overlay.push('\n');
            }
        }
        std::fs::write(dir.join("overlay.toml"), &overlay).expect("write overlay");
        let base = scenario::load(Some(&dir.join("base.toml"))).expect("base loads");
        let over = scenario::load(Some(&dir.join("overlay.toml")))
            .unwrap_or_else(|e| panic!("{}", lode::error::render(&e)));
        prop_assert_eq!(conclusions(&lower_ok(&base)), conclusions(&lower_ok(&over)));
        let _ = std::fs::remove_dir_all(&dir);
    }
}

fn tempdir(name: &str) -> std::path::PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("props")
        .join(name);
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}

/// One way to damage scenario text.
#[derive(Clone, Debug)]
enum Mutation {
    DeleteLine(prop::sample::Index),
    SwapValues(prop::sample::Index, prop::sample::Index),
    ReplaceValue(prop::sample::Index, String),
    Junk(prop::sample::Index, Vec<u8>),
    Truncate(prop::sample::Index),
    DuplicateLine(prop::sample::Index),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let extreme = prop_oneof![
        Just("nan".to_string()),
        Just("-inf".to_string()),
        Just("1e308".to_string()),
        Just("-1".to_string()),
        Just("9223372036854775807".to_string()),
        Just("-9223372036854775808".to_string()),
        Just("0".to_string()),
        Just("100.0000001".to_string()),
        Just("\"\"".to_string()),
        Just("\"é\u{200b}ü\"".to_string()),
        Just("[]".to_string()),
        Just("{}".to_string()),
        Just("1979-05-27T07:32:00Z".to_string()),
        Just("0000-01-01".to_string()),
        Just("true".to_string()),
        "[a-zA-Z0-9_\\-\"]{0,12}".prop_map(|s| s),
    ];
    prop_oneof![
        any::<prop::sample::Index>().prop_map(Mutation::DeleteLine),
        (any::<prop::sample::Index>(), any::<prop::sample::Index>())
            .prop_map(|(a, b)| Mutation::SwapValues(a, b)),
        (any::<prop::sample::Index>(), extreme).prop_map(|(a, v)| Mutation::ReplaceValue(a, v)),
        (
            any::<prop::sample::Index>(),
            proptest::collection::vec(any::<u8>(), 1..6)
        )
            .prop_map(|(a, j)| Mutation::Junk(a, j)),
        any::<prop::sample::Index>().prop_map(Mutation::Truncate),
        any::<prop::sample::Index>().prop_map(Mutation::DuplicateLine),
    ]
}

fn apply(text: &[u8], m: &Mutation) -> Vec<u8> {
    let s = String::from_utf8_lossy(text).into_owned();
    let mut lines: Vec<String> = s.lines().map(str::to_string).collect();
    if lines.is_empty() {
        return text.to_vec();
    }
    let n = lines.len();
    match m {
        Mutation::DeleteLine(i) => {
            lines.remove(i.index(n));
        }
        Mutation::SwapValues(a, b) => {
            let (a, b) = (a.index(n), b.index(n));
            let split = |l: &str| {
                l.split_once(" = ")
                    .map(|(k, v)| (k.to_string(), v.to_string()))
            };
            if let (Some((ka, va)), Some((kb, vb))) = (split(&lines[a]), split(&lines[b])) {
                lines[a] = format!("{ka} = {vb}");
                lines[b] = format!("{kb} = {va}");
            }
        }
        Mutation::ReplaceValue(a, v) => {
            let a = a.index(n);
            if let Some((k, _)) = lines[a].split_once(" = ") {
                lines[a] = format!("{k} = {v}");
            }
        }
        Mutation::DuplicateLine(a) => {
            let a = a.index(n);
            let l = lines[a].clone();
            lines.insert(a, l);
        }
        Mutation::Junk(at, junk) => {
            let mut bytes = text.to_vec();
            let at = at.index(bytes.len() + 1);
            bytes.splice(at..at, junk.iter().copied());
            return bytes;
        }
        Mutation::Truncate(at) => {
            let mut bytes = text.to_vec();
            bytes.truncate(at.index(bytes.len() + 1));
            return bytes;
        }
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out.into_bytes()
}

/// Loads (from bytes on disk and from text), lowers and evaluates; reports whether it unwound.
fn survives(bytes: &[u8], dir: &Path) -> Result<(), String> {
    let path = dir.join("mutated.toml");
    std::fs::write(&path, bytes).map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(bytes).into_owned();
    let r = catch_unwind(AssertUnwindSafe(|| {
        let from_disk = scenario::load(Some(&path));
        let from_text = scenario::load_str("mutated.toml", &text, Some(dir));
        for s in [from_disk, from_text].into_iter().flatten() {
            if let Ok(f) = lower::lower(&s, &Options::default()) {
                let _ = conclusions(&f);
            }
            let opts = Options {
                as_of: None,
                set: vec![
                    ("dominant_share".into(), 0.0),
                    ("hhi_high".into(), 10_000.0),
                ],
                skip_origins: false,
            };
            if let Ok(f) = lower::lower(&s, &opts) {
                let _ = conclusions(&f);
            }
        }
    }));
    r.map_err(|e| {
        e.downcast_ref::<String>()
            .cloned()
            .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default()
    })
}

proptest! {
    #![proptest_config(config(96))]

    /// Deleted lines, swapped or extreme values, junk bytes and truncation never make lode panic:
    /// loading, lowering and evaluating end with Ok or Err.
    #[test]
    fn mangled_input_never_panics(
        seed in 0u64..1_000,
        facts in 20usize..120,
        muts in proptest::collection::vec(mutation(), 1..5),
    ) {
        let dir = tempdir(&format!("mutate-{seed}"));
        let mut bytes = generate(facts, seed).into_bytes();
        for m in &muts {
            bytes = apply(&bytes, m);
        }
        let r = survives(&bytes, &dir);
        prop_assert!(r.is_ok(), "panic: {:?}\ninput:\n{}", r.err(), String::from_utf8_lossy(&bytes));
    }
}

/// The scenarios of scenarios/, mangled the same way.
#[test]
fn mangled_real_scenarios_never_panic() {
    let dir = tempdir("mutate-real");
    let base = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.toml"))
        .expect("baseline");
    let mut runner = proptest::test_runner::TestRunner::new(config(24));
    runner
        .run(&proptest::collection::vec(mutation(), 1..4), |muts| {
            let mut bytes = base.clone();
            for m in &muts {
                bytes = apply(&bytes, m);
            }
            let r = survives(&bytes, &dir);
            prop_assert!(r.is_ok(), "panic: {:?} after {muts:?}", r.err());
            Ok(())
        })
        .expect("no panic");
}

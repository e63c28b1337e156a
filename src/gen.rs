//! A seeded generator of synthetic, valid scenarios, for benchmarks, property tests and the
//! differential test against clingo.
//!
//! [`generate`] writes scenario TOML text with roughly the number of facts (`[[…]]` blocks) asked
//! for, from 10 to 10⁶ and beyond. The same `(facts, seed)` always gives the same text. What it
//! writes is shaped like the real data, so that every rule has something to fire on:
//!
//! - countries with ISO-like three-letter ids (real ones first, then `AAB`, `AAC`, …), one bloc
//!   consumer (`EU27`), governance for most; a few are landlocked, with transit routes through
//!   neighbours, some of them closed;
//! - minerals (real names first, then `mineral_0042`) at the stages `mining` and `refining`, with
//!   production shares skewed like real supply (Zipf-like: a few dominant producers, often the same
//!   country at both stages), a current year, sometimes an older and a future year;
//! - consumers with net import reliance, import sources and an alignment table (the dominant
//!   producer is often rated a rival);
//! - deposits, export shares (some to rivals), partnerships with a consumer among the members,
//!   indicators, initiatives with capacity, and export-control events with a few suspensions.
//!
//! Every fact inherits its `source` from `default_source`. The text is valid by construction:
//! ids are declared before use, shares of one mineral × stage × year sum to at most 100 %,
//! horizons do not precede starts, and keys are unique.

use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// Real country ids used first: large producers, then consumers, then others. `true` marks a
/// landlocked country.
const REAL_COUNTRIES: &[(&str, &str, bool)] = &[
    ("CHN", "China", false),
    ("USA", "United States", false),
    ("EU27", "European Union", false),
    ("COD", "DR Congo", false),
    ("AUS", "Australia", false),
    ("IDN", "Indonesia", false),
    ("JPN", "Japan", false),
    ("CHL", "Chile", false),
    ("RUS", "Russia", false),
    ("MNG", "Mongolia", true),
    ("KOR", "South Korea", false),
    ("ZAF", "South Africa", false),
    ("BRA", "Brazil", false),
    ("KAZ", "Kazakhstan", true),
    ("IND", "India", false),
    ("CAN", "Canada", false),
    ("GBR", "United Kingdom", false),
    ("PER", "Peru", false),
    ("BOL", "Bolivia", true),
    ("PHL", "Philippines", false),
    ("MMR", "Myanmar", false),
    ("ZMB", "Zambia", true),
    ("ARG", "Argentina", false),
    ("ZWE", "Zimbabwe", true),
    ("GAB", "Gabon", false),
    ("MAR", "Morocco", false),
    ("VNM", "Vietnam", false),
    ("TUR", "Turkey", false),
    ("MEX", "Mexico", false),
    ("NOR", "Norway", false),
    ("SWE", "Sweden", false),
    ("FIN", "Finland", false),
    ("UZB", "Uzbekistan", true),
    ("MYS", "Malaysia", false),
    ("MDG", "Madagascar", false),
    ("MOZ", "Mozambique", false),
    ("TZA", "Tanzania", false),
    ("NAM", "Namibia", false),
    ("LAO", "Laos", true),
    ("RWA", "Rwanda", true),
    ("TJK", "Tajikistan", true),
    ("KGZ", "Kyrgyzstan", true),
    ("GIN", "Guinea", false),
    ("GHA", "Ghana", false),
    ("UKR", "Ukraine", false),
    ("POL", "Poland", false),
    ("DEU", "Germany", false),
    ("FRA", "France", false),
    ("THA", "Thailand", false),
    ("CUB", "Cuba", false),
];

/// Countries that are often the dominant producer.
const MAJORS: &[&str] = &["CHN", "COD", "AUS", "IDN", "CHL", "RUS", "ZAF", "BRA"];
/// Consumers, in the order they are taken.
const CONSUMERS: &[&str] = &[
    "USA", "EU27", "JPN", "KOR", "IND", "GBR", "CAN", "DEU", "FRA", "TUR", "MEX", "NOR",
];

const REAL_MINERALS: &[(&str, &str)] = &[
    ("gallium", "Gallium"),
    ("germanium", "Germanium"),
    ("lithium", "Lithium"),
    ("cobalt", "Cobalt"),
    ("nickel", "Nickel"),
    ("graphite", "Graphite"),
    ("rare_earths", "Rare earths"),
    ("fluorspar", "Fluorspar"),
    ("copper", "Copper"),
    ("tungsten", "Tungsten"),
    ("antimony", "Antimony"),
    ("manganese", "Manganese"),
    ("vanadium", "Vanadium"),
    ("tin", "Tin"),
    ("molybdenum", "Molybdenum"),
    ("uranium", "Uranium"),
    ("platinum", "Platinum"),
    ("palladium", "Palladium"),
    ("niobium", "Niobium"),
    ("tantalum", "Tantalum"),
    ("indium", "Indium"),
    ("bismuth", "Bismuth"),
    ("magnesium", "Magnesium"),
    ("titanium", "Titanium"),
    ("silicon", "Silicon metal"),
    ("barite", "Barite"),
    ("beryllium", "Beryllium"),
    ("hafnium", "Hafnium"),
    ("scandium", "Scandium"),
    ("zinc", "Zinc"),
];

const STAGES: &[(&str, &str)] = &[
    ("mining", "Mining / extraction"),
    ("refining", "Refining / processing"),
];
const INITIATIVE_KINDS: &[&str] = crate::scenario::INITIATIVE_KINDS;
const INDICATORS: &[&str] = &[
    "bilateral_trade_musd",
    "joint_projects",
    "exchanges",
    "exercises",
];

/// The reference year of every generated scenario.
pub const REFERENCE_YEAR: i64 = 2025;

/// One field value of a generated fact.
enum V<'a> {
    Str(&'a str),
    Int(i64),
    /// Basis points, written as a percentage with two decimals.
    Bp(i64),
    Float(f64),
    Bool(bool),
    List(Vec<&'a str>),
    Date(&'a str),
}

struct Out {
    text: String,
    facts: usize,
    /// With [`generate_tables`]: the rows of the tables that live in CSV, by table, each with
    /// its header written first.
    tables: Option<BTreeMap<&'static str, String>>,
}

/// The tables a scenario keeps in CSV files (the sourced data); the rest stays in TOML.
pub const CSV_TABLES: &[&str] = &[
    "country",
    "mineral",
    "share",
    "deposit",
    "reliance",
    "import_source",
    "event",
    "export_share",
    "commitment",
    "ownership",
];

/// A CSV cell: quoted when it holds a comma, a quote or a line end.
fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

impl Out {
    /// Writes a fact as a CSV row if its table lives in CSV (in tables mode); true if it did.
    fn row(&mut self, table: &str, fields: &[(&str, V<'_>)]) -> bool {
        let Some(tables) = &mut self.tables else {
            return false;
        };
        let Some(&name) = CSV_TABLES.iter().find(|t| **t == table) else {
            return false;
        };
        let Some(schema) = crate::scenario::table(name) else {
            return false;
        };
        let cols = || schema.cols.iter().chain(crate::scenario::COMMON);
        let text = tables.entry(name).or_insert_with(|| {
            let header: Vec<&str> = cols().map(|c| c.key).collect();
            header.join(",") + "\n"
        });
        let mut first = true;
        for col in cols() {
            if !first {
                text.push(',');
            }
            first = false;
            let Some((_, v)) = fields.iter().find(|(k, _)| *k == col.key) else {
                continue;
            };
            let _ = match v {
                V::Str(s) => write!(text, "{}", csv_cell(s)),
                V::Int(i) => write!(text, "{i}"),
                V::Bp(bp) => write!(text, "{}.{:02}", bp / 100, bp % 100),
                V::Float(x) => write!(text, "{x:.4}"),
                V::Bool(b) => write!(text, "{b}"),
                V::List(l) => write!(text, "{}", csv_cell(&l.join(";"))),
                V::Date(d) => write!(text, "{d}"),
            };
        }
        text.push('\n');
        true
    }

    fn block(&mut self, table: &str, fields: &[(&str, V<'_>)]) {
        self.facts += 1;
        if self.row(table, fields) {
            return;
        }
        let _ = writeln!(self.text, "[[{table}]]");
        for (k, v) in fields {
            let _ = match v {
                V::Str(s) => writeln!(self.text, "{k} = {}", quote(s)),
                V::Int(i) => writeln!(self.text, "{k} = {i}"),
                V::Bp(bp) => writeln!(self.text, "{k} = {}.{:02}", bp / 100, bp % 100),
                V::Float(x) => writeln!(self.text, "{k} = {x:.4}"),
                V::Bool(b) => writeln!(self.text, "{k} = {b}"),
                V::List(l) => {
                    let items: Vec<String> = l.iter().map(|s| quote(s)).collect();
                    writeln!(self.text, "{k} = [{}]", items.join(", "))
                }
                V::Date(d) => writeln!(self.text, "{k} = {d}"),
            };
        }
        self.text.push('\n');
    }
}

fn quote(s: &str) -> String {
    let mut q = String::with_capacity(s.len() + 2);
    q.push('"');
    for c in s.chars() {
        match c {
            '"' => q.push_str("\\\""),
            '\\' => q.push_str("\\\\"),
            c => q.push(c),
        }
    }
    q.push('"');
    q
}

/// The id of the `i`-th synthetic country: `AAA`, `AAB`, …, skipping real ids.
fn synthetic_ids(n: usize, taken: &BTreeSet<String>) -> Vec<String> {
    let mut out = Vec::with_capacity(n);
    let mut i = 0usize;
    while out.len() < n && i < 26 * 26 * 26 {
        let (x, y, z) = (i / 676, (i / 26) % 26, i % 26);
        let id: String = [x, y, z]
            .iter()
            .map(|&d| char::from(b'A' + (d % 26) as u8))
            .collect();
        if !taken.contains(&id) {
            out.push(id);
        }
        i += 1;
    }
    out
}

/// Splits `total` basis points over `n` parts with a Zipf-like skew (exponent `s`), every part at
/// least 1; the parts sum to at most `total + n`.
fn zipf_split(rng: &mut ChaCha8Rng, n: usize, total: i64, s: f64) -> Vec<i64> {
    let w: Vec<f64> = (1..=n)
        .map(|r| (r as f64).powf(-s) * rng.random_range(0.8..1.2))
        .collect();
    let sum: f64 = w.iter().sum();
    let mut parts: Vec<i64> = w
        .iter()
        .map(|x| ((total as f64) * x / sum).floor().max(1.0) as i64)
        .collect();
    parts.sort_unstable_by(|a, b| b.cmp(a));
    parts
}

/// Splits at most `total` basis points over `n` parts, uniformly at random.
fn uniform_split(rng: &mut ChaCha8Rng, n: usize, total: i64) -> Vec<i64> {
    let w: Vec<f64> = (0..n).map(|_| rng.random_range(0.1..1.0)).collect();
    let sum: f64 = w.iter().sum();
    w.iter()
        .map(|x| ((total as f64) * x / sum).floor() as i64)
        .collect()
}

/// Picks `n` distinct items of `pool` (fewer if the pool is smaller).
fn pick<'a>(rng: &mut ChaCha8Rng, pool: &[&'a str], n: usize) -> Vec<&'a str> {
    let mut idx: Vec<usize> = (0..pool.len()).collect();
    idx.shuffle(rng);
    idx.truncate(n);
    idx.into_iter().map(|i| pool[i]).collect()
}

fn pick_in<'a>(
    rng: &mut ChaCha8Rng,
    pool: &[&'a str],
    n: std::ops::RangeInclusive<usize>,
) -> Vec<&'a str> {
    let n = rng.random_range(n);
    pick(rng, pool, n)
}

fn one<'a>(rng: &mut ChaCha8Rng, pool: &[&'a str]) -> &'a str {
    if pool.is_empty() {
        return "";
    }
    pool[rng.random_range(0..pool.len())]
}

/// How many of each thing a scenario of about `facts` facts has.
struct Size {
    countries: usize,
    consumers: usize,
    rated: usize,
    minerals: usize,
}

fn size(facts: usize) -> Size {
    let n = facts.max(10);
    let consumers = (2 + n / 20_000).min(CONSUMERS.len() + 12);
    let countries = (((n as f64).sqrt() * 2.0) as usize).clamp(12, 17_000);
    let rated = if countries <= 80 {
        countries
    } else {
        80 + countries / 10
    };
    let fixed = countries + consumers * rated + countries / 8 + 20;
    let per_mineral = 31 + consumers * 3;
    let minerals = (n.saturating_sub(fixed) / per_mineral).max(1);
    Size {
        countries,
        consumers,
        rated,
        minerals,
    }
}

/// Generates a valid scenario of about `facts` facts (`[[…]]` blocks) from `seed`.
pub fn generate(facts: usize, seed: u64) -> String {
    generate_into(facts, seed, false).text
}

/// The same world as [`generate`], written as a scenario that loads its sourced tables from CSV
/// files beside it: the TOML text (`[[load]] file = "<table>.csv"` for each table of
/// [`CSV_TABLES`]) and the files, `(file name, text)`, in table order. The facts are the same.
pub fn generate_tables(facts: usize, seed: u64) -> (String, Vec<(String, String)>) {
    let mut out = generate_into(facts, seed, true);
    let tables = out.tables.take().unwrap_or_default();
    let mut files = Vec::new();
    for name in CSV_TABLES {
        if let Some(text) = tables.get(name) {
            let file = format!("{name}.csv");
            let _ = writeln!(
                out.text,
                "\n[[load]]\ntable = \"{name}\"\nfile = \"{file}\"\nsource = \"synthetic: lode gen --seed {seed}\""
            );
            files.push((file, text.clone()));
        }
    }
    (out.text, files)
}

fn generate_into(facts: usize, seed: u64, tables: bool) -> Out {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let sz = size(facts);
    let mut out = Out {
        text: String::with_capacity(
            facts
                .saturating_mul(if tables { 10 } else { 90 })
                .min(1 << 30),
        ),
        facts: 0,
        tables: tables.then(BTreeMap::new),
    };

    // Countries: real ids first, then synthetic ones.
    let mut countries: Vec<(String, String, bool, bool)> = Vec::new(); // id, name, landlocked, bloc
    let taken: BTreeSet<String> = REAL_COUNTRIES
        .iter()
        .map(|(id, _, _)| id.to_string())
        .collect();
    for &(id, name, landlocked) in REAL_COUNTRIES.iter().take(sz.countries) {
        countries.push((id.into(), name.into(), landlocked, id == "EU27"));
    }
    for id in synthetic_ids(sz.countries.saturating_sub(countries.len()), &taken) {
        let landlocked = rng.random_bool(0.06);
        let name = format!("Country {id}");
        countries.push((id, name, landlocked, false));
    }
    let ids: Vec<&str> = countries.iter().map(|c| c.0.as_str()).collect();
    let mut consumers: Vec<&str> = CONSUMERS
        .iter()
        .copied()
        .filter(|c| ids.contains(c))
        .take(sz.consumers)
        .collect();
    for &c in &ids {
        if consumers.len() >= sz.consumers {
            break;
        }
        if !consumers.contains(&c) && !MAJORS.contains(&c) {
            consumers.push(c);
        }
    }
    let majors: Vec<&str> = MAJORS.iter().copied().filter(|m| ids.contains(m)).collect();
    let producers: Vec<&str> = ids.iter().copied().filter(|c| *c != "EU27").collect();
    let landlocked: Vec<&str> = countries
        .iter()
        .filter(|c| c.2)
        .map(|c| c.0.as_str())
        .collect();

    let minerals: Vec<(String, String)> = (0..sz.minerals)
        .map(|i| match REAL_MINERALS.get(i) {
            Some(&(id, name)) => (id.to_string(), name.to_string()),
            None => (format!("mineral_{i:04}"), format!("Mineral {i}")),
        })
        .collect();

    // Header and parameters (some varied by the seed, within sensible ranges).
    let _ = writeln!(
        out.text,
        "# generated by `lode gen --facts {facts} --seed {seed}`: synthetic data, not a real picture\n\n\
         [scenario]\nname = \"generated-{seed}\"\ndescription = \"synthetic scenario of about {facts} facts (seed {seed})\"\n\
         reference_year = {REFERENCE_YEAR}\nas_of = 2026-07-01\ndefault_source = \"synthetic: lode gen --seed {seed}\"\n"
    );
    let _ = writeln!(
        out.text,
        "[params]\nhhi_moderate = {}\nhhi_high = {}\ndominant_share = {}.0\nreliance_high = {}.0\nreliance_critical = {}.0\n\
         aligned_supply_min = {}.0\noption_min_share = {}.0\ntransit_dependence = {}.0\nexport_dependence = {}.0\n",
        rng.random_range(12..=18) * 100,
        rng.random_range(22..=30) * 100,
        rng.random_range(35..=60),
        rng.random_range(40..=60),
        rng.random_range(80..=95),
        rng.random_range(15..=35),
        rng.random_range(1..=3),
        rng.random_range(5..=20),
        rng.random_range(30..=60),
    );

    for &(id, name) in STAGES {
        out.block("stage", &[("id", V::Str(id)), ("name", V::Str(name))]);
    }
    for (id, name) in &minerals {
        out.block("mineral", &[("id", V::Str(id)), ("name", V::Str(name))]);
    }
    for (id, name, ll, bloc) in &countries {
        let mut f = vec![("id", V::Str(id)), ("name", V::Str(name))];
        if *bloc {
            f.push(("kind", V::Str("bloc")));
        } else if rng.random_bool(0.8) {
            f.push(("governance", V::Float(rng.random_range(0.05..0.95))));
        }
        if *ll {
            f.push(("landlocked", V::Bool(true)));
        }
        out.block("country", &f);
    }

    // Alignment: each consumer rates `rated` countries; the main producer is often a rival.
    let levels = ["ally", "partner", "neutral", "rival"];
    for &k in &consumers {
        let mut rated: Vec<&str> = producers
            .iter()
            .copied()
            .filter(|c| *c != k)
            .take(sz.rated)
            .collect();
        let more: Vec<&str> = consumers
            .iter()
            .copied()
            .filter(|c| *c != k && !rated.contains(c))
            .collect();
        rated.extend(more);
        for c in rated {
            let level = if consumers.contains(&c) {
                "ally"
            } else if c == "CHN" && rng.random_bool(0.85) {
                "rival"
            } else {
                levels[rng.random_range(0..levels.len())]
            };
            out.block(
                "alignment",
                &[
                    ("consumer", V::Str(k)),
                    ("country", V::Str(c)),
                    ("level", V::Str(level)),
                    ("rationale", V::Str("synthetic")),
                ],
            );
        }
    }

    // Shares, deposits, reliance and import sources, per mineral.
    for (mi, (m, _)) in minerals.iter().enumerate() {
        let m = m.as_str();
        let stages: &[(&str, &str)] = if rng.random_bool(0.15) {
            &STAGES[..1]
        } else {
            STAGES
        };
        let top = if !majors.is_empty() && rng.random_bool(0.6) {
            Some(one(&mut rng, &majors))
        } else {
            None
        };
        let mut all_producers: Vec<&str> = Vec::new();
        for &(s, _) in stages {
            let n = rng.random_range(3..=producers.len().clamp(3, 20));
            let mut who: Vec<&str> = pick(&mut rng, &producers, n + 1);
            if let Some(t) = top.filter(|_| rng.random_bool(0.8)) {
                who.retain(|c| *c != t);
                who.insert(0, t);
            }
            who.truncate(n);
            let skew = rng.random_range(0.8..2.4);
            let mut years = vec![REFERENCE_YEAR - 1];
            if rng.random_bool(0.3) {
                years.push(REFERENCE_YEAR - 2);
            }
            if rng.random_bool(0.05) {
                years.push(REFERENCE_YEAR + 2);
            }
            for y in years {
                let total = rng.random_range(8_000..=9_950);
                let bps = zipf_split(&mut rng, who.len(), total, skew);
                for (c, bp) in who.iter().zip(bps) {
                    let mut f = vec![
                        ("mineral", V::Str(m)),
                        ("stage", V::Str(s)),
                        ("country", V::Str(c)),
                        ("year", V::Int(y)),
                        ("percent", V::Bp(bp)),
                    ];
                    if rng.random_bool(0.03) {
                        f.push(("until", V::Date("2024-12-31")));
                    } else if rng.random_bool(0.1) {
                        f.push(("quality", V::Str("assumption")));
                    }
                    out.block("share", &f);
                }
            }
            for c in who {
                if !all_producers.contains(&c) {
                    all_producers.push(c);
                }
            }
        }
        for d in 0..rng.random_range(0..=3usize) {
            let c = one(&mut rng, &producers);
            let name = format!("{m} deposit {d}");
            let mut f = vec![
                ("mineral", V::Str(m)),
                ("country", V::Str(c)),
                ("name", V::Str(&name)),
                (
                    "kind",
                    V::Str(if rng.random_bool(0.5) {
                        "reserve"
                    } else {
                        "resource"
                    }),
                ),
                ("tonnes", V::Int(rng.random_range(1_000..=5_000_000))),
            ];
            if rng.random_bool(0.3) {
                f.push(("target_year", V::Int(rng.random_range(2026..=2035))));
            }
            out.block("deposit", &f);
        }
        for &k in &consumers {
            // Every consumer relies on the first mineral, so that even the smallest scenario
            // has something to assess.
            if mi > 0 && !rng.random_bool(0.8) {
                continue;
            }
            let pct = if rng.random_bool(0.6) {
                rng.random_range(5_000..=10_000)
            } else {
                rng.random_range(0..5_000)
            };
            out.block(
                "reliance",
                &[
                    ("consumer", V::Str(k)),
                    ("mineral", V::Str(m)),
                    ("year", V::Int(REFERENCE_YEAR)),
                    ("percent", V::Bp(pct)),
                ],
            );
            let pool: Vec<&str> = all_producers.iter().copied().filter(|c| *c != k).collect();
            let srcs = pick_in(&mut rng, &pool, 1..=4usize);
            let total = rng.random_range(5_000..=10_000);
            let split = uniform_split(&mut rng, srcs.len(), total);
            for (c, bp) in srcs.iter().zip(split) {
                out.block(
                    "import_source",
                    &[
                        ("consumer", V::Str(k)),
                        ("mineral", V::Str(m)),
                        ("country", V::Str(c)),
                        ("percent", V::Bp(bp)),
                    ],
                );
            }
        }
    }

    // Transit routes of landlocked countries: some closed, sometimes all of them.
    for &c in &landlocked {
        let pool: Vec<&str> = producers.iter().copied().filter(|x| *x != c).collect();
        let vias = pick_in(&mut rng, &pool, 1..=3usize);
        let split = uniform_split(&mut rng, vias.len(), 10_000);
        let all_closed = rng.random_bool(0.2);
        for (v, bp) in vias.iter().zip(split) {
            let closed = all_closed || rng.random_bool(0.15);
            out.block(
                "transit",
                &[
                    ("country", V::Str(c)),
                    ("via", V::Str(v)),
                    ("percent", V::Bp(bp)),
                    ("status", V::Str(if closed { "closed" } else { "open" })),
                ],
            );
        }
    }

    // Export shares: landlocked countries and a few others; the first partner is often a major.
    let exporters: Vec<&str> = {
        let mut e: Vec<&str> = landlocked.clone();
        for c in pick(&mut rng, &producers, 5 + producers.len() / 50) {
            if !e.contains(&c) {
                e.push(c);
            }
        }
        e
    };
    for &c in &exporters {
        let pool: Vec<&str> = producers.iter().copied().filter(|x| *x != c).collect();
        let mut partners = pick_in(&mut rng, &pool, 1..=3usize);
        if c != "CHN" && ids.contains(&"CHN") && rng.random_bool(0.5) {
            partners.retain(|p| *p != "CHN");
            partners.insert(0, "CHN");
        }
        let total = rng.random_range(6_000..=10_000);
        let mut split = uniform_split(&mut rng, partners.len(), total);
        split.sort_unstable_by(|a, b| b.cmp(a));
        for (p, bp) in partners.iter().zip(split) {
            out.block(
                "export_share",
                &[
                    ("country", V::Str(c)),
                    ("partner", V::Str(p)),
                    ("year", V::Int(REFERENCE_YEAR - 1)),
                    ("percent", V::Bp(bp)),
                ],
            );
        }
    }

    // Partnerships, each with a consumer among its members.
    let n_part = 1 + sz.minerals / 8;
    let mut partnerships: Vec<(String, Vec<&str>)> = Vec::new();
    for p in 0..n_part {
        let id = format!("pact-{p:03}");
        let k = one(&mut rng, &consumers);
        let pool: Vec<&str> = producers.iter().copied().filter(|c| *c != k).collect();
        let mut members = vec![k];
        members.extend(pick_in(&mut rng, &pool, 1..=4usize));
        let name = format!("Synthetic partnership {p}");
        out.block(
            "partnership",
            &[
                ("id", V::Str(&id)),
                ("name", V::Str(&name)),
                ("members", V::List(members.clone())),
                ("since", V::Int(rng.random_range(2015..=2025))),
                ("instrument", V::Str("memorandum of understanding")),
            ],
        );
        for name in pick_in(&mut rng, INDICATORS, 0..=2usize) {
            out.block(
                "indicator",
                &[
                    ("partnership", V::Str(&id)),
                    ("name", V::Str(name)),
                    ("year", V::Int(rng.random_range(2022..=2025))),
                    ("value", V::Int(rng.random_range(0..=1_000))),
                ],
            );
        }
        partnerships.push((id, members));
    }

    // Initiatives under partnerships, on a mineral × stage, in a member country.
    let statuses = ["proposed", "active", "active", "completed", "failed"];
    for i in 0..(1 + sz.minerals / 2) {
        let id = format!("init-{i:04}");
        let (pid, members) = &partnerships[rng.random_range(0..partnerships.len())];
        let mi = rng.random_range(0..minerals.len());
        let start = rng.random_range(2023..=2028);
        let country = one(&mut rng, &members[1..]);
        out.block(
            "initiative",
            &[
                ("id", V::Str(&id)),
                ("partnership", V::Str(pid)),
                ("kind", V::Str(one(&mut rng, INITIATIVE_KINDS))),
                ("mineral", V::Str(&minerals[mi].0)),
                ("stage", V::Str(STAGES[rng.random_range(0..STAGES.len())].0)),
                ("country", V::Str(country)),
                ("start", V::Int(start)),
                ("horizon", V::Int(start + rng.random_range(0..=8))),
                ("status", V::Str(one(&mut rng, &statuses))),
                ("capacity", V::Bp(rng.random_range(0..=150) * 10)),
            ],
        );
    }

    // Export-control events, a few of them suspended.
    let kinds = ["export_licensing", "export_ban", "technology_export_ban"];
    let mineral_ids: Vec<&str> = minerals.iter().map(|m| m.0.as_str()).collect();
    let mut events: Vec<(String, &str)> = Vec::new();
    for e in 0..(1 + sz.minerals / 8) {
        let id = format!("event-{e:03}");
        let actor = if !majors.is_empty() && rng.random_bool(0.8) {
            one(&mut rng, &majors)
        } else {
            one(&mut rng, &producers)
        };
        let ms = pick_in(&mut rng, &mineral_ids, 1..=3usize);
        let target = if rng.random_bool(0.6) {
            "all"
        } else {
            one(&mut rng, &consumers)
        };
        let year = rng.random_range(2020..=2026);
        let from = format!("{year}-{:02}-01", rng.random_range(1..=12));
        let until = format!("{}-12-31", year + rng.random_range(0..=2));
        let mut f = vec![
            ("id", V::Str(&id)),
            ("actor", V::Str(actor)),
            ("kind", V::Str(one(&mut rng, &kinds))),
            ("minerals", V::List(ms)),
            ("target", V::Str(target)),
            ("from", V::Date(&from)),
        ];
        if rng.random_bool(0.1) {
            f.push(("until", V::Date(&until)));
        }
        out.block("event", &f);
        events.push((id, actor));
    }
    for (s, (eid, actor)) in events.iter().enumerate() {
        if !rng.random_bool(0.2) {
            continue;
        }
        let id = format!("suspension-{s:03}");
        out.block(
            "event",
            &[
                ("id", V::Str(&id)),
                ("actor", V::Str(actor)),
                ("kind", V::Str("suspension")),
                ("suspends", V::List(vec![eid])),
                ("from", V::Date("2025-11-10")),
            ],
        );
    }
    let _ = writeln!(out.text, "# {} facts", out.facts);
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::generate;

    #[test]
    fn same_seed_same_text() {
        assert_eq!(generate(500, 7), generate(500, 7));
        assert_ne!(generate(500, 7), generate(500, 8));
    }

    #[test]
    fn generated_scenarios_are_valid() {
        for (n, seed) in [(10, 1), (100, 2), (1_000, 3), (2_000, 4)] {
            let text = generate(n, seed);
            let r = crate::scenario::load_str("gen.toml", &text, None)
                .and_then(|s| crate::lower::lower(&s, &crate::lower::Options::default()));
            assert!(
                r.is_ok(),
                "{}",
                r.err()
                    .map(|e| crate::error::render(&e))
                    .unwrap_or_default()
            );
        }
    }

    #[test]
    fn the_tables_form_holds_the_same_facts() {
        for (n, seed) in [(100, 2), (2_000, 4)] {
            let one = crate::scenario::load_str("gen.toml", &generate(n, seed), None).unwrap();
            let (text, files) = super::generate_tables(n, seed);
            let dir = std::env::temp_dir().join(format!("lode-gen-{}-{n}", std::process::id()));
            std::fs::create_dir_all(&dir).unwrap();
            for (f, t) in &files {
                std::fs::write(dir.join(f), t).unwrap();
            }
            let split = crate::scenario::load_str("scenario.toml", &text, Some(&dir))
                .map_err(|e| crate::error::render(&e))
                .unwrap();
            assert!(files.iter().any(|(f, _)| f == "share.csv"));
            let facts = |s: &crate::scenario::Scenario| {
                let mut v: Vec<(String, Vec<String>, Vec<String>)> = s
                    .facts
                    .iter()
                    .map(|f| {
                        let vals = f
                            .fields
                            .iter()
                            .filter(|(k, _)| **k != "source")
                            .map(|(k, (v, _))| format!("{k}={}", v.key_text()))
                            .collect();
                        (f.table.name.to_string(), f.key(), vals)
                    })
                    .collect();
                v.sort();
                v
            };
            assert_eq!(facts(&one), facts(&split));
            assert!(split.facts.iter().all(|f| !f.source.is_empty()));
            crate::lower::lower(&split, &crate::lower::Options::default()).unwrap();
        }
    }

    #[test]
    fn size_is_roughly_the_asked_for_count() {
        for n in [1_000usize, 10_000, 100_000] {
            let text = generate(n, 1);
            let blocks = text.lines().filter(|l| l.starts_with("[[")).count();
            assert!(
                blocks as f64 > n as f64 * 0.6 && (blocks as f64) < n as f64 * 1.5,
                "{n}: {blocks}"
            );
        }
    }
}

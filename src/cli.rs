//! Command-line definitions (clap derive). Nothing here does any work.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

const ABOUT: &str = "lode — a Datalog rule engine for critical-mineral partnership risk

Facts live in TOML scenarios (every fact cites its source), rules in rules/*.dl compiled into this
binary. lode derives risk levels, concentration, diversification options, transit exposure and
initiative effects, and explains every conclusion down to its cited facts.";

const AFTER: &str = "Examples:
  lode run                                   conclusions of the bundled baseline
  lode run scenarios/seed-claims.toml --relation RiskLevel
  lode explain 'RiskLevel(USA, gallium, refining, critical)'
  lode diff scenarios/baseline.toml scenarios/china-transit-closed.toml
  lode sweep --cut supplier
  lode needs scenarios/mongolia-partnership-2030.toml 'RiskLevel(USA, rare_earths, refining, moderate)' --via mng-khalzan-buregtei-ree-plant

Exit codes: 0 ok, 1 a check or expectation failed (or `diff` found a difference), 2 bad usage or input.";

#[derive(Debug, Parser)]
#[command(name = "lode", version, about = ABOUT, after_help = AFTER)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// Output format of conclusion listings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    /// A readable table per relation.
    #[default]
    Table,
    /// One JSON document with named fields.
    Json,
}

/// Output format of proofs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Default)]
pub enum ProofFormat {
    /// An indented tree.
    #[default]
    Text,
    /// Nested JSON with stable field names.
    Json,
    /// Graphviz DOT.
    Dot,
}

/// What a sweep makes unavailable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CutKind {
    /// A supplier country stops supplying each consumer (an export ban on every mineral).
    Supplier,
    /// A transit route of a landlocked country closes.
    Route,
    /// An initiative fails.
    Initiative,
}

/// Target of `lode export`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExportTarget {
    /// A Soufflé program directory: rules.dl plus one .facts file per input relation.
    Souffle,
    /// One answer-set program (clingo / gringo).
    Asp,
}

/// Options of every command that evaluates a scenario.
#[derive(Debug, Args, Clone, Default)]
pub struct EvalArgs {
    /// Override a [params] entry, e.g. `--set dominant_share=40` (repeatable).
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub set: Vec<String>,
    /// Judge dated facts and events on this date (YYYY-MM-DD) instead of the scenario's `as_of`.
    #[arg(long = "as-of", value_name = "DATE")]
    pub as_of: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Evaluate a scenario and print its conclusions.
    ///
    /// Without SCENARIO, runs the bundled baseline (scenarios/baseline.toml, embedded in the
    /// binary), so it works from any directory.
    Run {
        /// Scenario file; default: the bundled baseline.
        scenario: Option<PathBuf>,
        /// How to print: `table` for people, `json` for tools.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
        /// Only these relations (repeatable); any relation, input or derived, may be named.
        #[arg(long = "relation", short = 'r', value_name = "NAME")]
        relations: Vec<String>,
        /// Every relation: inputs, computed facts and intermediate conclusions too.
        #[arg(long, conflicts_with = "relations")]
        all: bool,
        /// Show the confidence of each conclusion (weakest source quality on its best proof).
        #[arg(long)]
        confidence: bool,
        /// Keep only conclusions at or above this confidence (official, derived, secondary, assumption, claim).
        #[arg(long = "min-confidence", value_name = "QUALITY")]
        min_confidence: Option<String>,
        #[command(flatten)]
        eval: EvalArgs,
    },
    /// Validate scenarios without evaluating them.
    Check {
        /// Scenario files (at least one).
        #[arg(required = true)]
        scenarios: Vec<PathBuf>,
    },
    /// Print the merged facts of a scenario, each with the file and line it came from.
    Show {
        /// Scenario file; default: the bundled baseline.
        scenario: Option<PathBuf>,
        /// How to print: `table` for people, `json` for tools.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
        #[command(flatten)]
        eval: EvalArgs,
    },
    /// Explain why a conclusion holds (or, with --why-not, why it does not).
    ///
    /// QUERY is a relation and its fields, as `lode run` prints them:
    /// 'RiskLevel(USA, gallium, refining, critical)'. `_` matches any value; named fields are
    /// accepted too: 'RiskLevel(consumer=USA, mineral=gallium, stage=refining, level=_)', and a
    /// trailing `_` stands for the remaining fields: 'HighReliance(USA, lithium, _)'.
    ///
    /// Any data line of `lode run` pastes as it is: its column padding is whitespace and `#`
    /// starts a comment (the confidence column), e.g.
    /// '  RiskLevel(USA, gallium,   refining, critical)  # derived; assumes alignment'.
    Explain {
        /// [SCENARIO] QUERY: the scenario is optional (default: the bundled baseline).
        #[arg(required = true, num_args = 1..=2, value_name = "[SCENARIO] QUERY")]
        args: Vec<String>,
        /// Explain why the conclusion does not hold.
        #[arg(long = "why-not")]
        why_not: bool,
        /// Cut the proof tree at this depth.
        #[arg(long)]
        depth: Option<usize>,
        /// How to print the proof: `text` (a tree), `json`, or `dot` for Graphviz.
        #[arg(long, value_enum, default_value_t)]
        format: ProofFormat,
        /// Explain in the world of one `lode sweep` line: make this supplier, route or
        /// initiative unavailable first, as the sweep does (repeatable, for a pair).
        /// KIND=NAME: `supplier=CHN`, `route=MNG/CHN` (Mongolia's route via China),
        /// `initiative=ot-underground`. `lode sweep --explain` prints the whole command.
        #[arg(long = "cut", value_name = "KIND=NAME")]
        cut: Vec<String>,
        #[command(flatten)]
        eval: EvalArgs,
    },
    /// List every relation and every rule, with its place and its doc line.
    Rules {
        /// How to print: `table` for people, `json` for tools.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Report which rules fired at least once over the given scenarios.
    Coverage {
        /// Scenario files; default: every .toml in scenarios/.
        scenarios: Vec<PathBuf>,
        /// Exit 1 if fewer than this percentage of rules fired.
        #[arg(long = "fail-under", value_name = "PCT")]
        fail_under: Option<f64>,
        /// How to print: `table` for people, `json` for tools.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Check the [[expect]] entries of scenarios; exit 1 on any failure.
    Test {
        /// Scenario files; default: every .toml in scenarios/.
        scenarios: Vec<PathBuf>,
    },
    /// Compare the conclusions of two scenarios; exit 1 if they differ.
    ///
    /// Differences are grouped by consumer and mineral: a risk level raised or lowered, a
    /// score that moved, a conclusion that now holds or no longer holds. `--explain` adds, under
    /// each line, the input facts that differ and can carry it, and the `lode explain` command
    /// that proves the line in the scenario where it holds.
    Diff {
        /// The scenario compared from (e.g. scenarios/baseline.toml).
        a: PathBuf,
        /// The what-if scenario compared to (e.g. scenarios/china-transit-closed.toml).
        b: PathBuf,
        /// How to print: `table` for people, `json` for tools.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
        /// For each change, show the facts that differ and carry it, and the `lode explain`
        /// command for the line.
        #[arg(long)]
        explain: bool,
        #[command(flatten)]
        eval: EvalArgs,
    },
    /// Make each supplier, route or initiative (or each pair) unavailable in turn, and rank the damage.
    ///
    /// Each cut is evaluated apart (in parallel) against the uncut scenario. A line of the sweep
    /// holds only under its cut: `--explain` prints, under each, the `lode explain --cut …`
    /// command that proves it.
    Sweep {
        /// Scenario file; default: the bundled baseline.
        scenario: Option<PathBuf>,
        /// What to make unavailable, one item (or pair) at a time.
        #[arg(long, value_enum)]
        cut: CutKind,
        /// Cut items one at a time (1) or in pairs (2).
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=2))]
        k: u8,
        /// Show only the first N disruptions.
        #[arg(long)]
        top: Option<usize>,
        /// Under each line, print the `lode explain --cut …` command that proves it.
        #[arg(long)]
        explain: bool,
        /// How to print: `table` for people, `json` for tools.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
        #[command(flatten)]
        eval: EvalArgs,
    },
    /// What would it take: the smallest capacity or param change that moves a risk level to a target.
    ///
    /// QUERY names the consumer, mineral, stage and the target level, e.g.
    /// `RiskLevel(USA, rare_earths, refining, moderate)`. With `--via <initiative>`, the
    /// initiative's capacity is raised from its stated value up to `--max` (default 100 % of world
    /// output) and the projected level at its horizon is read; with `--via <param>`, the param is
    /// moved toward either end of its range and today's level is read. The value found is checked
    /// by re-evaluating at it; when no value within bounds suffices, lode says so.
    Needs {
        /// [SCENARIO] QUERY: the scenario is optional (default: the bundled baseline).
        #[arg(required = true, num_args = 1..=2, value_name = "[SCENARIO] QUERY")]
        args: Vec<String>,
        /// The lever: an initiative id (its capacity) or a param name.
        #[arg(long, value_name = "INITIATIVE|PARAM")]
        via: String,
        /// Upper bound of a capacity search, in percent of world output.
        #[arg(long, value_name = "PCT")]
        max: Option<f64>,
        /// How to print: `table` for people, `json` for tools.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
        #[command(flatten)]
        eval: EvalArgs,
    },
    /// Write the rules and a scenario's facts for Soufflé or clingo.
    ///
    /// The rules are translated from rules/*.dl and the facts are the lowered and computed input
    /// tuples, so the peer engine derives what lode derives (scripts/differential.py checks it).
    Export {
        /// The peer engine to write for.
        #[arg(long, value_enum)]
        to: ExportTarget,
        /// Output: a directory (souffle) or a file (asp).
        out: PathBuf,
        /// Scenario file; default: the bundled baseline.
        scenario: Option<PathBuf>,
        #[command(flatten)]
        eval: EvalArgs,
    },
    /// Generate a synthetic, valid scenario of a given size.
    Gen {
        /// Approximate number of facts.
        #[arg(long, default_value_t = 1000)]
        facts: usize,
        /// Seed of the generator: the same seed and size give the same world.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Output file (default: standard output). A directory (existing, or ending in `/`)
        /// gets `scenario.toml` plus its sourced tables as CSV files (`share.csv`, …).
        #[arg(long, short = 'o')]
        out: Option<PathBuf>,
    },
    /// Write a self-contained HTML report.
    ///
    /// One HTML file with no external resources: risk heat maps, every conclusion with its proof
    /// tree (drawn when opened), and the cited sources.
    Report {
        /// Scenario file; default: the bundled baseline.
        scenario: Option<PathBuf>,
        /// Highlight changes against this scenario.
        #[arg(long, value_name = "SCENARIO")]
        against: Option<PathBuf>,
        /// Where to write the page.
        #[arg(long, short = 'o', default_value = "report.html")]
        out: PathBuf,
        #[command(flatten)]
        eval: EvalArgs,
    },
    /// Show when each conclusion starts and stops holding between two dates.
    ///
    /// Dated facts (events with `from`/`until`, suspensions) open and close; on each date where
    /// one does, lode re-evaluates and lists what starts (+) and stops (−) holding. A `+` line
    /// holds on its date, a `−` line on the day before: `--explain` prints the
    /// `lode explain --as-of …` command for each.
    Timeline {
        /// Scenario file; default: the bundled baseline.
        scenario: Option<PathBuf>,
        /// First day of the window (YYYY-MM-DD, inclusive).
        #[arg(long, value_name = "DATE")]
        from: String,
        /// Last day of the window (YYYY-MM-DD, inclusive).
        #[arg(long, value_name = "DATE")]
        to: String,
        /// Follow only these relations (repeatable; default: the risk, score, control and
        /// option relations).
        #[arg(long = "relation", short = 'r', value_name = "NAME")]
        relations: Vec<String>,
        /// Under each + and − line, print the `lode explain --as-of …` command that proves it.
        #[arg(long)]
        explain: bool,
        /// How to print: `table` for people, `json` for tools.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
        #[command(flatten)]
        eval: EvalArgs,
    },
    /// Compare lode's conclusions with published criticality assessments (writes docs/validation.md).
    Validate {
        /// Read the reference tables (eu_crm_scores.csv, critical_lists.csv,
        /// eu_crm_gallium_supply.csv) from this directory instead of the ones built in
        /// (data/reference/).
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
        /// Write the markdown report here (default: standard output).
        #[arg(long, short = 'o')]
        out: Option<PathBuf>,
    },
}

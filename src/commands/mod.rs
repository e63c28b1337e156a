//! One module per subcommand: each turns parsed arguments into an [`Outcome`], calling the
//! pipeline (`scenario` → `lower` → `engine` → …) and handing data to `report` for formatting.

mod check;
mod coverage;
mod diff;
mod explain;
mod export;
mod generate;
mod needs;
mod report;
mod rules;
mod run;
mod show;
mod sweep;
mod test;
mod timeline;
mod validate;

use crate::cli::{Cli, Command, EvalArgs};
use crate::error::{Error, suggest};
use crate::lower::{self, Facts, Options};
use crate::scenario::{self, Date, Loaded, Scenario};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// What a command produced: its standard output, and the exit code.
#[derive(Debug)]
pub struct Outcome {
    pub stdout: Stdout,
    /// 0 ok, 1 a check failed or a difference was found.
    pub code: u8,
}

impl Outcome {
    pub fn ok(stdout: String) -> Self {
        Outcome::new(stdout, 0)
    }

    pub fn new(stdout: String, code: u8) -> Self {
        Outcome {
            stdout: Stdout::Text(stdout),
            code,
        }
    }

    /// An output written as `report` formats it (exit code 0).
    pub fn stream(write: impl FnOnce(&mut dyn Write) -> io::Result<()> + 'static) -> Self {
        Outcome {
            stdout: Stdout::Stream(Box::new(write)),
            code: 0,
        }
    }
}

/// What a command prints on standard output.
pub enum Stdout {
    /// Formatted whole: most commands print little.
    Text(String),
    /// Formatted as it is written: `lode run`, whose listing of a large scenario is tens of
    /// MiB. The closure owns what it formats (and releases it when done).
    Stream(Box<WriteOut>),
}

/// Writes a command's output (see [`Stdout::Stream`]).
pub type WriteOut = dyn FnOnce(&mut dyn Write) -> io::Result<()>;

impl Stdout {
    /// Writes the output to `w` (the `lode` binary: a buffered standard output).
    pub fn write_to(self, w: &mut dyn Write) -> io::Result<()> {
        match self {
            Stdout::Text(s) => w.write_all(s.as_bytes()),
            Stdout::Stream(write) => write(w),
        }
    }

    /// The output as text (tests and library use).
    pub fn into_string(self) -> String {
        match self {
            Stdout::Text(s) => s,
            Stdout::Stream(write) => {
                let mut buf = Vec::new();
                // Writing to memory does not fail; `report` writes UTF-8.
                let _ = write(&mut buf);
                String::from_utf8(buf)
                    .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
            }
        }
    }
}

impl std::fmt::Debug for Stdout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stdout::Text(s) => f.debug_tuple("Text").field(s).finish(),
            Stdout::Stream(_) => f.write_str("Stream(..)"),
        }
    }
}

/// Runs a parsed command line.
pub fn dispatch(cli: Cli) -> Result<Outcome, Error> {
    match cli.command {
        Command::Run {
            scenario,
            format,
            relations,
            all,
            confidence,
            min_confidence,
            eval,
        } => run::run(
            scenario.as_deref(),
            format,
            &relations,
            all,
            confidence,
            min_confidence.as_deref(),
            &eval,
        ),
        Command::Check { scenarios } => check::check(&scenarios),
        Command::Show {
            scenario,
            format,
            eval,
        } => show::show(scenario.as_deref(), format, &eval),
        Command::Explain {
            args,
            why_not,
            depth,
            format,
            cut,
            eval,
        } => explain::explain(&args, why_not, depth, format, &cut, &eval),
        Command::Rules { format } => rules::rules(format),
        Command::Coverage {
            scenarios,
            fail_under,
            format,
        } => coverage::coverage(&scenarios, fail_under, format),
        Command::Test { scenarios } => test::test(&scenarios),
        Command::Diff {
            a,
            b,
            format,
            explain,
            eval,
        } => diff::diff(&a, &b, format, explain, &eval),
        Command::Sweep {
            scenario,
            cut,
            k,
            top,
            explain,
            format,
            eval,
        } => sweep::sweep(scenario.as_deref(), cut, k, top, explain, format, &eval),
        Command::Needs {
            args,
            via,
            max,
            format,
            eval,
        } => needs::needs(&args, &via, max, format, &eval),
        Command::Export {
            to,
            out,
            scenario,
            eval,
        } => export::export(to, &out, scenario.as_deref(), &eval),
        Command::Gen { facts, seed, out } => generate::generate(facts, seed, out.as_deref()),
        Command::Report {
            scenario,
            against,
            out,
            eval,
        } => report::report(scenario.as_deref(), against.as_deref(), &out, &eval),
        Command::Timeline {
            scenario,
            from,
            to,
            relations,
            explain,
            format,
            eval,
        } => timeline::timeline(
            scenario.as_deref(),
            &from,
            &to,
            &relations,
            explain,
            format,
            &eval,
        ),
        Command::Validate { data, out } => validate::validate(data.as_deref(), out.as_deref()),
    }
}

/// Set by the `lode` binary, which exits right after a command: see [`release`].
static EXITING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Tells [`release`] that the process ends after this command (the `lode` binary only).
pub fn exit_after_command() {
    EXITING.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// Drops the large structures of a command (scenario, facts, model) — or, in the `lode` binary,
/// which exits right after, leaves them to the operating system: freeing every fact and tuple
/// one by one was ≈ 8 % of a baseline `lode run` (BENCHMARKS.md).
pub fn release<T>(value: T) {
    if EXITING.load(std::sync::atomic::Ordering::Relaxed) {
        std::mem::forget(value);
    } else {
        drop(value);
    }
}

/// The error of a command that is declared but not built yet.
pub fn not_yet(name: &str) -> Error {
    Error::usage(
        format!("`lode {name}` is not available in this build yet"),
        None,
    )
}

/// Parses `--as-of` and `--set` into lowering options.
pub fn options(eval: &EvalArgs) -> Result<Options, Error> {
    let as_of = match &eval.as_of {
        None => None,
        Some(s) => Some(Date::parse(s).ok_or_else(|| {
            Error::usage(
                format!("`--as-of {s}` is not a date"),
                Some("write it as YYYY-MM-DD, e.g. --as-of 2026-11-28".into()),
            )
        })?),
    };
    let set = eval
        .set
        .iter()
        .map(|s| lower::parse_set(s))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Options {
        as_of,
        set,
        skip_origins: false,
    })
}

/// Loads, merges, validates and lowers a scenario (`None`: the bundled baseline).
pub fn open(path: Option<&Path>, eval: &EvalArgs) -> Result<(Scenario, Facts), Error> {
    let opts = options(eval)?;
    load_and_lower(path, &opts)
}

/// Loads and lowers a scenario, reporting its problems of shape (`scenario`) and of meaning
/// (`lower`: unknown references, sums past 100 %) together, in file order: when a file has
/// problems of shape, the facts that could be read are still checked.
pub fn load_and_lower(path: Option<&Path>, opts: &Options) -> Result<(Scenario, Facts), Error> {
    lower_loaded(scenario::read(path)?, opts)
}

/// [`load_and_lower`] for a scenario already read.
pub fn lower_loaded(loaded: Loaded, opts: &Options) -> Result<(Scenario, Facts), Error> {
    lower_loaded_with(loaded, opts, lower::lower)
}

/// [`lower_loaded`] without the computed relations ([`lower::lower_inputs`]): the caller runs
/// `aggregate::compute`, after freeing the scenario if it needs no more of it.
pub fn lower_loaded_inputs(loaded: Loaded, opts: &Options) -> Result<(Scenario, Facts), Error> {
    lower_loaded_with(loaded, opts, lower::lower_inputs)
}

fn lower_loaded_with(
    loaded: Loaded,
    opts: &Options,
    lower: fn(&Scenario, &Options) -> Result<Facts, Error>,
) -> Result<(Scenario, Facts), Error> {
    if loaded.problems.is_empty() {
        let facts = lower(&loaded.scenario, opts)?;
        return Ok((loaded.scenario, facts));
    }
    let name = loaded.name().to_string();
    let mut problems = loaded.problems;
    // A table that could not be read at all leaves its declarations out: every reference to
    // them would look unknown, so references are checked only when every file was read.
    if loaded.complete
        && let Err(Error::Invalid { problems: more, .. }) = lower(&loaded.scenario, opts)
    {
        problems.extend(more);
    }
    scenario::sort_problems(&mut problems);
    Err(Error::invalid(&name, problems))
}

/// The error of a file lode was asked to write and could not (exit 2: bad usage).
pub fn cannot_write(path: &Path, e: &std::io::Error) -> Error {
    Error::usage(
        format!(
            "cannot write `{}`: {}",
            path.display(),
            e.to_string().to_lowercase()
        ),
        Some("check that the directory exists and is writable".into()),
    )
}

/// Makes the `--cut` specs unavailable in lowered facts, as `lode sweep` cuts them.
pub fn apply_cuts(facts: Facts, specs: &[String]) -> Result<Facts, Error> {
    if specs.is_empty() {
        return Ok(facts);
    }
    let items = specs
        .iter()
        .map(|s| {
            crate::sweep::parse_cut(&facts, s).map_err(|b| Error::usage(b.message, Some(b.hint)))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(crate::sweep::cut_world(facts, &items))
}

/// How to re-ask about the world these arguments name (see [`crate::report::command`]).
pub fn reask(scenario: Option<&Path>, eval: &EvalArgs) -> crate::report::command::Reask {
    crate::report::command::Reask {
        scenario: scenario.map(|p| p.display().to_string()),
        set: eval.set.clone(),
        as_of: eval.as_of.clone(),
        cut: Vec::new(),
    }
}

/// Resolves relation names given on the command line (case-insensitive, with suggestions).
pub fn relation_ids(names: &[String]) -> Result<Vec<usize>, Error> {
    let prog = crate::datalog::program();
    names
        .iter()
        .map(|n| {
            prog.relations
                .iter()
                .position(|r| r.name.eq_ignore_ascii_case(n))
                .ok_or_else(|| {
                    let help = suggest(n, prog.relations.iter().map(|r| r.name.as_str()))
                        .unwrap_or_else(|| "`lode rules` lists every relation".into());
                    Error::usage(format!("unknown relation `{n}`"), Some(help))
                })
        })
        .collect()
}

/// The scenario files of a directory listing, or `scenarios/*.toml` when none are given.
pub fn scenario_files(given: &[PathBuf]) -> Result<Vec<PathBuf>, Error> {
    if !given.is_empty() {
        return Ok(given.to_vec());
    }
    let dir = Path::new("scenarios");
    let entries = std::fs::read_dir(dir).map_err(|e| Error::Io {
        path: "scenarios/".into(),
        reason: format!("{e}; run from the repository root or name the scenarios"),
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    Ok(files)
}

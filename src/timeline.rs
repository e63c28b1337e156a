//! Time: the dates in a window where a scenario's picture can change, and when each conclusion
//! starts and stops holding.
//!
//! A fact with a validity window (`from`, `until`, both inclusive) can only change what holds on
//! the day its window opens (`from`) and the day after it closes (`until` + 1 day). Those dates,
//! inside `[from, to]`, are the *breakpoints* of a window; between two breakpoints every input is
//! the same, so so is every conclusion. The scenario is parsed once and lowered once per
//! breakpoint ([`crate::lower::lower`] with `as_of` set to it).
//!
//! Initiatives are dated by year (start, horizon), not by window: [`projections`] turns each
//! initiative's projected risk at its horizon into a risk level per year.

use crate::datalog::rel;
use crate::engine::{self, Model};
use crate::error::Error;
use crate::lower::{self, Options};
use crate::model::{Symbols, Value};
use crate::scenario::{Date, Scenario};
use std::collections::{BTreeMap, BTreeSet};

/// The day after a date.
pub fn next_day(d: Date) -> Date {
    let leap = (d.year % 4 == 0 && d.year % 100 != 0) || d.year % 400 == 0;
    let days = match d.month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        _ => 28,
    };
    if d.day < days {
        Date {
            day: d.day + 1,
            ..d
        }
    } else if d.month < 12 {
        Date {
            month: d.month + 1,
            day: 1,
            ..d
        }
    } else {
        Date {
            year: d.year + 1,
            month: 1,
            day: 1,
        }
    }
}

/// The day before a date.
pub fn prev_day(d: Date) -> Date {
    if d.day > 1 {
        return Date {
            day: d.day - 1,
            ..d
        };
    }
    let (year, month) = if d.month > 1 {
        (d.year, d.month - 1)
    } else {
        (d.year - 1, 12)
    };
    // The last day of the previous month: step back from the first of this month.
    let mut last = Date {
        year,
        month,
        day: 28,
    };
    while next_day(last).month == month {
        last = next_day(last);
    }
    last
}

/// A field value as it reads, independent of any one lowering's symbol table (numbers sort
/// before names, as [`Symbols::cmp_values`] does): the same as a diff's cell.
pub use crate::diff::Cell as Term;

/// A tuple of a relation, with its fields as [`Term`]s.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Conclusion {
    pub rel: usize,
    pub tuple: Vec<Term>,
}

/// What happens to one fact's window on a breakpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Edge {
    /// The window opens: this date is the fact's `from`.
    Opens,
    /// The window has closed: the day before was the fact's `until`.
    Closes,
}

/// A date where inputs change, and the facts whose windows open or close on it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Breakpoint {
    pub date: Date,
    /// `(index into Scenario::facts, edge)`, sorted.
    pub changes: Vec<(usize, Edge)>,
    /// Conclusions that hold from this date on but did not the day before.
    pub started: Vec<Conclusion>,
    /// Conclusions that held the day before but no longer do.
    pub stopped: Vec<Conclusion>,
}

/// One stretch of days on which a conclusion holds, both ends inclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Period {
    pub from: Date,
    pub until: Date,
}

/// An initiative-driven risk level of one consumer × mineral × stage in one year.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProjectedYear {
    pub consumer: String,
    pub mineral: String,
    pub stage: String,
    pub year: i64,
    /// The risk level today (before the first horizon), else the projected level at the latest
    /// horizon reached.
    pub level: String,
    /// Initiatives whose horizon is this year.
    pub due: Vec<String>,
}

/// The result of `lode timeline`.
#[derive(Clone, Debug)]
pub struct Timeline {
    pub from: Date,
    pub to: Date,
    /// The relations followed, in program order.
    pub rels: Vec<usize>,
    /// `from` first, then every date in `(from, to]` where a fact's window opens or closes.
    pub breakpoints: Vec<Breakpoint>,
    /// Every conclusion that held on some day of the window, and when; sorted by relation (in
    /// program order) and tuple.
    pub periods: Vec<(Conclusion, Vec<Period>)>,
    /// Projected risk year by year, judged on the facts in force on `projected_as_of`.
    pub projections: Vec<ProjectedYear>,
    /// `--as-of` if given, else `to`.
    pub projected_as_of: Date,
}

impl Timeline {
    /// Whether a conclusion held on every day of the window.
    pub fn throughout(&self, periods: &[Period]) -> bool {
        periods.len() == 1 && periods[0].from == self.from && periods[0].until == self.to
    }
}

/// The dates in `[from, to]` where a scenario's inputs can change: `from` itself, and every
/// fact's `from` and `until` + 1 day strictly after `from` and at most `to`. Sorted; the facts
/// whose windows open or close are listed with each date.
pub fn breakpoints(s: &Scenario, from: Date, to: Date) -> Vec<(Date, Vec<(usize, Edge)>)> {
    let mut dates: BTreeMap<Date, Vec<(usize, Edge)>> = BTreeMap::new();
    dates.insert(from, Vec::new());
    for (i, f) in s.facts.iter().enumerate() {
        let edges = [
            f.date("from").map(|d| (d, Edge::Opens)),
            f.date("until").map(|d| (next_day(d), Edge::Closes)),
        ];
        for (d, edge) in edges.into_iter().flatten() {
            if from < d && d <= to {
                dates.entry(d).or_default().push((i, edge));
            }
        }
    }
    dates
        .into_iter()
        .map(|(d, mut c)| {
            c.sort();
            (d, c)
        })
        .collect()
}

/// The tuples of the followed relations in a model, as conclusions.
fn conclusions(syms: &Symbols, model: &Model, rels: &[usize]) -> BTreeSet<Conclusion> {
    rels.iter()
        .flat_map(|&r| {
            model.db.rel(r).iter().map(move |t| Conclusion {
                rel: r,
                tuple: t.iter().map(|v| Term::of(syms, v)).collect(),
            })
        })
        .collect()
}

/// Evaluates a scenario on every breakpoint of `[from, to]` and records when each conclusion of
/// `rels` starts and stops holding. Each breakpoint is its own as-of date; `opts.as_of` only
/// chooses the date whose facts the year-by-year projections are judged on (default: `to`).
pub fn build(
    s: &Scenario,
    opts: &Options,
    from: Date,
    to: Date,
    rels: &[usize],
) -> Result<Timeline, Error> {
    let mut rels = rels.to_vec();
    rels.sort_unstable();
    rels.dedup();
    let mut open: BTreeMap<Conclusion, Date> = BTreeMap::new();
    let mut done: BTreeMap<Conclusion, Vec<Period>> = BTreeMap::new();
    let mut points = Vec::new();
    let mut last = None;
    for (date, changes) in breakpoints(s, from, to) {
        let o = Options {
            as_of: Some(date),
            set: opts.set.clone(),
            skip_origins: false,
        };
        let facts = lower::lower(s, &o)?;
        let model = engine::evaluate(&facts);
        let now = conclusions(&facts.syms, &model, &rels);
        let mut started = Vec::new();
        let mut stopped = Vec::new();
        for c in &now {
            if !open.contains_key(c) {
                open.insert(c.clone(), date);
                if date != from {
                    started.push(c.clone());
                }
            }
        }
        let gone: Vec<Conclusion> = open.keys().filter(|c| !now.contains(*c)).cloned().collect();
        for c in gone {
            if let Some(start) = open.remove(&c) {
                done.entry(c.clone()).or_default().push(Period {
                    from: start,
                    until: prev_day(date),
                });
            }
            stopped.push(c);
        }
        points.push(Breakpoint {
            date,
            changes,
            started,
            stopped,
        });
        last = Some((facts.syms, model));
    }
    for (c, start) in open {
        done.entry(c).or_default().push(Period {
            from: start,
            until: to,
        });
    }
    let projections = match (opts.as_of, &last) {
        (Some(date), _) => {
            let facts = lower::lower(
                s,
                &Options {
                    as_of: Some(date),
                    set: opts.set.clone(),
                    skip_origins: false,
                },
            )?;
            projections(&facts.syms, &engine::evaluate(&facts))
        }
        (None, Some((syms, model))) => projections(syms, model),
        (None, None) => Vec::new(),
    };
    Ok(Timeline {
        from,
        to,
        rels,
        breakpoints: points,
        periods: done.into_iter().collect(),
        projections,
        projected_as_of: opts.as_of.unwrap_or(to),
    })
}

/// Projected risk year by year, per consumer × mineral × stage that live initiatives target.
///
/// From the earliest start to the latest horizon of those initiatives, the level in year `y` is
/// the consumer's risk level today until the first horizon is reached, then the projected risk
/// level (`ProjectedRiskLevel`) of the initiatives with the latest horizon at or before `y` (the
/// worst, should they differ). Each initiative's projection counts every live initiative on its
/// mineral × stage with the same or an earlier horizon, so this is the path the rules project.
pub fn projections(syms: &Symbols, model: &Model) -> Vec<ProjectedYear> {
    let name = |v: &Value| syms.name(v.sym()).to_string();
    let rank: BTreeMap<String, i64> = model
        .db
        .rel(rel::RISK_RANK)
        .iter()
        .map(|t| (name(&t[0]), t[1].num()))
        .collect();
    let plans: BTreeMap<String, (i64, i64)> = model
        .db
        .rel(rel::INITIATIVE_PLAN)
        .iter()
        .map(|t| (name(&t[0]), (t[1].num(), t[2].num())))
        .collect();
    // (consumer, mineral, stage) -> (today, [(initiative, start, horizon, projected level)])
    type Group = (String, Vec<(String, i64, i64, String)>);
    let mut groups: BTreeMap<(String, String, String), Group> = BTreeMap::new();
    for t in model.db.rel(rel::INITIATIVE_EFFECT) {
        let i = name(&t[1]);
        let Some(&(start, horizon)) = plans.get(&i) else {
            continue;
        };
        let g = groups
            .entry((name(&t[0]), name(&t[2]), name(&t[3])))
            .or_insert_with(|| (name(&t[4]), Vec::new()));
        g.1.push((i, start, horizon, name(&t[5])));
    }
    let worse = |a: &str, b: &str| -> bool {
        rank.get(a).copied().unwrap_or(0) > rank.get(b).copied().unwrap_or(0)
    };
    let mut out = Vec::new();
    for ((consumer, mineral, stage), (today, mut inits)) in groups {
        inits.sort();
        let first = inits.iter().map(|x| x.1.min(x.2)).min().unwrap_or(0);
        let end = inits.iter().map(|x| x.2).max().unwrap_or(0);
        for year in first..=end {
            let reached = inits.iter().filter(|x| x.2 <= year).map(|x| x.2).max();
            let level = match reached {
                None => today.clone(),
                Some(h) => inits
                    .iter()
                    .filter(|x| x.2 == h)
                    .map(|x| x.3.as_str())
                    .fold(None::<&str>, |acc, l| match acc {
                        Some(a) if !worse(l, a) => Some(a),
                        _ => Some(l),
                    })
                    .unwrap_or(today.as_str())
                    .to_string(),
            };
            let due = inits
                .iter()
                .filter(|x| x.2 == year)
                .map(|x| x.0.clone())
                .collect();
            out.push(ProjectedYear {
                consumer: consumer.clone(),
                mineral: mineral.clone(),
                stage: stage.clone(),
                year,
                level,
                due,
            });
        }
    }
    out
}

/// The relations a timeline follows by default: every output relation.
pub fn default_relations() -> Vec<usize> {
    crate::datalog::output_relations()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap_or(Date {
            year: 0,
            month: 1,
            day: 1,
        })
    }

    #[test]
    fn next_and_previous_days_cross_months_years_and_leap_days() {
        assert_eq!(next_day(d("2026-11-27")), d("2026-11-28"));
        assert_eq!(next_day(d("2026-11-30")), d("2026-12-01"));
        assert_eq!(next_day(d("2026-12-31")), d("2027-01-01"));
        assert_eq!(next_day(d("2024-02-28")), d("2024-02-29"));
        assert_eq!(next_day(d("2025-02-28")), d("2025-03-01"));
        assert_eq!(prev_day(d("2026-11-28")), d("2026-11-27"));
        assert_eq!(prev_day(d("2027-01-01")), d("2026-12-31"));
        assert_eq!(prev_day(d("2024-03-01")), d("2024-02-29"));
        assert_eq!(prev_day(d("2025-03-01")), d("2025-02-28"));
    }

    const WINDOWED: &str = r#"
[scenario]
name = "windows"
description = "one suspension with a window"
reference_year = 2025
default_source = "test"

[[country]]
id = "CHN"
name = "China"

[[country]]
id = "USA"
name = "United States"

[[mineral]]
id = "gallium"
name = "Gallium"

[[event]]
id = "ban"
actor = "CHN"
kind = "export_ban"
minerals = ["gallium"]
target = "USA"
from = 2024-12-03

[[event]]
id = "pause"
actor = "CHN"
kind = "suspension"
suspends = ["ban"]
from = 2025-11-09
until = 2026-11-27
"#;

    fn scenario() -> Option<Scenario> {
        crate::scenario::load_str("windows.toml", WINDOWED, None).ok()
    }

    #[test]
    fn breakpoints_are_window_openings_and_the_day_after_each_close() {
        let Some(s) = scenario() else {
            return assert!(scenario().is_some(), "the test scenario loads");
        };
        let dates: Vec<String> = breakpoints(&s, d("2023-01-01"), d("2027-12-31"))
            .iter()
            .map(|(x, _)| x.to_string())
            .collect();
        assert_eq!(
            dates,
            ["2023-01-01", "2024-12-03", "2025-11-09", "2026-11-28"]
        );
        // A window that opens on the first day adds no breakpoint; one that closes after the
        // last day neither.
        let dates: Vec<Date> = breakpoints(&s, d("2024-12-03"), d("2026-11-27"))
            .iter()
            .map(|(x, _)| *x)
            .collect();
        assert_eq!(dates, [d("2024-12-03"), d("2025-11-09")]);
    }

    #[test]
    fn a_suspension_holds_from_the_day_it_opens_through_the_day_it_closes() {
        let Some(s) = scenario() else {
            return assert!(scenario().is_some(), "the test scenario loads");
        };
        let suspended = |day: &str| -> bool {
            let o = Options {
                as_of: Some(d(day)),
                set: Vec::new(),
                skip_origins: false,
            };
            lower::lower(&s, &o)
                .map(|f| !f.db.rel(rel::SUSPENDS).is_empty())
                .unwrap_or(false)
        };
        assert!(!suspended("2025-11-08"), "the day before `from`");
        assert!(suspended("2025-11-09"), "the day of `from`");
        assert!(suspended("2026-11-27"), "the day of `until` (inclusive)");
        assert!(!suspended("2026-11-28"), "the day after `until`");
        let banned = |day: &str| -> usize {
            let o = Options {
                as_of: Some(d(day)),
                set: Vec::new(),
                skip_origins: false,
            };
            lower::lower(&s, &o)
                .map(|f| f.db.rel(rel::EVENT).len())
                .unwrap_or(usize::MAX)
        };
        assert_eq!(banned("2024-12-02"), 0, "the day before the ban");
        assert_eq!(banned("2024-12-03"), 1, "the day the ban starts");
    }

    const INITIATIVE: &str = r#"
[scenario]
name = "projection"
description = "one initiative that adds an aligned dominant supplier by 2030"
reference_year = 2025
default_source = "test"

[[country]]
id = "CHN"
name = "China"

[[country]]
id = "AUS"
name = "Australia"

[[country]]
id = "MNG"
name = "Mongolia"

[[country]]
id = "USA"
name = "United States"

[[mineral]]
id = "fluorspar"
name = "Fluorspar"

[[stage]]
id = "mining"
name = "Mining"

[[alignment]]
consumer = "USA"
country = "CHN"
level = "rival"
rationale = "test"

[[alignment]]
consumer = "USA"
country = "AUS"
level = "ally"
rationale = "test"

[[alignment]]
consumer = "USA"
country = "MNG"
level = "partner"
rationale = "test"

[[share]]
mineral = "fluorspar"
stage = "mining"
country = "CHN"
year = 2025
percent = 60

[[share]]
mineral = "fluorspar"
stage = "mining"
country = "AUS"
year = 2025
percent = 40

[[reliance]]
consumer = "USA"
mineral = "fluorspar"
year = 2025
percent = 100

[[partnership]]
id = "p"
members = ["USA", "MNG"]
since = 2023
instrument = "test"

[[initiative]]
id = "mine"
partnership = "p"
kind = "joint_venture"
mineral = "fluorspar"
stage = "mining"
country = "MNG"
start = 2026
horizon = 2029
status = "active"
capacity = 100
"#;

    #[test]
    fn projections_step_from_todays_level_to_the_projected_one_at_the_horizon() {
        let s = crate::scenario::load_str("projection.toml", INITIATIVE, None);
        let f = s
            .as_ref()
            .ok()
            .and_then(|s| lower::lower(s, &Options::default()).ok());
        let Some(f) = f else {
            return assert!(f.is_some(), "the test scenario loads and lowers");
        };
        let rows: Vec<(i64, String, Vec<String>)> = projections(&f.syms, &engine::evaluate(&f))
            .into_iter()
            .map(|p| (p.year, p.level, p.due))
            .collect();
        let today = rows.first().map(|r| r.1.clone()).unwrap_or_default();
        assert!(today == "high" || today == "critical", "{rows:?}");
        assert_eq!(
            rows,
            [
                (2026, today.clone(), vec![]),
                (2027, today.clone(), vec![]),
                (2028, today, vec![]),
                (2029, "moderate".to_string(), vec!["mine".to_string()]),
            ]
        );
    }
}

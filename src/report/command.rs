//! The `lode explain` command that proves one line of `diff`, `sweep` or `timeline`.
//!
//! Those lines hold in one scenario, under one cut or on one date, not in the bundled baseline
//! as it stands, so pasting the bare conclusion into `lode explain` would ask the wrong world.
//! [`Reask`] carries what the line needs (the scenario file, `--set`, `--as-of`, `--cut`) and
//! prints the command to run, quoted for a POSIX shell.

use super::diff::atom;
use crate::diff::{Cell, Entry, Kind};

/// How to ask lode again about the world a line holds in.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reask {
    /// The scenario file as the user gave it; `None` for the bundled baseline.
    pub scenario: Option<String>,
    /// `--set NAME=VALUE` overrides, as given.
    pub set: Vec<String>,
    /// `--as-of DATE`, as given.
    pub as_of: Option<String>,
    /// `--cut` specs (`supplier=CHN`).
    pub cut: Vec<String>,
}

impl Reask {
    /// The same world on another date.
    pub fn on(&self, date: &str) -> Reask {
        Reask {
            as_of: Some(date.to_string()),
            ..self.clone()
        }
    }

    /// The same world under these cuts.
    pub fn cut(&self, specs: &[String]) -> Reask {
        Reask {
            cut: specs.to_vec(),
            ..self.clone()
        }
    }

    /// `lode explain [--set …] [--as-of …] [--cut …] [SCENARIO] 'QUERY'`.
    pub fn explain(&self, query: &str) -> String {
        let mut words = vec!["lode".to_string(), "explain".to_string()];
        for s in &self.set {
            words.push("--set".into());
            words.push(quote(s));
        }
        if let Some(d) = &self.as_of {
            words.push("--as-of".into());
            words.push(quote(d));
        }
        for c in &self.cut {
            words.push("--cut".into());
            words.push(quote(c));
        }
        if let Some(s) = &self.scenario {
            words.push(quote(s));
        }
        words.push(quote(query));
        words.join(" ")
    }
}

/// The labelled commands that prove a difference: `now` proves what holds after it (an added
/// or changed conclusion), `was` what held before (a removed or changed one).
pub fn for_entry(
    e: &Entry,
    now: (&'static str, &Reask),
    was: (&'static str, &Reask),
) -> Vec<(&'static str, String)> {
    let after = |row: &[Cell]| (now.0, now.1.explain(&atom(e.rel, row)));
    let before = |row: &[Cell]| (was.0, was.1.explain(&atom(e.rel, row)));
    match &e.kind {
        Kind::Added(row) => vec![after(row)],
        Kind::Removed(row) => vec![before(row)],
        Kind::Changed {
            before: b,
            after: a,
        } => vec![after(a), before(b)],
    }
}

/// A word for a POSIX shell: bare when it holds only characters no shell treats specially
/// past a command's first word (so `supplier=CHN` stays bare), else quoted by [`shlex`].
pub fn quote(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        return word.to_string();
    }
    // `try_quote` refuses only a NUL byte, which no command-line argument holds.
    shlex::try_quote(word).map_or_else(
        |_| format!("'{}'", word.replace('\'', r"'\''")),
        |q| q.into_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_keeps_safe_words_bare_and_quotes_the_rest() {
        assert_eq!(quote("scenarios/baseline.toml"), "scenarios/baseline.toml");
        assert_eq!(quote("supplier=CHN"), "supplier=CHN");
        assert_eq!(quote("RiskLevel(USA, a)"), "'RiskLevel(USA, a)'");
        for w in [
            "it's",
            "",
            "a b",
            "$HOME",
            "x\"y",
            "RiskScore(USA, tin, mining, 12.50%)",
        ] {
            assert_eq!(shlex::split(&quote(w)), Some(vec![w.to_string()]), "{w}");
        }
    }

    #[test]
    fn the_command_carries_the_world_of_the_line() {
        let r = Reask {
            scenario: Some("my scenario.toml".into()),
            set: vec!["dominant_share=40".into()],
            as_of: None,
            cut: vec![],
        };
        assert_eq!(
            r.on("2025-02-04")
                .cut(&["supplier=CHN".into()])
                .explain("RiskLevel(USA, gallium, refining, critical)"),
            "lode explain --set dominant_share=40 --as-of 2025-02-04 --cut supplier=CHN \
             'my scenario.toml' 'RiskLevel(USA, gallium, refining, critical)'"
        );
        assert_eq!(
            Reask::default().explain("Dominant(gallium, refining, CHN)"),
            "lode explain 'Dominant(gallium, refining, CHN)'"
        );
    }
}

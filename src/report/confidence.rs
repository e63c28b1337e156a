//! The confidence lines of `lode run --confidence` / `--min-confidence`.

use crate::scenario::Quality;

/// The note printed under the heading: what the confidence column means, how many conclusions
/// rest on each quality, and what a `--min-confidence` filter kept.
pub fn note(
    counts: &[(Quality, usize)],
    min: Option<Quality>,
    kept: usize,
    automatic: bool,
) -> String {
    let total: usize = counts.iter().map(|(_, n)| n).sum();
    let mut out = String::from(
        "confidence: the weakest quality among the data facts of each conclusion's minimal proof (official > derived > secondary > assumption > claim), then the kinds of analyst assumption it rests on (`lode explain` lists them)\n",
    );
    if automatic {
        out.push_str("shown because this scenario states claims (quality `claim`): a conclusion marked claim rests on one\n");
    }
    let parts: Vec<String> = counts
        .iter()
        .rev()
        .map(|(q, n)| format!("{n} {}", q.as_str()))
        .collect();
    out.push_str(&format!(
        "{total} conclusion{}: {}\n",
        if total == 1 { "" } else { "s" },
        parts.join(", ")
    ));
    if let Some(m) = min {
        out.push_str(&format!(
            "--min-confidence {}: showing {kept} of {total}, {} or better\n",
            m.as_str(),
            m.as_str()
        ));
    }
    out
}

/// The usage hint for a bad `--min-confidence` value.
pub fn choices() -> String {
    format!("one of: {}", Quality::NAMES.join(", "))
}

/// The confidence column of a conclusion: its data quality, and the kinds of assumption it rests
/// on (`derived; assumes alignment, transit`).
pub fn cell(q: Quality, assumed: &[&str]) -> String {
    if assumed.is_empty() {
        q.as_str().to_string()
    } else {
        format!("{}; assumes {}", q.as_str(), assumed.join(", "))
    }
}

/// The confidence field of a conclusion in JSON: its name and (string) value.
pub fn field(q: Quality) -> (&'static str, &'static str) {
    ("confidence", q.as_str())
}

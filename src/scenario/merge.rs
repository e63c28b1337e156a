//! Merging a file's own facts over its parent's (`extends`), and the duplicate-fact diagnostic.

use super::{Fact, KeyIndex, Meta, Parsed, Scenario};
use crate::error::{Problem, SourceFile};
use std::collections::BTreeMap;

/// A fact whose key an earlier fact of the same file (or of a table the file loads) already has:
/// a duplicate id, a repeated fact, or (worse) the same fact with conflicting values. Points at
/// the second one's key; `files` holds both facts' files.
pub(super) fn duplicate(files: &[SourceFile], first: &Fact, second: &Fact) -> Problem {
    let (Some(file), Some(first_file)) = (files.get(second.loc.file), files.get(first.loc.file))
    else {
        // Both facts were read from `files`; this is never reached.
        return Problem::new(
            &SourceFile {
                name: "scenario".into(),
                text: "".into(),
            },
            0..0,
            format!("duplicate fact {}", second.describe()),
        );
    };
    let (l, _) = first_file.line_col(first.loc.span.start);
    let line = if first.loc.file == second.loc.file {
        format!("line {l}")
    } else {
        format!("{}:{l}", first_file.name)
    };
    let key_col = second.table.key.first().copied().unwrap_or("id");
    let span = second.span_of(key_col).span;
    if second.table.key == ["id"] {
        let id = second.str("id");
        return Problem::new(
            file,
            span,
            format!("{} `{id}` is declared twice", second.table.name),
        )
        .label("declared again")
        .help(format!(
            "`{id}` is first declared at {line}; keep one of them"
        ));
    }
    let conflicts: Vec<String> = first
        .fields
        .iter()
        .filter(|(k, _)| !matches!(**k, "note" | "source"))
        .filter_map(|(k, (v, _))| {
            let other = second.get(k);
            (other != Some(v)).then(|| match other {
                Some(o) => format!(
                    "`{k}` is {} here but {} at {line}",
                    o.key_text(),
                    v.key_text()
                ),
                None => format!("`{k}` is {} at {line} and absent here", v.key_text()),
            })
        })
        .chain(
            second
                .fields
                .keys()
                .filter(|k| !matches!(**k, "note" | "source") && !first.fields.contains_key(k))
                .map(|k| format!("`{k}` is absent at {line}")),
        )
        .collect();
    if conflicts.is_empty() {
        Problem::new(file, span, format!("duplicate fact {}", second.describe()))
            .label("repeated")
            .help(format!(
                "the same fact is first given at {line}; drop one of them"
            ))
    } else {
        Problem::new(
            file,
            span,
            format!(
                "conflicting facts {}: {}",
                second.describe(),
                conflicts.join(", ")
            ),
        )
        .label("same key, other values")
        .help(format!(
            "a `{}` fact is identified by {}: keep the right one",
            second.table.name,
            second
                .table
                .key
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ))
    }
}
/// Merges a file's own content over its (already merged) parent.
pub(super) fn merge(
    base: Option<Scenario>,
    own: Parsed,
    files: &[SourceFile],
    problems: &mut Vec<Problem>,
) -> Scenario {
    let mut s = base.unwrap_or_else(|| Scenario {
        files: Vec::new(),
        tables: Vec::new(),
        meta: Meta::default(),
        params: BTreeMap::new(),
        facts: Vec::new(),
        expects: Vec::new(),
    });
    s.files = files.to_vec();
    let m = own.meta;
    if !m.name.is_empty() {
        s.meta.name = m.name;
    }
    if !m.description.is_empty() {
        s.meta.description = m.description;
    }
    if m.reference_year != 0 {
        s.meta.reference_year = m.reference_year;
    }
    if m.as_of.is_some() {
        s.meta.as_of = m.as_of;
    }
    if m.label.is_some() {
        s.meta.label = m.label;
    }
    s.params.extend(own.params);
    for (tname, fields, loc) in own.removes {
        let before = s.facts.len();
        s.facts.retain(|f| {
            f.table.name != tname
                || !fields
                    .iter()
                    .all(|(k, v)| f.get(k).is_some_and(|x| x.key_text() == *v))
        });
        if s.facts.len() == before {
            let file = &files[loc.file];
            let what: Vec<String> = fields.iter().map(|(k, v)| format!("{k} = {v:?}")).collect();
            problems.push(
                Problem::new(
                    file,
                    loc.span,
                    format!("this removal matches no `{tname}` fact of the parent scenario"),
                )
                .label("matches nothing")
                .help(format!(
                    "no {tname} has {}; check the spelling or drop the removal",
                    what.join(", ")
                )),
            );
        }
    }
    // Index the parent's facts by (table, key) once: an overlay replaces the first fact of the
    // same key, anything else is appended. (A linear search per fact made loading quadratic.)
    // Without parent facts there is nothing to replace: a file's own keys are unique (`parse`
    // reports duplicates), so its facts are appended as they are.
    if s.facts.is_empty() {
        s.facts = own.facts;
    } else {
        let mut index = KeyIndex::with_capacity(s.facts.len() + own.facts.len());
        for (i, f) in s.facts.iter().enumerate() {
            index.find_or_insert(&s.facts, f, i);
        }
        for fact in own.facts {
            match index.find_or_insert(&s.facts, &fact, s.facts.len()) {
                Some(i) => s.facts[i] = fact,
                None => s.facts.push(fact),
            }
        }
    }
    // Expectations pin what one file must show: a what-if does not inherit its parent's.
    s.expects = own.expects;
    if s.meta.name.is_empty() || s.meta.description.is_empty() || s.meta.reference_year == 0 {
        let file = &files[own.file];
        let mut missing = Vec::new();
        if s.meta.name.is_empty() {
            missing.push("name");
        }
        if s.meta.description.is_empty() {
            missing.push("description");
        }
        if s.meta.reference_year == 0 {
            missing.push("reference_year");
        }
        if own.has_header && own.header_is_table {
            problems.push(
                Problem::new(
                    file,
                    own.header.clone(),
                    format!(
                        "[scenario] lacks {}",
                        missing.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
                    ),
                )
                .label("incomplete")
                .help("every scenario (or the one it extends) states name, description and reference_year"),
            );
        }
    }
    s
}

//! Queries: a relation and a pattern over its fields, as `lode explain`, `lode test` (`[[expect]]`)
//! and the reports accept them.
//!
//! ```text
//! RiskLevel(USA, gallium, refining, critical)          positional, every field
//! risklevel(USA, gallium, refining, _)                  relation name in any case, `_` matches anything
//! RiskLevel(consumer=USA, level=critical)               named fields; the others match anything
//! RiskLevel(USA, gallium, stage=refining)               positional first, then named
//! Dominant(gallium, refining, CHN, 98.90%)              a value exactly as `lode run` prints it
//! Dominant(gallium, refining, CHN, share=98.9)          a `_bp` field may be named without `_bp`
//! RiskLevel                                             the whole relation
//! RiskLevel(USA, gallium,  refining, critical)  # derived   a line of `lode run`, as printed
//! ```
//!
//! A trailing `_` stands for every field after it: `HighReliance(USA, lithium, _)` is
//! `HighReliance(USA, lithium, _, _)`.
//!
//! Whitespace between tokens is free, and `#` starts a comment that runs to the end of the text:
//! `lode run` prints each conclusion as a query, its columns padded with spaces and any extra
//! column (the confidence) after `#`, so a data line of `lode run` pastes into `lode explain`
//! as it is.
//!
//! Values are bare (`USA`, `rare_earths`) or quoted (`"USA"`, `'USA'`). A symbol not found as
//! written is looked up ignoring case (`usa` finds `USA`).
//!
//! Numbers follow one rule: **a number with a decimal point or a `%` is in the unit `lode run`
//! prints; a plain integer is in the field's raw unit**, the unit JSON output and the rules use.
//! For a `_bp` field (basis points, 1% = 100 bp) `93.80%`, `93.8%` and `93.8` all mean 9380 bp,
//! and `9380` is 9380 bp. For a `_milli` field, `1.234` is 1234 and `1234` is 1234. Other number
//! fields (HHI points, years, ranks) take integers. Only a `_bp` field accepts `%`.
//!
//! Parsing is in two steps: [`parse`] checks the syntax, the relation and the fields (it needs no
//! scenario); [`Query::resolve`] looks symbols up in a scenario's symbol table and gives a
//! [`Pattern`]. [`pattern`] does both for a query typed on the command line.

use crate::datalog::program;
use crate::datalog::syntax::Ty;
use crate::error::{Error, Problem, QueryProblem, SourceFile, suggest};
use crate::model::{Database, Sym, Symbols, Tuple, Value};
use std::ops::Range;
use std::sync::Arc;

/// A resolved query: a relation and, per field, the value it must have (`None`: any value).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Pattern {
    pub rel: usize,
    pub fields: Vec<Option<Value>>,
}

impl Pattern {
    /// A pattern that matches every tuple of a relation.
    pub fn any(rel: usize) -> Self {
        let n = program().relations.get(rel).map_or(0, |r| r.fields.len());
        Pattern {
            rel,
            fields: vec![None; n],
        }
    }

    /// A pattern that matches exactly one tuple.
    pub fn exact(rel: usize, t: &[Value]) -> Self {
        Pattern {
            rel,
            fields: t.iter().map(|v| Some(*v)).collect(),
        }
    }

    /// Whether every field is given (no wildcard).
    pub fn is_ground(&self) -> bool {
        self.fields.iter().all(Option::is_some)
    }

    /// Whether a tuple of this pattern's relation matches it.
    pub fn matches(&self, t: &[Value]) -> bool {
        matches(self, t)
    }

    /// The tuples of `db` that match, in the database's (sorted) order.
    pub fn find<'a>(&self, db: &'a Database) -> Vec<&'a Tuple> {
        db.rel(self.rel)
            .iter()
            .filter(|t| matches(self, t))
            .collect()
    }
}

/// Whether a tuple matches a pattern: same arity, and every given field equal.
pub fn matches(p: &Pattern, t: &[Value]) -> bool {
    p.fields.len() == t.len()
        && p.fields
            .iter()
            .zip(t)
            .all(|(f, v)| f.as_ref().is_none_or(|f| f == v))
}

/// One field of a parsed (not yet resolved) query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Arg {
    Any,
    Sym { name: String, span: Range<usize> },
    Num(i64),
}

/// A parsed query: a relation and one [`Arg`] per field. Symbols are still names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Query {
    pub rel: usize,
    pub args: Vec<Arg>,
    /// The text the query was parsed from.
    pub text: String,
}

/// A problem in a query: a message, the byte span in the query text it is about, and a hint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryError {
    pub message: String,
    pub span: Range<usize>,
    pub label: String,
    pub help: Option<String>,
}

impl QueryError {
    fn new(message: impl Into<String>, span: Range<usize>, label: impl Into<String>) -> Self {
        QueryError {
            message: message.into(),
            span,
            label: label.into(),
            help: None,
        }
    }

    fn help(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }

    /// A located problem in `file`, where the query text starts at byte `offset` (for a query
    /// written in a scenario file, e.g. an `[[expect]]`).
    pub fn problem(&self, file: &SourceFile, offset: usize) -> Problem {
        let p = Problem::new(
            file,
            offset + self.span.start..offset + self.span.end,
            self.message.clone(),
        )
        .label(self.label.clone());
        match &self.help {
            Some(h) => p.help(h.clone()),
            None => p,
        }
    }

    /// The problem as an error, shown against the query text itself (a command-line query).
    pub fn into_error(self, text: &str) -> Error {
        let file = SourceFile {
            name: "query".into(),
            text: Arc::from(text),
        };
        let len = text.len();
        let start = self.span.start.min(len);
        let end = self.span.end.clamp(start, len);
        Error::Query(Box::new(QueryProblem {
            message: self.message,
            src: file.named_source().with_language("text"),
            span: (start, end - start).into(),
            label: self.label,
            help: self.help,
        }))
    }
}

/// Parses and resolves a query typed on the command line.
pub fn pattern(text: &str, syms: &Symbols) -> Result<Pattern, Error> {
    parse(text)
        .and_then(|q| q.resolve(syms))
        .map_err(|e| e.into_error(text))
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    /// A bare word, or a quoted string (`quoted` true).
    Word {
        text: String,
        quoted: bool,
    },
    Punct(char),
}

fn lex(text: &str) -> Result<Vec<(Tok, Range<usize>)>, QueryError> {
    let mut out = Vec::new();
    let b: Vec<(usize, char)> = text.char_indices().collect();
    let end_of = |i: usize| b.get(i).map_or(text.len(), |(o, _)| *o);
    let mut i = 0;
    while i < b.len() {
        let (start, c) = b[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '#' {
            // A comment: `lode run` prints extra columns (the confidence) after `#`.
            break;
        } else if matches!(c, '(' | ')' | ',' | '=') {
            out.push((Tok::Punct(c), start..start + 1));
            i += 1;
        } else if c == '"' || c == '\'' {
            let mut j = i + 1;
            while j < b.len() && b[j].1 != c {
                j += 1;
            }
            if j >= b.len() {
                return Err(QueryError::new(
                    "unterminated quoted value",
                    start..text.len(),
                    "the quote opened here is never closed",
                )
                .help(Some(format!("close it with {c}"))));
            }
            let inner: String = b[i + 1..j].iter().map(|(_, c)| c).collect();
            out.push((
                Tok::Word {
                    text: inner,
                    quoted: true,
                },
                start..end_of(j + 1),
            ));
            i = j + 1;
        } else {
            let mut j = i;
            while j < b.len()
                && !b[j].1.is_whitespace()
                && !matches!(b[j].1, '(' | ')' | ',' | '=' | '"' | '\'' | '#')
            {
                j += 1;
            }
            let word: String = b[i..j].iter().map(|(_, c)| c).collect();
            out.push((
                Tok::Word {
                    text: word,
                    quoted: false,
                },
                start..end_of(j),
            ));
            i = j;
        }
    }
    Ok(out)
}

/// One argument before it is placed: optional field name, then the value token.
struct RawArg {
    name: Option<(String, Range<usize>)>,
    value: String,
    quoted: bool,
    span: Range<usize>,
}

/// Parses a query: its syntax, relation, fields and number values. Symbols stay names.
pub fn parse(text: &str) -> Result<Query, QueryError> {
    let toks = lex(text)?;
    let whole = 0..text.len();
    let prog = program();
    let Some((
        Tok::Word {
            text: name,
            quoted: false,
        },
        name_span,
    )) = toks.first().cloned()
    else {
        return Err(QueryError::new(
            "a query starts with a relation name",
            whole,
            "no relation here",
        )
        .help(Some(
            "e.g. RiskLevel(USA, gallium, refining, critical)".into(),
        )));
    };
    let Some(rel) = prog
        .relations
        .iter()
        .position(|r| r.name == name)
        .or_else(|| {
            prog.relations
                .iter()
                .position(|r| r.name.eq_ignore_ascii_case(&name))
        })
    else {
        let help = suggest(&name, prog.relations.iter().map(|r| r.name.as_str()))
            .unwrap_or_else(|| "`lode rules` lists every relation".into());
        return Err(QueryError::new(
            format!("unknown relation `{name}`"),
            name_span,
            "not a relation",
        )
        .help(Some(help)));
    };
    let relation = &prog.relations[rel];
    let signature = format!(
        "{}({})",
        relation.name,
        relation
            .fields
            .iter()
            .map(|f| f.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );

    // Arguments.
    let mut raw: Vec<RawArg> = Vec::new();
    let mut pos = 1;
    if pos < toks.len() {
        if toks[pos].0 != Tok::Punct('(') {
            return Err(QueryError::new(
                "expected `(` after the relation name",
                toks[pos].1.clone(),
                "expected `(`",
            )
            .help(Some(format!("write {signature}"))));
        }
        let open = toks[pos].1.clone();
        pos += 1;
        let mut closed = false;
        if toks.get(pos).map(|t| &t.0) == Some(&Tok::Punct(')')) {
            pos += 1;
            closed = true;
        }
        while !closed {
            let Some((tok, span)) = toks.get(pos).cloned() else {
                return Err(QueryError::new(
                    "the query ends before its `)`",
                    open.start..text.len(),
                    "this `(` is never closed",
                ));
            };
            let Tok::Word { text: w, quoted } = tok else {
                return Err(QueryError::new(
                    "expected a value",
                    span,
                    "expected a value, `_` or field=value",
                ));
            };
            pos += 1;
            let mut arg = RawArg {
                name: None,
                value: w.clone(),
                quoted,
                span: span.clone(),
            };
            if toks.get(pos).map(|t| &t.0) == Some(&Tok::Punct('=')) {
                pos += 1;
                let Some((
                    Tok::Word {
                        text: v,
                        quoted: vq,
                    },
                    vspan,
                )) = toks.get(pos).cloned()
                else {
                    let at = toks
                        .get(pos)
                        .map_or(text.len()..text.len(), |t| t.1.clone());
                    return Err(QueryError::new(
                        format!("expected a value after `{w}=`"),
                        at,
                        "expected a value",
                    ));
                };
                pos += 1;
                arg = RawArg {
                    name: Some((w, span.clone())),
                    value: v,
                    quoted: vq,
                    span: vspan,
                };
            }
            raw.push(arg);
            match toks.get(pos).cloned() {
                Some((Tok::Punct(','), _)) => pos += 1,
                Some((Tok::Punct(')'), _)) => {
                    pos += 1;
                    closed = true;
                }
                Some((_, s)) => {
                    return Err(QueryError::new(
                        "expected `,` or `)`",
                        s,
                        "expected `,` or `)`",
                    ));
                }
                None => {
                    return Err(QueryError::new(
                        "the query ends before its `)`",
                        open.start..text.len(),
                        "this `(` is never closed",
                    ));
                }
            }
        }
        if let Some((_, s)) = toks.get(pos) {
            return Err(QueryError::new(
                "unexpected text after the query",
                s.start..text.len(),
                "after the closing `)`",
            ));
        }
    }

    // Place arguments on fields.
    let n = relation.fields.len();
    let mut slots: Vec<Option<&RawArg>> = vec![None; n];
    let mut seen_named = false;
    let positional = raw.iter().filter(|a| a.name.is_none()).count();
    for (i, a) in raw.iter().enumerate() {
        match &a.name {
            None => {
                if seen_named {
                    return Err(QueryError::new(
                        "a positional value after a named one",
                        a.span.clone(),
                        "positional",
                    )
                    .help(Some(
                        "give positional values first, then field=value".into(),
                    )));
                }
                if i >= n {
                    return Err(QueryError::new(
                        format!(
                            "`{}` has {n} field{}, not {}",
                            relation.name,
                            plural(n),
                            raw.len()
                        ),
                        a.span.clone(),
                        "one too many",
                    )
                    .help(Some(format!("the fields are {signature}"))));
                }
                slots[i] = Some(a);
            }
            Some((fname, fspan)) => {
                seen_named = true;
                let Some(fi) = field_index(rel, fname) else {
                    let names: Vec<&str> =
                        relation.fields.iter().map(|f| f.name.as_str()).collect();
                    let help = suggest(fname, names.iter().copied())
                        .unwrap_or_else(|| format!("the fields are {signature}"));
                    return Err(QueryError::new(
                        format!("`{}` has no field `{fname}`", relation.name),
                        fspan.clone(),
                        "unknown field",
                    )
                    .help(Some(help)));
                };
                if slots[fi].is_some() {
                    return Err(QueryError::new(
                        format!("field `{}` is given twice", relation.fields[fi].name),
                        fspan.clone(),
                        "given again here",
                    ));
                }
                slots[fi] = Some(a);
            }
        }
    }
    let trailing_any = raw
        .last()
        .is_some_and(|a| a.name.is_none() && a.value == "_" && !a.quoted);
    if !seen_named && positional != 0 && positional < n && !trailing_any {
        let at = raw.last().map_or(whole.clone(), |a| a.span.clone());
        return Err(QueryError::new(
            format!("`{}` has {n} fields, not {positional}", relation.name),
            at,
            "too few values",
        )
        .help(Some(format!(
            "the fields are {signature}; use `_` for any value, or name fields (field=value)"
        ))));
    }

    let mut args = Vec::with_capacity(n);
    for (fi, slot) in slots.iter().enumerate() {
        let field = &relation.fields[fi];
        let Some(a) = slot else {
            args.push(Arg::Any);
            continue;
        };
        if a.value == "_" && !a.quoted {
            args.push(Arg::Any);
            continue;
        }
        args.push(match field.ty {
            Ty::Symbol => {
                if a.value.is_empty() {
                    return Err(QueryError::new("an empty value", a.span.clone(), "empty")
                        .help(Some("use `_` for any value".into())));
                }
                Arg::Sym {
                    name: a.value.clone(),
                    span: a.span.clone(),
                }
            }
            Ty::Number => Arg::Num(number(&field.name, &a.value, a.span.clone())?),
        });
    }
    Ok(Query {
        rel,
        args,
        text: text.to_string(),
    })
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// A field by name, ignoring case; a `_bp` or `_milli` field also by its name without the suffix.
fn field_index(rel: usize, name: &str) -> Option<usize> {
    let fields = &program().relations.get(rel)?.fields;
    fields
        .iter()
        .position(|f| f.name.eq_ignore_ascii_case(name))
        .or_else(|| {
            fields.iter().position(|f| {
                let base = f
                    .name
                    .strip_suffix("_bp")
                    .or_else(|| f.name.strip_suffix("_milli"));
                base.is_some_and(|b| b.eq_ignore_ascii_case(name))
            })
        })
}

/// A number value of field `field` (see the module doc for the units).
fn number(field: &str, text: &str, span: Range<usize>) -> Result<i64, QueryError> {
    let bp = field.ends_with("_bp");
    let milli = field.ends_with("_milli");
    let (body, percent) = match text.strip_suffix('%') {
        Some(b) => (b.trim(), true),
        None => (text, false),
    };
    let bad = |why: &str, help: String| {
        QueryError::new(
            format!("`{text}` is not a valid value of `{field}`: {why}"),
            span.clone(),
            "here",
        )
        .help(Some(help))
    };
    if percent && !bp {
        return Err(bad(
            "only percentage fields (named …_bp) take `%`",
            format!("give `{field}` as a plain number"),
        ));
    }
    let example = if bp {
        "write a percentage as printed (93.80% or 93.8) or basis points (9380)".to_string()
    } else if milli {
        "write it as printed (1.234) or in thousandths (1234)".to_string()
    } else {
        "write a whole number, e.g. 2500".to_string()
    };
    if percent || body.contains('.') {
        if !(bp || milli) {
            return Err(bad("this field takes whole numbers", example));
        }
        let x: f64 = body
            .parse()
            .map_err(|_| bad("not a number", example.clone()))?;
        if !x.is_finite() || x.abs() > 1e15 {
            return Err(bad("out of range", example));
        }
        let scale = if bp { 100.0 } else { 1000.0 };
        return Ok((x * scale).round() as i64);
    }
    body.parse::<i64>()
        .map_err(|_| bad("not a number", example))
}

/// Every name in a symbol table (ids are dense from 0; `Symbols::name` answers `?` past the end).
fn all_names(syms: &Symbols) -> Vec<&str> {
    let mut out = Vec::new();
    for i in 0..u32::MAX {
        let n = syms.name(Sym(i));
        if n == "?" {
            break;
        }
        out.push(n);
    }
    out
}

impl Query {
    /// Looks the query's symbols up in `syms`: a name not found exactly is tried ignoring case; a
    /// name not found at all is an error with the closest name as a suggestion.
    pub fn resolve(&self, syms: &Symbols) -> Result<Pattern, QueryError> {
        let mut fields = Vec::with_capacity(self.args.len());
        let mut names: Option<Vec<&str>> = None;
        for a in &self.args {
            fields.push(match a {
                Arg::Any => None,
                Arg::Num(n) => Some(Value::Num(*n)),
                Arg::Sym { name, span } => {
                    if let Some(s) = syms.get(name) {
                        Some(Value::Sym(s))
                    } else {
                        let all = names.get_or_insert_with(|| all_names(syms));
                        let folded: Vec<&&str> = all
                            .iter()
                            .filter(|n| n.eq_ignore_ascii_case(name))
                            .collect();
                        match folded.as_slice() {
                            [one] => syms.get(one).map(Value::Sym),
                            _ => {
                                let help =
                                    suggest(name, all.iter().copied()).unwrap_or_else(|| {
                                        "no fact or rule of this scenario names it".into()
                                    });
                                return Err(QueryError::new(
                                    format!("unknown name `{name}`"),
                                    span.clone(),
                                    "not in this scenario",
                                )
                                .help(Some(help)));
                            }
                        }
                    }
                }
            });
        }
        Ok(Pattern {
            rel: self.rel,
            fields,
        })
    }
}

#[cfg(test)]
#[allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::datalog::rel;

    fn syms() -> Symbols {
        let mut s = Symbols::new();
        for n in ["USA", "gallium", "refining", "CHN", "rare_earths"] {
            s.intern(n);
        }
        s
    }

    fn ok(text: &str) -> Pattern {
        match pattern(text, &syms()) {
            Ok(p) => p,
            Err(e) => panic!("{text}: {}", crate::error::render(&e)),
        }
    }

    fn err(text: &str) -> QueryError {
        match parse(text).and_then(|q| q.resolve(&syms())) {
            Ok(p) => panic!("{text} parsed as {p:?}"),
            Err(e) => e,
        }
    }

    fn sym(n: &str) -> Option<Value> {
        syms().get(n).map(Value::Sym)
    }

    #[test]
    fn positional() {
        let p = ok("RiskLevel(USA, gallium, refining, critical)");
        assert_eq!(p.rel, rel::RISK_LEVEL);
        assert_eq!(
            p.fields,
            vec![sym("USA"), sym("gallium"), sym("refining"), sym("critical")]
        );
        assert!(p.is_ground());
    }

    #[test]
    fn case_quotes_and_wildcards() {
        let p = ok("risklevel( \"USA\" , 'gallium', _, _ )");
        assert_eq!(p.fields, vec![sym("USA"), sym("gallium"), None, None]);
        assert_eq!(ok("RiskLevel(usa, Gallium, _, _)").fields, p.fields);
    }

    #[test]
    fn named_and_mixed() {
        let p = ok("RiskLevel(USA, level=critical)");
        assert_eq!(p.fields, vec![sym("USA"), None, None, sym("critical")]);
        let p = ok("RiskLevel(Level = critical, stage=refining)");
        assert_eq!(p.fields, vec![None, None, sym("refining"), sym("critical")]);
    }

    #[test]
    fn a_line_of_lode_run_with_padding_and_a_comment() {
        let p = ok("  RiskLevel(USA,  gallium,   refining, critical)   # derived");
        assert_eq!(
            p.fields,
            vec![sym("USA"), sym("gallium"), sym("refining"), sym("critical")]
        );
        assert_eq!(
            ok("RiskLevel(USA, gallium, _, _)#x").fields,
            ok("RiskLevel(USA, gallium, _, _)").fields
        );
        // A `#` inside quotes is part of the value, not a comment.
        assert!(parse("RiskLevel(\"US#A\", _, _, _)").is_ok());
    }

    #[test]
    fn a_trailing_wildcard_stands_for_the_remaining_fields() {
        assert_eq!(ok("RiskLevel(USA, _)").fields, vec![sym("USA"), None, None, None]);
        assert_eq!(
            ok("RiskLevel(USA, gallium, _)").fields,
            ok("RiskLevel(USA, gallium, _, _)").fields
        );
    }

    #[test]
    fn bare_relation() {
        assert_eq!(ok("RiskLevel").fields, vec![None; 4]);
        assert_eq!(ok("RiskLevel()").fields, vec![None; 4]);
    }

    #[test]
    fn basis_points() {
        let want = Some(Value::Num(9380));
        for q in ["93.80%", "93.8%", "93.8", "9380", "\"93.80%\""] {
            let p = ok(&format!("Dominant(gallium, refining, CHN, {q})"));
            assert_eq!(p.fields[3], want, "{q}");
        }
        assert_eq!(
            ok("Dominant(gallium, refining, CHN, share=98.9)").fields[3],
            Some(Value::Num(9890))
        );
        assert_eq!(
            ok("Dominant(share_bp=50%)").fields[3],
            Some(Value::Num(5000))
        );
        assert_eq!(
            ok("Hhi(gallium, refining, 9781)").fields[2],
            Some(Value::Num(9781))
        );
        assert_eq!(
            ok("HhiWgi(gallium, refining, 5.125)").fields[2],
            Some(Value::Num(5125))
        );
        assert_eq!(ok("RiskRank(critical, -4)").fields[1], Some(Value::Num(-4)));
    }

    #[test]
    fn errors() {
        let e = err("RiskLevl(USA, gallium, refining, critical)");
        assert_eq!(e.message, "unknown relation `RiskLevl`");
        assert_eq!(e.help.as_deref(), Some("did you mean `RiskLevel`?"));
        assert_eq!(e.span, 0..8);
        let e = err("RiskLevel(USA, galium, refining, critical)");
        assert_eq!(e.message, "unknown name `galium`");
        assert_eq!(e.help.as_deref(), Some("did you mean `gallium`?"));
        assert_eq!(e.span, 15..21);
        assert!(
            err("RiskLevel(USA, gallium)")
                .message
                .contains("has 4 fields, not 2")
        );
        assert!(
            err("RiskLevel(USA, gallium, refining, critical, x)")
                .message
                .contains("has 4 fields, not 5")
        );
        assert_eq!(
            err("RiskLevel(levl=critical)").help.as_deref(),
            Some("did you mean `level`?")
        );
        assert!(
            err("RiskLevel(level=critical, level=high)")
                .message
                .contains("given twice")
        );
        assert!(
            err("RiskLevel(level=critical, USA)")
                .message
                .contains("positional value after a named")
        );
        assert!(
            err("Hhi(gallium, refining, 97.5)")
                .message
                .contains("whole numbers")
        );
        assert!(
            err("Hhi(gallium, refining, 50%)")
                .message
                .contains("only percentage fields")
        );
        assert!(
            err("Dominant(gallium, refining, CHN, lots)")
                .message
                .contains("not a number")
        );
        assert!(
            err("RiskLevel(USA, gallium")
                .message
                .contains("before its `)`")
        );
        assert!(
            err("RiskLevel(USA, \"gallium, _, _)")
                .message
                .contains("unterminated")
        );
        assert!(
            err("RiskLevel(_, _, _, _) extra")
                .message
                .contains("unexpected text")
        );
        assert!(err("(USA)").message.contains("starts with a relation"));
        assert!(err("").message.contains("starts with a relation"));
    }

    #[test]
    fn matching() {
        let p = ok("RiskLevel(USA, _, refining, _)");
        let s = syms();
        let t = |a: &str, b: &str, c: &str, d: &str| -> Vec<Value> {
            [a, b, c, d]
                .iter()
                .filter_map(|n| s.get(n))
                .map(Value::Sym)
                .collect()
        };
        assert!(matches(&p, &t("USA", "gallium", "refining", "critical")));
        assert!(!matches(&p, &t("CHN", "gallium", "refining", "critical")));
        assert!(!matches(&p, &[]));
    }

    #[test]
    fn rendered_error() {
        let e = match pattern("RiskLevel(USA, galium, refining, critical)", &syms()) {
            Err(e) => crate::error::render(&e),
            Ok(_) => panic!("parsed"),
        };
        assert!(e.contains("unknown name `galium`"), "{e}");
        assert!(e.contains("did you mean `gallium`?"), "{e}");
    }
}

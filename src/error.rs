//! Typed errors, rendered with miette.
//!
//! Every problem in a scenario is a [`Problem`] pointing at a file, a span and (through the span)
//! a line, column and key. A whole file's problems are reported together as one
//! [`Error::Invalid`].

use miette::{Diagnostic, NamedSource, SourceSpan};
use std::ops::Range;
use std::sync::Arc;
use thiserror::Error;

/// One source text lode read: a scenario file, a table file (CSV), or a command-line value.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// The name shown to users: the path as given, relative where possible.
    pub name: String,
    pub text: Arc<str>,
}

impl SourceFile {
    pub fn named_source(&self) -> NamedSource<Arc<str>> {
        let language = if self.name.ends_with(".csv") {
            "csv"
        } else {
            "toml"
        };
        NamedSource::new(self.name.clone(), self.text.clone()).with_language(language)
    }

    /// 1-based line and column of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let upto = &self.text[..char_floor(&self.text, offset)];
        let line = upto.matches('\n').count() + 1;
        let col = upto.rfind('\n').map_or(upto.len(), |i| upto.len() - i - 1) + 1;
        (line, col)
    }
}

/// The largest char boundary of `text` at or below `offset` (an offset past the end is the end).
pub fn char_floor(text: &str, offset: usize) -> usize {
    let mut i = offset.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The smallest char boundary of `text` at or above `offset` (an offset past the end is the end).
fn char_ceil(text: &str, offset: usize) -> usize {
    let mut i = offset.min(text.len());
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// A located problem in an input.
#[derive(Debug, Error, Diagnostic)]
#[error("{message}")]
pub struct Problem {
    pub message: String,
    #[source_code]
    pub src: NamedSource<Arc<str>>,
    #[label("{label}")]
    pub span: SourceSpan,
    pub label: String,
    #[help]
    pub help: Option<String>,
}

impl Problem {
    pub fn new(file: &SourceFile, span: Range<usize>, message: impl Into<String>) -> Self {
        // A span is clamped to the text and widened to char boundaries, so that rendering it
        // never slices a character in two.
        let start = char_floor(&file.text, span.start);
        let end = char_ceil(&file.text, span.end.max(start));
        Problem {
            message: message.into(),
            src: file.named_source(),
            span: (start, end - start).into(),
            label: "here".into(),
            help: None,
        }
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// Everything that can stop lode. All are input or usage errors (exit code 2).
#[derive(Debug, Error, Diagnostic)]
pub enum Error {
    #[error("cannot read `{path}`: {reason}")]
    #[diagnostic(code(lode::io))]
    Io { path: String, reason: String },

    #[error("`{path}` is a directory, not a scenario file")]
    #[diagnostic(code(lode::io), help("give the path of a .toml file inside it"))]
    IsDirectory { path: String },

    #[error("`{path}` is {size} bytes, more than the limit of {limit} bytes")]
    #[diagnostic(code(lode::too_large), help("split the scenario with `extends`"))]
    TooLarge { path: String, size: u64, limit: u64 },

    #[error("`{path}` is not valid UTF-8 (first bad byte at offset {offset})")]
    #[diagnostic(code(lode::encoding), help("save the file as UTF-8"))]
    NotUtf8 { path: String, offset: usize },

    #[error("{count} problem{plural} in `{file}`", plural = if *count == 1 { "" } else { "s" })]
    #[diagnostic(code(lode::invalid))]
    Invalid {
        file: String,
        count: usize,
        #[related]
        problems: Vec<Problem>,
    },

    #[error("{message}")]
    #[diagnostic(code(lode::usage))]
    Usage {
        message: String,
        #[help]
        help: Option<String>,
    },

    /// A query (`lode explain`, an `[[expect]]`) that does not parse or names nothing known.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Query(Box<QueryProblem>),
}

/// A problem in a query typed on the command line, shown against the query's text.
#[derive(Debug, Error, Diagnostic)]
#[error("{message}")]
#[diagnostic(code(lode::query))]
pub struct QueryProblem {
    pub message: String,
    #[source_code]
    pub src: NamedSource<Arc<str>>,
    #[label("{label}")]
    pub span: SourceSpan,
    pub label: String,
    #[help]
    pub help: Option<String>,
}

impl Error {
    pub fn invalid(file: &str, problems: Vec<Problem>) -> Self {
        Error::Invalid {
            file: file.to_string(),
            count: problems.len(),
            problems,
        }
    }

    pub fn usage(message: impl Into<String>, help: Option<String>) -> Self {
        Error::Usage {
            message: message.into(),
            help,
        }
    }
}

/// The closest of `candidates` to `word`, if close enough to suggest.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        let score = strsim::jaro_winkler(&word.to_lowercase(), &c.to_lowercase());
        if score > 0.8 && best.is_none_or(|(b, _)| score > b) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| format!("did you mean `{c}`?"))
}

/// Renders an error as plain text (no colour, fixed width): for snapshots and logs.
pub fn render(err: &Error) -> String {
    let handler =
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
            .with_width(100);
    let mut out = String::new();
    if handler.render_report(&mut out, err).is_err() {
        out = err.to_string();
    }
    out
}

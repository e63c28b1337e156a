//! The reference tables `lode validate` compares with: published assessments, as CSV under
//! `data/reference/` (data/reference/README.md says where each comes from and its licence).
//!
//! The tables are embedded in the binary, so `lode validate` works from any directory;
//! `--data DIR` reads the same file names from `DIR` instead. Every problem of a table is
//! reported together, each at its file, line and column.

use crate::error::{Error, Problem, SourceFile};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::path::Path;
use std::sync::Arc;

/// The EU CRM scores (SR, EI) of every assessed material, 2011–2023.
pub const SCORES: &str = "eu_crm_scores.csv";
/// The published critical (and strategic) lists, one item per row.
pub const LISTS: &str = "critical_lists.csv";
/// The EU study's global supply shares of gallium processing (the sanity check).
pub const GALLIUM: &str = "eu_crm_gallium_supply.csv";

const EMBEDDED: &[(&str, &str)] = &[
    (
        SCORES,
        include_str!("../../data/reference/eu_crm_scores.csv"),
    ),
    (
        LISTS,
        include_str!("../../data/reference/critical_lists.csv"),
    ),
    (
        GALLIUM,
        include_str!("../../data/reference/eu_crm_gallium_supply.csv"),
    ),
];

/// One material's scores in one assessment year (Annex 4 of the EU study).
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Score {
    pub material: String,
    pub assessment_year: u16,
    /// `None`: not assessed that year.
    pub supply_risk: Option<f64>,
    pub economic_importance: Option<f64>,
    /// `yes` when SR ≥ 1.0 and EI ≥ 2.8.
    pub critical: String,
    /// The lode minerals the material stands for, `;`-separated.
    pub minerals: String,
    /// A group mineral that stands for the material when lode assesses the group as one.
    pub group: String,
    pub source: String,
    pub quality: String,
    pub licence: String,
    pub note: String,
}

/// One item of a published list.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ListItem {
    /// `usgs_2022`, `usgs_2025`, `eu_2023_critical`, `eu_2023_strategic`.
    pub list: String,
    pub item: String,
    pub minerals: String,
    pub group: String,
    pub source: String,
    pub quality: String,
    pub licence: String,
    pub note: String,
}

/// One country's share of a mineral × stage in the EU study.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SupplyShare {
    pub mineral: String,
    pub stage: String,
    pub country: String,
    pub period: String,
    pub percent: f64,
    pub source: String,
    pub quality: String,
    pub licence: String,
    pub note: String,
}

/// Splits a `;`-separated list cell.
pub fn ids(cell: &str) -> impl Iterator<Item = &str> {
    cell.split(';').map(str::trim).filter(|s| !s.is_empty())
}

/// The reference tables, read and checked.
#[derive(Clone, Debug, PartialEq)]
pub struct Reference {
    /// Where they came from: `data/reference (embedded)` or the `--data` directory.
    pub origin: String,
    pub scores: Vec<Score>,
    pub lists: Vec<ListItem>,
    pub gallium: Vec<SupplyShare>,
}

impl Reference {
    /// The tables embedded in the binary (data/reference/ at build time).
    pub fn embedded() -> Result<Reference, Error> {
        Self::build("data/reference (embedded)".into(), |name| {
            let text = EMBEDDED
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, t)| t.to_string())
                .unwrap_or_default();
            Ok((format!("data/reference/{name}"), text))
        })
    }

    /// The same file names read from `dir`.
    pub fn read(dir: &Path) -> Result<Reference, Error> {
        Self::build(dir.display().to_string(), |name| {
            let path = dir.join(name);
            let shown = path.display().to_string();
            let bytes = std::fs::read(&path).map_err(|e| Error::Io {
                path: shown.clone(),
                reason: e.to_string().to_lowercase(),
            })?;
            let text = String::from_utf8(bytes).map_err(|e| Error::NotUtf8 {
                path: shown.clone(),
                offset: e.utf8_error().valid_up_to(),
            })?;
            Ok((shown, text))
        })
    }

    fn build(
        origin: String,
        mut text: impl FnMut(&str) -> Result<(String, String), Error>,
    ) -> Result<Reference, Error> {
        let (n, t) = text(SCORES)?;
        let scores = parse(&n, &t)?;
        let (n, t) = text(LISTS)?;
        let lists = parse(&n, &t)?;
        let (n, t) = text(GALLIUM)?;
        let gallium = parse(&n, &t)?;
        Ok(Reference {
            origin,
            scores,
            lists,
            gallium,
        })
    }

    /// The items of one list.
    pub fn list(&self, id: &str) -> impl Iterator<Item = &ListItem> {
        self.lists.iter().filter(move |i| i.list == id)
    }
}

/// Reads every row of a CSV table into `T`, collecting every problem of the file (each at its
/// line and column). A byte-order mark and CRLF line ends are accepted; every row must name its
/// `source` and `licence`.
pub fn parse<T: DeserializeOwned + Cited>(name: &str, text: &str) -> Result<Vec<T>, Error> {
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let file = SourceFile {
        name: name.to_string(),
        text: Arc::from(text),
    };
    let mut problems = Vec::new();
    let mut rows = Vec::new();
    if text[bom..].trim().is_empty() {
        problems.push(
            Problem::new(&file, 0..0, "the table is empty")
                .help("a header row naming the columns comes first"),
        );
        return Err(Error::invalid(name, problems));
    }
    let mut reader = csv::ReaderBuilder::new().from_reader(&text.as_bytes()[bom..]);
    let headers = match reader.headers() {
        Ok(h) => Some(h.clone()),
        Err(e) => {
            problems.push(csv_problem(&file, bom, &e));
            None
        }
    };
    if let Some(headers) = headers {
        let mut record = csv::StringRecord::new();
        loop {
            match reader.read_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {}
                Err(e) => {
                    problems.push(csv_problem(&file, bom, &e));
                    if matches!(
                        e.kind(),
                        csv::ErrorKind::Io(_) | csv::ErrorKind::Utf8 { .. }
                    ) {
                        break;
                    }
                    continue;
                }
            }
            let at = record.position().map_or(0, |p| p.byte() as usize) + bom;
            match record.deserialize::<T>(Some(&headers)) {
                Ok(row) => {
                    for field in row.missing_citation() {
                        problems.push(
                            Problem::new(&file, at..at + 1, format!("row has no `{field}`"))
                                .help("every reference row names its source and licence"),
                        );
                    }
                    rows.push(row);
                }
                Err(e) => problems.push(csv_problem(&file, bom, &e)),
            }
        }
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(Error::invalid(name, problems))
    }
}

/// A row that must cite its source and licence.
pub trait Cited {
    /// The names of the citation columns left empty.
    fn missing_citation(&self) -> Vec<&'static str>;
}

fn missing(source: &str, licence: &str) -> Vec<&'static str> {
    let mut out = Vec::new();
    if source.trim().is_empty() {
        out.push("source");
    }
    if licence.trim().is_empty() {
        out.push("licence");
    }
    out
}

impl Cited for Score {
    fn missing_citation(&self) -> Vec<&'static str> {
        missing(&self.source, &self.licence)
    }
}
impl Cited for ListItem {
    fn missing_citation(&self) -> Vec<&'static str> {
        missing(&self.source, &self.licence)
    }
}
impl Cited for SupplyShare {
    fn missing_citation(&self) -> Vec<&'static str> {
        missing(&self.source, &self.licence)
    }
}

/// A csv error as a problem at its place in the file, in lowercase words.
fn csv_problem(file: &SourceFile, bom: usize, e: &csv::Error) -> Problem {
    let (at, message) = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            pos,
            expected_len,
            len,
        } => (
            pos.as_ref().map(|p| p.byte()),
            format!("row has {len} fields, the header has {expected_len}"),
        ),
        csv::ErrorKind::Deserialize { pos, err } => {
            let field = err
                .field()
                .map(|f| format!(" (field {})", f + 1))
                .unwrap_or_default();
            (
                pos.as_ref().map(|p| p.byte()),
                format!("{}{field}", lowercase_first(&err.to_string())),
            )
        }
        csv::ErrorKind::Utf8 { pos, .. } => (
            pos.as_ref().map(|p| p.byte()),
            "the row is not valid UTF-8".to_string(),
        ),
        _ => (None, lowercase_first(&e.to_string())),
    };
    let at = at.map_or(0, |b| b as usize) + bom;
    Problem::new(file, at..at + 1, message)
}

fn lowercase_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
#[allow(clippy::panic)]
mod tests {
    use super::*;

    const HEADER: &str = "mineral,stage,country,period,percent,source,quality,licence,note\n";

    #[test]
    fn the_embedded_tables_load() {
        let r = Reference::embedded().unwrap_or_else(|e| panic!("{}", crate::error::render(&e)));
        assert_eq!(r.list("usgs_2025").count(), 60);
        assert_eq!(r.list("usgs_2022").count(), 50);
        assert_eq!(r.list("eu_2023_critical").count(), 34);
        assert_eq!(r.list("eu_2023_strategic").count(), 17);
        assert!(r.scores.iter().any(|s| s.material == "Gallium"
            && s.assessment_year == 2023
            && s.supply_risk == Some(3.9)));
    }

    #[test]
    fn a_bom_and_crlf_load_the_same_rows() {
        let plain = format!("{HEADER}gallium,refining,CHN,2016-2020,93.8,s,official,CC BY 4.0,\n");
        let odd = format!("\u{feff}{}", plain.replace('\n', "\r\n"));
        let a: Vec<SupplyShare> = parse("a.csv", &plain).unwrap_or_default();
        let b: Vec<SupplyShare> = parse("b.csv", &odd).unwrap_or_default();
        assert_eq!(a.len(), 1);
        assert_eq!(a, b);
    }

    #[test]
    fn every_problem_of_a_table_is_reported_at_its_line() {
        let text = format!(
            "{HEADER}gallium,refining,CHN,2016-2020,lots,s,official,CC BY 4.0,\ngallium,refining\ngallium,refining,JPN,2016-2020,1.0,,official,,\n"
        );
        let Err(e) = parse::<SupplyShare>("t.csv", &text) else {
            panic!("a bad table loaded");
        };
        let shown = crate::error::render(&e);
        assert!(shown.contains("4 problems in `t.csv`"), "{shown}");
        assert!(shown.contains("t.csv:2:"), "{shown}");
        assert!(
            shown.contains("row has 2 fields, the header has 9"),
            "{shown}"
        );
        assert!(shown.contains("t.csv:4:"), "{shown}");
        assert!(shown.contains("row has no `licence`"), "{shown}");
    }

    #[test]
    fn an_empty_table_or_an_unknown_column_is_a_problem() {
        assert!(parse::<SupplyShare>("e.csv", "").is_err());
        let text = "mineral,stage,country,period,percent,source,quality,licence,note,extra\n";
        let Err(e) = parse::<SupplyShare>("x.csv", text).and_then(|_| {
            parse::<SupplyShare>("x.csv", &format!("{}g,r,CHN,p,1,s,q,l,n,x\n", text))
        }) else {
            panic!("an unknown column loaded");
        };
        assert!(crate::error::render(&e).contains("unknown field"));
    }
}

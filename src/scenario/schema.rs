//! The table-driven schema: every table a scenario (TOML or CSV) may hold, its columns, their
//! kinds, the key that identifies a fact and whether facts must cite a source. Also the value
//! types the schema names: [`Date`], [`Quality`] and [`Measure`].

/// A calendar date (or a year, read as its first or last day).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct Date {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

impl Date {
    pub fn parse(s: &str) -> Option<Date> {
        let mut parts = s.trim().splitn(3, '-');
        let year = parts.next()?.parse().ok()?;
        let month: u8 = parts.next()?.parse().ok()?;
        let day: u8 = parts.next()?.parse().ok()?;
        let d = Date { year, month, day };
        d.is_valid().then_some(d)
    }

    fn is_valid(&self) -> bool {
        let leap = (self.year % 4 == 0 && self.year % 100 != 0) || self.year % 400 == 0;
        let days = match self.month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return false,
        };
        (1..=days).contains(&self.day) && (0..=9999).contains(&self.year)
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// What a fact is, by its source. Ordered from weakest to strongest (docs/scenario-format.md):
/// an unsourced claim, the analyst's labelled assumption, a secondary compilation, arithmetic on
/// official figures, an official statistic (also when read from a faithful transcription, which
/// the source names).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Quality {
    Claim,
    Assumption,
    Secondary,
    Derived,
    Official,
}

impl Quality {
    /// Strongest first.
    pub const NAMES: &'static [&'static str] =
        &["official", "derived", "secondary", "assumption", "claim"];

    pub fn parse(s: &str) -> Option<Quality> {
        match s {
            "official" => Some(Quality::Official),
            "derived" => Some(Quality::Derived),
            "secondary" => Some(Quality::Secondary),
            "assumption" => Some(Quality::Assumption),
            "claim" => Some(Quality::Claim),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Quality::Official => "official",
            Quality::Derived => "derived",
            Quality::Secondary => "secondary",
            Quality::Assumption => "assumption",
            Quality::Claim => "claim",
        }
    }
}

/// What a column holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// An identifier (lower-case for most things, upper-case for countries).
    Id,
    /// Free text.
    Text,
    /// A percentage 0–100.
    Percent,
    /// A non-negative number.
    Number,
    /// A whole year.
    Year,
    Bool,
    /// A TOML date, or a year.
    Date,
    /// One of a fixed set of words.
    Enum(&'static [&'static str]),
    /// A list of identifiers (`["gallium", "germanium"]` in TOML, `gallium;germanium` in CSV).
    IdList,
    /// A measured percentage 0–100 as USGS writes it: a number, a bound (`>50`, `<25`), `W`
    /// (withheld) or, where `net_exporter` is set, `E` (net exporter). See [`Measure`].
    Measure {
        net_exporter: bool,
    },
}

/// One column of a table: its key (TOML key and CSV header), kind and whether it is required.
#[derive(Debug)]
pub struct Col {
    pub key: &'static str,
    pub kind: Kind,
    pub required: bool,
}

const fn req(key: &'static str, kind: Kind) -> Col {
    Col {
        key,
        kind,
        required: true,
    }
}

const fn opt(key: &'static str, kind: Kind) -> Col {
    Col {
        key,
        kind,
        required: false,
    }
}

/// The schema of one array-of-tables (`[[share]]`).
#[derive(Debug)]
pub struct TableSchema {
    pub name: &'static str,
    pub cols: &'static [Col],
    /// Columns that identify a fact: a later fact with the same key replaces it in an overlay.
    pub key: &'static [&'static str],
    /// Facts of this table must cite a `source` (directly or through `default_source`).
    pub needs_source: bool,
}

pub const ALIGNMENT_LEVELS: &[&str] = &["ally", "partner", "neutral", "rival"];
pub const INITIATIVE_KINDS: &[&str] = &[
    "infrastructure_investment",
    "research_development",
    "regulatory_support",
    "workforce_development",
    "environmental_protection",
    "trade_mission",
    "policy_dialogue",
    "joint_venture",
    "bilateral_investment_treaty",
    "task_force",
];
pub const INITIATIVE_STATUS: &[&str] = &["proposed", "active", "completed", "failed"];
pub const EVENT_KINDS: &[&str] = &[
    "export_licensing",
    "export_quota",
    "export_ban",
    "technology_export_ban",
    "suspension",
];

/// Columns every fact table accepts.
pub const COMMON: &[Col] = &[
    opt("source", Kind::Text),
    opt("quality", Kind::Enum(Quality::NAMES)),
    opt("note", Kind::Text),
    opt("from", Kind::Date),
    opt("until", Kind::Date),
];

pub static TABLES: &[TableSchema] = &[
    TableSchema {
        name: "country",
        cols: &[
            req("id", Kind::Id),
            req("name", Kind::Text),
            opt("governance", Kind::Number),
            opt("landlocked", Kind::Bool),
            opt("kind", Kind::Enum(&["country", "bloc"])),
        ],
        key: &["id"],
        needs_source: false,
    },
    TableSchema {
        name: "mineral",
        cols: &[
            req("id", Kind::Id),
            req("name", Kind::Text),
            opt("group", Kind::Id),
        ],
        key: &["id"],
        needs_source: false,
    },
    TableSchema {
        name: "stage",
        cols: &[req("id", Kind::Id), req("name", Kind::Text)],
        key: &["id"],
        needs_source: false,
    },
    TableSchema {
        name: "alignment",
        cols: &[
            req("consumer", Kind::Id),
            req("country", Kind::Id),
            req("level", Kind::Enum(ALIGNMENT_LEVELS)),
            req("rationale", Kind::Text),
        ],
        key: &["consumer", "country"],
        needs_source: false,
    },
    TableSchema {
        name: "share",
        cols: &[
            req("mineral", Kind::Id),
            req("stage", Kind::Id),
            req("country", Kind::Id),
            req("year", Kind::Year),
            req(
                "percent",
                Kind::Measure {
                    net_exporter: false,
                },
            ),
            opt("period", Kind::Text),
            opt("quantity", Kind::Number),
            opt("unit", Kind::Text),
        ],
        key: &["mineral", "stage", "country", "year"],
        needs_source: true,
    },
    TableSchema {
        name: "deposit",
        cols: &[
            req("mineral", Kind::Id),
            req("country", Kind::Id),
            opt("name", Kind::Text),
            opt("tonnes", Kind::Number),
            req("kind", Kind::Enum(&["reserve", "resource"])),
            opt("target_year", Kind::Year),
        ],
        key: &["mineral", "country", "name"],
        needs_source: true,
    },
    TableSchema {
        name: "reliance",
        cols: &[
            req("consumer", Kind::Id),
            req("mineral", Kind::Id),
            req("year", Kind::Year),
            req("percent", Kind::Measure { net_exporter: true }),
            opt("stage", Kind::Id),
            opt("form", Kind::Text),
        ],
        key: &["consumer", "mineral", "year", "stage"],
        needs_source: true,
    },
    TableSchema {
        name: "import_source",
        cols: &[
            req("consumer", Kind::Id),
            req("mineral", Kind::Id),
            req("country", Kind::Id),
            req("percent", Kind::Percent),
            opt("period", Kind::Text),
            opt("stage", Kind::Id),
        ],
        key: &["consumer", "mineral", "country", "stage"],
        needs_source: true,
    },
    TableSchema {
        name: "transit",
        cols: &[
            req("country", Kind::Id),
            req("via", Kind::Id),
            req("percent", Kind::Percent),
            opt("status", Kind::Enum(&["open", "closed"])),
        ],
        key: &["country", "via"],
        needs_source: true,
    },
    TableSchema {
        name: "export_share",
        cols: &[
            req("country", Kind::Id),
            req("partner", Kind::Id),
            req("year", Kind::Year),
            req("percent", Kind::Percent),
        ],
        key: &["country", "partner", "year"],
        needs_source: true,
    },
    TableSchema {
        name: "commitment",
        cols: &[
            req("country", Kind::Id),
            req("mineral", Kind::Id),
            req("stage", Kind::Id),
            req("to", Kind::Id),
            req("year", Kind::Year),
            req("percent", Kind::Percent),
        ],
        key: &["country", "mineral", "stage", "to", "year"],
        needs_source: true,
    },
    TableSchema {
        name: "ownership",
        cols: &[
            req("country", Kind::Id),
            req("mineral", Kind::Id),
            req("stage", Kind::Id),
            req("owner", Kind::Id),
            req("year", Kind::Year),
            req("percent", Kind::Percent),
        ],
        key: &["country", "mineral", "stage", "owner", "year"],
        needs_source: true,
    },
    TableSchema {
        name: "partnership",
        cols: &[
            req("id", Kind::Id),
            opt("name", Kind::Text),
            req("members", Kind::IdList),
            req("since", Kind::Year),
            req("instrument", Kind::Text),
        ],
        key: &["id"],
        needs_source: true,
    },
    TableSchema {
        name: "initiative",
        cols: &[
            req("id", Kind::Id),
            req("partnership", Kind::Id),
            req("kind", Kind::Enum(INITIATIVE_KINDS)),
            req("mineral", Kind::Id),
            req("stage", Kind::Id),
            req("country", Kind::Id),
            req("start", Kind::Year),
            req("horizon", Kind::Year),
            req("status", Kind::Enum(INITIATIVE_STATUS)),
            opt("capacity", Kind::Percent),
            opt("name", Kind::Text),
            opt("offtake", Kind::Percent),
            opt("via", Kind::Id),
            opt("route_capacity", Kind::Percent),
            opt("years_saved", Kind::Number),
        ],
        key: &["id"],
        needs_source: true,
    },
    TableSchema {
        name: "indicator",
        cols: &[
            req("partnership", Kind::Id),
            req("name", Kind::Id),
            req("year", Kind::Year),
            req("value", Kind::Number),
            opt("unit", Kind::Text),
        ],
        key: &["partnership", "name", "year"],
        needs_source: true,
    },
    TableSchema {
        name: "event",
        cols: &[
            req("id", Kind::Id),
            req("actor", Kind::Id),
            req("kind", Kind::Enum(EVENT_KINDS)),
            opt("minerals", Kind::IdList),
            opt("target", Kind::Id),
            opt("suspends", Kind::IdList),
            opt("measure", Kind::Text),
            opt("covers", Kind::Text),
        ],
        key: &["id"],
        needs_source: true,
    },
];

pub fn table(name: &str) -> Option<&'static TableSchema> {
    TABLES.iter().find(|t| t.name == name)
}

/// How a measured percentage relates to the true value (USGS notation).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Bound {
    /// `93.8`: the value as published (a share that rounds to `0.0` is still production).
    Exact,
    /// `>50`: more than the value.
    AtLeast,
    /// `<25`: less than the value.
    AtMost,
    /// `W`: withheld to protect company data; production of unknown size, more than zero.
    Withheld,
    /// `E`: a net exporter (import reliance only).
    NetExporter,
}

/// A measured percentage: a value with its [`Bound`]. `value` is `None` for `W` and `E`.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Measure {
    pub value: Option<f64>,
    pub bound: Bound,
}

impl Measure {
    pub const fn exact(value: f64) -> Measure {
        Measure {
            value: Some(value),
            bound: Bound::Exact,
        }
    }

    /// Reads `93.8`, `>50`, `<25`, `W` or `E` (`E` only where `net_exporter`), checking the
    /// range 0–100.
    pub fn parse(text: &str, net_exporter: bool) -> Result<Measure, MeasureError> {
        let t = text.trim();
        let word = |bound| Ok(Measure { value: None, bound });
        match t {
            "W" => return word(Bound::Withheld),
            "E" if net_exporter => return word(Bound::NetExporter),
            "E" => return Err(MeasureError::NetExporter),
            _ => {}
        }
        let (bound, rest) = if let Some(r) = t.strip_prefix('>') {
            (Bound::AtLeast, r)
        } else if let Some(r) = t.strip_prefix('<') {
            (Bound::AtMost, r)
        } else {
            (Bound::Exact, t)
        };
        let n: f64 = rest
            .trim()
            .parse()
            .map_err(|_| MeasureError::Form(t.to_string()))?;
        Measure::checked(n, bound)
    }

    /// A number with its bound, checked to be a finite percentage.
    pub fn checked(n: f64, bound: Bound) -> Result<Measure, MeasureError> {
        if !n.is_finite() {
            return Err(MeasureError::NotFinite);
        }
        if !(0.0..=100.0).contains(&n) {
            return Err(MeasureError::Range(n));
        }
        Ok(Measure {
            value: Some(n),
            bound,
        })
    }

    /// The number for an exact value or a bound; `None` for `W` and `E`.
    pub fn num(&self) -> Option<f64> {
        self.value
    }
}

impl std::fmt::Display for Measure {
    /// As written: `93.8`, `>50`, `<25`, `W`, `E`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let v = self.value.unwrap_or(0.0);
        match self.bound {
            Bound::Exact => write!(f, "{v}"),
            Bound::AtLeast => write!(f, ">{v}"),
            Bound::AtMost => write!(f, "<{v}"),
            Bound::Withheld => f.write_str("W"),
            Bound::NetExporter => f.write_str("E"),
        }
    }
}

/// Why a measured percentage was refused.
#[derive(Clone, Debug, PartialEq)]
pub enum MeasureError {
    /// Neither a number, a bound, `W` nor `E`.
    Form(String),
    NotFinite,
    Range(f64),
    /// `E` in a column other than import reliance.
    NetExporter,
}

impl MeasureError {
    /// The diagnostic's message for column `key`, and its label.
    pub fn message(&self, key: &str, net_exporter: bool) -> (String, &'static str) {
        let forms = if net_exporter {
            "a number, a bound (>50, <25), W or E"
        } else {
            "a number, a bound (>50, <25) or W"
        };
        match self {
            MeasureError::Form(t) => (format!("`{key}` must be {forms}, found `{t}`"), "here"),
            MeasureError::NotFinite => (format!("`{key}` must be a finite number"), "here"),
            MeasureError::Range(n) => (
                format!("`{key}` must be a percentage between 0 and 100, found {n}"),
                "out of range",
            ),
            MeasureError::NetExporter => (
                format!("`{key}` cannot be `E`: net exporter applies to import reliance only"),
                "here",
            ),
        }
    }
}

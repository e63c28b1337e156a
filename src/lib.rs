//! lode: a Datalog rule engine that assesses critical-mineral partnership risk.
//!
//! The pipeline, one module per step: [`scenario`] (read and merge TOML) → [`lower`] (validate,
//! intern; [`aggregate`] adds computed facts) → [`engine`] (crepe) → [`explain`] / [`diff`] →
//! [`report`] (the only place that formats output). See ARCHITECTURE.md.
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod aggregate;
pub mod bake;
pub mod cli;
pub mod commands;
pub mod confidence;
pub mod datalog;
pub mod diff;
pub mod engine;
pub mod error;
pub mod explain;
pub mod export;
pub mod r#gen;
pub mod lower;
pub mod memory;
pub mod model;
pub mod needs;
pub mod params;
pub mod query;
pub mod report;
pub mod scenario;
pub mod sweep;
pub mod timeline;
pub mod validate;

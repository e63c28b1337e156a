//! The rule program: its parsed form (metadata) and the two engines `build.rs` generated from it.

pub mod syntax;

use std::sync::OnceLock;
use syntax::Program;

include!(concat!(env!("OUT_DIR"), "/rule_files.rs"));

/// The rule program, parsed once from the embedded `rules/*.dl`.
///
/// `build.rs` parsed the very same texts and refused to build on any error, so parsing them
/// again cannot fail; should it, an empty program is returned and every query finds nothing.
pub fn program() -> &'static Program {
    static PROGRAM: OnceLock<Program> = OnceLock::new();
    PROGRAM.get_or_init(|| syntax::parse_program(RULE_FILES).unwrap_or_default())
}

/// The plain evaluation: derived relations only.
pub mod fast {
    include!(concat!(env!("OUT_DIR"), "/fast.rs"));
}

/// The provenance evaluation: derived relations plus, per rule, each firing's variable values.
pub mod prov {
    include!(concat!(env!("OUT_DIR"), "/prov.rs"));
}

/// The ids of the conclusions `lode run` shows by default: every `.output` relation, in program order.
pub fn output_relations() -> Vec<usize> {
    program()
        .relations
        .iter()
        .enumerate()
        .filter(|(_, r)| r.output)
        .map(|(i, _)| i)
        .collect()
}

/// The id of a relation by name (`RiskLevel`), if the program has it.
pub fn relation(name: &str) -> Option<usize> {
    program().relation_index(name)
}

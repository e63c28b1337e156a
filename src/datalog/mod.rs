//! The rule program: its parsed form (metadata) and the two engines `build.rs` generated from it.

pub mod syntax;

use std::sync::OnceLock;
use syntax::Program;

include!(concat!(env!("OUT_DIR"), "/rule_files.rs"));

/// The rule program of the embedded `rules/*.dl`, as `build.rs` parsed it (decoded once from
/// `OUT_DIR/program.bin`, a tenth of the cost of parsing the texts again).
///
/// `build.rs` refused to build on any error in the rules; should the bytes not decode, the texts
/// are parsed again, and should that fail, an empty program is returned and every query finds
/// nothing.
pub fn program() -> &'static Program {
    static PROGRAM: OnceLock<Program> = OnceLock::new();
    PROGRAM.get_or_init(|| {
        postcard::from_bytes(PROGRAM_BYTES)
            .unwrap_or_else(|_| syntax::parse_program(RULE_FILES).unwrap_or_default())
    })
}

/// The program as `build.rs` parsed and encoded it.
const PROGRAM_BYTES: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/program.bin"));

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

#[cfg(test)]
#[allow(clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_program_is_the_parse_of_the_embedded_rules() {
        let parsed = match syntax::parse_program(RULE_FILES) {
            Ok(p) => p,
            Err(e) => panic!("{e}"),
        };
        let decoded: Program = match postcard::from_bytes(PROGRAM_BYTES) {
            Ok(p) => p,
            Err(e) => panic!("program.bin does not decode: {e}"),
        };
        let bytes = |p: &Program| postcard::to_stdvec(p).unwrap_or_default();
        assert!(!PROGRAM_BYTES.is_empty());
        assert!(bytes(&decoded) == bytes(&parsed));
        assert!(bytes(program()) == bytes(&parsed));
        assert!(!program().rules.is_empty());
    }
}

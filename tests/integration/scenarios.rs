//! Every scenario in scenarios/: its conclusions, as JSON, are a reviewed snapshot.

use lode::report;

#[test]
fn conclusions_of_every_scenario() {
    insta::glob!("../../scenarios", "*.toml", |path| {
        let (s, facts, model) = super::evaluate(path);
        let rels = lode::datalog::output_relations();
        let json = report::relations_json(
            &facts.syms,
            &model.db,
            &rels,
            &s.meta,
            &facts.as_of.to_string(),
            &|_, _| None,
        );
        insta::assert_snapshot!(json);
    });
}

#[test]
fn evaluation_is_deterministic() {
    let path = std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/baseline.toml"
    ));
    let (_, _, a) = super::evaluate(path);
    let (_, _, b) = super::evaluate(path);
    assert_eq!(a.db, b.db);
}

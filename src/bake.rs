//! The bundled baseline, lowered and evaluated at build time.
//!
//! `build.rs` runs this module's [`compute`] in a copy of the library compiled for the host
//! (`bake/`), and writes [`encode`]'s bytes to `OUT_DIR/baseline.bin`; the `lode` library embeds
//! them, and [`embedded`] decodes them. `lode run` on the baseline with no options then lists
//! the conclusions without reading, lowering or evaluating anything (BENCHMARKS.md,
//! "Session 2026-12-02 (bake)"). Everything else (explain, `--as-of`, `--set`, confidence) still
//! computes from the bundled files.
//!
//! The bytes come from the same sources, rules and tables as the binary, so they hold exactly
//! what [`compute`] returns at run time; a test checks it, and another that `lode run` prints the
//! same listing baked and computed. This module owns the build-time form only: it neither
//! formats nor evaluates anything itself.

use crate::error::Error;
use crate::model::{Database, Symbols, Tuple};
use crate::scenario::{Date, Meta};
use serde::{Deserialize, Serialize};

/// What a plain `lode run` of the baseline reads: the scenario's header, its date, its symbols
/// and the evaluated model (input and derived relations, sorted).
#[derive(Clone, Debug)]
pub struct Baked {
    pub meta: Meta,
    pub as_of: Date,
    /// Whether the baseline states claims (then `lode run` shows confidence, which needs proofs,
    /// and the baked model is not used).
    pub claims: bool,
    pub syms: Symbols,
    pub db: Database,
}

/// The encoded form. Each relation is encoded on its own, so a listing decodes only the
/// relations it prints (a plain `lode run` prints a tenth of the baseline's tuples).
#[derive(Serialize, Deserialize)]
struct Wire<'a> {
    /// The library version that wrote the bytes. Both copies are built from one source tree, so
    /// this guards against a stray file, not against drift.
    version: String,
    meta: Meta,
    as_of: Date,
    claims: bool,
    names: Vec<String>,
    #[serde(borrow)]
    rels: Vec<&'a [u8]>,
}

/// Loads, lowers and evaluates the bundled baseline with no options, as the plain `lode run`
/// does (without origins: the listing never reads one).
pub fn compute() -> Result<Baked, Error> {
    let opts = crate::lower::Options {
        skip_origins: true,
        ..crate::lower::Options::default()
    };
    let (s, facts) = crate::commands::load_and_lower(None, &opts)?;
    let model = crate::engine::evaluate(&facts);
    Ok(Baked {
        claims: crate::confidence::has_claims(&s),
        meta: s.meta,
        as_of: facts.as_of,
        syms: facts.syms,
        db: model.db,
    })
}

/// The bytes `build.rs` embeds.
pub fn encode(b: &Baked) -> Vec<u8> {
    let rels: Vec<Vec<u8>> = (0..b.db.len())
        .map(|r| postcard::to_stdvec(b.db.rel(r)).unwrap_or_default())
        .collect();
    let wire = Wire {
        version: env!("CARGO_PKG_VERSION").to_string(),
        meta: b.meta.clone(),
        as_of: b.as_of,
        claims: b.claims,
        names: b.syms.names().to_vec(),
        rels: rels.iter().map(Vec::as_slice).collect(),
    };
    postcard::to_stdvec(&wire).unwrap_or_default()
}

/// Decodes [`encode`]'s bytes, with the tuples of the relations `only` (every relation: `None`);
/// the others are left empty. `None` for bytes of another version, or none at all (a baseline
/// that did not load at build time).
pub fn decode(bytes: &[u8], only: Option<&[usize]>) -> Option<Baked> {
    let w: Wire = postcard::from_bytes(bytes).ok()?;
    if w.version != env!("CARGO_PKG_VERSION") {
        return None;
    }
    let mut db = Database::empty(w.rels.len());
    for (r, rel) in w.rels.iter().enumerate() {
        if only.is_none_or(|only| only.contains(&r)) {
            db.set(r, postcard::from_bytes::<Vec<Tuple>>(rel).ok()?);
        }
    }
    Some(Baked {
        meta: w.meta,
        as_of: w.as_of,
        claims: w.claims,
        syms: Symbols::from_names(w.names),
        db,
    })
}

/// The bytes `build.rs` wrote for this binary (empty in the build script's own copy).
pub fn embedded_bytes() -> &'static [u8] {
    #[cfg(lode_baked)]
    {
        include_bytes!(concat!(env!("OUT_DIR"), "/baseline.bin"))
    }
    #[cfg(not(lode_baked))]
    {
        &[]
    }
}

/// The baseline as baked into this binary, if it was, with the tuples of the relations `only`
/// (every relation: `None`).
pub fn embedded(only: Option<&[usize]>) -> Option<Baked> {
    decode(embedded_bytes(), only)
}

#[cfg(test)]
#[allow(clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_baseline_is_what_the_pipeline_computes_now() {
        let now = match compute() {
            Ok(b) => b,
            Err(e) => panic!("{}", crate::error::render(&e)),
        };
        assert!(
            !embedded_bytes().is_empty(),
            "the test binary has no baked baseline"
        );
        assert!(
            encode(&now) == embedded_bytes(),
            "the baked baseline differs from what the pipeline computes"
        );
    }

    #[test]
    fn decoding_gives_back_what_was_encoded() {
        let Some(b) = embedded(None) else {
            panic!("the embedded baseline does not decode")
        };
        assert_eq!(encode(&b), embedded_bytes());
        assert!(b.db.size() > 0);
        for (i, name) in b.syms.names().iter().enumerate() {
            assert_eq!(b.syms.get(name), Some(crate::model::Sym(i as u32)));
        }
    }

    #[test]
    fn other_bytes_are_refused() {
        assert!(decode(&[], None).is_none());
        assert!(decode(b"not a baseline", None).is_none());
        let mut w = embedded_bytes().to_vec();
        w.truncate(w.len() / 2);
        assert!(decode(&w, None).is_none());
    }

    #[test]
    fn a_listing_decodes_only_its_relations() {
        let (Some(all), Some(some)) = (embedded(None), embedded(Some(&[1, 3]))) else {
            panic!("the embedded baseline does not decode")
        };
        for r in 0..all.db.len() {
            let expect = if r == 1 || r == 3 { all.db.rel(r) } else { &[] };
            assert_eq!(some.db.rel(r), expect, "relation {r}");
        }
    }
}

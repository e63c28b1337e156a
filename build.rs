//! lode's build script: generates the rule engines and the bundled files (`build/codegen.rs`),
//! then lowers and evaluates the bundled baseline with the same library compiled for the host
//! (the `lode-bake` package, `bake/`) and writes the result to `OUT_DIR/baseline.bin`, which
//! `lode::bake` embeds: `lode run` on the baseline starts from the conclusions instead of
//! parsing 1.5 MB of tables (BENCHMARKS.md, "Session 2026-12-02 (bake)").

#[path = "build/codegen.rs"]
mod codegen;

use std::path::Path;

fn main() {
    let root = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into());
    codegen::generate(Path::new(&root));
    println!("cargo::rustc-check-cfg=cfg(lode_baked)");
    println!("cargo::rustc-cfg=lode_baked");
    let out = std::env::var("OUT_DIR").unwrap_or_else(|_| codegen::fail("OUT_DIR is not set"));
    // A baseline that does not load is not a build error: the binary is built without it, and
    // `lode run` reports the problems, located, as for any scenario.
    let bytes = match lode_bake::bake::compute() {
        Ok(baked) => lode_bake::bake::encode(&baked),
        Err(e) => {
            println!(
                "cargo::warning=the bundled baseline does not load, so it is not baked in; `lode run` says why: {e}"
            );
            Vec::new()
        }
    };
    let path = Path::new(&out).join("baseline.bin");
    if let Err(e) = std::fs::write(&path, bytes) {
        codegen::fail(&format!("cannot write {}: {e}", path.display()));
    }
}

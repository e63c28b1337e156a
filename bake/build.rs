//! The build script of `lode-bake`: the same code generation as lode's own (`build/codegen.rs`),
//! from the repository one level up; nothing is baked into this copy.

#[path = "../build/codegen.rs"]
mod codegen;

fn main() {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into());
    let manifest = std::path::Path::new(&manifest);
    codegen::generate(manifest.parent().unwrap_or(manifest));
    println!("cargo::rustc-check-cfg=cfg(lode_baked)");
}

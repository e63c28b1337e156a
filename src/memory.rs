//! Giving freed memory back to the operating system between the steps of a large run.
//!
//! The library allocates through whatever global allocator the program chose, and knows
//! nothing of it; the `lode` binary says how its allocator hands freed pages back
//! ([`on_return_pages`]). Steps that have just freed what the next one will not reuse call
//! [`return_pages`]: the scenario's rows once lowered, the facts once aggregated, each stage of
//! the plain evaluation once done (BENCHMARKS.md, "Session 2026-12-02 (stages)").

/// How the program gives freed memory back to the operating system: set once by the binary
/// ([`on_return_pages`]); the library itself allocates through whatever allocator the program
/// chose and knows nothing of it.
static RETURN_PAGES: std::sync::OnceLock<fn()> = std::sync::OnceLock::new();

/// Sets what [`return_pages`] calls: the `lode` binary passes its allocator's collection, which
/// hands the pages freed by one step of a large run back before the next step fills others
/// (BENCHMARKS.md, "Session 2026-12-02 (stages)"). Only the first call counts.
pub fn on_return_pages(f: fn()) {
    let _ = RETURN_PAGES.set(f);
}

/// Gives the memory freed so far back to the operating system, if the program said how
/// ([`on_return_pages`]); called between the steps of `lode run`, when a step has just freed
/// what the next one does not reuse.
pub fn return_pages() {
    if let Some(f) = RETURN_PAGES.get() {
        f();
    }
}

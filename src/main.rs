//! The `lode` binary: parse arguments, run the command, map the result to an exit code.

use clap::Parser;
use std::io::Write;
use std::process::ExitCode;

// lode allocates many small tuples, strings and maps; glibc's malloc spent up to 45 % of a
// 10^5-fact run consolidating and unlinking chunks (BENCHMARKS.md, "Allocator").
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's collection, forced: every page freed and not reused goes back to the operating
/// system now, instead of after its purge delay (a second, longer than a 10^5-fact run).
fn collect() {
    // SAFETY: `mi_collect` takes no pointer and may be called at any time from any thread.
    unsafe { libmimalloc_sys::mi_collect(true) }
}

fn main() -> ExitCode {
    let cli = match lode::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    lode::commands::exit_after_command();
    lode::memory::on_return_pages(collect);
    match lode::commands::dispatch(cli) {
        Ok(outcome) => {
            // Buffered: `lode run` writes its listing as it formats it, in small pieces.
            let mut stdout = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
            // A closed pipe (`lode run | head -1`) is a normal way to stop reading.
            match outcome
                .stdout
                .write_to(&mut stdout)
                .and_then(|()| stdout.flush())
            {
                Ok(()) => ExitCode::from(outcome.code),
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                    ExitCode::from(outcome.code)
                }
                Err(e) => {
                    eprintln!("lode: cannot write output: {e}");
                    ExitCode::from(2)
                }
            }
        }
        Err(e) => {
            eprintln!("{:?}", miette::Report::new(e));
            ExitCode::from(2)
        }
    }
}

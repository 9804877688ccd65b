//! The `newsclaims` binary: a thin layer over the library (see `src/cli/`).

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::main()
}

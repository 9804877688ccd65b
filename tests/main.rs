//! End-to-end tests through the `newsclaims` binary.

mod util;

mod bad_input;
mod determinism;
mod eval_attribution;
mod extract;
mod ingest_shared;

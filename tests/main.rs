//! End-to-end tests through the `newsclaims` binary.

mod util;

mod attribution_az;
mod attribution_cases;
mod attribution_ru;

mod bad_input;
mod determinism;
mod eval_attribution;
mod extract;
mod ingest_shared;
mod lang_ntrex;
mod ner_models;

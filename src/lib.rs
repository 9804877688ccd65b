//! newsclaims: who claimed what in Azerbaijani, Russian and English news.
//!
//! The pipeline, one document at a time:
//! ingest → normalise → detect language → segment → NER → attribution → claims → CSV.
//! Every stage is a module with plain data in and out; parallelism lives only in
//! `pipeline`.
//!
//! Offsets: inside the pipeline spans are byte offsets into the normalised text; every span
//! written out is a Unicode code-point offset into the original record text, so that
//! `text[start:end]` in Python returns the span.

pub mod attribution;
pub mod claims;
pub mod document;
pub mod eval;
pub mod ingest;
pub mod lang;
pub mod letter_case;
pub mod ner;
pub mod normalize;
pub mod output;
pub mod pipeline;
pub mod resources;
pub mod segment;

//! newsclaims: who claimed what in Azerbaijani, Russian and English news.
//!
//! The pipeline, one document at a time:
//! ingest → normalise → detect language → segment → NER → attribution → claims → CSV.
//! Every stage is a module with plain data in and out; parallelism lives only in
//! [`pipeline`].

pub mod document;
pub mod eval;
pub mod ner;

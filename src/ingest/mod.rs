//! Readers and validation: input files → records → a [`ValidatedBatch`].
//!
//! Every problem is reported as `FILE:LINE: FIELD: what is wrong`; nothing here writes.

mod error;
mod jsonl;
mod validate;

pub use error::{IngestError, IngestErrors, LookupError};
pub use jsonl::{key_problem, parse_line, read_jsonl, Located, DEFAULT_MAX_LINE_BYTES, MAX_KEY_BYTES, MAX_NAME_BYTES};
pub use validate::{merge_entity, validate, KeyLookup, NoStore, ValidatedBatch};

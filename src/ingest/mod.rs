//! Readers and validation: input files → records → a [`ValidatedBatch`].
//!
//! Every problem is reported as `FILE:LINE: FIELD: what is wrong`; nothing here writes.

mod error;
mod fast;
mod graphml;
mod jsonl;
mod validate;

pub use error::{IngestError, IngestErrors, LookupError};
pub use graphml::{decode_id, encode_id, looks_like_graphml, read_graphml};
pub use jsonl::{
    key_problem, parse_line, read_jsonl, LineResult, Located, DEFAULT_MAX_LINE_BYTES, MAX_ALIASES, MAX_KEY_BYTES,
    MAX_NAME_BYTES, MAX_PARTICIPANTS,
};
pub use validate::{
    content_hash, hash_encoded, merge_entity, validate, EventSink, KeyLookup, NoStore, Settled, ValidatedBatch,
    Validator, MAX_ERRORS_KEPT,
};

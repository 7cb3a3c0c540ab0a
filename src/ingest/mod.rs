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

use crate::vocab::Vocab;

/// Read one input in either interchange format: GraphML when its name or first bytes say
/// so (see [`looks_like_graphml`]), else JSON Lines. Records and problems go to `each` as
/// the chosen reader gives them, so that every caller of the import reads both formats
/// the same way.
pub fn read_input(
    mut input: impl std::io::BufRead,
    file: &str,
    vocab: &Vocab,
    max_line_bytes: usize,
    each: &mut dyn FnMut(LineResult),
) {
    // An error here comes back from the JSON Lines reader, which reports it with the line.
    let head = input
        .fill_buf()
        .map(|b| b[..b.len().min(64)].to_vec())
        .unwrap_or_default();
    if looks_like_graphml(file, &head) {
        read_graphml(input, file, vocab, each);
    } else {
        read_jsonl(input, file, max_line_bytes, each);
    }
}

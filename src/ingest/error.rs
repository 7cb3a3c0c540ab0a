//! Errors of the ingest layer: every one names the file, the line and the field.

use std::fmt;

/// One problem with one input line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IngestError {
    /// The file as the user named it (`<stdin>` for standard input).
    pub file: String,
    /// 1-based line number; 0 when the problem concerns the whole file.
    pub line: usize,
    /// The field path (`participants[1].role`), when one field is at fault.
    pub field: Option<String>,
    pub message: String,
}

/// The longest message an error keeps. Messages quote values from the input, and a
/// hostile line can make a value megabytes long: twenty 15 MB keys once made an import
/// keep 300 MB of messages. No message of dipgraph's own wording comes near this.
pub const MAX_MESSAGE_BYTES: usize = 2048;

/// The longest part of a value that a message quotes (see [`quote`]).
pub const MAX_QUOTE_CHARS: usize = 80;

/// A value from the input as a message quotes it: escaped (`escape_debug`), and of a long
/// value only the first [`MAX_QUOTE_CHARS`] characters, then how long it is.
pub fn quote(value: &str) -> String {
    let mut chars = value.chars();
    let head: String = chars.by_ref().take(MAX_QUOTE_CHARS).collect();
    if chars.next().is_none() {
        return format!("\"{}\"", head.escape_debug());
    }
    format!("\"{}…\" ({} bytes)", head.escape_debug(), value.len())
}

/// `message`, cut to at most [`MAX_MESSAGE_BYTES`] at a character boundary.
pub(crate) fn bounded(mut message: String) -> String {
    if message.len() > MAX_MESSAGE_BYTES {
        let mut end = MAX_MESSAGE_BYTES;
        while !message.is_char_boundary(end) {
            end -= 1;
        }
        message.truncate(end);
        message.push_str("… (message cut)");
    }
    message
}

impl IngestError {
    /// An error; the message is cut to [`MAX_MESSAGE_BYTES`].
    pub fn new(file: &str, line: usize, field: Option<String>, message: impl Into<String>) -> Self {
        IngestError {
            file: file.to_string(),
            line,
            field: field.map(bounded),
            message: bounded(message.into()),
        }
    }
}

impl fmt::Display for IngestError {
    /// `FILE:LINE: FIELD: what is wrong`, or `FILE:LINE: what is wrong` for a line-level error.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
        }
        match &self.field {
            Some(field) => write!(f, ": {field}: {}", self.message),
            None => write!(f, ": {}", self.message),
        }
    }
}

/// The problems found in an import, in input order: the first ones (see
/// `ingest::MAX_ERRORS_KEPT`), how many more there were, and how many lines had any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IngestErrors {
    pub kept: Vec<IngestError>,
    /// Errors found beyond `kept`.
    pub not_kept: u64,
    /// Distinct input lines with at least one error, whether it was kept or not.
    pub bad_lines: u64,
}

impl IngestErrors {
    /// All of `errors`, kept.
    pub fn new(errors: Vec<IngestError>) -> Self {
        let bad_lines = errors
            .iter()
            .map(|e| (&e.file, e.line))
            .collect::<std::collections::BTreeSet<_>>()
            .len() as u64;
        IngestErrors {
            kept: errors,
            not_kept: 0,
            bad_lines,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.kept.is_empty() && self.not_kept == 0
    }

    /// Errors found, kept or not.
    pub fn len(&self) -> u64 {
        self.kept.len() as u64 + self.not_kept
    }

    /// Sort into input order: by the file's place in `files`, then by line; errors of
    /// one line keep their relative order.
    pub fn sort_by_files(&mut self, files: &[String]) {
        let rank = |f: &str| files.iter().position(|x| x == f).unwrap_or(usize::MAX);
        self.kept.sort_by_key(|e| (rank(&e.file), e.line));
    }
}

impl fmt::Display for IngestErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.kept.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        if self.not_kept > 0 {
            write!(f, "\n... and {} more errors", self.not_kept)?;
        }
        Ok(())
    }
}

impl std::error::Error for IngestErrors {}

/// Failure of the key-existence lookup that validation asks of the store.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct LookupError(pub String);

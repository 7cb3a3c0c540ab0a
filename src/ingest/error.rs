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

impl IngestError {
    pub fn new(file: &str, line: usize, field: Option<String>, message: impl Into<String>) -> Self {
        IngestError {
            file: file.to_string(),
            line,
            field,
            message: message.into(),
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

/// Every problem found in an import, in input order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IngestErrors(pub Vec<IngestError>);

impl IngestErrors {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Sort into input order: by the file's place in `files`, then by line; errors of
    /// one line keep their relative order.
    pub fn sort_by_files(&mut self, files: &[String]) {
        let rank = |f: &str| files.iter().position(|x| x == f).unwrap_or(usize::MAX);
        self.0.sort_by_key(|e| (rank(&e.file), e.line));
    }

    /// The distinct (file, line) pairs that have errors.
    pub fn lines(&self) -> std::collections::BTreeSet<(String, usize)> {
        self.0.iter().map(|e| (e.file.clone(), e.line)).collect()
    }
}

impl fmt::Display for IngestErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for IngestErrors {}

/// Failure of the key-existence lookup that validation asks of the store.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct LookupError(pub String);

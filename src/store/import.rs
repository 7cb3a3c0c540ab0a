//! Import: interchange readers → validation against the store → one [`Store::apply`].

use super::{ApplyStats, Store, StoreError};
use crate::ingest::{read_jsonl, validate, IngestErrors, Located};
use crate::model::Record;
use crate::vocab::Vocab;
use std::io::BufRead;

/// One input: the name used in messages and a reader over its bytes.
pub struct Input<'a> {
    pub name: String,
    pub reader: Box<dyn BufRead + 'a>,
}

#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Write the valid records and report the rejected lines, instead of all-or-nothing.
    pub keep_going: bool,
    /// Lines longer than this are refused.
    pub max_line_bytes: usize,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            keep_going: false,
            max_line_bytes: crate::ingest::DEFAULT_MAX_LINE_BYTES,
        }
    }
}

/// What an import did.
#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    /// Valid records read and applied (blank, comment and rejected lines excluded).
    pub records_written: u64,
    pub applied: ApplyStats,
    /// With `keep_going`: the lines that were not written, and why.
    pub rejected: IngestErrors,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The input is invalid; nothing was written.
    #[error("{0}")]
    Invalid(IngestErrors),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Store {
    /// Read every input, validate all records against the ontology and the store, and
    /// write them in one atomic apply. Without `keep_going`, any invalid line means
    /// nothing is written.
    pub fn import(
        &self,
        inputs: Vec<Input<'_>>,
        vocab: &Vocab,
        opts: &ImportOptions,
    ) -> Result<ImportReport, ImportError> {
        let mut records: Vec<Located<Record>> = Vec::new();
        let mut errors = Vec::new();
        let names: Vec<String> = inputs.iter().map(|i| i.name.clone()).collect();
        for input in inputs {
            read_jsonl(
                input.reader,
                &input.name,
                opts.max_line_bytes,
                &mut records,
                &mut errors,
            );
        }
        self.validate_and_apply(records, errors, &names, vocab, opts)
    }

    /// Validate records that did not come from a file reader (an article extractor, a
    /// GraphML reader) against the ontology and the store, and write them in one atomic
    /// apply: the same path as [`Store::import`].
    pub fn import_records(
        &self,
        records: Vec<Located<Record>>,
        vocab: &Vocab,
        opts: &ImportOptions,
    ) -> Result<ImportReport, ImportError> {
        let mut names: Vec<String> = Vec::new();
        for r in &records {
            if !names.contains(&r.file) {
                names.push(r.file.clone());
            }
        }
        self.validate_and_apply(records, Vec::new(), &names, vocab, opts)
    }

    /// `errors`: what the readers already found; `names`: the inputs in order, for sorting.
    fn validate_and_apply(
        &self,
        records: Vec<Located<Record>>,
        mut errors: Vec<crate::ingest::IngestError>,
        names: &[String],
        vocab: &Vocab,
        opts: &ImportOptions,
    ) -> Result<ImportReport, ImportError> {
        let parsed = records.len() as u64;
        if !errors.is_empty() && !opts.keep_going {
            let (_, mut more) = match validate(records, vocab, self, true) {
                Ok(ok) => ok,
                Err(e) => (Default::default(), e),
            };
            errors.append(&mut more.0);
            let mut all = IngestErrors(errors);
            all.sort_by_files(names);
            return Err(ImportError::Invalid(all));
        }
        let parse_failed = errors
            .iter()
            .map(|e| (&e.file, e.line))
            .collect::<std::collections::BTreeSet<_>>()
            .len() as u64;
        let (batch, mut rejected) = validate(records, vocab, self, opts.keep_going).map_err(ImportError::Invalid)?;
        rejected.0.extend(errors);
        rejected.sort_by_files(names);
        let applied = self.apply(&batch)?;
        // Lines rejected by validation were parsed; lines rejected by the reader were not.
        let rejected_parsed = rejected.lines().len() as u64 - parse_failed;
        Ok(ImportReport {
            records_written: parsed - rejected_parsed,
            applied,
            rejected,
        })
    }
}

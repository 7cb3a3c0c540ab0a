//! Import: interchange readers → validation against the store → one [`Store::apply`].

use super::spool::{EventSpool, SpoolError};
use super::{ApplyStats, Store, StoreError};
use crate::ingest::{read_input, IngestErrors, Located, Validator};
use crate::model::Record;
use crate::vocab::Vocab;
use std::io::BufRead;

/// One input: the name used in messages and a reader over its bytes.
pub struct Input<'a> {
    pub name: String,
    /// `Send`, because inputs are read and parsed on a thread of their own.
    pub reader: Box<dyn BufRead + Send + 'a>,
}

/// Parsed lines travel from the reading thread to validation in groups of this many.
const LINES_PER_MESSAGE: usize = 1024;

/// …or fewer, when they hold this many bytes of input: lines may be up to 16 MiB each, and
/// 1,024 of them in each of the channel's messages would be gigabytes in flight.
const BYTES_PER_MESSAGE: u64 = 4 * 1024 * 1024;

/// A reader that counts the bytes consumed from it.
struct Counted<'c, R> {
    inner: R,
    read: &'c std::cell::Cell<u64>,
}

impl<R: std::io::Read> std::io::Read for Counted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.set(self.read.get() + n as u64);
        Ok(n)
    }
}

impl<R: std::io::BufRead> std::io::BufRead for Counted<'_, R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        self.read.set(self.read.get() + amt as u64);
        self.inner.consume(amt)
    }
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
    /// With `keep_going`: the lines that were not written, and why (at most
    /// [`crate::ingest::MAX_ERRORS_KEPT`] of them, then a count).
    pub rejected: IngestErrors,
    /// How many input lines were rejected.
    pub rejected_lines: u64,
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
    /// Read every input, JSON Lines or GraphML (chosen per input by
    /// [`crate::ingest::read_input`]), validate all records against the ontology and the
    /// store, and write them in one atomic apply. Without `keep_going`, any invalid line
    /// means nothing is written.
    ///
    /// Memory: entities and relations are held (merged) in memory; events are validated
    /// one at a time and wait in a spool file beside the store until the write.
    pub fn import(
        &self,
        inputs: Vec<Input<'_>>,
        vocab: &Vocab,
        opts: &ImportOptions,
    ) -> Result<ImportReport, ImportError> {
        let mut validator = Validator::new(vocab, self);
        let mut spool = EventSpool::new(&self.path).map_err(|source| StoreError::Io {
            path: self.path.clone(),
            source,
        })?;
        for input in &inputs {
            validator.file_index(&input.name);
        }
        let mut sink_error: Option<SpoolError> = None;
        // Reading and parsing run on a second thread while this one validates and spools:
        // the two halves cost about the same.
        std::thread::scope(|scope| {
            let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<crate::ingest::LineResult>>(8);
            let max = opts.max_line_bytes;
            scope.spawn(move || {
                let mut group = Vec::with_capacity(LINES_PER_MESSAGE);
                let read = std::cell::Cell::new(0u64);
                let mut sent_at = 0u64;
                for input in inputs {
                    let counted = Counted {
                        inner: input.reader,
                        read: &read,
                    };
                    read_input(counted, &input.name, vocab, max, &mut |line| {
                        group.push(line);
                        if group.len() == LINES_PER_MESSAGE || read.get() - sent_at >= BYTES_PER_MESSAGE {
                            sent_at = read.get();
                            // A closed channel means validation stopped; reading on is useless
                            // but harmless.
                            let _ = tx.send(std::mem::replace(&mut group, Vec::with_capacity(LINES_PER_MESSAGE)));
                        }
                    });
                }
                let _ = tx.send(group);
            });
            for group in rx {
                for line in group {
                    let result = match line {
                        Ok(record) => validator.add(record, &mut spool),
                        Err(errors) => {
                            errors.into_iter().for_each(|e| validator.reader_error(e));
                            Ok(())
                        }
                    };
                    if let Err(e) = result {
                        sink_error.get_or_insert(e);
                    }
                }
                if sink_error.is_some() {
                    break;
                }
            }
        });
        if let Some(e) = sink_error {
            return Err(self.spool_failure(e).into());
        }
        self.settle_and_apply(validator, spool, opts)
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
        let mut validator = Validator::new(vocab, self);
        let mut spool = EventSpool::new(&self.path).map_err(|source| StoreError::Io {
            path: self.path.clone(),
            source,
        })?;
        for r in records {
            validator.add(r, &mut spool).map_err(|e| self.spool_failure(e))?;
        }
        self.settle_and_apply(validator, spool, opts)
    }

    fn spool_failure(&self, e: SpoolError) -> StoreError {
        match e {
            SpoolError::TooLarge(what) => StoreError::Unwritable {
                path: self.path.clone(),
                what: format!("record in tree event: {what}"),
            },
            SpoolError::Io(source) => StoreError::Io {
                path: self.path.clone(),
                source,
            },
            SpoolError::Damaged(what) => StoreError::Io {
                path: self.path.clone(),
                source: std::io::Error::other(format!("import spool: {what}")),
            },
        }
    }

    fn settle_and_apply(
        &self,
        validator: Validator<'_>,
        mut spool: EventSpool,
        opts: &ImportOptions,
    ) -> Result<ImportReport, ImportError> {
        let settled = validator.finish(&mut spool).map_err(|e| self.spool_failure(e))?;
        let rejected = settled.errors;
        if settled.bad_lines > 0 && !opts.keep_going {
            return Err(ImportError::Invalid(rejected));
        }
        let skip = settled.skip_events;
        let mut reader = spool.read().map_err(|e| self.spool_failure(e))?;
        let events = std::iter::from_fn(|| loop {
            match reader.next_encoded() {
                Ok(Some((event, encoded, file, line))) => {
                    if skip.contains(&(file, line)) {
                        continue;
                    }
                    return Some(Ok((event, Some(encoded))));
                }
                Ok(None) => return None,
                Err(e) => return Some(Err(self.spool_failure(e))),
            }
        });
        let applied = self.apply_parts(&settled.entities, &settled.relations, events)?;
        Ok(ImportReport {
            records_written: settled.records,
            applied,
            rejected,
            rejected_lines: settled.bad_lines,
        })
    }
}

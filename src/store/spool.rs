//! The event spool: validated events wait in an anonymous temporary file beside the store
//! while the rest of an import is read, so that an import holds entities and relations in
//! memory but never all of its events.

use super::codec;
use crate::ingest::{hash_encoded, EventSink};
use crate::model::Event;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::Path;

/// Why the spool failed.
#[derive(Debug)]
pub enum SpoolError {
    /// An event too large for the store's value limit.
    TooLarge(String),
    Io(std::io::Error),
    /// What was read back does not decode (the temporary file was damaged).
    Damaged(String),
}

/// Events, each framed as: file index (u32 BE), line (u64 BE), value length (u32 BE),
/// value (the store's value codec of the event).
pub struct EventSpool {
    out: BufWriter<File>,
    count: u64,
}

impl EventSpool {
    /// A spool in `dir` (the store's directory, so it is on the store's file system); the
    /// file has no name and disappears when the spool is dropped.
    pub fn new(dir: &Path) -> std::io::Result<EventSpool> {
        Ok(EventSpool {
            out: BufWriter::with_capacity(1 << 20, tempfile::tempfile_in(dir)?),
            count: 0,
        })
    }

    /// Read every event back in push order.
    pub fn read(&mut self) -> Result<SpoolReader<'_>, SpoolError> {
        self.out.flush().map_err(SpoolError::Io)?;
        let file = self.out.get_mut();
        file.seek(SeekFrom::Start(0)).map_err(SpoolError::Io)?;
        Ok(SpoolReader {
            input: BufReader::with_capacity(1 << 20, file),
            left: self.count,
            buf: Vec::new(),
        })
    }
}

impl EventSink for EventSpool {
    type Error = SpoolError;

    fn push(&mut self, event: Event, file: u32, line: usize) -> Result<u64, SpoolError> {
        let value = codec::encode(&event).map_err(SpoolError::TooLarge)?;
        let len = u32::try_from(value.len()).map_err(|_| SpoolError::TooLarge("over 4 GiB".into()))?;
        let io = SpoolError::Io;
        self.out.write_all(&file.to_be_bytes()).map_err(io)?;
        self.out.write_all(&(line as u64).to_be_bytes()).map_err(io)?;
        self.out.write_all(&len.to_be_bytes()).map_err(io)?;
        self.out.write_all(&value).map_err(io)?;
        self.count += 1;
        // The value is the codec's version byte, then bincode's standard encoding.
        Ok(hash_encoded(&value[1..]))
    }

    fn replay(&mut self, each: &mut dyn FnMut(&Event, u32, usize)) -> Result<(), SpoolError> {
        let mut reader = self.read()?;
        while let Some((event, file, line)) = reader.next_event()? {
            each(&event, file, line);
        }
        drop(reader);
        self.out.get_mut().seek(SeekFrom::End(0)).map_err(SpoolError::Io)?;
        Ok(())
    }
}

/// An event read back: the event, its encoded value, its file index and line.
pub type SpooledEvent = (Event, Vec<u8>, u32, usize);

/// Reads a spool from its start.
pub struct SpoolReader<'a> {
    input: BufReader<&'a mut File>,
    left: u64,
    buf: Vec<u8>,
}

impl SpoolReader<'_> {
    /// The next event with its file index and line, or `None` at the end.
    pub fn next_event(&mut self) -> Result<Option<(Event, u32, usize)>, SpoolError> {
        Ok(self.next_encoded()?.map(|(event, _, file, line)| (event, file, line)))
    }

    /// The next event, its value as the store's codec encoded it, its file index and line.
    pub fn next_encoded(&mut self) -> Result<Option<SpooledEvent>, SpoolError> {
        if self.left == 0 {
            return Ok(None);
        }
        let io = SpoolError::Io;
        let mut head = [0u8; 16];
        self.input.read_exact(&mut head).map_err(io)?;
        let file = u32::from_be_bytes([head[0], head[1], head[2], head[3]]);
        let line = u64::from_be_bytes([head[4], head[5], head[6], head[7], head[8], head[9], head[10], head[11]]);
        let len = u32::from_be_bytes([head[12], head[13], head[14], head[15]]) as usize;
        self.buf.resize(len, 0);
        self.input.read_exact(&mut self.buf).map_err(io)?;
        let event = codec::decode(&self.buf).map_err(SpoolError::Damaged)?;
        self.left -= 1;
        Ok(Some((event, self.buf.clone(), file, line as usize)))
    }
}

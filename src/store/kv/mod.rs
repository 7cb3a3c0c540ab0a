//! The key-value seam: the only place that knows which storage engine holds the bytes.
//!
//! Everything above this module sees ordered named trees of byte keys and byte values,
//! point reads, ordered range scans, one atomic multi-tree write and a flush. Two engines
//! implement it: [`sled`](self::sled) (sled 0.34.7, the design's original engine) and
//! [`redb`](self::redb) (redb 4). Which one a store uses is decided when the store is
//! created and recorded beside it; nothing above the seam branches on it.
//!
//! Invariants every engine upholds:
//! 1. Keys within a tree are ordered bytewise (memcmp order), and scans return them in that order.
//! 2. A [`KvWrite`] is atomic: after `commit` returns `Ok`, all of its puts and deletes are
//!    visible and durable (they survive a process kill); if the process dies before, or the
//!    write is dropped without `commit`, none of them is visible after reopening.
//! 3. Reads never observe a half-applied write. A point read, and each step of a scan, sees
//!    every write committed before it or none of it. On redb a whole scan is one snapshot;
//!    on sled it is not: a scan running alongside commits may see them in its later part.
//! 4. Tree names are fixed by the store layer (`[a-z_]+`; the engines reject only an empty
//!    name or one containing 0x00); a tree that was never written reads as empty.
//!
//! Writes: redb runs one write transaction at a time, so `begin_write` blocks while another
//! [`KvWrite`] of the same store is alive (a thread holding one must not begin another). sled
//! buffers a whole [`KvWrite`] in memory until `commit`; redb keeps at most half its page
//! cache of dirty pages in memory and writes the rest to the file before `commit`.
//! Each engine locks its files against a second open, also from the same process: that open
//! fails with [`KvError::Locked`] (sled's after waiting up to two seconds; see `sled::LOCK_WAIT`).

pub mod redb;
pub mod sled;
#[cfg(test)]
mod tests;

use std::fmt;
use std::ops::Bound;
use std::path::Path;

/// Which storage engine a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Engine {
    Sled,
    Redb,
}

impl Engine {
    pub const ALL: [Engine; 2] = [Engine::Redb, Engine::Sled];

    /// The name used on the command line and in the store's marker file.
    pub fn name(self) -> &'static str {
        match self {
            Engine::Sled => "sled",
            Engine::Redb => "redb",
        }
    }

    pub fn from_name(name: &str) -> Option<Engine> {
        Engine::ALL.into_iter().find(|e| e.name() == name)
    }
}

impl fmt::Display for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An error from the engine underneath, with the engine's own message.
#[derive(Debug, thiserror::Error)]
pub enum KvError {
    #[error("{engine}: {message}")]
    Engine { engine: Engine, message: String },
    #[error("{engine}: the store's files are held by another process")]
    Locked { engine: Engine },
    /// The engine found its files damaged (for redb: a page or header that does not
    /// verify). The store reports it as damage, never as an engine failure.
    #[error("{engine}: {message}")]
    Damaged { engine: Engine, message: String },
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

pub type KvResult<T> = Result<T, KvError>;

/// One key-value pair, owned.
pub type KvPair = (Vec<u8>, Vec<u8>);

/// An ordered scan. Items are owned so that a scan does not borrow engine internals.
pub type KvIter<'a> = Box<dyn Iterator<Item = KvResult<KvPair>> + 'a>;

/// The engine seam. Implementations are cheap to share between threads.
pub trait Kv: Send + Sync {
    fn engine(&self) -> Engine;

    /// The value under `key` in `tree`, if any.
    fn get(&self, tree: &str, key: &[u8]) -> KvResult<Option<Vec<u8>>>;

    /// All pairs of `tree` with `lo <= key < hi` (as the bounds say), in key order; empty
    /// when the bounds are reversed. The iterator is lazy; see invariant 3 for what it sees.
    fn range(&self, tree: &str, lo: Bound<&[u8]>, hi: Bound<&[u8]>) -> KvResult<KvIter<'_>>;

    /// All pairs of `tree` whose key starts with `prefix`, in key order.
    fn scan_prefix(&self, tree: &str, prefix: &[u8]) -> KvResult<KvIter<'_>> {
        match prefix_successor(prefix) {
            Some(end) => self.range(tree, Bound::Included(prefix), Bound::Excluded(&end)),
            None => self.range(tree, Bound::Included(prefix), Bound::Unbounded),
        }
    }

    /// Start an atomic write spanning any number of trees.
    fn begin_write(&self) -> KvResult<Box<dyn KvWrite + '_>>;

    /// Make every committed write durable (a no-op where commit already is).
    fn flush(&self) -> KvResult<()>;

    /// A number that changes whenever a write begins or commits (and when the files are
    /// reopened). Caches of decoded records above the seam are valid only while it stays
    /// the same.
    fn generation(&self) -> u64;

    /// Give space freed by earlier writes back to the file system, if the engine can.
    /// Returns whether anything changed. Like a write, it is all or nothing.
    fn compact(&mut self) -> KvResult<bool> {
        Ok(false)
    }
}

/// An atomic multi-tree write. Dropping it without [`KvWrite::commit`] discards it.
pub trait KvWrite {
    fn put(&mut self, tree: &str, key: &[u8], value: &[u8]) -> KvResult<()>;
    /// Put many entries into one tree; engines that pay per tree access (redb opens a
    /// table) do it once. Entries in key order make B-tree inserts cheapest.
    fn put_all<'a>(&mut self, tree: &str, entries: &mut dyn Iterator<Item = (&'a [u8], &'a [u8])>) -> KvResult<()> {
        for (k, v) in entries {
            self.put(tree, k, v)?;
        }
        Ok(())
    }
    fn delete(&mut self, tree: &str, key: &[u8]) -> KvResult<()>;
    /// Apply every put and delete at once, durably.
    fn commit(self: Box<Self>) -> KvResult<()>;
}

/// Open (creating if absent) the engine's files under the directory `dir`.
pub fn open(engine: Engine, dir: &Path) -> KvResult<Box<dyn Kv>> {
    match engine {
        Engine::Sled => Ok(Box::new(self::sled::SledKv::open(dir)?)),
        Engine::Redb => Ok(Box::new(self::redb::RedbKv::open(dir)?)),
    }
}

/// The smallest byte string greater than every string starting with `prefix`,
/// or `None` when there is none (the prefix is empty or all 0xFF).
pub fn prefix_successor(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xFF {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

/// Reject the tree names the engines cannot represent: redb panics on an empty table name,
/// and sled's key prefix relies on 0x00 never occurring in a name.
fn check_tree_name(engine: Engine, tree: &str) -> KvResult<()> {
    if tree.is_empty() || tree.as_bytes().contains(&0) {
        return Err(KvError::Engine {
            engine,
            message: format!("invalid tree name {tree:?}"),
        });
    }
    Ok(())
}

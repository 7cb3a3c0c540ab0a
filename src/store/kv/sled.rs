//! The sled 0.34.7 engine.
//!
//! sled's atomic [`sled::Batch`] applies to a single `Tree`, so every logical tree lives in
//! one sled tree named `SLED_TREE`: the logical key `k` of tree `t` is stored as
//! `t ++ [0x00] ++ k`. Because tree names never contain 0x00 (checked by
//! `check_tree_name`), the separator is the first 0x00 of every stored key, so no
//! two trees' key spaces overlap (tree "a" is `a\0…`, tree "ab" is `ab\0…`) and, within a
//! tree, stored keys sort exactly as the logical keys do.
//!
//! Consistency as sled provides it: a batch is applied under sled's process-wide write lock
//! and every point read and every iterator step takes the matching read lock, so no read sees
//! half a batch. A scan is not a snapshot, though: each step reads the tree as it is at that
//! moment, so a scan running alongside commits may see some of them in its later part.
//!
//! Cost, as measured through this seam (1M random 8-byte keys, 100-byte values, 3 trees):
//! writing them takes ~20-30 s and peaks at ~5 GB resident whether committed as one batch
//! or in batches of 10k, and a full scan afterwards takes 15-35 s; redb does the same in
//! ~6 s, ~190 MB and ~0.3 s. sled's `cache_capacity` does not bound that memory.

use std::ops::Bound;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::{check_tree_name, Engine, KvError, KvIter, KvResult, KvWrite};

/// The one sled tree that holds every logical tree.
const SLED_TREE: &str = "dipgraph";

/// How long `open` waits for sled's file lock. Dropping a `SledKv` does not release the lock
/// at once: tasks on sled's background thread pool keep the file open until they finish
/// (observed up to ~200 ms under load), so reopening a store from the same process right
/// after dropping it can find the lock still held. A lock held by a live handle is still
/// reported as [`KvError::Locked`], after this wait.
const LOCK_WAIT: Duration = Duration::from_secs(2);

/// Target size of sled's node cache (its default is 1 GiB), so that the engine's own cache
/// stays modest beside the store's in-memory graph; the OS page cache still backs the files.
const CACHE_CAPACITY: u64 = 64 * 1024 * 1024;

pub struct SledKv {
    // Kept so that the database (and its flusher thread) lives exactly as long as this value.
    _db: sled::Db,
    tree: sled::Tree,
    /// See [`super::Kv::generation`].
    generation: AtomicU64,
}

impl SledKv {
    /// Open or create the sled files in `dir/sled/`.
    pub fn open(dir: &Path) -> KvResult<SledKv> {
        std::fs::create_dir_all(dir)?;
        let config = sled::Config::new()
            .path(dir.join("sled"))
            .cache_capacity(CACHE_CAPACITY)
            // The mode only steers segment cleaning: HighThroughput rewrites live data less
            // eagerly, trading some disk space for write throughput during imports.
            .mode(sled::Mode::HighThroughput);
        let deadline = Instant::now() + LOCK_WAIT;
        let mut pause = Duration::from_millis(1);
        let db = loop {
            match config.open().map_err(sled_error) {
                Ok(db) => break db,
                Err(KvError::Locked { .. }) if Instant::now() < deadline => {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_millis(100));
                }
                Err(err) => return Err(err),
            }
        };
        let tree = db.open_tree(SLED_TREE).map_err(sled_error)?;
        Ok(SledKv {
            _db: db,
            tree,
            generation: AtomicU64::new(0),
        })
    }
}

/// The stored key of `key` in `tree`.
fn stored_key(tree: &str, key: &[u8]) -> Vec<u8> {
    let mut stored = Vec::with_capacity(tree.len() + 1 + key.len());
    stored.extend_from_slice(tree.as_bytes());
    stored.push(0);
    stored.extend_from_slice(key);
    stored
}

fn sled_error(err: sled::Error) -> KvError {
    // sled reports a held file lock only as an `Other` io error with this message
    // (sled-0.34.7/src/config.rs, `Config::try_lock`).
    if let sled::Error::Io(io) = &err {
        if io.to_string().starts_with("could not acquire lock") {
            return KvError::Locked { engine: Engine::Sled };
        }
        // An error that sled passed between its threads was cloned into a new io::Error
        // whose text is the original's Debug form, `Os { code: 28, kind: StorageFull, … }`
        // (sled-0.34.7/src/result.rs, `impl Clone for Error`): the OS error is told again
        // in the words a user can read ("No space left on device (os error 28)").
        let text = io.to_string();
        let os_code = io.raw_os_error().or_else(|| {
            let rest = text.strip_prefix("Os { code: ")?;
            rest[..rest.find(',')?].parse().ok()
        });
        let message = match os_code {
            Some(code) => std::io::Error::from_raw_os_error(code).to_string(),
            None => text,
        };
        return KvError::Engine {
            engine: Engine::Sled,
            message: format!("I/O error: {message}"),
        };
    }
    if let sled::Error::Corruption { .. } = &err {
        return KvError::Damaged {
            engine: Engine::Sled,
            message: err.to_string(),
        };
    }
    KvError::Engine {
        engine: Engine::Sled,
        message: err.to_string(),
    }
}

impl super::Kv for SledKv {
    fn engine(&self) -> Engine {
        Engine::Sled
    }

    fn get(&self, tree: &str, key: &[u8]) -> KvResult<Option<Vec<u8>>> {
        check_tree_name(Engine::Sled, tree)?;
        let value = self.tree.get(stored_key(tree, key)).map_err(sled_error)?;
        Ok(value.map(|v| v.to_vec()))
    }

    fn range(&self, tree: &str, lo: Bound<&[u8]>, hi: Bound<&[u8]>) -> KvResult<KvIter<'_>> {
        check_tree_name(Engine::Sled, tree)?;
        let lo = match lo {
            Bound::Included(k) => Bound::Included(stored_key(tree, k)),
            Bound::Excluded(k) => Bound::Excluded(stored_key(tree, k)),
            Bound::Unbounded => Bound::Included(stored_key(tree, b"")),
        };
        let hi = match hi {
            Bound::Included(k) => Bound::Included(stored_key(tree, k)),
            Bound::Excluded(k) => Bound::Excluded(stored_key(tree, k)),
            // `tree ++ [0x01]` is the successor of the prefix `tree ++ [0x00]`.
            Bound::Unbounded => {
                let mut end = tree.as_bytes().to_vec();
                end.push(1);
                Bound::Excluded(end)
            }
        };
        // Every key in [lo, hi) carries this tree's prefix, so stripping it is exact.
        let strip = tree.len() + 1;
        let iter = self
            .tree
            .range::<Vec<u8>, _>((lo, hi))
            .map(move |item| item.map(|(k, v)| (k[strip..].to_vec(), v.to_vec())).map_err(sled_error));
        Ok(Box::new(iter))
    }

    fn begin_write(&self) -> KvResult<Box<dyn KvWrite + '_>> {
        self.generation.fetch_add(1, Ordering::AcqRel);
        Ok(Box::new(SledWrite {
            tree: &self.tree,
            batch: sled::Batch::default(),
            generation: &self.generation,
        }))
    }

    fn flush(&self) -> KvResult<()> {
        self.tree.flush().map_err(sled_error)?;
        Ok(())
    }

    fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }
}

/// A write buffered in a [`sled::Batch`] (held in memory until `commit`); nothing reaches
/// sled before then, so dropping it discards it.
struct SledWrite<'a> {
    tree: &'a sled::Tree,
    batch: sled::Batch,
    /// The engine's generation, advanced at commit.
    generation: &'a AtomicU64,
}

impl KvWrite for SledWrite<'_> {
    fn put(&mut self, tree: &str, key: &[u8], value: &[u8]) -> KvResult<()> {
        check_tree_name(Engine::Sled, tree)?;
        self.batch.insert(stored_key(tree, key), value);
        Ok(())
    }

    fn delete(&mut self, tree: &str, key: &[u8]) -> KvResult<()> {
        check_tree_name(Engine::Sled, tree)?;
        self.batch.remove(stored_key(tree, key));
        Ok(())
    }

    fn commit(self: Box<Self>) -> KvResult<()> {
        // apply_batch makes the batch atomic for readers and for recovery; only the flush
        // makes it durable (sled otherwise flushes in the background every 500 ms).
        let applied = self.tree.apply_batch(self.batch).map_err(sled_error);
        self.generation.fetch_add(1, Ordering::AcqRel);
        applied?;
        self.tree.flush().map_err(sled_error)?;
        Ok(())
    }
}

//! The redb 4 engine.
//!
//! One file, `dir/store.redb`; each logical tree is a redb table of `&[u8] -> &[u8]` named
//! after it (redb compares `&[u8]` keys bytewise). Reads share one read transaction, opened
//! at the first read after a write began or committed, so a scan is a true snapshot and
//! a query's many point reads do not each pay for a transaction and a table lookup; every
//! write is one redb write transaction committed with the default, immediate durability
//! (fsync on commit).

use std::collections::HashMap;
use std::ops::Bound;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use redb::{Database, DatabaseError, ReadableDatabase, ReadableTable, TableDefinition, TableError, WriteTransaction};

use super::{check_tree_name, Engine, KvError, KvIter, KvResult, KvWrite};

/// Upper bound of redb's page cache (its default is 1 GiB). It fills lazily; half of it also
/// bounds the dirty pages a large write transaction keeps in memory before redb writes them
/// to the file early.
const CACHE_SIZE: usize = 256 * 1024 * 1024;

/// The page cache while compacting. Compaction walks every page of every table, more than
/// once; a 1M-event store's 379 MiB do not fit the import's 256 MiB cache, and reading pages
/// again and again took 2.9 s, against 1.0 s with this cache (docs/performance.md).
const COMPACT_CACHE_SIZE: usize = 1024 * 1024 * 1024;

type Def<'a> = TableDefinition<'a, &'static [u8], &'static [u8]>;
type ReadTable = redb::ReadOnlyTable<&'static [u8], &'static [u8]>;

pub struct RedbKv {
    /// Absent only if reopening the file failed in [`super::Kv::compact`].
    db: Option<Database>,
    file: std::path::PathBuf,
    /// The shared read transaction and the tables opened in it. Emptied when a write
    /// begins and when it commits, so that reads never see an older state than the last
    /// commit, and so that no read transaction outlives a write and holds pages it freed.
    reads: Mutex<Reads>,
    /// See [`super::Kv::generation`]; advanced wherever `reads` is emptied.
    generation: AtomicU64,
}

#[derive(Default)]
struct Reads {
    txn: Option<redb::ReadTransaction>,
    /// By tree; `None`: the table does not exist.
    tables: HashMap<String, Option<Arc<ReadTable>>>,
}

impl Reads {
    fn clear(&mut self) {
        self.tables.clear();
        self.txn = None;
    }
}

impl RedbKv {
    /// Open or create `dir/store.redb`.
    pub fn open(dir: &Path) -> KvResult<RedbKv> {
        std::fs::create_dir_all(dir)?;
        let file = dir.join("store.redb");
        let db = guarded(|| open_file(&file, CACHE_SIZE))?;
        Ok(RedbKv {
            db: Some(db),
            file,
            reads: Mutex::new(Reads::default()),
            generation: AtomicU64::new(0),
        })
    }

    fn db(&self) -> KvResult<&Database> {
        self.db.as_ref().ok_or_else(|| KvError::Engine {
            engine: Engine::Redb,
            message: format!("{} could not be reopened after compaction", self.file.display()),
        })
    }

    /// The table of `tree` in the shared read transaction, or `None` if it was never created.
    fn read_table(&self, tree: &str) -> KvResult<Option<Arc<ReadTable>>> {
        check_tree_name(Engine::Redb, tree)?;
        let mut guard = lock(&self.reads);
        let reads = &mut *guard;
        if let Some(table) = reads.tables.get(tree) {
            return Ok(table.clone());
        }
        let txn = match &mut reads.txn {
            Some(txn) => txn,
            txn @ None => txn.insert(self.db()?.begin_read().map_err(redb_error)?),
        };
        let table = match txn.open_table(Def::new(tree)) {
            Ok(table) => Some(Arc::new(table)),
            Err(TableError::TableDoesNotExist(_)) => None,
            Err(err) => return Err(redb_error(err)),
        };
        reads.tables.insert(tree.to_string(), table.clone());
        Ok(table)
    }
}

thread_local! {
    /// Set while this thread runs redb code under [`guarded`].
    static IN_REDB: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Run `f`, which calls into redb, turning a panic into damage. redb trusts its file: a
/// page altered outside redb can make it panic (issue 17 found `btree_mutator.rs` doing
/// so after one flipped bit) where it would otherwise report `Corrupted`. The panic's
/// message is not printed (a hook, installed once, stays quiet on a guarded thread);
/// everything redb held in memory for this store is then suspect, and the command ends
/// with the store reported damaged.
fn guarded<T>(f: impl FnOnce() -> KvResult<T>) -> KvResult<T> {
    static QUIET_HOOK: std::sync::Once = std::sync::Once::new();
    QUIET_HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !IN_REDB.with(|c| c.get()) {
                previous(info);
            }
        }));
    });
    let was = IN_REDB.with(|c| c.replace(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    IN_REDB.with(|c| c.set(was));
    result.unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Err(KvError::Damaged {
            engine: Engine::Redb,
            message: format!("the file is damaged (redb failed on it: {what})"),
        })
    })
}

/// A scan whose every step is [`guarded`].
struct Guarded<I>(I);

impl<I: Iterator<Item = KvResult<super::KvPair>>> Iterator for Guarded<I> {
    type Item = KvResult<super::KvPair>;

    fn next(&mut self) -> Option<Self::Item> {
        guarded(|| Ok(self.0.next())).unwrap_or_else(|e| Some(Err(e)))
    }
}

/// The shared-read cache holds no invariant a panic elsewhere could break half-way.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn open_file(file: &Path, cache_size: usize) -> KvResult<Database> {
    Database::builder()
        .set_cache_size(cache_size)
        .create(file)
        .map_err(|err| match err {
            // Both mean that another handle (in this or another process) holds the file.
            DatabaseError::DatabaseAlreadyOpen | DatabaseError::LockProtocolMismatch => {
                KvError::Locked { engine: Engine::Redb }
            }
            other => redb_error(other),
        })
}

fn redb_error(err: impl Into<redb::Error>) -> KvError {
    match err.into() {
        redb::Error::Corrupted(message) => KvError::Damaged {
            engine: Engine::Redb,
            message,
        },
        // What redb says of a file that holds no redb database, and of a page or length
        // that points past the end of the file.
        redb::Error::Io(io)
            if matches!(
                io.kind(),
                std::io::ErrorKind::InvalidData | std::io::ErrorKind::UnexpectedEof
            ) =>
        {
            KvError::Damaged {
                engine: Engine::Redb,
                message: io.to_string(),
            }
        }
        other => KvError::Engine {
            engine: Engine::Redb,
            message: other.to_string(),
        },
    }
}

impl super::Kv for RedbKv {
    fn engine(&self) -> Engine {
        Engine::Redb
    }

    fn get(&self, tree: &str, key: &[u8]) -> KvResult<Option<Vec<u8>>> {
        guarded(|| {
            let Some(table) = self.read_table(tree)? else {
                return Ok(None);
            };
            let value = ReadableTable::get(&*table, key).map_err(redb_error)?;
            Ok(value.map(|v| v.value().to_vec()))
        })
    }

    fn range(&self, tree: &str, lo: Bound<&[u8]>, hi: Bound<&[u8]>) -> KvResult<KvIter<'_>> {
        guarded(|| self.range_unguarded(tree, lo, hi))
    }

    fn begin_write(&self) -> KvResult<Box<dyn KvWrite + '_>> {
        guarded(|| self.begin_write_unguarded())
    }

    fn flush(&self) -> KvResult<()> {
        // Every commit is already durable.
        Ok(())
    }

    fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    fn compact(&mut self) -> KvResult<bool> {
        guarded(|| self.compact_unguarded())
    }
}

impl RedbKv {
    fn range_unguarded(&self, tree: &str, lo: Bound<&[u8]>, hi: Bound<&[u8]>) -> KvResult<KvIter<'_>> {
        let Some(table) = self.read_table(tree)? else {
            return Ok(Box::new(std::iter::empty()));
        };
        // `range_owned` holds the read transaction alive for as long as the iterator lives
        // (the table and the transaction handle can be dropped here), and it walks the B-tree
        // lazily. Reversed or empty bounds yield nothing rather than panicking.
        let iter = table.range_owned::<&[u8]>((lo, hi)).map_err(redb_error)?.map(|item| {
            item.map(|(k, v)| (k.value().to_vec(), v.value().to_vec()))
                .map_err(redb_error)
        });
        Ok(Box::new(Guarded(iter)))
    }

    fn begin_write_unguarded(&self) -> KvResult<Box<dyn KvWrite + '_>> {
        lock(&self.reads).clear();
        self.generation.fetch_add(1, Ordering::AcqRel);
        let txn = self.db()?.begin_write().map_err(redb_error)?;
        Ok(Box::new(RedbWrite {
            txn,
            reads: &self.reads,
            generation: &self.generation,
        }))
    }

    fn compact_unguarded(&mut self) -> KvResult<bool> {
        // redb grows its file by doubling ahead of need; a large import leaves the file far
        // larger than its pages. Each round moves pages down and truncates the file. The
        // store's lock file keeps other processes out while the file is closed here.
        lock(&self.reads).clear();
        self.generation.fetch_add(1, Ordering::AcqRel);
        self.db = None;
        let mut db = open_file(&self.file, COMPACT_CACHE_SIZE)?;
        let mut changed = false;
        while db.compact().map_err(redb_error)? {
            changed = true;
        }
        drop(db);
        self.db = Some(open_file(&self.file, CACHE_SIZE)?);
        Ok(changed)
    }
}

/// A redb write transaction. Dropping it uncommitted aborts it.
///
/// Tables are opened per call: a redb `Table` borrows its `WriteTransaction`, so it cannot be
/// cached beside it. Opening one is a lookup in the (cached) table directory plus bookkeeping:
/// about 0.8 µs, ~12% of a put in a million-put transaction.
struct RedbWrite<'a> {
    txn: WriteTransaction,
    /// The engine's shared reads, emptied at commit, and its generation, advanced then.
    reads: &'a Mutex<Reads>,
    generation: &'a AtomicU64,
}

impl KvWrite for RedbWrite<'_> {
    fn put(&mut self, tree: &str, key: &[u8], value: &[u8]) -> KvResult<()> {
        check_tree_name(Engine::Redb, tree)?;
        guarded(|| {
            let mut table = self.txn.open_table(Def::new(tree)).map_err(redb_error)?;
            table.insert(key, value).map_err(redb_error)?;
            Ok(())
        })
    }

    fn put_all<'a>(&mut self, tree: &str, entries: &mut dyn Iterator<Item = (&'a [u8], &'a [u8])>) -> KvResult<()> {
        check_tree_name(Engine::Redb, tree)?;
        guarded(|| {
            let mut table = self.txn.open_table(Def::new(tree)).map_err(redb_error)?;
            for (k, v) in entries {
                table.insert(k, v).map_err(redb_error)?;
            }
            Ok(())
        })
    }

    fn delete(&mut self, tree: &str, key: &[u8]) -> KvResult<()> {
        check_tree_name(Engine::Redb, tree)?;
        guarded(|| {
            let mut table = self.txn.open_table(Def::new(tree)).map_err(redb_error)?;
            table.remove(key).map_err(redb_error)?;
            Ok(())
        })
    }

    fn commit(self: Box<Self>) -> KvResult<()> {
        let (txn, reads, generation) = (self.txn, self.reads, self.generation);
        let result = guarded(|| txn.commit().map_err(redb_error));
        lock(reads).clear();
        generation.fetch_add(1, Ordering::AcqRel);
        result
    }
}

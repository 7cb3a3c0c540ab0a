//! The store: records and their indexes in ordered trees behind the [`kv`] seam.
//!
//! A store is a directory holding a lock file and one engine's files. Every write goes
//! through [`Store::apply`], which writes a validated batch's records and every index
//! entry derived from them in one atomic engine write. docs/data-model.md describes every
//! tree byte by byte.

mod apply;
mod check;
pub mod codec;
mod gazetteer_source;
mod import;
pub mod keys;
pub mod kv;
mod merge;
mod read;
mod spool;
mod upgrade;

pub use apply::{ApplyStats, Corrections};
pub use check::{CheckReport, IndexCheck, Problems, Repair};
pub use import::{ImportError, ImportOptions, ImportReport, Input};
pub use keys::Id;
pub use kv::Engine;
pub use merge::{CorrectionReport, SplitSpec};
pub use read::{AliasHit, DatedEvent, EventSummary};

use crate::ingest::{KeyLookup, LookupError};
use crate::model::{Entity, Event, Relation};
use fs2::FileExt;
use kv::Kv;
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

/// Version of the tree layout. A store with a higher version is refused; one with a lower
/// version is upgraded when it is opened (see `upgrade.rs`).
pub const FORMAT_VERSION: u32 = 4;

/// The engine new stores use unless told otherwise.
pub const DEFAULT_ENGINE: Engine = Engine::Redb;

/// Tree names. Records are keyed by dense id; everything else is an index.
pub mod tree {
    pub const META: &str = "meta";
    pub const ENTITY: &str = "entity";
    pub const ENTITY_KEY: &str = "entity_key";
    pub const RELATION: &str = "relation";
    pub const RELATION_KEY: &str = "relation_key";
    pub const EVENT: &str = "event";
    pub const EVENT_KEY: &str = "event_key";
    pub const ALIAS: &str = "alias";
    pub const ENTITY_RELATION: &str = "entity_relation";
    pub const ENTITY_EVENT: &str = "entity_event";
    pub const DYAD: &str = "dyad";
    pub const EVENT_LINKS: &str = "event_links";
}

/// Keys of the `meta` tree.
pub mod meta {
    pub const FORMAT_VERSION: &[u8] = b"format_version";
    pub const ENGINE: &[u8] = b"engine";
    pub const NEXT_ID: &[u8] = b"next_id";
    /// How many applies (imports, merges, splits) the store has committed (u64, 8 bytes
    /// big-endian; absent: none since it was counted). The lock file repeats it (see
    /// `MARKER`), so that engine files that lost committed writes are noticed.
    pub const APPLIES: &[u8] = b"applies";
    /// The zstd dictionary of compressed event records, once one was trained.
    pub const EVENT_DICT: &[u8] = b"event_dict";
}

/// A store-layer error. Paths are the store's directory as the user named it.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("store {} is in use by another process", .0.display())]
    Locked(PathBuf),
    #[error("no store at {} (create one with `dipgraph import`)", .0.display())]
    NotFound(PathBuf),
    #[error("{} is not a dipgraph store: {reason}", path.display())]
    NotAStore { path: PathBuf, reason: String },
    #[error("store {} has format version {found}, newer than this dipgraph supports ({supported}): use a newer dipgraph", path.display())]
    NewerFormat { path: PathBuf, found: u32, supported: u32 },
    #[error("store {} is damaged: {what}", path.display())]
    Corrupt { path: PathBuf, what: String },
    /// A record that cannot be stored (too large); nothing was written.
    #[error("store {}: cannot store a {what}; nothing was written", path.display())]
    Unwritable { path: PathBuf, what: String },
    #[error("store {}: {source}", path.display())]
    Kv { path: PathBuf, source: kv::KvError },
    #[error("store {}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
}

impl StoreError {
    /// Whether the store could not be used at all (locked, missing, not a store, too new),
    /// as opposed to failing while in use.
    pub fn is_unavailable(&self) -> bool {
        matches!(
            self,
            StoreError::Locked(_)
                | StoreError::NotFound(_)
                | StoreError::NotAStore { .. }
                | StoreError::NewerFormat { .. }
        )
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// How to open a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenMode {
    /// Open an existing store; fail if there is none.
    Existing,
    /// Open an existing store, or create one on this engine.
    CreateWith(Engine),
}

/// Counts by node and edge type.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Stats {
    pub engine: String,
    pub entities: BTreeMap<String, u64>,
    pub events: BTreeMap<String, u64>,
    pub relations: BTreeMap<String, u64>,
    /// Participation edges (entity–event) by role.
    pub participations: BTreeMap<String, u64>,
}

/// An open store. Holds the store's lock for its whole life.
pub struct Store {
    kv: Box<dyn Kv>,
    path: PathBuf,
    _lock: File,
    /// The event records' compression dictionary; set at most once in a store's life.
    dictionary: std::sync::OnceLock<codec::Dictionary>,
    /// Records decoded by earlier reads of this handle (see `read.rs`).
    decoded: std::sync::Mutex<read::DecodedRecords>,
}

const LOCK_FILE: &str = "lock";

/// How long [`Store::open`] waits for a store held by another process, in milliseconds.
static LOCK_WAIT_MS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// How often a waiting [`Store::open`] tries the lock again.
const LOCK_POLL: std::time::Duration = std::time::Duration::from_millis(50);

/// Make every later [`Store::open`] in this process wait up to `wait` for a store that
/// another process holds, polling its lock (the CLI's `--wait`).
pub fn set_lock_wait(wait: std::time::Duration) {
    let ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX);
    LOCK_WAIT_MS.store(ms, std::sync::atomic::Ordering::Relaxed);
}

fn lock_wait() -> std::time::Duration {
    std::time::Duration::from_millis(LOCK_WAIT_MS.load(std::sync::atomic::Ordering::Relaxed))
}
const REDB_FILE: &str = "store.redb";
const SLED_DIR: &str = "sled";

impl Store {
    /// Open the store at `path` (a directory), taking its lock.
    ///
    /// The engine of an existing store is detected from its files; `mode` decides what
    /// happens where there is none. A store that another process holds is waited for as
    /// long as [`set_lock_wait`] says (by default not at all), then refused as
    /// [`StoreError::Locked`].
    pub fn open(path: &Path, mode: OpenMode) -> StoreResult<Store> {
        // No deadline (a wait too long to represent) waits for as long as it takes.
        let deadline = std::time::Instant::now().checked_add(lock_wait());
        loop {
            match Store::open_once(path, mode) {
                // Each try detects the store again: meanwhile the holder may have created
                // it, or removed the one its failed first import had created.
                Err(StoreError::Locked(_)) if deadline.is_none_or(|d| std::time::Instant::now() < d) => {
                    std::thread::sleep(LOCK_POLL)
                }
                result => return result,
            }
        }
    }

    fn open_once(path: &Path, mode: OpenMode) -> StoreResult<Store> {
        let io = |source| StoreError::Io {
            path: path.to_path_buf(),
            source,
        };
        // A first look, before anything is created: a file or a foreign directory is refused
        // as it is, and a missing store is not created for a command that only reads.
        if detect_engine(path)?.is_none() {
            if has_marker(path) {
                return Err(StoreError::Corrupt {
                    path: path.to_path_buf(),
                    what: "its engine files are gone (the lock file says a store was made here)".into(),
                });
            }
            match mode {
                OpenMode::Existing => return Err(StoreError::NotFound(path.to_path_buf())),
                OpenMode::CreateWith(_) => std::fs::create_dir_all(path).map_err(io)?,
            }
        }
        let lock_path = path.join(LOCK_FILE);
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(io)?;
        if lock.try_lock_exclusive().is_err() {
            return Err(StoreError::Locked(path.to_path_buf()));
        }
        // A holder that removed the store (a failed first import, see `discard`) did so
        // while it held the lock; a lock taken on the file it removed guards nothing, and
        // the store is then tried again, like one in use.
        if !same_file(&lock, &lock_path) {
            return Err(StoreError::Locked(path.to_path_buf()));
        }
        // The files as they are under the lock decide: another process may have created the
        // store (on any engine) since the first look, and no process creates or removes a
        // store's files without holding its lock.
        let existing = detect_engine(path)?;
        let engine = match (existing, mode) {
            (Some(e), _) => e,
            (None, OpenMode::Existing) => return Err(StoreError::NotFound(path.to_path_buf())),
            (None, OpenMode::CreateWith(e)) => e,
        };
        let marked = has_marker(path);
        if marked {
            // An engine opening an empty or missing file makes a new, empty store of it,
            // which would read as a store that lost everything without saying so.
            if let Some(what) = missing_engine_file(engine, path) {
                return Err(StoreError::Corrupt {
                    path: path.to_path_buf(),
                    what,
                });
            }
        }
        let kv = kv::open(engine, path).map_err(|source| match source {
            kv::KvError::Locked { .. } => StoreError::Locked(path.to_path_buf()),
            source => kv_error(path, source),
        })?;
        let store = Store {
            kv,
            path: path.to_path_buf(),
            _lock: lock,
            dictionary: std::sync::OnceLock::new(),
            decoded: std::sync::Mutex::default(),
        };
        let found = store.check_meta(existing.is_none() && !marked, marked)?;
        let applies = store.applies()?;
        if marked && applies < marked_applies(path) {
            return Err(store.corrupt(format!(
                "the engine's files lost committed writes: they hold {applies} imports, the lock file says {}",
                marked_applies(path)
            )));
        }
        if !marked {
            // Written once meta is committed (for stores made before the marker existed, at
            // their first open); a failure only leaves the store without the protection.
            let written = mark(&store._lock, applies);
            if existing.is_none() {
                written.map_err(|source| StoreError::Io {
                    path: path.to_path_buf(),
                    source,
                })?;
            }
        }
        store.load_dictionary()?;
        if found < FORMAT_VERSION {
            store.upgrade(found)?;
        }
        Ok(store)
    }

    /// Verify (or, for a new store, write) the format version and engine name; returns the
    /// store's format version.
    fn check_meta(&self, new: bool, marked: bool) -> StoreResult<u32> {
        let version = self
            .kv
            .get(tree::META, meta::FORMAT_VERSION)
            .map_err(|e| self.kv_err(e))?;
        match version {
            // A store whose creation was interrupted before its meta was committed holds
            // nothing else either (meta is the first write): initialise it now.
            None if marked => Err(self.corrupt(
                "the meta tree is gone: the engine's files were truncated or replaced (the lock file says a store was made here)",
            )),
            None if new || self.is_empty()? => {
                let mut w = self.kv.begin_write().map_err(|e| self.kv_err(e))?;
                let engine = self.kv.engine().name().as_bytes();
                let writes: [(&[u8], &[u8]); 3] = [
                    (meta::FORMAT_VERSION, &FORMAT_VERSION.to_be_bytes()),
                    (meta::ENGINE, engine),
                    (meta::NEXT_ID, &1u64.to_be_bytes()),
                ];
                for (k, v) in writes {
                    w.put(tree::META, k, v).map_err(|e| self.kv_err(e))?;
                }
                w.commit().map_err(|e| self.kv_err(e))?;
                Ok(FORMAT_VERSION)
            }
            None => Err(self.corrupt("the meta tree has no format_version")),
            Some(bytes) => {
                let found = <[u8; 4]>::try_from(bytes.as_slice())
                    .map(u32::from_be_bytes)
                    .map_err(|_| self.corrupt("format_version is not a 4-byte integer"))?;
                if found > FORMAT_VERSION {
                    return Err(StoreError::NewerFormat {
                        path: self.path.clone(),
                        found,
                        supported: FORMAT_VERSION,
                    });
                }
                let recorded = self.kv.get(tree::META, meta::ENGINE).map_err(|e| self.kv_err(e))?;
                if recorded.as_deref() != Some(self.kv.engine().name().as_bytes()) {
                    return Err(self.corrupt("the engine recorded in meta does not match the store's files"));
                }
                Ok(found)
            }
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The applies committed to this store (`meta.applies`).
    pub(crate) fn applies(&self) -> StoreResult<u64> {
        match self.kv.get(tree::META, meta::APPLIES).map_err(|e| self.kv_err(e))? {
            Some(b) => keys::read_id(&b).ok_or_else(|| self.corrupt("meta applies is not an 8-byte integer")),
            None => Ok(0),
        }
    }

    /// Repeat a committed apply count in the lock file. Best effort: the write is already
    /// committed, and a count left behind only weakens the check.
    pub(crate) fn record_applies(&self, applies: u64) {
        let _ = mark(&self._lock, applies);
    }

    /// Remove the store's directory, for a store that a failed first import or ingest
    /// created and left empty. The engine is closed first and the lock is held until the
    /// directory is gone, so that a process waiting for the store never opens files that
    /// are being removed: it finds no store, or a lock file that is no longer the store's.
    pub fn discard(self) -> StoreResult<()> {
        let Store { kv, path, _lock, .. } = self;
        drop(kv);
        let removed = std::fs::remove_dir_all(&path);
        drop(_lock);
        removed.map_err(|source| StoreError::Io { path, source })
    }

    pub fn engine(&self) -> Engine {
        self.kv.engine()
    }

    /// The engine seam, for layers that read indexes directly (queries, check).
    pub fn kv(&self) -> &dyn Kv {
        self.kv.as_ref()
    }

    pub(crate) fn kv_err(&self, source: kv::KvError) -> StoreError {
        kv_error(&self.path, source)
    }

    pub(crate) fn corrupt(&self, what: impl Into<String>) -> StoreError {
        StoreError::Corrupt {
            path: self.path.clone(),
            what: what.into(),
        }
    }

    fn decode<T: DeserializeOwned>(&self, tree: &str, key: &[u8], bytes: &[u8]) -> StoreResult<T> {
        codec::decode_with(bytes, self.dictionary.get()).map_err(|m| self.corrupt(format!("{tree} {}: {m}", hex(key))))
    }

    /// Load the event dictionary from meta, if the store has one.
    fn load_dictionary(&self) -> StoreResult<()> {
        if let Some(raw) = self.kv.get(tree::META, meta::EVENT_DICT).map_err(|e| self.kv_err(e))? {
            let d = codec::Dictionary::new(raw).map_err(|m| self.corrupt(format!("meta event_dict: {m}")))?;
            let _ = self.dictionary.set(d);
        }
        Ok(())
    }

    /// The event dictionary, if the store has one.
    pub(crate) fn dictionary(&self) -> Option<&codec::Dictionary> {
        self.dictionary.get()
    }

    /// Record a dictionary that an apply has just committed.
    pub(crate) fn set_dictionary(&self, d: codec::Dictionary) {
        let _ = self.dictionary.set(d);
    }

    /// The record with this id in `tree`, if any.
    pub fn record<T: DeserializeOwned>(&self, tree: &str, id: Id) -> StoreResult<Option<T>> {
        let key = keys::id_bytes(id);
        match self.kv.get(tree, &key).map_err(|e| self.kv_err(e))? {
            Some(bytes) => self.decode(tree, &key, &bytes).map(Some),
            None => Ok(None),
        }
    }

    /// The id stored under a key string in an index tree (`entity_key`, `event_key`).
    pub fn id_of(&self, index: &str, key: &str) -> StoreResult<Option<Id>> {
        match self.kv.get(index, key.as_bytes()).map_err(|e| self.kv_err(e))? {
            Some(bytes) => keys::read_id(&bytes)
                .map(Some)
                .ok_or_else(|| self.corrupt(format!("{index} {key:?}: value is not an id"))),
            None => Ok(None),
        }
    }

    pub fn entity_id(&self, key: &str) -> StoreResult<Option<Id>> {
        self.id_of(tree::ENTITY_KEY, key)
    }

    pub fn entity_by_key(&self, key: &str) -> StoreResult<Option<Entity>> {
        match self.entity_id(key)? {
            Some(id) => self.record(tree::ENTITY, id),
            None => Ok(None),
        }
    }

    pub fn event_by_key(&self, key: &str) -> StoreResult<Option<Event>> {
        match self.id_of(tree::EVENT_KEY, key)? {
            Some(id) => self.record(tree::EVENT, id),
            None => Ok(None),
        }
    }

    /// Every record of `tree`, in the order of the key index `by`.
    fn records_by<'a, T: DeserializeOwned + 'a>(
        &'a self,
        by: &'static str,
        tree: &'static str,
    ) -> StoreResult<impl Iterator<Item = StoreResult<T>> + 'a> {
        let scan = self.kv.scan_prefix(by, b"").map_err(|e| self.kv_err(e))?;
        Ok(scan.map(move |pair| {
            let (k, v) = pair.map_err(|e| self.kv_err(e))?;
            let id = keys::read_id(&v).ok_or_else(|| self.corrupt(format!("{by} {}: value is not an id", hex(&k))))?;
            self.record(tree, id)?
                .ok_or_else(|| self.corrupt(format!("{by} {} names record {id}, which {tree} lacks", hex(&k))))
        }))
    }

    /// Every entity, by key.
    pub fn entities(&self) -> StoreResult<impl Iterator<Item = StoreResult<Entity>> + '_> {
        self.records_by(tree::ENTITY_KEY, tree::ENTITY)
    }

    /// Every relation, by (from key, type, to key, since).
    pub fn relations(&self) -> StoreResult<impl Iterator<Item = StoreResult<Relation>> + '_> {
        self.records_by(tree::RELATION_KEY, tree::RELATION)
    }

    /// Every event, by key.
    pub fn events(&self) -> StoreResult<impl Iterator<Item = StoreResult<Event>> + '_> {
        self.records_by(tree::EVENT_KEY, tree::EVENT)
    }

    /// Return the space an import left unused to the file system (redb only). Worth it after
    /// large imports: at 1M events it takes about 1 s and shrinks the file by 40 %.
    pub fn compact(&mut self) -> StoreResult<bool> {
        let path = self.path.clone();
        self.kv.compact().map_err(|source| kv_error(&path, source))
    }

    /// Whether the store holds no entity, relation or event.
    pub fn is_empty(&self) -> StoreResult<bool> {
        for t in [tree::ENTITY, tree::RELATION, tree::EVENT] {
            let mut scan = self.kv.scan_prefix(t, b"").map_err(|e| self.kv_err(e))?;
            if scan.next().is_some() {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Counts by node and edge type (a full scan of the record trees).
    pub fn stats(&self) -> StoreResult<Stats> {
        let mut stats = Stats {
            engine: self.engine().name().to_string(),
            ..Stats::default()
        };
        for e in self.scan_records::<Entity>(tree::ENTITY)? {
            *stats.entities.entry(e?.entity_type).or_default() += 1;
        }
        for r in self.scan_records::<Relation>(tree::RELATION)? {
            *stats.relations.entry(r?.relation_type).or_default() += 1;
        }
        for ev in self.scan_records::<Event>(tree::EVENT)? {
            let ev = ev?;
            *stats.events.entry(ev.event_type).or_default() += 1;
            for p in ev.participants {
                *stats.participations.entry(p.role).or_default() += 1;
            }
        }
        Ok(stats)
    }

    /// Every record of a record tree, in id order.
    pub fn scan_records<'a, T: DeserializeOwned + 'a>(
        &'a self,
        tree: &'static str,
    ) -> StoreResult<impl Iterator<Item = StoreResult<T>> + 'a> {
        let scan = self.kv.scan_prefix(tree, b"").map_err(|e| self.kv_err(e))?;
        Ok(scan.map(move |pair| {
            let (k, v) = pair.map_err(|e| self.kv_err(e))?;
            self.decode(tree, &k, &v)
        }))
    }
}

impl KeyLookup for Store {
    fn entity_type(&self, key: &str) -> Result<Option<String>, LookupError> {
        self.entity_by_key(key)
            .map(|e| e.map(|e| e.entity_type))
            .map_err(|e| LookupError(e.to_string()))
    }
}

/// An engine error of the store at `path`: damage the engine found is the store's damage
/// (`store PATH is damaged: …`, docs/cli.md), anything else an engine failure.
fn kv_error(path: &Path, source: kv::KvError) -> StoreError {
    match source {
        kv::KvError::Damaged { .. } => StoreError::Corrupt {
            path: path.to_path_buf(),
            what: source.to_string(),
        },
        source => StoreError::Kv {
            path: path.to_path_buf(),
            source,
        },
    }
}

/// Which engine's files are in `path`, if any; an error if `path` is something else.
fn detect_engine(path: &Path) -> StoreResult<Option<Engine>> {
    let not_a_store = |reason: &str| StoreError::NotAStore {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    };
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(StoreError::Io {
                path: path.to_path_buf(),
                source,
            })
        }
        Ok(m) if !m.is_dir() => return Err(not_a_store("it is a file, not a directory")),
        Ok(_) => {}
    }
    // One listing decides: testing for each engine's files and then listing the rest
    // could miss a file that another process created in between and then see it as foreign
    // (issue 17: two imports creating one store).
    let (mut redb, mut sled, mut other) = (false, false, false);
    for entry in std::fs::read_dir(path).map_err(|source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    })? {
        let name = entry
            .map_err(|source| StoreError::Io {
                path: path.to_path_buf(),
                source,
            })?
            .file_name();
        match name.to_str() {
            Some(REDB_FILE) => redb = true,
            Some(SLED_DIR) => sled = true,
            Some(LOCK_FILE) => {}
            _ => other = true,
        }
    }
    match (redb, sled) {
        (true, true) => Err(not_a_store("it holds both redb and sled files")),
        (true, false) => Ok(Some(Engine::Redb)),
        (false, true) => Ok(Some(Engine::Sled)),
        (false, false) if other => Err(not_a_store("the directory is not empty and holds no store files")),
        (false, false) => Ok(None),
    }
}

/// What the lock file of a store holds once the store's meta record is committed: from then
/// on, the store's directory without engine files, an empty engine file, or an engine
/// without meta is damage, not a store to create.
const MARKER: &[u8] = b"dipgraph store\n";

fn has_marker(path: &Path) -> bool {
    std::fs::read(path.join(LOCK_FILE)).is_ok_and(|b| b.starts_with(MARKER))
}

/// The applies the lock file records after the marker (`applies N`), if any.
fn marked_applies(path: &Path) -> u64 {
    let bytes = std::fs::read(path.join(LOCK_FILE)).unwrap_or_default();
    let text = String::from_utf8_lossy(bytes.strip_prefix(MARKER).unwrap_or_default());
    text.lines()
        .find_map(|l| l.strip_prefix("applies ")?.trim().parse().ok())
        .unwrap_or(0)
}

/// Write the marker, and the count of committed applies, into the (locked) lock file,
/// durably. Written after the engine's commit: a crash in between leaves a count below the
/// engine's, which is no damage.
fn mark(lock: &File, applies: u64) -> std::io::Result<()> {
    use std::io::{Seek, Write};
    let mut f = lock;
    let mut content = MARKER.to_vec();
    content.extend_from_slice(format!("applies {applies}\n").as_bytes());
    f.seek(std::io::SeekFrom::Start(0))?;
    f.write_all(&content)?;
    f.set_len(content.len() as u64)?;
    f.sync_all()
}

/// Why the engine's files cannot hold the store that the marker says was made, if so.
fn missing_engine_file(engine: Engine, path: &Path) -> Option<String> {
    let file = match engine {
        Engine::Redb => path.join(REDB_FILE),
        Engine::Sled => path.join(SLED_DIR).join("db"),
    };
    match std::fs::metadata(&file) {
        Ok(m) if m.len() > 0 => None,
        Ok(_) => Some(format!("{} is empty", file.display())),
        Err(_) => Some(format!("{} is missing", file.display())),
    }
}

/// Whether the open file `file` is the file at `path` now.
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// Lowercase hex, for naming binary keys in messages.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

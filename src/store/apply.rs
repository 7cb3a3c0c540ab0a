//! The one write path: a validated batch, its records and every derived index entry,
//! written in one atomic engine write.
//!
//! Sides (which country a participant stands for) are derived at write time and stored in
//! the `dyad` index. A side can change after an event is written — a person gains a
//! position, an organization's country is corrected — so every entity whose side-relevant
//! facts change marks its events for re-indexing within the same write.

use super::keys::{self, Id};
use super::{codec, hex, tree, Store, StoreError, StoreResult};
use crate::ingest::{merge_entity, ValidatedBatch};
use crate::model::{fold_name, DayRange, Entity, Event, Relation, RelationId};
use crate::store::kv::{KvResult, KvWrite};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::collections::BTreeSet;

/// What an apply changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ApplyStats {
    pub entities_added: u64,
    pub entities_updated: u64,
    pub relations_added: u64,
    pub relations_updated: u64,
    pub events_added: u64,
    pub events_updated: u64,
    /// Stored events whose dyads were recomputed, unchanged, because a participant's
    /// side facts (country, positions) changed.
    pub events_reindexed: u64,
    pub unchanged: u64,
}

impl ApplyStats {
    pub fn changed(&self) -> bool {
        self.entities_added
            + self.entities_updated
            + self.relations_added
            + self.relations_updated
            + self.events_added
            + self.events_updated
            + self.events_reindexed
            > 0
    }
}

/// The countries an entity can stand for, before the event's date is known.
/// An entity's side facts, for [`crate::model::standing_at`]: its own side, else the
/// sides its positions give, each with the position's interval.
struct SideRule {
    own: Option<Id>,
    positions: Vec<(DayRange, Option<Id>)>,
}

impl Store {
    /// Write `batch` atomically: all of it, with all its index entries, or nothing.
    ///
    /// Re-applying a batch that is already stored changes nothing. An entity that exists
    /// is merged (aliases united, given fields replace stored ones); a relation or event
    /// with an existing identity or key is replaced.
    pub fn apply(&self, batch: &ValidatedBatch) -> StoreResult<ApplyStats> {
        self.apply_corrected(batch, &Corrections::default())
    }

    /// [`Store::apply`] with corrections an import cannot express (see [`Corrections`]).
    pub fn apply_corrected(&self, batch: &ValidatedBatch, corrections: &Corrections) -> StoreResult<ApplyStats> {
        let events = batch.events.iter().map(|e| Ok((e.clone(), None)));
        self.apply_all(&batch.entities, &batch.relations, events, corrections)
    }

    /// [`Store::apply`] for a batch whose events arrive one at a time (from an import's
    /// spool): entities and relations first, then each event, all in one atomic write.
    /// Event keys must be distinct. An event may come with its value already encoded by
    /// the store's codec (the spool's bytes), which is then written as is.
    pub fn apply_parts(
        &self,
        entities: &[Entity],
        relations: &[Relation],
        events: impl Iterator<Item = StoreResult<(Event, Option<Vec<u8>>)>> + Send,
    ) -> StoreResult<ApplyStats> {
        self.apply_all(entities, relations, events, &Corrections::default())
    }

    fn apply_all(
        &self,
        entities: &[Entity],
        relations: &[Relation],
        events: impl Iterator<Item = StoreResult<(Event, Option<Vec<u8>>)>> + Send,
        corrections: &Corrections,
    ) -> StoreResult<ApplyStats> {
        let next_id = match self
            .kv
            .get(tree::META, super::meta::NEXT_ID)
            .map_err(|e| self.kv_err(e))?
        {
            Some(b) => keys::read_id(&b).ok_or_else(|| self.corrupt("meta next_id is not an id"))?,
            None => return Err(self.corrupt("meta has no next_id")),
        };
        let w = self.kv.begin_write().map_err(|e| self.kv_err(e))?;
        let mut a = Apply {
            store: self,
            w,
            next_id,
            stats: ApplyStats::default(),
            entity_ids: HashMap::default(),
            entities: HashMap::default(),
            relations: HashMap::default(),
            new_links: HashMap::default(),
            side_dirty: BTreeSet::new(),
            indexed: HashSet::default(),
            sides: HashMap::default(),
            sorted: SortedPuts::default(),
            chunk: EventChunk::default(),
            events_stored: true,
            replace_entities: corrections.replace_entities,
            deleted_relations: HashSet::default(),
        };
        let mut events = events.peekable();
        // Compresses event records with the store's dictionary, when it has one.
        let mut compressor: Option<zstd::bulk::Compressor<'static>> = None;
        // A store without a dictionary trains one from the first large batch of events.
        let mut trained: Option<codec::Dictionary> = None;
        let mut head: Vec<(Event, Option<Vec<u8>>)> = Vec::new();
        match self.dictionary() {
            Some(d) => compressor = Some(d.compressor().map_err(|m| self.corrupt(format!("event_dict: {m}")))?),
            None => {
                while head.len() < DICTIONARY_SAMPLES {
                    match events.next() {
                        Some(ev) => head.push(ev?),
                        None => break,
                    }
                }
                if head.len() >= DICTIONARY_MIN_EVENTS {
                    let mut samples = Vec::with_capacity(head.len());
                    for (ev, encoded) in &mut head {
                        if encoded.is_none() {
                            *encoded = Some(codec::encode(&*ev).map_err(|what| StoreError::Unwritable {
                                path: self.path.clone(),
                                what: format!("record in tree event: {what}"),
                            })?);
                        }
                        samples.extend(encoded.clone());
                    }
                    // Training fails on too uniform or too little data; records then stay
                    // uncompressed, which is always correct.
                    if let Ok(raw) = codec::Dictionary::train(&samples) {
                        if let Ok(d) = codec::Dictionary::new(raw) {
                            a.put(tree::META, super::meta::EVENT_DICT, d.raw())?;
                            compressor = d.compressor().ok();
                            trained = Some(d);
                        }
                    }
                }
            }
        }
        for e in entities {
            a.entity(e)?;
        }
        for r in &corrections.delete_relations {
            a.delete_relation(r)?;
        }
        for r in relations {
            a.relation(r)?;
        }
        a.spread_side_changes()?;
        // A store without events needs no lookup of each event's key: the batch's keys are
        // distinct, so every event is new.
        a.events_stored = self
            .kv
            .scan_prefix(tree::EVENT_KEY, b"")
            .map_err(|e| self.kv_err(e))?
            .next()
            .is_some();
        // Events are encoded and compressed on a second thread while this one indexes and
        // writes them: the two halves cost about the same.
        std::thread::scope(|scope| -> StoreResult<()> {
            let (tx, rx) = std::sync::mpsc::sync_channel::<EncodedGroup>(4);
            let all = head.into_iter().map(Ok).chain(events);
            scope.spawn(move || encode_events(self, all, compressor, tx));
            for group in rx {
                for (ev, bytes) in group? {
                    a.event(&ev, bytes)?;
                }
            }
            Ok(())
        })?;
        a.reindex_dirty()?;
        for key in &corrections.delete_entities {
            a.delete_entity(key)?;
        }
        a.flush_chunk()?;
        a.flush_sorted()?;
        let Apply {
            mut w,
            next_id: end_id,
            stats,
            ..
        } = a;
        if end_id != next_id {
            w.put(tree::META, super::meta::NEXT_ID, &end_id.to_be_bytes())
                .map_err(|e| self.kv_err(e))?;
        }
        let applies = self.applies()? + 1;
        w.put(tree::META, super::meta::APPLIES, &applies.to_be_bytes())
            .map_err(|e| self.kv_err(e))?;
        w.commit().map_err(|e| self.kv_err(e))?;
        self.record_applies(applies);
        if let Some(d) = trained {
            self.set_dictionary(d);
        }
        Ok(stats)
    }
}

struct Apply<'s> {
    store: &'s Store,
    w: Box<dyn KvWrite + 's>,
    next_id: Id,
    stats: ApplyStats,
    /// Ids of entities created in this apply (the store knows the others).
    entity_ids: HashMap<String, Id>,
    /// Entities written in this apply, as written.
    entities: HashMap<Id, Entity>,
    /// Relations written in this apply, as written.
    relations: HashMap<Id, Relation>,
    /// entity id → relations created in this apply that touch it.
    new_links: HashMap<Id, Vec<Id>>,
    /// Entities whose side-relevant facts changed.
    side_dirty: BTreeSet<Id>,
    /// Events whose indexes this apply already wrote.
    indexed: HashSet<Id>,
    sides: HashMap<Id, SideRule>,
    /// Index entries of events, written in key order at the end (see [`SortedPuts`]).
    sorted: SortedPuts,
    /// Event records and links not yet written.
    chunk: EventChunk,
    /// Whether the store held any event before this apply (if not, no event key is looked
    /// up).
    events_stored: bool,
    /// Entities in the batch replace stored ones instead of being merged into them.
    replace_entities: bool,
    /// Relations removed in this apply (still visible in the committed state it reads).
    deleted_relations: HashSet<Id>,
}

/// Changes that an import cannot express, made by `merge` and `split`: entities written
/// as given instead of merged into the stored record (so aliases can be removed),
/// relations removed, and entities removed once nothing refers to them.
#[derive(Debug, Clone, Default)]
pub struct Corrections {
    pub replace_entities: bool,
    pub delete_relations: Vec<RelationId>,
    /// Entities to remove after the batch is written; the batch must have moved every
    /// event, relation and `country` reference away from them.
    pub delete_entities: Vec<String>,
}

/// Events travel from encoding to indexing in groups of this many.
const ENCODED_GROUP: usize = 256;

/// A group of events with their records encoded (and compressed), or why encoding stopped.
type EncodedGroup = StoreResult<Vec<(Event, Vec<u8>)>>;

/// Encode each event's record (unless it comes encoded) and compress it with `compressor`,
/// sending them on in groups; stops at the first error, which it sends, or when the
/// receiver is gone.
fn encode_events(
    store: &Store,
    events: impl Iterator<Item = StoreResult<(Event, Option<Vec<u8>>)>>,
    mut compressor: Option<zstd::bulk::Compressor<'static>>,
    tx: std::sync::mpsc::SyncSender<EncodedGroup>,
) {
    let unwritable = |what: String| StoreError::Unwritable {
        path: store.path.clone(),
        what: format!("record in tree event: {what}"),
    };
    let mut group = Vec::with_capacity(ENCODED_GROUP);
    for item in events {
        let encoded = item.and_then(|(ev, encoded)| {
            let mut bytes = match encoded {
                Some(bytes) => bytes,
                None => codec::encode(&ev).map_err(unwritable)?,
            };
            if let Some(c) = &mut compressor {
                bytes = codec::compress(c, &bytes).map_err(unwritable)?;
            }
            Ok((ev, bytes))
        });
        match encoded {
            Ok(pair) => {
                group.push(pair);
                if group.len() == ENCODED_GROUP
                    && tx
                        .send(Ok(std::mem::replace(&mut group, Vec::with_capacity(ENCODED_GROUP))))
                        .is_err()
                {
                    return;
                }
            }
            Err(e) => {
                let _ = tx.send(Err(e));
                return;
            }
        }
    }
    let _ = tx.send(Ok(group));
}

/// A store without a dictionary trains one when a batch brings at least this many events…
const DICTIONARY_MIN_EVENTS: usize = 2000;
/// …from its first this many events.
const DICTIONARY_SAMPLES: usize = 20_000;

/// How many events' records and links are written together.
const CHUNK_EVENTS: usize = 8192;

/// Event records and `event_links` values, by id, written in groups so that each tree is
/// opened once per group.
#[derive(Default)]
struct EventChunk {
    records: Vec<([u8; 8], Vec<u8>)>,
    links: Vec<([u8; 8], Vec<u8>)>,
}

/// Index entries buffered so that each tree receives them in key order: B-tree inserts in
/// order fill pages and touch each page once, where the events' own order would scatter
/// them. Fixed-size entries are kept as flat arrays (key ‖ value) to stay compact.
#[derive(Default)]
struct SortedPuts {
    /// `entity_event`: 20-byte key ‖ 4-byte end day.
    entity_event: Vec<[u8; 24]>,
    /// `dyad`: 28-byte key ‖ 4-byte end day.
    dyad: Vec<[u8; 32]>,
    /// `event_key`: key ‖ id.
    event_key: Vec<(Box<[u8]>, [u8; 8])>,
}

fn concat<const N: usize>(key: &[u8], value: &[u8]) -> [u8; N] {
    let mut out = [0u8; N];
    out[..key.len()].copy_from_slice(key);
    out[key.len()..key.len() + value.len()].copy_from_slice(value);
    out
}

impl<'s> Apply<'s> {
    fn put(&mut self, tree: &str, key: &[u8], value: &[u8]) -> StoreResult<()> {
        self.w.put(tree, key, value).map_err(|e| self.store.kv_err(e))
    }

    fn del(&mut self, tree: &str, key: &[u8]) -> StoreResult<()> {
        self.w.delete(tree, key).map_err(|e| self.store.kv_err(e))
    }

    fn put_record<T: serde::Serialize>(&mut self, tree: &str, id: Id, value: &T) -> StoreResult<()> {
        let bytes = codec::encode(value).map_err(|what| StoreError::Unwritable {
            path: self.store.path.clone(),
            what: format!("record in tree {tree}: {what}"),
        })?;
        self.put(tree, &keys::id_bytes(id), &bytes)
    }

    fn alloc(&mut self) -> Id {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    fn entity_id(&self, key: &str) -> StoreResult<Option<Id>> {
        match self.entity_ids.get(key) {
            Some(id) => Ok(Some(*id)),
            None => self.store.entity_id(key),
        }
    }

    /// An entity id that validation guaranteed to exist.
    fn known_entity_id(&self, key: &str) -> StoreResult<Id> {
        self.entity_id(key)?.ok_or_else(|| {
            self.store
                .corrupt(format!("entity \"{key}\" was validated but is not in the store"))
        })
    }

    fn get_entity(&self, id: Id) -> StoreResult<Entity> {
        match self.entities.get(&id) {
            Some(e) => Ok(e.clone()),
            None => self
                .store
                .record(tree::ENTITY, id)?
                .ok_or_else(|| self.store.corrupt(format!("entity {id} is missing"))),
        }
    }

    fn get_relation(&self, id: Id) -> StoreResult<Relation> {
        match self.relations.get(&id) {
            Some(r) => Ok(r.clone()),
            None => self
                .store
                .record(tree::RELATION, id)?
                .ok_or_else(|| self.store.corrupt(format!("relation {id} is missing"))),
        }
    }

    /// Every relation touching entity `id`, stored or new.
    fn relations_of(&self, id: Id) -> StoreResult<Vec<Relation>> {
        let mut ids: Vec<Id> = Vec::new();
        let scan = self
            .store
            .kv
            .scan_prefix(tree::ENTITY_RELATION, &keys::id_bytes(id))
            .map_err(|e| self.store.kv_err(e))?;
        for pair in scan {
            let (k, _) = pair.map_err(|e| self.store.kv_err(e))?;
            ids.push(keys::id_at(&k, 8).ok_or_else(|| self.store.corrupt(format!("entity_relation key {}", hex(&k))))?);
        }
        ids.extend(self.new_links.get(&id).into_iter().flatten());
        ids.retain(|r| !self.deleted_relations.contains(r));
        ids.into_iter().map(|r| self.get_relation(r)).collect()
    }

    fn alias_keys(e: &Entity) -> BTreeSet<String> {
        std::iter::once(&e.name)
            .chain(&e.aliases)
            .map(|n| fold_name(n))
            .filter(|f| !f.is_empty())
            .collect()
    }

    fn entity(&mut self, e: &Entity) -> StoreResult<()> {
        match self.store.entity_id(&e.key)? {
            Some(id) => {
                let old: Entity = self.get_entity(id)?;
                let mut merged = old.clone();
                if self.replace_entities {
                    merged = e.clone();
                } else {
                    merge_entity(&mut merged, e.clone());
                }
                if merged == old {
                    self.stats.unchanged += 1;
                    return Ok(());
                }
                if merged.aliases.len() > crate::ingest::MAX_ALIASES {
                    return Err(StoreError::Unwritable {
                        path: self.store.path.clone(),
                        what: format!(
                            "entity \"{}\": with the stored record, {} aliases, more than the limit of {}",
                            e.key,
                            merged.aliases.len(),
                            crate::ingest::MAX_ALIASES
                        ),
                    });
                }
                let (before, after) = (Self::alias_keys(&old), Self::alias_keys(&merged));
                for gone in before.difference(&after) {
                    self.del(tree::ALIAS, &keys::alias(gone, id))?;
                }
                for new in after.difference(&before) {
                    self.put(tree::ALIAS, &keys::alias(new, id), b"")?;
                }
                if old.country != merged.country {
                    self.side_dirty.insert(id);
                }
                self.put_record(tree::ENTITY, id, &merged)?;
                self.entities.insert(id, merged);
                self.stats.entities_updated += 1;
            }
            None => {
                let id = self.alloc();
                self.put(tree::ENTITY_KEY, e.key.as_bytes(), &keys::id_bytes(id))?;
                for folded in Self::alias_keys(e) {
                    self.put(tree::ALIAS, &keys::alias(&folded, id), b"")?;
                }
                self.put_record(tree::ENTITY, id, e)?;
                self.entity_ids.insert(e.key.clone(), id);
                self.entities.insert(id, e.clone());
                self.stats.entities_added += 1;
            }
        }
        Ok(())
    }

    /// Remove a stored relation and its index entries.
    fn delete_relation(&mut self, r: &RelationId) -> StoreResult<()> {
        let since = r.since.map(|d| d.to_string()).unwrap_or_default();
        let identity = keys::relation_identity(&r.relation_type, &r.from, &r.to, &since);
        let Some(bytes) = self
            .store
            .kv
            .get(tree::RELATION_KEY, &identity)
            .map_err(|e| self.store.kv_err(e))?
        else {
            return Ok(());
        };
        let id = keys::read_id(&bytes).ok_or_else(|| self.store.corrupt(format!("relation_key {}", hex(&identity))))?;
        let (from, to) = (self.known_entity_id(&r.from)?, self.known_entity_id(&r.to)?);
        self.del(tree::RELATION_KEY, &identity)?;
        self.del(tree::RELATION, &keys::id_bytes(id))?;
        for end in [from, to] {
            self.del(tree::ENTITY_RELATION, &keys::entity_relation(end, id))?;
        }
        if r.relation_type == "holds_position" {
            self.side_dirty.insert(from);
        }
        self.deleted_relations.insert(id);
        self.relations.remove(&id);
        Ok(())
    }

    /// Remove a stored entity that nothing refers to any more: its record, key and aliases.
    fn delete_entity(&mut self, key: &str) -> StoreResult<()> {
        let id = self.known_entity_id(key)?;
        let e = self.get_entity(id)?;
        for folded in Self::alias_keys(&e) {
            self.del(tree::ALIAS, &keys::alias(&folded, id))?;
        }
        self.del(tree::ENTITY_KEY, key.as_bytes())?;
        self.del(tree::ENTITY, &keys::id_bytes(id))?;
        self.entities.remove(&id);
        Ok(())
    }

    fn relation(&mut self, r: &Relation) -> StoreResult<()> {
        let since = r.since.map(|d| d.to_string()).unwrap_or_default();
        let identity = keys::relation_identity(&r.relation_type, &r.from, &r.to, &since);
        let from = self.known_entity_id(&r.from)?;
        let existing = self
            .store
            .kv
            .get(tree::RELATION_KEY, &identity)
            .map_err(|e| self.store.kv_err(e))?;
        let id = match existing {
            Some(bytes) => {
                let id = keys::read_id(&bytes)
                    .ok_or_else(|| self.store.corrupt(format!("relation_key {}", hex(&identity))))?;
                if self.get_relation(id)? == *r {
                    self.stats.unchanged += 1;
                    return Ok(());
                }
                self.stats.relations_updated += 1;
                id
            }
            None => {
                let id = self.alloc();
                let to = self.known_entity_id(&r.to)?;
                self.put(tree::RELATION_KEY, &identity, &keys::id_bytes(id))?;
                for end in [from, to] {
                    self.put(tree::ENTITY_RELATION, &keys::entity_relation(end, id), b"")?;
                    self.new_links.entry(end).or_default().push(id);
                }
                self.stats.relations_added += 1;
                id
            }
        };
        self.put_record(tree::RELATION, id, r)?;
        self.relations.insert(id, r.clone());
        if r.relation_type == "holds_position" {
            self.side_dirty.insert(from);
        }
        Ok(())
    }

    /// An organization or country whose country changed changes the side of every person
    /// who holds a position in it and has no country of their own.
    fn spread_side_changes(&mut self) -> StoreResult<()> {
        let mut extra = Vec::new();
        for &id in &self.side_dirty {
            let key = self.get_entity(id)?.key;
            for r in self.relations_of(id)? {
                if r.relation_type == "holds_position" && r.to == key {
                    extra.push(self.known_entity_id(&r.from)?);
                }
            }
        }
        self.side_dirty.extend(extra);
        Ok(())
    }

    fn side_rule(&mut self, id: Id) -> StoreResult<&SideRule> {
        if !self.sides.contains_key(&id) {
            let e = self.get_entity(id)?;
            let own = e.own_side().map(|c| self.known_entity_id(c)).transpose()?;
            let mut positions = Vec::new();
            if own.is_none() {
                for r in self.relations_of(id)? {
                    if r.relation_type != "holds_position" || r.from != e.key {
                        continue;
                    }
                    let org = self.get_entity(self.known_entity_id(&r.to)?)?;
                    let side = org.own_side().map(|c| self.known_entity_id(c)).transpose()?;
                    positions.push((r.interval(), side));
                }
            }
            let rule = SideRule { own, positions };
            self.sides.insert(id, rule);
        }
        Ok(&self.sides[&id])
    }

    /// The country pairs an event is a contact between: one side from one participant,
    /// the other side from another participant. Sorted, each pair (lower, higher).
    ///
    /// Linear in the participants and their sides, plus the pairs it returns: a pair of
    /// distinct sides (x, y) is a dyad unless both are held by one participant only, the
    /// same one, so it is enough to know, per side, how many participants hold it and who
    /// the first was. More than [`keys::MAX_PAIRS`] pairs cannot be stored.
    fn dyads(&mut self, ev: &Event) -> StoreResult<Vec<(Id, Id)>> {
        let span = ev.interval();
        let mut seen: HashSet<Id> = HashSet::default();
        // side → (participants holding it, the first of them)
        let mut holders: std::collections::BTreeMap<Id, (u64, Id)> = std::collections::BTreeMap::new();
        for p in &ev.participants {
            let pid = self.known_entity_id(&p.entity)?;
            if !seen.insert(pid) {
                continue;
            }
            let rule = self.side_rule(pid)?;
            let sides: BTreeSet<Id> = crate::model::standing_at(rule.own, rule.positions.iter().copied(), span);
            for s in sides {
                holders.entry(s).or_insert((0, pid)).0 += 1;
            }
        }
        let sides: Vec<(Id, (u64, Id))> = holders.into_iter().collect();
        let mut pairs = Vec::new();
        for (i, &(x, (nx, hx))) in sides.iter().enumerate() {
            for &(y, (ny, hy)) in &sides[i + 1..] {
                if nx == 1 && ny == 1 && hx == hy {
                    continue;
                }
                if pairs.len() == keys::MAX_PAIRS {
                    return Err(StoreError::Unwritable {
                        path: self.store.path.clone(),
                        what: format!(
                            "event \"{}\": it would have more than {} country pairs",
                            ev.key,
                            keys::MAX_PAIRS
                        ),
                    });
                }
                pairs.push((x, y));
            }
        }
        Ok(pairs)
    }

    /// Write the event's `event_links` value (members, dyads, key and type) and its dyad
    /// index entries.
    fn write_links(&mut self, id: Id, ev: &Event, members: &BTreeSet<Id>) -> StoreResult<()> {
        let (start, end) = ev.interval();
        let pairs = self.dyads(ev)?;
        for (a, b) in &pairs {
            self.sorted
                .dyad
                .push(concat(&keys::dyad(*a, *b, start, id), &end.to_be_bytes()));
        }
        let members: Vec<Id> = members.iter().copied().collect();
        let links = keys::links_value(&members, &pairs, &ev.key, &ev.event_type);
        self.chunk.links.push((keys::id_bytes(id), links));
        Ok(())
    }

    /// Remove the dyad entries recorded for stored event `id` (whose start day is `start`).
    fn clear_dyads(&mut self, id: Id, start: u32) -> StoreResult<()> {
        let links = self
            .store
            .kv
            .get(tree::EVENT_LINKS, &keys::id_bytes(id))
            .map_err(|e| self.store.kv_err(e))?;
        let links = links.ok_or_else(|| self.store.corrupt(format!("event {id} has no event_links entry")))?;
        let links = keys::split_links(&links)
            .ok_or_else(|| self.store.corrupt(format!("event_links {id}: malformed value")))?;
        for (a, b) in links.pairs {
            self.del(tree::DYAD, &keys::dyad(a, b, start, id))?;
        }
        Ok(())
    }

    /// Write the buffered records and links (every [`CHUNK_EVENTS`] events and at the end).
    fn flush_chunk(&mut self) -> StoreResult<()> {
        let mut chunk = std::mem::take(&mut self.chunk);
        for (tree, entries) in [(tree::EVENT, &mut chunk.records), (tree::EVENT_LINKS, &mut chunk.links)] {
            entries.sort_unstable_by_key(|e| e.0);
            let mut it = entries.iter().map(|(k, v)| (&k[..], &v[..]));
            self.w.put_all(tree, &mut it).map_err(|e| self.store.kv_err(e))?;
        }
        Ok(())
    }

    fn participant_ids(&self, ev: &Event) -> StoreResult<BTreeSet<Id>> {
        ev.participants
            .iter()
            .map(|p| self.known_entity_id(&p.entity))
            .collect()
    }

    /// Write event `ev`, whose record is already encoded (and compressed) as `bytes`.
    fn event(&mut self, ev: &Event, bytes: Vec<u8>) -> StoreResult<()> {
        let stored = match self.events_stored {
            true => self.store.id_of(tree::EVENT_KEY, &ev.key)?,
            false => None,
        };
        let id = match stored {
            Some(id) => {
                let old: Event = self
                    .store
                    .record(tree::EVENT, id)?
                    .ok_or_else(|| self.store.corrupt(format!("event {id} is missing")))?;
                let needs_sides = self.participant_ids(&old)?.iter().any(|p| self.side_dirty.contains(p));
                if old == *ev && !needs_sides {
                    self.stats.unchanged += 1;
                    return Ok(());
                }
                let old_start = old.date.start();
                for p in self.participant_ids(&old)? {
                    self.del(tree::ENTITY_EVENT, &keys::entity_event(p, old_start, id))?;
                }
                self.clear_dyads(id, old_start)?;
                if old == *ev {
                    self.stats.events_reindexed += 1;
                } else {
                    self.stats.events_updated += 1;
                }
                id
            }
            None => {
                let id = self.alloc();
                self.sorted
                    .event_key
                    .push((ev.key.as_bytes().into(), keys::id_bytes(id)));
                self.stats.events_added += 1;
                id
            }
        };
        let start = ev.date.start();
        self.chunk.records.push((keys::id_bytes(id), bytes));
        let members = self.participant_ids(ev)?;
        let end = ev.interval().1.to_be_bytes();
        for p in &members {
            self.sorted
                .entity_event
                .push(concat(&keys::entity_event(*p, start, id), &end));
        }
        self.write_links(id, ev, &members)?;
        self.indexed.insert(id);
        if self.chunk.records.len() >= CHUNK_EVENTS {
            self.flush_chunk()?;
        }
        Ok(())
    }

    /// Write the buffered index entries, each tree in key order.
    fn flush_sorted(&mut self) -> StoreResult<()> {
        fn put_fixed<const N: usize>(
            w: &mut dyn KvWrite,
            tree: &str,
            split: usize,
            entries: &mut [[u8; N]],
        ) -> KvResult<()> {
            entries.sort_unstable();
            w.put_all(tree, &mut entries.iter().map(|e| (&e[..split], &e[split..])))
        }
        let mut sorted = std::mem::take(&mut self.sorted);
        let w = self.w.as_mut();
        let result = put_fixed(w, tree::ENTITY_EVENT, 20, &mut sorted.entity_event)
            .and_then(|()| put_fixed(w, tree::DYAD, 28, &mut sorted.dyad))
            .and_then(|()| {
                sorted.event_key.sort_unstable();
                w.put_all(
                    tree::EVENT_KEY,
                    &mut sorted.event_key.iter().map(|(k, id)| (&k[..], &id[..])),
                )
            });
        result.map_err(|e| self.store.kv_err(e))
    }

    /// Recompute the dyads of stored events whose participants' sides changed.
    fn reindex_dirty(&mut self) -> StoreResult<()> {
        let dirty: Vec<Id> = self.side_dirty.iter().copied().collect();
        for entity in dirty {
            let scan = self
                .store
                .kv
                .scan_prefix(tree::ENTITY_EVENT, &keys::id_bytes(entity))
                .map_err(|e| self.store.kv_err(e))?;
            let mut events = Vec::new();
            for pair in scan {
                let (k, _) = pair.map_err(|e| self.store.kv_err(e))?;
                events.push(
                    keys::id_at(&k, 12).ok_or_else(|| self.store.corrupt(format!("entity_event key {}", hex(&k))))?,
                );
            }
            for id in events {
                if !self.indexed.insert(id) {
                    continue;
                }
                let ev: Event = self
                    .store
                    .record(tree::EVENT, id)?
                    .ok_or_else(|| self.store.corrupt(format!("event {id} is missing")))?;
                self.clear_dyads(id, ev.date.start())?;
                let members = self.participant_ids(&ev)?;
                self.write_links(id, &ev, &members)?;
                self.stats.events_reindexed += 1;
            }
        }
        Ok(())
    }
}

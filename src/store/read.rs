//! Index reads for the layers above: the only way queries reach stored data.

use super::keys::{self, Id};
use super::{hex, tree, Store, StoreResult};
use crate::model::{Day, Entity, Event, Relation};
use rustc_hash::FxHashMap;
use std::sync::Arc;

/// How many decoded records of each kind a store handle keeps; when a kind reaches it, that
/// kind's cache is emptied and refills.
const DECODED_MAX: usize = 65_536;

/// Entity and event records decoded by earlier reads of one store handle, so that repeated
/// queries in one process do not decompress and decode them again. Valid for one engine
/// generation: every write empties it (a store handle holds the store's exclusive lock, so
/// no other process writes meanwhile).
#[derive(Default)]
pub(super) struct DecodedRecords {
    generation: u64,
    entities: FxHashMap<Id, Arc<Entity>>,
    events: FxHashMap<Id, Arc<Event>>,
}

/// One entry of a date-ordered event index: the event's first and last day and its id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct DatedEvent {
    pub start: Day,
    pub end: Day,
    pub id: Id,
}

/// What the graph walks need of an event: its key, type and participants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventSummary {
    pub key: String,
    pub event_type: String,
    /// Distinct participant ids, ascending.
    pub members: Vec<Id>,
}

/// An alias index hit: which entity, and the folded name that matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AliasHit {
    pub folded: String,
    pub entity: Id,
}

impl Store {
    fn scan(&self, tree: &str, prefix: &[u8]) -> StoreResult<Vec<(Vec<u8>, Vec<u8>)>> {
        let scan = self.kv.scan_prefix(tree, prefix).map_err(|e| self.kv_err(e))?;
        scan.map(|p| p.map_err(|e| self.kv_err(e))).collect()
    }

    fn dated(&self, tree: &str, key: &[u8], value: &[u8], day_at: usize, id_at: usize) -> StoreResult<DatedEvent> {
        let bad = || self.corrupt(format!("{tree} entry {} is malformed", hex(key)));
        Ok(DatedEvent {
            start: keys::day_at(key, day_at).ok_or_else(bad)?,
            end: keys::day_at(value, 0).ok_or_else(bad)?,
            id: keys::id_at(key, id_at).ok_or_else(bad)?,
        })
    }

    /// Events that are contacts between countries `a` and `b` (either order), with a start
    /// day at most `start_max`, in (start, id) order.
    ///
    /// Complexity: O(k) index entries for the k events of the pair up to `start_max`.
    pub fn dyad_events(&self, a: Id, b: Id, start_max: Day) -> StoreResult<Vec<DatedEvent>> {
        let prefix = keys::dyad_prefix(a, b);
        let hi = keys::key(&[&prefix, &start_max.to_be_bytes(), &u64::MAX.to_be_bytes()]);
        let scan = self
            .kv
            .range(
                tree::DYAD,
                std::ops::Bound::Included(&prefix),
                std::ops::Bound::Included(&hi),
            )
            .map_err(|e| self.kv_err(e))?;
        let mut out = Vec::new();
        for pair in scan {
            let (k, v) = pair.map_err(|e| self.kv_err(e))?;
            out.push(self.dated(tree::DYAD, &k, &v, 16, 20)?);
        }
        Ok(out)
    }

    /// The events entity `id` takes part in, in (start, id) order.
    pub fn entity_events(&self, id: Id) -> StoreResult<Vec<DatedEvent>> {
        self.scan(tree::ENTITY_EVENT, &keys::id_bytes(id))?
            .iter()
            .map(|(k, v)| self.dated(tree::ENTITY_EVENT, k, v, 8, 12))
            .collect()
    }

    /// The distinct participant ids of event `id`, ascending.
    pub fn event_members(&self, id: Id) -> StoreResult<Vec<Id>> {
        self.with_links(id, |links| links.members)
    }

    /// Event `id`'s key, type and distinct participant ids (ascending), from the
    /// `event_links` index: one small value, without decoding the event record.
    pub fn event_summary(&self, id: Id) -> StoreResult<EventSummary> {
        self.with_links(id, |links| EventSummary {
            key: links.key.to_string(),
            event_type: links.event_type.to_string(),
            members: links.members,
        })
    }

    /// Read and decode event `id`'s `event_links` value and take what `f` needs of it (the
    /// walks over members alone then copy no key or type).
    fn with_links<T>(&self, id: Id, f: impl FnOnce(keys::Links<'_>) -> T) -> StoreResult<T> {
        let bytes = self
            .kv
            .get(tree::EVENT_LINKS, &keys::id_bytes(id))
            .map_err(|e| self.kv_err(e))?;
        let bytes = bytes.ok_or_else(|| self.corrupt(format!("event {id} has no event_links entry")))?;
        let links =
            keys::split_links(&bytes).ok_or_else(|| self.corrupt(format!("event_links {id}: malformed value")))?;
        Ok(f(links))
    }

    /// The relations touching entity `id` (either end), with their ids, in relation id order.
    pub fn entity_relations(&self, id: Id) -> StoreResult<Vec<(Id, Relation)>> {
        let mut out = Vec::new();
        for (k, _) in self.scan(tree::ENTITY_RELATION, &keys::id_bytes(id))? {
            let rid = keys::id_at(&k, 8).ok_or_else(|| self.corrupt(format!("entity_relation {}", hex(&k))))?;
            let rel = self
                .record(tree::RELATION, rid)?
                .ok_or_else(|| self.corrupt(format!("relation {rid} is missing")))?;
            out.push((rid, rel));
        }
        Ok(out)
    }

    pub fn entity(&self, id: Id) -> StoreResult<Entity> {
        let shared = self.entity_shared(id)?;
        Ok(Entity::clone(&shared))
    }

    pub fn event(&self, id: Id) -> StoreResult<Event> {
        let shared = self.event_shared(id)?;
        Ok(Event::clone(&shared))
    }

    /// Entity `id`, shared with the handle's cache of decoded records.
    pub fn entity_shared(&self, id: Id) -> StoreResult<Arc<Entity>> {
        self.decoded(id, tree::ENTITY, |d| &mut d.entities, "entity")
    }

    /// Event `id`, shared with the handle's cache of decoded records.
    pub fn event_shared(&self, id: Id) -> StoreResult<Arc<Event>> {
        self.decoded(id, tree::EVENT, |d| &mut d.events, "event")
    }

    fn decoded<T: serde::de::DeserializeOwned>(
        &self,
        id: Id,
        tree: &str,
        kind: fn(&mut DecodedRecords) -> &mut FxHashMap<Id, Arc<T>>,
        what: &str,
    ) -> StoreResult<Arc<T>> {
        let generation = self.kv.generation();
        {
            // A poisoned lock only means a reader panicked; the maps hold whole values.
            let mut d = self.decoded.lock().unwrap_or_else(|p| p.into_inner());
            if d.generation != generation {
                d.entities.clear();
                d.events.clear();
                d.generation = generation;
            }
            if let Some(v) = kind(&mut d).get(&id) {
                return Ok(v.clone());
            }
        }
        let value: Arc<T> = Arc::new(
            self.record(tree, id)?
                .ok_or_else(|| self.corrupt(format!("{what} {id} is missing")))?,
        );
        let mut d = self.decoded.lock().unwrap_or_else(|p| p.into_inner());
        // Read before a write that began meanwhile: keep it out of the newer generation.
        if d.generation == generation {
            let map = kind(&mut d);
            if map.len() >= DECODED_MAX {
                map.clear();
            }
            map.insert(id, value.clone());
        }
        Ok(value)
    }

    pub fn event_id(&self, key: &str) -> StoreResult<Option<Id>> {
        self.id_of(tree::EVENT_KEY, key)
    }

    /// Entities having a name or alias that folds to exactly `folded`.
    pub fn alias_exact(&self, folded: &str) -> StoreResult<Vec<Id>> {
        let prefix = keys::key(&[folded.as_bytes(), &[0]]);
        self.scan(tree::ALIAS, &prefix)?
            .iter()
            .map(|(k, _)| keys::id_at(k, prefix.len()).ok_or_else(|| self.corrupt(format!("alias {}", hex(k)))))
            .collect()
    }

    /// Every alias entry whose folded name contains `needle` (already folded), in
    /// folded-name order. A full scan of the alias index: O(names in the store).
    pub fn alias_containing(&self, needle: &str) -> StoreResult<Vec<AliasHit>> {
        let mut out = Vec::new();
        for (k, _) in self.scan(tree::ALIAS, b"")? {
            let split = k
                .len()
                .checked_sub(9)
                .ok_or_else(|| self.corrupt(format!("alias {}", hex(&k))))?;
            let name = std::str::from_utf8(&k[..split]).map_err(|_| self.corrupt(format!("alias {}", hex(&k))))?;
            if name.contains(needle) {
                let entity = keys::id_at(&k, split + 1).ok_or_else(|| self.corrupt(format!("alias {}", hex(&k))))?;
                out.push(AliasHit {
                    folded: name.to_string(),
                    entity,
                });
            }
        }
        Ok(out)
    }
}

//! Index reads for the layers above: the only way queries reach stored data.

use super::keys::{self, Id};
use super::{hex, tree, Store, StoreResult};
use crate::model::{Day, Entity, Event, Relation};

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
        Ok(self.event_summary(id)?.members)
    }

    /// Event `id`'s key, type and distinct participant ids (ascending), from the
    /// `event_links` index: one small value, without decoding the event record.
    pub fn event_summary(&self, id: Id) -> StoreResult<EventSummary> {
        let bytes = self
            .kv
            .get(tree::EVENT_LINKS, &keys::id_bytes(id))
            .map_err(|e| self.kv_err(e))?;
        let bytes = bytes.ok_or_else(|| self.corrupt(format!("event {id} has no event_links entry")))?;
        let links =
            keys::split_links(&bytes).ok_or_else(|| self.corrupt(format!("event_links {id}: malformed value")))?;
        Ok(EventSummary {
            key: links.key.to_string(),
            event_type: links.event_type.to_string(),
            members: links.members,
        })
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
        self.record(tree::ENTITY, id)?
            .ok_or_else(|| self.corrupt(format!("entity {id} is missing")))
    }

    pub fn event(&self, id: Id) -> StoreResult<Event> {
        self.record(tree::EVENT, id)?
            .ok_or_else(|| self.corrupt(format!("event {id} is missing")))
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

//! The records an export of one query holds: the query's events and entities, closed under
//! the references an analyst (and a re-import) needs.
//!
//! From the query's events and entities, the selection adds every participant and location
//! of those events; the positions (`holds_position`) that the participants and the query's
//! entities hold, with the organizations or countries held in; and, repeatedly, the `country`
//! of every entity selected. Relations are those whose two ends are both selected. So every
//! reference in the selection resolves inside it: importing it into an empty store succeeds,
//! and the same query there selects the same records again (sides and sectors come from the
//! `country` fields and positions, which are all included).

use super::{contacts, entity, neighbors, ContactFilter, NeighborsOptions, QueryResult};
use crate::model::{Entity, Event, Relation};
use crate::store::{tree, Id, Store, StoreResult};
use crate::vocab::Vocab;
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// Which query an export selects.
#[derive(Debug, Clone)]
pub enum Selector {
    /// The bilateral contacts between two countries (see [`contacts`]).
    Contacts {
        a: String,
        b: String,
        filter: ContactFilter,
    },
    /// The ego network of an entity (see [`neighbors`]).
    Neighbors { name: String, opts: NeighborsOptions },
    /// One entity and its events (see [`entity`]).
    Entity { name: String },
}

/// Plain records: entities by key, relations by (from, type, to, since), events by key —
/// the orders in which the store lists them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Selection {
    pub entities: Vec<Entity>,
    pub relations: Vec<Relation>,
    pub events: Vec<Event>,
}

/// The records an export of `selector` holds.
///
/// Arguments: an open store, the ontology (for `contacts` filters) and the query.
/// Returns: the selection described in the module documentation.
/// Complexity: the query's own cost, then one record read per selected event and entity and
/// one relation scan per participant and per selected entity.
/// Example: `select(&store, vocab, &Selector::Contacts { a: "MAR", b: "DEU", filter })` with
/// `since: 2022, domains: [security]` gives the sample's four security contacts, their seven
/// participants, the organizations they head, both countries, Rabat and the article.
pub fn select(store: &Store, vocab: &Vocab, selector: &Selector) -> QueryResult<Selection> {
    let mut b = Builder::new(store);
    match selector {
        Selector::Contacts { a, b: other, filter } => {
            for c in contacts(store, vocab, a, other, filter)? {
                b.event_key(&c.key)?;
            }
        }
        Selector::Entity { name } => {
            let report = entity(store, name)?;
            if let Some(id) = store.entity_id(&report.key)? {
                b.seed_entity(id)?;
            }
            for ev in &report.events {
                b.event_key(&ev.key)?;
            }
        }
        Selector::Neighbors { name, opts } => {
            let n = neighbors(store, name, opts)?;
            for d in &n.details {
                if d.node_type.starts_with("event:") {
                    b.event_key(&d.key)?;
                } else if let Some(id) = store.entity_id(&d.key)? {
                    b.seed_entity(id)?;
                }
            }
        }
    }
    Ok(b.finish()?)
}

struct Builder<'s> {
    store: &'s Store,
    events: BTreeMap<String, Event>,
    /// Selected entities by key, with their ids.
    entities: BTreeMap<String, (Id, Entity)>,
    /// Entities whose positions were added.
    with_positions: HashSet<Id>,
}

impl<'s> Builder<'s> {
    fn new(store: &'s Store) -> Self {
        Builder {
            store,
            events: BTreeMap::new(),
            entities: BTreeMap::new(),
            with_positions: HashSet::new(),
        }
    }

    fn event_key(&mut self, key: &str) -> StoreResult<()> {
        if self.events.contains_key(key) {
            return Ok(());
        }
        let Some(event) = self.store.event_by_key(key)? else {
            return Ok(());
        };
        for p in &event.participants {
            if let Some(id) = self.entity_key(&p.entity)? {
                self.positions(id)?;
            }
        }
        if let Some(loc) = &event.location {
            self.entity_key(loc)?;
        }
        self.events.insert(key.to_string(), event);
        Ok(())
    }

    /// An entity the query itself returned: selected with its positions.
    fn seed_entity(&mut self, id: Id) -> StoreResult<()> {
        let e = self.store.entity(id)?;
        self.entities.entry(e.key.clone()).or_insert((id, e));
        self.positions(id)
    }

    fn entity_key(&mut self, key: &str) -> StoreResult<Option<Id>> {
        if let Some((id, _)) = self.entities.get(key) {
            return Ok(Some(*id));
        }
        let Some(id) = self.store.entity_id(key)? else {
            return Ok(None);
        };
        let e = self.store.entity(id)?;
        self.entities.insert(key.to_string(), (id, e));
        Ok(Some(id))
    }

    /// The organizations and countries entity `id` holds (or held) a position in.
    fn positions(&mut self, id: Id) -> StoreResult<()> {
        if !self.with_positions.insert(id) {
            return Ok(());
        }
        let key = self.store.entity(id)?.key;
        for (_, r) in self.store.entity_relations(id)? {
            if r.relation_type == "holds_position" && r.from == key {
                self.entity_key(&r.to)?;
            }
        }
        Ok(())
    }

    fn finish(mut self) -> StoreResult<Selection> {
        // Countries of countries' organizations and places, until nothing is added.
        let mut pending: Vec<String> = self.entities.values().filter_map(|(_, e)| e.country.clone()).collect();
        while let Some(c) = pending.pop() {
            if self.entities.contains_key(&c) {
                continue;
            }
            if self.entity_key(&c)?.is_some() {
                if let Some(next) = self.entities[&c].1.country.clone() {
                    pending.push(next);
                }
            }
        }
        let mut seen: BTreeSet<Id> = BTreeSet::new();
        let mut relations = Vec::new();
        for (id, _) in self.entities.values() {
            for (rid, r) in self.store.entity_relations(*id)? {
                if self.entities.contains_key(&r.from) && self.entities.contains_key(&r.to) && seen.insert(rid) {
                    relations.push(r);
                }
            }
        }
        relations.sort_by(|x, y| {
            let since = |r: &Relation| r.since.map(|d| d.to_string()).unwrap_or_default();
            (&x.from, &x.relation_type, &x.to, since(x)).cmp(&(&y.from, &y.relation_type, &y.to, since(y)))
        });
        Ok(Selection {
            entities: self.entities.into_values().map(|(_, e)| e).collect(),
            relations,
            events: self.events.into_values().collect(),
        })
    }
}

/// Node-id clashes across a whole store, found without reading every event: the event keys
/// that are also entity keys (one event-index lookup per entity) and the keys that start
/// with `prefix` (two prefix scans).
pub fn key_clashes(store: &Store, prefix: &str) -> StoreResult<(HashSet<String>, HashSet<String>)> {
    let keys = |t: &'static str, p: &[u8]| -> StoreResult<Vec<String>> {
        let mut out = Vec::new();
        for pair in store.kv().scan_prefix(t, p).map_err(|e| store.kv_err(e))? {
            let (k, _) = pair.map_err(|e| store.kv_err(e))?;
            out.push(String::from_utf8(k).map_err(|_| store.corrupt(format!("{t}: a key is not UTF-8")))?);
        }
        Ok(out)
    };
    let mut both = HashSet::new();
    for k in keys(tree::ENTITY_KEY, b"")? {
        if store.event_id(&k)?.is_some() {
            both.insert(k);
        }
    }
    let mut like = HashSet::new();
    like.extend(keys(tree::ENTITY_KEY, prefix.as_bytes())?);
    like.extend(keys(tree::EVENT_KEY, prefix.as_bytes())?);
    Ok((both, like))
}

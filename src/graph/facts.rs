//! Sides, sectors and positions at a date: interchange v1's bilateral semantics, read
//! from the store and cached per entity for the life of one query.
//!
//! The store applies the same side rule when it writes the dyad index
//! (`store::apply`); this is the read side, which also needs sectors and titles.

use crate::model::{overlaps, DayRange, Entity};
use crate::store::{Id, Store, StoreResult};
use crate::vocab::Vocab;
use std::collections::{BTreeSet, HashMap};

/// A position an entity holds (a `holds_position` relation), with what it gives.
#[derive(Debug, Clone, PartialEq)]
pub struct Position {
    pub org: Id,
    pub org_key: String,
    pub org_name: String,
    pub title: Option<String>,
    pub interval: DayRange,
    pub since: Option<String>,
    pub until: Option<String>,
    /// The country this position puts its holder on: the org itself if it is a country,
    /// else the org's `country`.
    pub side: Option<String>,
    pub sector: Option<String>,
}

/// What the bilateral semantics need to know about one entity.
#[derive(Debug, Clone)]
pub struct EntityFacts {
    pub id: Id,
    pub entity: Entity,
    pub positions: Vec<Position>,
}

impl EntityFacts {
    /// The countries this entity stands for during `at`: itself for a country, its
    /// `country` field, else the countries of the positions it holds during `at`.
    pub fn sides_at(&self, at: DayRange) -> BTreeSet<&str> {
        if self.entity.entity_type == "country" {
            return [self.entity.key.as_str()].into();
        }
        if let Some(c) = &self.entity.country {
            return [c.as_str()].into();
        }
        self.positions_at(at).filter_map(|p| p.side.as_deref()).collect()
    }

    /// Its own sector, else the sectors of the positions it holds during `at`.
    pub fn sectors_at(&self, at: DayRange) -> BTreeSet<&str> {
        if let Some(s) = &self.entity.sector {
            return [s.as_str()].into();
        }
        self.positions_at(at).filter_map(|p| p.sector.as_deref()).collect()
    }

    /// The positions held during `at` (bounds widened to their precision).
    pub fn positions_at(&self, at: DayRange) -> impl Iterator<Item = &Position> {
        self.positions.iter().filter(move |p| overlaps(p.interval, at))
    }
}

/// A per-query cache of [`EntityFacts`].
pub struct Facts<'s> {
    store: &'s Store,
    cache: HashMap<Id, EntityFacts>,
}

impl<'s> Facts<'s> {
    pub fn new(store: &'s Store) -> Self {
        Facts {
            store,
            cache: HashMap::new(),
        }
    }

    pub fn store(&self) -> &'s Store {
        self.store
    }

    /// The facts of entity `id`, loading its record and positions on first use.
    pub fn get(&mut self, id: Id) -> StoreResult<&EntityFacts> {
        if !self.cache.contains_key(&id) {
            let entity = self.store.entity(id)?;
            let mut positions = Vec::new();
            for (_, r) in self.store.entity_relations(id)? {
                if r.relation_type != "holds_position" || r.from != entity.key {
                    continue;
                }
                let Some(org_id) = self.store.entity_id(&r.to)? else {
                    continue;
                };
                let org = self.store.entity(org_id)?;
                let side = if org.entity_type == "country" {
                    Some(org.key.clone())
                } else {
                    org.country.clone()
                };
                positions.push(Position {
                    org: org_id,
                    org_key: org.key,
                    org_name: org.name,
                    title: r.title.clone(),
                    interval: r.interval(),
                    since: r.since.map(|d| d.to_string()),
                    until: r.until.map(|d| d.to_string()),
                    side,
                    sector: org.sector,
                });
            }
            positions.sort_by(|a, b| (a.interval, &a.org_key).cmp(&(b.interval, &b.org_key)));
            self.cache.insert(id, EntityFacts { id, entity, positions });
        }
        Ok(&self.cache[&id])
    }

    /// Whether an event is in `domain`: listed in its domains, or — for `security` — a
    /// participant's sector at the event's date is a security sector.
    pub fn in_domain(
        &mut self,
        vocab: &Vocab,
        domain: &str,
        domains: &[String],
        participants: &[Id],
        at: DayRange,
    ) -> StoreResult<bool> {
        if domains.iter().any(|d| d == domain) {
            return Ok(true);
        }
        if domain != "security" {
            return Ok(false);
        }
        for &p in participants {
            if self.get(p)?.sectors_at(at).iter().any(|s| vocab.is_security_sector(s)) {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

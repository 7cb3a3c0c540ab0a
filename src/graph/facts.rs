//! Sides, sectors and positions at a date: interchange v1's bilateral semantics, read
//! from the store and cached per entity for the life of one query.
//!
//! The side and sector rule itself is [`crate::model::standing_at`], which the store also
//! applies when it writes the dyad index (`store::apply`); this is the read side, which
//! also needs sectors and titles.
//! Positions are loaded only for entities whose side or sector depends on them, or
//! when a caller asks for offices: most entities carry `country` and `sector` themselves.

use crate::model::{overlaps, standing_at, DayRange, Entity, PartialDate};
use crate::store::{Id, Store, StoreResult};
use crate::vocab::Vocab;
use rustc_hash::FxHashMap as HashMap;
use std::collections::BTreeSet;

/// A position an entity holds (a `holds_position` relation), with what it gives.
#[derive(Debug, Clone, PartialEq)]
pub struct Position {
    pub org: Id,
    pub org_key: String,
    pub org_name: String,
    pub title: Option<String>,
    pub interval: DayRange,
    pub since: Option<PartialDate>,
    pub until: Option<PartialDate>,
    /// The `holds_position` relation's id.
    pub relation: Id,
    /// The country this position puts its holder on: the org itself if it is a country,
    /// else the org's `country`.
    pub side: Option<String>,
    pub sector: Option<String>,
}

/// A per-query cache of entities and their positions.
pub struct Facts<'s> {
    store: &'s Store,
    entities: HashMap<Id, std::sync::Arc<Entity>>,
    positions: HashMap<Id, Vec<Position>>,
}

impl<'s> Facts<'s> {
    pub fn new(store: &'s Store) -> Self {
        Facts {
            store,
            entities: HashMap::default(),
            positions: HashMap::default(),
        }
    }

    pub fn store(&self) -> &'s Store {
        self.store
    }

    /// The entity record of `id`.
    pub fn entity(&mut self, id: Id) -> StoreResult<&Entity> {
        if !self.entities.contains_key(&id) {
            let e = self.store.entity_shared(id)?;
            self.entities.insert(id, e);
        }
        Ok(&self.entities[&id])
    }

    /// Every position entity `id` holds (its outgoing `holds_position` relations), by
    /// interval then organization key.
    pub fn positions(&mut self, id: Id) -> StoreResult<&[Position]> {
        if !self.positions.contains_key(&id) {
            let key = self.entity(id)?.key.clone();
            let mut positions = Vec::new();
            for (rid, r) in self.store.entity_relations(id)? {
                if r.relation_type != "holds_position" || r.from != key {
                    continue;
                }
                let Some(org_id) = self.store.entity_id(&r.to)? else {
                    continue;
                };
                let org = self.entity(org_id)?;
                let side = org.own_side().map(str::to_string);
                positions.push(Position {
                    org: org_id,
                    org_key: org.key.clone(),
                    org_name: org.name.clone(),
                    title: r.title.clone(),
                    interval: r.interval(),
                    since: r.since,
                    until: r.until,
                    relation: rid,
                    side,
                    sector: org.sector.clone(),
                });
            }
            positions.sort_by(|a, b| (a.interval, &a.org_key).cmp(&(b.interval, &b.org_key)));
            self.positions.insert(id, positions);
        }
        Ok(&self.positions[&id])
    }

    /// The positions held during `at` (bounds widened to their precision).
    pub fn positions_at(&mut self, id: Id, at: DayRange) -> StoreResult<Vec<Position>> {
        Ok(self
            .positions(id)?
            .iter()
            .filter(|p| overlaps(p.interval, at))
            .cloned()
            .collect())
    }

    /// The countries entity `id` stands for during `at`: itself for a country, its
    /// `country` field, else the countries of the positions it holds during `at`.
    pub fn sides_at(&mut self, id: Id, at: DayRange) -> StoreResult<BTreeSet<String>> {
        let own = self.entity(id)?.own_side().map(str::to_string);
        if own.is_some() {
            return Ok(standing_at(own, [], at));
        }
        let positions = self.positions(id)?.iter().map(|p| (p.interval, p.side.clone()));
        Ok(standing_at(None, positions, at))
    }

    /// Its own sector, else the sectors of the positions it holds during `at`.
    pub fn sectors_at(&mut self, id: Id, at: DayRange) -> StoreResult<BTreeSet<String>> {
        let own = self.entity(id)?.sector.clone();
        if own.is_some() {
            return Ok(standing_at(own, [], at));
        }
        let positions = self.positions(id)?.iter().map(|p| (p.interval, p.sector.clone()));
        Ok(standing_at(None, positions, at))
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
            if self.sectors_at(p, at)?.iter().any(|s| vocab.is_security_sector(s)) {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

//! One entity: what it is, what it is called, the offices it held and its events.

use super::{resolve, QueryResult};
use crate::graph::Facts;
use crate::model::PartialDate;
use crate::store::Store;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntityReport {
    pub key: String,
    #[serde(rename = "type")]
    pub entity_type: String,
    pub name: String,
    pub aliases: Vec<String>,
    /// Its `country` (itself for a country); null for an entity whose side comes only
    /// from the positions it holds, which `positions` then shows.
    pub side: Option<String>,
    pub sector: Option<String>,
    pub positions: Vec<PositionReport>,
    /// Other relations, either direction: (type, other entity key, direction).
    pub relations: Vec<RelationReport>,
    pub events: Vec<EntityEvent>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PositionReport {
    pub title: Option<String>,
    pub organization: String,
    pub organization_name: String,
    pub since: Option<PartialDate>,
    pub until: Option<PartialDate>,
    /// The side this position gives.
    pub side: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RelationReport {
    #[serde(rename = "type")]
    pub relation_type: String,
    /// "out" when this entity is the relation's `from`, else "in".
    pub direction: &'static str,
    pub other: String,
    pub title: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntityEvent {
    pub key: String,
    #[serde(rename = "type")]
    pub event_type: String,
    pub date: String,
    pub role: String,
    pub title: Option<String>,
    pub location: Option<String>,
}

/// Everything about the entity `name` designates.
///
/// # Arguments
///
/// An open store and any name, alias or key.
///
/// # Returns
///
/// The entity's record, its positions over time (by start), its other relations
/// (by type, then other key) and its events in date order (by start, then key).
///
/// # Complexity
///
/// O(r + e) index entries and records for its r relations and e events.
///
/// # Example
///
/// `entity(&store, "حموشي")` (a surname, in Arabic) gives Abdellatif Hammouchi with
/// his two Director General positions and three events.
///
/// ```
/// # let dir = tempfile::tempdir()?;
/// # let db = dir.path().join("ma-de.db");
/// # let store = dipgraph::store::Store::open(&db, dipgraph::store::OpenMode::CreateWith(dipgraph::store::Engine::Redb))?;
/// # let vocab = dipgraph::vocab::Vocab::embedded()?;
/// # let sample = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/data/samples/morocco-germany.jsonl"))?;
/// # let input = dipgraph::store::Input { name: "sample".into(), reader: Box::new(sample.as_slice()) };
/// # store.import(vec![input], &vocab, &Default::default())?;
/// let e = dipgraph::query::entity(&store, "حموشي")?;
/// assert_eq!(e.name, "Abdellatif Hammouchi");
/// assert_eq!((e.positions.len(), e.events.len()), (2, 3));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn entity(store: &Store, name: &str) -> QueryResult<EntityReport> {
    let id = resolve(store, name)?;
    let mut facts = Facts::new(store);
    let e = facts.entity(id)?.clone();
    let side = e.own_side().map(str::to_string);
    let positions = facts
        .positions(id)?
        .iter()
        .map(|p| PositionReport {
            title: p.title.clone(),
            organization: p.org_key.clone(),
            organization_name: p.org_name.clone(),
            since: p.since,
            until: p.until,
            side: p.side.clone(),
        })
        .collect();
    let mut relations: Vec<RelationReport> = store
        .entity_relations(id)?
        .into_iter()
        .filter(|(_, r)| !(r.relation_type == "holds_position" && r.from == e.key))
        .map(|(_, r)| {
            let out = r.from == e.key;
            RelationReport {
                relation_type: r.relation_type,
                direction: if out { "out" } else { "in" },
                other: if out { r.to } else { r.from },
                title: r.title,
            }
        })
        .collect();
    relations.sort_by(|a, b| (&a.relation_type, &a.other, a.direction).cmp(&(&b.relation_type, &b.other, b.direction)));
    let mut events = Vec::new();
    for dated in store.entity_events(id)? {
        let ev = store.event(dated.id)?;
        let roles: Vec<&str> = ev
            .participants
            .iter()
            .filter(|p| p.entity == e.key)
            .map(|p| p.role.as_str())
            .collect();
        events.push((
            dated.start,
            EntityEvent {
                key: ev.key.clone(),
                event_type: ev.event_type.clone(),
                date: ev.date.to_string(),
                role: roles.join(", "),
                title: ev.title.clone(),
                location: ev.location.clone(),
            },
        ));
    }
    events.sort_by(|(s1, a), (s2, b)| (s1, &a.key).cmp(&(s2, &b.key)));
    Ok(EntityReport {
        key: e.key,
        entity_type: e.entity_type,
        name: e.name,
        aliases: e.aliases,
        side,
        sector: e.sector,
        positions,
        relations,
        events: events.into_iter().map(|(_, ev)| ev).collect(),
    })
}

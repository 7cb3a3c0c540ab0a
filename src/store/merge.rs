//! Corrections of entity resolution: `merge` two entities that are one, `split` one that
//! is two. Both rewrite every record that refers to the entities, validate the result like
//! an import, and write it in one atomic apply with [`Corrections`].

use super::{tree, Corrections, ImportError, Store, StoreError};
use crate::ingest::{validate, IngestError, IngestErrors, Located};
use crate::model::{Entity, Event, Record, Relation};
use crate::vocab::Vocab;
use std::collections::BTreeSet;

/// What a merge or split changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct CorrectionReport {
    pub entity: String,
    /// The entity removed (merge) or created (split).
    pub other: String,
    pub events: usize,
    pub relations: usize,
    pub entities: usize,
}

/// What moves to the new entity in a split.
#[derive(Debug, Clone, Default)]
pub struct SplitSpec {
    pub new_key: String,
    pub new_name: String,
    /// Aliases of the original that belong to the new entity.
    pub aliases: Vec<String>,
    /// Keys of events in which the original's participation belongs to the new entity.
    pub events: Vec<String>,
}

/// The entities (by `country`), relations and events that name one entity.
type Referrers = (Vec<Entity>, Vec<Relation>, Vec<Event>);

fn invalid(what: String) -> ImportError {
    ImportError::Invalid(IngestErrors::new(vec![IngestError::new("dipgraph", 0, None, what)]))
}

fn located(source: &str, record: Record) -> Located<Record> {
    Located {
        file: source.to_string(),
        line: 0,
        record,
    }
}

impl Store {
    fn require(&self, key: &str) -> Result<Entity, ImportError> {
        self.entity_by_key(key)?
            .ok_or_else(|| invalid(format!("no entity has key \"{key}\"")))
    }

    /// Every stored entity, relation and event that names `key`.
    fn referrers(&self, key: &str, with_locations: bool) -> Result<Referrers, StoreError> {
        let id = self
            .entity_id(key)?
            .ok_or_else(|| StoreError::NotFound(self.path.clone()))?;
        let relations: Vec<Relation> = self.entity_relations(id)?.into_iter().map(|(_, r)| r).collect();
        let mut event_ids: BTreeSet<u64> = self.entity_events(id)?.into_iter().map(|d| d.id).collect();
        // Locations have no index (an event's place is an attribute, not a participation):
        // a place or country being corrected means a pass over the events.
        if with_locations {
            for pair in self.kv.scan_prefix(tree::EVENT, b"").map_err(|e| self.kv_err(e))? {
                let (k, _) = pair.map_err(|e| self.kv_err(e))?;
                let eid = super::keys::read_id(&k).ok_or_else(|| self.corrupt("event key is not an id"))?;
                if !event_ids.contains(&eid) && self.event(eid)?.location.as_deref() == Some(key) {
                    event_ids.insert(eid);
                }
            }
        }
        let events = event_ids
            .into_iter()
            .map(|e| self.event(e))
            .collect::<Result<Vec<_>, _>>()?;
        let mut entities = Vec::new();
        if with_locations {
            for e in self.scan_records::<Entity>(tree::ENTITY)? {
                let e = e?;
                if e.country.as_deref() == Some(key) {
                    entities.push(e);
                }
            }
        }
        Ok((entities, relations, events))
    }

    /// Merge entity `remove` into entity `keep`: `remove`'s name and aliases become aliases
    /// of `keep`, every event, relation and `country` that named `remove` names `keep`, and
    /// `remove` is deleted. One atomic write.
    pub fn merge(&self, keep: &str, remove: &str, vocab: &Vocab) -> Result<CorrectionReport, ImportError> {
        if keep == remove {
            return Err(invalid(format!("cannot merge \"{keep}\" into itself")));
        }
        let (mut kept, gone) = (self.require(keep)?, self.require(remove)?);
        if kept.entity_type != gone.entity_type {
            return Err(invalid(format!(
                "cannot merge {} \"{remove}\" into {} \"{keep}\"",
                gone.entity_type, kept.entity_type
            )));
        }
        for a in std::iter::once(&gone.name).chain(&gone.aliases) {
            if *a != kept.name && !kept.aliases.contains(a) {
                kept.aliases.push(a.clone());
            }
        }
        kept.country = kept.country.or(gone.country.clone());
        kept.sector = kept.sector.or(gone.sector.clone());
        for (k, v) in &gone.props {
            kept.props.entry(k.clone()).or_insert_with(|| v.clone());
        }
        let locations = matches!(gone.entity_type.as_str(), "place" | "country");
        let (entities, relations, events) = self.referrers(remove, locations)?;
        let rename = |k: &mut String| {
            if k == remove {
                *k = keep.to_string();
            }
        };
        let source = format!("merge {remove} into {keep}");
        let mut records = vec![located(&source, Record::Entity(kept))];
        let mut report = CorrectionReport {
            entity: keep.into(),
            other: remove.into(),
            ..Default::default()
        };
        for mut e in entities {
            if let Some(c) = &mut e.country {
                rename(c);
            }
            report.entities += 1;
            records.push(located(&source, Record::Entity(e)));
        }
        let mut corrections = Corrections {
            replace_entities: true,
            delete_entities: vec![remove.to_string()],
            ..Default::default()
        };
        for r in relations {
            corrections.delete_relations.push(r.identity());
            let mut moved = r.clone();
            rename(&mut moved.from);
            rename(&mut moved.to);
            report.relations += 1;
            // A relation between the two merged entities would link the survivor to itself.
            if moved.from != moved.to {
                records.push(located(&source, Record::Relation(moved)));
            }
        }
        for mut ev in events {
            for p in &mut ev.participants {
                rename(&mut p.entity);
            }
            let mut seen = BTreeSet::new();
            ev.participants
                .retain(|p| seen.insert((p.entity.clone(), p.role.clone())));
            if let Some(l) = &mut ev.location {
                rename(l);
            }
            report.events += 1;
            records.push(located(&source, Record::Event(ev)));
        }
        self.correct(records, corrections, vocab)?;
        Ok(report)
    }

    /// Split entity `key`: a new entity `spec.new_key` (same type, country and sector)
    /// takes `spec.aliases` and the participations of `key` in `spec.events`. One atomic
    /// write; relations stay with `key` (add the new entity's with `import`).
    pub fn split(&self, key: &str, spec: &SplitSpec, vocab: &Vocab) -> Result<CorrectionReport, ImportError> {
        let mut original = self.require(key)?;
        if self.entity_by_key(&spec.new_key)?.is_some() {
            return Err(invalid(format!(
                "an entity with key \"{}\" already exists",
                spec.new_key
            )));
        }
        for a in &spec.aliases {
            if !original.aliases.contains(a) {
                return Err(invalid(format!("\"{a}\" is not an alias of \"{key}\"")));
            }
        }
        original.aliases.retain(|a| !spec.aliases.contains(a));
        let mut new = original.clone();
        new.key = spec.new_key.clone();
        new.name = spec.new_name.clone();
        new.aliases = spec.aliases.iter().filter(|a| **a != spec.new_name).cloned().collect();
        new.props.clear();
        let source = format!("split {} from {key}", spec.new_key);
        let mut records = vec![
            located(&source, Record::Entity(original)),
            located(&source, Record::Entity(new)),
        ];
        let mut report = CorrectionReport {
            entity: key.into(),
            other: spec.new_key.clone(),
            ..Default::default()
        };
        for ek in &spec.events {
            let mut ev = self
                .event_by_key(ek)?
                .ok_or_else(|| invalid(format!("no event has key \"{ek}\"")))?;
            if !ev.participants.iter().any(|p| p.entity == key) {
                return Err(invalid(format!("\"{key}\" does not take part in event \"{ek}\"")));
            }
            for p in &mut ev.participants {
                if p.entity == key {
                    p.entity = spec.new_key.clone();
                }
            }
            report.events += 1;
            records.push(located(&source, Record::Event(ev)));
        }
        self.correct(
            records,
            Corrections {
                replace_entities: true,
                ..Default::default()
            },
            vocab,
        )?;
        Ok(report)
    }

    /// Validate corrected records like an import and apply them with `corrections`.
    fn correct(
        &self,
        records: Vec<Located<Record>>,
        corrections: Corrections,
        vocab: &Vocab,
    ) -> Result<(), ImportError> {
        let (batch, _) = validate(records, vocab, self, false).map_err(ImportError::Invalid)?;
        self.apply_corrected(&batch, &corrections)?;
        Ok(())
    }
}

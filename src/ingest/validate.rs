//! Whole-batch validation: types, roles, sectors and domains against the ontology, and
//! every reference against the batch itself and the store (through [`KeyLookup`]).

use super::error::{IngestError, IngestErrors, LookupError};
use super::jsonl::Located;
use crate::model::{derived_event_key, Entity, Event, Record, Relation, RelationId};
use crate::vocab::Vocab;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// What validation needs to know about the store: the type of an existing entity.
/// The store implements it; validation never sees the store itself.
pub trait KeyLookup {
    /// The entity type stored under `key`, or `None` if there is no such entity.
    fn entity_type(&self, key: &str) -> Result<Option<String>, LookupError>;
}

/// A lookup for validating against nothing (an empty store).
pub struct NoStore;

impl KeyLookup for NoStore {
    fn entity_type(&self, _key: &str) -> Result<Option<String>, LookupError> {
        Ok(None)
    }
}

/// Records that passed validation: every reference resolves in the batch or the store,
/// entities with one key are merged, every event has a key. Ready for `Store::apply`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ValidatedBatch {
    /// One per key, sorted by key.
    pub entities: Vec<Entity>,
    /// One per identity, sorted by identity.
    pub relations: Vec<Relation>,
    /// One per key, sorted by key.
    pub events: Vec<Event>,
}

impl ValidatedBatch {
    pub fn len(&self) -> usize {
        self.entities.len() + self.relations.len() + self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Validate `records`. Without `keep_going`, any problem fails the whole batch and every
/// problem is returned. With it, the lines at fault are dropped (and, transitively, the
/// lines that refer to what they would have defined) and reported beside the batch.
pub fn validate(
    records: Vec<Located<Record>>,
    vocab: &Vocab,
    store: &dyn KeyLookup,
    keep_going: bool,
) -> Result<(ValidatedBatch, IngestErrors), IngestErrors> {
    let mut errors: Vec<IngestError> = Vec::new();
    let mut rejected = vec![false; records.len()];
    let mut store_types: HashMap<String, Option<String>> = HashMap::new();
    let mut lookup = |key: &str, errors: &mut Vec<IngestError>, at: &Located<Record>| -> Option<String> {
        if let Some(t) = store_types.get(key) {
            return t.clone();
        }
        match store.entity_type(key) {
            Ok(t) => {
                store_types.insert(key.to_string(), t.clone());
                t
            }
            Err(e) => {
                errors.push(IngestError::new(
                    &at.file,
                    at.line,
                    None,
                    format!("store lookup failed: {e}"),
                ));
                None
            }
        }
    };

    for (i, r) in records.iter().enumerate() {
        let problems = check_vocab(&r.record, vocab);
        if !problems.is_empty() {
            rejected[i] = true;
            errors.extend(
                problems
                    .into_iter()
                    .map(|(f, m)| IngestError::new(&r.file, r.line, Some(f), m)),
            );
        }
    }

    // Entity types as the batch defines them; the first definition of a key wins and a
    // later one with another type is an error. A type that contradicts the store also is.
    let mut defined: BTreeMap<String, (String, usize)> = BTreeMap::new();
    for (i, r) in records.iter().enumerate() {
        let Record::Entity(e) = &r.record else { continue };
        if rejected[i] {
            continue;
        }
        if let Some((t, first)) = defined.get(&e.key) {
            if *t != e.entity_type {
                let at = &records[*first];
                errors.push(IngestError::new(
                    &r.file,
                    r.line,
                    Some("type".into()),
                    format!(
                        "key \"{}\" is {} here but {} at {}:{}",
                        e.key,
                        with_article(&e.entity_type),
                        with_article(t),
                        at.file,
                        at.line
                    ),
                ));
                rejected[i] = true;
            }
            continue;
        }
        match lookup(&e.key, &mut errors, r) {
            Some(stored) if stored != e.entity_type => {
                errors.push(IngestError::new(
                    &r.file,
                    r.line,
                    Some("type".into()),
                    format!(
                        "key \"{}\" is {} in the store and cannot become {}",
                        e.key,
                        with_article(&stored),
                        with_article(&e.entity_type)
                    ),
                ));
                rejected[i] = true;
            }
            _ => {
                defined.insert(e.key.clone(), (e.entity_type.clone(), i));
            }
        }
    }

    // Where each entity key is defined in the batch, valid or not, for messages.
    let mut defined_at: HashMap<&str, usize> = HashMap::new();
    for (i, r) in records.iter().enumerate() {
        if let Record::Entity(e) = &r.record {
            defined_at.entry(e.key.as_str()).or_insert(i);
        }
    }

    // References. Every record is checked once, so that one line's problems are all
    // reported together; with keep_going, dropping an entity can orphan other lines, so
    // the surviving lines are checked again until nothing more is dropped.
    let mut first_round = true;
    loop {
        let mut newly_rejected = false;
        let live: BTreeMap<&str, &str> = defined
            .iter()
            .filter(|(_, (_, i))| !rejected[*i])
            .map(|(k, (t, _))| (k.as_str(), t.as_str()))
            .collect();
        let mut round_errors = Vec::new();
        for (i, r) in records.iter().enumerate() {
            if rejected[i] && !first_round {
                continue;
            }
            let mut resolve = |key: &str| -> Resolved {
                if let Some(t) = live.get(key) {
                    return Resolved::Type(t.to_string());
                }
                if let Some(&at) = defined_at.get(key) {
                    let at = &records[at];
                    return Resolved::Invalid(format!("{}:{}", at.file, at.line));
                }
                match lookup(key, &mut round_errors, r) {
                    Some(t) => Resolved::Type(t),
                    None => Resolved::Missing,
                }
            };
            let problems = check_references(&r.record, vocab, &mut resolve);
            if !problems.is_empty() {
                newly_rejected |= !rejected[i] && matches!(r.record, Record::Entity(_));
                rejected[i] = true;
                round_errors.extend(
                    problems
                        .into_iter()
                        .map(|(f, m)| IngestError::new(&r.file, r.line, Some(f), m)),
                );
            }
        }
        errors.append(&mut round_errors);
        first_round = false;
        if !keep_going || !newly_rejected {
            break;
        }
    }

    let batch = assemble(&records, &rejected, &mut errors);
    sort_errors(&mut errors, &records);
    let errors = IngestErrors(errors);
    if !keep_going && !errors.is_empty() {
        return Err(errors);
    }
    Ok((batch, errors))
}

/// Errors in input order: by the position of their file among the records, then line.
fn sort_errors(errors: &mut [IngestError], records: &[Located<Record>]) {
    let mut file_order: HashMap<&str, usize> = HashMap::new();
    for r in records {
        let n = file_order.len();
        file_order.entry(r.file.as_str()).or_insert(n);
    }
    errors.sort_by_key(|e| (file_order.get(e.file.as_str()).copied().unwrap_or(usize::MAX), e.line));
}

type Problems = Vec<(String, String)>;

fn choices<'a>(items: impl IntoIterator<Item = &'a String>) -> String {
    items.into_iter().map(String::as_str).collect::<Vec<_>>().join(", ")
}

/// Checks that need only the ontology.
fn check_vocab(record: &Record, vocab: &Vocab) -> Problems {
    let mut p = Problems::new();
    match record {
        Record::Entity(e) => {
            if !vocab.entity_types.contains_key(&e.entity_type) {
                p.push((
                    "type".into(),
                    format!(
                        "unknown entity type \"{}\": allowed are {}",
                        e.entity_type,
                        choices(vocab.entity_types.keys())
                    ),
                ));
            }
            if let Some(s) = &e.sector {
                if !vocab.sectors.contains_key(s) {
                    p.push((
                        "sector".into(),
                        format!("unknown sector \"{s}\": allowed are {}", choices(vocab.sectors.keys())),
                    ));
                }
            }
            if e.country.as_deref() == Some(e.key.as_str()) {
                p.push(("country".into(), "an entity cannot be its own country".into()));
            }
        }
        Record::Relation(r) => {
            if !vocab.relation_types.contains_key(&r.relation_type) {
                p.push((
                    "type".into(),
                    format!(
                        "unknown relation type \"{}\": allowed are {}",
                        r.relation_type,
                        choices(vocab.relation_types.keys())
                    ),
                ));
            }
            if r.from == r.to {
                p.push(("to".into(), format!("a relation cannot link \"{}\" to itself", r.from)));
            }
        }
        Record::Event(ev) => match vocab.event_types.get(&ev.event_type) {
            None => p.push((
                "type".into(),
                format!(
                    "unknown event type \"{}\": allowed are {}",
                    ev.event_type,
                    choices(vocab.event_types.keys())
                ),
            )),
            Some(def) => {
                let mut seen = BTreeSet::new();
                for (i, part) in ev.participants.iter().enumerate() {
                    if !def.roles.contains(&part.role) {
                        p.push((
                            format!("participants[{i}].role"),
                            format!(
                                "unknown role \"{}\" for a {}: allowed are {}",
                                part.role,
                                ev.event_type,
                                choices(&def.roles)
                            ),
                        ));
                    }
                    if !seen.insert((&part.entity, &part.role)) {
                        p.push((
                            format!("participants[{i}]"),
                            format!("\"{}\" is already a participant with role {}", part.entity, part.role),
                        ));
                    }
                }
                for (i, d) in ev.domains.iter().enumerate() {
                    if !vocab.is_domain(d) {
                        p.push((
                            format!("domains[{i}]"),
                            format!("unknown domain \"{d}\": allowed are {}", vocab.domains.join(", ")),
                        ));
                    }
                }
            }
        },
    }
    p
}

/// What a referenced key resolves to.
enum Resolved {
    /// An entity of this type, in the batch or the store.
    Type(String),
    /// Defined in the batch by an invalid line (named `FILE:LINE`).
    Invalid(String),
    Missing,
}

/// Checks that every key a record names exists with a fitting type.
fn check_references(record: &Record, vocab: &Vocab, resolve: &mut dyn FnMut(&str) -> Resolved) -> Problems {
    let mut p = Problems::new();
    let mut expect = |field: String, key: &str, allowed: &[&str], p: &mut Problems| {
        let problem = match resolve(key) {
            Resolved::Missing => format!("no entity has key \"{key}\" (neither in this import nor in the store)"),
            Resolved::Invalid(at) => format!("\"{key}\" is defined by an invalid line ({at})"),
            Resolved::Type(t) if !allowed.is_empty() && !allowed.contains(&t.as_str()) => {
                format!(
                    "\"{key}\" is {}, but this field needs {}",
                    with_article(&t),
                    with_article(&allowed.join(" or "))
                )
            }
            Resolved::Type(_) => return,
        };
        p.push((field, problem));
    };
    match record {
        Record::Entity(e) => {
            if let Some(c) = &e.country {
                expect("country".into(), c, &["country"], &mut p);
            }
        }
        Record::Relation(r) => {
            if let Some(def) = vocab.relation_types.get(&r.relation_type) {
                let from: Vec<&str> = def.from.iter().map(String::as_str).collect();
                let to: Vec<&str> = def.to.iter().map(String::as_str).collect();
                expect("from".into(), &r.from, &from, &mut p);
                expect("to".into(), &r.to, &to, &mut p);
            }
        }
        Record::Event(ev) => {
            if let Some(l) = &ev.location {
                expect("location".into(), l, &["place", "country"], &mut p);
            }
            for (i, part) in ev.participants.iter().enumerate() {
                expect(format!("participants[{i}].entity"), &part.entity, &[], &mut p);
            }
        }
    }
    p
}

/// Merge what survived into a batch: entities by key (aliases united, later fields win),
/// relations by identity (later wins), events by key (a second, different definition of
/// one key in the same import is an error).
fn assemble(records: &[Located<Record>], rejected: &[bool], errors: &mut Vec<IngestError>) -> ValidatedBatch {
    let mut entities: BTreeMap<String, Entity> = BTreeMap::new();
    let mut relations: BTreeMap<RelationId, Relation> = BTreeMap::new();
    let mut events: BTreeMap<String, (Event, usize)> = BTreeMap::new();
    for (i, r) in records.iter().enumerate() {
        if rejected[i] {
            continue;
        }
        match &r.record {
            Record::Entity(e) => match entities.get_mut(&e.key) {
                Some(prev) => merge_entity(prev, e.clone()),
                None => {
                    entities.insert(e.key.clone(), e.clone());
                }
            },
            Record::Relation(rel) => {
                relations.insert(rel.identity(), rel.clone());
            }
            Record::Event(ev) => {
                let mut ev = ev.clone();
                if ev.key.is_empty() {
                    ev.key = derived_event_key(&ev.event_type, &ev.date, ev.location.as_deref(), &ev.participants);
                }
                match events.get(&ev.key) {
                    Some((prev, first)) if *prev != ev => {
                        let at = &records[*first];
                        errors.push(IngestError::new(
                            &r.file,
                            r.line,
                            Some("key".into()),
                            format!("event \"{}\" is defined differently at {}:{}", ev.key, at.file, at.line),
                        ));
                    }
                    Some(_) => {}
                    None => {
                        events.insert(ev.key.clone(), (ev, i));
                    }
                }
            }
        }
    }
    ValidatedBatch {
        entities: entities.into_values().collect(),
        relations: relations.into_values().collect(),
        events: events.into_values().map(|(e, _)| e).collect(),
    }
}

/// Fold a later definition of an entity into an earlier one (or a stored one): the name,
/// country, sector and props given later win; aliases are united in first-seen order,
/// and a name that is replaced is kept as an alias so that lookups by it still work.
pub fn merge_entity(into: &mut Entity, later: Entity) {
    let mut names: Vec<String> = Vec::new();
    if into.name != later.name {
        names.push(into.name.clone());
    }
    names.extend(std::mem::take(&mut into.aliases));
    names.extend(later.aliases);
    into.name = later.name;
    let mut aliases: Vec<String> = Vec::with_capacity(names.len());
    for a in names {
        if a != into.name && !aliases.contains(&a) {
            aliases.push(a);
        }
    }
    into.aliases = aliases;
    if later.country.is_some() {
        into.country = later.country;
    }
    if later.sector.is_some() {
        into.sector = later.sector;
    }
    into.props.extend(later.props);
}

/// "a person", "an organization".
fn with_article(noun: &str) -> String {
    let vowel = noun.starts_with(['a', 'e', 'i', 'o', 'u']);
    format!("{} {noun}", if vowel { "an" } else { "a" })
}

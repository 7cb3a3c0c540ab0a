//! Validation: types, roles, sectors and domains against the ontology, and every
//! reference against the batch itself and the store (through [`KeyLookup`]).
//!
//! [`Validator`] takes records one at a time, so that an import never needs all of its
//! events in memory: entities and relations (few) are kept and merged; each event is
//! checked as it arrives and handed to an [`EventSink`] (a spool file, or a `Vec`).
//! References may point forward (records come in any order), so a reference that does
//! not resolve yet is kept as pending and settled by [`Validator::finish`].

use super::error::{IngestError, IngestErrors, LookupError};
use super::jsonl::{Located, MAX_ALIASES, MAX_PARTICIPANTS};
use crate::model::{derived_event_key, Entity, Event, Record, Relation, RelationId};
use crate::vocab::Vocab;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, BTreeSet};
use std::hash::{Hash, Hasher};

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

/// Where validated events wait while the rest of the batch is read. An event's place is
/// its input file index (into the validator's file list) and line.
pub trait EventSink {
    type Error;
    /// Keep `event`; return its [`content_hash`] (a sink that encodes events anyway can
    /// hash what it wrote).
    fn push(&mut self, event: Event, file: u32, line: usize) -> Result<u64, Self::Error>;
    /// Every event pushed so far, in push order.
    fn replay(&mut self, each: &mut dyn FnMut(&Event, u32, usize)) -> Result<(), Self::Error>;
}

/// Events kept in memory, for small batches and tests.
impl EventSink for Vec<(Event, u32, usize)> {
    type Error = std::convert::Infallible;

    fn push(&mut self, event: Event, file: u32, line: usize) -> Result<u64, Self::Error> {
        let hash = content_hash(&event);
        Vec::push(self, (event, file, line));
        Ok(hash)
    }

    fn replay(&mut self, each: &mut dyn FnMut(&Event, u32, usize)) -> Result<(), Self::Error> {
        for (e, f, l) in self.iter() {
            each(e, *f, *l);
        }
        Ok(())
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

/// What [`Validator::finish`] settled: the entities and relations to write, the events in
/// the sink to skip (with `keep_going`: those that failed late checks), and every error.
#[derive(Debug, Default)]
pub struct Settled {
    /// One per key, sorted by key.
    pub entities: Vec<Entity>,
    /// One per identity, sorted by identity.
    pub relations: Vec<Relation>,
    /// (file index, line) of events in the sink that must not be written.
    pub skip_events: HashSet<(u32, usize)>,
    /// Events accepted into the sink and not skipped.
    pub events: u64,
    /// Records accepted (entity, relation and event lines).
    pub records: u64,
    /// Input lines with at least one error.
    pub bad_lines: u64,
    /// The first [`MAX_ERRORS_KEPT`] errors, and how many more were found.
    pub errors: IngestErrors,
}

/// Errors kept in memory at most (and shown); beyond this they are only counted.
pub const MAX_ERRORS_KEPT: usize = 100;

/// A reference that could not be resolved when its record arrived.
struct Pending {
    file: u32,
    line: usize,
    field: String,
    key: String,
    allowed: &'static [&'static str],
    /// Whether this is a reference of an event that went into the sink (and must be
    /// skipped there if the reference fails).
    in_sink: bool,
}

const COUNTRY: &[&str] = &["country"];
const PLACE_OR_COUNTRY: &[&str] = &["place", "country"];
const ANY: &[&str] = &[];

/// The streaming validator. Feed it with [`Validator::add`], then call [`Validator::finish`].
pub struct Validator<'a> {
    vocab: &'a Vocab,
    store: &'a dyn KeyLookup,
    files: Vec<String>,
    /// Valid entity definitions so far, merged per key, with the first line's place.
    entities: HashMap<String, (Entity, u32, usize)>,
    /// Keys whose definitions so far were all invalid, with the first invalid line.
    invalid_entities: HashMap<String, (u32, usize)>,
    relations: Vec<(Relation, u32, usize)>,
    /// Event key → (content hash, place of its first definition).
    events: HashMap<String, (u64, u32, usize)>,
    pending: Vec<Pending>,
    store_types: HashMap<String, Option<String>>,
    errors: Vec<IngestError>,
    errors_not_kept: u64,
    /// Lines (file, line) with at least one error.
    bad_lines: BTreeSet<(u32, usize)>,
    events_accepted: u64,
    others_accepted: u64,
}

impl<'a> Validator<'a> {
    pub fn new(vocab: &'a Vocab, store: &'a dyn KeyLookup) -> Self {
        Validator {
            vocab,
            store,
            files: Vec::new(),
            entities: HashMap::default(),
            invalid_entities: HashMap::default(),
            relations: Vec::new(),
            events: HashMap::default(),
            pending: Vec::new(),
            store_types: HashMap::default(),
            errors: Vec::new(),
            errors_not_kept: 0,
            bad_lines: BTreeSet::new(),
            events_accepted: 0,
            others_accepted: 0,
        }
    }

    /// The index of input `name`, registering it on first use.
    pub fn file_index(&mut self, name: &str) -> u32 {
        match self.files.iter().position(|f| f == name) {
            Some(i) => i as u32,
            None => {
                self.files.push(name.to_string());
                (self.files.len() - 1) as u32
            }
        }
    }

    pub fn file_name(&self, index: u32) -> &str {
        &self.files[index as usize]
    }

    /// Record an error found outside the validator (by a reader) for `file:line`.
    pub fn reader_error(&mut self, error: IngestError) {
        let f = self.file_index(&error.file);
        self.bad_lines.insert((f, error.line));
        self.keep_error(error);
    }

    fn keep_error(&mut self, error: IngestError) {
        if self.errors.len() < MAX_ERRORS_KEPT {
            self.errors.push(error);
        } else {
            self.errors_not_kept += 1;
        }
    }

    fn error(&mut self, file: u32, line: usize, field: Option<String>, message: String) {
        self.bad_lines.insert((file, line));
        let e = IngestError::new(&self.files[file as usize], line, field, message);
        self.keep_error(e);
    }

    /// Whether any error has been found so far.
    pub fn has_errors(&self) -> bool {
        !self.bad_lines.is_empty()
    }

    fn stored_type(&mut self, key: &str, file: u32, line: usize) -> Option<String> {
        if let Some(t) = self.store_types.get(key) {
            return t.clone();
        }
        match self.store.entity_type(key) {
            Ok(t) => {
                self.store_types.insert(key.to_string(), t.clone());
                t
            }
            Err(e) => {
                self.error(file, line, None, format!("store lookup failed: {e}"));
                None
            }
        }
    }

    /// Check one reference now, or keep it pending. Returns false if it is already wrong.
    fn reference(
        &mut self,
        file: u32,
        line: usize,
        field: String,
        key: &str,
        allowed: &'static [&'static str],
    ) -> bool {
        let found = match self.entities.get(key) {
            Some((e, _, _)) => Some(e.entity_type.clone()),
            None => self.stored_type(key, file, line),
        };
        match found {
            Some(t) => match type_problem(key, &t, allowed) {
                Some(problem) => {
                    self.error(file, line, Some(field), problem);
                    false
                }
                None => true,
            },
            None => {
                self.pending.push(Pending {
                    file,
                    line,
                    field,
                    key: key.to_string(),
                    allowed,
                    in_sink: false,
                });
                true
            }
        }
    }

    /// Validate one record. Valid events go to `sink`; everything else is kept until
    /// [`Validator::finish`].
    pub fn add<S: EventSink>(&mut self, record: Located<Record>, sink: &mut S) -> Result<(), S::Error> {
        let file = self.file_index(&record.file);
        let line = record.line;
        let problems = check_vocab(&record.record, self.vocab);
        let vocab_ok = problems.is_empty();
        for (field, message) in problems {
            self.error(file, line, Some(field), message);
        }
        match record.record {
            Record::Entity(e) => {
                if !vocab_ok {
                    if !self.entities.contains_key(&e.key) {
                        self.invalid_entities.entry(e.key).or_insert((file, line));
                    }
                    return Ok(());
                }
                if let Some((first, f, l)) = self.entities.get(&e.key) {
                    if first.entity_type != e.entity_type {
                        let message = format!(
                            "key \"{}\" is {} here but {} at {}:{}",
                            e.key,
                            with_article(&e.entity_type),
                            with_article(&first.entity_type),
                            self.files[*f as usize],
                            l
                        );
                        self.error(file, line, Some("type".into()), message);
                        return Ok(());
                    }
                } else if let Some(stored) = self.stored_type(&e.key, file, line) {
                    if stored != e.entity_type {
                        let message = format!(
                            "key \"{}\" is {} in the store and cannot become {}",
                            e.key,
                            with_article(&stored),
                            with_article(&e.entity_type)
                        );
                        self.error(file, line, Some("type".into()), message);
                        return Ok(());
                    }
                }
                self.invalid_entities.remove(&e.key);
                self.others_accepted += 1;
                match self.entities.get_mut(&e.key) {
                    Some((prev, _, _)) => {
                        let mut merged = prev.clone();
                        merge_entity(&mut merged, e);
                        if merged.aliases.len() > MAX_ALIASES {
                            let message = format!(
                                "with the earlier lines of \"{}\", {} aliases, more than the limit of {MAX_ALIASES}",
                                merged.key,
                                merged.aliases.len()
                            );
                            self.error(file, line, Some("aliases".into()), message);
                            return Ok(());
                        }
                        *prev = merged;
                    }
                    None => {
                        self.entities.insert(e.key.clone(), (e, file, line));
                    }
                }
            }
            Record::Relation(r) => {
                if vocab_ok {
                    self.others_accepted += 1;
                    self.relations.push((r, file, line));
                }
            }
            Record::Event(mut ev) => {
                let first_pending = self.pending.len();
                let mut ok = vocab_ok;
                if let Some(l) = ev.location.clone() {
                    ok &= self.reference(file, line, "location".into(), &l, PLACE_OR_COUNTRY);
                }
                let keys: Vec<String> = ev.participants.iter().map(|p| p.entity.clone()).collect();
                for (i, key) in keys.iter().enumerate() {
                    ok &= self.reference(file, line, format!("participants[{i}].entity"), key, ANY);
                }
                if ev.key.is_empty() {
                    ev.key = derived_event_key(&ev.event_type, &ev.date, ev.location.as_deref(), &ev.participants);
                }
                match self.events.get(&ev.key) {
                    Some(&(h, f, l)) if h != content_hash(&ev) => {
                        let message = format!(
                            "event \"{}\" is defined differently at {}:{}",
                            ev.key, self.files[f as usize], l
                        );
                        self.error(file, line, Some("key".into()), message);
                    }
                    // An identical repeat adds nothing.
                    Some(_) => {}
                    None if ok => {
                        let key = ev.key.clone();
                        let hash = sink.push(ev, file, line)?;
                        self.events.insert(key, (hash, file, line));
                        self.events_accepted += 1;
                        for p in &mut self.pending[first_pending..] {
                            p.in_sink = true;
                        }
                    }
                    None => {}
                }
            }
        }
        Ok(())
    }

    /// Settle pending references, entity and relation references, and return what to
    /// write, with every error found. `Err` only when the sink cannot be read back.
    pub fn finish<S: EventSink>(mut self, sink: &mut S) -> Result<Settled, S::Error> {
        // Entities whose own references fail are dropped; that can orphan others, so
        // repeat until nothing more is dropped.
        loop {
            let mut dropped = Vec::new();
            let live: Vec<(String, Option<String>, u32, usize)> = self
                .entities
                .iter()
                .map(|(k, (e, f, l))| (k.clone(), e.country.clone(), *f, *l))
                .collect();
            for (key, country, f, l) in live {
                if let Some(c) = country {
                    if let Some(problem) = self.settle(&c, COUNTRY) {
                        self.error(f, l, Some("country".into()), problem);
                        dropped.push(key);
                    }
                }
            }
            if dropped.is_empty() {
                break;
            }
            for key in dropped {
                if let Some((_, f, l)) = self.entities.remove(&key) {
                    self.invalid_entities.insert(key, (f, l));
                    self.others_accepted -= 1;
                }
            }
        }

        let mut relations: BTreeMap<RelationId, Relation> = BTreeMap::new();
        for (r, f, l) in std::mem::take(&mut self.relations) {
            let mut ok = true;
            if let Some(def) = self.vocab.relation_types.get(&r.relation_type) {
                let from: Vec<&str> = def.from.iter().map(String::as_str).collect();
                let to: Vec<&str> = def.to.iter().map(String::as_str).collect();
                for (field, key, allowed) in [("from", &r.from, from), ("to", &r.to, to)] {
                    if let Some(problem) = self.settle_dyn(key, &allowed) {
                        self.error(f, l, Some(field.into()), problem);
                        ok = false;
                    }
                }
            }
            if ok {
                relations.insert(r.identity(), r);
            } else {
                self.others_accepted -= 1;
            }
        }

        // Pending event references, and events that name an entity dropped above.
        let mut skip_events: HashSet<(u32, usize)> = HashSet::default();
        for p in std::mem::take(&mut self.pending) {
            if let Some(problem) = self.settle(&p.key, p.allowed) {
                self.error(p.file, p.line, Some(p.field), problem);
                if p.in_sink {
                    skip_events.insert((p.file, p.line));
                }
            }
        }
        let dropped: HashSet<&String> = self.invalid_entities.keys().collect();
        if !dropped.is_empty() {
            let mut late: Vec<(u32, usize, String, String)> = Vec::new();
            let invalid = &self.invalid_entities;
            let files = &self.files;
            sink.replay(&mut |ev, f, l| {
                let refs = ev.location.iter().map(|k| ("location".to_string(), k)).chain(
                    ev.participants
                        .iter()
                        .enumerate()
                        .map(|(i, p)| (format!("participants[{i}].entity"), &p.entity)),
                );
                for (field, key) in refs {
                    if let Some(&(df, dl)) = invalid.get(key) {
                        let message = format!("\"{key}\" is defined by an invalid line ({}:{dl})", files[df as usize]);
                        late.push((f, l, field, message));
                    }
                }
            })?;
            for (f, l, field, message) in late {
                // Pending references to the same key were reported above already.
                let dup = self.errors.iter().any(|e| {
                    e.line == l && e.field.as_deref() == Some(field.as_str()) && e.file == self.files[f as usize]
                });
                if !dup {
                    self.error(f, l, Some(field), message);
                }
                skip_events.insert((f, l));
            }
        }
        let events = self.events_accepted - skip_events.len() as u64;
        let mut errors = IngestErrors {
            kept: std::mem::take(&mut self.errors),
            not_kept: self.errors_not_kept,
            bad_lines: self.bad_lines.len() as u64,
        };
        errors.sort_by_files(&self.files);
        Ok(Settled {
            entities: {
                let mut entities: Vec<Entity> = self.entities.into_values().map(|(e, _, _)| e).collect();
                entities.sort_by(|a, b| a.key.cmp(&b.key));
                entities
            },
            relations: relations.into_values().collect(),
            skip_events,
            events,
            records: self.others_accepted + events,
            bad_lines: self.bad_lines.len() as u64,
            errors,
        })
    }

    /// The problem with a reference to `key` now that the whole batch is known, if any.
    fn settle(&mut self, key: &str, allowed: &'static [&'static str]) -> Option<String> {
        self.settle_dyn(key, allowed)
    }

    fn settle_dyn(&mut self, key: &str, allowed: &[&str]) -> Option<String> {
        if let Some((e, _, _)) = self.entities.get(key) {
            return type_problem(key, &e.entity_type, allowed);
        }
        if let Some(&(f, l)) = self.invalid_entities.get(key) {
            return Some(format!(
                "\"{key}\" is defined by an invalid line ({}:{l})",
                self.files[f as usize]
            ));
        }
        match self
            .store_types
            .get(key)
            .cloned()
            .flatten()
            .or_else(|| self.store.entity_type(key).ok().flatten())
        {
            Some(t) => type_problem(key, &t, allowed),
            None => Some(format!(
                "no entity has key \"{key}\" (neither in this import nor in the store)"
            )),
        }
    }
}

/// Why an entity of type `t` cannot be referenced where `allowed` types are expected.
fn type_problem(key: &str, t: &str, allowed: &[&str]) -> Option<String> {
    if allowed.is_empty() || allowed.contains(&t) {
        return None;
    }
    Some(format!(
        "\"{key}\" is {}, but this field needs {}",
        with_article(t),
        with_article(&allowed.join(" or "))
    ))
}

/// A hash of an event's content, to tell an identical repeat from a conflicting one: the
/// hash of its bincode encoding (standard configuration).
pub fn content_hash(ev: &Event) -> u64 {
    match bincode::serde::encode_to_vec(ev, bincode::config::standard()) {
        Ok(bytes) => hash_encoded(&bytes),
        // Encoding plain data into a Vec does not fail; fall back to the debug form.
        Err(_) => hash_encoded(format!("{ev:?}").as_bytes()),
    }
}

/// [`content_hash`] of an event already encoded with bincode's standard configuration.
pub fn hash_encoded(bytes: &[u8]) -> u64 {
    let mut h = DefaultHasher::new();
    bytes.hash(&mut h);
    h.finish()
}

/// Validate `records` in memory. Without `keep_going`, any problem fails the whole batch
/// and every problem is returned. With it, the lines at fault are dropped (and,
/// transitively, the lines that refer to what they would have defined) and reported
/// beside the batch.
pub fn validate(
    records: Vec<Located<Record>>,
    vocab: &Vocab,
    store: &dyn KeyLookup,
    keep_going: bool,
) -> Result<(ValidatedBatch, IngestErrors), IngestErrors> {
    let mut v = Validator::new(vocab, store);
    let mut events: Vec<(Event, u32, usize)> = Vec::new();
    for r in records {
        let Ok(()) = v.add(r, &mut events);
    }
    let Ok(settled) = v.finish(&mut events);
    if !keep_going && settled.bad_lines > 0 {
        return Err(settled.errors);
    }
    let mut kept: BTreeMap<String, Event> = BTreeMap::new();
    for (e, f, l) in events {
        if !settled.skip_events.contains(&(f, l)) {
            kept.insert(e.key.clone(), e);
        }
    }
    let batch = ValidatedBatch {
        entities: settled.entities,
        relations: settled.relations,
        events: kept.into_values().collect(),
    };
    Ok((batch, settled.errors))
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
            if e.aliases.len() > MAX_ALIASES {
                p.push((
                    "aliases".into(),
                    format!(
                        "{} aliases, more than the limit of {MAX_ALIASES} per entity",
                        e.aliases.len()
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
        // Checked first and alone: one problem per participant of a line that has too
        // many would say nothing more.
        Record::Event(ev) if ev.participants.len() > MAX_PARTICIPANTS => p.push((
            "participants".into(),
            format!(
                "{} participants, more than the limit of {MAX_PARTICIPANTS} per event",
                ev.participants.len()
            ),
        )),
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
    into.aliases = super::jsonl::distinct_aliases(&into.name, names);
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

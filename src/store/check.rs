//! `dipgraph check`: every index entry against the records, every record against its index
//! entries, every reference between records, the ids and the format version; and repair,
//! which rewrites the indexes from the records in one atomic write.
//!
//! The expected index entries are derived here a second time, independently of
//! [`Store::apply`]: which entries a record implies, sides and dyads included, follows the
//! rules of docs/data-model.md (§1 "Sides", §5, §6) as written there, not apply's code, so
//! that a mistake in either shows up as a divergence. Only the byte layouts ([`keys`]) are
//! shared, because they are the format itself.
//!
//! Method: scan the three record trees (entities and relations are kept in memory, as an
//! import keeps them); derive every expected index entry; sort them; and merge each index
//! tree's scan against its sorted expectation. Memory is a few hundred bytes per event (the
//! expected entries of the event indexes) plus the entities and relations.

use super::keys::{self, Id};
use super::{codec, hex, meta, tree, Store, StoreResult, FORMAT_VERSION};
use crate::model::{fold_name, overlaps, DayRange, Entity, Event, Relation};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// How many examples of each kind of problem a report keeps.
pub const EXAMPLES: usize = 5;

/// Problems of one kind: how many, and the first few.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Problems {
    pub count: u64,
    pub examples: Vec<String>,
}

impl Problems {
    fn add(&mut self, example: impl FnOnce() -> String) {
        self.count += 1;
        if self.examples.len() < EXAMPLES {
            self.examples.push(example());
        }
    }
}

/// One index tree compared with what the records imply.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct IndexCheck {
    pub tree: &'static str,
    /// Entries the records imply.
    pub expected: u64,
    /// Entries the tree holds.
    pub found: u64,
    /// Implied by a record, absent from the tree.
    pub missing: Problems,
    /// In the tree, implied by no record.
    pub unexpected: Problems,
    /// Under the right key with the wrong value.
    pub wrong_value: Problems,
    /// An entry whose key or value does not have the tree's layout (docs/data-model.md
    /// §5), whether or not it equals what the records imply.
    pub malformed: Problems,
}

impl IndexCheck {
    pub fn problems(&self) -> u64 {
        self.missing.count + self.unexpected.count + self.wrong_value.count + self.malformed.count
    }
}

/// What [`Store::check`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct CheckReport {
    pub engine: String,
    pub format_version: u32,
    pub entities: u64,
    pub relations: u64,
    pub events: u64,
    /// Problems in `meta` and in the records themselves, by kind: values that do not
    /// decode, ids used twice, records that a key index names but that are gone, keys
    /// claimed by two records, references to records that do not exist or have the wrong
    /// type. Rewriting indexes cannot fix them.
    pub records: BTreeMap<&'static str, Problems>,
    /// `meta.next_id` missing or not above every id: repair sets it.
    pub next_id: Problems,
    pub indexes: Vec<IndexCheck>,
}

impl CheckReport {
    /// Problems that only a restore or a re-import can fix.
    pub fn record_problems(&self) -> u64 {
        self.records.values().map(|p| p.count).sum()
    }

    /// Problems that repair fixes.
    pub fn index_problems(&self) -> u64 {
        self.indexes.iter().map(IndexCheck::problems).sum::<u64>() + self.next_id.count
    }

    pub fn is_consistent(&self) -> bool {
        self.record_problems() == 0 && self.index_problems() == 0
    }

    fn problem(&mut self, kind: &'static str, example: impl FnOnce() -> String) {
        self.records.entry(kind).or_default().add(example);
    }
}

/// What [`Store::repair`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Repair {
    /// Nothing to repair.
    Consistent(CheckReport),
    /// Index entries rewritten in one write; `after` is a fresh check of the result.
    Repaired {
        before: CheckReport,
        written: u64,
        after: CheckReport,
    },
    /// The records themselves are damaged; nothing was written.
    Refused(CheckReport),
}

/// Index writes that make the trees match the records.
#[derive(Default)]
struct Fixes {
    puts: Vec<(&'static str, Vec<u8>, Vec<u8>)>,
    deletes: Vec<(&'static str, Vec<u8>)>,
}

/// An entity as the checks need it.
struct EntityInfo {
    id: Id,
    entity_type: String,
    country: Option<String>,
}

/// Expected entries of one index tree. Fixed-size entries (key ‖ value) are kept flat, as
/// apply keeps them, because the event indexes have millions.
trait Expected {
    fn len(&self) -> usize;
    fn entry(&self, i: usize) -> (&[u8], &[u8]);
    fn sort(&mut self);
}

struct Fixed<const N: usize> {
    split: usize,
    entries: Vec<[u8; N]>,
}

impl<const N: usize> Fixed<N> {
    fn new(split: usize) -> Self {
        Fixed {
            split,
            entries: Vec::new(),
        }
    }

    fn push(&mut self, key: &[u8], value: &[u8]) {
        debug_assert_eq!((key.len(), key.len() + value.len()), (self.split, N));
        let mut e = [0u8; N];
        e[..key.len()].copy_from_slice(key);
        e[key.len()..].copy_from_slice(value);
        self.entries.push(e);
    }
}

impl<const N: usize> Expected for Fixed<N> {
    fn len(&self) -> usize {
        self.entries.len()
    }
    fn entry(&self, i: usize) -> (&[u8], &[u8]) {
        self.entries[i].split_at(self.split)
    }
    fn sort(&mut self) {
        self.entries.sort_unstable();
    }
}

/// Variable-size entries packed into one buffer: a few bytes of bookkeeping per entry
/// instead of two allocations.
#[derive(Default)]
struct Var {
    bytes: Vec<u8>,
    /// (start in `bytes`, key length, value length)
    entries: Vec<(usize, u32, u32)>,
}

impl Var {
    fn push(&mut self, key: &[u8], value: &[u8]) {
        self.entries
            .push((self.bytes.len(), key.len() as u32, value.len() as u32));
        self.bytes.extend_from_slice(key);
        self.bytes.extend_from_slice(value);
    }
}

fn packed(bytes: &[u8], (start, k, v): (usize, u32, u32)) -> (&[u8], &[u8]) {
    let (k, v) = (k as usize, v as usize);
    (&bytes[start..start + k], &bytes[start + k..start + k + v])
}

impl Expected for Var {
    fn len(&self) -> usize {
        self.entries.len()
    }
    fn entry(&self, i: usize) -> (&[u8], &[u8]) {
        packed(&self.bytes, self.entries[i])
    }
    fn sort(&mut self) {
        let bytes = &self.bytes;
        self.entries
            .sort_unstable_by(|&a, &b| packed(bytes, a).cmp(&packed(bytes, b)));
    }
}

/// Every index tree's expected entries.
struct AllExpected {
    entity_key: Var,
    event_key: Var,
    relation_key: Var,
    alias: Var,
    entity_relation: Fixed<16>,
    entity_event: Fixed<24>,
    dyad: Fixed<32>,
    event_links: Var,
}

impl Store {
    /// Check the store; see the module documentation. Engine errors fail the check; every
    /// inconsistency is reported, none is an error.
    pub fn check(&self) -> StoreResult<CheckReport> {
        self.check_collecting(None)
    }

    /// Check, and if every problem is in the indexes (or `meta.next_id`), rewrite the
    /// diverging entries in one atomic write and check again. Refuses, writing nothing,
    /// when the records themselves are damaged.
    pub fn repair(&self) -> StoreResult<Repair> {
        let mut fixes = Fixes::default();
        let before = self.check_collecting(Some(&mut fixes))?;
        if before.record_problems() > 0 {
            return Ok(Repair::Refused(before));
        }
        if before.is_consistent() {
            return Ok(Repair::Consistent(before));
        }
        let mut w = self.kv.begin_write().map_err(|e| self.kv_err(e))?;
        let written = (fixes.puts.len() + fixes.deletes.len()) as u64;
        for (t, k) in &fixes.deletes {
            w.delete(t, k).map_err(|e| self.kv_err(e))?;
        }
        for (t, k, v) in &fixes.puts {
            w.put(t, k, v).map_err(|e| self.kv_err(e))?;
        }
        w.commit().map_err(|e| self.kv_err(e))?;
        let after = self.check()?;
        Ok(Repair::Repaired { before, written, after })
    }

    fn check_collecting(&self, mut fixes: Option<&mut Fixes>) -> StoreResult<CheckReport> {
        let mut report = CheckReport {
            engine: self.engine().name().to_string(),
            ..CheckReport::default()
        };
        let next_id = self.check_meta_tree(&mut report)?;
        // The ids of each record tree, for the id checks and for telling a lost record
        // from a stray key index entry.
        let (mut entity_ids, mut relation_ids, mut event_ids) = (Vec::new(), Vec::new(), Vec::new());
        let mut exp = AllExpected {
            entity_key: Var::default(),
            event_key: Var::default(),
            relation_key: Var::default(),
            alias: Var::default(),
            entity_relation: Fixed::new(16),
            entity_event: Fixed::new(20),
            dyad: Fixed::new(28),
            event_links: Var::default(),
        };

        // Entities first: relations and events refer to them.
        let mut entities: HashMap<String, EntityInfo> = HashMap::new();
        let mut countries: Vec<(Id, String, String)> = Vec::new();
        self.each_record::<Entity>(tree::ENTITY, &mut report, &mut entity_ids, |report, id, e| {
            report.entities += 1;
            exp.entity_key.push(e.key.as_bytes(), &keys::id_bytes(id));
            let names: BTreeSet<String> = std::iter::once(&e.name)
                .chain(&e.aliases)
                .map(|n| fold_name(n))
                .filter(|f| !f.is_empty())
                .collect();
            for folded in names {
                exp.alias.push(&keys::alias(&folded, id), b"");
            }
            if let Some(c) = &e.country {
                countries.push((id, e.key.clone(), c.clone()));
            }
            // A second record with the same key shows as a conflict in entity_key.
            entities.entry(e.key.clone()).or_insert(EntityInfo {
                id,
                entity_type: e.entity_type,
                country: e.country,
            });
        })?;
        for (id, key, country) in &countries {
            match entities.get(country) {
                None => report.problem("dangling reference", || {
                    format!("entity {key:?} (id {id}): country {country:?} is no entity")
                }),
                Some(c) if c.entity_type != "country" => report.problem("dangling reference", || {
                    format!(
                        "entity {key:?} (id {id}): country {country:?} is a {}, not a country",
                        c.entity_type
                    )
                }),
                Some(_) if country == key => report.problem("dangling reference", || {
                    format!("entity {key:?} (id {id}) is its own country")
                }),
                Some(_) => {}
            }
        }

        // Relations: identity, both ends, and the positions that give persons their sides.
        let mut positions: HashMap<String, Vec<(DayRange, Option<Id>)>> = HashMap::new();
        self.each_record::<Relation>(tree::RELATION, &mut report, &mut relation_ids, |report, id, r| {
            report.relations += 1;
            let since = r.since.map(|d| d.to_string()).unwrap_or_default();
            let identity = keys::relation_identity(&r.relation_type, &r.from, &r.to, &since);
            exp.relation_key.push(&identity, &keys::id_bytes(id));
            let mut ends = [None, None];
            for (slot, (field, key)) in [("from", &r.from), ("to", &r.to)].into_iter().enumerate() {
                match entities.get(key.as_str()) {
                    Some(e) => ends[slot] = Some(e.id),
                    None => report.problem("dangling reference", || {
                        format!(
                            "relation {id} ({} {:?} → {:?}): {field} {key:?} is no entity",
                            r.relation_type, r.from, r.to
                        )
                    }),
                }
            }
            for end in ends.into_iter().flatten() {
                exp.entity_relation.push(&keys::entity_relation(end, id), b"");
            }
            if r.relation_type == "holds_position" {
                // The side a position gives: the country it is in, or the country that
                // the organization belongs to, if any.
                let side = entities.get(r.to.as_str()).and_then(|to| {
                    if to.entity_type == "country" {
                        Some(to.id)
                    } else {
                        to.country.as_deref().and_then(|c| entities.get(c)).map(|c| c.id)
                    }
                });
                positions.entry(r.from.clone()).or_default().push((r.interval(), side));
            }
        })?;

        // Events: one pass; each event's expected entries go into the sorted expectations.
        self.each_record::<Event>(tree::EVENT, &mut report, &mut event_ids, |report, id, ev| {
            report.events += 1;
            exp.event_key.push(ev.key.as_bytes(), &keys::id_bytes(id));
            let span = ev.interval();
            let (start, end) = (ev.date.start(), span.1.to_be_bytes());
            if let Some(l) = &ev.location {
                match entities.get(l.as_str()) {
                    None => report.problem("dangling reference", || {
                        format!("event {:?} (id {id}): location {l:?} is no entity", ev.key)
                    }),
                    Some(e) if e.entity_type != "place" && e.entity_type != "country" => {
                        report.problem("dangling reference", || {
                            format!(
                                "event {:?} (id {id}): location {l:?} is a {}, not a place or country",
                                ev.key, e.entity_type
                            )
                        })
                    }
                    Some(_) => {}
                }
            }
            // Distinct participants, each with its sides at the event. This derivation of
            // the side rule is written out here on purpose, apart from the one that `apply`
            // and `graph::facts` share (`model::standing_at`): a fault in that rule then shows
            // as a divergence here instead of being repeated.
            let mut members: Vec<(Id, BTreeSet<Id>)> = Vec::new();
            let mut distinct: std::collections::HashSet<Id> = std::collections::HashSet::new();
            for (i, p) in ev.participants.iter().enumerate() {
                let Some(e) = entities.get(p.entity.as_str()) else {
                    report.problem("dangling reference", || {
                        format!(
                            "event {:?} (id {id}): participants[{i}] {:?} is no entity",
                            ev.key, p.entity
                        )
                    });
                    continue;
                };
                if !distinct.insert(e.id) {
                    continue;
                }
                let sides: BTreeSet<Id> = if e.entity_type == "country" {
                    [e.id].into()
                } else if let Some(c) = &e.country {
                    entities.get(c.as_str()).map(|c| c.id).into_iter().collect()
                } else {
                    positions
                        .get(p.entity.as_str())
                        .into_iter()
                        .flatten()
                        .filter(|(held, _)| overlaps(*held, span))
                        .filter_map(|(_, side)| *side)
                        .collect()
                };
                members.push((e.id, sides));
            }
            // A dyad is a pair of different countries with one standing for one member and
            // the other for another member. Comparing every two members is quadratic in
            // the members; instead, per country, the members standing for it: two countries
            // fail to be a dyad only when one and the same member is the only one standing
            // for either.
            let mut standing: BTreeMap<Id, Vec<Id>> = BTreeMap::new();
            for (m, sides) in &members {
                for &s in sides {
                    let holders = standing.entry(s).or_default();
                    if holders.len() < 2 {
                        holders.push(*m);
                    }
                }
            }
            let countries: Vec<(&Id, &Vec<Id>)> = standing.iter().collect();
            let mut pairs: BTreeSet<(Id, Id)> = BTreeSet::new();
            for (i, &(x, xs)) in countries.iter().enumerate() {
                for &(y, ys) in &countries[i + 1..] {
                    if !(xs.len() == 1 && ys.len() == 1 && xs[0] == ys[0]) {
                        pairs.insert((*x, *y));
                    }
                }
            }
            let ascending: BTreeSet<Id> = members.iter().map(|(m, _)| *m).collect();
            for &m in &ascending {
                exp.entity_event.push(&keys::entity_event(m, start, id), &end);
            }
            for &(lo, hi) in &pairs {
                exp.dyad.push(&keys::dyad(lo, hi, start, id), &end);
            }
            let ascending: Vec<Id> = ascending.into_iter().collect();
            let pairs: Vec<(Id, Id)> = pairs.into_iter().collect();
            let links = keys::links_value(&ascending, &pairs, &ev.key, &ev.event_type);
            exp.event_links.push(&keys::id_bytes(id), &links);
        })?;

        let mut all: Vec<Id> = [&entity_ids, &relation_ids, &event_ids]
            .into_iter()
            .flatten()
            .copied()
            .collect();
        self.check_ids(&mut report, &mut all, next_id, fixes.as_deref_mut());
        for ids in [&mut entity_ids, &mut relation_ids, &mut event_ids] {
            ids.sort_unstable();
        }

        let trees: [(&'static str, &mut dyn Expected, Option<&[Id]>); 8] = [
            (tree::ENTITY_KEY, &mut exp.entity_key, Some(&entity_ids)),
            (tree::EVENT_KEY, &mut exp.event_key, Some(&event_ids)),
            (tree::RELATION_KEY, &mut exp.relation_key, Some(&relation_ids)),
            (tree::ALIAS, &mut exp.alias, None),
            (tree::ENTITY_RELATION, &mut exp.entity_relation, None),
            (tree::ENTITY_EVENT, &mut exp.entity_event, None),
            (tree::DYAD, &mut exp.dyad, None),
            (tree::EVENT_LINKS, &mut exp.event_links, None),
        ];
        for (name, expected, records) in trees {
            expected.sort();
            let index = self.compare(name, &*expected, records, &mut report, fixes.as_deref_mut())?;
            report.indexes.push(index);
        }
        Ok(report)
    }

    /// `meta`: the format version and engine (open checked them, but a check states them),
    /// and `next_id`, which the id check needs.
    fn check_meta_tree(&self, report: &mut CheckReport) -> StoreResult<Option<Id>> {
        let get = |k: &[u8]| self.kv.get(tree::META, k).map_err(|e| self.kv_err(e));
        match get(meta::FORMAT_VERSION)?.as_deref().map(<[u8; 4]>::try_from) {
            Some(Ok(v)) => {
                report.format_version = u32::from_be_bytes(v);
                if report.format_version != FORMAT_VERSION {
                    let found = report.format_version;
                    report.problem("meta", || {
                        format!("format_version is {found}; this dipgraph writes {FORMAT_VERSION}")
                    });
                }
            }
            Some(Err(_)) => report.problem("meta", || "format_version is not a 4-byte integer".into()),
            None => report.problem("meta", || "format_version is missing".into()),
        }
        if get(meta::ENGINE)?.as_deref() != Some(self.engine().name().as_bytes()) {
            let engine = self.engine().name();
            report.problem("meta", || {
                format!("engine does not name {engine}, whose files hold the store")
            });
        }
        Ok(get(meta::NEXT_ID)?.and_then(|b| <[u8; 8]>::try_from(b.as_slice()).ok().map(Id::from_be_bytes)))
    }

    /// Decode every record of `tree` and hand it to `each` with its id; a key that is not
    /// an id or a value that does not decode is a problem, and the record is left out.
    fn each_record<T: serde::de::DeserializeOwned>(
        &self,
        tree: &'static str,
        report: &mut CheckReport,
        ids: &mut Vec<Id>,
        mut each: impl FnMut(&mut CheckReport, Id, T),
    ) -> StoreResult<()> {
        for pair in self.kv.scan_prefix(tree, b"").map_err(|e| self.kv_err(e))? {
            let (k, v) = pair.map_err(|e| self.kv_err(e))?;
            let Ok(raw) = <[u8; 8]>::try_from(k.as_slice()) else {
                report.problem("undecodable record", || {
                    format!("{tree} key {} is not an 8-byte id", hex(&k))
                });
                continue;
            };
            let id = Id::from_be_bytes(raw);
            ids.push(id);
            match codec::decode_with::<T>(&v, self.dictionary()) {
                Ok(record) => each(report, id, record),
                Err(why) => report.problem("undecodable record", || format!("{tree} {id}: {why}")),
            }
        }
        Ok(())
    }

    /// Ids: the record trees share one counter, so an id is a key in at most one of them,
    /// and `meta.next_id` is above every id (docs/data-model.md §6, invariant 2). Ids are
    /// never reused, but `merge` and `split` remove records, so gaps are no problem.
    fn check_ids(&self, report: &mut CheckReport, ids: &mut [Id], next_id: Option<Id>, fixes: Option<&mut Fixes>) {
        ids.sort_unstable();
        for (i, &id) in ids.iter().enumerate() {
            if i > 0 && ids[i - 1] == id {
                report.problem("id used twice", || format!("id {id} is a key in two record trees"));
            } else if id == 0 {
                report.problem("id used twice", || "id 0, which is never given".into());
            }
        }
        let needed = ids.last().map_or(1, |&m| m.saturating_add(1));
        if next_id.is_some_and(|n| n >= needed) {
            return;
        }
        report.next_id.add(|| match next_id {
            Some(n) => format!(
                "meta next_id is {n}, not above the largest id {}: a new record could overwrite one",
                needed - 1
            ),
            None => "meta next_id is missing or not an 8-byte integer".into(),
        });
        if let Some(f) = fixes {
            f.puts
                .push((tree::META, meta::NEXT_ID.to_vec(), needed.to_be_bytes().to_vec()));
        }
    }

    /// Merge the scan of index `name` with its sorted expectation. Two records implying one
    /// key with different values (two entities with one key) is a record problem; that key
    /// is then neither compared nor repaired. For a key index, `records` holds the ids of
    /// its record tree: an entry naming an id that no record has means a lost record, which
    /// is reported as such and kept, never "repaired" away.
    fn compare(
        &self,
        name: &'static str,
        expected: &dyn Expected,
        records: Option<&[Id]>,
        report: &mut CheckReport,
        mut fixes: Option<&mut Fixes>,
    ) -> StoreResult<IndexCheck> {
        let mut index = IndexCheck {
            tree: name,
            ..IndexCheck::default()
        };
        // Distinct expected entries; keys claimed with two values are set aside.
        let mut wanted: Vec<usize> = Vec::with_capacity(expected.len());
        let mut contested: BTreeSet<Vec<u8>> = BTreeSet::new();
        let mut i = 0;
        while i < expected.len() {
            let (k, v) = expected.entry(i);
            let mut j = i + 1;
            let mut conflict = false;
            while j < expected.len() && expected.entry(j).0 == k {
                conflict |= expected.entry(j).1 != v;
                j += 1;
            }
            if conflict {
                report.problem("key claimed twice", || {
                    let claims: Vec<String> = (i..j).map(|n| describe_value(name, expected.entry(n).1)).collect();
                    format!("{} is claimed by {}", describe_key(name, k), claims.join(" and "))
                });
                contested.insert(k.to_vec());
            } else {
                wanted.push(i);
            }
            i = j;
        }
        index.expected = wanted.len() as u64;
        let mut scan = self.kv.scan_prefix(name, b"").map_err(|e| self.kv_err(e))?;
        let mut actual = scan.next().transpose().map_err(|e| self.kv_err(e))?;
        let mut want = wanted.into_iter().map(|n| expected.entry(n)).peekable();
        loop {
            let order = match (want.peek(), &actual) {
                (None, None) => break,
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (Some((k, _)), Some((ak, _))) => (*k).cmp(ak.as_slice()),
            };
            match order {
                std::cmp::Ordering::Less => {
                    if let Some((k, v)) = want.next() {
                        index.missing.add(|| describe(name, k, v));
                        if let Some(f) = fixes.as_deref_mut() {
                            f.puts.push((name, k.to_vec(), v.to_vec()));
                        }
                    }
                    continue;
                }
                std::cmp::Ordering::Greater => {
                    if let Some((ak, av)) = &actual {
                        index.found += 1;
                        let lost = records
                            .zip(keys::read_id(av))
                            .filter(|(ids, id)| ids.binary_search(id).is_err());
                        if let Some((_, id)) = lost {
                            report.problem("record missing", || {
                                format!("{} names id {id}, but no record has that id", describe_key(name, ak))
                            });
                        } else if !contested.contains(ak) {
                            index.unexpected.add(|| describe(name, ak, av));
                            if let Some(f) = fixes.as_deref_mut() {
                                f.deletes.push((name, ak.clone()));
                            }
                        }
                    }
                }
                std::cmp::Ordering::Equal => {
                    if let (Some((k, v)), Some((_, av))) = (want.next(), &actual) {
                        index.found += 1;
                        if av.as_slice() != v {
                            index
                                .wrong_value
                                .add(|| format!("{} (found value {})", describe(name, k, v), describe_value(name, av)));
                            if let Some(f) = fixes.as_deref_mut() {
                                f.puts.push((name, k.to_vec(), v.to_vec()));
                            }
                        }
                    }
                }
            }
            if let Some((ak, av)) = &actual {
                // Equal to the derivation is not enough: a derivation that wrote a wrong
                // layout (counts truncated, as issue 17 found) would agree with itself.
                if !keys::well_formed(name, ak, av) {
                    index
                        .malformed
                        .add(|| format!("{} (value {})", describe_key(name, ak), hex(av)));
                }
            }
            actual = scan.next().transpose().map_err(|e| self.kv_err(e))?;
        }
        Ok(index)
    }
}

/// An index entry in words: its tree, the fields of its key, and its value.
pub fn describe(tree: &str, key: &[u8], value: &[u8]) -> String {
    let v = describe_value(tree, value);
    if v.is_empty() {
        describe_key(tree, key)
    } else {
        format!("{} → {v}", describe_key(tree, key))
    }
}

fn text(bytes: &[u8]) -> String {
    format!("{:?}", String::from_utf8_lossy(bytes))
}

/// The fields of an index key, by its layout (docs/data-model.md §5); hex if it does not
/// fit the layout.
fn describe_key(tree: &str, k: &[u8]) -> String {
    let id = |o| keys::id_at(k, o);
    let day = |o| keys::day_at(k, o);
    let fields = match tree {
        tree::ENTITY_KEY | tree::EVENT_KEY => Some(format!("key {}", text(k))),
        tree::RELATION_KEY => {
            let parts: Vec<String> = k.split(|&b| b == 0).map(text).collect();
            (parts.len() == 4).then(|| {
                format!(
                    "from {}, type {}, to {}, since {}",
                    parts[0], parts[1], parts[2], parts[3]
                )
            })
        }
        tree::ALIAS => k
            .len()
            .checked_sub(9)
            .filter(|&s| k[s] == 0)
            .and_then(|s| Some(format!("name {}, entity {}", text(&k[..s]), id(s + 1)?))),
        tree::ENTITY_RELATION if k.len() == 16 => Some(format!(
            "entity {}, relation {}",
            id(0).unwrap_or(0),
            id(8).unwrap_or(0)
        )),
        tree::ENTITY_EVENT if k.len() == 20 => Some(format!(
            "entity {}, start {}, event {}",
            id(0).unwrap_or(0),
            day(8).unwrap_or(0),
            id(12).unwrap_or(0)
        )),
        tree::DYAD if k.len() == 28 => Some(format!(
            "countries {} and {}, start {}, event {}",
            id(0).unwrap_or(0),
            id(8).unwrap_or(0),
            day(16).unwrap_or(0),
            id(20).unwrap_or(0)
        )),
        tree::EVENT_LINKS if k.len() == 8 => Some(format!("event {}", id(0).unwrap_or(0))),
        _ => None,
    };
    format!("{tree} ({})", fields.unwrap_or_else(|| format!("key {}", hex(k))))
}

/// An index value in words (empty for the empty value).
fn describe_value(tree: &str, v: &[u8]) -> String {
    match tree {
        _ if v.is_empty() => String::new(),
        tree::ENTITY_KEY | tree::EVENT_KEY | tree::RELATION_KEY if v.len() == 8 => {
            format!("id {}", keys::read_id(v).unwrap_or(0))
        }
        tree::ENTITY_EVENT | tree::DYAD if v.len() == 4 => {
            format!("end {}", keys::day_at(v, 0).unwrap_or(0))
        }
        tree::EVENT_LINKS => match keys::split_links(v) {
            Some(l) => format!(
                "members {:?}, dyads {:?}, key {}, type {}",
                l.members,
                l.pairs,
                text(l.key.as_bytes()),
                text(l.event_type.as_bytes())
            ),
            None => format!("malformed value {}", hex(v)),
        },
        _ => format!("value {}", hex(v)),
    }
}

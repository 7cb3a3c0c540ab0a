//! Issue 3: `query::contacts` against a brute-force oracle over random data, on both
//! engines.
//!
//! The oracle is written from the text of interchange v1 ("Dates", "Bilateral semantics")
//! and shares nothing with the crate's date, side or sector code: dates are (year, month,
//! day) triples widened by hand, intervals are compared day by day in the simplest way,
//! and every rule is applied to the generated records, not to the store.

use crate::util::{TestStore, ENGINES};
use dipgraph::model::PartialDate;
use dipgraph::query::{contacts, ContactFilter, QueryError};
use dipgraph::store::{Engine, ImportOptions, Input, OpenMode, Store};
use dipgraph::vocab::Vocab;
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};

// ---------------------------------------------------------------------------------------
// The oracle's own partial dates.

/// A day as (year, month, day); tuples order like the calendar.
type Ymd = (u32, u32, u32);

fn is_leap(y: u32) -> bool {
    (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400)
}

fn month_len(y: u32, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A date known to the year, the month or the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Pd {
    y: u32,
    m: Option<u32>,
    d: Option<u32>,
}

impl Pd {
    fn new(precision: u8, y: u32, m: u32, d: u32) -> Pd {
        match precision {
            0 => Pd { y, m: None, d: None },
            1 => Pd { y, m: Some(m), d: None },
            _ => Pd {
                y,
                m: Some(m),
                d: Some(d.min(month_len(y, m))),
            },
        }
    }

    /// The first day the date covers ("2022-05" → 2022-05-01).
    fn first(&self) -> Ymd {
        (self.y, self.m.unwrap_or(1), self.d.unwrap_or(1))
    }

    /// The last day the date covers ("2022-05" → 2022-05-31, "2024-02" → 2024-02-29).
    fn last(&self) -> Ymd {
        let m = self.m.unwrap_or(12);
        (self.y, m, self.d.unwrap_or_else(|| month_len(self.y, m)))
    }

    fn text(&self) -> String {
        match (self.m, self.d) {
            (None, _) => format!("{:04}", self.y),
            (Some(m), None) => format!("{:04}-{m:02}", self.y),
            (Some(m), Some(d)) => format!("{:04}-{m:02}-{d:02}", self.y),
        }
    }
}

/// A closed interval of days; `None` is an open end.
#[derive(Debug, Clone, Copy)]
struct Span {
    from: Option<Ymd>,
    to: Option<Ymd>,
}

/// Whether two intervals share a day: the later start is on or before the earlier end.
/// (An interval whose end is before its start holds no day and shares none.)
fn share_a_day(a: Span, b: Span) -> bool {
    let from = match (a.from, b.from) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, None) | (None, x) => x,
    };
    let to = match (a.to, b.to) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, None) | (None, x) => x,
    };
    match (from, to) {
        (Some(f), Some(t)) => f <= t,
        _ => true,
    }
}

// ---------------------------------------------------------------------------------------
// The generated world.

/// From schema/ontology.json: event types and the roles each allows.
const EVENT_TYPES: [(&str, &[&str]); 9] = [
    ("visit", &["visitor", "host", "delegation", "participant"]),
    ("meeting", &["participant", "host", "chair"]),
    ("talks", &["participant", "host", "delegation"]),
    ("appointment", &["appointee", "appointer", "participant"]),
    ("committee_meeting", &["chair", "member", "participant"]),
    ("agreement", &["signatory", "participant"]),
    ("phone_call", &["participant"]),
    ("training", &["participant", "host"]),
    ("statement", &["participant"]),
];
const SECTORS: [&str; 10] = [
    "government",
    "diplomacy",
    "interior",
    "intelligence",
    "police",
    "military",
    "justice",
    "parliament",
    "international",
    "other",
];
/// The contract: "`security` ... a participant's sector is `intelligence`, `police`,
/// `interior` or `military`".
const SECURITY_SECTORS: [&str; 4] = ["intelligence", "police", "interior", "military"];
const DOMAINS: [&str; 7] = [
    "security",
    "counterterrorism",
    "intelligence",
    "policing",
    "diplomacy",
    "economy",
    "migration",
];
const COUNTRY_KEYS: [&str; 6] = ["AAA", "BBB", "CCC", "DDD", "EEE", "FFF"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Country,
    Organization,
    Person,
    Place,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Country => "country",
            Kind::Organization => "organization",
            Kind::Person => "person",
            Kind::Place => "place",
        }
    }
}

#[derive(Debug, Clone)]
struct Ent {
    key: String,
    kind: Kind,
    country: Option<String>,
    sector: Option<&'static str>,
}

#[derive(Debug, Clone)]
struct Pos {
    person: String,
    org: String,
    since: Option<Pd>,
    until: Option<Pd>,
}

#[derive(Debug, Clone)]
struct Ev {
    key: String,
    event_type: &'static str,
    date: Pd,
    end_date: Option<Pd>,
    location: Option<String>,
    domains: Vec<&'static str>,
    participants: Vec<(String, &'static str)>,
}

#[derive(Debug, Clone)]
struct World {
    entities: BTreeMap<String, Ent>,
    countries: Vec<String>,
    positions: Vec<Pos>,
    events: Vec<Ev>,
}

/// A position: holder index, since, until, whether to put an inverted pair in order, the
/// import it comes with (0..=5: the first; 6: the second only; 7: the first with
/// `first_until` as its until, replaced by the second), and that earlier until.
type RawPos = (Index, Option<Pd>, Option<Pd>, bool, u8, Option<Pd>);
/// An organization: country, sector, and whether the first import gives another country.
type RawOrg = (Option<Index>, Option<Index>, bool);
/// A person: country, sector, whether the country comes only with the second import, and
/// its positions.
type RawPerson = (Option<Index>, Option<Index>, bool, Vec<RawPos>);
/// An event: type, date, end date, location, domains, (participant, role) pairs, key tag,
/// and whether it comes only with the second import.
type RawEvent = (
    Index,
    Pd,
    Option<Pd>,
    Option<Index>,
    Vec<Index>,
    Vec<(Index, Index)>,
    Index,
    bool,
);
/// A position's identity: holder, organization, since.
type PositionId = (String, String, Option<String>);
type RawWorld = (usize, Vec<RawOrg>, Vec<RawPerson>, Vec<RawEvent>);

fn date() -> impl Strategy<Value = Pd> {
    (0u8..3, 2018u32..=2022, 1u32..=12, 1u32..=31).prop_map(|(p, y, m, d)| Pd::new(p, y, m, d))
}

fn raw_world() -> impl Strategy<Value = RawWorld> {
    let org = (
        proptest::option::weighted(0.85, any::<Index>()),
        proptest::option::weighted(0.6, any::<Index>()),
        proptest::bool::weighted(0.25),
    );
    let position = (
        any::<Index>(),
        proptest::option::weighted(0.75, date()),
        proptest::option::weighted(0.6, date()),
        proptest::bool::weighted(0.85),
        0u8..8,
        proptest::option::weighted(0.7, date()),
    );
    let person = (
        proptest::option::weighted(0.4, any::<Index>()),
        proptest::option::weighted(0.3, any::<Index>()),
        proptest::bool::weighted(0.2),
        proptest::collection::vec(position, 0..=3),
    );
    let event = (
        any::<Index>(),
        date(),
        proptest::option::weighted(0.3, date()),
        proptest::option::weighted(0.3, any::<Index>()),
        proptest::collection::vec(any::<Index>(), 0..=2),
        proptest::collection::vec((any::<Index>(), any::<Index>()), 2..=4),
        any::<Index>(),
        proptest::bool::weighted(0.1),
    );
    (
        4usize..=6,
        proptest::collection::vec(org, 5..=9),
        proptest::collection::vec(person, 8..=14),
        proptest::collection::vec(event, 180..=220),
    )
}

/// The store after the first import, and after the second. The second import adds
/// positions and events, gives persons a country, moves organizations to another country
/// and replaces positions' `until`: every change that makes the store re-index the sides
/// of events it already holds.
#[derive(Debug, Clone)]
struct Worlds {
    first: World,
    last: World,
}

impl Worlds {
    /// The second import: every record of the final world that the first import did not
    /// already write as it is.
    fn second_jsonl(&self) -> String {
        let first: BTreeSet<String> = self.first.jsonl().lines().map(str::to_string).collect();
        let mut out = String::new();
        for line in self.last.jsonl().lines().filter(|l| !first.contains(*l)) {
            out.push_str(line);
            out.push('\n');
        }
        out
    }
}

fn build_worlds((n_countries, orgs, persons, events): RawWorld) -> Worlds {
    let mut entities = BTreeMap::new();
    let mut first_entities = BTreeMap::new();
    let countries: Vec<String> = COUNTRY_KEYS[..n_countries].iter().map(|s| s.to_string()).collect();
    let country = |i: &Index| countries[i.index(countries.len())].clone();
    let mut add = |e: Ent, first_country: Option<String>| {
        first_entities.insert(
            e.key.clone(),
            Ent {
                country: first_country,
                ..e.clone()
            },
        );
        entities.insert(e.key.clone(), e);
    };
    for c in &countries {
        let e = Ent {
            key: c.clone(),
            kind: Kind::Country,
            country: None,
            sector: None,
        };
        add(e, None);
    }
    for (key, c) in [("place:0", Some(countries[0].clone())), ("place:1", None)] {
        let e = Ent {
            key: key.into(),
            kind: Kind::Place,
            country: c.clone(),
            sector: None,
        };
        add(e, c);
    }
    for (i, (c, s, moved)) in orgs.iter().enumerate() {
        let final_country = c.as_ref().map(country);
        // A country given can be replaced, never removed: only an organization with a
        // country can have had another one.
        let first_country = match c {
            Some(ci) if *moved => Some(countries[(ci.index(countries.len()) + 1) % countries.len()].clone()),
            _ => final_country.clone(),
        };
        let e = Ent {
            key: format!("org:{i}"),
            kind: Kind::Organization,
            country: final_country,
            sector: s.as_ref().map(|s| SECTORS[s.index(SECTORS.len())]),
        };
        add(e, first_country);
    }
    // Positions are in organizations or countries; one per identity (type, from, to,
    // since), as a later record with the same identity would replace an earlier one.
    let holders: Vec<String> = (0..orgs.len())
        .map(|i| format!("org:{i}"))
        .chain(countries.iter().cloned())
        .collect();
    // (holder, organization, since) → (the position at the end, as the first import has it)
    let mut positions: BTreeMap<PositionId, (Pos, Option<Pos>)> = BTreeMap::new();
    for (i, (c, s, late_country, held)) in persons.iter().enumerate() {
        let key = format!("person:{i}");
        let e = Ent {
            key: key.clone(),
            kind: Kind::Person,
            country: c.as_ref().map(country),
            sector: s.as_ref().map(|s| SECTORS[s.index(SECTORS.len())]),
        };
        let first_country = if *late_country { None } else { e.country.clone() };
        add(e, first_country);
        for (org, since, until, ordered, phase, first_until) in held {
            let (mut since, mut until) = (*since, *until);
            // Mostly since ≤ until; sometimes left inverted (an empty interval).
            if let (Some(s), Some(u)) = (since, until) {
                if *ordered && u.last() < s.first() {
                    (since, until) = (Some(u), Some(s));
                }
            }
            let org = holders[org.index(holders.len())].clone();
            let last = Pos {
                person: key.clone(),
                org: org.clone(),
                since,
                until,
            };
            let first = match phase {
                6 => None,
                7 => Some(Pos {
                    until: *first_until,
                    ..last.clone()
                }),
                _ => Some(last.clone()),
            };
            positions.insert((key.clone(), org, since.map(|d| d.text())), (last, first));
        }
    }
    let all: Vec<String> = entities.keys().cloned().collect();
    let locations: Vec<String> = all
        .iter()
        .filter(|k| matches!(entities[*k].kind, Kind::Country | Kind::Place))
        .cloned()
        .collect();
    let mut evs = Vec::with_capacity(events.len());
    let mut first_evs = Vec::new();
    for (i, (t, date, end, location, domains, parts, tag, late)) in events.into_iter().enumerate() {
        let (event_type, roles) = EVENT_TYPES[t.index(EVENT_TYPES.len())];
        // The importer refuses an end date that ends before the date starts; any other
        // end date is kept, including one inside a coarser date.
        let end_date = end.filter(|e| e.last() >= date.first());
        let mut participants: Vec<(String, &'static str)> = Vec::new();
        for (e, r) in parts {
            let key = &all[e.index(all.len())];
            if participants.iter().all(|(k, _)| k != key) {
                participants.push((key.clone(), roles[r.index(roles.len())]));
            }
        }
        let mut ds: Vec<&'static str> = domains.iter().map(|d| DOMAINS[d.index(DOMAINS.len())]).collect();
        ds.dedup();
        let ev = Ev {
            // Keys whose order is not the generation order, so ties on the start day are
            // broken by something other than insertion.
            key: format!("ev:{}{i:03}", ["q", "b", "x", ""][tag.index(4)]),
            event_type,
            date,
            end_date,
            location: location.map(|l| locations[l.index(locations.len())].clone()),
            domains: ds,
            participants,
        };
        if !late {
            first_evs.push(ev.clone());
        }
        evs.push(ev);
    }
    let (last_positions, first_positions): (Vec<Pos>, Vec<Option<Pos>>) = positions.into_values().unzip();
    Worlds {
        first: World {
            entities: first_entities,
            countries: countries.clone(),
            positions: first_positions.into_iter().flatten().collect(),
            events: first_evs,
        },
        last: World {
            entities,
            countries,
            positions: last_positions,
            events: evs,
        },
    }
}

fn worlds() -> impl Strategy<Value = Worlds> {
    raw_world().prop_map(build_worlds)
}

impl World {
    /// The world as interchange v1 JSON Lines.
    fn jsonl(&self) -> String {
        let mut out = String::new();
        let mut line = |v: serde_json::Value| {
            out.push_str(&v.to_string());
            out.push('\n');
        };
        for e in self.entities.values() {
            let mut v =
                json!({"kind": "entity", "key": e.key, "type": e.kind.name(), "name": format!("Name of {}", e.key)});
            if let Some(c) = &e.country {
                v["country"] = json!(c);
            }
            if let Some(s) = e.sector {
                v["sector"] = json!(s);
            }
            line(v);
        }
        for p in &self.positions {
            let mut v = json!({"kind": "relation", "type": "holds_position", "from": p.person, "to": p.org});
            if let Some(s) = p.since {
                v["since"] = json!(s.text());
            }
            if let Some(u) = p.until {
                v["until"] = json!(u.text());
            }
            line(v);
        }
        for ev in &self.events {
            let participants: Vec<_> = ev
                .participants
                .iter()
                .map(|(e, r)| json!({"entity": e, "role": r}))
                .collect();
            let mut v = json!({"kind": "event", "key": ev.key, "type": ev.event_type, "date": ev.date.text(),
                               "domains": ev.domains, "participants": participants});
            if let Some(e) = ev.end_date {
                v["end_date"] = json!(e.text());
            }
            if let Some(l) = &ev.location {
                v["location"] = json!(l);
            }
            line(v);
        }
        out
    }
}

// ---------------------------------------------------------------------------------------
// The oracle.

/// One query: two countries, an optional domain and event type, optional bounds.
#[derive(Debug, Clone)]
struct Query {
    a: String,
    b: String,
    domain: Option<&'static str>,
    event_type: Option<&'static str>,
    since: Option<Pd>,
    until: Option<Pd>,
}

/// The event's interval: [date, end_date or date], each widened to its precision.
fn event_span(ev: &Ev) -> Span {
    Span {
        from: Some(ev.date.first()),
        to: Some(ev.end_date.unwrap_or(ev.date).last()),
    }
}

/// A position's interval: [since, until], an open end where absent, widened.
fn position_span(p: &Pos) -> Span {
    Span {
        from: p.since.map(|d| d.first()),
        to: p.until.map(|d| d.last()),
    }
}

impl World {
    /// The positions `person` holds during `at`.
    fn held<'a>(&'a self, person: &'a str, at: Span) -> impl Iterator<Item = &'a Ent> + 'a {
        self.positions
            .iter()
            .filter(move |p| p.person == person && share_a_day(position_span(p), at))
            .map(move |p| &self.entities[&p.org])
    }

    /// "An entity's side is: itself, for a country; its `country` field; or, for a person
    /// without one, the country of the organization it holds a position in at the event's
    /// date."
    fn sides(&self, key: &str, at: Span) -> BTreeSet<String> {
        let e = &self.entities[key];
        if e.kind == Kind::Country {
            return [e.key.clone()].into();
        }
        if let Some(c) = &e.country {
            return [c.clone()].into();
        }
        if e.kind != Kind::Person {
            return BTreeSet::new();
        }
        self.held(key, at)
            .filter_map(|org| {
                if org.kind == Kind::Country {
                    Some(org.key.clone())
                } else {
                    org.country.clone()
                }
            })
            .collect()
    }

    /// "A participant's sector is its own `sector`; for a person without one, the sectors
    /// of the organizations it holds a position in at the event's date."
    fn sectors(&self, key: &str, at: Span) -> BTreeSet<&'static str> {
        let e = &self.entities[key];
        if let Some(s) = e.sector {
            return [s].into();
        }
        if e.kind != Kind::Person {
            return BTreeSet::new();
        }
        self.held(key, at).filter_map(|org| org.sector).collect()
    }

    fn is_contact(&self, ev: &Ev, a: &str, b: &str) -> bool {
        let at = event_span(ev);
        let sides: Vec<BTreeSet<String>> = ev.participants.iter().map(|(k, _)| self.sides(k, at)).collect();
        (0..sides.len()).any(|i| (0..sides.len()).any(|j| i != j && sides[i].contains(a) && sides[j].contains(b)))
    }

    fn in_domain(&self, ev: &Ev, domain: &str) -> bool {
        if ev.domains.contains(&domain) {
            return true;
        }
        let at = event_span(ev);
        domain == "security"
            && ev
                .participants
                .iter()
                .any(|(k, _)| self.sectors(k, at).iter().any(|s| SECURITY_SECTORS.contains(s)))
    }

    /// The keys of the contacts `q` asks for, sorted by interval start then key; `None`
    /// when `--until` ends before `--since` starts (the query refuses such a window).
    fn oracle(&self, q: &Query) -> Option<Vec<String>> {
        if let (Some(s), Some(u)) = (q.since, q.until) {
            if u.last() < s.first() {
                return None;
            }
        }
        let mut found: Vec<(Ymd, &str)> = Vec::new();
        for ev in &self.events {
            let span = event_span(ev);
            // "--since 2022 includes every date whose interval overlaps 2022 or later";
            // "--until 2022-05 includes all of May 2022".
            if q.since.is_some_and(|s| span.to.unwrap() < s.first()) {
                continue;
            }
            if q.until.is_some_and(|u| span.from.unwrap() > u.last()) {
                continue;
            }
            if q.event_type.is_some_and(|t| t != ev.event_type) {
                continue;
            }
            if !self.is_contact(ev, &q.a, &q.b) {
                continue;
            }
            if q.domain.is_some_and(|d| !self.in_domain(ev, d)) {
                continue;
            }
            found.push((span.from.unwrap(), &ev.key));
        }
        found.sort();
        Some(found.into_iter().map(|(_, k)| k.to_string()).collect())
    }
}

// ---------------------------------------------------------------------------------------
// Queries.

/// A bound: none, any date, or an event's first or last day at some precision (so that
/// bounds fall exactly on event dates, at the event's precision and at others).
#[derive(Debug, Clone)]
enum RawBound {
    None,
    Date(Pd),
    Event {
        event: Index,
        end_date: bool,
        last_day: bool,
        precision: u8,
    },
}

type RawQuery = (Index, Index, Option<Index>, Option<Index>, RawBound, RawBound);

fn raw_bound() -> impl Strategy<Value = RawBound> {
    prop_oneof![
        3 => Just(RawBound::None),
        2 => date().prop_map(RawBound::Date),
        4 => (any::<Index>(), any::<bool>(), any::<bool>(), 0u8..3).prop_map(|(event, end_date, last_day, precision)| {
            RawBound::Event { event, end_date, last_day, precision }
        }),
    ]
}

fn raw_queries() -> impl Strategy<Value = Vec<RawQuery>> {
    proptest::collection::vec(
        (
            any::<Index>(),
            any::<Index>(),
            proptest::option::weighted(0.6, any::<Index>()),
            proptest::option::weighted(0.15, any::<Index>()),
            raw_bound(),
            raw_bound(),
        ),
        10..=14,
    )
}

fn build_bound(w: &World, b: &RawBound) -> Option<Pd> {
    match b {
        RawBound::None => None,
        RawBound::Date(d) => Some(*d),
        RawBound::Event {
            event,
            end_date,
            last_day,
            precision,
        } => {
            let ev = &w.events[event.index(w.events.len())];
            let base = if *end_date {
                ev.end_date.unwrap_or(ev.date)
            } else {
                ev.date
            };
            let (y, m, d) = if *last_day { base.last() } else { base.first() };
            Some(Pd::new(*precision, y, m, d))
        }
    }
}

fn build_query(w: &World, (a, b, domain, event_type, since, until): &RawQuery) -> Query {
    let n = w.countries.len();
    let ai = a.index(n);
    let mut bi = b.index(n - 1);
    if bi >= ai {
        bi += 1;
    }
    Query {
        a: w.countries[ai].clone(),
        b: w.countries[bi].clone(),
        domain: domain.as_ref().map(|d| DOMAINS[d.index(DOMAINS.len())]),
        event_type: event_type.as_ref().map(|t| EVENT_TYPES[t.index(EVENT_TYPES.len())].0),
        since: build_bound(w, since),
        until: build_bound(w, until),
    }
}

fn filter_of(q: &Query) -> ContactFilter {
    let parse = |d: Option<Pd>| d.map(|d| d.text().parse::<PartialDate>().expect("a valid date"));
    ContactFilter {
        domains: q.domain.iter().map(|d| d.to_string()).collect(),
        types: q.event_type.iter().map(|t| t.to_string()).collect(),
        since: parse(q.since),
        until: parse(q.until),
        ..ContactFilter::default()
    }
}

fn engine(name: &str) -> Engine {
    match name {
        "redb" => Engine::Redb,
        "sled" => Engine::Sled,
        other => panic!("unknown engine {other}"),
    }
}

fn import(store: &Store, vocab: &Vocab, jsonl: &str) {
    let input = Input {
        name: "world.jsonl".into(),
        reader: Box::new(jsonl.as_bytes()),
    };
    if let Err(e) = store.import(vec![input], vocab, &ImportOptions::default()) {
        panic!("import failed: {e}");
    }
}

/// Run `q` through the library and compare with the oracle.
fn check(store: &Store, vocab: &Vocab, w: &World, q: &Query) -> Result<(), TestCaseError> {
    let got = contacts(store, vocab, &q.a, &q.b, &filter_of(q));
    match (w.oracle(q), got) {
        (None, Err(QueryError::Invalid(_))) => Ok(()),
        (None, other) => Err(TestCaseError::fail(format!(
            "{q:?}: --until before --since should be refused, got {other:?}"
        ))),
        (Some(_), Err(e)) => Err(TestCaseError::fail(format!("{q:?}: {e}"))),
        (Some(expected), Ok(found)) => {
            let keys: Vec<String> = found.iter().map(|c| c.key.clone()).collect();
            prop_assert_eq!(&keys, &expected, "{:?} on {}", q, store.engine().name());
            for c in &found {
                let ev = w.events.iter().find(|e| e.key == c.key).unwrap();
                prop_assert_eq!(&c.date, &ev.date.text(), "the date keeps its precision");
                prop_assert_eq!(&c.end_date, &ev.end_date.map(|d| d.text()));
            }
            Ok(())
        }
    }
}

proptest! {
    #![proptest_config(Config {
        cases: 20,
        failure_persistence: None,
        max_shrink_iters: 256,
        ..Config::default()
    })]

    #[test]
    fn issue_3_contacts_match_the_contract_oracle(ws in worlds(), raw in raw_queries()) {
        let vocab = Vocab::embedded().expect("embedded ontology");
        let imports = [("first import", &ws.first, ws.first.jsonl()), ("second import", &ws.last, ws.second_jsonl())];
        for name in ENGINES {
            let dir = tempfile::tempdir().expect("temp dir");
            let store = Store::open(&dir.path().join("store.db"), OpenMode::CreateWith(engine(name)))
                .expect("store opens");
            for (step, w, jsonl) in &imports {
                import(&store, &vocab, jsonl);
                let queries: Vec<Query> = raw.iter().map(|r| build_query(w, r)).collect();
                for q in &queries {
                    check(&store, &vocab, w, q).map_err(|e| TestCaseError::fail(format!("after the {step}: {e}")))?;
                }
                // Every pair, without filters: the whole dyad index against the oracle.
                for a in &w.countries {
                    for b in &w.countries {
                        if a < b {
                            let q = Query { a: a.clone(), b: b.clone(), domain: None, event_type: None, since: None, until: None };
                            check(&store, &vocab, w, &q).map_err(|e| TestCaseError::fail(format!("after the {step}: {e}")))?;
                        }
                    }
                }
            }
        }
    }
}

/// The library and the binary give the same answer: one generated world imported with the
/// CLI, the same query asked of both, byte-identical JSON, and the oracle's keys.
#[test]
fn issue_3_contacts_library_equals_cli_json() {
    let mut runner = TestRunner::deterministic();
    let w = worlds().new_tree(&mut runner).expect("a world").current().last;
    let vocab = Vocab::embedded().expect("embedded ontology");
    // The pair with the most contacts in security since the first day of 2020.
    let mut best: Option<(usize, Query)> = None;
    for a in &w.countries {
        for b in &w.countries {
            if a < b {
                let q = Query {
                    a: a.clone(),
                    b: b.clone(),
                    domain: Some("security"),
                    event_type: None,
                    since: Some(Pd::new(0, 2020, 1, 1)),
                    until: Some(Pd::new(1, 2022, 6, 1)),
                };
                let n = w.oracle(&q).unwrap().len();
                if best.as_ref().is_none_or(|(m, _)| n > *m) {
                    best = Some((n, q));
                }
            }
        }
    }
    let (n, q) = best.unwrap();
    assert!(n > 0, "the deterministic world has security contacts");
    let expected = w.oracle(&q).unwrap();
    for name in ENGINES {
        let s = TestStore::new(name);
        s.import(&s.file("world.jsonl", w.jsonl())).ok();
        let cli = s
            .run(&[
                "contacts", &q.a, &q.b, "--domain", "security", "--since", "2020", "--until", "2022-06", "--format",
                "json",
            ])
            .ok()
            .stdout;
        // The binary has exited and released the store: open it with the library.
        let store = Store::open(&s.path, OpenMode::Existing).expect("store opens");
        let found = contacts(&store, &vocab, &q.a, &q.b, &filter_of(&q)).expect("contacts");
        let lib = serde_json::to_string_pretty(&found).unwrap() + "\n";
        assert_eq!(cli, lib, "engine {name}");
        let keys: Vec<String> = found.iter().map(|c| c.key.clone()).collect();
        assert_eq!(keys, expected, "engine {name}");
    }
}

/// Interchange v1: the event's interval is "[date, end_date or date] (each widened to its
/// precision)", so an event dated "2021" that ends "2021-03" is over by 2021-03-31 and is
/// not a contact `--since 2021-06` (an earlier version took the later of the two ends).
#[test]
fn issue_3_end_date_inside_a_coarser_date_ends_the_interval() {
    let data = [
        r#"{"kind":"entity","key":"AAA","type":"country","name":"Aland"}"#,
        r#"{"kind":"entity","key":"BBB","type":"country","name":"Bland"}"#,
        r#"{"kind":"event","key":"ev:q1","type":"talks","date":"2021","end_date":"2021-03","participants":[{"entity":"AAA","role":"participant"},{"entity":"BBB","role":"participant"}]}"#,
        r#"{"kind":"event","key":"ev:june","type":"talks","date":"2021-06","end_date":"2021-06-10","participants":[{"entity":"AAA","role":"participant"},{"entity":"BBB","role":"participant"}]}"#,
    ]
    .join("\n");
    for name in ENGINES {
        let s = TestStore::new(name);
        s.import(&s.file("q1.jsonl", &data)).ok();
        let keys = |args: &[&str]| -> Vec<String> {
            let mut all = vec!["contacts", "AAA", "BBB", "--format", "json"];
            all.extend_from_slice(args);
            let v: serde_json::Value = serde_json::from_str(&s.run(&all).ok().stdout).unwrap();
            v.as_array()
                .unwrap()
                .iter()
                .map(|c| c["key"].as_str().unwrap().to_string())
                .collect()
        };
        assert_eq!(keys(&["--since", "2021-04"]), ["ev:june"], "engine {name}");
        assert_eq!(keys(&["--since", "2021-06-11"]), Vec::<String>::new(), "engine {name}");
    }
}

/// A string of the generated file as the oracle's `&'static str` (the test leaks a few
/// hundred short strings once).
fn intern(s: &str) -> &'static str {
    Box::leak(s.to_string().into_boxed_str())
}

/// The oracle's world read back from the project's generator's JSON Lines.
fn world_of_jsonl(text: &str) -> World {
    let date = |v: &serde_json::Value| -> Option<Pd> {
        let s = v.as_str()?;
        let parts: Vec<u32> = s.split('-').map(|p| p.parse().expect("a number")).collect();
        Some(Pd::new(
            (parts.len() - 1) as u8,
            parts[0],
            parts.get(1).copied().unwrap_or(1),
            parts.get(2).copied().unwrap_or(1),
        ))
    };
    let mut w = World {
        entities: BTreeMap::new(),
        countries: Vec::new(),
        positions: Vec::new(),
        events: Vec::new(),
    };
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
        let s = |f: &str| v[f].as_str().map(str::to_string);
        match v["kind"].as_str().unwrap() {
            "entity" => {
                let kind = match v["type"].as_str().unwrap() {
                    "country" => Kind::Country,
                    "person" => Kind::Person,
                    "organization" => Kind::Organization,
                    "place" => Kind::Place,
                    other => panic!("entity type {other}"),
                };
                let key = s("key").unwrap();
                if kind == Kind::Country {
                    w.countries.push(key.clone());
                }
                let sector = v["sector"].as_str().map(intern);
                w.entities.insert(
                    key.clone(),
                    Ent {
                        key,
                        kind,
                        country: s("country"),
                        sector,
                    },
                );
            }
            "relation" => w.positions.push(Pos {
                person: s("from").unwrap(),
                org: s("to").unwrap(),
                since: date(&v["since"]),
                until: date(&v["until"]),
            }),
            "event" => w.events.push(Ev {
                key: s("key").unwrap(),
                event_type: intern(v["type"].as_str().unwrap()),
                date: date(&v["date"]).unwrap(),
                end_date: date(&v["end_date"]),
                location: s("location"),
                domains: v["domains"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|d| intern(d.as_str().unwrap()))
                    .collect(),
                participants: v["participants"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| {
                        (
                            p["entity"].as_str().unwrap().to_string(),
                            intern(p["role"].as_str().unwrap()),
                        )
                    })
                    .collect(),
            }),
            other => panic!("kind {other}"),
        }
    }
    w
}

/// Issue 12: the oracle at scale on the project's generator, with a third of the persons
/// written without country and sector, so that sides and sectors come from the positions
/// held at each event's date (gaps between posts, postings abroad, bounds at every
/// precision). The proptest worlds above are small; this one has thousands of events.
#[test]
fn issue_12_contacts_oracle_on_generated_events_with_persons_without_country_or_sector() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("gen.jsonl");
    crate::util::generate(4000, 12, 0.35, &file);
    let text = std::fs::read_to_string(&file).unwrap();
    let w = world_of_jsonl(&text);
    // The option did what it says, and the at-date rule decides contacts: persons without a
    // country who are a side at one event and no side at another.
    let unaffiliated: BTreeSet<&str> = w
        .entities
        .values()
        .filter(|e| e.kind == Kind::Person && e.country.is_none() && e.sector.is_none())
        .map(|e| e.key.as_str())
        .collect();
    let persons = w.entities.values().filter(|e| e.kind == Kind::Person).count();
    assert!(
        unaffiliated.len() * 5 > persons && unaffiliated.len() * 2 < persons,
        "{} of {persons}",
        unaffiliated.len()
    );
    let (mut with_side, mut without_side) = (0, 0);
    for ev in &w.events {
        for (k, _) in &ev.participants {
            if unaffiliated.contains(k.as_str()) {
                if w.sides(k, event_span(ev)).is_empty() {
                    without_side += 1;
                } else {
                    with_side += 1;
                }
            }
        }
    }
    assert!(
        with_side > 500 && without_side > 500,
        "{with_side} with a side, {without_side} without"
    );

    let vocab = Vocab::embedded().expect("embedded ontology");
    let top = &w.countries[..6];
    let bounds = [
        (None, None),
        (Some(Pd::new(0, 2005, 1, 1)), None),
        (Some(Pd::new(1, 2001, 3, 1)), Some(Pd::new(2, 2015, 6, 30))),
    ];
    let mut via_positions = 0;
    for name in ENGINES {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(&dir.path().join("store.db"), OpenMode::CreateWith(engine(name))).expect("store opens");
        import(&store, &vocab, &text);
        for (i, a) in top.iter().enumerate() {
            for b in &top[i + 1..] {
                for domain in [None, Some("security")] {
                    for (since, until) in bounds {
                        let q = Query {
                            a: a.clone(),
                            b: b.clone(),
                            domain,
                            event_type: None,
                            since,
                            until,
                        };
                        if let Err(e) = check(&store, &vocab, &w, &q) {
                            panic!("{name}: {e}");
                        }
                        if name == "redb" && domain.is_some() {
                            via_positions += w
                                .oracle(&q)
                                .unwrap()
                                .iter()
                                .filter(|k| {
                                    let ev = w.events.iter().find(|e| &e.key == *k).unwrap();
                                    ev.participants.iter().any(|(p, _)| unaffiliated.contains(p.as_str()))
                                })
                                .count();
                        }
                    }
                }
            }
        }
    }
    assert!(
        via_positions > 100,
        "security contacts with an unaffiliated participant: {via_positions}"
    );
}

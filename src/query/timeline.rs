//! The bilateral cooperation timeline: the contacts between two countries, rebuilt by
//! traversing a projection of those events and their neighbourhood.

use super::contacts::{contacts_with, Contact, ContactFilter, NamedRef};
use super::{resolve_country, QueryResult};
use crate::graph::{EdgeKind, NodeKind, Projection};
use crate::model::{overlaps, Event, PartialDate, Precision};
use crate::store::Store;
use crate::vocab::Vocab;
use petgraph::visit::EdgeRef;
use petgraph::Direction;
use serde::Serialize;
use std::collections::BTreeMap;

/// A timeline: periods of events in date order, and the actors involved.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Timeline {
    pub a: NamedRef,
    pub b: NamedRef,
    pub periods: Vec<TimelinePeriod>,
    pub actors: Vec<TimelineActor>,
}

impl Timeline {
    pub fn event_count(&self) -> usize {
        self.periods.iter().map(|p| p.events.len()).sum()
    }
}

/// A month ("2022-06") or, for events known only to the year, a year ("2023").
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelinePeriod {
    pub period: String,
    pub events: Vec<TimelineEvent>,
}

/// One event of the timeline, with each participant's offices at the time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelineEvent {
    #[serde(flatten)]
    pub contact: Contact,
}

/// An entity that took part in the timeline's events.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelineActor {
    pub key: String,
    pub name: String,
    #[serde(rename = "type")]
    pub entity_type: String,
    /// The sides it stood for across these events.
    pub sides: Vec<String>,
    /// Positions it held during at least one of these events.
    pub positions: Vec<ActorPosition>,
    /// Keys of its events in this timeline, in date order.
    pub events: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActorPosition {
    pub title: Option<String>,
    pub organization: NamedRef,
    pub since: Option<PartialDate>,
    pub until: Option<PartialDate>,
}

/// A position's place in an actor's list: by start, and of two that start on one day the
/// less precise first ("2022" before "2022-01"), as their written dates sort.
fn since_order(p: &ActorPosition) -> Option<(crate::model::Day, Precision)> {
    p.since.map(|d| (d.start(), d.precision()))
}

/// The period an event is filed under: its month, or its year when only the year is known.
fn period_of(date: &PartialDate) -> String {
    match date.precision() {
        Precision::Year => format!("{:04}", date.year_part()),
        _ => format!("{:04}-{:02}", date.year_part(), date.month_part().unwrap_or(1)),
    }
}

/// The cooperation timeline between countries `a` and `b`.
///
/// # Arguments
///
/// As [`contacts`](super::contacts).
///
/// # Returns
///
/// The contacts grouped into periods (a month, or a year for year-precision
/// events) in date order, and every participating actor with the sides it stood for and
/// the positions it held at the time of its events.
///
/// # Complexity
///
/// That of [`contacts`], plus loading each participant's positions.
///
/// # Example
///
/// `timeline(&store, vocab, "MAR", "DEU", &filter)` on the sample gives periods
/// 2022-06 and 2023 (the 2022-05 appointment has German participants only).
///
/// ```
/// # let dir = tempfile::tempdir()?;
/// # let db = dir.path().join("ma-de.db");
/// # let store = dipgraph::store::Store::open(&db, dipgraph::store::OpenMode::CreateWith(dipgraph::store::Engine::Redb))?;
/// # let vocab = dipgraph::vocab::Vocab::embedded()?;
/// # let sample = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/data/samples/morocco-germany.jsonl"))?;
/// # let input = dipgraph::store::Input { name: "sample".into(), reader: Box::new(sample.as_slice()) };
/// # store.import(vec![input], &vocab, &Default::default())?;
/// use dipgraph::query::{timeline, ContactFilter};
/// let t = timeline(&store, &vocab, "MAR", "DEU", &ContactFilter::default())?;
/// let periods: Vec<&str> = t.periods.iter().map(|p| p.period.as_str()).collect();
/// assert_eq!(periods, ["2022-06", "2023"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn timeline(store: &Store, vocab: &Vocab, a: &str, b: &str, filter: &ContactFilter) -> QueryResult<Timeline> {
    let (matched, mut builder) = contacts_with(store, vocab, a, b, filter, true)?;
    let (a, b) = (resolve_country(store, a)?, resolve_country(store, b)?);
    let named = |e: &crate::model::Entity| NamedRef {
        key: e.key.clone(),
        name: e.name.clone(),
    };
    let (a, b) = (named(builder.facts.entity(a)?), named(builder.facts.entity(b)?));

    // The neighbourhood: events, their participants and the positions those held, from
    // the records and positions the contacts query already loaded.
    let mut g = Projection::new();
    let mut event_nodes = Vec::with_capacity(matched.len());
    let mut found = Vec::with_capacity(matched.len());
    for m in matched {
        let n = g.add_loaded_event(m.id, Event::clone(&m.event));
        for p in &m.event.participants {
            let Some(pid) = builder.id(&p.entity)? else { continue };
            let e = builder.facts.entity(pid)?;
            let pn = g.add_node(NodeKind::Entity, pid, &e.key.clone(), &e.entity_type.clone());
            g.add_participation(pn, n, Some(p.role.clone()));
            for pos in builder.facts.positions(pid)?.to_vec() {
                let org = builder.facts.entity(pos.org)?;
                let on = g.add_node(NodeKind::Entity, pos.org, &org.key.clone(), &org.entity_type.clone());
                let kind = EdgeKind::Relation {
                    relation_type: "holds_position".into(),
                    title: pos.title.clone(),
                    since: pos.since,
                    until: pos.until,
                };
                g.add_relation_edge(pos.relation, pn, on, kind);
            }
        }
        event_nodes.push(n);
        found.push(m.contact);
    }

    let mut periods: Vec<TimelinePeriod> = Vec::new();
    let mut actors: BTreeMap<String, TimelineActor> = BTreeMap::new();
    for (c, &n) in found.iter().zip(&event_nodes) {
        let date: PartialDate = c.date.parse().map_err(|e| super::QueryError::Invalid(format!("{e}")))?;
        let period = period_of(&date);
        // A year-precision event starts on 1 January, so it can sort between two events of
        // January: file it under its period wherever that period already is.
        match periods.iter_mut().find(|p| p.period == period) {
            Some(p) => p.events.push(TimelineEvent { contact: c.clone() }),
            None => periods.push(TimelineEvent { contact: c.clone() }.into_period(period)),
        }
        for (p, _) in g.participants(n) {
            let node = &g.graph[p];
            let entry = match actors.get_mut(&node.key) {
                Some(e) => e,
                None => {
                    let e = store.entity(node.id)?;
                    actors.entry(node.key.clone()).or_insert(TimelineActor {
                        key: e.key,
                        name: e.name,
                        entity_type: e.entity_type,
                        sides: Vec::new(),
                        positions: Vec::new(),
                        events: Vec::new(),
                    })
                }
            };
            if !entry.events.contains(&c.key) {
                entry.events.push(c.key.clone());
            }
            if let Some(side) = c
                .participants
                .iter()
                .find(|cp| cp.key == node.key)
                .and_then(|cp| cp.side.clone())
            {
                if !entry.sides.contains(&side) {
                    entry.sides.push(side);
                }
            }
            // Positions: outgoing holds_position edges whose interval overlaps the event.
            for e in g.graph.edges_directed(p, Direction::Outgoing) {
                let EdgeKind::Relation {
                    relation_type,
                    title,
                    since,
                    until,
                } = &e.weight().kind
                else {
                    continue;
                };
                if relation_type != "holds_position" || g.graph[e.target()].kind != NodeKind::Entity {
                    continue;
                }
                let span = crate::model::day_window(since.as_ref(), until.as_ref());
                if !overlaps(span, c.interval) {
                    continue;
                }
                let org = store.entity(g.graph[e.target()].id)?;
                let pos = ActorPosition {
                    title: title.clone(),
                    organization: NamedRef {
                        key: org.key,
                        name: org.name,
                    },
                    since: *since,
                    until: *until,
                };
                if !entry.positions.contains(&pos) {
                    entry.positions.push(pos);
                }
            }
        }
    }
    // "2022" sorts before "2022-01": a year's year-precision events come first, as their
    // interval starts on its first day. The sort is stable, so events keep contact order.
    periods.sort_by(|x, y| x.period.cmp(&y.period));
    for actor in actors.values_mut() {
        actor.sides.sort();
        actor
            .positions
            .sort_by(|x, y| (since_order(x), &x.organization.key).cmp(&(since_order(y), &y.organization.key)));
    }
    Ok(Timeline {
        a,
        b,
        periods,
        actors: actors.into_values().collect(),
    })
}

impl TimelineEvent {
    fn into_period(self, period: String) -> TimelinePeriod {
        TimelinePeriod {
            period,
            events: vec![self],
        }
    }
}

//! The shortest chain of contacts between two entities, through events.

use super::{resolve, QueryError, QueryResult};
use crate::graph::NodeKind;
use crate::model::{overlaps, Day};
use crate::store::{Id, Store};
use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, Clone)]
pub struct PathOptions {
    /// Give up beyond this many edges.
    pub max_hops: Option<u32>,
    /// Entity types a chain may pass through (its two ends may be of any type);
    /// empty allows every type.
    pub through: Vec<String>,
    /// Only events whose interval overlaps this day range are used.
    pub window: (Day, Day),
}

impl Default for PathOptions {
    fn default() -> Self {
        PathOptions {
            max_hops: None,
            through: vec!["person".into()],
            window: (0, Day::MAX),
        }
    }
}

/// A chain: its length in edges (entity–event–entity is 2) and one step per event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Path {
    pub length: Option<u32>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<PathStep>,
}

/// `from` and `to` met at `event`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PathStep {
    pub from: String,
    pub from_role: String,
    pub event: String,
    #[serde(rename = "type")]
    pub event_type: String,
    pub date: String,
    pub title: Option<String>,
    pub to: String,
    pub to_role: String,
    /// The first source's quote, URL or document, citing the step.
    pub source: Option<String>,
}

type Node = (NodeKind, Id);

struct Search<'s> {
    store: &'s Store,
    opts: &'s PathOptions,
    ends: [Id; 2],
    types: HashMap<Id, String>,
}

impl Search<'_> {
    fn may_pass(&mut self, id: Id) -> QueryResult<bool> {
        if self.opts.through.is_empty() || self.ends.contains(&id) {
            return Ok(true);
        }
        if !self.types.contains_key(&id) {
            let t = self.store.entity(id)?.entity_type;
            self.types.insert(id, t);
        }
        Ok(self.opts.through.contains(&self.types[&id]))
    }

    fn next(&mut self, node: Node) -> QueryResult<Vec<Node>> {
        let mut out = Vec::new();
        match node {
            (NodeKind::Entity, id) => {
                for ev in self.store.entity_events(id)? {
                    if overlaps((ev.start, ev.end), self.opts.window) {
                        out.push((NodeKind::Event, ev.id));
                    }
                }
            }
            (NodeKind::Event, id) => {
                for m in self.store.event_members(id)? {
                    if self.may_pass(m)? {
                        out.push((NodeKind::Entity, m));
                    }
                }
            }
        }
        Ok(out)
    }
}

/// The shortest chain of contacts from `a` to `b`.
///
/// # Arguments
///
/// An open store, two names (any name, alias or key) and options.
///
/// # Returns
///
/// The length in edges and each step with both roles and a citation, or
/// `length: None` when no chain exists (within `max_hops`).
///
/// # Complexity
///
/// Bidirectional breadth-first search over participations; O(V + E) in the
/// worst case, usually far less because the smaller frontier is expanded first.
///
/// # Example
///
/// `path(&store, "Thomas Haldenwang", "Dieter Romann", &PathOptions::default())`
/// gives length 4: Haldenwang – BfV visit – Hammouchi – Romann visit – Romann.
///
/// ```
/// # let dir = tempfile::tempdir()?;
/// # let db = dir.path().join("ma-de.db");
/// # let store = dipgraph::store::Store::open(&db, dipgraph::store::OpenMode::CreateWith(dipgraph::store::Engine::Redb))?;
/// # let vocab = dipgraph::vocab::Vocab::embedded()?;
/// # let sample = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/data/samples/morocco-germany.jsonl"))?;
/// # let input = dipgraph::store::Input { name: "sample".into(), reader: Box::new(sample.as_slice()) };
/// # store.import(vec![input], &vocab, &Default::default())?;
/// use dipgraph::query::{path, PathOptions};
/// let p = path(&store, "Thomas Haldenwang", "Dieter Romann", &PathOptions::default())?;
/// assert_eq!(p.length, Some(4));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn path(store: &Store, a: &str, b: &str, opts: &PathOptions) -> QueryResult<Path> {
    let (from, to) = (resolve(store, a)?, resolve(store, b)?);
    if from == to {
        return Err(QueryError::Invalid(format!("\"{a}\" and \"{b}\" are the same entity")));
    }
    let mut s = Search {
        store,
        opts,
        ends: [from, to],
        types: HashMap::new(),
    };
    // parents[side]: node → (predecessor toward that side's end, distance).
    let mut parents: [HashMap<Node, (Option<Node>, u32)>; 2] = [HashMap::new(), HashMap::new()];
    let mut frontier: [Vec<Node>; 2] = [vec![(NodeKind::Entity, from)], vec![(NodeKind::Entity, to)]];
    parents[0].insert(frontier[0][0], (None, 0));
    parents[1].insert(frontier[1][0], (None, 0));
    let limit = opts.max_hops.unwrap_or(u32::MAX);
    let mut depth = [0u32, 0u32];
    let meet = loop {
        if frontier[0].is_empty() || frontier[1].is_empty() || depth[0] + depth[1] >= limit {
            break None;
        }
        let side = if frontier[0].len() <= frontier[1].len() { 0 } else { 1 };
        let other = 1 - side;
        let mut next_frontier = Vec::new();
        let mut meetings: Vec<(u32, Node)> = Vec::new();
        let current = std::mem::take(&mut frontier[side]);
        for node in current {
            let d = parents[side][&node].1;
            for n in s.next(node)? {
                if parents[side].contains_key(&n) {
                    continue;
                }
                parents[side].insert(n, (Some(node), d + 1));
                if let Some(&(_, od)) = parents[other].get(&n) {
                    meetings.push((d + 1 + od, n));
                }
                next_frontier.push(n);
            }
        }
        depth[side] += 1;
        next_frontier.sort_unstable();
        frontier[side] = next_frontier;
        if let Some(best) = meetings.into_iter().min() {
            if best.0 <= limit {
                break Some(best);
            }
            break None;
        }
    };
    let Some((length, middle)) = meet else {
        return Ok(Path {
            length: None,
            steps: Vec::new(),
        });
    };
    // Walk back from the meeting node to each end.
    let mut chain = vec![middle];
    let mut cur = middle;
    while let Some((Some(p), _)) = parents[0].get(&cur) {
        chain.push(*p);
        cur = *p;
    }
    chain.reverse();
    let mut cur = middle;
    while let Some((Some(p), _)) = parents[1].get(&cur) {
        chain.push(*p);
        cur = *p;
    }
    let mut steps = Vec::new();
    for w in chain.windows(3).step_by(2) {
        let [(_, e1), (_, ev), (_, e2)] = [w[0], w[1], w[2]];
        let event = store.event(ev)?;
        let (k1, k2) = (store.entity(e1)?.key, store.entity(e2)?.key);
        let role = |k: &str| {
            event
                .participants
                .iter()
                .filter(|p| p.entity == k)
                .map(|p| p.role.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let source = event
            .sources
            .first()
            .and_then(|s| s.quote.clone().or_else(|| s.url.clone()).or_else(|| s.doc.clone()));
        steps.push(PathStep {
            from_role: role(&k1),
            to_role: role(&k2),
            from: k1,
            event: event.key.clone(),
            event_type: event.event_type.clone(),
            date: event.date.to_string(),
            title: event.title.clone(),
            to: k2,
            source,
        });
    }
    Ok(Path {
        length: Some(length),
        steps,
    })
}

//! The ego network: everything within K hops of an entity in the graph of entities and
//! events joined by participations and relations.

use super::{resolve, QueryResult};
use crate::graph::{NodeKind, Projection};
use crate::model::{overlaps, Day};
use crate::store::{EventSummary, Id, Store};
use petgraph::visit::{EdgeRef, IntoEdgeReferences};
use serde::Serialize;
use std::collections::{BTreeSet, HashMap, VecDeque};

#[derive(Debug, Clone)]
pub struct NeighborsOptions {
    pub hops: u32,
    /// Only events whose interval overlaps this day range are traversed.
    pub window: (Day, Day),
}

impl Default for NeighborsOptions {
    fn default() -> Self {
        NeighborsOptions {
            hops: 1,
            window: (0, Day::MAX),
        }
    }
}

/// The induced subgraph on every node within `hops` of the centre.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Neighborhood {
    pub center: String,
    /// Node keys, sorted.
    pub nodes: Vec<String>,
    /// Each edge once, as [lower key, higher key], sorted.
    pub edges: Vec<[String; 2]>,
    /// For text output: each node's kind, type and distance, in node order.
    #[serde(skip)]
    pub details: Vec<NodeDetail>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeDetail {
    pub key: String,
    /// An entity's name, or an event's title if it has one.
    pub name: Option<String>,
    /// Entity type, or "event:<event type>".
    pub node_type: String,
    pub hops: u32,
}

/// The ego network of the entity `name`.
///
/// # Arguments
///
/// An open store, any name, alias or key, and options (hops, date window).
///
/// # Returns
///
/// The induced subgraph on all nodes within `hops` edges of the entity, where the
/// graph's nodes are entities and events and its edges are participations (entity–event)
/// and relations (entity–entity); the same answer as `networkx.ego_graph(G, X, radius=K)`.
///
/// # Complexity
///
/// O(V + E) index entries and records for the V nodes and E edges within
/// `hops + 1` of the entity.
///
/// # Example
///
/// `neighbors(&store, "Dieter Romann", &NeighborsOptions { hops: 2, .. })` reaches
/// his two events and the Federal Police, then Hammouchi and the BfV-free rest of those events.
///
/// ```
/// # let dir = tempfile::tempdir()?;
/// # let db = dir.path().join("ma-de.db");
/// # let store = dipgraph::store::Store::open(&db, dipgraph::store::OpenMode::CreateWith(dipgraph::store::Engine::Redb))?;
/// # let vocab = dipgraph::vocab::Vocab::embedded()?;
/// # let sample = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/data/samples/morocco-germany.jsonl"))?;
/// # let input = dipgraph::store::Input { name: "sample".into(), reader: Box::new(sample.as_slice()) };
/// # store.import(vec![input], &vocab, &Default::default())?;
/// use dipgraph::query::{neighbors, NeighborsOptions};
/// let n = neighbors(&store, "Dieter Romann", &NeighborsOptions { hops: 2, ..Default::default() })?;
/// assert_eq!(n.nodes.len(), 5);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn neighbors(store: &Store, name: &str, opts: &NeighborsOptions) -> QueryResult<Neighborhood> {
    let center = resolve(store, name)?;
    let mut dist: HashMap<(NodeKind, Id), u32> = HashMap::new();
    let mut queue = VecDeque::new();
    dist.insert((NodeKind::Entity, center), 0);
    queue.push_back((NodeKind::Entity, center));
    // Each event's summary (key, type, members), read once: the walk needs the members,
    // the induced subgraph needs all of it.
    let mut summaries: HashMap<Id, EventSummary> = HashMap::new();
    let mut entity_ids: HashMap<String, Id> = HashMap::new();
    let mut id_of = |key: &str| -> QueryResult<Option<Id>> {
        if let Some(id) = entity_ids.get(key) {
            return Ok(Some(*id));
        }
        let id = store.entity_id(key)?;
        if let Some(id) = id {
            entity_ids.insert(key.to_string(), id);
        }
        Ok(id)
    };
    while let Some(node) = queue.pop_front() {
        let d = dist[&node];
        if d >= opts.hops {
            continue;
        }
        let mut next = Vec::new();
        match node {
            (NodeKind::Entity, id) => {
                for ev in store.entity_events(id)? {
                    if overlaps((ev.start, ev.end), opts.window) {
                        next.push((NodeKind::Event, ev.id));
                    }
                }
                for (_, r) in store.entity_relations(id)? {
                    for end in [&r.from, &r.to] {
                        if let Some(other) = id_of(end)? {
                            if other != id {
                                next.push((NodeKind::Entity, other));
                            }
                        }
                    }
                }
            }
            (NodeKind::Event, id) => {
                let summary = store.event_summary(id)?;
                next.extend(summary.members.iter().map(|&m| (NodeKind::Entity, m)));
                summaries.insert(id, summary);
            }
        }
        for n in next {
            if let std::collections::hash_map::Entry::Vacant(v) = dist.entry(n) {
                v.insert(d + 1);
                queue.push_back(n);
            }
        }
    }

    // The induced subgraph, as a projection: every participation of an event in the set
    // and every relation between two entities in the set.
    let mut g = Projection::new();
    let mut nodes: Vec<&(NodeKind, Id)> = dist.keys().collect();
    nodes.sort();
    for &&(kind, id) in &nodes {
        match kind {
            NodeKind::Entity => {
                g.entity(store, id)?;
            }
            NodeKind::Event => {
                // Events at the last hop were not expanded, so their summaries are read now.
                if let std::collections::hash_map::Entry::Vacant(v) = summaries.entry(id) {
                    v.insert(store.event_summary(id)?);
                }
                g.event_summary_node(id, &summaries[&id]);
            }
        }
    }
    for &&(kind, id) in &nodes {
        match kind {
            NodeKind::Event => {
                let en = g.node(NodeKind::Event, id).expect("added above");
                for &m in &summaries[&id].members {
                    if let Some(mn) = g.node(NodeKind::Entity, m) {
                        g.add_participation(mn, en, None);
                    }
                }
            }
            NodeKind::Entity => {
                for (rid, r) in store.entity_relations(id)? {
                    let (Some(f), Some(t)) = (id_of(&r.from)?, id_of(&r.to)?) else {
                        continue;
                    };
                    if dist.contains_key(&(NodeKind::Entity, f)) && dist.contains_key(&(NodeKind::Entity, t)) {
                        g.add_relation(store, rid, &r)?;
                    }
                }
            }
        }
    }

    let mut edges: BTreeSet<[String; 2]> = BTreeSet::new();
    for e in (&g.graph).edge_references() {
        let (a, b) = (&g.graph[e.source()].key, &g.graph[e.target()].key);
        if a != b {
            let pair = if a <= b {
                [a.clone(), b.clone()]
            } else {
                [b.clone(), a.clone()]
            };
            edges.insert(pair);
        }
    }
    let mut details: Vec<NodeDetail> = Vec::with_capacity(nodes.len());
    for n in g.graph.node_indices() {
        let node = &g.graph[n];
        let (node_type, name) = match node.kind {
            NodeKind::Entity => (node.node_type.clone(), Some(store.entity(node.id)?.name)),
            NodeKind::Event => (format!("event:{}", node.node_type), store.event(node.id)?.title),
        };
        details.push(NodeDetail {
            key: node.key.clone(),
            name,
            node_type,
            hops: dist[&(node.kind, node.id)],
        });
    }
    details.sort_by(|a, b| (a.hops, &a.key).cmp(&(b.hops, &b.key)));
    let mut keys: Vec<String> = details.iter().map(|d| d.key.clone()).collect();
    keys.sort();
    keys.dedup();
    Ok(Neighborhood {
        center: store.entity(center)?.key,
        nodes: keys,
        edges: edges.into_iter().collect(),
        details,
    })
}

//! A petgraph `StableGraph` of entities and events loaded from the store on demand.

use crate::model::{Event, PartialDate, Relation};
use crate::store::{EventSummary, Id, Store, StoreResult};
use petgraph::stable_graph::{EdgeIndex, NodeIndex, StableDiGraph};
use petgraph::visit::EdgeRef;
use petgraph::Direction;
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NodeKind {
    Entity,
    Event,
}

/// A node: an entity or an event, by store id and public key.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectionNode {
    pub kind: NodeKind,
    pub id: Id,
    pub key: String,
    /// The entity type, or the event type.
    pub node_type: String,
}

/// What an edge means.
#[derive(Debug, Clone, PartialEq)]
pub enum EdgeKind {
    /// entity → event, with the entity's role in the event when it was loaded.
    Participation { role: Option<String> },
    /// from → to, a relation record.
    Relation {
        relation_type: String,
        title: Option<String>,
        since: Option<PartialDate>,
        until: Option<PartialDate>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProjectionEdge {
    pub kind: EdgeKind,
}

/// The projection. Edges point entity → event for participations and from → to for
/// relations; traversals that ignore direction use `neighbors_undirected`.
#[derive(Default)]
pub struct Projection {
    pub graph: StableDiGraph<ProjectionNode, ProjectionEdge>,
    index: HashMap<(NodeKind, Id), NodeIndex>,
    /// Event records loaded with [`Projection::add_event`].
    events: HashMap<Id, Event>,
    /// Relations already added, by relation id.
    relations: HashMap<Id, EdgeIndex>,
}

impl Projection {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn node(&self, kind: NodeKind, id: Id) -> Option<NodeIndex> {
        self.index.get(&(kind, id)).copied()
    }

    /// The node of (kind, id), adding it with this key and type if absent.
    pub fn add_node(&mut self, kind: NodeKind, id: Id, key: &str, node_type: &str) -> NodeIndex {
        if let Some(&n) = self.index.get(&(kind, id)) {
            return n;
        }
        let n = self.graph.add_node(ProjectionNode {
            kind,
            id,
            key: key.to_string(),
            node_type: node_type.to_string(),
        });
        self.index.insert((kind, id), n);
        n
    }

    /// The node of entity `id`, adding it (with its key from the store) if absent.
    pub fn entity(&mut self, store: &Store, id: Id) -> StoreResult<NodeIndex> {
        match self.node(NodeKind::Entity, id) {
            Some(n) => Ok(n),
            None => {
                let e = store.entity(id)?;
                Ok(self.add_node(NodeKind::Entity, id, &e.key, &e.entity_type))
            }
        }
    }

    /// The node of event `id` without its participations, adding it if absent. Reads the
    /// event's summary (key and type), not its record.
    pub fn event_node(&mut self, store: &Store, id: Id) -> StoreResult<NodeIndex> {
        match self.node(NodeKind::Event, id) {
            Some(n) => Ok(n),
            None => {
                let summary = store.event_summary(id)?;
                Ok(self.event_summary_node(id, &summary))
            }
        }
    }

    /// The node of event `id`, named from a summary already read, adding it if absent.
    pub fn event_summary_node(&mut self, id: Id, summary: &EventSummary) -> NodeIndex {
        match self.node(NodeKind::Event, id) {
            Some(n) => n,
            None => self.add_node(NodeKind::Event, id, &summary.key, &summary.event_type),
        }
    }

    /// Add one participation edge (entity → event).
    pub fn add_participation(&mut self, entity: NodeIndex, event: NodeIndex, role: Option<String>) -> EdgeIndex {
        self.graph.add_edge(
            entity,
            event,
            ProjectionEdge {
                kind: EdgeKind::Participation { role },
            },
        )
    }

    /// Add event `id` with one participation edge per participant (the event record's
    /// roles), adding participant nodes as needed. Idempotent.
    pub fn add_event(&mut self, store: &Store, id: Id) -> StoreResult<NodeIndex> {
        if let Some(n) = self.node(NodeKind::Event, id) {
            if self.events.contains_key(&id) {
                return Ok(n);
            }
        }
        let event = store.event(id)?;
        let n = self.add_node(NodeKind::Event, id, &event.key, &event.event_type);
        for p in &event.participants {
            let Some(pid) = store.entity_id(&p.entity)? else {
                continue;
            };
            let pn = self.entity(store, pid)?;
            self.add_participation(pn, n, Some(p.role.clone()));
        }
        self.events.insert(id, event);
        Ok(n)
    }

    /// Add an event whose record the caller already holds (no store read), without its
    /// participations: the caller adds them with [`Projection::add_participation`].
    pub fn add_loaded_event(&mut self, id: Id, event: Event) -> NodeIndex {
        let n = self.add_node(NodeKind::Event, id, &event.key, &event.event_type);
        self.events.insert(id, event);
        n
    }

    /// Add relation edge `rid` between two nodes already present, unless it is there.
    pub fn add_relation_edge(&mut self, rid: Id, from: NodeIndex, to: NodeIndex, kind: EdgeKind) -> EdgeIndex {
        if let Some(&e) = self.relations.get(&rid) {
            return e;
        }
        let e = self.graph.add_edge(from, to, ProjectionEdge { kind });
        self.relations.insert(rid, e);
        e
    }

    /// Add relation `rid` (from → to) unless it is already there.
    pub fn add_relation(&mut self, store: &Store, rid: Id, r: &Relation) -> StoreResult<Option<EdgeIndex>> {
        if let Some(&e) = self.relations.get(&rid) {
            return Ok(Some(e));
        }
        let (Some(from), Some(to)) = (store.entity_id(&r.from)?, store.entity_id(&r.to)?) else {
            return Ok(None);
        };
        let (a, b) = (self.entity(store, from)?, self.entity(store, to)?);
        let e = self.graph.add_edge(
            a,
            b,
            ProjectionEdge {
                kind: EdgeKind::Relation {
                    relation_type: r.relation_type.clone(),
                    title: r.title.clone(),
                    since: r.since,
                    until: r.until,
                },
            },
        );
        self.relations.insert(rid, e);
        Ok(Some(e))
    }

    /// The loaded event record behind an event node.
    pub fn event(&self, id: Id) -> Option<&Event> {
        self.events.get(&id)
    }

    /// Participants of an event node, as (entity node, role), in the event record's order.
    pub fn participants(&self, event: NodeIndex) -> Vec<(NodeIndex, Option<&str>)> {
        let mut out: Vec<(EdgeIndex, NodeIndex, Option<&str>)> = self
            .graph
            .edges_directed(event, Direction::Incoming)
            .filter_map(|e| match &e.weight().kind {
                EdgeKind::Participation { role } => Some((e.id(), e.source(), role.as_deref())),
                EdgeKind::Relation { .. } => None,
            })
            .collect();
        // Edges were added in record order; edge indices preserve it.
        out.sort_by_key(|(e, _, _)| e.index());
        out.into_iter().map(|(_, n, r)| (n, r)).collect()
    }
}

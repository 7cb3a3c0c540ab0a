//! The graph projection: the part of the store a query needs, as a petgraph
//! `StableGraph` whose nodes are entities and events and whose edges carry roles
//! (participations) or relation types. Events are nodes, so repeated contacts between the
//! same people stay distinct — never pairwise edges that would merge them.

mod facts;
mod projection;

pub use facts::{Facts, Position};
pub use projection::{EdgeKind, NodeKind, Projection, ProjectionEdge, ProjectionNode};

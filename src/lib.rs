//! dipgraph: an embedded knowledge-graph database of diplomatic events.
//!
//! Data flows one way, and a module imports only modules to its left:
//!
//! ```text
//!  text / JSONL / CSV / GraphML
//!        │  ingest (readers, validation)      extract (articles → records → ingest)
//!        ▼
//!  ValidatedBatch ──► store (apply: records + indexes, one atomic write; kv seam: sled | redb)
//!                        │
//!                        ▼
//!                     graph (petgraph projection) ──► query ──► export (interchange, GraphML, …)
//! ```
//!
//! - [`model`]: domain types (entities, relations, events, partial dates, ids).
//! - [`vocab`]: the ontology from `schema/`.
//! - [`ingest`]: interchange readers and validation; asks the store through [`ingest::KeyLookup`].
//! - [`store`]: key encoding, value codec, indexes, `apply`, import; [`store::kv`] is the engine seam.
//! - [`graph`]: the petgraph projection and sides/sectors at a date.
//! - [`query`]: contacts, timeline, entity, search, neighbors, path.
//! - [`export`]: writers that take records, never a store.
//! - [`cli`]: clap definitions and thin commands used by the `dipgraph` binary.

pub mod cli;
pub mod export;
pub mod extract;
pub mod graph;
pub mod ingest;
pub mod model;
pub mod query;
pub mod store;
pub mod vocab;

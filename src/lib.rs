//! dipgraph: an embedded knowledge-graph database of diplomatic events.
//!
//! A store in a directory, the bundled Morocco–Germany sample imported into it, and the
//! question the sample was built for: the security contacts between the two since 2022.
//!
//! ```
//! use dipgraph::query::{self, ContactFilter};
//! use dipgraph::store::{Engine, ImportOptions, Input, OpenMode, Store};
//! use dipgraph::vocab::Vocab;
//!
//! let dir = tempfile::tempdir()?;
//! let store = Store::open(&dir.path().join("ma-de.db"), OpenMode::CreateWith(Engine::Redb))?;
//! let vocab = Vocab::embedded()?;
//! let sample = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/data/samples/morocco-germany.jsonl"))?;
//! let input = Input {
//!     name: "morocco-germany.jsonl".into(),
//!     reader: Box::new(sample.as_slice()),
//! };
//! let report = store.import(vec![input], &vocab, &ImportOptions::default())?;
//! assert_eq!(report.records_written, 30);
//!
//! let filter = ContactFilter {
//!     domains: vec!["security".into()],
//!     since: Some("2022".parse()?),
//!     ..ContactFilter::default()
//! };
//! let contacts = query::contacts(&store, &vocab, "Morocco", "Germany", &filter)?;
//! let keys: Vec<&str> = contacts.iter().map(|c| c.key.as_str()).collect();
//! assert_eq!(keys.len(), 4);
//! assert!(keys.contains(&"ev:2023-bfv-visit-rabat"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
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

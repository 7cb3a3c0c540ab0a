//! Writers. Every exporter takes records, iterators or query results, never a store.

pub mod interchange;
pub mod report;

pub use interchange::InterchangeWriter;

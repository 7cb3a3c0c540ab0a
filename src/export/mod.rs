//! Writers. Every exporter takes records or iterators, never a store.

pub mod interchange;

pub use interchange::InterchangeWriter;

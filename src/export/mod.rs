//! Writers. Every exporter takes records, iterators or query results, never a store.

pub mod csv;
pub mod file;
pub mod gexf;
pub mod graphml;
pub mod interchange;
pub mod nodelink;
pub mod report;
pub mod subgraph;
pub mod timeline_html;
pub mod timeline_svg;

pub use interchange::InterchangeWriter;

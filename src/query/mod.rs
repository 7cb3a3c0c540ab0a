//! Queries: bilateral contacts, timelines, entities, search, neighbourhoods and paths.
//!
//! Every query takes an open store and typed options and returns plain data, sorted so
//! that output never depends on insertion or hash order. Nothing here prints.

mod contacts;
mod entity;
mod neighbors;
mod path;
mod resolve;
mod search;
mod subgraph;
mod timeline;

pub use contacts::{contacts, Contact, ContactFilter, ContactParticipant, NamedRef, StatusFilter};
pub use entity::{entity, EntityEvent, EntityReport, PositionReport};
pub use neighbors::{neighbors, Neighborhood, NeighborsOptions};
pub use path::{path, Path, PathOptions, PathStep};
pub use resolve::{resolve, resolve_country, Candidate};
pub use search::{search, SearchHit};
pub use subgraph::{key_clashes, select, Selection, Selector};
pub use timeline::{timeline, Timeline, TimelineActor, TimelineEvent, TimelinePeriod};

use crate::store::StoreError;

/// A query error: a name that resolves to nothing or to several entities, a bad filter, or
/// a store failure.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    #[error("no entity matches \"{0}\"")]
    NotFound(String),
    #[error("\"{name}\" is ambiguous: it matches {}", candidates.iter().map(|c| c.to_string()).collect::<Vec<_>>().join("; "))]
    Ambiguous { name: String, candidates: Vec<Candidate> },
    #[error("\"{name}\" is {what}, not a country")]
    NotACountry { name: String, what: String },
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub type QueryResult<T> = Result<T, QueryError>;

/// Parse a date given on the command line, naming the option in the error.
pub fn parse_date_option(option: &str, value: &str) -> QueryResult<crate::model::PartialDate> {
    value.parse().map_err(|e| QueryError::Invalid(format!("{option}: {e}")))
}

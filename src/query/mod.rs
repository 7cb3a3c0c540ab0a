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

use crate::model::{day_window, DayRange, PartialDate};
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
pub fn parse_date_option(option: &str, value: &str) -> QueryResult<PartialDate> {
    value.parse().map_err(|e| QueryError::Invalid(format!("{option}: {e}")))
}

/// A date window as `--since` and `--until` give it: each bound a date of any precision,
/// open where it is absent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DateWindow {
    pub since: Option<PartialDate>,
    pub until: Option<PartialDate>,
}

impl DateWindow {
    /// Parse the values of `--since` and `--until`, naming the option in an error; an
    /// `until` that ends before `since` starts is an error too.
    pub fn parse(since: Option<&str>, until: Option<&str>) -> QueryResult<DateWindow> {
        let window = DateWindow {
            since: since.map(|d| parse_date_option("--since", d)).transpose()?,
            until: until.map(|d| parse_date_option("--until", d)).transpose()?,
        };
        window.check()?;
        Ok(window)
    }

    /// An error if `until` ends before `since` starts: such a window holds no day.
    pub fn check(&self) -> QueryResult<()> {
        match (self.since, self.until) {
            (Some(s), Some(u)) if u.end() < s.start() => {
                Err(QueryError::Invalid(format!("--until {u} is before --since {s}")))
            }
            _ => Ok(()),
        }
    }

    /// The days of the window (see [`day_window`]).
    pub fn days(&self) -> DayRange {
        day_window(self.since.as_ref(), self.until.as_ref())
    }
}

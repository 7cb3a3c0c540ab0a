//! Domain types: the records of the interchange format, as the rest of the crate sees them.
//!
//! References between records are the users' keys (strings), exactly as in the
//! interchange format; the store maps keys to dense internal ids for its indexes.

mod date;
mod ids;
mod sides;
mod text;

pub use date::{day_window, days_in_month, interval, overlaps, DateError, Day, DayRange, PartialDate, Precision};
pub use ids::{derived_event_key, entity_uuid, event_uuid, relation_uuid, NAMESPACE};
pub use sides::standing_at;
pub use text::{fold_char, fold_name};

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A scalar property value: the interchange format allows strings, numbers and booleans.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum PropValue {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
}

/// Equality as stored: two floats are equal when their bits are (so `-0.0` and `0.0`
/// differ, and re-importing one over the other is an update).
impl PartialEq for PropValue {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (PropValue::Str(a), PropValue::Str(b)) => a == b,
            (PropValue::Int(a), PropValue::Int(b)) => a == b,
            (PropValue::Float(a), PropValue::Float(b)) => a.to_bits() == b.to_bits(),
            (PropValue::Bool(a), PropValue::Bool(b)) => a == b,
            _ => false,
        }
    }
}

/// Free-form properties, kept sorted by name so that output never depends on input order.
pub type Props = BTreeMap<String, PropValue>;

/// A country, person, organization or place (types come from schema/).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    pub key: String,
    pub entity_type: String,
    pub name: String,
    /// Other names in any script; never contains `name`, no duplicates, in first-seen order.
    pub aliases: Vec<String>,
    pub country: Option<String>,
    pub sector: Option<String>,
    pub props: Props,
}

/// A typed, dated link between two entities, e.g. a person holding a position.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Relation {
    pub relation_type: String,
    pub from: String,
    pub to: String,
    pub title: Option<String>,
    pub since: Option<PartialDate>,
    pub until: Option<PartialDate>,
    pub props: Props,
}

impl Relation {
    /// What makes two relation records the same relation: re-importing one with the
    /// same identity updates it instead of adding a second one.
    pub fn identity(&self) -> RelationId {
        RelationId {
            relation_type: self.relation_type.clone(),
            from: self.from.clone(),
            to: self.to.clone(),
            since: self.since,
        }
    }

    /// `[since, until]` widened to their precision, open where a bound is absent.
    pub fn interval(&self) -> DayRange {
        day_window(self.since.as_ref(), self.until.as_ref())
    }
}

/// The identity of a relation: its type, endpoints and start.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RelationId {
    pub relation_type: String,
    pub from: String,
    pub to: String,
    pub since: Option<PartialDate>,
}

/// One entity's part in an event.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Participant {
    pub entity: String,
    pub role: String,
}

/// Where an event was reported, and the sentence that says so.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Source {
    pub url: Option<String>,
    pub doc: Option<String>,
    pub published: Option<String>,
    pub quote: Option<String>,
    pub lang: Option<String>,
}

/// A dated diplomatic event with role-carrying participants.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Event {
    pub key: String,
    pub event_type: String,
    pub date: PartialDate,
    pub end_date: Option<PartialDate>,
    pub location: Option<String>,
    pub domains: Vec<String>,
    pub participants: Vec<Participant>,
    pub title: Option<String>,
    pub sources: Vec<Source>,
    pub confidence: Option<f64>,
    /// Whether the event took place as reported, or was only announced, called off or
    /// denied (interchange v1.1).
    pub status: EventStatus,
    pub props: Props,
}

/// Equality as stored, field by field; `confidence` by its bits, as [`PropValue`] floats.
impl PartialEq for Event {
    fn eq(&self, o: &Self) -> bool {
        // Destructured so that a new field cannot be left out of the comparison.
        let Event {
            key,
            event_type,
            date,
            end_date,
            location,
            domains,
            participants,
            title,
            sources,
            confidence,
            status,
            props,
        } = self;
        *key == o.key
            && *event_type == o.event_type
            && *date == o.date
            && *end_date == o.end_date
            && *location == o.location
            && *domains == o.domains
            && *participants == o.participants
            && *title == o.title
            && *sources == o.sources
            && confidence.map(f64::to_bits) == o.confidence.map(f64::to_bits)
            && *status == o.status
            && *props == o.props
    }
}

/// An event's modality. Only `Reported` events are contacts unless a query asks for others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EventStatus {
    /// Reported as having happened; the default when a record names no status.
    #[default]
    Reported,
    /// Announced, not yet done when reported.
    Planned,
    /// Called off or postponed.
    Cancelled,
    /// Officially denied.
    Denied,
}

impl EventStatus {
    /// Every status, in the order the interchange format lists them.
    pub const ALL: [EventStatus; 4] = [
        EventStatus::Reported,
        EventStatus::Planned,
        EventStatus::Cancelled,
        EventStatus::Denied,
    ];

    /// The interchange name.
    pub fn as_str(self) -> &'static str {
        match self {
            EventStatus::Reported => "reported",
            EventStatus::Planned => "planned",
            EventStatus::Cancelled => "cancelled",
            EventStatus::Denied => "denied",
        }
    }

    pub fn is_reported(&self) -> bool {
        *self == EventStatus::Reported
    }
}

impl std::fmt::Display for EventStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for EventStatus {
    type Err = String;

    /// Parse an interchange name; the error lists the allowed ones.
    fn from_str(s: &str) -> Result<Self, String> {
        EventStatus::ALL.into_iter().find(|st| st.as_str() == s).ok_or_else(|| {
            let allowed: Vec<&str> = EventStatus::ALL.iter().map(|st| st.as_str()).collect();
            format!(
                "unknown status \"{}\": allowed are {}",
                s.escape_debug(),
                allowed.join(", ")
            )
        })
    }
}

impl Event {
    /// `[date, end_date]` widened to their precision.
    pub fn interval(&self) -> DayRange {
        interval(&self.date, self.end_date.as_ref())
    }
}

/// One line of an interchange file.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    Entity(Entity),
    Relation(Relation),
    Event(Event),
}

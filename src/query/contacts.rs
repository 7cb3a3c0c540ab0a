//! Bilateral contacts: the events in which one participant stands for country A and
//! another for country B, answered from the dyad index.

use super::{resolve_country, QueryError, QueryResult};
use crate::graph::Facts;
use crate::model::{Day, Event, EventStatus, PartialDate, Source};
use crate::store::{Id, Store};
use crate::vocab::Vocab;
use rustc_hash::FxHashMap as HashMap;
use serde::Serialize;

/// Which contacts to keep. Empty lists keep everything.
#[derive(Debug, Clone, Default)]
pub struct ContactFilter {
    /// Keep events in at least one of these domains (see [`Facts::in_domain`]).
    pub domains: Vec<String>,
    /// Keep events of one of these types.
    pub types: Vec<String>,
    /// Keep events whose interval reaches `since` or later.
    pub since: Option<PartialDate>,
    /// Keep events whose interval starts by the end of `until`.
    pub until: Option<PartialDate>,
    /// Keep events of these statuses; by default only reported ones.
    pub statuses: StatusFilter,
}

/// The event statuses a query counts. The default is `reported` alone: a planned,
/// cancelled or denied event is no contact unless the query asks for it (interchange v1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusFilter {
    /// One bit per status, by its position in [`EventStatus::ALL`].
    bits: u8,
}

impl Default for StatusFilter {
    fn default() -> Self {
        StatusFilter::only(&[EventStatus::Reported])
    }
}

impl StatusFilter {
    fn bit(s: EventStatus) -> u8 {
        1 << EventStatus::ALL.iter().position(|x| *x == s).unwrap_or(0)
    }

    /// Exactly these statuses.
    pub fn only(statuses: &[EventStatus]) -> Self {
        StatusFilter {
            bits: statuses.iter().fold(0, |b, s| b | Self::bit(*s)),
        }
    }

    /// Every status.
    pub fn all() -> Self {
        StatusFilter::only(&EventStatus::ALL)
    }

    pub fn contains(&self, s: EventStatus) -> bool {
        self.bits & Self::bit(s) != 0
    }

    /// The filter of an optional `--status` value: the default when there is none.
    pub fn from_option(list: Option<&str>) -> QueryResult<Self> {
        list.map_or(Ok(StatusFilter::default()), StatusFilter::parse)
    }

    /// Parse a `--status` value: `all`, or a comma-separated list of statuses (exactly
    /// those are counted, so `reported,planned` adds the planned events to the default).
    pub fn parse(list: &str) -> QueryResult<Self> {
        if list.trim() == "all" {
            return Ok(StatusFilter::all());
        }
        let mut statuses = Vec::new();
        for item in list.split(',') {
            let item = item.trim();
            if item.is_empty() {
                return Err(QueryError::Invalid(format!(
                    "--status \"{}\": an empty item in the list",
                    list.escape_debug()
                )));
            }
            let s: EventStatus = item
                .parse()
                .map_err(|m| QueryError::Invalid(format!("--status: {m}, or all")))?;
            statuses.push(s);
        }
        Ok(StatusFilter::only(&statuses))
    }
}

impl ContactFilter {
    /// Check domain and type names against the ontology.
    pub fn validate(&self, vocab: &Vocab) -> QueryResult<()> {
        for d in &self.domains {
            if !vocab.is_domain(d) {
                return Err(QueryError::Invalid(format!(
                    "unknown domain \"{d}\": allowed are {}",
                    vocab.domains.join(", ")
                )));
            }
        }
        for t in &self.types {
            if !vocab.event_types.contains_key(t) {
                let allowed: Vec<&str> = vocab.event_types.keys().map(String::as_str).collect();
                return Err(QueryError::Invalid(format!(
                    "unknown event type \"{t}\": allowed are {}",
                    allowed.join(", ")
                )));
            }
        }
        super::DateWindow {
            since: self.since,
            until: self.until,
        }
        .check()
    }

    /// The day range an event's interval must overlap.
    pub fn window(&self) -> (Day, Day) {
        crate::model::day_window(self.since.as_ref(), self.until.as_ref())
    }
}

/// An entity named in output: key and display name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NamedRef {
    pub key: String,
    pub name: String,
}

/// A participant as the contact shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContactParticipant {
    pub key: String,
    pub name: String,
    #[serde(rename = "type")]
    pub entity_type: String,
    pub role: String,
    /// The country this participant stands for at the event's date (A or B when it
    /// stands for one of them), if any.
    pub side: Option<String>,
    /// Sectors at the event's date (own sector, else those of positions held).
    pub sectors: Vec<String>,
    /// Offices held at the event's date, as "Title, Organization" (timelines list them;
    /// contacts leave them out).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub offices: Vec<String>,
}

/// One contact: an event with its participants' sides.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contact {
    pub key: String,
    #[serde(rename = "type")]
    pub event_type: String,
    /// The stored partial date, unchanged ("2022-05" stays a month).
    pub date: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_date: Option<String>,
    pub title: Option<String>,
    pub location: Option<NamedRef>,
    pub domains: Vec<String>,
    pub participants: Vec<ContactParticipant>,
    pub sources: Vec<SourceOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f64>,
    /// Left out when `reported`, as in the interchange format.
    #[serde(skip_serializing_if = "EventStatus::is_reported")]
    pub status: EventStatus,
    /// First and last day of the event's interval (for sorting and drawing).
    #[serde(skip)]
    pub interval: (Day, Day),
}

/// A source as output shows it: absent fields omitted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceOut {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quote: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
}

impl From<&Source> for SourceOut {
    fn from(s: &Source) -> Self {
        SourceOut {
            url: s.url.clone(),
            doc: s.doc.clone(),
            published: s.published.clone(),
            quote: s.quote.clone(),
            lang: s.lang.clone(),
        }
    }
}

/// All contacts between countries `a` and `b` that pass `filter`.
///
/// # Arguments
///
/// An open store, the ontology (for the security sectors), two country names
/// (any name, alias or key; see [`resolve_country`]) and a filter.
///
/// # Returns
///
/// Contacts sorted by interval start, then key. Semantics are interchange v1's:
/// sides through `country` and positions held at the event's date; domains through the
/// event's domains or, for `security`, its participants' sectors; partial dates by overlap.
///
/// # Complexity
///
/// One dyad-index range scan over the pair's events that start before the
/// window ends, then one record read per event whose interval reaches the window.
///
/// # Example
///
/// `contacts(&store, vocab, "Morocco", "ألمانيا", &filter)` with
/// `domains: ["security"], since: 2022` gives the sample's four 2022–2023 security contacts.
///
/// ```
/// # let dir = tempfile::tempdir()?;
/// # let db = dir.path().join("ma-de.db");
/// # let store = dipgraph::store::Store::open(&db, dipgraph::store::OpenMode::CreateWith(dipgraph::store::Engine::Redb))?;
/// # let vocab = dipgraph::vocab::Vocab::embedded()?;
/// # let sample = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/data/samples/morocco-germany.jsonl"))?;
/// # let input = dipgraph::store::Input { name: "sample".into(), reader: Box::new(sample.as_slice()) };
/// # store.import(vec![input], &vocab, &Default::default())?;
/// use dipgraph::query::{contacts, ContactFilter};
/// let filter = ContactFilter { domains: vec!["security".into()], since: Some("2022".parse()?), ..Default::default() };
/// let found = contacts(&store, &vocab, "Morocco", "ألمانيا", &filter)?;
/// assert_eq!(found.len(), 4);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn contacts(store: &Store, vocab: &Vocab, a: &str, b: &str, filter: &ContactFilter) -> QueryResult<Vec<Contact>> {
    Ok(contacts_with(store, vocab, a, b, filter, false)?
        .0
        .into_iter()
        .map(|m| m.contact)
        .collect())
}

/// A contact with the event record and id behind it.
pub(crate) struct Matched {
    pub id: Id,
    pub event: std::sync::Arc<Event>,
    pub contact: Contact,
}

/// [`contacts`], optionally listing each participant's offices at the time.
pub(crate) fn contacts_with<'s>(
    store: &'s Store,
    vocab: &Vocab,
    a: &str,
    b: &str,
    filter: &ContactFilter,
    with_offices: bool,
) -> QueryResult<(Vec<Matched>, ContactBuilder<'s>)> {
    filter.validate(vocab)?;
    let (a_id, b_id) = (resolve_country(store, a)?, resolve_country(store, b)?);
    if a_id == b_id {
        return Err(QueryError::Invalid(format!("\"{a}\" and \"{b}\" are the same country")));
    }
    let (from, to) = filter.window();
    let mut builder = ContactBuilder::new(store, with_offices);
    let a_key = builder.facts.entity(a_id)?.key.clone();
    let b_key = builder.facts.entity(b_id)?.key.clone();
    let mut out = Vec::new();
    for entry in store.dyad_events(a_id, b_id, to)? {
        if entry.end < from {
            continue;
        }
        let event = store.event_shared(entry.id)?;
        if !filter.statuses.contains(event.status) {
            continue;
        }
        if !filter.types.is_empty() && !filter.types.contains(&event.event_type) {
            continue;
        }
        if !filter.domains.is_empty() && !builder.in_any_domain(vocab, &filter.domains, &event)? {
            continue;
        }
        let contact = builder.contact(&event, [a_key.as_str(), b_key.as_str()])?;
        out.push(Matched {
            id: entry.id,
            event,
            contact,
        });
    }
    out.sort_by(|x, y| (x.contact.interval.0, &x.contact.key).cmp(&(y.contact.interval.0, &y.contact.key)));
    Ok((out, builder))
}

/// Turns event records into [`Contact`]s, caching entity facts and key lookups.
pub(crate) struct ContactBuilder<'s> {
    pub facts: Facts<'s>,
    ids: HashMap<String, Id>,
    /// Whether to list each participant's offices at the event's date (which costs a
    /// positions lookup per participant).
    with_offices: bool,
}

impl<'s> ContactBuilder<'s> {
    pub fn new(store: &'s Store, with_offices: bool) -> Self {
        ContactBuilder {
            facts: Facts::new(store),
            ids: HashMap::default(),
            with_offices,
        }
    }

    pub fn id(&mut self, key: &str) -> QueryResult<Option<Id>> {
        if let Some(id) = self.ids.get(key) {
            return Ok(Some(*id));
        }
        let id = self.facts.store().entity_id(key)?;
        if let Some(id) = id {
            self.ids.insert(key.to_string(), id);
        }
        Ok(id)
    }

    /// Whether `event` is in at least one of `domains`.
    pub fn in_any_domain(&mut self, vocab: &Vocab, domains: &[String], event: &Event) -> QueryResult<bool> {
        let mut members = Vec::with_capacity(event.participants.len());
        for p in &event.participants {
            members.extend(self.id(&p.entity)?);
        }
        for d in domains {
            if self
                .facts
                .in_domain(vocab, d, &event.domains, &members, event.interval())?
            {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// `prefer`: when a participant stands for several countries, these win.
    pub fn contact(&mut self, event: &Event, prefer: [&str; 2]) -> QueryResult<Contact> {
        let at = event.interval();
        let mut participants = Vec::with_capacity(event.participants.len());
        for p in &event.participants {
            let Some(id) = self.id(&p.entity)? else { continue };
            let sides = self.facts.sides_at(id, at)?;
            let side = prefer
                .iter()
                .find(|k| sides.contains(**k))
                .map(|k| k.to_string())
                .or_else(|| sides.first().cloned());
            let offices = if self.with_offices {
                self.facts
                    .positions_at(id, at)?
                    .into_iter()
                    .map(|pos| match pos.title {
                        Some(t) => format!("{t}, {}", pos.org_name),
                        None => pos.org_name,
                    })
                    .collect()
            } else {
                Vec::new()
            };
            let sectors = self.facts.sectors_at(id, at)?.into_iter().collect();
            let e = self.facts.entity(id)?;
            participants.push(ContactParticipant {
                key: e.key.clone(),
                name: e.name.clone(),
                entity_type: e.entity_type.clone(),
                role: p.role.clone(),
                side,
                sectors,
                offices,
            });
        }
        let location = match &event.location {
            Some(k) => match self.id(k)? {
                Some(id) => {
                    let e = self.facts.entity(id)?;
                    Some(NamedRef {
                        key: e.key.clone(),
                        name: e.name.clone(),
                    })
                }
                None => None,
            },
            None => None,
        };
        Ok(Contact {
            key: event.key.clone(),
            event_type: event.event_type.clone(),
            date: event.date.to_string(),
            end_date: event.end_date.map(|d| d.to_string()),
            title: event.title.clone(),
            location,
            domains: event.domains.clone(),
            participants,
            sources: event.sources.iter().map(SourceOut::from).collect(),
            confidence: event.confidence,
            status: event.status,
            interval: at,
        })
    }
}

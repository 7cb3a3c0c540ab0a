//! Stores written by an older dipgraph are upgraded in place when they are opened, in one
//! atomic write: the store is either entirely in the old format or entirely in the new.
//!
//! Format 1 → 2: every `event_links` value gains a pair count and the event's key and type
//! (so that graph walks can name events without decoding their records), and the `date`
//! index, which no query read, is emptied.
//!
//! Format 2 → 3: every event record gains `status` (interchange v1.1), `reported` for all
//! of them, since older stores could hold nothing else. bincode is not self-describing, so
//! an older record cannot be decoded as the new type: each is decoded in its old shape and
//! written again in the new one, compressed again when it was compressed.
//!
//! Format 3 → 4: the member and pair counts of every `event_links` value widen from u16
//! to u32 (issue 17: an event with 65,536 participants or dyads had its counts truncated).
//! A value whose truncated counts no longer describe it stays as it is, for `check` to
//! report and `check --repair` to rewrite from the record.

use super::codec::{self, COMPRESSED_VERSION};
use super::keys::{self, Id};
use super::{meta, tree, Store, StoreError, StoreResult, FORMAT_VERSION};
use crate::model::{Event, EventStatus, PartialDate, Participant, Props, Source};
use serde::Deserialize;

/// An event record as formats 1 and 2 encoded it: fields in this order, no status.
#[derive(Deserialize)]
struct EventV2 {
    key: String,
    event_type: String,
    date: PartialDate,
    end_date: Option<PartialDate>,
    location: Option<String>,
    domains: Vec<String>,
    participants: Vec<Participant>,
    title: Option<String>,
    sources: Vec<Source>,
    confidence: Option<f64>,
    props: Props,
}

impl From<EventV2> for Event {
    fn from(e: EventV2) -> Event {
        Event {
            key: e.key,
            event_type: e.event_type,
            date: e.date,
            end_date: e.end_date,
            location: e.location,
            domains: e.domains,
            participants: e.participants,
            title: e.title,
            sources: e.sources,
            confidence: e.confidence,
            status: EventStatus::Reported,
            props: e.props,
        }
    }
}

/// The `date` tree of format 1.
const DATE_V1: &str = "date";

/// Members and dyad pairs, as format 1 kept them.
type LinksV1 = (Vec<Id>, Vec<(Id, Id)>);

/// What a format-2 or format-3 `event_links` value holds.
struct LinksV3<'a> {
    members: Vec<Id>,
    pairs: Vec<(Id, Id)>,
    key: &'a str,
    event_type: &'a str,
}

/// A format-2 or format-3 `event_links` value: member count (u16) ‖ member ids ‖ pair
/// count (u16) ‖ pairs ‖ key length (u16) ‖ key ‖ type. `None` if the counts do not fit
/// the value.
fn split_links_v3(value: &[u8]) -> Option<LinksV3<'_>> {
    let count = |at: usize| Some(u16::from_be_bytes(value.get(at..at + 2)?.try_into().ok()?) as usize);
    let n = count(0)?;
    let members = value.get(2..2 + n * 8)?.chunks(8).filter_map(keys::read_id).collect();
    let pairs_at = 2 + n * 8;
    let m = count(pairs_at)?;
    let pairs = value
        .get(pairs_at + 2..pairs_at + 2 + m * 16)?
        .chunks(16)
        .map(|c| Some((keys::id_at(c, 0)?, keys::id_at(c, 8)?)))
        .collect::<Option<Vec<_>>>()?;
    let key_at = pairs_at + 2 + m * 16;
    let k = count(key_at)?;
    let key = std::str::from_utf8(value.get(key_at + 2..key_at + 2 + k)?).ok()?;
    let event_type = std::str::from_utf8(value.get(key_at + 2 + k..)?).ok()?;
    Some(LinksV3 {
        members,
        pairs,
        key,
        event_type,
    })
}

/// A format-1 `event_links` value: member count (u16) ‖ member ids ‖ dyad pairs to the end.
fn split_links_v1(value: &[u8]) -> Option<LinksV1> {
    let n = u16::from_be_bytes(value.get(..2)?.try_into().ok()?) as usize;
    let rest = value.get(2 + n * 8..)?;
    if rest.len() % 16 != 0 {
        return None;
    }
    let members = value[2..2 + n * 8].chunks(8).filter_map(keys::read_id).collect();
    let pairs = rest
        .chunks(16)
        .map(|c| Some((keys::id_at(c, 0)?, keys::id_at(c, 8)?)))
        .collect::<Option<Vec<_>>>()?;
    Some((members, pairs))
}

impl Store {
    /// Bring a store of format `found` (older than [`FORMAT_VERSION`]) to the current
    /// format. Format 0 is no format dipgraph ever wrote; it is left for `check` to report.
    pub(super) fn upgrade(&self, found: u32) -> StoreResult<()> {
        if found == 0 || found >= FORMAT_VERSION {
            return Ok(());
        }
        let mut compressor = match self.dictionary() {
            Some(d) => Some(d.compressor().map_err(|m| self.corrupt(format!("event_dict: {m}")))?),
            None => None,
        };
        let unwritable = |what: String| StoreError::Unwritable {
            path: self.path.clone(),
            what: format!("record in tree event: {what}"),
        };
        let mut w = self.kv.begin_write().map_err(|e| self.kv_err(e))?;
        if found < 2 {
            for pair in self.kv.scan_prefix(DATE_V1, b"").map_err(|e| self.kv_err(e))? {
                let (k, _) = pair.map_err(|e| self.kv_err(e))?;
                w.delete(DATE_V1, &k).map_err(|e| self.kv_err(e))?;
            }
        }
        if found < 3 {
            for pair in self.kv.scan_prefix(tree::EVENT, b"").map_err(|e| self.kv_err(e))? {
                let (k, v) = pair.map_err(|e| self.kv_err(e))?;
                let ev: Event = self.decode::<EventV2>(tree::EVENT, &k, &v)?.into();
                let mut bytes = codec::encode(&ev).map_err(unwritable)?;
                if let (Some(&COMPRESSED_VERSION), Some(c)) = (v.first(), compressor.as_mut()) {
                    bytes = codec::compress(c, &bytes).map_err(unwritable)?;
                }
                w.put(tree::EVENT, &k, &bytes).map_err(|e| self.kv_err(e))?;
                if found >= 2 {
                    continue;
                }
                let old = self.kv.get(tree::EVENT_LINKS, &k).map_err(|e| self.kv_err(e))?;
                // An event without a readable links value keeps what it has: `check` reports
                // it, and `check --repair` rewrites it from the record.
                let Some((members, pairs)) = old.as_deref().and_then(split_links_v1) else {
                    continue;
                };
                let links = keys::links_value(&members, &pairs, &ev.key, &ev.event_type);
                w.put(tree::EVENT_LINKS, &k, &links).map_err(|e| self.kv_err(e))?;
            }
        }
        if (2..4).contains(&found) {
            for pair in self
                .kv
                .scan_prefix(tree::EVENT_LINKS, b"")
                .map_err(|e| self.kv_err(e))?
            {
                let (k, v) = pair.map_err(|e| self.kv_err(e))?;
                // As above: an unreadable value is left for `check` and `check --repair`.
                if let Some(l) = split_links_v3(&v) {
                    let links = keys::links_value(&l.members, &l.pairs, l.key, l.event_type);
                    w.put(tree::EVENT_LINKS, &k, &links).map_err(|e| self.kv_err(e))?;
                }
            }
        }
        w.put(tree::META, meta::FORMAT_VERSION, &FORMAT_VERSION.to_be_bytes())
            .map_err(|e| self.kv_err(e))?;
        w.commit().map_err(|e| self.kv_err(e))
    }
}

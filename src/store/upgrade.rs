//! Stores written by an older dipgraph are upgraded in place when they are opened, in one
//! atomic write: the store is either entirely in the old format or entirely in the new.
//!
//! Format 1 → 2: every `event_links` value gains a pair count and the event's key and type
//! (so that graph walks can name events without decoding their records), and the `date`
//! index, which no query read, is emptied.

use super::keys::{self, Id};
use super::{meta, tree, Store, StoreResult, FORMAT_VERSION};
use crate::model::Event;

/// The `date` tree of format 1.
const DATE_V1: &str = "date";

/// Members and dyad pairs, as format 1 kept them.
type LinksV1 = (Vec<Id>, Vec<(Id, Id)>);

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
        if found != 1 {
            return Ok(());
        }
        let mut w = self.kv.begin_write().map_err(|e| self.kv_err(e))?;
        for pair in self.kv.scan_prefix(DATE_V1, b"").map_err(|e| self.kv_err(e))? {
            let (k, _) = pair.map_err(|e| self.kv_err(e))?;
            w.delete(DATE_V1, &k).map_err(|e| self.kv_err(e))?;
        }
        for pair in self.kv.scan_prefix(tree::EVENT, b"").map_err(|e| self.kv_err(e))? {
            let (k, v) = pair.map_err(|e| self.kv_err(e))?;
            let ev: Event = self.decode(tree::EVENT, &k, &v)?;
            let old = self.kv.get(tree::EVENT_LINKS, &k).map_err(|e| self.kv_err(e))?;
            // An event without a readable links value keeps what it has: `check` reports
            // it, and `check --repair` rewrites it from the record.
            let Some((members, pairs)) = old.as_deref().and_then(split_links_v1) else {
                continue;
            };
            let links = keys::links_value(&members, &pairs, &ev.key, &ev.event_type);
            w.put(tree::EVENT_LINKS, &k, &links).map_err(|e| self.kv_err(e))?;
        }
        w.put(tree::META, meta::FORMAT_VERSION, &FORMAT_VERSION.to_be_bytes())
            .map_err(|e| self.kv_err(e))?;
        w.commit().map_err(|e| self.kv_err(e))
    }
}

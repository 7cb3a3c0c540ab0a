//! Byte encodings of index keys. Integers are big-endian so that byte order is numeric
//! order; see docs/data-model.md for the layout of every tree.

use crate::model::Day;

/// A dense internal id: entities, relations and events share one counter.
pub type Id = u64;

pub fn id_bytes(id: Id) -> [u8; 8] {
    id.to_be_bytes()
}

pub fn read_id(bytes: &[u8]) -> Option<Id> {
    Some(Id::from_be_bytes(bytes.get(..8)?.try_into().ok()?))
}

/// Read the id at `offset`, if the slice is long enough.
pub fn id_at(bytes: &[u8], offset: usize) -> Option<Id> {
    read_id(bytes.get(offset..)?)
}

pub fn day_at(bytes: &[u8], offset: usize) -> Option<Day> {
    Some(Day::from_be_bytes(bytes.get(offset..offset + 4)?.try_into().ok()?))
}

/// Concatenate parts into one key.
pub fn key(parts: &[&[u8]]) -> Vec<u8> {
    let mut k = Vec::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        k.extend_from_slice(p);
    }
    k
}

/// `entity_event`: entity id ‖ event start day ‖ event id.
pub fn entity_event(entity: Id, start: Day, event: Id) -> Vec<u8> {
    key(&[&id_bytes(entity), &start.to_be_bytes(), &id_bytes(event)])
}

/// `dyad`: lower side id ‖ higher side id ‖ event start day ‖ event id.
pub fn dyad(a: Id, b: Id, start: Day, event: Id) -> Vec<u8> {
    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
    key(&[&id_bytes(lo), &id_bytes(hi), &start.to_be_bytes(), &id_bytes(event)])
}

/// Prefix of every `dyad` key of one country pair, in either order.
pub fn dyad_prefix(a: Id, b: Id) -> Vec<u8> {
    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
    key(&[&id_bytes(lo), &id_bytes(hi)])
}

/// `alias`: folded name ‖ 0x00 ‖ entity id. Folded names never contain 0x00.
pub fn alias(folded: &str, entity: Id) -> Vec<u8> {
    key(&[folded.as_bytes(), &[0], &id_bytes(entity)])
}

/// `entity_relation`: entity id ‖ relation id (written for both ends of a relation).
pub fn entity_relation(entity: Id, relation: Id) -> Vec<u8> {
    key(&[&id_bytes(entity), &id_bytes(relation)])
}

/// `relation_key`: from key ‖ 0x00 ‖ type ‖ 0x00 ‖ to key ‖ 0x00 ‖ since (text, may be empty).
/// Keys never contain control characters, so 0x00 separates unambiguously.
pub fn relation_identity(relation_type: &str, from: &str, to: &str, since: &str) -> Vec<u8> {
    key(&[
        from.as_bytes(),
        &[0],
        relation_type.as_bytes(),
        &[0],
        to.as_bytes(),
        &[0],
        since.as_bytes(),
    ])
}

/// An `event_links` value, decoded: what an event connects, and what names it, so that
/// walks over the graph need not decode event records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Links<'a> {
    /// The distinct participant ids, ascending.
    pub members: Vec<Id>,
    /// The event's dyads, each (lower, higher), ascending.
    pub pairs: Vec<(Id, Id)>,
    pub key: &'a str,
    pub event_type: &'a str,
}

/// An `event_links` value: member count (u32) ‖ member ids ‖ pair count (u32) ‖ dyad pairs
/// (lower ‖ higher) ‖ key length (u16) ‖ event key ‖ event type (the rest).
///
/// The caller keeps the counts in range: validation limits an event's participants
/// (`ingest::MAX_PARTICIPANTS`) and apply refuses an event with more than [`MAX_PAIRS`]
/// dyads, so no count is ever truncated; keys are at most 512 bytes.
pub fn links_value(members: &[Id], pairs: &[(Id, Id)], key: &str, event_type: &str) -> Vec<u8> {
    debug_assert!(members.len() <= u32::MAX as usize && pairs.len() <= MAX_PAIRS && key.len() <= u16::MAX as usize);
    let mut v = Vec::with_capacity(10 + members.len() * 8 + pairs.len() * 16 + key.len() + event_type.len());
    v.extend_from_slice(&(members.len() as u32).to_be_bytes());
    for m in members {
        v.extend_from_slice(&id_bytes(*m));
    }
    v.extend_from_slice(&(pairs.len() as u32).to_be_bytes());
    for (a, b) in pairs {
        v.extend_from_slice(&id_bytes(*a));
        v.extend_from_slice(&id_bytes(*b));
    }
    v.extend_from_slice(&(key.len() as u16).to_be_bytes());
    v.extend_from_slice(key.as_bytes());
    v.extend_from_slice(event_type.as_bytes());
    v
}

/// The most dyads one event may have: its `event_links` value then stays within the
/// 64 MiB that every stored value is limited to (16 bytes a pair).
pub const MAX_PAIRS: usize = 4 * 1024 * 1024 - 1024;

/// Decode an `event_links` value (see [`links_value`]), or `None` if it is malformed: a
/// count that runs past the end, members or pairs not strictly ascending, a pair whose
/// lower id is not below its higher one, or a key or type that is not UTF-8.
pub fn split_links(value: &[u8]) -> Option<Links<'_>> {
    let count = |at: usize| Some(u32::from_be_bytes(value.get(at..at.checked_add(4)?)?.try_into().ok()?) as usize);
    let n = count(0)?;
    let pairs_at = n.checked_mul(8)?.checked_add(4)?;
    let members: Vec<Id> = value.get(4..pairs_at)?.chunks(8).filter_map(read_id).collect();
    let m = count(pairs_at)?;
    let key_at = m.checked_mul(16)?.checked_add(pairs_at + 4)?;
    let pairs = value
        .get(pairs_at + 4..key_at)?
        .chunks(16)
        .map(|c| Some((id_at(c, 0)?, id_at(c, 8)?)))
        .collect::<Option<Vec<_>>>()?;
    let k = u16::from_be_bytes(value.get(key_at..key_at + 2)?.try_into().ok()?) as usize;
    let key = std::str::from_utf8(value.get(key_at + 2..key_at + 2 + k)?).ok()?;
    let event_type = std::str::from_utf8(value.get(key_at + 2 + k..)?).ok()?;
    let ascending = members.windows(2).all(|w| w[0] < w[1])
        && pairs.windows(2).all(|w| w[0] < w[1])
        && pairs.iter().all(|(lo, hi)| lo < hi);
    if !ascending || key.is_empty() || event_type.is_empty() {
        return None;
    }
    Some(Links {
        members,
        pairs,
        key,
        event_type,
    })
}

/// Whether an entry of index `tree` has the layout of docs/data-model.md §5 (the record
/// trees and `meta` are not index trees and are checked by decoding).
pub fn well_formed(tree: &str, key: &[u8], value: &[u8]) -> bool {
    use crate::store::tree as t;
    match tree {
        t::ENTITY_KEY | t::EVENT_KEY => !key.is_empty() && std::str::from_utf8(key).is_ok() && value.len() == 8,
        t::RELATION_KEY => key.iter().filter(|&&b| b == 0).count() == 3 && value.len() == 8,
        t::ALIAS => key.len() > 9 && key[key.len() - 9] == 0 && !key[..key.len() - 9].contains(&0) && value.is_empty(),
        t::ENTITY_RELATION => key.len() == 16 && value.is_empty(),
        t::ENTITY_EVENT => key.len() == 20 && value.len() == 4,
        t::DYAD => key.len() == 28 && value.len() == 4 && read_id(key) < id_at(key, 8),
        t::EVENT_LINKS => key.len() == 8 && split_links(value).is_some(),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn big_endian_keys_sort_numerically() {
        assert!(dyad(1, 2, 20220101, 300) > dyad(2, 1, 20211231, u64::MAX));
        assert!(entity_event(1, 20220101, 5) < entity_event(1, 20220102, 1));
        assert!(entity_event(1, u32::MAX, u64::MAX) < entity_event(2, 0, 0));
        assert_eq!(dyad(7, 3, 1, 1), dyad(3, 7, 1, 1));
        assert!(dyad(3, 7, 5, 9).starts_with(&dyad_prefix(7, 3)));
        assert_eq!(id_at(&dyad(3, 7, 5, 9), 20), Some(9));
        assert_eq!(day_at(&dyad(3, 7, 5, 9), 16), Some(5));
    }

    #[test]
    fn links_round_trip_and_refuse_truncation() {
        let v = links_value(&[3, 9], &[(1, 2)], "ev:visit:2022-06-10:abc", "visit");
        let l = split_links(&v).unwrap();
        assert_eq!(l.members, vec![3, 9]);
        assert_eq!(l.pairs, vec![(1, 2)]);
        assert_eq!((l.key, l.event_type), ("ev:visit:2022-06-10:abc", "visit"));
        for cut in 0..4 + 16 + 4 + 16 + 2 + 23 {
            assert!(split_links(&v[..cut]).is_none(), "cut at {cut}");
        }
        // Counts beyond what a u16 holds (issue 17: they were truncated).
        let members: Vec<Id> = (1..=70_000).collect();
        let pairs: Vec<(Id, Id)> = (1..=70_000).map(|i| (i, i + 100_000)).collect();
        let v = links_value(&members, &pairs, "ev:big", "summit");
        let l = split_links(&v).unwrap();
        assert_eq!((l.members.len(), l.pairs.len()), (70_000, 70_000));
        // Out of order, or a pair with lo >= hi, is malformed.
        assert!(split_links(&links_value(&[9, 3], &[], "k", "t")).is_none());
        assert!(split_links(&links_value(&[3], &[(2, 1)], "k", "t")).is_none());
    }
}

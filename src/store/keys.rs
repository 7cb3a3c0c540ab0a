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

/// An `event_links` value: member count (u16) ‖ member ids ‖ pair count (u16) ‖ dyad pairs
/// (lower ‖ higher) ‖ key length (u16) ‖ event key ‖ event type (the rest).
pub fn links_value(members: &[Id], pairs: &[(Id, Id)], key: &str, event_type: &str) -> Vec<u8> {
    let mut v = Vec::with_capacity(6 + members.len() * 8 + pairs.len() * 16 + key.len() + event_type.len());
    v.extend_from_slice(&(members.len() as u16).to_be_bytes());
    for m in members {
        v.extend_from_slice(&id_bytes(*m));
    }
    v.extend_from_slice(&(pairs.len() as u16).to_be_bytes());
    for (a, b) in pairs {
        v.extend_from_slice(&id_bytes(*a));
        v.extend_from_slice(&id_bytes(*b));
    }
    v.extend_from_slice(&(key.len() as u16).to_be_bytes());
    v.extend_from_slice(key.as_bytes());
    v.extend_from_slice(event_type.as_bytes());
    v
}

/// Decode an `event_links` value (see [`links_value`]), or `None` if it is malformed.
pub fn split_links(value: &[u8]) -> Option<Links<'_>> {
    let count = |at: usize| Some(u16::from_be_bytes(value.get(at..at + 2)?.try_into().ok()?) as usize);
    let n = count(0)?;
    let members = value.get(2..2 + n * 8)?.chunks(8).filter_map(read_id).collect();
    let pairs_at = 2 + n * 8;
    let m = count(pairs_at)?;
    let pairs = value
        .get(pairs_at + 2..pairs_at + 2 + m * 16)?
        .chunks(16)
        .map(|c| Some((id_at(c, 0)?, id_at(c, 8)?)))
        .collect::<Option<Vec<_>>>()?;
    let key_at = pairs_at + 2 + m * 16;
    let k = count(key_at)?;
    let key = std::str::from_utf8(value.get(key_at + 2..key_at + 2 + k)?).ok()?;
    let event_type = std::str::from_utf8(value.get(key_at + 2 + k..)?).ok()?;
    Some(Links {
        members,
        pairs,
        key,
        event_type,
    })
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
        for cut in 0..2 + 16 + 2 + 16 + 2 + 23 {
            assert!(split_links(&v[..cut]).is_none(), "cut at {cut}");
        }
    }
}

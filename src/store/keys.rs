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

/// `date`: event start day ‖ event id.
pub fn date(start: Day, event: Id) -> Vec<u8> {
    key(&[&start.to_be_bytes(), &id_bytes(event)])
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

/// The members and dyad pairs of an event, as `event_links` holds them.
pub type Links = (Vec<Id>, Vec<(Id, Id)>);

/// An `event_links` value: member count (u16) ‖ member ids ‖ dyad pairs (lower, higher).
/// Returns the members and the pairs, or `None` if the value is malformed.
pub fn split_links(value: &[u8]) -> Option<Links> {
    let n = u16::from_be_bytes(value.get(..2)?.try_into().ok()?) as usize;
    let members_end = 2 + n * 8;
    let rest = value.get(members_end..)?;
    if rest.len() % 16 != 0 {
        return None;
    }
    let members = value[2..members_end].chunks(8).filter_map(read_id).collect();
    let pairs = rest
        .chunks(16)
        .map(|c| Some((id_at(c, 0)?, id_at(c, 8)?)))
        .collect::<Option<Vec<_>>>()?;
    Some((members, pairs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn big_endian_keys_sort_numerically() {
        assert!(date(20220101, 300) > date(20211231, u64::MAX));
        assert!(entity_event(1, 20220101, 5) < entity_event(1, 20220102, 1));
        assert!(entity_event(1, u32::MAX, u64::MAX) < entity_event(2, 0, 0));
        assert_eq!(dyad(7, 3, 1, 1), dyad(3, 7, 1, 1));
        assert!(dyad(3, 7, 5, 9).starts_with(&dyad_prefix(7, 3)));
        assert_eq!(id_at(&dyad(3, 7, 5, 9), 20), Some(9));
        assert_eq!(day_at(&dyad(3, 7, 5, 9), 16), Some(5));
    }
}

//! Search by name or alias across scripts, ranked.

use super::QueryResult;
use crate::model::fold_name;
use crate::store::{Id, Store};
use serde::Serialize;
use std::collections::BTreeMap;

/// One search hit: the entity and the name or alias that matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SearchHit {
    pub key: String,
    #[serde(rename = "type")]
    pub entity_type: String,
    pub name: String,
    /// The name or alias that matched, as stored.
    pub matched: String,
    /// exact, prefix, word (a word of the name starts with the text) or contains.
    pub rank: &'static str,
}

const RANKS: [&str; 4] = ["exact", "prefix", "word", "contains"];

fn rank(folded_name: &str, needle: &str) -> usize {
    if folded_name == needle {
        0
    } else if folded_name.starts_with(needle) {
        1
    } else if folded_name.split(' ').any(|w| w.starts_with(needle)) {
        2
    } else {
        3
    }
}

/// Entities whose name or an alias contains `text`, compared folded: Arabic without
/// diacritics or tatweel and with alef/hamza, ya/alef maqsura and taa marbuta/ha unified;
/// Latin without case or accents.
///
/// # Arguments
///
/// An open store, the text, and the most hits to return.
///
/// # Returns
///
/// Hits ranked exact, prefix, word-prefix, contains; then by key; one per entity
/// (its best match).
///
/// # Complexity
///
/// A scan of the alias index, O(names in the store).
///
/// # Example
///
/// `search(&store, "hammouchi", 10)` and `search(&store, "حموشى", 10)` both find
/// person:hammouchi.
///
/// ```
/// # let dir = tempfile::tempdir()?;
/// # let db = dir.path().join("ma-de.db");
/// # let store = dipgraph::store::Store::open(&db, dipgraph::store::OpenMode::CreateWith(dipgraph::store::Engine::Redb))?;
/// # let vocab = dipgraph::vocab::Vocab::embedded()?;
/// # let sample = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/data/samples/morocco-germany.jsonl"))?;
/// # let input = dipgraph::store::Input { name: "sample".into(), reader: Box::new(sample.as_slice()) };
/// # store.import(vec![input], &vocab, &Default::default())?;
/// use dipgraph::query::search;
/// assert_eq!(search(&store, "hammouchi", 10)?[0].key, "person:hammouchi");
/// assert_eq!(search(&store, "حموشى", 10)?[0].key, "person:hammouchi");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn search(store: &Store, text: &str, limit: usize) -> QueryResult<Vec<SearchHit>> {
    let needle = fold_name(text);
    if needle.is_empty() {
        return Ok(Vec::new());
    }
    let mut best: BTreeMap<Id, (usize, String)> = BTreeMap::new();
    for hit in store.alias_containing(&needle)? {
        let r = rank(&hit.folded, &needle);
        let entry = best.entry(hit.entity).or_insert((r, hit.folded.clone()));
        if (r, &hit.folded) < (entry.0, &entry.1) {
            *entry = (r, hit.folded);
        }
    }
    let mut hits = Vec::with_capacity(best.len());
    for (id, (r, folded)) in best {
        let e = store.entity(id)?;
        let matched = std::iter::once(&e.name)
            .chain(&e.aliases)
            .find(|n| fold_name(n) == folded)
            .cloned()
            .unwrap_or_else(|| e.name.clone());
        hits.push((
            r,
            SearchHit {
                key: e.key,
                entity_type: e.entity_type,
                name: e.name,
                matched,
                rank: RANKS[r],
            },
        ));
    }
    hits.sort_by(|(r1, a), (r2, b)| (r1, &a.key).cmp(&(r2, &b.key)));
    Ok(hits.into_iter().take(limit).map(|(_, h)| h).collect())
}

/// Entities with a name or alias that starts with `text`, or has a word that does
/// (folded), sorted by id. Used to resolve a partial name such as a surname.
pub(crate) fn word_matches(store: &Store, text: &str) -> QueryResult<Vec<Id>> {
    let needle = fold_name(text);
    if needle.is_empty() {
        return Ok(Vec::new());
    }
    let mut ids: Vec<Id> = store
        .alias_containing(&needle)?
        .into_iter()
        .filter(|h| rank(&h.folded, &needle) <= 2)
        .map(|h| h.entity)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

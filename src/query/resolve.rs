//! Names → entities: a key, or any name or alias in any script.

use super::{QueryError, QueryResult};
use crate::model::fold_name;
use crate::store::{Id, Store};
use std::fmt;

/// One entity a name could mean.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Candidate {
    pub key: String,
    #[serde(rename = "type")]
    pub entity_type: String,
    pub name: String,
}

impl fmt::Display for Candidate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}, {})", self.key, self.entity_type, self.name)
    }
}

/// The entity `name` designates: the entity with that key, else the one entity having a
/// name or alias that folds to the same string (see [`fold_name`]), else the one entity
/// having a name or alias with a word starting with it ("romann" → Dieter Romann).
///
/// Arguments: an open store and the user's text.
/// Returns: the entity id; [`QueryError::NotFound`] or [`QueryError::Ambiguous`] (with every
/// candidate, sorted by key) otherwise.
/// Complexity: one key lookup and one alias-index prefix scan; when neither matches, a
/// scan of the alias index.
/// Example: `resolve(&store, "المغرب")`, `resolve(&store, "maroc")` and `resolve(&store, "MAR")`
/// all give Morocco's id in the sample.
pub fn resolve(store: &Store, name: &str) -> QueryResult<Id> {
    if let Some(id) = store.entity_id(name)? {
        return Ok(id);
    }
    let mut ids = store.alias_exact(&fold_name(name))?;
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        ids = super::search::word_matches(store, name)?;
    }
    match ids.as_slice() {
        [] => Err(QueryError::NotFound(name.to_string())),
        [id] => Ok(*id),
        many => {
            let mut candidates = Vec::with_capacity(many.len());
            for &id in many {
                let e = store.entity(id)?;
                candidates.push(Candidate {
                    key: e.key,
                    entity_type: e.entity_type,
                    name: e.name,
                });
            }
            candidates.sort_by(|a, b| a.key.cmp(&b.key));
            Err(QueryError::Ambiguous {
                name: name.to_string(),
                candidates,
            })
        }
    }
}

/// Like [`resolve`], for a name that must designate a country. A name that matches one
/// country and other entities too (a country and a person both called "Jordan") picks
/// the country.
pub fn resolve_country(store: &Store, name: &str) -> QueryResult<Id> {
    match resolve(store, name) {
        Ok(id) => {
            let e = store.entity(id)?;
            if e.entity_type == "country" {
                Ok(id)
            } else {
                Err(QueryError::NotACountry {
                    name: name.to_string(),
                    what: format!("{} ({})", e.key, e.entity_type),
                })
            }
        }
        Err(QueryError::Ambiguous { name, candidates }) => {
            let countries: Vec<&Candidate> = candidates.iter().filter(|c| c.entity_type == "country").collect();
            match countries.as_slice() {
                [one] => store
                    .entity_id(&one.key)?
                    .ok_or_else(|| QueryError::NotFound(name.clone())),
                _ => Err(QueryError::Ambiguous { name, candidates }),
            }
        }
        Err(e) => Err(e),
    }
}

//! What extraction may know from the store: its entities (for the gazetteer and to keep new
//! keys unique) and who holds which office. Extraction declares [`KnownSource`]; the store
//! implements it here, so that extraction never imports the store.

use super::Store;
use crate::extract::{Known, KnownSource};
use crate::ingest::LookupError;

impl KnownSource for Store {
    /// Every entity and every `holds_position` relation: a scan of the entity and relation
    /// trees, O(entities + relations).
    fn known(&self) -> Result<Known, LookupError> {
        let err = |e: super::StoreError| LookupError(e.to_string());
        let mut known = Known::default();
        for e in self.entities().map_err(err)? {
            known.entities.push(e.map_err(err)?);
        }
        for r in self.relations().map_err(err)? {
            let r = r.map_err(err)?;
            if r.relation_type == "holds_position" {
                known.positions.push(r);
            }
        }
        Ok(known)
    }
}

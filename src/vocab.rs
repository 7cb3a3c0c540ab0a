//! The ontology, loaded from `schema/ontology.json`: entity, relation and event types, the
//! roles each event type allows, sectors, domains, and their CAMEO/PLOVER codes.
//!
//! The file is embedded in the binary at build time so dipgraph runs from any directory;
//! `DIPGRAPH_SCHEMA=DIR` (or [`Vocab::from_dir`]) loads another one instead, which is how an
//! analyst tries a new event type or domain without rebuilding. Validation asks this
//! module, never a `match` on type names.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

const EMBEDDED: &str = include_str!("../schema/ontology.json");

/// An error in the ontology file itself.
#[derive(Debug, thiserror::Error)]
pub enum VocabError {
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

#[derive(Debug, Clone, Deserialize)]
pub struct EntityTypeDef {
    #[serde(default)]
    pub description: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RelationTypeDef {
    /// Entity types allowed at the `from` end.
    pub from: Vec<String>,
    /// Entity types allowed at the `to` end.
    pub to: Vec<String>,
    #[serde(default)]
    pub description: String,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Plover {
    #[serde(rename = "type")]
    pub event_type: String,
    pub mode: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct EventTypeDef {
    /// Roles a participant may take, in the order they are listed to users.
    pub roles: Vec<String>,
    /// Nearest CAMEO codes; empty when there is none (then `no_code_reason` says why).
    #[serde(default)]
    pub cameo: Vec<String>,
    pub plover: Option<Plover>,
    #[serde(default)]
    pub no_code_reason: Option<String>,
    #[serde(default)]
    pub description: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SectorDef {
    /// CAMEO agent code (SPY, COP, MIL, GOV, JUD, LEG, IGO), if one fits.
    pub cameo: Option<String>,
    pub plover: Option<String>,
}

/// The ontology. Maps are sorted, so every listing of choices is deterministic.
#[derive(Debug, Clone, Deserialize)]
pub struct Vocab {
    pub version: u32,
    pub entity_types: BTreeMap<String, EntityTypeDef>,
    pub relation_types: BTreeMap<String, RelationTypeDef>,
    pub event_types: BTreeMap<String, EventTypeDef>,
    pub sectors: BTreeMap<String, SectorDef>,
    pub domains: Vec<String>,
    /// Sectors that make a participant's contact a `security` contact.
    pub security_sectors: Vec<String>,
    pub source_fields: Vec<String>,
}

impl Vocab {
    /// The ontology in force: `DIPGRAPH_SCHEMA/ontology.json` if that variable is set,
    /// else the one embedded at build time. Loaded once per process.
    pub fn current() -> Result<&'static Vocab, VocabError> {
        static CURRENT: OnceLock<Result<Vocab, String>> = OnceLock::new();
        let loaded = CURRENT.get_or_init(|| {
            let result = match std::env::var_os("DIPGRAPH_SCHEMA") {
                Some(dir) => Vocab::from_dir(Path::new(&dir)),
                None => Vocab::embedded(),
            };
            result.map_err(|e| e.to_string())
        });
        loaded.as_ref().map_err(|message| VocabError::Invalid {
            path: "DIPGRAPH_SCHEMA".into(),
            message: message.clone(),
        })
    }

    /// The ontology compiled into the binary.
    pub fn embedded() -> Result<Vocab, VocabError> {
        Vocab::from_json("schema/ontology.json (embedded)", EMBEDDED)
    }

    /// Load `DIR/ontology.json`.
    pub fn from_dir(dir: &Path) -> Result<Vocab, VocabError> {
        let path = dir.join("ontology.json");
        let text = std::fs::read_to_string(&path).map_err(|e| VocabError::Invalid {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        Vocab::from_json(&path.display().to_string(), &text)
    }

    /// Parse and cross-check an ontology document.
    pub fn from_json(path: &str, text: &str) -> Result<Vocab, VocabError> {
        let invalid = |message: String| VocabError::Invalid {
            path: path.to_string(),
            message,
        };
        let vocab: Vocab = serde_json::from_str(text).map_err(|e| invalid(e.to_string()))?;
        for (name, def) in &vocab.relation_types {
            for t in def.from.iter().chain(&def.to) {
                if !vocab.entity_types.contains_key(t) {
                    return Err(invalid(format!("relation type {name} names unknown entity type {t}")));
                }
            }
        }
        for (name, def) in &vocab.event_types {
            if def.roles.is_empty() {
                return Err(invalid(format!("event type {name} allows no roles")));
            }
            if def.cameo.is_empty() && def.plover.is_none() && def.no_code_reason.is_none() {
                return Err(invalid(format!(
                    "event type {name} has no CAMEO/PLOVER code and no no_code_reason"
                )));
            }
        }
        for s in &vocab.security_sectors {
            if !vocab.sectors.contains_key(s) {
                return Err(invalid(format!("security sector {s} is not a sector")));
            }
        }
        for required in ["country", "person", "organization", "place"] {
            if !vocab.entity_types.contains_key(required) {
                return Err(invalid(format!("entity type {required} is required by interchange v1")));
            }
        }
        if !vocab.relation_types.contains_key("holds_position") {
            return Err(invalid(
                "relation type holds_position is required by interchange v1".into(),
            ));
        }
        Ok(vocab)
    }

    /// The roles allowed for an event type, or `None` for an unknown type.
    pub fn roles(&self, event_type: &str) -> Option<&[String]> {
        self.event_types.get(event_type).map(|d| d.roles.as_slice())
    }

    pub fn is_domain(&self, domain: &str) -> bool {
        self.domains.iter().any(|d| d == domain)
    }

    pub fn is_security_sector(&self, sector: &str) -> bool {
        self.security_sectors.iter().any(|s| s == sector)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_ontology_loads_with_codes() {
        let v = Vocab::embedded().unwrap();
        assert_eq!(
            v.roles("visit").unwrap()[..2],
            ["visitor".to_string(), "host".to_string()]
        );
        assert_eq!(v.event_types["visit"].cameo, ["042", "043"]);
        assert_eq!(
            v.event_types["phone_call"].plover.as_ref().unwrap().mode.as_deref(),
            Some("phone")
        );
        assert!(v.event_types["appointment"].cameo.is_empty());
        assert!(v.event_types["appointment"].no_code_reason.is_some());
        assert_eq!(v.sectors["intelligence"].cameo.as_deref(), Some("SPY"));
        assert!(v.is_security_sector("police") && !v.is_security_sector("diplomacy"));
    }

    #[test]
    fn rejects_inconsistent_ontology() {
        let text = EMBEDDED.replace(
            "\"security_sectors\": [\"intelligence\"",
            "\"security_sectors\": [\"spies\"",
        );
        let err = Vocab::from_json("x.json", &text).unwrap_err().to_string();
        assert!(err.contains("security sector spies is not a sector"), "{err}");
    }
}

//! One batch from the extractions of several articles, ready for validation and the one
//! write path (`Store::import_records`).
//!
//! - Entities with one key are folded together by the rule validation itself applies
//!   ([`merge_entity`]: aliases united in first-seen order, later fields win), so the batch
//!   holds each entity once.
//! - Relations with one identity are kept once, the first one read.
//! - Events with one derived key are one event: two articles that report it give it both
//!   sources, and an event the store already holds keeps its record and gains the new
//!   sources. Its `offsets` and `rule` props keep one value per source, in source order.

use super::Extraction;
use crate::ingest::{merge_entity, Located, LookupError};
use crate::model::{derived_event_key, Entity, Event, PropValue, Record, Relation, RelationId};
use std::collections::{BTreeMap, BTreeSet};

/// Between the per-source values of the `offsets` and `rule` props: interchange v1 props
/// are scalars, so the list is one string (docs/extraction.md, Provenance).
const PROVENANCE_SEPARATOR: &str = " | ";

/// The events the store already holds, by key (`Ok(None)` for a key it does not hold).
pub type StoredEvent<'a> = dyn Fn(&str) -> Result<Option<Event>, LookupError> + 'a;

/// Merge the extractions of several articles, each with the name of its file (used as the
/// file of its records in validation messages).
///
/// # Arguments
/// - `articles`: each article's file name and extraction, in the order the files were given.
/// - `stored`: the store's event under a key, so that an event reported again keeps its
///   stored record and gains sources instead of replacing it.
///
/// # Returns
/// Entities by key, then relations in first-seen order, then events by derived key; each
/// record located at its file and its position in the batch (1-based).
///
/// # Complexity
/// O(R log R) for R records, plus one `stored` lookup per event.
///
/// # Errors
/// The first error `stored` returns.
pub fn merge(
    articles: Vec<(String, Extraction)>,
    stored: &StoredEvent<'_>,
) -> Result<Vec<Located<Record>>, LookupError> {
    let mut entities: BTreeMap<String, (String, Entity)> = BTreeMap::new();
    let mut relation_ids: BTreeSet<RelationId> = BTreeSet::new();
    let mut relations: Vec<(String, Relation)> = Vec::new();
    let mut events: BTreeMap<String, (String, Event)> = BTreeMap::new();
    for (file, x) in articles {
        for r in x.records {
            match r {
                Record::Entity(e) => match entities.get_mut(&e.key) {
                    Some((_, prev)) => merge_entity(prev, e),
                    None => {
                        entities.insert(e.key.clone(), (file.clone(), e));
                    }
                },
                Record::Relation(rel) => {
                    if relation_ids.insert(rel.identity()) {
                        relations.push((file.clone(), rel));
                    }
                }
                Record::Event(mut ev) => {
                    let key = derived_event_key(&ev.event_type, &ev.date, ev.location.as_deref(), &ev.participants);
                    if let Some(mut kept) = stored(&key)? {
                        add_sources(&mut kept, ev);
                        ev = kept;
                    }
                    ev.key = key.clone();
                    match events.get_mut(&key) {
                        Some((_, prev)) => add_sources(prev, ev),
                        None => {
                            events.insert(key, (file.clone(), ev));
                        }
                    }
                }
            }
        }
    }
    let records = entities
        .into_values()
        .map(|(f, e)| (f, Record::Entity(e)))
        .chain(relations.into_iter().map(|(f, r)| (f, Record::Relation(r))))
        .chain(events.into_values().map(|(f, e)| (f, Record::Event(e))));
    Ok(records
        .enumerate()
        .map(|(i, (file, record))| Located {
            file,
            line: i + 1,
            record,
        })
        .collect())
}

/// Add the sources of `from` that `into` lacks (same document and quote), with their
/// `offsets` and `rule` values. The props are rewritten only on an extractor's event: a
/// stored event imported from elsewhere keeps its own props.
fn add_sources(into: &mut Event, from: Event) {
    let values = |e: &Event, k: &str| match e.props.get(k) {
        Some(PropValue::Str(s)) => s.split(PROVENANCE_SEPARATOR).map(str::to_string).collect(),
        _ => Vec::new(),
    };
    let (offsets, rules) = (values(&from, "offsets"), values(&from, "rule"));
    let (mut into_offsets, mut into_rules) = (values(into, "offsets"), values(into, "rule"));
    let mut added = false;
    for (i, s) in from.sources.into_iter().enumerate() {
        if into.sources.iter().any(|x| x.doc == s.doc && x.quote == s.quote) {
            continue;
        }
        into.sources.push(s);
        into_offsets.push(offsets.get(i).cloned().unwrap_or_default());
        into_rules.push(rules.get(i).cloned().unwrap_or_default());
        added = true;
    }
    if added && into.props.contains_key("extractor") {
        let joined = |v: Vec<String>| PropValue::Str(v.join(PROVENANCE_SEPARATOR));
        into.props.insert("offsets".into(), joined(into_offsets));
        into.props.insert("rule".into(), joined(into_rules));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::Lang;
    use crate::model::{EventStatus, Participant, Source};

    fn entity(key: &str, name: &str, aliases: &[&str]) -> Record {
        Record::Entity(Entity {
            key: key.into(),
            entity_type: "person".into(),
            name: name.into(),
            aliases: aliases.iter().map(|a| a.to_string()).collect(),
            country: None,
            sector: None,
            props: Default::default(),
        })
    }

    fn event(doc: &str, offsets: &str) -> Record {
        let props = [
            ("extractor".to_string(), PropValue::Str("test".into())),
            ("offsets".to_string(), PropValue::Str(offsets.into())),
            ("rule".to_string(), PropValue::Str(format!("rule-{doc}"))),
        ];
        Record::Event(Event {
            key: String::new(),
            event_type: "meeting".into(),
            date: "2023-05-02".parse().unwrap(),
            end_date: None,
            location: None,
            domains: vec![],
            participants: vec![
                Participant {
                    entity: "person:a".into(),
                    role: "participant".into(),
                },
                Participant {
                    entity: "person:b".into(),
                    role: "participant".into(),
                },
            ],
            title: None,
            sources: vec![Source {
                doc: Some(doc.into()),
                quote: Some(format!("quote of {doc}")),
                ..Source::default()
            }],
            confidence: None,
            status: EventStatus::Reported,
            props: props.into_iter().collect(),
        })
    }

    fn article(doc: &str, records: Vec<Record>) -> (String, Extraction) {
        let x = Extraction {
            doc: doc.into(),
            lang: Lang::En,
            records,
            mentioned: vec![],
            notes: vec![],
        };
        (format!("{doc}.txt"), x)
    }

    #[test]
    fn one_event_in_two_articles_has_both_sources_and_one_provenance_value_each() {
        let merged = merge(
            vec![
                article("one", vec![entity("person:a", "A", &["Al"]), event("one", "1-10")]),
                article(
                    "two",
                    vec![entity("person:a", "A", &["Ay", "Al"]), event("two", "5-20")],
                ),
            ],
            &|_| Ok(None),
        )
        .unwrap();
        assert_eq!(merged.len(), 2);
        let Record::Entity(a) = &merged[0].record else {
            panic!("{merged:?}")
        };
        assert_eq!(a.aliases, ["Al", "Ay"]);
        let Record::Event(ev) = &merged[1].record else {
            panic!("{merged:?}")
        };
        assert_eq!(ev.sources.len(), 2);
        assert_eq!(ev.props["offsets"], PropValue::Str("1-10 | 5-20".into()));
        assert_eq!(ev.props["rule"], PropValue::Str("rule-one | rule-two".into()));
        assert_eq!((merged[1].file.as_str(), merged[1].line), ("one.txt", 2));
    }

    #[test]
    fn a_stored_event_keeps_its_record_and_gains_the_new_source() {
        let Record::Event(mut stored) = event("old", "3-4") else {
            unreachable!()
        };
        stored.title = Some("kept".into());
        let merged = merge(vec![article("new", vec![event("new", "7-9")])], &|_| {
            Ok(Some(stored.clone()))
        })
        .unwrap();
        let Record::Event(ev) = &merged[0].record else {
            panic!("{merged:?}")
        };
        assert_eq!(ev.title.as_deref(), Some("kept"));
        assert_eq!(ev.sources.len(), 2);
        assert_eq!(ev.props["offsets"], PropValue::Str("3-4 | 7-9".into()));
    }

    #[test]
    fn a_lookup_error_is_returned() {
        let e = merge(vec![article("x", vec![event("x", "1-2")])], &|_| {
            Err(LookupError("down".into()))
        });
        assert_eq!(e.unwrap_err().0, "down");
    }
}

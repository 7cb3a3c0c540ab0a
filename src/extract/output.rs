//! Extraction results → interchange records.
//!
//! Entities: new ones (found in the text, or from data/ and not yet in the store) in full;
//! store entities only when the article spells them in a new way (a record with the stored
//! name and the new alias, which import merges). Every country an emitted record refers to
//! is emitted too, so the batch validates against an empty store.
//!
//! Relations: `holds_position` for the new people whose title names their office, and
//! `located_in` for new embassies.
//!
//! Events carry their provenance: one source per sentence (document id, URL, publication
//! date, the sentence verbatim, language); what `sources` has no field for goes into the
//! event's props, one value per source in source order, separated by " | ": `offsets`
//! (character offsets `start-end` of the sentence in the file as read), `rule` (the trigger
//! that fired: type:lang:voice:"words"); plus `date_basis`, `inferred` and `extractor`.

use super::events::Event;
use super::gazetteer::{Ents, Origin};
use super::ner::Found;
use super::{Doc, Offsets, Options};
use crate::model::{Entity, Event as ModelEvent, Participant, PropValue, Props, Record, Relation, Source};
use std::collections::BTreeSet;

/// The extractor's name and version, recorded on every event.
pub const EXTRACTOR: &str = "dipgraph-extract/1";

pub(crate) fn records(
    doc: &Doc,
    found: &Found,
    ents: &mut Ents,
    events: &[Event],
    doc_id: &str,
    opts: &Options,
    off: &Offsets,
) -> (Vec<Record>, Vec<String>) {
    let live = |tok: usize| {
        let s = doc.sent_of[tok];
        doc.live[s] && !found.bylines.contains(&s)
    };
    let mentioned: BTreeSet<usize> = found
        .mentions
        .iter()
        .filter(|m| !m.nested && live(m.a))
        .map(|m| m.ent)
        .collect();
    let mut needed: BTreeSet<usize> = mentioned.clone();
    for e in events {
        needed.extend(e.parts.iter().map(|p| p.0));
        needed.extend(e.location);
    }
    // Positions of new people, as the article states them.
    let mut relations: Vec<Relation> = Vec::new();
    for p in &found.positions {
        if !p.from_text || ents.list[p.person].origin != Origin::New || !needed.contains(&p.person) {
            continue;
        }
        let to = match (p.org, p.country) {
            (Some(o), _) => o,
            (None, Some(c))
                if matches!(
                    p.kind,
                    super::resources::TitleKind::Ambassador
                        | super::resources::TitleKind::Minister
                        | super::resources::TitleKind::Leader
                ) =>
            {
                c
            }
            _ => continue,
        };
        if p.title.is_empty() || p.title == "-" {
            continue;
        }
        needed.insert(to);
        let mut props = Props::new();
        props.insert("source_doc".into(), PropValue::Str(doc_id.to_string()));
        let r = Relation {
            relation_type: "holds_position".into(),
            from: ents.list[p.person].entity.key.clone(),
            to: ents.list[to].entity.key.clone(),
            title: Some(p.title.clone()),
            since: None,
            until: None,
            props,
        };
        if !relations.iter().any(|x| x.identity() == r.identity()) {
            relations.push(r);
        }
    }
    // New embassies are located where their name says.
    for &e in &needed.clone() {
        let ent = &mut ents.list[e];
        if ent.origin != Origin::New {
            continue;
        }
        if let Some(PropValue::Str(place)) = ent.entity.props.remove("located_in") {
            relations.push(Relation {
                relation_type: "located_in".into(),
                from: ent.entity.key.clone(),
                to: place.clone(),
                title: None,
                since: None,
                until: None,
                props: Props::new(),
            });
            if let Some(p) = ents.get(&place) {
                needed.insert(p);
            }
        }
    }
    // Countries that emitted entities refer to.
    let mut queue: Vec<usize> = needed.iter().copied().collect();
    while let Some(e) = queue.pop() {
        if let Some(c) = ents.list[e].entity.country.as_deref().and_then(|k| ents.get(k)) {
            if needed.insert(c) {
                queue.push(c);
            }
        }
    }
    let mut out: Vec<Record> = Vec::new();
    for &e in &needed {
        let ent = &ents.list[e];
        match ent.origin {
            Origin::Store => {
                if !ent.new_names.is_empty() {
                    out.push(Record::Entity(Entity {
                        key: ent.entity.key.clone(),
                        entity_type: ent.entity.entity_type.clone(),
                        name: ent.entity.name.clone(),
                        aliases: ent.new_names.clone(),
                        country: None,
                        sector: None,
                        props: Props::new(),
                    }));
                }
            }
            Origin::Data | Origin::New => {
                let mut entity = ent.entity.clone();
                for n in &ent.new_names {
                    if *n != entity.name && !entity.aliases.contains(n) {
                        entity.aliases.push(n.clone());
                    }
                }
                if ent.origin == Origin::New {
                    entity
                        .props
                        .insert("source_doc".into(), PropValue::Str(doc_id.to_string()));
                    if let Some(m) = found.mentions.iter().find(|m| m.ent == e) {
                        entity
                            .props
                            .insert("found_by".into(), PropValue::Str(m.how.name().into()));
                    }
                }
                out.push(Record::Entity(entity));
            }
        }
    }
    out.extend(relations.into_iter().map(Record::Relation));
    for e in events {
        out.push(Record::Event(event_record(doc, ents, e, doc_id, opts, off)));
    }
    let mentioned = mentioned.iter().map(|&e| ents.list[e].entity.key.clone()).collect();
    (out, mentioned)
}

fn event_record(doc: &Doc, ents: &Ents, e: &Event, doc_id: &str, opts: &Options, off: &Offsets) -> ModelEvent {
    let key = |i: usize| ents.list[i].entity.key.clone();
    let mut participants: Vec<Participant> = Vec::new();
    for (ent, role) in &e.parts {
        let p = Participant {
            entity: key(*ent),
            role: role.clone(),
        };
        if !participants.contains(&p) {
            participants.push(p);
        }
    }
    let mut sources = Vec::new();
    let mut offsets = Vec::new();
    let mut rules = Vec::new();
    let mut seen = BTreeSet::new();
    // One source per sentence; its rule is the trigger of the event's own type if the
    // sentence has one.
    let mut ordered: Vec<&(usize, (usize, usize), String)> = e.sources.iter().collect();
    let own = format!("{}:", e.etype);
    ordered.sort_by_key(|(s, t, rule)| (*s, !rule.starts_with(&own), *t));
    for (s, _, rule) in ordered {
        if !seen.insert(*s) {
            continue;
        }
        let sent = &doc.sents[*s];
        sources.push(Source {
            url: opts.url.clone(),
            doc: Some(doc_id.to_string()),
            published: opts.published.map(|p| p.to_string()),
            quote: Some(doc.text[sent.start..sent.end].to_string()),
            lang: Some(doc.lang.code().to_string()),
        });
        offsets.push(format!("{}-{}", off.char_at(sent.start), off.char_at(sent.end)));
        rules.push(rule.clone());
    }
    let mut props = Props::new();
    props.insert("offsets".into(), PropValue::Str(offsets.join(" | ")));
    props.insert("rule".into(), PropValue::Str(rules.join(" | ")));
    props.insert("date_basis".into(), PropValue::Str(e.date.basis.clone()));
    props.insert("extractor".into(), PropValue::Str(EXTRACTOR.into()));
    if let Some(basis) = &e.status_basis {
        props.insert("status_basis".into(), PropValue::Str(basis.clone()));
    }
    if !e.notes.is_empty() {
        props.insert("inferred".into(), PropValue::Str(e.notes.join("; ")));
    }
    let names: Vec<String> = e
        .parts
        .iter()
        .map(|(i, r)| format!("{} ({r})", ents.list[*i].entity.name))
        .collect();
    let mut title = format!("{}: {}", e.etype, names.join(", "));
    if let Some(l) = e.location {
        title.push_str(&format!(", {}", ents.list[l].entity.name));
    }
    let vocab = crate::vocab::Vocab::current().ok();
    ModelEvent {
        key: String::new(),
        event_type: e.etype.clone(),
        date: e.date.date,
        end_date: e.date.end,
        location: e.location.map(key),
        domains: e
            .domains
            .iter()
            .filter(|d| vocab.is_none_or(|v| v.is_domain(d)))
            .cloned()
            .collect(),
        participants,
        title: Some(title),
        sources,
        confidence: Some(e.confidence),
        status: e.status,
        props,
    }
}

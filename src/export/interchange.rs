//! Interchange v1 writer: records → JSON Lines, one canonical form per record.
//!
//! The form is fixed so that dump → import → dump is byte-identical: fields in the order
//! of `interchange-v1.md`, absent and empty optional fields omitted, props sorted by name,
//! compact JSON, `\n` line ends. Callers hand records in the order they want them written.

use crate::model::{Entity, Event, PropValue, Props, Record, Relation, Source};
use serde_json::{Map, Value};
use std::io::{self, Write};

/// Writes records as interchange v1 lines.
pub struct InterchangeWriter<W: Write> {
    out: W,
    written: u64,
}

impl<W: Write> InterchangeWriter<W> {
    pub fn new(out: W) -> Self {
        InterchangeWriter { out, written: 0 }
    }

    pub fn write(&mut self, record: &Record) -> io::Result<()> {
        let value = record_json(record);
        serde_json::to_writer(&mut self.out, &value)?;
        self.out.write_all(b"\n")?;
        self.written += 1;
        Ok(())
    }

    pub fn written(&self) -> u64 {
        self.written
    }

    pub fn finish(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

/// The interchange JSON object of a record.
pub fn record_json(record: &Record) -> Value {
    match record {
        Record::Entity(e) => entity_json(e),
        Record::Relation(r) => relation_json(r),
        Record::Event(e) => event_json(e),
    }
}

fn put_opt(m: &mut Map<String, Value>, name: &str, v: Option<&String>) {
    if let Some(v) = v {
        m.insert(name.into(), Value::String(v.clone()));
    }
}

fn put_list(m: &mut Map<String, Value>, name: &str, v: &[String]) {
    if !v.is_empty() {
        m.insert(
            name.into(),
            Value::Array(v.iter().cloned().map(Value::String).collect()),
        );
    }
}

fn put_props(m: &mut Map<String, Value>, props: &Props) {
    if !props.is_empty() {
        m.insert("props".into(), props_json(props));
    }
}

/// Props as a JSON object, sorted by name.
pub fn props_json(props: &Props) -> Value {
    Value::Object(props.iter().map(|(k, v)| (k.clone(), prop_json(v))).collect())
}

pub fn prop_json(v: &PropValue) -> Value {
    match v {
        PropValue::Str(s) => Value::String(s.clone()),
        PropValue::Int(i) => Value::from(*i),
        PropValue::Float(f) => Value::from(*f),
        PropValue::Bool(b) => Value::Bool(*b),
    }
}

pub fn entity_json(e: &Entity) -> Value {
    let mut m = Map::new();
    m.insert("kind".into(), "entity".into());
    m.insert("key".into(), e.key.clone().into());
    m.insert("type".into(), e.entity_type.clone().into());
    m.insert("name".into(), e.name.clone().into());
    put_list(&mut m, "aliases", &e.aliases);
    put_opt(&mut m, "country", e.country.as_ref());
    put_opt(&mut m, "sector", e.sector.as_ref());
    put_props(&mut m, &e.props);
    Value::Object(m)
}

pub fn relation_json(r: &Relation) -> Value {
    let mut m = Map::new();
    m.insert("kind".into(), "relation".into());
    m.insert("type".into(), r.relation_type.clone().into());
    m.insert("from".into(), r.from.clone().into());
    m.insert("to".into(), r.to.clone().into());
    put_opt(&mut m, "title", r.title.as_ref());
    put_opt(&mut m, "since", r.since.map(|d| d.to_string()).as_ref());
    put_opt(&mut m, "until", r.until.map(|d| d.to_string()).as_ref());
    put_props(&mut m, &r.props);
    Value::Object(m)
}

pub fn source_json(s: &Source) -> Value {
    let mut m = Map::new();
    put_opt(&mut m, "url", s.url.as_ref());
    put_opt(&mut m, "doc", s.doc.as_ref());
    put_opt(&mut m, "published", s.published.as_ref());
    put_opt(&mut m, "quote", s.quote.as_ref());
    put_opt(&mut m, "lang", s.lang.as_ref());
    Value::Object(m)
}

pub fn event_json(e: &Event) -> Value {
    let mut m = Map::new();
    m.insert("kind".into(), "event".into());
    m.insert("key".into(), e.key.clone().into());
    m.insert("type".into(), e.event_type.clone().into());
    m.insert("date".into(), e.date.to_string().into());
    put_opt(&mut m, "end_date", e.end_date.map(|d| d.to_string()).as_ref());
    put_opt(&mut m, "location", e.location.as_ref());
    put_list(&mut m, "domains", &e.domains);
    let participants = e
        .participants
        .iter()
        .map(|p| {
            let mut pm = Map::new();
            pm.insert("entity".into(), p.entity.clone().into());
            pm.insert("role".into(), p.role.clone().into());
            Value::Object(pm)
        })
        .collect();
    m.insert("participants".into(), Value::Array(participants));
    put_opt(&mut m, "title", e.title.as_ref());
    if !e.sources.is_empty() {
        m.insert(
            "sources".into(),
            Value::Array(e.sources.iter().map(source_json).collect()),
        );
    }
    if let Some(c) = e.confidence {
        m.insert("confidence".into(), Value::from(c));
    }
    // `reported` is the default, left out so that v1.0 files dump as they were imported.
    if !e.status.is_reported() {
        m.insert("status".into(), e.status.as_str().into());
    }
    put_props(&mut m, &e.props);
    Value::Object(m)
}

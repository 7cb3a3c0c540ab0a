//! The exported subgraph: entity, event and source nodes and the edges among them, as
//! plain data built from records, and the passes that feed them to a format writer.
//!
//! Every format (GraphML, GEXF, node-link JSON, CSV) sees the same graph, in the same order,
//! through [`GraphSink`]. [`write_graph`] reads its [`Records`] in three passes — property
//! types, then nodes, then edges — so that the whole store can be exported without ever being
//! collected: nodes must precede edges in GraphML and GEXF, and every format declares its
//! columns before the first row. What stays in memory is the set of source documents already
//! written (16 bytes each) and the property schema.
//!
//! The graph, for a set of records:
//!
//! - nodes: each entity (id = its key), each event (id = its key), and each distinct source
//!   document an event cites (id = `src:` + a hash of its url, else its doc);
//! - edges, in this order: entity → its `country` (kind `country`); each relation, from → to
//!   (kind `relation`, type = the relation type, with title, since, until and props); then per
//!   event, each participant → event (kind `participation`, with the role; an entity with two
//!   roles gives two parallel edges), event → location (kind `location`), and event → source
//!   (kind `source`, with what the event's citation says: published, quote, lang).
//!
//! The `country` and `location` edges repeat the `country` and `location` attributes, which
//! stay authoritative (the GraphML reader uses the attribute when both are present).

use crate::model::{Day, Entity, Event, PartialDate, PropValue, Props, Relation, Source};
use crate::query::Selection;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::convert::Infallible;
use std::io;

/// A value type, named as GraphML names it (the other formats map these names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttrType {
    Bool,
    /// Fits in 32 bits.
    Int,
    /// 64-bit, but never beyond ±2^53, so that tools reading numbers as doubles keep it.
    Long,
    Double,
    String,
}

impl AttrType {
    pub fn graphml(self) -> &'static str {
        match self {
            AttrType::Bool => "boolean",
            AttrType::Int => "int",
            AttrType::Long => "long",
            AttrType::Double => "double",
            AttrType::String => "string",
        }
    }

    /// The narrowest type that holds every value seen so far and `v`.
    fn widen(self, v: &PropValue) -> AttrType {
        use AttrType::*;
        let t = type_of(v);
        match (self, t) {
            (a, b) if a == b => a,
            (Int, Long) | (Long, Int) => Long,
            (Int | Long, Double) | (Double, Int | Long) => Double,
            _ => String,
        }
    }
}

/// Integers beyond ±2^53 change when a tool reads them as doubles (igraph, JavaScript), so
/// they are exported as strings.
const EXACT_DOUBLE_INT: i64 = 1 << 53;

fn type_of(v: &PropValue) -> AttrType {
    match v {
        PropValue::Str(_) => AttrType::String,
        PropValue::Bool(_) => AttrType::Bool,
        PropValue::Float(_) => AttrType::Double,
        PropValue::Int(i) if i32::try_from(*i).is_ok() => AttrType::Int,
        PropValue::Int(i) if (-EXACT_DOUBLE_INT..=EXACT_DOUBLE_INT).contains(i) => AttrType::Long,
        PropValue::Int(_) => AttrType::String,
    }
}

/// A fixed attribute: its name in every format and its type.
#[derive(Debug, Clone, Copy)]
pub struct AttrDef {
    pub name: &'static str,
    pub ty: AttrType,
}

const fn s(name: &'static str) -> AttrDef {
    AttrDef {
        name,
        ty: AttrType::String,
    }
}

/// Node attributes, in output order. Indexes are the constants in [`node_attr`].
pub const NODE_ATTRS: [AttrDef; 18] = [
    s("kind"),
    s("type"),
    s("label"),
    s("key"),
    s("aliases"),
    s("country"),
    s("sector"),
    s("title"),
    s("date"),
    s("end_date"),
    s("start"),
    s("end"),
    s("location"),
    s("domains"),
    AttrDef {
        name: "confidence",
        ty: AttrType::Double,
    },
    s("status"),
    s("url"),
    s("doc"),
];

/// Indexes into [`NODE_ATTRS`].
pub mod node_attr {
    /// `entity`, `event` or `source`.
    pub const KIND: usize = 0;
    /// The entity type, the event type, or `source`.
    pub const TYPE: usize = 1;
    /// An entity's name; an event's title, else "TYPE DATE"; a source's url, else its doc.
    pub const LABEL: usize = 2;
    /// The record's key, written only when the node id differs from it (see [`super::IdClashes`]).
    pub const KEY: usize = 3;
    pub const ALIASES: usize = 4;
    pub const COUNTRY: usize = 5;
    pub const SECTOR: usize = 6;
    pub const TITLE: usize = 7;
    /// The partial date as stored: `2022`, `2022-05` or `2022-05-10`.
    pub const DATE: usize = 8;
    pub const END_DATE: usize = 9;
    /// First day of the event's interval, `YYYY-MM-DD`.
    pub const START: usize = 10;
    /// Last day of the event's interval, `YYYY-MM-DD`.
    pub const END: usize = 11;
    pub const LOCATION: usize = 12;
    pub const DOMAINS: usize = 13;
    pub const CONFIDENCE: usize = 14;
    /// `reported`, `planned`, `cancelled` or `denied`, on every event (`reported` too, unlike
    /// the dump, so that a filter on the column sees every event).
    pub const STATUS: usize = 15;
    pub const URL: usize = 16;
    pub const DOC: usize = 17;
}

/// Edge attributes, in output order. Indexes are the constants in [`edge_attr`].
pub const EDGE_ATTRS: [AttrDef; 9] = [
    s("kind"),
    s("type"),
    s("role"),
    s("title"),
    s("since"),
    s("until"),
    s("published"),
    s("quote"),
    s("lang"),
];

/// Indexes into [`EDGE_ATTRS`].
pub mod edge_attr {
    /// `participation`, `relation`, `location`, `country` or `source`.
    pub const KIND: usize = 0;
    /// `participant`, the relation type, `location`, `country` or `source`.
    pub const TYPE: usize = 1;
    pub const ROLE: usize = 2;
    pub const TITLE: usize = 3;
    pub const SINCE: usize = 4;
    pub const UNTIL: usize = 5;
    pub const PUBLISHED: usize = 6;
    pub const QUOTE: usize = 7;
    pub const LANG: usize = 8;
}

/// The prefix of a property whose own name is taken (see [`prop_attr_name`]).
pub const PROP_PREFIX: &str = "prop.";

/// Names a property may not use as its attribute name, beyond the fixed attributes: what
/// Gephi maps to built-in properties (check-graphml's list, from Gephi's ImporterGraphML),
/// `id` (igraph loses GraphML ids), and the node-link JSON member names.
const NODE_TAKEN: [&str; 12] = ["id", "x", "y", "z", "xpos", "ypos", "size", "r", "g", "b", "d3", "name"];
const EDGE_TAKEN: [&str; 14] = [
    "id",
    "source",
    "target",
    "key",
    "label",
    "edgelabel",
    "Edge Weight",
    "edgeid",
    "weight",
    "d7",
    "r",
    "g",
    "b",
    "directed",
];

/// Which kind of element an attribute belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Domain {
    Node,
    Edge,
}

/// The attribute name of property `prop`: the property's own name, or `prop.` + it when
/// that name is a fixed attribute, one of the names tools treat specially, or itself starts
/// with `prop.`. Injective, so that a reader can recover the property name.
pub fn prop_attr_name(domain: Domain, prop: &str) -> Cow<'_, str> {
    let (fixed, taken): (&[AttrDef], &[&str]) = match domain {
        Domain::Node => (&NODE_ATTRS, &NODE_TAKEN),
        Domain::Edge => (&EDGE_ATTRS, &EDGE_TAKEN),
    };
    if prop.starts_with(PROP_PREFIX) || fixed.iter().any(|a| a.name == prop) || taken.contains(&prop) {
        Cow::Owned(format!("{PROP_PREFIX}{prop}"))
    } else {
        Cow::Borrowed(prop)
    }
}

/// The property name behind an attribute name that is not a fixed attribute.
pub fn prop_name_of(attr_name: &str) -> &str {
    attr_name.strip_prefix(PROP_PREFIX).unwrap_or(attr_name)
}

/// A property column: the record's property name, its attribute name, and the type that
/// holds every value it takes in the export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropDef {
    pub prop: String,
    pub name: String,
    pub ty: AttrType,
}

/// The columns beyond the fixed attributes: entity and event props on nodes, relation
/// props on edges, each sorted by property name.
#[derive(Debug, Clone, Default)]
pub struct Schema {
    pub node_props: Vec<PropDef>,
    pub edge_props: Vec<PropDef>,
    node_index: HashMap<String, usize>,
    edge_index: HashMap<String, usize>,
}

impl Schema {
    fn build(node: BTreeMap<String, AttrType>, edge: BTreeMap<String, AttrType>) -> Schema {
        let defs = |m: BTreeMap<String, AttrType>, d: Domain| -> Vec<PropDef> {
            m.into_iter()
                .map(|(prop, ty)| PropDef {
                    name: prop_attr_name(d, &prop).into_owned(),
                    prop,
                    ty,
                })
                .collect()
        };
        let node_props = defs(node, Domain::Node);
        let edge_props = defs(edge, Domain::Edge);
        let index = |v: &[PropDef]| v.iter().enumerate().map(|(i, p)| (p.prop.clone(), i)).collect();
        Schema {
            node_index: index(&node_props),
            edge_index: index(&edge_props),
            node_props,
            edge_props,
        }
    }

    /// The column index of a node property (every property of an exported record has one).
    pub fn node_prop(&self, prop: &str) -> Option<(usize, &PropDef)> {
        self.node_index.get(prop).map(|&i| (i, &self.node_props[i]))
    }

    pub fn edge_prop(&self, prop: &str) -> Option<(usize, &PropDef)> {
        self.edge_index.get(prop).map(|&i| (i, &self.edge_props[i]))
    }
}

/// An attribute value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    Str(Cow<'a, str>),
    /// A list of strings: a JSON array in GraphML, GEXF and CSV, an array in JSON.
    List(&'a [String]),
    /// A string that is a record key (`country`, `location`): written unchanged, never
    /// Unicode-normalised, so that it still names its record when read back.
    Key(&'a str),
    Double(f64),
}

impl Value<'_> {
    /// The text form (lists as a JSON array).
    pub fn text(&self) -> Cow<'_, str> {
        match self {
            Value::Str(s) => Cow::Borrowed(s),
            Value::Key(s) => Cow::Borrowed(s),
            Value::List(l) => Cow::Owned(serde_json::to_string(l).unwrap_or_default()),
            Value::Double(f) => Cow::Owned(format_double(*f)),
        }
    }
}

/// A property value as text in a column of type `ty`: numbers in the shortest form that
/// reads back to the same value, booleans as `true`/`false`.
pub fn prop_text(v: &PropValue) -> Cow<'_, str> {
    match v {
        PropValue::Str(s) => Cow::Borrowed(s),
        PropValue::Int(i) => Cow::Owned(i.to_string()),
        PropValue::Float(f) => Cow::Owned(format_double(*f)),
        PropValue::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
    }
}

/// Finite doubles only exist here (JSON has no NaN or infinity). Rust's `Display` gives the
/// shortest digits that read back to the same double, without exponent or padding.
pub fn format_double(f: f64) -> String {
    format!("{f}")
}

/// A time span for dynamic formats: days `yyyymmdd`, open where `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spell {
    pub start: Option<Day>,
    pub end: Option<Day>,
}

/// `yyyymmdd` as `YYYY-MM-DD`.
pub fn iso_day(day: Day) -> String {
    format!("{:04}-{:02}-{:02}", day / 10_000, day / 100 % 100, day % 100)
}

/// A node, borrowing from the record it was made from.
#[derive(Debug, Clone)]
pub struct Node<'a> {
    pub id: Cow<'a, str>,
    /// Fixed attributes by [`node_attr`] index; `None` where absent.
    pub attrs: [Option<Value<'a>>; NODE_ATTRS.len()],
    pub props: Option<&'a Props>,
    /// Events: their date interval. Entities and sources exist at all times.
    pub spell: Option<Spell>,
}

impl Node<'_> {
    pub fn label(&self) -> Cow<'_, str> {
        self.attrs[node_attr::LABEL]
            .as_ref()
            .map(|v| v.text())
            .unwrap_or_default()
    }
}

/// An edge between two node ids.
#[derive(Debug, Clone)]
pub struct Edge<'a> {
    pub source: Cow<'a, str>,
    pub target: Cow<'a, str>,
    /// Fixed attributes by [`edge_attr`] index; `None` where absent.
    pub attrs: [Option<Value<'a>>; EDGE_ATTRS.len()],
    pub props: Option<&'a Props>,
    /// Edges of an event: the event's interval; relations: [since, until] where given.
    pub spell: Option<Spell>,
}

impl Edge<'_> {
    pub fn kind(&self) -> &str {
        match &self.attrs[edge_attr::KIND] {
            Some(Value::Str(s)) => s,
            _ => "",
        }
    }

    pub fn edge_type(&self) -> &str {
        match &self.attrs[edge_attr::TYPE] {
            Some(Value::Str(s)) => s,
            _ => "",
        }
    }
}

/// A format writer. [`write_graph`] calls `begin` once, then `node` for every node, then
/// `edge` for every edge (never a node after an edge), then `finish`.
pub trait GraphSink {
    fn begin(&mut self, schema: &Schema) -> io::Result<()>;
    fn node(&mut self, node: &Node<'_>) -> io::Result<()>;
    fn edge(&mut self, edge: &Edge<'_>) -> io::Result<()>;
    fn finish(&mut self) -> io::Result<()>;
}

/// Node ids that would collide, and how they are told apart.
///
/// Entity keys are unique among entities and event keys among events, but nothing forbids
/// an event key that is also an entity key, or a key that looks like a source id. Such an
/// event (or source) gets its id prefixed with a space: keys never begin with white space
/// (interchange v1), so the prefixed id equals no key and no other id. The event's node then
/// carries its key in the `key` attribute.
#[derive(Debug, Clone, Default)]
pub struct IdClashes {
    /// Event keys that are also entity keys.
    pub event_keys: HashSet<String>,
    /// Entity or event keys that start with [`SOURCE_ID_PREFIX`].
    pub source_like_keys: HashSet<String>,
}

/// Source node ids are this prefix and 32 hex digits.
pub const SOURCE_ID_PREFIX: &str = "src:";

impl IdClashes {
    /// The clashes within an in-memory set of records.
    pub fn of(entities: &[Entity], events: &[Event]) -> IdClashes {
        let entity_keys: HashSet<&str> = entities.iter().map(|e| e.key.as_str()).collect();
        let mut c = IdClashes::default();
        for ev in events {
            if entity_keys.contains(ev.key.as_str()) {
                c.event_keys.insert(ev.key.clone());
            }
        }
        let keys = entities.iter().map(|e| &e.key).chain(events.iter().map(|e| &e.key));
        c.source_like_keys = keys.filter(|k| k.starts_with(SOURCE_ID_PREFIX)).cloned().collect();
        c
    }

    fn event_id<'a>(&self, key: &'a str) -> Cow<'a, str> {
        if self.event_keys.contains(key) {
            Cow::Owned(format!(" {key}"))
        } else {
            Cow::Borrowed(key)
        }
    }

    fn source_id(&self, hash: u128) -> String {
        let id = format!("{SOURCE_ID_PREFIX}{hash:032x}");
        if self.source_like_keys.contains(&id) {
            format!(" {id}")
        } else {
            id
        }
    }
}

/// What identifies a source document: its url, else its doc; a source with neither is
/// the event's own (identified by the event key and its place in the list).
fn source_hash(event_key: &str, index: usize, s: &Source) -> u128 {
    let identity = match (&s.url, &s.doc) {
        (Some(url), _) => format!("source\0url\0{url}"),
        (None, Some(doc)) => format!("source\0doc\0{doc}"),
        (None, None) => format!("source\0event\0{event_key}\0{index}"),
    };
    uuid::Uuid::new_v5(&crate::model::NAMESPACE, identity.as_bytes()).as_u128()
}

/// One pass over records of type `T`.
pub type RecordIter<'a, T, E> = Box<dyn Iterator<Item = Result<T, E>> + 'a>;

/// The records to export, read once per pass. Implemented for an in-memory [`Selection`]
/// and, by the command line, for a whole store (whose iterators read as they go).
pub trait Records {
    type Error;
    /// Entities, by key.
    fn entities(&self) -> Result<RecordIter<'_, Entity, Self::Error>, Self::Error>;
    /// Relations, by (from, type, to, since); both ends are among the entities.
    fn relations(&self) -> Result<RecordIter<'_, Relation, Self::Error>, Self::Error>;
    /// Events, by key; participants and location are among the entities.
    fn events(&self) -> Result<RecordIter<'_, Event, Self::Error>, Self::Error>;
    fn clashes(&self) -> Result<IdClashes, Self::Error>;
}

impl Records for Selection {
    type Error = Infallible;

    fn entities(&self) -> Result<RecordIter<'_, Entity, Infallible>, Infallible> {
        Ok(Box::new(self.entities.iter().cloned().map(Ok)))
    }

    fn relations(&self) -> Result<RecordIter<'_, Relation, Infallible>, Infallible> {
        Ok(Box::new(self.relations.iter().cloned().map(Ok)))
    }

    fn events(&self) -> Result<RecordIter<'_, Event, Infallible>, Infallible> {
        Ok(Box::new(self.events.iter().cloned().map(Ok)))
    }

    fn clashes(&self) -> Result<IdClashes, Infallible> {
        Ok(IdClashes::of(&self.entities, &self.events))
    }
}

/// A failure while exporting: reading the records, or writing.
#[derive(Debug)]
pub enum WriteError<E> {
    Read(E),
    Io(io::Error),
}

impl<E> From<io::Error> for WriteError<E> {
    fn from(e: io::Error) -> Self {
        WriteError::Io(e)
    }
}

/// How much was written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub nodes: u64,
    pub edges: u64,
}

/// Write the graph of `records` to `sink`: a property-type pass, a node pass and an edge
/// pass over the records, writing as it goes.
pub fn write_graph<R: Records + ?Sized>(records: &R, sink: &mut dyn GraphSink) -> Result<Counts, WriteError<R::Error>> {
    let clashes = records.clashes().map_err(WriteError::Read)?;
    let schema = prop_schema(records)?;
    sink.begin(&schema)?;
    let mut counts = Counts::default();

    for e in records.entities().map_err(WriteError::Read)? {
        let e = e.map_err(WriteError::Read)?;
        sink.node(&entity_node(&e))?;
        counts.nodes += 1;
    }
    let mut sources_written: HashSet<u128> = HashSet::new();
    for ev in records.events().map_err(WriteError::Read)? {
        let ev = ev.map_err(WriteError::Read)?;
        sink.node(&event_node(&ev, clashes.event_id(&ev.key)))?;
        counts.nodes += 1;
        for (i, src) in ev.sources.iter().enumerate() {
            let hash = source_hash(&ev.key, i, src);
            if sources_written.insert(hash) {
                sink.node(&source_node(clashes.source_id(hash), src))?;
                counts.nodes += 1;
            }
        }
    }

    for e in records.entities().map_err(WriteError::Read)? {
        let e = e.map_err(WriteError::Read)?;
        if let Some(c) = &e.country {
            sink.edge(&plain_edge(Cow::Borrowed(&e.key), Cow::Borrowed(c), "country", None))?;
            counts.edges += 1;
        }
    }
    for r in records.relations().map_err(WriteError::Read)? {
        let r = r.map_err(WriteError::Read)?;
        sink.edge(&relation_edge(&r))?;
        counts.edges += 1;
    }
    for ev in records.events().map_err(WriteError::Read)? {
        let ev = ev.map_err(WriteError::Read)?;
        counts.edges += event_edges(&ev, &clashes, sink)?;
    }
    sink.finish()?;
    Ok(counts)
}

/// Every property name with the narrowest type that holds all its values.
fn prop_schema<R: Records + ?Sized>(records: &R) -> Result<Schema, WriteError<R::Error>> {
    let mut node: BTreeMap<String, AttrType> = BTreeMap::new();
    let mut edge: BTreeMap<String, AttrType> = BTreeMap::new();
    let observe = |m: &mut BTreeMap<String, AttrType>, props: &Props| {
        for (k, v) in props {
            match m.get_mut(k) {
                Some(t) => *t = t.widen(v),
                None => {
                    m.insert(k.clone(), type_of(v));
                }
            }
        }
    };
    for e in records.entities().map_err(WriteError::Read)? {
        observe(&mut node, &e.map_err(WriteError::Read)?.props);
    }
    for ev in records.events().map_err(WriteError::Read)? {
        observe(&mut node, &ev.map_err(WriteError::Read)?.props);
    }
    for r in records.relations().map_err(WriteError::Read)? {
        observe(&mut edge, &r.map_err(WriteError::Read)?.props);
    }
    Ok(Schema::build(node, edge))
}

fn lit(s: &'static str) -> Option<Value<'static>> {
    Some(Value::Str(Cow::Borrowed(s)))
}

fn text(s: &str) -> Option<Value<'_>> {
    Some(Value::Str(Cow::Borrowed(s)))
}

fn opt_text(s: &Option<String>) -> Option<Value<'_>> {
    s.as_deref().map(|s| Value::Str(Cow::Borrowed(s)))
}

fn date(d: &Option<PartialDate>) -> Option<Value<'static>> {
    d.map(|d| Value::Str(Cow::Owned(d.to_string())))
}

fn list(l: &[String]) -> Option<Value<'_>> {
    (!l.is_empty()).then_some(Value::List(l))
}

pub fn entity_node(e: &Entity) -> Node<'_> {
    let mut attrs: [Option<Value>; NODE_ATTRS.len()] = Default::default();
    attrs[node_attr::KIND] = lit("entity");
    attrs[node_attr::TYPE] = text(&e.entity_type);
    attrs[node_attr::LABEL] = text(&e.name);
    attrs[node_attr::ALIASES] = list(&e.aliases);
    attrs[node_attr::COUNTRY] = e.country.as_deref().map(Value::Key);
    attrs[node_attr::SECTOR] = opt_text(&e.sector);
    Node {
        id: Cow::Borrowed(&e.key),
        attrs,
        props: Some(&e.props),
        spell: None,
    }
}

/// An event's label when it has no title: "TYPE DATE".
pub fn default_event_label(event_type: &str, date: &PartialDate) -> String {
    format!("{event_type} {date}")
}

pub fn event_node<'a>(ev: &'a Event, id: Cow<'a, str>) -> Node<'a> {
    let mut attrs: [Option<Value>; NODE_ATTRS.len()] = Default::default();
    let (start, end) = ev.interval();
    attrs[node_attr::KIND] = lit("event");
    attrs[node_attr::TYPE] = text(&ev.event_type);
    attrs[node_attr::LABEL] = Some(match &ev.title {
        Some(t) => Value::Str(Cow::Borrowed(t)),
        None => Value::Str(Cow::Owned(default_event_label(&ev.event_type, &ev.date))),
    });
    if id != ev.key {
        attrs[node_attr::KEY] = Some(Value::Key(&ev.key));
    }
    attrs[node_attr::TITLE] = opt_text(&ev.title);
    attrs[node_attr::DATE] = date(&Some(ev.date));
    attrs[node_attr::END_DATE] = date(&ev.end_date);
    attrs[node_attr::START] = Some(Value::Str(Cow::Owned(iso_day(start))));
    attrs[node_attr::END] = Some(Value::Str(Cow::Owned(iso_day(end))));
    attrs[node_attr::LOCATION] = ev.location.as_deref().map(Value::Key);
    attrs[node_attr::DOMAINS] = list(&ev.domains);
    attrs[node_attr::CONFIDENCE] = ev.confidence.map(Value::Double);
    attrs[node_attr::STATUS] = lit(ev.status.as_str());
    Node {
        id,
        attrs,
        props: Some(&ev.props),
        spell: Some(Spell {
            start: Some(start),
            end: Some(end),
        }),
    }
}

pub fn source_node(id: String, s: &Source) -> Node<'_> {
    let mut attrs: [Option<Value>; NODE_ATTRS.len()] = Default::default();
    attrs[node_attr::KIND] = lit("source");
    attrs[node_attr::TYPE] = lit("source");
    attrs[node_attr::LABEL] = Some(match (&s.url, &s.doc) {
        (Some(u), _) => Value::Str(Cow::Borrowed(u)),
        (None, Some(d)) => Value::Str(Cow::Borrowed(d)),
        (None, None) => Value::Str(Cow::Borrowed("source")),
    });
    attrs[node_attr::URL] = opt_text(&s.url);
    attrs[node_attr::DOC] = opt_text(&s.doc);
    Node {
        id: Cow::Owned(id),
        attrs,
        props: None,
        spell: None,
    }
}

/// An edge whose kind and type are the same word (`country`, `location`, `source`).
fn plain_edge<'a>(source: Cow<'a, str>, target: Cow<'a, str>, kind: &'static str, spell: Option<Spell>) -> Edge<'a> {
    let mut attrs: [Option<Value>; EDGE_ATTRS.len()] = Default::default();
    attrs[edge_attr::KIND] = lit(kind);
    attrs[edge_attr::TYPE] = lit(kind);
    Edge {
        source,
        target,
        attrs,
        props: None,
        spell,
    }
}

pub fn relation_edge(r: &Relation) -> Edge<'_> {
    let mut attrs: [Option<Value>; EDGE_ATTRS.len()] = Default::default();
    attrs[edge_attr::KIND] = lit("relation");
    attrs[edge_attr::TYPE] = text(&r.relation_type);
    attrs[edge_attr::TITLE] = opt_text(&r.title);
    attrs[edge_attr::SINCE] = date(&r.since);
    attrs[edge_attr::UNTIL] = date(&r.until);
    let (start, end) = r.interval();
    // A relation whose `until` ends before its `since` starts never applies (see the JSONL
    // reader); no spell can say that, so it gets none rather than an inverted one.
    let spell = (r.since.is_some() || r.until.is_some())
        .then_some(Spell {
            start: r.since.map(|_| start),
            end: r.until.map(|_| end),
        })
        .filter(|_| start <= end);
    Edge {
        source: Cow::Borrowed(&r.from),
        target: Cow::Borrowed(&r.to),
        attrs,
        props: Some(&r.props),
        spell,
    }
}

/// The edges of one event, in the order: participations, location, sources.
fn event_edges(ev: &Event, clashes: &IdClashes, sink: &mut dyn GraphSink) -> io::Result<u64> {
    let id = clashes.event_id(&ev.key);
    let (start, end) = ev.interval();
    let spell = Some(Spell {
        start: Some(start),
        end: Some(end),
    });
    let mut n = 0;
    for p in &ev.participants {
        let mut attrs: [Option<Value>; EDGE_ATTRS.len()] = Default::default();
        attrs[edge_attr::KIND] = lit("participation");
        attrs[edge_attr::TYPE] = lit("participant");
        attrs[edge_attr::ROLE] = text(&p.role);
        sink.edge(&Edge {
            source: Cow::Borrowed(&p.entity),
            target: Cow::Borrowed(&id),
            attrs,
            props: None,
            spell,
        })?;
        n += 1;
    }
    if let Some(loc) = &ev.location {
        sink.edge(&plain_edge(Cow::Borrowed(&id), Cow::Borrowed(loc), "location", spell))?;
        n += 1;
    }
    for (i, src) in ev.sources.iter().enumerate() {
        let target = Cow::Owned(clashes.source_id(source_hash(&ev.key, i, src)));
        let mut e = plain_edge(Cow::Borrowed(&id), target, "source", spell);
        e.attrs[edge_attr::PUBLISHED] = opt_text(&src.published);
        e.attrs[edge_attr::QUOTE] = opt_text(&src.quote);
        e.attrs[edge_attr::LANG] = opt_text(&src.lang);
        sink.edge(&e)?;
        n += 1;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prop_types_widen_to_what_holds_every_value() {
        let t = |vs: &[PropValue]| vs[1..].iter().fold(type_of(&vs[0]), |t, v| t.widen(v));
        assert_eq!(t(&[PropValue::Int(1), PropValue::Int(2)]), AttrType::Int);
        assert_eq!(t(&[PropValue::Int(1), PropValue::Int(1 << 40)]), AttrType::Long);
        assert_eq!(t(&[PropValue::Int(1), PropValue::Float(0.5)]), AttrType::Double);
        assert_eq!(t(&[PropValue::Int(1), PropValue::Bool(true)]), AttrType::String);
        assert_eq!(t(&[PropValue::Int((1 << 53) + 1)]), AttrType::String);
        assert_eq!(t(&[PropValue::Int(-(1 << 53))]), AttrType::Long);
    }

    #[test]
    fn prop_attribute_names_are_injective() {
        assert_eq!(prop_attr_name(Domain::Node, "iso3"), "iso3");
        assert_eq!(prop_attr_name(Domain::Node, "type"), "prop.type");
        assert_eq!(prop_attr_name(Domain::Node, "prop.type"), "prop.prop.type");
        assert_eq!(prop_attr_name(Domain::Edge, "weight"), "prop.weight");
        assert_eq!(prop_attr_name(Domain::Node, "weight"), "weight");
        for p in ["type", "prop.type", "iso3", "id"] {
            assert_eq!(prop_name_of(&prop_attr_name(Domain::Node, p)), p);
        }
    }

    #[test]
    fn clashing_ids_are_moved_out_of_the_key_space() {
        let c = IdClashes {
            event_keys: ["MAR".to_string()].into(),
            source_like_keys: HashSet::new(),
        };
        assert_eq!(c.event_id("MAR"), " MAR");
        assert_eq!(c.event_id("ev:1"), "ev:1");
        assert_eq!(iso_day(20240229), "2024-02-29");
    }
}

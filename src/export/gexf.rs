//! GEXF 1.3, the dynamic graph Gephi's timeline replays.
//!
//! The same graph as the GraphML export, with time: `mode="dynamic"`,
//! `timeformat="date"`, and a `<spell>` on every event node and every edge of an event
//! (participations, location, sources) from the first to the last day of the event's date
//! interval — "2022-05" spans 2022-05-01..2022-05-31, "2023" the whole year — so that an
//! event appears on the timeline for exactly the period its date says. Relations with a
//! `since` or `until` carry a spell too (open where a bound is absent); entities, sources and
//! undated relations have none and are present throughout. The stored date at its own
//! precision stays in the `date` attribute.
//!
//! Ids are the keys as they are (GEXF ids are strings); every edge has a `kind` (its type),
//! which lets Gephi keep parallel edges apart.

use super::graphml::{clean_text, escape_attr_into, prop_value_text, raw_attr, value_text};
use super::subgraph::{iso_day, node_attr, AttrType, Edge, GraphSink, Node, Schema, Spell, EDGE_ATTRS, NODE_ATTRS};
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;
use std::io::{self, Write};

const NS: &str = "http://gexf.net/1.3";
const SCHEMA_LOCATION: &str = "http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd";

fn gexf_type(t: AttrType) -> &'static str {
    match t {
        AttrType::Bool => "boolean",
        AttrType::Int => "integer",
        AttrType::Long => "long",
        AttrType::Double => "double",
        AttrType::String => "string",
    }
}

/// Writes GEXF to `W` as nodes and edges arrive.
pub struct GexfWriter<W: Write> {
    xml: Writer<W>,
    schema: Schema,
    node_prop_types: Vec<AttrType>,
    edge_prop_types: Vec<AttrType>,
    edges: u64,
    in_edges: bool,
    buf: String,
}

impl<W: Write> GexfWriter<W> {
    pub fn new(out: W) -> Self {
        GexfWriter {
            xml: Writer::new_with_indent(out, b' ', 2),
            schema: Schema::default(),
            node_prop_types: Vec::new(),
            edge_prop_types: Vec::new(),
            edges: 0,
            in_edges: false,
            buf: String::new(),
        }
    }

    pub fn into_inner(self) -> W {
        self.xml.into_inner()
    }

    fn escaped(&mut self, s: &str) -> String {
        self.buf.clear();
        escape_attr_into(s, &mut self.buf);
        self.buf.clone()
    }

    fn attributes(&mut self, class: &str, fixed: &[(String, &str, AttrType)]) -> io::Result<()> {
        let mut a = BytesStart::new("attributes");
        a.push_attribute(raw_attr("class", class));
        a.push_attribute(raw_attr("mode", "static"));
        self.xml.write_event(Event::Start(a))?;
        for (id, title, ty) in fixed {
            let title = self.escaped(title);
            let mut e = BytesStart::new("attribute");
            e.push_attribute(raw_attr("id", id));
            e.push_attribute(raw_attr("title", &title));
            e.push_attribute(raw_attr("type", gexf_type(*ty)));
            self.xml.write_event(Event::Empty(e))?;
        }
        self.xml.write_event(Event::End(BytesEnd::new("attributes")))
    }

    /// `<attvalues>` for the given (attribute id, text) pairs, if any.
    fn attvalues(&mut self, values: &[(String, String)]) -> io::Result<()> {
        if values.is_empty() {
            return Ok(());
        }
        self.xml.write_event(Event::Start(BytesStart::new("attvalues")))?;
        for (id, text) in values {
            let text = self.escaped(text);
            let mut e = BytesStart::new("attvalue");
            e.push_attribute(raw_attr("for", id));
            e.push_attribute(raw_attr("value", &text));
            self.xml.write_event(Event::Empty(e))?;
        }
        self.xml.write_event(Event::End(BytesEnd::new("attvalues")))
    }

    fn spells(&mut self, spell: Option<Spell>) -> io::Result<()> {
        let Some(spell) = spell else { return Ok(()) };
        self.xml.write_event(Event::Start(BytesStart::new("spells")))?;
        let mut e = BytesStart::new("spell");
        let (start, end) = (spell.start.map(iso_day), spell.end.map(iso_day));
        if let Some(s) = &start {
            e.push_attribute(raw_attr("start", s));
        }
        if let Some(s) = &end {
            e.push_attribute(raw_attr("end", s));
        }
        self.xml.write_event(Event::Empty(e))?;
        self.xml.write_event(Event::End(BytesEnd::new("spells")))
    }
}

impl<W: Write> GraphSink for GexfWriter<W> {
    fn begin(&mut self, schema: &Schema) -> io::Result<()> {
        self.schema = schema.clone();
        self.node_prop_types = schema.node_props.iter().map(|p| p.ty).collect();
        self.edge_prop_types = schema.edge_props.iter().map(|p| p.ty).collect();
        self.xml
            .write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        let mut root = BytesStart::new("gexf");
        root.push_attribute(raw_attr("xmlns", NS));
        root.push_attribute(raw_attr("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"));
        root.push_attribute(raw_attr("xsi:schemaLocation", SCHEMA_LOCATION));
        root.push_attribute(raw_attr("version", "1.3"));
        self.xml.write_event(Event::Start(root))?;
        self.xml.write_event(Event::Start(BytesStart::new("meta")))?;
        self.xml.write_event(Event::Start(BytesStart::new("creator")))?;
        self.xml.write_event(Event::Text(BytesText::new("dipgraph")))?;
        self.xml.write_event(Event::End(BytesEnd::new("creator")))?;
        self.xml.write_event(Event::End(BytesEnd::new("meta")))?;
        let mut graph = BytesStart::new("graph");
        graph.push_attribute(raw_attr("defaultedgetype", "directed"));
        graph.push_attribute(raw_attr("mode", "dynamic"));
        graph.push_attribute(raw_attr("timeformat", "date"));
        graph.push_attribute(raw_attr("timerepresentation", "interval"));
        self.xml.write_event(Event::Start(graph))?;
        // The label is the node's own `label`, not an attribute column.
        let mut node_cols: Vec<(String, &str, AttrType)> = NODE_ATTRS
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != node_attr::LABEL)
            .map(|(_, a)| (format!("n_{}", a.name), a.name, a.ty))
            .collect();
        node_cols.extend(
            schema
                .node_props
                .iter()
                .enumerate()
                .map(|(i, p)| (format!("n_p_{i}"), p.name.as_str(), p.ty)),
        );
        self.attributes("node", &node_cols)?;
        let mut edge_cols: Vec<(String, &str, AttrType)> = EDGE_ATTRS
            .iter()
            .map(|a| (format!("e_{}", a.name), a.name, a.ty))
            .collect();
        edge_cols.extend(
            schema
                .edge_props
                .iter()
                .enumerate()
                .map(|(i, p)| (format!("e_p_{i}"), p.name.as_str(), p.ty)),
        );
        self.attributes("edge", &edge_cols)?;
        self.xml.write_event(Event::Start(BytesStart::new("nodes")))
    }

    fn node(&mut self, node: &Node<'_>) -> io::Result<()> {
        debug_assert!(!self.in_edges, "GraphSink: a node after an edge");
        let id = self.escaped(&clean_text(&node.id, false));
        let label = self.escaped(&clean_text(&node.label(), true));
        let mut start = BytesStart::new("node");
        start.push_attribute(raw_attr("id", &id));
        start.push_attribute(raw_attr("label", &label));
        self.xml.write_event(Event::Start(start))?;
        let mut values: Vec<(String, String)> = Vec::new();
        for (i, v) in node.attrs.iter().enumerate() {
            if let (Some(v), false) = (v, i == node_attr::LABEL) {
                let text = value_text(v);
                if !text.is_empty() {
                    values.push((format!("n_{}", NODE_ATTRS[i].name), text.into_owned()));
                }
            }
        }
        if let Some(props) = node.props {
            for (name, v) in props {
                if let Some((i, _)) = self.schema.node_prop(name) {
                    values.push((
                        format!("n_p_{i}"),
                        prop_value_text(v, self.node_prop_types[i]).into_owned(),
                    ));
                }
            }
        }
        self.attvalues(&values)?;
        self.spells(node.spell)?;
        self.xml.write_event(Event::End(BytesEnd::new("node")))
    }

    fn edge(&mut self, edge: &Edge<'_>) -> io::Result<()> {
        if !self.in_edges {
            self.in_edges = true;
            self.xml.write_event(Event::End(BytesEnd::new("nodes")))?;
            self.xml.write_event(Event::Start(BytesStart::new("edges")))?;
        }
        let id = format!("e{}", self.edges);
        self.edges += 1;
        let source = self.escaped(&clean_text(&edge.source, false));
        let target = self.escaped(&clean_text(&edge.target, false));
        let kind = self.escaped(&clean_text(edge.edge_type(), true));
        let mut start = BytesStart::new("edge");
        start.push_attribute(raw_attr("id", &id));
        start.push_attribute(raw_attr("source", &source));
        start.push_attribute(raw_attr("target", &target));
        start.push_attribute(raw_attr("kind", &kind));
        self.xml.write_event(Event::Start(start))?;
        let mut values: Vec<(String, String)> = Vec::new();
        for (i, v) in edge.attrs.iter().enumerate() {
            if let Some(v) = v {
                let text = value_text(v);
                if !text.is_empty() {
                    values.push((format!("e_{}", EDGE_ATTRS[i].name), text.into_owned()));
                }
            }
        }
        if let Some(props) = edge.props {
            for (name, v) in props {
                if let Some((i, _)) = self.schema.edge_prop(name) {
                    values.push((
                        format!("e_p_{i}"),
                        prop_value_text(v, self.edge_prop_types[i]).into_owned(),
                    ));
                }
            }
        }
        self.attvalues(&values)?;
        self.spells(edge.spell)?;
        self.xml.write_event(Event::End(BytesEnd::new("edge")))
    }

    fn finish(&mut self) -> io::Result<()> {
        if self.in_edges {
            self.xml.write_event(Event::End(BytesEnd::new("edges")))?;
        } else {
            self.xml.write_event(Event::End(BytesEnd::new("nodes")))?;
        }
        self.xml.write_event(Event::End(BytesEnd::new("graph")))?;
        self.xml.write_event(Event::End(BytesEnd::new("gexf")))?;
        let out = self.xml.get_mut();
        out.write_all(b"\n")?;
        out.flush()
    }
}

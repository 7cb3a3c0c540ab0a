//! GraphML 1.0, written with quick-xml as it goes: keys, then nodes, then edges.
//!
//! What the analysts' tools need (the rules tests/support/check_graphml.py checks):
//! every `<key>` is declared `for="node"` or `for="edge"` with a unique `attr.name` and an
//! `attr.type` among boolean/int/long/double/string; dates are ISO strings at their own
//! precision and lists JSON-array strings; text is UTF-8, NFC, without the characters XML
//! 1.0 forbids; one directed graph, nodes before edges, document-unique edge ids `e0, e1, …`
//! (parallel edges kept). Key ids carry a domain prefix (`n_label`, `e_type`) so that
//! Gephi maps only the `label` attribute to its labels.
//!
//! Node ids and `source`/`target` are XML NMTOKENs in the GraphML schema: a key with other
//! characters (space, `/`, Arabic…) is written with [`encode_id`], which the reader undoes.

use super::subgraph::{prop_text, AttrType, Edge, GraphSink, Node, Schema, Value, EDGE_ATTRS, NODE_ATTRS};
pub use crate::ingest::{decode_id, encode_id};
use crate::model::PropValue;
use quick_xml::events::attributes::Attribute;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::name::QName;
use quick_xml::Writer;
use std::borrow::Cow;
use std::io::{self, Write};
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

const NS: &str = "http://graphml.graphdrawing.org/xmlns";
const SCHEMA_LOCATION: &str =
    "http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd";

/// Whether XML 1.0 forbids `c` in a document, even as a character reference (its `Char`
/// production; surrogates cannot occur in a Rust string).
fn forbidden(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}')
}

/// `s` as XML may carry it: characters XML 1.0 forbids removed (so that the file always
/// parses), and, when `normalize`, in Unicode NFC (Arabic shadda and vowels in one order, as
/// Gephi's and yEd's searches expect). Borrows when nothing changes, the common case.
pub fn clean_text(s: &str, normalize: bool) -> Cow<'_, str> {
    let ascii = s.is_ascii();
    let has_forbidden = if ascii {
        s.bytes().any(|b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r'))
    } else {
        s.chars().any(forbidden)
    };
    let needs_nfc = normalize && !ascii && is_nfc_quick(s.chars()) != IsNormalized::Yes;
    match (has_forbidden, needs_nfc) {
        (false, false) => Cow::Borrowed(s),
        (true, false) => Cow::Owned(s.chars().filter(|&c| !forbidden(c)).collect()),
        (_, true) => Cow::Owned(s.chars().filter(|&c| !forbidden(c)).nfc().collect()),
    }
}

/// Append `s` escaped for element content. `\r` becomes `&#xD;` because a parser turns a
/// raw one into `\n`.
pub fn escape_text_into(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
}

/// Append `s` escaped for a double-quoted attribute value. Tab and line ends become
/// character references because attribute-value normalisation turns raw ones into spaces.
pub fn escape_attr_into(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#x9;"),
            '\n' => out.push_str("&#xA;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
}

/// An attribute whose value is already escaped.
pub fn raw_attr<'a>(name: &'a str, escaped: &'a str) -> Attribute<'a> {
    Attribute {
        key: QName(name),
        value: Cow::Borrowed(escaped),
    }
}

/// The text of a value, cleaned: keys are never normalised (they must keep naming their
/// record), everything else is NFC.
pub fn value_text<'v>(v: &'v Value<'_>) -> Cow<'v, str> {
    match v {
        Value::Key(k) => clean_text(k, false),
        Value::Str(s) => clean_text(s, true),
        other => match other.text() {
            Cow::Borrowed(b) => clean_text(b, true),
            Cow::Owned(o) => Cow::Owned(clean_text(&o, true).into_owned()),
        },
    }
}

/// A property's text in a column of type `ty`. A value of another type than the column's
/// (a column widened because records disagree) is written in the column's type: an integer
/// in a double column as that double, anything in a string column as its text.
pub fn prop_value_text(v: &PropValue, ty: AttrType) -> Cow<'_, str> {
    match (v, ty) {
        (PropValue::Int(i), AttrType::Double) => Cow::Owned(super::subgraph::format_double(*i as f64)),
        (PropValue::Str(s), _) => clean_text(s, true),
        _ => prop_text(v),
    }
}

/// Key ids: `n_`/`e_` and the fixed attribute's name, or `n_p`/`e_p` and the property's
/// column number (property names may hold characters an id cannot).
fn key_id(prefix: &str, name: &str) -> String {
    format!("{prefix}_{name}")
}

/// Writes GraphML to `W` as nodes and edges arrive.
pub struct GraphmlWriter<W: Write> {
    xml: Writer<W>,
    /// Prepared `<data key="…">` start tags, fixed attributes then properties.
    node_data: Vec<BytesStart<'static>>,
    edge_data: Vec<BytesStart<'static>>,
    node_prop_types: Vec<AttrType>,
    edge_prop_types: Vec<AttrType>,
    schema: Schema,
    edges: u64,
    in_edges: bool,
    buf: String,
}

impl<W: Write> GraphmlWriter<W> {
    pub fn new(out: W) -> Self {
        GraphmlWriter {
            xml: Writer::new_with_indent(out, b' ', 2),
            node_data: Vec::new(),
            edge_data: Vec::new(),
            node_prop_types: Vec::new(),
            edge_prop_types: Vec::new(),
            schema: Schema::default(),
            edges: 0,
            in_edges: false,
            buf: String::new(),
        }
    }

    pub fn into_inner(self) -> W {
        self.xml.into_inner()
    }

    fn key(&mut self, id: &str, domain: &str, name: &str, ty: AttrType) -> io::Result<()> {
        let mut name_esc = String::new();
        escape_attr_into(&encode_id(name), &mut name_esc);
        let mut k = BytesStart::new("key");
        k.push_attribute(raw_attr("id", id));
        k.push_attribute(raw_attr("for", domain));
        k.push_attribute(raw_attr("attr.name", &name_esc));
        k.push_attribute(raw_attr("attr.type", ty.graphml()));
        self.xml.write_event(Event::Empty(k))
    }

    fn data_tag(id: &str) -> BytesStart<'static> {
        BytesStart::from_content(format!("data key=\"{id}\""), 4)
    }

    fn data(xml: &mut Writer<W>, buf: &mut String, tag: &BytesStart<'static>, text: &str) -> io::Result<()> {
        // Empty strings are left out: NetworkX and Gephi drop them, and the reader treats a
        // missing value as absent.
        if text.is_empty() {
            return Ok(());
        }
        buf.clear();
        escape_text_into(text, buf);
        xml.write_event(Event::Start(tag.borrow()))?;
        xml.write_event(Event::Text(BytesText::from_escaped(buf.as_str())))?;
        xml.write_event(Event::End(BytesEnd::new("data")))
    }

    /// An id (a node's, or an edge's source or target) as an escaped NMTOKEN.
    fn id_attr(id: &str) -> String {
        let mut esc = String::new();
        escape_attr_into(&encode_id(id), &mut esc);
        esc
    }
}

impl<W: Write> GraphSink for GraphmlWriter<W> {
    fn begin(&mut self, schema: &Schema) -> io::Result<()> {
        self.schema = schema.clone();
        self.xml
            .write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        let mut root = BytesStart::new("graphml");
        root.push_attribute(raw_attr("xmlns", NS));
        root.push_attribute(raw_attr("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"));
        root.push_attribute(raw_attr("xsi:schemaLocation", SCHEMA_LOCATION));
        self.xml.write_event(Event::Start(root))?;
        for a in NODE_ATTRS {
            let id = key_id("n", a.name);
            self.key(&id, "node", a.name, a.ty)?;
            self.node_data.push(Self::data_tag(&id));
        }
        for (i, p) in schema.node_props.iter().enumerate() {
            let id = key_id("n_p", &i.to_string());
            self.key(&id, "node", &p.name, p.ty)?;
            self.node_data.push(Self::data_tag(&id));
            self.node_prop_types.push(p.ty);
        }
        for a in EDGE_ATTRS {
            let id = key_id("e", a.name);
            self.key(&id, "edge", a.name, a.ty)?;
            self.edge_data.push(Self::data_tag(&id));
        }
        for (i, p) in schema.edge_props.iter().enumerate() {
            let id = key_id("e_p", &i.to_string());
            self.key(&id, "edge", &p.name, p.ty)?;
            self.edge_data.push(Self::data_tag(&id));
            self.edge_prop_types.push(p.ty);
        }
        let mut graph = BytesStart::new("graph");
        graph.push_attribute(raw_attr("id", "G"));
        graph.push_attribute(raw_attr("edgedefault", "directed"));
        self.xml.write_event(Event::Start(graph))
    }

    fn node(&mut self, node: &Node<'_>) -> io::Result<()> {
        debug_assert!(!self.in_edges, "GraphSink: a node after an edge");
        let id = Self::id_attr(&node.id);
        let mut start = BytesStart::new("node");
        start.push_attribute(raw_attr("id", &id));
        self.xml.write_event(Event::Start(start))?;
        for (i, v) in node.attrs.iter().enumerate() {
            if let Some(v) = v {
                Self::data(&mut self.xml, &mut self.buf, &self.node_data[i], &value_text(v))?;
            }
        }
        if let Some(props) = node.props {
            for (name, v) in props {
                if let Some((i, _)) = self.schema.node_prop(name) {
                    let text = prop_value_text(v, self.node_prop_types[i]);
                    Self::data(
                        &mut self.xml,
                        &mut self.buf,
                        &self.node_data[NODE_ATTRS.len() + i],
                        &text,
                    )?;
                }
            }
        }
        self.xml.write_event(Event::End(BytesEnd::new("node")))
    }

    fn edge(&mut self, edge: &Edge<'_>) -> io::Result<()> {
        self.in_edges = true;
        let source = Self::id_attr(&edge.source);
        let target = Self::id_attr(&edge.target);
        let id = format!("e{}", self.edges);
        self.edges += 1;
        let mut start = BytesStart::new("edge");
        start.push_attribute(raw_attr("id", &id));
        start.push_attribute(raw_attr("source", &source));
        start.push_attribute(raw_attr("target", &target));
        self.xml.write_event(Event::Start(start))?;
        for (i, v) in edge.attrs.iter().enumerate() {
            if let Some(v) = v {
                Self::data(&mut self.xml, &mut self.buf, &self.edge_data[i], &value_text(v))?;
            }
        }
        if let Some(props) = edge.props {
            for (name, v) in props {
                if let Some((i, _)) = self.schema.edge_prop(name) {
                    let text = prop_value_text(v, self.edge_prop_types[i]);
                    Self::data(
                        &mut self.xml,
                        &mut self.buf,
                        &self.edge_data[EDGE_ATTRS.len() + i],
                        &text,
                    )?;
                }
            }
        }
        self.xml.write_event(Event::End(BytesEnd::new("edge")))
    }

    fn finish(&mut self) -> io::Result<()> {
        self.xml.write_event(Event::End(BytesEnd::new("graph")))?;
        self.xml.write_event(Event::End(BytesEnd::new("graphml")))?;
        let out = self.xml.get_mut();
        out.write_all(b"\n")?;
        out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_cleaned_and_normalised() {
        assert_eq!(clean_text("a\u{1}b\u{1B}c\td", true), "abc\td");
        assert_eq!(clean_text("x\u{FFFE}", false), "x");
        // e + combining acute → é (NFC); a key keeps its form.
        assert_eq!(clean_text("e\u{301}", true), "\u{e9}");
        assert_eq!(clean_text("e\u{301}", false), "e\u{301}");
        assert!(matches!(clean_text("plain", true), Cow::Borrowed(_)));
        let mut s = String::new();
        escape_text_into("a<b>&\r\n", &mut s);
        assert_eq!(s, "a&lt;b&gt;&amp;&#xD;\n");
        s.clear();
        escape_attr_into("\"\t\n", &mut s);
        assert_eq!(s, "&quot;&#x9;&#xA;");
    }
}

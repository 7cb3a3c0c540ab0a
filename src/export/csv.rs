//! CSV for `neo4j-admin database import`: `nodes.csv` and `edges.csv`.
//!
//! Headers follow neo4j-admin's conventions: `:ID` and `:LABEL` (labels `Entity;Person`,
//! `Event;Visit`, `Source`), `:START_ID`, `:END_ID` and `:TYPE` (`PARTICIPANT`,
//! `HOLDS_POSITION`, `LOCATION`, `COUNTRY`, `SOURCE`), and `name:type` for typed columns
//! (`confidence:double`, `count:long`); untyped columns are strings. Every attribute of the
//! other formats is a column, lists as JSON-array strings; an empty cell is no value.
//!
//! Every text cell — ids included, identically in both files so that edges still find their
//! nodes — goes through [`guard_cell`]: a cell beginning with `=`, `+`, `-`, `@`, tab or
//! carriage return gets a leading apostrophe, so a spreadsheet shows it instead of running
//! it as a formula. Numbers and booleans in typed columns are written by this exporter
//! from typed values (digits, sign, point), cannot hold a formula, and are left unguarded
//! so that neo4j-admin still parses them.

use super::report::guard_cell;
use super::subgraph::{node_attr, AttrType, Edge, GraphSink, Node, Schema, Value, EDGE_ATTRS, NODE_ATTRS};
use crate::model::PropValue;
use std::borrow::Cow;
use std::io::{self, Write};

/// The column header for a value of type `ty` named `name`. A `:` would end the name in
/// neo4j-admin's header syntax, so it is written `_x003A_`.
fn header(name: &str, ty: AttrType) -> String {
    let name = name.replace(':', "_x003A_");
    match ty {
        AttrType::String => name,
        AttrType::Bool => format!("{name}:boolean"),
        AttrType::Int | AttrType::Long => format!("{name}:long"),
        AttrType::Double => format!("{name}:double"),
    }
}

/// `committee_meeting` → `CommitteeMeeting`, neo4j's label style.
fn pascal(s: &str) -> String {
    s.split(|c: char| c == '_' || c == '-' || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut cs = w.chars();
            match cs.next() {
                Some(first) => first.to_uppercase().chain(cs).collect::<String>(),
                None => String::new(),
            }
        })
        .collect()
}

/// Writes `nodes.csv` to `N` and `edges.csv` to `E` as nodes and edges arrive.
pub struct CsvWriter<N: Write, E: Write> {
    nodes: ::csv::Writer<N>,
    edges: ::csv::Writer<E>,
    schema: Schema,
    row: Vec<String>,
}

impl<N: Write, E: Write> CsvWriter<N, E> {
    pub fn new(nodes: N, edges: E) -> Self {
        CsvWriter {
            nodes: ::csv::Writer::from_writer(nodes),
            edges: ::csv::Writer::from_writer(edges),
            schema: Schema::default(),
            row: Vec::new(),
        }
    }
}

fn guarded(s: &str) -> String {
    guard_cell(s).into_owned()
}

fn cell(v: &Value<'_>) -> String {
    match v {
        Value::Double(f) => super::subgraph::format_double(*f),
        other => guarded(&other.text()),
    }
}

fn prop_cell(v: &PropValue, ty: AttrType) -> String {
    match (v, ty) {
        (PropValue::Str(s), _) => guarded(s),
        (_, AttrType::String) => guarded(&super::subgraph::prop_text(v)),
        (PropValue::Int(i), AttrType::Double) => super::subgraph::format_double(*i as f64),
        _ => super::subgraph::prop_text(v).into_owned(),
    }
}

fn csv_io(e: ::csv::Error) -> io::Error {
    match e.into_kind() {
        ::csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

impl<N: Write, E: Write> GraphSink for CsvWriter<N, E> {
    fn begin(&mut self, schema: &Schema) -> io::Result<()> {
        self.schema = schema.clone();
        let mut h: Vec<String> = vec![":ID".into(), ":LABEL".into()];
        h.extend(NODE_ATTRS.iter().map(|a| header(a.name, a.ty)));
        h.extend(schema.node_props.iter().map(|p| header(&p.name, p.ty)));
        self.nodes.write_record(&h).map_err(csv_io)?;
        let mut h: Vec<String> = vec![":START_ID".into(), ":END_ID".into(), ":TYPE".into()];
        h.extend(EDGE_ATTRS.iter().map(|a| header(a.name, a.ty)));
        h.extend(schema.edge_props.iter().map(|p| header(&p.name, p.ty)));
        self.edges.write_record(&h).map_err(csv_io)
    }

    fn node(&mut self, node: &Node<'_>) -> io::Result<()> {
        let text = |i: usize| node.attrs[i].as_ref().map(|v| v.text()).unwrap_or(Cow::Borrowed(""));
        let (kind, ty) = (text(node_attr::KIND), text(node_attr::TYPE));
        let label = if kind == ty {
            pascal(&kind)
        } else {
            format!("{};{}", pascal(&kind), pascal(&ty))
        };
        self.row.clear();
        self.row.push(guarded(&node.id));
        self.row.push(guarded(&label));
        for v in &node.attrs {
            self.row.push(v.as_ref().map(cell).unwrap_or_default());
        }
        let mut props = vec![String::new(); self.schema.node_props.len()];
        if let Some(ps) = node.props {
            for (name, v) in ps {
                if let Some((i, def)) = self.schema.node_prop(name) {
                    props[i] = prop_cell(v, def.ty);
                }
            }
        }
        self.row.extend(props);
        self.nodes.write_record(&self.row).map_err(csv_io)
    }

    fn edge(&mut self, edge: &Edge<'_>) -> io::Result<()> {
        self.row.clear();
        self.row.push(guarded(&edge.source));
        self.row.push(guarded(&edge.target));
        self.row.push(guarded(&edge.edge_type().to_uppercase()));
        for v in &edge.attrs {
            self.row.push(v.as_ref().map(cell).unwrap_or_default());
        }
        let mut props = vec![String::new(); self.schema.edge_props.len()];
        if let Some(ps) = edge.props {
            for (name, v) in ps {
                if let Some((i, def)) = self.schema.edge_prop(name) {
                    props[i] = prop_cell(v, def.ty);
                }
            }
        }
        self.row.extend(props);
        self.edges.write_record(&self.row).map_err(csv_io)
    }

    fn finish(&mut self) -> io::Result<()> {
        self.nodes.flush()?;
        self.edges.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_and_labels_follow_neo4j_conventions() {
        assert_eq!(header("confidence", AttrType::Double), "confidence:double");
        assert_eq!(header("a:b", AttrType::Int), "a_x003A_b:long");
        assert_eq!(header("title", AttrType::String), "title");
        assert_eq!(pascal("committee_meeting"), "CommitteeMeeting");
        assert_eq!(pascal("entity"), "Entity");
    }
}

//! Node-link JSON, as NetworkX's `node_link_graph` reads it (NetworkX 3.6: members
//! `directed`, `multigraph`, `graph`, `nodes` and `edges`; a node's `id`; an edge's
//! `source`, `target` and, in a multigraph, `key`).
//!
//! Written as it goes, one node or edge per line. Values keep their JSON types: lists are
//! arrays, numbers numbers, each property value its own type; strings are exactly as stored
//! (no normalisation: JSON carries any text).

use super::subgraph::{node_attr, Edge, GraphSink, Node, Schema, Value, EDGE_ATTRS, NODE_ATTRS};
use crate::export::interchange::prop_json;
use serde_json::{Map, Value as Json};
use std::io::{self, Write};

/// Writes node-link JSON to `W` as nodes and edges arrive.
pub struct NodeLinkWriter<W: Write> {
    out: W,
    schema: Schema,
    nodes: u64,
    edges: u64,
}

impl<W: Write> NodeLinkWriter<W> {
    pub fn new(out: W) -> Self {
        NodeLinkWriter {
            out,
            schema: Schema::default(),
            nodes: 0,
            edges: 0,
        }
    }

    pub fn into_inner(self) -> W {
        self.out
    }

    fn line(&mut self, first: bool, value: &Json) -> io::Result<()> {
        self.out.write_all(if first { b"\n    " } else { b",\n    " })?;
        serde_json::to_writer(&mut self.out, value).map_err(io::Error::from)
    }
}

fn json_of(v: &Value<'_>) -> Json {
    match v {
        Value::Str(s) => Json::String(s.to_string()),
        Value::Key(k) => Json::String(k.to_string()),
        Value::List(l) => Json::Array(l.iter().map(|s| Json::String(s.clone())).collect()),
        Value::Double(f) => Json::from(*f),
    }
}

impl<W: Write> GraphSink for NodeLinkWriter<W> {
    fn begin(&mut self, schema: &Schema) -> io::Result<()> {
        self.schema = schema.clone();
        self.out.write_all(
            b"{\n  \"directed\": true,\n  \"multigraph\": true,\n  \"graph\": {\"generator\": \"dipgraph\"},\n  \"nodes\": [",
        )
    }

    fn node(&mut self, node: &Node<'_>) -> io::Result<()> {
        let mut m = Map::new();
        m.insert("id".into(), Json::String(node.id.to_string()));
        for (i, v) in node.attrs.iter().enumerate() {
            if let Some(v) = v {
                m.insert(NODE_ATTRS[i].name.into(), json_of(v));
            }
        }
        debug_assert!(m.contains_key(NODE_ATTRS[node_attr::LABEL].name));
        if let Some(props) = node.props {
            for (name, v) in props {
                if let Some((_, def)) = self.schema.node_prop(name) {
                    m.insert(def.name.clone(), prop_json(v));
                }
            }
        }
        let first = self.nodes == 0;
        self.nodes += 1;
        self.line(first, &Json::Object(m))
    }

    fn edge(&mut self, edge: &Edge<'_>) -> io::Result<()> {
        if self.edges == 0 {
            self.out.write_all(if self.nodes == 0 {
                b"],\n  \"edges\": ["
            } else {
                b"\n  ],\n  \"edges\": ["
            })?;
        }
        let mut m = Map::new();
        m.insert("source".into(), Json::String(edge.source.to_string()));
        m.insert("target".into(), Json::String(edge.target.to_string()));
        m.insert("key".into(), Json::String(format!("e{}", self.edges)));
        for (i, v) in edge.attrs.iter().enumerate() {
            if let Some(v) = v {
                m.insert(EDGE_ATTRS[i].name.into(), json_of(v));
            }
        }
        if let Some(props) = edge.props {
            for (name, v) in props {
                if let Some((_, def)) = self.schema.edge_prop(name) {
                    m.insert(def.name.clone(), prop_json(v));
                }
            }
        }
        let first = self.edges == 0;
        self.edges += 1;
        self.line(first, &Json::Object(m))
    }

    fn finish(&mut self) -> io::Result<()> {
        let tail: &[u8] = match (self.nodes, self.edges) {
            (0, 0) => b"],\n  \"edges\": []\n}\n",
            (_, 0) => b"\n  ],\n  \"edges\": []\n}\n",
            _ => b"\n  ]\n}\n",
        };
        self.out.write_all(tail)?;
        self.out.flush()
    }
}

//! GraphML → records: what `dipgraph export --format graphml` writes, and GraphML from
//! Gephi or yEd.
//!
//! A node is an entity, an event or a source document, by its `kind` attribute; without one,
//! an event when its `type` is an event type of the ontology, else an entity. Its key is the
//! `key` attribute if present, else its id (undoing [`encode_id`]). An entity's name is its
//! `label`, else its `name`, else a yEd `y:NodeLabel`. Edges, by `kind` (or, without one, by
//! what they join): participations (entity–event, with `role`) give an event its
//! participants in file order; relations (entity → entity, `type`) become relation records;
//! `source` edges (event → source) give an event its sources; `location` and `country`
//! edges fill the attribute of the same name when it is missing.
//!
//! Attributes that are not dipgraph's become props of entities, events and relations
//! (`prop.X` becomes prop `X`, undoing the exporter's renaming). Attributes on other edges
//! (Gephi's `weight`) have no place in the data model and are dropped.
//!
//! Each record is checked by the interchange reader ([`parse_line`]) after being put in its
//! interchange form, so GraphML input meets exactly the rules JSON Lines input does. Every
//! problem is reported as `FILE:LINE: FIELD: what is wrong`, where LINE is the line of the
//! `<node>`, `<edge>` or `<data>` at fault and FIELD the attribute's name.

use super::error::IngestError;
use super::jsonl::{parse_line, LineResult, Located};
use crate::vocab::Vocab;
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::{Reader, XmlVersion};
use serde_json::{Map, Value as Json};
use std::borrow::Cow;
use std::collections::HashMap;
use std::io::BufRead;

/// `s` as an XML NMTOKEN (what GraphML requires of ids): ASCII letters, digits, `.`, `-`,
/// `:` and `_` stay; every other character becomes `_xHHHH_` (`_xHHHHHH_` beyond U+FFFF),
/// the SQL/XML and .NET `XmlConvert` convention, and so does a `_` followed by `x`, which
/// makes the mapping reversible by [`decode_id`].
pub fn encode_id(s: &str) -> Cow<'_, str> {
    let safe = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '_');
    let bytes = s.as_bytes();
    let needs = s.chars().any(|c| !safe(c)) || bytes.windows(2).any(|w| w == b"_x");
    if !needs {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        let escape = !safe(c) || (c == '_' && chars.peek() == Some(&'x'));
        if !escape {
            out.push(c);
        } else if (c as u32) <= 0xFFFF {
            out.push_str(&format!("_x{:04X}_", c as u32));
        } else {
            out.push_str(&format!("_x{:06X}_", c as u32));
        }
    }
    Cow::Owned(out)
}

/// Undo [`encode_id`]. Text that is not an escape (a foreign id such as `n0`, or `_x` not
/// followed by hex digits and `_`) stays as it is.
pub fn decode_id(s: &str) -> Cow<'_, str> {
    if !s.contains("_x") {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("_x") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        let decoded = [4usize, 6].iter().find_map(|&n| {
            let hex = after.get(..n)?;
            if after.as_bytes().get(n) != Some(&b'_') || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            char::from_u32(u32::from_str_radix(hex, 16).ok()?).map(|c| (c, n + 1))
        });
        match decoded {
            Some((c, used)) => {
                out.push(c);
                rest = &after[used..];
            }
            None => {
                out.push_str("_x");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Whether an input is GraphML: named `*.graphml`, or starting (after a byte-order mark
/// and white space) with `<?xml` or `<graphml`.
pub fn looks_like_graphml(name: &str, head: &[u8]) -> bool {
    if name.to_ascii_lowercase().ends_with(".graphml") {
        return true;
    }
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let start = head.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(head.len());
    let head = &head[start..];
    head.starts_with(b"<?xml") || head.starts_with(b"<graphml")
}

/// A `BufRead` that counts the line ends its reader consumes, so that the byte positions
/// quick-xml reports can be told as line numbers without keeping the file.
struct Lines<R> {
    inner: R,
    /// Bytes consumed so far.
    pos: u64,
    /// Line ends among them.
    newlines: u64,
    /// Position and line-end count at the last mark (the end of the last whole event).
    mark: (u64, u64),
    /// Offsets of the line ends consumed since the mark, up to a bound: an error inside
    /// one huge construct is still placed when it is near the construct's start.
    recent: Vec<u64>,
}

const RECENT_MAX: usize = 1 << 16;

impl<R: BufRead> Lines<R> {
    fn new(inner: R) -> Self {
        Lines {
            inner,
            pos: 0,
            newlines: 0,
            mark: (0, 0),
            recent: Vec::new(),
        }
    }

    fn mark(&mut self) {
        self.mark = (self.pos, self.newlines);
        self.recent.clear();
    }

    /// The 1-based line of the byte at `offset`, for an offset at or after the mark.
    fn line_at(&self, offset: u64) -> usize {
        let after_mark = self.recent.iter().take_while(|&&o| o < offset).count() as u64;
        (self.mark.1 + after_mark + 1) as usize
    }

    /// The line the next byte is on.
    fn line(&self) -> usize {
        (self.newlines + 1) as usize
    }
}

impl<R: BufRead> std::io::Read for Lines<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = {
            let avail = self.fill_buf()?;
            let n = avail.len().min(buf.len());
            buf[..n].copy_from_slice(&avail[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Lines<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        // The bytes being consumed are the front of the buffer the last fill_buf returned;
        // asking again returns that same buffer without reading.
        if let Ok(buf) = self.inner.fill_buf() {
            for (i, &b) in buf[..amt.min(buf.len())].iter().enumerate() {
                if b == b'\n' {
                    self.newlines += 1;
                    if self.recent.len() < RECENT_MAX {
                        self.recent.push(self.pos + i as u64);
                    }
                }
            }
        }
        self.pos += amt as u64;
        self.inner.consume(amt);
    }
}

/// A `<key>`: the domain it is declared for, its name and type, its default.
#[derive(Debug, Clone)]
struct KeyDef {
    domain: String,
    name: String,
    ty: String,
    default: Option<String>,
}

/// A value as its key's `attr.type` reads it.
#[derive(Debug, Clone, PartialEq)]
enum Typed {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
}

impl Typed {
    fn json(&self) -> Json {
        match self {
            Typed::Str(s) => Json::String(s.clone()),
            Typed::Int(i) => Json::from(*i),
            Typed::Float(f) => serde_json::Number::from_f64(*f).map_or(Json::Null, Json::Number),
            Typed::Bool(b) => Json::Bool(*b),
        }
    }

    fn text(&self) -> String {
        match self {
            Typed::Str(s) => s.clone(),
            Typed::Int(i) => i.to_string(),
            Typed::Float(f) => f.to_string(),
            Typed::Bool(b) => b.to_string(),
        }
    }
}

/// A `<node>` or `<edge>` as read: attributes by name, each with the line of its `<data>`.
#[derive(Debug, Default)]
struct Element {
    line: usize,
    id: String,
    source: String,
    target: String,
    data: Vec<(String, Typed, usize)>,
    /// The text of a yEd `y:NodeLabel`, when the node has one.
    yed_label: Option<String>,
}

impl Element {
    fn get(&self, name: &str) -> Option<&(String, Typed, usize)> {
        self.data.iter().rev().find(|(n, _, _)| n == name)
    }

    fn text(&self, name: &str) -> Option<String> {
        self.get(name).map(|(_, v, _)| v.text())
    }
}

/// Read a GraphML document and hand each record, or each record's problems, to `each`:
/// entities and events in node order, then relations in edge order.
pub fn read_graphml(input: impl BufRead, file: &str, vocab: &Vocab, each: &mut dyn FnMut(LineResult)) {
    let mut parser = Parser::new(file);
    let (nodes, edges) = match parser.parse(input) {
        Ok(parsed) => parsed,
        Err(e) => {
            parser.errors.push(e);
            (Vec::new(), Vec::new())
        }
    };
    let mut errors = std::mem::take(&mut parser.errors);
    let mut records = Vec::new();
    build(file, vocab, nodes, edges, &mut records, &mut errors);
    // Report in input order, each record's problems as one line's.
    let mut by_line: std::collections::BTreeMap<usize, Vec<IngestError>> = std::collections::BTreeMap::new();
    for e in errors {
        by_line.entry(e.line).or_default().push(e);
    }
    let mut records = records.into_iter().peekable();
    for (line, errs) in by_line {
        while let Some(r) = records.next_if(|r: &Located<_>| r.line < line) {
            each(Ok(r));
        }
        each(Err(errs));
    }
    for r in records {
        each(Ok(r));
    }
}

struct Parser<'f> {
    file: &'f str,
    keys: HashMap<String, KeyDef>,
    errors: Vec<IngestError>,
}

/// The `<data>` being read.
struct DataState {
    key: String,
    text: String,
    line: usize,
    /// How many of its child elements are open.
    children: usize,
    /// Whether it holds elements (yEd graphics): such data is not a value.
    complex: bool,
}

/// Where the parser is inside the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum In {
    Node,
    Edge,
}

impl<'f> Parser<'f> {
    fn new(file: &'f str) -> Self {
        Parser {
            file,
            keys: HashMap::new(),
            errors: Vec::new(),
        }
    }

    fn err(&self, line: usize, field: Option<&str>, message: impl Into<String>) -> IngestError {
        IngestError::new(self.file, line, field.map(str::to_string), message)
    }

    fn attr(&self, e: &BytesStart, name: &str, line: usize) -> Result<Option<String>, IngestError> {
        match e.try_get_attribute(name) {
            Ok(Some(a)) => a
                .normalized_value(XmlVersion::Implicit1_0)
                .map(|v| Some(v.into_owned()))
                .map_err(|err| self.err(line, Some(name), format!("malformed attribute value: {err}"))),
            Ok(None) => Ok(None),
            Err(err) => Err(self.err(line, None, format!("malformed XML: {err}"))),
        }
    }

    fn required(&self, e: &BytesStart, name: &str, line: usize) -> Result<String, IngestError> {
        let tag = e.local_name().into_inner().to_string();
        self.attr(e, name, line)?
            .ok_or_else(|| self.err(line, Some(name), format!("<{tag}> has no {name} attribute")))
    }

    /// Read the whole document: keys, then nodes and edges with their data.
    fn parse(&mut self, input: impl BufRead) -> Result<(Vec<Element>, Vec<Element>), IngestError> {
        let mut reader = Reader::from_reader(Lines::new(input));
        let mut buf = Vec::new();
        let mut graphs = 0usize;
        let mut root_seen = false;
        // Whether </graphml> was read: a file cut short must not import as a smaller graph.
        let mut root_closed = false;
        let mut last_line;
        let mut nodes: Vec<Element> = Vec::new();
        let mut edges: Vec<Element> = Vec::new();
        let mut current: Option<(In, Element)> = None;
        let mut data: Option<DataState> = None;
        let mut yed_label: Option<String> = None;
        let mut in_yed_label = false;
        // The <key> being read, and whether its <default> is open.
        let mut key: Option<(String, KeyDef)> = None;
        let mut in_default = false;
        loop {
            reader.get_mut().mark();
            let line = reader.get_ref().line();
            last_line = line;
            buf.clear();
            let event = match reader.read_event_into(&mut buf) {
                Ok(ev) => ev,
                Err(err) => {
                    let at = reader.get_ref().line_at(reader.error_position());
                    return Err(self.err(at, None, format!("malformed XML: {err}")));
                }
            };
            let piece: Option<Cow<str>> = match &event {
                Event::Text(t) => Some(t.xml10_content()),
                Event::CData(t) => Some(t.xml10_content()),
                Event::GeneralRef(r) => Some(self.reference(r, line)?),
                _ => None,
            };
            if let Some(piece) = piece {
                if in_yed_label {
                    yed_label.get_or_insert_with(String::new).push_str(&piece);
                } else if let Some(d) = data.as_mut().filter(|d| d.children == 0) {
                    d.text.push_str(&piece);
                } else if let (true, Some((_, k))) = (in_default, key.as_mut()) {
                    k.default.get_or_insert_with(String::new).push_str(&piece);
                }
                continue;
            }
            match &event {
                Event::Start(e) | Event::Empty(e) => {
                    let empty = matches!(event, Event::Empty(_));
                    let local = e.local_name().into_inner().to_string();
                    if let Some(d) = data.as_mut() {
                        // Elements inside <data> (yEd's graphics): only a node label is read.
                        d.complex = true;
                        if !empty {
                            d.children += 1;
                            in_yed_label = local == "NodeLabel" && yed_label.is_none();
                        }
                        continue;
                    }
                    if !root_seen {
                        if local != "graphml" {
                            let m = format!(
                                "the root element is <{local}>, not <graphml>: dipgraph imports GraphML or JSON Lines"
                            );
                            return Err(self.err(line, None, m));
                        }
                        root_seen = true;
                        continue;
                    }
                    match local.as_str() {
                        "key" => {
                            let id = self.required(e, "id", line)?;
                            let def = KeyDef {
                                domain: self.attr(e, "for", line)?.unwrap_or_else(|| "all".into()),
                                name: self.attr(e, "attr.name", line)?.unwrap_or_else(|| id.clone()),
                                ty: self.attr(e, "attr.type", line)?.unwrap_or_else(|| "string".into()),
                                default: None,
                            };
                            if empty {
                                self.keys.insert(id, def);
                            } else {
                                key = Some((id, def));
                            }
                        }
                        "default" => in_default = key.is_some() && !empty,
                        // A graph nested in a node (a yEd group) is read as more nodes.
                        "graph" if current.is_none() => {
                            graphs += 1;
                            if graphs > 1 {
                                return Err(self.err(
                                    line,
                                    None,
                                    "a second <graph>: dipgraph reads one graph per file",
                                ));
                            }
                        }
                        "node" => {
                            let el = Element {
                                line,
                                id: self.required(e, "id", line)?,
                                ..Element::default()
                            };
                            // A node of a nested graph: its group node ends here.
                            if let Some((In::Node, outer)) = current.take() {
                                nodes.push(outer);
                            }
                            if empty {
                                nodes.push(el);
                            } else {
                                current = Some((In::Node, el));
                            }
                        }
                        "edge" => {
                            let el = Element {
                                line,
                                id: self.attr(e, "id", line)?.unwrap_or_default(),
                                source: self.required(e, "source", line)?,
                                target: self.required(e, "target", line)?,
                                ..Element::default()
                            };
                            if empty {
                                edges.push(el);
                            } else {
                                current = Some((In::Edge, el));
                            }
                        }
                        "hyperedge" => {
                            return Err(self.err(line, None, "<hyperedge> is not supported: dipgraph reads edges"))
                        }
                        "data" if current.is_some() => {
                            let d = DataState {
                                key: self.required(e, "key", line)?,
                                text: String::new(),
                                line,
                                children: 0,
                                complex: false,
                            };
                            if empty {
                                self.end_data(d, &mut current, &mut yed_label);
                            } else {
                                data = Some(d);
                            }
                        }
                        _ => {}
                    }
                }
                Event::End(e) => {
                    let local = e.local_name().into_inner().to_string();
                    if let Some(d) = data.as_mut() {
                        if d.children > 0 {
                            d.children -= 1;
                            if local == "NodeLabel" {
                                in_yed_label = false;
                            }
                            continue;
                        }
                    }
                    match local.as_str() {
                        "data" => {
                            if let Some(d) = data.take() {
                                self.end_data(d, &mut current, &mut yed_label);
                            }
                        }
                        "default" => in_default = false,
                        "graphml" => root_closed = true,
                        "key" => {
                            if let Some((id, def)) = key.take() {
                                self.keys.insert(id, def);
                            }
                        }
                        "node" | "edge" => match current.take() {
                            Some((In::Node, el)) => nodes.push(el),
                            Some((In::Edge, el)) => edges.push(el),
                            None => {}
                        },
                        _ => {}
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
        if !root_seen {
            return Err(self.err(1, None, "no <graphml> element: the file is empty"));
        }
        if !root_closed {
            return Err(self.err(last_line, None, "the file ends before </graphml>: it is truncated"));
        }
        for el in nodes.iter_mut() {
            self.apply_defaults("node", el);
        }
        for el in edges.iter_mut() {
            self.apply_defaults("edge", el);
        }
        Ok((nodes, edges))
    }

    /// The text an entity or character reference stands for.
    fn reference(&self, r: &BytesRef, line: usize) -> Result<Cow<'static, str>, IngestError> {
        match r.resolve_char_ref() {
            Ok(Some(c)) => Ok(Cow::Owned(c.to_string())),
            Ok(None) => quick_xml::escape::resolve_predefined_entity(r)
                .map(Cow::Borrowed)
                .ok_or_else(|| self.err(line, None, format!("malformed XML: unknown entity &{};", &**r))),
            Err(err) => Err(self.err(line, None, format!("malformed XML: {err}"))),
        }
    }

    /// Close a `<data>`: type its text by its key and attach it to the current element.
    fn end_data(&mut self, d: DataState, current: &mut Option<(In, Element)>, yed_label: &mut Option<String>) {
        let Some((kind, el)) = current.as_mut() else { return };
        if let Some(label) = yed_label.take() {
            if *kind == In::Node && el.yed_label.is_none() {
                el.yed_label = Some(label.trim().to_string());
            }
        }
        if d.complex {
            return;
        }
        let domain = match kind {
            In::Node => "node",
            In::Edge => "edge",
        };
        let Some(def) = self.keys.get(&d.key).cloned() else {
            let m = format!("<data key=\"{}\"> has no <key id=\"{}\"> declaration", d.key, d.key);
            self.errors.push(self.err(d.line, Some(&d.key), m));
            return;
        };
        if def.domain != domain && def.domain != "all" {
            let m = format!(
                "key \"{}\" is declared for=\"{}\" but used on a {domain}",
                d.key, def.domain
            );
            self.errors.push(self.err(d.line, Some(&def.name), m));
            return;
        }
        match typed(&def.ty, &d.text) {
            Ok(Some(v)) => el.data.push((def.name.clone(), v, d.line)),
            Ok(None) => {}
            Err(m) => self.errors.push(self.err(d.line, Some(&def.name), m)),
        }
    }

    fn apply_defaults(&mut self, domain: &str, el: &mut Element) {
        for def in self.keys.values() {
            if def.domain != domain && def.domain != "all" {
                continue;
            }
            let Some(d) = &def.default else { continue };
            if el.get(&def.name).is_none() {
                if let Ok(Some(v)) = typed(&def.ty, d) {
                    el.data.push((def.name.clone(), v, el.line));
                }
            }
        }
    }
}

/// A `<data>` text as its key's `attr.type` reads it; `None` for an empty string (which
/// tools write for "no value"), an error naming what was expected otherwise.
fn typed(ty: &str, text: &str) -> Result<Option<Typed>, String> {
    let t = text.trim();
    match ty {
        "boolean" => match t.to_ascii_lowercase().as_str() {
            "" => Ok(None),
            "true" | "1" => Ok(Some(Typed::Bool(true))),
            "false" | "0" => Ok(Some(Typed::Bool(false))),
            _ => Err(format!("expected a boolean (attr.type boolean), found \"{t}\"")),
        },
        "int" | "long" => match t {
            "" => Ok(None),
            _ => t
                .parse::<i64>()
                .map(|i| Some(Typed::Int(i)))
                .map_err(|_| format!("expected an integer (attr.type {ty}), found \"{t}\"")),
        },
        "float" | "double" => match t {
            "" => Ok(None),
            _ => match t.parse::<f64>() {
                Ok(f) if f.is_finite() => Ok(Some(Typed::Float(f))),
                _ => Err(format!("expected a finite number (attr.type {ty}), found \"{t}\"")),
            },
        },
        _ if text.is_empty() => Ok(None),
        _ => Ok(Some(Typed::Str(text.to_string()))),
    }
}

/// What a node is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Entity,
    Event,
    Source,
}

/// Node attributes dipgraph reads, per kind; the others become props (entities, events).
const ENTITY_FIELDS: [&str; 7] = ["kind", "type", "label", "key", "aliases", "country", "sector"];
const EVENT_FIELDS: [&str; 13] = [
    "kind",
    "type",
    "label",
    "key",
    "title",
    "date",
    "end_date",
    "start",
    "end",
    "location",
    "domains",
    "confidence",
    "status",
];
const RELATION_FIELDS: [&str; 5] = ["kind", "type", "title", "since", "until"];

/// One node after reading, with what its edges add.
struct NodeRec {
    el: Element,
    kind: Kind,
    key: String,
    participants: Vec<(String, String, usize)>,
    sources: Vec<(Map<String, Json>, usize)>,
    location: Option<String>,
    country: Option<String>,
    /// An edge of this node was wrong: the record is left out (its errors are reported).
    poisoned: bool,
}

fn build(
    file: &str,
    vocab: &Vocab,
    nodes: Vec<Element>,
    edges: Vec<Element>,
    out: &mut Vec<Located<crate::model::Record>>,
    errors: &mut Vec<IngestError>,
) {
    let err = |line: usize, field: Option<&str>, m: String| IngestError::new(file, line, field.map(str::to_string), m);
    let mut recs: Vec<NodeRec> = Vec::with_capacity(nodes.len());
    let mut by_id: HashMap<String, usize> = HashMap::with_capacity(nodes.len());
    for el in nodes {
        if let Some(&first) = by_id.get(&el.id) {
            errors.push(err(
                el.line,
                Some("id"),
                format!(
                    "duplicate node id \"{}\" (first at line {})",
                    el.id, recs[first].el.line
                ),
            ));
            continue;
        }
        let ty = el.text("type");
        let kind = match el.text("kind").as_deref() {
            Some("entity") => Kind::Entity,
            Some("event") => Kind::Event,
            Some("source") => Kind::Source,
            Some(other) => {
                let line = el.get("kind").map_or(el.line, |d| d.2);
                errors.push(err(
                    line,
                    Some("kind"),
                    format!("unknown kind \"{other}\": allowed are entity, event, source"),
                ));
                continue;
            }
            None if ty.as_ref().is_some_and(|t| vocab.event_types.contains_key(t)) => Kind::Event,
            None => Kind::Entity,
        };
        let key = el.text("key").unwrap_or_else(|| decode_id(&el.id).into_owned());
        by_id.insert(el.id.clone(), recs.len());
        recs.push(NodeRec {
            el,
            kind,
            key,
            participants: Vec::new(),
            sources: Vec::new(),
            location: None,
            country: None,
            poisoned: false,
        });
    }

    let mut relations: Vec<(Element, String, String)> = Vec::new();
    for el in edges {
        let ends = [("source", &el.source), ("target", &el.target)].map(|(f, id)| (f, by_id.get(id).copied(), id));
        if let Some((f, _, id)) = ends.iter().find(|(_, i, _)| i.is_none()) {
            errors.push(err(el.line, Some(f), format!("no node has the id \"{id}\"")));
            continue;
        }
        let (s, t) = (ends[0].1.unwrap_or_default(), ends[1].1.unwrap_or_default());
        let (sk, tk) = (recs[s].kind, recs[t].kind);
        let edge_kind = el.text("kind").unwrap_or_else(|| match (sk, tk) {
            (Kind::Event, Kind::Source) => "source".into(),
            (Kind::Entity, Kind::Entity) => "relation".into(),
            _ => "participation".into(),
        });
        let mut wrong = |m: String, field: Option<&str>, poison: usize, recs: &mut Vec<NodeRec>| {
            errors.push(err(el.line, field, m));
            recs[poison].poisoned = true;
        };
        match edge_kind.as_str() {
            "participation" => {
                let (entity, event) = match (sk, tk) {
                    (Kind::Entity, Kind::Event) => (s, t),
                    (Kind::Event, Kind::Entity) => (t, s),
                    _ => {
                        let poison = if sk == Kind::Event { s } else { t };
                        wrong(
                            "a participation joins an entity and an event".into(),
                            None,
                            poison,
                            &mut recs,
                        );
                        continue;
                    }
                };
                match el.text("role") {
                    Some(role) => {
                        let ek = recs[entity].key.clone();
                        recs[event].participants.push((ek, role, el.line));
                    }
                    None => wrong("required field is missing".into(), Some("role"), event, &mut recs),
                }
            }
            "relation" => {
                if sk != Kind::Entity || tk != Kind::Entity {
                    errors.push(err(el.line, None, "a relation joins two entities".into()));
                    continue;
                }
                let (from, to) = (recs[s].key.clone(), recs[t].key.clone());
                relations.push((el, from, to));
            }
            "location" | "country" => {
                let (field, ok) = if edge_kind == "location" {
                    ("location", sk == Kind::Event && tk == Kind::Entity)
                } else {
                    ("country", sk == Kind::Entity && tk == Kind::Entity)
                };
                if !ok {
                    wrong(
                        format!(
                            "a {field} edge must go from {} to an entity",
                            if field == "location" { "an event" } else { "an entity" }
                        ),
                        None,
                        s,
                        &mut recs,
                    );
                    continue;
                }
                let target = recs[t].key.clone();
                let slot = if field == "location" {
                    &mut recs[s].location
                } else {
                    &mut recs[s].country
                };
                slot.get_or_insert(target);
            }
            "source" => {
                if sk != Kind::Event || tk != Kind::Source {
                    wrong(
                        "a source edge goes from an event to a source node".into(),
                        None,
                        s,
                        &mut recs,
                    );
                    continue;
                }
                let mut src = Map::new();
                for (f, v) in [("url", recs[t].el.text("url")), ("doc", recs[t].el.text("doc"))] {
                    if let Some(v) = v {
                        src.insert(f.into(), Json::String(v));
                    }
                }
                for f in ["published", "quote", "lang"] {
                    if let Some(v) = el.text(f) {
                        src.insert(f.into(), Json::String(v));
                    }
                }
                recs[s].sources.push((src, el.line));
            }
            other => {
                let line = el.get("kind").map_or(el.line, |d| d.2);
                errors.push(err(
                    line,
                    Some("kind"),
                    format!(
                        "unknown edge kind \"{other}\": allowed are participation, relation, location, country, source"
                    ),
                ));
            }
        }
    }

    for rec in &recs {
        if rec.poisoned {
            continue;
        }
        let obj = match rec.kind {
            Kind::Source => continue,
            Kind::Entity => entity_json(rec),
            Kind::Event => event_json(rec),
        };
        emit(file, rec.el.line, obj, Some(rec), out, errors);
    }
    for (el, from, to) in relations {
        let mut m = Map::new();
        m.insert("kind".into(), "relation".into());
        if let Some(t) = el.text("type") {
            m.insert("type".into(), t.into());
        }
        m.insert("from".into(), from.into());
        m.insert("to".into(), to.into());
        for f in ["title", "since", "until"] {
            if let Some(v) = el.text(f) {
                m.insert(f.into(), v.into());
            }
        }
        put_props(&mut m, &el, &RELATION_FIELDS);
        let line = el.line;
        emit(file, line, m, None, out, errors);
    }
}

/// The props of an element: every attribute not among `fields`, by its property name.
fn put_props(m: &mut Map<String, Json>, el: &Element, fields: &[&str]) {
    let mut props = Map::new();
    for (name, v, _) in &el.data {
        if !fields.contains(&name.as_str()) {
            let prop = name.strip_prefix("prop.").unwrap_or(name);
            props.insert(prop.to_string(), v.json());
        }
    }
    if !props.is_empty() {
        m.insert("props".into(), Json::Object(props));
    }
}

fn entity_json(rec: &NodeRec) -> Map<String, Json> {
    let el = &rec.el;
    let mut m = Map::new();
    m.insert("kind".into(), "entity".into());
    m.insert("key".into(), rec.key.clone().into());
    if let Some(t) = el.text("type") {
        m.insert("type".into(), t.into());
    }
    let mut fields: Vec<&str> = ENTITY_FIELDS.to_vec();
    let name = el.text("label").or_else(|| {
        fields.push("name");
        el.text("name")
    });
    if let Some(n) = name.or_else(|| el.yed_label.clone()) {
        m.insert("name".into(), n.into());
    }
    if let Some(a) = el.get("aliases") {
        m.insert("aliases".into(), list_json(&a.1));
    }
    if let Some(c) = el.text("country").or_else(|| rec.country.clone()) {
        m.insert("country".into(), c.into());
    }
    if let Some(s) = el.text("sector") {
        m.insert("sector".into(), s.into());
    }
    put_props(&mut m, el, &fields);
    m
}

/// A JSON-array string as the array; anything else as itself, so that the interchange
/// reader reports it as "expected an array of strings".
fn list_json(v: &Typed) -> Json {
    match v {
        Typed::Str(s) => serde_json::from_str::<Json>(s)
            .ok()
            .filter(Json::is_array)
            .unwrap_or_else(|| Json::String(s.clone())),
        other => other.json(),
    }
}

fn event_json(rec: &NodeRec) -> Map<String, Json> {
    let el = &rec.el;
    let mut m = Map::new();
    m.insert("kind".into(), "event".into());
    m.insert("key".into(), rec.key.clone().into());
    let ty = el.text("type");
    if let Some(t) = &ty {
        m.insert("type".into(), t.clone().into());
    }
    let date = el.text("date");
    if let Some(d) = &date {
        m.insert("date".into(), d.clone().into());
    }
    if let Some(d) = el.text("end_date") {
        m.insert("end_date".into(), d.into());
    }
    if let Some(l) = el.text("location").or_else(|| rec.location.clone()) {
        m.insert("location".into(), l.into());
    }
    if let Some(d) = el.get("domains") {
        m.insert("domains".into(), list_json(&d.1));
    }
    let participants: Vec<Json> = rec
        .participants
        .iter()
        .map(|(entity, role, _)| {
            let mut p = Map::new();
            p.insert("entity".into(), entity.clone().into());
            p.insert("role".into(), role.clone().into());
            Json::Object(p)
        })
        .collect();
    m.insert("participants".into(), Json::Array(participants));
    // A label that is not the exporter's "TYPE DATE" stands for a missing title (a node
    // labelled in Gephi or yEd).
    let title = el.text("title").or_else(|| {
        let label = el.text("label").or_else(|| el.yed_label.clone())?;
        let default = format!("{} {}", ty.as_deref().unwrap_or(""), date.as_deref().unwrap_or(""));
        (label != default).then_some(label)
    });
    if let Some(t) = title {
        m.insert("title".into(), t.into());
    }
    if !rec.sources.is_empty() {
        m.insert(
            "sources".into(),
            Json::Array(rec.sources.iter().map(|(s, _)| Json::Object(s.clone())).collect()),
        );
    }
    if let Some((_, v, _)) = el.get("confidence") {
        m.insert("confidence".into(), v.json());
    }
    if let Some((_, v, _)) = el.get("status") {
        m.insert("status".into(), v.json());
    }
    put_props(&mut m, el, &EVENT_FIELDS);
    m
}

/// Check one record with the interchange reader, placing each problem on the line and
/// attribute it came from.
fn emit(
    file: &str,
    line: usize,
    obj: Map<String, Json>,
    node: Option<&NodeRec>,
    out: &mut Vec<Located<crate::model::Record>>,
    errors: &mut Vec<IngestError>,
) {
    let bytes = serde_json::to_vec(&Json::Object(obj)).unwrap_or_default();
    match parse_line(&bytes, line) {
        Ok(Some(record)) => out.push(Located {
            file: file.to_string(),
            line,
            record,
        }),
        Ok(None) => {}
        Err(errs) => {
            for (field, message) in errs {
                let (at, field) = place(field.as_deref(), line, node);
                errors.push(IngestError::new(file, at, field, message));
            }
        }
    }
}

/// Map an interchange field path to the GraphML line and attribute it came from.
fn place(field: Option<&str>, line: usize, node: Option<&NodeRec>) -> (usize, Option<String>) {
    let Some(field) = field else { return (line, None) };
    let indexed = |prefix: &str| -> Option<(usize, &str)> {
        let rest = field.strip_prefix(prefix)?.strip_prefix('[')?;
        let (i, rest) = rest.split_once(']')?;
        Some((i.parse().ok()?, rest.strip_prefix('.').unwrap_or(rest)))
    };
    if let Some(rec) = node {
        if let Some((i, sub)) = indexed("participants") {
            if let Some((_, _, l)) = rec.participants.get(i) {
                let f = if sub == "entity" { "source" } else { sub };
                return (*l, Some(f.to_string()));
            }
        }
        if let Some((i, sub)) = indexed("sources") {
            if let Some((_, l)) = rec.sources.get(i) {
                return (*l, Some(sub.to_string()));
            }
        }
        let data_line = |name: &str| rec.el.get(name).map_or(line, |d| d.2);
        let attr = match field {
            "key" if rec.el.get("key").is_none() => return (line, Some("id".into())),
            "name" => "label",
            "participants" => return (line, Some("participants".into())),
            f => f.split(['.', '[']).next().unwrap_or(f),
        };
        if let Some(prop) = field.strip_prefix("props.") {
            let attr = if rec.el.get(prop).is_some() {
                prop.to_string()
            } else {
                format!("prop.{prop}")
            };
            return (data_line(&attr), Some(attr));
        }
        return (data_line(attr), Some(attr.to_string()));
    }
    let f = match field {
        "from" => "source",
        "to" => "target",
        f => f,
    };
    (line, Some(f.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_nmtokens() {
        for key in [
            "MAR",
            "person:hammouchi",
            "ev:2022-05 visit",
            "a/b",
            "_x",
            "x_x0041_",
            "حموشي",
            "😀",
            "a_b",
        ] {
            let id = encode_id(key);
            assert!(
                id.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '_')),
                "{key} → {id}"
            );
            assert_eq!(decode_id(&id), key, "{key} → {id}");
        }
        assert_eq!(encode_id("person:hammouchi"), "person:hammouchi");
        assert_eq!(encode_id("a b"), "a_x0020_b");
        assert_eq!(decode_id("n0"), "n0");
        assert_eq!(decode_id("_xZZ"), "_xZZ");
    }

    #[test]
    fn graphml_is_recognised_by_name_or_content() {
        assert!(looks_like_graphml("a.GraphML", b"{"));
        assert!(looks_like_graphml("-", b"\xEF\xBB\xBF  \n<?xml version"));
        assert!(looks_like_graphml("x", b"<graphml xmlns"));
        assert!(!looks_like_graphml("a.jsonl", b"{\"kind\":\"entity\"}"));
    }

    #[test]
    fn line_numbers_follow_consumed_bytes() {
        let text = b"a\nb\nc\n";
        let mut l = Lines::new(&text[..]);
        l.mark();
        l.consume(4);
        assert_eq!(l.line(), 3);
        assert_eq!(l.line_at(2), 2);
        assert_eq!(l.line_at(0), 1);
    }

    #[test]
    fn typed_values_follow_attr_type() {
        assert_eq!(typed("boolean", "True"), Ok(Some(Typed::Bool(true))));
        assert_eq!(typed("int", " 42 "), Ok(Some(Typed::Int(42))));
        assert!(typed("double", "NaN").is_err());
        assert!(typed("int", "4.5").is_err());
        assert_eq!(typed("string", ""), Ok(None));
    }
}

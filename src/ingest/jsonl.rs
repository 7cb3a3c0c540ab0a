//! Interchange v1 JSON Lines → records, with an error naming file, line and field for
//! everything that does not follow `interchange-v1.md`.

use super::error::{bounded, quote, IngestError};
use crate::model::{Entity, Event, EventStatus, PartialDate, Participant, PropValue, Props, Record, Relation, Source};
use serde_json::{Map, Value};
use std::io::BufRead;

/// Lines longer than this are refused without being held in memory.
pub const DEFAULT_MAX_LINE_BYTES: usize = 16 * 1024 * 1024;

/// Longest key accepted, in bytes: keys go into index keys and onto command lines.
pub const MAX_KEY_BYTES: usize = 512;

/// Longest name or alias accepted, in bytes: names go into the alias index's keys.
pub const MAX_NAME_BYTES: usize = 1024;

/// Most aliases one entity may have (after merging its lines and the stored record): an
/// entity's aliases are one record and one alias index entry each, and a line of 1.5
/// million aliases would otherwise hold the store for minutes.
pub const MAX_ALIASES: usize = 1000;

/// Most participants one event may have. An event's participants and its dyads (up to
/// n(n-1)/2 country pairs) are one `event_links` value and as many index entries, so the
/// limit bounds what one line can make an import write: at most 499,500 dyads.
pub const MAX_PARTICIPANTS: usize = 1000;

/// `aliases` without `name` and without repeats, in first-seen order; linear in the
/// aliases (a hash set of the ones kept).
pub(crate) fn distinct_aliases(name: &str, aliases: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut seen: rustc_hash::FxHashSet<String> = rustc_hash::FxHashSet::default();
    let mut unique = Vec::new();
    for a in aliases {
        if a != name && !seen.contains(&a) {
            seen.insert(a.clone());
            unique.push(a);
        }
    }
    unique
}

/// The problems of the numbers in a line's `props` that a 64-bit number cannot keep as
/// written, as (field, message): an integer beyond i64, or a number with more significant
/// digits than the nearest f64 prints back (it would be stored as another number). The
/// parsed value has lost the literal, so the line is read again for it; only lines whose
/// props hold a floating-point value, which every such number becomes, get here.
pub(crate) fn inexact_numbers(text: &str) -> Vec<(Option<String>, String)> {
    #[derive(serde::Deserialize)]
    struct Line<'a> {
        #[serde(borrow, default)]
        props: Option<std::collections::BTreeMap<String, &'a serde_json::value::RawValue>>,
    }
    let Ok(Line { props: Some(props) }) = serde_json::from_str::<Line>(text) else {
        return Vec::new();
    };
    let mut problems = Vec::new();
    for (name, raw) in props {
        let literal = raw.get();
        if !literal.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
            continue;
        }
        let field = Some(bounded(format!("props.{name}")));
        if !literal.contains(['.', 'e', 'E']) {
            if literal.parse::<i64>().is_err() {
                let m = format!(
                    "integer {} does not fit in 64 bits (from -9223372036854775808 to 9223372036854775807); write it as a string to keep it",
                    quote(literal).trim_matches('"')
                );
                problems.push((field, m));
            }
            continue;
        }
        let exact = literal
            .parse::<f64>()
            .is_ok_and(|f| f.is_finite() && decimal(literal) == decimal(&format!("{f:e}")));
        if !exact {
            let m = format!(
                "number {} cannot be kept as written: a 64-bit floating-point number holds about 17 significant digits; write it as a string to keep it",
                quote(literal).trim_matches('"')
            );
            problems.push((field, m));
        }
    }
    problems
}

/// A decimal number's value as (negative, significant digits without leading or trailing
/// zeros, exponent of the last digit), or `None` if it is not one. Two literals with the
/// same triple are the same number.
fn decimal(literal: &str) -> Option<(bool, String, i64)> {
    let (negative, rest) = match literal.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, literal),
    };
    let (mantissa, exponent) = match rest.find(['e', 'E']) {
        Some(i) => (&rest[..i], rest[i + 1..].trim_start_matches('+').parse::<i64>().ok()?),
        None => (rest, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if !(int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())) {
        return None;
    }
    let all = format!("{int}{frac}");
    let digits = all.trim_start_matches('0');
    let trimmed = digits.trim_end_matches('0');
    let exp = exponent.checked_sub(frac.len() as i64)? + (digits.len() - trimmed.len()) as i64;
    if trimmed.is_empty() {
        return Some((negative, String::new(), 0));
    }
    Some((negative, trimmed.to_string(), exp))
}

/// A record and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Located<T> {
    pub file: String,
    pub line: usize,
    pub record: T,
}

/// What one input line gave: a record, or the problems that stop it from being one.
pub type LineResult = Result<Located<Record>, Vec<IngestError>>;

/// Read every line of `input` and hand each record, or each line's errors, to `each` in
/// input order. Blank and comment lines give nothing. Reading stops at the end of input
/// or at an I/O error (reported as an error of the line being read).
pub fn read_jsonl(mut input: impl BufRead, file: &str, max_line_bytes: usize, each: &mut dyn FnMut(LineResult)) {
    let mut line_no = 0usize;
    let mut buf = Vec::new();
    loop {
        buf.clear();
        line_no += 1;
        match read_line_limited(&mut input, &mut buf, max_line_bytes) {
            Ok(LineRead::Eof) => break,
            Ok(LineRead::TooLong) => {
                let message = format!("line is longer than the limit of {max_line_bytes} bytes");
                each(Err(vec![IngestError::new(file, line_no, None, message)]));
                continue;
            }
            Ok(LineRead::Line) => {}
            Err(e) => {
                each(Err(vec![IngestError::new(
                    file,
                    line_no,
                    None,
                    format!("read error: {e}"),
                )]));
                break;
            }
        }
        match parse_line(&buf, line_no) {
            Ok(None) => {}
            Ok(Some(record)) => each(Ok(Located {
                file: file.to_string(),
                line: line_no,
                record,
            })),
            Err(errs) => each(Err(errs
                .into_iter()
                .map(|(field, message)| IngestError::new(file, line_no, field, message))
                .collect())),
        }
    }
}

enum LineRead {
    Line,
    TooLong,
    Eof,
}

/// Read one `\n`-terminated line into `buf` without ever buffering more than `max` bytes;
/// the rest of an over-long line is skipped.
fn read_line_limited(input: &mut impl BufRead, buf: &mut Vec<u8>, max: usize) -> std::io::Result<LineRead> {
    let mut too_long = false;
    let mut any = false;
    loop {
        let chunk = input.fill_buf()?;
        if chunk.is_empty() {
            return Ok(if !any {
                LineRead::Eof
            } else if too_long {
                LineRead::TooLong
            } else {
                LineRead::Line
            });
        }
        any = true;
        let (take, done) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (chunk.len(), false),
        };
        if !too_long {
            let payload = if done { take - 1 } else { take };
            if buf.len() + payload > max {
                too_long = true;
                buf.clear();
            } else {
                buf.extend_from_slice(&chunk[..payload]);
            }
        }
        input.consume(take);
        if done {
            return Ok(if too_long { LineRead::TooLong } else { LineRead::Line });
        }
    }
}

pub(crate) type FieldErrors = Vec<(Option<String>, String)>;

/// Parse one line (without its `\n`). `Ok(None)` for blank and comment lines.
pub fn parse_line(raw: &[u8], line_no: usize) -> Result<Option<Record>, FieldErrors> {
    let line_err = |m: String| vec![(None, m)];
    let mut bytes = raw;
    if bytes.last() == Some(&b'\r') {
        bytes = &bytes[..bytes.len() - 1];
    }
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        if line_no != 1 {
            return Err(line_err("byte-order mark (U+FEFF) in the middle of the file".into()));
        }
        bytes = rest;
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|e| line_err(format!("invalid UTF-8 at byte {} of the line", e.valid_up_to() + 1)))?;
    let trimmed = text.trim();
    if trimmed.is_empty() || trimmed.starts_with('#') {
        return Ok(None);
    }
    if let Some(record) = super::fast::parse_fast(text) {
        return Ok(Some(record));
    }
    parse_precise(text)
}

/// The precise path: every field checked on its own, every problem named.
pub(crate) fn parse_precise(text: &str) -> Result<Option<Record>, FieldErrors> {
    let line_err = |m: String| vec![(None, m)];
    let value: Value = serde_json::from_str(text).map_err(|e| {
        let what = match e.classify() {
            serde_json::error::Category::Eof => "truncated JSON",
            _ => "invalid JSON",
        };
        line_err(format!("{what} at column {}: {e}", e.column()))
    })?;
    let Value::Object(map) = value else {
        return Err(line_err(format!("expected a JSON object, found {}", kind_of(&value))));
    };
    let mut fields = Fields {
        map: &map,
        errors: Vec::new(),
        dropped: 0,
        prefix: String::new(),
    };
    let record = match fields.req_str("kind").as_deref() {
        Some("entity") => entity(&mut fields).map(Record::Entity),
        Some("relation") => relation(&mut fields).map(Record::Relation),
        Some("event") => event(&mut fields).map(Record::Event),
        Some(other) => {
            fields.err(
                "kind",
                format!("unknown kind {}: allowed are entity, relation, event", quote(other)),
            );
            None
        }
        None => None,
    };
    if fields.dropped > 0 {
        let more = format!("... and {} more problems on this line", fields.dropped);
        fields.errors.push((None, more));
    }
    if record.as_ref().is_some_and(has_float_props) {
        fields.errors.extend(inexact_numbers(text));
    }
    match record {
        Some(r) if fields.errors.is_empty() => Ok(Some(r)),
        _ => Err(fields.errors),
    }
}

/// Whether a record's props hold a floating-point number (see [`inexact_numbers`]).
pub(crate) fn has_float_props(record: &Record) -> bool {
    let props = match record {
        Record::Entity(e) => &e.props,
        Record::Relation(r) => &r.props,
        Record::Event(e) => &e.props,
    };
    props.values().any(|v| matches!(v, PropValue::Float(_)))
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The most problems one line reports; the rest are counted. A line of a million unknown
/// fields would otherwise make a million messages.
pub const MAX_LINE_ERRORS: usize = 20;

/// Typed access to one JSON object's fields, collecting a message per bad field (at most
/// [`MAX_LINE_ERRORS`], each bounded, then a count).
struct Fields<'a> {
    map: &'a Map<String, Value>,
    errors: FieldErrors,
    /// Problems found beyond [`MAX_LINE_ERRORS`].
    dropped: usize,
    prefix: String,
}

impl<'a> Fields<'a> {
    fn path(&self, name: &str) -> String {
        format!("{}{}", self.prefix, name)
    }

    fn err(&mut self, name: &str, message: String) {
        if self.errors.len() >= MAX_LINE_ERRORS {
            self.dropped += 1;
            return;
        }
        let path = self.path(name);
        self.errors.push((Some(bounded(path)), bounded(message)));
    }

    fn only(&mut self, allowed: &[&str]) {
        let unknown: Vec<&String> = self.map.keys().filter(|k| !allowed.contains(&k.as_str())).collect();
        for k in unknown {
            self.err(k, format!("unknown field: allowed are {}", allowed.join(", ")));
        }
    }

    fn get(&self, name: &str) -> Option<&'a Value> {
        self.map.get(name).filter(|v| !v.is_null())
    }

    fn opt_str(&mut self, name: &str) -> Option<String> {
        match self.get(name) {
            None => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(v) => {
                let found = kind_of(v);
                self.err(name, format!("expected a string, found {found}"));
                None
            }
        }
    }

    fn req_str(&mut self, name: &str) -> Option<String> {
        if self.get(name).is_none() {
            self.err(name, "required field is missing".into());
            return None;
        }
        let s = self.opt_str(name)?;
        if s.trim().is_empty() {
            self.err(name, "must not be empty".into());
            return None;
        }
        Some(s)
    }

    fn key(&mut self, name: &str, required: bool) -> Option<String> {
        let s = if required {
            self.req_str(name)?
        } else {
            self.opt_str(name)?
        };
        if let Some(problem) = key_problem(&s) {
            self.err(name, format!("invalid key {}: {problem}", quote(&s)));
            return None;
        }
        Some(s)
    }

    fn date(&mut self, name: &str, required: bool) -> Option<PartialDate> {
        let s = if required {
            self.req_str(name)?
        } else {
            self.opt_str(name)?
        };
        match s.parse() {
            Ok(d) => Some(d),
            Err(e) => {
                self.err(name, format!("{e}"));
                None
            }
        }
    }

    fn str_list(&mut self, name: &str) -> Vec<String> {
        match self.get(name) {
            None => Vec::new(),
            Some(Value::Array(items)) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    match item {
                        Value::String(s) if !s.trim().is_empty() => out.push(s.clone()),
                        Value::String(_) => self.err(&format!("{name}[{i}]"), "must not be empty".into()),
                        v => {
                            let found = kind_of(v);
                            self.err(&format!("{name}[{i}]"), format!("expected a string, found {found}"))
                        }
                    }
                }
                out
            }
            Some(v) => {
                let found = kind_of(v);
                self.err(name, format!("expected an array of strings, found {found}"));
                Vec::new()
            }
        }
    }

    fn props(&mut self) -> Props {
        let mut props = Props::new();
        match self.get("props") {
            None => {}
            Some(Value::Object(m)) => {
                for (k, v) in m {
                    let value = match v {
                        Value::String(s) => PropValue::Str(s.clone()),
                        Value::Bool(b) => PropValue::Bool(*b),
                        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
                            (Some(i), _) => PropValue::Int(i),
                            (None, Some(f)) if f.is_finite() && !n.is_u64() => PropValue::Float(f),
                            _ => {
                                self.err(&format!("props.{k}"), format!("number {n} is out of range"));
                                continue;
                            }
                        },
                        other => {
                            let found = kind_of(other);
                            self.err(
                                &format!("props.{k}"),
                                format!("expected a string, number or boolean, found {found}"),
                            );
                            continue;
                        }
                    };
                    props.insert(k.clone(), value);
                }
            }
            Some(v) => {
                let found = kind_of(v);
                self.err("props", format!("expected an object, found {found}"));
            }
        }
        props
    }

    /// The array under `name` as objects, each handed to `each` with a field prefix.
    fn objects<T>(&mut self, name: &str, mut each: impl FnMut(&mut Fields<'a>) -> Option<T>) -> Vec<T> {
        match self.get(name) {
            None => Vec::new(),
            Some(Value::Array(items)) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    let Value::Object(map) = item else {
                        let found = kind_of(item);
                        self.err(&format!("{name}[{i}]"), format!("expected an object, found {found}"));
                        continue;
                    };
                    let mut inner = Fields {
                        map,
                        errors: Vec::new(),
                        dropped: 0,
                        prefix: format!("{}{name}[{i}].", self.prefix),
                    };
                    let parsed = each(&mut inner);
                    let ok = inner.errors.is_empty();
                    let room = MAX_LINE_ERRORS.saturating_sub(self.errors.len());
                    self.dropped += inner.dropped + inner.errors.len().saturating_sub(room);
                    inner.errors.truncate(room);
                    self.errors.append(&mut inner.errors);
                    if let (Some(t), true) = (parsed, ok) {
                        out.push(t);
                    }
                }
                out
            }
            Some(v) => {
                let found = kind_of(v);
                self.err(name, format!("expected an array of objects, found {found}"));
                Vec::new()
            }
        }
    }
}

/// Why a string cannot be a key, if it cannot.
pub fn key_problem(key: &str) -> Option<&'static str> {
    if key.is_empty() {
        Some("must not be empty")
    } else if key.len() > MAX_KEY_BYTES {
        Some("longer than 512 bytes")
    } else if key.trim() != key {
        Some("leading or trailing white space")
    } else if key.chars().any(char::is_control) {
        Some("contains a control character")
    } else {
        None
    }
}

fn entity(f: &mut Fields) -> Option<Entity> {
    f.only(&["kind", "key", "type", "name", "aliases", "country", "sector", "props"]);
    let key = f.key("key", true);
    let entity_type = f.req_str("type");
    let name = f.req_str("name");
    let aliases = f.str_list("aliases");
    let country = f.key("country", false);
    let sector = f.opt_str("sector");
    let props = f.props();
    let too_long = |n: &String| n.len() > MAX_NAME_BYTES;
    if name.as_ref().is_some_and(too_long) {
        f.err("name", format!("longer than {MAX_NAME_BYTES} bytes"));
    }
    for (i, a) in aliases.iter().enumerate() {
        if too_long(a) {
            f.err(&format!("aliases[{i}]"), format!("longer than {MAX_NAME_BYTES} bytes"));
        }
    }
    let name = name?;
    let unique = distinct_aliases(&name, aliases);
    Some(Entity {
        key: key?,
        entity_type: entity_type?,
        name,
        aliases: unique,
        country,
        sector,
        props,
    })
}

fn relation(f: &mut Fields) -> Option<Relation> {
    f.only(&["kind", "type", "from", "to", "title", "since", "until", "props"]);
    let relation_type = f.req_str("type");
    let from = f.key("from", true);
    let to = f.key("to", true);
    let title = f.opt_str("title");
    let since = f.date("since", false);
    let until = f.date("until", false);
    let props = f.props();
    // `until` before `since` is accepted (the contract does not forbid it, and generated
    // and real data contain it); such a relation's interval is empty and never overlaps.
    Some(Relation {
        relation_type: relation_type?,
        from: from?,
        to: to?,
        title,
        since,
        until,
        props,
    })
}

fn event(f: &mut Fields) -> Option<Event> {
    f.only(&[
        "kind",
        "key",
        "type",
        "date",
        "end_date",
        "location",
        "domains",
        "participants",
        "title",
        "sources",
        "confidence",
        "status",
        "props",
    ]);
    let key = f.key("key", false);
    let event_type = f.req_str("type");
    let date = f.date("date", true);
    let end_date = f.date("end_date", false);
    let location = f.key("location", false);
    let domains = f.str_list("domains");
    if f.get("participants").is_none() {
        f.err(
            "participants",
            "required field is missing (at least one participant)".into(),
        );
    }
    let participants = f.objects("participants", |p| {
        p.only(&["entity", "role"]);
        let entity = p.key("entity", true);
        let role = p.req_str("role");
        Some(Participant {
            entity: entity?,
            role: role?,
        })
    });
    if matches!(f.get("participants"), Some(Value::Array(a)) if a.is_empty()) {
        f.err("participants", "at least one participant is required".into());
    }
    let title = f.opt_str("title");
    let sources = f.objects("sources", |s| {
        s.only(&["url", "doc", "published", "quote", "lang"]);
        let published = s.opt_str("published");
        if let Some(p) = &published {
            if let Some(problem) = published_problem(p) {
                s.err("published", problem);
            }
        }
        Some(Source {
            url: s.opt_str("url"),
            doc: s.opt_str("doc"),
            published,
            quote: s.opt_str("quote"),
            lang: s.opt_str("lang"),
        })
    });
    let confidence = match f.get("confidence") {
        None => None,
        Some(Value::Number(n)) => match n.as_f64() {
            Some(c) if (0.0..=1.0).contains(&c) => Some(c),
            _ => {
                f.err("confidence", format!("{n} is not between 0 and 1"));
                None
            }
        },
        Some(v) => {
            let found = kind_of(v);
            f.err(
                "confidence",
                format!("expected a number between 0 and 1, found {found}"),
            );
            None
        }
    };
    let status = match f.opt_str("status") {
        None => EventStatus::Reported,
        Some(s) => s.parse().unwrap_or_else(|m| {
            f.err("status", m);
            EventStatus::Reported
        }),
    };
    let props = f.props();
    let (date, event_type) = (date?, event_type?);
    if let Some(end) = end_date {
        if end.end() < date.start() {
            f.err("end_date", format!("{end} is before date {date}"));
        }
    }
    Some(Event {
        key: key.unwrap_or_default(),
        event_type,
        date,
        end_date,
        location,
        domains,
        participants,
        title,
        sources,
        confidence,
        status,
        props,
    })
}

/// A publication date is a partial date, optionally followed by an ISO 8601 time.
pub(crate) fn published_problem(p: &str) -> Option<String> {
    let date_part = match p.find('T') {
        Some(10) => &p[..10],
        _ => p,
    };
    date_part.parse::<PartialDate>().err().map(|e| e.to_string())
}

//! The fast path for well-formed lines: serde derives over borrowed strings, without the
//! intermediate `serde_json::Value` the precise path builds.
//!
//! Invariant: for every line, [`parse_fast`] either returns `None` or exactly the record
//! the precise path ([`super::parse_line`]) returns for it. Anything unusual — a wrong
//! type, an unknown field, a value the precise path would refuse — gives `None`, and the
//! precise path then parses the line again and reports what is wrong. A property test
//! compares the two paths.

use super::jsonl::{key_problem, published_problem, MAX_NAME_BYTES};
use crate::model::{Entity, Event, EventStatus, PartialDate, Participant, PropValue, Props, Record, Relation, Source};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::borrow::Cow;

type Text<'a> = Cow<'a, str>;

/// A field as the precise path sees it: absent, `null` (which counts as absent for the
/// kinds that allow the field, and as an unknown field for those that do not), or a value.
#[derive(Default)]
enum Field<T> {
    #[default]
    Absent,
    Null,
    Value(T),
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Field<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match Option::<T>::deserialize(d)? {
            None => Field::Null,
            Some(v) => Field::Value(v),
        })
    }
}

impl<T> Field<T> {
    fn is_some(&self) -> bool {
        !matches!(self, Field::Absent)
    }

    fn as_ref(&self) -> Option<&T> {
        match self {
            Field::Value(v) => Some(v),
            _ => None,
        }
    }
}

/// Every field of every kind; which ones a kind allows is checked after parsing.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Line<'a> {
    #[serde(borrow)]
    kind: Text<'a>,
    #[serde(borrow, default)]
    key: Field<Text<'a>>,
    #[serde(borrow, default, rename = "type")]
    kind_type: Field<Text<'a>>,
    #[serde(borrow, default)]
    name: Field<Text<'a>>,
    #[serde(borrow, default)]
    aliases: Field<Vec<Text<'a>>>,
    #[serde(borrow, default)]
    country: Field<Text<'a>>,
    #[serde(borrow, default)]
    sector: Field<Text<'a>>,
    #[serde(default)]
    props: Field<Map<String, Value>>,
    #[serde(borrow, default)]
    from: Field<Text<'a>>,
    #[serde(borrow, default)]
    to: Field<Text<'a>>,
    #[serde(borrow, default)]
    title: Field<Text<'a>>,
    #[serde(borrow, default)]
    since: Field<Text<'a>>,
    #[serde(borrow, default)]
    until: Field<Text<'a>>,
    #[serde(borrow, default)]
    date: Field<Text<'a>>,
    #[serde(borrow, default)]
    end_date: Field<Text<'a>>,
    #[serde(borrow, default)]
    location: Field<Text<'a>>,
    #[serde(borrow, default)]
    domains: Field<Vec<Text<'a>>>,
    #[serde(borrow, default)]
    participants: Field<Vec<Part<'a>>>,
    #[serde(borrow, default)]
    sources: Field<Vec<Src<'a>>>,
    #[serde(default)]
    confidence: Field<f64>,
    #[serde(borrow, default)]
    status: Field<Text<'a>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Part<'a> {
    #[serde(borrow)]
    entity: Text<'a>,
    #[serde(borrow)]
    role: Text<'a>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Src<'a> {
    #[serde(borrow, default)]
    url: Option<Text<'a>>,
    #[serde(borrow, default)]
    doc: Option<Text<'a>>,
    #[serde(borrow, default)]
    published: Option<Text<'a>>,
    #[serde(borrow, default)]
    quote: Option<Text<'a>>,
    #[serde(borrow, default)]
    lang: Option<Text<'a>>,
}

fn text(t: &Text<'_>) -> Option<String> {
    (!t.trim().is_empty()).then(|| t.to_string())
}

fn key(t: &Text<'_>) -> Option<String> {
    key_problem(t).is_none().then(|| t.to_string())
}

fn opt_key(t: &Field<Text<'_>>) -> Option<Option<String>> {
    match t.as_ref() {
        None => Some(None),
        Some(t) => key(t).map(Some),
    }
}

fn date(t: &Text<'_>) -> Option<PartialDate> {
    t.parse().ok()
}

fn opt_date(t: &Field<Text<'_>>) -> Option<Option<PartialDate>> {
    match t.as_ref() {
        None => Some(None),
        Some(t) => date(t).map(Some),
    }
}

fn list(items: &Field<Vec<Text<'_>>>) -> Option<Vec<String>> {
    items
        .as_ref()
        .map_or(Some(Vec::new()), |v| v.iter().map(text).collect())
}

fn props(map: &Field<Map<String, Value>>) -> Option<Props> {
    let mut props = Props::new();
    for (k, v) in map.as_ref().into_iter().flatten() {
        let value = match v {
            Value::String(s) => PropValue::Str(s.clone()),
            Value::Bool(b) => PropValue::Bool(*b),
            Value::Number(n) => match (n.as_i64(), n.as_f64()) {
                (Some(i), _) => PropValue::Int(i),
                (None, Some(f)) if f.is_finite() && !n.is_u64() => PropValue::Float(f),
                _ => return None,
            },
            // null, arrays and objects: the precise path explains.
            _ => return None,
        };
        props.insert(k.clone(), value);
    }
    Some(props)
}

/// Parse one line (already stripped of BOM and line end, not blank or a comment), or
/// `None` to leave it to the precise path.
pub fn parse_fast(line: &str) -> Option<Record> {
    let record = parse_fields(line)?;
    // A number the record cannot keep as written is for the precise path to report.
    if super::jsonl::has_float_props(&record) && !super::jsonl::inexact_numbers(line).is_empty() {
        return None;
    }
    Some(record)
}

fn parse_fields(line: &str) -> Option<Record> {
    let l: Line<'_> = serde_json::from_str(line).ok()?;
    match &*l.kind {
        "entity" => {
            if l.from.is_some()
                || l.to.is_some()
                || l.title.is_some()
                || l.since.is_some()
                || l.until.is_some()
                || l.date.is_some()
                || l.end_date.is_some()
                || l.location.is_some()
                || l.domains.is_some()
                || l.participants.is_some()
                || l.sources.is_some()
                || l.confidence.is_some()
                || l.status.is_some()
            {
                return None;
            }
            let name = text(l.name.as_ref()?)?;
            let aliases = list(&l.aliases)?;
            if name.len() > MAX_NAME_BYTES || aliases.iter().any(|a| a.len() > MAX_NAME_BYTES) {
                return None;
            }
            let unique = super::jsonl::distinct_aliases(&name, aliases);
            Some(Record::Entity(Entity {
                key: key(l.key.as_ref()?)?,
                entity_type: text(l.kind_type.as_ref()?)?,
                name,
                aliases: unique,
                country: opt_key(&l.country)?,
                sector: l.sector.as_ref().map(|s| s.to_string()),
                props: props(&l.props)?,
            }))
        }
        "relation" => {
            if l.key.is_some()
                || l.name.is_some()
                || l.aliases.is_some()
                || l.country.is_some()
                || l.sector.is_some()
                || l.date.is_some()
                || l.end_date.is_some()
                || l.location.is_some()
                || l.domains.is_some()
                || l.participants.is_some()
                || l.sources.is_some()
                || l.confidence.is_some()
                || l.status.is_some()
            {
                return None;
            }
            Some(Record::Relation(Relation {
                relation_type: text(l.kind_type.as_ref()?)?,
                from: key(l.from.as_ref()?)?,
                to: key(l.to.as_ref()?)?,
                title: l.title.as_ref().map(|s| s.to_string()),
                since: opt_date(&l.since)?,
                until: opt_date(&l.until)?,
                props: props(&l.props)?,
            }))
        }
        "event" => {
            if l.name.is_some()
                || l.aliases.is_some()
                || l.country.is_some()
                || l.sector.is_some()
                || l.from.is_some()
                || l.to.is_some()
                || l.since.is_some()
                || l.until.is_some()
            {
                return None;
            }
            let date = date(l.date.as_ref()?)?;
            let end_date = opt_date(&l.end_date)?;
            if end_date.is_some_and(|e| e.end() < date.start()) {
                return None;
            }
            let parts = l.participants.as_ref()?;
            if parts.is_empty() {
                return None;
            }
            let participants = parts
                .iter()
                .map(|p| {
                    Some(Participant {
                        entity: key(&p.entity)?,
                        role: text(&p.role)?,
                    })
                })
                .collect::<Option<Vec<_>>>()?;
            let sources = l
                .sources
                .as_ref()
                .into_iter()
                .flatten()
                .map(|s| {
                    if s.published.as_ref().is_some_and(|p| published_problem(p).is_some()) {
                        return None;
                    }
                    let own = |t: &Option<Text<'_>>| t.as_ref().map(|t| t.to_string());
                    Some(Source {
                        url: own(&s.url),
                        doc: own(&s.doc),
                        published: own(&s.published),
                        quote: own(&s.quote),
                        lang: own(&s.lang),
                    })
                })
                .collect::<Option<Vec<_>>>()?;
            if l.confidence.as_ref().is_some_and(|c| !(0.0..=1.0).contains(c)) {
                return None;
            }
            let status = match l.status.as_ref() {
                None => EventStatus::Reported,
                Some(s) => s.parse().ok()?,
            };
            Some(Record::Event(Event {
                key: opt_key(&l.key)?.unwrap_or_default(),
                event_type: text(l.kind_type.as_ref()?)?,
                date,
                end_date,
                location: opt_key(&l.location)?,
                domains: list(&l.domains)?,
                participants,
                title: l.title.as_ref().map(|s| s.to_string()),
                sources,
                confidence: l.confidence.as_ref().copied(),
                status,
                props: props(&l.props)?,
            }))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::jsonl::parse_precise;
    use super::parse_fast;
    use proptest::prelude::*;

    /// Field values, valid and not, that the precise path has rules about.
    fn value() -> impl Strategy<Value = String> {
        prop_oneof![
            Just(r#""MAR""#.to_string()),
            Just(r#""person:a""#.to_string()),
            Just(r#"" padded ""#.to_string()),
            Just(r#""""#.to_string()),
            Just(r#""  ""#.to_string()),
            Just(r#""2022""#.to_string()),
            Just(r#""2022-05""#.to_string()),
            Just(r#""2022-02-30""#.to_string()),
            Just(r#""2021-12-31T10:00:00Z""#.to_string()),
            Just(r#""visit""#.to_string()),
            Just(r#""planned""#.to_string()),
            Just(r#""Denied""#.to_string()),
            Just(r#""a\nb""#.to_string()),
            Just(r#""\u0645""#.to_string()),
            Just("null".to_string()),
            Just("1".to_string()),
            Just("0.5".to_string()),
            Just("1.5".to_string()),
            Just("-3".to_string()),
            Just("18446744073709551615".to_string()),
            Just("true".to_string()),
            Just("[]".to_string()),
            Just(r#"["x","x"]"#.to_string()),
            Just(r#"["x",""]"#.to_string()),
            Just(r#"[{"entity":"MAR","role":"host"}]"#.to_string()),
            Just(r#"[{"entity":"MAR","role":"host","x":1}]"#.to_string()),
            Just(r#"[{"entity":" M","role":"host"}]"#.to_string()),
            Just(r#"[{"url":"u","published":"2022-13"}]"#.to_string()),
            Just(r#"[{"quote":"q","lang":null}]"#.to_string()),
            Just(r#"{"a":1,"b":"x","c":2.5,"d":false}"#.to_string()),
            Just(r#"{"a":null}"#.to_string()),
            Just(r#"{"a":[1]}"#.to_string()),
            Just("{}".to_string()),
        ]
    }

    const FIELDS: &[&str] = &[
        "key",
        "type",
        "name",
        "aliases",
        "country",
        "sector",
        "props",
        "from",
        "to",
        "title",
        "since",
        "until",
        "date",
        "end_date",
        "location",
        "domains",
        "participants",
        "sources",
        "confidence",
        "status",
        "kind",
        "extra",
    ];

    /// A valid record of each kind, as (field, JSON value) pairs.
    fn base(kind: usize) -> Vec<(String, String)> {
        let pairs: &[(&str, &str)] = match kind {
            0 => &[
                ("kind", r#""entity""#),
                ("key", r#""person:a""#),
                ("type", r#""person""#),
                ("name", r#""A""#),
            ],
            1 => &[
                ("kind", r#""relation""#),
                ("type", r#""holds_position""#),
                ("from", r#""person:a""#),
                ("to", r#""org:b""#),
            ],
            _ => &[
                ("kind", r#""event""#),
                ("type", r#""visit""#),
                ("date", r#""2022-06""#),
                ("participants", r#"[{"entity":"MAR","role":"host"}]"#),
            ],
        };
        pairs.iter().map(|(f, v)| (f.to_string(), v.to_string())).collect()
    }

    /// A valid record with some fields replaced, added or removed.
    fn line() -> impl Strategy<Value = String> {
        let edits = proptest::collection::vec((proptest::sample::select(FIELDS), value(), any::<bool>()), 0..4);
        (0usize..3, edits).prop_map(|(kind, edits)| {
            let mut fields = base(kind);
            for (f, v, remove) in edits {
                fields.retain(|(name, _)| name != f);
                if !remove {
                    fields.push((f.to_string(), v));
                }
            }
            let parts: Vec<String> = fields.into_iter().map(|(f, v)| format!(r#""{f}":{v}"#)).collect();
            format!("{{{}}}", parts.join(","))
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]
        #[test]
        fn fast_path_agrees_with_precise_path(line in line()) {
            if let Some(fast) = parse_fast(&line) {
                prop_assert_eq!(parse_precise(&line), Ok(Some(fast)), "{}", line);
            }
        }
    }

    #[test]
    fn fast_path_takes_the_sample_and_generated_lines() {
        let sample = include_str!("../../data/samples/morocco-germany.jsonl");
        let countries = include_str!("../../data/countries/countries.jsonl");
        for line in sample.lines().chain(countries.lines()) {
            let fast = parse_fast(line);
            assert!(fast.is_some(), "fast path refused {line}");
            assert_eq!(parse_precise(line), Ok(fast));
        }
        let generated = r#"{"kind":"event","key":"ev:0000001","type":"visit","date":"2003-06-18","end_date":"2003-06-21","location":"place:fra-0001","domains":["economy"],"participants":[{"entity":"person:fra-00012","role":"visitor"},{"entity":"DEU","role":"host"}],"title":"Visite sur les relations économiques","sources":[{"url":"https://example.org/2003/0000001-0","published":"2003-06-18","quote":"«Les deux pays»","lang":"fr"}],"confidence":0.87}"#;
        assert!(parse_fast(generated).is_some());
        assert_eq!(parse_precise(generated), Ok(parse_fast(generated)));
    }
}

//! The JSON Schema of interchange v1 (`schema/interchange-v1.schema.json`) agrees with the
//! importer (`dipgraph::ingest`) and is up to date with `schema/ontology.json`, from which
//! `schema/generate-schema.py` generates it.

use dipgraph::ingest::{key_problem, parse_line, validate, IngestError, Located, NoStore};
use dipgraph::vocab::Vocab;
use serde_json::{json, Value};
use std::path::PathBuf;

const SCHEMA: &str = "schema/interchange-v1.schema.json";
const ONTOLOGY: &str = "schema/ontology.json";
const SCHEMA_ID: &str = "https://dipgraph.invalid/schema/interchange-v1.schema.json";

fn path(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn read_json(rel: &str) -> Value {
    let text = std::fs::read_to_string(path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

pub(crate) fn validator() -> jsonschema::Validator {
    jsonschema::draft202012::new(&read_json(SCHEMA)).unwrap_or_else(|e| panic!("{SCHEMA} does not compile: {e}"))
}

/// The schema's complaints about `record`, one per line; empty when it is valid.
fn schema_errors(v: &jsonschema::Validator, record: &Value) -> Vec<String> {
    v.iter_errors(record)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

/// What the importer says about one line, given `context` lines (entities it may refer to)
/// before it: parse errors, else validation errors, else nothing. Errors as (line, field).
pub(crate) fn importer_errors(context: &[&str], line: &str) -> Vec<(usize, Option<String>)> {
    let vocab = Vocab::embedded().expect("embedded ontology");
    let mut records = Vec::new();
    for (i, text) in context.iter().chain([&line]).enumerate() {
        match parse_line(text.as_bytes(), i + 1) {
            Ok(Some(record)) => records.push(Located {
                file: "<test>".into(),
                line: i + 1,
                record,
            }),
            Ok(None) => panic!("not a record: {text}"),
            Err(errs) => return errs.into_iter().map(|(field, _)| (i + 1, field)).collect(),
        }
    }
    match validate(records, &vocab, &NoStore, false) {
        Ok(_) => Vec::new(),
        Err(errs) => errs
            .kept
            .into_iter()
            .map(|IngestError { line, field, .. }| (line, field))
            .collect(),
    }
}

/// Entities the test records refer to.
pub(crate) const CONTEXT: [&str; 3] = [
    r#"{"kind":"entity","key":"MAR","type":"country","name":"Morocco"}"#,
    r#"{"kind":"entity","key":"DEU","type":"country","name":"Germany"}"#,
    r#"{"kind":"entity","key":"person:a","type":"person","name":"A","country":"MAR","sector":"intelligence"}"#,
];

/// A valid record of each kind; every bad record below is one of these with one defect.
fn good_entity() -> Value {
    json!({"kind": "entity", "key": "org:x", "type": "organization", "name": "X", "aliases": ["Ex"],
           "country": "DEU", "sector": "police", "props": {"iso": "x", "n": 1, "f": 0.5, "b": true}})
}

fn good_relation() -> Value {
    json!({"kind": "relation", "type": "holds_position", "from": "person:a", "to": "MAR",
           "title": "Director", "since": "2015", "until": "2022-05", "props": {"n": 2}})
}

fn good_event() -> Value {
    json!({"kind": "event", "key": "ev:1", "type": "visit", "date": "2022-05-10", "end_date": "2022-05-11",
           "location": "MAR", "domains": ["security", "migration"],
           "participants": [{"entity": "DEU", "role": "visitor"}, {"entity": "MAR", "role": "host"}],
           "title": "A visit", "confidence": 1.0,
           "sources": [{"url": "https://example.invalid/a", "doc": "a.txt", "published": "2022-05-10T09:30:00Z",
                        "quote": "...", "lang": "en"}],
           "props": {"note": "x"}})
}

/// `base` with `field` set to `value` (`None`: removed). `field` may be `a.0.b` into arrays.
fn with(mut base: Value, field: &str, value: Option<Value>) -> Value {
    let mut parts: Vec<&str> = field.split('.').collect();
    let last = parts.pop().unwrap();
    let mut at = &mut base;
    for p in parts {
        at = match p.parse::<usize>() {
            Ok(i) => &mut at[i],
            Err(_) => &mut at[p],
        };
    }
    let map = at.as_object_mut().expect("an object");
    match value {
        Some(v) => map.insert(last.to_string(), v),
        None => map.remove(last),
    };
    base
}

#[test]
fn schema_is_draft_2020_12_with_id_and_title() {
    let schema = read_json(SCHEMA);
    if let Err(e) = jsonschema::draft202012::meta::validate(&schema) {
        panic!("{SCHEMA} is not a valid draft 2020-12 schema: {e}");
    }
    assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
    assert_eq!(schema["$id"], SCHEMA_ID);
    assert!(schema["title"].as_str().is_some_and(|t| !t.is_empty()));
    assert!(schema["description"].as_str().is_some_and(|t| !t.is_empty()));
    for kind in ["entity", "relation", "event"] {
        let def = &schema["$defs"][kind];
        assert_eq!(def["properties"]["kind"]["const"], kind);
        assert_eq!(def["additionalProperties"], false, "{kind} must reject unknown fields");
    }
}

#[test]
fn sample_and_country_lines_validate() {
    let v = validator();
    let mut lines = Vec::new();
    for file in ["data/countries/countries.jsonl", "data/samples/morocco-germany.jsonl"] {
        let text = std::fs::read_to_string(path(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        for (i, line) in text.lines().enumerate() {
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let record: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{file}:{}: {e}", i + 1));
            let errors = schema_errors(&v, &record);
            assert!(errors.is_empty(), "{file}:{}: {}", i + 1, errors.join("\n"));
            lines.push(line.to_string());
        }
    }
    assert!(lines.len() > 250, "only {} records read", lines.len());
    // The importer agrees: the same lines import together without an error.
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let (last, context) = refs.split_last().unwrap();
    let errors = importer_errors(context, last);
    assert!(errors.is_empty(), "the importer rejects the data files: {errors:?}");
}

#[test]
fn good_records_pass_schema_and_importer() {
    let v = validator();
    for record in [good_entity(), good_relation(), good_event()] {
        let errors = schema_errors(&v, &record);
        assert!(errors.is_empty(), "{record}:\n{}", errors.join("\n"));
        let errors = importer_errors(&CONTEXT, &record.to_string());
        assert!(errors.is_empty(), "the importer rejects {record}: {errors:?}");
    }
}

#[test]
fn bad_records_fail_schema_and_importer() {
    let nested = json!({"meta": {"a": 1}});
    // (what is wrong, the record, the field the importer names)
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "unknown field on an entity",
            with(good_entity(), "nickname", Some(json!("x"))),
            "nickname",
        ),
        (
            "unknown field on a relation",
            with(good_relation(), "role", Some(json!("x"))),
            "role",
        ),
        (
            "unknown field on an event",
            with(good_event(), "place", Some(json!("Rabat"))),
            "place",
        ),
        (
            "unknown field in a participant",
            with(good_event(), "participants.0.side", Some(json!("MAR"))),
            "participants[0].side",
        ),
        (
            "unknown field in a source",
            with(good_event(), "sources.0.author", Some(json!("x"))),
            "sources[0].author",
        ),
        (
            "unknown kind",
            with(good_entity(), "kind", Some(json!("actor"))),
            "kind",
        ),
        ("missing kind", with(good_entity(), "kind", None), "kind"),
        (
            "aliases is a string",
            with(good_entity(), "aliases", Some(json!("Ex"))),
            "aliases",
        ),
        (
            "aliases holds a number",
            with(good_entity(), "aliases", Some(json!([1]))),
            "aliases[0]",
        ),
        (
            "aliases holds a blank string",
            with(good_entity(), "aliases", Some(json!([" "]))),
            "aliases[0]",
        ),
        ("missing name", with(good_entity(), "name", None), "name"),
        ("blank name", with(good_entity(), "name", Some(json!(" \t"))), "name"),
        (
            "key with trailing space",
            with(good_entity(), "key", Some(json!("org:x "))),
            "key",
        ),
        (
            "key with a control character",
            with(good_entity(), "key", Some(json!("org:\u{7}x"))),
            "key",
        ),
        ("empty event key", with(good_event(), "key", Some(json!(""))), "key"),
        (
            "key longer than 512 bytes",
            with(good_entity(), "key", Some(json!("k".repeat(513)))),
            "key",
        ),
        (
            "date without zero padding",
            with(good_event(), "date", Some(json!("2022-5-01"))),
            "date",
        ),
        (
            "date 2022-13-40",
            with(good_event(), "date", Some(json!("2022-13-40"))),
            "date",
        ),
        (
            "date as a number",
            with(good_event(), "date", Some(json!(2022))),
            "date",
        ),
        ("missing date", with(good_event(), "date", None), "date"),
        (
            "until with a time",
            with(good_relation(), "until", Some(json!("2022-05-10T10:00"))),
            "until",
        ),
        (
            "published month with a time",
            with(good_event(), "sources.0.published", Some(json!("2022-05T10:00"))),
            "sources[0].published",
        ),
        (
            "missing participants",
            with(good_event(), "participants", None),
            "participants",
        ),
        (
            "empty participants",
            with(good_event(), "participants", Some(json!([]))),
            "participants",
        ),
        (
            "participant without role",
            with(good_event(), "participants.0.role", None),
            "participants[0].role",
        ),
        (
            "confidence 1.5",
            with(good_event(), "confidence", Some(json!(1.5))),
            "confidence",
        ),
        (
            "confidence as a string",
            with(good_event(), "confidence", Some(json!("high"))),
            "confidence",
        ),
        (
            "props with a nested object",
            with(good_entity(), "props", Some(nested.clone())),
            "props.meta",
        ),
        (
            "event props with a nested object",
            with(good_event(), "props", Some(nested)),
            "props.meta",
        ),
        (
            "props with an array",
            with(good_relation(), "props", Some(json!({"l": [1]}))),
            "props.l",
        ),
        (
            "props with null",
            with(good_relation(), "props", Some(json!({"n": null}))),
            "props.n",
        ),
        // Found only by validation against the ontology.
        (
            "unknown entity type",
            with(good_entity(), "type", Some(json!("city"))),
            "type",
        ),
        (
            "unknown sector",
            with(good_entity(), "sector", Some(json!("spies"))),
            "sector",
        ),
        (
            "unknown relation type",
            with(good_relation(), "type", Some(json!("employs"))),
            "type",
        ),
        (
            "unknown event type",
            with(good_event(), "type", Some(json!("summit"))),
            "type",
        ),
        (
            "unknown domain",
            with(good_event(), "domains", Some(json!(["security", "sport"]))),
            "domains[1]",
        ),
        (
            "role vistor on a visit",
            with(good_event(), "participants.0.role", Some(json!("vistor"))),
            "participants[0].role",
        ),
        (
            "role host on a phone_call",
            with(
                with(good_event(), "type", Some(json!("phone_call"))),
                "participants.0.role",
                Some(json!("participant")),
            ),
            "participants[1].role",
        ),
        (
            "role signatory on a meeting",
            with(
                with(good_event(), "type", Some(json!("meeting"))),
                "participants.0.role",
                Some(json!("signatory")),
            ),
            "participants[0].role",
        ),
        (
            "the same participant twice in one role",
            with(
                good_event(),
                "participants",
                Some(json!([{"entity": "MAR", "role": "host"}, {"entity": "MAR", "role": "host"}])),
            ),
            "participants[1]",
        ),
    ];
    let v = validator();
    let bad_line = CONTEXT.len() + 1;
    let mut failures = Vec::new();
    for (what, record, field) in &cases {
        if v.is_valid(record) {
            failures.push(format!("{what}: the schema accepts {record}"));
        }
        let errors = importer_errors(&CONTEXT, &record.to_string());
        if !errors.contains(&(bad_line, Some(field.to_string()))) {
            failures.push(format!(
                "{what}: expected the importer to reject field {field}, got {errors:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn key_rules_match_the_importer() {
    let v = validator();
    let keys: Vec<String> = [
        "MAR",
        "a",
        "a b",
        "person:hammouchi",
        "مديرية",
        " a",
        "a ",
        "\ta",
        "a\n",
        "a\tb",
        "a\u{0}b",
        "a\u{7f}",
        "\u{85}a",
        "a\u{9f}b",
        "\u{a0}a",
        "a\u{1680}",
        "\u{2000}a",
        "a\u{200a}",
        "a\u{2028}",
        "\u{2029}a",
        "a\u{202f}",
        "\u{205f}a",
        "a\u{3000}",
        "\u{feff}a",
        "a\u{200b}",
        "",
        " ",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain(["k".repeat(512), "k".repeat(513)])
    .collect();
    for key in keys {
        let record = with(good_entity(), "key", Some(json!(key)));
        let importer_ok = parse_line(record.to_string().as_bytes(), 1).is_ok();
        assert_eq!(importer_ok, key_problem(&key).is_none(), "{key:?}");
        assert_eq!(
            v.is_valid(&record),
            importer_ok,
            "schema and importer disagree on key {key:?}"
        );
    }
    // Known limit: JSON Schema counts characters, the importer bytes (512 two-byte characters).
    let record = with(good_entity(), "key", Some(json!("é".repeat(512))));
    assert!(v.is_valid(&record) && parse_line(record.to_string().as_bytes(), 1).is_err());
}

#[test]
fn date_rules_match_the_importer() {
    let v = validator();
    let dates = [
        "2022",
        "2022-05",
        "2022-05-10",
        "0001",
        "9999-12-31",
        "2024-02-29",
        "0000",
        "0000-01-01",
        "2022-00",
        "2022-13",
        "2022-05-00",
        "2022-05-32",
        "2022-5",
        "2022-05-1",
        "202",
        "20220",
        "2022/05",
        "2022-05-10T10:00",
        "２０２２",
        "٢٠٢٢",
        " 2022",
        "2022 ",
        "",
    ];
    for date in dates {
        // Without end_date, which must not be before date.
        let record = with(with(good_event(), "end_date", None), "date", Some(json!(date)));
        let importer_ok = parse_line(record.to_string().as_bytes(), 1).is_ok();
        assert_eq!(
            v.is_valid(&record),
            importer_ok,
            "schema and importer disagree on date {date:?}"
        );
    }
    let published = [
        "2022",
        "2022-05",
        "2022-05-10",
        "2022-05-10T09:30:00Z",
        "2022-05-10T09:30+01:00",
        "2022-05-10T",
        "2022T10",
        "2022-05T10:00",
        "2022-05-10 09:30",
        "2022-13-10T10:00",
        "10 May 2022",
        "",
    ];
    for p in published {
        let record = with(good_event(), "sources.0.published", Some(json!(p)));
        let importer_ok = parse_line(record.to_string().as_bytes(), 1).is_ok();
        assert_eq!(
            v.is_valid(&record),
            importer_ok,
            "schema and importer disagree on published {p:?}"
        );
    }
    // Known limit: the pattern does not know month lengths.
    let record = with(good_event(), "date", Some(json!("2022-02-30")));
    assert!(v.is_valid(&record) && parse_line(record.to_string().as_bytes(), 1).is_err());
}

fn names(v: &Value) -> Vec<String> {
    match v {
        Value::Object(m) => m.keys().cloned().collect(),
        Value::Array(a) => a.iter().map(|s| s.as_str().expect("a string").to_string()).collect(),
        other => panic!("expected an object or array, found {other}"),
    }
}

/// The schema lists exactly what the ontology lists, in the ontology's order: the schema is
/// generated from the current ontology.json (else run `python3 schema/generate-schema.py`).
#[test]
fn schema_enums_match_the_ontology() {
    let schema = read_json(SCHEMA);
    let ontology = read_json(ONTOLOGY);
    let defs = &schema["$defs"];
    let hint = "schema/interchange-v1.schema.json is out of date: run python3 schema/generate-schema.py";
    let pairs = [
        (&defs["entity"]["properties"]["type"]["enum"], &ontology["entity_types"]),
        (&defs["entity"]["properties"]["sector"]["enum"], &ontology["sectors"]),
        (
            &defs["relation"]["properties"]["type"]["enum"],
            &ontology["relation_types"],
        ),
        (&defs["event"]["properties"]["type"]["enum"], &ontology["event_types"]),
        (
            &defs["event"]["properties"]["domains"]["items"]["enum"],
            &ontology["domains"],
        ),
        (&defs["source"]["properties"], &ontology["source_fields"]),
    ];
    for (in_schema, in_ontology) in pairs {
        assert_eq!(names(in_schema), names(in_ontology), "{hint}");
    }

    // One role rule per event type, in order, allowing exactly that type's roles.
    let rules = defs["event"]["allOf"].as_array().expect("event allOf");
    let event_types = ontology["event_types"].as_object().unwrap();
    assert_eq!(rules.len(), event_types.len(), "{hint}");
    let mut all_roles: Vec<String> = Vec::new();
    for (rule, (name, def)) in rules.iter().zip(event_types) {
        assert_eq!(rule["if"]["properties"]["type"]["const"], name.as_str(), "{hint}");
        assert_eq!(rule["if"]["required"], json!(["type"]));
        let roles = &rule["then"]["properties"]["participants"]["items"]["properties"]["role"]["enum"];
        assert_eq!(roles, &def["roles"], "{hint}: roles of {name}");
        for r in names(&def["roles"]) {
            if !all_roles.contains(&r) {
                all_roles.push(r);
            }
        }
    }
    assert_eq!(
        names(&defs["participant"]["properties"]["role"]["enum"]),
        all_roles,
        "{hint}"
    );
    let version = ontology["version"].as_u64().unwrap();
    let comment = schema["$comment"].as_str().unwrap_or_default();
    assert!(comment.contains(&format!("ontology version {version}")), "{hint}");

    // And the ontology file is the one the binary embeds.
    let vocab = Vocab::embedded().expect("embedded ontology");
    let sorted = |v: &Value| {
        let mut n = names(v);
        n.sort();
        n
    };
    assert_eq!(
        sorted(&ontology["entity_types"]),
        vocab.entity_types.keys().cloned().collect::<Vec<_>>()
    );
    assert_eq!(
        sorted(&ontology["relation_types"]),
        vocab.relation_types.keys().cloned().collect::<Vec<_>>()
    );
    assert_eq!(
        sorted(&ontology["event_types"]),
        vocab.event_types.keys().cloned().collect::<Vec<_>>()
    );
    assert_eq!(
        sorted(&ontology["sectors"]),
        vocab.sectors.keys().cloned().collect::<Vec<_>>()
    );
    assert_eq!(names(&ontology["domains"]), vocab.domains);
    for (name, def) in &vocab.event_types {
        assert_eq!(names(&ontology["event_types"][name]["roles"]), def.roles);
    }
}

/// Every role the ontology allows for an event type passes the schema, and every other
/// known role fails it, as the importer decides.
#[test]
fn roles_per_event_type_match_the_importer() {
    let v = validator();
    let vocab = Vocab::embedded().expect("embedded ontology");
    let all_roles: Vec<&String> = {
        let mut r: Vec<&String> = vocab.event_types.values().flat_map(|d| &d.roles).collect();
        r.sort();
        r.dedup();
        r
    };
    for (event_type, def) in &vocab.event_types {
        for role in &all_roles {
            let record = json!({"kind": "event", "type": event_type, "date": "2022",
                                "participants": [{"entity": "MAR", "role": role}]});
            let importer_ok = importer_errors(&CONTEXT, &record.to_string()).is_empty();
            assert_eq!(
                importer_ok,
                def.roles.contains(role),
                "importer: {role} on a {event_type}"
            );
            assert_eq!(
                v.is_valid(&record),
                importer_ok,
                "schema and importer disagree: {role} on a {event_type}"
            );
        }
    }
}

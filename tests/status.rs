//! Issue 13: event status (interchange v1.1). Planned, cancelled and denied events are
//! imported, stored, dumped and exported as such, and old stores read as `reported`.

use crate::util::{repo, TestStore, ENGINES, SAMPLE};
use dipgraph::model::Event;
use dipgraph::store::{codec, kv, tree, Engine};
use std::path::Path;

const DATA_ERROR: i32 = 1;

/// Events of the sample's people in each status, and one that names none.
pub const STATUS_EVENTS: &str = r#"{"kind":"event","key":"ev:planned","type":"visit","date":"2024-03","participants":[{"entity":"person:romann","role":"visitor"},{"entity":"person:hammouchi","role":"host"}],"status":"planned"}
{"kind":"event","key":"ev:cancelled","type":"visit","date":"2024-04-02","participants":[{"entity":"person:haldenwang","role":"visitor"},{"entity":"person:hammouchi","role":"host"}],"status":"cancelled"}
{"kind":"event","key":"ev:denied","type":"meeting","date":"2024-05","participants":[{"entity":"person:hammouchi","role":"participant"},{"entity":"person:romann","role":"participant"}],"status":"denied"}
{"kind":"event","key":"ev:reported","type":"meeting","date":"2024-06","participants":[{"entity":"person:hammouchi","role":"participant"},{"entity":"person:romann","role":"participant"}],"status":"reported"}
"#;

/// The sample and [`STATUS_EVENTS`] in a store on `engine`.
pub fn status_store(engine: &'static str) -> TestStore {
    let s = TestStore::new(engine);
    s.import(&repo(SAMPLE)).ok();
    let f = s.file("status.jsonl", STATUS_EVENTS);
    s.import(&f).ok();
    s
}

/// The dump line of the event with this key.
fn dumped<'a>(dump: &'a str, key: &str) -> &'a str {
    let needle = format!("\"key\":\"{key}\"");
    dump.lines()
        .find(|l| l.contains(&needle))
        .unwrap_or_else(|| panic!("no {key} in the dump"))
}

#[test]
fn issue_13_status_import_and_dump_round_trip() {
    for engine in ENGINES {
        let s = status_store(engine);
        let dump = s.dump();
        for st in ["planned", "cancelled", "denied"] {
            let line = dumped(&dump, &format!("ev:{st}"));
            assert!(line.contains(&format!(",\"status\":\"{st}\"")), "{line}");
        }
        // `reported` is the default and is left out, so v1.0 records dump as before.
        assert!(!dumped(&dump, "ev:reported").contains("status"), "{dump}");
        assert!(!dump.contains("\"status\":\"reported\""), "{dump}");
        let sample = std::fs::read_to_string(repo(SAMPLE)).unwrap();
        for line in sample.lines().filter(|l| l.contains("\"kind\":\"event\"")) {
            assert!(dump.lines().any(|d| d == line), "sample event changed: {line}");
        }

        // dump | restore | dump is byte-identical.
        let t = TestStore::new(engine);
        let f = t.file("dump.jsonl", &dump);
        t.import(&f).ok();
        assert_eq!(t.dump(), dump, "{engine}");
    }
}

#[test]
fn issue_13_status_bad_values_name_file_line_and_field_and_write_nothing() {
    for engine in ENGINES {
        let s = status_store(engine);
        let before = s.dump();
        let bad = concat!(
            r#"{"kind":"event","key":"ev:x","type":"visit","date":"2024","participants":[{"entity":"MAR","role":"host"}],"status":"happened"}"#,
            "\n",
            r#"{"kind":"event","key":"ev:y","type":"visit","date":"2024","participants":[{"entity":"MAR","role":"host"}],"status":3}"#,
            "\n",
            r#"{"kind":"event","key":"ev:z","type":"visit","date":"2024","participants":[{"entity":"MAR","role":"host"}],"status":"Planned"}"#,
            "\n",
            r#"{"kind":"entity","key":"person:x","type":"person","name":"X","status":"planned"}"#,
            "\n",
        );
        let f = s.file("bad.jsonl", bad);
        let file = f.display().to_string();
        let r = s.import(&f).fails_with(DATA_ERROR);
        for line in [
            format!("{file}:1: status: unknown status \"happened\": allowed are reported, planned, cancelled, denied"),
            format!("{file}:2: status: expected a string, found a number"),
            format!("{file}:3: status: unknown status \"Planned\": allowed are reported, planned, cancelled, denied"),
            format!(
                "{file}:4: status: unknown field: allowed are kind, key, type, name, aliases, country, sector, props"
            ),
        ] {
            r.stderr_has_line(&line);
        }
        assert!(r.stderr.contains("nothing was written"), "{}", r.stderr);
        assert_eq!(s.dump(), before, "{engine}");
    }
}

/// Edits that put every event record of the store at `path` back into format 2's shape
/// (compressed again when it was compressed), as raw `(tree, key, value)` puts.
pub fn event_records_as_format_2(engine: &str, path: &Path) -> Vec<(Vec<u8>, Vec<u8>)> {
    let kv = kv::open(Engine::from_name(engine).unwrap(), path).unwrap();
    let dict = kv
        .get(tree::META, b"event_dict")
        .unwrap()
        .map(|raw| codec::Dictionary::new(raw).unwrap());
    let mut out = Vec::new();
    for pair in kv.scan_prefix(tree::EVENT, b"").unwrap() {
        let (k, v) = pair.unwrap();
        let e: Event = codec::decode_with(&v, dict.as_ref()).unwrap();
        assert!(e.status.is_reported(), "format 2 could only hold reported events");
        // bincode writes a tuple as it writes a struct, field after field: this is the
        // format-2 record, which had every field of today's but `status`.
        let old = (
            &e.key,
            &e.event_type,
            &e.date,
            &e.end_date,
            &e.location,
            &e.domains,
            &e.participants,
            &e.title,
            &e.sources,
            &e.confidence,
            &e.props,
        );
        let mut bytes = codec::encode(&old).unwrap();
        if v[0] == codec::COMPRESSED_VERSION {
            let mut c = dict.as_ref().unwrap().compressor().unwrap();
            bytes = codec::compress(&mut c, &bytes).unwrap();
        }
        out.push((k, bytes));
    }
    out
}

fn put_all(engine: &str, path: &Path, puts: &[(&str, Vec<u8>, Vec<u8>)]) {
    let kv = kv::open(Engine::from_name(engine).unwrap(), path).unwrap();
    let mut w = kv.begin_write().unwrap();
    for (t, k, v) in puts {
        w.put(t, k, v).unwrap();
    }
    w.commit().unwrap();
}

/// Enough generated events for the store to train a dictionary and compress them.
fn many_events() -> String {
    let mut s = String::new();
    for i in 0..2100 {
        s.push_str(&format!(
            "{{\"kind\":\"event\",\"key\":\"ev:gen-{i:05}\",\"type\":\"meeting\",\"date\":\"2021-{:02}\",\"participants\":[{{\"entity\":\"person:hammouchi\",\"role\":\"participant\"}},{{\"entity\":\"person:romann\",\"role\":\"participant\"}}],\"title\":\"Generated meeting number {i} on security cooperation\"}}\n",
            i % 12 + 1
        ));
    }
    s
}

#[test]
fn issue_13_status_format_2_stores_are_upgraded_and_read_as_reported() {
    for engine in ENGINES {
        for compressed in [false, true] {
            let s = TestStore::new(engine);
            s.import(&repo(SAMPLE)).ok();
            if compressed {
                let f = s.file("many.jsonl", many_events());
                s.import(&f).ok();
            }
            let before = s.dump();
            let mut puts: Vec<(&str, Vec<u8>, Vec<u8>)> = event_records_as_format_2(engine, &s.path)
                .into_iter()
                .map(|(k, v)| (tree::EVENT, k, v))
                .collect();
            let was_compressed = puts
                .iter()
                .filter(|(_, _, v)| v[0] == codec::COMPRESSED_VERSION)
                .count();
            assert_eq!(was_compressed > 0, compressed, "{engine}");
            // Format 2's event_links counts were u16, as format 3's.
            for (k, v) in crate::issue17::links_as_format_3(engine, &s.path) {
                puts.push((tree::EVENT_LINKS, k, v));
            }
            puts.push((tree::META, b"format_version".to_vec(), 2u32.to_be_bytes().to_vec()));
            put_all(engine, &s.path, &puts);

            let r = s.run(&["check"]).ok();
            assert!(r.stdout.lines().any(|l| l == "consistent"), "{engine}: {}", r.stdout);
            assert!(
                r.stdout
                    .contains(&format!("format version {}", dipgraph::store::FORMAT_VERSION)),
                "{engine}: {}",
                r.stdout
            );
            assert_eq!(s.dump(), before, "{engine}");
            let kv = kv::open(Engine::from_name(engine).unwrap(), &s.path).unwrap();
            let recompressed = kv
                .scan_prefix(tree::EVENT, b"")
                .unwrap()
                .filter(|p| p.as_ref().unwrap().1[0] == codec::COMPRESSED_VERSION)
                .count();
            assert_eq!(recompressed, was_compressed, "{engine}: compression kept");
        }
    }
}

#[test]
fn issue_13_status_schema_and_importer_agree() {
    let v = crate::schema::validator();
    let context = &crate::schema::CONTEXT;
    let event = |status: serde_json::Value| {
        serde_json::json!({"kind": "event", "type": "visit", "date": "2024-03",
            "participants": [{"entity": "DEU", "role": "visitor"}, {"entity": "MAR", "role": "host"}],
            "status": status})
    };
    for st in ["reported", "planned", "cancelled", "denied"] {
        let record = event(st.into());
        assert!(v.is_valid(&record), "the schema refuses {record}");
        let errors = crate::schema::importer_errors(context, &record.to_string());
        assert!(errors.is_empty(), "the importer refuses {record}: {errors:?}");
    }
    let entity = serde_json::json!({"kind": "entity", "key": "person:b", "type": "person", "name": "B",
        "status": "planned"});
    for record in [
        event("happened".into()),
        event("Denied".into()),
        event(3.into()),
        entity,
    ] {
        assert!(!v.is_valid(&record), "the schema accepts {record}");
        let errors = crate::schema::importer_errors(context, &record.to_string());
        assert_eq!(errors, [(context.len() + 1, Some("status".to_string()))], "{record}");
    }
}

const USAGE: i32 = 2;

/// The event keys a JSON contacts answer lists, in its order.
fn contact_keys(json: &str) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    let list = v
        .as_array()
        .or_else(|| v["contacts"].as_array())
        .expect("a list of contacts");
    list.iter().map(|c| c["key"].as_str().unwrap().to_string()).collect()
}

#[test]
fn issue_13_status_contacts_count_reported_events_unless_asked() {
    for engine in ENGINES {
        let s = status_store(engine);
        let q = |extra: &[&str]| {
            let mut args = vec!["contacts", "MAR", "DEU", "--since", "2024", "--format", "json"];
            args.extend_from_slice(extra);
            contact_keys(&s.run(&args).ok().stdout)
        };
        assert_eq!(q(&[]), ["ev:reported"], "{engine}");
        assert_eq!(q(&["--status", "planned,cancelled"]), ["ev:planned", "ev:cancelled"]);
        assert_eq!(
            q(&["--status", "all"]),
            ["ev:planned", "ev:cancelled", "ev:denied", "ev:reported"]
        );
        assert_eq!(q(&["--status", "reported, denied"]), ["ev:denied", "ev:reported"]);
        // The answer says which status a contact has, and leaves out `reported`.
        let r = s
            .run(&[
                "contacts", "MAR", "DEU", "--status", "all", "--since", "2024", "--format", "json",
            ])
            .ok();
        let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        let list = v.as_array().or_else(|| v["contacts"].as_array()).unwrap();
        let statuses: Vec<Option<&str>> = list.iter().map(|c| c["status"].as_str()).collect();
        assert_eq!(statuses, [Some("planned"), Some("cancelled"), Some("denied"), None]);
        for bad in ["done", "planned,,denied", ""] {
            let r = s.run(&["contacts", "MAR", "DEU", "--status", bad]).fails_with(USAGE);
            assert!(r.stderr.contains("--status"), "{bad}: {}", r.stderr);
        }
    }
}

#[test]
fn issue_13_status_timeline_draws_other_statuses_hollow_and_named() {
    let s = status_store("redb");
    let text = s.run(&["timeline", "MAR", "DEU", "--since", "2024"]).ok().stdout;
    assert!(!text.contains("ev:planned") && text.contains("ev:reported"), "{text}");
    let text = s
        .run(&["timeline", "MAR", "DEU", "--since", "2024", "--status", "all"])
        .ok()
        .stdout;
    for (key, line) in [
        ("ev:planned", "○ planned visit"),
        ("ev:cancelled", "○ cancelled visit"),
        ("ev:denied", "○ denied meeting"),
    ] {
        let l = text
            .lines()
            .find(|l| l.contains(key))
            .unwrap_or_else(|| panic!("{text}"));
        assert!(l.contains(line), "{l}");
    }
    let l = text.lines().find(|l| l.contains("[ev:reported]")).unwrap();
    assert!(!l.contains('○'), "{l}");

    for format in ["svg", "html"] {
        let out = s
            .run(&[
                "timeline", "MAR", "DEU", "--since", "2024", "--status", "all", "--format", format,
            ])
            .ok()
            .stdout;
        for st in ["planned", "cancelled", "denied"] {
            let start = out
                .find(&format!("data-event=\"ev:{st}\""))
                .unwrap_or_else(|| panic!("{format}: no ev:{st}"));
            let group = &out[start..start + out[start..].find("</g>").unwrap()];
            assert!(group.contains(&format!("data-status=\"{st}\"")), "{format}: {group}");
            assert!(group.contains("class=\"shape hollow\""), "{format}: {group}");
            assert!(group.contains(&format!(">{st}")), "{format}: {group}");
        }
        let start = out.find("data-event=\"ev:reported\"").unwrap();
        let group = &out[start..start + out[start..].find("</g>").unwrap()];
        assert!(
            !group.contains("hollow") && !group.contains("data-status"),
            "{format}: {group}"
        );
    }
}

//! Issue 4: `export` to GraphML, GEXF, node-link JSON and neo4j CSV, and `import` of
//! GraphML — golden files on the sample, round trips, the project's GraphML checker on the
//! sample and on generated data, NetworkX loading the GEXF (spells) and the JSON, the CSV
//! headers and formula guard, and GraphML input errors — each on both engines where a store
//! is involved.
//!
//! Golden files live in tests/golden/. After an intended change of output, regenerate them
//! with `DIPGRAPH_BLESS=1 cargo test issue_4_golden` and review the diff.
//!
//! The checker (tests/support/check_graphml.py) and NetworkX run in the virtualenv that
//! `./test` creates at target/test-venv; without it these tests fail and say so.

use crate::util::{dipgraph, generate, repo, run, Run, TestStore, ENGINES, SAMPLE};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const DATA_ERROR: i32 = 1;
const USAGE: i32 = 2;

fn sample_store(engine: &'static str) -> TestStore {
    let s = TestStore::new(engine);
    s.import(&repo(SAMPLE)).ok();
    s
}

/// The virtualenv's python, or a failure that says how to create it.
#[track_caller]
fn python() -> PathBuf {
    let py = repo("target/test-venv/bin/python");
    assert!(
        py.exists(),
        "{} is missing: run ./test (it installs the GraphML checker's NetworkX, igraph and xmlschema there)",
        py.display()
    );
    py
}

/// Run a Python snippet in the virtualenv with `args`; its stdout.
#[track_caller]
fn py(code: &str, args: &[&Path]) -> String {
    let out = Command::new(python())
        .arg("-c")
        .arg(code)
        .args(args)
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "python failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Run the project's GraphML checker on `files`: its exit code and report.
fn run_checker(files: &[&Path]) -> (Option<i32>, String, String) {
    let out = Command::new(python())
        .arg(repo("tests/support/check_graphml.py"))
        .args(files)
        .output()
        .expect("checker runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Run the GraphML checker on `files`; they must all pass. Its report.
#[track_caller]
fn check_graphml(files: &[&Path]) -> String {
    let (code, report, stderr) = run_checker(files);
    assert_eq!(code, Some(0), "check_graphml.py failed:\n{report}\n{stderr}");
    assert!(!report.contains("FAIL["), "{report}");
    report
}

/// Compare `actual` with tests/golden/`name`, or write it there under DIPGRAPH_BLESS.
#[track_caller]
fn golden(name: &str, actual: &[u8]) {
    let path = repo("tests/golden").join(name);
    if std::env::var_os("DIPGRAPH_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected =
        std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e} (create it with DIPGRAPH_BLESS=1)", path.display()));
    if expected != actual {
        let got = repo("target").join(format!("golden-actual-{}", name.replace('/', "-")));
        std::fs::write(&got, actual).unwrap();
        panic!(
            "{} differs from the export (written to {}); if the change is intended, run DIPGRAPH_BLESS=1 cargo test issue_4_golden",
            path.display(),
            got.display()
        );
    }
}

/// Export with `args` into a file in the store's directory; the file's path.
#[track_caller]
fn export_file(s: &TestStore, name: &str, args: &[&str]) -> PathBuf {
    let out = s.dir.path().join(name);
    let mut all = vec!["export", "-o", out.to_str().unwrap()];
    all.extend_from_slice(args);
    s.run(&all).ok();
    out
}

const CONTACTS_Q: [&str; 7] = ["contacts", "MAR", "DEU", "--domain", "security", "--since", "2022"];

#[test]
fn issue_4_golden_sample_every_format() {
    for engine in ENGINES {
        let s = sample_store(engine);
        for (format, file) in [
            ("graphml", "sample-all.graphml"),
            ("gexf", "sample-all.gexf"),
            ("json", "sample-all.json"),
        ] {
            let out = export_file(&s, file, &["--format", format, "--all"]);
            golden(file, &std::fs::read(out).unwrap());
        }
        let dir = export_file(&s, "csv", &["--format", "csv", "--all"]);
        for f in ["nodes.csv", "edges.csv"] {
            golden(&format!("sample-all-csv/{f}"), &std::fs::read(dir.join(f)).unwrap());
        }
        let mut args = vec!["--format", "graphml"];
        args.extend_from_slice(&CONTACTS_Q);
        let out = export_file(&s, "q.graphml", &args);
        golden("sample-contacts-security-2022.graphml", &std::fs::read(out).unwrap());
    }
}

#[test]
fn issue_4_checker_passes_on_every_sample_export() {
    let s = sample_store("redb");
    let all = export_file(&s, "all.graphml", &["--all"]);
    let mut q = vec!["--format", "graphml"];
    q.extend_from_slice(&CONTACTS_Q);
    let contacts = export_file(&s, "contacts.graphml", &q);
    let ego = export_file(&s, "ego.graphml", &["neighbors", "Dieter Romann", "--hops", "2"]);
    let one = export_file(&s, "one.graphml", &["entity", "حموشي"]);
    let report = check_graphml(&[&all, &contacts, &ego, &one]);
    assert!(report.contains("4 file(s): 4 PASS, 0 FAIL"), "{report}");
    // Arabic names and quotes come back byte for byte from NetworkX and igraph.
    let first = report.split("=== ").nth(1).unwrap();
    assert!(
        first.contains("networkx: identical, igraph: identical") && first.contains(" Arabic)"),
        "{first}"
    );
    assert!(first.contains("MultiDiGraph: 20 nodes, 46 edges"), "{first}");
}

/// The checker is the project's own now: it must pass the good samples and fail each bad
/// one with the code of its defect, or the export tests that rely on it prove nothing.
#[test]
fn issue_12_graphml_checker_passes_good_samples_and_fails_each_bad_one_for_its_reason() {
    let dir = repo("tests/data/graphml-samples");
    for good in ["good-all-types", "good-arabic-labels", "good-multigraph-parallel"] {
        let f = dir.join(format!("{good}.graphml"));
        let (code, report, stderr) = run_checker(&[&f]);
        assert_eq!(code, Some(0), "{good}:\n{report}\n{stderr}");
        assert!(report.contains("RESULT     : PASS"), "{report}");
    }
    for (bad, reason) in [
        ("bad-undeclared-key", "key-undeclared"),
        ("bad-wrong-type", "type"),
        ("bad-dangling-edge", "dangling-edge"),
        ("bad-control-char", "xml-char"),
        ("bad-control-char-ref", "xml-char"),
        ("bad-duplicate-id", "dup-id"),
        ("bad-malformed", "malformed"),
        ("bad-long-precision", "precision"),
        ("bad-duplicate-attr-name", "attr-name"),
        ("bad-key-type-date", "key-type"),
        ("bad-key-for-all", "key-domain"),
    ] {
        let f = dir.join(format!("{bad}.graphml"));
        let (code, report, stderr) = run_checker(&[&f]);
        assert_eq!(code, Some(1), "{bad}:\n{report}\n{stderr}");
        assert!(report.contains(&format!("FAIL[{reason}]")), "{bad}:\n{report}");
    }
    // An export whose Arabic label NetworkX and igraph would not return unchanged is
    // caught by the round trip, with the file's own text as the reference.
    let s = sample_store("redb");
    let all = export_file(&s, "all.graphml", &["--all"]);
    let text = std::fs::read_to_string(&all).unwrap();
    let broken = s.dir.path().join("broken.graphml");
    // A raw control character in a value: the XML 1.0 rule, whatever the readers do.
    std::fs::write(&broken, text.replacen("حموشي", "حمو\u{1}شي", 1)).unwrap();
    let (code, report, _) = run_checker(&[&broken]);
    assert_eq!(code, Some(1), "{report}");
    assert!(report.contains("FAIL[xml-char]"), "{report}");
}

#[test]
fn issue_4_checker_passes_on_generated_events() {
    let s = TestStore::new("redb");
    let events = s.dir.path().join("gen.jsonl");
    generate(2000, 7, 0.2, &events);
    s.import(&events).ok();
    let all = export_file(&s, "gen.graphml", &["--all"]);
    let contacts = export_file(&s, "gen-q.graphml", &["contacts", "MAR", "DEU"]);
    let report = check_graphml(&[&all, &contacts]);
    assert!(report.contains("2 file(s): 2 PASS, 0 FAIL"), "{report}");
    let stats: Value = serde_json::from_str(&s.run(&["stats", "--format", "json"]).ok().stdout).unwrap();
    let events: u64 = stats["events"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(events, 2000);
    assert!(report.contains(": 2000×") || report.contains("event×2000"), "{report}");
}

#[test]
fn issue_4_graphml_round_trip_all() {
    for engine in ENGINES {
        let s = sample_store(engine);
        let first = export_file(&s, "first.graphml", &["--all"]);
        for other in ENGINES {
            let t = TestStore::new(other);
            t.import(&first).ok();
            assert_eq!(t.dump(), s.dump(), "{engine} → {other}: the store came back whole");
            let second = export_file(&t, "second.graphml", &["--all"]);
            assert_eq!(
                std::fs::read(&first).unwrap(),
                std::fs::read(&second).unwrap(),
                "{engine} → {other}: export → import → export"
            );
        }
    }
}

#[test]
fn issue_4_graphml_round_trip_of_a_query() {
    for engine in ENGINES {
        let s = sample_store(engine);
        let first = export_file(&s, "first.graphml", &CONTACTS_Q);
        let t = TestStore::new(engine);
        t.import(&first).ok();
        let second = export_file(&t, "second.graphml", &CONTACTS_Q);
        assert_eq!(
            std::fs::read(&first).unwrap(),
            std::fs::read(&second).unwrap(),
            "{engine}"
        );
        // The re-imported store holds exactly the subgraph: the same contacts answer.
        let keys = |st: &TestStore| -> Vec<Value> {
            let out = st.run(&[
                "contacts", "MAR", "DEU", "--domain", "security", "--since", "2022", "--format", "json",
            ]);
            let v: Value = serde_json::from_str(&out.ok().stdout).unwrap();
            v.as_array().unwrap().iter().map(|c| c["key"].clone()).collect()
        };
        assert_eq!(keys(&t), keys(&s));
    }
}

const SPELLS_PY: &str = r#"
import calendar, sys, networkx as nx
G = nx.read_gexf(sys.argv[1])
assert G.graph["mode"] == "dynamic", G.graph
def interval(d):
    p = [int(x) for x in d.split("-")]
    y, m, day = p + [None] * (3 - len(p))
    first = (y, m or 1, day or 1)
    lm = m or 12
    last = (y, lm, day or calendar.monthrange(y, lm)[1])
    return first, last
iso = lambda t: "%04d-%02d-%02d" % t
spell = {}
for n, d in G.nodes(data=True):
    if d["kind"] != "event":
        assert "spells" not in d, (n, d)
        continue
    start = interval(d["date"])[0]
    end = interval(d.get("end_date") or d["date"])[1]
    end = max(end, interval(d["date"])[1])
    assert d["spells"] == [(iso(start), iso(end))], (n, d["date"], d["spells"])
    spell[n] = d["spells"]
edges = 0
for u, v, d in G.edges(data=True):
    if d["kind"] == "participation":
        assert G.nodes[u]["kind"] == "entity" and d["spells"] == spell[v], (u, v, d)
        edges += 1
print("ok", len(spell), "events", edges, "participations")
"#;

#[test]
fn issue_4_gexf_spells_replay_the_events_in_networkx() {
    for engine in ENGINES {
        let s = sample_store(engine);
        let all = export_file(&s, "all.gexf", &["--format", "gexf", "--all"]);
        assert_eq!(py(SPELLS_PY, &[&all]).trim(), "ok 5 events 12 participations");
        let text = std::fs::read_to_string(&all).unwrap();
        // "2022-05" keeps its precision as an attribute and spans the month as a spell.
        assert!(text.contains(r#"<attvalue for="n_date" value="2022-05"/>"#), "{text}");
        assert!(
            text.contains(r#"<spell start="2022-05-01" end="2022-05-31"/>"#),
            "{text}"
        );
        assert!(
            text.contains(r#"<spell start="2023-01-01" end="2023-12-31"/>"#),
            "{text}"
        );
    }
}

const NODE_LINK_PY: &str = r#"
import json, sys, networkx as nx
G = nx.node_link_graph(json.load(open(sys.argv[1], encoding="utf-8")))
print(type(G).__name__, G.number_of_nodes(), G.number_of_edges())
print(G.nodes["MAR"]["label"], G.nodes["MAR"]["aliases"][0], G.nodes["MAR"]["iso3"])
roles = sorted(d["role"] for u, v, d in G.edges("person:hammouchi", data=True) if d["kind"] == "participation")
print(",".join(roles))
pos = [d for u, v, d in G.edges("person:haldenwang", data=True) if d["type"] == "holds_position"][0]
print(pos["title"], pos["since"], pos["until"])
"#;

#[test]
fn issue_4_json_loads_with_networkx_node_link_graph() {
    let s = sample_store("sled");
    let all = export_file(&s, "all.json", &["--format", "json", "--all"]);
    let out = py(NODE_LINK_PY, &[&all]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "MultiDiGraph 20 46");
    assert_eq!(lines[1], "Morocco المغرب MAR");
    assert_eq!(lines[2], "host,host,participant");
    assert_eq!(lines[3], "President 2018-11 2024-11");
    // Without -o the export goes to standard output.
    let stdout = s.run(&["export", "--format", "json", "entity", "MAR"]).ok().stdout;
    let v: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["nodes"][0]["id"], "MAR");
    assert!(v["edges"].as_array().unwrap().is_empty());
}

#[test]
fn issue_4_subgraph_of_contacts_holds_events_participants_orgs_countries_places_sources() {
    let s = sample_store("redb");
    let mut args = vec!["--format", "json"];
    args.extend_from_slice(&CONTACTS_Q);
    let v: Value = serde_json::from_slice(&std::fs::read(export_file(&s, "q.json", &args)).unwrap()).unwrap();
    let mut by_kind: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for n in v["nodes"].as_array().unwrap() {
        by_kind
            .entry(n["kind"].as_str().unwrap().to_string())
            .or_default()
            .push(n["id"].as_str().unwrap().to_string());
    }
    assert_eq!(
        by_kind["event"],
        [
            "ev:2022-06-10-romann-hammouchi-meeting",
            "ev:2022-06-10-romann-visit-rabat",
            "ev:2022-06-joint-security-committee",
            "ev:2023-bfv-visit-rabat"
        ],
        "the query's four contacts, and not the appointment"
    );
    assert_eq!(
        by_kind["entity"],
        [
            "DEU",
            "MAR",
            "org:bfv",
            "org:bpol",
            "org:deu-embassy-rabat-police-liaison",
            "org:dgsn",
            "org:dgsn-iscp",
            "org:dgst",
            "person:haldenwang",
            "person:hammouchi",
            "person:romann",
            "place:rabat"
        ],
        "participants, the organizations they hold positions in, countries and the place"
    );
    assert_eq!(by_kind["source"].len(), 1, "one article, cited by every event");
    let edges = v["edges"].as_array().unwrap();
    let ids: std::collections::HashSet<&str> = v["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    for e in edges {
        assert!(
            ids.contains(e["source"].as_str().unwrap()) && ids.contains(e["target"].as_str().unwrap()),
            "{e}"
        );
    }
    let pos: Vec<&Value> = edges.iter().filter(|e| e["type"] == "holds_position").collect();
    assert_eq!(pos.len(), 4);
    let haldenwang = pos.iter().find(|e| e["source"] == "person:haldenwang").unwrap();
    assert_eq!(
        (&haldenwang["title"], &haldenwang["since"], &haldenwang["until"]),
        (
            &Value::from("President"),
            &Value::from("2018-11"),
            &Value::from("2024-11")
        )
    );
    let roles: Vec<&str> = edges
        .iter()
        .filter(|e| e["kind"] == "participation" && e["target"] == "ev:2023-bfv-visit-rabat")
        .map(|e| e["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["visitor", "delegation", "host"]);
    let quotes = edges
        .iter()
        .filter(|e| e["kind"] == "source" && e["quote"].is_string())
        .count();
    assert_eq!(quotes, 5, "each citation keeps its quote on its edge");
}

/// Records that stress escaping, normalisation, id clashes, parallel edges and prop types.
const HOSTILE: &str = r#"{"kind":"entity","key":"MAR","type":"country","name":"Morocco"}
{"kind":"entity","key":"DEU","type":"country","name":"Germany","props":{"n":1,"big":9007199254740993,"ok":true,"type":"t","weight":2}}
{"kind":"entity","key":"person:a b/c","type":"person","name":"A\u0001B & <C> \"q\"\r\nline2","country":"MAR","props":{"n":2.5,"ok":false}}
{"kind":"entity","key":"=cmd|' /C calc'!A0","type":"person","name":"-2+3","country":"DEU"}
{"kind":"entity","key":"person:m","type":"person","name":"محمد","aliases":["مُحَمَّد","e\u0301"],"country":"MAR"}
{"kind":"entity","key":"ev:clash","type":"organization","name":"Clash Org","country":"DEU"}
{"kind":"relation","type":"holds_position","from":"person:a b/c","to":"ev:clash","title":"Chief\tof\u0002staff","since":"2020","props":{"weight":3}}
{"kind":"event","key":"ev:clash","type":"meeting","date":"2024-02","end_date":"2024-03-02","participants":[{"entity":"person:a b/c","role":"participant"},{"entity":"person:a b/c","role":"host"},{"entity":"=cmd|' /C calc'!A0","role":"participant"}],"title":"Tab\there & there","sources":[{"quote":"no url or doc","lang":"en"},{"url":"https://x.example/a?b=1&c=2","published":"2024-02-03T10:00:00Z"}],"confidence":0.25,"props":{"n":7}}
{"kind":"event","key":"ev:2","type":"phone_call","date":"2024","participants":[{"entity":"person:m","role":"participant"},{"entity":"DEU","role":"participant"}],"sources":[{"url":"https://x.example/a?b=1&c=2","quote":"same url, other quote"}]}
"#;

fn hostile_store(engine: &'static str) -> TestStore {
    let s = TestStore::new(engine);
    let f = s.file("hostile.jsonl", HOSTILE);
    s.import(&f).ok();
    s
}

#[test]
fn issue_4_hostile_text_passes_the_checker_and_round_trips() {
    for engine in ENGINES {
        let s = hostile_store(engine);
        let g = export_file(&s, "h.graphml", &["--all"]);
        let report = check_graphml(&[&g]);
        assert!(
            !report.contains("WARN[unicode]") && !report.contains("WARN[xml-char]"),
            "{report}"
        );
        let text = std::fs::read_to_string(&g).unwrap();
        assert!(
            !text.contains('\u{1}') && !text.contains('\u{2}'),
            "forbidden characters removed"
        );
        assert!(
            text.contains("A B") || text.contains("AB &amp; &lt;C&gt; \"q\"&#xD;\nline2"),
            "{text}"
        );
        assert!(text.contains("\u{e9}"), "aliases are NFC: e + U+0301 → é");
        // Ids are NMTOKENs; the key with a space and a slash comes back through the reader.
        assert!(text.contains(r#"<node id="person:a_x0020_b_x002F_c">"#), "{text}");
        // The event whose key is also an entity key gets another id and keeps its key.
        assert!(text.contains(r#"<node id="_x0020_ev:clash">"#), "{text}");
        // One person with two roles in one event: two parallel edges.
        let parallel = text
            .matches(r#"source="person:a_x0020_b_x002F_c" target="_x0020_ev:clash""#)
            .count();
        assert_eq!(parallel, 2);
        // Integers beyond 2^53 are strings; a column holding ints and doubles is double.
        assert!(text.contains(r#"attr.name="big" attr.type="string""#), "{text}");
        assert!(text.contains(r#"attr.name="n" attr.type="double""#), "{text}");
        assert!(text.contains(r#"attr.name="prop.type" attr.type="string""#), "{text}");
        assert!(
            text.contains(r#"for="edge" attr.name="prop.weight" attr.type="int""#),
            "{text}"
        );

        let t = TestStore::new(engine);
        t.import(&g).ok();
        let dump = t.dump();
        let person = dump.lines().find(|l| l.contains(r#""key":"person:a b/c""#)).unwrap();
        assert!(person.contains(r#""name":"AB & <C> \"q\"\r\nline2""#), "{person}");
        let ev = dump
            .lines()
            .find(|l| l.contains(r#""key":"ev:clash","type":"meeting""#))
            .unwrap();
        assert!(
            ev.contains(r#""participants":[{"entity":"person:a b/c","role":"participant"},{"entity":"person:a b/c","role":"host"},{"entity":"=cmd|' /C calc'!A0","role":"participant"}]"#),
            "{ev}"
        );
        assert!(
            ev.contains(r#""sources":[{"quote":"no url or doc","lang":"en"},{"url":"https://x.example/a?b=1&c=2","published":"2024-02-03T10:00:00Z"}]"#),
            "{ev}"
        );
        let rel = dump.lines().find(|l| l.contains(r#""kind":"relation""#)).unwrap();
        assert!(
            rel.contains(r#""title":"Chief\tofstaff""#) && rel.contains(r#""props":{"weight":3}"#),
            "{rel}"
        );
        let again = export_file(&t, "h2.graphml", &["--all"]);
        assert_eq!(
            text,
            std::fs::read_to_string(again).unwrap(),
            "{engine}: export → import → export"
        );
    }
}

#[test]
fn issue_4_csv_has_neo4j_headers_and_guards_formulas() {
    let s = hostile_store("redb");
    let dir = export_file(&s, "csv", &["--format", "csv", "--all"]);
    let nodes = std::fs::read_to_string(dir.join("nodes.csv")).unwrap();
    let edges = std::fs::read_to_string(dir.join("edges.csv")).unwrap();
    let header = nodes.lines().next().unwrap();
    assert!(header.starts_with(":ID,:LABEL,kind,type,label,"), "{header}");
    assert!(
        header.contains(",confidence:double,") && header.contains(",n:double,") && header.contains(",ok:boolean,"),
        "{header}"
    );
    assert!(
        edges.starts_with(":START_ID,:END_ID,:TYPE,kind,type,role,title,since,until,"),
        "{edges}"
    );
    let mut r = ::csv::Reader::from_reader(nodes.as_bytes());
    let rows: Vec<::csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    let row = rows.iter().find(|r| r[0].contains("cmd")).unwrap();
    assert_eq!(
        &row[0], "'=cmd|' /C calc'!A0",
        "an id that looks like a formula is guarded"
    );
    assert_eq!(&row[1], "Entity;Person");
    assert_eq!(&row[4], "'-2+3", "a name that looks like a formula is guarded");
    let deu = rows.iter().find(|r| &r[0] == "DEU").unwrap();
    let n_col = r.headers().unwrap().iter().position(|h| h == "n:double").unwrap();
    assert_eq!(&deu[n_col], "1", "typed numbers stay numbers");
    let mut e = ::csv::Reader::from_reader(edges.as_bytes());
    let erows: Vec<::csv::StringRecord> = e.records().map(|x| x.unwrap()).collect();
    assert!(
        erows
            .iter()
            .any(|r| &r[0] == "'=cmd|' /C calc'!A0" && &r[2] == "PARTICIPANT"),
        "edges name the guarded id the same way"
    );
    assert!(erows.iter().any(|r| &r[2] == "HOLDS_POSITION"));
}

#[test]
fn issue_4_export_usage_errors() {
    let s = sample_store("redb");
    let r = s.run(&["export", "--format", "graphml"]).fails_with(USAGE);
    assert!(r.stderr.contains("--all, or a query"), "{}", r.stderr);
    s.run(&["export", "--all", "entity", "MAR"]).fails_with(USAGE);
    let r = s.run(&["export", "--format", "csv", "--all"]).fails_with(USAGE);
    assert!(r.stderr.contains("-o DIR"), "{}", r.stderr);
    s.run(&["export", "entity", "nobody-at-all"]).fails_with(DATA_ERROR);
    s.run(&["export", "contacts", "MAR", "DEU", "--since", "2022-13"])
        .fails_with(USAGE);
    // A failed export leaves an existing file as it was.
    let out = s.file("keep.graphml", "old");
    s.run(&["export", "-o", out.to_str().unwrap(), "entity", "nobody-at-all"])
        .fails_with(DATA_ERROR);
    assert_eq!(std::fs::read_to_string(out).unwrap(), "old");
}

/// Import `content` as a GraphML file into a new store; the run.
fn import_graphml(engine: &'static str, name: &str, content: &str) -> (TestStore, Run) {
    let s = TestStore::new(engine);
    let f = s.file(name, content);
    let r = s.import(&f);
    (s, r)
}

const GRAPHML_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
  <key id="k" for="node" attr.name="kind" attr.type="string"/>
  <key id="t" for="node" attr.name="type" attr.type="string"/>
  <key id="l" for="node" attr.name="label" attr.type="string"/>
  <key id="d" for="node" attr.name="date" attr.type="string"/>
  <key id="c" for="node" attr.name="confidence" attr.type="double"/>
  <key id="r" for="edge" attr.name="role" attr.type="string"/>
  <graph edgedefault="directed">
    <node id="MAR"><data key="k">entity</data><data key="t">country</data><data key="l">Morocco</data></node>
    <node id="DEU"><data key="k">entity</data><data key="t">country</data><data key="l">Germany</data></node>
"#;

#[test]
fn issue_4_graphml_errors_name_file_line_and_field() {
    for engine in ENGINES {
        let cases: [(&str, &str); 6] = [
            (
                "    <node id=\"ev\"><data key=\"k\">event</data><data key=\"t\">meeting</data>\n      <data key=\"d\">2022-13</data></node>\n    <edge source=\"MAR\" target=\"ev\"><data key=\"r\">participant</data></edge>\n  </graph>\n</graphml>\n",
                "bad.graphml:13: date: invalid date \"2022-13\": month 13 is not 01..12",
            ),
            (
                "    <edge source=\"MAR\" target=\"nowhere\"/>\n  </graph>\n</graphml>\n",
                "bad.graphml:12: target: no node has the id \"nowhere\"",
            ),
            (
                "    <node id=\"ev\"><data key=\"k\">event</data><data key=\"t\">meeting</data><data key=\"d\">2022</data></node>\n    <edge source=\"MAR\" target=\"ev\"/>\n  </graph>\n</graphml>\n",
                "bad.graphml:13: role: required field is missing",
            ),
            (
                "    <node id=\"x\"><data key=\"k\">entity</data><data key=\"t\">person</data><data key=\"l\">X</data><data key=\"c\">high</data></node>\n  </graph>\n</graphml>\n",
                "bad.graphml:12: confidence: expected a finite number (attr.type double), found \"high\"",
            ),
            (
                "    <node id=\"x\"><data key=\"k\">entity</data>\n    <data key=\"t\">person</data></node>\n  </graph>\n</graphml>\n",
                "bad.graphml:12: label: required field is missing",
            ),
            ("    <node id=\"x\">\n  </graph>\n</graphml>\n", "bad.graphml:13: malformed XML"),
        ];
        for (tail, expected) in cases {
            let (s, r) = import_graphml(engine, "bad.graphml", &format!("{GRAPHML_HEAD}{tail}"));
            let r = r.fails_with(DATA_ERROR);
            assert!(
                r.stderr.lines().any(|l| l.contains(&format!("/{expected}"))),
                "{engine}: expected a line with\n  {expected}\nstderr:\n{}",
                r.stderr
            );
            assert!(r.stderr.contains("nothing was written"), "{}", r.stderr);
            assert!(!s.path.exists() || s.run(&["stats"]).code != 0 || s.dump().is_empty());
        }
    }
}

#[test]
fn issue_4_import_reads_gephi_and_yed_graphml() {
    // As Gephi writes it: its own columns and viz keys, no `kind`, numeric ids, a weight
    // on every edge, a participation with its role.
    let gephi = r#"<?xml version="1.0" encoding="UTF-8"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
  <key attr.name="label" attr.type="string" for="node" id="label"/>
  <key attr.name="weight" attr.type="double" for="edge" id="weight"/>
  <key attr.name="type" attr.type="string" for="node" id="type"/>
  <key attr.name="date" attr.type="string" for="node" id="date"/>
  <key attr.name="Modularity Class" attr.type="int" for="node" id="modularity_class"/>
  <key attr.name="x" attr.type="float" for="node" id="x"/>
  <key attr.name="role" attr.type="string" for="edge" id="role"/>
  <key attr.name="type" attr.type="string" for="edge" id="etype"/>
  <graph edgedefault="directed">
    <node id="0"><data key="label">Tunisie</data><data key="type">country</data><data key="modularity_class">3</data><data key="x">-12.5</data></node>
    <node id="1"><data key="label">الجزائر</data><data key="type">country</data><data key="modularity_class">3</data></node>
    <node id="2"><data key="label">Réunion ministérielle</data><data key="type">meeting</data><data key="date">2024-01-10</data></node>
    <node id="3"><data key="label">Union africaine</data><data key="type">organization</data></node>
    <edge id="0" source="0" target="2"><data key="weight">1.0</data><data key="role">participant</data></edge>
    <edge id="1" source="1" target="2"><data key="weight">1.0</data><data key="role">host</data></edge>
    <edge id="2" source="0" target="3"><data key="weight">2.0</data><data key="etype">member_of</data></edge>
  </graph>
</graphml>
"#;
    let (s, r) = import_graphml("redb", "gephi.graphml", gephi);
    r.ok();
    let dump = s.dump();
    assert!(
        dump.contains(
            r#"{"kind":"entity","key":"0","type":"country","name":"Tunisie","props":{"Modularity Class":3,"x":-12.5}}"#
        ),
        "{dump}"
    );
    assert!(
        dump.contains(r#""key":"1","type":"country","name":"الجزائر","props":{"Modularity Class":3}"#),
        "{dump}"
    );
    assert!(
        dump.contains(r#"{"kind":"relation","type":"member_of","from":"0","to":"3","props":{"weight":2.0}}"#),
        "{dump}"
    );
    assert!(
        dump.contains(r#"{"kind":"event","key":"2","type":"meeting","date":"2024-01-10","participants":[{"entity":"0","role":"participant"},{"entity":"1","role":"host"}],"title":"Réunion ministérielle"}"#),
        "{dump}"
    );

    // As yEd writes it: the visible label inside graphics data, a custom property.
    let yed = r#"<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:y="http://www.yworks.com/xml/graphml">
  <key for="node" id="d5" yfiles.type="nodegraphics"/>
  <key attr.name="type" attr.type="string" for="node" id="d6"/>
  <key attr.name="description" attr.type="string" for="node" id="d7"><default>none</default></key>
  <graph edgedefault="directed" id="G">
    <node id="n0">
      <data key="d5"><y:ShapeNode><y:Geometry height="30.0" width="30.0" x="0" y="0"/><y:NodeLabel alignment="center">Sénégal</y:NodeLabel></y:ShapeNode></data>
      <data key="d6">country</data>
    </node>
  </graph>
</graphml>
"#;
    let (s, r) = import_graphml("sled", "drawn-in-yed.graphml", yed);
    r.ok();
    assert_eq!(
        s.dump().trim(),
        r#"{"kind":"entity","key":"n0","type":"country","name":"Sénégal","props":{"description":"none"}}"#
    );
}

#[test]
fn issue_4_import_recognises_graphml_on_standard_input() {
    let s = sample_store("redb");
    let g = export_file(&s, "all.graphml", &["--all"]);
    let t = TestStore::new("sled");
    run(t.cmd(&["import", "-"]).write_stdin(std::fs::read(&g).unwrap())).ok();
    assert_eq!(t.dump(), s.dump());
    // JSON Lines and GraphML in one import: one atomic write.
    let u = TestStore::new("redb");
    let extra = u.file(
        "extra.jsonl",
        r#"{"kind":"event","key":"ev:extra","type":"phone_call","date":"2024-01","participants":[{"entity":"MAR","role":"participant"},{"entity":"DEU","role":"participant"}]}"#,
    );
    run(u.cmd(&["import"]).arg(&g).arg(&extra)).ok();
    assert!(u.dump().contains(r#""key":"ev:extra""#));
    let _ = dipgraph;
}

/// Every exported format read by the library its users read it with: the status of each
/// event, one `key=status` per line in key order, per reader.
const STATUS_PY: &str = r#"
import csv, json, sys, igraph, networkx as nx
graphml, gexf, nodelink, nodes_csv = sys.argv[1:5]
def show(name, pairs):
    print(name, " ".join("%s=%s" % kv for kv in sorted(pairs)))
G = nx.read_graphml(graphml)
show("networkx-graphml", [(n, d["status"]) for n, d in G.nodes(data=True) if d["kind"] == "event"])
I = igraph.Graph.Read_GraphML(graphml)
show("igraph-graphml", [(v["id"], v["status"]) for v in I.vs if v["kind"] == "event"])
D = nx.read_gexf(gexf)
show("networkx-gexf", [(n, d["status"]) for n, d in D.nodes(data=True) if d["kind"] == "event"])
J = nx.node_link_graph(json.load(open(nodelink, encoding="utf-8")))
show("networkx-json", [(n, d["status"]) for n, d in J.nodes(data=True) if d["kind"] == "event"])
with open(nodes_csv, newline="", encoding="utf-8") as f:
    rows = list(csv.DictReader(f))
show("csv", [(r[":ID"], r["status"]) for r in rows if r["kind"] == "event"])
"#;

#[test]
fn issue_13_status_in_every_export_as_networkx_igraph_and_csv_read_it() {
    let s = crate::status::status_store("redb");
    let q = ["contacts", "MAR", "DEU", "--since", "2024", "--status", "all"];
    let graphml = export_file(&s, "q.graphml", &q);
    let gexf = export_file(&s, "q.gexf", &[&["--format", "gexf"][..], &q].concat());
    let json = export_file(&s, "q.json", &[&["--format", "json"][..], &q].concat());
    let csv = export_file(&s, "csv", &[&["--format", "csv"][..], &q].concat());
    let report = check_graphml(&[&graphml]);
    assert!(report.contains("1 file(s): 1 PASS, 0 FAIL"), "{report}");
    let out = py(STATUS_PY, &[&graphml, &gexf, &json, &csv.join("nodes.csv")]);
    let expected = "ev:cancelled=cancelled ev:denied=denied ev:planned=planned ev:reported=reported";
    let readers = [
        "networkx-graphml",
        "igraph-graphml",
        "networkx-gexf",
        "networkx-json",
        "csv",
    ];
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), readers.len(), "{out}");
    for (line, reader) in lines.iter().zip(readers) {
        assert_eq!(*line, format!("{reader} {expected}"), "{out}");
    }
    // The status is declared like the other event attributes, and read back on import.
    let text = std::fs::read_to_string(&graphml).unwrap();
    assert!(
        text.contains(r#"<key id="n_status" for="node" attr.name="status" attr.type="string"/>"#),
        "{text}"
    );
    let gexf_text = std::fs::read_to_string(&gexf).unwrap();
    assert!(gexf_text.contains(r#"<attribute id="n_status" title="status" type="string"/>"#));
    let t = TestStore::new("sled");
    t.import(&graphml).ok();
    let dump = t.dump();
    for st in ["planned", "cancelled", "denied"] {
        let line = dump
            .lines()
            .find(|l| l.contains(&format!("\"key\":\"ev:{st}\"")))
            .unwrap();
        assert!(line.contains(&format!("\"status\":\"{st}\"")), "{line}");
        assert!(!line.contains("\"props\""), "status is no prop: {line}");
    }
}

#[test]
fn issue_13_status_export_contacts_counts_only_reported_unless_asked() {
    let s = crate::status::status_store("sled");
    let events = |extra: &[&str]| -> Vec<String> {
        let mut args = vec![
            "export", "--format", "json", "contacts", "MAR", "DEU", "--since", "2024",
        ];
        args.extend_from_slice(extra);
        let v: Value = serde_json::from_str(&s.run(&args).ok().stdout).unwrap();
        let nodes = v["nodes"].as_array().unwrap();
        let ev = nodes.iter().filter(|n| n["kind"] == "event");
        ev.map(|n| format!("{}={}", n["id"].as_str().unwrap(), n["status"].as_str().unwrap()))
            .collect()
    };
    assert_eq!(events(&[]), ["ev:reported=reported"]);
    assert_eq!(
        events(&["--status", "planned,denied"]),
        ["ev:denied=denied", "ev:planned=planned"]
    );
    assert_eq!(events(&["--status", "all"]).len(), 4);
    let r = s
        .run(&["export", "contacts", "MAR", "DEU", "--status", "happened"])
        .fails_with(USAGE);
    assert!(r.stderr.contains("--status"), "{}", r.stderr);
}

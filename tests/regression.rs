//! Issue 6: bad input never panics. Every file under tests/regression/ — hand-made nasty
//! inputs and what the fuzzers (fuzz/, docs/reliability.md) found — goes through its reader
//! or parser in this process and through the real binary.
//!
//! - `jsonl/`, `graphml/`: imported into a store holding the sample. Exit 0 (the file
//!   happens to hold valid records) or 1 (documented: invalid input, nothing written);
//!   with 1, stderr is only `FILE:LINE: …` errors and the summary. `NAME.expected` lists
//!   error lines that must appear (`{FILE}` stands for the path).
//! - `date/`: each file's text as an event's `date`, all in one import; the binary must
//!   refuse exactly the lines the parser refuses.
//! - `stored_value/`: forged record values. Decoding fails with a message, and a store
//!   holding one reports "damaged" (exit 4), never a panic or an allocation failure.
//! - `article/`: articles for the extractor, as text and as HTML in-process, and through
//!   `dipgraph ingest --dry-run`: exit 0, or 1 with `FILE: …` for a file it cannot read.

use crate::util::{repo, run, Run, TestStore, SAMPLE};
use dipgraph::model::{Entity, Event, PartialDate, Relation};
use dipgraph::store::{codec, kv, tree, Engine};
use std::path::{Path, PathBuf};

const DATA_ERROR: i32 = 1;
const FAILURE: i32 = 4;

/// The files of one corpus directory, sorted, without the `.expected` files.
fn corpus(dir: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo(&format!("tests/regression/{dir}")))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_none_or(|e| e != "expected"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 5,
        "tests/regression/{dir} has only {} files",
        files.len()
    );
    files
}

/// Run `f` on `file`, turning a panic into a test failure that names the file.
fn no_panic(file: &Path, f: impl FnOnce() + std::panic::UnwindSafe) {
    if std::panic::catch_unwind(f).is_err() {
        panic!("{} made the reader panic", file.display());
    }
}

/// The binary's verdict on one input file: a documented exit code, errors in the
/// documented form, the expected lines, no panic.
fn assert_refused_cleanly(file: &Path, r: &Run) {
    let name = file.display().to_string();
    assert!(!r.stderr.contains("panicked at"), "{name}: panic:\n{}", r.stderr);
    match r.code {
        0 => {}
        DATA_ERROR => {
            for line in r.stderr.lines() {
                assert!(
                    line.starts_with(&format!("{name}:"))
                        || line.starts_with("import failed: ")
                        || line.starts_with("... and "),
                    "{name}: a stderr line not in the documented form: {line}"
                );
            }
            assert!(r.stderr.contains("nothing was written"), "{name}: {}", r.stderr);
        }
        other => panic!("{name}: exit {other}, not 0 or 1:\n{}", r.stderr),
    }
    let expected = PathBuf::from(format!("{name}.expected"));
    if let Ok(text) = std::fs::read_to_string(&expected) {
        assert_eq!(r.code, DATA_ERROR, "{name} was accepted");
        for line in text.lines().filter(|l| !l.is_empty()) {
            r.stderr_has_line(&line.replace("{FILE}", &name));
        }
    }
}

#[test]
fn issue_6_regression_jsonl_inputs_never_panic() {
    let s = TestStore::new("redb");
    s.import(&repo(SAMPLE)).ok();
    for file in corpus("jsonl") {
        let bytes = std::fs::read(&file).unwrap();
        no_panic(&file, || {
            for line in bytes.split(|&b| b == b'\n') {
                let _ = dipgraph::ingest::parse_line(line, 1);
                let _ = dipgraph::ingest::parse_line(line, 2);
            }
            dipgraph::ingest::read_jsonl(&bytes[..], "f.jsonl", 4096, &mut |_| {});
        });
        assert_refused_cleanly(&file, &s.import(&file));
    }
}

#[test]
fn issue_6_regression_graphml_inputs_never_panic() {
    let vocab = dipgraph::vocab::Vocab::embedded().unwrap();
    let s = TestStore::new("redb");
    s.import(&repo(SAMPLE)).ok();
    for file in corpus("graphml") {
        let bytes = std::fs::read(&file).unwrap();
        no_panic(&file, || {
            dipgraph::ingest::read_graphml(&bytes[..], "f.graphml", &vocab, &mut |_| {});
        });
        assert_refused_cleanly(&file, &s.import(&file));
    }
}

#[test]
fn issue_6_regression_dates_are_refused_exactly_where_the_parser_refuses_them() {
    let s = TestStore::new("redb");
    s.import(&repo(SAMPLE)).ok();
    let mut lines = String::new();
    let mut refused = Vec::new();
    for (i, file) in corpus("date").into_iter().enumerate() {
        let text = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
        let parsed = std::panic::catch_unwind(|| text.parse::<PartialDate>())
            .unwrap_or_else(|_| panic!("{} made the date parser panic", file.display()));
        match parsed {
            Ok(d) => assert_eq!(
                d.to_string(),
                text,
                "{}: a date prints back as its text",
                file.display()
            ),
            Err(_) => refused.push(i + 1),
        }
        let event = serde_json::json!({
            "kind": "event", "type": "statement", "date": text,
            "participants": [{"entity": "MAR", "role": "participant"}]
        });
        lines.push_str(&format!("{event}\n"));
    }
    assert!(!refused.is_empty());
    let f = s.file("dates.jsonl", lines);
    let r = s.import(&f).fails_with(DATA_ERROR);
    let name = f.display().to_string();
    let mut reported: Vec<usize> = r
        .stderr
        .lines()
        .filter_map(|l| l.strip_prefix(&format!("{name}:")))
        .filter_map(|l| l.split(':').next()?.parse().ok())
        .collect();
    reported.dedup();
    assert_eq!(reported, refused, "{}", r.stderr);
}

#[test]
fn issue_6_regression_forged_stored_values_are_damage_not_a_crash() {
    let files = corpus("stored_value");
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        no_panic(file, || {
            assert!(codec::decode::<Entity>(&bytes).is_err(), "{} decodes", file.display());
            let _ = codec::decode::<Relation>(&bytes);
            let _ = codec::decode::<Event>(&bytes);
        });
    }
    for engine in [Engine::Redb, Engine::Sled] {
        let s = TestStore::new(engine.name());
        s.import(&repo(SAMPLE)).ok();
        for file in &files {
            let bytes = std::fs::read(file).unwrap();
            {
                let kv = kv::open(engine, &s.path).unwrap();
                let (key, _) = kv.scan_prefix(tree::ENTITY, b"").unwrap().next().unwrap().unwrap();
                let mut w = kv.begin_write().unwrap();
                w.put(tree::ENTITY, &key, &bytes).unwrap();
                w.commit().unwrap();
            }
            let r = run(&mut s.cmd(&["dump"])).fails_with(FAILURE);
            assert!(
                r.stderr
                    .starts_with(&format!("store {} is damaged: entity ", s.path.display())),
                "{} ({engine}): {}",
                file.display(),
                r.stderr
            );
        }
    }
}

#[test]
fn issue_6_regression_over_long_lines_are_refused_and_the_rest_is_read() {
    let s = TestStore::new("redb");
    s.import(&repo(SAMPLE)).ok();
    let long = format!(
        r#"{{"kind":"entity","key":"X","type":"person","name":"{}"}}"#,
        "n".repeat(5000)
    );
    let f = s.file("long.jsonl", format!("{long}\n{{\"kind\":\"nope\"}}\n"));
    let r = run(s.cmd(&["import", "--max-line-bytes", "1000"]).arg(&f)).fails_with(DATA_ERROR);
    let name = f.display();
    r.stderr_has_line(&format!("{name}:1: line is longer than the limit of 1000 bytes"));
    r.stderr_has_line(&format!(
        "{name}:2: kind: unknown kind \"nope\": allowed are entity, relation, event"
    ));
}

#[test]
fn issue_6_regression_articles_never_panic_the_extractor() {
    use dipgraph::extract::{extract, Known, Options, Resources};
    let res = Resources::load(None).unwrap();
    let s = TestStore::new("redb");
    for file in corpus("article") {
        let text = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
        for html in [false, true] {
            let opts = Options {
                html: Some(html),
                published: "2024-05-10".parse().ok(),
                ..Options::default()
            };
            let (text, res) = (&text, &res);
            no_panic(&file, move || {
                extract(text, "regression", &opts, &Known::default(), res);
            });
        }
        let r = run(s.cmd(&["ingest", "--dry-run", "--published", "2024-05-10"]).arg(&file));
        let name = file.display().to_string();
        assert!(!r.stderr.contains("panicked at"), "{name}: panic:\n{}", r.stderr);
        match r.code {
            0 => {}
            DATA_ERROR => assert!(r.stderr.starts_with(&format!("{name}: ")), "{name}: {}", r.stderr),
            other => panic!("{name}: exit {other}:\n{}", r.stderr),
        }
    }
}

//! Issue 2: import, idempotency, the dump round trip, all-or-nothing, the lock and format
//! version errors, and a table of bad inputs — each on both engines.

use crate::util::{dipgraph, repo, run, TestStore, ENGINES, SAMPLE};
use std::io::Write;
use std::process::Stdio;

const DATA_ERROR: i32 = 1;
const STORE_UNAVAILABLE: i32 = 3;

fn sample_store(engine: &'static str) -> TestStore {
    let s = TestStore::new(engine);
    s.import(&repo(SAMPLE)).ok();
    s
}

#[test]
fn issue_2_import_sample_counts_by_type() {
    for engine in ENGINES {
        let s = sample_store(engine);
        let stats: serde_json::Value =
            serde_json::from_str(&s.run(&["stats", "--format", "json"]).ok().stdout).unwrap();
        assert_eq!(stats["engine"], engine);
        assert_eq!(stats["entities"]["person"], 4);
        assert_eq!(stats["entities"]["organization"], 7);
        assert_eq!(stats["entities"]["country"], 2);
        assert_eq!(stats["events"]["visit"], 2);
        assert_eq!(stats["relations"]["holds_position"], 5);
        assert_eq!(stats["participations"]["host"], 2);
        let table = s.run(&["stats"]).ok().stdout;
        assert!(table.contains("nodes: events: 5"), "{table}");
    }
}

#[test]
fn issue_2_import_twice_changes_nothing() {
    for engine in ENGINES {
        let s = sample_store(engine);
        let before = s.dump();
        let again = s.import(&repo(SAMPLE)).ok();
        assert!(again.stderr.contains("0 entities added, 0 updated"), "{}", again.stderr);
        assert!(again.stderr.contains("30 unchanged"), "{}", again.stderr);
        assert_eq!(s.dump(), before);
    }
}

#[test]
fn issue_2_entity_imported_again_gains_aliases() {
    for engine in ENGINES {
        let s = sample_store(engine);
        let more = s.file(
            "more.jsonl",
            r#"{"kind":"entity","key":"person:haldenwang","type":"person","name":"Thomas Haldenwang","aliases":["هالدينفانج","توماس هالدنوانغ"]}"#,
        );
        s.import(&more).ok();
        let dump = s.dump();
        let line = dump
            .lines()
            .find(|l| l.contains(r#""key":"person:haldenwang""#))
            .unwrap();
        let e: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(e["aliases"], serde_json::json!(["توماس هالدنوانغ", "هالدينفانج"]));
        assert_eq!(e["country"], "DEU", "fields not given are kept");
    }
}

#[test]
fn issue_2_dump_import_dump_is_byte_identical_across_engines() {
    let first = sample_store("redb");
    let dump1 = first.dump();
    for engine in ENGINES {
        let second = TestStore::new(engine);
        let f = second.file("dump.jsonl", &dump1);
        second.import(&f).ok();
        assert_eq!(second.dump(), dump1, "engine {engine}");
    }
    // Deterministic order: entities by key, then relations, then events by key.
    let kinds: Vec<&str> = dump1
        .lines()
        .map(|l| {
            if l.contains(r#""kind":"entity""#) {
                "e"
            } else if l.contains(r#""kind":"relation""#) {
                "r"
            } else {
                "v"
            }
        })
        .collect();
    let mut sorted = kinds.clone();
    sorted.sort_by_key(|k| ["e", "r", "v"].iter().position(|x| x == k));
    assert_eq!(kinds, sorted);
    // Dates keep their precision.
    assert!(dump1.contains(r#""date":"2022-05""#) && dump1.contains(r#""date":"2023""#));
}

#[test]
fn issue_2_dump_to_file_and_stdin_import() {
    for engine in ENGINES {
        let s = sample_store(engine);
        let out = s.dir.path().join("out.jsonl");
        s.run(&["dump", "-o", out.to_str().unwrap()]).ok();
        let other = TestStore::new(engine);
        let content = std::fs::read(&out).unwrap();
        run(other.cmd(&["import", "-"]).write_stdin(content.clone())).ok();
        assert_eq!(other.dump().as_bytes(), &content[..]);
    }
}

#[test]
fn issue_2_records_in_any_order_and_derived_event_keys() {
    for engine in ENGINES {
        let s = TestStore::new(engine);
        let f = s.file(
            "any-order.jsonl",
            concat!(
                "# events may come before the entities they name\n",
                "\n",
                r#"{"kind":"event","type":"phone_call","date":"2022-03","participants":[{"entity":"person:a","role":"participant"},{"entity":"DEU","role":"participant"}]}"#,
                "\n",
                r#"{"kind":"entity","key":"person:a","type":"person","name":"A","country":"MAR"}"#,
                "\n",
                r#"{"kind":"entity","key":"MAR","type":"country","name":"Morocco"}"#,
                "\n",
                r#"{"kind":"entity","key":"DEU","type":"country","name":"Germany"}"#,
                "\n"
            ),
        );
        s.import(&f).ok();
        let once = s.dump();
        s.import(&f).ok();
        assert_eq!(s.dump(), once, "a keyless event is not duplicated by a second import");
        let ev = once.lines().find(|l| l.contains(r#""kind":"event""#)).unwrap();
        assert!(ev.contains(r#""key":"ev:phone_call:2022-03:"#), "{ev}");
    }
}

#[test]
fn issue_2_all_or_nothing_and_keep_going() {
    for engine in ENGINES {
        let s = sample_store(engine);
        let before = s.dump();
        let f = s.file(
            "mixed.jsonl",
            concat!(
                r#"{"kind":"entity","key":"person:new","type":"person","name":"New Person","country":"MAR"}"#,
                "\n",
                r#"{"kind":"event","key":"ev:bad","type":"visit","date":"2022-13-40","participants":[{"entity":"person:new","role":"visitor"}]}"#,
                "\n",
                r#"{"kind":"event","key":"ev:good","type":"visit","date":"2024-02","participants":[{"entity":"person:new","role":"visitor"},{"entity":"person:romann","role":"host"}]}"#,
                "\n"
            ),
        );
        let r = s.import(&f).fails_with(DATA_ERROR);
        r.stderr_has_line(&format!(
            "{}:2: date: invalid date \"2022-13-40\": month 13 is not 01..12",
            f.display()
        ));
        r.stderr_has_line("import failed: 1 invalid line; nothing was written");
        assert_eq!(s.dump(), before, "nothing written");

        let r = run(s.cmd(&["import", "--keep-going"]).arg(&f)).fails_with(DATA_ERROR);
        assert!(r.stderr.contains("rejected 1 invalid line"), "{}", r.stderr);
        let after = s.dump();
        assert!(after.contains(r#""key":"person:new""#) && after.contains(r#""key":"ev:good""#));
        assert!(!after.contains(r#""key":"ev:bad""#));
    }
}

#[test]
fn issue_2_keep_going_drops_lines_that_depend_on_rejected_ones() {
    let s = TestStore::new("redb");
    let f = s.file(
        "cascade.jsonl",
        concat!(
            r#"{"kind":"entity","key":"MAR","type":"country","name":"Morocco"}"#,
            "\n",
            r#"{"kind":"entity","key":"person:x","type":"persn","name":"X","country":"MAR"}"#,
            "\n",
            r#"{"kind":"event","key":"ev:x","type":"statement","date":"2020","participants":[{"entity":"person:x","role":"participant"}]}"#,
            "\n"
        ),
    );
    let r = run(s.cmd(&["import", "--keep-going"]).arg(&f)).fails_with(DATA_ERROR);
    r.stderr_has_line(&format!(
        "{}:3: participants[0].entity: \"person:x\" is defined by an invalid line ({}:2)",
        f.display(),
        f.display()
    ));
    let dump = s.dump();
    assert_eq!(dump.lines().count(), 1, "{dump}");
}

/// One bad input: file content, the exact error lines, the exit code.
struct Bad {
    name: &'static str,
    content: &'static [u8],
    errors: &'static [&'static str],
}

const BAD_INPUTS: &[Bad] = &[
    Bad {
        name: "truncated JSON",
        content: br#"{"kind":"entity","key":"X","type":"person""#,
        errors: &["1: truncated JSON at column 42: EOF while parsing an object at line 1 column 42"],
    },
    Bad {
        name: "wrong field type",
        content: b"{\"kind\":\"entity\",\"key\":\"X\",\"type\":\"person\",\"name\":\"X\",\"aliases\":\"Y\"}\n",
        errors: &["1: aliases: expected an array of strings, found a string"],
    },
    Bad {
        name: "wrong type in a participant",
        content: b"{\"kind\":\"event\",\"type\":\"visit\",\"date\":\"2022\",\"participants\":[{\"entity\":5,\"role\":\"host\"}]}\n",
        errors: &["1: participants[0].entity: expected a string, found a number"],
    },
    Bad {
        name: "invalid date",
        content: b"{\"kind\":\"event\",\"type\":\"visit\",\"date\":\"2022-13-40\",\"participants\":[{\"entity\":\"MAR\",\"role\":\"host\"}]}\n",
        errors: &["1: date: invalid date \"2022-13-40\": month 13 is not 01..12"],
    },
    Bad {
        name: "invalid day",
        content: b"{\"kind\":\"relation\",\"type\":\"holds_position\",\"from\":\"person:romann\",\"to\":\"org:bpol\",\"since\":\"2023-02-29\"}\n",
        errors: &["1: since: invalid date \"2023-02-29\": day 29 does not exist in that month"],
    },
    Bad {
        name: "unknown entity type",
        content: b"{\"kind\":\"entity\",\"key\":\"X\",\"type\":\"persn\",\"name\":\"X\"}\n",
        errors: &["1: type: unknown entity type \"persn\": allowed are country, organization, person, place"],
    },
    Bad {
        name: "unknown event type",
        content: b"{\"kind\":\"event\",\"type\":\"vist\",\"date\":\"2022\",\"participants\":[{\"entity\":\"MAR\",\"role\":\"host\"}]}\n",
        errors: &["1: type: unknown event type \"vist\": allowed are agreement, appointment, committee_meeting, meeting, phone_call, statement, talks, training, visit"],
    },
    Bad {
        name: "unknown role",
        content: b"{\"kind\":\"event\",\"type\":\"visit\",\"date\":\"2022-06-10\",\"participants\":[{\"entity\":\"person:romann\",\"role\":\"vistor\"}]}\n",
        errors: &["1: participants[0].role: unknown role \"vistor\" for a visit: allowed are visitor, host, delegation, participant"],
    },
    Bad {
        name: "unknown sector and domain",
        content: b"{\"kind\":\"entity\",\"key\":\"X\",\"type\":\"person\",\"name\":\"X\",\"sector\":\"spies\"}\n{\"kind\":\"event\",\"type\":\"talks\",\"date\":\"2022\",\"domains\":[\"securty\"],\"participants\":[{\"entity\":\"MAR\",\"role\":\"host\"}]}\n",
        errors: &[
            "1: sector: unknown sector \"spies\": allowed are diplomacy, government, intelligence, interior, international, justice, military, other, parliament, police",
            "2: domains[0]: unknown domain \"securty\": allowed are security, counterterrorism, intelligence, policing, defense, migration, justice, economy, diplomacy, culture, energy, education, trade, health, environment, organized_crime, cybersecurity, border_control",
        ],
    },
    Bad {
        name: "dangling references",
        content: b"{\"kind\":\"event\",\"type\":\"visit\",\"date\":\"2022\",\"location\":\"place:nowhere\",\"participants\":[{\"entity\":\"person:nobody\",\"role\":\"visitor\"}]}\n{\"kind\":\"relation\",\"type\":\"holds_position\",\"from\":\"person:romann\",\"to\":\"org:none\"}\n",
        errors: &[
            "1: location: no entity has key \"place:nowhere\" (neither in this import nor in the store)",
            "1: participants[0].entity: no entity has key \"person:nobody\" (neither in this import nor in the store)",
            "2: to: no entity has key \"org:none\" (neither in this import nor in the store)",
        ],
    },
    Bad {
        name: "reference of the wrong type",
        content: b"{\"kind\":\"entity\",\"key\":\"X\",\"type\":\"person\",\"name\":\"X\",\"country\":\"org:bfv\"}\n",
        errors: &["1: country: \"org:bfv\" is an organization, but this field needs a country"],
    },
    Bad {
        name: "one key, two types",
        content: b"{\"kind\":\"entity\",\"key\":\"X\",\"type\":\"person\",\"name\":\"X\"}\n{\"kind\":\"entity\",\"key\":\"X\",\"type\":\"place\",\"name\":\"X\"}\n{\"kind\":\"entity\",\"key\":\"MAR\",\"type\":\"person\",\"name\":\"M\"}\n",
        errors: &[
            "2: type: key \"X\" is a place here but a person at {FILE}:1",
            "3: type: key \"MAR\" is a country in the store and cannot become a person",
        ],
    },
    Bad {
        name: "invalid UTF-8",
        content: b"{\"kind\":\"entity\",\"key\":\"X\",\"type\":\"person\",\"name\":\"\xff\xfe\"}\n",
        errors: &["1: invalid UTF-8 at byte 52 of the line"],
    },
    Bad {
        name: "BOM after line 1",
        content: b"\xef\xbb\xbf{\"kind\":\"entity\",\"key\":\"X\",\"type\":\"person\",\"name\":\"X\"}\n\xef\xbb\xbf{\"kind\":\"entity\",\"key\":\"Y\",\"type\":\"person\",\"name\":\"Y\"}\n",
        errors: &["2: byte-order mark (U+FEFF) in the middle of the file"],
    },
    Bad {
        name: "unknown field, kind and structure",
        content: b"{\"kind\":\"entity\",\"key\":\"X\",\"type\":\"person\",\"name\":\"X\",\"partcipants\":1,\"props\":{\"a\":{\"b\":1}}}\n[1]\n{\"kind\":\"thing\"}\n{\"kind\":\"event\",\"type\":\"visit\",\"date\":\"2022\",\"participants\":[]}\n",
        errors: &[
            "1: partcipants: unknown field: allowed are kind, key, type, name, aliases, country, sector, props",
            "1: props.a: expected a string, number or boolean, found an object",
            "2: expected a JSON object, found an array",
            "3: kind: unknown kind \"thing\": allowed are entity, relation, event",
            "4: participants: at least one participant is required",
        ],
    },
    Bad {
        name: "bad key, confidence and interval",
        content: b"{\"kind\":\"entity\",\"key\":\" X\",\"type\":\"person\",\"name\":\"X\"}\n{\"kind\":\"event\",\"type\":\"visit\",\"date\":\"2022-06\",\"end_date\":\"2022-05\",\"confidence\":1.5,\"participants\":[{\"entity\":\"MAR\",\"role\":\"host\"}]}\n",
        errors: &[
            "1: key: invalid key \" X\": leading or trailing white space",
            "2: confidence: 1.5 is not between 0 and 1",
            "2: end_date: 2022-05 is before date 2022-06",
        ],
    },
];

#[test]
fn issue_2_bad_inputs_give_exact_errors_and_change_nothing() {
    for engine in ENGINES {
        let s = sample_store(engine);
        let before = s.dump();
        for bad in BAD_INPUTS {
            let f = s.file("bad.jsonl", bad.content);
            let file = f.display().to_string();
            let r = s.import(&f).fails_with(DATA_ERROR);
            for e in bad.errors {
                r.stderr_has_line(&format!("{file}:{}", e.replace("{FILE}", &file)));
            }
            let error_lines = r.stderr.lines().filter(|l| l.starts_with(&file)).count();
            assert_eq!(error_lines, bad.errors.len(), "{} ({engine}): {}", bad.name, r.stderr);
            assert!(r.stderr.contains("nothing was written"), "{}: {}", bad.name, r.stderr);
            assert_eq!(s.dump(), before, "{} ({engine}) changed the store", bad.name);
        }
    }
}

#[test]
fn issue_2_bom_on_line_1_and_crlf_are_accepted() {
    for engine in ENGINES {
        let lf = std::fs::read_to_string(repo(SAMPLE)).unwrap();
        let crlf = format!("\u{feff}{}", lf.replace('\n', "\r\n"));
        let a = TestStore::new(engine);
        a.import(&repo(SAMPLE)).ok();
        let b = TestStore::new(engine);
        let f = b.file("crlf.jsonl", crlf);
        b.import(&f).ok();
        assert_eq!(a.dump(), b.dump());
    }
}

#[test]
fn issue_2_missing_input_file_is_a_data_error() {
    let s = TestStore::new("redb");
    let r = s.run(&["import", "no-such-file.jsonl"]).fails_with(DATA_ERROR);
    assert!(r.stderr.starts_with("no-such-file.jsonl: cannot open:"), "{}", r.stderr);
}

#[test]
fn issue_2_second_process_gets_the_lock_error() {
    for engine in ENGINES {
        let s = sample_store(engine);
        // An import reading standard input holds the store until its input ends. Until it
        // has the lock, our probe may hold it instead and make the holder fail: respawn it.
        let holder = s.cmd(&["import", "-"]);
        let spawn = || {
            std::process::Command::new(holder.get_program())
                .args(holder.get_args())
                .current_dir(repo(""))
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap()
        };
        let mut child = spawn();
        let expected = format!("store {} is in use by another process", s.path.display());
        let mut r = s.run(&["stats"]);
        for _ in 0..200 {
            if r.code == STORE_UNAVAILABLE {
                break;
            }
            if child.try_wait().unwrap().is_some() {
                child = spawn();
            }
            std::thread::sleep(std::time::Duration::from_millis(25));
            r = s.run(&["stats"]);
        }
        let r = r.fails_with(STORE_UNAVAILABLE);
        assert_eq!(r.stderr.trim_end(), expected);
        assert!(!r.stderr.contains("backtrace"));
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(b"").unwrap();
        drop(stdin);
        assert!(child.wait().unwrap().success());
        s.run(&["stats"]).ok();
    }
}

#[test]
fn issue_2_newer_format_version_is_refused() {
    use dipgraph::store::{kv, tree, Engine, FORMAT_VERSION};
    for engine in [Engine::Redb, Engine::Sled] {
        let s = sample_store(engine.name());
        {
            let store = kv::open(engine, &s.path).unwrap();
            let mut w = store.begin_write().unwrap();
            w.put(tree::META, b"format_version", &99u32.to_be_bytes()).unwrap();
            w.commit().unwrap();
        }
        let r = s.run(&["dump"]).fails_with(STORE_UNAVAILABLE);
        assert_eq!(
            r.stderr.trim_end(),
            format!(
                "store {} has format version 99, newer than this dipgraph supports ({FORMAT_VERSION}): use a newer dipgraph",
                s.path.display()
            )
        );
        s.import(&repo(SAMPLE)).fails_with(STORE_UNAVAILABLE);
    }
}

#[test]
fn issue_2_store_path_problems_are_clear() {
    let s = TestStore::new("redb");
    let r = s.run(&["stats"]).fails_with(STORE_UNAVAILABLE);
    assert_eq!(
        r.stderr.trim_end(),
        format!("no store at {} (create one with `dipgraph import`)", s.path.display())
    );
    std::fs::write(&s.path, "not a store").unwrap();
    let r = s.import(&repo(SAMPLE)).fails_with(STORE_UNAVAILABLE);
    assert_eq!(
        r.stderr.trim_end(),
        format!(
            "{} is not a dipgraph store: it is a file, not a directory",
            s.path.display()
        )
    );
}

#[test]
fn issue_2_db_from_environment_and_demo() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("env.db");
    run(dipgraph()
        .current_dir(repo(""))
        .env("DIPGRAPH_DB", &db)
        .args(["import", SAMPLE]))
    .ok();
    let r = run(dipgraph().env("DIPGRAPH_DB", &db).args(["stats"])).ok();
    assert!(r.stdout.contains("nodes: events: 5"));
    // The demo runs from any directory on a temporary store, even when DIPGRAPH_DB is set.
    let untouched = dir.path().join("untouched.db");
    let r = run(dipgraph()
        .current_dir(dir.path())
        .env("DIPGRAPH_DB", &untouched)
        .arg("demo"))
    .ok();
    assert!(r.stdout.contains("Morocco – Germany: 4 contacts"), "{}", r.stdout);
    assert!(!untouched.exists(), "demo used DIPGRAPH_DB");
    // With --db it keeps its store.
    let kept = dir.path().join("kept.db");
    run(dipgraph().arg("--db").arg(&kept).arg("demo")).ok();
    let r = run(dipgraph().arg("--db").arg(&kept).args(["stats"])).ok();
    assert!(r.stdout.contains("nodes: events: 5"));
}

#[test]
fn issue_2_usage_errors_exit_2() {
    let r = run(dipgraph().args(["import"]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    let r = run(dipgraph().args(["frobnicate"]));
    assert_eq!(r.code, 2);
}

#[test]
fn issue_2_overlong_names_and_values_are_refused_before_writing() {
    for engine in ENGINES {
        let s = sample_store(engine);
        let before = s.dump();
        let long = "x".repeat(1025);
        let f = s.file(
            "long-name.jsonl",
            format!(r#"{{"kind":"entity","key":"X","type":"person","name":"N","aliases":["{long}"]}}"#),
        );
        s.import(&f)
            .fails_with(DATA_ERROR)
            .stderr_has_line(&format!("{}:1: aliases[0]: longer than 1024 bytes", f.display()));
        // A value beyond the store's 64 MiB value limit fails the write as a whole.
        let quote = "y".repeat(65 * 1024 * 1024);
        let f = s.file(
            "huge.jsonl",
            format!(
                r#"{{"kind":"event","key":"ev:huge","type":"statement","date":"2024","participants":[{{"entity":"MAR","role":"participant"}}],"sources":[{{"quote":"{quote}"}}]}}"#
            ),
        );
        let r = run(s.cmd(&["import", "--max-line-bytes", "100000000"]).arg(&f)).fails_with(4);
        assert!(r.stderr.contains("cannot store a record in tree event"), "{}", r.stderr);
        assert!(r.stderr.contains("nothing was written"), "{}", r.stderr);
        assert_eq!(s.dump(), before);
    }
}

#[test]
fn issue_2_interrupted_creation_is_recovered_and_failed_first_import_leaves_no_store() {
    use dipgraph::store::{kv, Engine};
    for engine in [Engine::Redb, Engine::Sled] {
        let s = TestStore::new(engine.name());
        // The engine's files exist but the meta write never committed.
        drop(kv::open(engine, &s.path).unwrap());
        s.run(&["stats"]).ok();
        s.import(&repo(SAMPLE)).ok();

        let fresh = TestStore::new(engine.name());
        let bad = fresh.file("bad.jsonl", "{\"kind\":\"nope\"}\n");
        fresh.import(&bad).fails_with(DATA_ERROR);
        assert!(!fresh.path.exists(), "a failed first import left a store behind");
    }
}

//! Issue 17: reliability, round 2 — failures found by adversarial probes. Each test is of
//! the class of one finding: it failed before the fix.

use crate::util::{repo, TestStore, ENGINES, SAMPLE};
use dipgraph::store::{keys, kv, tree, Engine, FORMAT_VERSION};
use std::fmt::Write as _;
use std::path::Path;

const DATA_ERROR: i32 = 1;
const FAILURE: i32 = 4;

fn engine_of(name: &str) -> Engine {
    Engine::from_name(name).expect("engine name")
}

/// The `event_links` values of a store in the layout of formats 2 and 3 (u16 counts), as
/// raw puts, for tests that turn a store back into an older format.
pub fn links_as_format_3(engine: &str, path: &Path) -> Vec<(Vec<u8>, Vec<u8>)> {
    let kv = kv::open(engine_of(engine), path).unwrap();
    let mut out = Vec::new();
    for pair in kv.scan_prefix(tree::EVENT_LINKS, b"").unwrap() {
        let (k, v) = pair.unwrap();
        let l = keys::split_links(&v).expect("a current links value");
        out.push((k, links_v3(&l.members, &l.pairs, l.key, l.event_type)));
    }
    out
}

/// A format-3 `event_links` value, counts truncated to u16 as format 3 wrote them.
fn links_v3(members: &[u64], pairs: &[(u64, u64)], key: &str, event_type: &str) -> Vec<u8> {
    let mut v = (members.len() as u16).to_be_bytes().to_vec();
    for m in members {
        v.extend_from_slice(&m.to_be_bytes());
    }
    v.extend_from_slice(&(pairs.len() as u16).to_be_bytes());
    for (a, b) in pairs {
        v.extend_from_slice(&a.to_be_bytes());
        v.extend_from_slice(&b.to_be_bytes());
    }
    v.extend_from_slice(&(key.len() as u16).to_be_bytes());
    v.extend_from_slice(key.as_bytes());
    v.extend_from_slice(event_type.as_bytes());
    v
}

fn put_raw(engine: &str, path: &Path, puts: &[(&str, Vec<u8>, Vec<u8>)]) {
    let kv = kv::open(engine_of(engine), path).unwrap();
    let mut w = kv.begin_write().unwrap();
    for (t, k, v) in puts {
        w.put(t, k, v).unwrap();
    }
    w.commit().unwrap();
}

/// `n` country entities and one event among all of them.
fn countries_meeting(n: usize) -> String {
    let mut s = String::new();
    for i in 0..n {
        writeln!(
            s,
            r#"{{"kind":"entity","key":"C{i:04}","type":"country","name":"Country {i}"}}"#
        )
        .unwrap();
    }
    let parts: Vec<String> = (0..n)
        .map(|i| format!(r#"{{"entity":"C{i:04}","role":"participant"}}"#))
        .collect();
    writeln!(
        s,
        r#"{{"kind":"event","key":"ev:assembly","type":"meeting","date":"2022-09-20","participants":[{}]}}"#,
        parts.join(",")
    )
    .unwrap();
    s
}

/// Finding 3: 370 countries at one event are 68,265 dyads, more than a u16 counts. The
/// event imports, answers queries, takes updates, and checks consistent.
#[test]
fn issue_17_an_event_with_more_dyads_than_a_u16_counts_works() {
    for engine in ENGINES {
        let s = TestStore::new(engine);
        let f = s.file("assembly.jsonl", countries_meeting(370));
        s.import(&f).ok();
        let r = s.run(&["neighbors", "C0007", "--format", "json"]).ok();
        assert!(r.stdout.contains("ev:assembly"), "{engine}: {}", r.stdout);
        let r = s.run(&["check"]).ok();
        assert!(r.stdout.lines().any(|l| l == "consistent"), "{engine}: {}", r.stdout);
        let dyads = {
            let kv = kv::open(engine_of(engine), &s.path).unwrap();
            kv.scan_prefix(tree::DYAD, b"").unwrap().count()
        };
        assert_eq!(dyads, 370 * 369 / 2, "{engine}");
        // An update of the event (a new date) rewrites its links and dyads.
        let moved = countries_meeting(370).replace("2022-09-20", "2023-09-19");
        let f = s.file("moved.jsonl", moved);
        s.import(&f).ok();
        s.run(&["check"]).ok();
        let r = s.run(&["contacts", "C0001", "C0369", "--format", "json"]).ok();
        assert!(r.stdout.contains("2023-09-19"), "{engine}: {}", r.stdout);
    }
}

/// Finding 3: more participants than the documented limit is refused at import with the
/// file, line and field, and nothing is written.
#[test]
fn issue_17_an_event_with_more_participants_than_the_limit_is_refused() {
    let s = TestStore::new("redb");
    let n = dipgraph::ingest::MAX_PARTICIPANTS + 1;
    let f = s.file("too-many.jsonl", countries_meeting(n));
    let r = s.import(&f).fails_with(DATA_ERROR);
    r.stderr_has_line(&format!(
        "{}:{}: participants: {n} participants, more than the limit of {} per event",
        f.display(),
        n + 1,
        dipgraph::ingest::MAX_PARTICIPANTS
    ));
    assert!(r.stderr.contains("nothing was written"), "{}", r.stderr);
    assert!(!s.path.exists(), "a failed first import left a store");
}

/// Finding 3: `check` validates the layout of every value it reads. A links value whose
/// counts were truncated (what format 3 wrote for 65,536 dyads) is malformed even where
/// the check's own derivation would agree with it.
#[test]
fn issue_17_check_reports_malformed_index_values() {
    for engine in ENGINES {
        let s = TestStore::new(engine);
        s.import(&repo(SAMPLE)).ok();
        let kv = kv::open(engine_of(engine), &s.path).unwrap();
        let (k, v) = kv.scan_prefix(tree::EVENT_LINKS, b"").unwrap().next().unwrap().unwrap();
        let (ee, _) = kv
            .scan_prefix(tree::ENTITY_EVENT, b"")
            .unwrap()
            .next()
            .unwrap()
            .unwrap();
        drop(kv);
        let l = keys::split_links(&v).unwrap();
        let truncated = links_v3(&l.members, &l.pairs, l.key, l.event_type);
        put_raw(
            engine,
            &s.path,
            &[
                (tree::EVENT_LINKS, k, truncated),
                // An entity_event entry whose end day lost a byte.
                (tree::ENTITY_EVENT, ee, vec![1, 2, 3]),
            ],
        );
        let r = s.run(&["check"]).fails_with(FAILURE);
        assert!(r.stdout.contains("index event_links: "), "{engine}: {}", r.stdout);
        assert_eq!(
            r.stdout.lines().filter(|l| *l == "  malformed: 1").count(),
            2,
            "{engine}: {}",
            r.stdout
        );
        s.run(&["check", "--repair"]).ok();
        s.run(&["check"]).ok();
    }
}

/// Finding 3: a format-3 store (u16 counts) is upgraded to the u32 layout when opened.
#[test]
fn issue_17_a_format_3_store_is_upgraded_to_wide_link_counts() {
    for engine in ENGINES {
        let s = TestStore::new(engine);
        s.import(&repo(SAMPLE)).ok();
        let before = s.dump();
        let mut puts: Vec<(&str, Vec<u8>, Vec<u8>)> = links_as_format_3(engine, &s.path)
            .into_iter()
            .map(|(k, v)| (tree::EVENT_LINKS, k, v))
            .collect();
        assert_eq!(puts.len(), 5);
        puts.push((tree::META, b"format_version".to_vec(), 3u32.to_be_bytes().to_vec()));
        put_raw(engine, &s.path, &puts);
        let r = s.run(&["check"]).ok();
        assert!(r.stdout.lines().any(|l| l == "consistent"), "{engine}: {}", r.stdout);
        assert!(
            r.stdout.contains(&format!("format version {FORMAT_VERSION}")),
            "{engine}: {}",
            r.stdout
        );
        assert_eq!(s.dump(), before, "{engine}");
        let r = s.run(&["neighbors", "Dieter Romann", "--format", "json"]).ok();
        assert!(r.stdout.contains("\"ev:"), "{engine}: {}", r.stdout);
    }
}

fn person_with_aliases(key: &str, aliases: impl Iterator<Item = String>) -> String {
    let aliases: Vec<String> = aliases.map(|a| format!("{a:?}")).collect();
    format!(
        r#"{{"kind":"entity","key":"{key}","type":"person","name":"Someone","aliases":[{}]}}"#,
        aliases.join(",")
    )
}

/// Finding 6: aliases are limited per entity, on one line and across the lines (and the
/// stored record) that merge into one entity; repeats are removed before counting.
#[test]
fn issue_17_aliases_per_entity_are_limited_and_repeats_removed() {
    let max = dipgraph::ingest::MAX_ALIASES;
    let s = TestStore::new("redb");
    let f = s.file(
        "many.jsonl",
        person_with_aliases("P", (0..=max).map(|i| format!("alias {i}"))),
    );
    let r = s.import(&f).fails_with(DATA_ERROR);
    r.stderr_has_line(&format!(
        "{}:1: aliases: {} aliases, more than the limit of {max} per entity",
        f.display(),
        max + 1
    ));
    assert!(!s.path.exists());

    // 200,000 aliases that are 10 names repeated: the repeats go, in first-seen order.
    let f = s.file(
        "repeats.jsonl",
        person_with_aliases("P", (0..200_000).map(|i| format!("alias {}", i % 10))),
    );
    s.import(&f).ok();
    let dump = s.dump();
    let expected: Vec<String> = (0..10).map(|i| format!("\"alias {i}\"")).collect();
    assert!(
        dump.contains(&format!("\"aliases\":[{}]", expected.join(","))),
        "{dump}"
    );

    // Two lines of one entity, each under the limit, together over it.
    let two = [
        person_with_aliases("Q", (0..max / 2 + 1).map(|i| format!("first {i}"))),
        person_with_aliases("Q", (0..max / 2 + 1).map(|i| format!("second {i}"))),
    ];
    let f = s.file("two.jsonl", two.join("\n"));
    let r = s.import(&f).fails_with(DATA_ERROR);
    r.stderr_has_line(&format!(
        "{}:2: aliases: with the earlier lines of \"Q\", {} aliases, more than the limit of {max}",
        f.display(),
        max + 2
    ));

    // A line under the limit that would take the stored record over it: nothing written.
    let f = s.file(
        "more.jsonl",
        person_with_aliases("P", (0..max).map(|i| format!("more {i}"))),
    );
    let r = s.import(&f).fails_with(FAILURE);
    assert!(
        r.stderr.contains(&format!("more than the limit of {max}")) && r.stderr.contains("nothing was written"),
        "{}",
        r.stderr
    );
    assert_eq!(s.dump(), dump);
}

/// The exit-3 and damage messages that docs/cli.md quotes, with PATH and N filled in.
fn documented(prefix: &str) -> String {
    let cli = std::fs::read_to_string(repo("docs/cli.md")).unwrap();
    let line = cli
        .lines()
        .find(|l| l.starts_with(&format!("- `{prefix}")) || l.starts_with(prefix))
        .unwrap_or_else(|| panic!("docs/cli.md quotes no message starting {prefix:?}"));
    let start = line.find('`').unwrap() + 1;
    line[start..start + line[start..].find('`').unwrap()].to_string()
}

/// Finding 9: the messages docs/cli.md quotes are the ones the binary prints.
#[test]
fn issue_17_documented_store_messages_are_the_binarys() {
    let s = TestStore::new("redb");
    s.import(&repo(SAMPLE)).ok();
    put_raw(
        "redb",
        &s.path,
        &[(tree::META, b"format_version".to_vec(), 99u32.to_be_bytes().to_vec())],
    );
    let r = s.run(&["stats"]).fails_with(3);
    let doc = documented("store PATH has format version N");
    let path = s.path.display().to_string();
    r.stderr_has_line(&doc.replace("PATH", &path).replace(" N,", " 99,"));

    // redb's own corruption errors read as damage, in the documented words.
    let s = TestStore::new("redb");
    s.import(&repo(SAMPLE)).ok();
    let file = s.path.join("store.redb");
    let mut bytes = std::fs::read(&file).unwrap();
    bytes[..9].copy_from_slice(b"not redb!");
    std::fs::write(&file, bytes).unwrap();
    let r = s.run(&["stats"]).fails_with(FAILURE);
    let doc = documented("Damage is reported as");
    let damaged = doc.replace("PATH", &s.path.display().to_string()).replace("WHAT", "");
    assert!(r.stderr.starts_with(&damaged), "{}", r.stderr);
}

/// Finding 8: an error quotes a bounded prefix of a hostile value, at most 100 errors are
/// kept and shown, then a count; nothing is written.
#[test]
fn issue_17_errors_quote_a_bounded_prefix_and_at_most_100_are_kept() {
    let s = TestStore::new("redb");
    s.import(&repo(SAMPLE)).ok();
    let before = s.dump();
    let long_key = "K".repeat(2_000_000);
    let mut lines = String::new();
    for _ in 0..5 {
        writeln!(
            lines,
            r#"{{"kind":"event","type":"meeting","date":"2022","participants":[{{"entity":"{long_key}","role":"participant"}}]}}"#
        )
        .unwrap();
    }
    let f = s.file("long-keys.jsonl", lines);
    let r = s.import(&f).fails_with(DATA_ERROR);
    r.stderr_has_line(&format!(
        "{}:3: participants[0].entity: invalid key \"{}…\" (2000000 bytes): longer than 512 bytes",
        f.display(),
        "K".repeat(80)
    ));
    assert!(r.stderr.len() < 4096, "{} bytes of errors", r.stderr.len());

    // A line of thousands of unknown fields, and 250 bad lines.
    let fields: Vec<String> = (0..5000).map(|i| format!(r#""f{i}":1"#)).collect();
    let mut lines = format!(
        r#"{{"kind":"entity","key":"X","type":"person","name":"X",{}}}"#,
        fields.join(",")
    ) + "\n";
    for i in 0..250 {
        writeln!(
            lines,
            r#"{{"kind":"entity","key":"Y{i}","type":"no-such-type","name":"Y"}}"#
        )
        .unwrap();
    }
    let f = s.file("many-errors.jsonl", lines);
    let r = s.import(&f).fails_with(DATA_ERROR);
    let shown = r
        .stderr
        .lines()
        .filter(|l| l.starts_with(&format!("{}:", f.display())))
        .count();
    assert_eq!(shown, 100, "{}", r.stderr);
    r.stderr_has_line(&format!("{}:1: ... and 4980 more problems on this line", f.display()));
    r.stderr_has_line("... and 171 more errors");
    r.stderr_has_line("import failed: 251 invalid lines; nothing was written");
    assert_eq!(s.dump(), before);
}

/// Finding 8: `ingest` refuses an article above the documented size without reading all
/// of it, and writes nothing.
#[test]
fn issue_17_ingest_refuses_an_article_above_the_limit() {
    let s = TestStore::new("redb");
    let big = s.file("big.txt", vec![0u8; 5 * 1024 * 1024]);
    let r = s.run(&["ingest", big.to_str().unwrap()]).fails_with(DATA_ERROR);
    r.stderr_has_line(&format!(
        "{}: larger than the limit of 4 MiB for one article; nothing was written",
        big.display()
    ));
    assert!(!s.path.exists(), "a refused first ingest left a store");
    // A device without a length is read only up to the limit.
    let r = s.run(&["ingest", "--dry-run", "/dev/zero"]).fails_with(DATA_ERROR);
    r.stderr_has_line("/dev/zero: larger than the limit of 4 MiB for one article; nothing was written");
}

/// Finding 5: imports started together on a path that does not exist yet, with `--wait`:
/// one creates the store, the others wait for it and import into it; none reports the
/// store being created as "not a dipgraph store". Several trials, each on both engines.
#[test]
fn issue_17_imports_racing_to_create_a_store_wait_for_it() {
    const TRIALS: usize = 5;
    const RACERS: usize = 4;
    for engine in ENGINES {
        for trial in 0..TRIALS {
            let dir = tempfile::tempdir().unwrap();
            let db = dir.path().join("new.db");
            let children: Vec<std::process::Child> = (0..RACERS)
                .map(|_| {
                    std::process::Command::new(assert_cmd::cargo::cargo_bin("dipgraph"))
                        .current_dir(repo(""))
                        .args(["--wait", "60", "--engine", engine, "--db"])
                        .arg(&db)
                        .args(["import", SAMPLE])
                        .stdout(std::process::Stdio::null())
                        .stderr(std::process::Stdio::piped())
                        .spawn()
                        .unwrap()
                })
                .collect();
            for child in children {
                let out = child.wait_with_output().unwrap();
                assert!(
                    out.status.success(),
                    "{engine}, trial {trial}: exit {:?}: {}",
                    out.status.code(),
                    String::from_utf8_lossy(&out.stderr)
                );
            }
            let check = crate::util::run(crate::util::dipgraph().arg("--db").arg(&db).arg("check"));
            assert_eq!(check.code, 0, "{engine}, trial {trial}: {}", check.stdout);
        }
    }
}

/// Finding 5, made likely: while another process holds the lock, its store's engine file
/// appears and disappears (a store being created, or removed after a failed first import)
/// as fast as the file system allows. Every open in that time finds the store in use or
/// not there yet, never "not a dipgraph store".
#[test]
fn issue_17_a_store_being_created_is_never_taken_for_a_foreign_directory() {
    use dipgraph::store::{OpenMode, Store, StoreError};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("new.db");
    std::fs::create_dir(&db).unwrap();
    let lock = std::fs::File::create(db.join("lock")).unwrap();
    lock.lock().unwrap();
    let stop = std::sync::atomic::AtomicBool::new(false);
    let (mut in_use, mut absent) = (0, 0);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            let file = db.join("store.redb");
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                std::fs::File::create(&file).unwrap();
                std::fs::remove_file(&file).unwrap();
            }
        });
        for _ in 0..20_000 {
            match Store::open(&db, OpenMode::Existing) {
                Err(StoreError::Locked(_)) => in_use += 1,
                Err(StoreError::NotFound(_)) => absent += 1,
                Err(e) => {
                    stop.store(true, std::sync::atomic::Ordering::Relaxed);
                    panic!("after {in_use} in use and {absent} absent: {e}");
                }
                Ok(_) => panic!("opened a store whose lock is held"),
            }
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
    });
    assert!(in_use > 0 && absent > 0, "{in_use} in use, {absent} absent");
}

/// Finding 7: props numbers are kept exactly as written or refused, on both parse paths,
/// and a change from -0.0 to 0.0 (a prop, or an event's confidence) is an update.
#[test]
fn issue_17_numbers_are_kept_as_written_or_refused() {
    let s = TestStore::new("redb");
    s.import(&repo(SAMPLE)).ok();
    let before = s.dump();
    let entity = |n: &str| format!(r#"{{"kind":"entity","key":"X","type":"person","name":"X","props":{{"n":{n}}}}}"#);
    for (n, what) in [
        (
            "123456789012345678901234567890",
            "integer 123456789012345678901234567890 does not fit in 64 bits",
        ),
        (
            "-9223372036854775809",
            "integer -9223372036854775809 does not fit in 64 bits",
        ),
        (
            "0.12345678901234567890123",
            "number 0.12345678901234567890123 cannot be kept as written",
        ),
        ("1e-400", "number 1e-400 cannot be kept as written"),
    ] {
        let f = s.file("n.jsonl", entity(n));
        let r = s.import(&f).fails_with(DATA_ERROR);
        assert!(
            r.stderr.contains(&format!("{}:1: props.n: {what}", f.display())),
            "{n}: {}",
            r.stderr
        );
    }
    assert_eq!(s.dump(), before);
    for n in [
        "9223372036854775807",
        "-9223372036854775808",
        "0.1",
        "1.50",
        "1e30",
        "-0.0",
    ] {
        let f = s.file("n.jsonl", entity(n));
        s.import(&f).ok();
    }

    // -0.0 → 0.0 is a change, for a prop and for confidence.
    let event = |c: &str| {
        format!(
            r#"{{"kind":"event","key":"ev:z","type":"meeting","date":"2022","confidence":{c},"participants":[{{"entity":"MAR","role":"participant"}}],"props":{{"z":{c}}}}}"#
        )
    };
    let f = s.file("z.jsonl", event("-0.0"));
    s.import(&f).ok();
    assert!(s.dump().contains(r#""z":-0.0"#), "{}", s.dump());
    let f = s.file("z.jsonl", event("0.0"));
    let r = s.import(&f).ok();
    assert!(r.stderr.contains("0 events added, 1 updated"), "{}", r.stderr);
    let dump = s.dump();
    assert!(dump.contains(r#""z":0.0"#) && !dump.contains(r#""z":-0.0"#), "{dump}");
    assert!(dump.contains(r#""confidence":0.0"#), "{dump}");
}

/// Finding 2: a missing or empty engine file, or an engine that lost its meta, in a store
/// that was made (its lock file says so) is damage, never a new empty store; also for a
/// command that only reads.
#[test]
fn issue_17_a_store_whose_engine_files_are_gone_or_empty_is_damaged() {
    for engine in ENGINES {
        let file = if engine == "redb" { "store.redb" } else { "sled/db" };
        for how in ["empty", "missing", "truncated"] {
            let s = TestStore::new(engine);
            s.import(&repo(SAMPLE)).ok();
            let path = s.path.join(file);
            match how {
                "empty" => std::fs::write(&path, b"").unwrap(),
                "missing" if engine == "redb" => std::fs::remove_file(&path).unwrap(),
                "missing" => std::fs::remove_dir_all(s.path.join("sled")).unwrap(),
                _ => {
                    let len = std::fs::metadata(&path).unwrap().len();
                    std::fs::OpenOptions::new()
                        .write(true)
                        .open(&path)
                        .unwrap()
                        .set_len(len.saturating_sub(100))
                        .unwrap();
                }
            }
            for cmd in [&["stats"][..], &["dump"], &["check"]] {
                let r = s.run(cmd);
                if how == "truncated" && r.code == 0 {
                    // redb keeps its header and pages before the end; losing the file's
                    // last 100 bytes may cost nothing it reads.
                    assert_eq!(engine, "redb", "{how} {engine} {cmd:?}: read as a store:\n{}", r.stdout);
                    continue;
                }
                let r = r.fails_with(FAILURE);
                assert!(
                    r.stderr
                        .starts_with(&format!("store {} is damaged: ", s.path.display())),
                    "{how} {engine} {cmd:?}: {}",
                    r.stderr
                );
            }
            if how != "truncated" || engine == "sled" {
                let r = s.import(&repo(SAMPLE)).fails_with(FAILURE);
                assert!(r.stderr.contains("is damaged"), "{how} {engine}: {}", r.stderr);
            }
        }
    }
}

/// Finding 2: one-bit flips all over a small redb store's file never make a command panic;
/// each command either answers or reports `store PATH is damaged` with exit 4. (Without
/// value checksums, a flip inside a value's bytes can still change what it reads.)
#[test]
fn issue_17_bit_flips_in_a_redb_file_never_panic() {
    let s = TestStore::new("redb");
    s.import(&repo(SAMPLE)).ok();
    let file = s.path.join("store.redb");
    let original = std::fs::read(&file).unwrap();
    let good = s.dump();
    let flips = 60;
    let (mut damaged, mut same, mut changed) = (0, 0, 0);
    for i in 0..flips {
        let mut bytes = original.clone();
        let at = (i * 7919 * 64 + 13) % bytes.len();
        bytes[at] ^= 1 << (i % 8);
        std::fs::write(&file, &bytes).unwrap();
        let mut worst = 0;
        let mut output = String::new();
        for cmd in [&["dump"][..], &["stats"], &["check"]] {
            let r = s.run(cmd);
            assert!(
                !r.stderr.contains("panicked") && (r.code == 0 || r.code == FAILURE),
                "flip at byte {at}: {cmd:?} exit {}: {}",
                r.code,
                r.stderr
            );
            if r.code == FAILURE {
                assert!(
                    r.stderr.contains("is damaged"),
                    "flip at byte {at}: {cmd:?}: {}",
                    r.stderr
                );
            }
            if cmd == ["dump"] {
                output = r.stdout.clone();
            }
            worst = worst.max(r.code);
        }
        match (worst, output == good) {
            (FAILURE, _) => damaged += 1,
            (_, true) => same += 1,
            _ => changed += 1,
        }
    }
    eprintln!("{flips} flips: {damaged} reported damaged, {same} harmless, {changed} changed what dump prints");
    std::fs::write(&file, &original).unwrap();
}

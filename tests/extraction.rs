//! Issue 5: extraction of entities and events from news articles — the seed article against
//! the curated sample, new entities from an empty store, relative dates, cross-script
//! resolution, provenance offsets, the data-file override, and the measured quality on the
//! annotated articles of tests/extraction/.

use crate::util::{dipgraph, repo, run, TestStore, ENGINES, SAMPLE};
use serde_json::Value;
use std::collections::BTreeSet;

const SEED: &str = "data/articles/ma-de-security-cooperation.ar.txt";

fn lines(jsonl: &str) -> Vec<Value> {
    jsonl
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect()
}

fn of_kind<'a>(records: &'a [Value], kind: &str) -> Vec<&'a Value> {
    records.iter().filter(|r| r["kind"] == kind).collect()
}

/// What the seed test compares: type, date at its precision, participants with roles, location.
type Signature = (String, String, BTreeSet<(String, String)>, String);

fn signature(e: &Value) -> Signature {
    let parts = e["participants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["entity"].as_str().unwrap().to_string(),
                p["role"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    (
        e["type"].as_str().unwrap().to_string(),
        e["date"].as_str().unwrap().to_string(),
        parts,
        e["location"].as_str().unwrap_or("").to_string(),
    )
}

/// The events the seed article yields: the sample's, but for the meeting held on Romann's
/// visit, which the extractor folds into that visit (one trip is one event), while the
/// curated sample records it apart.
fn sample_events() -> BTreeSet<Signature> {
    let text = std::fs::read_to_string(repo(SAMPLE)).unwrap();
    of_kind(&lines(&text), "event")
        .into_iter()
        .filter(|e| e["key"] != "ev:2022-06-10-romann-hammouchi-meeting")
        .map(signature)
        .collect()
}

/// The text of `source` between character offsets `start-end`.
fn chars(source: &str, range: &str) -> String {
    let (a, b) = range.split_once('-').expect("start-end");
    let (a, b): (usize, usize) = (a.parse().unwrap(), b.parse().unwrap());
    source.chars().skip(a).take(b - a).collect()
}

#[test]
fn issue_5_seed_article_yields_the_sample_events() {
    for engine in ENGINES {
        let s = TestStore::new(engine);
        s.import(&repo(SAMPLE)).ok();
        // Against a store holding the sample's entities, names resolve to the sample's keys.
        let out = s.run(&["ingest", "--dry-run", SEED, "--published", "2023"]).ok();
        let records = lines(&out.stdout);
        let got: BTreeSet<_> = of_kind(&records, "event").into_iter().map(signature).collect();
        assert_eq!(got, sample_events(), "engine {engine}");
        // Every event quotes full sentences of the article, with its provenance.
        let article = std::fs::read_to_string(repo(SEED)).unwrap();
        for e in of_kind(&records, "event") {
            assert!(e["confidence"].as_f64().unwrap() < 1.0);
            assert!(e["props"]["rule"].as_str().unwrap().contains(':'));
            for src in e["sources"].as_array().unwrap() {
                assert_eq!(src["doc"], "ma-de-security-cooperation.ar");
                assert_eq!(src["published"], "2023");
                assert_eq!(src["lang"], "ar");
                assert!(article.contains(src["quote"].as_str().unwrap()));
            }
        }
        // The real thing writes them through import's path: the sample's 5 events plus the
        // 5 extracted ones (extracted events have derived keys).
        let done = s.run(&["ingest", SEED, "--published", "2023"]).ok();
        assert!(done.stderr.contains("ingested 1 article"), "{}", done.stderr);
        let stats: Value = serde_json::from_str(&s.run(&["stats", "--format", "json"]).ok().stdout).unwrap();
        assert_eq!(stats["events"]["visit"], 4, "engine {engine}");
        assert_eq!(
            stats["entities"]["person"], 4,
            "no new person: all resolved to the sample's"
        );
        // Ingesting again changes nothing.
        let again = s.run(&["ingest", SEED, "--published", "2023"]).ok();
        assert!(again.stderr.contains("0 events added, 0 updated"), "{}", again.stderr);
    }
}

#[test]
fn issue_5_seed_into_an_empty_store_creates_entities_with_keys() {
    for engine in ENGINES {
        let s = TestStore::new(engine);
        s.run(&["ingest", SEED, "--published", "2023"]).ok();
        let dump = lines(&s.dump());
        let keys: BTreeSet<&str> = of_kind(&dump, "entity")
            .iter()
            .map(|e| e["key"].as_str().unwrap())
            .collect();
        for k in [
            "MAR",
            "DEU",
            "org:dgst",
            "org:dgsn",
            "org:bfv",
            "org:bpol",
            "org:deu-embassy-rabat",
            "place:rabat",
            "person:abd-alltif-hmushi",
            "person:tumas-haldnuangh",
            "person:rubrt-dulghr",
            "person:diitr-ruman",
        ] {
            assert!(keys.contains(k), "{k} missing from {keys:?}");
        }
        let hammouchi = of_kind(&dump, "entity")
            .into_iter()
            .find(|e| e["key"] == "person:abd-alltif-hmushi")
            .unwrap();
        assert_eq!(hammouchi["name"], "عبد اللطيف حموشي");
        assert_eq!(hammouchi["country"], "MAR", "from his office, the DGST");
        assert_eq!(hammouchi["props"]["found_by"], "title");
        // The title states the position.
        let positions: BTreeSet<(String, String, String)> = of_kind(&dump, "relation")
            .into_iter()
            .filter(|r| r["type"] == "holds_position")
            .map(|r| {
                (
                    r["from"].as_str().unwrap().to_string(),
                    r["to"].as_str().unwrap().to_string(),
                    r["title"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert!(positions.contains(&(
            "person:abd-alltif-hmushi".into(),
            "org:dgst".into(),
            "Director General".into()
        )));
        assert!(positions.contains(&("person:tumas-haldnuangh".into(), "org:bfv".into(), "President".into())));
        let events = of_kind(&dump, "event");
        assert_eq!(
            events.len(),
            4,
            "engine {engine}: the meeting on Romann's visit is part of it"
        );
        let visit = events
            .iter()
            .find(|e| e["type"] == "visit" && e["date"] == "2022-06-10")
            .expect("Romann's visit");
        assert_eq!(visit["location"], "place:rabat");
        assert_eq!(
            visit["sources"].as_array().unwrap().len(),
            3,
            "three sentences report it"
        );
    }
}

#[test]
fn issue_5_relative_dates_stay_unresolved_without_a_publication_date() {
    let s = TestStore::new("redb");
    let out = s.run(&["ingest", "--dry-run", SEED]).ok();
    let dates: BTreeSet<String> = of_kind(&lines(&out.stdout), "event")
        .into_iter()
        .map(|e| e["date"].as_str().unwrap().to_string())
        .collect();
    // Only what the text dates explicitly ("10 يونيو 2022") is written.
    assert_eq!(dates, BTreeSet::from(["2022-06-10".to_string()]));
    assert!(out.stderr.contains("unresolved date"), "{}", out.stderr);
    assert!(out.stderr.contains("في شهر ماي من السنة الماضية"), "{}", out.stderr);
    assert!(!s.path.exists(), "a dry run creates no store");
}

#[test]
fn issue_5_names_resolve_across_scripts_and_near_misses_are_reported() {
    for engine in ENGINES {
        let s = TestStore::new(engine);
        s.import(&repo(SAMPLE)).ok();
        // هالدينفانج is the sample's هالدنوانغ / Haldenwang.
        let art = repo("tests/extraction/ar-05-hammouchi-bfv.ar.txt");
        let out = s
            .run(&[
                "ingest",
                "--dry-run",
                art.to_str().unwrap(),
                "--published",
                "2023-03-08",
            ])
            .ok();
        assert!(out.stderr.contains("taken to be person:haldenwang"), "{}", out.stderr);
        let records = lines(&out.stdout);
        let haldenwang = of_kind(&records, "entity")
            .into_iter()
            .find(|e| e["key"] == "person:haldenwang")
            .expect("a record adding the new spelling");
        assert_eq!(haldenwang["aliases"], serde_json::json!(["توماس هالدينفانج"]));
        let visit = of_kind(&records, "event")
            .into_iter()
            .find(|e| e["date"] == "2023-03-07")
            .unwrap();
        let roles: BTreeSet<(String, String)> = signature(visit).2;
        assert!(roles.contains(&("person:haldenwang".into(), "visitor".into())));
        assert!(roles.contains(&("person:hammouchi".into(), "host".into())));
        // A similar but different name: a new person, and the near miss is reported.
        let other = s.file(
            "other.ar.txt",
            "استقبل المدير العام لمراقبة التراب الوطني، عبد اللطيف حموشي، يوم 5 ماي 2023 بالرباط، رئيس الشرطة الاتحادية بألمانيا، توماس هالدمان.\n",
        );
        let out = s.run(&["ingest", "--dry-run", other.to_str().unwrap()]).ok();
        assert!(out.stderr.contains("near miss"), "{}", out.stderr);
        assert!(out.stderr.contains("person:haldenwang"), "{}", out.stderr);
        let keys: BTreeSet<String> = of_kind(&lines(&out.stdout), "event")
            .into_iter()
            .flat_map(|e| signature(e).2.into_iter().map(|p| p.0))
            .collect();
        assert!(keys.contains("person:hammouchi"));
        assert!(!keys.contains("person:haldenwang"), "{keys:?}");
    }
}

#[test]
fn issue_5_offsets_point_into_the_file_as_read() {
    let s = TestStore::new("redb");
    // Plain text: the offsets delimit the quote exactly.
    let out = s.run(&["ingest", "--dry-run", SEED, "--published", "2023"]).ok();
    let article = std::fs::read_to_string(repo(SEED)).unwrap();
    for e in of_kind(&lines(&out.stdout), "event") {
        let offsets: Vec<&str> = e["props"]["offsets"].as_str().unwrap().split(" | ").collect();
        let sources = e["sources"].as_array().unwrap();
        assert_eq!(offsets.len(), sources.len());
        for (o, src) in offsets.iter().zip(sources) {
            assert_eq!(chars(&article, o), src["quote"].as_str().unwrap());
        }
    }
    // HTML: they delimit the sentence in the markup; without its tags it is the quote.
    let html = repo("tests/extraction/fr-07-belgique-maroc.fr.html");
    let source = std::fs::read_to_string(&html).unwrap();
    let out = s
        .run(&[
            "ingest",
            "--dry-run",
            html.to_str().unwrap(),
            "--published",
            "2022-11-08",
            "--source",
            "https://example.org/be-ma",
        ])
        .ok();
    let events = lines(&out.stdout);
    let events = of_kind(&events, "event");
    assert_eq!(
        events.len(),
        2,
        "the visit, with the talks held on it, and the agreement"
    );
    let tags = regex::Regex::new(r"<[^>]*>").unwrap();
    for e in events {
        let offsets: Vec<&str> = e["props"]["offsets"].as_str().unwrap().split(" | ").collect();
        for (o, src) in offsets.iter().zip(e["sources"].as_array().unwrap()) {
            assert_eq!(src["url"], "https://example.org/be-ma");
            assert_eq!(tags.replace_all(&chars(&source, o), ""), src["quote"].as_str().unwrap());
        }
    }
    assert!(!out.stdout.contains("Le Quotidien"), "the footer is not article text");
}

#[test]
fn issue_5_negated_and_announced_events_are_skipped_and_reported() {
    let s = TestStore::new("redb");
    let art = repo("tests/extraction/en-05-italy-traps.en.txt");
    let out = s
        .run(&[
            "ingest",
            "--dry-run",
            art.to_str().unwrap(),
            "--published",
            "2023-01-16",
        ])
        .ok();
    let types: Vec<String> = of_kind(&lines(&out.stdout), "event")
        .into_iter()
        .map(|e| {
            let status = e["status"].as_str().unwrap_or("reported");
            format!(
                "{} {} {status}",
                e["type"].as_str().unwrap(),
                e["date"].as_str().unwrap()
            )
        })
        .collect();
    // The announced visit is kept as planned (issue 13); the plainly negated one is no event.
    assert!(types.contains(&"meeting 2023-01-14 reported".to_string()), "{types:?}");
    assert!(types.contains(&"visit 2022-12 reported".to_string()), "{types:?}");
    assert!(
        types.iter().any(|t| t.starts_with("visit ") && t.ends_with(" planned")),
        "{types:?}"
    );
    assert!(out.stderr.contains("negated (\"not\")"), "{}", out.stderr);
}

#[test]
fn issue_5_two_articles_reporting_one_event_make_one_event_with_both_quotes() {
    for engine in ENGINES {
        let s = TestStore::new(engine);
        let a = s.file(
            "a.en.txt",
            "Moroccan Foreign Minister Nasser Bourita received Spanish Foreign Minister Jose Manuel Albares in Rabat on 2 February 2023.\n",
        );
        let b = s.file(
            "b.en.txt",
            "Spanish Foreign Minister Jose Manuel Albares was received in Rabat on 2 February 2023 by his Moroccan counterpart Nasser Bourita.\n",
        );
        s.run(&["ingest", a.to_str().unwrap(), b.to_str().unwrap()]).ok();
        let dump = lines(&s.dump());
        let events = of_kind(&dump, "event");
        assert_eq!(events.len(), 1, "engine {engine}");
        let docs: Vec<&str> = events[0]["sources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["doc"].as_str().unwrap())
            .collect();
        assert_eq!(docs, ["a.en", "b.en"]);
        // A third article about the same visit adds its quote to the stored event.
        let c = s.file(
            "c.en.txt",
            "On 2 February 2023, Nasser Bourita received Jose Manuel Albares in Rabat.\n",
        );
        s.run(&["ingest", c.to_str().unwrap()]).ok();
        let dump = lines(&s.dump());
        let events = of_kind(&dump, "event");
        assert_eq!(events.len(), 1);
        assert_eq!(events[0]["sources"].as_array().unwrap().len(), 3);
    }
}

#[test]
fn issue_5_a_trigger_added_in_a_data_file_needs_no_rebuild() {
    let s = TestStore::new("redb");
    let text = s.file(
        "fr.txt",
        "Le ministre marocain des Affaires étrangères, Nasser Bourita, a devisé lundi 6 mars 2023 avec son homologue espagnol, José Manuel Albares.\n",
    );
    let count = |extra: Option<&std::path::Path>| -> usize {
        let mut cmd = s.cmd(&["ingest", "--dry-run", text.to_str().unwrap()]);
        if let Some(dir) = extra {
            cmd.env("DIPGRAPH_DATA", dir);
        }
        of_kind(&lines(&run(&mut cmd).ok().stdout), "event").len()
    };
    assert_eq!(count(None), 0, "\"a devisé\" is no trigger of the embedded lexicon");
    let dir = s.dir.path().join("data");
    std::fs::create_dir_all(dir.join("lexicons")).unwrap();
    let mut triggers = std::fs::read_to_string(repo("data/lexicons/triggers.tsv")).unwrap();
    triggers.push_str("talks\tfr\ta devisé\tactive\tpast\n");
    std::fs::write(dir.join("lexicons/triggers.tsv"), triggers).unwrap();
    assert_eq!(count(Some(&dir)), 1);
    // A broken data file is reported with its line, and is a failure.
    std::fs::write(dir.join("lexicons/triggers.tsv"), "talks\tfr\tonly three columns\n").unwrap();
    let mut cmd = s.cmd(&["ingest", "--dry-run", text.to_str().unwrap()]);
    cmd.env("DIPGRAPH_DATA", &dir);
    let failed = run(&mut cmd).fails_with(4);
    assert!(
        failed
            .stderr
            .contains("triggers.tsv:1: expected 5 tab-separated columns"),
        "{}",
        failed.stderr
    );
}

#[test]
fn issue_5_eval_meets_the_quality_thresholds() {
    let gold = repo("tests/extraction");
    let files: Vec<String> = std::fs::read_dir(&gold)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".gold.json"))
        .collect();
    assert!(files.len() >= 20, "{} annotated articles", files.len());
    for lang in ["ar-", "fr-", "en-"] {
        assert!(files.iter().filter(|f| f.starts_with(lang)).count() >= 6, "{lang}");
    }
    let out = run(dipgraph().arg("eval").arg(&gold).args(["--format", "json"])).ok();
    let report: Value = serde_json::from_str(&out.stdout).unwrap();
    let f1 = |what: &str| {
        let c = &report[what];
        let (tp, fp, fn_) = (
            c["tp"].as_f64().unwrap(),
            c["fp"].as_f64().unwrap(),
            c["fn"].as_f64().unwrap(),
        );
        2.0 * tp / (2.0 * tp + fp + fn_)
    };
    assert!(f1("events") >= 0.85, "event F1 {:.3}", f1("events"));
    assert!(f1("entities") >= 0.90, "entity F1 {:.3}", f1("entities"));
    // The text report prints the same figures.
    let text = run(dipgraph().arg("eval").arg(&gold)).ok().stdout;
    assert!(text.contains(&format!("F1 {:.3}", f1("events"))), "{text}");
}

#[test]
fn issue_13_announced_cancelled_and_denied_events_keep_their_status() {
    let s = TestStore::new("redb");
    let a = s.file(
        "status.en.txt",
        "Moroccan Foreign Minister Nasser Bourita will visit Madrid next week, the ministry said.\n\
         Spanish Foreign Minister Jose Manuel Albares cancelled his visit to Rabat on 2 February 2023.\n\
         Moroccan Foreign Minister Nasser Bourita did not meet Spanish Foreign Minister Jose Manuel Albares on 1 February 2023.\n",
    );
    let out = s
        .run(&["ingest", "--dry-run", a.to_str().unwrap(), "--published", "2023-02-06"])
        .ok();
    let statuses: Vec<String> = of_kind(&lines(&out.stdout), "event")
        .into_iter()
        .map(|e| {
            format!(
                "{} {}",
                e["type"].as_str().unwrap(),
                e["status"].as_str().unwrap_or("reported")
            )
        })
        .collect();
    assert!(statuses.contains(&"visit planned".to_string()), "{statuses:?}");
    assert!(statuses.contains(&"visit cancelled".to_string()), "{statuses:?}");
    assert!(
        !statuses.iter().any(|s| s.starts_with("meeting")),
        "a plain negation is no event: {statuses:?}"
    );

    let d = s.file(
        "denied.ar.txt",
        "نفت وزارة الخارجية المغربية أن يكون وزير الخارجية ناصر بوريطة قد زار مدريد يوم 2 فبراير 2023.\n",
    );
    let out = s
        .run(&["ingest", "--dry-run", d.to_str().unwrap(), "--published", "2023-02-06"])
        .ok();
    let records = lines(&out.stdout);
    let events = of_kind(&records, "event");
    assert!(
        events.iter().any(|e| e["status"] == "denied"),
        "{}\n{}",
        out.stdout,
        out.stderr
    );
}

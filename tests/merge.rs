//! Issue 5: `merge` and `split` correct entity resolution, with every affected record and
//! index rewritten in one write — on both engines.

use crate::util::{repo, TestStore, ENGINES, SAMPLE};

const DUPLICATE: &str = concat!(
    r#"{"kind":"entity","key":"person:haldenwang-2","type":"person","name":"T. Haldenwang","aliases":["هالدينفانج"],"country":"DEU","sector":"intelligence"}"#,
    "\n",
    r#"{"kind":"relation","type":"holds_position","from":"person:haldenwang-2","to":"org:bfv","title":"President","since":"2018-11"}"#,
    "\n",
    r#"{"kind":"entity","key":"place:rabat-2","type":"place","name":"Rabat city","country":"MAR"}"#,
    "\n",
    r#"{"kind":"event","key":"ev:2024-haldenwang-rabat","type":"visit","date":"2024-03","location":"place:rabat-2","domains":["intelligence"],"participants":[{"entity":"person:haldenwang-2","role":"visitor"},{"entity":"person:hammouchi","role":"host"}]}"#,
    "\n"
);

fn store_with_duplicate(engine: &'static str) -> TestStore {
    let s = TestStore::new(engine);
    s.import(&repo(SAMPLE)).ok();
    let f = s.file("dup.jsonl", DUPLICATE);
    s.import(&f).ok();
    s
}

fn json(s: &TestStore, args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&s.run(args).ok().stdout).unwrap()
}

#[test]
fn issue_5_merge_rewrites_events_relations_locations_and_aliases() {
    for engine in ENGINES {
        let s = store_with_duplicate(engine);
        let r = s.run(&["merge", "person:haldenwang", "هالدينفانج"]).ok();
        assert!(
            r.stderr
                .contains("merged person:haldenwang-2 into person:haldenwang: 1 events, 1 relations"),
            "{}",
            r.stderr
        );
        s.run(&["merge", "Rabat", "place:rabat-2"]).ok();

        let dump = s.dump();
        assert!(
            !dump.contains("person:haldenwang-2") && !dump.contains("place:rabat-2"),
            "{dump}"
        );
        let e = json(&s, &["entity", "person:haldenwang", "--format", "json"]);
        let aliases: Vec<&str> = e["aliases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        assert!(
            aliases.contains(&"T. Haldenwang") && aliases.contains(&"هالدينفانج"),
            "{aliases:?}"
        );
        let events: Vec<&str> = e["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["key"].as_str().unwrap())
            .collect();
        assert_eq!(events, ["ev:2023-bfv-visit-rabat", "ev:2024-haldenwang-rabat"]);
        assert_eq!(
            e["positions"].as_array().unwrap().len(),
            1,
            "the duplicate position collapsed into one"
        );
        // The contacts index knows the merged participant and the merged location.
        let c = json(&s, &["contacts", "MAR", "DEU", "--since", "2024", "--format", "json"]);
        assert_eq!(c[0]["key"], "ev:2024-haldenwang-rabat");
        assert_eq!(c[0]["location"]["key"], "place:rabat");
        assert_eq!(c[0]["participants"][0]["key"], "person:haldenwang");
        // The old names still find the survivor.
        let hits = json(&s, &["search", "هالدينفانج", "--format", "json"]);
        assert_eq!(hits[0]["key"], "person:haldenwang");
        // A fresh store built from the dump answers the same: the indexes agree with records.
        let fresh = TestStore::new(engine);
        fresh.import(&fresh.file("d.jsonl", &dump)).ok();
        assert_eq!(fresh.dump(), dump);
        for q in [
            &["contacts", "MAR", "DEU", "--format", "json"][..],
            &["neighbors", "person:haldenwang", "--hops", "2", "--format", "json"],
        ] {
            assert_eq!(fresh.run(q).ok().stdout, s.run(q).ok().stdout, "{q:?}");
        }
    }
}

#[test]
fn issue_5_split_moves_aliases_and_participations() {
    for engine in ENGINES {
        let s = TestStore::new(engine);
        s.import(&repo(SAMPLE)).ok();
        s.run(&[
            "split",
            "person:hammouchi",
            "--new-key",
            "person:hammouchi-2",
            "--name",
            "Abdellatif Hamouchi",
            "--alias",
            "Abdellatif Hamouchi",
            "--event",
            "ev:2023-bfv-visit-rabat",
        ])
        .ok();
        let old = json(&s, &["entity", "person:hammouchi", "--format", "json"]);
        let new = json(&s, &["entity", "person:hammouchi-2", "--format", "json"]);
        assert_eq!(old["events"].as_array().unwrap().len(), 2);
        assert_eq!(new["events"][0]["key"], "ev:2023-bfv-visit-rabat");
        assert!(!old["aliases"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a == "Abdellatif Hamouchi"));
        assert_eq!(new["side"], "MAR");
        let r = json(&s, &["search", "Abdellatif Hamouchi", "--format", "json"]);
        assert_eq!(r[0]["key"], "person:hammouchi-2");
        // The 2023 visit is still a Morocco–Germany contact, now through the new entity.
        let c = json(&s, &["contacts", "MAR", "DEU", "--since", "2023", "--format", "json"]);
        assert_eq!(c[0]["participants"][2]["key"], "person:hammouchi-2");
    }
}

#[test]
fn issue_5_corrections_refuse_what_makes_no_sense() {
    let s = store_with_duplicate("redb");
    let before = s.dump();
    let r = s.run(&["merge", "person:haldenwang", "org:bfv"]).fails_with(1);
    assert!(
        r.stderr
            .contains("cannot merge organization \"org:bfv\" into person \"person:haldenwang\""),
        "{}",
        r.stderr
    );
    let r = s
        .run(&["split", "person:romann", "--new-key", "person:hammouchi", "--name", "X"])
        .fails_with(1);
    assert!(r.stderr.contains("already exists"), "{}", r.stderr);
    let r = s
        .run(&[
            "split",
            "person:romann",
            "--new-key",
            "person:x",
            "--name",
            "X",
            "--event",
            "ev:2023-bfv-visit-rabat",
        ])
        .fails_with(1);
    assert!(r.stderr.contains("does not take part"), "{}", r.stderr);
    s.run(&["merge", "person:nobody", "person:romann"]).fails_with(1);
    assert_eq!(s.dump(), before);
}

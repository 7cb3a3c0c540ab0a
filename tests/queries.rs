//! Issue 3: the queries — contacts, timeline, entity, search, neighbors, path, demo — with
//! expected answers on the sample, through the real binary, each on both engines; and the
//! side of a person without `country` following the position held at the event's date,
//! including the store's re-indexing when positions or an organization's country change.

use crate::util::{repo, TestStore, ENGINES, SAMPLE};
use serde_json::{json, Value};

const DATA_ERROR: i32 = 1;
const USAGE: i32 = 2;

const COMMITTEE: &str = "ev:2022-06-joint-security-committee";
const MEETING: &str = "ev:2022-06-10-romann-hammouchi-meeting";
const ROMANN_VISIT: &str = "ev:2022-06-10-romann-visit-rabat";
const BFV_VISIT: &str = "ev:2023-bfv-visit-rabat";
const APPOINTMENT: &str = "ev:2022-05-doelger-appointment";

/// The sample's Morocco–Germany contacts, in (interval start, key) order.
const ALL_CONTACTS: [&str; 4] = [COMMITTEE, MEETING, ROMANN_VISIT, BFV_VISIT];

fn sample_store(engine: &'static str) -> TestStore {
    let s = TestStore::new(engine);
    s.import(&repo(SAMPLE)).ok();
    s
}

/// Run a command that must succeed and parse its JSON output.
#[track_caller]
fn json_of(s: &TestStore, args: &[&str]) -> Value {
    let out = s.run(args).ok().stdout;
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}):\n{out}"))
}

/// The keys of `contacts ARGS --format json`, in output order.
#[track_caller]
fn contact_keys(s: &TestStore, args: &[&str]) -> Vec<String> {
    let mut all = vec!["contacts"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    keys_of(&json_of(s, &all))
}

fn keys_of(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|c| c["key"].as_str().unwrap().to_string())
        .collect()
}

fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

// ---------------------------------------------------------------------------------------
// contacts

#[test]
fn issue_3_contacts_security_since_2022_gives_the_four_contacts_in_order() {
    for engine in ENGINES {
        let s = sample_store(engine);
        assert_eq!(
            contact_keys(&s, &["Morocco", "Germany", "--domain", "security", "--since", "2022"]),
            strs(&ALL_CONTACTS),
            "engine {engine}"
        );
        // Without filters: the same four. Dölger's 2022-05 appointment has only German
        // participants (Dölger, DEU) and a German location, so it is no Morocco–Germany
        // contact ("the location alone never makes a side").
        let all = contact_keys(&s, &["MAR", "DEU"]);
        assert_eq!(all, strs(&ALL_CONTACTS), "engine {engine}");
        assert!(!all.contains(&APPOINTMENT.to_string()));
        // The order of the two countries does not matter.
        assert_eq!(
            s.run(&["contacts", "DEU", "MAR", "--format", "json"]).ok().stdout,
            s.run(&["contacts", "MAR", "DEU", "--format", "json"]).ok().stdout,
            "engine {engine}"
        );
    }
}

#[test]
fn issue_3_contacts_json_fields_and_date_precision() {
    for engine in ENGINES {
        let s = sample_store(engine);
        let v = json_of(
            &s,
            &[
                "contacts", "Morocco", "Germany", "--domain", "security", "--since", "2022", "--format", "json",
            ],
        );
        let c = v.as_array().unwrap();
        assert_eq!(c.len(), 4);

        let committee = &c[0];
        let fields: Vec<&str> = committee.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            fields,
            [
                "key",
                "type",
                "date",
                "title",
                "location",
                "domains",
                "participants",
                "sources",
                "confidence"
            ],
            "engine {engine}: no end_date key when the event has none"
        );
        assert_eq!(committee["key"], COMMITTEE);
        assert_eq!(committee["type"], "committee_meeting");
        assert_eq!(committee["date"], "2022-06", "a month stays a month");
        assert!(committee["title"]
            .as_str()
            .unwrap()
            .starts_with("Morocco-Germany joint security committee"));
        assert_eq!(committee["location"], json!({"key": "place:rabat", "name": "Rabat"}));
        assert_eq!(committee["domains"], json!(["security", "policing"]));
        assert_eq!(
            committee["participants"],
            json!([
                {"key": "org:dgsn-iscp", "name": "DGSN International Security Cooperation Pole",
                 "type": "organization", "role": "member", "side": "MAR", "sectors": ["police"]},
                {"key": "org:deu-embassy-rabat-police-liaison",
                 "name": "Police Liaison Office, Embassy of Germany in Rabat",
                 "type": "organization", "role": "member", "side": "DEU", "sectors": ["police"]}
            ])
        );
        let src = &committee["sources"][0];
        assert_eq!(src["doc"], "ma-de-security-cooperation.ar");
        assert_eq!(src["published"], "2023");
        assert_eq!(src["lang"], "ar");
        assert!(src["quote"]
            .as_str()
            .unwrap()
            .starts_with("كما سبق أن عقدت لجنة أمنية مشتركة"));
        assert!(src.get("url").is_none(), "absent source fields are omitted");
        assert_eq!(committee["confidence"], 1.0);

        assert_eq!(c[1]["date"], "2022-06-10");
        assert_eq!(c[2]["date"], "2022-06-10");
        let visit = &c[2];
        assert_eq!(visit["key"], ROMANN_VISIT);
        assert_eq!(
            visit["domains"],
            json!(["security", "policing", "counterterrorism", "organized_crime"])
        );
        assert_eq!(
            visit["participants"],
            json!([
                {"key": "person:romann", "name": "Dieter Romann", "type": "person", "role": "visitor",
                 "side": "DEU", "sectors": ["police"]},
                {"key": "org:bpol", "name": "German Federal Police", "type": "organization",
                 "role": "delegation", "side": "DEU", "sectors": ["police"]},
                {"key": "person:hammouchi", "name": "Abdellatif Hammouchi", "type": "person", "role": "host",
                 "side": "MAR", "sectors": ["intelligence"]}
            ])
        );
        assert_eq!(visit["sources"].as_array().unwrap().len(), 2);

        let bfv = &c[3];
        assert_eq!(bfv["key"], BFV_VISIT);
        assert_eq!(bfv["date"], "2023", "a year stays a year");
        assert_eq!(bfv["participants"][0]["sectors"], json!(["intelligence"]));
        assert!(
            c.iter()
                .flat_map(|c| c["participants"].as_array().unwrap())
                .all(|p| p.get("offices").is_none()),
            "contacts list no offices"
        );
    }
}

#[test]
fn issue_3_contacts_any_name_of_a_country_gives_identical_json() {
    for engine in ENGINES {
        let s = sample_store(engine);
        let expected = s.run(&["contacts", "MAR", "DEU", "--format", "json"]).ok().stdout;
        for a in [
            "Morocco",
            "المغرب",
            "Maroc",
            "MAR",
            "morocco",
            "المَغْرِب",
            "Kingdom of Morocco",
        ] {
            for b in ["Germany", "ألمانيا", "Allemagne", "DEU", "المانيا", "Deutschland"] {
                let got = s.run(&["contacts", a, b, "--format", "json"]).ok().stdout;
                assert_eq!(got, expected, "engine {engine}: {a} / {b}");
            }
        }
    }
}

#[test]
fn issue_3_contacts_table_csv_and_ndjson() {
    for engine in ENGINES {
        let s = sample_store(engine);
        let args = [
            "contacts", "Morocco", "Germany", "--domain", "security", "--since", "2022",
        ];

        let table = s.run(&args).ok().stdout;
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 6, "header, 4 rows, count:\n{table}");
        assert!(lines[0].starts_with("date ") && lines[0].ends_with("key"), "{table}");
        for (row, key) in lines[1..5].iter().zip(ALL_CONTACTS) {
            assert!(row.ends_with(key), "{row}");
        }
        assert!(lines[1].starts_with("2022-06 "), "{table}");
        assert!(lines[4].starts_with("2023 "), "{table}");
        assert!(lines[2].contains("Abdellatif Hammouchi (MAR, participant); Dieter Romann (DEU, participant)"));
        assert_eq!(lines[5], "4 contacts");
        assert!(
            !table.contains("2022-06-01") && !table.contains("2023-01-01"),
            "{table}"
        );

        let mut with_format = args.to_vec();
        with_format.extend_from_slice(&["--format", "csv"]);
        let csv_out = s.run(&with_format).ok().stdout;
        let mut r = csv::Reader::from_reader(csv_out.as_bytes());
        let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
        assert_eq!(
            header,
            [
                "key",
                "type",
                "date",
                "end_date",
                "title",
                "location",
                "domains",
                "participants",
                "sources"
            ]
        );
        let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
        let keys: Vec<&str> = rows.iter().map(|r| &r[0]).collect();
        assert_eq!(keys, ALL_CONTACTS);
        assert_eq!(&rows[0][2], "2022-06");
        assert_eq!(&rows[3][2], "2023");
        assert_eq!(&rows[0][5], "place:rabat");
        assert_eq!(&rows[0][6], "security;policing");
        assert_eq!(
            &rows[0][7],
            "DGSN International Security Cooperation Pole (MAR, member); \
             Police Liaison Office, Embassy of Germany in Rabat (DEU, member)"
        );
        assert_eq!(&rows[0][8], "ma-de-security-cooperation.ar");

        with_format.truncate(args.len());
        with_format.extend_from_slice(&["--format", "ndjson"]);
        let nd = s.run(&with_format).ok().stdout;
        with_format.truncate(args.len());
        with_format.extend_from_slice(&["--format", "json"]);
        let arr = json_of(&s, &with_format);
        let lines: Vec<Value> = nd.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(lines.len(), 4, "{nd}");
        assert_eq!(
            Value::Array(lines),
            arr,
            "ndjson = the json array, one compact object per line"
        );
        assert!(nd.lines().all(|l| !l.contains('\n') && l.starts_with('{')));
    }
}

#[test]
fn issue_3_contacts_type_and_domain_filters() {
    for engine in ENGINES {
        let s = sample_store(engine);
        assert_eq!(
            contact_keys(&s, &["MAR", "DEU", "--type", "visit"]),
            strs(&[ROMANN_VISIT, BFV_VISIT])
        );
        assert_eq!(
            contact_keys(&s, &["MAR", "DEU", "--type", "meeting", "--type", "committee_meeting"]),
            strs(&[COMMITTEE, MEETING])
        );
        assert!(contact_keys(&s, &["MAR", "DEU", "--type", "appointment"]).is_empty());
        let empty = s.run(&["contacts", "MAR", "DEU", "--type", "talks"]).ok().stdout;
        assert!(
            empty.starts_with("date ") && empty.ends_with("\n0 contacts\n"),
            "{empty}"
        );
        assert_eq!(empty.lines().count(), 2, "{empty}");
        assert_eq!(
            contact_keys(&s, &["MAR", "DEU", "--domain", "intelligence"]),
            strs(&[BFV_VISIT])
        );
        assert_eq!(
            contact_keys(&s, &["MAR", "DEU", "--domain", "policing"]),
            strs(&[COMMITTEE, MEETING, ROMANN_VISIT])
        );
        assert_eq!(
            contact_keys(&s, &["MAR", "DEU", "--domain", "policing", "--domain", "intelligence"]),
            strs(&ALL_CONTACTS),
            "repeated --domain: any of them"
        );
        assert!(contact_keys(&s, &["MAR", "DEU", "--domain", "diplomacy"]).is_empty());
        assert_eq!(
            contact_keys(&s, &["MAR", "DEU", "--domain", "counterterrorism", "--type", "visit"]),
            strs(&[ROMANN_VISIT, BFV_VISIT])
        );
    }
}

#[test]
fn issue_3_contacts_since_and_until_with_partial_dates() {
    // (since, until, expected): --since D keeps events whose interval reaches D's first day
    // or later; --until D keeps events that start by D's last day.
    let cases: &[(Option<&str>, Option<&str>, &[&str])] = &[
        (Some("2022"), None, &ALL_CONTACTS),
        (Some("2022-07"), None, &[BFV_VISIT]),
        (Some("2023"), None, &[BFV_VISIT]),
        (Some("2023-12-31"), None, &[BFV_VISIT]),
        (Some("2024"), None, &[]),
        (Some("2022-06-10"), None, &ALL_CONTACTS),
        (Some("2022-06-11"), None, &[COMMITTEE, BFV_VISIT]),
        (Some("2022-06-30"), None, &[COMMITTEE, BFV_VISIT]),
        (None, Some("2022-05"), &[]),
        (None, Some("2022-05-31"), &[]),
        (None, Some("2022-06"), &[COMMITTEE, MEETING, ROMANN_VISIT]),
        (None, Some("2022-06-01"), &[COMMITTEE]),
        (None, Some("2022-06-09"), &[COMMITTEE]),
        (None, Some("2022-06-10"), &[COMMITTEE, MEETING, ROMANN_VISIT]),
        (None, Some("2022"), &[COMMITTEE, MEETING, ROMANN_VISIT]),
        (None, Some("2022-12-31"), &[COMMITTEE, MEETING, ROMANN_VISIT]),
        (None, Some("2023-01"), &ALL_CONTACTS),
        (None, Some("2023-01-01"), &ALL_CONTACTS),
        (
            Some("2022-06-10"),
            Some("2022-06-10"),
            &[COMMITTEE, MEETING, ROMANN_VISIT],
        ),
        (Some("2022-06-11"), Some("2022-12"), &[COMMITTEE]),
        (Some("2022-07"), Some("2022-12"), &[]),
        (Some("2021"), Some("2021"), &[]),
        (Some("2023-06"), Some("2023-06"), &[BFV_VISIT]),
    ];
    for engine in ENGINES {
        let s = sample_store(engine);
        for (since, until, expected) in cases {
            let mut args = vec!["Morocco", "Germany"];
            if let Some(d) = since {
                args.extend_from_slice(&["--since", d]);
            }
            if let Some(d) = until {
                args.extend_from_slice(&["--until", d]);
            }
            assert_eq!(
                contact_keys(&s, &args),
                strs(expected),
                "engine {engine}: since {since:?} until {until:?}"
            );
        }
    }
}

#[test]
fn issue_3_contacts_bad_names_exit_1_bad_options_exit_2() {
    for engine in ENGINES {
        let s = sample_store(engine);
        let r = s.run(&["contacts", "Narnia", "Germany"]).fails_with(DATA_ERROR);
        r.stderr_has_line("no entity matches \"Narnia\"");
        assert!(r.stdout.is_empty());

        let r = s.run(&["contacts", "Morocco", "Rabat"]).fails_with(DATA_ERROR);
        r.stderr_has_line("\"Rabat\" is place:rabat (place), not a country");
        let r = s.run(&["contacts", "Hammouchi", "Germany"]).fails_with(DATA_ERROR);
        r.stderr_has_line("\"Hammouchi\" is person:hammouchi (person), not a country");

        // Ambiguous among entities none of which is a country.
        let r = s.run(&["contacts", "DG", "Germany"]).fails_with(DATA_ERROR);
        r.stderr_has_line(
            "\"DG\" is ambiguous: it matches org:dgsn (organization, General Directorate of National Security); \
             org:dgsn-iscp (organization, DGSN International Security Cooperation Pole); \
             org:dgst (organization, General Directorate for Territorial Surveillance)",
        );

        for (args, line) in [
            (
                vec!["contacts", "MAR", "DEU", "--since", "2022-13"],
                "--since: invalid date \"2022-13\": month 13 is not 01..12",
            ),
            (
                vec!["contacts", "MAR", "DEU", "--since", "22"],
                "--since: invalid date \"22\": expected YYYY, YYYY-MM or YYYY-MM-DD",
            ),
            (
                vec!["contacts", "MAR", "DEU", "--since", "2022-06-10T00:00"],
                "--since: invalid date \"2022-06-10T00:00\": expected YYYY, YYYY-MM or YYYY-MM-DD",
            ),
            (
                vec!["contacts", "MAR", "DEU", "--until", "2022-02-30"],
                "--until: invalid date \"2022-02-30\": day 30 does not exist in that month",
            ),
            (
                vec!["contacts", "MAR", "DEU", "--since", "2023", "--until", "2022"],
                "--until 2022 is before --since 2023",
            ),
        ] {
            s.run(&args).fails_with(USAGE).stderr_has_line(line);
        }
        let r = s
            .run(&["contacts", "MAR", "DEU", "--domain", "securty"])
            .fails_with(USAGE);
        assert!(
            r.stderr
                .starts_with("unknown domain \"securty\": allowed are security,"),
            "{}",
            r.stderr
        );
        let r = s.run(&["contacts", "MAR", "DEU", "--type", "visits"]).fails_with(USAGE);
        assert!(r.stderr.starts_with("unknown event type \"visits\""), "{}", r.stderr);
        s.run(&["timeline", "MAR", "DEU", "--until", "2022-00"])
            .fails_with(USAGE);
        s.run(&["timeline", "Narnia", "DEU"]).fails_with(DATA_ERROR);
    }
}

#[test]
fn issue_3_contacts_name_of_two_countries_is_ambiguous() {
    for engine in ENGINES {
        let s = sample_store(engine);
        let f = s.file(
            "nigeria.jsonl",
            r#"{"kind":"entity","key":"NGA","type":"country","name":"Nigeria","aliases":["Federal Republic of Nigeria"]}"#,
        );
        s.import(&f).ok();
        let r = s
            .run(&["contacts", "Federal Republic", "Morocco"])
            .fails_with(DATA_ERROR);
        r.stderr_has_line(
            "\"Federal Republic\" is ambiguous: it matches DEU (country, Germany); NGA (country, Nigeria)",
        );
        // Each full name still resolves.
        assert!(contact_keys(&s, &["Federal Republic of Nigeria", "Morocco"]).is_empty());
        assert_eq!(
            contact_keys(&s, &["Federal Republic of Germany", "Morocco"]),
            strs(&ALL_CONTACTS)
        );
    }
}

// ---------------------------------------------------------------------------------------
// timeline

#[test]
fn issue_3_timeline_text_groups_by_year_and_month_and_keeps_precision() {
    for engine in ENGINES {
        let s = sample_store(engine);
        let text = s
            .run(&[
                "timeline", "Morocco", "Germany", "--domain", "security", "--since", "2022",
            ])
            .ok()
            .stdout;
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "Morocco – Germany: 4 contacts", "{text}");
        // Headings: years at column 0, months indented by two.
        let headings: Vec<&str> = lines
            .iter()
            .copied()
            .filter(|l| !l.is_empty() && !l.starts_with("    ") && !l.contains(':'))
            .collect();
        assert_eq!(headings, ["2022", "  2022-06", "2023"], "{text}");
        let events: Vec<&str> = lines
            .iter()
            .copied()
            .filter(|l| l.starts_with("    ") && !l.starts_with("      "))
            .collect();
        assert_eq!(
            events,
            [
                "    2022-06  committee_meeting in Rabat  [ev:2022-06-joint-security-committee]",
                "    2022-06-10  meeting in Rabat  [ev:2022-06-10-romann-hammouchi-meeting]",
                "    2022-06-10  visit in Rabat  [ev:2022-06-10-romann-visit-rabat]",
                "    2023  visit in Rabat  [ev:2023-bfv-visit-rabat]",
            ],
            "{text}"
        );
        assert!(!text.contains("2022-06-01") && !text.contains("2023-01-01"), "{text}");
        assert!(lines.contains(&"      Dieter Romann (participant) [DEU] — President, German Federal Police"));
        assert!(lines.contains(
            &"      Thomas Haldenwang (visitor) [DEU] — President, Federal Office for the Protection of the Constitution"
        ));
        assert!(lines.contains(&"      DGSN International Security Cooperation Pole (member) [MAR]"));
        assert!(lines.contains(&"      domains: security, intelligence, counterterrorism, organized_crime"));
        assert!(text.contains("      source: ma-de-security-cooperation.ar, 2023 — «بحث المغرب وألمانيا"));
    }
}

#[test]
fn issue_3_timeline_json_periods_events_and_actors() {
    for engine in ENGINES {
        let s = sample_store(engine);
        let t = json_of(
            &s,
            &[
                "timeline",
                "المغرب",
                "ألمانيا",
                "--domain",
                "security",
                "--since",
                "2022",
                "--format",
                "json",
            ],
        );
        assert_eq!(t["a"], json!({"key": "MAR", "name": "Morocco"}));
        assert_eq!(t["b"], json!({"key": "DEU", "name": "Germany"}));
        let periods: Vec<(String, Vec<String>)> = t["periods"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p["period"].as_str().unwrap().to_string(), keys_of(&p["events"])))
            .collect();
        assert_eq!(
            periods,
            [
                ("2022-06".to_string(), strs(&[COMMITTEE, MEETING, ROMANN_VISIT])),
                ("2023".to_string(), strs(&[BFV_VISIT])),
            ]
        );
        // Each event is the contact, flattened, with each participant's offices at the time.
        let contacts = json_of(
            &s,
            &[
                "contacts", "MAR", "DEU", "--domain", "security", "--since", "2022", "--format", "json",
            ],
        );
        let events: Vec<Value> = t["periods"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|p| p["events"].as_array().unwrap().clone())
            .collect();
        let offices: Vec<Vec<Value>> = events
            .iter()
            .map(|e| {
                e["participants"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p["offices"].clone())
                    .collect()
            })
            .collect();
        assert_eq!(
            offices[2],
            [
                json!(["President, German Federal Police"]),
                Value::Null,
                json!([
                    "Director General, General Directorate for Territorial Surveillance",
                    "Director General, General Directorate of National Security"
                ])
            ],
            "offices listed when held, omitted otherwise"
        );
        assert_eq!(
            offices[3][0],
            json!(["President, Federal Office for the Protection of the Constitution"])
        );
        let without_offices: Vec<Value> = events
            .into_iter()
            .map(|mut e| {
                for p in e["participants"].as_array_mut().unwrap() {
                    p.as_object_mut().unwrap().remove("offices");
                }
                e
            })
            .collect();
        assert_eq!(Value::Array(without_offices), contacts);

        let actors = t["actors"].as_array().unwrap();
        let actor_keys: Vec<&str> = actors.iter().map(|a| a["key"].as_str().unwrap()).collect();
        assert_eq!(
            actor_keys,
            [
                "org:bfv",
                "org:bpol",
                "org:deu-embassy-rabat-police-liaison",
                "org:dgsn-iscp",
                "person:haldenwang",
                "person:hammouchi",
                "person:romann"
            ]
        );
        let actor = |k: &str| actors.iter().find(|a| a["key"] == k).unwrap();
        assert_eq!(
            actor("person:hammouchi"),
            &json!({
                "key": "person:hammouchi", "name": "Abdellatif Hammouchi", "type": "person",
                "sides": ["MAR"],
                "positions": [
                    {"title": "Director General",
                     "organization": {"key": "org:dgst", "name": "General Directorate for Territorial Surveillance"},
                     "since": "2005-12", "until": null},
                    {"title": "Director General",
                     "organization": {"key": "org:dgsn", "name": "General Directorate of National Security"},
                     "since": "2015-10", "until": null}
                ],
                "events": [MEETING, ROMANN_VISIT, BFV_VISIT]
            })
        );
        assert_eq!(
            actor("person:haldenwang")["positions"],
            json!([{"title": "President",
                    "organization": {"key": "org:bfv", "name": "Federal Office for the Protection of the Constitution"},
                    "since": "2018-11", "until": "2024-11"}])
        );
        assert_eq!(actor("person:romann")["events"], json!([MEETING, ROMANN_VISIT]));
        assert_eq!(actor("org:bpol")["positions"], json!([]));
        assert_eq!(actor("org:dgsn-iscp")["sides"], json!(["MAR"]));
    }
}

/// Four events of 2022 between two countries: a year-precision event starts on 1 January,
/// so by (start, key) it sorts between two January events. The timeline still has one
/// period per month (or year), in date order.
#[test]
fn issue_3_timeline_year_precision_event_does_not_split_a_month() {
    let data = [
        r#"{"kind":"entity","key":"AAA","type":"country","name":"Aland"}"#,
        r#"{"kind":"entity","key":"BBB","type":"country","name":"Bland"}"#,
        r#"{"kind":"event","key":"a","type":"talks","date":"2022-01-01","participants":[{"entity":"AAA","role":"participant"},{"entity":"BBB","role":"participant"}]}"#,
        r#"{"kind":"event","key":"b","type":"talks","date":"2022","participants":[{"entity":"AAA","role":"participant"},{"entity":"BBB","role":"participant"}]}"#,
        r#"{"kind":"event","key":"c","type":"talks","date":"2022-01","participants":[{"entity":"AAA","role":"participant"},{"entity":"BBB","role":"participant"}]}"#,
        r#"{"kind":"event","key":"d","type":"talks","date":"2022-03-05","participants":[{"entity":"AAA","role":"participant"},{"entity":"BBB","role":"participant"}]}"#,
    ]
    .join("\n");
    for engine in ENGINES {
        let s = TestStore::new(engine);
        s.import(&s.file("jan.jsonl", &data)).ok();
        assert_eq!(contact_keys(&s, &["AAA", "BBB"]), strs(&["a", "b", "c", "d"]));
        let t = json_of(&s, &["timeline", "AAA", "BBB", "--format", "json"]);
        let periods: Vec<(String, Vec<String>)> = t["periods"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p["period"].as_str().unwrap().to_string(), keys_of(&p["events"])))
            .collect();
        assert_eq!(
            periods,
            [
                ("2022".to_string(), strs(&["b"])),
                ("2022-01".to_string(), strs(&["a", "c"])),
                ("2022-03".to_string(), strs(&["d"])),
            ],
            "engine {engine}"
        );
        let text = s.run(&["timeline", "AAA", "BBB"]).ok().stdout;
        let structure: Vec<&str> = text
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with("      "))
            .collect();
        assert_eq!(
            structure,
            [
                "Aland – Bland: 4 contacts",
                "2022",
                "    2022  talks  [b]",
                "  2022-01",
                "    2022-01-01  talks  [a]",
                "    2022-01  talks  [c]",
                "  2022-03",
                "    2022-03-05  talks  [d]",
            ],
            "{text}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// entity

#[test]
fn issue_3_entity_positions_over_time_and_events_in_date_order() {
    for engine in ENGINES {
        let s = sample_store(engine);
        // By Arabic surname, Latin surname, full name, alias and key: the same report.
        let expected = s.run(&["entity", "person:hammouchi", "--format", "json"]).ok().stdout;
        for name in [
            "حموشي",
            "hammouchi",
            "Abdellatif Hammouchi",
            "Abdellatif Hamouchi",
            "عبد اللطيف حموشي",
        ] {
            assert_eq!(
                s.run(&["entity", name, "--format", "json"]).ok().stdout,
                expected,
                "engine {engine}: {name}"
            );
        }
        let e: Value = serde_json::from_str(&expected).unwrap();
        assert_eq!(e["key"], "person:hammouchi");
        assert_eq!(e["type"], "person");
        assert_eq!(e["name"], "Abdellatif Hammouchi");
        assert_eq!(
            e["aliases"],
            json!(["عبد اللطيف حموشي", "Abdelatif Hammouchi", "Abdellatif Hamouchi"])
        );
        assert_eq!(e["side"], "MAR");
        assert_eq!(e["sector"], "intelligence");
        assert_eq!(
            e["positions"],
            json!([
                {"title": "Director General", "organization": "org:dgst",
                 "organization_name": "General Directorate for Territorial Surveillance",
                 "since": "2005-12", "until": null, "side": "MAR"},
                {"title": "Director General", "organization": "org:dgsn",
                 "organization_name": "General Directorate of National Security",
                 "since": "2015-10", "until": null, "side": "MAR"}
            ])
        );
        assert_eq!(e["relations"], json!([]));
        let events: Vec<(&str, &str, &str)> = e["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|ev| {
                (
                    ev["key"].as_str().unwrap(),
                    ev["date"].as_str().unwrap(),
                    ev["role"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            events,
            [
                (MEETING, "2022-06-10", "participant"),
                (ROMANN_VISIT, "2022-06-10", "host"),
                (BFV_VISIT, "2023", "host")
            ]
        );
        assert_eq!(e["events"][2]["location"], "place:rabat");
        assert_eq!(e["events"][2]["type"], "visit");

        let text = s.run(&["entity", "حموشي"]).ok().stdout;
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "Abdellatif Hammouchi [person:hammouchi] (person)");
        assert!(
            lines.contains(&"  side: MAR") && lines.contains(&"  sector: intelligence"),
            "{text}"
        );
        let pos: Vec<&&str> = lines
            .iter()
            .filter(|l| l.starts_with("    20") && l.contains(".."))
            .collect();
        assert_eq!(pos.len(), 2, "{text}");
        assert!(
            pos[0].starts_with("    2005-12..") && pos[0].ends_with("[org:dgst]"),
            "{text}"
        );
        assert!(
            pos[1].starts_with("    2015-10..") && pos[1].ends_with("[org:dgsn]"),
            "{text}"
        );
        assert!(lines.contains(&"  events: 3"), "{text}");
        let ev_lines: Vec<&&str> = lines.iter().filter(|l| l.contains("[ev:")).collect();
        assert!(
            ev_lines[0].contains(MEETING) && ev_lines[1].contains(ROMANN_VISIT),
            "{text}"
        );
        assert!(
            ev_lines[2].starts_with("    2023  ") && ev_lines[2].contains(BFV_VISIT),
            "{text}"
        );
        assert!(!text.contains("2023-01-01"), "{text}");
    }
}

#[test]
fn issue_3_entity_by_surname_organizations_and_errors() {
    for engine in ENGINES {
        let s = sample_store(engine);
        let e = json_of(&s, &["entity", "Romann", "--format", "json"]);
        assert_eq!(e["key"], "person:romann");
        assert_eq!(e["positions"][0]["since"], "2012", "a year stays a year");
        assert_eq!(keys_of(&e["events"]), strs(&[MEETING, ROMANN_VISIT]));
        assert_eq!(
            keys_of(&e["events"]),
            keys_of(&json_of(&s, &["entity", "رومان", "--format", "json"])["events"])
        );

        let d = json_of(&s, &["entity", "dolger", "--format", "json"]);
        assert_eq!(d["key"], "person:doelger");
        assert_eq!(d["events"][0]["key"], APPOINTMENT);
        assert_eq!(d["events"][0]["date"], "2022-05");
        assert_eq!(d["events"][0]["role"], "appointee");

        let org = json_of(&s, &["entity", "DGSN", "--format", "json"]);
        assert_eq!(org["key"], "org:dgsn");
        assert_eq!(org["side"], "MAR");
        assert_eq!(
            org["relations"],
            json!([
                {"type": "holds_position", "direction": "in", "other": "person:hammouchi", "title": "Director General"},
                {"type": "located_in", "direction": "out", "other": "place:rabat", "title": null},
                {"type": "part_of", "direction": "in", "other": "org:dgsn-iscp", "title": null}
            ])
        );
        assert_eq!(org["events"], json!([]));
        let country = json_of(&s, &["entity", "Allemagne", "--format", "json"]);
        assert_eq!(country["key"], "DEU");
        assert_eq!(country["side"], "DEU");
        assert_eq!(keys_of(&country["events"]), strs(&[APPOINTMENT]));

        s.run(&["entity", "Nobody Atall"])
            .fails_with(DATA_ERROR)
            .stderr_has_line("no entity matches \"Nobody Atall\"");
        let r = s.run(&["entity", "DG"]).fails_with(DATA_ERROR);
        assert!(
            r.stderr.starts_with("\"DG\" is ambiguous: it matches org:dgsn"),
            "{}",
            r.stderr
        );
    }
}

// ---------------------------------------------------------------------------------------
// search

#[test]
fn issue_3_search_arabic_and_latin_folding_shows_the_matched_alias() {
    // (query, first hit's key, its rank, the name or alias that matched)
    let cases = [
        // Arabic: with and without diacritics, ya / alef maqsura.
        ("حموشي", "person:hammouchi", "word", "عبد اللطيف حموشي"),
        ("حَمُّوشِي", "person:hammouchi", "word", "عبد اللطيف حموشي"),
        ("حموشى", "person:hammouchi", "word", "عبد اللطيف حموشي"),
        ("عبد اللطيف حموشي", "person:hammouchi", "exact", "عبد اللطيف حموشي"),
        ("عبـــد اللطيف حموشي", "person:hammouchi", "exact", "عبد اللطيف حموشي"),
        // Alef / hamza forms.
        ("ألمانيا", "DEU", "exact", "ألمانيا"),
        ("المانيا", "DEU", "exact", "ألمانيا"),
        ("إلمانيا", "DEU", "exact", "ألمانيا"),
        ("آلمانيا", "DEU", "exact", "ألمانيا"),
        // Taa marbuta / ha.
        ("المملكة المغربية", "MAR", "exact", "المملكة المغربية"),
        ("المملكه المغربيه", "MAR", "exact", "المملكة المغربية"),
        ("المغرب", "MAR", "exact", "المغرب"),
        // Latin: case and accents.
        ("dolger", "person:doelger", "word", "Robert Dölger"),
        ("DÖLGER", "person:doelger", "word", "Robert Dölger"),
        ("robert dolger", "person:doelger", "exact", "Robert Dölger"),
        ("doelger", "person:doelger", "word", "Robert Doelger"),
        ("federale", "org:bpol", "word", "Police fédérale allemande"),
        ("BUNDESAMT", "org:bfv", "prefix", "Bundesamt für Verfassungsschutz"),
        ("maroc", "MAR", "exact", "Maroc"),
        ("verfassung", "org:bfv", "word", "Bundesamt für Verfassungsschutz"),
    ];
    for engine in ENGINES {
        let s = sample_store(engine);
        for (q, key, rank, matched) in cases {
            let hits = json_of(&s, &["search", q, "--format", "json"]);
            let first = &hits[0];
            assert_eq!(
                (first["key"].as_str(), first["rank"].as_str(), first["matched"].as_str()),
                (Some(key), Some(rank), Some(matched)),
                "engine {engine}: search {q}: {hits}"
            );
            let fields: Vec<&str> = first.as_object().unwrap().keys().map(String::as_str).collect();
            assert_eq!(fields, ["key", "type", "name", "matched", "rank"]);
        }
        // Text output names the rank and the matched alias.
        let text = s.run(&["search", "حموشى"]).ok().stdout;
        assert_eq!(
            text,
            "word     Abdellatif Hammouchi [person:hammouchi] (person)  matched: عبد اللطيف حموشي\n"
        );
        assert_eq!(s.run(&["search", "xyzzy"]).ok().stdout, "no matches\n");
        assert_eq!(json_of(&s, &["search", "xyzzy", "--format", "json"]), json!([]));
        // One hit per entity, its best match: Germany exactly, the embassies by a word.
        let hits = json_of(&s, &["search", "المانيا", "--format", "json"]);
        assert_eq!(
            hits.as_array()
                .unwrap()
                .iter()
                .map(|h| (h["key"].as_str().unwrap(), h["rank"].as_str().unwrap()))
                .collect::<Vec<_>>(),
            [
                ("DEU", "exact"),
                ("org:deu-embassy-rabat", "word"),
                ("org:deu-embassy-rabat-police-liaison", "word")
            ]
        );
    }
}

#[test]
fn issue_3_search_ranks_exact_prefix_word_contains_then_key() {
    // Keys in the opposite order of the ranks, so that only the rank can put them in order.
    let data = [
        r#"{"kind":"entity","key":"e:1","type":"person","name":"Ana"}"#,
        r#"{"kind":"entity","key":"e:2","type":"person","name":"Zed","aliases":["Ána"]}"#,
        r#"{"kind":"entity","key":"a:3","type":"person","name":"Anabel"}"#,
        r#"{"kind":"entity","key":"a:2","type":"person","name":"Maria Anatolia"}"#,
        r#"{"kind":"entity","key":"a:1","type":"person","name":"Banana Split","aliases":["Bananas"]}"#,
        r#"{"kind":"entity","key":"a:0","type":"person","name":"Nobody"}"#,
    ]
    .join("\n");
    for engine in ENGINES {
        let s = TestStore::new(engine);
        s.import(&s.file("names.jsonl", &data)).ok();
        let hits = json_of(&s, &["search", "ana", "--format", "json"]);
        let got: Vec<(&str, &str, &str)> = hits
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                (
                    h["key"].as_str().unwrap(),
                    h["rank"].as_str().unwrap(),
                    h["matched"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("e:1", "exact", "Ana"),
                ("e:2", "exact", "Ána"),
                ("a:3", "prefix", "Anabel"),
                ("a:2", "word", "Maria Anatolia"),
                ("a:1", "contains", "Banana Split"),
            ],
            "engine {engine}"
        );
        let limited = json_of(&s, &["search", "ANA", "--limit", "2", "--format", "json"]);
        assert_eq!(keys_of(&limited), strs(&["e:1", "e:2"]));
        let text = s.run(&["search", "ana"]).ok().stdout;
        let ranks: Vec<&str> = text.lines().map(|l| l.split_whitespace().next().unwrap()).collect();
        assert_eq!(ranks, ["exact", "exact", "prefix", "word", "contains"], "{text}");
    }
}

// ---------------------------------------------------------------------------------------
// neighbors

/// (name, hops, center, nodes, edges)
type EgoCase = (
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static [[&'static str; 2]],
);

/// Expected ego graphs, worked out by hand from the sample as
/// `networkx.ego_graph(G, X, radius=K)` where G's nodes are entities and events and its
/// edges are participations (entity–event) and relations (entity–entity).
#[test]
fn issue_3_neighbors_hops_1_and_2_are_the_induced_ego_graph() {
    let cases: [EgoCase; 6] = [
        (
            "Dieter Romann",
            "1",
            "person:romann",
            &[MEETING, ROMANN_VISIT, "org:bpol", "person:romann"],
            &[
                [MEETING, "person:romann"],
                [ROMANN_VISIT, "org:bpol"],
                [ROMANN_VISIT, "person:romann"],
                ["org:bpol", "person:romann"],
            ],
        ),
        (
            "دييتر رومان",
            "2",
            "person:romann",
            &[MEETING, ROMANN_VISIT, "org:bpol", "person:hammouchi", "person:romann"],
            &[
                [MEETING, "person:hammouchi"],
                [MEETING, "person:romann"],
                [ROMANN_VISIT, "org:bpol"],
                [ROMANN_VISIT, "person:hammouchi"],
                [ROMANN_VISIT, "person:romann"],
                ["org:bpol", "person:romann"],
            ],
        ),
        (
            "Hammouchi",
            "1",
            "person:hammouchi",
            &[
                MEETING,
                ROMANN_VISIT,
                BFV_VISIT,
                "org:dgsn",
                "org:dgst",
                "person:hammouchi",
            ],
            &[
                [MEETING, "person:hammouchi"],
                [ROMANN_VISIT, "person:hammouchi"],
                [BFV_VISIT, "person:hammouchi"],
                ["org:dgsn", "person:hammouchi"],
                ["org:dgst", "person:hammouchi"],
            ],
        ),
        (
            "person:hammouchi",
            "2",
            "person:hammouchi",
            &[
                MEETING,
                ROMANN_VISIT,
                BFV_VISIT,
                "org:bfv",
                "org:bpol",
                "org:dgsn",
                "org:dgsn-iscp",
                "org:dgst",
                "person:haldenwang",
                "person:hammouchi",
                "person:romann",
                "place:rabat",
            ],
            &[
                [MEETING, "person:hammouchi"],
                [MEETING, "person:romann"],
                [ROMANN_VISIT, "org:bpol"],
                [ROMANN_VISIT, "person:hammouchi"],
                [ROMANN_VISIT, "person:romann"],
                [BFV_VISIT, "org:bfv"],
                [BFV_VISIT, "person:haldenwang"],
                [BFV_VISIT, "person:hammouchi"],
                ["org:bfv", "person:haldenwang"],
                ["org:bpol", "person:romann"],
                ["org:dgsn", "org:dgsn-iscp"],
                ["org:dgsn", "person:hammouchi"],
                ["org:dgsn", "place:rabat"],
                ["org:dgst", "person:hammouchi"],
                ["org:dgst", "place:rabat"],
            ],
        ),
        (
            "Haldenwang",
            "2",
            "person:haldenwang",
            &[BFV_VISIT, "org:bfv", "person:haldenwang", "person:hammouchi"],
            &[
                [BFV_VISIT, "org:bfv"],
                [BFV_VISIT, "person:haldenwang"],
                [BFV_VISIT, "person:hammouchi"],
                ["org:bfv", "person:haldenwang"],
            ],
        ),
        (
            "Rabat",
            "1",
            "place:rabat",
            &[
                "org:deu-embassy-rabat",
                "org:deu-embassy-rabat-police-liaison",
                "org:dgsn",
                "org:dgst",
                "place:rabat",
            ],
            &[
                ["org:deu-embassy-rabat", "org:deu-embassy-rabat-police-liaison"],
                ["org:deu-embassy-rabat", "place:rabat"],
                ["org:deu-embassy-rabat-police-liaison", "place:rabat"],
                ["org:dgsn", "place:rabat"],
                ["org:dgst", "place:rabat"],
            ],
        ),
    ];
    for engine in ENGINES {
        let s = sample_store(engine);
        for (name, hops, center, nodes, edges) in cases {
            let n = json_of(&s, &["neighbors", name, "--hops", hops, "--format", "json"]);
            let expected = json!({"center": center, "nodes": nodes, "edges": edges});
            assert_eq!(n, expected, "engine {engine}: {name} --hops {hops}");
        }
        let text = s.run(&["ego", "Dieter Romann", "--hops", "2"]).ok().stdout;
        assert_eq!(
            text,
            "person:romann: 5 nodes, 6 edges\n\
             \x20 0 person:romann Dieter Romann (person)\n\
             \x20 1 ev:2022-06-10-romann-hammouchi-meeting DGSN/DGST Director General Hammouchi meets German Federal Police head Romann on the sidelines of his visit (event:meeting)\n\
             \x20 1 ev:2022-06-10-romann-visit-rabat German Federal Police head Dieter Romann leads a security delegation on an official visit to Rabat (event:visit)\n\
             \x20 1 org:bpol German Federal Police (organization)\n\
             \x20 2 person:hammouchi Abdellatif Hammouchi (person)\n"
        );
        // A date window drops the events outside it (and what only they reach).
        let n = json_of(
            &s,
            &[
                "neighbors",
                "Hammouchi",
                "--hops",
                "2",
                "--since",
                "2023",
                "--format",
                "json",
            ],
        );
        assert_eq!(
            n["nodes"],
            json!([
                BFV_VISIT,
                "org:bfv",
                "org:dgsn",
                "org:dgsn-iscp",
                "org:dgst",
                "person:haldenwang",
                "person:hammouchi",
                "place:rabat"
            ])
        );
        assert_eq!(
            json_of(&s, &["neighbors", "Romann", "--hops", "0", "--format", "json"]),
            json!({"center": "person:romann", "nodes": ["person:romann"], "edges": []})
        );
        s.run(&["neighbors", "Nobody Atall"]).fails_with(DATA_ERROR);
    }
}

// ---------------------------------------------------------------------------------------
// path

#[test]
fn issue_3_path_lengths_in_edges() {
    for engine in ENGINES {
        let s = sample_store(engine);
        let p = json_of(&s, &["path", "Thomas Haldenwang", "Dieter Romann", "--format", "json"]);
        assert_eq!(p["length"], 4, "engine {engine}: {p}");
        let steps = p["steps"].as_array().unwrap();
        assert_eq!(steps.len(), 2);
        assert_eq!(
            (
                &steps[0]["from"],
                &steps[0]["from_role"],
                &steps[0]["event"],
                &steps[0]["date"]
            ),
            (
                &json!("person:haldenwang"),
                &json!("visitor"),
                &json!(BFV_VISIT),
                &json!("2023")
            )
        );
        assert_eq!(
            (&steps[0]["to"], &steps[0]["to_role"]),
            (&json!("person:hammouchi"), &json!("host"))
        );
        assert_eq!(steps[1]["from"], "person:hammouchi");
        assert_eq!(steps[1]["to"], "person:romann");
        let middle = steps[1]["event"].as_str().unwrap();
        assert!(middle == MEETING || middle == ROMANN_VISIT, "{p}");
        assert_eq!(steps[1]["date"], "2022-06-10");
        assert!(steps[0]["source"].as_str().unwrap().starts_with("بحث المغرب وألمانيا"));

        // Through Arabic names, the same chain.
        let ar = json_of(&s, &["path", "توماس هالدنوانغ", "دييتر رومان", "--format", "json"]);
        assert_eq!(ar, p);

        // person – event – person is 2.
        let p = json_of(&s, &["path", "Hammouchi", "Romann", "--format", "json"]);
        assert_eq!(p["length"], 2);
        assert_eq!(p["steps"].as_array().unwrap().len(), 1);
        let exact = json_of(
            &s,
            &["path", "Hammouchi", "Romann", "--max-hops", "2", "--format", "json"],
        );
        assert_eq!(exact, p, "--max-hops equal to the length finds the chain");
        assert_eq!(
            json_of(
                &s,
                &["path", "Hammouchi", "Romann", "--max-hops", "1", "--format", "json"]
            ),
            json!({"length": null})
        );

        // The ends may be of any type; the chain passes through persons only by default.
        assert_eq!(json_of(&s, &["path", "BfV", "BPOL", "--format", "json"])["length"], 4);

        // No chain within --max-hops: {"length": null}.
        for k in ["2", "3"] {
            let none = json_of(
                &s,
                &["path", "Haldenwang", "Romann", "--max-hops", k, "--format", "json"],
            );
            assert_eq!(none, json!({"length": null}), "--max-hops {k}");
        }
        assert_eq!(
            json_of(
                &s,
                &["path", "Haldenwang", "Romann", "--max-hops", "4", "--format", "json"]
            )["length"],
            4
        );
        // Dölger met nobody but Germany itself, which a chain through persons cannot use.
        assert_eq!(
            json_of(&s, &["path", "Dölger", "Romann", "--format", "json"]),
            json!({"length": null})
        );
        assert_eq!(
            json_of(
                &s,
                &["path", "Dölger", "Romann", "--through", "any", "--format", "json"]
            ),
            json!({"length": null})
        );
        assert_eq!(s.run(&["path", "Dölger", "Romann"]).ok().stdout, "no path\n");
        // A window that excludes 2023 cuts Haldenwang off.
        assert_eq!(
            json_of(
                &s,
                &["path", "Haldenwang", "Romann", "--until", "2022", "--format", "json"]
            ),
            json!({"length": null})
        );

        let text = s.run(&["path", "Hammouchi", "Haldenwang"]).ok().stdout;
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "length 2");
        assert_eq!(
            lines[1],
            "  person:hammouchi (host) — 2023 visit [ev:2023-bfv-visit-rabat] — person:haldenwang (visitor)"
        );
        s.run(&["path", "Romann", "person:romann"]).fails_with(USAGE);
        s.run(&["path", "Romann", "Nobody Atall"]).fails_with(DATA_ERROR);
    }
}

// ---------------------------------------------------------------------------------------
// demo

#[test]
fn issue_3_demo_prints_the_security_timeline() {
    for engine in ENGINES {
        let s = TestStore::new(engine);
        let out = s.run(&["demo"]).ok().stdout;
        assert!(
            out.contains("$ dipgraph timeline Morocco Germany --domain security --since 2022"),
            "{out}"
        );
        assert!(out.contains("\nMorocco – Germany: 4 contacts\n"), "{out}");
        for line in [
            "2022",
            "  2022-06",
            "2023",
            "    2022-06  committee_meeting in Rabat  [ev:2022-06-joint-security-committee]",
            "    2023  visit in Rabat  [ev:2023-bfv-visit-rabat]",
        ] {
            assert!(out.lines().any(|l| l == line), "no line {line:?} in\n{out}");
        }
        // --db was given, so the demo store stays and answers queries.
        assert_eq!(contact_keys(&s, &["MAR", "DEU"]), strs(&ALL_CONTACTS));
    }
    // Without --db: a temporary store, the same timeline.
    let out = crate::util::run(crate::util::dipgraph().arg("demo")).ok().stdout;
    assert!(out.contains("Morocco – Germany: 4 contacts"), "{out}");
}

// ---------------------------------------------------------------------------------------
// sides at the event's date, and re-indexing

/// Countries AAA, BBB, CCC. person:p has no `country`: Director of org:b (BBB, police)
/// from 2019 to 2020-06, Envoy at org:c (CCC, diplomacy) from 2020-07. person:a stands
/// for AAA (its `country`), person:q for BBB.
const SWITCH: &str = r#"
{"kind":"entity","key":"AAA","type":"country","name":"Aland"}
{"kind":"entity","key":"BBB","type":"country","name":"Bland"}
{"kind":"entity","key":"CCC","type":"country","name":"Cland"}
{"kind":"entity","key":"org:b","type":"organization","name":"B Police","country":"BBB","sector":"police"}
{"kind":"entity","key":"org:c","type":"organization","name":"C Office","country":"CCC","sector":"diplomacy"}
{"kind":"entity","key":"org:c2","type":"organization","name":"C Trade Office","country":"CCC","sector":"other"}
{"kind":"entity","key":"person:p","type":"person","name":"Pat Switcher"}
{"kind":"entity","key":"person:a","type":"person","name":"Ann Aland","country":"AAA","sector":"diplomacy"}
{"kind":"entity","key":"person:q","type":"person","name":"Quinn Bland","country":"BBB","sector":"diplomacy"}
{"kind":"relation","type":"holds_position","from":"person:p","to":"org:b","title":"Director","since":"2019","until":"2020-06"}
{"kind":"relation","type":"holds_position","from":"person:p","to":"org:c","title":"Envoy","since":"2020-07"}
{"kind":"event","key":"ev:2018","type":"talks","date":"2018","location":"BBB","participants":[{"entity":"person:a","role":"participant"},{"entity":"person:p","role":"participant"}]}
{"kind":"event","key":"ev:2019","type":"talks","date":"2019","participants":[{"entity":"person:a","role":"participant"},{"entity":"person:p","role":"participant"}]}
{"kind":"event","key":"ev:2020","type":"talks","date":"2020","participants":[{"entity":"person:a","role":"participant"},{"entity":"person:p","role":"participant"}]}
{"kind":"event","key":"ev:2020-06","type":"talks","date":"2020-06","participants":[{"entity":"person:a","role":"participant"},{"entity":"person:p","role":"participant"}]}
{"kind":"event","key":"ev:2020-06-30","type":"talks","date":"2020-06-30","participants":[{"entity":"person:a","role":"participant"},{"entity":"person:p","role":"participant"}]}
{"kind":"event","key":"ev:span","type":"talks","date":"2020-06-20","end_date":"2020-07-05","participants":[{"entity":"person:a","role":"participant"},{"entity":"person:p","role":"participant"}]}
{"kind":"event","key":"ev:2020-07","type":"talks","date":"2020-07","participants":[{"entity":"person:a","role":"participant"},{"entity":"person:p","role":"participant"}]}
{"kind":"event","key":"ev:2020-07-01","type":"visit","date":"2020-07-01","location":"AAA","participants":[{"entity":"person:p","role":"visitor"},{"entity":"person:a","role":"host"}]}
{"kind":"event","key":"ev:2021","type":"talks","date":"2021","participants":[{"entity":"person:a","role":"participant"},{"entity":"person:p","role":"participant"}]}
{"kind":"event","key":"ev:pq-2020","type":"talks","date":"2020","participants":[{"entity":"person:p","role":"participant"},{"entity":"person:q","role":"participant"}]}
{"kind":"event","key":"ev:pq-2020-06","type":"talks","date":"2020-06","participants":[{"entity":"person:p","role":"participant"},{"entity":"person:q","role":"participant"}]}
"#;

/// The Director position now ends in 2020-03 (same identity: updated), and a new
/// position at org:c2 (CCC) covers 2018-11..2018-12.
const SWITCH_POSITIONS: &str = r#"
{"kind":"relation","type":"holds_position","from":"person:p","to":"org:b","title":"Director","since":"2019","until":"2020-03"}
{"kind":"relation","type":"holds_position","from":"person:p","to":"org:c2","title":"Trade Envoy","since":"2018-11","until":"2018-12"}
"#;

/// org:c moves to BBB: person:p's Envoy position now puts it on BBB's side.
const SWITCH_ORG_COUNTRY: &str = r#"
{"kind":"entity","key":"org:c","type":"organization","name":"C Office","country":"BBB"}
"#;

#[track_caller]
fn assert_contacts(s: &TestStore, a: &str, b: &str, extra: &[&str], expected: &[&str], step: &str) {
    let mut args = vec![a, b];
    args.extend_from_slice(extra);
    assert_eq!(
        contact_keys(s, &args),
        strs(expected),
        "engine {}, {step}: contacts {a} {b} {extra:?}",
        s.engine
    );
}

#[test]
fn issue_3_side_follows_the_position_held_at_the_event_date_and_is_reindexed() {
    for engine in ENGINES {
        let s = TestStore::new(engine);
        s.import(&s.file("switch.jsonl", SWITCH)).ok();
        let step = "first import";
        // "2020-06" and "2020-06-30": Director at org:b (BBB). "2020-07", "2020-07-01",
        // "2021": Envoy at org:c (CCC). "2020" and the span 06-20..07-05 overlap both.
        // "2018": no position; the location (BBB) makes no side.
        assert_contacts(
            &s,
            "AAA",
            "BBB",
            &[],
            &["ev:2019", "ev:2020", "ev:2020-06", "ev:span", "ev:2020-06-30"],
            step,
        );
        assert_contacts(
            &s,
            "AAA",
            "CCC",
            &[],
            &["ev:2020", "ev:span", "ev:2020-07", "ev:2020-07-01", "ev:2021"],
            step,
        );
        // One participant with both sides makes no contact by itself; with person:q
        // (BBB) in 2020 it does: p for CCC, q for BBB. In 2020-06 p is on BBB's side only.
        assert_contacts(&s, "BBB", "CCC", &[], &["ev:pq-2020"], step);
        // Security through the sector of the position held at the date (org:b, police).
        assert_contacts(
            &s,
            "AAA",
            "BBB",
            &["--domain", "security"],
            &["ev:2019", "ev:2020", "ev:2020-06", "ev:span", "ev:2020-06-30"],
            step,
        );
        assert_contacts(
            &s,
            "AAA",
            "CCC",
            &["--domain", "security"],
            &["ev:2020", "ev:span"],
            step,
        );
        assert_contacts(&s, "AAA", "CCC", &["--domain", "diplomacy"], &[], step);
        assert_contacts(
            &s,
            "Aland",
            "Cland",
            &["--since", "2020-07", "--until", "2020-07"],
            &["ev:2020", "ev:span", "ev:2020-07", "ev:2020-07-01"],
            step,
        );

        // The side shown is the one the query is about.
        let ab = json_of(&s, &["contacts", "AAA", "BBB", "--format", "json"]);
        let ac = json_of(&s, &["contacts", "AAA", "CCC", "--format", "json"]);
        let p_in = |v: &Value, key: &str| -> Value {
            let c = v.as_array().unwrap().iter().find(|c| c["key"] == key).unwrap();
            c["participants"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["key"] == "person:p")
                .unwrap()
                .clone()
        };
        assert_eq!(p_in(&ab, "ev:2020")["side"], "BBB");
        assert_eq!(p_in(&ac, "ev:2020")["side"], "CCC");
        assert_eq!(p_in(&ab, "ev:2020")["sectors"], json!(["diplomacy", "police"]));
        assert_eq!(p_in(&ac, "ev:2021")["sectors"], json!(["diplomacy"]));

        // entity: no side of its own; positions over time, each with its side.
        let e = json_of(&s, &["entity", "Switcher", "--format", "json"]);
        assert_eq!(e["side"], Value::Null);
        assert_eq!(
            e["positions"],
            json!([
                {"title": "Director", "organization": "org:b", "organization_name": "B Police",
                 "since": "2019", "until": "2020-06", "side": "BBB"},
                {"title": "Envoy", "organization": "org:c", "organization_name": "C Office",
                 "since": "2020-07", "until": null, "side": "CCC"}
            ])
        );
        assert_eq!(
            keys_of(&e["events"]),
            strs(&[
                "ev:2018",
                "ev:2019",
                "ev:2020",
                "ev:pq-2020",
                "ev:2020-06",
                "ev:pq-2020-06",
                "ev:span",
                "ev:2020-06-30",
                "ev:2020-07",
                "ev:2020-07-01",
                "ev:2021"
            ])
        );
        // timeline: offices at each event's date; actors' positions are those held during
        // the timeline's events.
        let t = json_of(&s, &["timeline", "AAA", "BBB", "--format", "json"]);
        let p_offices: Vec<(String, Value)> = t["periods"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|p| p["events"].as_array().unwrap().clone())
            .map(|e| {
                (
                    e["key"].as_str().unwrap().to_string(),
                    e["participants"][1]["offices"].clone(),
                )
            })
            .collect();
        assert_eq!(
            p_offices,
            [
                ("ev:2019".to_string(), json!(["Director, B Police"])),
                ("ev:2020".to_string(), json!(["Director, B Police", "Envoy, C Office"])),
                ("ev:2020-06".to_string(), json!(["Director, B Police"])),
                ("ev:span".to_string(), json!(["Director, B Police", "Envoy, C Office"])),
                ("ev:2020-06-30".to_string(), json!(["Director, B Police"])),
            ]
        );
        let t = json_of(&s, &["timeline", "AAA", "BBB", "--until", "2019", "--format", "json"]);
        let p = t["actors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["key"] == "person:p")
            .unwrap();
        assert_eq!(p["sides"], json!(["BBB"]));
        assert_eq!(
            p["positions"],
            json!([{"title": "Director", "organization": {"key": "org:b", "name": "B Police"},
                    "since": "2019", "until": "2020-06"}])
        );
        let t = json_of(&s, &["timeline", "AAA", "CCC", "--format", "json"]);
        let p = t["actors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["key"] == "person:p")
            .unwrap();
        assert_eq!(p["sides"], json!(["CCC"]));
        assert_eq!(p["positions"].as_array().unwrap().len(), 2, "{p}");

        // Second import: the Director position ends earlier, a new position starts.
        let r = s.import(&s.file("positions.jsonl", SWITCH_POSITIONS)).ok();
        assert!(r.stderr.contains("1 relations added, 1 updated"), "{}", r.stderr);
        assert!(r.stderr.contains("events re-indexed for changed sides"), "{}", r.stderr);
        let step = "after the position changes";
        assert_contacts(&s, "AAA", "BBB", &[], &["ev:2019", "ev:2020"], step);
        assert_contacts(
            &s,
            "AAA",
            "CCC",
            &[],
            &[
                "ev:2018",
                "ev:2020",
                "ev:span",
                "ev:2020-07",
                "ev:2020-07-01",
                "ev:2021",
            ],
            step,
        );
        assert_contacts(&s, "BBB", "CCC", &[], &["ev:pq-2020"], step);
        assert_contacts(
            &s,
            "AAA",
            "BBB",
            &["--domain", "security"],
            &["ev:2019", "ev:2020"],
            step,
        );

        // Third import: org:c's country changes, which moves person:p's Envoy position.
        let r = s.import(&s.file("org-country.jsonl", SWITCH_ORG_COUNTRY)).ok();
        assert!(r.stderr.contains("events re-indexed for changed sides"), "{}", r.stderr);
        let step = "after org:c moves to BBB";
        let after_ab = [
            "ev:2019",
            "ev:2020",
            "ev:span",
            "ev:2020-07",
            "ev:2020-07-01",
            "ev:2021",
        ];
        assert_contacts(&s, "AAA", "BBB", &[], &after_ab, step);
        assert_contacts(&s, "AAA", "CCC", &[], &["ev:2018"], step);
        assert_contacts(&s, "BBB", "CCC", &[], &[], step);

        // A store built from the final state in one import answers the same.
        let fresh = TestStore::new(engine);
        let all = format!("{SWITCH}{SWITCH_POSITIONS}{SWITCH_ORG_COUNTRY}");
        fresh.import(&fresh.file("all.jsonl", all)).ok();
        for (a, b) in [("AAA", "BBB"), ("AAA", "CCC"), ("BBB", "CCC")] {
            assert_eq!(
                fresh.run(&["contacts", a, b, "--format", "json"]).ok().stdout,
                s.run(&["contacts", a, b, "--format", "json"]).ok().stdout,
                "engine {engine}: {a} {b}: incremental and fresh stores differ"
            );
        }
        assert_eq!(fresh.dump(), s.dump());
    }
}

/// One store handle answers queries, is written through, and answers again: what it reads
/// after the write is the written state, never a record decoded before it (the handle keeps
/// decoded records between queries, and redb reads share a transaction until the next write).
#[test]
fn issue_7_a_store_handle_never_serves_records_older_than_its_last_write() {
    use dipgraph::query::{contacts, ContactFilter};
    use dipgraph::store::{ImportOptions, Input, OpenMode, Store};
    use dipgraph::vocab::Vocab;
    let vocab = Vocab::embedded().expect("embedded ontology");
    let import = |store: &Store, jsonl: &str| {
        let input = Input {
            name: "change.jsonl".into(),
            reader: Box::new(jsonl.as_bytes()),
        };
        store
            .import(vec![input], &vocab, &ImportOptions::default())
            .expect("import");
    };
    for engine in ENGINES {
        let s = TestStore::new(engine);
        s.import(&repo(SAMPLE)).ok();
        let store = Store::open(&s.path, OpenMode::Existing).expect("store opens");
        let titles = |store: &Store| -> Vec<Option<String>> {
            contacts(store, &vocab, "MAR", "DEU", &ContactFilter::default())
                .expect("contacts")
                .into_iter()
                .map(|c| c.title)
                .collect()
        };
        let before = titles(&store);
        assert!(before
            .iter()
            .any(|t| t.as_deref().is_some_and(|t| t.starts_with("BfV president"))));
        let ev = store
            .event_id("ev:2023-bfv-visit-rabat")
            .unwrap()
            .expect("sample event");
        let deu = store.entity_id("DEU").unwrap().expect("sample country");
        assert!(!store.entity(deu).unwrap().aliases.iter().any(|a| a == "Bundesrepublik"));

        // The same event with a new title, and a new alias for Germany.
        let sample = std::fs::read_to_string(repo(SAMPLE)).unwrap();
        let line = sample
            .lines()
            .find(|l| l.contains("\"key\":\"ev:2023-bfv-visit-rabat\""))
            .expect("the event's line");
        let mut event: Value = serde_json::from_str(line).unwrap();
        event["title"] = json!("A retitled visit");
        let change = format!(
            "{}\n{}\n",
            json!({"kind": "entity", "key": "DEU", "type": "country", "name": "Germany", "aliases": ["Bundesrepublik"]}),
            event
        );
        import(&store, &change);

        assert_eq!(
            store.event(ev).unwrap().title.as_deref(),
            Some("A retitled visit"),
            "{engine}"
        );
        assert!(
            store.entity(deu).unwrap().aliases.iter().any(|a| a == "Bundesrepublik"),
            "{engine}"
        );
        let after = titles(&store);
        assert_eq!(after.len(), before.len(), "{engine}");
        assert!(
            after.iter().any(|t| t.as_deref() == Some("A retitled visit")),
            "{engine}: {after:?}"
        );
        assert!(
            !after
                .iter()
                .any(|t| t.as_deref().is_some_and(|t| t.starts_with("BfV president"))),
            "{engine}"
        );
    }
}

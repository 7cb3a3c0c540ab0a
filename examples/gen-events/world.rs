//! The project's deterministic event generator, as interchange v1 JSON Lines: countries
//! with skewed activity and a dense Morocco–Germany pair, persons and organizations with a
//! country and a sector, positions held, events of 2–4 participants from two countries,
//! some in the `security` domain. `--unaffiliated SHARE` leaves that share of persons
//! without `country` and `sector` and gives them dated positions instead, so that their
//! sides and sectors come from the positions held at each event's date.
//!
//! The `gen-events` example wraps it as a command; the benches and the integration tests
//! include this file with `#[path]`, because bench, test and example targets share no
//! module otherwise and the library has no business generating data.

use serde_json::{json, Value};
use std::io::{self, Write};

/// A small deterministic generator (splitmix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// Skewed toward 0: the smaller of two draws.
    fn skewed(&mut self, n: usize) -> usize {
        self.below(n).min(self.below(n))
    }
}

const COUNTRIES: [&str; 20] = [
    "MAR", "DEU", "FRA", "ESP", "USA", "GBR", "ITA", "DZA", "TUN", "EGY", "BEL", "NLD", "SEN", "NGA", "CHN", "RUS",
    "TUR", "SAU", "QAT", "JPN",
];
const SECTORS: [&str; 8] = [
    "government",
    "diplomacy",
    "interior",
    "intelligence",
    "police",
    "military",
    "justice",
    "parliament",
];
const DOMAINS: [&str; 6] = ["economy", "diplomacy", "migration", "culture", "energy", "trade"];
/// Event types with the roles the ontology allows for them.
const TYPES: [(&str, &[&str]); 3] = [
    ("visit", &["visitor", "host", "delegation", "participant"]),
    ("meeting", &["participant", "host", "chair"]),
    ("talks", &["participant", "host", "delegation"]),
];

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct WorldOptions {
    pub events: usize,
    pub seed: u64,
    /// The share (0..=1) of persons written without `country` and `sector`.
    pub unaffiliated: f64,
}

impl WorldOptions {
    /// `events` events with the seed and shape the benchmarks' figures were measured on.
    #[allow(dead_code)] // not every target that includes this file calls it
    pub fn new(events: usize) -> WorldOptions {
        WorldOptions {
            events,
            seed: 42,
            unaffiliated: 0.0,
        }
    }
}

/// Interchange v1 JSON Lines for a world of `events` events (seed 42, every person with a
/// country and a sector).
#[allow(dead_code)] // the example and the tests stream with `write_world`; the benches take a String
pub fn world(events: usize) -> String {
    let mut out = Vec::new();
    write_world(&WorldOptions::new(events), &mut out).expect("writing to memory");
    String::from_utf8(out).expect("JSON is UTF-8")
}

/// Write the world `opts` describes to `out`, one record a line; the number of lines.
pub fn write_world(opts: &WorldOptions, out: &mut dyn Write) -> io::Result<u64> {
    let events = opts.events;
    let mut rng = Rng(opts.seed);
    // A second stream decides who is unaffiliated and draws their positions, so that with
    // a share of 0 the output is byte for byte the one the benchmarks were measured on.
    let mut side_rng = Rng(opts.seed ^ 0x005E_ED0F_5DE5);
    let mut lines = 0u64;
    let mut failed: Option<io::Error> = None;
    let mut line = |v: Value| {
        if failed.is_none() {
            if let Err(e) = writeln!(out, "{v}") {
                failed = Some(e);
            }
            lines += 1;
        }
    };
    for c in COUNTRIES {
        line(json!({"kind": "entity", "key": c, "type": "country", "name": format!("Country {c}")}));
    }
    let persons = (events / 50).max(100);
    let orgs = (events / 200).max(50);
    let country_of = |i: usize| COUNTRIES[i % COUNTRIES.len()];
    for o in 0..orgs {
        line(
            json!({"kind": "entity", "key": format!("org:{o:05}"), "type": "organization",
            "name": format!("Organization {o}"), "country": country_of(o), "sector": SECTORS[o % SECTORS.len()]}),
        );
    }
    let unaffiliated: Vec<bool> = (0..persons)
        .map(|_| (side_rng.below(1_000_000) as f64) < opts.unaffiliated * 1_000_000.0)
        .collect();
    for (p, &unaffiliated) in unaffiliated.iter().enumerate() {
        let sector = SECTORS[rng.below(SECTORS.len())];
        let mut v = json!({"kind": "entity", "key": format!("person:{p:06}"), "type": "person",
            "name": format!("Person {p}")});
        if !unaffiliated {
            v["country"] = json!(country_of(p));
            v["sector"] = json!(sector);
        }
        line(v);
    }
    // An organization of country `c`, drawn with `rng`.
    let org_of = |rng: &mut Rng, c: usize| (rng.below(orgs / COUNTRIES.len()) * COUNTRIES.len() + c).min(orgs - 1);
    for (p, &unaffiliated) in unaffiliated.iter().enumerate() {
        // An organization of the person's own country.
        let o = org_of(&mut rng, p % COUNTRIES.len());
        let since = 1990 + rng.below(30);
        if !unaffiliated {
            line(
                json!({"kind": "relation", "type": "holds_position", "from": format!("person:{p:06}"),
                "to": format!("org:{o:05}"), "title": "Director", "since": format!("{since}")}),
            );
            continue;
        }
        // A career: a post at home that ends, sometimes a posting with an organization of
        // another country, sometimes a gap; bounds at year, month or day precision. Events
        // outside every interval give the person no side and no sector.
        let mut start = 1988 + side_rng.below(20);
        for posting in 0..1 + side_rng.below(3) {
            let abroad = posting > 0 && side_rng.below(2) == 0;
            let c = if abroad {
                side_rng.below(COUNTRIES.len())
            } else {
                p % COUNTRIES.len()
            };
            let org = if posting == 0 { o } else { org_of(&mut side_rng, c) };
            let end = start + 1 + side_rng.below(12);
            let mut rel = json!({"kind": "relation", "type": "holds_position", "from": format!("person:{p:06}"),
                "to": format!("org:{org:05}"), "title": "Director", "since": date_at(&mut side_rng, start)});
            if end < 2026 || side_rng.below(2) == 0 {
                rel["until"] = json!(date_at(&mut side_rng, end));
            }
            line(rel);
            start = end + side_rng.below(3);
        }
    }
    // Persons by country, for picking participants.
    let mut by_country: Vec<Vec<usize>> = vec![Vec::new(); COUNTRIES.len()];
    for p in 0..persons {
        by_country[p % COUNTRIES.len()].push(p);
    }
    for e in 0..events {
        // 5 % of events are Morocco–Germany; the rest pick skewed pairs.
        let (a, b) = if rng.below(20) == 0 {
            (0, 1)
        } else {
            let a = rng.skewed(COUNTRIES.len());
            let mut b = rng.skewed(COUNTRIES.len() - 1);
            if b >= a {
                b += 1;
            }
            (a, b)
        };
        let (event_type, roles) = TYPES[rng.skewed(TYPES.len())];
        let year = 1990 + (36.0 * ((rng.below(1000) as f64 / 1000.0).sqrt())) as usize;
        let (month, day) = (1 + rng.below(12), 1 + rng.below(28));
        let date = match rng.below(10) {
            0 => format!("{year}"),
            1 | 2 => format!("{year}-{month:02}"),
            _ => format!("{year}-{month:02}-{day:02}"),
        };
        let mut participants = Vec::new();
        let mut seen = Vec::new();
        for i in 0..2 + rng.below(3) {
            let side = if i % 2 == 0 { a } else { b };
            let pool = &by_country[side];
            let p = pool[rng.skewed(pool.len())];
            if seen.contains(&p) {
                continue;
            }
            seen.push(p);
            participants.push(json!({"entity": format!("person:{p:06}"), "role": roles[rng.below(roles.len())]}));
        }
        if seen.iter().all(|p| p % COUNTRIES.len() != b) {
            participants.push(json!({"entity": COUNTRIES[b], "role": roles[0]}));
        }
        let domain = if rng.below(5) == 0 {
            "security"
        } else {
            DOMAINS[rng.below(DOMAINS.len())]
        };
        line(
            json!({"kind": "event", "key": format!("ev:{e:07}"), "type": event_type, "date": date,
            "domains": [domain], "participants": participants, "title": format!("{event_type} {e}"),
            "sources": [{"url": format!("https://news.example.ma/{e}"), "lang": "en"}]}),
        );
    }
    match failed {
        Some(e) => Err(e),
        None => Ok(lines),
    }
}

/// A date in `year` at year, month or day precision.
fn date_at(rng: &mut Rng, year: usize) -> String {
    match rng.below(3) {
        0 => format!("{year}"),
        1 => format!("{year}-{:02}", 1 + rng.below(12)),
        _ => format!("{year}-{:02}-{:02}", 1 + rng.below(12), 1 + rng.below(28)),
    }
}

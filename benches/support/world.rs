//! The deterministic world both benches load, as interchange v1 JSON Lines: shaped like
//! `shared/bench/gen_events.py`'s output (countries with skewed activity and a dense
//! Morocco–Germany pair, persons and organizations with a country and a sector, positions
//! held, events of 2–4 participants from two countries, some in the `security` domain).
//! Included by `benches/store.rs` and `benches/queries.rs` with `#[path]`: bench targets
//! share no module otherwise.

use serde_json::{json, Value};

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

/// Interchange v1 JSON Lines for a world of `events` events.
pub fn world(events: usize) -> String {
    let mut rng = Rng(42);
    let mut out = String::new();
    let mut line = |v: Value| {
        out.push_str(&v.to_string());
        out.push('\n');
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
    for p in 0..persons {
        line(
            json!({"kind": "entity", "key": format!("person:{p:06}"), "type": "person",
            "name": format!("Person {p}"), "country": country_of(p), "sector": SECTORS[rng.below(SECTORS.len())]}),
        );
    }
    for p in 0..persons {
        // An organization of the person's own country.
        let o = (rng.below(orgs / COUNTRIES.len()) * COUNTRIES.len() + p % COUNTRIES.len()).min(orgs - 1);
        line(
            json!({"kind": "relation", "type": "holds_position", "from": format!("person:{p:06}"),
            "to": format!("org:{o:05}"), "title": "Director", "since": format!("{}", 1990 + rng.below(30))}),
        );
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
    out
}

//! Store hot paths: key encoding (`store::keys`) and index scans (`Store::dyad_events`,
//! `Store::entity_events`) on a store built in a temporary directory from generated data.
//!
//! The data is a deterministic world shaped like `shared/bench/gen_events.py`'s: 20 countries
//! with skewed activity and a dense Morocco–Germany pair, persons and organizations with a
//! country and a sector, positions held, and events of 2–4 participants from two countries,
//! 20 % of them in the `security` domain. `DIPGRAPH_BENCH_EVENTS` sets the event count
//! (default 20,000); `DIPGRAPH_BENCH_ENGINES` the engines (default `redb,sled`).
//!
//! Run with `cargo bench --bench store`; docs/performance.md has recorded figures.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use dipgraph::model::Day;
use dipgraph::store::{keys, Engine, ImportOptions, Input, OpenMode, Store};
use dipgraph::vocab::Vocab;
use serde_json::{json, Value};
use std::hint::black_box;

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
fn world(events: usize) -> String {
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

fn bench_events() -> usize {
    std::env::var("DIPGRAPH_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000)
}

fn bench_engines() -> Vec<Engine> {
    let names = std::env::var("DIPGRAPH_BENCH_ENGINES").unwrap_or_else(|_| "redb,sled".into());
    names
        .split(',')
        .map(|n| match n.trim() {
            "redb" => Engine::Redb,
            "sled" => Engine::Sled,
            other => panic!("DIPGRAPH_BENCH_ENGINES: unknown engine {other:?} (redb, sled)"),
        })
        .collect()
}

/// A store of the generated world in a fresh temporary directory (kept alive with it).
fn build_store(engine: Engine, jsonl: &str) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = Store::open(&dir.path().join("store"), OpenMode::CreateWith(engine)).expect("a new store");
    let vocab = Vocab::current().expect("the ontology");
    let input = Input {
        name: "world.jsonl".into(),
        reader: Box::new(jsonl.as_bytes()),
    };
    if let Err(e) = store.import(vec![input], vocab, &ImportOptions::default()) {
        panic!("import of the generated world failed: {e}");
    }
    (dir, store)
}

fn key_encoding(c: &mut Criterion) {
    const N: u64 = 1024;
    let mut g = c.benchmark_group("keys");
    g.throughput(Throughput::Elements(N));
    g.bench_function("entity_event", |b| {
        b.iter(|| {
            for i in 0..N {
                black_box(keys::entity_event(black_box(i * 7), 20_220_101 + i as Day, i));
            }
        })
    });
    g.bench_function("dyad", |b| {
        b.iter(|| {
            for i in 0..N {
                black_box(keys::dyad(black_box(i + 9), i, 20_220_101, i * 3));
            }
        })
    });
    g.bench_function("date", |b| {
        b.iter(|| {
            for i in 0..N {
                black_box(keys::date(black_box(20_220_101 + i as Day), i));
            }
        })
    });
    g.bench_function("alias", |b| {
        b.iter(|| {
            for i in 0..N {
                black_box(keys::alias(black_box("abdellatif hammouchi"), i));
            }
        })
    });
    let dyad_keys: Vec<Vec<u8>> = (0..N).map(|i| keys::dyad(3, 7, 20_220_101, i)).collect();
    g.bench_function("decode_dyad_day_and_id", |b| {
        b.iter(|| {
            for k in &dyad_keys {
                black_box((keys::day_at(black_box(k), 16), keys::id_at(k, 20)));
            }
        })
    });
    // An event_links value of 4 members and 4 dyad pairs.
    let mut links = 4u16.to_be_bytes().to_vec();
    for id in [11u64, 12, 13, 14] {
        links.extend_from_slice(&id.to_be_bytes());
    }
    for (lo, hi) in [(1u64, 2u64), (1, 3), (2, 3), (3, 4)] {
        links.extend_from_slice(&lo.to_be_bytes());
        links.extend_from_slice(&hi.to_be_bytes());
    }
    g.bench_function("split_links", |b| {
        b.iter(|| {
            for _ in 0..N {
                black_box(keys::split_links(black_box(&links)));
            }
        })
    });
    g.finish();
}

fn index_scans(c: &mut Criterion) {
    let events = bench_events();
    let jsonl = world(events);
    for engine in bench_engines() {
        let (_dir, store) = build_store(engine, &jsonl);
        let id = |key: &str| {
            store
                .entity_id(key)
                .expect("a store read")
                .unwrap_or_else(|| panic!("{key} is in the world"))
        };
        let (mar, deu) = (id("MAR"), id("DEU"));
        // The busiest person (of Morocco) and a less active one (of Saudi Arabia).
        let (hub, typical) = (id("person:000000"), id("person:000217"));
        let mut g = c.benchmark_group(format!("scan/{}", engine.name()));
        let n = store.dyad_events(mar, deu, Day::MAX).expect("a scan").len();
        g.throughput(Throughput::Elements(n as u64));
        g.bench_function(BenchmarkId::new("dyad_events", format!("MAR-DEU {n}")), |b| {
            b.iter(|| black_box(store.dyad_events(mar, deu, Day::MAX).expect("a scan")))
        });
        for (name, entity) in [("person:000000", hub), ("person:000217", typical)] {
            let n = store.entity_events(entity).expect("a scan").len();
            g.throughput(Throughput::Elements(n as u64));
            g.bench_function(BenchmarkId::new("entity_events", format!("{name} {n}")), |b| {
                b.iter(|| black_box(store.entity_events(entity).expect("a scan")))
            });
        }
        g.finish();
    }
}

criterion_group!(benches, key_encoding, index_scans);
criterion_main!(benches);

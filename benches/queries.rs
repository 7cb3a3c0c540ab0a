//! Query hot paths inside one process, with the store open and warm: contacts (the query
//! issue's target: `contacts MAR DEU --domain security --since 2022` under 5 ms at 1M
//! events), the timeline (contacts plus the petgraph projection and positions), the
//! projection alone (`Projection::add_event` over the Morocco–Germany events), neighbors
//! (2 hops) and path.
//!
//! The store: `DIPGRAPH_BENCH_DB=/path/to/store` benchmarks an existing store (e.g. the 1M
//! redb store that `benches/run.sh` leaves in `target/bench-work/1M/dipgraph-redb.db`). It
//! is opened like any dipgraph command opens it, with its exclusive lock, and only read, so
//! nothing else may use it meanwhile. `DIPGRAPH_BENCH_PERSON` names the neighbors centre and
//! `DIPGRAPH_BENCH_PATH=X,Y` the path ends there (defaults: the harness's parameters at 1M,
//! `person:mar-00000` and `person:afg-00003,person:mne-00025`). Without `DIPGRAPH_BENCH_DB`,
//! a redb store of a generated world (`DIPGRAPH_BENCH_EVENTS`, default 20,000 events; the
//! same world as `benches/store.rs`) is built in a temporary directory.
//!
//! Run with `cargo bench --bench queries`; docs/performance.md has recorded figures.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use dipgraph::graph::Projection;
use dipgraph::model::Day;
use dipgraph::query::{self, ContactFilter, NeighborsOptions, PathOptions};
use dipgraph::store::{Engine, ImportOptions, Input, OpenMode, Store};
use dipgraph::vocab::Vocab;
use serde_json::{json, Value};
use std::hint::black_box;
use std::path::PathBuf;

// The world generator below is a copy of benches/store.rs's (bench targets share no module),
// so that both benches see the same data.

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

/// The store to benchmark, its description, and the neighbors centre and path ends in it.
struct Bench {
    store: Store,
    what: String,
    person: String,
    path: (String, String),
    _dir: Option<tempfile::TempDir>,
}

fn open_bench_store() -> Bench {
    if let Some(path) = std::env::var_os("DIPGRAPH_BENCH_DB") {
        let path = PathBuf::from(path);
        let store = Store::open(&path, OpenMode::Existing)
            .unwrap_or_else(|e| panic!("DIPGRAPH_BENCH_DB={}: {e}", path.display()));
        let person = std::env::var("DIPGRAPH_BENCH_PERSON").unwrap_or_else(|_| "person:mar-00000".into());
        let ends = std::env::var("DIPGRAPH_BENCH_PATH").unwrap_or_else(|_| "person:afg-00003,person:mne-00025".into());
        let (x, y) = ends
            .split_once(',')
            .expect("DIPGRAPH_BENCH_PATH is two keys separated by a comma");
        return Bench {
            store,
            what: format!("store {}", path.display()),
            person,
            path: (x.into(), y.into()),
            _dir: None,
        };
    }
    let events = std::env::var("DIPGRAPH_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = Store::open(&dir.path().join("store"), OpenMode::CreateWith(Engine::Redb)).expect("a new store");
    let input = Input {
        name: "world.jsonl".into(),
        reader: Box::new(std::io::Cursor::new(world(events))),
    };
    if let Err(e) = store.import(vec![input], vocab(), &ImportOptions::default()) {
        panic!("import of the generated world failed: {e}");
    }
    Bench {
        store,
        what: format!("generated world of {events} events (redb)"),
        person: "person:000000".into(),
        path: ("person:000001".into(), "person:000013".into()),
        _dir: Some(dir),
    }
}

fn vocab() -> &'static Vocab {
    Vocab::current().expect("the ontology")
}

fn security_since_2022() -> ContactFilter {
    ContactFilter {
        domains: vec!["security".into()],
        since: Some("2022".parse().expect("a date")),
        ..ContactFilter::default()
    }
}

fn queries(c: &mut Criterion) {
    let b = open_bench_store();
    let store = &b.store;
    eprintln!("benchmarking {}", b.what);
    let filter = security_since_2022();

    let mut g = c.benchmark_group("contacts");
    let n = query::contacts(store, vocab(), "MAR", "DEU", &filter)
        .expect("contacts")
        .len();
    g.throughput(Throughput::Elements(n as u64));
    g.bench_function(BenchmarkId::new("MAR-DEU security since 2022", n), |bch| {
        bch.iter(|| black_box(query::contacts(store, vocab(), "MAR", "DEU", &filter).expect("contacts")))
    });
    g.bench_function(BenchmarkId::new("timeline MAR-DEU security since 2022", n), |bch| {
        bch.iter(|| black_box(query::timeline(store, vocab(), "MAR", "DEU", &filter).expect("timeline")))
    });
    g.finish();

    // The projection of every Morocco–Germany event, as timeline builds it for its events.
    let id = |key: &str| {
        store
            .entity_id(key)
            .expect("a store read")
            .unwrap_or_else(|| panic!("{key} is not in the store"))
    };
    let dyad: Vec<u64> = store
        .dyad_events(id("MAR"), id("DEU"), Day::MAX)
        .expect("a scan")
        .iter()
        .map(|d| d.id)
        .collect();
    let mut g = c.benchmark_group("projection");
    g.sample_size(20);
    g.throughput(Throughput::Elements(dyad.len() as u64));
    g.bench_function(BenchmarkId::new("add_event MAR-DEU", dyad.len()), |bch| {
        bch.iter(|| {
            let mut p = Projection::new();
            for &e in &dyad {
                p.add_event(store, e).expect("add_event");
            }
            black_box(p.graph.node_count())
        })
    });
    g.finish();

    let mut g = c.benchmark_group("graph");
    g.sample_size(10);
    let opts = NeighborsOptions {
        hops: 2,
        ..NeighborsOptions::default()
    };
    g.bench_function(BenchmarkId::new("neighbors 2 hops", &b.person), |bch| {
        bch.iter(|| black_box(query::neighbors(store, &b.person, &opts).expect("neighbors")))
    });
    let (x, y) = (&b.path.0, &b.path.1);
    g.bench_function(BenchmarkId::new("path", format!("{x} {y}")), |bch| {
        bch.iter(|| black_box(query::path(store, x, y, &PathOptions::default()).expect("path")))
    });
    g.finish();
}

criterion_group!(benches, queries);
criterion_main!(benches);

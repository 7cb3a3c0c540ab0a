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
use std::hint::black_box;
use std::path::PathBuf;

#[path = "../examples/gen-events/world.rs"]
mod world;

use world::world;

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

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

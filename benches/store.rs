//! Store hot paths: key encoding (`store::keys`) and index scans (`Store::dyad_events`,
//! `Store::entity_events`) on a store built in a temporary directory from generated data.
//!
//! The data is a deterministic world, the one of `examples/gen-events`: 20 countries
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
use std::hint::black_box;

#[path = "../examples/gen-events/world.rs"]
mod world;

use world::world;

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
    let links = keys::links_value(
        &[11, 12, 13, 14],
        &[(1, 2), (1, 3), (2, 3), (3, 4)],
        "ev:meeting:2022-06-10:0123456789ab",
        "meeting",
    );
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

//! GraphML writing speed: a synthetic subgraph of 20,000 events (3 participants, a location
//! and a source each, 2,000 people holding positions in 200 organizations of 20 countries),
//! written to a sink. Throughput is in graph elements (nodes + edges) per second; the issue
//! asks for at least 200,000 on the 1M-event export, which `docs/export.md` measures end to
//! end (store reads included). Run with `cargo bench --bench graphml`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use dipgraph::export::graphml::GraphmlWriter;
use dipgraph::export::subgraph::write_graph;
use dipgraph::model::{Entity, Event, EventStatus, Participant, PropValue, Props, Relation, Source};
use dipgraph::query::Selection;

fn entity(key: String, entity_type: &str, name: String, country: Option<String>) -> Entity {
    Entity {
        key,
        entity_type: entity_type.into(),
        name,
        aliases: vec!["اسم بديل".into()],
        country,
        sector: Some("police".into()),
        props: Props::new(),
    }
}

fn selection(events: usize) -> Selection {
    let mut s = Selection::default();
    for c in 0..20 {
        s.entities
            .push(entity(format!("C{c:02}"), "country", format!("Country {c}"), None));
    }
    for o in 0..200 {
        let country = Some(format!("C{:02}", o % 20));
        s.entities.push(entity(
            format!("org:{o:03}"),
            "organization",
            format!("Organization {o}"),
            country,
        ));
    }
    for p in 0..2000 {
        s.entities
            .push(entity(format!("person:{p:04}"), "person", format!("شخص رقم {p}"), None));
        s.relations.push(Relation {
            relation_type: "holds_position".into(),
            from: format!("person:{p:04}"),
            to: format!("org:{:03}", p % 200),
            title: Some("Director".into()),
            since: "2019-03".parse().ok(),
            until: None,
            props: Props::new(),
        });
    }
    s.entities.sort_by(|a, b| a.key.cmp(&b.key));
    for e in 0..events {
        let mut props = Props::new();
        props.insert("weight_note".into(), PropValue::Str("generated".into()));
        s.events.push(Event {
            key: format!("ev:{e:07}"),
            event_type: "meeting".into(),
            date: "2022-05".parse().expect("a date"),
            end_date: None,
            location: Some(format!("C{:02}", e % 20)),
            domains: vec!["security".into(), "policing".into()],
            participants: (0..3)
                .map(|i| Participant {
                    entity: format!("person:{:04}", (e * 7 + i * 13) % 2000),
                    role: "participant".into(),
                })
                .collect(),
            title: Some(format!("Meeting & talks <{e}> on security cooperation")),
            sources: vec![Source {
                url: Some(format!("https://news.example.ma/{e}")),
                quote: Some("بحث الجانبان التعاون الأمني.".into()),
                lang: Some("ar".into()),
                ..Source::default()
            }],
            confidence: Some(0.8),
            status: EventStatus::Reported,
            props,
        });
    }
    s
}

fn bench_graphml(c: &mut Criterion) {
    let s = selection(20_000);
    let counts = write_graph(&s, &mut GraphmlWriter::new(std::io::sink())).expect("writes");
    let mut group = c.benchmark_group("graphml");
    group.throughput(Throughput::Elements(counts.nodes + counts.edges));
    group.sample_size(10);
    group.bench_function("write 20k events", |b| {
        b.iter(|| write_graph(&s, &mut GraphmlWriter::new(std::io::sink())).expect("writes"))
    });
    group.finish();
}

criterion_group!(benches, bench_graphml);
criterion_main!(benches);

//! Extraction speed on Arabic text: about 1 MB made by concatenating the seed article and the
//! Arabic annotated articles of tests/extraction (each without its page furniture, which
//! extraction drops at once), extracted as `dipgraph ingest --dry-run` extracts one file.
//! Throughput is in bytes; the issue asks for at least 1 MB per second on one core.
//! Run with `cargo bench --bench extract`. The text is also written to
//! `target/extract-bench.ar.txt`, for timing the command itself:
//! `time target/release/dipgraph --db /nonexistent ingest --dry-run target/extract-bench.ar.txt --published 2023 >/dev/null`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use dipgraph::extract::{extract, Known, Options, Resources};

const ARTICLES: &[&str] = &[
    include_str!("../data/articles/ma-de-security-cooperation.ar.txt"),
    include_str!("../tests/extraction/ar-01-bourita-albares.ar.txt"),
    include_str!("../tests/extraction/ar-02-tebboune-saied.ar.txt"),
    include_str!("../tests/extraction/ar-03-shoukry-safadi.ar.txt"),
    include_str!("../tests/extraction/ar-04-jordan-iraq-committee.ar.txt"),
    include_str!("../tests/extraction/ar-05-hammouchi-bfv.ar.txt"),
    include_str!("../tests/extraction/ar-06-darmanin-laftit.ar.txt"),
    include_str!("../tests/extraction/ar-07-uae-egypt.ar.txt"),
    include_str!("../tests/extraction/ar-08-ambassador-eu.ar.txt"),
];

/// Where an article's page furniture starts ("related articles", "read also").
const FURNITURE: &[&str] = &["مقالات ذات صلة", "اقرأ أيضا"];

/// About `target` bytes of article text.
fn corpus(target: usize) -> String {
    let bodies: Vec<&str> = ARTICLES
        .iter()
        .map(|a| {
            let cut = FURNITURE.iter().filter_map(|f| a.find(f)).min().unwrap_or(a.len());
            a[..cut].trim()
        })
        .collect();
    let one = bodies.join("\n\n");
    let mut text = String::with_capacity(target + one.len());
    while text.len() < target {
        text.push_str(&one);
        text.push_str("\n\n");
    }
    text
}

fn bench_extract(c: &mut Criterion) {
    let res = Resources::load(None).expect("data files");
    let text = corpus(1_000_000);
    let _ = std::fs::write(
        concat!(env!("CARGO_MANIFEST_DIR"), "/target/extract-bench.ar.txt"),
        &text,
    );
    let opts = Options {
        published: Some("2023".parse().expect("date")),
        ..Options::default()
    };
    let known = Known::default();
    let x = extract(&text, "bench", &opts, &known, &res);
    assert!(x.records.len() > 100, "the corpus reports events");
    let mut group = c.benchmark_group("extract");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.sample_size(10);
    group.bench_function("arabic 1 MB", |b| {
        b.iter(|| extract(&text, "bench", &opts, &known, &res))
    });
    group.finish();
}

criterion_group!(benches, bench_extract);
criterion_main!(benches);

//! `gen-events`: the project's deterministic generator of interchange v1 JSON Lines, for
//! tests, benchmarks and anyone who wants a large world to try dipgraph on.
//!
//! ```sh-norun
//! cargo run --release --example gen-events -- --events 100000 --seed 42 --out ev.jsonl
//! cargo run --release --example gen-events -- --events 5000 --unaffiliated 0.3 > ev.jsonl
//! ```
//!
//! The same options give byte-identical output.

mod world;

use clap::Parser;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use world::{write_world, WorldOptions};

#[derive(Parser)]
#[command(about = "Write a deterministic world of diplomatic events as interchange v1 JSON Lines")]
struct Args {
    /// Number of events.
    #[arg(long)]
    events: usize,
    /// Seed of the generator.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Share of persons (0 to 1) without `country` and `sector`, whose sides and sectors
    /// then come from the positions they hold at each event's date.
    #[arg(long, default_value_t = 0.0, value_parser = share)]
    unaffiliated: f64,
    /// Output file (default: standard output).
    #[arg(long, short)]
    out: Option<PathBuf>,
}

fn share(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
        _ => Err(format!("{s:?} is not a share between 0 and 1")),
    }
}

fn main() {
    let args = Args::parse();
    let opts = WorldOptions {
        events: args.events,
        seed: args.seed,
        unaffiliated: args.unaffiliated,
    };
    let result = match &args.out {
        Some(path) => std::fs::File::create(path).and_then(|f| {
            let mut w = BufWriter::new(f);
            let n = write_world(&opts, &mut w)?;
            w.flush()?;
            Ok(n)
        }),
        None => {
            let stdout = std::io::stdout();
            let mut w = BufWriter::new(stdout.lock());
            write_world(&opts, &mut w).and_then(|n| w.flush().map(|()| n))
        }
    };
    match result {
        Ok(n) => eprintln!("gen-events: {n} records, {} events", args.events),
        Err(e) => {
            eprintln!("gen-events: {e}");
            std::process::exit(1);
        }
    }
}

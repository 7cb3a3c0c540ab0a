//! Where a redb store's bytes go: pages, stored bytes, B-tree metadata and free space, for
//! the whole file and for each tree. docs/performance.md quotes its output.
//!
//! `cargo run --release --example redb_stats -- STORE` (a store directory made with the
//! redb engine). It opens the file directly, so no dipgraph command may use the store
//! meanwhile; it writes nothing (the write transaction it reads statistics from is aborted).

use redb::{Database, ReadableTableMetadata, TableDefinition, TableHandle};
use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(dir) = std::env::args_os().nth(1) else {
        eprintln!("usage: redb_stats STORE_DIRECTORY");
        return ExitCode::from(2);
    };
    match report(std::path::Path::new(&dir)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("redb_stats: {e}");
            ExitCode::from(1)
        }
    }
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

fn report(dir: &std::path::Path) -> Result<(), Box<dyn std::error::Error>> {
    let file = dir.join("store.redb");
    let len = std::fs::metadata(&file)?.len();
    let db = Database::open(&file)?;
    let w = db.begin_write()?;
    let s = w.stats()?;
    let pages = s.allocated_pages() * s.page_size() as u64;
    println!(
        "file {}: {} long; {} pages of {} B in use ({}), {} stored, {} B-tree metadata, {} free",
        file.display(),
        mib(len),
        s.allocated_pages(),
        s.page_size(),
        mib(pages),
        mib(s.stored_bytes()),
        mib(s.metadata_bytes()),
        mib(s.fragmented_bytes()),
    );
    println!(
        "{:16} {:>6} {:>9} {:>8} {:>12} {:>12} {:>12}",
        "tree", "height", "leaves", "branches", "stored", "metadata", "fragmented"
    );
    let mut tables: Vec<_> = w.list_tables()?.map(|t| t.name().to_string()).collect();
    tables.sort();
    for name in tables {
        let table = w.open_table(TableDefinition::<&[u8], &[u8]>::new(&name))?;
        let t = table.stats()?;
        println!(
            "{:16} {:>6} {:>9} {:>8} {:>12} {:>12} {:>12}",
            name,
            t.tree_height(),
            t.leaf_pages(),
            t.branch_pages(),
            mib(t.stored_bytes()),
            mib(t.metadata_bytes()),
            mib(t.fragmented_bytes()),
        );
    }
    w.abort()?;
    Ok(())
}

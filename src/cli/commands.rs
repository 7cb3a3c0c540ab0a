//! One function per command: options in, library call, output.

use super::{exit, Cli, Command, Failure, TableOrJson};
use crate::export::InterchangeWriter;
use crate::model::Record;
use crate::store::{ImportError, ImportOptions, ImportReport, Input, OpenMode, Stats, Store};
use crate::vocab::Vocab;
use std::io::{BufRead, BufReader, IsTerminal, Write};
use std::path::{Path, PathBuf};

/// The bundled sample, embedded so that `demo` works from any directory.
const SAMPLE_NAME: &str = "data/samples/morocco-germany.jsonl";
const SAMPLE: &str = include_str!("../../data/samples/morocco-germany.jsonl");

/// Errors shown, at most, before the rest are only counted.
const MAX_ERRORS_SHOWN: usize = 1000;

pub fn run(cli: Cli, out: &mut dyn Write) -> Result<(), Failure> {
    let db = cli.db.clone().unwrap_or_else(|| PathBuf::from("dipgraph.db"));
    let engine = cli.engine.into();
    match cli.command {
        Command::Import {
            files,
            keep_going,
            max_line_bytes,
        } => {
            let store = Store::open(&db, OpenMode::CreateWith(engine))?;
            import(
                &store,
                &files,
                ImportOptions {
                    keep_going,
                    max_line_bytes,
                },
            )
        }
        Command::Dump { output } => {
            let store = Store::open(&db, OpenMode::Existing)?;
            dump(&store, output.as_deref(), out)
        }
        Command::Stats { format } => {
            let store = Store::open(&db, OpenMode::Existing)?;
            print_stats(&store.stats()?, format, out)
        }
        Command::Demo => demo(cli.db.as_deref(), engine, out),
    }
}

fn vocab() -> Result<&'static Vocab, Failure> {
    Vocab::current().map_err(|e| Failure::new(exit::FAILURE, e.to_string()))
}

fn io_failure(what: &str, e: std::io::Error) -> Failure {
    Failure::new(exit::FAILURE, format!("{what}: {e}"))
}

fn import(store: &Store, files: &[PathBuf], opts: ImportOptions) -> Result<(), Failure> {
    let progress = std::io::stderr().is_terminal();
    let mut inputs = Vec::with_capacity(files.len());
    for f in files {
        let (name, reader): (String, Box<dyn BufRead>) = if f.as_os_str() == "-" {
            ("<stdin>".into(), Box::new(std::io::stdin().lock()))
        } else {
            let name = f.display().to_string();
            let file =
                std::fs::File::open(f).map_err(|e| Failure::new(exit::DATA, format!("{name}: cannot open: {e}")))?;
            if progress {
                let len = file.metadata().map(|m| m.len()).unwrap_or(0);
                let bar = indicatif::ProgressBar::new(len).with_message(name.clone());
                bar.set_style(
                    indicatif::ProgressStyle::with_template("{msg} {bar:40} {bytes}/{total_bytes} {eta}")
                        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
                );
                (name, Box::new(BufReader::with_capacity(1 << 20, bar.wrap_read(file))))
            } else {
                (name, Box::new(BufReader::with_capacity(1 << 20, file)))
            }
        };
        inputs.push(Input { name, reader });
    }
    let keep_going = opts.keep_going;
    match store.import(inputs, vocab()?, &opts) {
        Ok(report) => {
            let summary = import_summary(&report);
            if report.rejected.is_empty() {
                eprintln!("{summary}");
                Ok(())
            } else {
                let lines = report.rejected.lines().len();
                Err(Failure::new(
                    exit::DATA,
                    format!(
                        "{}\n{summary}; rejected {}",
                        shown(&report.rejected.0),
                        plural(lines, "invalid line")
                    ),
                ))
            }
        }
        Err(ImportError::Invalid(errors)) => {
            let lines = errors.lines().len();
            let how = if keep_going { "" } else { "; nothing was written" };
            Err(Failure::new(
                exit::DATA,
                format!(
                    "{}\nimport failed: {}{how}",
                    shown(&errors.0),
                    plural(lines, "invalid line")
                ),
            ))
        }
        Err(ImportError::Store(e)) => Err(e.into()),
    }
}

fn shown(errors: &[crate::ingest::IngestError]) -> String {
    let mut text: Vec<String> = errors.iter().take(MAX_ERRORS_SHOWN).map(|e| e.to_string()).collect();
    if errors.len() > MAX_ERRORS_SHOWN {
        text.push(format!("... and {} more errors", errors.len() - MAX_ERRORS_SHOWN));
    }
    text.join("\n")
}

fn import_summary(r: &ImportReport) -> String {
    let a = &r.applied;
    format!(
        "imported {} records: {} entities added, {} updated; {} relations added, {} updated; {} events added, {} updated; {} unchanged",
        r.records_read,
        a.entities_added,
        a.entities_updated,
        a.relations_added,
        a.relations_updated,
        a.events_added,
        a.events_updated,
        a.unchanged
    )
}

fn dump(store: &Store, output: Option<&Path>, out: &mut dyn Write) -> Result<(), Failure> {
    match output {
        None => write_dump(store, out).map_err(|e| dump_failure(e, "standard output")),
        Some(path) => {
            let dir = path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            let name = path.display().to_string();
            let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| io_failure(&name, e))?;
            {
                let mut w = std::io::BufWriter::new(tmp.as_file_mut());
                write_dump(store, &mut w).map_err(|e| dump_failure(e, &name))?;
                w.flush().map_err(|e| io_failure(&name, e))?;
            }
            tmp.persist(path).map_err(|e| io_failure(&name, e.error))?;
            Ok(())
        }
    }
}

enum DumpError {
    Store(crate::store::StoreError),
    Io(std::io::Error),
}

fn dump_failure(e: DumpError, target: &str) -> Failure {
    match e {
        DumpError::Store(e) => e.into(),
        DumpError::Io(e) => io_failure(target, e),
    }
}

/// Entities by key, then relations by (from, type, to, since), then events by key.
fn write_dump(store: &Store, out: &mut dyn Write) -> Result<(), DumpError> {
    let mut w = InterchangeWriter::new(out);
    for e in store.entities().map_err(DumpError::Store)? {
        w.write(&Record::Entity(e.map_err(DumpError::Store)?))
            .map_err(DumpError::Io)?;
    }
    for r in store.relations().map_err(DumpError::Store)? {
        w.write(&Record::Relation(r.map_err(DumpError::Store)?))
            .map_err(DumpError::Io)?;
    }
    for ev in store.events().map_err(DumpError::Store)? {
        w.write(&Record::Event(ev.map_err(DumpError::Store)?))
            .map_err(DumpError::Io)?;
    }
    w.finish().map_err(DumpError::Io)?;
    Ok(())
}

fn print_stats(stats: &Stats, format: TableOrJson, out: &mut dyn Write) -> Result<(), Failure> {
    let io = |e| io_failure("standard output", e);
    match format {
        TableOrJson::Json => {
            serde_json::to_writer_pretty(&mut *out, stats).map_err(|e| io(e.into()))?;
            writeln!(out).map_err(io)
        }
        TableOrJson::Table => {
            let sections = [
                ("nodes: entities", &stats.entities),
                ("nodes: events", &stats.events),
                ("edges: relations", &stats.relations),
                ("edges: participations (by role)", &stats.participations),
            ];
            let width = sections
                .iter()
                .flat_map(|(_, m)| m.keys())
                .map(|k| k.chars().count())
                .max()
                .unwrap_or(0);
            writeln!(out, "engine: {}", stats.engine).map_err(io)?;
            for (title, counts) in sections {
                let total: u64 = counts.values().sum();
                writeln!(out, "{title}: {total}").map_err(io)?;
                for (k, n) in counts {
                    writeln!(out, "  {k:<width$}  {n:>9}").map_err(io)?;
                }
            }
            Ok(())
        }
    }
}

fn demo(db: Option<&Path>, engine: crate::store::Engine, out: &mut dyn Write) -> Result<(), Failure> {
    let tmp;
    let path = match db {
        Some(p) => p.to_path_buf(),
        None => {
            tmp = tempfile::tempdir().map_err(|e| io_failure("temporary directory", e))?;
            tmp.path().join("demo.db")
        }
    };
    let store = Store::open(&path, OpenMode::CreateWith(engine))?;
    let input = Input {
        name: SAMPLE_NAME.into(),
        reader: Box::new(SAMPLE.as_bytes()),
    };
    let report = store
        .import(vec![input], vocab()?, &ImportOptions::default())
        .map_err(|e| match e {
            ImportError::Invalid(errors) => Failure::new(exit::DATA, errors.to_string()),
            ImportError::Store(e) => e.into(),
        })?;
    let io = |e| io_failure("standard output", e);
    writeln!(
        out,
        "Imported the bundled sample ({SAMPLE_NAME}) into {}:",
        path.display()
    )
    .map_err(io)?;
    writeln!(out, "{}\n", import_summary(&report)).map_err(io)?;
    print_stats(&store.stats()?, TableOrJson::Table, out)
}

fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

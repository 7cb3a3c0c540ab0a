//! One function per command: options in, library call, output.

use super::{exit, options, Cli, Command, ContactsFormat, Failure, TableOrJson, TextOrJson};
use super::{term, TimelineFormat};
use crate::export::file::write_file;
use crate::export::{report, timeline_html, timeline_svg, InterchangeWriter};
use crate::model::Record;
use crate::query::{self, ContactFilter, QueryError};
use crate::store::{ImportError, ImportOptions, ImportReport, Input, OpenMode, Stats, Store};
use crate::vocab::Vocab;
use std::io::{BufRead, BufReader, IsTerminal, Write};
use std::path::{Path, PathBuf};

/// The bundled sample, embedded so that `demo` works from any directory.
const SAMPLE_NAME: &str = "data/samples/morocco-germany.jsonl";
const SAMPLE: &str = include_str!("../../data/samples/morocco-germany.jsonl");

/// Errors shown, at most, before the rest are only counted: as many as an import keeps.
const MAX_ERRORS_SHOWN: usize = crate::ingest::MAX_ERRORS_KEPT;

pub fn run(cli: Cli, out: &mut dyn Write) -> Result<(), Failure> {
    let db = cli.db.clone().unwrap_or_else(|| PathBuf::from("dipgraph.db"));
    let engine = cli.engine.into();
    let existing = || Store::open(&db, OpenMode::Existing);
    match cli.command {
        Command::Import {
            files,
            keep_going,
            max_line_bytes,
        } => {
            let new = !db.exists();
            let mut store = Store::open(&db, OpenMode::CreateWith(engine))?;
            let result = import(
                &mut store,
                &files,
                ImportOptions {
                    keep_going,
                    max_line_bytes,
                },
            );
            if new && result.is_err() && store.is_empty()? {
                // Leave no empty store behind a failed first import.
                let _ = store.discard();
            }
            result
        }
        Command::Dump { output } => dump(&existing()?, output.as_deref(), out),
        Command::Stats { format } => print_stats(&existing()?.stats()?, format, out),
        Command::Contacts { filter, format } => {
            let store = existing()?;
            let found = query::contacts(&store, vocab()?, &filter.a, &filter.b, &filter.filter()?)?;
            written(match format {
                ContactsFormat::Table => report::contacts_table_styled(&found, &term::stdout_style(), out),
                ContactsFormat::Json => report::json(&found, out),
                ContactsFormat::Csv => report::contacts_csv(&found, out),
                ContactsFormat::Ndjson => report::ndjson(&found, out),
            })
        }
        Command::Timeline {
            filter,
            format,
            output,
            lanes,
        } => {
            let chart = options::chart(format, lanes)?;
            let store = existing()?;
            let t = query::timeline(&store, vocab()?, &filter.a, &filter.b, &filter.filter()?)?;
            // A file gets plain text whatever the terminal.
            let style = if output.is_some() {
                report::TextStyle::default()
            } else {
                term::stdout_style()
            };
            write_output(output.as_deref(), out, |w| match format {
                TimelineFormat::Text => report::timeline_text_styled(&t, &style, w),
                TimelineFormat::Json => report::json(&t, w),
                TimelineFormat::Html => timeline_html::timeline_html(&t, &chart, w),
                TimelineFormat::Svg => timeline_svg::timeline_svg(&t, &chart, w),
            })
        }
        Command::Entity { name, format } => {
            let e = query::entity(&existing()?, &name)?;
            written(match format {
                TextOrJson::Text => report::entity_text(&e, out),
                TextOrJson::Json => report::json(&e, out),
            })
        }
        Command::Search { text, limit, format } => {
            let hits = query::search(&existing()?, &text, limit)?;
            written(match format {
                TextOrJson::Text => report::search_text(&hits, out),
                TextOrJson::Json => report::json(&hits, out),
            })
        }
        Command::Neighbors {
            name,
            hops,
            window,
            format,
        } => {
            let opts = options::neighbors(hops, &window)?;
            let n = query::neighbors(&existing()?, &name, &opts)?;
            written(match format {
                TextOrJson::Text => report::neighbors_text(&n, out),
                TextOrJson::Json => report::json(&n, out),
            })
        }
        Command::Path {
            a,
            b,
            max_hops,
            through,
            window,
            format,
        } => {
            let opts = options::path(max_hops, through, &window)?;
            let p = query::path(&existing()?, &a, &b, &opts)?;
            written(match format {
                TextOrJson::Text => report::path_text(&p, out),
                TextOrJson::Json => report::json(&p, out),
            })
        }
        Command::Merge { keep, remove } => {
            let store = existing()?;
            let (keep, remove) = (query::resolve(&store, &keep)?, query::resolve(&store, &remove)?);
            let (keep, remove) = (store.entity(keep)?.key, store.entity(remove)?.key);
            let r = store.merge(&keep, &remove, vocab()?).map_err(import_failure)?;
            eprintln!(
                "merged {} into {}: {} events, {} relations, {} entities rewritten",
                r.other, r.entity, r.events, r.relations, r.entities
            );
            Ok(())
        }
        Command::Split {
            entity,
            new_key,
            name,
            aliases,
            events,
        } => {
            let store = existing()?;
            let key = store.entity(query::resolve(&store, &entity)?)?.key;
            let spec = crate::store::SplitSpec {
                new_key,
                new_name: name,
                aliases,
                events,
            };
            let r = store.split(&key, &spec, vocab()?).map_err(import_failure)?;
            eprintln!("split {} from {}: {} events moved", r.other, r.entity, r.events);
            Ok(())
        }
        Command::Demo => demo(cli.db_from_command_line.then_some(db.as_path()), engine, out),
        Command::Export(args) => super::export::run(&existing()?, args, out),
        Command::Ingest(args) => super::ingest::ingest(args, &db, engine, out),
        Command::Eval(args) => super::ingest::eval(args, out),
        Command::Check(args) => super::reliability::check(&existing()?, args, out),
        Command::Backup(args) => super::reliability::backup(&existing()?, args, out),
        Command::Completions { shell } => super::docs::completions(shell, out),
        Command::Man { dir } => super::docs::man(dir.as_deref(), out),
    }
}

impl From<QueryError> for Failure {
    fn from(e: QueryError) -> Self {
        match e {
            QueryError::Store(e) => e.into(),
            QueryError::Invalid(m) => Failure::new(exit::USAGE, m),
            other => Failure::new(exit::DATA, other.to_string()),
        }
    }
}

/// The outcome of writing a command's output: a closed pipe ends the command quietly.
fn written(result: std::io::Result<()>) -> Result<(), Failure> {
    result.map_err(|e| io_failure("standard output", e))
}

fn vocab() -> Result<&'static Vocab, Failure> {
    Vocab::current().map_err(|e| Failure::new(exit::FAILURE, e.to_string()))
}

fn io_failure(what: &str, e: std::io::Error) -> Failure {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        // The reader went away (`dipgraph dump | head`): not an error, nothing to say.
        return Failure::new(exit::OK, "");
    }
    Failure::new(exit::FAILURE, format!("{what}: {e}"))
}

/// Imports that add or change at least this many events compact the store afterwards.
const COMPACT_AFTER_EVENTS: u64 = 10_000;

fn import(store: &mut Store, files: &[PathBuf], opts: ImportOptions) -> Result<(), Failure> {
    let progress = std::io::stderr().is_terminal();
    let mut inputs = Vec::with_capacity(files.len());
    for f in files {
        let (name, reader): (String, Box<dyn BufRead + Send>) = if f.as_os_str() == "-" {
            (
                "<stdin>".into(),
                Box::new(BufReader::with_capacity(1 << 20, std::io::stdin())),
            )
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
            if report.applied.events_added + report.applied.events_updated >= COMPACT_AFTER_EVENTS {
                store.compact()?;
            }
            let summary = import_summary(&report);
            if report.rejected.is_empty() {
                eprintln!("{summary}");
                Ok(())
            } else {
                let lines = report.rejected_lines as usize;
                Err(Failure::new(
                    exit::DATA,
                    format!(
                        "{}\n{summary}; rejected {}",
                        shown(&report.rejected),
                        plural(lines, "invalid line")
                    ),
                ))
            }
        }
        Err(ImportError::Invalid(errors)) => {
            let lines = errors.bad_lines as usize;
            let how = if keep_going { "" } else { "; nothing was written" };
            Err(Failure::new(
                exit::DATA,
                format!(
                    "{}\nimport failed: {}{how}",
                    shown(&errors),
                    plural(lines, "invalid line")
                ),
            ))
        }
        Err(ImportError::Store(e)) => Err(e.into()),
    }
}

fn shown(errors: &crate::ingest::IngestErrors) -> String {
    let mut text: Vec<String> = errors
        .kept
        .iter()
        .take(MAX_ERRORS_SHOWN)
        .map(|e| e.to_string())
        .collect();
    let more = errors.kept.len().saturating_sub(MAX_ERRORS_SHOWN) as u64 + errors.not_kept;
    if more > 0 {
        text.push(format!("... and {more} more errors"));
    }
    text.join("\n")
}

fn import_summary(r: &ImportReport) -> String {
    let a = &r.applied;
    let mut text = format!(
        "imported {}: {} entities added, {} updated; {} relations added, {} updated; {} events added, {} updated; {} unchanged",
        plural(r.records_written as usize, "record"),
        a.entities_added,
        a.entities_updated,
        a.relations_added,
        a.relations_updated,
        a.events_added,
        a.events_updated,
        a.unchanged
    );
    if a.events_reindexed > 0 {
        text.push_str(&format!("; {} events re-indexed for changed sides", a.events_reindexed));
    }
    text
}

fn dump(store: &Store, output: Option<&Path>, out: &mut dyn Write) -> Result<(), Failure> {
    match output {
        None => write_dump(store, out).map_err(|e| dump_failure(e, "standard output")),
        Some(path) => {
            let name = path.display().to_string();
            write_file(path, |w| write_dump(store, w).map_err(|e| dump_failure(e, &name)))
        }
    }
}

/// Run `render` into `output` (see [`write_file`]), or into `out` when there is none.
fn write_output(
    output: Option<&Path>,
    out: &mut dyn Write,
    render: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), Failure> {
    let Some(path) = output else {
        return written(render(out));
    };
    let name = path.display().to_string();
    write_file(path, |w| render(w).map_err(|e| io_failure(&name, e)))
}

pub(super) enum DumpError {
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
pub(super) fn write_dump(store: &Store, out: &mut dyn Write) -> Result<(), DumpError> {
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
    let filter = ContactFilter {
        domains: vec!["security".into()],
        since: Some(query::parse_date_option("--since", "2022")?),
        ..ContactFilter::default()
    };
    let t = query::timeline(&store, vocab()?, "Morocco", "Germany", &filter)?;
    let io = |e| io_failure("standard output", e);
    writeln!(
        out,
        "Imported the bundled sample ({SAMPLE_NAME}) into {}:",
        path.display()
    )
    .map_err(io)?;
    writeln!(out, "{}\n", import_summary(&report)).map_err(io)?;
    writeln!(
        out,
        "$ dipgraph timeline Morocco Germany --domain security --since 2022\n"
    )
    .map_err(io)?;
    report::timeline_text_styled(&t, &term::stdout_style(), out).map_err(io)
}

fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// An import-style failure (invalid records, or the store) as a command failure.
fn import_failure(e: ImportError) -> Failure {
    match e {
        ImportError::Invalid(errors) => Failure::new(exit::DATA, shown(&errors)),
        ImportError::Store(e) => e.into(),
    }
}

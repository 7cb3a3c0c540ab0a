//! `dipgraph check [--repair]`, `dipgraph backup PATH` and the global `--wait SECONDS`.

use super::commands::{write_dump, DumpError};
use super::{exit, Failure};
use crate::store::{CheckReport, ImportError, ImportOptions, IndexCheck, Input, OpenMode, Problems, Repair, Store};
use crate::vocab::Vocab;
use std::hash::Hasher;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Rebuild the indexes from the records, in one atomic write (refused, writing nothing,
    /// when the records themselves are damaged)
    #[arg(long)]
    pub repair: bool,
}

#[derive(Debug, clap::Args)]
pub struct BackupArgs {
    /// Where the copy goes: a new directory, which must not exist yet
    #[arg(value_name = "PATH")]
    pub path: PathBuf,
}

/// `--wait SECONDS`: a number of seconds, fractions allowed, at most a day.
pub fn parse_wait(s: &str) -> Result<Duration, String> {
    let secs: f64 = s.parse().map_err(|_| format!("{s:?} is not a number of seconds"))?;
    if !(0.0..=86_400.0).contains(&secs) {
        return Err(format!("{s} is not between 0 and 86400 seconds"));
    }
    Ok(Duration::from_secs_f64(secs))
}

fn io(e: std::io::Error) -> Failure {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        return Failure::new(exit::OK, "");
    }
    Failure::new(exit::FAILURE, format!("standard output: {e}"))
}

/// `dipgraph check`: the report on stdout; exit 0 when the store is consistent (or was
/// repaired), else 4 with the reason on stderr.
pub fn check(store: &Store, args: CheckArgs, out: &mut dyn Write) -> Result<(), Failure> {
    let path = store.path().display().to_string();
    if !args.repair {
        let report = store.check()?;
        write_report(&path, &report, out).map_err(io)?;
        return verdict(
            &path,
            &report,
            "`dipgraph check --repair` rebuilds them from the records",
        );
    }
    match store.repair()? {
        Repair::Consistent(report) => {
            write_report(&path, &report, out).map_err(io)?;
            writeln!(out, "nothing to repair").map_err(io)
        }
        Repair::Refused(report) => {
            write_report(&path, &report, out).map_err(io)?;
            Err(Failure::new(
                exit::FAILURE,
                format!(
                    "store {path} is damaged: {} in the records themselves, which rebuilding the indexes cannot fix; \
                     nothing was written. Restore the store from a backup (`dipgraph backup`) or re-import its sources",
                    plural(report.record_problems(), "problem")
                ),
            ))
        }
        Repair::Repaired { before, written, after } => {
            write_report(&path, &before, out).map_err(io)?;
            writeln!(
                out,
                "repaired: {} written in one atomic write; checking again",
                plural(written, "index entry")
            )
            .map_err(io)?;
            write_report(&path, &after, out).map_err(io)?;
            verdict(&path, &after, "repair did not fix them")
        }
    }
}

/// Exit 0 for a consistent store, else the failure that names what to do.
fn verdict(path: &str, report: &CheckReport, then: &str) -> Result<(), Failure> {
    if report.is_consistent() {
        return Ok(());
    }
    let records = report.record_problems();
    let message = if records > 0 {
        format!(
            "store {path} is damaged: {} in the records themselves, {} in the indexes; \
             restore it from a backup (`dipgraph backup`) or re-import its sources",
            plural(records, "problem"),
            plural(report.index_problems(), "problem")
        )
    } else {
        format!(
            "store {path} is damaged: {} in the indexes; {then}",
            plural(report.index_problems(), "problem")
        )
    };
    Err(Failure::new(exit::FAILURE, message))
}

fn plural(n: u64, what: &str) -> String {
    match (n, what.strip_suffix('y')) {
        (1, _) => format!("1 {what}"),
        (_, Some(stem)) => format!("{n} {stem}ies"),
        _ => format!("{n} {what}s"),
    }
}

/// The report: what was checked, then each kind of problem with its count and examples.
fn write_report(path: &str, r: &CheckReport, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(
        out,
        "store {path}: {} engine, format version {}",
        r.engine, r.format_version
    )?;
    writeln!(
        out,
        "records: {} entities, {} relations, {} events",
        r.entities, r.relations, r.events
    )?;
    let entries: u64 = r.indexes.iter().map(|i| i.expected).sum();
    writeln!(
        out,
        "indexes: {} trees, {} entries expected from the records",
        r.indexes.len(),
        entries
    )?;
    let problem = |out: &mut dyn Write, what: &str, p: &Problems| -> std::io::Result<()> {
        if p.count > 0 {
            writeln!(out, "  {what}: {}", p.count)?;
            for e in &p.examples {
                writeln!(out, "    {e}")?;
            }
            if p.count > p.examples.len() as u64 {
                writeln!(out, "    …")?;
            }
        }
        Ok(())
    };
    for (kind, p) in &r.records {
        writeln!(out, "records: {kind}")?;
        problem(out, "count", p)?;
    }
    if r.next_id.count > 0 {
        writeln!(out, "meta: next_id")?;
        problem(out, "count", &r.next_id)?;
    }
    for index in r.indexes.iter().filter(|i| i.problems() > 0) {
        let IndexCheck {
            tree,
            expected,
            found,
            missing,
            unexpected,
            wrong_value,
            malformed,
        } = index;
        writeln!(out, "index {tree}: {expected} entries expected, {found} found")?;
        problem(out, "missing", missing)?;
        problem(out, "unexpected", unexpected)?;
        problem(out, "wrong value", wrong_value)?;
        problem(out, "malformed", malformed)?;
    }
    if r.is_consistent() {
        writeln!(out, "consistent")?;
    } else {
        writeln!(
            out,
            "problems: {} in the records, {} in the indexes",
            r.record_problems(),
            r.index_problems()
        )?;
    }
    Ok(())
}

/// A `Write` that hashes what passes through it, so that a dump can be compared with
/// another without keeping either.
struct Hashing<W> {
    inner: W,
    hash: std::collections::hash_map::DefaultHasher,
    bytes: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.write(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

fn hashing<W: Write>(inner: W) -> Hashing<W> {
    Hashing {
        inner,
        hash: std::collections::hash_map::DefaultHasher::new(),
        bytes: 0,
    }
}

/// The store's dump (interchange v1, the order of `dipgraph dump`) into `out`; the hash and
/// length of what was written.
fn dump_hashed(store: &Store, out: impl Write) -> Result<(u64, u64), DumpError> {
    let mut h = hashing(BufWriter::with_capacity(1 << 20, out));
    write_dump(store, &mut h)?;
    h.flush().map_err(DumpError::Io)?;
    Ok((h.hash.finish(), h.bytes))
}

/// `dipgraph backup PATH`: a new store at PATH, on the source's engine, holding exactly the
/// source's records. While this runs the source stays open, so its lock keeps every writer
/// out and the copy is of one state. The records stream from a dump of the source, through
/// a pipe, into an ordinary import of a new store built in a temporary directory beside PATH;
/// its dump is then compared with the source's, and only then is it renamed to PATH. A
/// failure at any step leaves PATH absent.
pub fn backup(store: &Store, args: BackupArgs, _out: &mut dyn Write) -> Result<(), Failure> {
    let dest = args.path;
    let name = dest.display().to_string();
    if std::fs::symlink_metadata(&dest).is_ok() {
        return Err(Failure::new(
            exit::USAGE,
            format!("{name} already exists: a backup goes to a new path, never into an existing one"),
        ));
    }
    let parent = dest
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let failed = |e: std::io::Error| Failure::new(exit::FAILURE, format!("{name}: {e}"));
    let tmp = tempfile::Builder::new()
        .prefix(".dipgraph-backup-")
        .tempdir_in(parent)
        .map_err(failed)?;
    let vocab = Vocab::current().map_err(|e| Failure::new(exit::FAILURE, e.to_string()))?;
    let copy = Store::open(tmp.path(), OpenMode::CreateWith(store.engine()))?;
    let (reader, writer) = std::io::pipe().map_err(failed)?;
    let source_name = format!("dump of {}", store.path().display());
    let (dumped, imported) = std::thread::scope(|s| {
        let dumper = s.spawn(move || dump_hashed(store, writer));
        let input = Input {
            name: source_name,
            reader: Box::new(std::io::BufReader::with_capacity(1 << 20, reader)),
        };
        let imported = copy.import(vec![input], vocab, &ImportOptions::default());
        // The import reads to the end of its input, so the dump has finished or failed.
        let dumped = dumper
            .join()
            .unwrap_or_else(|_| Err(DumpError::Io(std::io::Error::other("the dump thread panicked"))));
        (dumped, imported)
    });
    // A failed dump ends the pipe early, which the import would take for the end of the
    // records: the dump's own result decides first.
    let (hash, bytes) = match dumped {
        Ok(h) => h,
        Err(DumpError::Store(e)) => return Err(e.into()),
        Err(DumpError::Io(e)) => return Err(Failure::new(exit::FAILURE, format!("backup to {name}: {e}"))),
    };
    let report = match imported {
        Ok(report) => report,
        Err(ImportError::Store(e)) => return Err(e.into()),
        Err(ImportError::Invalid(errors)) => {
            return Err(Failure::new(
                exit::FAILURE,
                format!(
                    "{errors}\nbackup to {name} failed: the store holds records that do not validate \
                     (is DIPGRAPH_SCHEMA the ontology they were imported with?); nothing was written"
                ),
            ))
        }
    };
    let copy_dump = dump_hashed(&copy, std::io::sink()).map_err(|e| match e {
        DumpError::Store(e) => Failure::from(e),
        DumpError::Io(e) => Failure::new(exit::FAILURE, format!("backup to {name}: {e}")),
    })?;
    if copy_dump != (hash, bytes) {
        return Err(Failure::new(
            exit::FAILURE,
            format!("backup to {name} failed: the copy's dump differs from the store's; nothing was written"),
        ));
    }
    drop(copy);
    // The temporary directory is private (0700); the store it becomes gets the mode a store
    // made by `import` usually has.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755)).map_err(failed)?;
    }
    let kept = tmp.keep();
    if let Err(e) = rename_new(&kept, &dest) {
        let _ = std::fs::remove_dir_all(&kept);
        return Err(failed(e));
    }
    // The rename is durable once the directory that holds it is synced.
    std::fs::File::open(parent).and_then(|d| d.sync_all()).map_err(failed)?;
    let a = &report.applied;
    eprintln!(
        "backed up {} ({} engine) to {name}: {} entities, {} relations, {} events; its dump is identical ({bytes} bytes)",
        store.path().display(),
        store.engine(),
        a.entities_added,
        a.relations_added,
        a.events_added
    );
    Ok(())
}

/// Rename `from` to `to`, failing if `to` appeared meanwhile (a plain rename would replace
/// an empty directory).
fn rename_new(from: &Path, to: &Path) -> std::io::Result<()> {
    if std::fs::symlink_metadata(to).is_ok() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::AlreadyExists,
            "appeared while the backup was being made",
        ));
    }
    std::fs::rename(from, to)
}

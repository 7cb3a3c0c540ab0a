//! `dipgraph ingest`: read news articles, extract entities and events, and write them
//! through the same validation and all-or-nothing path as `import`; `dipgraph eval`:
//! precision, recall and F1 of extraction against annotated articles.

use super::{exit, Failure};
use crate::export::InterchangeWriter;
use crate::extract::eval::evaluate;
use crate::extract::merge::merge;
use crate::extract::{extract, Extraction, Known, KnownSource, Lang, NoteKind, Options, Resources};
use crate::ingest::{validate, KeyLookup, LookupError, NoStore};
use crate::model::{PartialDate, Record};
use crate::store::{ImportError, ImportOptions, OpenMode, Store};
use crate::vocab::Vocab;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LangArg {
    Ar,
    Fr,
    En,
    /// Detect from the script and common words
    Auto,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum IngestFormat {
    /// Interchange v1 records, as `import` reads them
    Jsonl,
    /// Events and new entities, one per line
    Table,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EvalFormat {
    Text,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct IngestArgs {
    /// Articles: plain text or HTML (tags, scripts and page furniture are dropped)
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Publication date (YYYY, YYYY-MM or YYYY-MM-DD); relative dates ("yesterday", "last
    /// May") are resolved against it, and stay unresolved without it
    #[arg(long, value_name = "DATE")]
    pub published: Option<String>,
    /// Language of the articles
    #[arg(long, value_enum, default_value_t = LangArg::Auto)]
    pub lang: LangArg,
    /// URL the articles were published at, recorded in every event's sources
    #[arg(long, value_name = "URL")]
    pub source: Option<String>,
    /// Print the records that would be written, and write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Output format of --dry-run
    #[arg(long, value_enum, default_value_t = IngestFormat::Jsonl)]
    pub format: IngestFormat,
}

#[derive(Debug, clap::Args)]
pub struct EvalArgs {
    /// Directory of *.gold.json files, each naming its article
    #[arg(value_name = "GOLD_DIR")]
    pub dir: PathBuf,
    #[arg(long, value_enum, default_value_t = EvalFormat::Text)]
    pub format: EvalFormat,
}

fn resources() -> Result<&'static Resources, Failure> {
    Resources::current().map_err(|e| Failure::new(exit::FAILURE, format!("data files: {e}")))
}

fn vocab() -> Result<&'static Vocab, Failure> {
    Vocab::current().map_err(|e| Failure::new(exit::FAILURE, e.to_string()))
}

fn io(e: std::io::Error) -> Failure {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        return Failure::new(exit::OK, "");
    }
    Failure::new(exit::FAILURE, format!("standard output: {e}"))
}

/// The largest article `ingest` reads. The extractor needs many times an article's size
/// (its normalised text, tokens, matches and candidate spans are each several times the
/// text), and a news article, even as a whole HTML page, is far smaller than this.
pub const MAX_ARTICLE_BYTES: u64 = 4 * 1024 * 1024;

/// Read one article, refusing one above [`MAX_ARTICLE_BYTES`] without reading more of it
/// than that (a pipe or a device has no length to check beforehand).
fn read_article(path: &Path, name: &str) -> Result<Vec<u8>, Failure> {
    use std::io::Read;
    let cannot = |e: std::io::Error| Failure::new(exit::DATA, format!("{name}: cannot read: {e}"));
    let file = std::fs::File::open(path).map_err(cannot)?;
    let mut bytes = Vec::new();
    file.take(MAX_ARTICLE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > MAX_ARTICLE_BYTES {
        return Err(Failure::new(
            exit::DATA,
            format!(
                "{name}: larger than the limit of {} MiB for one article; nothing was written",
                MAX_ARTICLE_BYTES / (1024 * 1024)
            ),
        ));
    }
    Ok(bytes)
}

/// The document id of a file: its name without the last extension
/// ("ma-de-security-cooperation.ar.txt" → "ma-de-security-cooperation.ar").
pub fn doc_id(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

pub fn ingest(args: IngestArgs, db: &Path, engine: crate::store::Engine, out: &mut dyn Write) -> Result<(), Failure> {
    let res = resources()?;
    let vocab = vocab()?;
    let published = super::options::published(args.published.as_deref())?;
    let lang = args.lang.lang();
    // A dry run reads the store if there is one and never creates it.
    let new = !db.exists();
    let store = if args.dry_run {
        if new {
            None
        } else {
            Some(Store::open(db, OpenMode::Existing)?)
        }
    } else {
        Some(Store::open(db, OpenMode::CreateWith(engine))?)
    };
    let result = run(&args, store.as_ref(), published, lang, res, vocab, out);
    if let Some(s) = store {
        if !args.dry_run && new && result.is_err() && s.is_empty()? {
            // Leave no empty store behind a failed first ingest.
            let _ = s.discard();
        }
    }
    result
}

fn run(
    args: &IngestArgs,
    store: Option<&Store>,
    published: Option<PartialDate>,
    lang: Option<Lang>,
    res: &Resources,
    vocab: &Vocab,
    out: &mut dyn Write,
) -> Result<(), Failure> {
    let known = match store {
        Some(s) => s.known().map_err(|e| Failure::new(exit::FAILURE, e.0))?,
        None => Known::default(),
    };
    let mut extractions: Vec<(String, Extraction)> = Vec::new();
    for f in &args.files {
        let name = f.display().to_string();
        let bytes = read_article(f, &name)?;
        let text = String::from_utf8(bytes).map_err(|e| {
            Failure::new(
                exit::DATA,
                format!("{name}: not UTF-8 (byte {})", e.utf8_error().valid_up_to() + 1),
            )
        })?;
        let opts = Options {
            lang,
            published,
            url: args.source.clone(),
            html: None,
        };
        let x = extract(&text, &doc_id(f), &opts, &known, res);
        for n in &x.notes {
            let kind = match n.kind {
                NoteKind::UnresolvedDate => "unresolved date",
                NoteKind::NearMiss => "near miss",
                NoteKind::Resolved => "resolved",
                NoteKind::Skipped => "skipped",
            };
            eprintln!("{name}:{}-{}: {kind}: {}", n.start, n.end, n.message);
        }
        extractions.push((name, x));
    }
    let stored = |key: &str| match store {
        Some(s) => s.event_by_key(key).map_err(|e| LookupError(e.to_string())),
        None => Ok(None),
    };
    let records = merge(extractions, &stored).map_err(|e| Failure::new(exit::FAILURE, e.0))?;
    let lookup: &dyn KeyLookup = match store {
        Some(s) => s,
        None => &NoStore,
    };
    if args.dry_run {
        // Validate as import would, so that a dry run fails where a real one would.
        validate(records.clone(), vocab, lookup, false).map_err(|errors| {
            Failure::new(
                exit::DATA,
                format!("{errors}\ningest failed: the extracted records do not validate"),
            )
        })?;
        let plain: Vec<Record> = records.into_iter().map(|r| r.record).collect();
        return match args.format {
            IngestFormat::Jsonl => {
                let mut w = InterchangeWriter::new(&mut *out);
                for r in &plain {
                    w.write(r).map_err(io)?;
                }
                w.finish().map_err(io)?;
                Ok(())
            }
            IngestFormat::Table => table(&plain, out).map_err(io),
        };
    }
    let Some(store) = store else {
        return Err(Failure::new(exit::FAILURE, "no store"));
    };
    let events = records.iter().filter(|r| matches!(r.record, Record::Event(_))).count();
    match store.import_records(records, vocab, &ImportOptions::default()) {
        Ok(report) => {
            let a = &report.applied;
            eprintln!(
                "ingested {} article{}: {} events; {} entities added, {} updated; {} relations added; {} events added, {} updated; {} unchanged",
                args.files.len(),
                if args.files.len() == 1 { "" } else { "s" },
                events,
                a.entities_added,
                a.entities_updated,
                a.relations_added,
                a.events_added,
                a.events_updated,
                a.unchanged
            );
            Ok(())
        }
        Err(ImportError::Invalid(errors)) => Err(Failure::new(
            exit::DATA,
            format!("{errors}\ningest failed: nothing was written"),
        )),
        Err(ImportError::Store(e)) => Err(e.into()),
    }
}

fn table(records: &[Record], out: &mut dyn Write) -> std::io::Result<()> {
    let names: BTreeMap<&str, &str> = records
        .iter()
        .filter_map(|r| match r {
            Record::Entity(e) => Some((e.key.as_str(), e.name.as_str())),
            _ => None,
        })
        .collect();
    writeln!(out, "events:")?;
    for r in records {
        if let Record::Event(e) = r {
            let parts: Vec<String> = e
                .participants
                .iter()
                .map(|p| {
                    format!(
                        "{} ({})",
                        names.get(p.entity.as_str()).copied().unwrap_or(&p.entity),
                        p.role
                    )
                })
                .collect();
            writeln!(
                out,
                "  {:<10} {:<17} {} @ {}  [{:.2}]",
                e.date.to_string(),
                e.event_type,
                parts.join(", "),
                e.location.as_deref().unwrap_or("-"),
                e.confidence.unwrap_or(0.0)
            )?;
        }
    }
    writeln!(out, "entities:")?;
    for r in records {
        if let Record::Entity(e) = r {
            writeln!(out, "  {:<40} {:<12} {}", e.key, e.entity_type, e.name)?;
        }
    }
    Ok(())
}

pub fn eval(args: EvalArgs, out: &mut dyn Write) -> Result<(), Failure> {
    let res = resources()?;
    let report = evaluate(&args.dir, res).map_err(|m| Failure::new(exit::DATA, m))?;
    match args.format {
        EvalFormat::Text => out.write_all(report.to_text().as_bytes()).map_err(io),
        EvalFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &report).map_err(|e| io(e.into()))?;
            writeln!(out).map_err(io)
        }
    }
}

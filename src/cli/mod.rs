//! The command line: clap definitions, and commands that turn options into one library
//! call and its result into output. Errors map to the exit codes documented in docs/cli.md.

mod commands;
mod docs;
mod export;
mod ingest;
mod options;
mod reliability;
pub mod term;

use clap::{Parser, Subcommand, ValueEnum};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Exit codes (docs/cli.md).
pub mod exit {
    pub const OK: u8 = 0;
    /// The input data is invalid (nothing was written, or with --keep-going some lines were not).
    pub const DATA: u8 = 1;
    /// The command line is wrong.
    pub const USAGE: u8 = 2;
    /// The store cannot be used: in use by another process, missing, not a store, too new.
    pub const STORE_UNAVAILABLE: u8 = 3;
    /// An I/O error or a damaged store.
    pub const FAILURE: u8 = 4;
}

/// A failed command: the message for stderr and the exit code.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl Failure {
    pub fn new(code: u8, message: impl Into<String>) -> Self {
        Failure {
            code,
            message: message.into(),
        }
    }
}

impl From<crate::store::StoreError> for Failure {
    fn from(e: crate::store::StoreError) -> Self {
        let code = if e.is_unavailable() {
            exit::STORE_UNAVAILABLE
        } else {
            exit::FAILURE
        };
        Failure::new(code, e.to_string())
    }
}

impl From<crate::export::file::OutputError> for Failure {
    fn from(e: crate::export::file::OutputError) -> Self {
        if e.is_broken_pipe() {
            // The reader of a FIFO went away, as with `dipgraph dump | head`.
            return Failure::new(exit::OK, "");
        }
        let code = if e.is_refused() { exit::USAGE } else { exit::FAILURE };
        Failure::new(code, e.to_string())
    }
}

#[derive(Debug, Parser)]
#[command(
    name = "dipgraph",
    version,
    about = "An embedded knowledge-graph database of diplomatic events"
)]
#[command(
    after_help = "Example:\n  dipgraph --db ma-de.db import data/samples/morocco-germany.jsonl\n  dipgraph --db ma-de.db stats"
)]
pub struct Cli {
    /// The store directory [default: ./dipgraph.db]
    #[arg(long, global = true, env = "DIPGRAPH_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,

    /// Storage engine for a store this command creates (an existing store keeps its own)
    #[arg(long, global = true, value_enum, default_value_t = EngineArg::from(crate::store::DEFAULT_ENGINE))]
    pub engine: EngineArg,

    /// If another process is using the store, wait up to this many seconds for it instead
    /// of failing at once
    #[arg(long, global = true, value_name = "SECONDS", value_parser = reliability::parse_wait)]
    pub wait: Option<std::time::Duration>,

    #[command(subcommand)]
    pub command: Command,

    /// Whether `--db` was given on the command line (rather than by DIPGRAPH_DB).
    #[arg(skip)]
    pub db_from_command_line: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EngineArg {
    Redb,
    Sled,
}

impl From<crate::store::Engine> for EngineArg {
    fn from(e: crate::store::Engine) -> Self {
        match e {
            crate::store::Engine::Redb => EngineArg::Redb,
            crate::store::Engine::Sled => EngineArg::Sled,
        }
    }
}

impl From<EngineArg> for crate::store::Engine {
    fn from(e: EngineArg) -> Self {
        match e {
            EngineArg::Redb => crate::store::Engine::Redb,
            EngineArg::Sled => crate::store::Engine::Sled,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TableOrJson {
    Table,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TextOrJson {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ContactsFormat {
    Table,
    Json,
    Csv,
    Ndjson,
}

/// Output formats of `timeline`: text and JSON, or a chart as one self-contained HTML page
/// or SVG file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TimelineFormat {
    Text,
    Json,
    Html,
    Svg,
}

/// The lanes of a timeline chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LanesArg {
    /// One lane per country
    Sides,
    /// One lane per organization within each country
    Organizations,
}

/// Filters shared by `contacts` and `timeline`.
#[derive(Debug, Clone, clap::Args)]
pub struct ContactArgs {
    /// A country: any name, alias or key (Morocco, المغرب, Maroc, MAR)
    pub a: String,
    /// The other country
    pub b: String,
    /// Keep contacts in this domain (repeatable: any of them); `security` also matches
    /// participants from intelligence, police, interior or military
    #[arg(long = "domain", value_name = "DOMAIN")]
    pub domains: Vec<String>,
    /// Keep events of this type (repeatable)
    #[arg(long = "type", value_name = "TYPE")]
    pub types: Vec<String>,
    /// Keep events that reach this date or later (YYYY, YYYY-MM or YYYY-MM-DD)
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Keep events that start by the end of this date
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// Count events of these statuses (comma-separated: reported, planned, cancelled,
    /// denied; or all); by default only reported events
    #[arg(long = "status", value_name = "LIST")]
    pub status: Option<String>,
}

/// A date window for traversals.
#[derive(Debug, Clone, clap::Args)]
pub struct WindowArgs {
    /// Only use events that reach this date or later
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Only use events that start by the end of this date
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import interchange v1 JSON Lines or GraphML files (all-or-nothing unless --keep-going)
    #[command(
        after_help = "Examples:\n  dipgraph import data/samples/morocco-germany.jsonl\n  cat batch.jsonl | dipgraph import -\n  dipgraph import --keep-going a.jsonl b.jsonl"
    )]
    Import {
        /// Files to import; `-` reads standard input
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Write the valid records and report the rejected lines (exit code 1 if any)
        #[arg(long)]
        keep_going: bool,
        /// Refuse lines longer than this many bytes
        #[arg(long, value_name = "BYTES", default_value_t = crate::ingest::DEFAULT_MAX_LINE_BYTES)]
        max_line_bytes: usize,
    },
    /// Write the whole store as interchange v1 JSON Lines, in a deterministic order
    #[command(after_help = "Example:\n  dipgraph dump -o backup.jsonl")]
    Dump {
        /// Write to this file instead of standard output (replaced atomically)
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Count nodes and edges by type
    #[command(after_help = "Example:\n  dipgraph stats --format json")]
    Stats {
        #[arg(long, value_enum, default_value_t = TableOrJson::Table)]
        format: TableOrJson,
    },
    /// Bilateral contacts between two countries, in date order
    #[command(
        after_help = "Examples:\n  dipgraph contacts Morocco Germany --domain security --since 2022\n  dipgraph contacts المغرب ألمانيا --type visit --format json"
    )]
    Contacts {
        #[command(flatten)]
        filter: ContactArgs,
        #[arg(long, value_enum, default_value_t = ContactsFormat::Table)]
        format: ContactsFormat,
    },
    /// The cooperation timeline between two countries: who met whom, where, in which office
    #[command(
        after_help = "Examples:\n  dipgraph timeline MAR DEU --domain security --since 2022\n  dipgraph timeline Morocco Germany --format html -o ma-de.html\n  dipgraph timeline Morocco Germany --format svg --lanes organizations -o ma-de.svg"
    )]
    Timeline {
        #[command(flatten)]
        filter: ContactArgs,
        /// `html` and `svg` draw the chart as one self-contained file
        #[arg(long, value_enum, default_value_t = TimelineFormat::Text)]
        format: TimelineFormat,
        /// Write to this file instead of standard output (replaced atomically)
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Chart lanes, for --format html and svg [default: sides]
        #[arg(long, value_enum)]
        lanes: Option<LanesArg>,
    },
    /// One entity: type, aliases, side, positions over time, events
    #[command(after_help = "Example:\n  dipgraph entity \"Abdellatif Hammouchi\"")]
    Entity {
        /// Any name, alias or key
        name: String,
        #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
        format: TextOrJson,
    },
    /// Find entities by name or alias, in any script, ranked
    #[command(after_help = "Examples:\n  dipgraph search hammouchi\n  dipgraph search حموشي")]
    Search {
        text: String,
        /// Show at most this many hits
        #[arg(long, default_value_t = 20)]
        limit: usize,
        #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
        format: TextOrJson,
    },
    /// The ego network of an entity: every entity and event within K hops
    #[command(
        visible_alias = "ego",
        after_help = "Example:\n  dipgraph neighbors \"Dieter Romann\" --hops 2 --format json"
    )]
    Neighbors {
        /// Any name, alias or key
        name: String,
        /// How many edges out (entity–event is one)
        #[arg(long, default_value_t = 1)]
        hops: u32,
        #[command(flatten)]
        window: WindowArgs,
        #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
        format: TextOrJson,
    },
    /// The shortest chain of contacts between two entities, through events
    #[command(after_help = "Example:\n  dipgraph path \"Thomas Haldenwang\" \"Dieter Romann\"")]
    Path {
        /// Any name, alias or key
        a: String,
        /// Any name, alias or key
        b: String,
        /// Give up beyond this many edges
        #[arg(long, value_name = "K")]
        max_hops: Option<u32>,
        /// Entity types the chain may pass through, comma-separated; `any` for all
        #[arg(long, value_name = "TYPES", default_value = "person", value_delimiter = ',')]
        through: Vec<String>,
        #[command(flatten)]
        window: WindowArgs,
        #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
        format: TextOrJson,
    },
    /// Merge two entities that are one: B's names become A's aliases, everything that named
    /// B names A, and B is removed (one atomic write)
    #[command(after_help = "Example:\n  dipgraph merge person:haldenwang person:haldenwang-2")]
    Merge {
        /// The entity that stays (any name, alias or key)
        keep: String,
        /// The entity merged into it and removed
        remove: String,
    },
    /// Split an entity that is two: a new entity takes some aliases and event participations
    #[command(
        after_help = "Example:\n  dipgraph split person:a --new-key person:a-2 --name \"A. Second\" --alias \"A 2\" --event ev:2022-06-10-x"
    )]
    Split {
        /// The entity to split (any name, alias or key)
        entity: String,
        /// Key of the new entity
        #[arg(long, value_name = "KEY")]
        new_key: String,
        /// Name of the new entity
        #[arg(long, value_name = "NAME")]
        name: String,
        /// An alias that moves to the new entity (repeatable)
        #[arg(long = "alias", value_name = "ALIAS")]
        aliases: Vec<String>,
        /// An event whose participation moves to the new entity (repeatable)
        #[arg(long = "event", value_name = "KEY")]
        events: Vec<String>,
    },
    /// Import the bundled Morocco–Germany sample into a fresh store and show the security
    /// timeline since 2022 (a temporary store unless --db is given)
    #[command(after_help = "Example:\n  dipgraph demo\n  dipgraph --db demo.db demo")]
    Demo,
    /// Export a query's subgraph, or the whole store, as GraphML, GEXF, JSON or CSV
    #[command(
        after_help = "Examples:\n  dipgraph export --format graphml -o ma-de.graphml contacts MAR DEU --domain security --since 2022\n  dipgraph export --format gexf -o ma-de.gexf contacts Morocco Germany\n  dipgraph export --format json neighbors \"Dieter Romann\" --hops 2\n  dipgraph export --format csv -o neo4j-import --all"
    )]
    Export(export::ExportArgs),
    /// Read news articles (Arabic, French, English; text or HTML) and write the entities and
    /// events they report, with the sentences that say so (all-or-nothing, like import)
    #[command(
        after_help = "Examples:\n  dipgraph ingest data/articles/ma-de-security-cooperation.ar.txt --published 2023\n  dipgraph ingest --dry-run --format table article.html --published 2024-03-02 --source https://example.org/a"
    )]
    Ingest(ingest::IngestArgs),
    /// Precision, recall and F1 of extraction against annotated articles (*.gold.json)
    #[command(after_help = "Example:\n  dipgraph eval tests/extraction")]
    Eval(ingest::EvalArgs),
    /// Verify every index entry against the records and every record against its indexes,
    /// every reference and the format version; --repair rebuilds the indexes
    #[command(after_help = "Examples:\n  dipgraph check\n  dipgraph --db ma-de.db check --repair")]
    Check(reliability::CheckArgs),
    /// Write a consistent copy of the store into a new directory, itself a store
    #[command(after_help = "Example:\n  dipgraph --db ma-de.db backup backups/ma-de-2024-06-01.db")]
    Backup(reliability::BackupArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell)
    #[command(
        after_help = "Examples:\n  dipgraph completions bash > ~/.local/share/bash-completion/completions/dipgraph\n  dipgraph completions zsh > ~/.zfunc/_dipgraph"
    )]
    Completions { shell: clap_complete::Shell },
    /// Print the manual page (roff), or write one page per command into a directory
    #[command(after_help = "Examples:\n  dipgraph man | man -l -\n  dipgraph man --dir man/man1")]
    Man {
        /// Write dipgraph.1 and dipgraph-COMMAND.1 for every command into DIR
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

/// Run the binary: parse, run, print, map to an exit code.
pub fn main() -> ExitCode {
    let parsed = <Cli as clap::CommandFactory>::command()
        .try_get_matches()
        .and_then(|m| <Cli as clap::FromArgMatches>::from_arg_matches(&m).map(|cli| (cli, m)));
    let (mut cli, matches) = match parsed {
        Ok(ok) => ok,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { exit::USAGE } else { exit::OK });
        }
    };
    cli.db_from_command_line = matches.value_source("db") == Some(clap::parser::ValueSource::CommandLine);
    if let Some(wait) = cli.wait {
        crate::store::set_lock_wait(wait);
    }
    // Stdout is line-buffered; JSON and tables are written in many small pieces.
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    match commands::run(cli, &mut out) {
        Ok(()) => match out.flush() {
            Ok(()) => ExitCode::from(exit::OK),
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::from(exit::OK),
            Err(e) => report(Failure::new(exit::FAILURE, format!("cannot write output: {e}"))),
        },
        Err(f) => report(f),
    }
}

fn report(f: Failure) -> ExitCode {
    if f.message.is_empty() {
        return ExitCode::from(f.code);
    }
    let _ = out_err(&f.message);
    ExitCode::from(f.code)
}

fn out_err(message: &str) -> std::io::Result<()> {
    let stderr = std::io::stderr();
    let mut err = stderr.lock();
    for line in message.lines() {
        writeln!(err, "{line}")?;
    }
    Ok(())
}

//! `dipgraph export`: a query's subgraph, or the whole store, as GraphML, GEXF, node-link
//! JSON or neo4j CSV.

use super::{exit, ContactArgs, Failure, WindowArgs};
use crate::export::csv::CsvWriter;
use crate::export::file::{write_file, OutputFile};
use crate::export::gexf::GexfWriter;
use crate::export::graphml::GraphmlWriter;
use crate::export::nodelink::NodeLinkWriter;
use crate::export::subgraph::{
    write_graph, Counts, GraphSink, IdClashes, RecordIter, Records, WriteError, SOURCE_ID_PREFIX,
};
use crate::model::{Entity, Event, Relation};
use crate::query;
use crate::store::{Store, StoreError};
use crate::vocab::Vocab;
use std::convert::Infallible;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// GraphML for Gephi, yEd, Cytoscape, NetworkX, igraph
    Graphml,
    /// GEXF 1.3, dynamic: Gephi's timeline replays the events
    Gexf,
    /// Node-link JSON for networkx.node_link_graph
    Json,
    /// nodes.csv and edges.csv for neo4j-admin import (-o names a directory)
    Csv,
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = ExportFormat::Graphml, global = true)]
    pub format: ExportFormat,
    /// Write to this file instead of standard output (replaced atomically); for csv, the
    /// directory that receives nodes.csv and edges.csv
    #[arg(short, long, value_name = "PATH", global = true)]
    pub output: Option<PathBuf>,
    /// Export the whole store (read as it is written, never held in memory)
    #[arg(long)]
    pub all: bool,
    /// The query whose subgraph to export
    #[command(subcommand)]
    pub selector: Option<ExportSelector>,
}

/// The queries an export can select.
#[derive(Debug, clap::Subcommand)]
pub enum ExportSelector {
    /// Contacts between two countries: their events, participants, organizations, countries,
    /// places and sources
    Contacts {
        #[command(flatten)]
        filter: ContactArgs,
    },
    /// The ego network of an entity
    Neighbors {
        /// Any name, alias or key
        name: String,
        /// How many edges out (entity–event is one)
        #[arg(long, default_value_t = 1)]
        hops: u32,
        #[command(flatten)]
        window: WindowArgs,
    },
    /// One entity with its events
    Entity {
        /// Any name, alias or key
        name: String,
    },
}

impl From<Infallible> for Failure {
    fn from(e: Infallible) -> Self {
        match e {}
    }
}

/// The whole store as [`Records`]: each pass is a fresh scan of the store's key indexes.
struct StoreRecords<'s>(&'s Store);

impl Records for StoreRecords<'_> {
    type Error = StoreError;

    fn entities(&self) -> Result<RecordIter<'_, Entity, StoreError>, StoreError> {
        Ok(Box::new(self.0.entities()?))
    }

    fn relations(&self) -> Result<RecordIter<'_, Relation, StoreError>, StoreError> {
        Ok(Box::new(self.0.relations()?))
    }

    fn events(&self) -> Result<RecordIter<'_, Event, StoreError>, StoreError> {
        Ok(Box::new(self.0.events()?))
    }

    fn clashes(&self) -> Result<IdClashes, StoreError> {
        let (event_keys, source_like_keys) = query::key_clashes(self.0, SOURCE_ID_PREFIX)?;
        Ok(IdClashes {
            event_keys,
            source_like_keys,
        })
    }
}

fn io_failure(what: &str, e: std::io::Error) -> Failure {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        return Failure::new(exit::OK, "");
    }
    Failure::new(exit::FAILURE, format!("{what}: {e}"))
}

fn write_failure<E: Into<Failure>>(target: &str, e: WriteError<E>) -> Failure {
    match e {
        WriteError::Read(e) => e.into(),
        WriteError::Io(e) => io_failure(target, e),
    }
}

/// Run `export`.
pub fn run(store: &Store, args: ExportArgs, out: &mut dyn Write) -> Result<(), Failure> {
    let counts = match (args.all, &args.selector) {
        (true, Some(_)) => {
            return Err(Failure::new(
                exit::USAGE,
                "export: give either --all or a query, not both",
            ));
        }
        (false, None) => {
            return Err(Failure::new(
                exit::USAGE,
                "export: say what to export: --all, or a query (contacts A B, neighbors NAME, entity NAME)",
            ));
        }
        (true, None) => export(&StoreRecords(store), args.format, args.output.as_deref(), out)?,
        (false, Some(s)) => {
            let vocab = Vocab::current().map_err(|e| Failure::new(exit::FAILURE, e.to_string()))?;
            let selection = query::select(store, vocab, &super::options::selector(s)?)?;
            export(&selection, args.format, args.output.as_deref(), out)?
        }
    };
    if let Some(path) = &args.output {
        eprintln!(
            "exported {} nodes and {} edges to {}",
            counts.nodes,
            counts.edges,
            path.display()
        );
    }
    Ok(())
}

fn export<R>(records: &R, format: ExportFormat, output: Option<&Path>, out: &mut dyn Write) -> Result<Counts, Failure>
where
    R: Records,
    R::Error: Into<Failure>,
{
    if format == ExportFormat::Csv {
        let Some(dir) = output else {
            return Err(Failure::new(
                exit::USAGE,
                "export --format csv writes two files: give the directory for nodes.csv and edges.csv with -o DIR",
            ));
        };
        let name = dir.display().to_string();
        std::fs::create_dir_all(dir).map_err(|e| io_failure(&name, e))?;
        let mut nodes = OutputFile::create(&dir.join("nodes.csv"))?;
        let mut edges = OutputFile::create(&dir.join("edges.csv"))?;
        let counts = {
            let mut sink = CsvWriter::new(nodes.writer(), edges.writer());
            write_graph(records, &mut sink).map_err(|e| write_failure(&name, e))?
        };
        nodes.commit()?;
        edges.commit()?;
        return Ok(counts);
    }
    match output {
        None => write_format(records, format, out).map_err(|e| write_failure("standard output", e)),
        Some(path) => {
            let name = path.display().to_string();
            write_file(path, |w| {
                write_format(records, format, w).map_err(|e| write_failure(&name, e))
            })
        }
    }
}

fn write_format<R: Records>(
    records: &R,
    format: ExportFormat,
    out: &mut dyn Write,
) -> Result<Counts, WriteError<R::Error>> {
    let mut sink: Box<dyn GraphSink + '_> = match format {
        ExportFormat::Graphml => Box::new(GraphmlWriter::new(out)),
        ExportFormat::Gexf => Box::new(GexfWriter::new(out)),
        ExportFormat::Json | ExportFormat::Csv => Box::new(NodeLinkWriter::new(out)),
    };
    write_graph(records, sink.as_mut())
}

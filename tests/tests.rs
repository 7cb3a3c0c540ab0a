//! The integration tests: one binary, one module per area, shared helpers in `util`.
//! Regression tests are named after the issue they close (`issue_N_...`).

mod cli_terminal;
mod contacts_oracle;
mod docs_examples;
mod export;
mod extraction;
mod import;
mod issue17;
mod library;
mod merge;
mod output_files;
mod queries;
mod regression;
mod reliability;
mod schema;
mod status;
mod timeline_chart;
mod util;
#[path = "../examples/gen-events/world.rs"]
mod world;

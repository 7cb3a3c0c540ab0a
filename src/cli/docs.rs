//! Shell completions and manual pages, generated from the clap definitions in `mod.rs`, so
//! that they always list the commands and options the binary really has.

use super::{exit, Cli, Failure};
use clap::CommandFactory;
use clap_complete::Generator;
use std::io::Write;
use std::path::Path;

/// Write the completion script for `shell` to `out`.
pub fn completions(shell: clap_complete::Shell, out: &mut dyn Write) -> Result<(), Failure> {
    let mut cmd = Cli::command();
    cmd.set_bin_name("dipgraph");
    cmd.build();
    shell
        .try_generate(&cmd, out)
        .map_err(|e| write_failure("standard output", e))
}

/// Write the manual page of `dipgraph` to `out`, or, with `dir`, one page per command
/// (`dipgraph.1`, `dipgraph-import.1`, …) into `dir`, listing the files written on `out`.
pub fn man(dir: Option<&Path>, out: &mut dyn Write) -> Result<(), Failure> {
    let cmd = Cli::command();
    match dir {
        None => clap_mangen::Man::new(cmd)
            .render(out)
            .map_err(|e| write_failure("standard output", e)),
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|e| write_failure(&dir.display().to_string(), e))?;
            let mut cmd = cmd.disable_help_subcommand(true);
            cmd.build();
            let mut pages = vec![cmd.clone()];
            pages.extend(cmd.get_subcommands().filter(|s| !s.is_hide_set()).cloned());
            for page in pages {
                let man = clap_mangen::Man::new(page);
                let path = dir.join(man.get_filename());
                let name = path.display().to_string();
                // Each page is replaced whole or not at all, like `dump -o`.
                crate::export::file::write_file(&path, |w| man.render(w).map_err(|e| write_failure(&name, e)))?;
                writeln!(out, "{name}").map_err(|e| write_failure("standard output", e))?;
            }
            Ok(())
        }
    }
}

fn write_failure(what: &str, e: std::io::Error) -> Failure {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        // `dipgraph man | head`: the reader went away, nothing to report.
        return Failure::new(exit::OK, "");
    }
    Failure::new(exit::FAILURE, format!("{what}: {e}"))
}

//! Issue 8: a CLI that fits the terminal. Help with examples for every command, shell
//! completions and man pages from the clap definitions, colour only on a terminal and never
//! under NO_COLOR, tables cut to the terminal's width, JSON for scripts.
//!
//! A terminal is faked with util-linux `script`, which runs a command on a pseudo-terminal
//! (Debian's bsdutils, an essential package); piped output is the ordinary case.

use crate::util::{dipgraph, repo, run, TestStore, SAMPLE};
use clap::CommandFactory;
use std::process::Command;

const ESC: char = '\x1b';

fn sample_store() -> TestStore {
    let s = TestStore::new("redb");
    s.import(&repo(SAMPLE)).ok();
    s
}

/// Run `args` against the store on a pseudo-terminal; `env` is added to the environment.
fn on_terminal(s: &TestStore, args: &str, env: &[(&str, &str)]) -> String {
    let bin = env!("CARGO_BIN_EXE_dipgraph");
    let cmd = format!("'{bin}' --db '{}' {args}", s.path.display());
    let mut c = Command::new("script");
    c.args(["-q", "-e", "-c", &cmd, "/dev/null"])
        .env_remove("NO_COLOR")
        .env_remove("COLUMNS")
        .env_remove("DIPGRAPH_DB");
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c
        .output()
        .expect("util-linux `script` runs (Debian's bsdutils provides it)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).replace("\r\n", "\n")
}

#[test]
fn issue_8_every_command_help_shows_a_real_example() {
    let cli = dipgraph::cli::Cli::command();
    let mut names: Vec<String> = cli.get_subcommands().map(|c| c.get_name().to_string()).collect();
    names.sort();
    assert!(names.len() >= 11, "{names:?}");
    for name in &names {
        let help = run(dipgraph().args([name.as_str(), "--help"])).ok().stdout;
        let examples: Vec<&str> = help
            .lines()
            .skip_while(|l| !l.starts_with("Example"))
            .skip(1)
            .filter(|l| l.trim_start().starts_with("dipgraph "))
            .collect();
        assert!(!examples.is_empty(), "`dipgraph {name} --help` has no example:\n{help}");
        for ex in examples {
            // The example runs this command: its first word that is not an option (or an
            // option's value) is the command's name.
            let words: Vec<&str> = ex.split_whitespace().skip(1).collect();
            let mut i = 0;
            while i < words.len() && words[i].starts_with("--") {
                i += 2;
            }
            assert_eq!(words.get(i), Some(&name.as_str()), "example of {name}: {ex}");
        }
    }
}

#[test]
fn issue_8_completions_and_man_pages_come_from_the_clap_definitions() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = run(dipgraph().args(["completions", shell])).ok().stdout;
        assert!(out.contains("timeline"), "{shell} completion lacks timeline");
        assert!(out.contains("lanes"), "{shell} completion lacks --lanes");
    }
    let bash = run(dipgraph().args(["completions", "bash"])).ok().stdout;
    assert!(bash.contains("complete -F _dipgraph"), "{bash}");
    run(dipgraph().args(["completions", "tcsh"])).fails_with(2);

    let man = run(dipgraph().arg("man")).ok().stdout;
    assert!(man.contains(".TH dipgraph 1"), "{man}");
    for cmd in ["import", "timeline", "completions", "man"] {
        assert!(man.contains(cmd), "the man page lacks {cmd}");
    }
    let dir = tempfile::tempdir().unwrap();
    let pages = dir.path().join("man1");
    let listed = run(dipgraph().args(["man", "--dir"]).arg(&pages)).ok().stdout;
    let timeline = std::fs::read_to_string(pages.join("dipgraph-timeline.1")).expect("dipgraph-timeline.1");
    assert!(timeline.contains(".TH dipgraph-timeline 1"), "{timeline}");
    assert!(timeline.contains("lanes"));
    let count = std::fs::read_dir(&pages).unwrap().count();
    assert_eq!(listed.lines().count(), count);
    assert_eq!(count, dipgraph::cli::Cli::command().get_subcommands().count() + 1);
}

#[test]
fn issue_8_piped_output_has_no_escape_codes_even_without_no_color() {
    let s = sample_store();
    for args in [
        &["timeline", "MAR", "DEU"][..],
        &["contacts", "MAR", "DEU"],
        &["stats"],
        &["entity", "Hammouchi"],
        &["search", "german"],
        &["demo"],
    ] {
        let mut c = s.cmd(args);
        c.env_remove("NO_COLOR").env("COLUMNS", "40");
        let r = run(&mut c).ok();
        assert!(!r.stdout.contains(ESC), "{args:?} printed escape codes into a pipe");
        assert!(!r.stdout.contains('…'), "{args:?} cut a piped table");
    }
}

#[test]
fn issue_8_colour_and_width_on_a_terminal_and_no_color_honoured() {
    let s = sample_store();
    let coloured = on_terminal(&s, "timeline MAR DEU", &[]);
    assert!(coloured.contains("\x1b[1;34m2022\x1b[0m"), "{coloured}");
    let plain = on_terminal(&s, "timeline MAR DEU", &[("NO_COLOR", "1")]);
    assert!(!plain.contains(ESC), "{plain}");
    assert!(plain.contains("\n2022\n"));

    let table = on_terminal(&s, "contacts MAR DEU", &[("COLUMNS", "100"), ("NO_COLOR", "1")]);
    let rows: Vec<&str> = table.lines().filter(|l| l.contains("ev:")).collect();
    assert_eq!(rows.len(), 4, "{table}");
    for row in &rows {
        assert!(row.chars().count() <= 100, "{row}");
        assert!(row.contains('…'), "the participants column is cut: {row}");
    }
    assert!(
        rows[3].ends_with("ev:2023-bfv-visit-rabat"),
        "keys stay whole: {}",
        rows[3]
    );
    let header = on_terminal(&s, "contacts MAR DEU", &[("COLUMNS", "100")]);
    assert!(header.starts_with("\x1b[1mdate"), "{header}");
}

#[test]
fn issue_8_every_query_command_speaks_json() {
    let s = sample_store();
    for args in [
        &["stats"][..],
        &["contacts", "MAR", "DEU"],
        &["timeline", "MAR", "DEU"],
        &["entity", "Hammouchi"],
        &["search", "german"],
        &["neighbors", "Romann"],
        &["path", "Romann", "Hammouchi"],
    ] {
        let mut all = args.to_vec();
        all.extend(["--format", "json"]);
        let out = s.run(&all).ok().stdout;
        serde_json::from_str::<serde_json::Value>(&out).unwrap_or_else(|e| panic!("{args:?}: {e}\n{out}"));
    }
}

//! Issue 8: every shell example in README.md and docs/*.md runs, against the bundled
//! sample, and prints what the docs say it prints. The convention (docs/README.md):
//!
//! - A fenced block whose info string is exactly `sh` is run; `sh-norun` is shown, never
//!   run. Any other shell-like info string (`bash`, `shell`, `console`, `sh norun`, …)
//!   fails this test, so that no example is silently skipped.
//! - The `sh` blocks of one file run in order, each as `bash -e -o pipefail`, in one fresh
//!   temporary directory per file that holds a copy of `data/`, with the built `dipgraph`
//!   first on PATH and DIPGRAPH_DB, DIPGRAPH_SCHEMA unset. Stdout and stderr are read as
//!   one stream, in the order they were written.
//! - A block must exit 0 (an example meant to fail ends in `|| echo "exit $?"`).
//! - A `text` block that follows an `sh` block, with only blank lines between, is its
//!   output: every non-empty line of it must appear in the output, in order, as a whole
//!   line (trailing spaces ignored). A line containing "…" matches any output line that
//!   starts with what precedes its first "…", so long quotes may be shortened.

use crate::util::repo;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A fenced code block: its info string, first line number (1-based), and lines.
#[derive(Debug, Clone)]
struct Block {
    info: String,
    line: usize,
    body: Vec<String>,
    /// Whether only blank lines separate it from the previous block.
    follows_previous: bool,
}

fn blocks(markdown: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut open: Option<(String, usize, Vec<String>, bool)> = None;
    let mut blank_since_last_block = true;
    for (i, line) in markdown.lines().enumerate() {
        let trimmed = line.trim_start();
        match &mut open {
            Some((info, start, body, follows)) => {
                if trimmed.starts_with("```") && trimmed.trim_end() == "```" {
                    out.push(Block {
                        info: info.clone(),
                        line: *start,
                        body: std::mem::take(body),
                        follows_previous: *follows,
                    });
                    open = None;
                    blank_since_last_block = true;
                } else {
                    body.push(line.to_string());
                }
            }
            None => {
                if let Some(info) = trimmed.strip_prefix("```") {
                    let follows = blank_since_last_block && !out.is_empty();
                    open = Some((info.trim().to_string(), i + 1, Vec::new(), follows));
                } else if !line.trim().is_empty() {
                    blank_since_last_block = false;
                }
            }
        }
    }
    assert!(open.is_none(), "unclosed code fence");
    out
}

/// The expected-output rule: each non-empty expected line, in order, matches a later
/// output line. Returns the first expected line that does not.
fn missing_line<'e>(expected: &'e [String], actual: &str) -> Option<&'e str> {
    let actual: Vec<&str> = actual.lines().map(str::trim_end).collect();
    let mut at = 0;
    for want in expected.iter().map(|l| l.trim_end()).filter(|l| !l.is_empty()) {
        let matches = |got: &&str| match want.split_once('…') {
            Some((prefix, _)) => got.starts_with(prefix),
            None => *got == want,
        };
        match actual[at..].iter().position(matches) {
            Some(p) => at += p + 1,
            None => return Some(want),
        }
    }
    None
}

const SHELL_LIKE: [&str; 6] = ["bash", "shell", "console", "zsh", "shell-session", "terminal"];

fn markdown_files() -> Vec<PathBuf> {
    let mut files = vec![repo("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(repo("docs"))
        .expect("docs/")
        .map(|e| e.expect("docs entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    files.extend(docs);
    files
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// Run every `sh` block of one file; return its failures, described.
fn run_file(path: &Path) -> (usize, Vec<String>) {
    let name = path.strip_prefix(repo("")).unwrap_or(path).display().to_string();
    let text = std::fs::read_to_string(path).expect("read markdown");
    let all = blocks(&text);
    let mut failures = Vec::new();
    let mut ran = 0;
    let dir = tempfile::tempdir().expect("temp dir");
    copy_dir(&repo("data"), &dir.path().join("data"));
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_dipgraph"));
    let path_var = std::env::join_paths(
        std::iter::once(bin.parent().expect("bin dir").to_path_buf())
            .chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
    )
    .expect("PATH");
    for (i, b) in all.iter().enumerate() {
        let first_word = b.info.split_whitespace().next().unwrap_or("");
        if SHELL_LIKE.contains(&first_word) || (first_word == "sh" && b.info != "sh") {
            failures.push(format!(
                "{name}:{}: info string \"{}\": use `sh` (run) or `sh-norun` (shown only)",
                b.line, b.info
            ));
            continue;
        }
        if b.info != "sh" {
            continue;
        }
        ran += 1;
        let script = format!("exec 2>&1\n{}\n", b.body.join("\n"));
        let out = Command::new("bash")
            .args(["-e", "-o", "pipefail", "-c", &script])
            .current_dir(dir.path())
            .env("PATH", &path_var)
            .env_remove("DIPGRAPH_DB")
            .env_remove("DIPGRAPH_SCHEMA")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stderr(Stdio::inherit())
            .output()
            .expect("bash runs");
        let output = String::from_utf8_lossy(&out.stdout).into_owned();
        if !out.status.success() {
            failures.push(format!(
                "{name}:{}: the block exited with {}\n--- block\n{}\n--- output\n{output}",
                b.line,
                out.status,
                b.body.join("\n")
            ));
            continue;
        }
        if let Some(next) = all.get(i + 1).filter(|n| n.info == "text" && n.follows_previous) {
            if let Some(line) = missing_line(&next.body, &output) {
                failures.push(format!(
                    "{name}:{}: the output of the block at line {} lacks the line\n  {line}\n--- output\n{output}",
                    next.line, b.line
                ));
            }
        }
    }
    (ran, failures)
}

#[test]
fn issue_8_every_shell_example_in_the_docs_runs_and_prints_what_they_say() {
    let mut failures = Vec::new();
    let mut ran = 0;
    for f in markdown_files() {
        let (n, mut fails) = run_file(&f);
        ran += n;
        failures.append(&mut fails);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(
        ran >= 40,
        "only {ran} examples ran: are the docs' blocks labelled `sh`?"
    );
}

#[test]
fn issue_8_docs_example_rules_catch_wrong_output_and_labels() {
    let md = "Intro\n\n```sh\necho hi\n```\n\n```text\nhi\n```\nprose\n```text\nunrelated\n```\n```sh-norun\ncargo test\n```\n";
    let b = blocks(md);
    assert_eq!(b.len(), 4);
    assert_eq!((b[0].info.as_str(), b[0].line), ("sh", 3));
    assert!(
        b[1].follows_previous,
        "a text block right after a sh block is its output"
    );
    assert!(!b[2].follows_previous, "prose in between detaches a text block");
    assert_eq!(b[3].info, "sh-norun");

    let expected = |s: &str| s.lines().map(String::from).collect::<Vec<_>>();
    assert_eq!(missing_line(&expected("a\n\nc"), "a\nb\nc\n"), None);
    assert_eq!(missing_line(&expected("c\na"), "a\nb\nc\n"), Some("a"), "order matters");
    assert_eq!(
        missing_line(&expected("a b"), "a b c\n"),
        Some("a b"),
        "whole lines only"
    );
    assert_eq!(missing_line(&expected("  «quote…»"), "  «quote that goes on»\n"), None);
    assert_eq!(missing_line(&expected("  «other…»"), "  «quote»\n"), Some("  «other…»"));
    assert_eq!(
        missing_line(&expected("x  "), "x\n"),
        None,
        "trailing spaces are ignored"
    );
}

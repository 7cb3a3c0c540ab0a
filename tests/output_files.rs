//! Output paths (`dump -o`, `timeline -o`, `export -o`, `man --dir`): only a regular file or
//! a new path is replaced atomically; devices, FIFOs and symlinks are written through; a
//! read-only file is refused; new files get 0644 minus the umask (issue 17, finding 4).

#![cfg(unix)]

use crate::util::{repo, run, Run, TestStore, SAMPLE};
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};

fn sample_store() -> TestStore {
    let s = TestStore::new("redb");
    s.import(&repo(SAMPLE)).ok();
    s
}

/// The commands that write one output file, each with `-o PATH` appended last.
fn writers() -> Vec<(&'static str, Vec<&'static str>)> {
    vec![
        ("dump", vec!["dump", "-o"]),
        ("timeline", vec!["timeline", "Morocco", "Germany", "-o"]),
        ("export", vec!["export", "--all", "-o"]),
    ]
}

fn write_to(s: &TestStore, args: &[&str], path: &Path) -> Run {
    run(s.cmd(args).arg(path))
}

fn write_with_umask(s: &TestStore, umask: &str, args: &[&str], path: &Path) -> Run {
    let bin = assert_cmd::cargo::cargo_bin("dipgraph");
    let mut sh = std::process::Command::new("sh");
    sh.current_dir(repo(""))
        .env("NO_COLOR", "1")
        .env_remove("DIPGRAPH_DB")
        .arg("-c")
        .arg(format!("umask {umask} && exec \"$0\" \"$@\""))
        .arg(bin)
        .arg("--db")
        .arg(&s.path)
        .args(args)
        .arg(path);
    let out = sh.output().expect("sh runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).expect("stat").permissions().mode() & 0o7777
}

#[test]
fn issue_17_output_new_files_get_0644_minus_the_umask() {
    let s = sample_store();
    for (name, args) in writers() {
        for (umask, want) in [("022", 0o644), ("027", 0o640), ("000", 0o644)] {
            let path = s.dir.path().join(format!("{name}-{umask}.out"));
            write_with_umask(&s, umask, &args, &path).ok();
            assert_eq!(mode(&path), want, "{name} -o with umask {umask}");
        }
    }
    let dir = s.dir.path().join("man");
    for (umask, want) in [("022", 0o644), ("027", 0o640)] {
        let _ = std::fs::remove_dir_all(&dir);
        write_with_umask(&s, umask, &["man", "--dir"], &dir).ok();
        assert_eq!(mode(&dir.join("dipgraph.1")), want, "man --dir with umask {umask}");
    }
}

#[test]
fn issue_17_output_a_read_only_file_is_refused_and_kept() {
    let s = sample_store();
    for (name, args) in writers() {
        let path = s.file(&format!("{name}.ro"), "keep me\n");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
        let r = write_to(&s, &args, &path).fails_with(2);
        r.stderr_has_line(&format!(
            "{}: is read-only; it was not replaced (make it writable or choose another name)",
            path.display()
        ));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "keep me\n", "{name}");
        assert_eq!(mode(&path), 0o444, "{name}");
    }
}

#[test]
fn issue_17_output_a_regular_file_is_replaced_whole_and_keeps_its_mode() {
    let s = sample_store();
    let dump = s.dump();
    let path = s.file("backup.jsonl", "old\n");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o664)).unwrap();
    write_to(&s, &["dump", "-o"], &path).ok();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), dump);
    assert_eq!(mode(&path), 0o664);
    let left: Vec<PathBuf> = std::fs::read_dir(s.dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with(".dipgraph-out-"))
        .collect();
    assert!(left.is_empty(), "temporary files left: {left:?}");
}

#[test]
fn issue_17_output_a_character_device_is_written_through() {
    let s = sample_store();
    for (name, args) in writers() {
        // /dev/full takes the open and fails every write with ENOSPC: the error is reported.
        let r = write_to(&s, &args, Path::new("/dev/full")).fails_with(4);
        assert!(
            r.stderr.contains("/dev/full") && r.stderr.contains("No space left on device"),
            "{name}: {}",
            r.stderr
        );
        write_to(&s, &args, Path::new("/dev/null")).ok();
        for dev in ["/dev/full", "/dev/null"] {
            let t = std::fs::symlink_metadata(dev).unwrap().file_type();
            assert!(t.is_char_device(), "{name} -o {dev} replaced the device node");
        }
    }
}

#[test]
fn issue_17_output_dev_stdout_is_written_through_and_stays_a_symlink() {
    let s = sample_store();
    let dump = s.dump();
    let r = write_to(&s, &["dump", "-o"], Path::new("/dev/stdout")).ok();
    assert_eq!(r.stdout, dump);
    assert!(std::fs::symlink_metadata("/dev/stdout")
        .unwrap()
        .file_type()
        .is_symlink());
    // A symlink to a regular file: the file it leads to gets the output, the link stays.
    let target = s.file("real.jsonl", "old\n");
    let link = s.dir.path().join("latest.jsonl");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    write_to(&s, &["dump", "-o"], &link).ok();
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    assert_eq!(std::fs::read_to_string(&target).unwrap(), dump);
}

#[test]
fn issue_17_output_a_fifo_is_written_through() {
    let s = sample_store();
    let dump = s.dump();
    let fifo = s.dir.path().join("pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success(), "mkfifo failed");
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).expect("read the FIFO"))
    };
    write_to(&s, &["dump", "-o"], &fifo).ok();
    assert_eq!(reader.join().unwrap(), dump);
    assert!(std::fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
}

#[test]
fn issue_17_output_a_directory_is_refused() {
    let s = sample_store();
    for (name, args) in writers() {
        let r = write_to(&s, &args, s.dir.path()).fails_with(2);
        assert!(r.stderr.contains("is a directory"), "{name}: {}", r.stderr);
    }
}

//! Shared helpers: a temporary store per engine, running the real binary against it.

use assert_cmd::Command;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

pub const ENGINES: [&str; 2] = ["redb", "sled"];

/// The repository root, for data files.
pub fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

pub const SAMPLE: &str = "data/samples/morocco-germany.jsonl";

/// The output of one run of the binary.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    #[track_caller]
    pub fn ok(self) -> Run {
        assert_eq!(
            self.code, 0,
            "expected success, got {}\nstderr:\n{}",
            self.code, self.stderr
        );
        self
    }

    #[track_caller]
    pub fn fails_with(self, code: i32) -> Run {
        assert_eq!(
            self.code, code,
            "expected exit {code}, got {}\nstdout:\n{}\nstderr:\n{}",
            self.code, self.stdout, self.stderr
        );
        assert!(
            !self.stderr.contains("panicked"),
            "panic reached the user:\n{}",
            self.stderr
        );
        self
    }

    #[track_caller]
    pub fn stderr_has_line(&self, line: &str) {
        assert!(
            self.stderr.lines().any(|l| l == line),
            "stderr has no line\n  {line}\nstderr was:\n{}",
            self.stderr
        );
    }
}

pub fn dipgraph() -> Command {
    let mut c = Command::cargo_bin("dipgraph").expect("binary built");
    c.env_remove("DIPGRAPH_DB")
        .env_remove("DIPGRAPH_SCHEMA")
        .env("NO_COLOR", "1");
    c
}

pub fn run(cmd: &mut Command) -> Run {
    let out = cmd.output().expect("binary runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A store in a fresh temporary directory, created on `engine` by its first import.
pub struct TestStore {
    pub dir: TempDir,
    pub path: PathBuf,
    pub engine: &'static str,
}

impl TestStore {
    pub fn new(engine: &'static str) -> TestStore {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("store.db");
        TestStore { dir, path, engine }
    }

    /// A command against this store, run from the repository root.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = dipgraph();
        c.current_dir(repo(""))
            .arg("--db")
            .arg(&self.path)
            .arg("--engine")
            .arg(self.engine)
            .args(args);
        c
    }

    pub fn run(&self, args: &[&str]) -> Run {
        run(&mut self.cmd(args))
    }

    /// Write `content` to a file in the store's temp dir and return its path.
    pub fn file(&self, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, content).expect("write input");
        p
    }

    pub fn import(&self, file: &Path) -> Run {
        run(self.cmd(&["import"]).arg(file))
    }

    pub fn dump(&self) -> String {
        self.run(&["dump"]).ok().stdout
    }
}

/// Write `events` events of the project's generator (`examples/gen-events`) with `seed` to
/// `out`, a share `unaffiliated` of the persons without country and sector.
pub fn generate(events: usize, seed: u64, unaffiliated: f64, out: &Path) {
    let opts = crate::world::WorldOptions {
        events,
        seed,
        unaffiliated,
    };
    let mut file = std::io::BufWriter::new(std::fs::File::create(out).expect("create the generated file"));
    crate::world::write_world(&opts, &mut file).expect("write the generated world");
    std::io::Write::flush(&mut file).expect("write the generated world");
}

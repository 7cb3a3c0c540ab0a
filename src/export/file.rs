//! Output files: how every command that takes an output path (`dump -o`, `timeline -o`,
//! `export -o`, `man --dir`) writes it.
//!
//! - A regular file, or a path that does not exist yet, is replaced atomically: the output
//!   goes to a temporary file in the same directory, which is synced and then renamed over
//!   the path, so that the path holds either the old content or all of the new. A file that
//!   is replaced keeps its mode; a new one gets 0644 minus the umask, because output is
//!   meant to be read by others (the temporary file alone would be 0600).
//! - Anything else the path names (a character device such as `/dev/null` or `/dev/full`,
//!   a FIFO, a symlink such as `/dev/stdout`) is opened and written through, as the shell's
//!   `>` would: renaming over it would replace a device node, a pipe or a link with a
//!   regular file, and a device's write errors (ENOSPC from `/dev/full`) would be lost.
//! - A directory is refused, and so is a read-only file (no write permission bit, or one
//!   this process may not open for writing): a file the user protected is never replaced.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Why an output path was refused or could not be written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("{}: is a directory; give the name of a file to write", path.display())]
    Directory { path: PathBuf },
    #[error("{}: is read-only; it was not replaced (make it writable or choose another name)", path.display())]
    ReadOnly { path: PathBuf },
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
}

impl OutputError {
    /// Whether the path was refused before anything was written (as opposed to an I/O
    /// failure while writing).
    pub fn is_refused(&self) -> bool {
        matches!(self, OutputError::Directory { .. } | OutputError::ReadOnly { .. })
    }

    /// Whether the reader of a FIFO or pipe went away: not a failure of the writer.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, OutputError::Io { source, .. } if source.kind() == std::io::ErrorKind::BrokenPipe)
    }
}

/// An output file being written; see the module documentation for what is replaced and
/// what is written through. Nothing is visible at an atomically replaced path until
/// [`OutputFile::commit`]; dropping an uncommitted file removes its temporary file.
pub struct OutputFile {
    path: PathBuf,
    target: Target,
}

enum Target {
    Atomic(BufWriter<tempfile::NamedTempFile>),
    Through(BufWriter<File>),
}

impl OutputFile {
    /// Open `path` for output.
    pub fn create(path: &Path) -> Result<OutputFile, OutputError> {
        let io = |source| OutputError::Io {
            path: path.to_path_buf(),
            source,
        };
        let target = match std::fs::symlink_metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Target::Atomic(buffered(temp_beside(path, None)?)),
            Err(e) => return Err(io(e)),
            Ok(m) if m.is_dir() => return Err(OutputError::Directory { path: path.into() }),
            Ok(m) if m.is_file() => {
                refuse_read_only(path, &m)?;
                Target::Atomic(buffered(temp_beside(path, Some(m.permissions()))?))
            }
            Ok(_) => {
                // A symlink, device, FIFO or socket: written through. What a symlink leads to
                // is checked like the path itself.
                if let Ok(m) = std::fs::metadata(path) {
                    if m.is_dir() {
                        return Err(OutputError::Directory { path: path.into() });
                    }
                    if m.is_file() {
                        refuse_read_only(path, &m)?;
                    }
                }
                let mut open = OpenOptions::new();
                open.write(true).create(true).truncate(true);
                #[cfg(unix)]
                {
                    use std::os::unix::fs::OpenOptionsExt;
                    open.mode(0o644);
                }
                Target::Through(BufWriter::with_capacity(1 << 20, open.open(path).map_err(io)?))
            }
        };
        Ok(OutputFile {
            path: path.to_path_buf(),
            target,
        })
    }

    /// The path as given.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Where to write the output.
    pub fn writer(&mut self) -> &mut dyn Write {
        match &mut self.target {
            Target::Atomic(w) => w,
            Target::Through(w) => w,
        }
    }

    /// Finish: flush what is buffered, then sync the temporary file and rename it over the
    /// path (or, for a path written through, only flush, so that a device's error is seen).
    pub fn commit(self) -> Result<(), OutputError> {
        let path = self.path;
        let io = |source| OutputError::Io {
            path: path.clone(),
            source,
        };
        match self.target {
            Target::Through(w) => {
                w.into_inner().map_err(|e| io(e.into_error()))?;
                Ok(())
            }
            Target::Atomic(w) => {
                let tmp = w.into_inner().map_err(|e| io(e.into_error()))?;
                tmp.as_file().sync_all().map_err(io)?;
                tmp.persist(&path).map_err(|e| io(e.error))?;
                sync_dir(&path);
                Ok(())
            }
        }
    }
}

/// Write `path` with `render`, as [`OutputFile`] does: the path is left as it was if
/// `render` fails.
pub fn write_file<T, E: From<OutputError>>(
    path: &Path,
    render: impl FnOnce(&mut dyn Write) -> Result<T, E>,
) -> Result<T, E> {
    let mut file = OutputFile::create(path)?;
    let value = render(file.writer())?;
    file.commit()?;
    Ok(value)
}

fn buffered(tmp: tempfile::NamedTempFile) -> BufWriter<tempfile::NamedTempFile> {
    BufWriter::with_capacity(1 << 20, tmp)
}

/// A regular file the user cannot, or did not mean to, write: no write bit at all (which
/// root would otherwise override), or one this process may not open for writing.
fn refuse_read_only(path: &Path, m: &std::fs::Metadata) -> Result<(), OutputError> {
    let openable = || OpenOptions::new().write(true).open(path).is_ok();
    if m.permissions().readonly() || !openable() {
        return Err(OutputError::ReadOnly { path: path.into() });
    }
    Ok(())
}

/// A temporary file in `path`'s directory with the mode `keep` (a replaced file's), or
/// that of a new file: 0644 minus the umask.
fn temp_beside(path: &Path, keep: Option<std::fs::Permissions>) -> Result<tempfile::NamedTempFile, OutputError> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let io = |source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".dipgraph-out-");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // The mode given at creation is reduced by the umask, as for any new file.
        builder.permissions(std::fs::Permissions::from_mode(0o644));
    }
    let tmp = builder.tempfile_in(dir).map_err(io)?;
    if let Some(p) = keep {
        // Set exactly, past the umask: the replaced file keeps the mode it had.
        tmp.as_file().set_permissions(p).map_err(io)?;
    }
    Ok(tmp)
}

/// Make the rename durable: sync the directory that holds it. A failure here leaves a
/// complete file that may not survive a crash, which is no reason to fail the command.
fn sync_dir(path: &Path) {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o7777
    }

    #[test]
    fn a_failed_render_leaves_the_file_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        std::fs::write(&path, "old").unwrap();
        let r: Result<(), OutputError> = write_file(&path, |w| {
            w.write_all(b"new, half").map_err(|source| OutputError::Io {
                path: path.clone(),
                source,
            })?;
            Err(OutputError::Io {
                path: path.clone(),
                source: std::io::Error::other("render failed"),
            })
        });
        assert!(r.is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "the temporary file is removed");
    }

    #[test]
    fn a_replaced_file_keeps_its_mode_past_the_umask() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        std::fs::write(&path, "old").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o666)).unwrap();
        write_file::<_, OutputError>(&path, |w| {
            w.write_all(b"new").map_err(|source| OutputError::Io {
                path: path.clone(),
                source,
            })
        })
        .unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(mode(&path), 0o666);
    }

    #[test]
    fn a_directory_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let e = OutputFile::create(dir.path()).err().unwrap();
        assert!(matches!(e, OutputError::Directory { .. }), "{e}");
        assert!(e.is_refused());
    }
}

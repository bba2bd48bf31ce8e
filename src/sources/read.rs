//! The one reader of cbench's inputs: Compose files (and their includes, extends, env files and
//! `.env`), OCI bundles, the CLI's configuration and every file of an audited host. Inputs are
//! written by others (a pull request, an image, an unknown machine's tree), so a read is
//! bounded: regular files only — a FIFO, a device, a socket or a directory is refused by its
//! metadata, never opened for reading (and the open itself is non-blocking, should the file be
//! swapped between the look and the open) — and at most a limit per kind of input, counted
//! while reading (`/dev/zero` behind a symlink, a file that grows, /proc files that say 0 bytes).
#![allow(clippy::disallowed_methods)]

use std::io::{self, Read};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;

const MIB: u64 = 1024 * 1024;

/// A Compose file, an included or extended file (the largest real-world files are ~100 KB;
/// 16 MiB leaves room for generated ones).
pub const COMPOSE: u64 = 16 * MIB;
/// An env file or `.env`.
pub const ENV_FILE: u64 = 4 * MIB;
/// An OCI bundle's config.json.
pub const OCI_CONFIG: u64 = 16 * MIB;
/// `.cbench.toml`.
pub const CONFIG: u64 = MIB;
/// A file of an audited host (daemon.json, sshd_config, passwd, audit rules, /proc/self/mountinfo
/// of a busy host is a few hundred KB).
pub const HOST_FILE: u64 = 16 * MIB;

/// The entries of directory `dir` (an input the user names, e.g. Butane's `--files-dir`
/// trees): (path, is a directory, is executable), symlinks left out, sorted.
pub fn list_dir(dir: &Path) -> io::Result<Vec<(std::path::PathBuf, bool, bool)>> {
    use std::os::unix::fs::PermissionsExt;
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        let m = e.metadata()?;
        if m.file_type().is_symlink() {
            continue;
        }
        out.push((e.path(), m.is_dir(), m.permissions().mode() & 0o111 != 0));
    }
    out.sort();
    Ok(out)
}

/// Why an input was not read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{0}")]
    Io(#[from] io::Error),
    #[error("is {0}, not a regular file; not read")]
    NotRegular(&'static str),
    #[error("is over the {} MiB limit for {what}; not read", limit / MIB)]
    TooLarge { what: &'static str, limit: u64 },
}

impl ReadError {
    /// The file is not there (then, for most inputs, it is simply absent).
    pub fn is_not_found(&self) -> bool {
        matches!(self, ReadError::Io(e) if matches!(e.kind(), io::ErrorKind::NotFound | io::ErrorKind::NotADirectory))
    }

    /// The input was refused for what it is (not a regular file, too large): an input error,
    /// unlike a file that is missing or cannot be opened.
    pub fn is_refused(&self) -> bool {
        !matches!(self, ReadError::Io(_))
    }
}

impl From<ReadError> for io::Error {
    fn from(e: ReadError) -> io::Error {
        match e {
            ReadError::Io(e) => e,
            refused => io::Error::new(io::ErrorKind::InvalidData, refused.to_string()),
        }
    }
}

/// What a file type is called in a message.
fn kind_name(t: std::fs::FileType) -> &'static str {
    if t.is_dir() {
        "a directory"
    } else if t.is_fifo() {
        "a FIFO"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else {
        "not a regular file"
    }
}

/// The bytes of regular file `path` (symlinks followed), at most `limit` of them.
pub fn bytes(path: &Path, limit: u64, what: &'static str) -> Result<Vec<u8>, ReadError> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular(kind_name(meta.file_type())));
    }
    if meta.len() > limit {
        return Err(ReadError::TooLarge { what, limit });
    }
    let file = std::fs::OpenOptions::new().read(true).custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY).open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular(kind_name(meta.file_type())));
    }
    // /proc and /sys files say they are empty: a page-sized first read instead of read_to_end's
    // 32-byte probes (the kernel makes a /proc/net table anew for each read: 2 ms each, measured).
    let size = if meta.len() == 0 { 16 * 1024 } else { meta.len() };
    let mut buf = Vec::with_capacity(size.min(limit) as usize);
    file.take(limit + 1).read_to_end(&mut buf)?;
    if buf.len() as u64 > limit {
        return Err(ReadError::TooLarge { what, limit });
    }
    Ok(buf)
}

/// The text of regular file `path` (UTF-8), at most `limit` bytes.
pub fn text(path: &Path, limit: u64, what: &'static str) -> Result<String, ReadError> {
    let b = bytes(path, limit, what)?;
    String::from_utf8(b).map_err(|_| ReadError::Io(io::Error::new(io::ErrorKind::InvalidData, "stream did not contain valid UTF-8")))
}

/// Is `path` something other than a regular file or a directory (a FIFO, a device, a socket)?
/// Such a path is never opened.
pub fn is_special(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_what_is_not_a_regular_file_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("compose.yaml");
        assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
        let e = bytes(&fifo, COMPOSE, "a Compose file").unwrap_err();
        assert_eq!(e.to_string(), "is a FIFO, not a regular file; not read");
        assert!(e.is_refused());
        let e = bytes(Path::new("/dev/null"), COMPOSE, "a Compose file").unwrap_err();
        assert_eq!(e.to_string(), "is a character device, not a regular file; not read");
        let e = bytes(dir.path(), COMPOSE, "a Compose file").unwrap_err();
        assert_eq!(e.to_string(), "is a directory, not a regular file; not read");
        // /dev/zero behind a symlink: refused, not read to exhaustion.
        std::os::unix::fs::symlink("/dev/zero", dir.path().join("zero")).unwrap();
        assert!(bytes(&dir.path().join("zero"), COMPOSE, "a Compose file").unwrap_err().is_refused());
    }

    #[test]
    fn counts_while_reading() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("daemon.json");
        std::fs::write(&p, "x".repeat(2049)).unwrap();
        assert_eq!(bytes(&p, 4096, "a host file").unwrap().len(), 2049);
        let e = bytes(&p, 2048, "a host file").unwrap_err();
        assert!(matches!(e, ReadError::TooLarge { limit: 2048, .. }));
        // A sparse file far over the limit is refused by its size, not read.
        let big = dir.path().join("sparse.json");
        std::fs::File::create(&big).unwrap().set_len(8 << 30).unwrap();
        assert_eq!(bytes(&big, HOST_FILE, "a host file").unwrap_err().to_string(), "is over the 16 MiB limit for a host file; not read");
        // /proc files say 0 bytes and are read whole, within the limit.
        assert!(!bytes(Path::new("/proc/self/status"), HOST_FILE, "a host file").unwrap().is_empty());
        assert!(bytes(Path::new("/nonexistent/x"), HOST_FILE, "a host file").unwrap_err().is_not_found());
    }
}

//! The host source: every read of the audited host goes through `HostRoot` — its files, symlinks
//! and masks, /proc and /sys, the output of auditctl — the live `/`, a directory tree given with
//! `--root` (a mounted image, a fixture), or a snapshot of a live host (a tree with its /proc,
//! /sys and recorded command outputs, for tests). Read-only, always. Outside this file, the
//! host sources may not touch `std::fs` or `std::process` (clippy `disallowed-methods`).
#![allow(clippy::disallowed_methods)]

pub mod accounts;
pub mod audit;
pub mod daemon;
pub mod kernel;
pub mod mac;
pub mod mounts;
pub mod podman;
pub mod sshd;
pub mod sysctl;
pub mod systemd;
pub mod vfs;

use std::io;
use std::path::{Component, Path, PathBuf};

use crate::model::{DaemonConfig, Fact, FileFacts, HostFacts, Origin, SocketFacts, Val};
use crate::sources::read;

#[derive(Debug, Clone)]
pub struct HostRoot {
    root: PathBuf,
    /// Live state (/proc, /sys, commands) is read: the live host, or a snapshot of one.
    live: bool,
    /// Directories already resolved inside the root (mask and link checks ask for the same
    /// unit directories again and again).
    dirs: std::cell::RefCell<rustc_hash::FxHashMap<String, Option<PathBuf>>>,
    /// Files refused for what they are (a FIFO, a device, over the size limit), shown, with
    /// why: input errors of the audit, never taken for absent.
    refused: std::cell::RefCell<Vec<(String, String)>>,
    /// A host that does not exist yet (a provisioning config applied to the image's defaults):
    /// every read is of this tree, none of the disk.
    tree: Option<std::sync::Arc<vfs::Tree>>,
    /// The live host seen through a mount (cbench's own image: `-v /:/host:ro --pid host`):
    /// files and /proc under the root, paths shown as the host has them, no command run.
    mounted: bool,
}

/// What `walk` tells of an entry.
#[derive(Debug, Clone, Copy)]
pub struct Meta {
    pub mode: u32,
    pub is_dir: bool,
    pub is_file: bool,
}

/// Where a snapshot root keeps the recorded output of the commands cbench runs on a live host:
/// `.cbench-live/auditctl -s`.
const RECORDED: &str = ".cbench-live";

/// Symlinks followed in one path before giving up (a loop).
const MAX_LINKS: usize = 40;

impl HostRoot {
    /// The live host for `/`, else an offline tree (nothing of the machine cbench runs on is
    /// read: no /proc, no /sys, no command).
    pub fn new(root: impl Into<PathBuf>) -> HostRoot {
        let root = root.into();
        HostRoot { live: root == Path::new("/"), root, dirs: Default::default(), refused: Default::default(), tree: None, mounted: false }
    }

    /// A host that does not exist yet: `tree` is all there is (offline: no /proc, no command).
    pub fn virtual_tree(tree: vfs::Tree) -> HostRoot {
        HostRoot {
            root: PathBuf::new(),
            live: false,
            dirs: Default::default(),
            refused: Default::default(),
            tree: Some(std::sync::Arc::new(tree)),
            mounted: false,
        }
    }

    /// A snapshot of a live host: `dir` holds its files with /proc and /sys, and the output of
    /// the commands cbench runs in `.cbench-live/COMMAND ARGS` (e.g. `.cbench-live/auditctl -s`).
    pub fn snapshot(dir: impl Into<PathBuf>) -> HostRoot {
        HostRoot { root: dir.into(), live: true, dirs: Default::default(), refused: Default::default(), tree: None, mounted: false }
    }

    /// The live host through a mount of its `/` at `dir`, from a container that shares its PID
    /// and network namespaces (`docker run --pid host --net host -v /:/host:ro`): its /proc is
    /// the host's, at `dir`/proc; commands are not run (the host's binaries are not this
    /// container's), so what they would tell is read from files instead.
    pub fn mounted(dir: impl Into<PathBuf>) -> HostRoot {
        HostRoot { root: dir.into(), live: true, dirs: Default::default(), refused: Default::default(), tree: None, mounted: true }
    }

    /// Seen through a mount (see [`HostRoot::mounted`]).
    pub fn is_mounted(&self) -> bool {
        self.mounted
    }

    /// Live state is read (the live host, or a snapshot of one).
    pub fn is_live(&self) -> bool {
        self.live
    }

    /// The output of `program args` on the audited host: run on the live host, read from the
    /// recording in a snapshot; Err(true) when the program is not there, Err(false) when it
    /// failed (e.g. it needs root). Offline, never run.
    pub fn command(&self, program: &str, args: &[&str]) -> Result<String, bool> {
        if !self.live || self.mounted {
            return Err(true);
        }
        if self.root != Path::new("/") {
            let name = std::iter::once(program).chain(args.iter().copied()).collect::<Vec<_>>().join(" ");
            return read::text(&self.root.join(RECORDED).join(name), read::HOST_FILE, "a recorded command output")
                .map_err(|e| e.is_not_found());
        }
        let bin = ["/usr/sbin", "/sbin", "/usr/bin", "/bin"].iter().map(|d| Path::new(d).join(program)).find(|p| p.exists()).ok_or(true)?;
        let out = std::process::Command::new(bin).args(args).stderr(std::process::Stdio::null()).output().map_err(|_| false)?;
        if out.status.success() { Ok(String::from_utf8_lossy(&out.stdout).into_owned()) } else { Err(false) }
    }

    /// Does cbench itself run as root (effective uid 0)? A snapshot says so in
    /// `.cbench-live/euid`.
    pub fn auditor_is_root(&self) -> bool {
        if self.tree.is_some() {
            // Every entry of a virtual tree is readable.
            return true;
        }
        let status = if self.root == Path::new("/") || self.mounted {
            std::fs::read_to_string("/proc/self/status").ok()
        } else {
            return read::text(&self.root.join(RECORDED).join("euid"), read::HOST_FILE, "a recorded command output")
                .is_ok_and(|u| u.trim() == "0");
        };
        status
            .and_then(|s| s.lines().find_map(|l| l.strip_prefix("Uid:").and_then(|u| u.split_whitespace().nth(1).map(|e| e == "0"))))
            .unwrap_or(false)
    }

    /// The real path of host path `path` (absolute, as seen on the host), with symlinks resolved
    /// inside the root: an absolute link target is taken relative to the root, never the
    /// machine cbench runs on; `..` never leaves the root.
    pub fn resolve(&self, path: &str) -> io::Result<PathBuf> {
        if let Some(tree) = &self.tree {
            return resolve_in(path, |p| match tree.get(&p.to_string_lossy()).map(|e| &e.kind) {
                Some(vfs::Kind::Link(t)) => Some(Ok(PathBuf::from(t))),
                _ => None,
            });
        }
        let found = resolve_in(path, |candidate| {
            let real = self.root.join(candidate.strip_prefix("/").unwrap_or(candidate));
            match std::fs::symlink_metadata(&real) {
                Ok(m) if m.file_type().is_symlink() => Some(std::fs::read_link(&real)),
                _ => None,
            }
        })?;
        Ok(self.root.join(found.strip_prefix("/").unwrap_or(&found)))
    }

    /// The entry of the virtual tree at resolved host path `path`.
    fn entry(&self, tree: &vfs::Tree, path: &str) -> io::Result<vfs::Entry> {
        let real = self.resolve(path)?;
        tree.get(&real.to_string_lossy())
            .cloned()
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, format!("{path}: not in the config's tree")))
    }

    /// The bytes of host file `path`: a regular file, at most `read::HOST_FILE` of them. A file
    /// refused for what it is (a FIFO, a device, too large) is an error of kind InvalidData,
    /// and remembered (`refused`).
    pub fn read(&self, path: &str) -> io::Result<Vec<u8>> {
        if let Some(tree) = &self.tree {
            return match self.entry(tree, path)?.kind {
                vfs::Kind::File(data) => Ok(data.to_vec()),
                vfs::Kind::Remote(url) => {
                    let why = format!("is fetched at boot from {url}: its contents are not known before the host exists");
                    let entry = (self.display(path), why.clone());
                    if !self.refused.borrow().contains(&entry) {
                        self.refused.borrow_mut().push(entry);
                    }
                    Err(io::Error::new(io::ErrorKind::InvalidData, why))
                }
                _ => Err(io::Error::new(io::ErrorKind::InvalidInput, format!("{path}: not a regular file"))),
            };
        }
        read::bytes(&self.resolve(path)?, read::HOST_FILE, "a host file").map_err(|e| {
            if e.is_refused() {
                let entry = (self.display(path), e.to_string());
                let mut refused = self.refused.borrow_mut();
                if !refused.contains(&entry) {
                    refused.push(entry);
                }
            }
            e.into()
        })
    }

    /// The files refused so far (shown path, why), in the order they were met.
    pub fn refused(&self) -> Vec<(String, String)> {
        self.refused.borrow().clone()
    }

    /// The text of host file `path`; None when it does not exist, and when it cannot be read
    /// (then its path, shown, goes to `unreadable`: what it says is unknown, not absent).
    pub fn read_or_note(&self, path: &str, unreadable: &mut Vec<String>) -> Option<String> {
        match self.read_to_string(path) {
            Ok(t) => Some(t),
            Err(e) => {
                if !matches!(e.kind(), io::ErrorKind::NotFound | io::ErrorKind::NotADirectory) {
                    unreadable.push(self.display(path));
                }
                None
            }
        }
    }

    pub fn read_to_string(&self, path: &str) -> io::Result<String> {
        String::from_utf8(self.read(path)?).map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "stream did not contain valid UTF-8"))
    }

    /// Owner, group and permission bits of host path `path` (following symlinks inside the root).
    pub fn stat(&self, path: &str) -> io::Result<(u32, u32, u32)> {
        use std::os::unix::fs::MetadataExt;
        if let Some(tree) = &self.tree {
            let e = self.entry(tree, path)?;
            return Ok((e.uid, e.gid, e.mode));
        }
        let m = std::fs::metadata(self.resolve(path)?)?;
        Ok((m.uid(), m.gid(), m.mode() & 0o7777))
    }

    /// Host path `path` with its directory resolved inside the root and its last component
    /// left as it is (to look at a link itself, never through the auditing machine's links).
    fn unresolved_leaf(&self, path: &str) -> Option<PathBuf> {
        let p = Path::new(path);
        let name = p.file_name()?;
        let dir = p.parent().map_or("/".into(), |d| d.to_string_lossy().into_owned());
        let resolved = self.dirs.borrow().get(&dir).cloned();
        let resolved = match resolved {
            Some(r) => r,
            None => {
                let r = self.resolve(&dir).ok();
                self.dirs.borrow_mut().insert(dir, r.clone());
                r
            }
        };
        Some(resolved?.join(name))
    }

    /// The entry of the virtual tree at `path`, its directory resolved, its last component not.
    fn leaf_entry<'t>(&self, tree: &'t vfs::Tree, path: &str) -> Option<&'t vfs::Entry> {
        let p = Path::new(path);
        let dir = self.resolve(&p.parent()?.to_string_lossy()).ok()?;
        tree.get(&dir.join(p.file_name()?).to_string_lossy())
    }

    /// Is host path `path` a symlink to /dev/null (a masked unit)?
    pub fn is_masked(&self, path: &str) -> bool {
        if let Some(tree) = &self.tree {
            return self.leaf_entry(tree, path).is_some_and(|e| e.kind == vfs::Kind::Link("/dev/null".into()));
        }
        self.unresolved_leaf(path).is_some_and(|real| std::fs::read_link(real).is_ok_and(|t| t == Path::new("/dev/null")))
    }

    /// Is host path `path` itself a symlink?
    pub fn is_link(&self, path: &str) -> bool {
        if let Some(tree) = &self.tree {
            return self.leaf_entry(tree, path).is_some_and(|e| matches!(e.kind, vfs::Kind::Link(_)));
        }
        self.unresolved_leaf(path).is_some_and(|real| std::fs::symlink_metadata(real).is_ok_and(|m| m.file_type().is_symlink()))
    }

    /// Does host path `path` exist (following symlinks inside the root)?
    pub fn exists(&self, path: &str) -> bool {
        if let Some(tree) = &self.tree {
            return self.entry(tree, path).is_ok();
        }
        self.resolve(path).is_ok_and(|r| r.exists())
    }

    pub fn is_file(&self, path: &str) -> bool {
        if let Some(tree) = &self.tree {
            return self.entry(tree, path).is_ok_and(|e| matches!(e.kind, vfs::Kind::File(_) | vfs::Kind::Remote(_)));
        }
        self.resolve(path).is_ok_and(|r| r.is_file())
    }

    pub fn is_dir(&self, path: &str) -> bool {
        if let Some(tree) = &self.tree {
            return self.entry(tree, path).is_ok_and(|e| e.kind == vfs::Kind::Dir);
        }
        self.resolve(path).is_ok_and(|r| r.is_dir())
    }

    /// Walk the root's file system from `/`, on its device only, never into a symlink: `skip`
    /// leaves a host path (and what is below it) out; `visit` sees every entry as (host path,
    /// metadata). Returns the directories that could not be read (shown).
    pub fn walk(&self, skip: impl Fn(&str) -> bool, mut visit: impl FnMut(&str, Meta)) -> Vec<String> {
        use std::os::unix::fs::MetadataExt;
        if let Some(tree) = &self.tree {
            let skipped: Vec<&String> = tree.entries.keys().filter(|p| skip(p)).collect();
            for (p, e) in &tree.entries {
                if p == "/" || skipped.iter().any(|s| p == *s || p.starts_with(&format!("{s}/"))) || matches!(e.kind, vfs::Kind::Link(_)) {
                    continue;
                }
                visit(
                    p,
                    Meta {
                        mode: e.mode,
                        is_dir: e.kind == vfs::Kind::Dir,
                        is_file: matches!(e.kind, vfs::Kind::File(_) | vfs::Kind::Remote(_)),
                    },
                );
            }
            return Vec::new();
        }
        let Ok(top) = self.resolve("/") else { return vec![self.display("/")] };
        let Ok(dev) = std::fs::symlink_metadata(&top).map(|m| m.dev()) else { return vec![self.display("/")] };
        let mut unreadable = Vec::new();
        let mut stack = vec![("/".to_string(), top)];
        while let Some((host_path, real)) = stack.pop() {
            let entries = match std::fs::read_dir(&real) {
                Ok(e) => e,
                Err(e) => {
                    if e.kind() != io::ErrorKind::NotFound {
                        unreadable.push(self.display(&host_path));
                    }
                    continue;
                }
            };
            let mut entries: Vec<_> = entries.flatten().collect();
            entries.sort_by_key(|e| e.file_name());
            for e in entries.into_iter().rev() {
                let name = e.file_name().to_string_lossy().into_owned();
                let hp = if host_path == "/" { format!("/{name}") } else { format!("{host_path}/{name}") };
                if skip(&hp) {
                    continue;
                }
                // Stat through the directory (fstatat): no path length limit; what cannot be
                // stat'ed is unknown, and said so.
                let m = match e.metadata() {
                    Ok(m) => m,
                    Err(err) => {
                        if err.kind() != io::ErrorKind::NotFound {
                            unreadable.push(self.display(&hp));
                        }
                        continue;
                    }
                };
                if m.file_type().is_symlink() || m.dev() != dev {
                    continue;
                }
                if m.is_dir() {
                    stack.push((hp.clone(), e.path()));
                }
                visit(&hp, Meta { mode: m.mode() & 0o7777, is_dir: m.is_dir(), is_file: m.is_file() });
            }
        }
        unreadable
    }

    /// Does reading host path `path` (a file, or a directory's listing) fail for lack of
    /// permission, or is it refused for what it is (a FIFO, a device, over the size limit)?
    /// Then what it says is unknown, not empty.
    pub fn denied(&self, path: &str) -> bool {
        if self.tree.is_some() {
            return false;
        }
        let Ok(real) = self.resolve(path) else { return false };
        // A FIFO is never opened (it would block).
        if read::is_special(&real) || std::fs::metadata(&real).is_ok_and(|m| m.is_file() && m.len() > read::HOST_FILE) {
            return true;
        }
        let err = if real.is_dir() { std::fs::read_dir(&real).err() } else { std::fs::File::open(&real).err() };
        err.is_some_and(|e| e.kind() == io::ErrorKind::PermissionDenied)
    }

    /// Names in host directory `dir`, sorted; empty when it does not exist, and also when it
    /// cannot be read (use `entries` where that matters).
    pub fn list(&self, dir: &str) -> Vec<String> {
        self.entries(dir).unwrap_or_default()
    }

    /// Names in host directory `dir`, sorted; empty when it does not exist (or is no
    /// directory); Err with the path shown when it exists and cannot be read.
    pub fn entries(&self, dir: &str) -> Result<Vec<String>, String> {
        if let Some(tree) = &self.tree {
            return Ok(match self.resolve(dir) {
                Ok(real) => tree.children(&real.to_string_lossy()),
                Err(_) => Vec::new(),
            });
        }
        let Ok(real) = self.resolve(dir) else { return Ok(Vec::new()) };
        match std::fs::read_dir(real) {
            Ok(rd) => {
                let mut names: Vec<String> = rd.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
                names.sort();
                Ok(names)
            }
            Err(e) if matches!(e.kind(), io::ErrorKind::NotFound | io::ErrorKind::NotADirectory) => Ok(Vec::new()),
            Err(_) => Err(self.display(dir)),
        }
    }

    /// How a host path is named in findings: the host path, with `--root` shown when given.
    pub fn display(&self, path: &str) -> String {
        if let Some(tree) = &self.tree {
            return if path == "/" { tree.name.clone() } else { path.to_string() };
        }
        match (self.root == Path::new("/") || self.mounted, path) {
            (true, _) => path.to_string(),
            (false, "/") => self.root.display().to_string(),
            (false, _) => format!("{}{path}", self.root.display()),
        }
    }

    /// The origin of line `line` of host file `path`.
    pub fn origin(&self, path: &str, line: u32) -> Origin {
        self.origin_at(path, line, 1)
    }

    /// The origin of line `line`, column `col` of host file `path`: for a virtual tree, the
    /// place in the config that wrote that line (or the image's default).
    pub fn origin_at(&self, path: &str, line: u32, col: u32) -> Origin {
        match &self.tree {
            Some(tree) => {
                tree.origin(&self.resolve(path).map_or_else(|_| path.to_string(), |p| p.to_string_lossy().into_owned()), line, col)
            }
            None => Origin::file(&self.display(path).into(), line, col),
        }
    }

    /// The origin of the owner and mode of host path `path`.
    pub fn stat_origin(&self, path: &str) -> Origin {
        match &self.tree {
            Some(tree) => tree.stat_origin(&self.resolve(path).map_or_else(|_| path.to_string(), |p| p.to_string_lossy().into_owned())),
            None => Origin::Field(self.display(path)),
        }
    }
}

/// Host path `path` with its symlinks resolved: `link(p)` says whether host path `p` is a link
/// and where it points; an absolute target starts again from `/`, `..` never leaves it.
fn resolve_in(path: &str, link: impl Fn(&Path) -> Option<io::Result<PathBuf>>) -> io::Result<PathBuf> {
    let mut inside = PathBuf::from("/");
    let mut pending: std::collections::VecDeque<String> = components(path).into();
    let mut links = 0;
    while let Some(part) = pending.pop_front() {
        if part == ".." {
            inside.pop();
            continue;
        }
        let candidate = inside.join(&part);
        match link(&candidate) {
            Some(target) => {
                links += 1;
                if links > MAX_LINKS {
                    return Err(io::Error::other(format!("{path}: too many levels of symbolic links")));
                }
                let target = target?.to_string_lossy().into_owned();
                if target.starts_with('/') {
                    inside = PathBuf::from("/");
                }
                for c in components(&target).into_iter().rev() {
                    pending.push_front(c);
                }
            }
            None => inside = candidate,
        }
    }
    Ok(inside)
}

fn components(path: &str) -> Vec<String> {
    Path::new(path)
        .components()
        .filter_map(|c| match c {
            Component::Normal(p) => Some(p.to_string_lossy().into_owned()),
            Component::ParentDir => Some("..".into()),
            _ => None,
        })
        .collect()
}

/// The files of a systemd-style configuration directory set (`DIR/*.SUFFIX` over `dirs`, highest
/// priority first): a name in an earlier directory shadows it in later ones; the result is in
/// name order, as systemd-sysctl and modprobe read them.
pub fn conf_files(root: &HostRoot, dirs: &[&str], suffix: &str, unreadable: &mut Vec<String>) -> Vec<String> {
    let mut files: Vec<(String, String)> = Vec::new();
    for dir in dirs {
        let names = root.entries(dir).unwrap_or_else(|p| {
            unreadable.push(p);
            Vec::new()
        });
        for name in names.into_iter().filter(|n| n.ends_with(suffix)) {
            if !files.iter().any(|(n, _)| *n == name) {
                files.push((name.clone(), format!("{dir}/{name}")));
            }
        }
    }
    files.sort();
    files.into_iter().map(|(_, p)| p).collect()
}

/// Owner and mode of host path `path`, when it exists; `kind`: what the file is.
pub fn file_facts(root: &HostRoot, path: &str, kind: &'static str) -> Option<FileFacts> {
    stat_facts(root, path, kind).ok().flatten()
}

/// Owner and mode of `path`: None when it does not exist, Err (the path shown) when it cannot
/// be told (a directory above it not searchable).
pub fn stat_facts(root: &HostRoot, path: &str, kind: &'static str) -> Result<Option<FileFacts>, String> {
    let (uid, gid, mode) = match root.stat(path) {
        Ok(s) => s,
        Err(e) if matches!(e.kind(), io::ErrorKind::NotFound | io::ErrorKind::NotADirectory) => return Ok(None),
        Err(_) => return Err(root.display(path)),
    };
    let origin = root.stat_origin(path);
    Ok(Some(FileFacts {
        path: root.display(path),
        uid: Val::new(uid, origin.clone()),
        gid: Val::new(gid, origin.clone()),
        mode: Val::new(mode, origin),
        kind,
        owner: None,
    }))
}

/// Docker's files where they are, by what they are (the rules hold what their owner and mode
/// must be). Unit files are added from the units found, TLS files from the daemon's settings.
const DOCKER_FILES: &[(&str, &str)] = &[
    ("/etc/docker", "/etc/docker"),
    ("/etc/docker/daemon.json", "daemon.json"),
    ("/etc/default/docker", "/etc/default/docker"),
    ("/etc/sysconfig/docker", "/etc/sysconfig/docker"),
    ("/etc/containerd/config.toml", "containerd config"),
    // containerd's socket: its own daemon's, or the one dockerd starts (Debian's docker.io).
    ("/run/containerd/containerd.sock", "containerd socket"),
    ("/run/docker/containerd/containerd.sock", "containerd socket"),
];

/// Docker's files, and the paths that could not be read (a certs.d not listable, a file whose
/// directory is not searchable).
fn docker_files(root: &HostRoot, config: &DaemonConfig, data_root: &str, units: &[systemd::Unit]) -> (Vec<FileFacts>, Vec<String>) {
    let mut unreadable = Vec::new();
    let mut list = |dir: &str| {
        root.entries(dir).unwrap_or_else(|p| {
            unreadable.push(p);
            Vec::new()
        })
    };
    // Podman's, where Podman is installed: its API is as much root's as dockerd's.
    let mut wanted: Vec<(String, &'static str)> = DOCKER_FILES.iter().chain(podman::FILES).map(|(p, k)| (p.to_string(), *k)).collect();
    for u in units.iter().filter(|u| !u.masked) {
        let kind = if u.name == "docker.socket" { "docker.socket" } else { "docker.service" };
        wanted.extend(u.files.iter().map(|f| (f.clone(), kind)));
    }
    for cert_dir in list("/etc/docker/certs.d") {
        for file in list(&format!("/etc/docker/certs.d/{cert_dir}")) {
            wanted.push((format!("/etc/docker/certs.d/{cert_dir}/{file}"), "registry certificate"));
        }
    }
    for f in &config.tls_files {
        let kind = match f.value.0.as_str() {
            "tlskey" => "TLS key",
            "tlscacert" => "TLS CA certificate",
            _ => "TLS certificate",
        };
        wanted.push((f.value.1.clone(), kind));
    }
    // A rootless engine's own files belong to its user: its configuration directory, daemon.json,
    // user unit, socket and data root.
    let user = config.user.as_ref().map(|u| (u.value.uid, u.value.name.clone()));
    let mut owned: Vec<(String, &'static str)> = vec![(data_root.to_string(), "data root")];
    if let Some(u) = &config.user {
        if let Some(file) = &config.config_file {
            owned.push((file.rsplit_once('/').map_or("/", |(d, _)| d).to_string(), "/etc/docker"));
            owned.push((file.clone(), "daemon.json"));
        }
        if let Some(home) = &u.value.home {
            owned.push((format!("{}/.config/systemd/user/docker.service", home.trim_end_matches('/')), "docker.service"));
        }
    }
    let mut files = Vec::new();
    let owners = wanted.into_iter().map(|w| (w, None)).chain(owned.into_iter().map(|w| (w, user.clone())));
    for ((path, kind), owner) in owners {
        match stat_facts(root, &path, kind) {
            Ok(f) => files.extend(f.map(|f| FileFacts { owner, ..f })),
            Err(p) => unreadable.push(p),
        }
    }
    (files, unreadable)
}

/// System files whose mode matters (the fs rules say how open each may be).
const SYSTEM_FILES: &[&str] = &["/etc/passwd", "/etc/group", "/etc/shadow", "/etc/gshadow", "/etc/sudoers", "/etc/crontab"];

/// Read what the host says. `config`: the daemon's settings (data root, TLS files, where the
/// socket is); `keys`: the sysctl keys whose running values to read; `deep`: walk for
/// setuid/setgid and world-writable files.
pub fn collect(root: &HostRoot, config: &DaemonConfig, keys: &[&str], deep: bool) -> HostFacts {
    let data_root = config.docker_root.as_ref().map_or("/var/lib/docker", |d| d.value.as_str()).to_string();
    let accounts = accounts::collect(root);
    // docker.service and docker.socket, loaded once: files, socket and audit sections use them.
    let units: Vec<systemd::Unit> = ["docker.service", "docker.socket"].iter().filter_map(|u| systemd::load(root, u)).collect();
    let mut socket = units.iter().find(|u| u.name == "docker.socket").map(|u| socket_facts(root, u, &accounts.groups));
    let cmdline = kernel::cmdline(root);
    live_socket(root, config, &accounts.groups, &mut socket);
    let (docker_files, files_unreadable) = docker_files(root, config, &data_root, &units);
    let (sysctl_configured, sysctl_unreadable) = sysctl::configured(root);
    let (modules, modules_unreadable) = kernel::modules(root);
    let (deep, deep_unreadable) = match deep.then(|| mounts::deep(root, &data_root)) {
        Some((found, unreadable)) => (Some(found), unreadable),
        None => (None, Vec::new()),
    };
    let mut unreadable: Vec<(Fact, String)> = Vec::new();
    unreadable.extend(files_unreadable.into_iter().map(|p| (Fact::DockerFiles, p)));
    unreadable.extend(sysctl_unreadable.into_iter().map(|p| (Fact::Sysctl, p)));
    unreadable.extend(deep_unreadable.into_iter().map(|p| (Fact::Deep, p)));
    unreadable.extend(modules_unreadable.into_iter().map(|p| (Fact::Modules, p)));
    HostFacts {
        live: root.is_live(),
        os: os_release(root),
        docker_files,
        daemon_json: config.config_file.clone().unwrap_or_default(),
        daemon_user: config.user.as_ref().map(|u| (u.value.uid, u.value.name.clone())),
        docker_socket: socket,
        docker_api_sockets: docker_api_sockets(root, &accounts.groups),
        fleet_socket: systemd::load(root, "fleet.socket").map(|u| socket_facts(root, &u, &accounts.groups)),
        podman_socket: podman_socket(root, &accounts.groups),
        sysctl_configured,
        sysctl_running: keys.iter().filter_map(|k| sysctl::running(root, k).map(|v| (k.to_string(), v))).collect(),
        audit: audit::collect(root, &data_root, &units),
        modules,
        mac: crate::model::MacFacts { daemon_selinux: config.selinux.clone(), ..mac::collect(root, cmdline.as_ref()) },
        cmdline,
        sshd: sshd::collect(root),
        accounts,
        mounts: mounts::collect(root, &data_root),
        system_files: SYSTEM_FILES.iter().filter_map(|p| file_facts(root, p, p)).collect(),
        deep,
        unreadable,
    }
}

/// Enabled socket units other than docker.socket whose `Service=` is docker.service.
fn docker_api_sockets(root: &HostRoot, groups: &Groups) -> Vec<SocketFacts> {
    let mut names: Vec<String> =
        systemd::SEARCH_PATH.iter().flat_map(|d| root.list(d)).filter(|n| n.ends_with(".socket") && n != "docker.socket").collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .filter_map(|n| systemd::load(root, &n))
        .filter(|u| {
            !u.masked
                && u.get("Socket", "Service").is_some_and(|s| s.value == "docker.service")
                && systemd::enabled(root, &u.name).is_some()
        })
        .map(|u| socket_facts(root, &u, groups))
        .collect()
}

/// /etc/os-release (else /usr/lib/os-release): (ID, PRETTY_NAME).
pub fn os_release(root: &HostRoot) -> Option<(String, String)> {
    let text = root.read_to_string("/etc/os-release").or_else(|_| root.read_to_string("/usr/lib/os-release")).ok()?;
    let field = |key: &str| {
        text.lines().find_map(|l| l.strip_prefix(key)?.strip_prefix('=').map(|v| v.trim().trim_matches(['"', '\'']).to_string()))
    };
    let id = field("ID")?;
    Some((id.clone(), field("PRETTY_NAME").unwrap_or(id)))
}

type Groups = std::collections::BTreeMap<String, Vec<Val<String>>>;

/// Members of group `name` (root needs no group: none for it).
fn members(groups: &Groups, name: &str) -> Vec<Val<String>> {
    if name == "root" || name == "0" { Vec::new() } else { groups.get(name).cloned().unwrap_or_default() }
}

/// On the live host the socket itself decides: its owner, group and mode replace what the
/// unit says (and a socket dockerd made itself, without docker.socket, is judged too).
fn live_socket(root: &HostRoot, config: &DaemonConfig, groups: &Groups, socket: &mut Option<SocketFacts>) {
    let path = config
        .hosts
        .iter()
        .find_map(|h| h.value.strip_prefix("unix://").map(str::to_string))
        .unwrap_or_else(|| "/run/docker.sock".to_string());
    // docker.socket's listeners are the root engine's: a rootless engine's socket is its own.
    let listen = socket.as_ref().filter(|_| config.user.is_none()).map(|s| s.listen.clone()).unwrap_or_default();
    if let Some(live) = stat_socket(root, &path, listen, groups) {
        *socket = Some(live);
    }
}

/// Podman's API socket: podman.socket (with its drop-ins), and on a live host the socket it
/// made (the unit's `%t/podman/podman.sock`), whose stat is what it is.
fn podman_socket(root: &HostRoot, groups: &Groups) -> Option<SocketFacts> {
    let unit = systemd::load(root, "podman.socket").map(|u| socket_facts(root, &u, groups));
    let listen = unit.as_ref().map(|u| u.listen.clone()).unwrap_or_default();
    stat_socket(root, "/run/podman/podman.sock", listen, groups).or(unit)
}

/// A socket as it is on a live host (owner, group and its members, mode), with the listeners
/// its unit gives; None offline or when it does not exist.
fn stat_socket(root: &HostRoot, path: &str, listen: Vec<Val<String>>, groups: &Groups) -> Option<SocketFacts> {
    if !root.is_live() {
        return None;
    }
    let (uid, gid, mode) = root.stat(path).ok()?;
    let shown = root.display(path);
    let origin = Origin::Field(format!("stat {shown}"));
    let user = accounts::user_name(root, uid).unwrap_or_else(|| uid.to_string());
    let group = accounts::group_name(root, gid).unwrap_or_else(|| gid.to_string());
    let group_members = if gid == 0 { Vec::new() } else { members(groups, &group) };
    Some(SocketFacts {
        unit: shown,
        masked: false,
        listen,
        user: Val::new(user, origin.clone()),
        group: Val::new(group, origin.clone()),
        mode: Val::new(mode, origin),
        group_members,
    })
}

/// A `.socket` unit's owner, group, mode and listeners, with systemd's defaults.
fn socket_facts(root: &HostRoot, unit: &systemd::Unit, groups: &Groups) -> SocketFacts {
    let fragment = unit.files.first().cloned().unwrap_or_default();
    // systemd's defaults when the unit does not say.
    let default = |v: &str| Val::new(v.to_string(), Origin::Field(format!("systemd default for {fragment}")));
    let user = unit.get("Socket", "SocketUser").unwrap_or_else(|| default("root"));
    let group = unit.get("Socket", "SocketGroup").unwrap_or_else(|| default("root"));
    let mode = unit.get("Socket", "SocketMode").unwrap_or_else(|| default("0666"));
    let mode = Val::new(u32::from_str_radix(mode.value.trim_start_matches("0o"), 8).unwrap_or(0o666), mode.origin);
    let group_members = members(groups, &group.value);
    SocketFacts {
        unit: root.display(&fragment),
        masked: unit.masked,
        listen: unit.list("Socket", "ListenStream"),
        user,
        group,
        mode,
        group_members,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symlinks_stay_inside_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let r = dir.path();
        std::fs::create_dir_all(r.join("usr/share/x")).unwrap();
        std::fs::write(r.join("usr/share/x/config"), "inside").unwrap();
        std::fs::create_dir_all(r.join("etc")).unwrap();
        std::os::unix::fs::symlink("/usr/share/x/config", r.join("etc/config")).unwrap();
        std::os::unix::fs::symlink("../../../../../../etc/passwd", r.join("etc/escape")).unwrap();
        std::os::unix::fs::symlink("/dev/null", r.join("etc/masked")).unwrap();
        let root = HostRoot::new(r);
        assert_eq!(root.read_to_string("/etc/config").unwrap(), "inside");
        assert_eq!(root.resolve("/etc/escape").unwrap(), r.join("etc/passwd"));
        assert!(root.is_masked("/etc/masked"));
        assert!(!root.is_masked("/etc/config"));
    }
}

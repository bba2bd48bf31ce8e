//! A host that does not exist yet: an in-memory file tree (the Flatcar image's defaults with a
//! provisioning config applied), read by `HostRoot` exactly as a directory tree is. Each entry
//! remembers where it came from, so a finding about a line of a file, or about a file's mode,
//! points at the line of the config that wrote it.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::model::Origin;

/// Where an entry of the tree came from.
#[derive(Debug, Clone, PartialEq)]
pub enum Placed {
    /// The Flatcar image's default (not written by the config).
    Base,
    /// Written or changed by the config `path`: the entry is declared at `at` (line, column);
    /// its mode (and owner) at `mode_at` when the config sets one; line N of its contents at
    /// `lines[N-1]` (the last one for lines past the end; None: the image's line).
    /// `created`: the config made the entry (its mode is the config's), not only changed lines
    /// of an image file.
    Config { path: Arc<str>, at: (u32, u32), mode_at: Option<(u32, u32)>, lines: Vec<Option<Place>>, created: bool },
}

/// Where one line of a file's contents stands in the config.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Place {
    pub line: u32,
    pub col: u32,
    /// A line of a literal block scalar: its columns are the file's, shifted by `col - 1`;
    /// otherwise (a quoted scalar, a `data:` URL, a `local:` file) every column is `col`.
    pub block: bool,
    /// Line `nth` (1-based) of the contents a `data:` URL at (line, col) decodes to; 0: not
    /// decoded.
    pub nth: u32,
}

impl Place {
    fn at(self, col: u32) -> (u32, u32) {
        if self.block { (self.line, self.col + col.saturating_sub(1)) } else { (self.line, self.col) }
    }

    /// The places of `n` lines of a literal block scalar whose first content line is at
    /// (line, col), or of any other value at (line, col).
    pub fn lines(n: usize, line: u32, col: u32, block: bool) -> Vec<Option<Place>> {
        (0..n.max(1)).map(|i| Some(Place { line: if block { line + i as u32 } else { line }, col, block, nth: 0 })).collect()
    }

    /// The places of the `n` lines a `data:` URL at (line, col) decodes to.
    pub fn decoded(n: usize, line: u32, col: u32) -> Vec<Option<Place>> {
        (0..n.max(1)).map(|i| Some(Place { line, col, block: false, nth: i as u32 + 1 })).collect()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    File(Arc<[u8]>),
    /// A file whose contents the host fetches at boot (from this URL, credentials taken out):
    /// not known before the host exists.
    Remote(String),
    Dir,
    Link(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub kind: Kind,
    pub uid: u32,
    pub gid: u32,
    /// Permission bits (0o7777).
    pub mode: u32,
    pub placed: Placed,
}

/// Absolute, normalised host paths (no trailing slash, `/` for the top) to entries. Parents
/// exist for every entry (`insert` makes them).
#[derive(Debug, Clone, Default)]
pub struct Tree {
    pub entries: BTreeMap<String, Entry>,
    /// What the tree is named in findings that are not about a line of the config: the
    /// config's path.
    pub name: String,
    /// The release of the base it was built on, for "the Flatcar default" in messages.
    pub base: String,
}

/// The prefix of an origin the virtual root gives to what the config left as the image has it.
pub const DEFAULT_ORIGIN: &str = "Flatcar default: ";
/// The prefix of an origin inside a decoded `data:` URL: `PATH:LINE:COL line N` follows (the
/// provisioning command makes it the URL's position and names the line in the message).
pub const DECODED_ORIGIN: &str = "data: URL at ";

impl Tree {
    /// Put `entry` at `path`, making the missing parent directories (root's, 0755, placed like
    /// the entry), replacing what was there.
    pub fn insert(&mut self, path: &str, entry: Entry) {
        let path = normalise(path);
        let mut parent = parent_of(&path);
        while let Some(p) = parent {
            if self.entries.contains_key(&p) {
                break;
            }
            let placed = match &entry.placed {
                Placed::Config { path, at, .. } => {
                    let lines = Place::lines(1, at.0, at.1, false);
                    Placed::Config { path: path.clone(), at: *at, mode_at: None, lines, created: true }
                }
                Placed::Base => Placed::Base,
            };
            parent = parent_of(&p);
            self.entries.insert(p, Entry { kind: Kind::Dir, uid: 0, gid: 0, mode: 0o755, placed });
        }
        self.entries.insert(path, entry);
    }

    /// Remove `path` and everything below it.
    pub fn remove(&mut self, path: &str) {
        let path = normalise(path);
        let below = format!("{path}/");
        self.entries.retain(|p, _| *p != path && !p.starts_with(&below));
    }

    pub fn get(&self, path: &str) -> Option<&Entry> {
        self.entries.get(path)
    }

    /// The names directly in directory `dir`, sorted.
    pub fn children(&self, dir: &str) -> Vec<String> {
        let prefix = if dir == "/" { "/".to_string() } else { format!("{dir}/") };
        self.entries
            .range(prefix.clone()..)
            .take_while(|(p, _)| p.starts_with(&prefix))
            .filter_map(|(p, _)| {
                let rest = &p[prefix.len()..];
                (!rest.is_empty() && !rest.contains('/')).then(|| rest.to_string())
            })
            .collect()
    }

    /// The origin of (line, col) of the file at resolved `path`.
    pub fn origin(&self, path: &str, line: u32, col: u32) -> Origin {
        if let Some(Placed::Config { path: cfg, lines, .. }) = self.entries.get(path).map(|e| &e.placed) {
            let i = (line.max(1) as usize - 1).min(lines.len().saturating_sub(1));
            if let Some(Some(place)) = lines.get(i) {
                if place.nth > 0 {
                    return Origin::Field(format!("{DECODED_ORIGIN}{cfg}:{}:{} line {}", place.line, place.col, place.nth));
                }
                let (l, c) = place.at(col);
                return Origin::File { path: cfg.clone(), line: l, col: c };
            }
        }
        Origin::Field(format!("{DEFAULT_ORIGIN}{path}:{line} (Flatcar {})", self.base))
    }

    /// The origin of the owner and mode of resolved `path`.
    pub fn stat_origin(&self, path: &str) -> Origin {
        match self.entries.get(path).map(|e| &e.placed) {
            Some(Placed::Config { path: cfg, at, mode_at, created, .. }) if mode_at.is_some() || *created => {
                let (l, c) = mode_at.unwrap_or(*at);
                Origin::File { path: cfg.clone(), line: l, col: c }
            }
            _ => Origin::Field(format!("{DEFAULT_ORIGIN}{path} (Flatcar {})", self.base)),
        }
    }
}

/// `path` absolute, without `.`, `..` (never above `/`), empty components or a trailing slash.
pub fn normalise(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    format!("/{}", parts.join("/"))
}

fn parent_of(path: &str) -> Option<String> {
    if path == "/" {
        return None;
    }
    let i = path.rfind('/')?;
    Some(if i == 0 { "/".to_string() } else { path[..i].to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str, placed: Placed) -> Entry {
        Entry { kind: Kind::File(text.as_bytes().into()), uid: 0, gid: 0, mode: 0o644, placed }
    }

    #[test]
    fn parents_children_and_origins() {
        let mut t = Tree { base: "1.2.3".into(), ..Tree::default() };
        let cfg: Arc<str> = "node.bu".into();
        let placed =
            Placed::Config { path: cfg.clone(), at: (4, 7), mode_at: Some((5, 13)), lines: Place::lines(2, 8, 13, true), created: true };
        t.insert("/etc/ssh/sshd_config.d/10.conf", file("a\nPermitRootLogin yes\n", placed));
        t.insert("/etc/passwd", file("root\n", Placed::Base));
        assert_eq!(t.children("/"), ["etc"]);
        assert_eq!(t.children("/etc"), ["passwd", "ssh"]);
        assert_eq!(t.get("/etc/ssh").unwrap().kind, Kind::Dir);
        assert_eq!(t.origin("/etc/ssh/sshd_config.d/10.conf", 2, 3), Origin::File { path: cfg.clone(), line: 9, col: 15 });
        assert_eq!(t.stat_origin("/etc/ssh/sshd_config.d/10.conf"), Origin::File { path: cfg.clone(), line: 5, col: 13 });
        assert_eq!(t.origin("/etc/passwd", 1, 1), Origin::Field("Flatcar default: /etc/passwd:1 (Flatcar 1.2.3)".into()));
        // An image file with a line the config added: that line is the config's, the others the image's.
        let mut lines = vec![None];
        lines.extend(Place::lines(1, 20, 9, false));
        t.insert("/etc/group", file("a\nb\n", Placed::Config { path: cfg.clone(), at: (19, 5), mode_at: None, lines, created: false }));
        assert_eq!(t.origin("/etc/group", 2, 4), Origin::File { path: cfg.clone(), line: 20, col: 9 });
        assert!(matches!(t.origin("/etc/group", 1, 1), Origin::Field(_)));
        assert!(matches!(t.stat_origin("/etc/group"), Origin::Field(_)));
        t.remove("/etc/ssh");
        assert_eq!(t.children("/etc"), ["group", "passwd"]);
        assert_eq!(normalise("/a/./b/../../../c/"), "/c");
    }
}

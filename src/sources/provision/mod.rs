//! Provisioning configs: Butane (`variant: flatcar` 1.0.0/1.1.0, `fcos` 1.0.0–1.5.0) and
//! Ignition (3.0–3.4) read into one positioned model (`Config`), which `apply` turns into the
//! host it will produce: the Flatcar image's defaults (`base`) with the config applied, a
//! virtual tree that `HostRoot` reads like any other root.
//!
//! Both formats are read through the positioned YAML tree (JSON is YAML): every value keeps its
//! line and column. Butane is checked against its spec here (`schema`), as strictly as `butane`
//! itself: unknown keys, wrong kinds, duplicate paths, an unknown variant or version are input
//! errors. Ignition is checked by the `ignition-config` crate (every 3.x spec), its complaints
//! placed on the JSON position of the key.

pub mod apply;
pub mod base;
pub mod schema;
pub mod translate;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::model::{DiagKind, Diagnostic, Origin, Val};
use crate::sources::compose::yaml::{self, Node};
use crate::sources::host::vfs::Place;
use crate::sources::read;

/// A provisioning config of at most this many bytes is read (real ones are KBs; one that
/// carries files as `data:` URLs can be a few MB).
pub const CONFIG_LIMIT: u64 = read::HOST_FILE;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Butane,
    Ignition,
}

/// A position in the config: (line, column), 1-based.
pub type At = (u32, u32);

/// Something fetched or decoded: a file's contents, an appended piece, a merged config, a CA.
#[derive(Debug, Clone, Default)]
pub struct Resource {
    /// The URL as written (`source:`); None for `inline:` / `local:`.
    pub source: Option<Val<String>>,
    /// The bytes when they are known before boot (inline, local, `data:`); None for a remote
    /// source, whose contents only exist when the host fetches them.
    pub data: Option<Vec<u8>>,
    /// Where each line of `data` stands in the config.
    pub lines: Vec<Option<Place>>,
    /// `verification.hash`.
    pub hash: Option<String>,
    /// Names of the `http_headers` (their values are never kept).
    pub headers: Vec<Val<String>>,
    pub at: At,
}

#[derive(Debug, Clone, Default)]
pub struct Node_ {
    pub path: String,
    pub at: At,
    pub mode: Option<(u32, At)>,
    /// user / group: an id, or a name (resolved against the host's databases when applied).
    pub user: Option<(Result<u32, String>, At)>,
    pub group: Option<(Result<u32, String>, At)>,
    pub overwrite: Option<bool>,
}

#[derive(Debug, Clone, Default)]
pub struct FileSpec {
    pub node: Node_,
    pub contents: Option<Resource>,
    pub append: Vec<Resource>,
}

#[derive(Debug, Clone, Default)]
pub struct LinkSpec {
    pub node: Node_,
    pub target: String,
    pub hard: bool,
}

#[derive(Debug, Clone, Default)]
pub struct FsSpec {
    pub device: String,
    pub format: String,
    pub path: Option<String>,
    pub mount_options: Vec<String>,
    /// Butane's `with_mount_unit`: a mount unit makes the file system mounted on every boot.
    pub with_mount_unit: bool,
    pub at: At,
}

#[derive(Debug, Clone, Default)]
pub struct UnitSpec {
    pub name: String,
    pub at: At,
    pub enabled: Option<(bool, At)>,
    pub mask: Option<(bool, At)>,
    pub contents: Option<Resource>,
    pub dropins: Vec<(String, At, Option<Resource>)>,
}

#[derive(Debug, Clone, Default)]
pub struct UserSpec {
    pub name: String,
    pub at: At,
    /// Where `password_hash` is set (the hash itself is never kept); its state.
    pub password_hash: Option<(At, bool)>,
    pub ssh_keys: Vec<(String, At)>,
    pub uid: Option<u32>,
    pub gecos: Option<String>,
    pub home_dir: Option<String>,
    pub primary_group: Option<String>,
    pub groups: Vec<(String, At)>,
    pub shell: Option<(String, At)>,
    pub should_exist: bool,
}

#[derive(Debug, Clone, Default)]
pub struct GroupSpec {
    pub name: String,
    pub at: At,
    pub gid: Option<u32>,
    pub should_exist: bool,
}

/// What a config says, with where it says it.
#[derive(Debug, Clone)]
pub struct Config {
    /// The config file as named on the command line.
    pub path: Arc<str>,
    pub dialect: Dialect,
    /// `variant version` (Butane) or the Ignition version.
    pub version: String,
    pub files: Vec<FileSpec>,
    pub directories: Vec<Node_>,
    pub links: Vec<LinkSpec>,
    pub filesystems: Vec<FsSpec>,
    pub units: Vec<UnitSpec>,
    pub users: Vec<UserSpec>,
    pub groups: Vec<GroupSpec>,
    pub kargs_add: Vec<(String, At)>,
    pub kargs_remove: Vec<(String, At)>,
    /// `ignition.config.merge` / `replace`: configs the host fetches at boot.
    pub merge: Vec<Resource>,
    pub replace: Option<Resource>,
    /// `ignition.security.tls.certificate_authorities`.
    pub cas: Vec<Resource>,
}

impl Config {
    pub fn origin(&self, at: At) -> Origin {
        Origin::File { path: self.path.clone(), line: at.0, col: at.1 }
    }

    /// Every resource with where it is used ("storage.files /etc/x contents").
    pub fn resources(&self) -> Vec<(String, &Resource)> {
        let mut out = Vec::new();
        for f in &self.files {
            out.extend(f.contents.iter().map(|r| (format!("the contents of {}", f.node.path), r)));
            out.extend(f.append.iter().map(|r| (format!("a piece appended to {}", f.node.path), r)));
        }
        out.extend(self.merge.iter().map(|r| ("a config merged at boot (ignition.config.merge)".to_string(), r)));
        out.extend(self.replace.iter().map(|r| ("the config that replaces this one at boot (ignition.config.replace)".to_string(), r)));
        out.extend(self.cas.iter().map(|r| ("a TLS certificate authority (ignition.security.tls)".to_string(), r)));
        out
    }
}

/// Read and check one config. Input errors (unreadable file, bad syntax, what the spec refuses)
/// are diagnostics of kind Error, and then there is no config to audit.
pub fn load(path: &Path, dialect: Dialect, files_dir: Option<&Path>) -> (Option<Config>, Vec<Diagnostic>) {
    let shown: Arc<str> = path.display().to_string().into();
    let error = |line: Option<u32>, col: Option<u32>, message: String| Diagnostic {
        kind: DiagKind::Error,
        path: shown.to_string(),
        line,
        col,
        message,
    };
    let text = match read::text(path, CONFIG_LIMIT, "a provisioning config") {
        Ok(t) => t,
        Err(e) => return (None, vec![error(None, None, e.to_string())]),
    };
    parse(&text, shown, dialect, files_dir)
}

/// Check and read the text of one config named `shown`.
pub fn parse(text: &str, shown: Arc<str>, dialect: Dialect, files_dir: Option<&Path>) -> (Option<Config>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let error = |line: u32, col: u32, message: String| Diagnostic {
        kind: DiagKind::Error,
        path: shown.to_string(),
        line: Some(line),
        col: Some(col),
        message,
    };
    let docs = match yaml::parse(text, 0) {
        Ok(d) => d,
        Err(e) => {
            let (line, col) = e.pos.map_or((1, 1), |p| (p.line, p.col));
            return (None, vec![error(line, col, format!("not valid {}: {}", name(dialect), e.message))]);
        }
    };
    let Some(root) = docs.into_iter().next() else {
        return (None, vec![error(1, 1, format!("empty {}", name(dialect)))]);
    };
    if root.as_map().is_none() {
        return (None, vec![error(root.pos.line, root.pos.col, format!("a {} is a mapping, not {}", name(dialect), root.type_name()))]);
    }
    let version = match dialect {
        Dialect::Butane => match schema::butane_version(&root) {
            Ok(v) => v,
            Err((at, msg)) => return (None, vec![error(at.0, at.1, msg)]),
        },
        Dialect::Ignition => match schema::ignition(text, &root) {
            Ok(v) => v,
            Err(errors) => return (None, errors.into_iter().map(|(at, msg)| error(at.0, at.1, msg)).collect()),
        },
    };
    if dialect == Dialect::Butane {
        let errors = schema::butane(&root);
        if !errors.is_empty() {
            return (None, errors.into_iter().map(|(at, msg)| error(at.0, at.1, msg)).collect());
        }
    }
    let mut r = Reader { dialect, src: text, files_dir, errors: Vec::new() };
    let config = r.config(&root, shown.clone(), version);
    let mut errors = r.errors;
    errors.extend(schema::duplicates(&config));
    if !errors.is_empty() {
        diags.extend(errors.into_iter().map(|(at, msg)| error(at.0, at.1, msg)));
        return (None, diags);
    }
    (Some(config), diags)
}

fn name(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Butane => "Butane config",
        Dialect::Ignition => "Ignition config",
    }
}

/// Reads the model out of a checked tree.
struct Reader<'a> {
    dialect: Dialect,
    src: &'a str,
    files_dir: Option<&'a Path>,
    errors: Vec<(At, String)>,
}

fn at(n: &Node) -> At {
    (n.pos.line, n.pos.col)
}

/// `snake_case` as Ignition spells it (`camelCase`).
pub fn camel(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut up = false;
    for c in key.chars() {
        if c == '_' {
            up = true;
        } else if up {
            out.push(c.to_ascii_uppercase());
            up = false;
        } else {
            out.push(c);
        }
    }
    out
}

impl<'a> Reader<'a> {
    fn get<'n>(&self, n: &'n Node, key: &str) -> Option<&'n Node> {
        let v = match self.dialect {
            Dialect::Butane => n.get(key),
            Dialect::Ignition => n.get(&camel(key)),
        }?;
        (!v.is_null()).then_some(v)
    }

    fn str(&self, n: &Node, key: &str) -> Option<String> {
        self.get(n, key).and_then(Node::as_str).map(str::to_string)
    }

    fn str_at(&self, n: &Node, key: &str) -> Option<(String, At)> {
        self.get(n, key).and_then(|v| Some((v.as_str()?.to_string(), at(v))))
    }

    fn bool(&self, n: &Node, key: &str) -> Option<(bool, At)> {
        self.get(n, key).and_then(|v| Some((schema::boolean(v)?, at(v))))
    }

    fn int(&self, n: &Node, key: &str) -> Option<(u32, At)> {
        let v = self.get(n, key)?;
        Some((schema::integer(v, self.dialect)?.try_into().ok()?, at(v)))
    }

    fn list<'n>(&self, n: &'n Node, key: &str) -> &'n [Node] {
        self.get(n, key).and_then(Node::as_seq).unwrap_or(&[])
    }

    fn strings(&self, n: &Node, key: &str) -> Vec<(String, At)> {
        self.list(n, key).iter().filter_map(|v| Some((v.as_str()?.to_string(), at(v)))).collect()
    }

    fn config(&mut self, root: &Node, path: Arc<str>, version: String) -> Config {
        let storage = self.get(root, "storage");
        let mut c = Config {
            path,
            dialect: self.dialect,
            version,
            files: Vec::new(),
            directories: Vec::new(),
            links: Vec::new(),
            filesystems: Vec::new(),
            units: Vec::new(),
            users: Vec::new(),
            groups: Vec::new(),
            kargs_add: Vec::new(),
            kargs_remove: Vec::new(),
            merge: Vec::new(),
            replace: None,
            cas: Vec::new(),
        };
        if let Some(storage) = storage {
            for f in self.list(storage, "files") {
                let contents = self.get(f, "contents").map(|r| self.resource(r));
                let append = self.list(f, "append").iter().map(|r| self.resource(r)).collect();
                c.files.push(FileSpec { node: self.node(f), contents, append });
            }
            c.directories = self.list(storage, "directories").iter().map(|d| self.node(d)).collect();
            for l in self.list(storage, "links") {
                c.links.push(LinkSpec {
                    node: self.node(l),
                    target: self.str(l, "target").unwrap_or_default(),
                    hard: self.bool(l, "hard").is_some_and(|b| b.0),
                });
            }
            for t in self.list(storage, "trees") {
                self.tree(t, &mut c.files);
            }
            for fs in self.list(storage, "filesystems") {
                c.filesystems.push(FsSpec {
                    device: self.str(fs, "device").unwrap_or_default(),
                    format: self.str(fs, "format").unwrap_or_default(),
                    path: self.str(fs, "path"),
                    mount_options: self.strings(fs, "mount_options").into_iter().map(|s| s.0).collect(),
                    with_mount_unit: self.bool(fs, "with_mount_unit").is_some_and(|b| b.0),
                    at: at(fs),
                });
            }
        }
        if let Some(systemd) = self.get(root, "systemd") {
            for u in self.list(systemd, "units") {
                let contents = self.unit_contents(u);
                let dropins = self
                    .list(u, "dropins")
                    .iter()
                    .map(|d| (self.str(d, "name").unwrap_or_default(), at(d), self.unit_contents(d)))
                    .collect();
                c.units.push(UnitSpec {
                    name: self.str(u, "name").unwrap_or_default(),
                    at: at(u),
                    enabled: self.bool(u, "enabled"),
                    mask: self.bool(u, "mask"),
                    contents,
                    dropins,
                });
            }
        }
        if let Some(passwd) = self.get(root, "passwd") {
            for u in self.list(passwd, "users") {
                let mut ssh_keys = self.strings(u, "ssh_authorized_keys");
                if let Some((local, pos)) = self.str_at(u, "ssh_authorized_keys_local")
                    && let Some(text) = self.local(&local, pos)
                {
                    let keys = String::from_utf8_lossy(&text)
                        .lines()
                        .filter(|l| !l.trim().is_empty())
                        .map(|l| (l.to_string(), pos))
                        .collect::<Vec<_>>();
                    ssh_keys.extend(keys);
                }
                c.users.push(UserSpec {
                    name: self.str(u, "name").unwrap_or_default(),
                    at: at(u),
                    password_hash: self.get(u, "password_hash").map(|v| (at(v), v.as_str().is_some_and(|h| !h.is_empty()))),
                    ssh_keys,
                    uid: self.int(u, "uid").map(|v| v.0),
                    gecos: self.str(u, "gecos"),
                    home_dir: self.str(u, "home_dir"),
                    primary_group: self.str(u, "primary_group"),
                    groups: self.strings(u, "groups"),
                    shell: self.str_at(u, "shell"),
                    should_exist: self.bool(u, "should_exist").is_none_or(|b| b.0),
                });
            }
            for g in self.list(passwd, "groups") {
                c.groups.push(GroupSpec {
                    name: self.str(g, "name").unwrap_or_default(),
                    at: at(g),
                    gid: self.int(g, "gid").map(|v| v.0),
                    should_exist: self.bool(g, "should_exist").is_none_or(|b| b.0),
                });
            }
        }
        if let Some(k) = self.get(root, "kernel_arguments") {
            c.kargs_add = self.strings(k, "should_exist");
            c.kargs_remove = self.strings(k, "should_not_exist");
        }
        if let Some(ign) = self.get(root, "ignition") {
            if let Some(cfg) = self.get(ign, "config") {
                c.merge = self.list(cfg, "merge").iter().map(|r| self.resource(r)).collect();
                c.replace = self.get(cfg, "replace").map(|r| self.resource(r));
            }
            if let Some(tls) = self.get(ign, "security").and_then(|s| self.get(s, "tls")) {
                c.cas = self.list(tls, "certificate_authorities").iter().map(|r| self.resource(r)).collect();
            }
        }
        c
    }

    fn node(&self, n: &Node) -> Node_ {
        let owner = |key: &str| {
            let o = self.get(n, key)?;
            let owner = match self.int(o, "id") {
                Some((id, _)) => Ok(id),
                None => Err(self.str(o, "name").unwrap_or_default()),
            };
            Some((owner, at(o)))
        };
        Node_ {
            path: self.str(n, "path").unwrap_or_default(),
            at: at(n),
            mode: self.int(n, "mode"),
            user: owner("user"),
            group: owner("group"),
            overwrite: self.bool(n, "overwrite").map(|b| b.0),
        }
    }

    /// A unit's or drop-in's `contents` (a string), or Butane's `contents_local`.
    fn unit_contents(&mut self, n: &Node) -> Option<Resource> {
        if let Some(v) = self.get(n, "contents") {
            return Some(self.text(v));
        }
        let (local, pos) = self.str_at(n, "contents_local")?;
        let data = self.local(&local, pos)?;
        let lines = Place::lines(data.split(|b| *b == b'\n').count(), pos.0, pos.1, false);
        Some(Resource { data: Some(data), lines, at: pos, ..Default::default() })
    }

    /// A scalar's text, with where each of its lines stands: a literal block scalar's lines one
    /// after another from the line below its `|`, any other scalar at its position.
    fn text(&self, v: &Node) -> Resource {
        let text = v.as_str().unwrap_or_default().to_string();
        let n = text.lines().count();
        let lines = match self.block_start(v) {
            Some((line, col)) => Place::lines(n, line, col, true),
            None => Place::lines(n, v.pos.line, v.pos.col, false),
        };
        Resource { data: Some(text.into_bytes()), lines, at: at(v), ..Default::default() }
    }

    /// Where the first content line of a literal block scalar (`|`) starts: the parser places
    /// such a scalar at its first content line, below the line that ends in `|` (or `|-`,
    /// `|+`, `|2`).
    fn block_start(&self, v: &Node) -> Option<(u32, u32)> {
        let above = self.src.lines().nth((v.pos.line as usize).checked_sub(2)?)?;
        let code = above.split(" #").next().unwrap_or(above).trim_end();
        let indicator = code.rsplit([' ', ':']).next()?;
        let literal = indicator.starts_with('|') && indicator[1..].chars().all(|c| matches!(c, '-' | '+' | '0'..='9'));
        literal.then_some((v.pos.line, v.pos.col))
    }

    /// A resource: `inline` / `local` (Butane), `source` (a `data:` URL is decoded, anything
    /// else is fetched at boot), `compression`, `verification.hash`, `http_headers`.
    fn resource(&mut self, r: &Node) -> Resource {
        let mut res = if let Some(v) = self.get(r, "inline") {
            self.text(v)
        } else if let Some((local, pos)) = self.str_at(r, "local") {
            let data = self.local(&local, pos);
            let n = data.as_ref().map_or(1, |d| d.split(|b| *b == b'\n').count());
            Resource { data, lines: Place::lines(n, pos.0, pos.1, false), ..Default::default() }
        } else if let Some(v) = self.get(r, "source") {
            let url = v.as_str().unwrap_or_default().to_string();
            let mut res = Resource {
                source: Some(Val::new(url.clone(), Origin::Unset)),
                lines: Place::lines(1, v.pos.line, v.pos.col, false),
                ..Default::default()
            };
            if let Some(payload) = url.strip_prefix("data:") {
                match data_url(payload) {
                    Ok(data) => {
                        res.lines = Place::decoded(data.split(|b| *b == b'\n').count(), v.pos.line, v.pos.col);
                        res.data = Some(data);
                    }
                    Err(why) => self.errors.push((at(v), format!("invalid data URL: {why}"))),
                }
            }
            res
        } else {
            // Neither: an empty file (Ignition makes it so).
            Resource { data: Some(Vec::new()), lines: vec![None], ..Default::default() }
        };
        res.at = at(r);
        if let Some(s) = &mut res.source {
            s.origin = Origin::Unset;
        }
        if let Some((c, pos)) = self.str_at(r, "compression").filter(|c| !c.0.is_empty())
            && let Some(data) = res.data.take()
        {
            match c.as_str() {
                "gzip" => match gunzip(&data) {
                    Ok(d) => {
                        let placed = res.lines.first().copied().flatten();
                        res.lines = match placed {
                            Some(p) if p.nth > 0 => Place::decoded(d.split(|b| *b == b'\n').count(), p.line, p.col),
                            placed => vec![placed.map(|p| Place { block: false, ..p }); d.split(|b| *b == b'\n').count()],
                        };
                        res.data = Some(d);
                    }
                    Err(why) => self.errors.push((pos, format!("cannot gunzip the contents: {why}"))),
                },
                other => self.errors.push((pos, format!("unsupported compression `{other}` (gzip is the only one)"))),
            }
        }
        res.hash = self.get(r, "verification").and_then(|v| self.str(v, "hash"));
        res.headers = self
            .list(r, "http_headers")
            .iter()
            .filter_map(|h| {
                let name = self.get(h, "name")?;
                Some(Val::new(name.as_str()?.to_string(), Origin::File { path: "".into(), line: name.pos.line, col: name.pos.col }))
            })
            .collect();
        res
    }

    /// Butane `storage.trees`: every file under `--files-dir`/local, at `path`/relative.
    fn tree(&mut self, t: &Node, files: &mut Vec<FileSpec>) {
        let Some((local, pos)) = self.str_at(t, "local") else { return };
        let dest = self.str(t, "path").unwrap_or_else(|| "/".into());
        let Some(dir) = self.local_path(&local, pos) else { return };
        let mut stack = vec![dir.clone()];
        while let Some(d) = stack.pop() {
            let Ok(entries) = read::list_dir(&d) else {
                self.errors.push((pos, format!("storage.trees: cannot list {}", d.display())));
                continue;
            };
            for (p, is_dir, executable) in entries {
                if is_dir {
                    stack.push(p);
                    continue;
                }
                let rel = p.strip_prefix(&dir).unwrap_or(&p).display().to_string();
                let data = match read::bytes(&p, read::HOST_FILE, "a file of a Butane tree") {
                    Ok(b) => Some(b),
                    Err(e) => {
                        self.errors.push((pos, format!("storage.trees: {}: {e}", p.display())));
                        None
                    }
                };
                let n = data.as_ref().map_or(1, |d| d.split(|b| *b == b'\n').count());
                files.push(FileSpec {
                    node: Node_ {
                        path: format!("{}/{rel}", dest.trim_end_matches('/')),
                        at: at(t),
                        mode: Some((if executable { 0o755 } else { 0o644 }, pos)),
                        ..Default::default()
                    },
                    contents: Some(Resource { data, lines: Place::lines(n, pos.0, pos.1, false), at: pos, ..Default::default() }),
                    append: Vec::new(),
                });
            }
        }
    }

    fn local_path(&mut self, local: &str, pos: At) -> Option<PathBuf> {
        let Some(dir) = self.files_dir else {
            self.errors.push((pos, format!("`local: {local}` needs --files-dir (the directory Butane reads local files from)")));
            return None;
        };
        let p = Path::new(local);
        if p.is_absolute() || p.components().any(|c| matches!(c, std::path::Component::ParentDir)) {
            // As Butane: local paths stay inside the files directory.
            if !p.starts_with(dir) {
                self.errors.push((pos, format!("`local: {local}` leaves the --files-dir directory")));
                return None;
            }
            return Some(p.to_path_buf());
        }
        Some(dir.join(p))
    }

    /// The bytes of a `local:` file (bounded like any input).
    fn local(&mut self, local: &str, pos: At) -> Option<Vec<u8>> {
        let path = self.local_path(local, pos)?;
        match read::bytes(&path, read::HOST_FILE, "a local file of a Butane config") {
            Ok(b) => Some(b),
            Err(e) => {
                self.errors.push((pos, format!("local file {}: {e}", path.display())));
                None
            }
        }
    }
}

/// The bytes of a `data:` URL's payload (after `data:`): `[mediatype][;base64],data`,
/// percent-encoded.
pub fn data_url(payload: &str) -> Result<Vec<u8>, String> {
    use base64::Engine;
    let (meta, data) = payload.split_once(',').ok_or("no `,` in the data URL")?;
    let bytes = percent_decode(data)?;
    if meta.split(';').any(|p| p.eq_ignore_ascii_case("base64")) {
        let clean: Vec<u8> = bytes.into_iter().filter(|b| !b.is_ascii_whitespace()).collect();
        base64::engine::general_purpose::STANDARD.decode(&clean).map_err(|e| format!("bad base64: {e}"))
    } else {
        Ok(bytes)
    }
}

fn percent_decode(s: &str) -> Result<Vec<u8>, String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = b.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok()).and_then(|h| u8::from_str_radix(h, 16).ok());
            out.push(hex.ok_or_else(|| format!("bad percent escape at byte {i}"))?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Ok(out)
}

/// Decompress gzip, at most `read::HOST_FILE` bytes (a bomb is refused).
pub fn gunzip(data: &[u8]) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(data).take(read::HOST_FILE + 1).read_to_end(&mut out).map_err(|e| e.to_string())?;
    if out.len() as u64 > read::HOST_FILE {
        return Err(format!("more than {} MiB once decompressed", read::HOST_FILE >> 20));
    }
    Ok(out)
}

/// A URL with any `user:password@` taken out: never printed.
pub fn redact_url(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let host_end = rest.find('/').unwrap_or(rest.len());
            match rest[..host_end].rfind('@') {
                Some(at) => format!("{scheme}://***@{}", &rest[at + 1..]),
                None => url.to_string(),
            }
        }
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_urls_and_names() {
        assert_eq!(data_url(",PermitRootLogin%20yes%0A").unwrap(), b"PermitRootLogin yes\n");
        assert_eq!(data_url(";base64,aGk=").unwrap(), b"hi");
        assert!(data_url("nocomma").is_err());
        assert_eq!(camel("http_headers"), "httpHeaders");
        assert_eq!(redact_url("https://u:secret@example.com/x?y"), "https://***@example.com/x?y");
        assert_eq!(redact_url("https://example.com/a@b"), "https://example.com/a@b");
    }
}

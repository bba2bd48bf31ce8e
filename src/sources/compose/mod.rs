//! The Compose source: reads Compose files (and what they include, extend and reference),
//! resolves them as Docker Compose v2 does and turns every service into a `ContainerSpec`.
//! All file I/O of `cbench compose` happens here.
// The Compose source reads Compose files, env files and includes: its own door, not the host.
#![allow(clippy::disallowed_methods)]

pub mod convert;
pub mod dotenv;
pub mod interpolate;
pub mod merge;
pub mod schema;
pub mod yaml;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::model::{ContainerSpec, EnvVar, Origin, SourceText, Val};
pub use crate::model::{DiagKind, Diagnostic};
use crate::sources::read;
use yaml::{Kind, Node, Pos};

/// How deep `include`s may nest (real projects nest one or two levels; each level is a file
/// read and a frame of recursion).
pub const MAX_INCLUDE_DEPTH: usize = 32;

/// Names Compose looks for, in order, when no file is given.
pub const DEFAULT_FILES: [&str; 4] = ["compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"];
pub const OVERRIDE_FILES: [&str; 4] =
    ["compose.override.yaml", "compose.override.yml", "docker-compose.override.yaml", "docker-compose.override.yml"];

#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: Arc<str>,
    pub text: SourceText,
}

#[derive(Debug)]
pub struct Service {
    pub name: String,
    pub spec: ContainerSpec,
    pub profiles: Vec<String>,
}

#[derive(Debug, Default)]
pub struct Project {
    pub files: Vec<SourceFile>,
    pub services: Vec<Service>,
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Debug, Default, Clone)]
pub struct LoadOptions {
    /// `--env-file`, in order; when empty, `.env` in the project directory.
    pub env_files: Vec<PathBuf>,
    /// `--profile`; when empty, every service is audited.
    pub profiles: Vec<String>,
    /// The process environment.
    pub env: HashMap<String, String>,
}

/// Find the Compose file (and its override) in `dir`, as `docker compose` does without `-f`.
pub fn discover(dir: &Path) -> Vec<PathBuf> {
    let first = |names: &[&str]| names.iter().map(|n| dir.join(n)).find(|p| p.is_file());
    first(&DEFAULT_FILES).into_iter().chain(first(&OVERRIDE_FILES)).collect()
}

/// Load a project from `paths` (merged in order, like repeated `-f`).
pub fn load(paths: &[PathBuf], opts: &LoadOptions) -> Project {
    let mut services = Vec::new();
    let mut project = load_each(paths, opts, |s| services.push(s));
    project.services = services;
    project
}

/// Load a project and hand each service to `on_service` as soon as it is resolved, so that a
/// large project never holds its YAML tree and every spec at once. The returned project has
/// the files and diagnostics, and no services.
pub fn load_each(paths: &[PathBuf], opts: &LoadOptions, on_service: impl FnMut(Service)) -> Project {
    load_with(Loader::default(), paths, opts, on_service)
}

/// Load one Compose file given as text, named `path`, as `load` loads a file; what it
/// references (include, extends, env_file) is read from disk. Used by the fuzzer.
pub fn load_text(path: &Path, text: String, opts: &LoadOptions) -> Project {
    let mut services = Vec::new();
    let loader = Loader { in_memory: Some((path.to_path_buf(), text)), ..Loader::default() };
    let mut project = load_with(loader, &[path.to_path_buf()], opts, |s| services.push(s));
    project.services = services;
    project
}

fn load_with(mut l: Loader, paths: &[PathBuf], opts: &LoadOptions, mut on_service: impl FnMut(Service)) -> Project {
    let project_dir = paths.first().and_then(|p| p.parent()).map(Path::to_path_buf).unwrap_or_default();
    let env = l.project_env(&project_dir, &opts.env_files, &opts.env);
    let mut emit = |l: &mut Loader, key: yaml::Key, svc: Node| l.emit_service(key, svc, None, &env, opts, &mut on_service);
    let Some(mut root) = l.load_merged(paths, &env, Some(&mut emit)) else {
        return l.finish();
    };
    // Files that declare volume driver options are not streamed: their services see them.
    l.bind_volumes = convert::bind_volumes(root.get("volumes"));
    // Services not streamed: consume them one by one, so that the tree is freed as they become
    // specs; only the services that others extend are kept aside.
    let entries = match &mut root.kind {
        Kind::Map(top) => match top.iter().position(|(k, _)| &*k.name == "services") {
            Some(i) => match top.remove(i).1.kind {
                Kind::Map(entries) => entries,
                _ => Vec::new(),
            },
            None => Vec::new(),
        },
        _ => Vec::new(),
    };
    let extended: Vec<&str> = entries.iter().filter_map(|(_, svc)| same_file_base(svc)).collect();
    let kept: Vec<(yaml::Key, Node)> = entries.iter().filter(|(k, _)| extended.contains(&&*k.name)).cloned().collect();
    let services = Node { kind: Kind::Map(kept), ..root.clone() };
    let bases = Node { kind: Kind::Map(vec![(yaml::Key { name: "services".into(), pos: root.pos }, services)]), ..root };
    for (key, svc) in entries {
        l.emit_service(key, svc, Some(&bases), &env, opts, &mut on_service);
    }
    l.finish()
}

/// The service a service `extends` in the same file, if any.
fn same_file_base(svc: &Node) -> Option<&str> {
    let ext = svc.get("extends")?;
    match &ext.kind {
        Kind::Scalar { text, .. } => Some(text),
        Kind::Map(_) if ext.get("file").is_none() => ext.get("service")?.as_str(),
        _ => None,
    }
}

#[derive(Default)]
struct Loader {
    files: Vec<SourceFile>,
    dirs: Vec<PathBuf>,
    diagnostics: Vec<Diagnostic>,
    /// Files currently being included, to detect cycles.
    include_stack: Vec<PathBuf>,
    /// A file given as text rather than read from disk (`load_text`).
    in_memory: Option<(PathBuf, String)>,
    /// Parsed and interpolated roots of files referenced by `extends`.
    extends_cache: HashMap<PathBuf, Option<Arc<Node>>>,
    /// Services already resolved through `extends`, by (file, name): each link of a chain is
    /// merged once, however many services extend it.
    extends_done: HashMap<(u32, String), Node>,
    /// Services whose `extends` chain is broken (reported once).
    extends_failed: rustc_hash::FxHashSet<(u32, String)>,
    /// The project's named volumes that bind a host path (`convert::bind_volumes`).
    bind_volumes: HashMap<String, String>,
    /// Files named by `extends` that could not be read, with why: a partial view.
    extends_unread: HashMap<PathBuf, String>,
    /// Every service of the project (whatever its profiles), and what each `depends_on` names.
    service_names: rustc_hash::FxHashSet<String>,
    depends_on: Vec<(String, String, Pos)>,
    /// What `${VAR:-default}` templates give with nothing set, by scalar: the text they commit.
    defaults: HashMap<Pos, String>,
}

type Env = HashMap<String, String>;

/// Receives each streamed service, with the loader.
type StreamFn<'a> = dyn FnMut(&mut Loader, yaml::Key, Node) + 'a;

impl Loader {
    /// Resolve `extends` (against `bases`), apply profiles, convert, and hand the service out.
    fn emit_service(
        &mut self,
        key: yaml::Key,
        svc: Node,
        bases: Option<&Node>,
        env: &Env,
        opts: &LoadOptions,
        on_service: &mut impl FnMut(Service),
    ) {
        let resolved = match bases {
            Some(bases) if svc.get("extends").is_some() => {
                match self.resolve_extends(bases, &svc, env, (key.pos.file, key.name.to_string())) {
                    Some(r) => r,
                    None => return,
                }
            }
            _ => svc,
        };
        self.service_names.insert(key.name.to_string());
        if let Some(deps) = resolved.get("depends_on") {
            let names: Vec<(String, Pos)> = match &deps.kind {
                Kind::Seq(items) => items.iter().filter_map(|n| n.as_str().map(|s| (s.to_string(), n.pos))).collect(),
                Kind::Map(entries) => entries
                    .iter()
                    .filter(|(_, v)| v.get("required").and_then(Node::as_str).and_then(convert::parse_bool) != Some(false))
                    .map(|(k, _)| (k.name.to_string(), k.pos))
                    .collect(),
                _ => Vec::new(),
            };
            self.depends_on.extend(names.into_iter().map(|(n, pos)| (key.name.to_string(), n, pos)));
        }
        // A service that is not a mapping (`web: nginx`) is refused, as Compose does; there is
        // no container to audit.
        if resolved.as_map().is_none() && !resolved.is_null() {
            self.diag_at(DiagKind::Error, resolved.pos, format!("services.{} must be a mapping, found {}", key.name, resolved.type_name()));
            return;
        }
        let profiles: Vec<String> = resolved
            .get("profiles")
            .and_then(Node::as_seq)
            .map(|s| s.iter().filter_map(|n| n.as_str().map(str::to_string)).collect())
            .unwrap_or_default();
        if !opts.profiles.is_empty() && !profiles.is_empty() && !profiles.iter().any(|p| opts.profiles.contains(p)) {
            return;
        }
        let paths: Vec<Arc<str>> = self.files.iter().map(|f| f.path.clone()).collect();
        let mut ctx = convert::Ctx::new(&paths, &self.dirs, opts.env.get("HOME").cloned(), &self.bind_volumes, &self.defaults);
        let mut spec = convert::service_spec(&mut ctx, &key.name, key.pos, &resolved);
        for (pos, msg) in std::mem::take(&mut ctx.errors) {
            self.diag_at(DiagKind::Error, pos, msg);
        }
        if let Some(env_files) = resolved.get("env_file") {
            self.read_env_files(&key.name, env_files, env, &mut spec);
        }
        on_service(Service { name: key.name.to_string(), spec, profiles });
    }

    fn finish(mut self) -> Project {
        // A dependency on a service the project does not have: Compose refuses the project.
        for (service, dependency, pos) in std::mem::take(&mut self.depends_on) {
            if !self.service_names.contains(&dependency) {
                self.diag_at(
                    DiagKind::Error,
                    pos,
                    format!("service {service:?} depends on undefined service {dependency:?}: invalid compose project"),
                );
            }
        }
        Project { files: self.files, services: Vec::new(), diagnostics: self.diagnostics }
    }

    /// A diagnostic about a whole file; once (a `.env` is read again by each included project
    /// of the same directory).
    fn diag(&mut self, kind: DiagKind, path: &Path, message: impl Into<String>) {
        let d = Diagnostic { kind, path: path.display().to_string(), line: None, col: None, message: message.into() };
        if !self.diagnostics.contains(&d) {
            self.diagnostics.push(d);
        }
    }

    fn diag_at(&mut self, kind: DiagKind, pos: Pos, message: impl Into<String>) {
        let path = self.files[pos.file as usize].path.to_string();
        self.diagnostics.push(Diagnostic { kind, path, line: Some(pos.line), col: Some(pos.col), message: message.into() });
    }

    /// Process environment over the project's `.env` (or the `--env-file`s).
    fn project_env(&mut self, dir: &Path, env_files: &[PathBuf], process: &Env) -> Env {
        let mut env = Env::new();
        let default = dir.join(".env");
        let files: Vec<(PathBuf, bool)> =
            if env_files.is_empty() { vec![(default, false)] } else { env_files.iter().map(|p| (p.clone(), true)).collect() };
        for (path, required) in files {
            match self.read_env(&path, process) {
                Ok(vars) => env.extend(vars.into_iter().filter_map(|(k, v, _)| Some((k, v?)))),
                Err(e) if e.is_refused() => self.diag(DiagKind::Error, &path, format!("env file {e}")),
                Err(e) if required || !e.is_not_found() => self.diag(DiagKind::Partial, &path, format!("cannot read env file: {e}")),
                Err(_) => {}
            }
        }
        env.extend(process.iter().map(|(k, v)| (k.clone(), v.clone())));
        env
    }

    /// Read, parse and interpolate one file; `None` (with a diagnostic) when it cannot be used.
    /// With `stream`, the services of a file that no service `extends` (the common case) are
    /// interpolated and handed to `stream` while the file is parsed, and left out of the root.
    fn read_file(&mut self, path: &Path, env: &Env, kind_if_missing: DiagKind, stream: Option<&mut StreamFn>) -> Option<Node> {
        let bytes = match self.in_memory.take_if(|(p, _)| p == path) {
            Some((_, text)) => text.into_bytes(),
            None => self.read_bytes(path, kind_if_missing)?,
        };
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                let before = &e.as_bytes()[..at];
                let line = before.iter().filter(|b| **b == b'\n').count() as u32 + 1;
                let col = (at - before.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1)) as u32 + 1;
                self.diagnostics.push(Diagnostic {
                    kind: DiagKind::Error,
                    path: path.display().to_string(),
                    line: Some(line),
                    col: Some(col),
                    message: "invalid UTF-8".into(),
                });
                return None;
            }
        };
        let idx = self.files.len() as u32;
        self.files.push(SourceFile { path: path.display().to_string().into(), text: SourceText::new(text) });
        self.dirs.push(path.parent().map(Path::to_path_buf).unwrap_or_default());
        let source = std::mem::take(&mut self.files[idx as usize].text);
        let streamable = !source.text().contains("extends") && !source.text().contains("driver_opts");
        let mut secrets = yaml::Secrets::default();
        let parsed = match stream.filter(|_| streamable) {
            Some(stream) => {
                let mut sink = |key: yaml::Key, mut node: Node| {
                    self.interpolate(&mut node, env);
                    stream(self, key, node);
                };
                yaml::parse_streaming(source.text(), idx, Some(&mut sink), &mut secrets)
            }
            None => yaml::parse_streaming(source.text(), idx, None, &mut secrets),
        };
        // What reports show of this file has its secret values masked, once, here.
        self.files[idx as usize].text = if secrets.spans.is_empty() {
            source
        } else {
            let mut spans: Vec<_> = secrets.spans.iter().map(|s| (s.start, s.end, s.keep_name)).collect();
            source.masked(|text| crate::redact::mask(text, &mut spans))
        };
        let docs = match parsed {
            Ok(d) => d,
            Err(e) => {
                match e.pos {
                    Some(p) => self.diag_at(DiagKind::Error, p, e.message),
                    None => self.diag(DiagKind::Error, path, e.message),
                }
                return None;
            }
        };
        let mut root: Option<Node> = None;
        for doc in docs {
            if doc.is_null() {
                continue;
            }
            if doc.as_map().is_none() {
                self.diag_at(DiagKind::Error, doc.pos, format!("a Compose file must be a mapping, found {}", doc.type_name()));
                return None;
            }
            root = Some(match root {
                Some(r) => merge::merge_file(r, doc),
                None => doc,
            });
        }
        let Some(mut root) = root else {
            self.diag(DiagKind::Error, path, "empty Compose file: no YAML document");
            return None;
        };
        if let Some(s) = root.get("services")
            && s.as_map().is_none()
            && !s.is_null()
        {
            let (pos, t) = (s.pos, s.type_name());
            self.diag_at(DiagKind::Error, pos, format!("`services` must be a mapping, found {t}"));
            return None;
        }
        for (pos, why) in schema::top_level_errors(&root) {
            self.diag_at(DiagKind::Error, pos, why);
        }
        self.interpolate(&mut root, env);
        Some(root)
    }

    fn read_bytes(&mut self, path: &Path, kind_if_missing: DiagKind) -> Option<Vec<u8>> {
        match read::bytes(path, read::COMPOSE, "a Compose file") {
            Ok(b) => Some(b),
            Err(e) => {
                if e.is_refused() {
                    self.diag(DiagKind::Error, path, e.to_string());
                } else {
                    self.diag(kind_if_missing, path, format!("cannot read: {e}"));
                }
                None
            }
        }
    }

    fn interpolate(&mut self, node: &mut Node, env: &Env) {
        match &mut node.kind {
            Kind::Scalar { text, .. } => {
                if !text.contains('$') {
                    return;
                }
                // A template with a default commits that default to the repository.
                if text.contains('-')
                    && let Ok(d) = interpolate::interpolate(text, &|_| None)
                    && !d.text.is_empty()
                {
                    self.defaults.insert(node.pos, d.text);
                }
                match interpolate::interpolate(text, &|k| env.get(k).cloned()) {
                    Ok(r) => {
                        *text = r.text.into();
                        node.interpolated = r.substituted;
                        for name in r.unset {
                            self.diag_at(
                                DiagKind::Warning,
                                node.pos,
                                format!("the {name:?} variable is not set, defaulting to a blank string"),
                            );
                        }
                    }
                    Err(e) => {
                        // Not literal text: it is a template Compose refuses.
                        node.interpolated = true;
                        self.diag_at(DiagKind::Error, node.pos, e.to_string());
                    }
                }
            }
            Kind::Seq(items) => items.iter_mut().for_each(|n| self.interpolate(n, env)),
            Kind::Map(entries) => entries.iter_mut().for_each(|(_, v)| self.interpolate(v, env)),
        }
    }

    /// Load `paths`, each with its `include`s, and merge them in order. A single file may
    /// stream its services (see `read_file`); files to be merged cannot.
    fn load_merged(&mut self, paths: &[PathBuf], env: &Env, mut stream: Option<&mut StreamFn>) -> Option<Node> {
        if paths.len() > 1 {
            stream = None;
        }
        let mut merged: Option<Node> = None;
        for path in paths {
            let Some(root) = self.read_file(path, env, DiagKind::Error, stream.take()) else {
                continue;
            };
            let root = self.apply_includes(path, root, env);
            merged = Some(match merged {
                Some(m) => merge::merge_file(m, root),
                None => root,
            });
        }
        merged
    }

    fn apply_includes(&mut self, path: &Path, mut root: Node, env: &Env) -> Node {
        let Some(include) = root.get("include").cloned() else { return root };
        let canonical = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        self.include_stack.push(canonical);
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        for item in include.as_seq().unwrap_or_default() {
            let (files, project_dir, env_files): (Vec<&Node>, Option<&str>, Vec<&Node>) = match &item.kind {
                Kind::Scalar { .. } => (vec![item], None, Vec::new()),
                Kind::Map(_) => {
                    let files = match item.get("path") {
                        Some(p) if p.as_seq().is_some() => p.as_seq().unwrap_or_default().iter().collect(),
                        Some(p) => vec![p],
                        None => Vec::new(),
                    };
                    let envs = match item.get("env_file") {
                        Some(e) if e.as_seq().is_some() => e.as_seq().unwrap_or_default().iter().collect(),
                        Some(e) => vec![e],
                        None => Vec::new(),
                    };
                    (files, item.get("project_directory").and_then(Node::as_str), envs)
                }
                Kind::Seq(_) => {
                    self.diag_at(DiagKind::Error, item.pos, "include: expected a path or a mapping");
                    continue;
                }
            };
            let paths: Vec<PathBuf> = files.iter().filter_map(|n| n.as_str()).map(|p| dir.join(p)).collect();
            let Some(first) = paths.first() else { continue };
            let canonical = first.canonicalize().unwrap_or_else(|_| first.clone());
            if self.include_stack.len() >= MAX_INCLUDE_DEPTH {
                self.diag_at(DiagKind::Error, item.pos, format!("include: nested more than {MAX_INCLUDE_DEPTH} files deep; not read"));
                continue;
            }
            if self.include_stack.contains(&canonical) {
                let cwd = std::env::current_dir().unwrap_or_default();
                let shown = |p: &PathBuf| p.strip_prefix(&cwd).unwrap_or(p).display().to_string();
                let chain: Vec<String> = self.include_stack.iter().chain([&canonical]).map(shown).collect();
                self.diag_at(DiagKind::Error, item.pos, format!("include cycle: {}", chain.join(" -> ")));
                continue;
            }
            let missing: Vec<&PathBuf> = paths.iter().filter(|p| !p.exists()).collect();
            if !missing.is_empty() {
                for p in missing {
                    self.diag_at(DiagKind::Partial, item.pos, format!("included file {} cannot be read", p.display()));
                }
                continue;
            }
            let sub_dir = project_dir.map(|d| dir.join(d)).unwrap_or_else(|| first.parent().map(Path::to_path_buf).unwrap_or_default());
            let env_paths: Vec<PathBuf> = env_files.iter().filter_map(|n| n.as_str()).map(|p| dir.join(p)).collect();
            let process: Env = env.clone();
            let sub_env = self.project_env(&sub_dir, &env_paths, &process);
            let Some(sub) = self.load_merged(&paths, &sub_env, None) else {
                continue;
            };
            let Some(sub_services) = sub.get("services").and_then(Node::as_map) else {
                continue;
            };
            let mut conflicts = Vec::new();
            if let Kind::Map(entries) = &mut root.kind {
                let idx = match entries.iter().position(|(k, _)| &*k.name == "services") {
                    Some(i) => i,
                    None => {
                        let key = yaml::Key { name: "services".into(), pos: item.pos };
                        entries.push((key, Node { kind: Kind::Map(Vec::new()), ..item.clone() }));
                        entries.len() - 1
                    }
                };
                if let Kind::Map(services) = &mut entries[idx].1.kind {
                    for (k, v) in sub_services {
                        if services.iter().any(|(sk, _)| sk.name == k.name) {
                            conflicts.push(k.clone());
                        } else {
                            services.push((k.clone(), v.clone()));
                        }
                    }
                }
            }
            for k in conflicts {
                self.diag_at(
                    DiagKind::Error,
                    k.pos,
                    format!("service {:?} from an included file conflicts with a service of the same name", k.name),
                );
            }
        }
        self.include_stack.pop();
        root
    }

    /// Resolve `extends` of service `me` (file, name) against `root`, the root of its file:
    /// iteratively down the chain (no recursion an input can drive), each link merged once
    /// (`extends_done`), so a chain of n services costs n merges, not n².
    fn resolve_extends(&mut self, root: &Node, svc: &Node, env: &Env, me: (u32, String)) -> Option<Node> {
        // Walk down: the layers (each service without its `extends`, and who it is) from `svc`
        // to the first base that is resolved already or extends nothing.
        let mut layers: Vec<((u32, String), Node)> = Vec::new();
        let mut seen: rustc_hash::FxHashSet<(u32, String)> = Default::default();
        let mut who = me;
        let mut current = svc.clone();
        let mut current_root: Option<Arc<Node>> = None; // None: `root`
        let bottom = loop {
            if let Some(done) = self.extends_done.get(&who) {
                break Some(done.clone());
            }
            if self.extends_failed.contains(&who) {
                break None;
            }
            let Some(ext) = current.get("extends").cloned() else { break Some(current) };
            seen.insert(who.clone());
            let (base_name, base_file) = match &ext.kind {
                Kind::Scalar { text, .. } => (text.to_string(), None),
                Kind::Map(_) => match ext.get("service").and_then(Node::as_str) {
                    Some(s) => (s.to_string(), ext.get("file").and_then(Node::as_str).map(str::to_string)),
                    None => {
                        self.diag_at(DiagKind::Error, ext.pos, "extends: `service` is required");
                        break None;
                    }
                },
                Kind::Seq(_) => {
                    self.diag_at(DiagKind::Error, ext.pos, "extends: expected a service name or a mapping");
                    break None;
                }
            };
            let file_idx = match &base_file {
                None => ext.pos.file,
                Some(f) => {
                    let path = self.dirs[ext.pos.file as usize].join(f);
                    let canonical = path.canonicalize().unwrap_or_else(|_| path.clone());
                    if !self.extends_cache.contains_key(&canonical) {
                        let before = self.diagnostics.len();
                        let loaded = self.read_file(&path, env, DiagKind::Partial, None).map(Arc::new);
                        // Why a file could not be read is said where it is named, at each
                        // `extends:` that names it (below), not once without a place.
                        let mut unread = Vec::new();
                        for d in self.diagnostics.drain(before..).collect::<Vec<_>>() {
                            match d.line {
                                None if d.kind == DiagKind::Partial => unread.push(d.message),
                                _ => self.diagnostics.push(d),
                            }
                        }
                        if loaded.is_none() && !unread.is_empty() {
                            self.extends_unread.insert(canonical.clone(), unread.join("; "));
                        }
                        self.extends_cache.insert(canonical.clone(), loaded);
                    }
                    let Some(Some(r)) = self.extends_cache.get(&canonical).cloned() else {
                        // A partial view: the service keeps its own keys and is audited, and
                        // what its base would add is said to be missing.
                        if let Some(why) = self.extends_unread.get(&canonical).cloned() {
                            let message = format!(
                                "extends: {}: {why}; the base service {base_name:?} was not seen, {:?} is audited with its own keys only",
                                path.display(),
                                who.1
                            );
                            let named_at = ext.get("file").map_or(ext.pos, |f| f.pos);
                            self.diag_at(DiagKind::Partial, named_at, message);
                            let mut local = current;
                            if let Kind::Map(entries) = &mut local.kind {
                                entries.retain(|(k, _)| &*k.name != "extends");
                            }
                            break Some(local);
                        }
                        break None;
                    };
                    current_root = Some(r);
                    self.files.iter().position(|sf| Path::new(&*sf.path).canonicalize().ok().as_ref() == Some(&canonical)).unwrap_or(0)
                        as u32
                }
            };
            let base_root: &Node = current_root.as_deref().unwrap_or(root);
            let Some(base) = base_root.get("services").and_then(|s| s.get(&base_name)).cloned() else {
                let file = &self.files[file_idx as usize].path;
                self.diag_at(DiagKind::Error, ext.pos, format!("extends: service {base_name:?} not found in {file}"));
                break None;
            };
            let next = (file_idx, base_name);
            if seen.contains(&next) {
                let names: Vec<&str> = layers.iter().map(|((_, n), _)| n.as_str()).chain([who.1.as_str(), next.1.as_str()]).collect();
                self.diag_at(DiagKind::Error, ext.pos, format!("extends cycle: {}", names.join(" -> ")));
                break None;
            }
            let mut local = current;
            if let Kind::Map(entries) = &mut local.kind {
                entries.retain(|(k, _)| &*k.name != "extends");
            }
            layers.push((who, local));
            who = next;
            current = base;
        };
        // A broken chain is reported once, where it breaks; the services above it fail too.
        let Some(bottom) = bottom else {
            self.extends_failed.extend(layers.into_iter().map(|(who, _)| who).chain([who]));
            return None;
        };
        // Fold back up: each layer over its resolved base, remembered for the next service.
        let mut resolved = bottom;
        self.extends_done.entry(who).or_insert_with(|| resolved.clone());
        for (who, local) in layers.into_iter().rev() {
            resolved = merge::merge_service(resolved, local);
            self.extends_done.insert(who, resolved.clone());
        }
        Some(resolved)
    }

    /// Read and parse an env file; a malformed line is reported (and the file yields nothing).
    /// Read an env file, its values interpolated from `outer` (then the lines above).
    fn read_env(&mut self, path: &Path, outer: &Env) -> Result<Vec<dotenv::EnvLine>, read::ReadError> {
        let text = read::text(path, read::ENV_FILE, "an env file")?;
        match dotenv::parse_expanded(&text, &|k| outer.get(k).cloned()) {
            Ok(vars) => Ok(vars),
            Err((line, message)) => {
                let path = path.display().to_string();
                self.diagnostics.push(Diagnostic { kind: DiagKind::Error, path, line: Some(line), col: None, message });
                Ok(Vec::new())
            }
        }
    }

    fn read_env_files(&mut self, service: &str, node: &Node, env: &Env, spec: &mut ContainerSpec) {
        let items: Vec<&Node> = match &node.kind {
            Kind::Seq(s) => s.iter().collect(),
            _ => vec![node],
        };
        for item in items {
            let (path, required) = match item.get("path") {
                Some(p) => (p.as_str(), item.get("required").and_then(Node::as_str).and_then(convert::parse_bool).unwrap_or(true)),
                None => (item.as_str(), true),
            };
            let Some(path) = path else { continue };
            let full = self.dirs[item.pos.file as usize].join(path);
            match self.read_env(&full, env) {
                Ok(vars) => {
                    let origin_path: Arc<str> = full.display().to_string().into();
                    for (name, value, line) in vars {
                        let var = EnvVar { name, value, literal: false, default: None };
                        spec.env.push(Val::new(var, Origin::file(&origin_path, line, 1)));
                    }
                }
                Err(e) if e.is_refused() => {
                    self.diag_at(DiagKind::Error, item.pos, format!("services.{service}.env_file: {} {e}", full.display()))
                }
                Err(e) if !required && e.is_not_found() => {}
                Err(e) => {
                    self.diag_at(DiagKind::Partial, item.pos, format!("services.{service}.env_file: cannot read {}: {e}", full.display()))
                }
            }
        }
    }
}

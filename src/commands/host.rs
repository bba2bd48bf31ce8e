//! `cbench host`: audit a Docker host. Today: the engine (daemon settings, every container,
//! the images they use) through the Engine API. The host's own files come next (issue 4).

use std::sync::Arc;
use std::time::Duration;

use crate::model::{DiagKind, Diagnostic, Severity, Subject};
use crate::report::{Run, SkipKind, SkippedSection};
use crate::rules::{self, Check, ComposeSource, Selection};
use crate::sources::engine::{self, EngineFacts, EngineOptions};
use crate::sources::host::{self, HostRoot};

/// The sections of a host audit, in report order.
pub const SECTIONS: &[&str] = &["daemon", "files", "socket", "audit", "kernel", "ssh", "users", "mac", "fs", "containers", "images"];

/// Sections read from the engine.
const ENGINE_SECTIONS: &[&str] = &["daemon", "containers", "images"];

#[derive(Debug, Clone)]
pub struct Options {
    pub engine: EngineOptions,
    /// `--root DIR`: audit a directory tree offline; None: the live host.
    pub root: Option<std::path::PathBuf>,
    /// `--live` with `--root`: the tree is a snapshot of a live host (its /proc, /sys and the
    /// recorded output of auditctl are read).
    pub live: bool,
    /// `--compose-files`: the Compose files to compare Compose containers with, instead of the
    /// files their labels record.
    pub compose_files: Vec<std::path::PathBuf>,
    /// Sections to run (empty: all), and sections to leave out.
    pub only: Vec<String>,
    pub skip: Vec<String>,
    pub min_severity: Option<Severity>,
    /// `--select` / `--ignore`: what is shown.
    pub selection: Selection,
    pub pedantic: bool,
    /// `--deep`: walk the file system for setuid/setgid and world-writable files.
    pub deep: bool,
    /// Which containers and images are audited.
    pub filters: Filters,
    /// cbench's own image: the live host through a mount of its `/` (CBENCH_HOST_ROOT, `/host`).
    pub mounted: Option<std::path::PathBuf>,
}

/// Which containers and images are audited, as docker-bench-security's `-i`/`-x`/`-t` choose
/// them: glob patterns on container names (and ids) and image names, and labels. A subject
/// left out is not audited at all (its checks have no outcome), which the summary counts show.
#[derive(Debug, Default, Clone)]
pub struct Filters {
    include_containers: Option<globset::GlobSet>,
    exclude_containers: Option<globset::GlobSet>,
    include_images: Option<globset::GlobSet>,
    exclude_images: Option<globset::GlobSet>,
    /// `KEY` or `KEY=VALUE`: a container must carry every one.
    labels: Vec<(String, Option<String>)>,
}

impl Filters {
    /// From the command line; an invalid glob is a usage error (its message says which).
    pub fn new(
        include_containers: &[String],
        exclude_containers: &[String],
        include_images: &[String],
        exclude_images: &[String],
        labels: &[String],
    ) -> Result<Filters, String> {
        let set = |option: &str, patterns: &[String]| -> Result<Option<globset::GlobSet>, String> {
            if patterns.is_empty() {
                return Ok(None);
            }
            let mut b = globset::GlobSetBuilder::new();
            for p in patterns {
                b.add(globset::Glob::new(p).map_err(|e| format!("{option} {p}: {e}"))?);
            }
            b.build().map(Some).map_err(|e| format!("{option}: {e}"))
        };
        Ok(Filters {
            include_containers: set("--include-containers", include_containers)?,
            exclude_containers: set("--exclude-containers", exclude_containers)?,
            include_images: set("--include-images", include_images)?,
            exclude_images: set("--exclude-images", exclude_images)?,
            labels: labels
                .iter()
                .map(|l| l.split_once('=').map_or((l.clone(), None), |(k, v)| (k.to_string(), Some(v.to_string()))))
                .collect(),
        })
    }

    /// Is the container known by `names` (its name and full id) with `labels` audited?
    pub fn container(&self, names: &[String], labels: &std::collections::BTreeMap<String, String>) -> bool {
        let any = |set: &globset::GlobSet| names.iter().any(|n| set.is_match(n));
        self.include_containers.as_ref().is_none_or(any)
            && !self.exclude_containers.as_ref().is_some_and(any)
            && self.labels.iter().all(|(k, v)| labels.get(k).is_some_and(|have| v.as_ref().is_none_or(|v| v == have)))
    }

    /// Is the image named `name` (`repo:tag`) audited?
    pub fn image(&self, name: &str) -> bool {
        self.include_images.as_ref().is_none_or(|s| s.is_match(name)) && !self.exclude_images.as_ref().is_some_and(|s| s.is_match(name))
    }
}

impl Default for Options {
    fn default() -> Self {
        Options {
            engine: EngineOptions {
                host: None,
                timeout: Duration::from_secs(10),
                all: false,
                all_images: false,
                deep: false,
                host_prefix: None,
                exclude: None,
            },
            mounted: None,
            root: None,
            live: false,
            compose_files: Vec::new(),
            only: Vec::new(),
            skip: Vec::new(),
            min_severity: None,
            selection: Selection::default(),
            pedantic: false,
            deep: false,
            filters: Filters::default(),
        }
    }
}

impl Options {
    fn section(&self, name: &str) -> bool {
        (self.only.is_empty() || self.only.iter().any(|s| s == name)) && !self.skip.iter().any(|s| s == name)
    }
}

pub fn run(opts: &Options) -> Run {
    run_keeping_facts(opts).0
}

/// The id of the container cbench runs in, if it does: the engine's directory for it appears
/// in cbench's own mount table (`/var/lib/docker/containers/ID/hostname`, `resolv.conf`).
pub fn own_container() -> Option<String> {
    let text = HostRoot::new("/").read_to_string("/proc/self/mountinfo").ok()?;
    text.lines().find_map(|l| {
        let (_, rest) = l.split_once("/containers/")?;
        let id: String = rest.chars().take_while(|c| c.is_ascii_hexdigit()).collect();
        (id.len() == 64).then_some(id)
    })
}

/// What a host audit saw, for the fixes: the run, the host's facts (when a host section ran)
/// and the root it read.
pub fn run_keeping_facts(opts: &Options) -> (Run, Option<crate::model::HostFacts>, HostRoot) {
    let sections = SECTIONS.iter().copied().filter(|s| opts.section(s)).collect();
    let mut run = Run { host: true, sections, started: crate::runner::now(), began: Some(std::time::Instant::now()), ..Run::default() };
    // Sections left out are outcomes too (JSON lists them): not selected, never passed.
    for section in SECTIONS.iter().filter(|s| !opts.section(s)) {
        run.skipped_sections.push(SkippedSection { section, kind: SkipKind::NotSelected, reason: "not selected (--only / --skip)".into() });
    }
    let root = match (&opts.root, &opts.mounted) {
        (Some(dir), _) if opts.live => HostRoot::snapshot(dir),
        (Some(dir), _) => HostRoot::new(dir),
        (None, Some(dir)) => HostRoot::mounted(dir),
        (None, None) => HostRoot::new("/"),
    };
    // The daemon as its files configure it (daemon.json, dockerd flags): always readable.
    let (files_config, file_diags) = host::daemon::collect(&root);
    run.diagnostics.extend(file_diags);
    // The daemon settings the host sections need (data root, TLS files): this host's files,
    // with the local engine's effective values when it answers.
    let mut host_config = files_config.clone();
    let mut daemon: Option<(String, crate::model::DaemonConfig)> = None;
    if ENGINE_SECTIONS.iter().any(|s| opts.section(s)) {
        // Offline, nothing of the machine cbench runs on may leak in: no engine unless asked.
        if opts.root.is_some() && opts.engine.host.is_none() {
            for section in ENGINE_SECTIONS.iter().filter(|s| *s != &"daemon" && opts.section(s)) {
                run.skipped_sections.push(SkippedSection {
                    section,
                    kind: SkipKind::Offline,
                    reason: "offline audit (--root): the engine is read only with --docker-host".into(),
                });
            }
            daemon = Some((format!("{} (daemon.json and dockerd flags)", root.display("/")), files_config));
        } else {
            let local = engine::address(&opts.engine).starts_with("unix://");
            match engine::collect(&opts.engine) {
                Ok(facts) => {
                    judge(opts, &facts, &mut run);
                    let version = facts.daemon.version.as_ref().map(|v| v.value.clone()).unwrap_or_else(|| "?".into());
                    let product = if facts.daemon.podman.is_some() { "Podman" } else { "Docker" };
                    run.podman = facts.daemon.podman.is_some();
                    // This host's files describe the engine only when it is this host's dockerd:
                    // never a Podman service's.
                    let local = local && facts.daemon.podman.is_none();
                    // A rootless engine's files are its user's (the socket's owner), not /etc/docker's.
                    let rootless = facts.daemon.rootless.as_ref().is_some_and(|r| r.value);
                    let files_config = match facts.address.strip_prefix("unix://") {
                        Some(socket) if local && rootless => {
                            let (config, diags) = host::daemon::collect_rootless(&root, socket);
                            run.diagnostics.extend(diags);
                            config
                        }
                        _ => files_config,
                    };
                    let mut config = if local { host::daemon::merge(facts.daemon.clone(), files_config) } else { facts.daemon.clone() };
                    // A local Podman: its own files (containers.conf, registries.conf, policy.json),
                    // a rootless one's user's over the system's.
                    if let (Some(_), Some(socket)) = (&facts.daemon.podman, facts.address.strip_prefix("unix://")) {
                        run.diagnostics.extend(host::podman::local(&root, &mut config, socket));
                    }
                    let rootless = config.rootless.as_ref().is_some_and(|r| r.value);
                    if local {
                        // Swarm's ports on this host (/proc/net/tcp, slow to read here): only
                        // when the engine says this node is in a swarm.
                        if config.swarm.is_some() && root.is_live() {
                            config.swarm_wildcard_listeners = host::daemon::swarm_listeners(&root);
                        }
                        host_config = config.clone();
                    }
                    let mode = if rootless { " rootless" } else { "" };
                    daemon = Some((format!("{} ({product} {version}{mode})", facts.address), config));
                }
                Err(e) => {
                    let reason = e.to_string();
                    run.diagnostics.push(Diagnostic {
                        // A partial view: exit 2 unless --allow-partial.
                        kind: DiagKind::Partial,
                        path: engine::address(&opts.engine),
                        line: None,
                        col: None,
                        message: reason.clone(),
                    });
                    let skipped = |section| SkippedSection {
                        section,
                        kind: SkipKind::EngineUnreachable,
                        reason: format!("engine unreachable: {reason}"),
                    };
                    for section in ENGINE_SECTIONS.iter().filter(|s| *s != &"daemon" && opts.section(s)) {
                        run.skipped_sections.push(skipped(section));
                    }
                    // The daemon section still judges what this host's files say.
                    if local {
                        daemon = Some((format!("{} (files only: engine unreachable)", root.display("/")), files_config));
                    } else if opts.section("daemon") {
                        run.skipped_sections.push(skipped("daemon"));
                    }
                    // Engine sections were asked for and could not be read: a partial view.
                    run.partial = Some(reason.clone());
                }
            }
        }
    }
    let (refused, facts) = judge_host(opts, &root, &host_config, daemon, &mut run);
    for (path, why) in refused {
        run.diagnostics.push(Diagnostic { kind: DiagKind::Error, path, line: None, col: None, message: why });
    }
    run.finish(opts.selection.clone(), opts.min_severity);
    (run, facts, root)
}

/// Judge the daemon (as `daemon` names and configures it) and the host sections of `root`
/// into `run`; returns the files refused for what they are (shown path, why), which the
/// checks that needed them name as their skip reason.
pub fn judge_host(
    opts: &Options,
    root: &HostRoot,
    host_config: &crate::model::DaemonConfig,
    daemon: Option<(String, crate::model::DaemonConfig)>,
    run: &mut Run,
) -> (Vec<(String, String)>, Option<crate::model::HostFacts>) {
    let mut kept = None;
    if opts.section("daemon")
        && let Some((name, config)) = daemon
    {
        judge_daemon(&name, &config, run);
    }
    let host_sections: Vec<&(&str, &[(&str, rules::HostCheck)])> =
        rules::HOST_SECTIONS.iter().filter(|(section, _)| opts.section(section)).collect();
    if !host_sections.is_empty() {
        let facts = host::collect(root, host_config, &rules::kernel::keys(), opts.deep);
        if let Some((id, pretty)) = &facts.os {
            run.host_os = Some(pretty.clone());
            run.flatcar = matches!(id.as_str(), "flatcar" | "coreos");
        }
        for (section, checks) in host_sections {
            let ids: Arc<[&'static str]> = checks.iter().map(|(id, _)| *id).collect();
            let at = run.begin(section, Subject { kind: section, name: root.display("/") }, ids);
            for (i, (_, check)) in checks.iter().enumerate() {
                run.record(at, i, check(&facts));
            }
        }
        kept = Some(facts);
    }
    // Files refused for what they are (a FIFO, a device, over the size limit): input errors;
    // a check skipped for want of one says why it was refused, not that root could read it.
    let refused = root.refused();
    for c in &mut run.checked {
        for (_, reason) in &mut c.reasons {
            if let Some(path) = reason.strip_prefix(rules::UNREADABLE)
                && let Some((_, why)) = refused.iter().find(|(p, _)| p == path)
            {
                *reason = format!("cannot be read: {path} {why}").into();
            }
        }
    }
    (refused, kept)
}

fn judge_daemon(name: &str, config: &crate::model::DaemonConfig, run: &mut Run) {
    let ids: Arc<[&'static str]> = rules::daemon::DAEMON_RULES.iter().map(|(id, _)| *id).collect();
    let at = run.begin("daemon", Subject { kind: "daemon", name: name.to_string() }, ids);
    for (i, (id, check)) in rules::daemon::DAEMON_RULES.iter().enumerate() {
        // Judged from files dockerd cannot read: no outcome would be true.
        let result = match (&config.invalid, rules::daemon::judge(id, *check, config)) {
            (Some(why), _) => Check::Error(format!("cannot judge the daemon's files: {why}")),
            // Nothing found in files cbench could not all read is no pass.
            (None, Check::Pass) => Check::partial(Vec::new(), config.unreadable.as_deref()),
            (None, result) => result,
        };
        run.record(at, i, result);
    }
}

/// Judge what the engine reported; pure but for the report it fills.
/// `--fix-out DIR`: write the remediation bundle for `run` into `dir` (which must not exist or
/// be empty): `files/` (the tree to lay over the root), `apply.sh`, `README.md`, and on Flatcar
/// `fix.bu`. Never a write to the audited host.
#[allow(clippy::disallowed_methods)]
pub fn write_bundle(
    run: &Run,
    facts: Option<&crate::model::HostFacts>,
    root: &HostRoot,
    dir: &std::path::Path,
) -> Result<crate::fix::host::Bundle, String> {
    let facts = facts.ok_or("no host section ran: nothing to fix (--only / --skip)")?;
    if std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_some()) {
        return Err(format!("{} is not empty: the bundle goes into a new directory", dir.display()));
    }
    let b = crate::fix::host::bundle(run, facts, root);
    let write = |rel: &str, text: &str, mode: u32| -> Result<(), String> {
        use std::os::unix::fs::PermissionsExt;
        let p = dir.join(rel.trim_start_matches('/'));
        std::fs::create_dir_all(p.parent().unwrap_or(dir)).map_err(|e| format!("{}: {e}", p.display()))?;
        std::fs::write(&p, text).map_err(|e| format!("{}: {e}", p.display()))?;
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).map_err(|e| format!("{}: {e}", p.display()))
    };
    for f in &b.files {
        write(&format!("files{}", f.path), &f.text, f.mode)?;
    }
    write("apply.sh", &b.script(), 0o755)?;
    write("README.md", &b.readme(), 0o644)?;
    write("fixes.json", &b.json(), 0o644)?;
    if b.flatcar {
        write("fix.bu", &b.butane(), 0o644)?;
    }
    Ok(b)
}

pub fn judge(opts: &Options, facts: &EngineFacts, run: &mut Run) {
    for note in &facts.notes {
        run.diagnostics.push(Diagnostic {
            kind: DiagKind::Warning,
            path: facts.address.clone(),
            line: None,
            col: None,
            message: note.clone(),
        });
    }
    if opts.section("containers") {
        let mut mounts = Vec::new();
        let files = compose_files(facts, &opts.compose_files);
        let kept: Vec<_> = facts.containers.iter().filter(|c| opts.filters.container(&c.names, &c.labels)).collect();
        let all_modes: Vec<rules::Modes> =
            kept.iter().map(|c| rules::Modes { names: c.names.clone(), ..rules::Modes::of(&c.spec) }).collect();
        let mut modes = all_modes.iter();
        for c in kept {
            let name = match &c.compose {
                Some((project, service)) => format!("{} compose {project}/{service}", c.label),
                None => c.label.clone(),
            };
            // The Compose service it was made from, judged from its files when they are readable.
            let mut scratch = Run::default();
            let service = match &c.compose {
                None => ComposeSource::None,
                Some((project, service)) => match files.get(project) {
                    Some(Ok((file, services))) => match services.iter().find(|s| s.name == *service) {
                        Some(svc) => {
                            let subject = Subject { kind: "service", name: service.clone() };
                            rules::judge_container(&mut scratch, "services", subject, &svc.spec, opts.pedantic, None);
                            ComposeSource::Service { file, findings: &scratch.findings }
                        }
                        None => ComposeSource::Unreadable(format!("service {service} is not in {file}")),
                    },
                    Some(Err(why)) => ComposeSource::Unreadable(why.clone()),
                    None => ComposeSource::Unreadable("the container records no Compose files".into()),
                },
            };
            let ctx = rules::Context { daemon: &facts.daemon, service };
            let at = rules::judge_container(run, "containers", Subject { kind: "container", name }, &c.spec, opts.pedantic, Some(&ctx));
            mounts.push((at, &c.spec.mounts[..], modes.next().expect("one per container")));
        }
        rules::judge_project(run, &mounts);
    }
    if opts.section("images") {
        let ids: Arc<[&'static str]> = rules::image::IMAGE_RULES.iter().map(|(id, _)| *id).collect();
        for image in facts.images.iter().filter(|i| opts.filters.image(&i.name)) {
            let at = run.begin("images", Subject { kind: "image", name: image.name.clone() }, ids.clone());
            for (i, (_, check)) in rules::image::IMAGE_RULES.iter().enumerate() {
                run.record(at, i, check(image));
            }
        }
    }
}

/// The Compose services of each project on the host, loaded from the files its containers
/// record: project to (first file, services), or why they cannot be read here.
type ComposeProjects = std::collections::BTreeMap<String, Result<(String, Vec<crate::sources::compose::Service>), String>>;

// The Compose files a local engine's containers record are read with the Compose source (its
// own door), as `cbench compose` reads them.
#[allow(clippy::disallowed_methods)]
fn compose_files(facts: &EngineFacts, given: &[std::path::PathBuf]) -> ComposeProjects {
    let mut out = ComposeProjects::new();
    let opts = crate::sources::compose::LoadOptions { env: std::env::vars().collect(), ..Default::default() };
    for c in &facts.containers {
        let Some((project, _)) = &c.compose else { continue };
        let files = if given.is_empty() { &c.compose_files[..] } else { given };
        if out.contains_key(project) || files.is_empty() {
            continue;
        }
        if let Some(missing) = files.iter().find(|f| !f.is_file()) {
            out.insert(project.clone(), Err(format!("its Compose file {} is not readable here", missing.display())));
            continue;
        }
        let loaded = crate::sources::compose::load(files, &opts);
        out.insert(project.clone(), Ok((files[0].display().to_string(), loaded.services)));
    }
    out
}

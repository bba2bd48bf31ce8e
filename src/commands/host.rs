//! `cbench host`: audit a Docker host. Today: the engine (daemon settings, every container,
//! the images they use) through the Engine API. The host's own files come next (issue 4).

use std::sync::Arc;
use std::time::Duration;

use crate::model::{DiagKind, Diagnostic, Finding, Severity, Subject};
use crate::report::Run;
use crate::rules::{self, Check};
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
    /// `--compose-files`: the Compose files to compare Compose containers with, instead of the
    /// files their labels record.
    pub compose_files: Vec<std::path::PathBuf>,
    /// Sections to run (empty: all), and sections to leave out.
    pub only: Vec<String>,
    pub skip: Vec<String>,
    pub min_severity: Option<Severity>,
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    pub pedantic: bool,
    /// `--deep`: walk the file system for setuid/setgid and world-writable files.
    pub deep: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            engine: EngineOptions { host: None, timeout: Duration::from_secs(10), all: false },
            root: None,
            compose_files: Vec::new(),
            only: Vec::new(),
            skip: Vec::new(),
            min_severity: None,
            select: Vec::new(),
            ignore: Vec::new(),
            pedantic: false,
            deep: false,
        }
    }
}

impl Options {
    fn section(&self, name: &str) -> bool {
        (self.only.is_empty() || self.only.iter().any(|s| s == name)) && !self.skip.iter().any(|s| s == name)
    }

    fn selected(&self, rule: &str) -> bool {
        (self.select.is_empty() || self.select.iter().any(|s| s == rule)) && !self.ignore.iter().any(|s| s == rule)
    }
}

pub fn run(opts: &Options) -> Run {
    let sections = SECTIONS.iter().copied().filter(|s| opts.section(s)).collect();
    let mut run = Run { host: true, sections, ..Run::default() };
    let root = HostRoot::new(opts.root.clone().unwrap_or_else(|| "/".into()));
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
                run.skipped_sections.push((section, "offline audit (--root): the engine is read only with --docker-host".into()));
            }
            daemon = Some((format!("{} (daemon.json and dockerd flags)", root.display("/")), files_config));
        } else {
            let local = engine::address(&opts.engine).starts_with("unix://");
            match engine::collect(&opts.engine) {
                Ok(facts) => {
                    judge(opts, &facts, &mut run);
                    let version = facts.daemon.version.as_ref().map(|v| v.value.clone()).unwrap_or_else(|| "?".into());
                    // This host's files describe the engine only when it is this host's engine.
                    let config = if local { host::daemon::merge(facts.daemon.clone(), files_config) } else { facts.daemon.clone() };
                    if local {
                        host_config = config.clone();
                    }
                    daemon = Some((format!("{} (Docker {version})", facts.address), config));
                }
                Err(e) => {
                    let reason = e.to_string();
                    run.diagnostics.push(Diagnostic {
                        kind: DiagKind::Warning,
                        path: engine::address(&opts.engine),
                        line: None,
                        col: None,
                        message: reason.clone(),
                    });
                    for section in ENGINE_SECTIONS.iter().filter(|s| *s != &"daemon" && opts.section(s)) {
                        run.skipped_sections.push((section, format!("engine unreachable: {reason}")));
                    }
                    // The daemon section still judges what this host's files say.
                    if local {
                        daemon = Some((format!("{} (files only: engine unreachable)", root.display("/")), files_config));
                    } else if opts.section("daemon") {
                        run.skipped_sections.push(("daemon", format!("engine unreachable: {reason}")));
                    }
                }
            }
        }
    }
    if opts.section("daemon")
        && let Some((name, config)) = daemon
    {
        judge_daemon(opts, &name, &config, &mut run);
    }
    let host_sections: Vec<&(&str, &[(&str, rules::HostCheck)])> =
        rules::HOST_SECTIONS.iter().filter(|(section, _)| opts.section(section)).collect();
    if !host_sections.is_empty() {
        let facts = host::collect(&root, &host_config, &rules::kernel::keys(), opts.deep);
        if let Some((id, pretty)) = &facts.os {
            run.host_os = Some(pretty.clone());
            run.flatcar = matches!(id.as_str(), "flatcar" | "coreos");
        }
        for (section, checks) in host_sections {
            let subject = Subject { kind: section, name: root.display("/") };
            let mut ids = Vec::new();
            for (id, check) in checks.iter().filter(|(id, _)| opts.selected(id)) {
                record(&mut run, &subject, id, check(&facts), &mut ids);
            }
            run.checked.push((subject, ids.into()));
        }
    }
    run.findings.retain(|f| opts.min_severity.is_none_or(|m| f.severity >= m));
    // `--ignore RULE:EVIDENCE`: that one finding is suppressed (kept as such in JSON and SARIF).
    for f in &mut run.findings {
        if opts.ignore.iter().any(|i| i.split_once(':').is_some_and(|(rule, evidence)| rule == f.rule && evidence == f.evidence)) {
            f.suppressed = true;
        }
    }
    run
}

fn judge_daemon(opts: &Options, name: &str, config: &crate::model::DaemonConfig, run: &mut Run) {
    let subject = Subject { kind: "daemon", name: name.to_string() };
    let mut ids = Vec::new();
    for (id, check) in rules::daemon::DAEMON_RULES.iter().filter(|(id, _)| opts.selected(id)) {
        // Judged from files dockerd cannot read: no outcome would be true.
        let result = match &config.invalid {
            Some(why) => Check::Error(format!("cannot judge the daemon's files: {why} (dockerd will not start)")),
            None => check(config),
        };
        record(run, &subject, id, result, &mut ids);
    }
    run.checked.push((subject, ids.into()));
}

/// Put one check's outcome into the report: `ids` collects the checks that ran on `subject`.
fn record(run: &mut Run, subject: &Subject, id: &'static str, result: Check, ids: &mut Vec<&'static str>) {
    match result {
        Check::Pass => ids.push(id),
        Check::Fail(hits) => {
            ids.push(id);
            run.findings.extend(hits.into_iter().map(|h| rules::finding(id, subject, h)));
        }
        Check::Skip(reason) => run.skipped.push((subject.clone(), id, reason)),
        Check::Error(reason) => run.errored.push((subject.clone(), id, reason)),
    }
}

/// Judge what the engine reported; pure but for the report it fills.
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
        let ids: Arc<[&'static str]> = rules::container_rule_ids().into_iter().filter(|id| opts.selected(id)).collect();
        let mut mounts = Vec::new();
        let files = compose_files(facts, &opts.compose_files);
        for c in &facts.containers {
            let name = match &c.compose {
                Some((project, service)) => format!("{} compose {project}/{service}", c.label),
                None => c.label.clone(),
            };
            let subject = Subject { kind: "container", name };
            let found: Vec<Finding> = rules::check_container(&subject, &c.spec, opts.pedantic);
            let mut ids = ids.clone();
            // Compare with the Compose service it was made from, when its files are readable.
            if let Some((project, service)) = &c.compose
                && let Some((file, services)) = files.get(project)
                && let Some(svc) = services.iter().find(|s| s.name == *service)
                && opts.selected("compose-drift")
            {
                let svc_subject = Subject { kind: "service", name: service.clone() };
                let from_file = rules::check_container(&svc_subject, &svc.spec, opts.pedantic);
                let drift = rules::drift::compose_drift(&found, &from_file, file);
                run.findings.extend(drift.into_iter().map(|h| rules::finding("compose-drift", &subject, h)));
                ids = ids.iter().copied().chain(["compose-drift"]).collect();
            }
            if opts.selected("apparmor-profile-missing") {
                match rules::context::apparmor_profile_missing(&facts.daemon, &c.spec) {
                    Some(hits) => {
                        run.findings.extend(hits.into_iter().map(|h| rules::finding("apparmor-profile-missing", &subject, h)));
                        ids = ids.iter().copied().chain(["apparmor-profile-missing"]).collect();
                    }
                    None => run.skipped.push((
                        subject.clone(),
                        "apparmor-profile-missing",
                        "not applicable: the engine does not report AppArmor".into(),
                    )),
                }
            }
            run.findings.extend(found.into_iter().filter(|f| opts.selected(f.rule)));
            run.checked.push((subject.clone(), ids));
            mounts.push((subject, &c.spec.mounts[..]));
        }
        run.findings.extend(rules::check_project(&mounts).into_iter().filter(|f| opts.selected(f.rule)));
    }
    if opts.section("images") {
        let ids: Arc<[&'static str]> = rules::image::IMAGE_RULES.iter().map(|(id, _)| *id).filter(|id| opts.selected(id)).collect();
        for image in &facts.images {
            let subject = Subject { kind: "image", name: image.name.clone() };
            for (id, check) in rules::image::IMAGE_RULES.iter().filter(|(id, _)| opts.selected(id)) {
                run.findings.extend(check(image).into_iter().map(|h| rules::finding(id, &subject, h)));
            }
            run.checked.push((subject, ids.clone()));
        }
    }
}

/// The Compose services of each project on the host, loaded from the files its containers
/// record, when they are readable here: project to (first file, services).
fn compose_files(
    facts: &EngineFacts,
    given: &[std::path::PathBuf],
) -> std::collections::BTreeMap<String, (String, Vec<crate::sources::compose::Service>)> {
    let mut out = std::collections::BTreeMap::new();
    let opts = crate::sources::compose::LoadOptions { env: std::env::vars().collect(), ..Default::default() };
    for c in &facts.containers {
        let Some((project, _)) = &c.compose else { continue };
        let files = if given.is_empty() { &c.compose_files[..] } else { given };
        if out.contains_key(project) || files.is_empty() || !files.iter().all(|f| f.is_file()) {
            continue;
        }
        let loaded = crate::sources::compose::load(files, &opts);
        out.insert(project.clone(), (files[0].display().to_string(), loaded.services));
    }
    out
}

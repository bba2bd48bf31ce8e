//! `cbench compose [FILE...]`: audit Compose files statically.
// Reads .cbench.toml and names Compose files: not the audited host.
#![allow(clippy::disallowed_methods)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::{self, Config};
use crate::model::{DiagKind, Diagnostic, Origin, Severity, Subject};
use crate::report::Run;
use crate::rules::{self, Selection};
use crate::sources::compose::{self, LoadOptions};
use crate::suppress;

#[derive(Debug, Default, Clone)]
pub struct Options {
    /// Each positional file is its own project.
    pub files: Vec<PathBuf>,
    /// `-f`: files merged into one project, in order.
    pub merged: Vec<PathBuf>,
    pub load: LoadOptions,
    pub min_severity: Option<Severity>,
    /// `--select` / `--ignore`: what is shown.
    pub selection: Selection,
    pub pedantic: bool,
    pub no_config: bool,
    /// Where to discover a Compose file when none is given.
    pub cwd: PathBuf,
    /// `--baseline`: the findings it records are suppressed (reason: baseline).
    pub baseline: Option<PathBuf>,
    /// `--write-baseline`: record today's findings there.
    pub write_baseline: Option<PathBuf>,
    /// Work out the fix of each finding for the report (SARIF `fixes`).
    pub fixes: bool,
}

pub fn run(opts: &Options) -> Run {
    let mut projects: Vec<Vec<PathBuf>> = Vec::new();
    if !opts.merged.is_empty() {
        projects.push(opts.merged.clone());
    }
    projects.extend(opts.files.iter().map(|f| vec![f.clone()]));
    let mut run = Run::default();
    if projects.is_empty() {
        let found = compose::discover(&opts.cwd);
        if found.is_empty() {
            run.diagnostics.push(Diagnostic {
                kind: DiagKind::Error,
                path: opts.cwd.display().to_string(),
                line: None,
                col: None,
                message: format!("no Compose file found (looked for {})", compose::DEFAULT_FILES.join(", ")),
            });
            return run;
        }
        projects.push(found);
    }
    // Configs by directory, and for each file its config (index) and absolute path.
    let mut configs: Vec<Config> = Vec::new();
    let mut config_of_dir: HashMap<PathBuf, Option<usize>> = HashMap::new();
    let mut config_diags = Vec::new();
    for paths in &projects {
        let first_finding = run.findings.len();
        let mut mounts = Vec::new();
        let project = compose::load_each(paths, &opts.load, |service| {
            let subject = Subject { kind: "service", name: service.name };
            let at = rules::judge_container(&mut run, "services", subject, &service.spec, opts.pedantic, None);
            // Kept only for the services that join a namespace: a big project holds them all.
            let modes = rules::Modes::of(&service.spec);
            let modes = (modes.network.is_some() || modes.pid.is_some() || modes.ipc.is_some()).then(|| Box::new(modes));
            mounts.push((at, service.spec.mounts, modes));
        });
        let none = rules::Modes::default();
        let refs: Vec<rules::ProjectMember> =
            mounts.iter().map(|(at, m, modes)| (*at, &m[..], modes.as_deref().unwrap_or(&none))).collect();
        rules::judge_project(&mut run, &refs);
        drop(refs);
        drop(mounts);
        run.files += project.files.len();
        run.diagnostics.extend(project.diagnostics);
        let known = |id: &str| rules::catalog::get(id).is_some();
        for sf in &project.files {
            for (line, col, id) in suppress::unknown_ids(&sf.text, &known) {
                run.diagnostics.push(Diagnostic {
                    kind: DiagKind::Warning,
                    path: sf.path.to_string(),
                    line: Some(line),
                    col: Some(col),
                    message: format!("cbench: ignore[...] names an unknown rule id `{id}` (see `cbench rules`); it suppresses nothing"),
                });
            }
        }
        let mut file_config: HashMap<Arc<str>, (Option<usize>, PathBuf)> = HashMap::new();
        let findings = &mut run.findings[first_finding..];
        for f in findings.iter_mut() {
            let Origin::File { path, line, .. } = &f.origin else { continue };
            if let Some(sf) = project.files.iter().find(|sf| sf.path == *path)
                && suppress::ignored_at(&sf.text, *line).iter().any(|r| r == f.rule)
            {
                f.suppressed = true;
                f.suppressed_by = Some("inline comment");
            }
            if opts.no_config {
                continue;
            }
            let (cfg, abs) = file_config.entry(path.clone()).or_insert_with(|| {
                let p = Path::new(&**path);
                let dir = p.parent().map(Path::to_path_buf).unwrap_or_default();
                let idx = *config_of_dir.entry(dir.clone()).or_insert_with(|| {
                    let c = load_config(&dir, &mut config_diags)?;
                    configs.push(c);
                    Some(configs.len() - 1)
                });
                (idx, p.canonicalize().unwrap_or_else(|_| p.to_path_buf()))
            });
            if let Some(cfg) = cfg.map(|i| &configs[i]) {
                if let Some(sev) = cfg.severity(f.rule) {
                    f.severity = sev;
                }
                if !f.suppressed && cfg.ignores(f.rule, abs) {
                    f.suppressed = true;
                    f.suppressed_by = Some("config");
                }
            }
        }
        findings.sort_by(|a, b| (&a.origin, a.rule).cmp(&(&b.origin, b.rule)));
        run.diagnostics.append(&mut config_diags);
        for sf in project.files {
            run.sources.insert(sf.path.to_string(), sf.text);
        }
    }
    // A baseline written now records what is found, and then suppresses it like one read.
    if let Some(path) = &opts.write_baseline {
        match crate::baseline::write(&run, path) {
            Ok(n) => eprintln!("cbench: {n} findings recorded in the baseline {}", crate::report::untrusted(&path.display().to_string())),
            Err(d) => run.diagnostics.push(d),
        }
    }
    if let Some(path) = opts.baseline.as_ref().or(opts.write_baseline.as_ref())
        && let Err(d) = crate::baseline::apply(&mut run, path)
    {
        run.diagnostics.push(d);
    }
    run.finish(opts.selection.clone(), opts.min_severity);
    if opts.fixes {
        let read = |p: &str| crate::sources::read::text(Path::new(p), crate::sources::read::COMPOSE, "a Compose file").ok();
        run.fixes = crate::fix::compose::data(&run.findings, &read);
    }
    run
}

/// What `--fix` / `--diff` did.
#[derive(Debug, Default)]
pub struct FixOutcome {
    /// The unified diff of every file the fixes change (`--diff` only).
    pub diff: String,
    pub files: Vec<String>,
    pub applied: usize,
    /// What to say: files written, findings whose rule has a fix that was not applied and why.
    pub messages: Vec<String>,
}

/// Plan the fixes of `run`'s shown findings, and write them (unless `diff_only`). A file is
/// written only when every edit planned for it applies.
pub fn fix(run: &Run, unsafe_fixes: bool, diff_only: bool) -> FixOutcome {
    let read = |p: &str| crate::sources::read::text(Path::new(p), crate::sources::read::COMPOSE, "a Compose file").ok();
    let (planned, refused) = crate::fix::compose::plan(&run.findings, unsafe_fixes, &read);
    let mut out = FixOutcome::default();
    let mut by_file: std::collections::BTreeMap<Arc<str>, Vec<crate::fix::Edit>> = Default::default();
    let mut seen: std::collections::HashSet<(&str, &crate::fix::Edit)> = Default::default();
    for p in &planned {
        let edits = by_file.entry(p.path.clone()).or_default();
        // A value fixed for several findings (an anchor shared by services) is edited once.
        for e in &p.edits {
            if seen.insert((&p.path, e)) {
                edits.push(e.clone());
            }
        }
    }
    for (path, edits) in &by_file {
        let Some(before) = read(path) else { continue };
        let (after, skipped) = crate::fix::apply(&before, edits);
        if !skipped.is_empty() {
            out.messages.push(format!("{path}: {} overlapping edits left out; run --fix again", skipped.len()));
        }
        if diff_only {
            out.diff.push_str(&crate::fix::diff(path, &before, &after));
            continue;
        }
        if after == before {
            continue;
        }
        match std::fs::write(&**path, &after) {
            Ok(()) => out.files.push(path.to_string()),
            Err(e) => out.messages.push(format!("{path}: not written: {e}")),
        }
    }
    // What was written (a plan whose file was not written did not apply).
    out.applied = if diff_only { planned.len() } else { planned.iter().filter(|p| out.files.iter().any(|f| **f == *p.path)).count() };
    for (i, why) in refused {
        let f = &run.findings[i];
        out.messages.push(format!("{} at {}: not fixed: {why}", f.rule, f.origin));
    }
    if !unsafe_fixes {
        let n = run
            .findings
            .iter()
            .filter(|f| !f.suppressed && !f.hidden && crate::fix::compose::safety(f.rule) == Some(crate::fix::Safety::Unsafe))
            .count();
        if n > 0 {
            out.messages.push(format!("{n} more findings have an unsafe fix (--unsafe-fixes)"));
        }
    }
    out
}

/// Judge the services of one loaded project with every container and project rule (what
/// `run` does while it streams a project; the fuzz targets use it on a project in memory).
pub fn judge_services(run: &mut Run, services: &[compose::Service], pedantic: bool) {
    let modes: Vec<rules::Modes> = services.iter().map(|s| rules::Modes::of(&s.spec)).collect();
    let mut members = Vec::new();
    for (s, modes) in services.iter().zip(&modes) {
        let subject = Subject { kind: "service", name: s.name.clone() };
        members.push((rules::judge_container(run, "services", subject, &s.spec, pedantic, None), &s.spec.mounts[..], modes));
    }
    rules::judge_project(run, &members);
}

fn load_config(dir: &Path, diags: &mut Vec<Diagnostic>) -> Option<Config> {
    let path = config::find(dir)?;
    let text = match crate::sources::read::text(&path, crate::sources::read::CONFIG, "a configuration file") {
        Ok(t) => t,
        Err(e) => {
            diags.push(Diagnostic {
                kind: DiagKind::Error,
                path: path.display().to_string(),
                line: None,
                col: None,
                message: e.to_string(),
            });
            return None;
        }
    };
    match Config::parse(&path, &text, &|id| crate::rules::catalog::get(id).is_some()) {
        Ok(c) => Some(c),
        Err(e) => {
            diags.push(Diagnostic {
                kind: DiagKind::Error,
                path: path.display().to_string(),
                line: e.line,
                col: e.col,
                message: e.message,
            });
            None
        }
    }
}

//! `cbench butane FILE.bu...` and `cbench ignition FILE.ign...`: judge the host a Flatcar
//! provisioning config will produce, before it exists — the Flatcar image's defaults with the
//! config applied (a virtual tree), judged by the host rules, plus what only a config can get
//! wrong (the provisioning rules). Findings point at the config: the line that set it, or the
//! config's top for a Flatcar default the config leaves in place.

use std::path::PathBuf;
use std::sync::Arc;

use super::host;
use crate::model::{DiagKind, Diagnostic, Origin, Severity, SourceText, Subject, Val};
use crate::report::{Run, SkipKind, SkippedSection};
use crate::rules::{self, Selection, provision};
use crate::sources::host::{HostRoot, sshd, vfs};
use crate::sources::provision::{self as source, Config, Dialect};
use crate::suppress;

/// The sections of a provisioning audit, in report order.
pub const SECTIONS: &[&str] =
    &["provision", "daemon", "files", "socket", "audit", "kernel", "ssh", "users", "mac", "fs", "containers", "images"];

#[derive(Debug, Clone, Default)]
pub struct Options {
    pub paths: Vec<PathBuf>,
    pub dialect: Option<Dialect>,
    /// Butane's `--files-dir`: where `local:` contents and trees are read.
    pub files_dir: Option<PathBuf>,
    pub only: Vec<String>,
    pub skip: Vec<String>,
    pub min_severity: Option<Severity>,
    pub selection: Selection,
}

impl Options {
    fn section(&self, name: &str) -> bool {
        (self.only.is_empty() || self.only.iter().any(|s| s == name)) && !self.skip.iter().any(|s| s == name)
    }
}

pub fn run(opts: &Options) -> Run {
    let dialect = opts.dialect.unwrap_or(Dialect::Butane);
    let sections = SECTIONS.iter().copied().filter(|s| opts.section(s)).collect();
    let mut run = Run { host: true, sections, started: crate::runner::now(), began: Some(std::time::Instant::now()), ..Run::default() };
    for section in SECTIONS.iter().filter(|s| !opts.section(s)) {
        run.skipped_sections.push(SkippedSection { section, kind: SkipKind::NotSelected, reason: "not selected (--only / --skip)".into() });
    }
    for section in ["containers", "images"].into_iter().filter(|s| opts.section(s)) {
        run.skipped_sections.push(SkippedSection {
            section,
            kind: SkipKind::Offline,
            reason: "a provisioning config: the host does not exist yet, no container runs on it".into(),
        });
    }
    let host_opts = host::Options { only: opts.only.clone(), skip: opts.skip.clone(), ..host::Options::default() };
    for path in &opts.paths {
        let (config, diags) = source::load(path, dialect, opts.files_dir.as_deref());
        run.diagnostics.extend(diags);
        let Some(config) = config else { continue };
        run.files += 1;
        audit(&config, &host_opts, opts, &mut run);
        // Snippets and inline suppressions read the config as the user wrote it.
        #[allow(clippy::disallowed_methods)]
        if let Ok(text) = crate::sources::read::text(path, source::CONFIG_LIMIT, "a provisioning config") {
            let text = SourceText::new(text);
            suppress_inline(&config.path, &text, &mut run);
            run.sources.insert(config.path.to_string(), text);
        }
    }
    run.finish(opts.selection.clone(), opts.min_severity);
    run
}

/// Judge the host `config` produces into `run`; returns that host and its facts (when a host
/// section ran), for the fixes.
pub fn audit(config: &Config, host_opts: &host::Options, opts: &Options, run: &mut Run) -> (HostRoot, Option<crate::model::HostFacts>) {
    let first = run.findings.len();
    let (tree, notes) = source::apply::host(config);
    for (at, message) in notes {
        run.diagnostics.push(Diagnostic {
            kind: DiagKind::Warning,
            path: config.path.to_string(),
            line: Some(at.0),
            col: Some(at.1),
            message,
        });
    }
    let root = HostRoot::virtual_tree(tree);
    let remotes = remotes(config);
    // A config merged or replaced at boot is not in this file: what it adds is not judged.
    for r in config.merge.iter().chain(config.replace.iter()).filter(|r| r.data.is_none()) {
        run.diagnostics.push(Diagnostic {
            kind: DiagKind::Partial,
            path: config.path.to_string(),
            line: Some(r.at.0),
            col: Some(r.at.1),
            message: "the host fetches more config at boot (ignition.config): what it adds is not judged here".into(),
        });
    }
    if opts.section("provision") {
        let facts = provision::ProvisionFacts {
            remotes,
            password_users: config
                .users
                .iter()
                .filter_map(|u| u.password_hash.filter(|p| p.1).map(|p| Val::new(u.name.clone(), config.origin(p.0))))
                .collect(),
            ssh_passwords: ssh_passwords(&root),
        };
        let ids: Arc<[&'static str]> = provision::RULES.iter().map(|(id, _)| *id).collect();
        let at = run.begin("provision", Subject { kind: "provision", name: config.path.to_string() }, ids);
        for (i, (_, check)) in provision::RULES.iter().enumerate() {
            run.record(at, i, check(&facts));
        }
    }
    let (files_config, file_diags) = crate::sources::host::daemon::collect(&root);
    run.diagnostics.extend(file_diags);
    let daemon = Some((format!("{} (daemon.json and dockerd flags)", config.path), files_config.clone()));
    let (refused, facts) = host::judge_host(host_opts, &root, &files_config, daemon, run);
    // Files the host fetches at boot: the checks that read them are skipped with that reason;
    // the view is partial.
    for (path, why) in refused {
        run.diagnostics.push(Diagnostic {
            kind: DiagKind::Partial,
            path: format!("{} {path}", config.path),
            line: None,
            col: None,
            message: why,
        });
    }
    let top = config.origin((1, 1));
    for f in &mut run.findings[first..] {
        // Inside a decoded data: URL: at the URL, naming the line.
        if let Origin::Field(s) = &f.origin
            && let Some(rest) = s.strip_prefix(vfs::DECODED_ORIGIN)
            && let Some((at, nth)) = rest.rsplit_once(" line ")
            && let Some((path_line, col)) = at.rsplit_once(':')
            && let Some((_, line)) = path_line.rsplit_once(':')
            && let (Ok(line), Ok(col)) = (line.parse(), col.parse())
        {
            f.message = format!("{} (line {nth} of what the data: URL decodes to)", f.message);
            f.origin = config.origin((line, col));
            continue;
        }
        if !matches!(f.origin, Origin::File { .. }) {
            // A Flatcar default the config leaves in place: at the config's top, saying so.
            let default = std::mem::replace(&mut f.origin, top.clone());
            let what = match &default {
                Origin::Field(s) => s.strip_prefix(vfs::DEFAULT_ORIGIN).unwrap_or(s).to_string(),
                other => other.to_string(),
            };
            f.message = format!("{} — the Flatcar default ({what}), which this config leaves in place", f.message);
            f.related.push(default);
        }
    }
    run.flatcar = true;
    (root, facts)
}

/// `cbench butane --fix` / `--diff`: the host bundle of each config (safe fixes, or all with
/// `unsafe_`), written into the config. Returns what `compose::fix` returns.
#[allow(clippy::disallowed_methods)]
pub fn fix(opts: &Options, unsafe_: bool, diff_only: bool) -> super::compose::FixOutcome {
    let mut out = super::compose::FixOutcome::default();
    let host_opts = host::Options { only: opts.only.clone(), skip: opts.skip.clone(), ..host::Options::default() };
    for path in &opts.paths {
        let (config, _) = source::load(path, Dialect::Butane, opts.files_dir.as_deref());
        let Some(config) = config else {
            out.messages.push(format!("{}: not fixed: it does not load (run `cbench butane` on it)", path.display()));
            continue;
        };
        let Ok(text) = crate::sources::read::text(path, source::CONFIG_LIMIT, "a provisioning config") else { continue };
        let mut run = Run::default();
        let (root, facts) = audit(&config, &host_opts, opts, &mut run);
        let Some(facts) = facts else {
            out.messages.push(format!("{}: not fixed: no host section ran (--only / --skip)", config.path));
            continue;
        };
        suppress_inline(&config.path, &SourceText::new(text.clone()), &mut run);
        run.finish(opts.selection.clone(), opts.min_severity);
        let bundle = crate::fix::host::bundle_of(&run, &facts, &root, &|r| unsafe_ || crate::fix::host::SAFE.contains(&r));
        let (edits, refused) = crate::fix::butane::edits(&text, &config, &bundle, &root);
        let (after, _) = crate::fix::apply(&text, &edits);
        out.applied += bundle.claims.len();
        for why in refused {
            out.messages.push(format!("{}: not fixed: {why}", config.path));
        }
        for (rule, evidence, why) in &bundle.manual {
            out.messages.push(format!("{rule} ({evidence}) in {}: not fixed: {why}", config.path));
        }
        if !unsafe_ {
            let n = run.findings.iter().filter(|f| !f.suppressed && !f.hidden && !crate::fix::host::SAFE.contains(&f.rule)).count();
            if n > 0 {
                out.messages.push(format!("{}: {n} more findings may have an unsafe fix (--unsafe-fixes)", config.path));
            }
        }
        if diff_only {
            out.diff.push_str(&crate::fix::diff(&config.path, &text, &after));
        } else if after != text {
            match std::fs::write(path, &after) {
                Ok(()) => out.files.push(config.path.to_string()),
                Err(e) => out.messages.push(format!("{}: not written: {e}", config.path)),
            }
        }
    }
    out
}

/// sshd takes passwords on the host (None: every sshd unit masked).
fn ssh_passwords(root: &HostRoot) -> Option<Val<bool>> {
    let facts = sshd::collect(root)?;
    if !facts.units.is_empty() && facts.units.iter().all(|(_, masked, _)| *masked) {
        return None;
    }
    for key in ["passwordauthentication", "kbdinteractiveauthentication"] {
        match facts.settings.get(key) {
            Some(v) if v.value.eq_ignore_ascii_case("no") => continue,
            Some(v) => return Some(Val::new(true, v.origin.clone())),
            None => return Some(Val::new(true, Origin::Field(format!("OpenSSH's default for {key} is yes ({})", facts.main)))),
        }
    }
    let v = facts.settings.get("passwordauthentication").map_or(Origin::Unset, |v| v.origin.clone());
    Some(Val::new(false, v))
}

/// Every resource the host fetches at boot (not `data:`, `inline`, `local`).
fn remotes(config: &Config) -> Vec<provision::Remote> {
    config
        .resources()
        .into_iter()
        .filter(|(_, r)| r.data.is_none() && r.source.is_some())
        .map(|(what, r)| provision::Remote {
            what,
            url: source::redact_url(&r.source.as_ref().map(|s| s.value.clone()).unwrap_or_default()),
            hash: r.hash.is_some(),
            headers: r.headers.iter().map(|h| Val::new(h.value.clone(), remap(config, &h.origin))).collect(),
            origin: config.origin(r.at),
        })
        .collect()
}

fn remap(config: &Config, o: &Origin) -> Origin {
    match o {
        Origin::File { line, col, .. } => config.origin((*line, *col)),
        other => other.clone(),
    }
}

/// `# cbench: ignore[rule]` on a finding's line of the config, or the line above.
fn suppress_inline(path: &Arc<str>, text: &SourceText, run: &mut Run) {
    let known = |id: &str| rules::catalog::get(id).is_some();
    for (line, col, id) in suppress::unknown_ids(text, &known) {
        run.diagnostics.push(Diagnostic {
            kind: DiagKind::Warning,
            path: path.to_string(),
            line: Some(line),
            col: Some(col),
            message: format!("cbench: ignore[...] names an unknown rule id `{id}` (see `cbench rules`); it suppresses nothing"),
        });
    }
    // A Flatcar default is reported at the config's top: the comments that open the file
    // may suppress it.
    let header: Vec<String> = (1..)
        .map_while(|n| text.line(n).filter(|l| l.trim_start().starts_with('#') || l.trim().is_empty()))
        .enumerate()
        .flat_map(|(i, _)| suppress::ignored_at(text, i as u32 + 1))
        .collect();
    for f in &mut run.findings {
        if let Origin::File { path: p, line, col } = &f.origin
            && p == path
            && (suppress::ignored_at(text, *line).iter().any(|r| r == f.rule)
                || (*line, *col) == (1, 1) && header.iter().any(|r| r == f.rule))
        {
            f.suppressed = true;
            f.suppressed_by = Some("inline comment");
        }
    }
}

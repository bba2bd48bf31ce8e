//! The JSON report, version 1. Its shape is a public contract (see README): it is built from
//! its own types here, not from internal ones, so refactors do not change it.

use std::io::{self, Write};

use serde::Serialize;

use super::Run;
use crate::model::{DiagKind, Origin, Severity};
use crate::rules::catalog;

#[derive(Serialize)]
struct Report<'a> {
    version: u32,
    tool: Tool,
    findings: Vec<Finding<'a>>,
    errors: Vec<Error<'a>>,
    warnings: Vec<Error<'a>>,
    /// A host audit: every check's outcome (pass, fail, info, skip with the reason).
    #[serde(skip_serializing_if = "Option::is_none")]
    checks: Option<Vec<CheckOutcome<'a>>>,
    summary: Summary<'a>,
}

#[derive(Serialize)]
struct CheckOutcome<'a> {
    section: &'a str,
    rule: &'a str,
    /// The rule's CIS ids (empty when it has none).
    cis: Vec<String>,
    subject: Subject<'a>,
    /// pass, fail, info, not-applicable, skip or error.
    outcome: super::State,
    /// Why a check was skipped: not-selected, offline, unreadable, not-found,
    /// engine-unreachable, needs-deep.
    #[serde(skip_serializing_if = "Option::is_none")]
    skip: Option<super::SkipKind>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Finding<'a> {
    rule: &'a str,
    severity: Severity,
    cis: Vec<String>,
    message: &'a str,
    subject: Subject<'a>,
    location: Option<Location<'a>>,
    /// Where the value came from, also when it is not a file position
    /// (`container web (3f2a9c1b7d04) .HostConfig.Privileged`).
    origin: String,
    related: Vec<Location<'a>>,
    evidence: &'a str,
    /// Its identity across commits (file, subject, rule, evidence; not the line): what a
    /// baseline records and SARIF's partialFingerprints carry.
    fingerprint: String,
    suppressed: bool,
    /// What suppressed it: "inline comment", "config" or "baseline".
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressed_by: Option<&'static str>,
}

#[derive(Serialize)]
struct Subject<'a> {
    kind: &'a str,
    name: &'a str,
}

#[derive(Serialize)]
pub(super) struct Location<'a> {
    pub path: &'a str,
    pub line: u32,
    pub column: u32,
}

#[derive(Serialize)]
struct Error<'a> {
    path: &'a str,
    line: Option<u32>,
    column: Option<u32>,
    message: &'a str,
}

#[derive(Serialize)]
struct Summary<'a> {
    files: usize,
    subjects: usize,
    findings: usize,
    suppressed: usize,
    errors: usize,
    by_severity: std::collections::BTreeMap<&'static str, usize>,
    /// Every check's outcome counted (whatever --select/--ignore show): pass, fail, info,
    /// not-applicable, skip, error.
    checks: std::collections::BTreeMap<&'static str, usize>,
    /// A partial view: engine sections were asked for and the engine could not be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    partial: Option<&'a str>,
}

pub(super) fn location(o: &Origin) -> Option<Location<'_>> {
    match o {
        Origin::File { path, line, col } => Some(Location { path, line: *line, column: *col }),
        _ => None,
    }
}

pub fn render(run: &Run, out: &mut dyn Write) -> io::Result<()> {
    // Sized once: the listed findings are all of them but for the hidden ones.
    let mut findings = Vec::with_capacity(run.listed().count());
    findings.extend(run.listed().map(|f| Finding {
        rule: f.rule,
        severity: f.severity,
        cis: match f.cis {
            Some(id) => crate::cis::show(id).into_iter().collect(),
            None => rule_cis(f.rule),
        },
        message: &f.message,
        subject: Subject { kind: run.subject_of(f).kind, name: &run.subject_of(f).name },
        location: location(&f.origin),
        origin: f.origin.to_string(),
        related: f.related.iter().filter_map(location).collect(),
        evidence: &f.evidence,
        fingerprint: crate::baseline::fingerprint(run, f),
        suppressed: f.suppressed,
        suppressed_by: f.suppressed_by,
    }));
    let diag = |warn: bool| {
        run.diagnostics
            .iter()
            .filter(|d| (d.kind == DiagKind::Warning) == warn)
            .map(|d| Error { path: &d.path, line: d.line, column: d.col, message: &d.message })
            .collect::<Vec<_>>()
    };
    let errors = diag(false);
    let report = Report {
        version: 1,
        tool: Tool { name: "cbench", version: env!("CARGO_PKG_VERSION") },
        findings,
        summary: Summary {
            files: run.files,
            subjects: run.checked.len(),
            findings: run.shown().count(),
            suppressed: run.listed().filter(|f| f.suppressed).count(),
            errors: errors.len(),
            by_severity: Severity::ALL.iter().map(|s| (s.as_str(), run.count(*s))).collect(),
            checks: {
                let n = run.state_counts();
                ["pass", "fail", "info", "not-applicable", "skip", "error"].iter().copied().zip(n).collect()
            },
            partial: run.partial.as_deref(),
        },
        errors,
        warnings: diag(true),
        checks: (run.host || run.list_checks).then(|| {
            let mut checks: Vec<CheckOutcome> = run
                .outcomes()
                .map(|o| CheckOutcome {
                    section: o.section,
                    rule: o.rule,
                    cis: rule_cis(o.rule),
                    subject: Subject { kind: o.subject.kind, name: &o.subject.name },
                    outcome: o.state,
                    skip: o.kind,
                    reason: o.reason,
                })
                .collect();
            // Whole sections skipped (engine unreachable, offline) are outcomes too.
            for s in &run.skipped_sections {
                checks.push(CheckOutcome {
                    section: s.section,
                    rule: "*",
                    cis: Vec::new(),
                    subject: Subject { kind: s.section, name: "" },
                    outcome: super::State::Skip,
                    skip: Some(s.kind),
                    reason: Some(&s.reason),
                });
            }
            checks
        }),
    };
    serde_json::to_writer_pretty(&mut *out, &report)?;
    writeln!(out)
}

/// The rule's CIS ids in the numbering `--cis-version` chose.
fn rule_cis(rule: &str) -> Vec<String> {
    catalog::get(rule).map(|m| crate::cis::show_all(&m.cis)).unwrap_or_default()
}

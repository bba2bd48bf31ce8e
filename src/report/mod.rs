//! Reports only format: each is a pure function of a `Run`.

mod compact;
mod docker_bench;
mod github;
mod json;
mod junit;
mod sarif;
mod text;

use std::collections::HashMap;
use std::io::{self, Write};
use std::sync::Arc;

use crate::model::{Diagnostic, Finding, Severity, SourceText, Subject};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Compact,
    Json,
    Sarif,
    Github,
    Junit,
    /// docker-bench-security's `-l` JSON log shape
    DockerBenchJson,
}

/// Everything a report shows.
#[derive(Debug, Default)]
pub struct Run {
    pub findings: Vec<Finding>,
    pub diagnostics: Vec<Diagnostic>,
    /// File contents by path, for snippets.
    pub sources: HashMap<String, SourceText>,
    /// Every subject audited, with the ids of the rules that judged it (for pass/fail outcomes).
    pub checked: Vec<(Subject, Arc<[&'static str]>)>,
    /// Checks that could not run on a subject, with the reason.
    pub skipped: Vec<(Subject, &'static str, String)>,
    /// Checks whose input is broken, with the reason.
    pub errored: Vec<(Subject, &'static str, String)>,
    /// Whole sections that could not run (e.g. the engine is unreachable), with the reason.
    pub skipped_sections: Vec<(&'static str, String)>,
    pub files: usize,
    /// A host audit: the text report shows outcomes by section, with a score.
    pub host: bool,
    /// The sections a host audit ran, in order.
    pub sections: Vec<&'static str>,
    /// The audited host's operating system (os-release PRETTY_NAME), and whether it is Flatcar
    /// Container Linux / CoreOS (the text report then shows Butane snippets).
    pub host_os: Option<String>,
    pub flatcar: bool,
}

pub struct Style {
    pub color: bool,
}

/// Write the report of `run` in `format` to `out`.
pub fn render(run: &Run, format: Format, style: &Style, out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Text if run.host => out.write_all(text::render_host(run, style).as_bytes()),
        Format::Text => out.write_all(text::render(run, style).as_bytes()),
        Format::Compact => compact::render(run, out),
        Format::Json => json::render(run, out),
        Format::Sarif => sarif::render(run, out),
        Format::Github => github::render(run, out),
        Format::Junit => out.write_all(junit::render(run).as_bytes()),
        Format::DockerBenchJson => docker_bench::render(run, out),
    }
}

/// The report as a string (tests, small outputs).
pub fn render_string(run: &Run, format: Format, style: &Style) -> String {
    let mut buf = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = render(run, format, style, &mut buf);
    String::from_utf8_lossy(&buf).into_owned()
}

/// How one check on one subject ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    Pass,
    /// Findings above info.
    Fail,
    /// Only informational findings: counts as passed.
    Info,
    Skip,
    /// The check's input is broken: counts as not passed.
    Error,
}

/// One check's outcome (a host audit's PASS / WARN / INFO / SKIP lines).
#[derive(Clone)]
pub struct Outcome<'a> {
    pub section: &'a str,
    pub subject: &'a Subject,
    pub rule: &'a str,
    pub state: State,
    /// Why a check was skipped.
    pub reason: Option<&'a str>,
}

/// The section a subject belongs to: host sections name their subjects after themselves.
pub fn section_of(kind: &str) -> &str {
    match kind {
        "container" => "containers",
        "image" => "images",
        k => k,
    }
}

impl Run {
    /// Every check's outcome, in report order: subjects as checked, their rules in order, then
    /// the checks skipped on them.
    pub fn outcomes(&self) -> Vec<Outcome<'_>> {
        let mut out = Vec::new();
        for (subject, ids) in &self.checked {
            for rule in ids.iter() {
                let found: Vec<Severity> = self.shown().filter(|f| f.subject == *subject && f.rule == *rule).map(|f| f.severity).collect();
                let state = if found.is_empty() {
                    State::Pass
                } else if found.iter().all(|s| *s == Severity::Info) {
                    State::Info
                } else {
                    State::Fail
                };
                out.push(Outcome { section: section_of(subject.kind), subject, rule, state, reason: None });
            }
            for (_, rule, reason) in self.errored.iter().filter(|(s, _, _)| s == subject) {
                out.push(Outcome { section: section_of(subject.kind), subject, rule, state: State::Error, reason: Some(reason) });
            }
            for (_, rule, reason) in self.skipped.iter().filter(|(s, _, _)| s == subject) {
                out.push(Outcome { section: section_of(subject.kind), subject, rule, state: State::Skip, reason: Some(reason) });
            }
        }
        out
    }

    pub fn shown(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| !f.suppressed)
    }

    pub fn count(&self, sev: Severity) -> usize {
        self.shown().filter(|f| f.severity == sev).count()
    }
}

//! Reports only format: each is a pure function of a `Run`.

mod compact;
mod github;
mod json;
mod junit;
mod sarif;
mod text;

use std::collections::HashMap;

use crate::model::{Diagnostic, Finding, Severity, SourceText, Subject};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Compact,
    Json,
    Sarif,
    Github,
    Junit,
}

/// Everything a report shows.
#[derive(Debug, Default)]
pub struct Run {
    pub findings: Vec<Finding>,
    pub diagnostics: Vec<Diagnostic>,
    /// File contents by path, for snippets.
    pub sources: HashMap<String, SourceText>,
    /// Every subject audited, with the ids of the rules that judged it (for pass/fail outcomes).
    pub checked: Vec<(Subject, Vec<&'static str>)>,
    pub files: usize,
}

pub struct Style {
    pub color: bool,
}

pub fn render(run: &Run, format: Format, style: &Style) -> String {
    match format {
        Format::Text => text::render(run, style),
        Format::Compact => compact::render(run),
        Format::Json => json::render(run),
        Format::Sarif => sarif::render(run),
        Format::Github => github::render(run),
        Format::Junit => junit::render(run),
    }
}

impl Run {
    pub fn shown(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| !f.suppressed)
    }

    pub fn count(&self, sev: Severity) -> usize {
        self.shown().filter(|f| f.severity == sev).count()
    }
}

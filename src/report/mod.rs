//! Reports only format: each is a pure function of a `Run`.

mod compact;
mod docker_bench;
mod github;
mod json;
mod junit;
mod sarif;
mod text;

use std::io::{self, Write};

pub use crate::runner::{Outcome, Run, SkipKind, SkippedSection, State};

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

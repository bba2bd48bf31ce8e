//! Reports only format: each is a pure function of a `Run`.

mod compact;
mod docker_bench;
mod github;
mod json;
mod junit;
mod prometheus;
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
    /// Prometheus text exposition, for node_exporter's textfile collector
    Prometheus,
}

pub struct Style {
    pub color: bool,
    /// Text report: each missing hardening control its own entry (`--expand`), not one entry
    /// per service.
    pub expand: bool,
    /// Host text report: list at most this many findings per check (`--max-items`).
    pub max_items: Option<usize>,
}

/// Write the report of `run` in `format` to `out`.
pub fn render(run: &Run, format: Format, style: &Style, out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Text if run.host => out.write_all(text::render_host(run, style).as_bytes()),
        Format::Text => out.write_all(text::render(run, style).as_bytes()),
        Format::Compact => compact::render(run, out),
        Format::Json => json::render(run, out),
        Format::Sarif => sarif::render(run, out),
        Format::Github => github::render(run, style, out),
        Format::Junit => out.write_all(junit::render(run).as_bytes()),
        Format::DockerBenchJson => docker_bench::render(run, out),
        Format::Prometheus => prometheus::render(run, out),
    }
}

/// A string that came from an input (a name, a path, a value, a message, an engine field) as a
/// human format shows it: C0 and C1 control characters, ESC and DEL escaped (`\x1b`, `\n`,
/// `\u{9b}`), so that no input can move the cursor, set a title, open a link or start a new
/// output line. JSON and SARIF need not: JSON escaping covers them.
pub fn untrusted(s: &str) -> std::borrow::Cow<'_, str> {
    let is_control = |c: char| c.is_control();
    if !s.contains(is_control) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x80 && c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Write `line` and a line break, the line's control characters escaped (`untrusted`): for the
/// formats that never color (compact, github).
fn line(out: &mut dyn Write, line: std::fmt::Arguments) -> io::Result<()> {
    let s = line.to_string();
    writeln!(out, "{}", untrusted(&s))
}

/// The report as a string (tests, small outputs).
pub fn render_string(run: &Run, format: Format, style: &Style) -> String {
    let mut buf = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = render(run, format, style, &mut buf);
    String::from_utf8_lossy(&buf).into_owned()
}

#[cfg(test)]
mod tests {
    use super::untrusted;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(untrusted("web"), "web");
        assert_eq!(untrusted("a\x1b[2J\x1b]0;pwned\x07b"), "a\\x1b[2J\\x1b]0;pwned\\x07b");
        assert_eq!(untrusted("x\nPASS y\r\t\x7f\u{9b}é"), "x\\nPASS y\\r\\t\\x7f\\u{9b}é");
    }
}

//! GitHub Actions workflow commands: `::error file=...,line=...,col=...::message`.

use std::io::{self, Write};

use super::{Run, SkipKind, State};
use crate::model::{DiagKind, Origin, Severity};

fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

fn escape_prop(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Annotations follow the text report: a service's missing hardening controls are one.
pub fn render(run: &Run, style: &super::Style, out: &mut dyn Write) -> io::Result<()> {
    for e in super::text::entries(run, style.expand) {
        let (f, severity, rule, message) = match &e {
            super::text::Entry::One(f) => (*f, f.severity, f.rule.to_string(), f.message.clone()),
            super::text::Entry::Missing(list) => {
                let (controls, ids) = super::text::controls_of(list);
                let message = format!("{} hardening controls not set: {} ({})", list.len(), controls.join(", "), ids.join(", "));
                (list[0], e.severity(), "hardening".to_string(), message)
            }
        };
        let level = match severity {
            Severity::Critical | Severity::High => "error",
            Severity::Medium | Severity::Low => "warning",
            Severity::Info => "notice",
        };
        let loc = match &f.origin {
            Origin::File { path, line, col } => format!("file={},line={line},col={col},", escape_prop(path)),
            _ => String::new(),
        };
        let title = escape_prop(&format!("cbench {rule} ({severity})"));
        super::line(out, format_args!("::{level} {loc}title={title}::{}", escape_data(&format!("{}: {message}", run.subject_of(f).name))))?;
    }
    // Checks that could not say pass or fail: a notice (skipped) or an error, never silence.
    let unsettled = run.any_unsettled();
    for o in unsettled.then(|| run.outcomes()).into_iter().flatten() {
        let (level, what) = match o.state {
            State::Skip => ("notice", "skipped"),
            State::Error => ("error", "error"),
            _ => continue,
        };
        let title = escape_prop(&format!("cbench {} ({what})", o.rule));
        super::line(
            out,
            format_args!("::{level} title={title}::{}", escape_data(&format!("{}: {}", o.subject.name, o.reason.unwrap_or("")))),
        )?;
    }
    for s in run.skipped_sections.iter().filter(|s| s.kind != SkipKind::NotSelected) {
        let title = escape_prop(&format!("cbench {} (skipped)", s.section));
        super::line(out, format_args!("::notice title={title}::{}", escape_data(&s.reason)))?;
    }
    for d in &run.diagnostics {
        let level = if d.kind == DiagKind::Warning { "warning" } else { "error" };
        let mut props = format!("file={}", escape_prop(&d.path));
        if let Some(l) = d.line {
            props.push_str(&format!(",line={l}"));
        }
        if let Some(c) = d.col {
            props.push_str(&format!(",col={c}"));
        }
        super::line(out, format_args!("::{level} {props},title=cbench::{}", escape_data(&d.message)))?;
    }
    Ok(())
}

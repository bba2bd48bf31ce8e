//! `path:line:col: severity[rule-id] message`, one per line, for editors and grep.

use std::io::{self, Write};

use super::{Run, SkipKind, State};
use crate::model::Origin;

pub fn render(run: &Run, out: &mut dyn Write) -> io::Result<()> {
    for f in run.shown() {
        let at = match &f.origin {
            Origin::File { path, line, col } => format!("{path}:{line}:{col}"),
            other => other.to_string(),
        };
        super::line(out, format_args!("{at}: {}[{}] {}: {}", f.severity, f.rule, run.subject_of(f).name, f.message))?;
    }
    // Checks that could not say pass or fail, so that no one reads them as passed.
    let unsettled = run.any_unsettled();
    for o in unsettled.then(|| run.outcomes()).into_iter().flatten() {
        let what = match o.state {
            State::Skip => "skip",
            State::Error => "error",
            _ => continue,
        };
        super::line(out, format_args!("{} {}: {what}[{}] {}", o.subject.kind, o.subject.name, o.rule, o.reason.unwrap_or("")))?;
    }
    for s in run.skipped_sections.iter().filter(|s| s.kind != SkipKind::NotSelected) {
        super::line(out, format_args!("{}: skip[*] {}", s.section, s.reason))?;
    }
    for d in &run.diagnostics {
        super::line(out, format_args!("{}: {}: {}", super::text::diag_location(d), super::text::diag_label(d), d.message))?;
    }
    Ok(())
}

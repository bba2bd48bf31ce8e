//! `path:line:col: severity[rule-id] message`, one per line, for editors and grep.

use std::io::{self, Write};

use super::Run;
use crate::model::Origin;

pub fn render(run: &Run, out: &mut dyn Write) -> io::Result<()> {
    for f in run.shown() {
        let at = match &f.origin {
            Origin::File { path, line, col } => format!("{path}:{line}:{col}"),
            other => other.to_string(),
        };
        writeln!(out, "{at}: {}[{}] {}: {}", f.severity, f.rule, f.subject.name, f.message)?;
    }
    for d in &run.diagnostics {
        writeln!(out, "{}: {}: {}", super::text::diag_location(d), super::text::diag_label(d), d.message)?;
    }
    Ok(())
}

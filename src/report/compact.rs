//! `path:line:col: severity[rule-id] message`, one per line, for editors and grep.

use super::Run;
use crate::model::Origin;

pub fn render(run: &Run) -> String {
    let mut out = String::new();
    for f in run.shown() {
        let at = match &f.origin {
            Origin::File { path, line, col } => format!("{path}:{line}:{col}"),
            other => other.to_string(),
        };
        out.push_str(&format!("{at}: {}[{}] {}: {}\n", f.severity, f.rule, f.subject.name, f.message));
    }
    for d in &run.diagnostics {
        out.push_str(&format!("{}: {}: {}\n", super::text::diag_location(d), super::text::diag_label(d), d.message));
    }
    out
}

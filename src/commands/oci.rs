//! `cbench oci PATH...`: audit OCI runtime bundles (a directory with config.json, or the file)
//! with the container rules.

use std::path::PathBuf;

use crate::model::{DiagKind, Diagnostic, Severity, Subject};
use crate::report::Run;
use crate::rules;
use crate::sources::oci;

#[derive(Debug, Default, Clone)]
pub struct Options {
    pub paths: Vec<PathBuf>,
    pub min_severity: Option<Severity>,
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    pub pedantic: bool,
}

pub fn run(opts: &Options) -> Run {
    let mut run = Run::default();
    let selected = |rule: &str| (opts.select.is_empty() || opts.select.iter().any(|s| s == rule)) && !opts.ignore.iter().any(|s| s == rule);
    let ids: std::sync::Arc<[&'static str]> = rules::container_rule_ids().into_iter().filter(|id| selected(id)).collect();
    for path in &opts.paths {
        match oci::load(path) {
            Ok(spec) => {
                run.files += 1;
                let name = path.display().to_string();
                let facts = oci::container_spec(&name, &spec);
                let subject = Subject { kind: "bundle", name };
                let mut found = rules::check_container(&subject, &facts, opts.pedantic);
                found.retain(|f| selected(f.rule) && opts.min_severity.is_none_or(|m| f.severity >= m));
                run.findings.extend(found);
                run.checked.push((subject, ids.clone()));
            }
            Err(e) => run.diagnostics.push(Diagnostic {
                kind: DiagKind::Error,
                path: e.path.display().to_string(),
                line: e.line,
                col: e.col,
                message: e.message,
            }),
        }
    }
    run
}

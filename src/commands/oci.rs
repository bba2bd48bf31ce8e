//! `cbench oci PATH...`: audit OCI runtime bundles (a directory with config.json, or the file)
//! with the container rules.

use std::path::PathBuf;

use crate::model::{DiagKind, Diagnostic, Severity, Subject};
use crate::report::Run;
use crate::rules::{self, Selection};
use crate::sources::oci;

#[derive(Debug, Default, Clone)]
pub struct Options {
    pub paths: Vec<PathBuf>,
    pub min_severity: Option<Severity>,
    pub selection: Selection,
    pub pedantic: bool,
}

pub fn run(opts: &Options) -> Run {
    let mut run = Run { list_checks: true, ..Run::default() };
    for path in &opts.paths {
        match oci::load(path) {
            Ok(spec) => {
                run.files += 1;
                let name = path.display().to_string();
                let facts = oci::container_spec(&name, &spec);
                let at = rules::judge_container(&mut run, "bundles", Subject { kind: "bundle", name }, &facts, opts.pedantic, None);
                rules::judge_project(&mut run, &[(at, &facts.mounts[..], &rules::Modes::of(&facts))]);
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
    run.finish(opts.selection.clone(), opts.min_severity);
    run
}

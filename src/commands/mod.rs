pub mod cis;
pub mod compose;
pub mod host;
pub mod oci;
pub mod provision;
pub mod rules;

use crate::model::{DiagKind, Finding, Severity};
use crate::report::Run;

/// Exit codes: 0 clean, 1 findings at or above `fail_on`, 2 usage or input errors, or a partial
/// view (engine sections asked for, engine unreachable; an include, extends file or env_file
/// that cannot be read).
/// `--allow-partial`: what a partial view misses is a warning (reported under warnings, exit
/// by the findings), as the option's help says.
pub fn allow_partial(run: &mut Run) {
    for d in run.diagnostics.iter_mut().filter(|d| d.kind == DiagKind::Partial) {
        d.kind = DiagKind::Warning;
    }
}

pub fn exit_code(run: &Run, fail_on: Severity) -> u8 {
    let input_error = run.diagnostics.iter().any(|d| matches!(d.kind, DiagKind::Error | DiagKind::Partial));
    if input_error {
        2
    } else if run.shown().any(|f: &Finding| f.severity >= fail_on) {
        1
    } else {
        0
    }
}

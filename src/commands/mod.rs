pub mod compose;
pub mod host;
pub mod oci;
pub mod rules;

use crate::model::{DiagKind, Finding, Severity};
use crate::report::Run;

/// Exit codes: 0 clean, 1 findings at or above `fail_on`, 2 usage or input errors, or a partial
/// view (engine sections asked for, engine unreachable) unless `allow_partial`.
pub fn exit_code(run: &Run, fail_on: Severity, allow_partial: bool) -> u8 {
    let input_error = run.diagnostics.iter().any(|d| match d.kind {
        DiagKind::Error => true,
        DiagKind::Partial => !allow_partial,
        DiagKind::Warning => false,
    });
    if input_error {
        2
    } else if run.shown().any(|f: &Finding| f.severity >= fail_on) {
        1
    } else {
        0
    }
}

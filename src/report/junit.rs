//! JUnit XML: one test suite per subject (named by file and service where there is a file), one
//! test case per check: failures for failed checks only, skipped and not applicable checks as
//! skipped, errors as errors. Linear in the number of checks.

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use super::{Run, State, untrusted as u};

pub fn render(run: &Run) -> String {
    let mut report = Report::new("cbench");
    let by_check = run.findings_by_check();
    let mut suites: Vec<Option<TestSuite>> = run.checked.iter().map(|_| None).collect();
    for o in run.outcomes() {
        let c = &run.checked[o.at as usize];
        let suite = suites[o.at as usize].get_or_insert_with(|| TestSuite::new(suite_name(c)));
        let shown: Vec<_> =
            by_check.get(&(o.at, o.rule)).map(|v| v.iter().filter(|f| !f.hidden && !f.suppressed).collect()).unwrap_or_default();
        let with = |kind: Option<NonSuccessKind>, message: Option<String>, description: Option<String>, ty: Option<&str>| {
            let mut s = match kind {
                Some(k) => TestCaseStatus::non_success(k),
                None => TestCaseStatus::skipped(),
            };
            match &mut s {
                TestCaseStatus::NonSuccess { message: m, description: d, ty: t, .. } => {
                    *m = message.map(Into::into);
                    *d = description.map(Into::into);
                    *t = ty.map(Into::into);
                }
                TestCaseStatus::Skipped { message: m, .. } => *m = message.map(Into::into),
                TestCaseStatus::Success { .. } => {}
            }
            s
        };
        let status = match o.state {
            State::Pass => TestCaseStatus::success(),
            // Only informational findings: a pass, with what was noted.
            State::Info => TestCaseStatus::success(),
            State::NotApplicable | State::Skip => with(None, o.reason.map(|r| u(r).into_owned()), None, None),
            State::Error => with(Some(NonSuccessKind::Error), o.reason.map(|r| u(r).into_owned()), None, None),
            State::Fail => {
                let lines: Vec<String> =
                    shown.iter().map(|f| format!("{}: {} [{}]", u(&f.origin.to_string()), u(&f.message), f.severity)).collect();
                let message = shown
                    .first()
                    .map_or_else(|| "failed (its findings are suppressed or not shown)".to_string(), |f| u(&f.message).into_owned());
                with(Some(NonSuccessKind::Failure), Some(message), Some(lines.join("\n")), shown.first().map(|f| f.severity.as_str()))
            }
        };
        let mut case = TestCase::new(o.rule, status);
        case.set_classname(format!("cbench.{}", c.subject.kind));
        if o.state == State::Info {
            let lines: Vec<String> = shown.iter().map(|f| format!("{}: {} [info]", u(&f.origin.to_string()), u(&f.message))).collect();
            case.set_system_out(lines.join("\n"));
        }
        suite.add_test_case(case);
    }
    for suite in suites.into_iter().flatten() {
        report.add_test_suite(suite);
    }
    if !run.diagnostics.is_empty() {
        let mut suite = TestSuite::new("input");
        for d in &run.diagnostics {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
            if let TestCaseStatus::NonSuccess { message, .. } = &mut s {
                *message = Some(u(&d.message).into_owned().into());
            }
            suite.add_test_case(TestCase::new(u(&super::text::diag_location(d)).into_owned(), s));
        }
        report.add_test_suite(suite);
    }
    report.to_string().unwrap_or_default()
}

/// `FILE service NAME` for a subject declared in a file (two services named `db` in two files
/// are two suites), else `KIND NAME`.
fn suite_name(c: &crate::runner::Checked) -> String {
    match &c.file {
        Some(path) => format!("{} {} {}", u(path), c.subject.kind, u(&c.subject.name)),
        None => format!("{} {}", c.subject.kind, u(&c.subject.name)),
    }
}

//! JUnit XML: one test suite per subject, one test case per rule that judged it.

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use super::{Run, State};

pub fn render(run: &Run) -> String {
    let mut report = Report::new("cbench");
    let outcomes = run.outcomes();
    for (subject, _) in &run.checked {
        let mut suite = TestSuite::new(format!("{} {}", subject.kind, subject.name));
        for o in outcomes.iter().filter(|o| o.subject == subject) {
            let status = match o.state {
                State::Pass => TestCaseStatus::success(),
                // A check that could not run is a skipped case, with the reason.
                State::Skip => {
                    let mut s = TestCaseStatus::skipped();
                    if let TestCaseStatus::Skipped { message, .. } = &mut s {
                        *message = o.reason.map(|r| r.to_string().into());
                    }
                    s
                }
                State::Error => {
                    let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
                    if let TestCaseStatus::NonSuccess { message, .. } = &mut s {
                        *message = o.reason.map(|r| r.to_string().into());
                    }
                    s
                }
                State::Fail | State::Info => {
                    let found: Vec<_> = run.shown().filter(|f| f.subject == *subject && f.rule == o.rule).collect();
                    let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    if let TestCaseStatus::NonSuccess { message, ty, description, .. } = &mut s {
                        *message = Some(found[0].message.clone().into());
                        *ty = Some(found[0].severity.as_str().into());
                        let lines: Vec<String> = found.iter().map(|f| format!("{}: {} [{}]", f.origin, f.message, f.severity)).collect();
                        *description = Some(lines.join("\n").into());
                    }
                    s
                }
            };
            let mut case = TestCase::new(o.rule, status);
            case.set_classname(format!("cbench.{}", subject.kind));
            suite.add_test_case(case);
        }
        report.add_test_suite(suite);
    }
    if !run.diagnostics.is_empty() {
        let mut suite = TestSuite::new("input");
        for d in &run.diagnostics {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
            if let TestCaseStatus::NonSuccess { message, .. } = &mut s {
                *message = Some(d.message.clone().into());
            }
            suite.add_test_case(TestCase::new(super::text::diag_location(d), s));
        }
        report.add_test_suite(suite);
    }
    report.to_string().unwrap_or_default()
}

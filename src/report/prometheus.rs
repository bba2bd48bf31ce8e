//! `--format prometheus`: the Prometheus text exposition format, for node_exporter's textfile
//! collector (write it to `*.prom` in the collector's directory, atomically). One series per
//! check with its outcome; per section, the checks passed and scored (the text report's
//! score); the findings per severity; the run's duration, time and input errors. Labels carry
//! the rule, its CIS ids (in the numbering `--cis-version` chose), the section and the subject
//! — never a finding's message or evidence, so no value from an audited file reaches the metrics.

use std::collections::BTreeMap;
use std::io::{self, Write};

use super::{Run, State};
use crate::model::{DiagKind, Severity};
use crate::rules::catalog;

/// A label value as the exposition format wants it: backslash, double quote and newline escaped.
fn label(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for c in v.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn state(s: State) -> &'static str {
    match s {
        State::Pass => "pass",
        State::Fail => "fail",
        State::Info => "info",
        State::NotApplicable => "not-applicable",
        State::Skip => "skip",
        State::Error => "error",
    }
}

const STATES: [State; 6] = [State::Pass, State::Fail, State::Info, State::NotApplicable, State::Skip, State::Error];

pub fn render(run: &Run, out: &mut dyn Write) -> io::Result<()> {
    let mut w = io::BufWriter::new(out);
    writeln!(w, "# HELP cbench_check Outcome of one cbench check: 1 for the outcome it had, 0 for the others.")?;
    writeln!(w, "# TYPE cbench_check gauge")?;
    for o in run.outcomes() {
        let cis = catalog::get(o.rule).map(|m| crate::cis::show_all(&m.cis).join(",")).unwrap_or_default();
        let subject = label(&format!("{} {}", o.subject.kind, o.subject.name));
        for s in STATES {
            writeln!(
                w,
                "cbench_check{{rule=\"{}\",cis=\"{}\",section=\"{}\",subject=\"{subject}\",outcome=\"{}\"}} {}",
                o.rule,
                label(&cis),
                o.section,
                state(s),
                u8::from(o.state == s)
            )?;
        }
    }
    // Per section, as the text report's score: passed (pass, info) of scored (also fail, error).
    let mut sections: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for o in run.outcomes_all(true) {
        let e = sections.entry(o.section).or_default();
        e.0 += usize::from(o.state.passed());
        e.1 += usize::from(o.state.scored());
    }
    writeln!(w, "# HELP cbench_section_checks_passed Checks of a section that passed (pass or info).")?;
    writeln!(w, "# TYPE cbench_section_checks_passed gauge")?;
    for (s, (p, _)) in &sections {
        writeln!(w, "cbench_section_checks_passed{{section=\"{s}\"}} {p}")?;
    }
    writeln!(w, "# HELP cbench_section_checks_scored Checks of a section that count toward its score (pass, info, fail, error).")?;
    writeln!(w, "# TYPE cbench_section_checks_scored gauge")?;
    for (s, (_, t)) in &sections {
        writeln!(w, "cbench_section_checks_scored{{section=\"{s}\"}} {t}")?;
    }
    writeln!(w, "# HELP cbench_section_skipped A whole section that could not run (no engine, for one), with why.")?;
    writeln!(w, "# TYPE cbench_section_skipped gauge")?;
    for s in &run.skipped_sections {
        writeln!(w, "cbench_section_skipped{{section=\"{}\",reason=\"{}\"}} 1", s.section, label(&s.reason))?;
    }
    writeln!(w, "# HELP cbench_findings Unsuppressed findings by severity.")?;
    writeln!(w, "# TYPE cbench_findings gauge")?;
    for sev in [Severity::Critical, Severity::High, Severity::Medium, Severity::Low, Severity::Info] {
        let n = run.findings.iter().filter(|f| !f.suppressed && f.severity == sev).count();
        writeln!(w, "cbench_findings{{severity=\"{}\"}} {n}", sev.as_str())?;
    }
    writeln!(w, "# HELP cbench_input_errors Inputs cbench could not read or that are invalid (each skipped, never passed).")?;
    writeln!(w, "# TYPE cbench_input_errors gauge")?;
    let errors = run.diagnostics.iter().filter(|d| matches!(d.kind, DiagKind::Error | DiagKind::Partial)).count();
    writeln!(w, "cbench_input_errors {errors}")?;
    if let Some(d) = run.elapsed {
        writeln!(w, "# HELP cbench_run_duration_seconds How long the audit took.")?;
        writeln!(w, "# TYPE cbench_run_duration_seconds gauge")?;
        writeln!(w, "cbench_run_duration_seconds {:.6}", d.as_secs_f64())?;
    }
    writeln!(w, "# HELP cbench_run_timestamp_seconds When the audit ended (Unix time).")?;
    writeln!(w, "# TYPE cbench_run_timestamp_seconds gauge")?;
    writeln!(w, "cbench_run_timestamp_seconds {}", run.ended)?;
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(label("a\"b\\c\nd\te"), "a\\\"b\\\\c\\nd e");
    }
}

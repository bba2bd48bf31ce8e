//! The one runner: every check is (rule, subject), and its outcome is decided here, once, from
//! what its rule returned — before any display option is applied. Commands choose sources and
//! hand facts to the runner; reports only map outcomes to their format.
//!
//! Display options (`--min-severity`, `--select`/`--ignore`, suppressions) are applied by
//! [`Run::finish`]: they mark findings hidden or suppressed and checks hidden, which changes
//! what is shown and the exit code, never an outcome or a score.

use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;

use crate::model::{Diagnostic, Finding, Origin, Severity, SourceText, Subject};
use crate::rules::{self, Check, Selection};

/// How one check on one subject ended (the order is `Run::state_counts`').
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    /// Checked, and fine.
    Pass,
    /// Findings above info (each possibly suppressed).
    Fail,
    /// Only informational findings: counts as passed.
    Info,
    /// The rule does not apply to this subject (e.g. a health check in an OCI bundle).
    NotApplicable,
    /// Could not check: see the `SkipKind` and the reason. Never a pass.
    Skip,
    /// The check's input is broken: counts as not passed.
    Error,
}

impl State {
    /// Counts toward a score's "passed".
    pub fn passed(self) -> bool {
        matches!(self, State::Pass | State::Info)
    }

    /// Counts toward a score at all.
    pub fn scored(self) -> bool {
        matches!(self, State::Pass | State::Info | State::Fail | State::Error)
    }
}

/// Why a check could not run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SkipKind {
    /// Its section was left out (`--only` / `--skip`).
    NotSelected,
    /// Only known on the live host, or from the engine (an offline `--root` audit).
    Offline,
    /// Its input could not be read (permission denied, an I/O error): that is no pass.
    Unreadable,
    /// What it judges was not found where it is looked for.
    NotFound,
    /// The engine could not be reached.
    EngineUnreachable,
    /// Runs only with `--deep`.
    NeedsDeep,
}

/// One subject and the outcome of every check on it, in registry order.
#[derive(Debug)]
pub struct Checked {
    pub subject: Subject,
    /// The report section it belongs to (`daemon`, `files`, ..., `containers`, `services`).
    pub section: &'static str,
    /// The file that declares it (a Compose service's file), when there is one.
    pub file: Option<Arc<str>>,
    /// Where it is declared (a Compose service's key), when it is.
    pub declared: Option<Origin>,
    pub rules: Arc<[&'static str]>,
    /// Parallel to `rules`.
    pub states: Vec<(State, Option<SkipKind>)>,
    /// The reason of each check that is not applicable, skipped or errored: (index, why).
    pub reasons: Vec<(u32, Box<str>)>,
}

/// One check's outcome, as reports see it.
#[derive(Clone, Debug)]
pub struct Outcome<'a> {
    pub section: &'static str,
    pub subject: &'a Subject,
    /// Index of the subject in `Run::checked` (findings carry it too).
    pub at: u32,
    pub rule: &'static str,
    pub state: State,
    pub kind: Option<SkipKind>,
    pub reason: Option<&'a str>,
}

/// A whole section that could not run.
#[derive(Clone, Debug)]
pub struct SkippedSection {
    pub section: &'static str,
    pub kind: SkipKind,
    pub reason: String,
}

/// Everything a report shows.
#[derive(Debug, Default)]
pub struct Run {
    /// Every finding, also those hidden by a display option (`hidden`) or suppressed.
    pub findings: Vec<Finding>,
    pub diagnostics: Vec<Diagnostic>,
    /// File contents by path, for snippets.
    pub sources: HashMap<String, SourceText>,
    /// Every subject audited with the outcome of each check on it.
    pub checked: Vec<Checked>,
    /// Whole sections that could not run (e.g. the engine is unreachable), with the reason.
    pub skipped_sections: Vec<SkippedSection>,
    pub files: usize,
    /// A host audit: the text report shows outcomes by section, with a score.
    pub host: bool,
    /// JSON lists every check's outcome (host, oci); Compose reports count them.
    pub list_checks: bool,
    /// The sections a host audit ran, in order.
    pub sections: Vec<&'static str>,
    /// The audited host's operating system (os-release PRETTY_NAME), and whether it is Flatcar
    /// Container Linux / CoreOS (the text report then shows Butane snippets).
    pub host_os: Option<String>,
    pub flatcar: bool,
    /// The engine audited is Podman: remediations say what to set in Podman's files.
    pub podman: bool,
    /// What `--select` / `--ignore` show (set by `finish`).
    pub selection: Selection,
    /// When the audit started and ended (Unix seconds; docker-bench-json's `start`, `end`).
    pub started: u64,
    pub ended: u64,
    /// The monotonic clock at the start, and what the run took (set by `finish`): the
    /// prometheus report's duration.
    pub began: Option<std::time::Instant>,
    pub elapsed: Option<std::time::Duration>,
    /// Engine sections were asked for and the engine could not be read: a partial view.
    pub partial: Option<String>,
    /// The fixes of the findings (Compose, when asked for: SARIF shows them).
    pub fixes: Vec<crate::fix::FixData>,
}

impl Run {
    /// Start judging `subject`: its checks are `rules`, each a pass until recorded otherwise.
    pub fn begin(&mut self, section: &'static str, subject: Subject, rules: Arc<[&'static str]>) -> u32 {
        let states = vec![(State::Pass, None); rules.len()];
        self.checked.push(Checked { subject, section, file: None, declared: None, rules, states, reasons: Vec::new() });
        (self.checked.len() - 1) as u32
    }

    /// Record what rule number `i` of subject `at` returned: the one place an outcome is decided.
    pub fn record(&mut self, at: u32, i: usize, result: Check) {
        let c = &mut self.checked[at as usize];
        let rule = c.rules[i];
        let (state, kind, reason) = match result {
            Check::Pass => (State::Pass, None, None),
            Check::Fail(hits) if hits.is_empty() => (State::Pass, None, None),
            Check::Fail(hits) => {
                let start = self.findings.len();
                self.findings.extend(hits.into_iter().map(|h| rules::finding(rule, at, h)));
                let info = self.findings[start..].iter().all(|f| f.severity == Severity::Info);
                (if info { State::Info } else { State::Fail }, None, None)
            }
            Check::NotApplicable(why) => (State::NotApplicable, None, Some(why)),
            Check::Skip(kind, why) => (State::Skip, Some(kind), Some(why)),
            Check::Error(why) => (State::Error, None, Some(why)),
        };
        c.states[i] = (state, kind);
        if let Some(why) = reason {
            c.reasons.retain(|(j, _)| *j as usize != i);
            c.reasons.push((i as u32, why.into_boxed_str()));
        }
    }

    /// Apply the display options: findings below `min_severity` or of rules not selected are
    /// hidden, `--ignore RULE:EVIDENCE` suppresses one finding. Outcomes stay as recorded.
    pub fn finish(&mut self, selection: Selection, min_severity: Option<Severity>) {
        for f in &mut self.findings {
            f.hidden = !selection.shows(f.rule) || min_severity.is_some_and(|m| f.severity < m);
            if selection.suppresses(f.rule, &f.evidence) {
                f.suppressed = true;
            }
        }
        self.selection = selection;
        self.ended = now();
        self.elapsed = self.began.map(|b| b.elapsed());
    }

    /// Every check's outcome, in report order; with `all`, also the checks `--select` /
    /// `--ignore` hide. An iterator: a large Compose run has hundreds of thousands of checks.
    pub fn outcomes_all(&self, all: bool) -> impl Iterator<Item = Outcome<'_>> {
        self.checked.iter().enumerate().flat_map(move |(at, c)| {
            c.rules.iter().enumerate().filter(move |(_, rule)| all || self.selection.shows(rule)).map(move |(i, rule)| {
                let (state, kind) = c.states[i];
                let reason = c.reasons.iter().find(|(j, _)| *j as usize == i).map(|(_, r)| &**r);
                Outcome { section: c.section, subject: &c.subject, at: at as u32, rule, state, kind, reason }
            })
        })
    }

    /// The checks shown (those `--select` / `--ignore` leave).
    pub fn outcomes(&self) -> impl Iterator<Item = Outcome<'_>> {
        self.outcomes_all(false)
    }

    /// How many checks ended in each state, over the whole run (a scan of the states, no
    /// outcome built): pass, fail, info, not-applicable, skip, error.
    pub fn state_counts(&self) -> [usize; 6] {
        let mut n = [0; 6];
        for (state, _) in self.checked.iter().flat_map(|c| c.states.iter()) {
            n[*state as usize] += 1;
        }
        n
    }

    /// Does any check end skipped or in error (what terminal formats list)?
    pub fn any_unsettled(&self) -> bool {
        self.checked.iter().any(|c| c.states.iter().any(|(s, _)| matches!(s, State::Skip | State::Error)))
    }

    /// The subject finding `f` is about.
    pub fn subject_of(&self, f: &Finding) -> &Subject {
        &self.checked[f.at as usize].subject
    }

    /// Findings shown: not suppressed, not hidden by a display option.
    pub fn shown(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| !f.suppressed && !f.hidden)
    }

    /// Findings a report lists (JSON and SARIF list suppressed ones too, marked).
    pub fn listed(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| !f.hidden)
    }

    pub fn count(&self, sev: Severity) -> usize {
        self.shown().filter(|f| f.severity == sev).count()
    }

    /// Every finding of each check (hidden and suppressed ones too, marked), by (subject
    /// index, rule): built once per report, so reports stay linear in the number of checks.
    pub fn findings_by_check(&self) -> HashMap<(u32, &'static str), Vec<&Finding>> {
        let mut map: HashMap<(u32, &'static str), Vec<&Finding>> = HashMap::new();
        for f in &self.findings {
            map.entry((f.at, f.rule)).or_default().push(f);
        }
        map
    }

    /// Passed and scored checks over every outcome (shown or not: the score is the truth of
    /// the whole run, whatever a display option hides).
    pub fn score(&self, section: Option<&str>) -> (usize, usize) {
        let mine = self.outcomes_all(true).filter(|o| section.is_none_or(|s| o.section == s));
        mine.fold((0, 0), |(p, t), o| (p + usize::from(o.state.passed()), t + usize::from(o.state.scored())))
    }
}

/// The time in Unix seconds.
pub fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

//! `--format docker-bench-json`: docker-bench-security's `-l` JSON log, so that pipelines built
//! on it can take cbench in its place. The same top-level keys (`dockerbenchsecurity`, `start`,
//! `tests`, `checks`, `score`, `end`); one result per CIS id, in the section its id names;
//! `result` PASS / WARN / INFO / NOTE; every offending item in `items`. Errored checks are WARN
//! (not passed) and skipped or not applicable ones NOTE, each with the reason in `details`.
//! Checks without a CIS id go to one extra section, `cbench`.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use super::{Run, State};
use crate::rules::catalog;

#[derive(Serialize)]
struct Log {
    dockerbenchsecurity: &'static str,
    start: u64,
    tests: Vec<Section>,
    checks: usize,
    score: i64,
    end: u64,
}

#[derive(Serialize)]
struct Section {
    id: String,
    desc: &'static str,
    results: Vec<Result>,
}

#[derive(Serialize)]
struct Result {
    id: String,
    desc: String,
    result: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    details: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    items: Option<Vec<String>>,
}

/// docker-bench-security's section titles, by the first part of a CIS id.
const SECTIONS: &[(&str, &str)] = &[
    ("1", "Host Configuration"),
    ("2", "Docker daemon configuration"),
    ("3", "Docker daemon configuration files"),
    ("4", "Container Images and Build File"),
    ("5", "Container Runtime"),
    ("6", "Docker Security Operations"),
    ("7", "Docker Swarm Configuration"),
];

/// The section of checks without a CIS id.
const EXTRA: (&str, &str) = ("cbench", "cbench checks without a CIS Docker Benchmark id");

/// What one CIS id collects from the checks that carry it.
#[derive(Default)]
struct Acc {
    titles: Vec<String>,
    warn: bool,
    info: bool,
    pass: bool,
    items: Vec<String>,
    notes: Vec<String>,
    messages: Vec<String>,
}

/// How docker-bench-security names a subject in `items`: a container by its name.
fn item(kind: &str, name: &str, evidence: &str) -> String {
    match kind {
        "container" | "image" | "service" | "bundle" => name.split(" (").next().unwrap_or(name).to_string(),
        _ => evidence.to_string(),
    }
}

/// `1.1.10` sorts after `1.1.9`.
fn key(id: &str) -> Vec<u32> {
    id.split('.').map(|p| p.parse().unwrap_or(u32::MAX)).collect()
}

pub fn render(run: &Run, out: &mut dyn Write) -> io::Result<()> {
    let by_check = run.findings_by_check();
    let mut ids: BTreeMap<String, Acc> = BTreeMap::new();
    for o in run.outcomes() {
        let meta = catalog::get(o.rule);
        // In the numbering `--cis-version` chose; a rule whose only id that version lacks
        // (devicemapper under v1.6.0) goes to the extra section by its own id.
        let rule_ids: Vec<String> = match meta.map(|m| crate::cis::show_all(&m.cis)) {
            Some(ids) if !ids.is_empty() => ids,
            _ => vec![o.rule.to_string()],
        };
        let title = meta.map_or_else(|| o.rule.to_string(), |m| m.title.clone());
        let found = by_check.get(&(o.at, o.rule)).map_or(&[][..], Vec::as_slice);
        // The id a finding is about: its own, the rule's only one, else (a rule of several ids
        // and a finding about none of them) the rule's id, in the extra section.
        let id_of = |f: &crate::model::Finding| match f.cis.and_then(crate::cis::show) {
            Some(c) => c,
            None if rule_ids.len() == 1 => rule_ids[0].clone(),
            None => o.rule.to_string(),
        };
        let mut targets = rule_ids.clone();
        for f in found {
            let id = id_of(f);
            if !targets.contains(&id) {
                targets.push(id);
            }
        }
        for id in &targets {
            let mine: Vec<_> = found.iter().filter(|f| id_of(f) == *id).collect();
            let shown: Vec<_> = mine.iter().filter(|f| !f.hidden && !f.suppressed).collect();
            let acc = ids.entry(id.clone()).or_default();
            if !acc.titles.contains(&title) {
                acc.titles.push(title.clone());
            }
            match o.state {
                State::Pass => acc.pass = true,
                // Suppressed or hidden findings: still a failed check, said so.
                State::Fail if shown.is_empty() && !mine.is_empty() => {
                    acc.warn = true;
                    acc.notes.push(format!("{} finding(s) suppressed or not shown", mine.len()));
                }
                State::Fail | State::Info if shown.is_empty() => acc.pass = true,
                State::Fail | State::Info => {
                    for f in &shown {
                        if f.severity > crate::model::Severity::Info {
                            acc.warn = true;
                        } else {
                            acc.info = true;
                        }
                        let it = item(o.subject.kind, &o.subject.name, &f.evidence);
                        if !acc.items.contains(&it) {
                            acc.items.push(it);
                        }
                        if !acc.messages.contains(&f.message) {
                            acc.messages.push(f.message.clone());
                        }
                    }
                }
                State::Error => {
                    acc.warn = true;
                    acc.notes.push(format!("error: {}", o.reason.unwrap_or("")));
                }
                State::Skip => acc.notes.push(format!("skipped: {}", o.reason.unwrap_or(""))),
                State::NotApplicable => acc.notes.push(o.reason.unwrap_or("not applicable").to_string()),
            }
        }
    }
    // Every recommendation of the benchmark is answered: one no check of this run covers is a
    // NOTE with what a person does (manual), or why cbench did not judge it here.
    let v = crate::cis::version();
    for rec in crate::cis::table() {
        let Some(id) = rec.id(v) else { continue };
        if ids.contains_key(id) {
            continue;
        }
        let rules = rec.rules();
        let note = match (&rec.guidance, rules.is_empty()) {
            (Some(g), _) => g.clone(),
            (None, false) => {
                format!(
                    "not judged in this run: nothing these rules apply to was audited, or they were not selected (rules: {})",
                    rules.join(", ")
                )
            }
            (None, true) => "not checked by cbench".to_string(),
        };
        ids.insert(id.to_string(), Acc { notes: vec![note], ..Default::default() });
    }
    let mut sections: Vec<Section> = Vec::new();
    let (mut checks, mut score) = (0usize, 0i64);
    let mut sorted: Vec<(String, Acc)> = ids.into_iter().collect();
    sorted.sort_by(|a, b| key(&a.0).cmp(&key(&b.0)).then(a.0.cmp(&b.0)));
    for (id, acc) in sorted {
        let (sid, sdesc) = match SECTIONS.iter().find(|(s, _)| id.split('.').next() == Some(s)) {
            Some((s, d)) => (s.to_string(), *d),
            None => (EXTRA.0.to_string(), EXTRA.1),
        };
        let result = if acc.warn {
            "WARN"
        } else if acc.info {
            "INFO"
        } else if acc.pass {
            "PASS"
        } else {
            "NOTE"
        };
        match result {
            "PASS" => score += 1,
            "WARN" => score -= 1,
            _ => {}
        }
        checks += 1;
        // The benchmark's own words, as docker-bench-security prints them; else the rules' titles.
        let desc = match crate::cis::find(&id) {
            Some(r) => format!("{} ({})", r.title, if r.automated { "Automated" } else { "Manual" }),
            None => acc.titles.join("; "),
        };
        let details = match result {
            "PASS" => None,
            "NOTE" => Some(acc.notes.join("; ")),
            _ if !acc.items.is_empty() => Some(format!("{}:  {}", acc.messages.join("; "), acc.items.join(" "))),
            _ => Some(acc.notes.join("; ")),
        };
        let items = matches!(result, "WARN" | "INFO").then_some(acc.items).filter(|i| !i.is_empty());
        let r = Result { id, desc, result, details, items };
        match sections.iter_mut().find(|s| s.id == sid) {
            Some(s) => s.results.push(r),
            None => sections.push(Section { id: sid, desc: sdesc, results: vec![r] }),
        }
    }
    // CIS sections in order, the extra one last.
    sections.sort_by_key(|s| (s.id == EXTRA.0, key(&s.id)));
    let log = Log { dockerbenchsecurity: "1.6.0", start: run.started, tests: sections, checks, score, end: run.ended };
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

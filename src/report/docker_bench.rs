//! `--format docker-bench-json`: the shape of docker-bench-security's `-l` JSON log, so that
//! pipelines built on it can take cbench in its place. One result per rule, with the CIS id;
//! `items` names the subjects (containers, images) that failed it.

use std::io::{self, Write};

use serde::Serialize;

use super::Run;
use crate::model::Severity;
use crate::rules::catalog;

#[derive(Serialize)]
struct Log {
    dockerbenchsecurity: &'static str,
    tool: &'static str,
    tests: Vec<Section>,
    checks: usize,
    score: i64,
}

#[derive(Serialize)]
struct Section {
    id: &'static str,
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
    #[serde(skip_serializing_if = "Vec::is_empty")]
    items: Vec<String>,
    remediation: String,
    rule: String,
}

/// docker-bench-security's sections and the rule families in each: the host checks (audit,
/// socket access, kernel, sshd, users, MAC, file systems) are its section 1.
const SECTIONS: &[(&str, &str, &[&str])] = &[
    ("1", "Host Configuration", &["access", "audit", "kernel", "ssh", "users", "mac", "fs"]),
    ("2", "Docker daemon configuration", &["daemon"]),
    ("3", "Docker daemon configuration files", &["files"]),
    ("4", "Container Images and Build File Configuration", &["image"]),
    ("5", "Container Runtime", &["container"]),
];

pub fn render(run: &Run, out: &mut dyn Write) -> io::Result<()> {
    let mut tests = Vec::new();
    let (mut checks, mut score) = (0usize, 0i64);
    for (id, desc, families) in SECTIONS {
        let mut results = Vec::new();
        for meta in catalog::all().iter().filter(|m| families.contains(&m.family.as_str())) {
            let ran = run.checked.iter().any(|(_, ids)| ids.contains(&meta.id.as_str()));
            let skipped: Vec<&String> = run.skipped.iter().filter(|(_, r, _)| *r == meta.id).map(|(_, _, why)| why).collect();
            if !ran && skipped.is_empty() {
                continue;
            }
            let found: Vec<_> = run.shown().filter(|f| f.rule == meta.id).collect();
            let result = if found.iter().any(|f| f.severity > Severity::Info) {
                "WARN"
            } else if !found.is_empty() {
                "INFO"
            } else if !ran {
                "NOTE"
            } else {
                "PASS"
            };
            match result {
                "PASS" => score += 1,
                "WARN" => score -= 1,
                _ => {}
            }
            checks += 1;
            let mut items: Vec<String> = found.iter().map(|f| f.subject.name.clone()).collect();
            items.dedup();
            let details = match result {
                "NOTE" => skipped.first().map(|s| format!("skipped: {s}")),
                "PASS" => None,
                _ => found.first().map(|f| f.message.clone()),
            };
            results.push(Result {
                id: meta.cis.first().cloned().unwrap_or_else(|| meta.id.clone()),
                desc: meta.title.clone(),
                result,
                details,
                items,
                remediation: meta.remediation.clone(),
                rule: meta.id.clone(),
            });
        }
        if !results.is_empty() {
            tests.push(Section { id, desc, results });
        }
    }
    let log = Log { dockerbenchsecurity: "1.6.0", tool: concat!("cbench ", env!("CARGO_PKG_VERSION")), tests, checks, score };
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

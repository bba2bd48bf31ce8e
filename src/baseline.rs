//! Baselines: today's findings recorded (`--write-baseline FILE`), so that a repository can
//! turn cbench on and fail only on what is new (`--baseline FILE`).
//!
//! A finding's identity is its file, subject (service), rule and the setting it is about (its
//! evidence), never its line: it keeps its identity when lines move. The same fingerprint is
//! SARIF's `partialFingerprints["cbench/v1"]`, so code scanning tracks findings across commits.
// Reads and writes the baseline file the user names: not the audited host.
#![allow(clippy::disallowed_methods)]

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::model::{DiagKind, Diagnostic, Finding, Origin};
use crate::runner::Run;

/// The key a fingerprint is published under in SARIF.
pub const SARIF_KEY: &str = "cbench/v1";

/// A finding's fingerprint: FNV-1a (64 bits, a fixed, documented function: the same in every
/// version) over file, subject, rule and evidence, as 16 hex digits.
pub fn fingerprint(run: &Run, f: &Finding) -> String {
    let file = match &f.origin {
        Origin::File { path, .. } => path.strip_prefix("./").unwrap_or(path),
        _ => "",
    };
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in [file, &run.subject_of(f).name, f.rule, &f.evidence] {
        for b in part.bytes().chain([0]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

#[derive(Serialize, Deserialize)]
struct File {
    version: u32,
    /// One entry per finding (the same identity may be there more than once).
    findings: Vec<Entry>,
}

/// A recorded finding: its fingerprint, and what it was, for the people who review the file.
#[derive(Serialize, Deserialize)]
struct Entry {
    fingerprint: String,
    rule: String,
    file: String,
    subject: String,
    evidence: String,
}

fn error(path: &Path, line: Option<u32>, col: Option<u32>, message: String) -> Diagnostic {
    Diagnostic { kind: DiagKind::Error, path: path.display().to_string(), line, col, message }
}

/// Write the unsuppressed findings of `run` to `path`; returns how many.
pub fn write(run: &Run, path: &Path) -> Result<usize, Diagnostic> {
    let findings: Vec<Entry> = run
        .findings
        .iter()
        .filter(|f| !f.suppressed)
        .map(|f| Entry {
            fingerprint: fingerprint(run, f),
            rule: f.rule.to_string(),
            file: match &f.origin {
                Origin::File { path, .. } => path.to_string(),
                o => o.to_string(),
            },
            subject: run.subject_of(f).name.clone(),
            evidence: f.evidence.clone(),
        })
        .collect();
    let n = findings.len();
    let text = serde_json::to_string_pretty(&File { version: 1, findings }).map_err(|e| error(path, None, None, e.to_string()))?;
    std::fs::write(path, text + "\n").map_err(|e| error(path, None, None, format!("cannot write the baseline: {e}")))?;
    Ok(n)
}

/// Mark the findings of `run` that `path` records as suppressed (by "baseline"), each recorded
/// entry once; returns how many.
pub fn apply(run: &mut Run, path: &Path) -> Result<usize, Diagnostic> {
    let text = crate::sources::read::text(path, crate::sources::read::COMPOSE, "a baseline")
        .map_err(|e| error(path, None, None, format!("cannot read the baseline: {e}")))?;
    let file: File = serde_json::from_str(&text).map_err(|e| {
        let message = format!("not a cbench baseline: {}", crate::redact::serde_message(&e));
        error(path, Some(e.line() as u32), Some(e.column() as u32), message)
    })?;
    if file.version != 1 {
        return Err(error(path, None, None, format!("baseline version {} is not known (1 is)", file.version)));
    }
    let mut left: HashMap<String, usize> = HashMap::new();
    for e in file.findings {
        *left.entry(e.fingerprint).or_default() += 1;
    }
    let prints: Vec<String> = run.findings.iter().map(|f| fingerprint(run, f)).collect();
    let mut n = 0;
    for (f, print) in run.findings.iter_mut().zip(prints) {
        if f.suppressed {
            continue;
        }
        if let Some(count) = left.get_mut(&print).filter(|c| **c > 0) {
            *count -= 1;
            f.suppressed = true;
            f.suppressed_by = Some("baseline");
            n += 1;
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Subject;

    /// The fingerprint is an identity kept in committed baselines and in code scanning: it must
    /// not change between versions. The value was computed independently (Python, FNV-1a 64
    /// over `compose.yaml\0web\0docker-socket-mount\0/var/run/docker.sock\0`).
    #[test]
    fn fingerprints_are_stable_and_ignore_the_line() {
        let mut run = Run::default();
        let at = run.begin("services", Subject { kind: "service", name: "web".into() }, [].into());
        let path: std::sync::Arc<str> = "./compose.yaml".into();
        let hit = |line| crate::rules::Hit::new("m", Origin::file(&path, line, 9), "/var/run/docker.sock");
        let a = crate::rules::finding("docker-socket-mount", at, hit(7));
        let b = crate::rules::finding("docker-socket-mount", at, hit(70));
        assert_eq!(fingerprint(&run, &a), "7dde2e46fec41907");
        assert_eq!(fingerprint(&run, &a), fingerprint(&run, &b));
    }
}

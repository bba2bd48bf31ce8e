//! SARIF 2.1.0, as GitHub code scanning reads it.

use serde_json::{Value, json};

use super::Run;
use super::json::location;
use crate::model::{DiagKind, Origin, Severity};
use crate::rules::catalog;

fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "1.0",
    }
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium | Severity::Low => "warning",
        Severity::Info => "note",
    }
}

fn physical(o: &Origin) -> Option<Value> {
    let l = location(o)?;
    Some(json!({
        "physicalLocation": {
            "artifactLocation": { "uri": l.path.trim_start_matches("./") },
            "region": { "startLine": l.line, "startColumn": l.column }
        }
    }))
}

pub fn render(run: &Run) -> String {
    let rules: Vec<Value> = catalog::all()
        .iter()
        .map(|m| {
            let mut help = format!("{}\n\nRemediation: {}", m.rationale, m.remediation);
            if let Some(d) = &m.decision {
                help.push_str(&format!("\n\nNote: {d}"));
            }
            let mut tags = vec!["security".to_string(), m.family.clone()];
            tags.extend(m.cis.iter().map(|c| format!("CIS-{c}")));
            json!({
                "id": m.id,
                "name": m.title.replace(' ', ""),
                "shortDescription": { "text": m.title },
                "fullDescription": { "text": m.rationale },
                "help": { "text": help },
                "defaultConfiguration": { "level": level(m.severity) },
                "properties": { "security-severity": security_severity(m.severity), "tags": tags, "precision": "high" }
            })
        })
        .collect();
    let index = |id: &str| catalog::all().iter().position(|m| m.id == id);
    let results: Vec<Value> = run
        .findings
        .iter()
        .map(|f| {
            let mut r = json!({
                "ruleId": f.rule,
                "level": level(f.severity),
                "message": { "text": format!("{} {}: {}", f.subject.kind, f.subject.name, f.message) },
                "locations": physical(&f.origin).into_iter().collect::<Vec<_>>(),
                "properties": { "severity": f.severity.as_str(), "security-severity": security_severity(f.severity), "evidence": f.evidence, "subject": { "kind": f.subject.kind, "name": f.subject.name } }
            });
            if let Some(i) = index(f.rule) {
                r["ruleIndex"] = json!(i);
            }
            let related: Vec<Value> = f.related.iter().filter_map(physical).enumerate().map(|(i, mut l)| {
                l["id"] = json!(i);
                l
            }).collect();
            if !related.is_empty() {
                r["relatedLocations"] = json!(related);
            }
            if f.suppressed {
                r["suppressions"] = json!([{ "kind": "inSource" }]);
            }
            r
        })
        .collect();
    let notifications: Vec<Value> = run
        .diagnostics
        .iter()
        .map(|d| {
            let mut region = json!({});
            if let Some(l) = d.line {
                region["startLine"] = json!(l);
            }
            if let Some(c) = d.col {
                region["startColumn"] = json!(c);
            }
            let mut loc = json!({ "physicalLocation": { "artifactLocation": { "uri": d.path.trim_start_matches("./") } } });
            if d.line.is_some() {
                loc["physicalLocation"]["region"] = region;
            }
            json!({
                "level": if d.kind == DiagKind::Warning { "warning" } else { "error" },
                "message": { "text": d.message },
                "locations": [loc]
            })
        })
        .collect();
    let ok = !run.diagnostics.iter().any(|d| d.kind != DiagKind::Warning);
    let sarif = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "cbench",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/cbench/cbench",
                "rules": rules
            }},
            "invocations": [{ "executionSuccessful": ok, "toolExecutionNotifications": notifications }],
            "results": results
        }]
    });
    serde_json::to_string_pretty(&sarif).unwrap_or_default() + "\n"
}

//! SARIF 2.1.0, as GitHub code scanning reads it: small hand-written serde structs, written
//! straight to the output.

use std::io::{self, Write};

use serde::Serialize;

use super::json::location;
use super::{Run, SkipKind, State};
use crate::model::{DiagKind, Origin, Severity};
use crate::rules::catalog;

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [SarifRun<'a>; 1],
}

#[derive(Serialize)]
struct SarifRun<'a> {
    tool: Tool,
    invocations: [Invocation<'a>; 1],
    results: Vec<SarifResult<'a>>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    information_uri: &'static str,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: String,
    name: String,
    short_description: Text,
    full_description: Text,
    help: Text,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct RuleProperties {
    security_severity: &'static str,
    tags: Vec<String>,
    precision: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation<'a> {
    execution_successful: bool,
    tool_execution_notifications: Vec<Notification<'a>>,
}

#[derive(Serialize)]
struct Notification<'a> {
    level: &'static str,
    message: Message<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<Location<'a>>,
}

#[derive(Serialize)]
struct Message<'a> {
    text: std::borrow::Cow<'a, str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: Physical<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Physical<'a> {
    artifact_location: Artifact<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
struct Artifact<'a> {
    uri: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_column: Option<u32>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: Message<'a>,
    locations: Vec<Location<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<Suppression>,
    /// The finding's identity across commits (not its line), as the baseline has it.
    partial_fingerprints: std::collections::BTreeMap<&'static str, String>,
    /// What `cbench compose --fix` would write for it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<SarifFix<'a>>,
    properties: ResultProperties<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifFix<'a> {
    description: Message<'a>,
    artifact_changes: Vec<ArtifactChange<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactChange<'a> {
    artifact_location: Artifact<'a>,
    replacements: Vec<Replacement<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement<'a> {
    deleted_region: DeletedRegion,
    inserted_content: InsertedContent<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DeletedRegion {
    start_line: u32,
    start_column: u32,
    end_line: u32,
    end_column: u32,
}

#[derive(Serialize)]
struct InsertedContent<'a> {
    text: &'a str,
}

fn fixes<'a>(run: &'a Run, f: &crate::model::Finding) -> Vec<SarifFix<'a>> {
    run.fixes
        .iter()
        .filter(|x| x.rule == f.rule && x.origin == f.origin)
        .map(|x| SarifFix {
            description: Message {
                text: format!(
                    "{} fix ({}): {}",
                    x.rule,
                    if x.safety == crate::fix::Safety::Safe { "safe" } else { "unsafe" },
                    x.description
                )
                .into(),
            },
            artifact_changes: vec![ArtifactChange {
                artifact_location: Artifact { uri: x.path.trim_start_matches("./") },
                replacements: x
                    .replacements
                    .iter()
                    .map(|r| Replacement {
                        deleted_region: DeletedRegion {
                            start_line: r.start.0,
                            start_column: r.start.1,
                            end_line: r.end.0,
                            end_column: r.end.1,
                        },
                        inserted_content: InsertedContent { text: &r.text },
                    })
                    .collect(),
            }],
        })
        .collect()
}

#[derive(Serialize)]
struct Suppression {
    /// `inSource` (a comment in the file), `external` (.cbench.toml, a baseline).
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    justification: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct ResultProperties<'a> {
    severity: &'static str,
    security_severity: &'static str,
    evidence: &'a str,
    subject: Subject<'a>,
}

#[derive(Serialize)]
struct Subject<'a> {
    kind: &'a str,
    name: &'a str,
}

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

fn physical(o: &Origin, id: Option<usize>) -> Option<Location<'_>> {
    let l = location(o)?;
    let region = Some(Region { start_line: l.line, start_column: Some(l.column) });
    Some(Location { id, physical_location: Physical { artifact_location: Artifact { uri: l.path.trim_start_matches("./") }, region } })
}

fn rules() -> Vec<Rule> {
    catalog::all()
        .iter()
        .map(|m| {
            let mut help = format!("{}\n\nRemediation: {}", m.rationale, m.remediation);
            if let Some(d) = &m.decision {
                help.push_str(&format!("\n\nNote: {d}"));
            }
            let mut tags = vec!["security".to_string(), m.family.clone()];
            tags.extend(crate::cis::show_all(&m.cis).iter().map(|c| format!("CIS-{c}")));
            Rule {
                id: m.id.clone(),
                name: m.title.replace(' ', ""),
                short_description: Text { text: m.title.clone() },
                full_description: Text { text: m.rationale.clone() },
                help: Text { text: help },
                default_configuration: Configuration { level: level(m.severity) },
                properties: RuleProperties { security_severity: security_severity(m.severity), tags, precision: "high" },
            }
        })
        .collect()
}

pub fn render(run: &Run, out: &mut dyn Write) -> io::Result<()> {
    let index = |id: &str| catalog::all().iter().position(|m| m.id == id);
    // Sized once: the listed findings are all of them but for the hidden ones.
    let mut results = Vec::with_capacity(run.listed().count());
    results.extend(run.listed().map(|f| SarifResult {
        rule_id: f.rule,
        rule_index: index(f.rule),
        level: level(f.severity),
        message: Message { text: format!("{} {}: {}", run.subject_of(f).kind, run.subject_of(f).name, f.message).into() },
        locations: physical(&f.origin, None).into_iter().collect(),
        related_locations: f.related.iter().enumerate().filter_map(|(i, o)| physical(o, Some(i))).collect(),
        suppressions: match (f.suppressed, f.suppressed_by) {
            (false, _) => vec![],
            (true, Some("inline comment") | None) => vec![Suppression { kind: "inSource", justification: None }],
            (true, by) => vec![Suppression { kind: "external", justification: by }],
        },
        partial_fingerprints: [(crate::baseline::SARIF_KEY, crate::baseline::fingerprint(run, f))].into(),
        fixes: fixes(run, f),
        properties: ResultProperties {
            severity: f.severity.as_str(),
            security_severity: security_severity(f.severity),
            evidence: &f.evidence,
            subject: Subject { kind: run.subject_of(f).kind, name: &run.subject_of(f).name },
        },
    }));
    let mut notifications: Vec<Notification> = run
        .diagnostics
        .iter()
        .map(|d| Notification {
            level: if d.kind == DiagKind::Warning { "warning" } else { "error" },
            message: Message { text: d.message.as_str().into() },
            locations: vec![Location {
                id: None,
                physical_location: Physical {
                    artifact_location: Artifact { uri: d.path.trim_start_matches("./") },
                    region: d.line.map(|l| Region { start_line: l, start_column: d.col }),
                },
            }],
        })
        .collect();
    // Checks that could not say pass or fail: a user must tell them from a pass.
    let listed = run.host || run.any_unsettled();
    for o in listed.then(|| run.outcomes()).into_iter().flatten() {
        let (level, what) = match o.state {
            State::Skip => ("note", "skipped"),
            State::NotApplicable if run.host => ("note", "not applicable"),
            State::Error => ("error", "error"),
            _ => continue,
        };
        let text = format!("{} on {} {}: {what}: {}", o.rule, o.subject.kind, o.subject.name, o.reason.unwrap_or(""));
        notifications.push(Notification { level, message: Message { text: text.into() }, locations: Vec::new() });
    }
    for s in run.skipped_sections.iter().filter(|s| s.kind != SkipKind::NotSelected) {
        let text = format!("section {} skipped: {}", s.section, s.reason);
        notifications.push(Notification { level: "note", message: Message { text: text.into() }, locations: Vec::new() });
    }
    let log = Log {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: [SarifRun {
            tool: Tool {
                driver: Driver {
                    name: "cbench",
                    version: env!("CARGO_PKG_VERSION"),
                    information_uri: "https://github.com/cbench/cbench",
                    rules: rules(),
                },
            },
            invocations: [Invocation {
                execution_successful: !run.diagnostics.iter().any(|d| d.kind != DiagKind::Warning),
                tool_execution_notifications: notifications,
            }],
            results,
        }],
    };
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

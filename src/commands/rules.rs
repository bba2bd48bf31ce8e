//! `cbench rules` and `cbench explain RULE-ID`.

use crate::rules::catalog::{self, Meta};

pub fn list_text() -> String {
    let mut out = format!("{:<28} {:<9} {:<10} {:<7} {}\n", "ID", "FAMILY", "SEVERITY", "CIS", "TITLE");
    for m in catalog::all() {
        let cis = crate::cis::show_all(&m.cis).join(",");
        out.push_str(&format!("{:<28} {:<9} {:<10} {:<7} {}\n", m.id, m.family, m.severity.as_str(), cis, m.title));
    }
    out
}

pub fn list_json() -> String {
    let rules: Vec<serde_json::Value> = catalog::all().iter().map(meta_json).collect();
    serde_json::to_string_pretty(&serde_json::json!({ "version": 1, "rules": rules })).unwrap_or_default() + "\n"
}

fn meta_json(m: &Meta) -> serde_json::Value {
    serde_json::json!({
        "id": m.id, "family": m.family, "title": m.title, "severity": m.severity, "cis": crate::cis::show_all(&m.cis),
        "rationale": m.rationale, "remediation": m.remediation, "butane": m.butane, "podman": m.podman, "decision": m.decision,
        "compose_lint": m.compose_lint,
        "not_applicable": m.not_applicable.iter().map(|(k, why)| (k.clone(), serde_json::Value::from(why.as_str()))).collect::<serde_json::Map<_, _>>(),
        "fix": m.fix.as_ref().map(|(s, n)| serde_json::json!({ "safety": s, "note": n })),
    })
}

pub fn explain(id: &str) -> Option<String> {
    let m = catalog::get(id)?;
    let mut out = format!("{} — {}\n\nseverity: {}\nfamily:   {}\n", m.id, m.title, m.severity, m.family);
    let cis = crate::cis::show_all(&m.cis);
    if !cis.is_empty() {
        out.push_str(&format!("CIS:      Docker Benchmark v{} {}\n", crate::cis::version().as_str(), cis.join(", ")));
    }
    if !m.compose_lint.is_empty() {
        out.push_str(&format!("covers:   compose-lint {}\n", m.compose_lint.join(", ")));
    }
    out.push_str(&format!("\nWhy\n{}\n\nFix\n{}\n", indent(&m.rationale), indent(&m.remediation)));
    if let Some(b) = &m.before {
        out.push_str(&format!("\nBefore\n{}", indent(b)));
    }
    if let Some(a) = &m.after {
        out.push_str(&format!("\nAfter\n{}", indent(a)));
    }
    if let Some(b) = &m.butane {
        out.push_str(&format!("\nOn Flatcar (Butane)\n{}", indent(b)));
    }
    if let Some(p) = &m.podman {
        out.push_str(&format!("\nOn Podman\n{}\n", indent(p)));
    }
    match &m.fix {
        Some((safety, note)) => out.push_str(&format!(
            "\nAutomatic fix ({safety}: `cbench compose --fix{}`)\n{}",
            if safety == "unsafe" { " --unsafe-fixes" } else { "" },
            indent(note)
        )),
        None if m.family == "container" => {
            out.push_str("\nAutomatic fix\n    none: the change needs a person (a value to choose, a design to change)\n")
        }
        None => {}
    }
    if let Some(d) = &m.decision {
        out.push_str(&format!("\nNote\n{}\n", indent(d)));
    }
    Some(out)
}

fn indent(s: &str) -> String {
    s.trim_end().lines().map(|l| format!("    {l}\n")).collect::<String>().trim_end_matches('\n').to_string() + "\n"
}

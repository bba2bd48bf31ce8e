//! Rule metadata: `rules/*.yaml`, embedded at build time.

use std::sync::OnceLock;

use crate::model::Severity;
use crate::sources::compose::yaml::{self, Node};

/// Metadata files, one per family.
const FILES: &[(&str, &str)] = &[
    ("rules/container.yaml", include_str!("../../rules/container.yaml")),
    ("rules/daemon.yaml", include_str!("../../rules/daemon.yaml")),
    ("rules/image.yaml", include_str!("../../rules/image.yaml")),
    ("rules/drift.yaml", include_str!("../../rules/drift.yaml")),
    ("rules/access.yaml", include_str!("../../rules/access.yaml")),
    ("rules/context.yaml", include_str!("../../rules/context.yaml")),
    ("rules/kernel.yaml", include_str!("../../rules/kernel.yaml")),
    ("rules/files.yaml", include_str!("../../rules/files.yaml")),
    ("rules/audit.yaml", include_str!("../../rules/audit.yaml")),
    ("rules/ssh.yaml", include_str!("../../rules/ssh.yaml")),
    ("rules/users.yaml", include_str!("../../rules/users.yaml")),
    ("rules/mac.yaml", include_str!("../../rules/mac.yaml")),
    ("rules/fs.yaml", include_str!("../../rules/fs.yaml")),
    ("rules/provision.yaml", include_str!("../../rules/provision.yaml")),
];

#[derive(Debug, Clone)]
pub struct Meta {
    pub id: String,
    pub family: String,
    pub title: String,
    pub severity: Severity,
    pub cis: Vec<String>,
    pub rationale: String,
    pub remediation: String,
    pub before: Option<String>,
    pub after: Option<String>,
    /// On Flatcar Container Linux: the Butane snippet that fixes it.
    pub butane: Option<String>,
    /// For a Podman engine: what to set in Podman's own files instead.
    pub podman: Option<String>,
    pub decision: Option<String>,
    pub references: Vec<String>,
    /// compose-lint rules this one covers.
    pub compose_lint: Vec<String>,
    /// Subject kinds the rule does not apply to, with the reason (`not_applicable:` in the
    /// metadata): e.g. a health check in an OCI bundle.
    pub not_applicable: Vec<(String, String)>,
    /// A hardening control the rule asks for (`control:`, e.g. "memory limit"): when a
    /// service does not set it, the text report lists it with the service's other missing
    /// controls in one entry.
    pub control: Option<String>,
    /// `fix: safe` / `fix: unsafe` and why (`fix_note`): what `cbench compose --fix` does for it;
    /// None: no automatic fix.
    pub fix: Option<(String, String)>,
}

impl Meta {
    /// Why the rule does not apply to subjects of kind `kind`, if it does not.
    pub fn not_for(&self, kind: &str) -> Option<String> {
        self.not_applicable.iter().find(|(k, _)| k == kind).map(|(_, why)| format!("not applicable: {why}"))
    }
}

/// The whole catalog, in file order. Panics only if the embedded metadata is malformed,
/// which the catalog tests rule out at build time.
pub fn all() -> &'static [Meta] {
    static CATALOG: OnceLock<Vec<Meta>> = OnceLock::new();
    CATALOG.get_or_init(|| FILES.iter().flat_map(|(name, text)| parse(name, text).unwrap_or_else(|e| panic!("{e}"))).collect())
}

/// The metadata of rule `id` (a hash lookup: the runner asks once per check).
pub fn get(id: &str) -> Option<&'static Meta> {
    static INDEX: OnceLock<rustc_hash::FxHashMap<&'static str, usize>> = OnceLock::new();
    let index = INDEX.get_or_init(|| all().iter().enumerate().map(|(i, m)| (m.id.as_str(), i)).collect());
    index.get(id).map(|i| &all()[*i])
}

pub fn parse(name: &str, text: &str) -> Result<Vec<Meta>, String> {
    let docs = yaml::parse(text, 0).map_err(|e| format!("{name}: {e:?}"))?;
    let root = docs.first().ok_or(format!("{name}: empty"))?;
    let family = str_field(root, "family", name)?;
    let rules = root.get("rules").and_then(Node::as_seq).ok_or(format!("{name}: no `rules` list"))?;
    rules
        .iter()
        .map(|r| {
            let id = str_field(r, "id", name)?;
            let at = format!("{name} ({id})");
            let sev = str_field(r, "severity", &at)?;
            Ok(Meta {
                id: id.clone(),
                family: family.clone(),
                title: str_field(r, "title", &at)?,
                severity: Severity::parse(&sev).ok_or(format!("{at}: unknown severity {sev}"))?,
                cis: list(r, "cis"),
                rationale: str_field(r, "rationale", &at)?,
                remediation: str_field(r, "remediation", &at)?,
                before: r.get("before").and_then(Node::as_str).map(str::to_string),
                after: r.get("after").and_then(Node::as_str).map(str::to_string),
                butane: r.get("butane").and_then(Node::as_str).map(str::to_string),
                podman: r.get("podman").and_then(Node::as_str).map(str::to_string),
                decision: r.get("decision").and_then(Node::as_str).map(str::to_string),
                references: list(r, "references"),
                compose_lint: list(r, "compose_lint"),
                control: r.get("control").and_then(Node::as_str).map(str::to_string),
                fix: r
                    .get("fix")
                    .and_then(Node::as_str)
                    .map(|f| (f.to_string(), r.get("fix_note").and_then(Node::as_str).unwrap_or_default().trim().to_string())),
                not_applicable: r
                    .get("not_applicable")
                    .and_then(Node::as_map)
                    .map(|m| m.iter().filter_map(|(k, v)| Some((k.name.to_string(), v.as_str()?.trim_end().to_string()))).collect())
                    .unwrap_or_default(),
            })
        })
        .collect()
}

fn str_field(n: &Node, key: &str, at: &str) -> Result<String, String> {
    n.get(key).and_then(Node::as_str).map(|s| s.trim_end().to_string()).ok_or(format!("{at}: missing `{key}`"))
}

fn list(n: &Node, key: &str) -> Vec<String> {
    n.get(key).and_then(Node::as_seq).map(|s| s.iter().filter_map(|i| i.as_str().map(str::to_string)).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn code_and_metadata_agree() {
        let code: Vec<&str> = crate::rules::all_rule_ids();
        let meta: Vec<&str> = all().iter().map(|m| m.id.as_str()).collect();
        let unique: HashSet<&str> = meta.iter().copied().collect();
        assert_eq!(unique.len(), meta.len(), "duplicate ids in metadata");
        for id in &code {
            assert!(unique.contains(id), "rule {id} has no metadata");
        }
        for id in &meta {
            assert!(code.contains(id), "metadata {id} has no code");
        }
        for m in all() {
            assert!(m.id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'), "{} is not kebab-case", m.id);
            assert!(!m.remediation.is_empty() && !m.rationale.is_empty());
        }
    }
}

//! `--select` / `--ignore`: which checks are shown, by rule id, CIS id or CIS id prefix
//! (`--select 5.4`, `--ignore 1.1`), and `--ignore RULE:EVIDENCE` to suppress one finding.
//! A selection changes what is shown and the exit code, never an outcome.

use super::catalog;

/// Why `--select` / `--ignore` (or `--only` / `--skip`) cannot be taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectError {
    #[error("unknown rule or CIS id `{0}` (see `cbench rules`)")]
    Unknown(String),
    #[error("`--select {0}`: RULE:EVIDENCE suppresses one finding and only goes with --ignore")]
    EvidenceInSelect(String),
    #[error("unknown rule `{rule}` in `--ignore {arg}` (RULE:EVIDENCE takes a rule id; see `cbench rules`)")]
    UnknownEvidenceRule { rule: String, arg: String },
}

#[derive(Clone, Debug, Default)]
pub struct Selection {
    select: Vec<String>,
    ignore: Vec<String>,
    /// `--ignore RULE:EVIDENCE`: (rule, evidence).
    evidence: Vec<(String, String)>,
}

/// Does `pattern` name rule `rule`: its id, one of its CIS ids, or a CIS prefix at a dot
/// (`1.1` names 1.1.3 but not 1.10)?
pub fn names(pattern: &str, rule: &str) -> bool {
    pattern == rule || catalog::get(rule).is_some_and(|m| crate::cis::show_all(&m.cis).iter().any(|c| cis_prefix(pattern, c)))
}

/// `pattern` is `id` or a dotted prefix of it.
pub fn cis_prefix(pattern: &str, id: &str) -> bool {
    id == pattern || id.strip_prefix(pattern).is_some_and(|rest| rest.starts_with('.'))
}

impl Selection {
    /// Parse `--select` / `--ignore` against the rules of this command (`known`): a name that
    /// matches none of them, or `RULE:EVIDENCE` in `--select`, is a usage error.
    pub fn parse(select: &[String], ignore: &[String], known: &[&str]) -> Result<Selection, SelectError> {
        let mut sel = Selection::default();
        let check = |name: &str| {
            if known.iter().any(|r| names(name, r)) { Ok(()) } else { Err(SelectError::Unknown(name.to_string())) }
        };
        for s in select {
            if s.contains(':') {
                return Err(SelectError::EvidenceInSelect(s.clone()));
            }
            check(s)?;
            sel.select.push(s.clone());
        }
        for s in ignore {
            match s.split_once(':') {
                Some((rule, evidence)) => {
                    if !known.contains(&rule) {
                        return Err(SelectError::UnknownEvidenceRule { rule: rule.to_string(), arg: s.clone() });
                    }
                    sel.evidence.push((rule.to_string(), evidence.to_string()));
                }
                None => {
                    check(s)?;
                    sel.ignore.push(s.clone());
                }
            }
        }
        Ok(sel)
    }

    /// Are rule `rule`'s checks and findings shown?
    pub fn shows(&self, rule: &str) -> bool {
        (self.select.is_empty() || self.select.iter().any(|s| names(s, rule))) && !self.ignore.iter().any(|s| names(s, rule))
    }

    /// Is this one finding suppressed by `--ignore RULE:EVIDENCE`?
    pub fn suppresses(&self, rule: &str, evidence: &str) -> bool {
        self.evidence.iter().any(|(r, e)| r == rule && e == evidence)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strs(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn rule_ids_cis_ids_and_prefixes() {
        let known = crate::rules::all_rule_ids();
        let s = Selection::parse(&strs(&["5.4"]), &[], &known).unwrap();
        assert!(s.shows("dangerous-capability") && s.shows("capabilities-not-dropped"));
        assert!(!s.shows("privileged-container"));
        let s = Selection::parse(&[], &strs(&["1.1"]), &known).unwrap();
        assert!(!s.shows("audit-docker-path") && !s.shows("docker-group-members"));
        assert!(s.shows("icc-enabled"));
        assert!(cis_prefix("1.1", "1.1.3") && !cis_prefix("1.1", "1.10") && cis_prefix("5.4", "5.4"));
        assert_eq!(Selection::parse(&strs(&["9.9"]), &[], &known).unwrap_err(), SelectError::Unknown("9.9".into()));
        assert!(Selection::parse(&strs(&["kernel-sysctl:x"]), &[], &known).is_err());
        let s = Selection::parse(&[], &strs(&["kernel-module-enabled:squashfs"]), &known).unwrap();
        assert!(s.shows("kernel-module-enabled") && s.suppresses("kernel-module-enabled", "squashfs"));
    }
}

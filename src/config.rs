//! `.cbench.toml`: found upward from each audited file.
//!
//! ```toml
//! ignore = ["healthcheck-missing"]          # rules ignored everywhere below this file
//! [severity]
//! image-not-pinned = "medium"              # change a rule's severity
//! [per-path]
//! "legacy/*.yaml" = ["runs-as-root"]       # rules ignored for matching paths (relative to this file)
//! ```
// Finds and reads .cbench.toml: not the audited host.
#![allow(clippy::disallowed_methods)]

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use globset::{Glob, GlobMatcher};
use serde::Deserialize;

use crate::model::Severity;

pub const FILE_NAME: &str = ".cbench.toml";

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Raw {
    #[serde(default)]
    ignore: Vec<String>,
    #[serde(default)]
    severity: BTreeMap<String, String>,
    #[serde(default, rename = "per-path")]
    per_path: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Default)]
pub struct Config {
    pub path: Option<PathBuf>,
    dir: PathBuf,
    ignore: Vec<String>,
    severity: HashMap<String, Severity>,
    per_path: Vec<(GlobMatcher, Vec<String>)>,
}

/// Why a `.cbench.toml` cannot be taken.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{0}")]
    Toml(#[from] toml::de::Error),
    #[error("{0}")]
    Invalid(String),
}

impl Config {
    pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
        let raw: Raw = toml::from_str(text)?;
        let mut severity = HashMap::new();
        for (rule, s) in raw.severity {
            let sev = Severity::parse(&s).ok_or_else(|| ConfigError::Invalid(format!("[severity] {rule}: unknown severity `{s}`")))?;
            severity.insert(rule, sev);
        }
        let mut per_path = Vec::new();
        for (glob, rules) in raw.per_path {
            let m = Glob::new(&glob).map_err(|e| ConfigError::Invalid(format!("[per-path] {glob}: {e}")))?.compile_matcher();
            per_path.push((m, rules));
        }
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Ok(Config { path: Some(path.to_path_buf()), dir, ignore: raw.ignore, severity, per_path })
    }

    /// Is `rule` ignored for `file`?
    pub fn ignores(&self, rule: &str, file: &Path) -> bool {
        if self.ignore.iter().any(|r| r == rule) {
            return true;
        }
        let rel = file.strip_prefix(&self.dir).unwrap_or(file);
        let rel = rel.strip_prefix("./").unwrap_or(rel);
        self.per_path.iter().any(|(g, rules)| g.is_match(rel) && rules.iter().any(|r| r == rule))
    }

    pub fn severity(&self, rule: &str) -> Option<Severity> {
        self.severity.get(rule).copied()
    }
}

/// Where the config for a file in `dir` lives: the nearest `.cbench.toml` upward.
pub fn find(dir: &Path) -> Option<PathBuf> {
    let start = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
    let abs = start.canonicalize().ok()?;
    abs.ancestors().map(|d| d.join(FILE_NAME)).find(|p| p.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_match() {
        let c = Config::parse(
            Path::new("/repo/.cbench.toml"),
            "ignore = [\"healthcheck-missing\"]\n[severity]\nimage-not-pinned = \"medium\"\n[per-path]\n\"legacy/*.yaml\" = [\"runs-as-root\"]\n",
        )
        .unwrap();
        assert!(c.ignores("healthcheck-missing", Path::new("/repo/x.yaml")));
        assert!(c.ignores("runs-as-root", Path::new("/repo/legacy/a.yaml")));
        assert!(!c.ignores("runs-as-root", Path::new("/repo/new/a.yaml")));
        assert_eq!(c.severity("image-not-pinned"), Some(Severity::Medium));
        assert!(Config::parse(Path::new("x"), "[severity]\na = \"huge\"\n").is_err());
        assert!(Config::parse(Path::new("x"), "unknown = 1\n").is_err());
    }
}

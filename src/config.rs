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
use toml::Spanned;

use crate::model::Severity;

pub const FILE_NAME: &str = ".cbench.toml";

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Raw {
    #[serde(default)]
    ignore: Vec<Spanned<String>>,
    #[serde(default)]
    severity: BTreeMap<Spanned<String>, Spanned<String>>,
    #[serde(default, rename = "per-path")]
    per_path: BTreeMap<Spanned<String>, Vec<Spanned<String>>>,
}

#[derive(Debug, Default)]
pub struct Config {
    pub path: Option<PathBuf>,
    dir: PathBuf,
    ignore: Vec<String>,
    severity: HashMap<String, Severity>,
    per_path: Vec<(GlobMatcher, Vec<String>)>,
}

/// Why a `.cbench.toml` cannot be taken, and where (1-based line and column).
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ConfigError {
    pub line: Option<u32>,
    pub col: Option<u32>,
    pub message: String,
}

impl ConfigError {
    fn at(text: &str, span: Option<std::ops::Range<usize>>, message: String) -> ConfigError {
        let Some(span) = span else { return ConfigError { line: None, col: None, message } };
        let before = &text[..span.start.min(text.len())];
        let line = before.matches('\n').count() as u32 + 1;
        let col = before.rsplit('\n').next().unwrap_or("").chars().count() as u32 + 1;
        ConfigError { line: Some(line), col: Some(col), message }
    }
}

impl Config {
    /// Parse a `.cbench.toml`; `known` says whether a rule id exists (a typo is an error: an
    /// ignore that names no rule would silently do nothing).
    pub fn parse(path: &Path, text: &str, known: &dyn Fn(&str) -> bool) -> Result<Config, ConfigError> {
        let raw: Raw = toml::from_str(text).map_err(|e| {
            let message = e.message().lines().next().unwrap_or("invalid configuration").to_string();
            ConfigError::at(text, e.span(), message)
        })?;
        let rule = |r: &Spanned<String>, table: &str| -> Result<String, ConfigError> {
            match known(r.get_ref()) {
                true => Ok(r.get_ref().clone()),
                false => {
                    Err(ConfigError::at(text, Some(r.span()), format!("{table}unknown rule id `{}` (see `cbench rules`)", r.get_ref())))
                }
            }
        };
        let ignore = raw.ignore.iter().map(|r| rule(r, "ignore: ")).collect::<Result<Vec<_>, _>>()?;
        let mut severity = HashMap::new();
        for (id, s) in &raw.severity {
            let id = rule(id, "[severity] ")?;
            let sev = Severity::parse(s.get_ref())
                .ok_or_else(|| ConfigError::at(text, Some(s.span()), format!("[severity] {id}: unknown severity `{}`", s.get_ref())))?;
            severity.insert(id, sev);
        }
        let mut per_path = Vec::new();
        for (glob, rules) in &raw.per_path {
            let m = Glob::new(glob.get_ref())
                .map_err(|e| ConfigError::at(text, Some(glob.span()), format!("[per-path] {}: {e}", glob.get_ref())))?
                .compile_matcher();
            let rules = rules.iter().map(|r| rule(r, "[per-path] ")).collect::<Result<Vec<_>, _>>()?;
            per_path.push((m, rules));
        }
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Ok(Config { path: Some(path.to_path_buf()), dir, ignore, severity, per_path })
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

    fn known(id: &str) -> bool {
        ["healthcheck-missing", "image-not-pinned", "runs-as-root"].contains(&id)
    }

    #[test]
    fn parse_and_match() {
        let c = Config::parse(
            Path::new("/repo/.cbench.toml"),
            "ignore = [\"healthcheck-missing\"]\n[severity]\nimage-not-pinned = \"medium\"\n[per-path]\n\"legacy/*.yaml\" = [\"runs-as-root\"]\n",
            &known,
        )
        .unwrap();
        assert!(c.ignores("healthcheck-missing", Path::new("/repo/x.yaml")));
        assert!(c.ignores("runs-as-root", Path::new("/repo/legacy/a.yaml")));
        assert!(!c.ignores("runs-as-root", Path::new("/repo/new/a.yaml")));
        assert_eq!(c.severity("image-not-pinned"), Some(Severity::Medium));
        let err = |text: &str| Config::parse(Path::new("x"), text, &known).err().map(|e| (e.line, e.col, e.message));
        assert_eq!(
            err("[severity]\nrunss-as-root = \"low\"\n"),
            Some((Some(2), Some(1), "[severity] unknown rule id `runss-as-root` (see `cbench rules`)".into()))
        );
        assert_eq!(
            err("[severity]\nruns-as-root = \"huge\"\n"),
            Some((Some(2), Some(16), "[severity] runs-as-root: unknown severity `huge`".into()))
        );
        assert_eq!(
            err("ignore = [\"runs-as-root\", \"healthcheck-mising\"]\n"),
            Some((Some(1), Some(27), "ignore: unknown rule id `healthcheck-mising` (see `cbench rules`)".into()))
        );
        assert_eq!(
            err("[per-path]\n\"a/*\" = [\"nope\"]\n"),
            Some((Some(2), Some(10), "[per-path] unknown rule id `nope` (see `cbench rules`)".into()))
        );
        assert_eq!(err("unknown = 1\n").map(|e| e.0), Some(Some(1)));
    }
}

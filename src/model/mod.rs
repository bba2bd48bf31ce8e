//! Facts and findings: plain data, shared by every source, rule and report.

pub mod daemon;
pub mod host;
pub mod source;
pub mod spec;

pub use daemon::{DaemonConfig, DaemonUser, Swarm};
pub use host::{
    Accounts, AuditFacts, AuditRule, Fact, FileFacts, HostFacts, MacFacts, ModuleState, MountFacts, Mounts, Password, SocketFacts, Special,
    SpecialKind, SshdFacts, SudoRule, User, module_key,
};
pub use source::SourceText;
pub use spec::*;

use std::fmt;
use std::sync::Arc;

use serde::Serialize;

/// Where a value came from.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Origin {
    /// A position in a file (1-based line and column).
    File { path: Arc<str>, line: u32, col: u32 },
    /// A field of an API object, e.g. `container web .HostConfig.Privileged`.
    Field(String),
    /// Nothing set it: the value is a default.
    Unset,
}

impl Origin {
    pub fn file(path: &Arc<str>, line: u32, col: u32) -> Origin {
        Origin::File { path: path.clone(), line, col }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::File { path, line, col } => write!(f, "{path}:{line}:{col}"),
            Origin::Field(s) => f.write_str(s),
            Origin::Unset => f.write_str("(unset)"),
        }
    }
}

/// A value and where it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Val<T> {
    pub value: T,
    pub origin: Origin,
}

impl<T> Val<T> {
    pub fn new(value: T, origin: Origin) -> Self {
        Val { value, origin }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [Severity::Critical, Severity::High, Severity::Medium, Severity::Low, Severity::Info];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|v| v.as_str().eq_ignore_ascii_case(s))
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a finding is about: a Compose service, a container, an image, the daemon, the host.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Subject {
    pub kind: &'static str,
    pub name: String,
}

/// One thing a rule found.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    pub rule: &'static str,
    pub severity: Severity,
    pub message: String,
    /// The subject's index in the run (`Run::checked`, `Run::subject_of`): the check is
    /// (rule, at).
    pub at: u32,
    /// The CIS id of what this finding is about, when the rule covers several.
    pub cis: Option<&'static str>,
    /// The primary location; `Origin::Unset` when the problem is something missing.
    pub origin: Origin,
    /// Other places that matter (e.g. where a merged value was declared, the service that lacks it).
    pub related: Vec<Origin>,
    /// The offending setting, never a secret value.
    pub evidence: String,
    pub suppressed: bool,
    /// What suppressed it: "inline comment", "config" (.cbench.toml) or "baseline".
    pub suppressed_by: Option<&'static str>,
    /// Hidden by a display option (`--min-severity`, `--select`/`--ignore`): not shown, not
    /// counted for the exit code; the check's outcome stays.
    pub hidden: bool,
    /// The source at `origin` holds a secret: reports must not show that text.
    pub redact: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiagKind {
    /// Invalid input: exit code 2.
    Error,
    /// Something referenced could not be read, so the view is partial (exit 2 unless allowed).
    Partial,
    Warning,
}

/// A problem with the input itself (not a finding about what it describes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub kind: DiagKind,
    pub path: String,
    pub line: Option<u32>,
    pub col: Option<u32>,
    pub message: String,
}

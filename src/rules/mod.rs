//! Rules: pure functions from facts to findings. No I/O, no printing.
//!
//! The registry is one explicit list; each rule's metadata lives in `rules/<family>.yaml`.

pub mod access;
pub mod audit;
pub mod catalog;
pub mod container;
pub mod context;
pub mod daemon;
pub mod drift;
pub mod files;
pub mod fs;
pub mod image;
pub mod kernel;
pub mod mac;
pub mod ssh;
pub mod users;

use crate::model::{ContainerSpec, Mount, Origin, Severity, Val};

/// What a rule reports; the command adds the rule id, subject and metadata.
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    pub message: String,
    pub origin: Origin,
    pub evidence: String,
    /// Overrides the rule's severity (e.g. a read-only sensitive mount is medium).
    pub severity: Option<Severity>,
    pub related: Vec<Origin>,
    /// Shown only with `--pedantic`.
    pub pedantic: bool,
    /// The text at `origin` is a secret: reports must not quote it.
    pub redact: bool,
}

impl Hit {
    pub fn new(message: impl Into<String>, origin: Origin, evidence: impl Into<String>) -> Hit {
        Hit {
            message: message.into(),
            origin,
            evidence: evidence.into(),
            severity: None,
            related: Vec::new(),
            pedantic: false,
            redact: false,
        }
    }

    pub fn redacted(mut self) -> Hit {
        self.redact = true;
        self
    }

    pub fn severity(mut self, s: Severity) -> Hit {
        self.severity = Some(s);
        self
    }

    pub fn with_related(mut self, o: Origin) -> Hit {
        self.related.push(o);
        self
    }
}

/// The outcome of one daemon or host check.
#[derive(Debug, PartialEq)]
pub enum Check {
    Pass,
    Fail(Vec<Hit>),
    /// Could not run, with the reason (not applicable, not readable without root, ...).
    Skip(String),
    /// Should have run but its input is broken (a daemon.json dockerd cannot parse).
    Error(String),
}

impl From<Vec<Hit>> for Check {
    /// No hit is a pass.
    fn from(hits: Vec<Hit>) -> Check {
        if hits.is_empty() { Check::Pass } else { Check::Fail(hits) }
    }
}

/// A rule that judges the host itself.
pub type HostCheck = fn(&crate::model::HostFacts) -> Check;

/// The host sections and their rules, in report order.
pub const HOST_SECTIONS: &[(&str, &[(&str, HostCheck)])] = &[
    ("files", files::RULES),
    ("socket", access::RULES),
    ("audit", audit::RULES),
    ("kernel", kernel::RULES),
    ("ssh", ssh::RULES),
    ("users", users::RULES),
    ("mac", mac::RULES),
    ("fs", fs::RULES),
];

pub fn host_rule_ids() -> impl Iterator<Item = &'static str> {
    HOST_SECTIONS.iter().flat_map(|(_, rules)| rules.iter().map(|(id, _)| *id))
}

/// A rule that judges one container (a Compose service, a running container, an OCI bundle).
pub type ContainerCheck = fn(&ContainerSpec) -> Vec<Hit>;

/// What a project rule sees of each container of the project: its name and mounts.
pub struct Member<'a> {
    pub name: &'a str,
    pub mounts: &'a [Val<Mount>],
}

/// A rule that judges the containers of one project together; hits name the container's index.
pub type ProjectCheck = fn(&[Member]) -> Vec<(usize, Hit)>;

pub use container::{CONTAINER_RULES, PROJECT_RULES};

/// Where the container is declared, for findings about a missing setting.
pub fn declared(spec: &ContainerSpec) -> Origin {
    spec.declared_at.clone().unwrap_or(Origin::Unset)
}

use crate::model::{Finding, Subject};

/// A hit of rule `rule` on `subject`, with the rule's severity unless the hit overrides it.
pub fn finding(rule: &'static str, subject: &Subject, hit: Hit) -> Finding {
    let default = catalog::get(rule).map_or(Severity::Medium, |m| m.severity);
    Finding {
        rule,
        severity: hit.severity.unwrap_or(default),
        message: hit.message,
        subject: subject.clone(),
        origin: hit.origin,
        related: hit.related,
        evidence: hit.evidence,
        suppressed: false,
        redact: hit.redact,
    }
}

/// Run every container rule on one container.
/// `pedantic` keeps the hits only pedantic users want.
pub fn check_container(subject: &Subject, spec: &ContainerSpec, pedantic: bool) -> Vec<Finding> {
    let mut out = Vec::new();
    for (id, check) in CONTAINER_RULES {
        for mut hit in check(spec).into_iter().filter(|h| pedantic || !h.pedantic) {
            if let Some(declared) = &spec.declared_at
                && declared_elsewhere(&hit.origin, declared)
            {
                hit.related.push(declared.clone());
            }
            out.push(finding(id, subject, hit));
        }
    }
    out
}

/// A value that comes from outside the container's own declaration (an anchor above it, a file
/// it extends): the report then also points at the container that uses it.
fn declared_elsewhere(origin: &Origin, declared: &Origin) -> bool {
    match (origin, declared) {
        (Origin::File { path: p, line: l, .. }, Origin::File { path: dp, line: dl, .. }) => p != dp || l < dl,
        _ => false,
    }
}

/// Run the project rules across the containers of one project, given as (subject, mounts).
pub fn check_project(containers: &[(Subject, &[Val<Mount>])]) -> Vec<Finding> {
    let members: Vec<Member> = containers.iter().map(|(s, mounts)| Member { name: &s.name, mounts }).collect();
    let mut out = Vec::new();
    for (id, check) in PROJECT_RULES {
        out.extend(check(&members).into_iter().map(|(i, h)| finding(id, &containers[i].0, h)));
    }
    out
}

/// Run every container rule and the project rules across them.
pub fn check_containers(containers: &[(Subject, &ContainerSpec)], pedantic: bool) -> Vec<Finding> {
    let mut out: Vec<Finding> = containers.iter().flat_map(|(s, spec)| check_container(s, spec, pedantic)).collect();
    let mounts: Vec<(Subject, &[Val<Mount>])> = containers.iter().map(|(s, spec)| (s.clone(), &spec.mounts[..])).collect();
    out.extend(check_project(&mounts));
    out
}

/// Ids of every rule, in catalog order.
pub fn all_rule_ids() -> Vec<&'static str> {
    let mut ids = container_rule_ids();
    ids.extend(daemon::DAEMON_RULES.iter().map(|(id, _)| *id));
    ids.extend(image::IMAGE_RULES.iter().map(|(id, _)| *id));
    ids.push("compose-drift");
    ids.push("apparmor-profile-missing");
    ids.extend(host_rule_ids());
    ids
}

/// Ids of every rule that judges containers.
pub fn container_rule_ids() -> Vec<&'static str> {
    CONTAINER_RULES.iter().map(|(id, _)| *id).chain(PROJECT_RULES.iter().map(|(id, _)| *id)).collect()
}

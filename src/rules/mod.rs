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
pub mod provision;
pub mod ssh;
pub mod users;

pub mod select;

use std::sync::{Arc, OnceLock};

pub use select::{SelectError, Selection};

use crate::model::{ContainerSpec, Mount, Origin, Severity, Val};
use crate::runner::Run;
pub use crate::runner::SkipKind;

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
    /// The CIS id of what this hit is about, when the rule covers several (the audit rule for
    /// /run/containerd is 1.1.4 alone); None: the rule's ids.
    pub cis: Option<&'static str>,
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
            cis: None,
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

    pub fn cis(mut self, id: &'static str) -> Hit {
        self.cis = Some(id);
        self
    }

    pub fn with_cis(mut self, id: Option<&'static str>) -> Hit {
        self.cis = id;
        self
    }

    pub fn with_related(mut self, o: Origin) -> Hit {
        self.related.push(o);
        self
    }
}

/// What a rule returns for one subject; the runner (`Run::record`) turns it into the outcome.
#[derive(Debug, PartialEq)]
pub enum Check {
    Pass,
    Fail(Vec<Hit>),
    /// The rule does not apply to this subject, with the reason.
    NotApplicable(String),
    /// Could not check (offline, unreadable, needs --deep...), with the kind and the reason.
    Skip(SkipKind, String),
    /// Should have run but its input is broken (a daemon.json dockerd cannot parse).
    Error(String),
}

/// How the reason of `Check::unreadable` begins.
pub const UNREADABLE: &str = "not readable without root: ";

impl Check {
    pub fn na(why: impl Into<String>) -> Check {
        Check::NotApplicable(why.into())
    }

    /// A check whose input `path` could not be read for lack of permission (a file refused
    /// for what it is gets its refusal as the reason, from the host command).
    pub fn unreadable(path: &str) -> Check {
        Check::Skip(SkipKind::Unreadable, format!("{UNREADABLE}{path}"))
    }

    pub fn skip(kind: SkipKind, why: impl Into<String>) -> Check {
        Check::Skip(kind, why.into())
    }
}

impl Check {
    /// Hits found on a fact that may be incomplete: they stand; finding none where `unread`
    /// could not be read is no pass.
    pub fn partial(hits: Vec<Hit>, unread: Option<&str>) -> Check {
        match unread {
            Some(path) if hits.is_empty() => Check::unreadable(path),
            _ => hits.into(),
        }
    }
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

/// What a project rule sees of each container of the project: its name, mounts and the
/// namespaces it joins.
pub struct Member<'a> {
    pub name: &'a str,
    pub mounts: &'a [Val<Mount>],
    pub modes: &'a Modes,
}

/// The namespace modes of a container (`host`, `service:NAME`, ...), kept for the project
/// rules once the rest of its spec is gone.
#[derive(Clone, Debug, Default)]
pub struct Modes {
    pub network: Option<Val<String>>,
    pub pid: Option<Val<String>>,
    pub ipc: Option<Val<String>>,
    /// Other names that `container:X` may use for this container (a running one's full id and
    /// name); a Compose service is known by its service name.
    pub names: Vec<String>,
}

impl Modes {
    pub fn of(spec: &ContainerSpec) -> Modes {
        Modes { network: spec.network_mode.clone(), pid: spec.pid.clone(), ipc: spec.ipc.clone(), names: Vec::new() }
    }
}

/// One container as `judge_project` takes it: its subject index, mounts and modes.
pub type ProjectMember<'a> = (u32, &'a [Val<Mount>], &'a Modes);

/// A rule that judges the containers of one project together; hits name the container's index.
pub type ProjectCheck = fn(&[Member]) -> Vec<(usize, Hit)>;

pub use container::{CONTAINER_RULES, PROJECT_RULES};

/// Where the container is declared, for findings about a missing setting.
pub fn declared(spec: &ContainerSpec) -> Origin {
    spec.declared_at.clone().unwrap_or(Origin::Unset)
}

use crate::model::{Finding, Subject};

/// A hit of rule `rule` on subject number `at`, with the rule's severity unless the hit
/// overrides it.
pub fn finding(rule: &'static str, at: u32, hit: Hit) -> Finding {
    let default = catalog::get(rule).map_or(Severity::Medium, |m| m.severity);
    Finding {
        rule,
        severity: hit.severity.unwrap_or(default),
        message: hit.message,
        at,
        origin: hit.origin,
        related: hit.related,
        evidence: hit.evidence,
        cis: hit.cis,
        suppressed: false,
        suppressed_by: None,
        hidden: false,
        redact: hit.redact,
    }
}

/// A container rule that needs a running container's context (the daemon, the Compose
/// service it was made from, what the other rules found on it).
pub type ContextCheck = fn(&ContainerSpec, &Context, &[Finding]) -> Check;

/// What a running container's context rules see.
pub struct Context<'a> {
    pub daemon: &'a crate::model::DaemonConfig,
    /// The Compose service the container was made from, judged from its file.
    pub service: ComposeSource<'a>,
}

pub enum ComposeSource<'a> {
    /// Not made by Compose.
    None,
    /// Made by Compose, but its files cannot be read here (why).
    Unreadable(String),
    /// The service's findings, from `file`.
    Service { file: &'a str, findings: &'a [Finding] },
}

pub const CONTEXT_RULES: &[(&str, ContextCheck)] = &[
    ("compose-drift", drift::compose_drift),
    ("apparmor-profile-missing", context::apparmor_profile_missing),
    ("published-ports", context::published_ports),
];

/// Ids of the rules a container subject is judged by: the container rules, then the project
/// rules; `context`: also the rules that need a running container's context.
pub fn container_checks(context: bool) -> Arc<[&'static str]> {
    static PLAIN: OnceLock<Arc<[&'static str]>> = OnceLock::new();
    static CONTEXT: OnceLock<Arc<[&'static str]>> = OnceLock::new();
    let ids = || CONTAINER_RULES.iter().map(|(id, _)| *id).chain(PROJECT_RULES.iter().map(|(id, _)| *id));
    if context {
        CONTEXT.get_or_init(|| ids().chain(CONTEXT_RULES.iter().map(|(id, _)| *id)).collect()).clone()
    } else {
        PLAIN.get_or_init(|| ids().collect()).clone()
    }
}

/// Judge one container (a Compose service, a running container, an OCI bundle) with every
/// container rule; `ctx`: a running container's context, for the context rules. Returns the
/// subject's index; the project rules are recorded by `judge_project`.
pub fn judge_container(
    run: &mut Run,
    section: &'static str,
    subject: Subject,
    spec: &ContainerSpec,
    pedantic: bool,
    ctx: Option<&Context>,
) -> u32 {
    let kind = subject.kind;
    let at = run.begin(section, subject, container_checks(ctx.is_some()));
    if let Some(Origin::File { path, .. }) = &spec.declared_at {
        run.checked[at as usize].file = Some(path.clone());
        run.checked[at as usize].declared = spec.declared_at.clone();
    }
    // Which rules do not apply to which subject kinds: from the metadata, read once.
    static NOT_FOR: OnceLock<Vec<Vec<(String, String)>>> = OnceLock::new();
    let not_for = NOT_FOR.get_or_init(|| {
        CONTAINER_RULES.iter().map(|(id, _)| catalog::get(id).map(|m| m.not_applicable.clone()).unwrap_or_default()).collect()
    });
    for (i, (_, check)) in CONTAINER_RULES.iter().enumerate() {
        if let Some((_, why)) = not_for[i].iter().find(|(k, _)| k == kind) {
            run.record(at, i, Check::na(format!("not applicable: {why}")));
            continue;
        }
        let mut hits = check(spec);
        for hit in &mut hits {
            hit.evidence = container::in_words_of(kind, std::mem::take(&mut hit.evidence));
        }
        // `--pedantic` is a stricter policy, not a display filter: without it those hits are
        // not made.
        hits.retain(|h| pedantic || !h.pedantic);
        if let Some(declared) = &spec.declared_at {
            for hit in hits.iter_mut().filter(|h| declared_elsewhere(&h.origin, declared)) {
                hit.related.push(declared.clone());
            }
        }
        run.record(at, i, hits.into());
    }
    if let Some(ctx) = ctx {
        let base = CONTAINER_RULES.len() + PROJECT_RULES.len();
        let found: Vec<Finding> = run.findings.iter().rev().take_while(|f| f.at == at).cloned().collect();
        for (j, (_, check)) in CONTEXT_RULES.iter().enumerate() {
            run.record(at, base + j, check(spec, ctx, &found));
        }
    }
    at
}

/// A value that comes from outside the container's own declaration (an anchor above it, a file
/// it extends): the report then also points at the container that uses it.
fn declared_elsewhere(origin: &Origin, declared: &Origin) -> bool {
    match (origin, declared) {
        (Origin::File { path: p, line: l, .. }, Origin::File { path: dp, line: dl, .. }) => p != dp || l < dl,
        _ => false,
    }
}

/// Run the project rules across the containers of one project, given as (subject index, mounts).
pub fn judge_project(run: &mut Run, members: &[ProjectMember]) {
    let names: Vec<String> = members.iter().map(|(at, ..)| run.checked[*at as usize].subject.name.clone()).collect();
    let view: Vec<Member> = members.iter().zip(&names).map(|((_, mounts, modes), name)| Member { name, mounts, modes }).collect();
    for (j, (_, check)) in PROJECT_RULES.iter().enumerate() {
        let mut by_member: Vec<Vec<Hit>> = vec![Vec::new(); members.len()];
        for (i, hit) in check(&view) {
            by_member[i].push(hit);
        }
        for ((at, ..), hits) in members.iter().zip(by_member) {
            run.record(*at, CONTAINER_RULES.len() + j, hits.into());
        }
    }
}

/// How a rule judges: the facts it takes.
#[derive(Clone, Copy)]
pub enum Judge {
    Container(ContainerCheck),
    Project(ProjectCheck),
    Context(ContextCheck),
    Daemon(daemon::DaemonCheck),
    Image(image::ImageCheck),
    Host(HostCheck),
    Provision(provision::ProvisionCheck),
}

/// One registered rule: its id (metadata in `rules/*.yaml`), the report section of its
/// subjects, and its function.
#[derive(Clone, Copy)]
pub struct Rule {
    pub id: &'static str,
    pub section: &'static str,
    pub judge: Judge,
}

/// The registry: every rule of every family, once, in catalog order. Each family module lists
/// its rules; this is the one place they come together.
pub fn registry() -> &'static [Rule] {
    static REGISTRY: OnceLock<Vec<Rule>> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        let mut all = Vec::new();
        let rule = |id, section, judge| Rule { id, section, judge };
        all.extend(CONTAINER_RULES.iter().map(|(id, f)| rule(*id, "containers", Judge::Container(*f))));
        all.extend(PROJECT_RULES.iter().map(|(id, f)| rule(*id, "containers", Judge::Project(*f))));
        all.extend(daemon::DAEMON_RULES.iter().map(|(id, f)| rule(*id, "daemon", Judge::Daemon(*f))));
        all.extend(image::IMAGE_RULES.iter().map(|(id, f)| rule(*id, "images", Judge::Image(*f))));
        all.extend(CONTEXT_RULES.iter().map(|(id, f)| rule(*id, "containers", Judge::Context(*f))));
        for (section, rules) in HOST_SECTIONS {
            all.extend(rules.iter().map(|(id, f)| rule(*id, section, Judge::Host(*f))));
        }
        all.extend(provision::RULES.iter().map(|(id, f)| rule(*id, "provision", Judge::Provision(*f))));
        all
    })
}

/// Ids of every rule, in catalog order.
pub fn all_rule_ids() -> Vec<&'static str> {
    registry().iter().map(|r| r.id).collect()
}

/// Ids of every rule that judges Compose services and OCI bundles.
pub fn container_rule_ids() -> Vec<&'static str> {
    container_checks(false).to_vec()
}

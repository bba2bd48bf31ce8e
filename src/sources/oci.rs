//! The OCI source: a runtime bundle's `config.json` (runc, containerd, CRI-O, podman, and
//! Docker's own running containers) to a `ContainerSpec`. What a bundle says is what the
//! process runs with: the effective capability set, the namespaces it does not unshare, the
//! seccomp filter, the masked /proc paths.
// The OCI source reads the bundles it is given: its own door, not the host.
#![allow(clippy::disallowed_methods)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use oci_spec::runtime::{LinuxNamespaceType, Spec};

use crate::model::*;

/// Docker's default capability set: what a container gets without cap_add or cap_drop. Podman's
/// compatible API reports CapAdd/CapDrop relative to it too (measured with Podman 4.3: its own
/// default set, or one containers.conf sets, shows as drops and adds against these 14).
pub const DOCKER_DEFAULT_CAPS: [&str; 14] = [
    "CHOWN",
    "DAC_OVERRIDE",
    "FSETID",
    "FOWNER",
    "MKNOD",
    "NET_RAW",
    "SETGID",
    "SETUID",
    "SETFCAP",
    "SETPCAP",
    "NET_BIND_SERVICE",
    "SYS_CHROOT",
    "KILL",
    "AUDIT_WRITE",
];

/// Every capability this kernel ABI knows (from the `caps` crate), without `CAP_`.
pub fn all_caps() -> BTreeSet<String> {
    caps::all().into_iter().map(|c| c.to_string().trim_start_matches("CAP_").to_string()).collect()
}

/// A bundle directory or its config.json.
pub fn config_path(path: &Path) -> PathBuf {
    if path.is_dir() { path.join("config.json") } else { path.to_path_buf() }
}

/// A bundle that cannot be read: the message, and the line and column where known.
#[derive(Debug, PartialEq, Eq)]
pub struct LoadError {
    pub path: PathBuf,
    pub line: Option<u32>,
    pub col: Option<u32>,
    pub message: String,
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
        }
        if let Some(c) = self.col {
            write!(f, ":{c}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for LoadError {}

/// Read and parse a bundle's config.json.
pub fn load(path: &Path) -> Result<Spec, LoadError> {
    let config = config_path(path);
    let fail = |line, col, message| LoadError { path: config.clone(), line, col, message };
    let text = crate::sources::read::text(&config, crate::sources::read::OCI_CONFIG, "an OCI config.json")
        .map_err(|e| fail(None, None, if e.is_refused() { e.to_string() } else { format!("cannot read: {e}") }))?;
    serde_json::from_str(&text).map_err(|e| {
        let message = format!("not an OCI runtime spec: {}", crate::redact::serde_message(&e));
        fail(Some(e.line() as u32), Some(e.column() as u32), message)
    })
}

/// Files the runtime itself bind-mounts into every container (resolv.conf, hosts, hostname
/// under its own state directory): not a choice of whoever wrote the container.
fn runtime_managed(source: &str, target: &str) -> bool {
    matches!(target, "/etc/resolv.conf" | "/etc/hosts" | "/etc/hostname" | "/dev/shm" | "/run/.containerenv")
        && ["/var/lib/docker/containers/", "/var/lib/containers/", "/run/containers/", "/var/run/containers/", "/run/containerd/"]
            .iter()
            .any(|dir| source.starts_with(dir))
}

/// The facts of the container a bundle describes. `name` labels the origins.
pub fn container_spec(name: &str, spec: &Spec) -> ContainerSpec {
    let at = |field: &str| Origin::Field(format!("bundle {name} {field}").trim_end().to_string());
    let mut c = ContainerSpec { declared_at: Some(at("")), ..Default::default() };
    c.read_only = spec.root().as_ref().map(|r| Val::new(r.readonly().unwrap_or(false), at(".root.readonly")));
    if let Some(p) = spec.process() {
        let user = p.user();
        c.user = Some(Val::new(format!("{}:{}", user.uid(), user.gid()), at(".process.user")));
        c.security.no_new_privileges = Some(Val::new(p.no_new_privileges().unwrap_or(false), at(".process.noNewPrivileges")));
        if let Some(profile) = p.apparmor_profile().as_ref().filter(|s| !s.is_empty()) {
            c.security.apparmor = Some(Val::new(profile.clone(), at(".process.apparmorProfile")));
        }
        c.command = p.args().clone().map(|a| Val::new(a, at(".process.args")));
        c.env = p
            .env()
            .iter()
            .flatten()
            .map(|e| {
                let (name, value) = e.split_once('=').map_or((e.as_str(), None), |(n, v)| (n, Some(v.to_string())));
                Val::new(EnvVar { name: name.to_string(), value, literal: false, default: None }, at(".process.env"))
            })
            .collect();
        // The effective set, as Docker computes it: default set + cap_add − cap_drop.
        let effective: BTreeSet<String> = p
            .capabilities()
            .as_ref()
            .and_then(|caps| caps.effective().clone().or_else(|| caps.bounding().clone()))
            .into_iter()
            .flatten()
            .map(|cap| crate::sources::compose::convert::normalize_cap(&cap.to_string()))
            .collect();
        let origin = at(".process.capabilities.effective");
        let all = all_caps();
        if all.is_subset(&effective) {
            c.cap_add = vec![Val::new("ALL".to_string(), origin.clone())];
        } else {
            c.cap_add = effective
                .iter()
                .filter(|cap| !DOCKER_DEFAULT_CAPS.contains(&cap.as_str()))
                .map(|cap| Val::new(cap.clone(), origin.clone()))
                .collect();
        }
        let dropped: Vec<&str> = DOCKER_DEFAULT_CAPS.iter().copied().filter(|d| !effective.contains(*d)).collect();
        c.cap_drop = if dropped.len() == DOCKER_DEFAULT_CAPS.len() {
            vec![Val::new("ALL".to_string(), origin.clone())]
        } else {
            dropped.into_iter().map(|d| Val::new(d.to_string(), origin.clone())).collect()
        };
    }
    if let Some(linux) = spec.linux() {
        // A namespace the bundle does not create (or joins by path) is the host's.
        let namespaces = linux.namespaces().clone().unwrap_or_default();
        let host = |typ: LinuxNamespaceType| !namespaces.iter().any(|n| n.typ() == typ && n.path().is_none());
        let ns = |typ, field: &str| host(typ).then(|| Val::new("host".to_string(), at(&format!(".linux.namespaces ({field} absent)"))));
        c.network_mode = ns(LinuxNamespaceType::Network, "network");
        c.pid = ns(LinuxNamespaceType::Pid, "pid");
        c.ipc = ns(LinuxNamespaceType::Ipc, "ipc");
        c.uts = ns(LinuxNamespaceType::Uts, "uts");
        if linux.seccomp().is_none() {
            c.security.seccomp = Some(Val::new("unconfined".to_string(), at(".linux.seccomp (absent)")));
        }
        if linux.masked_paths().as_ref().is_none_or(|m| m.is_empty()) {
            c.security.systempaths_unconfined = Some(Val::new((), at(".linux.maskedPaths (empty)")));
        }
        c.devices = linux.devices().iter().flatten().map(|d| Val::new(d.path().display().to_string(), at(".linux.devices"))).collect();
        let mut sysctls: Vec<(String, String)> = linux.sysctl().iter().flatten().map(|(k, v)| (k.clone(), v.clone())).collect();
        sysctls.sort();
        c.sysctls = sysctls.into_iter().map(|kv| Val::new(kv, at(".linux.sysctl"))).collect();
        if let Some(r) = linux.resources() {
            c.limits.memory = r
                .memory()
                .as_ref()
                .and_then(|m| m.limit())
                .filter(|l| *l > 0)
                .map(|l| Val::new(l as u64, at(".linux.resources.memory.limit")));
            c.limits.cpu_quota =
                r.cpu().as_ref().and_then(|c| c.quota()).filter(|q| *q > 0).map(|q| Val::new(q, at(".linux.resources.cpu.quota")));
            c.limits.cpu_shares =
                r.cpu().as_ref().and_then(|c| c.shares()).filter(|s| *s > 0).map(|s| Val::new(s as i64, at(".linux.resources.cpu.shares")));
            c.limits.pids = r.pids().as_ref().map(|p| p.limit()).filter(|l| *l > 0).map(|l| Val::new(l, at(".linux.resources.pids.limit")));
        }
    }
    for m in spec.mounts().iter().flatten() {
        let options = m.options().clone().unwrap_or_default();
        let bind = m.typ().as_deref() == Some("bind") || options.iter().any(|o| o == "bind" || o == "rbind");
        let kind = match m.typ().as_deref() {
            _ if bind => MountKind::Bind,
            Some("tmpfs") => MountKind::Tmpfs,
            _ => continue, // proc, sysfs, devpts, mqueue, cgroup: the runtime's own
        };
        let source = m.source().as_ref().map(|s| s.display().to_string());
        if source.as_deref().is_some_and(|s| runtime_managed(s, &m.destination().display().to_string())) {
            continue;
        }
        let mount = Mount {
            kind,
            source,
            target: m.destination().display().to_string(),
            read_only: options.iter().any(|o| o == "ro"),
            propagation: options
                .iter()
                .find(|o| matches!(o.as_str(), "shared" | "rshared" | "slave" | "rslave" | "private" | "rprivate"))
                .cloned(),
            options: if kind == MountKind::Tmpfs { options.clone() } else { Vec::new() },
        };
        c.mounts.push(Val::new(mount, at(".mounts")));
    }
    c
}

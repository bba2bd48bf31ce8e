//! docker-socket-mount, sensitive-host-mount, shared-mount-propagation, writable-root-filesystem,
//! tmpfs-exec, shared-writable-volume

use std::collections::BTreeMap;

use crate::model::{ContainerSpec, Mount, MountKind, Severity, Val};
use crate::rules::{Hit, Member, declared};

const SOCKETS: &[&str] = &["docker.sock", "containerd.sock", "podman.sock", "crio.sock"];
const SOCKET_DIRS: &[&str] =
    &["/var/run", "/run", "/run/docker", "/var/run/docker", "/run/containerd", "/var/run/containerd", "/run/podman", "/var/run/podman"];
const SENSITIVE: &[&str] = &["/boot", "/dev", "/etc", "/lib", "/lib64", "/proc", "/sys", "/usr", "/root", "/var/lib/docker"];
/// Read-only binds of these files are routine (time zone) and not reported.
const HARMLESS_RO: &[&str] = &["/etc/localtime", "/etc/timezone"];

fn binds(s: &ContainerSpec) -> impl Iterator<Item = (&str, &Val<Mount>)> {
    s.mounts
        .iter()
        .filter(|m| m.value.kind == MountKind::Bind)
        .filter_map(|m| m.value.source.as_deref().map(|src| (src.trim_end_matches('/'), m)))
        .map(|(src, m)| (if src.is_empty() { "/" } else { src }, m))
}

fn under(path: &str, dir: &str) -> bool {
    path == dir || path.strip_prefix(dir).is_some_and(|rest| rest.starts_with('/'))
}

pub fn docker_socket_mount(s: &ContainerSpec) -> Vec<Hit> {
    binds(s)
        .filter(|(src, _)| src.rsplit_once('/').is_some_and(|(_, name)| SOCKETS.contains(&name)) || SOCKET_DIRS.contains(src))
        .map(|(src, m)| {
            let ro = if m.value.read_only { " (read-only does not help: the API is still fully usable)" } else { "" };
            Hit::new(format!("mounts the container runtime socket {src}: root on the host{ro}"), m.origin.clone(), src.to_string())
        })
        .collect()
}

pub fn sensitive_host_mount(s: &ContainerSpec) -> Vec<Hit> {
    binds(s)
        .filter(|(src, m)| !(m.value.read_only && HARMLESS_RO.contains(src)))
        .filter(|(src, _)| *src == "/" || SENSITIVE.iter().any(|d| under(src, d)))
        .map(|(src, m)| {
            let mode = if m.value.read_only { "read-only" } else { "read-write" };
            let h = Hit::new(format!("mounts sensitive host path {src} {mode}"), m.origin.clone(), src.to_string());
            if m.value.read_only { h.severity(Severity::Medium) } else { h }
        })
        .collect()
}

pub fn shared_mount_propagation(s: &ContainerSpec) -> Vec<Hit> {
    s.mounts
        .iter()
        .filter(|m| matches!(m.value.propagation.as_deref(), Some("shared" | "rshared")))
        .map(|m| {
            let p = m.value.propagation.clone().unwrap_or_default();
            Hit::new(
                format!("mount {} uses {p} propagation: host mounts reach the container", m.value.target),
                m.origin.clone(),
                format!("{}:{p}", m.value.target),
            )
        })
        .collect()
}

pub fn writable_root_filesystem(s: &ContainerSpec) -> Vec<Hit> {
    match &s.read_only {
        Some(r) if r.value => vec![],
        Some(r) => vec![Hit::new("root filesystem is writable", r.origin.clone(), "read_only: false")],
        None => vec![Hit::new("root filesystem is writable (read_only is not set)", declared(s), "read_only")],
    }
}

pub fn tmpfs_exec(s: &ContainerSpec) -> Vec<Hit> {
    let read_only = s.read_only.as_ref().is_some_and(|r| r.value);
    s.mounts
        .iter()
        .filter(|m| m.value.kind == MountKind::Tmpfs)
        .filter_map(|m| {
            let opts = &m.value.options;
            let explicit = opts.iter().find(|o| *o == "exec" || *o == "suid");
            let target = &m.value.target;
            if let Some(o) = explicit {
                Some(Hit::new(format!("tmpfs {target} is mounted with `{o}`"), m.origin.clone(), format!("{target}:{o}")))
            } else if read_only && !opts.iter().any(|o| o == "noexec") {
                Some(Hit::new(
                    format!("tmpfs {target} lacks noexec on a read-only container: a place to run dropped binaries"),
                    m.origin.clone(),
                    target.clone(),
                ))
            } else {
                None
            }
        })
        .collect()
}

/// How many other containers a shared-volume finding names.
const MAX_NAMED: usize = 5;

/// The containers (by index) that mount one source, with the mount.
type Users<'a> = Vec<(usize, &'a Val<Mount>)>;

/// The same named volume or host path mounted read-write by several containers.
pub fn shared_writable_volume(members: &[Member]) -> Vec<(usize, Hit)> {
    let mut users: BTreeMap<(bool, &str), Users> = BTreeMap::new();
    for (i, member) in members.iter().enumerate() {
        for m in member.mounts.iter().filter(|m| !m.value.read_only && matches!(m.value.kind, MountKind::Bind | MountKind::Volume)) {
            if let Some(src) = m.value.source.as_deref() {
                users.entry((m.value.kind == MountKind::Bind, src)).or_default().push((i, m));
            }
        }
    }
    let mut hits = Vec::new();
    for ((_, src), list) in users {
        let mut names: Vec<&str> = list.iter().map(|(i, _)| members[*i].name).collect();
        names.dedup();
        if names.len() < 2 {
            continue;
        }
        for (i, m) in &list {
            // Name a few of the others: a volume shared by thousands must not make the output quadratic.
            let others: Vec<&str> = names.iter().copied().filter(|n| *n != members[*i].name).collect();
            let mut shown = others.iter().take(MAX_NAMED).copied().collect::<Vec<_>>().join(", ");
            if others.len() > MAX_NAMED {
                shown.push_str(&format!(" and {} more", others.len() - MAX_NAMED));
            }
            let mut h = Hit::new(format!("{src} is also mounted read-write by {shown}"), m.origin.clone(), src.to_string());
            h.related = list.iter().filter(|(j, _)| j != i).take(MAX_NAMED).map(|(_, o)| o.origin.clone()).collect();
            hits.push((*i, h));
        }
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::container::testing::*;

    fn bind(src: &str, ro: bool, line: u32) -> Val<Mount> {
        v(
            Mount {
                kind: MountKind::Bind,
                source: Some(src.into()),
                target: "/x".into(),
                read_only: ro,
                propagation: None,
                options: vec![],
            },
            line,
        )
    }

    #[test]
    fn sockets_and_sensitive_paths() {
        let s = ContainerSpec {
            mounts: vec![
                bind("/var/run/docker.sock", true, 3),
                bind("/run", false, 4),
                bind("/srv/data", false, 5),
                bind("/etc/localtime", true, 6),
            ],
            ..hardened()
        };
        let ev: Vec<String> = docker_socket_mount(&s).into_iter().map(|h| h.evidence).collect();
        assert_eq!(ev, ["/var/run/docker.sock", "/run"]);
        assert!(sensitive_host_mount(&s).is_empty());
        let s = ContainerSpec { mounts: vec![bind("/", false, 3), bind("/etc/ssl", true, 4), bind("/etcetera", false, 5)], ..hardened() };
        let hits = sensitive_host_mount(&s);
        assert_eq!(
            hits.iter().map(|h| (h.evidence.as_str(), h.severity)).collect::<Vec<_>>(),
            [("/", None), ("/etc/ssl", Some(Severity::Medium))]
        );
    }

    #[test]
    fn shared_volume_across_services() {
        let a = ContainerSpec { mounts: vec![bind("/srv/data", false, 3)], ..hardened() };
        let b = ContainerSpec { mounts: vec![bind("/srv/data", false, 9)], ..hardened() };
        let c = ContainerSpec { mounts: vec![bind("/srv/data", true, 12)], ..hardened() };
        let m = |name, s: &'static ContainerSpec| Member { name, mounts: &s.mounts };
        let (a, b, c) = (Box::leak(Box::new(a)), Box::leak(Box::new(b)), Box::leak(Box::new(c)));
        let hits = shared_writable_volume(&[m("a", a), m("b", b), m("c", c)]);
        assert_eq!(
            hits.iter().map(|(i, h)| (*i, h.message.as_str())).collect::<Vec<_>>(),
            [(0, "/srv/data is also mounted read-write by b"), (1, "/srv/data is also mounted read-write by a")]
        );
    }
}

//! docker-socket-mount, sensitive-host-mount, shared-mount-propagation, writable-root-filesystem,
//! tmpfs-exec, shared-writable-volume

use std::collections::BTreeMap;

use crate::model::{ContainerSpec, Mount, MountKind, Severity, Val};
use crate::rules::{Hit, Member, declared};

/// Container runtime API sockets, by file name: Docker (rootful and rootless), containerd,
/// CRI-O, Podman.
const SOCKETS: &[&str] = &["docker.sock", "containerd.sock", "podman.sock", "crio.sock"];
/// Directories that hold a runtime socket, and their ancestors: mounting one hands out the
/// socket inside it, read-only or not. `/run/user/UID` (rootless Docker and Podman) is matched
/// by shape.
const SOCKET_DIRS: &[&str] = &[
    "/",
    "/var",
    "/var/run",
    "/run",
    "/run/docker",
    "/var/run/docker",
    "/run/containerd",
    "/var/run/containerd",
    "/run/crio",
    "/var/run/crio",
    "/run/podman",
    "/var/run/podman",
    "/run/user",
];

/// Host paths whose mount exposes the host, with what they hold. A path inside one is
/// sensitive too, and so is a directory that holds one (`/var` holds `/var/lib/docker`).
const SENSITIVE: &[(&str, &str)] = &[
    ("/boot", "the kernel and boot loader"),
    ("/dev", "host devices"),
    ("/etc", "host configuration and password hashes"),
    ("/lib", "host libraries"),
    ("/lib64", "host libraries"),
    ("/usr", "host binaries and libraries"),
    ("/bin", "host binaries"),
    ("/sbin", "host binaries"),
    ("/proc", "host processes and kernel settings"),
    ("/sys", "kernel settings and devices"),
    ("/var/lib/docker", "every container's files and Docker's state"),
    ("/var/lib/containerd", "every container's files"),
    ("/var/lib/kubelet", "the kubelet's credentials and pod volumes"),
    ("/var/log", "host logs"),
    ("/run/systemd", "systemd's control socket (start any unit as root)"),
    ("/var/run/systemd", "systemd's control socket (start any unit as root)"),
    ("/run/dbus", "the system D-Bus socket (systemd, logind and polkit as root)"),
    ("/var/run/dbus", "the system D-Bus socket (systemd, logind and polkit as root)"),
    ("/tmp/.X11-unix", "the X server socket (every keystroke and window)"),
];

/// Credential directories and files of a home, wherever the home is (`~` is whoever runs
/// Compose: `~/.ssh` is sensitive for everyone, `~/data` for no one).
const CREDENTIALS: &[&str] = &[
    ".ssh",
    ".gnupg",
    ".docker",
    ".kube",
    ".aws",
    ".azure",
    ".config/gcloud",
    ".netrc",
    ".git-credentials",
    ".password-store",
    ".pgpass",
    ".vault-token",
];

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
    dir == "/" || path == dir || path.strip_prefix(dir).is_some_and(|rest| rest.starts_with('/'))
}

/// `/run/user/1000`: a user's runtime directory (rootless Docker's and Podman's sockets).
fn user_runtime_dir(path: &str) -> bool {
    path.strip_prefix("/run/user/")
        .or_else(|| path.strip_prefix("/var/run/user/"))
        .is_some_and(|uid| uid.bytes().all(|b| b.is_ascii_digit()))
}

pub fn docker_socket_mount(s: &ContainerSpec) -> Vec<Hit> {
    binds(s)
        .filter(|(src, _)| {
            src.rsplit_once('/').is_some_and(|(_, name)| SOCKETS.contains(&name)) || SOCKET_DIRS.contains(src) || user_runtime_dir(src)
        })
        .map(|(src, m)| {
            let what = if src.ends_with(".sock") {
                format!("the container runtime socket {src}")
            } else {
                format!("{src}, which holds the container runtime socket")
            };
            let ro = if m.value.read_only { " (read-only does not help: the API is still fully usable)" } else { "" };
            Hit::new(format!("mounts {what}: root on the host{ro}"), m.origin.clone(), src.to_string())
        })
        .collect()
}

/// What a host path exposes, if it is sensitive: itself, a path inside a sensitive one, or a
/// directory that holds one.
fn exposes(src: &str) -> Option<String> {
    if src == "/" {
        return Some("the whole host".into());
    }
    if let Some((dir, what)) = SENSITIVE.iter().find(|(d, _)| under(src, d)) {
        return Some(if src == *dir { what.to_string() } else { format!("part of {dir}: {what}") });
    }
    // `/tmp` is scratch space: the X11 socket inside it is reported only when mounted itself.
    if let Some((dir, _)) = SENSITIVE.iter().find(|(d, _)| under(d, src) && src != "/tmp") {
        return Some(format!("it holds {dir}"));
    }
    let components: Vec<&str> = src.split('/').filter(|c| !c.is_empty()).collect();
    if let Some(c) = CREDENTIALS.iter().find(|c| {
        let parts: Vec<&str> = c.split('/').collect();
        components.windows(parts.len()).any(|w| w == parts.as_slice())
    }) {
        return Some(format!("credentials ({c})"));
    }
    // A home, or the directory of homes: it holds credential directories.
    match components.as_slice() {
        ["root"] | ["home"] | ["home", _] | ["Users"] | ["Users", _] => {
            Some("a home directory and its credentials (.ssh, .docker, ...)".into())
        }
        _ => None,
    }
}

pub fn sensitive_host_mount(s: &ContainerSpec) -> Vec<Hit> {
    binds(s)
        .filter(|(src, m)| !(m.value.read_only && HARMLESS_RO.contains(src)))
        .filter_map(|(src, m)| exposes(src).map(|what| (src, m, what)))
        .map(|(src, m, what)| {
            let mode = if m.value.read_only { "read-only" } else { "read-write" };
            let h = Hit::new(format!("mounts sensitive host path {src} {mode} ({what})"), m.origin.clone(), src.to_string());
            // Read-only still hands out every secret of the whole host.
            if m.value.read_only && src != "/" { h.severity(Severity::Medium) } else { h }
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

/// Docker mounts a tmpfs `noexec,nosuid,nodev` unless its options say otherwise (checked on
/// the engine for `--tmpfs` and `--mount type=tmpfs`): only an explicit `exec` or `suid` makes
/// it a place to run a dropped binary.
pub fn tmpfs_exec(s: &ContainerSpec) -> Vec<Hit> {
    s.mounts
        .iter()
        .filter(|m| m.value.kind == MountKind::Tmpfs)
        .flat_map(|m| {
            let target = &m.value.target;
            // The last of `exec`/`noexec` (and of `suid`/`nosuid`) wins, as for mount(8).
            let last = |on: &str, off: &str| m.value.options.iter().rev().find(|o| *o == on || *o == off).is_some_and(|o| o == on);
            ["exec", "suid"]
                .into_iter()
                .filter(move |o| last(o, &format!("no{o}")))
                .map(move |o| Hit::new(format!("tmpfs {target} is mounted with `{o}`"), m.origin.clone(), format!("{target}:{o}")))
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
        let ev: Vec<String> = sensitive_host_mount(&s).into_iter().map(|h| h.evidence).collect();
        assert_eq!(ev, ["/run"], "/run holds systemd's and D-Bus's sockets");
        let s = ContainerSpec { mounts: vec![bind("/", false, 3), bind("/etc/ssl", true, 4), bind("/etcetera", false, 5)], ..hardened() };
        let hits = sensitive_host_mount(&s);
        assert_eq!(
            hits.iter().map(|h| (h.evidence.as_str(), h.severity)).collect::<Vec<_>>(),
            [("/", None), ("/etc/ssl", Some(Severity::Medium))]
        );
    }

    #[test]
    fn ancestors_of_sockets_and_sensitive_paths() {
        let socket = |src: &str| docker_socket_mount(&ContainerSpec { mounts: vec![bind(src, true, 3)], ..hardened() }).len();
        for src in
            ["/", "/var", "/var/run", "/run/user/1000", "/run/user/1000/docker.sock", "/run/crio/crio.sock", "/run/podman/podman.sock"]
        {
            assert_eq!(socket(src), 1, "{src}");
        }
        for src in ["/srv", "/var/lib", "/run/user/x", "/var/lib/docker"] {
            assert_eq!(socket(src), 0, "{src}");
        }
        let sensitive = |src: &str, ro: bool| {
            sensitive_host_mount(&ContainerSpec { mounts: vec![bind(src, ro, 3)], ..hardened() }).pop().map(|h| (h.message, h.severity))
        };
        // A read-only `/` still hands out every secret of the host: high.
        assert_eq!(sensitive("/", true), Some(("mounts sensitive host path / read-only (the whole host)".into(), None)));
        assert_eq!(sensitive("/var", false).unwrap().0, "mounts sensitive host path /var read-write (it holds /var/lib/docker)");
        assert_eq!(
            sensitive("/run/dbus/system_bus_socket", false).unwrap().0,
            "mounts sensitive host path /run/dbus/system_bus_socket read-write (part of /run/dbus: the system D-Bus socket (systemd, logind and polkit as root))"
        );
        for src in ["/run/systemd", "/run/systemd/private", "/tmp/.X11-unix", "/home", "/home/alice", "/root", "/Users/bob"] {
            assert!(sensitive(src, false).is_some(), "{src}");
        }
        for src in ["/home/alice/.ssh", "/root/.docker/config.json", "/srv/build/.kube", "/home/u/.config/gcloud"] {
            assert!(sensitive(src, true).unwrap().0.contains("(credentials ("), "{src}");
        }
        for src in ["/root/data", "/home/alice/projects/app", "/srv/data", "/tmp", "/opt/app", "/home/u/.config/app"] {
            assert_eq!(sensitive(src, false), None, "{src}");
        }
    }

    #[test]
    fn shared_volume_across_services() {
        let a = ContainerSpec { mounts: vec![bind("/srv/data", false, 3)], ..hardened() };
        let b = ContainerSpec { mounts: vec![bind("/srv/data", false, 9)], ..hardened() };
        let c = ContainerSpec { mounts: vec![bind("/srv/data", true, 12)], ..hardened() };
        let none: &'static crate::rules::Modes = Box::leak(Box::default());
        let m = |name, s: &'static ContainerSpec| Member { name, mounts: &s.mounts, modes: none };
        let (a, b, c) = (Box::leak(Box::new(a)), Box::leak(Box::new(b)), Box::leak(Box::new(c)));
        let hits = shared_writable_volume(&[m("a", a), m("b", b), m("c", c)]);
        assert_eq!(
            hits.iter().map(|(i, h)| (*i, h.message.as_str())).collect::<Vec<_>>(),
            [(0, "/srv/data is also mounted read-write by b"), (1, "/srv/data is also mounted read-write by a")]
        );
    }
}

//! Socket access rules: who can reach the Docker socket, and how.
//! docker-socket-mode, docker-socket-ownership, docker-group-members, docker-socket-tcp

use crate::model::{HostFacts, Severity};
use crate::rules::{Check, Hit, HostCheck};

/// Each check below returns None when the host has no docker.socket unit (not applicable).
pub const RULES: &[(&str, HostCheck)] = &[
    ("docker-socket-mode", |h| socket_check(docker_socket_mode(h))),
    ("docker-socket-ownership", |h| socket_check(docker_socket_ownership(h))),
    ("docker-group-members", |h| socket_check(docker_group_members(h))),
    ("docker-socket-tcp", |h| socket_check(docker_socket_tcp(h))),
    ("fleet-socket-open", fleet_socket_open),
    ("podman-socket-open", podman_socket_open),
    ("rkt-group-members", rkt_group_members),
];

/// CoreOS's fleet.socket is the fleet API: masked, or root-only with mode 0600.
pub fn fleet_socket_open(h: &HostFacts) -> Check {
    let Some(s) = h.fleet_socket.as_ref().filter(|s| !s.masked) else {
        return Check::na("not applicable: no fleet.socket (or it is masked)");
    };
    let mut hits = Vec::new();
    if s.mode.value & !0o600 != 0 {
        hits.push(Hit::new(
            format!("fleet.socket is created with mode {:04o}, more open than 0600", s.mode.value),
            s.mode.origin.clone(),
            "SocketMode",
        ));
    }
    if !matches!(s.group.value.as_str(), "root" | "0") {
        hits.push(Hit::new(format!("fleet.socket's group is {}, not root", s.group.value), s.group.origin.clone(), "SocketGroup"));
    }
    for l in s.listen.iter().filter(|l| !l.value.starts_with('/')) {
        hits.push(
            Hit::new(format!("fleet.socket listens on TCP {}", l.value), l.origin.clone(), format!("ListenStream={}", l.value))
                .severity(Severity::Critical),
        );
    }
    hits.into()
}

/// Podman's API socket (podman.socket, the Docker-compatible API of a rootful Podman) is root's
/// as much as Docker's: no more open than 0660, owned by root, its group's members named, no TCP.
pub fn podman_socket_open(h: &HostFacts) -> Check {
    let Some(s) = h.podman_socket.as_ref().filter(|s| !s.masked) else {
        return Check::na("not applicable: no podman.socket (or it is masked) and no /run/podman/podman.sock");
    };
    let name = s.unit.rsplit('/').next().unwrap_or(&s.unit);
    let mut hits = Vec::new();
    if s.mode.value & !0o660 & !0o1000 != 0 {
        let hit =
            Hit::new(format!("{name} is created with mode {:04o}, more open than 0660", s.mode.value), s.mode.origin.clone(), "SocketMode");
        hits.push(if s.mode.value & 0o002 != 0 { hit.severity(Severity::Critical) } else { hit });
    }
    if !matches!(s.user.value.as_str(), "root" | "0") {
        hits.push(Hit::new(format!("{name} is owned by {}, not root", s.user.value), s.user.origin.clone(), "SocketUser"));
    }
    for m in &s.group_members {
        hits.push(Hit::new(
            format!("user {} can use Podman's API through group {}: root-equivalent access", m.value, s.group.value),
            m.origin.clone(),
            m.value.clone(),
        ));
    }
    for l in s.listen.iter().filter(|l| !l.value.starts_with('/') && !l.value.starts_with('%') && !l.value.starts_with('@')) {
        hits.push(
            Hit::new(
                format!("{name} listens on TCP {}: Podman's API without TLS", l.value),
                l.origin.clone(),
                format!("ListenStream={}", l.value),
            )
            .severity(Severity::Critical),
        );
    }
    hits.into()
}

/// Members of `rkt` can run rkt pods (and read their images): root-equivalent on CoreOS.
pub fn rkt_group_members(h: &HostFacts) -> Check {
    let Some(members) = h.accounts.groups.get("rkt") else { return Check::na("not applicable: no rkt group") };
    members
        .iter()
        .map(|m| Hit::new(format!("user {} is in group rkt: it can run rkt pods as root", m.value), m.origin.clone(), m.value.clone()))
        .collect::<Vec<_>>()
        .into()
}

fn socket_check(hits: Option<Vec<Hit>>) -> Check {
    hits.map_or_else(|| Check::na("not applicable: no docker.socket unit (or it is masked)"), Check::from)
}

fn socket(h: &HostFacts) -> Option<&crate::model::SocketFacts> {
    h.docker_socket.as_ref().filter(|s| !s.masked)
}

pub fn docker_socket_mode(h: &HostFacts) -> Option<Vec<Hit>> {
    let s = socket(h)?;
    let mode = s.mode.value;
    // Compared as permission bits: 0477 is not "0660 or stricter". The sticky bit (a rootless
    // engine's socket in $XDG_RUNTIME_DIR, kept from clean-up) opens nothing.
    if mode & !0o660 & !0o1000 == 0 {
        return Some(vec![]);
    }
    let hit = Hit::new(
        format!("the Docker socket is created with mode {mode:04o}, more open than 0660"),
        s.mode.origin.clone(),
        format!("SocketMode={mode:04o}"),
    );
    Some(vec![if mode & 0o002 != 0 { hit.severity(Severity::High) } else { hit }])
}

pub fn docker_socket_ownership(h: &HostFacts) -> Option<Vec<Hit>> {
    let s = socket(h)?;
    let mut hits = Vec::new();
    // A rootless engine's socket is its user's; its group is the one dockerd gives it inside
    // the user's namespace (docker-group-members names any host user it lets in).
    if let Some((uid, name)) = &h.daemon_user {
        if s.user.value != *name && s.user.value != uid.to_string() {
            hits.push(Hit::new(
                format!("the Docker socket is owned by {}, not {name}, the rootless engine's user", s.user.value),
                s.user.origin.clone(),
                format!("owner={}", s.user.value),
            ));
        }
        return Some(hits);
    }
    if !matches!(s.user.value.as_str(), "root" | "0") {
        hits.push(Hit::new(
            format!("the Docker socket is owned by {}, not root", s.user.value),
            s.user.origin.clone(),
            format!("SocketUser={}", s.user.value),
        ));
    }
    if !matches!(s.group.value.as_str(), "root" | "0" | "docker") {
        hits.push(Hit::new(
            format!("the Docker socket's group is {}, not root or docker", s.group.value),
            s.group.origin.clone(),
            format!("SocketGroup={}", s.group.value),
        ));
    }
    Some(hits)
}

pub fn docker_group_members(h: &HostFacts) -> Option<Vec<Hit>> {
    let s = socket(h)?;
    Some(
        s.group_members
            .iter()
            .map(|m| {
                Hit::new(
                    format!("user {} can use the Docker socket through group {}: root-equivalent access", m.value, s.group.value),
                    m.origin.clone(),
                    m.value.clone(),
                )
            })
            .collect(),
    )
}

pub fn docker_socket_tcp(h: &HostFacts) -> Option<Vec<Hit>> {
    if socket(h).is_none() && h.docker_api_sockets.is_empty() {
        return None;
    }
    Some(
        socket(h)
            .into_iter()
            .chain(&h.docker_api_sockets)
            .flat_map(|s| s.listen.iter().map(move |l| (s, l)))
            .filter(|(_, l)| !l.value.starts_with('/') && !l.value.starts_with('@'))
            .map(|(s, l)| {
                let any = !l.value.contains(':') || l.value.starts_with("0.0.0.0:") || l.value.starts_with("[::]:");
                let unit = s.unit.rsplit('/').next().unwrap_or(&s.unit);
                let h = Hit::new(
                    format!("{unit} listens on TCP {} (socket activation of docker.service): the API without TLS", l.value),
                    l.origin.clone(),
                    format!("ListenStream={}", l.value),
                );
                if any { h.severity(Severity::Critical) } else { h }
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Origin, SocketFacts, Val};

    fn v<T>(x: T) -> Val<T> {
        Val::new(x, Origin::Unset)
    }

    fn host(mode: u32, group: &str, members: &[&str], listen: &[&str]) -> HostFacts {
        HostFacts {
            docker_socket: Some(SocketFacts {
                unit: "docker.socket".into(),
                masked: false,
                listen: listen.iter().map(|l| v(l.to_string())).collect(),
                user: v("root".into()),
                group: v(group.into()),
                mode: v(mode),
                group_members: members.iter().map(|m| v(m.to_string())).collect(),
            }),
            ..Default::default()
        }
    }

    #[test]
    fn modes_are_bits_not_decimals() {
        for (mode, fires) in [(0o660, false), (0o600, false), (0o640, false), (0o666, true), (0o477, true), (0o670, true)] {
            assert_eq!(docker_socket_mode(&host(mode, "docker", &[], &[])).unwrap().len(), usize::from(fires), "{mode:o}");
        }
        assert_eq!(docker_socket_mode(&host(0o666, "docker", &[], &[])).unwrap()[0].severity, Some(Severity::High));
    }

    #[test]
    fn members_tcp_and_not_applicable() {
        assert_eq!(docker_group_members(&host(0o660, "docker", &["core"], &[])).unwrap()[0].evidence, "core");
        let tcp = docker_socket_tcp(&host(0o660, "docker", &[], &["/run/docker.sock", "2375", "127.0.0.1:2376"])).unwrap();
        assert_eq!(
            tcp.iter().map(|h| (h.evidence.as_str(), h.severity)).collect::<Vec<_>>(),
            [("ListenStream=2375", Some(Severity::Critical)), ("ListenStream=127.0.0.1:2376", None)]
        );
        assert_eq!(docker_socket_mode(&HostFacts::default()), None);
        assert_eq!(docker_socket_ownership(&host(0o660, "wheel", &[], &[])).unwrap().len(), 1);
    }

    #[test]
    fn podman_socket() {
        let mut h = HostFacts { podman_socket: host(0o660, "root", &[], &["%t/podman/podman.sock"]).docker_socket, ..Default::default() };
        assert_eq!(podman_socket_open(&h), Check::Pass);
        let s = h.podman_socket.as_mut().unwrap();
        s.mode = v(0o666);
        s.group = v("podman".into());
        s.group_members = vec![v("alice".into())];
        s.listen.push(v("0.0.0.0:8888".into()));
        let Check::Fail(hits) = podman_socket_open(&h) else { panic!() };
        let got: Vec<(&str, Option<Severity>)> = hits.iter().map(|h| (h.message.as_str(), h.severity)).collect();
        assert_eq!(
            got,
            [
                ("docker.socket is created with mode 0666, more open than 0660", Some(Severity::Critical)),
                ("user alice can use Podman's API through group podman: root-equivalent access", None),
                ("docker.socket listens on TCP 0.0.0.0:8888: Podman's API without TLS", Some(Severity::Critical)),
            ]
        );
        assert!(matches!(podman_socket_open(&HostFacts::default()), Check::NotApplicable(_)));
    }

    /// A rootless engine's socket (`srw-rw---T rl 100106`): its user's, the sticky bit and the
    /// namespace's group fine; root owning it is the finding.
    #[test]
    fn rootless_socket_belongs_to_its_user() {
        let mut h = host(0o1660, "100106", &[], &[]);
        h.docker_socket.as_mut().unwrap().user = v("rl".into());
        h.daemon_user = Some((1001, "rl".into()));
        assert_eq!(docker_socket_mode(&h), Some(vec![]));
        assert_eq!(docker_socket_ownership(&h), Some(vec![]));
        h.docker_socket.as_mut().unwrap().user = v("root".into());
        assert_eq!(
            docker_socket_ownership(&h).unwrap()[0].message,
            "the Docker socket is owned by root, not rl, the rootless engine's user"
        );
        // Without the rootless user, the same socket is judged as root's.
        h.daemon_user = None;
        h.docker_socket.as_mut().unwrap().user = v("rl".into());
        assert_eq!(docker_socket_ownership(&h).unwrap().len(), 2);
    }
}

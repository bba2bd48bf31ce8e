//! Socket access rules: who can reach the Docker socket, and how.
//! docker-socket-mode, docker-socket-ownership, docker-group-members, docker-socket-tcp

use crate::model::{HostFacts, Severity};
use crate::rules::Hit;

pub type HostCheck = fn(&HostFacts) -> Option<Vec<Hit>>;

/// Each returns None when the host has no docker.socket unit (not applicable).
pub const ACCESS_RULES: &[(&str, HostCheck)] = &[
    ("docker-socket-mode", docker_socket_mode),
    ("docker-socket-ownership", docker_socket_ownership),
    ("docker-group-members", docker_group_members),
    ("docker-socket-tcp", docker_socket_tcp),
];

fn socket(h: &HostFacts) -> Option<&crate::model::SocketFacts> {
    h.docker_socket.as_ref().filter(|s| !s.masked)
}

pub fn docker_socket_mode(h: &HostFacts) -> Option<Vec<Hit>> {
    let s = socket(h)?;
    let mode = s.mode.value;
    // Compared as permission bits: 0477 is not "0660 or stricter".
    if mode & !0o660 == 0 {
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
    let s = socket(h)?;
    Some(
        s.listen
            .iter()
            .filter(|l| !l.value.starts_with('/') && !l.value.starts_with('@'))
            .map(|l| {
                let any = !l.value.contains(':') || l.value.starts_with("0.0.0.0:") || l.value.starts_with("[::]:");
                let h = Hit::new(
                    format!("docker.socket listens on TCP {} (socket activation): the API without TLS", l.value),
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
}

//! docker-file-permissions, docker-file-ownership (CIS Docker Benchmark section 3): modes compared
//! as permission bits, never as decimal numbers (0477 is not "0644 or stricter").

use crate::model::{Fact, FileFacts, HostFacts, Severity};
use crate::rules::{Check, Hit, HostCheck};

pub const RULES: &[(&str, HostCheck)] = &[
    ("docker-file-permissions", |h| Check::partial(docker_file_permissions(h), h.unread(Fact::DockerFiles))),
    ("docker-file-ownership", |h| Check::partial(docker_file_ownership(h), h.unread(Fact::DockerFiles))),
];

/// What each of Docker's files may be (CIS Docker Benchmark v1.6.0 section 3): by kind, the most
/// its mode may allow and the CIS ids of its ownership and permission checks.
const DOCKER_FILES: &[(&str, u32, Option<&str>, Option<&str>)] = &[
    ("docker.service", 0o644, Some("3.1"), Some("3.2")),
    ("docker.socket", 0o644, Some("3.3"), Some("3.4")),
    ("/etc/docker", 0o755, Some("3.5"), Some("3.6")),
    ("registry certificate", 0o444, Some("3.7"), Some("3.8")),
    ("TLS CA certificate", 0o444, Some("3.9"), Some("3.10")),
    ("TLS certificate", 0o444, Some("3.11"), Some("3.12")),
    ("TLS key", 0o400, Some("3.13"), Some("3.14")),
    ("daemon.json", 0o644, Some("3.17"), Some("3.18")),
    ("/etc/default/docker", 0o644, Some("3.19"), Some("3.20")),
    // CIS numbers this pair the other way round: 3.21 permissions, 3.22 ownership.
    ("/etc/sysconfig/docker", 0o644, Some("3.22"), Some("3.21")),
    ("containerd socket", 0o660, Some("3.23"), Some("3.24")),
    ("containerd config", 0o644, None, None),
    ("data root", 0o711, None, None),
    // Podman's (not in the CIS Docker Benchmark; its policy for daemon.json applied).
    ("/etc/containers", 0o755, None, None),
    ("containers.conf", 0o644, None, None),
    ("registries.conf", 0o644, None, None),
    ("policy.json", 0o644, None, None),
    ("storage.conf", 0o644, None, None),
    ("seccomp profile", 0o644, None, None),
];

fn policy(kind: &str) -> Option<&'static (&'static str, u32, Option<&'static str>, Option<&'static str>)> {
    DOCKER_FILES.iter().find(|(k, ..)| *k == kind)
}

pub fn docker_file_permissions(h: &HostFacts) -> Vec<Hit> {
    modes(&h.docker_files, |f| policy(f.kind).map(|(_, max, _, cis)| (*max, *cis)))
}

/// Files more open than `allowed` says they may be (the most the mode may allow, and the CIS
/// id of the check); world-writable is high.
pub fn modes(files: &[FileFacts], allowed: impl Fn(&FileFacts) -> Option<(u32, Option<&'static str>)>) -> Vec<Hit> {
    files
        .iter()
        .filter_map(|f| allowed(f).map(|(max, cis)| (f, max, cis)))
        // The sticky bit keeps a file in $XDG_RUNTIME_DIR from being cleaned away (a rootless
        // engine's socket and pid file): it opens nothing.
        .filter(|(f, max, _)| f.mode.value & !max & !0o1000 != 0)
        .map(|(f, max, cis)| {
            let mut hit = Hit::new(
                format!("{} has mode {:04o}, more open than {:04o}", f.path, f.mode.value, max),
                f.mode.origin.clone(),
                f.path.clone(),
            );
            hit.cis = cis;
            if f.mode.value & 0o002 != 0 { hit.severity(Severity::High) } else { hit }
        })
        .collect()
}

pub fn docker_file_ownership(h: &HostFacts) -> Vec<Hit> {
    h.docker_files
        .iter()
        .filter(|f| match &f.owner {
            // A rootless engine's file: its user's (the group is the user's or a subordinate id).
            Some((uid, _)) => f.uid.value != *uid,
            // The containerd socket belongs to root's group or the docker group (CIS 3.23: root:root).
            None => f.uid.value != 0 || (f.gid.value != 0 && f.kind != "containerd socket"),
        })
        .map(|f| {
            let want = f
                .owner
                .as_ref()
                .map_or_else(|| "root:root".to_string(), |(uid, name)| format!("{name} (uid {uid}), the rootless engine's user"));
            let mut hit = Hit::new(
                format!("{} is owned by {}:{}, not {want}", f.path, f.uid.value, f.gid.value),
                f.uid.origin.clone(),
                f.path.clone(),
            );
            hit.cis = policy(f.kind).and_then(|(_, _, cis, _)| *cis);
            hit
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Origin, Val};

    fn file(mode: u32, kind: &'static str, uid: u32) -> HostFacts {
        let v = |x| Val::new(x, Origin::Unset);
        HostFacts {
            docker_files: vec![FileFacts {
                path: "/etc/docker/daemon.json".into(),
                uid: v(uid),
                gid: v(0),
                mode: v(mode),
                kind,
                owner: None,
            }],
            ..Default::default()
        }
    }

    #[test]
    fn bits_not_decimals() {
        // 0477 is "less than" 644 as a decimal number, and still more open.
        for (mode, fires) in [(0o644, false), (0o600, false), (0o400, false), (0o477, true), (0o664, true), (0o755, true)] {
            assert_eq!(docker_file_permissions(&file(mode, "daemon.json", 0)).len(), usize::from(fires), "{mode:o}");
        }
        assert_eq!(docker_file_permissions(&file(0o646, "daemon.json", 0))[0].severity, Some(Severity::High));
        assert_eq!(docker_file_ownership(&file(0o644, "daemon.json", 1000)).len(), 1);
    }

    /// Each finding carries the CIS id of its file; /etc/sysconfig/docker's pair is 3.21
    /// (permissions) and 3.22 (ownership), as CIS numbers it.
    #[test]
    fn findings_carry_their_files_cis_id() {
        assert_eq!(docker_file_permissions(&file(0o666, "/etc/sysconfig/docker", 0))[0].cis, Some("3.21"));
        assert_eq!(docker_file_ownership(&file(0o644, "/etc/sysconfig/docker", 1000))[0].cis, Some("3.22"));
        assert_eq!(docker_file_permissions(&file(0o640, "TLS key", 0))[0].cis, Some("3.14"));
        assert_eq!(docker_file_ownership(&file(0o644, "docker.service", 1000))[0].cis, Some("3.1"));
    }

    /// A rootless engine's files belong to its user: root owning one is the finding, the user's
    /// own group (or a subordinate gid) is not.
    #[test]
    fn rootless_files_belong_to_their_user() {
        let owned = |uid: u32, gid: u32, kind| {
            let mut h = file(0o660, kind, uid);
            h.docker_files[0].gid.value = gid;
            h.docker_files[0].owner = Some((1001, "rl".into()));
            h.docker_files[0].mode.value = 0o644;
            h
        };
        assert!(docker_file_ownership(&owned(1001, 100106, "daemon.json")).is_empty());
        let hits = docker_file_ownership(&owned(0, 0, "daemon.json"));
        assert_eq!(hits[0].message, "/etc/docker/daemon.json is owned by 0:0, not rl (uid 1001), the rootless engine's user");
        assert_eq!(hits[0].cis, Some("3.17"));
        // The sticky bit ($XDG_RUNTIME_DIR's keep-me mark) opens nothing; group write does.
        let mut sticky = owned(1001, 1001, "daemon.json");
        sticky.docker_files[0].mode.value = 0o1644;
        assert!(docker_file_permissions(&sticky).is_empty());
        sticky.docker_files[0].mode.value = 0o1664;
        assert_eq!(docker_file_permissions(&sticky)[0].cis, Some("3.18"));
    }
}

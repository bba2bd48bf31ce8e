//! dangerous-capability, capabilities-not-dropped

use crate::model::{ContainerSpec, Severity};
use crate::rules::{Hit, declared};

/// Capabilities that reach the host or other containers (CIS 5.4; compose-lint CL-0011/24/27-30).
/// None of them is in Docker's default set.
pub const DANGEROUS: &[&str] = &[
    "ALL",
    "SYS_ADMIN",
    "SYS_MODULE",
    "SYS_PTRACE",
    "SYS_RAWIO",
    "DAC_READ_SEARCH",
    "NET_ADMIN",
    "BPF",
    "PERFMON",
    "SYS_BOOT",
    "SYS_TIME",
    "MAC_ADMIN",
    "MAC_OVERRIDE",
    "SYSLOG",
    "SYS_NICE",
    "IPC_LOCK",
    "LEASE",
];

/// Capabilities that are root on the host by themselves, as bad as `privileged` (mount,
/// load a kernel module, every capability): critical. A set that equals ALL holds SYS_ADMIN.
pub const ROOT_EQUIVALENT: &[&str] = &["ALL", "SYS_ADMIN", "SYS_MODULE"];

pub fn dangerous_capability(s: &ContainerSpec) -> Vec<Hit> {
    s.cap_add
        .iter()
        .filter(|c| DANGEROUS.contains(&c.value.as_str()))
        .map(|c| {
            let cap = &c.value;
            if ROOT_EQUIVALENT.contains(&cap.as_str()) {
                let every = if cap == "ALL" { " (every capability)" } else { "" };
                Hit::new(
                    format!("adds capability {cap}{every}: root on the host, as privileged is"),
                    c.origin.clone(),
                    format!("cap_add: {cap}"),
                )
                .severity(Severity::Critical)
            } else {
                Hit::new(format!("adds capability {cap}"), c.origin.clone(), format!("cap_add: {cap}"))
            }
        })
        .collect()
}

pub fn capabilities_not_dropped(s: &ContainerSpec) -> Vec<Hit> {
    if let Some(p) = s.privileged.as_ref().filter(|p| p.value) {
        // Docker gives a privileged container every capability and ignores cap_drop.
        return vec![Hit::new(
            "privileged: holds every capability (cap_drop does not apply to a privileged container)",
            p.origin.clone(),
            "privileged",
        )];
    }
    if s.cap_drop.iter().any(|c| c.value.eq_ignore_ascii_case("ALL")) {
        return vec![];
    }
    let origin = s.cap_drop.first().map_or_else(|| declared(s), |c| c.origin.clone());
    // What it keeps of the default set (Docker's 14; Podman's API reports its drops against the
    // same set, so its own defaults come out right too).
    // Docker takes `cap_mknod` for MKNOD: case and the CAP_ prefix do not matter.
    let dropped = |cap: &str| s.cap_drop.iter().any(|d| d.value.to_ascii_uppercase().trim_start_matches("CAP_") == cap);
    let kept: Vec<&str> = crate::sources::oci::DOCKER_DEFAULT_CAPS.iter().copied().filter(|c| !dropped(c)).collect();
    if kept.is_empty() {
        return vec![];
    }
    let n = kept.len();
    let message = match n {
        14 => "does not drop all capabilities: keeps the 14 default capabilities".to_string(),
        1 => format!("does not drop all capabilities: keeps 1 default capability ({})", kept[0]),
        _ => format!("does not drop all capabilities: keeps {n} default capabilities ({})", kept.join(", ")),
    };
    vec![Hit::new(message, origin, "cap_drop")]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::container::testing::*;

    #[test]
    fn caps() {
        let s = ContainerSpec { cap_add: vec![v("SYS_ADMIN".into(), 4), v("CHOWN".into(), 5), v("NET_ADMIN".into(), 6)], ..hardened() };
        let ev: Vec<String> = dangerous_capability(&s).into_iter().map(|h| h.evidence).collect();
        assert_eq!(ev, ["cap_add: SYS_ADMIN", "cap_add: NET_ADMIN"]);
        let severities: Vec<_> = dangerous_capability(&s).into_iter().map(|h| h.severity).collect();
        assert_eq!(severities, [Some(Severity::Critical), None]);
        let all = ContainerSpec { cap_add: vec![v("ALL".into(), 4), v("SYS_MODULE".into(), 5)], ..hardened() };
        assert!(dangerous_capability(&all).iter().all(|h| h.severity == Some(Severity::Critical)));
        let privileged = ContainerSpec { privileged: Some(v(true, 3)), cap_drop: vec![v("ALL".into(), 4)], ..hardened() };
        let hits = capabilities_not_dropped(&privileged);
        assert_eq!(
            (hits[0].message.as_str(), &hits[0].origin),
            ("privileged: holds every capability (cap_drop does not apply to a privileged container)", &at(3))
        );
        let s = ContainerSpec { cap_drop: vec![v("NET_RAW".into(), 4), v("cap_mknod".into(), 5)], ..hardened() };
        let hits = capabilities_not_dropped(&s);
        assert_eq!(hits[0].origin, at(4));
        assert_eq!(
            hits[0].message,
            "does not drop all capabilities: keeps 12 default capabilities (CHOWN, DAC_OVERRIDE, FSETID, FOWNER, SETGID, SETUID, SETFCAP, SETPCAP, NET_BIND_SERVICE, SYS_CHROOT, KILL, AUDIT_WRITE)"
        );
        // Every default dropped one by one is all dropped.
        let each = ContainerSpec {
            cap_drop: crate::sources::oci::DOCKER_DEFAULT_CAPS.iter().map(|c| v(c.to_string(), 4)).collect(),
            ..hardened()
        };
        assert!(capabilities_not_dropped(&each).is_empty());
    }
}

//! seccomp-unconfined, apparmor-unconfined, selinux-disabled, unmasked-system-paths, unsafe-sysctl

use crate::model::ContainerSpec;
use crate::rules::Hit;

pub fn seccomp_unconfined(s: &ContainerSpec) -> Vec<Hit> {
    match &s.security.seccomp {
        Some(p) if p.value == "unconfined" => {
            vec![Hit::new("runs without a seccomp filter: every syscall reaches the kernel", p.origin.clone(), "seccomp:unconfined")]
        }
        _ => vec![],
    }
}

pub fn apparmor_unconfined(s: &ContainerSpec) -> Vec<Hit> {
    match &s.security.apparmor {
        Some(p) if p.value == "unconfined" => vec![Hit::new("runs without an AppArmor profile", p.origin.clone(), "apparmor:unconfined")],
        _ => vec![],
    }
}

pub fn selinux_disabled(s: &ContainerSpec) -> Vec<Hit> {
    match &s.security.label_disable {
        Some(p) => vec![Hit::new("turns SELinux labelling off", p.origin.clone(), "label:disable")],
        None => vec![],
    }
}

pub fn unmasked_system_paths(s: &ContainerSpec) -> Vec<Hit> {
    match &s.security.systempaths_unconfined {
        Some(p) => vec![Hit::new(
            "unmasks /proc and /sys paths Docker hides (/proc/kcore, /proc/keys, /sys/firmware...)",
            p.origin.clone(),
            "systempaths=unconfined",
        )],
        None => vec![],
    }
}

/// Namespaced sysctls that are safe to set per container.
pub const SAFE_SYSCTLS: &[&str] = &[
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_unprivileged_port_start",
];

pub fn unsafe_sysctl(s: &ContainerSpec) -> Vec<Hit> {
    s.sysctls
        .iter()
        .filter(|kv| !SAFE_SYSCTLS.contains(&kv.value.0.as_str()))
        .map(|kv| Hit::new(format!("sets sysctl {} outside the safe namespaced set", kv.value.0), kv.origin.clone(), kv.value.0.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::container::testing::*;

    #[test]
    fn sysctls_and_profiles() {
        let s = ContainerSpec {
            sysctls: vec![v(("net.ipv4.tcp_syncookies".into(), "1".into()), 3), v(("kernel.msgmax".into(), "1".into()), 4)],
            ..hardened()
        };
        let ev: Vec<String> = unsafe_sysctl(&s).into_iter().map(|h| h.evidence).collect();
        assert_eq!(ev, ["kernel.msgmax"]);
        let mut p = hardened();
        p.security.seccomp = Some(v("/etc/custom.json".into(), 5));
        assert!(seccomp_unconfined(&p).is_empty());
        p.security.seccomp = Some(v("unconfined".into(), 5));
        assert_eq!(seccomp_unconfined(&p)[0].origin, at(5));
    }
}

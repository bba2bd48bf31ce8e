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
        Some(p) if p.value == "label:type:spc_t" => {
            vec![Hit::new("runs as SELinux type spc_t: unconfined, as with label:disable", p.origin.clone(), p.value.clone())]
        }
        Some(p) => vec![Hit::new("turns SELinux labelling off", p.origin.clone(), p.value.clone())],
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

/// The IPC namespace's sysctls, as Docker accepts them per container (moby `ValidateSysctl`);
/// with `fs.mqueue.*` they belong to the container's IPC namespace.
const IPC_SYSCTLS: &[&str] = &[
    "kernel.msgmax",
    "kernel.msgmnb",
    "kernel.msgmni",
    "kernel.sem",
    "kernel.shmall",
    "kernel.shmmax",
    "kernel.shmmni",
    "kernel.shm_rmid_forced",
];

/// Which of the container's namespaces a sysctl belongs to, as Docker sees it: `net.*` the
/// network namespace, the IPC list and `fs.mqueue.*` the IPC namespace, anything else none.
fn sysctl_namespace(name: &str) -> Option<&'static str> {
    if name.starts_with("net.") {
        Some("network")
    } else if IPC_SYSCTLS.contains(&name) || name.starts_with("fs.mqueue.") {
        Some("IPC")
    } else {
        None
    }
}

/// A sysctl is unsafe when it reaches beyond the container's own namespaces: one that no
/// namespace of the container holds (it would set the host; Docker refuses it), or one of a
/// namespace the container shares with the host (`net.*` with `network_mode: host`, the IPC
/// ones with `ipc: host`). Namespaced ones (`net.ipv4.ip_forward`,
/// `net.ipv4.conf.all.src_valid_mark` for a VPN) change only the container's own stack.
pub fn unsafe_sysctl(s: &ContainerSpec) -> Vec<Hit> {
    let host = |v: &Option<crate::model::Val<String>>| v.as_ref().is_some_and(|v| v.value == "host");
    s.sysctls
        .iter()
        .filter_map(|kv| {
            let name = &kv.value.0;
            let why = match sysctl_namespace(name) {
                None => format!("sets sysctl {name}, which no namespace of the container holds: it would change the host"),
                Some("network") if host(&s.network_mode) => {
                    format!("sets sysctl {name} in the host's network namespace (network_mode: host): it changes the host")
                }
                Some("IPC") if host(&s.ipc) => format!("sets sysctl {name} in the host's IPC namespace (ipc: host): it changes the host"),
                Some(_) => return None,
            };
            Some(Hit::new(why, kv.origin.clone(), name.clone()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::container::testing::*;

    #[test]
    fn sysctls_and_profiles() {
        let s = ContainerSpec {
            sysctls: vec![
                v(("net.ipv4.tcp_syncookies".into(), "1".into()), 3),
                v(("kernel.msgmax".into(), "1".into()), 4),
                v(("net.ipv4.ip_forward".into(), "1".into()), 5),
                v(("net.ipv4.conf.all.src_valid_mark".into(), "1".into()), 6),
                v(("fs.mqueue.msg_max".into(), "64".into()), 7),
                v(("kernel.randomize_va_space".into(), "0".into()), 8),
                v(("vm.overcommit_memory".into(), "1".into()), 9),
            ],
            ..hardened()
        };
        let ev: Vec<String> = unsafe_sysctl(&s).into_iter().map(|h| h.evidence).collect();
        assert_eq!(ev, ["kernel.randomize_va_space", "vm.overcommit_memory"]);
        let shared = ContainerSpec { network_mode: Some(v("host".into(), 2)), ipc: Some(v("host".into(), 2)), ..s.clone() };
        let ev: Vec<String> = unsafe_sysctl(&shared).into_iter().map(|h| h.evidence).collect();
        assert_eq!(
            ev,
            [
                "net.ipv4.tcp_syncookies",
                "kernel.msgmax",
                "net.ipv4.ip_forward",
                "net.ipv4.conf.all.src_valid_mark",
                "fs.mqueue.msg_max",
                "kernel.randomize_va_space",
                "vm.overcommit_memory"
            ]
        );
        let mut p = hardened();
        p.security.seccomp = Some(v("/etc/custom.json".into(), 5));
        assert!(seccomp_unconfined(&p).is_empty());
        p.security.seccomp = Some(v("unconfined".into(), 5));
        assert_eq!(seccomp_unconfined(&p)[0].origin, at(5));
    }
}

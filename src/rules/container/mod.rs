//! Container rules: each judges a `ContainerSpec`, whatever described it.

mod capabilities;
mod confinement;
mod devices;
mod image;
mod mounts;
mod namespaces;
mod network;
mod privileges;
mod resources;
pub mod secrets;

use super::{ContainerCheck, ProjectCheck};

/// Every container rule, in catalog order.
pub const CONTAINER_RULES: &[(&str, ContainerCheck)] = &[
    ("privileged-container", privileges::privileged_container),
    ("exec-privileged", privileges::exec_privileged),
    ("exec-as-root", privileges::exec_as_root),
    ("docker-socket-mount", mounts::docker_socket_mount),
    ("dangerous-capability", capabilities::dangerous_capability),
    ("capabilities-not-dropped", capabilities::capabilities_not_dropped),
    ("sensitive-host-mount", mounts::sensitive_host_mount),
    ("host-network", namespaces::host_network),
    ("host-pid", namespaces::host_pid),
    ("host-ipc", namespaces::host_ipc),
    ("host-uts", namespaces::host_uts),
    ("host-userns", namespaces::host_userns),
    ("host-device", devices::host_device),
    ("shared-mount-propagation", mounts::shared_mount_propagation),
    ("seccomp-unconfined", confinement::seccomp_unconfined),
    ("apparmor-unconfined", confinement::apparmor_unconfined),
    ("selinux-disabled", confinement::selinux_disabled),
    ("unmasked-system-paths", confinement::unmasked_system_paths),
    ("no-new-privileges-not-set", privileges::no_new_privileges_not_set),
    ("port-on-all-interfaces", network::port_on_all_interfaces),
    ("privileged-host-port", network::privileged_host_port),
    ("writable-root-filesystem", mounts::writable_root_filesystem),
    ("runs-as-root", privileges::runs_as_root),
    ("memory-not-limited", resources::memory_not_limited),
    ("cpu-not-limited", resources::cpu_not_limited),
    ("pids-not-limited", resources::pids_not_limited),
    ("restart-policy-unbounded", resources::restart_policy_unbounded),
    ("healthcheck-missing", resources::healthcheck_missing),
    ("sshd-in-container", network::sshd_in_container),
    ("secret-in-environment", secrets::secret_in_environment),
    ("image-not-pinned", image::image_not_pinned),
    ("credential-in-url", secrets::credential_in_url),
    ("tmpfs-exec", mounts::tmpfs_exec),
    ("unsafe-sysctl", confinement::unsafe_sysctl),
    ("oom-kill-disabled", resources::oom_kill_disabled),
    ("cgroup-parent-set", resources::cgroup_parent_set),
    ("ulimits-override", resources::ulimits_override),
    ("default-bridge-network", namespaces::default_bridge_network),
    ("logging-disabled", resources::logging_disabled),
];

pub const PROJECT_RULES: &[(&str, ProjectCheck)] = &[
    ("shared-writable-volume", mounts::shared_writable_volume),
    ("host-namespace-through-service", namespaces::host_namespace_through_service),
];

/// The settings rules name in Compose's words (a finding's evidence), in the words of the other
/// subjects: a running container's Engine API fields, an OCI bundle's config.json paths.
const WORDS: &[(&str, &str, &str)] = &[
    // (Compose key, Engine API field, OCI bundle path)
    ("privileged", "HostConfig.Privileged", "process.capabilities"),
    ("cap_add", "HostConfig.CapAdd", "process.capabilities.bounding"),
    ("cap_drop", "HostConfig.CapDrop", "process.capabilities.bounding"),
    ("security_opt", "HostConfig.SecurityOpt", "process.noNewPrivileges"),
    ("no-new-privileges", "HostConfig.SecurityOpt no-new-privileges", "process.noNewPrivileges"),
    ("seccomp", "HostConfig.SecurityOpt seccomp", "linux.seccomp"),
    ("apparmor", "HostConfig.SecurityOpt apparmor", "process.apparmorProfile"),
    ("label", "HostConfig.SecurityOpt label", "process.selinuxLabel"),
    ("read_only", "HostConfig.ReadonlyRootfs", "root.readonly"),
    ("user", "Config.User", "process.user"),
    ("mem_limit", "HostConfig.Memory", "linux.resources.memory.limit"),
    ("cpus", "HostConfig.NanoCpus", "linux.resources.cpu"),
    ("pids_limit", "HostConfig.PidsLimit", "linux.resources.pids.limit"),
    ("healthcheck", "Config.Healthcheck", "(no health check in a bundle)"),
    ("restart", "HostConfig.RestartPolicy", "(no restart policy in a bundle)"),
    ("oom_kill_disable", "HostConfig.OomKillDisable", "linux.resources.memory.disableOOMKiller"),
    ("logging.driver", "HostConfig.LogConfig.Type", "(no logging driver in a bundle)"),
    ("network_mode", "HostConfig.NetworkMode", "linux.namespaces network"),
    ("pid", "HostConfig.PidMode", "linux.namespaces pid"),
    ("ipc", "HostConfig.IpcMode", "linux.namespaces ipc"),
    ("uts", "HostConfig.UTSMode", "linux.namespaces uts"),
    ("userns_mode", "HostConfig.UsernsMode", "linux.namespaces user"),
    ("image", "Config.Image", "(no image in a bundle)"),
];

/// `evidence` (Compose's words: `cap_add: SYS_ADMIN`, `mem_limit`, `seccomp:unconfined`) in the
/// words of a subject of kind `kind`; values (paths, ports, variable names) stay as they are.
pub fn in_words_of(kind: &str, evidence: String) -> String {
    let column = match kind {
        "container" => 1,
        "bundle" => 2,
        _ => return evidence,
    };
    let (key, rest) = match evidence.find([':', ' ']) {
        Some(i) => (&evidence[..i], &evidence[i..]),
        None => (evidence.as_str(), ""),
    };
    match WORDS.iter().find(|w| w.0 == key) {
        Some(w) => format!("{}{rest}", [w.0, w.1, w.2][column]),
        None => evidence,
    }
}

#[cfg(test)]
pub(crate) mod testing {
    use crate::model::*;

    pub fn at(line: u32) -> Origin {
        Origin::file(&"t.yaml".into(), line, 1)
    }

    pub fn v<T>(value: T, line: u32) -> Val<T> {
        Val::new(value, at(line))
    }

    /// A spec that no rule at low or above fires on.
    pub fn hardened() -> ContainerSpec {
        ContainerSpec {
            declared_at: Some(at(1)),
            image: Some(v("nginx:1.27".into(), 2)),
            user: Some(v("1000:1000".into(), 3)),
            read_only: Some(v(true, 4)),
            cap_drop: vec![v("ALL".into(), 5)],
            security: SecurityOpts { no_new_privileges: Some(v(true, 6)), ..Default::default() },
            limits: Limits { memory: Some(v(256 << 20, 7)), cpus: Some(v(0.5, 8)), pids: Some(v(100, 9)), ..Default::default() },
            healthcheck: Some(v(Healthcheck::Defined, 10)),
            restart: Some(v(Restart { name: "on-failure".into(), max_retries: Some(3) }, 11)),
            ..Default::default()
        }
    }

    /// The (rule id, evidence) pairs every registered rule reports on `spec`.
    pub fn fired(spec: &ContainerSpec) -> Vec<(&'static str, String)> {
        super::CONTAINER_RULES
            .iter()
            .flat_map(|(id, check)| check(spec).into_iter().filter(|h| !h.pedantic).map(move |h| (*id, h.evidence)))
            .collect()
    }

    #[test]
    fn evidence_in_the_words_of_each_subject() {
        use super::in_words_of;
        assert_eq!(in_words_of("service", "cap_add: SYS_ADMIN".into()), "cap_add: SYS_ADMIN");
        assert_eq!(in_words_of("container", "cap_add: SYS_ADMIN".into()), "HostConfig.CapAdd: SYS_ADMIN");
        assert_eq!(in_words_of("bundle", "mem_limit".into()), "linux.resources.memory.limit");
        assert_eq!(in_words_of("container", "pid: host".into()), "HostConfig.PidMode: host");
        assert_eq!(in_words_of("container", "seccomp:unconfined".into()), "HostConfig.SecurityOpt seccomp:unconfined");
        assert_eq!(in_words_of("container", "/var/run/docker.sock".into()), "/var/run/docker.sock");
    }

    #[test]
    fn hardened_fires_nothing() {
        assert_eq!(fired(&hardened()), Vec::<(&str, String)>::new());
    }
}

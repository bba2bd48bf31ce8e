//! Daemon rules (CIS Docker Benchmark section 2): each judges the `DaemonConfig`.
//! A check whose fact is unknown is skipped with the reason, never passed.

mod settings;

use crate::model::DaemonConfig;
pub use crate::rules::Check;

pub type DaemonCheck = fn(&DaemonConfig) -> Check;

/// The daemon rules that judge a Podman service too: what its compatible API reports the same
/// way (image and container counts, rootless mode), and the settings Podman has its own files
/// for (containers.conf's no_new_privileges, seccomp_profile and userns, registries.conf's
/// insecure registries, policy.json's default). The others judge dockerd's own settings
/// (daemon.json, its flags, its bridge, live-restore, swarm, Docker's releases), which Podman
/// does not have.
pub const PODMAN_RULES: &[&str] = &[
    "image-sprawl",
    "container-sprawl",
    "daemon-runs-as-root",
    "no-new-privileges-default-off",
    "daemon-seccomp-disabled",
    "userns-remap-disabled",
    "insecure-registry",
    "content-trust-disabled",
];

/// Rule `id` on `d`: not applicable, with the reason, to a Podman service when it judges
/// dockerd's own settings.
pub fn judge(id: &str, check: DaemonCheck, d: &DaemonConfig) -> Check {
    match &d.podman {
        Some(p) if !PODMAN_RULES.contains(&id) => Check::na(format!(
            "not applicable: the engine is Podman {} (no dockerd, no daemon.json: Podman is configured by containers.conf)",
            p.value
        )),
        _ => check(d),
    }
}

pub const DAEMON_RULES: &[(&str, DaemonCheck)] = &[
    ("icc-enabled", settings::icc_enabled),
    ("userns-remap-disabled", settings::userns_remap_disabled),
    ("live-restore-disabled", settings::live_restore_disabled),
    ("remote-logging-not-configured", settings::remote_logging_not_configured),
    ("debug-logging", settings::debug_logging),
    ("experimental-enabled", settings::experimental_enabled),
    ("insecure-registry", settings::insecure_registry),
    ("daemon-seccomp-disabled", settings::daemon_seccomp_disabled),
    ("no-new-privileges-default-off", settings::no_new_privileges_default_off),
    ("aufs-storage-driver", settings::aufs_storage_driver),
    ("swarm-mode-enabled", settings::swarm_mode_enabled),
    ("engine-warning", settings::engine_warning),
    ("daemon-tcp-without-tls", settings::daemon_tcp_without_tls),
    ("daemon-flag-conflict", settings::daemon_flag_conflict),
    ("iptables-disabled", settings::iptables_disabled),
    ("userland-proxy-enabled", settings::userland_proxy_enabled),
    ("authorization-plugin-missing", settings::authorization_plugin_missing),
    ("default-ulimit-not-set", settings::default_ulimit_not_set),
    ("daemon-cgroup-parent", settings::cgroup_parent_set),
    ("daemon-config-not-applied", settings::daemon_config_not_applied),
    ("userns-remap-subids-missing", settings::userns_remap_subids_missing),
    ("daemon-runs-as-root", settings::daemon_runs_as_root),
    ("devicemapper-storage-driver", settings::devicemapper_storage_driver),
    ("base-device-size-changed", settings::base_device_size_changed),
    ("content-trust-disabled", settings::content_trust_disabled),
    ("engine-version-outdated", settings::engine_version_outdated),
    ("swarm-manager-count", settings::swarm_manager_count),
    ("swarm-port-on-all-interfaces", settings::swarm_port_on_all_interfaces),
    ("swarm-overlay-unencrypted", settings::swarm_overlay_unencrypted),
    ("swarm-autolock-disabled", settings::swarm_autolock_disabled),
    ("image-sprawl", settings::image_sprawl),
    ("container-sprawl", settings::container_sprawl),
];

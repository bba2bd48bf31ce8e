//! `DaemonConfig`: the Docker daemon's security-relevant settings, each with its origin
//! (engine `/info` today; daemon.json and the dockerd command line merge in later).

use super::Val;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct DaemonConfig {
    /// Engine version, e.g. `20.10.24+dfsg1`.
    pub version: Option<Val<String>>,
    /// The engine behind the Docker API: Podman's compatible service says so in `/version`
    /// (a component named "Podman Engine"). None: Docker's own dockerd.
    pub podman: Option<Val<String>>,
    /// The date of the audit (YYYY-MM-DD, UTC), for what ages: the release table of CIS 1.2.2.
    pub today: Option<String>,
    /// Inter-container communication on the default bridge.
    pub icc: Option<Val<bool>>,
    pub userns: Option<Val<bool>>,
    pub rootless: Option<Val<bool>>,
    /// A rootless engine's user (its socket's owner): its files are under that user's home
    /// and belong to that user, not root.
    pub user: Option<Val<DaemonUser>>,
    /// The daemon.json it reads (`--config-file`, else its default), a host path.
    pub config_file: Option<String>,
    /// `no-new-privileges` as the daemon default.
    pub no_new_privileges: Option<Val<bool>>,
    /// The default seccomp profile: `default`, `unconfined`, or a path. None: seccomp not enabled.
    pub seccomp_profile: Option<Val<String>>,
    pub apparmor: Option<Val<bool>>,
    pub selinux: Option<Val<bool>>,
    pub live_restore: Option<Val<bool>>,
    pub logging_driver: Option<Val<String>>,
    pub debug: Option<Val<bool>>,
    pub experimental: Option<Val<bool>>,
    pub insecure_registries: Vec<Val<String>>,
    pub storage_driver: Option<Val<String>>,
    pub swarm_active: Option<Val<bool>>,
    pub docker_root: Option<Val<String>>,
    /// Images the engine holds, and containers it has (all, running): `/info` (CIS 6.1, 6.2).
    pub images: Option<Val<u64>>,
    pub containers: Option<Val<(u64, u64)>>,
    /// Distinct images the audited containers run.
    pub images_in_use: Option<usize>,
    /// Warnings the engine itself reports in `/info`.
    pub warnings: Vec<Val<String>>,
    /// Where the API listens (`hosts`, `-H`).
    pub hosts: Vec<Val<String>>,
    pub tls_verify: Option<Val<bool>>,
    /// Options set both as a flag and in daemon.json (dockerd then refuses to start).
    pub conflicts: Vec<Val<String>>,
    pub userland_proxy: Option<Val<bool>>,
    /// The remote address a logging driver sends to (`log-opts` syslog-address, gelf-address,
    /// fluentd-address, splunk-url, loki-url).
    pub log_address: Option<Val<String>>,
    pub iptables: Option<Val<bool>>,
    /// `default-ulimits` names (nofile, nproc...).
    pub default_ulimits: Vec<Val<String>>,
    pub cgroup_parent: Option<Val<String>>,
    pub authorization_plugins: Vec<Val<String>>,
    /// Where the running engine and this host's files disagree: (setting, the files' value,
    /// the engine's value), at the files' origin.
    /// The userns-remap user (not `default`) missing from /etc/subuid or /etc/subgid: (file),
    /// at the setting's origin.
    pub userns_subids_missing: Vec<Val<String>>,
    /// daemon.json cannot be parsed (dockerd will not start): why, with its position.
    pub invalid: Option<String>,
    /// A file the daemon's configuration comes from could not be read (daemon.json, a
    /// docker.service drop-in): what the files say is incomplete. The path, shown.
    pub unreadable: Option<String>,
    pub disagreements: Vec<Val<(String, String, String)>>,
    /// `tlscacert`, `tlscert`, `tlskey`: (option, path).
    pub tls_files: Vec<Val<(String, String)>>,
    /// `storage-opts` (`--storage-opt`), e.g. `dm.basesize=20G`.
    pub storage_opts: Vec<Val<String>>,
    /// The swarm this node belongs to, when swarm mode is active.
    pub swarm: Option<Swarm>,
    /// TCP listeners on swarm's ports (2377 cluster management, 7946 gossip) bound to every
    /// interface, from /proc/net/tcp and tcp6 of the live host; None offline.
    pub swarm_wildcard_listeners: Option<Vec<Val<String>>>,
    /// `DOCKER_CONTENT_TRUST` where docker clients on this host take it from (/etc/environment,
    /// and cbench's own environment on a live host, as docker-bench-security reads it).
    pub content_trust: Option<Val<bool>>,
}

/// The user a rootless engine runs as.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DaemonUser {
    pub uid: u32,
    /// The user's name (its uid when /etc/passwd does not name it).
    pub name: String,
    /// Its home directory (/etc/passwd), where `~/.config/docker` and the data root are.
    pub home: Option<String>,
}

/// Swarm facts (`/info` .Swarm, overlay networks): CIS section 7.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Swarm {
    /// This node is a manager (`ControlAvailable`): only managers know the cluster's settings.
    pub manager: bool,
    pub managers: Option<Val<i64>>,
    pub autolock: Option<Val<bool>>,
    /// Overlay networks: (name, encrypted).
    pub overlay_networks: Vec<Val<(String, bool)>>,
}

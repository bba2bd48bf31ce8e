//! `HostFacts`: what the host itself says (today: who can reach the Docker socket).

use super::Val;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct HostFacts {
    /// The docker.socket unit, when the host has one.
    pub docker_socket: Option<SocketFacts>,
    /// sysctl values configured in sysctl.d / sysctl.conf, by key.
    pub sysctl_configured: std::collections::BTreeMap<String, Val<String>>,
    /// Running values from /proc/sys (live host only), for the keys the rules ask about.
    pub sysctl_running: std::collections::BTreeMap<String, Val<String>>,
    /// Docker's configuration files and sockets that exist, with owner and mode.
    pub docker_files: Vec<FileFacts>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct FileFacts {
    pub path: String,
    pub uid: Val<u32>,
    pub gid: Val<u32>,
    /// Permission bits.
    pub mode: Val<u32>,
    /// The most the mode may allow (CIS: 0644 for unit files and daemon.json, 0755 for /etc/docker...).
    pub allowed: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SocketFacts {
    /// The unit file (with its drop-ins applied).
    pub unit: String,
    pub masked: bool,
    /// `ListenStream=` values: a path, a port, or an address:port.
    pub listen: Vec<Val<String>>,
    pub user: Val<String>,
    pub group: Val<String>,
    /// Permission bits.
    pub mode: Val<u32>,
    /// Members of the socket's group (root excepted: it needs no group).
    pub group_members: Vec<Val<String>>,
}

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

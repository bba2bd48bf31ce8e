//! dangerous-capability, capabilities-not-dropped

use crate::model::ContainerSpec;
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

pub fn dangerous_capability(s: &ContainerSpec) -> Vec<Hit> {
    s.cap_add
        .iter()
        .filter(|c| DANGEROUS.contains(&c.value.as_str()))
        .map(|c| Hit::new(format!("adds capability {}", c.value), c.origin.clone(), format!("cap_add: {}", c.value)))
        .collect()
}

pub fn capabilities_not_dropped(s: &ContainerSpec) -> Vec<Hit> {
    if s.cap_drop.iter().any(|c| c.value == "ALL") {
        return vec![];
    }
    let origin = s.cap_drop.first().map_or_else(|| declared(s), |c| c.origin.clone());
    vec![Hit::new("does not drop all capabilities: keeps Docker's 14 default capabilities", origin, "cap_drop")]
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
        let s = ContainerSpec { cap_drop: vec![v("NET_RAW".into(), 4)], ..hardened() };
        assert_eq!(capabilities_not_dropped(&s)[0].origin, at(4));
    }
}

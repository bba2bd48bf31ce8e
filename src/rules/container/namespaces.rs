//! host-network, host-pid, host-ipc, host-uts, host-userns, default-bridge-network

use crate::model::{ContainerSpec, Val};
use crate::rules::Hit;

fn host(v: &Option<Val<String>>, field: &str, what: &str) -> Vec<Hit> {
    match v {
        Some(v) if v.value == "host" => vec![Hit::new(format!("shares the host's {what}"), v.origin.clone(), format!("{field}: host"))],
        _ => vec![],
    }
}

pub fn host_network(s: &ContainerSpec) -> Vec<Hit> {
    host(&s.network_mode, "network_mode", "network stack: every interface and every port on 127.0.0.1")
}

pub fn host_pid(s: &ContainerSpec) -> Vec<Hit> {
    host(&s.pid, "pid", "process namespace: it sees and can signal every host process")
}

pub fn host_ipc(s: &ContainerSpec) -> Vec<Hit> {
    host(&s.ipc, "ipc", "IPC namespace: shared memory of host processes")
}

pub fn host_uts(s: &ContainerSpec) -> Vec<Hit> {
    host(&s.uts, "uts", "UTS namespace: it can change the host's hostname")
}

pub fn host_userns(s: &ContainerSpec) -> Vec<Hit> {
    host(&s.userns, "userns_mode", "user namespace: daemon user-namespace remapping is off for it")
}

pub fn default_bridge_network(s: &ContainerSpec) -> Vec<Hit> {
    match &s.network_mode {
        Some(v) if v.value == "bridge" || v.value == "default" => vec![Hit::new(
            "uses the default bridge network, where every container can reach every other",
            v.origin.clone(),
            format!("network_mode: {}", v.value),
        )],
        _ => vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::container::testing::*;

    #[test]
    fn namespaces() {
        let s = ContainerSpec { pid: Some(v("host".into(), 3)), ipc: Some(v("service:x".into(), 4)), ..hardened() };
        assert_eq!(host_pid(&s)[0].evidence, "pid: host");
        assert!(host_ipc(&s).is_empty());
        let b = ContainerSpec { network_mode: Some(v("bridge".into(), 3)), ..hardened() };
        assert_eq!(default_bridge_network(&b).len(), 1);
        assert!(host_network(&b).is_empty());
    }
}

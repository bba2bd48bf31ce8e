//! host-network, host-pid, host-ipc, host-uts, host-userns, default-bridge-network,
//! host-namespace-through-service

use crate::model::{ContainerSpec, Val};
use crate::rules::{Hit, Member, Modes};

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

/// The namespaces a container can join another's by `service:NAME` / `container:NAME`.
type ModeOf = fn(&Modes) -> &Option<Val<String>>;
const JOINABLE: &[(&str, &str, ModeOf)] =
    &[("network_mode", "network stack", |m| &m.network), ("pid", "process namespace", |m| &m.pid), ("ipc", "IPC namespace", |m| &m.ipc)];

/// A container that joins another's namespace (`network_mode: service:vpn`) shares what that
/// one shares: the host's, when it, or one it joins in turn, is `host`. The others' own
/// findings are host-network, host-pid and host-ipc.
pub fn host_namespace_through_service(members: &[Member]) -> Vec<(usize, Hit)> {
    let index: std::collections::HashMap<&str, usize> = members
        .iter()
        .enumerate()
        .flat_map(|(i, m)| std::iter::once(m.name).chain(m.modes.names.iter().map(String::as_str)).map(move |n| (n, i)))
        .collect();
    let joined = |v: &str| v.strip_prefix("service:").or_else(|| v.strip_prefix("container:")).map(str::to_string);
    let mut hits = Vec::new();
    for (i, m) in members.iter().enumerate() {
        for (field, what, mode) in JOINABLE {
            let Some(v) = mode(m.modes) else { continue };
            let Some(first) = joined(&v.value) else { continue };
            // Follow the chain; a cycle or a name outside the project ends it.
            let mut chain = vec![first.clone()];
            let mut at = first;
            let me = m.modes.names.iter().map(String::as_str).chain([m.name]).collect::<Vec<_>>();
            let shares_host = loop {
                let Some(next) = index.get(at.as_str()).and_then(|j| mode(members[*j].modes).as_ref()) else { break false };
                if next.value == "host" {
                    break true;
                }
                match joined(&next.value) {
                    Some(n) if !chain.contains(&n) && !me.contains(&n.as_str()) => {
                        chain.push(n.clone());
                        at = n;
                    }
                    _ => break false,
                }
            };
            if shares_host {
                let through = if chain.len() > 1 { format!(" (through {})", chain[..chain.len() - 1].join(", ")) } else { String::new() };
                // A running container is named by its label, not by the id its mode holds.
                let shown = |n: &String| index.get(n.as_str()).map_or(n.clone(), |j| members[*j].name.to_string());
                let chain: Vec<String> = chain.iter().map(shown).collect();
                let last = chain.last().cloned().unwrap_or_default();
                hits.push((
                    i,
                    Hit::new(
                        format!("{field}: {} joins {last}{through}, which shares the host's {what}", v.value),
                        v.origin.clone(),
                        format!("{field}: {}", v.value),
                    ),
                ));
            }
        }
    }
    hits
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

    #[test]
    fn namespaces_joined_through_services() {
        let modes = |net: Option<&str>, pid: Option<&str>| Modes {
            network: net.map(|n| v(n.into(), 3)),
            pid: pid.map(|p| v(p.into(), 4)),
            ipc: None,
            names: Vec::new(),
        };
        let all = [
            modes(Some("host"), None),
            modes(Some("service:vpn"), Some("service:tools")),
            modes(Some("service:app"), None),
            modes(Some("service:loop"), Some("service:app")),
            modes(Some("service:nowhere"), Some("host")),
        ];
        let names = ["vpn", "app", "web", "loop", "tools"];
        let members: Vec<Member> = names.iter().zip(&all).map(|(name, modes)| Member { name, mounts: &[], modes }).collect();
        let hits: Vec<(usize, String)> = host_namespace_through_service(&members).into_iter().map(|(i, h)| (i, h.message)).collect();
        assert_eq!(
            hits,
            [
                (1, "network_mode: service:vpn joins vpn, which shares the host's network stack".to_string()),
                (1, "pid: service:tools joins tools, which shares the host's process namespace".to_string()),
                (2, "network_mode: service:app joins vpn (through app), which shares the host's network stack".to_string()),
                (3, "pid: service:app joins tools (through app), which shares the host's process namespace".to_string()),
            ]
        );
    }
}

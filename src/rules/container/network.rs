//! port-on-all-interfaces, privileged-host-port, sshd-in-container

use crate::model::ContainerSpec;
use crate::rules::Hit;

fn show(p: &crate::model::Port) -> String {
    let range = |(a, b): (u32, u32)| if a == b { a.to_string() } else { format!("{a}-{b}") };
    let target = format!("{}/{}", range(p.target), p.protocol);
    let host = p.published.map(range).unwrap_or_default();
    match p.host_ip.as_deref() {
        None if p.published.is_none() => target,
        None => format!("{host}:{target}"),
        Some(ip) if ip.contains(':') => format!("[{ip}]:{host}:{target}"),
        Some(ip) => format!("{ip}:{host}:{target}"),
    }
}

pub fn port_on_all_interfaces(s: &ContainerSpec) -> Vec<Hit> {
    if s.network_mode.as_ref().is_some_and(|n| n.value == "host") {
        return vec![];
    }
    s.ports
        .iter()
        .filter(|p| matches!(p.value.host_ip.as_deref(), None | Some("0.0.0.0" | "::" | "[::]")))
        .map(|p| Hit::new(format!("port {} is published on every host interface", show(&p.value)), p.origin.clone(), show(&p.value)))
        .collect()
}

pub fn privileged_host_port(s: &ContainerSpec) -> Vec<Hit> {
    s.ports
        .iter()
        .filter(|p| p.value.published.is_some_and(|(start, _)| start < 1024))
        .map(|p| {
            Hit::new(
                format!("publishes privileged host port {}", p.value.published.unwrap_or_default().0),
                p.origin.clone(),
                show(&p.value),
            )
        })
        .collect()
}

pub fn sshd_in_container(s: &ContainerSpec) -> Vec<Hit> {
    let mut hits = Vec::new();
    for cmd in [&s.entrypoint, &s.command].into_iter().flatten() {
        if cmd.value.iter().any(|w| w.rsplit('/').next() == Some("sshd")) {
            hits.push(Hit::new("runs an SSH daemon in the container", cmd.origin.clone(), "sshd"));
        }
    }
    for p in s.ports.iter().filter(|p| p.value.target.0 <= 22 && 22 <= p.value.target.1 && p.value.protocol == "tcp") {
        hits.push(Hit::new("publishes container port 22 (SSH)", p.origin.clone(), show(&p.value)));
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Port;
    use crate::rules::container::testing::*;

    fn port(ip: Option<&str>, published: Option<u32>, target: u32) -> crate::model::Val<Port> {
        v(
            Port {
                host_ip: ip.map(str::to_string),
                published: published.map(|p| (p, p)),
                target: (target, target),
                protocol: "tcp".into(),
            },
            5,
        )
    }

    #[test]
    fn ports() {
        let s = ContainerSpec {
            ports: vec![
                port(None, Some(80), 80),
                port(Some("127.0.0.1"), Some(8080), 80),
                port(Some("::"), None, 22),
                port(None, None, 8000),
            ],
            ..hardened()
        };
        let all: Vec<String> = port_on_all_interfaces(&s).into_iter().map(|h| h.evidence).collect();
        assert_eq!(all, ["80:80/tcp", "[::]::22/tcp", "8000/tcp"]);
        assert_eq!(privileged_host_port(&s).len(), 1);
        assert_eq!(sshd_in_container(&s).len(), 1);
        let host = ContainerSpec { network_mode: Some(v("host".into(), 2)), ..s };
        assert!(port_on_all_interfaces(&host).is_empty());
    }
}

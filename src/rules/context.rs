//! Container rules that need the host's context: apparmor-profile-missing, published-ports.

use crate::model::{ContainerSpec, Finding};
use crate::rules::{Check, Context, Hit, declared};

/// A container that runs without an AppArmor profile on a host where AppArmor is enabled;
/// not applicable where the engine reports no AppArmor.
pub fn apparmor_profile_missing(c: &ContainerSpec, ctx: &Context, _found: &[Finding]) -> Check {
    if !ctx.daemon.apparmor.as_ref().is_some_and(|a| a.value) {
        return Check::na("not applicable: the engine does not report AppArmor");
    }
    match &c.security.apparmor {
        Some(_) => Check::Pass,
        None => Check::Fail(vec![Hit::new(
            "runs without an AppArmor profile on a host where AppArmor is enabled",
            declared(c),
            "AppArmorProfile",
        )]),
    }
}

/// CIS 5.9 ("only needed ports are open", manual): the ports a running container publishes,
/// listed as information for the person who knows which are needed, as docker-bench-security
/// lists them.
pub fn published_ports(c: &ContainerSpec, _ctx: &Context, _found: &[Finding]) -> Check {
    let shown: Vec<String> = c
        .ports
        .iter()
        .filter_map(|p| {
            let (a, b) = p.value.published?;
            let host = p.value.host_ip.as_deref().map_or("*:".to_string(), |ip| format!("{ip}:"));
            let range = if a == b { a.to_string() } else { format!("{a}-{b}") };
            Some(format!("{host}{range}/{}", p.value.protocol))
        })
        .collect();
    match c.ports.first() {
        Some(first) if !shown.is_empty() => Check::Fail(vec![Hit::new(
            format!("publishes {} port(s): {}", shown.len(), shown.join(", ")),
            first.origin.clone(),
            shown.join(","),
        )]),
        _ => Check::Pass,
    }
}

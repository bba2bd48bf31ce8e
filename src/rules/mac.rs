//! Mandatory access control: selinux-not-enforcing, apparmor-docker-default, mac-inactive.

use crate::model::{HostFacts, Origin, Severity};
use crate::rules::SkipKind;
use crate::rules::{Check, Hit, HostCheck};

pub const RULES: &[(&str, HostCheck)] = &[
    ("selinux-not-enforcing", selinux_not_enforcing),
    ("daemon-selinux-disabled", daemon_selinux_disabled),
    ("apparmor-docker-default", apparmor_docker_default),
    ("mac-inactive", mac_inactive),
];

/// On a host that enforces SELinux, dockerd must be started with `--selinux-enabled` for
/// containers to get SELinux labels.
pub fn daemon_selinux_disabled(h: &HostFacts) -> Check {
    if !selinux_enforcing(h) {
        return Check::na("not applicable: SELinux is not enforcing on this host");
    }
    match &h.mac.daemon_selinux {
        Some(v) if v.value => Check::Pass,
        v => Check::Fail(vec![Hit::new(
            "SELinux is enforcing but dockerd runs without --selinux-enabled: containers get no SELinux label",
            v.as_ref().map_or(Origin::Field("dockerd default (selinux-enabled=false)".into()), |v| v.origin.clone()),
            "selinux-enabled",
        )]),
    }
}

fn selinux_enforcing(h: &HostFacts) -> bool {
    match &h.mac.selinux_current {
        Some(c) => c.value == "1",
        None => !h.live && h.mac.selinux_config.as_ref().is_some_and(|c| c.value == "enforcing"),
    }
}

pub fn selinux_not_enforcing(h: &HostFacts) -> Check {
    let m = &h.mac;
    if m.selinux_config.is_none() && m.selinux_current.is_none() {
        return Check::na("not applicable: SELinux is not installed (no /etc/selinux/config)");
    }
    let mut hits = Vec::new();
    if let Some(c) = &m.selinux_config
        && c.value != "enforcing"
    {
        hits.push(Hit::new(format!("SELinux is configured {} (SELINUX={}), not enforcing", c.value, c.value), c.origin.clone(), "SELINUX"));
    }
    if let Some(c) = &m.selinux_current
        && c.value != "1"
    {
        hits.push(Hit::new("SELinux is running permissive (enforce is 0)", c.origin.clone(), "enforce"));
    }
    if h.live && m.selinux_current.is_none() && m.selinux_config.as_ref().is_some_and(|c| c.value != "disabled") {
        hits.push(Hit::new(
            "SELinux is configured but not running (no /sys/fs/selinux)",
            Origin::Field("/sys/fs/selinux".into()),
            "enforce",
        ));
    }
    hits.into()
}

pub fn apparmor_docker_default(h: &HostFacts) -> Check {
    match &h.mac.apparmor_enabled {
        None => Check::skip(SkipKind::Offline, "not checked offline: AppArmor's state is read from /sys on the live host"),
        Some(e) if !e.value => Check::na("not applicable: AppArmor is not enabled"),
        Some(e) => match &h.mac.apparmor_docker_default {
            Some(p) if p.value == "enforce" => Check::Pass,
            Some(p) => Check::Fail(vec![Hit::new(
                format!("the docker-default AppArmor profile is loaded in {} mode, not enforce", p.value),
                p.origin.clone(),
                "docker-default",
            )]),
            None => Check::Fail(vec![
                Hit::new(
                    "AppArmor is enabled but docker-default is not loaded (dockerd loads it when it starts)",
                    e.origin.clone(),
                    "docker-default",
                )
                .severity(Severity::Low),
            ]),
        },
    }
}

pub fn mac_inactive(h: &HostFacts) -> Check {
    if selinux_enforcing(h) || h.mac.apparmor_enabled.as_ref().is_some_and(|e| e.value) {
        return Check::Pass;
    }
    if h.mac.apparmor_enabled.is_none() && h.mac.selinux_config.is_none() {
        return Check::skip(SkipKind::Offline, "not checked offline: no SELinux configuration, and AppArmor's state is only known live");
    }
    Check::Fail(vec![Hit::new(
        "neither SELinux (enforcing) nor AppArmor is active: containers run without mandatory access control",
        h.mac
            .apparmor_enabled
            .as_ref()
            .or(None)
            .map_or_else(|| h.mac.selinux_config.as_ref().map_or(Origin::Field("/sys".into()), |c| c.origin.clone()), |a| a.origin.clone()),
        "mac",
    )])
}

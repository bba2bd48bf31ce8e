//! icc-enabled, userns-remap-disabled, live-restore-disabled, remote-logging-not-configured,
//! debug-logging, experimental-enabled, insecure-registry, daemon-seccomp-disabled,
//! no-new-privileges-default-off, aufs-storage-driver, swarm-mode-enabled, engine-warning,
//! image-sprawl, container-sprawl, daemon-runs-as-root

use super::Check;
use crate::model::{DaemonConfig, Severity, Val};
use crate::rules::Hit;
use crate::rules::SkipKind;

fn unknown(what: &str) -> Check {
    Check::skip(SkipKind::Offline, format!("{what} is not known: only the engine reports it"))
}

/// Fail with `message` when the flag is `bad`.
fn flag(v: &Option<Val<bool>>, bad: bool, what: &str, message: &str, evidence: &str) -> Check {
    match v {
        None => unknown(what),
        Some(v) if v.value == bad => Check::Fail(vec![Hit::new(message, v.origin.clone(), evidence)]),
        Some(_) => Check::Pass,
    }
}

pub fn icc_enabled(d: &DaemonConfig) -> Check {
    flag(&d.icc, true, "icc", "containers on the default bridge can talk to each other (icc is on)", "icc=true")
}

pub fn userns_remap_disabled(d: &DaemonConfig) -> Check {
    if d.rootless.as_ref().is_some_and(|r| r.value) {
        let user = d.user.as_ref().map_or_else(String::new, |u| format!(" as {}", u.value.name));
        return Check::na(format!(
            "not applicable: the engine is rootless (it runs{user} in a user namespace; root in a container is that user on the host): userns-remap is for a rootful daemon"
        ));
    }
    if d.podman.is_some() {
        return flag(
            &d.userns,
            false,
            "userns",
            "containers share the host's user namespace (userns=host): root in a container is root on the host",
            "userns=host",
        );
    }
    flag(&d.userns, false, "userns-remap", "user namespace remapping is off: root in a container is root on the host", "userns-remap")
}

pub fn live_restore_disabled(d: &DaemonConfig) -> Check {
    if d.swarm_active.as_ref().is_some_and(|s| s.value) {
        return Check::na("not applicable: live-restore does not apply in swarm mode");
    }
    flag(&d.live_restore, false, "live-restore", "live-restore is off: restarting dockerd stops every container", "live-restore=false")
}

pub fn remote_logging_not_configured(d: &DaemonConfig) -> Check {
    match &d.logging_driver {
        None => unknown("the logging driver"),
        Some(l) if matches!(l.value.as_str(), "json-file" | "local" | "none" | "journald") => Check::Fail(vec![Hit::new(
            format!("logs stay on this host (logging driver `{}`): no central copy after an incident", l.value),
            l.origin.clone(),
            format!("log-driver={}", l.value),
        )]),
        // The syslog driver without syslog-address writes to the local syslog daemon.
        Some(l) if l.value == "syslog" && d.userland_proxy.is_some() && d.log_address.is_none() => Check::Fail(vec![Hit::new(
            "the syslog driver writes to this host's syslog (no syslog-address): remote only if that forwards",
            l.origin.clone(),
            "log-opts.syslog-address",
        )]),
        Some(_) => Check::Pass,
    }
}

pub fn debug_logging(d: &DaemonConfig) -> Check {
    flag(&d.debug, true, "the log level", "the daemon logs at debug level", "debug=true")
}

pub fn experimental_enabled(d: &DaemonConfig) -> Check {
    flag(&d.experimental, true, "experimental", "experimental features are enabled", "experimental=true")
}

/// Docker always lists loopback as insecure; that is not a setting.
const DEFAULT_INSECURE: &[&str] = &["127.0.0.0/8", "::1/128"];

pub fn insecure_registry(d: &DaemonConfig) -> Check {
    let hits: Vec<Hit> = d
        .insecure_registries
        .iter()
        .filter(|r| !DEFAULT_INSECURE.contains(&r.value.as_str()))
        .map(|r| Hit::new(format!("registry {} is insecure (no TLS verification)", r.value), r.origin.clone(), r.value.clone()))
        .collect();
    hits.into()
}

pub fn daemon_seccomp_disabled(d: &DaemonConfig) -> Check {
    match &d.seccomp_profile {
        None if d.version.is_none() && d.apparmor.is_none() => unknown("seccomp"),
        None => Check::Fail(vec![Hit::new(
            "seccomp is not enabled in the daemon",
            d.version.as_ref().map_or(crate::model::Origin::Unset, |v| v.origin.clone()),
            "seccomp",
        )]),
        Some(p) if p.value == "unconfined" => Check::Fail(vec![Hit::new(
            "the default seccomp profile is disabled (unconfined)",
            p.origin.clone(),
            "seccomp-profile=unconfined",
        )]),
        Some(_) => Check::Pass,
    }
}

pub fn no_new_privileges_default_off(d: &DaemonConfig) -> Check {
    match &d.no_new_privileges {
        Some(v) if v.value => Check::Pass,
        Some(v) => {
            Check::Fail(vec![Hit::new("containers may gain new privileges by default", v.origin.clone(), "no-new-privileges=false")])
        }
        None => unknown("the no-new-privileges default"),
    }
}

pub fn aufs_storage_driver(d: &DaemonConfig) -> Check {
    match &d.storage_driver {
        None => unknown("the storage driver"),
        Some(s) if s.value == "aufs" => Check::Fail(vec![Hit::new("the aufs storage driver is used", s.origin.clone(), "aufs")]),
        Some(_) => Check::Pass,
    }
}

pub fn swarm_mode_enabled(d: &DaemonConfig) -> Check {
    flag(&d.swarm_active, true, "swarm mode", "swarm mode is active: disable it unless this host is part of a swarm", "swarm")
}

pub fn daemon_tcp_without_tls(d: &DaemonConfig) -> Check {
    let tls = d.tls_verify.as_ref().is_some_and(|t| t.value);
    let hits: Vec<Hit> = d
        .hosts
        .iter()
        .filter(|h| h.value.starts_with("tcp://") && !tls)
        .map(|h| {
            let any = h.value.starts_with("tcp://0.0.0.0")
                || h.value.starts_with("tcp://[::]")
                || h.value.trim_end_matches('/') == "tcp://"
                || h.value.starts_with("tcp://:");
            let hit = Hit::new(
                format!("the API listens on {} without tlsverify: root for whoever reaches it", h.value),
                h.origin.clone(),
                h.value.clone(),
            );
            if any { hit.severity(Severity::Critical) } else { hit }
        })
        .collect();
    hits.into()
}

pub fn daemon_flag_conflict(d: &DaemonConfig) -> Check {
    let hits: Vec<Hit> = d
        .conflicts
        .iter()
        .map(|c| {
            Hit::new(
                format!("set both as a flag and in daemon.json ({}): dockerd refuses to start", c.value),
                c.origin.clone(),
                c.value.clone(),
            )
        })
        .collect();
    hits.into()
}

/// Only the engine says what it runs: without it, no verdict.
fn engine_read(d: &DaemonConfig) -> Option<Check> {
    d.version.is_none().then(|| Check::skip(SkipKind::Offline, "not known without the engine: only the running engine reports it"))
}

pub fn engine_warning(d: &DaemonConfig) -> Check {
    if let Some(skip) = engine_read(d) {
        return skip;
    }
    let hits: Vec<Hit> = d
        .warnings
        .iter()
        .map(|w| {
            let lower = w.value.to_lowercase();
            let exposed = lower.contains("tcp") || lower.contains("without encryption") || lower.contains("unencrypted");
            let h = Hit::new(format!("the engine warns: {}", w.value.trim()), w.origin.clone(), w.value.trim().to_string());
            if exposed { h.severity(Severity::High) } else { h }
        })
        .collect();
    hits.into()
}

pub fn iptables_disabled(d: &DaemonConfig) -> Check {
    flag(
        &d.iptables,
        false,
        "iptables",
        "dockerd may not change iptables: published ports and networks are firewalled by hand, or not at all",
        "iptables=false",
    )
}

pub fn userland_proxy_enabled(d: &DaemonConfig) -> Check {
    flag(
        &d.userland_proxy,
        true,
        "userland-proxy",
        "the userland proxy forwards published ports (a docker-proxy process per port)",
        "userland-proxy=true",
    )
}

/// Settings only the files tell; with a remote engine they are unknown.
fn files_only(d: &DaemonConfig) -> bool {
    d.userland_proxy.is_some()
}

/// An informational finding when a list only the files give is empty.
fn unset_in_files<T>(d: &DaemonConfig, list: &[T], what: &str, message: &str, evidence: &str) -> Check {
    if !files_only(d) {
        return unknown(what);
    }
    if !list.is_empty() {
        return Check::Pass;
    }
    let origin = crate::model::Origin::Field("not set in daemon.json or the dockerd flags".into());
    Check::Fail(vec![Hit::new(message, origin, evidence).severity(Severity::Info)])
}

pub fn authorization_plugin_missing(d: &DaemonConfig) -> Check {
    let message = "no authorization plugin: every client of the socket may do everything";
    unset_in_files(d, &d.authorization_plugins, "authorization plugins", message, "authorization-plugins")
}

pub fn default_ulimit_not_set(d: &DaemonConfig) -> Check {
    let message = "no default ulimits: containers inherit dockerd's limits";
    unset_in_files(d, &d.default_ulimits, "default ulimits", message, "default-ulimits")
}

/// docker-bench-security never sees `cgroup-parent` in daemon.json; CIS asks to confirm it.
pub fn cgroup_parent_set(d: &DaemonConfig) -> Check {
    match &d.cgroup_parent {
        Some(c) => Check::Fail(vec![
            Hit::new(
                format!("containers are placed under cgroup `{}`, not the default: confirm it", c.value),
                c.origin.clone(),
                format!("cgroup-parent={}", c.value),
            )
            .severity(Severity::Info),
        ]),
        None => Check::Pass,
    }
}

/// The files say one thing, the running engine another: a change not applied yet (or undone).
pub fn daemon_config_not_applied(d: &DaemonConfig) -> Check {
    if let Some(skip) = engine_read(d) {
        return skip;
    }
    d.disagreements
        .iter()
        .map(|v| {
            let (name, files, engine) = &v.value;
            Hit::new(
                format!("{name} is {files} in this host's configuration but the running engine has {engine}: restart dockerd, or the file no longer says what runs"),
                v.origin.clone(),
                name.clone(),
            )
        })
        .collect::<Vec<_>>()
        .into()
}

/// dockerd refuses to start with a userns-remap user that has no subordinate id range.
pub fn userns_remap_subids_missing(d: &DaemonConfig) -> Check {
    d.userns_subids_missing
        .iter()
        .map(|v| Hit::new(format!("userns-remap: {}: dockerd will not start", v.value), v.origin.clone(), v.value.clone()))
        .collect::<Vec<_>>()
        .into()
}

/// CIS 2.1 ("run the daemon as a non-root user, if possible", manual): whether the engine runs
/// rootless, as information (most engines cannot, yet).
pub fn daemon_runs_as_root(d: &DaemonConfig) -> Check {
    match &d.rootless {
        None => unknown("rootless mode"),
        Some(r) if r.value => Check::Pass,
        Some(r) => Check::Fail(vec![Hit::new("the daemon runs as root, not in rootless mode", r.origin.clone(), "rootless")]),
    }
}

/// CIS 2.1: the daemon runs without root (rootless) — see daemon_runs_as_root above.
///
/// CIS v1.8.0 2.7: devicemapper is deprecated (removed in Docker 25) and was never safe to
/// run in loop-lvm mode.
pub fn devicemapper_storage_driver(d: &DaemonConfig) -> Check {
    match &d.storage_driver {
        None => unknown("the storage driver"),
        Some(s) if s.value == "devicemapper" => Check::Fail(vec![Hit::new(
            "the devicemapper storage driver is used (deprecated; use overlay2)",
            s.origin.clone(),
            "devicemapper",
        )]),
        Some(_) => Check::Pass,
    }
}

/// CIS 2.11 (v1.8.0 2.12): the devicemapper base device size (`dm.basesize`) left as it is.
pub fn base_device_size_changed(d: &DaemonConfig) -> Check {
    let hits: Vec<Hit> = d
        .storage_opts
        .iter()
        .filter(|o| o.value.trim_start().starts_with("dm.basesize"))
        .map(|o| Hit::new(format!("the base device size is changed ({})", o.value.trim()), o.origin.clone(), "dm.basesize"))
        .collect();
    if hits.is_empty() { Check::Pass } else { Check::Fail(hits) }
}

/// CIS 4.5: Docker Content Trust on for docker clients.
pub fn content_trust_disabled(d: &DaemonConfig) -> Check {
    if d.podman.is_some() {
        return flag(
            &d.content_trust,
            false,
            "the image signature policy (policy.json)",
            "the signature policy accepts any image (policy.json's default is insecureAcceptAnything): podman pulls unsigned images",
            "insecureAcceptAnything",
        );
    }
    flag(
        &d.content_trust,
        false,
        "DOCKER_CONTENT_TRUST",
        "Docker Content Trust is off (DOCKER_CONTENT_TRUST is not 1): docker pulls unsigned images",
        "DOCKER_CONTENT_TRUST",
    )
}

/// The release table of CIS 1.2.2 (`cis/docker-releases.yaml`): (checked, newest, its date).
fn releases() -> (String, String, String) {
    let text = include_str!("../../../cis/docker-releases.yaml");
    let get = |k: &str| {
        text.lines().find_map(|l| l.strip_prefix(&format!("{k}:"))).map(|v| v.trim().trim_matches('"').to_string()).unwrap_or_default()
    };
    (get("checked"), get("newest"), get("newest_date"))
}

/// `29.1.5`, `20.10.24+dfsg1`: the numeric release.
fn release(v: &str) -> Option<(u32, u32, u32)> {
    let mut parts = v.split(|c: char| !c.is_ascii_digit()).filter(|p| !p.is_empty()).map(|p| p.parse::<u32>().ok());
    Some((parts.next()??, parts.next()??, parts.next().flatten().unwrap_or(0)))
}

/// Days since 1970-01-01 of `YYYY-MM-DD` (proleptic Gregorian).
fn days(date: &str) -> Option<i64> {
    let mut p = date.split('-').map(|x| x.parse::<i64>().ok());
    let (y, m, d) = (p.next()??, p.next()??, p.next()??);
    let (y, m) = if m <= 2 { (y - 1, m + 9) } else { (y, m - 3) };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * m + 2) / 5 + d - 1;
    Some(era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468)
}

/// CIS 1.2.2: the engine against the newest release cbench knows, and how old that knowledge is.
/// Distribution packages (Debian's `+dfsg`) backport security fixes: the message says so.
pub fn engine_version_outdated(d: &DaemonConfig) -> Check {
    let Some(v) = &d.version else { return unknown("the engine version") };
    let (checked, newest, newest_date) = releases();
    let Some(have) = release(&v.value) else {
        return Check::skip(SkipKind::Offline, format!("the engine version {} is not a Docker release number", v.value));
    };
    let age = d.today.as_deref().and_then(days).zip(days(&checked)).map(|(t, c)| t - c).filter(|a| *a > 180);
    let stale = age.map_or(String::new(), |a| format!("; this table is {a} days old: check docs.docker.com/engine/release-notes"));
    if release(&newest).is_some_and(|n| have < n) {
        let backport =
            if v.value.contains('+') || v.value.contains('~') { " (a distribution package: it may carry backported fixes)" } else { "" };
        Check::Fail(vec![Hit::new(
            format!(
                "Docker {}{backport} is older than {newest} ({newest_date}), the newest release cbench knows as of {checked}{stale}",
                v.value
            ),
            v.origin.clone(),
            v.value.clone(),
        )])
    } else if !stale.is_empty() {
        Check::Fail(vec![
            Hit::new(format!("Docker {} is the newest release cbench knows{stale}", v.value), v.origin.clone(), v.value.clone())
                .severity(Severity::Info),
        ])
    } else {
        Check::Pass
    }
}

/// CIS 7.1: a manager count that gives a quorum — an odd number, at most seven (Docker's
/// advice: an even count tolerates no more failures than the odd one below it).
pub fn swarm_manager_count(d: &DaemonConfig) -> Check {
    let Some(swarm) = &d.swarm else { return Check::na("not applicable: swarm mode is not active") };
    let Some(m) = &swarm.managers else { return Check::na("not applicable: this node is not a swarm manager") };
    if m.value % 2 == 0 || m.value > 7 {
        Check::Fail(vec![Hit::new(
            format!("the swarm has {} managers: use an odd number, at most 7", m.value),
            m.origin.clone(),
            format!("managers={}", m.value),
        )])
    } else {
        Check::Pass
    }
}

/// CIS 7.2: swarm's cluster-management (2377) and gossip (7946) ports bound to one interface
/// (`docker swarm init --listen-addr IP`), not to every one.
pub fn swarm_port_on_all_interfaces(d: &DaemonConfig) -> Check {
    if d.swarm.is_none() {
        return Check::na("not applicable: swarm mode is not active");
    }
    let Some(listeners) = &d.swarm_wildcard_listeners else {
        return Check::skip(SkipKind::Offline, "the host's TCP listeners are read on the live host only (/proc/net/tcp)");
    };
    let hits: Vec<Hit> = listeners
        .iter()
        .map(|l| Hit::new(format!("swarm listens on {} (every interface)", l.value), l.origin.clone(), l.value.clone()))
        .collect();
    if hits.is_empty() { Check::Pass } else { Check::Fail(hits) }
}

/// CIS 7.3: every overlay network encrypted (`docker network create --opt encrypted`).
pub fn swarm_overlay_unencrypted(d: &DaemonConfig) -> Check {
    let Some(swarm) = &d.swarm else { return Check::na("not applicable: swarm mode is not active") };
    let hits: Vec<Hit> = swarm
        .overlay_networks
        .iter()
        .filter(|n| !n.value.1)
        .map(|n| Hit::new(format!("overlay network {} is not encrypted", n.value.0), n.origin.clone(), n.value.0.clone()))
        .collect();
    if hits.is_empty() { Check::Pass } else { Check::Fail(hits) }
}

/// CIS 7.5: managers start locked (`docker swarm update --autolock=true`).
pub fn swarm_autolock_disabled(d: &DaemonConfig) -> Check {
    let Some(swarm) = &d.swarm else { return Check::na("not applicable: swarm mode is not active") };
    let Some(a) = &swarm.autolock else { return Check::na("not applicable: this node is not a swarm manager") };
    flag(&Some(a.clone()), false, "auto-lock", "swarm managers are not auto-locked: their raft keys sit unencrypted on disk", "autolock")
}

/// CIS 6.1, as docker-bench-security reports it: how many images the engine holds, how many the
/// audited containers run (information: a person judges whether the rest should go).
pub fn image_sprawl(d: &DaemonConfig) -> Check {
    let Some(images) = &d.images else { return unknown("the number of images") };
    let in_use = d.images_in_use.map_or(String::new(), |n| format!("; {n} run by the containers audited"));
    Check::Fail(vec![Hit::new(format!("the engine holds {} images{in_use}", images.value), images.origin.clone(), "Images")])
}

/// CIS 6.2: how many containers the engine has, how many run (information).
pub fn container_sprawl(d: &DaemonConfig) -> Check {
    let Some(c) = &d.containers else { return unknown("the number of containers") };
    let (all, running) = c.value;
    Check::Fail(vec![Hit::new(format!("the engine has {all} containers, {running} running"), c.origin.clone(), "Containers")])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Origin;

    fn v<T>(x: T) -> Option<Val<T>> {
        Some(Val::new(x, Origin::Field("engine /info".into())))
    }

    #[test]
    fn a_rootful_daemon_is_information() {
        let mut d = DaemonConfig::default();
        assert!(matches!(daemon_runs_as_root(&d), Check::Skip(..)));
        let at = crate::model::Origin::Field("engine /info .SecurityOptions".into());
        d.rootless = Some(Val::new(true, at.clone()));
        assert!(matches!(daemon_runs_as_root(&d), Check::Pass));
        d.rootless = Some(Val::new(false, at));
        assert!(matches!(daemon_runs_as_root(&d), Check::Fail(h) if h[0].message == "the daemon runs as root, not in rootless mode"));
    }

    #[test]
    fn sprawl_is_counted_as_information() {
        let mut d = DaemonConfig::default();
        assert!(matches!(image_sprawl(&d), Check::Skip(..)));
        assert!(matches!(container_sprawl(&d), Check::Skip(..)));
        let at = crate::model::Origin::Field("engine /info".into());
        d.images = Some(Val::new(12, at.clone()));
        d.images_in_use = Some(3);
        d.containers = Some(Val::new((7, 2), at));
        let message = |c: Check| match c {
            Check::Fail(h) => h[0].message.clone(),
            _ => String::new(),
        };
        assert_eq!(message(image_sprawl(&d)), "the engine holds 12 images; 3 run by the containers audited");
        assert_eq!(message(container_sprawl(&d)), "the engine has 7 containers, 2 running");
    }

    #[test]
    fn flags_and_unknowns() {
        let mut d = DaemonConfig::default();
        assert!(matches!(icc_enabled(&d), Check::Skip(..)));
        d.icc = v(true);
        assert!(matches!(icc_enabled(&d), Check::Fail(_)));
        d.icc = v(false);
        assert_eq!(icc_enabled(&d), Check::Pass);
        d.userns = v(false);
        d.rootless = v(true);
        assert!(matches!(userns_remap_disabled(&d), Check::NotApplicable(r) if r.contains("the engine is rootless")));
    }

    #[test]
    fn registries_and_warnings() {
        let d = DaemonConfig {
            insecure_registries: vec![Val::new("127.0.0.0/8".into(), Origin::Unset), Val::new("myregistry:5000".into(), Origin::Unset)],
            warnings: vec![Val::new("WARNING: API is accessible on http://0.0.0.0:2375 without encryption.".into(), Origin::Unset)],
            ..Default::default()
        };
        let Check::Fail(hits) = insecure_registry(&d) else { panic!() };
        assert_eq!(hits.iter().map(|h| h.evidence.as_str()).collect::<Vec<_>>(), ["myregistry:5000"]);
        // Without the engine, its warnings are unknown: no pass.
        assert!(matches!(engine_warning(&d), Check::Skip(SkipKind::Offline, _)));
        assert!(matches!(daemon_config_not_applied(&d), Check::Skip(SkipKind::Offline, _)));
        let d = DaemonConfig { version: Some(Val::new("20.10.24".into(), Origin::Unset)), ..d };
        let Check::Fail(hits) = engine_warning(&d) else { panic!() };
        assert_eq!(hits[0].severity, Some(Severity::High));
        assert_eq!(daemon_config_not_applied(&d), Check::Pass);
    }
    fn messages(c: Check) -> Vec<String> {
        match c {
            Check::Fail(h) => h.into_iter().map(|h| h.message).collect(),
            Check::Pass => vec!["pass".into()],
            Check::NotApplicable(why) => vec![why],
            Check::Skip(_, why) => vec![format!("skip: {why}")],
            other => vec![format!("{other:?}")],
        }
    }

    #[test]
    fn storage_driver_and_base_device_size() {
        let mut d = DaemonConfig { storage_driver: v("devicemapper".into()), ..Default::default() };
        assert_eq!(messages(devicemapper_storage_driver(&d)), ["the devicemapper storage driver is used (deprecated; use overlay2)"]);
        assert_eq!(messages(base_device_size_changed(&d)), ["pass"]);
        d.storage_opts = vec![Val::new("dm.basesize=50G".into(), Origin::Field("daemon.json".into()))];
        assert_eq!(messages(base_device_size_changed(&d)), ["the base device size is changed (dm.basesize=50G)"]);
        d.storage_driver = v("overlay2".into());
        assert_eq!(messages(devicemapper_storage_driver(&d)), ["pass"]);
    }

    #[test]
    fn content_trust() {
        let mut d = DaemonConfig::default();
        assert!(matches!(content_trust_disabled(&d), Check::Skip(..)));
        d.content_trust = v(false);
        assert_eq!(
            messages(content_trust_disabled(&d)),
            ["Docker Content Trust is off (DOCKER_CONTENT_TRUST is not 1): docker pulls unsigned images"]
        );
        d.content_trust = v(true);
        assert_eq!(messages(content_trust_disabled(&d)), ["pass"]);
    }

    #[test]
    fn engine_version_against_the_release_table() {
        let (checked, newest, date) = releases();
        assert_eq!((checked.len(), date.len()), (10, 10), "dates are YYYY-MM-DD");
        let mut d = DaemonConfig { version: v("20.10.24+dfsg1".into()), today: Some(checked.clone()), ..Default::default() };
        assert_eq!(
            messages(engine_version_outdated(&d)),
            [format!(
                "Docker 20.10.24+dfsg1 (a distribution package: it may carry backported fixes) is older than {newest} ({date}), the newest release cbench knows as of {checked}"
            )]
        );
        d.version = v(newest.clone());
        assert_eq!(messages(engine_version_outdated(&d)), ["pass"]);
        // A year later the table itself is stale, and says so.
        let later = days(&checked).unwrap() + 365;
        d.today = Some(format!("{}", later));
        assert_eq!(messages(engine_version_outdated(&d)), ["pass"], "a day count is no date");
        d.today = Some("2099-01-01".into());
        let m = messages(engine_version_outdated(&d));
        assert!(m[0].starts_with(&format!("Docker {newest} is the newest release cbench knows; this table is ")), "{m:?}");
        assert_eq!(release("29.1.5"), Some((29, 1, 5)));
        assert_eq!(release("4.3.1"), Some((4, 3, 1)));
        assert_eq!(days("1970-01-01"), Some(0));
        assert_eq!(days("2026-12-06"), Some(20_793));
    }

    #[test]
    fn swarm_section_7() {
        let mut d = DaemonConfig::default();
        for c in [swarm_manager_count(&d), swarm_overlay_unencrypted(&d), swarm_autolock_disabled(&d), swarm_port_on_all_interfaces(&d)] {
            assert_eq!(messages(c), ["not applicable: swarm mode is not active"]);
        }
        let at = |f: &str| Origin::Field(f.into());
        d.swarm = Some(crate::model::Swarm {
            manager: true,
            managers: Some(Val::new(2, at("Swarm.Managers"))),
            autolock: Some(Val::new(false, at("autolock"))),
            overlay_networks: vec![Val::new(("ingress".into(), false), at("n")), Val::new(("secure".into(), true), at("n"))],
        });
        assert_eq!(messages(swarm_manager_count(&d)), ["the swarm has 2 managers: use an odd number, at most 7"]);
        assert_eq!(messages(swarm_overlay_unencrypted(&d)), ["overlay network ingress is not encrypted"]);
        assert_eq!(messages(swarm_autolock_disabled(&d)), ["swarm managers are not auto-locked: their raft keys sit unencrypted on disk"]);
        assert!(matches!(swarm_port_on_all_interfaces(&d), Check::Skip(..)));
        d.swarm_wildcard_listeners = Some(vec![Val::new("[::]:2377".into(), at("/proc/net/tcp6"))]);
        assert_eq!(messages(swarm_port_on_all_interfaces(&d)), ["swarm listens on [::]:2377 (every interface)"]);
        d.swarm_wildcard_listeners = Some(vec![]);
        assert_eq!(messages(swarm_port_on_all_interfaces(&d)), ["pass"]);
        let s = d.swarm.as_mut().unwrap();
        s.managers = Some(Val::new(3, at("m")));
        s.autolock = Some(Val::new(true, at("a")));
        assert_eq!(messages(swarm_manager_count(&d)), ["pass"]);
        assert_eq!(messages(swarm_autolock_disabled(&d)), ["pass"]);
        let s = d.swarm.as_mut().unwrap();
        (s.manager, s.managers, s.autolock) = (false, None, None);
        assert_eq!(messages(swarm_manager_count(&d)), ["not applicable: this node is not a swarm manager"]);
    }
}

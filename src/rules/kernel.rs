//! Kernel rules: kernel-sysctl (the sysctl keys of the hardening checklists: CIS, KSPP, Lynis,
//! CKS; ip_forward is never asked for, containers need it), kernel-module-enabled (file
//! systems and protocols a container host does not need), kernel-cmdline-weakened.

use crate::model::{Fact, HostFacts, ModuleState, Origin, Severity};
use crate::rules::SkipKind;
use crate::rules::{Check, Hit, HostCheck};

pub const RULES: &[(&str, HostCheck)] = &[
    // Live, /proc/sys is the truth; offline an unreadable sysctl.d file leaves it unknown.
    ("kernel-sysctl", |h| match h.unread(Fact::Sysctl).filter(|_| !h.live) {
        Some(path) => Check::unreadable(path),
        None => kernel_sysctl(h).into(),
    }),
    ("kernel-module-enabled", |h| match h.unread(Fact::Modules) {
        Some(path) => Check::unreadable(path),
        None => kernel_module_enabled(h).into(),
    }),
    ("kernel-cmdline-weakened", kernel_cmdline_weakened),
];

/// Modules the checklists (CIS distribution benchmarks, Lynis) want unloadable.
pub const MODULES: &[&str] =
    &["cramfs", "freevxfs", "jffs2", "hfs", "hfsplus", "squashfs", "udf", "dccp", "sctp", "rds", "tipc", "usb-storage"];

/// An `install` command that makes loading the module do nothing.
fn disables(command: &str) -> bool {
    matches!(command.split_whitespace().next(), Some("/bin/true" | "/bin/false" | "/usr/bin/true" | "/usr/bin/false"))
}

pub fn kernel_module_enabled(h: &HostFacts) -> Vec<Hit> {
    let mut hits = Vec::new();
    for m in MODULES {
        let key = crate::model::module_key(m);
        match h.modules.get(&key) {
            Some(v) if matches!(&v.value, ModuleState::Install(c) if disables(c)) => {}
            Some(v) if v.value == ModuleState::Blacklist => hits.push(
                Hit::new(
                    format!(
                        "{m} is only blacklisted: that stops loading by alias, `modprobe {m}` (or a program asking for it) still loads it"
                    ),
                    v.origin.clone(),
                    *m,
                )
                .severity(Severity::Low),
            ),
            Some(v) => hits.push(Hit::new(format!("{m} has an install command that still loads it"), v.origin.clone(), *m)),
            None => hits.push(Hit::new(
                format!("{m} can be loaded: no `install {m} /bin/true` in modprobe.d"),
                Origin::Field("modprobe.d".into()),
                *m,
            )),
        }
    }
    hits
}

/// Boot parameters that turn a protection off, and what they turn off.
const WEAKENING: &[(&str, &str)] = &[
    ("selinux=0", "disables SELinux"),
    ("enforcing=0", "puts SELinux in permissive mode"),
    ("apparmor=0", "disables AppArmor"),
    ("security=none", "disables every Linux security module"),
    ("audit=0", "disables the audit subsystem"),
    ("mitigations=off", "turns off CPU vulnerability mitigations"),
    ("nopti", "turns off page-table isolation (Meltdown)"),
    ("nospectre_v1", "turns off Spectre v1 mitigations"),
    ("nospectre_v2", "turns off Spectre v2 mitigations"),
    ("spectre_v2=off", "turns off Spectre v2 mitigations"),
    ("spec_store_bypass_disable=off", "turns off Speculative Store Bypass mitigation"),
    ("nokaslr", "turns off kernel address-space randomisation"),
    ("flatcar.autologin", "logs in on the console without a password (Flatcar development images)"),
    ("coreos.autologin", "logs in on the console without a password (CoreOS development images)"),
    ("module.sig_enforce=0", "accepts unsigned modules"),
    ("lockdown=none", "turns kernel lockdown off"),
];

pub fn kernel_cmdline_weakened(h: &HostFacts) -> Check {
    let Some(cmdline) = &h.cmdline else {
        return Check::skip(
            SkipKind::NotFound,
            "no kernel command line: /proc/cmdline (live) or the boot configuration (offline) not found",
        );
    };
    cmdline
        .value
        .split_whitespace()
        .filter_map(|p| WEAKENING.iter().find(|(w, _)| *w == p || (w.ends_with("autologin") && p.starts_with(&format!("{w}=")))))
        .map(|(p, why)| Hit::new(format!("the kernel command line has `{p}`: it {why}"), cmdline.origin.clone(), *p))
        .collect::<Vec<_>>()
        .into()
}

/// Key and the values that pass.
pub const EXPECTED: &[(&str, &[&str])] = &[
    ("kernel.kptr_restrict", &["2"]),
    ("kernel.dmesg_restrict", &["1"]),
    ("kernel.perf_event_paranoid", &["2", "3", "4"]),
    ("kernel.sysrq", &["0"]),
    ("kernel.yama.ptrace_scope", &["1", "2", "3"]),
    ("kernel.randomize_va_space", &["2"]),
    ("fs.suid_dumpable", &["0"]),
    ("kernel.unprivileged_bpf_disabled", &["1", "2"]),
    ("net.core.bpf_jit_harden", &["2"]),
    ("fs.protected_hardlinks", &["1"]),
    ("fs.protected_symlinks", &["1"]),
    ("fs.protected_regular", &["1", "2"]),
    ("fs.protected_fifos", &["1", "2"]),
    ("net.ipv4.conf.all.accept_source_route", &["0"]),
    ("net.ipv4.conf.default.accept_source_route", &["0"]),
    ("net.ipv4.conf.all.accept_redirects", &["0"]),
    ("net.ipv4.conf.default.accept_redirects", &["0"]),
    ("net.ipv4.conf.all.secure_redirects", &["0"]),
    ("net.ipv4.conf.default.secure_redirects", &["0"]),
    ("net.ipv4.conf.all.send_redirects", &["0"]),
    ("net.ipv4.conf.default.send_redirects", &["0"]),
    ("net.ipv4.conf.all.rp_filter", &["1"]),
    ("net.ipv4.conf.default.rp_filter", &["1"]),
    ("net.ipv4.conf.all.log_martians", &["1"]),
    ("net.ipv4.conf.default.log_martians", &["1"]),
    ("net.ipv6.conf.all.accept_redirects", &["0"]),
    ("net.ipv6.conf.default.accept_redirects", &["0"]),
    ("net.ipv6.conf.all.accept_source_route", &["0"]),
    ("net.ipv6.conf.default.accept_source_route", &["0"]),
    ("net.ipv4.icmp_echo_ignore_broadcasts", &["1"]),
    ("net.ipv4.tcp_syncookies", &["1"]),
    ("dev.tty.ldisc_autoload", &["0"]),
];

/// Keys only some kernels have (Debian's patch): judged when the host has or sets them.
/// Rootless Docker needs unprivileged user namespaces; a rootful host does not.
pub const OPTIONAL: &[(&str, &[&str])] = &[("kernel.unprivileged_userns_clone", &["0"])];

pub fn keys() -> Vec<&'static str> {
    EXPECTED.iter().chain(OPTIONAL).map(|(k, _)| *k).collect()
}

/// One finding per key whose effective value (running, else configured) is not a passing one.
pub fn kernel_sysctl(h: &HostFacts) -> Vec<Hit> {
    let mut hits = Vec::new();
    for (key, good) in EXPECTED.iter().chain(OPTIONAL) {
        let configured = h.sysctl_configured.get(*key);
        let running = h.sysctl_running.get(*key);
        if OPTIONAL.iter().any(|(k, _)| k == key) && configured.is_none() && running.is_none() {
            continue;
        }
        let want = good.join(" or ");
        match (running, configured) {
            (Some(r), c) if !good.contains(&r.value.as_str()) => {
                let how = match c {
                    Some(c) if c.value != r.value => format!(" (configured {} at {}, not applied)", c.value, c.origin),
                    Some(_) => String::new(),
                    None => " and not configured".into(),
                };
                let origin = c.map_or_else(|| r.origin.clone(), |c| c.origin.clone());
                hits.push(Hit::new(format!("{key} is {}, should be {want}{how}", r.value), origin, key.to_string()));
            }
            (Some(_), _) => {}
            (None, Some(c)) if !good.contains(&c.value.as_str()) => {
                hits.push(Hit::new(format!("{key} is configured {}, should be {want}", c.value), c.origin.clone(), key.to_string()));
            }
            (None, Some(_)) => {}
            (None, None) => hits.push(
                Hit::new(
                    format!("{key} is not configured (the kernel default applies), should be {want}"),
                    Origin::Field("sysctl.d".into()),
                    key.to_string(),
                )
                .severity(Severity::Low),
            ),
        }
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Val;

    #[test]
    fn command_line_and_optional_keys() {
        let mut h =
            HostFacts { cmdline: Some(Val::new("ro quiet flatcar.autologin=tty1 audit=1".into(), Origin::Unset)), ..Default::default() };
        let Check::Fail(hits) = kernel_cmdline_weakened(&h) else { panic!() };
        assert_eq!(hits.iter().map(|h| h.evidence.as_str()).collect::<Vec<_>>(), ["flatcar.autologin"]);
        h.cmdline = None;
        assert!(matches!(kernel_cmdline_weakened(&h), Check::Skip(..)));
        // Debian's unprivileged_userns_clone is judged only where the kernel has it.
        let missing = |h: &HostFacts| kernel_sysctl(h).iter().any(|x| x.evidence == "kernel.unprivileged_userns_clone");
        assert!(!missing(&h));
        h.sysctl_running.insert("kernel.unprivileged_userns_clone".into(), Val::new("1".into(), Origin::Unset));
        assert!(missing(&h));
    }

    #[test]
    fn running_configured_and_missing() {
        let mut h = HostFacts::default();
        let v = |s: &str, o: &str| Val::new(s.to_string(), Origin::Field(o.into()));
        for (k, good) in EXPECTED {
            h.sysctl_configured.insert(k.to_string(), v(good[0], "conf"));
        }
        assert!(kernel_sysctl(&h).is_empty());
        h.sysctl_running.insert("kernel.sysrq".into(), v("16", "/proc/sys/kernel/sysrq"));
        h.sysctl_configured.insert("kernel.kptr_restrict".into(), v("0", "conf"));
        h.sysctl_configured.remove("fs.suid_dumpable");
        let hits = kernel_sysctl(&h);
        let got: Vec<(&str, Option<Severity>)> = hits.iter().map(|h| (h.evidence.as_str(), h.severity)).collect();
        assert_eq!(got, [("kernel.kptr_restrict", None), ("kernel.sysrq", None), ("fs.suid_dumpable", Some(Severity::Low))]);
        assert_eq!(hits[1].message, "kernel.sysrq is 16, should be 0 (configured 0 at conf, not applied)");
    }
}

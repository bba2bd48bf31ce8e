//! kernel-sysctl: the sysctl keys of the hardening checklists (CIS, KSPP, Lynis, CKS).
//! ip_forward is never asked for: containers need it.

use crate::model::{HostFacts, Origin, Severity};
use crate::rules::Hit;

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

pub fn keys() -> Vec<&'static str> {
    EXPECTED.iter().map(|(k, _)| *k).collect()
}

/// One finding per key whose effective value (running, else configured) is not a passing one.
pub fn kernel_sysctl(h: &HostFacts) -> Vec<Hit> {
    let mut hits = Vec::new();
    for (key, good) in EXPECTED {
        let configured = h.sysctl_configured.get(*key);
        let running = h.sysctl_running.get(*key);
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

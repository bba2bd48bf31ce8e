//! sshd rules. An unset keyword takes OpenSSH's default: an unset option whose default is
//! secure is not a finding (dev-sec baselines get this wrong), one whose default is weak is.
//! A weaker value inside a `Match` block is a finding at that line.

use crate::model::{HostFacts, Origin, Severity, SshdFacts};
use crate::rules::{Check, Hit, HostCheck};

pub const RULES: &[(&str, HostCheck)] = &[
    ("sshd-exposed", sshd_exposed),
    ("sshd-root-login", |h| config(h, root_login)),
    ("sshd-password-auth", |h| config(h, password_auth)),
    ("sshd-empty-passwords", |h| {
        config(h, |s| {
            keyword(s, "permitemptypasswords", |v| yes(v).then(|| ("allows logins to accounts with an empty password".into(), None)))
        })
    }),
    ("sshd-max-auth-tries", |h| config(h, max_auth_tries)),
    ("sshd-forwarding", |h| config(h, forwarding)),
    ("sshd-x11-forwarding", |h| {
        config(h, |s| {
            keyword(s, "x11forwarding", |v| {
                (yes(v) && !disabled_forwarding(s))
                    .then(|| ("forwards X11: a compromised server reaches the client's display".into(), None))
            })
        })
    }),
    ("sshd-user-environment", |h| {
        config(h, |s| {
            keyword(s, "permituserenvironment", |v| {
                (v != "no").then(|| ("lets users set environment variables (LD_PRELOAD) for sshd's child".into(), None))
            })
        })
    }),
    ("sshd-hostbased-auth", |h| config(h, hostbased)),
    ("sshd-login-grace-time", |h| config(h, login_grace_time)),
    ("sshd-idle-timeout", |h| config(h, idle_timeout)),
    ("sshd-access-not-limited", |h| config(h, access_not_limited)),
    ("sshd-weak-crypto", |h| config(h, weak_crypto)),
    ("sshd-config-permissions", |h| {
        config(h, |s| crate::rules::files::modes(&s.files, |_| Some((0o600, None))).into_iter().chain(owners(s)).collect())
    }),
];

fn yes(v: &str) -> bool {
    v.eq_ignore_ascii_case("yes")
}

fn owners(s: &SshdFacts) -> Vec<Hit> {
    s.files
        .iter()
        .filter(|f| f.uid.value != 0)
        .map(|f| Hit::new(format!("{} is owned by uid {}, not root", f.path, f.uid.value), f.uid.origin.clone(), f.path.clone()))
        .collect()
}

fn masked_reason(s: &SshdFacts) -> Option<String> {
    (!s.units.is_empty() && s.units.iter().all(|(_, masked, _)| *masked)).then(|| {
        let units: Vec<&str> = s.units.iter().map(|(u, _, _)| u.as_str()).collect();
        format!("not applicable: sshd cannot start ({} masked)", units.join(", "))
    })
}

/// Run a config check unless sshd is absent or masked.
fn config(h: &HostFacts, check: fn(&SshdFacts) -> Vec<Hit>) -> Check {
    let Some(s) = &h.sshd else { return Check::na("not applicable: no sshd (no unit, no /etc/ssh/sshd_config)") };
    if let Some(reason) = masked_reason(s) {
        return Check::NotApplicable(reason);
    }
    if let Some(path) = &s.unreadable {
        return Check::unreadable(path);
    }
    check(s).into()
}

/// The keyword as sshd_config(5) spells it.
fn canon(kw: &str) -> &str {
    const NAMES: &[&str] = &[
        "PermitRootLogin",
        "PasswordAuthentication",
        "KbdInteractiveAuthentication",
        "ChallengeResponseAuthentication",
        "PermitEmptyPasswords",
        "MaxAuthTries",
        "AllowTcpForwarding",
        "AllowAgentForwarding",
        "AllowStreamLocalForwarding",
        "PermitTunnel",
        "X11Forwarding",
        "PermitUserEnvironment",
        "HostbasedAuthentication",
        "IgnoreRhosts",
        "LoginGraceTime",
        "ClientAliveInterval",
        "ClientAliveCountMax",
        "AllowUsers",
        "Ciphers",
        "MACs",
        "KexAlgorithms",
        "HostKeyAlgorithms",
        "PubkeyAcceptedAlgorithms",
        "PubkeyAcceptedKeyTypes",
        "CASignatureAlgorithms",
    ];
    NAMES.iter().find(|n| n.eq_ignore_ascii_case(kw)).copied().unwrap_or(kw)
}

/// OpenSSH's defaults for the keywords the rules judge, as `sshd -T` prints them for an empty
/// configuration (the oracle test holds the two in step). Keywords not listed default to "".
pub const OPENSSH_DEFAULTS: &[(&str, &str)] = &[
    ("permitemptypasswords", "no"),
    ("x11forwarding", "no"),
    ("permituserenvironment", "no"),
    ("permitrootlogin", "prohibit-password"),
    ("passwordauthentication", "yes"),
    ("kbdinteractiveauthentication", "yes"),
    ("maxauthtries", "6"),
    ("hostbasedauthentication", "no"),
    ("ignorerhosts", "yes"),
    ("logingracetime", "120"),
    ("clientaliveinterval", "0"),
    ("clientalivecountmax", "3"),
    ("allowtcpforwarding", "yes"),
    ("allowagentforwarding", "yes"),
    ("allowstreamlocalforwarding", "yes"),
    ("permittunnel", "no"),
];

fn default_of(kw: &str) -> &'static str {
    // ChallengeResponseAuthentication is KbdInteractiveAuthentication's old name.
    let kw = if kw == "challengeresponseauthentication" { "kbdinteractiveauthentication" } else { kw };
    OPENSSH_DEFAULTS.iter().find(|(k, _)| *k == kw).map_or("", |(_, v)| v)
}

/// Judge keyword `kw` (lower case): its effective value (or OpenSSH's default) and every value
/// a Match block sets. `bad` says what is wrong with a value, and how severe.
fn keyword(s: &SshdFacts, kw: &str, bad: impl Fn(&str) -> Option<(String, Option<Severity>)>) -> Vec<Hit> {
    let mut hits = Vec::new();
    let (value, origin, set) = match s.settings.get(kw) {
        Some(v) => (v.value.as_str(), v.origin.clone(), true),
        None => (default_of(kw), Origin::Field(format!("OpenSSH default (not set in {})", s.main)), false),
    };
    if let Some((why, sev)) = bad(value) {
        let how = if set { "" } else { " (the default)" };
        let hit = Hit::new(format!("{} {value}{how}: {why}", canon(kw)), origin, canon(kw));
        hits.push(match sev {
            Some(sev) => hit.severity(sev),
            None => hit,
        });
    }
    for m in s.matched.iter().filter(|m| m.value.0 == kw) {
        if let Some((why, sev)) = bad(&m.value.1) {
            let hit = Hit::new(format!("{} {} in `{}`: {why}", canon(kw), m.value.1, m.value.2), m.origin.clone(), canon(kw));
            hits.push(match sev {
                Some(sev) => hit.severity(sev),
                None => hit,
            });
        }
    }
    hits
}

pub fn sshd_exposed(h: &HostFacts) -> Check {
    let Some(s) = &h.sshd else { return Check::na("not applicable: no sshd (no unit, no /etc/ssh/sshd_config)") };
    s.units
        .iter()
        .filter(|(_, masked, enabled)| !masked && *enabled)
        .map(|(u, _, _)| {
            Hit::new(
                format!("sshd is started by {u}: the host takes SSH logins (on Flatcar, `systemctl mask sshd.socket` turns it off)"),
                Origin::Field(format!("{u} enabled")),
                u.clone(),
            )
        })
        .collect::<Vec<_>>()
        .into()
}

fn root_login(s: &SshdFacts) -> Vec<Hit> {
    keyword(s, "permitrootlogin", |v| match v {
        "no" => None,
        "yes" => Some(("root can log in with a password".into(), Some(Severity::High))),
        _ => Some(("root can log in with a key; log in as a user and use sudo".into(), Some(Severity::Low))),
    })
}

fn password_auth(s: &SshdFacts) -> Vec<Hit> {
    let mut hits = keyword(s, "passwordauthentication", |v| yes(v).then(|| ("passwords can be guessed; use keys".into(), None)));
    // ChallengeResponseAuthentication is the old name of KbdInteractiveAuthentication.
    let kbd = if s.settings.contains_key("kbdinteractiveauthentication") || !s.settings.contains_key("challengeresponseauthentication") {
        "kbdinteractiveauthentication"
    } else {
        "challengeresponseauthentication"
    };
    hits.extend(keyword(s, kbd, |v| yes(v).then(|| ("keyboard-interactive logins ask PAM for a password".into(), None))));
    hits
}

fn max_auth_tries(s: &SshdFacts) -> Vec<Hit> {
    keyword(s, "maxauthtries", |v| {
        (v.parse::<u32>().unwrap_or(u32::MAX) > 3).then(|| ("more than 3 attempts per connection helps password guessing".into(), None))
    })
}

fn disabled_forwarding(s: &SshdFacts) -> bool {
    s.settings.get("disableforwarding").is_some_and(|v| yes(&v.value))
}

fn forwarding(s: &SshdFacts) -> Vec<Hit> {
    if disabled_forwarding(s) {
        return vec![];
    }
    let mut hits = Vec::new();
    for kw in ["allowtcpforwarding", "allowagentforwarding", "allowstreamlocalforwarding", "permittunnel"] {
        hits.extend(keyword(s, kw, |v| {
            (v != "no").then(|| ("a login can tunnel into the host's networks (set DisableForwarding yes)".into(), None))
        }));
    }
    hits
}

fn hostbased(s: &SshdFacts) -> Vec<Hit> {
    let mut hits = keyword(s, "hostbasedauthentication", |v| yes(v).then(|| ("trusts other hosts' word for who a user is".into(), None)));
    hits.extend(keyword(s, "ignorerhosts", |v| (!yes(v)).then(|| (".rhosts and .shosts files are honoured".into(), None))));
    hits
}

/// `30`, `1m`, `1m30s`, `2h` in seconds, as OpenSSH's convtime reads them: None for what sshd
/// rejects ("invalid time value"), a total above INT_MAX among them.
pub fn seconds(v: &str) -> Option<u64> {
    let mut total = 0;
    let mut n = String::new();
    for c in v.chars() {
        if c.is_ascii_digit() {
            n.push(c);
            continue;
        }
        let mult = match c.to_ascii_lowercase() {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86400,
            'w' => 604800,
            _ => return None,
        };
        total = n.parse::<u64>().ok()?.checked_mul(mult)?.checked_add(total)?;
        n.clear();
    }
    if !n.is_empty() {
        total = n.parse::<u64>().ok()?.checked_add(total)?;
    }
    (total <= i32::MAX as u64).then_some(total)
}

/// What sshd says of a time value it cannot read.
fn invalid_time() -> Option<(String, Option<Severity>)> {
    Some(("not a time value sshd accepts (\"invalid time value\"): sshd refuses to start with this configuration".into(), None))
}

fn login_grace_time(s: &SshdFacts) -> Vec<Hit> {
    keyword(s, "logingracetime", |v| match seconds(v) {
        Some(0) => Some(("unauthenticated connections are never dropped".into(), None)),
        Some(n) if n > 60 => Some(("unauthenticated connections are held more than 60 s".into(), None)),
        Some(_) => None,
        None => invalid_time(),
    })
}

fn idle_timeout(s: &SshdFacts) -> Vec<Hit> {
    let mut hits = keyword(s, "clientaliveinterval", |v| match seconds(v) {
        Some(0) => Some(("idle sessions are never closed".into(), None)),
        Some(n) if n > 300 => Some(("idle sessions live more than 5 minutes".into(), None)),
        Some(_) => None,
        None => invalid_time(),
    });
    hits.extend(keyword(s, "clientalivecountmax", |v| {
        (v.parse::<u32>().unwrap_or(u32::MAX) > 3).then(|| ("more than 3 unanswered keepalives before an idle session closes".into(), None))
    }));
    hits
}

fn access_not_limited(s: &SshdFacts) -> Vec<Hit> {
    let limited = ["allowusers", "allowgroups", "denyusers", "denygroups"].iter().any(|k| s.settings.contains_key(*k));
    if limited {
        return vec![];
    }
    vec![Hit::new(
        "no AllowUsers, AllowGroups, DenyUsers or DenyGroups: every account with a shell may log in",
        Origin::Field(format!("not set in {}", s.main)),
        "AllowUsers",
    )]
}

/// Algorithms the OpenSSH maintainers and the hardening guides retired.
fn weak(alg: &str) -> bool {
    let a = alg.to_ascii_lowercase();
    a.ends_with("-cbc")
        || a.starts_with("arcfour")
        || a.starts_with("3des")
        || a.contains("hmac-md5")
        || a == "hmac-sha1"
        || a == "hmac-sha1-etm@openssh.com"
        || a.ends_with("-96")
        || a.ends_with("-96-etm@openssh.com")
        || a == "diffie-hellman-group1-sha1"
        || a == "diffie-hellman-group14-sha1"
        || a == "diffie-hellman-group-exchange-sha1"
        || a == "ssh-rsa"
        || a == "ssh-dss"
        || a.starts_with("ssh-rsa-cert-v01")
        || a.starts_with("ssh-dss-cert-v01")
}

fn weak_crypto(s: &SshdFacts) -> Vec<Hit> {
    let keywords = [
        "ciphers",
        "macs",
        "kexalgorithms",
        "hostkeyalgorithms",
        "pubkeyacceptedalgorithms",
        "pubkeyacceptedkeytypes",
        "casignaturealgorithms",
    ];
    let mut hits = Vec::new();
    for kw in keywords {
        hits.extend(keyword(s, kw, |v| {
            // `+alg` appends to the default set, `-alg` / `^alg` do not add anything weak by themselves.
            if v.starts_with('-') {
                return None;
            }
            let listed: Vec<&str> = v.trim_start_matches(['+', '^']).split(',').filter(|a| weak(a)).collect();
            (!listed.is_empty()).then(|| {
                let rsa = listed.iter().any(|a| a.eq_ignore_ascii_case("ssh-rsa"));
                let why = if rsa { "re-enables ssh-rsa (SHA-1 signatures)" } else { "enables retired algorithms" };
                (format!("{why}: {}", listed.join(", ")), None)
            })
        }));
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Val;

    fn sshd(settings: &[(&str, &str)], matched: &[(&str, &str)]) -> SshdFacts {
        SshdFacts {
            settings: settings.iter().map(|(k, v)| (k.to_string(), Val::new(v.to_string(), Origin::Field("cfg".into())))).collect(),
            matched: matched
                .iter()
                .map(|(k, v)| Val::new((k.to_string(), v.to_string(), "Match User ci".into()), Origin::Field("cfg".into())))
                .collect(),
            main: "/etc/ssh/sshd_config".into(),
            ..Default::default()
        }
    }

    fn kws(hits: Vec<Hit>) -> Vec<String> {
        hits.into_iter().map(|h| h.evidence).collect()
    }

    #[test]
    fn unset_secure_defaults_are_not_findings() {
        let s = sshd(&[], &[]);
        assert_eq!(kws(keyword(&s, "permitemptypasswords", |v| yes(v).then(|| (String::new(), None)))), Vec::<String>::new());
        assert_eq!(kws(hostbased(&s)), Vec::<String>::new());
        // Weak defaults are: password logins, 6 tries, no idle timeout, 120 s grace.
        assert_eq!(kws(password_auth(&s)), ["PasswordAuthentication", "KbdInteractiveAuthentication"]);
        assert_eq!(kws(max_auth_tries(&s)), ["MaxAuthTries"]);
        assert_eq!(kws(idle_timeout(&s)), ["ClientAliveInterval"]);
        assert_eq!(kws(login_grace_time(&s)), ["LoginGraceTime"]);
        assert_eq!(root_login(&s)[0].severity, Some(Severity::Low));
    }

    #[test]
    fn match_blocks_and_algorithms() {
        let s = sshd(&[("passwordauthentication", "no"), ("kbdinteractiveauthentication", "no")], &[("passwordauthentication", "yes")]);
        let hits = password_auth(&s);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].message, "PasswordAuthentication yes in `Match User ci`: passwords can be guessed; use keys");
        let s = sshd(
            &[("pubkeyacceptedalgorithms", "+ssh-rsa"), ("ciphers", "aes256-gcm@openssh.com,aes128-cbc"), ("macs", "-hmac-sha1")],
            &[],
        );
        let msgs: Vec<String> = weak_crypto(&s).into_iter().map(|h| h.message).collect();
        assert_eq!(
            msgs,
            [
                "Ciphers aes256-gcm@openssh.com,aes128-cbc: enables retired algorithms: aes128-cbc",
                "PubkeyAcceptedAlgorithms +ssh-rsa: re-enables ssh-rsa (SHA-1 signatures): ssh-rsa"
            ]
        );
        assert_eq!(seconds("1m30s"), Some(90));
        assert!(forwarding(&sshd(&[("disableforwarding", "yes")], &[])).is_empty());
    }

    /// A time value that overflows once wrapped to a passing one; sshd -T says
    /// "invalid time value" for anything above INT_MAX seconds.
    #[test]
    fn overflowing_time_values_are_not_a_pass() {
        assert_eq!(seconds("35791394m"), Some(2147483640));
        assert_eq!(seconds("35791395m"), None);
        assert_eq!(seconds("307445734561825861m"), None);
        assert_eq!(seconds("99999999999999999999"), None);
        let hits = login_grace_time(&sshd(&[("logingracetime", "307445734561825861m")], &[]));
        assert_eq!(kws(hits), ["LoginGraceTime"]);
        let hits = idle_timeout(&sshd(&[("clientaliveinterval", "307445734561825861m"), ("clientalivecountmax", "2")], &[]));
        assert_eq!(kws(hits), ["ClientAliveInterval"]);
    }
}

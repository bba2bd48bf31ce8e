//! Provisioning rules: what only a Butane or Ignition config can get wrong (remote-content-
//! unverified, remote-content-plain-http, http-header-credentials, password-login-over-ssh).
//! The host the config produces is judged by the host rules.

use crate::model::{Origin, Severity, Val};
use crate::rules::{Check, Hit};

/// Something the host fetches at boot.
#[derive(Debug, Clone, PartialEq)]
pub struct Remote {
    /// What it is ("the contents of /opt/bin/kubelet").
    pub what: String,
    /// The URL, credentials taken out.
    pub url: String,
    pub hash: bool,
    /// Names of the HTTP headers sent with it (never their values), where each is.
    pub headers: Vec<Val<String>>,
    pub origin: Origin,
}

/// What the provisioning rules see of a config.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProvisionFacts {
    pub remotes: Vec<Remote>,
    /// Users the config gives a password, at their `password_hash`.
    pub password_users: Vec<Val<String>>,
    /// sshd takes passwords (PasswordAuthentication or KbdInteractiveAuthentication not `no`),
    /// with where that is decided; None when sshd is masked.
    pub ssh_passwords: Option<Val<bool>>,
}

pub type ProvisionCheck = fn(&ProvisionFacts) -> Check;

pub const RULES: &[(&str, ProvisionCheck)] = &[
    ("remote-content-unverified", remote_content_unverified),
    ("remote-content-plain-http", remote_content_plain_http),
    ("http-header-credentials", http_header_credentials),
    ("password-login-over-ssh", password_login_over_ssh),
];

fn remote_content_unverified(p: &ProvisionFacts) -> Check {
    p.remotes
        .iter()
        .filter(|r| !r.hash)
        .map(|r| {
            Hit::new(format!("{} is fetched at boot from {} with no verification.hash", r.what, r.url), r.origin.clone(), r.url.clone())
        })
        .collect::<Vec<_>>()
        .into()
}

fn remote_content_plain_http(p: &ProvisionFacts) -> Check {
    p.remotes
        .iter()
        .filter(|r| r.url.starts_with("http://") || r.url.starts_with("tftp://"))
        .map(|r| {
            let scheme = r.url.split(':').next().unwrap_or_default();
            let h =
                Hit::new(format!("{} is fetched at boot over unencrypted {scheme}: {}", r.what, r.url), r.origin.clone(), r.url.clone());
            if r.hash { h.severity(Severity::Medium) } else { h }
        })
        .collect::<Vec<_>>()
        .into()
}

/// Is an HTTP header of this name a credential?
fn credential_header(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    matches!(n.as_str(), "authorization" | "proxy-authorization" | "cookie")
        || ["token", "secret", "password", "key", "auth", "session"].iter().any(|w| n.contains(w))
}

fn http_header_credentials(p: &ProvisionFacts) -> Check {
    p.remotes
        .iter()
        .flat_map(|r| r.headers.iter().filter(|h| credential_header(&h.value)).map(move |h| (r, h)))
        .map(|(r, h)| {
            Hit::new(
                format!("the `{}` header sent for {} is a credential written into the config", h.value, r.what),
                h.origin.clone(),
                h.value.clone(),
            )
            .redacted()
        })
        .collect::<Vec<_>>()
        .into()
}

fn password_login_over_ssh(p: &ProvisionFacts) -> Check {
    if p.password_users.is_empty() {
        return Check::na("no user gets a password from this config");
    }
    let Some(ssh) = &p.ssh_passwords else { return Check::na("sshd is masked") };
    if !ssh.value {
        return Check::Pass;
    }
    p.password_users
        .iter()
        .map(|u| {
            Hit::new(
                format!("user {} gets a password, and sshd accepts passwords ({})", u.value, ssh.origin),
                u.origin.clone(),
                u.value.clone(),
            )
            .with_related(ssh.origin.clone())
            .redacted()
        })
        .collect::<Vec<_>>()
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn remote(url: &str, hash: bool, headers: &[&str]) -> Remote {
        Remote {
            what: "the contents of /x".into(),
            url: url.into(),
            hash,
            headers: headers.iter().map(|h| Val::new(h.to_string(), Origin::Unset)).collect(),
            origin: Origin::Unset,
        }
    }

    fn hits(c: Check) -> Vec<(String, Option<Severity>)> {
        match c {
            Check::Fail(h) => h.into_iter().map(|h| (h.evidence, h.severity)).collect(),
            _ => vec![],
        }
    }

    #[test]
    fn remotes() {
        let p = ProvisionFacts {
            remotes: vec![
                remote("https://a/x", true, &["Accept"]),
                remote("https://a/y", false, &["Authorization", "X-Api-Key"]),
                remote("http://a/z", true, &[]),
                remote("tftp://a/w", false, &[]),
            ],
            ..Default::default()
        };
        assert_eq!(hits(remote_content_unverified(&p)), [("https://a/y".into(), None), ("tftp://a/w".into(), None)]);
        assert_eq!(hits(remote_content_plain_http(&p)), [("http://a/z".into(), Some(Severity::Medium)), ("tftp://a/w".into(), None)]);
        assert_eq!(hits(http_header_credentials(&p)), [("Authorization".into(), None), ("X-Api-Key".into(), None)]);
    }

    #[test]
    fn passwords_and_ssh() {
        let on = |v| Some(Val::new(v, Origin::Field("OpenSSH default".into())));
        let mut p = ProvisionFacts { ssh_passwords: on(true), ..Default::default() };
        assert!(matches!(password_login_over_ssh(&p), Check::NotApplicable(_)));
        p.password_users.push(Val::new("core".into(), Origin::Unset));
        assert_eq!(hits(password_login_over_ssh(&p)), [("core".into(), None)]);
        p.ssh_passwords = on(false);
        assert_eq!(password_login_over_ssh(&p), Check::Pass);
        p.ssh_passwords = None;
        assert!(matches!(password_login_over_ssh(&p), Check::NotApplicable(_)));
    }
}

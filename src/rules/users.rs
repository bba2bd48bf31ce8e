//! Users and sudo: core-user-unrestricted (Flatcar / CoreOS), root-password-login,
//! uid-zero-user, empty-password, passwordless-sudo, sudoers-d-permissions, su-not-restricted,
//! password-quality-missing, privileged-group-members.

use crate::model::{Accounts, HostFacts, Origin, Password, Severity, User, Val};
use crate::rules::SkipKind;
use crate::rules::{Check, Hit, HostCheck};

pub const RULES: &[(&str, HostCheck)] = &[
    ("core-user-unrestricted", core_user_unrestricted),
    ("root-password-login", root_password_login),
    ("uid-zero-user", |h| uid_zero_user(h).into()),
    ("empty-password", empty_password),
    ("passwordless-sudo", |h| sudoers_known(h).unwrap_or_else(|| passwordless_sudo(h).into())),
    ("sudoers-d-permissions", sudoers_d_permissions),
    ("su-not-restricted", su_not_restricted),
    ("password-quality-missing", password_quality_missing),
    ("privileged-group-members", |h| privileged_group_members(h).into()),
];

fn no_login(u: &User) -> bool {
    u.shell.ends_with("/nologin") || u.shell.ends_with("/false")
}

fn user<'a>(a: &'a Accounts, name: &str) -> Option<&'a Val<User>> {
    a.users.iter().find(|u| u.value.name == name)
}

/// The sudoers rule that decides for `name` (the last that names it, a group it is in, or ALL).
fn sudo_rule<'a>(a: &'a Accounts, name: &str) -> Option<&'a Val<crate::model::SudoRule>> {
    a.sudo_rules.iter().rev().find(|r| {
        r.value.who.iter().any(|w| {
            w == name
                || w == "ALL"
                || w.strip_prefix('%').is_some_and(|g| a.groups.get(g).is_some_and(|m| m.iter().any(|m| m.value == name)))
        })
    })
}

/// Skipped when sudoers could not be read: who has passwordless sudo is unknown.
fn sudoers_known(h: &HostFacts) -> Option<Check> {
    h.accounts.sudoers_unreadable.as_ref().map(|why| Check::skip(SkipKind::Unreadable, why.clone()))
}

pub fn core_user_unrestricted(h: &HostFacts) -> Check {
    let a = &h.accounts;
    let Some(core) = user(a, "core") else { return Check::na("not applicable: no `core` user (not Flatcar / CoreOS)") };
    if no_login(&core.value) {
        return Check::Pass;
    }
    if let Some(skip) = sudoers_known(h) {
        return skip;
    }
    // The hardening guide's other way: sudo asks core for a password, and core has none.
    let rule = sudo_rule(a, "core");
    if rule.is_none_or(|r| !r.value.nopasswd)
        && let Some(skip) = shadow_known(a)
    {
        return Check::skip(SkipKind::Unreadable, skip);
    }
    if rule.is_none_or(|r| !r.value.nopasswd) && core.value.password != Some(Password::Set) {
        return Check::Pass;
    }
    let how = match rule {
        Some(r) if r.value.nopasswd => format!("passwordless sudo (at {})", r.origin),
        _ => "a password".to_string(),
    };
    Check::Fail(vec![Hit::new(
        format!("core has the login shell {} and {how}: whoever has core's SSH key is root", core.value.shell),
        core.origin.clone(),
        "core",
    )])
}

fn shadow_known(a: &Accounts) -> Option<String> {
    a.shadow_unreadable.then(|| "not readable without root: /etc/shadow".to_string())
}

pub fn root_password_login(h: &HostFacts) -> Check {
    let a = &h.accounts;
    if let Some(reason) = shadow_known(a) {
        return Check::skip(SkipKind::Unreadable, reason);
    }
    match user(a, "root") {
        Some(root) if root.value.password == Some(Password::Set) && !no_login(&root.value) => Check::Fail(vec![Hit::new(
            "root has a password and a login shell: lock it (`passwd -l root`) and use sudo",
            root.origin.clone(),
            "root",
        )]),
        _ => Check::Pass,
    }
}

pub fn uid_zero_user(h: &HostFacts) -> Vec<Hit> {
    h.accounts
        .users
        .iter()
        .filter(|u| u.value.uid == 0 && u.value.name != "root")
        .map(|u| Hit::new(format!("{} has UID 0: a second root", u.value.name), u.origin.clone(), u.value.name.clone()))
        .collect()
}

pub fn empty_password(h: &HostFacts) -> Check {
    let a = &h.accounts;
    if let Some(reason) = shadow_known(a) {
        return Check::skip(SkipKind::Unreadable, reason);
    }
    a.users
        .iter()
        .filter(|u| u.value.password == Some(Password::Empty))
        .map(|u| {
            Hit::new(format!("{} has an empty password: anyone can log in as it", u.value.name), u.origin.clone(), u.value.name.clone())
        })
        .collect::<Vec<_>>()
        .into()
}

pub fn passwordless_sudo(h: &HostFacts) -> Vec<Hit> {
    let a = &h.accounts;
    a.users
        .iter()
        .filter(|u| u.value.name != "root")
        .filter_map(|u| {
            let rule = sudo_rule(a, &u.value.name).filter(|r| r.value.nopasswd)?;
            Some(
                Hit::new(format!("{} can run sudo without a password", u.value.name), rule.origin.clone(), u.value.name.clone())
                    .with_related(u.origin.clone()),
            )
        })
        .collect()
}

pub fn sudoers_d_permissions(h: &HostFacts) -> Check {
    let Some(d) = &h.accounts.sudoers_d else { return Check::na("not applicable: no /etc/sudoers.d") };
    let mut hits = crate::rules::files::modes(std::slice::from_ref(d), |_| Some((0o750, None)));
    if d.uid.value != 0 {
        hits.push(Hit::new(format!("{} is owned by uid {}, not root", d.path, d.uid.value), d.uid.origin.clone(), d.path.clone()));
    }
    hits.into()
}

/// A PAM module the host should have in a stack: found, or a finding at `place`.
fn pam_module(h: &HostFacts, found: &Option<Val<String>>, message: &str, place: &str, evidence: &str) -> Check {
    if !h.accounts.pam_read {
        return Check::na("not applicable: no PAM configuration (/etc/pam.d)");
    }
    match found {
        Some(_) => Check::Pass,
        None => Check::Fail(vec![Hit::new(message, Origin::Field(place.into()), evidence)]),
    }
}

pub fn su_not_restricted(h: &HostFacts) -> Check {
    let message = "su is open to every user who knows root's password: no `auth required pam_wheel.so` in pam.d/su";
    pam_module(h, &h.accounts.pam_wheel, message, "pam.d/su", "pam_wheel")
}

pub fn password_quality_missing(h: &HostFacts) -> Check {
    let message = "no password quality module (pam_pwquality, pam_cracklib, pam_passwdqc) in the password stack";
    pam_module(h, &h.accounts.pam_quality, message, "pam.d (common-password, system-auth, password-auth, passwd)", "pam_pwquality")
}

/// Groups whose members are, or can become, root.
const PRIVILEGED: &[&str] = &["wheel", "sudo", "admin", "docker", "rkt"];

pub fn privileged_group_members(h: &HostFacts) -> Vec<Hit> {
    let mut hits = Vec::new();
    for g in PRIVILEGED {
        for m in h.accounts.groups.get(*g).into_iter().flatten() {
            hits.push(
                Hit::new(format!("{} is in group {g}", m.value), m.origin.clone(), format!("{g}:{}", m.value)).severity(Severity::Info),
            );
        }
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SudoRule;

    fn v<T>(x: T) -> Val<T> {
        Val::new(x, Origin::Field("f".into()))
    }

    fn host(shell: &str, password: &str, rules: &[(&str, bool)]) -> HostFacts {
        let mut h = HostFacts::default();
        let u = |name: &str, uid, shell: &str, pw| v(User { name: name.into(), uid, shell: shell.into(), password: Some(pw) });
        let core_pw = if password == "set" { Password::Set } else { Password::Locked };
        h.accounts.users = vec![u("root", 0, "/bin/bash", Password::Locked), u("core", 500, shell, core_pw)];
        h.accounts.groups.insert("wheel".into(), vec![v("core".to_string())]);
        h.accounts.sudo_rules = rules.iter().map(|(w, n)| v(SudoRule { who: vec![w.to_string()], nopasswd: *n })).collect();
        h
    }

    #[test]
    fn core_user_the_two_hardened_ways() {
        let flatcar = host("/bin/bash", "locked", &[("%wheel", true)]);
        assert!(matches!(core_user_unrestricted(&flatcar), Check::Fail(_)));
        assert_eq!(passwordless_sudo(&flatcar)[0].evidence, "core");
        // nologin shell.
        assert_eq!(core_user_unrestricted(&host("/sbin/nologin", "locked", &[("%wheel", true)])), Check::Pass);
        // core-passwd drop-in: the last matching rule asks for a password core does not have.
        let dropin = host("/bin/bash", "locked", &[("%wheel", true), ("core", false)]);
        assert_eq!(core_user_unrestricted(&dropin), Check::Pass);
        assert!(passwordless_sudo(&dropin).is_empty());
        assert!(matches!(core_user_unrestricted(&host("/bin/bash", "set", &[("core", false)])), Check::Fail(_)));
    }
}

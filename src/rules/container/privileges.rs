//! privileged-container, no-new-privileges-not-set, runs-as-root

use crate::model::ContainerSpec;
use crate::rules::{Hit, declared};

pub fn privileged_container(s: &ContainerSpec) -> Vec<Hit> {
    match &s.privileged {
        Some(p) if p.value => vec![Hit::new(
            "runs privileged: every capability, every host device, no seccomp or AppArmor confinement",
            p.origin.clone(),
            "privileged: true",
        )],
        _ => vec![],
    }
}

pub fn no_new_privileges_not_set(s: &ContainerSpec) -> Vec<Hit> {
    match &s.security.no_new_privileges {
        Some(n) if n.value => vec![],
        Some(n) => vec![Hit::new(
            "no-new-privileges is turned off: setuid binaries can gain privileges",
            n.origin.clone(),
            "no-new-privileges:false",
        )],
        None => {
            vec![Hit::new("no-new-privileges is not set: setuid binaries in the image can gain privileges", declared(s), "security_opt")]
        }
    }
}

pub fn runs_as_root(s: &ContainerSpec) -> Vec<Hit> {
    match &s.user {
        None => vec![Hit::new("no user is set: the image decides, and most images run as root", declared(s), "user")],
        Some(u) => {
            let name = u.value.split(':').next().unwrap_or("");
            if name.is_empty() || name == "root" || name == "0" {
                vec![Hit::new(format!("runs as root (user `{}`)", u.value), u.origin.clone(), format!("user: {}", u.value))]
            } else {
                vec![]
            }
        }
    }
}

/// CIS 5.23: `docker exec --privileged` into the container, as the engine still knows it.
pub fn exec_privileged(s: &ContainerSpec) -> Vec<Hit> {
    s.execs
        .iter()
        .flatten()
        .filter(|e| e.value.privileged)
        .map(|e| Hit::new(format!("`docker exec --privileged` ran `{}` in it", e.value.command), e.origin.clone(), "exec --privileged"))
        .collect()
}

/// CIS 5.24: `docker exec --user root` (or uid 0). An exec without `--user` runs as the
/// container's own user, which runs-as-root judges.
pub fn exec_as_root(s: &ContainerSpec) -> Vec<Hit> {
    s.execs
        .iter()
        .flatten()
        .filter(|e| {
            let user = e.value.user.split(':').next().unwrap_or("");
            user == "root" || user == "0"
        })
        .map(|e| {
            Hit::new(format!("`docker exec --user {}` ran `{}` in it", e.value.user, e.value.command), e.origin.clone(), "exec --user root")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::container::testing::*;

    #[test]
    fn root_users() {
        for (user, fires) in
            [("root", true), ("0", true), ("0:0", true), ("root:wheel", true), ("1000:1000", false), ("app", false), ("1000:0", false)]
        {
            let s = ContainerSpec { user: Some(v(user.into(), 3)), ..hardened() };
            assert_eq!(!runs_as_root(&s).is_empty(), fires, "{user}");
        }
        let unset = ContainerSpec { user: None, ..hardened() };
        assert_eq!(runs_as_root(&unset)[0].origin, at(1));
    }

    #[test]
    fn exec_instances() {
        use crate::model::Exec;
        let e = |privileged: bool, user: &str, line| v(Exec { privileged, user: user.into(), command: "sh -c id".into() }, line);
        let s =
            ContainerSpec { execs: Some(vec![e(true, "", 2), e(false, "root", 3), e(false, "0:0", 4), e(false, "app", 5)]), ..hardened() };
        let m = |h: Vec<Hit>| h.into_iter().map(|h| (h.message, h.origin)).collect::<Vec<_>>();
        assert_eq!(m(exec_privileged(&s)), [("`docker exec --privileged` ran `sh -c id` in it".to_string(), at(2))]);
        assert_eq!(
            m(exec_as_root(&s)),
            [
                ("`docker exec --user root` ran `sh -c id` in it".to_string(), at(3)),
                ("`docker exec --user 0:0` ran `sh -c id` in it".to_string(), at(4))
            ]
        );
        assert!(exec_privileged(&hardened()).is_empty() && exec_as_root(&hardened()).is_empty());
    }

    #[test]
    fn privileged_and_nnp() {
        let s = ContainerSpec { privileged: Some(v(true, 7)), ..hardened() };
        assert_eq!(privileged_container(&s)[0].origin, at(7));
        let off = ContainerSpec { privileged: Some(v(false, 7)), ..hardened() };
        assert!(privileged_container(&off).is_empty());
        let mut nnp = hardened();
        nnp.security.no_new_privileges = Some(v(false, 6));
        assert_eq!(no_new_privileges_not_set(&nnp)[0].evidence, "no-new-privileges:false");
    }
}

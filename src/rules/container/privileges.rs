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

//! Container rules that need the host's context: apparmor-profile-missing.

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

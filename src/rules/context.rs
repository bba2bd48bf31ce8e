//! Container rules that need the host's context: apparmor-profile-missing.

use crate::model::{ContainerSpec, DaemonConfig};
use crate::rules::{Hit, declared};

/// A container that runs without an AppArmor profile on a host where AppArmor is enabled.
/// None when the host has no AppArmor (not applicable).
pub fn apparmor_profile_missing(d: &DaemonConfig, c: &ContainerSpec) -> Option<Vec<Hit>> {
    if !d.apparmor.as_ref().is_some_and(|a| a.value) {
        return None;
    }
    Some(match &c.security.apparmor {
        Some(_) => vec![],
        None => vec![Hit::new("runs without an AppArmor profile on a host where AppArmor is enabled", declared(c), "AppArmorProfile")],
    })
}

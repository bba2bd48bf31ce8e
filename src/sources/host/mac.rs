//! SELinux and AppArmor: /etc/selinux/config (Flatcar keeps it as a symlink into /usr), and on
//! the live host /sys/fs/selinux/enforce, /sys/module/apparmor/parameters/enabled and the
//! loaded AppArmor profiles.

use super::HostRoot;
use crate::model::{MacFacts, Origin, Val};

/// `cmdline`: the kernel command line, which can turn AppArmor off (`apparmor=0`,
/// `security=none`): then it is known to be off, offline too.
pub fn collect(root: &HostRoot, cmdline: Option<&Val<String>>) -> MacFacts {
    let mut f = MacFacts::default();
    if let Some(c) = cmdline
        && c.value.split_whitespace().any(|p| p == "apparmor=0" || p == "security=none")
    {
        f.apparmor_enabled = Some(Val::new(false, c.origin.clone()));
        if !root.is_live() {
            return read_selinux(root, f);
        }
    }
    f = read_selinux(root, f);
    if root.is_live() {
        let field = |p: &str| Origin::Field(p.into());
        f.selinux_current =
            root.read_to_string("/sys/fs/selinux/enforce").ok().map(|v| Val::new(v.trim().to_string(), field("/sys/fs/selinux/enforce")));
        let enabled = "/sys/module/apparmor/parameters/enabled";
        f.apparmor_enabled = Some(Val::new(root.read_to_string(enabled).is_ok_and(|v| v.trim() == "Y"), field(enabled)));
        let profiles = "/sys/kernel/security/apparmor/profiles";
        f.apparmor_docker_default = root.read_to_string(profiles).ok().and_then(|text| {
            text.lines().find_map(|l| {
                l.strip_prefix("docker-default (").map(|mode| Val::new(mode.trim_end_matches(')').to_string(), field(profiles)))
            })
        });
    }
    f
}

fn read_selinux(root: &HostRoot, mut f: MacFacts) -> MacFacts {
    if let Ok(text) = root.read_to_string("/etc/selinux/config") {
        for (i, line) in text.lines().enumerate() {
            if let Some(v) = line.trim().strip_prefix("SELINUX=") {
                f.selinux_config = Some(Val::new(v.trim().to_ascii_lowercase(), root.origin("/etc/selinux/config", i as u32 + 1)));
            }
        }
    }
    f
}

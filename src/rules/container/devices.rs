//! host-device

use crate::model::{ContainerSpec, Severity};
use crate::rules::Hit;

/// Devices that reach host storage, memory or the kernel log.
fn is_critical_device(path: &str) -> bool {
    let name = path.trim_start_matches("/dev/");
    ["sd", "hd", "vd", "xvd", "nvme", "mmcblk", "dm-", "loop", "md", "mapper/"].iter().any(|p| name.starts_with(p))
        || matches!(name, "mem" | "kmem" | "port" | "kmsg" | "disk" | "fuse")
        || name.starts_with("disk/")
}

pub fn host_device(s: &ContainerSpec) -> Vec<Hit> {
    let mut hits: Vec<Hit> = s
        .devices
        .iter()
        .map(|d| {
            let h = Hit::new(format!("passes host device {} into the container", d.value), d.origin.clone(), d.value.clone());
            if is_critical_device(&d.value) { h.severity(Severity::High) } else { h }
        })
        .collect();
    for r in &s.device_cgroup_rules {
        let h = Hit::new(format!("allows devices by cgroup rule `{}`", r.value), r.origin.clone(), r.value.clone());
        let broad = r.value.starts_with('a') || r.value.starts_with('b') || r.value.contains("*:*");
        hits.push(if broad { h.severity(Severity::High) } else { h });
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::container::testing::*;

    #[test]
    fn devices() {
        let s = ContainerSpec {
            devices: vec![v("/dev/snd".into(), 3), v("/dev/sda".into(), 4)],
            device_cgroup_rules: vec![v("c 1:3 mr".into(), 5), v("b *:* rwm".into(), 6)],
            ..hardened()
        };
        let sev: Vec<Option<Severity>> = host_device(&s).into_iter().map(|h| h.severity).collect();
        assert_eq!(sev, [None, Some(Severity::High), None, Some(Severity::High)]);
    }
}

//! sysctl: configured values from sysctl.d (systemd-sysctl's order: /etc, /run, /usr/local/lib,
//! /usr/lib, /lib; a file shadows one of the same name in a later directory; files applied in
//! name order; /etc/sysctl.conf last) and, on the live host, the running values in /proc/sys.

use std::collections::BTreeMap;

use super::HostRoot;
use crate::model::Val;

pub const DIRS: [&str; 5] = ["/etc/sysctl.d", "/run/sysctl.d", "/usr/local/lib/sysctl.d", "/usr/lib/sysctl.d", "/lib/sysctl.d"];

/// Configured values: key to its last assignment (with file:line).
/// The values sysctl.d and sysctl.conf set, and the paths that could not be read.
pub fn configured(root: &HostRoot) -> (BTreeMap<String, Val<String>>, Vec<String>) {
    let mut unreadable = Vec::new();
    let mut paths = super::conf_files(root, &DIRS, ".conf", &mut unreadable);
    paths.push("/etc/sysctl.conf".into());
    let mut out = BTreeMap::new();
    for path in paths {
        if root.is_masked(&path) {
            continue;
        }
        let Some(text) = root.read_or_note(&path, &mut unreadable) else { continue };
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
                continue;
            }
            let line = line.trim_start_matches('-');
            if let Some((k, v)) = line.split_once('=') {
                let key = k.trim().replace('/', ".");
                out.insert(key, Val::new(v.trim().to_string(), root.origin(&path, i as u32 + 1)));
            }
        }
    }
    (out, unreadable)
}

/// The running value of `key` (live host only).
pub fn running(root: &HostRoot, key: &str) -> Option<Val<String>> {
    if !root.is_live() {
        return None;
    }
    let path = format!("/proc/sys/{}", key.replace('.', "/"));
    let value = root.read_to_string(&path).ok()?;
    Some(Val::new(value.split_whitespace().collect::<Vec<_>>().join(" "), crate::model::Origin::Field(path)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_and_shadowing() {
        let dir = tempfile::tempdir().unwrap();
        let w = |p: &str, t: &str| {
            let p = dir.path().join(p.trim_start_matches('/'));
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, t).unwrap();
        };
        w("/usr/lib/sysctl.d/50-default.conf", "kernel.sysrq = 16\nkernel.kptr_restrict=1\n");
        w("/etc/sysctl.d/50-default.conf", "kernel.sysrq = 0\n");
        w("/usr/lib/sysctl.d/60-x.conf", "kernel/kptr_restrict = 2\n");
        w("/etc/sysctl.conf", "# last\nfs.suid_dumpable=0\n");
        let (c, unreadable) = configured(&HostRoot::new(dir.path()));
        assert!(unreadable.is_empty());
        assert_eq!(c["kernel.sysrq"].value, "0");
        assert_eq!(c["kernel.kptr_restrict"].value, "2");
        assert_eq!(c["fs.suid_dumpable"].value, "0");
        assert_eq!(c.len(), 3, "the shadowed /usr/lib file is not read");
    }
}

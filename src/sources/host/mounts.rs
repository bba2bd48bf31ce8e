//! Mounts: /proc/self/mountinfo on the live host; offline /etc/fstab and systemd `.mount`
//! units (e.g. Flatcar's tmp.mount). And `--deep`: a walk for setuid/setgid and world-writable
//! files.

use super::{HostRoot, systemd};
use crate::model::{MountFacts, Mounts, Origin, Special, SpecialKind, Val};

/// `\040` and friends in mountinfo and fstab fields.
fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            let oct: String = chars.clone().take(3).collect();
            if oct.len() == 3
                && let Ok(n) = u8::from_str_radix(&oct, 8)
            {
                out.push(n as char);
                chars.nth(2);
                continue;
            }
        }
        out.push(c);
    }
    out
}

fn options(s: &str) -> Vec<String> {
    s.split(',').filter(|o| !o.is_empty()).map(str::to_string).collect()
}

pub fn parse_mountinfo(text: &str) -> Vec<Val<MountFacts>> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let fields: Vec<&str> = line.split(' ').collect();
        let Some(dash) = fields.iter().position(|f| *f == "-") else { continue };
        if fields.len() < 6 || fields.len() < dash + 2 {
            continue;
        }
        let mut opts = options(fields[5]);
        // Superblock options (after the fstype and source) hold the rest.
        if let Some(sb) = fields.get(dash + 3) {
            opts.extend(options(sb));
        }
        out.push(Val::new(
            MountFacts { target: unescape(fields[4]), fstype: fields[dash + 1].to_string(), options: opts },
            Origin::Field(format!("/proc/self/mountinfo, line {}", i + 1)),
        ));
    }
    out
}

fn fstab(root: &HostRoot) -> Vec<Val<MountFacts>> {
    let Ok(text) = root.read_to_string("/etc/fstab") else { return vec![] };
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let fields: Vec<&str> = line.split('#').next().unwrap_or("").split_whitespace().collect();
        if fields.len() >= 4 && fields[1].starts_with('/') {
            out.push(Val::new(
                MountFacts { target: unescape(fields[1]), fstype: fields[2].to_string(), options: options(fields[3]) },
                root.origin("/etc/fstab", i as u32 + 1),
            ));
        }
    }
    out
}

/// `.mount` units: the name encodes the path (`var-lib-docker.mount` is /var/lib/docker).
fn mount_units(root: &HostRoot) -> Vec<Val<MountFacts>> {
    let mut names: Vec<String> = Vec::new();
    for dir in systemd::SEARCH_PATH {
        for n in root.list(dir).into_iter().filter(|n| n.ends_with(".mount")) {
            if !names.contains(&n) {
                names.push(n);
            }
        }
    }
    names.sort();
    names
        .into_iter()
        .filter_map(|name| {
            let unit = systemd::load(root, &name).filter(|u| !u.masked)?;
            let target = unit.get("Mount", "Where")?;
            let fstype = unit.get("Mount", "Type").map(|t| t.value).unwrap_or_default();
            let opts = unit.get("Mount", "Options").map(|o| options(&o.value)).unwrap_or_default();
            Some(Val::new(MountFacts { target: target.value, fstype, options: opts }, target.origin))
        })
        .collect()
}

pub fn collect(root: &HostRoot, data_root: &str) -> Mounts {
    let data_root = data_root.to_string();
    // Through a mount (cbench's image), /proc/self is cbench's container: the host's mounts are
    // those of its init, PID 1 of the shared PID namespace.
    let own = if root.is_mounted() { "/proc/1/mountinfo" } else { "/proc/self/mountinfo" };
    if root.is_live()
        && let Ok(text) = root.read_to_string(own)
    {
        return Mounts { source: own.into(), mounts: parse_mountinfo(&text), data_root };
    }
    let mut mounts = fstab(root);
    mounts.extend(mount_units(root));
    Mounts { source: format!("{} and .mount units", root.display("/etc/fstab")), mounts, data_root }
}

/// Paths never walked: kernel file systems, and container storage (container files are the
/// engine sections' business).
const NOT_WALKED: &[&str] = &["/proc", "/sys", "/dev", "/run", "/var/lib/docker", "/var/lib/containerd"];

/// `--deep`: every setuid/setgid file and every world-writable file (and world-writable
/// directory without the sticky bit), on the root's file system only.
/// The walk's findings, and the directories it could not read (permission denied, a path too
/// long): what lies below them is unknown.
pub fn deep(root: &HostRoot, data_root: &str) -> (Vec<Val<Special>>, Vec<String>) {
    let mut out = Vec::new();
    let unreadable = root.walk(
        |hp| NOT_WALKED.contains(&hp) || hp == data_root,
        |hp, m| {
            let mode = m.mode;
            let kind = if m.is_dir {
                (mode & 0o002 != 0 && mode & 0o1000 == 0).then_some(SpecialKind::WorldWritableDir)
            } else if !m.is_file {
                None
            } else if mode & 0o4000 != 0 {
                Some(SpecialKind::Setuid)
            } else if mode & 0o2000 != 0 {
                Some(SpecialKind::Setgid)
            } else {
                (mode & 0o002 != 0).then_some(SpecialKind::WorldWritableFile)
            };
            if let Some(kind) = kind {
                out.push(Val::new(Special { path: hp.to_string(), kind, mode }, root.stat_origin(hp)));
            }
        },
    );
    (out, unreadable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mountinfo_lines() {
        let text = "36 35 98:0 /mnt1 /tmp rw,nosuid,nodev,noatime master:1 - tmpfs tmpfs rw,size=10k\n\
                    37 35 98:1 / /var/lib/my\\040docker rw - ext4 /dev/sdb rw\n";
        let m = parse_mountinfo(text);
        assert_eq!(m[0].value.target, "/tmp");
        assert_eq!(m[0].value.options, ["rw", "nosuid", "nodev", "noatime", "rw", "size=10k"]);
        assert_eq!(m[1].value.target, "/var/lib/my docker");
        assert_eq!(m[1].value.fstype, "ext4");
    }
}

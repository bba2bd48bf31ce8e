//! File systems: tmp-mount-options, data-root-partition (CIS 1.1.1), system-file-permissions,
//! and the `--deep` walk: setuid-files, world-writable-files.

use crate::model::{Fact, HostFacts, MountFacts, Origin, Severity, SpecialKind, Val};
use crate::rules::SkipKind;
use crate::rules::{Check, Hit, HostCheck};

pub const RULES: &[(&str, HostCheck)] = &[
    ("tmp-mount-options", |h| tmp_mount_options(h).into()),
    ("data-root-partition", |h| data_root_partition(h).into()),
    ("system-file-permissions", |h| system_file_permissions(h).into()),
    ("setuid-files", |h| deep(h, &[SpecialKind::Setuid, SpecialKind::Setgid])),
    ("world-writable-files", |h| deep(h, &[SpecialKind::WorldWritableFile, SpecialKind::WorldWritableDir])),
];

fn mount<'a>(h: &'a HostFacts, target: &str) -> Option<&'a Val<MountFacts>> {
    // The last mount on a path is the one in effect.
    h.mounts.mounts.iter().rev().find(|m| m.value.target == target)
}

pub fn tmp_mount_options(h: &HostFacts) -> Vec<Hit> {
    let mut hits = Vec::new();
    for target in ["/tmp", "/var/tmp", "/dev/shm"] {
        match mount(h, target) {
            Some(m) => {
                let missing: Vec<&str> =
                    ["nosuid", "nodev", "noexec"].into_iter().filter(|o| !m.value.options.iter().any(|x| x == o)).collect();
                if !missing.is_empty() {
                    hits.push(Hit::new(format!("{target} is mounted without {}", missing.join(", ")), m.origin.clone(), target));
                }
            }
            // systemd mounts /dev/shm itself (nosuid,nodev): offline it is in no file.
            None if target == "/dev/shm" && !h.live => {}
            None => hits.push(
                Hit::new(
                    format!("{target} is not a file system of its own: it cannot carry nosuid, nodev, noexec"),
                    Origin::Field(h.mounts.source.clone()),
                    target,
                )
                .severity(Severity::Low),
            ),
        }
    }
    hits
}

pub fn data_root_partition(h: &HostFacts) -> Vec<Hit> {
    let root = &h.mounts.data_root;
    let own = h
        .mounts
        .mounts
        .iter()
        .any(|m| m.value.target != "/" && (root == &m.value.target || root.starts_with(&format!("{}/", m.value.target))));
    if own {
        return vec![];
    }
    vec![Hit::new(
        format!("the Docker data root {root} is on the root file system: containers filling it fill the host's disk"),
        Origin::Field(h.mounts.source.clone()),
        root.clone(),
    )]
}

/// The most each system file's mode may allow.
const SYSTEM_FILES: &[(&str, u32)] = &[
    ("/etc/passwd", 0o644),
    ("/etc/group", 0o644),
    ("/etc/shadow", 0o640),
    ("/etc/gshadow", 0o640),
    ("/etc/sudoers", 0o440),
    ("/etc/crontab", 0o600),
];

pub fn system_file_permissions(h: &HostFacts) -> Vec<Hit> {
    let mut hits =
        crate::rules::files::modes(&h.system_files, |f| SYSTEM_FILES.iter().find(|(p, _)| *p == f.kind).map(|(_, m)| (*m, None)));
    hits.extend(
        h.system_files
            .iter()
            .filter(|f| f.uid.value != 0)
            .map(|f| Hit::new(format!("{} is owned by uid {}, not root", f.path, f.uid.value), f.uid.origin.clone(), f.path.clone())),
    );
    hits
}

/// The walk's findings of `kinds`; a walk that could not read a directory passes nothing.
fn deep(h: &HostFacts, kinds: &[SpecialKind]) -> Check {
    let Some(found) = &h.deep else { return Check::skip(SkipKind::NeedsDeep, "not run: the file system walk runs with --deep") };
    let hits = found
        .iter()
        .filter(|f| kinds.contains(&f.value.kind))
        .map(|f| {
            let what = match f.value.kind {
                SpecialKind::Setuid => "setuid",
                SpecialKind::Setgid => "setgid",
                SpecialKind::WorldWritableFile => "world-writable file",
                SpecialKind::WorldWritableDir => "world-writable directory without the sticky bit",
            };
            Hit::new(format!("{}: {what} ({:04o})", f.value.path, f.value.mode), f.origin.clone(), f.value.path.clone())
        })
        .collect::<Vec<_>>();
    Check::partial(hits, h.unread(Fact::Deep))
}

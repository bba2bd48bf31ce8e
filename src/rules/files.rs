//! docker-file-permissions, docker-file-ownership (CIS Docker Benchmark section 3): modes compared
//! as permission bits, never as decimal numbers (0477 is not "0644 or stricter").

use crate::model::{FileFacts, HostFacts, Severity};
use crate::rules::{Hit, HostCheck};

pub const RULES: &[(&str, HostCheck)] =
    &[("docker-file-permissions", |h| docker_file_permissions(h).into()), ("docker-file-ownership", |h| docker_file_ownership(h).into())];

pub fn docker_file_permissions(h: &HostFacts) -> Vec<Hit> {
    modes(&h.docker_files)
}

/// Files more open than they may be; world-writable is high.
pub fn modes(files: &[FileFacts]) -> Vec<Hit> {
    files
        .iter()
        .filter(|f| f.mode.value & !f.allowed != 0)
        .map(|f: &FileFacts| {
            let hit = Hit::new(
                format!("{} has mode {:04o}, more open than {:04o}", f.path, f.mode.value, f.allowed),
                f.mode.origin.clone(),
                f.path.clone(),
            );
            if f.mode.value & 0o002 != 0 { hit.severity(Severity::High) } else { hit }
        })
        .collect()
}

pub fn docker_file_ownership(h: &HostFacts) -> Vec<Hit> {
    h.docker_files
        .iter()
        .filter(|f| f.uid.value != 0 || (f.gid.value != 0 && !f.path.ends_with(".sock")))
        .map(|f| {
            Hit::new(format!("{} is owned by {}:{}, not root:root", f.path, f.uid.value, f.gid.value), f.uid.origin.clone(), f.path.clone())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Origin, Val};

    fn file(mode: u32, allowed: u32, uid: u32) -> HostFacts {
        let v = |x| Val::new(x, Origin::Unset);
        HostFacts {
            docker_files: vec![FileFacts { path: "/etc/docker/daemon.json".into(), uid: v(uid), gid: v(0), mode: v(mode), allowed }],
            ..Default::default()
        }
    }

    #[test]
    fn bits_not_decimals() {
        // 0477 is "less than" 644 as a decimal number, and still more open.
        for (mode, fires) in [(0o644, false), (0o600, false), (0o400, false), (0o477, true), (0o664, true), (0o755, true)] {
            assert_eq!(docker_file_permissions(&file(mode, 0o644, 0)).len(), usize::from(fires), "{mode:o}");
        }
        assert_eq!(docker_file_permissions(&file(0o646, 0o644, 0))[0].severity, Some(Severity::High));
        assert_eq!(docker_file_ownership(&file(0o644, 0o644, 1000)).len(), 1);
    }
}

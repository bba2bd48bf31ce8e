//! Any bytes as a host's configuration files (split on 0x1e into daemon.json, docker.service,
//! docker.socket, sshd_config, sudoers, audit rules, fstab, passwd, group, shadow, sysctl.d,
//! modprobe.d, grub): reading the host and judging it must never panic.
#![no_main]

use std::sync::OnceLock;

use cbench::sources::host::{self, HostRoot};
use libfuzzer_sys::fuzz_target;

const FILES: &[&str] = &[
    "etc/docker/daemon.json",
    "etc/systemd/system/docker.service",
    "etc/systemd/system/docker.socket",
    "etc/ssh/sshd_config",
    "etc/sudoers",
    "etc/audit/rules.d/50.rules",
    "etc/fstab",
    "etc/passwd",
    "etc/group",
    "etc/shadow",
    "etc/sysctl.d/90.conf",
    "etc/modprobe.d/x.conf",
    "etc/default/grub",
];

fn root() -> &'static std::path::Path {
    static DIR: OnceLock<std::path::PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("cbench-fuzz-host-{}", std::process::id()));
        for f in FILES {
            std::fs::create_dir_all(dir.join(f).parent().unwrap()).unwrap();
        }
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let r = root();
    let mut parts = data.split(|b| *b == 0x1e);
    for f in FILES {
        std::fs::write(r.join(f), parts.next().unwrap_or_default()).unwrap();
    }
    let root = HostRoot::new(r);
    let (config, _) = host::daemon::collect(&root);
    let facts = host::collect(&root, &config, &cbench::rules::kernel::keys(), false);
    for (_, checks) in cbench::rules::HOST_SECTIONS {
        for (_, check) in checks.iter() {
            let _ = check(&facts);
        }
    }
    for (_, check) in cbench::rules::daemon::DAEMON_RULES {
        let _ = check(&config);
    }
});

//! Any bytes as sshd_config (with an Include of itself and a drop-in): reading it and every ssh
//! rule must never panic.
#![no_main]

use std::sync::OnceLock;

use cbench::model::HostFacts;
use cbench::sources::host::{HostRoot, sshd};
use libfuzzer_sys::fuzz_target;

fn root() -> &'static std::path::Path {
    static DIR: OnceLock<std::path::PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("cbench-fuzz-sshd-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("etc/ssh/sshd_config.d")).unwrap();
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let r = root();
    let mut parts = data.splitn(2, |b| *b == 0x1e);
    std::fs::write(r.join("etc/ssh/sshd_config"), parts.next().unwrap_or_default()).unwrap();
    std::fs::write(r.join("etc/ssh/sshd_config.d/10.conf"), parts.next().unwrap_or_default()).unwrap();
    let facts = HostFacts { sshd: sshd::collect(&HostRoot::new(r)), ..Default::default() };
    for (_, check) in cbench::rules::ssh::RULES {
        let _ = check(&facts);
    }
});

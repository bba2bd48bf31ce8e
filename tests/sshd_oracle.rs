//! sshd_config as sshd reads it: cbench's reading (Include globs, first value wins, OpenSSH's
//! defaults, time values) against `sshd -T` (openssh-server) on the same files. Skipped loudly
//! without sshd unless CBENCH_REQUIRE_SSHD=1 (CI installs openssh-server).

// Tests read fixtures and the machine they run on to compare with what cbench reads.
#![allow(clippy::disallowed_methods)]

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use cbench::rules::ssh::{OPENSSH_DEFAULTS, seconds};
use cbench::sources::host::{HostRoot, sshd};
use common::put;

fn sshd_bin() -> Option<&'static str> {
    let found = ["/usr/sbin/sshd", "/sbin/sshd"].into_iter().find(|p| Path::new(p).exists());
    if found.is_none() {
        assert!(std::env::var_os("CBENCH_REQUIRE_SSHD").is_none(), "CBENCH_REQUIRE_SSHD is set but sshd is not installed");
        eprintln!("skipped: sshd (openssh-server) is not installed");
    }
    found
}

/// `sshd -T` on the tree `root` (its /etc/ssh paths rewritten into the tree): keyword to value,
/// or sshd's complaint.
fn sshd_t(bin: &str, root: &Path) -> Result<BTreeMap<String, String>, String> {
    let key = root.join("hostkey");
    if !key.exists() {
        let ok = Command::new("ssh-keygen").args(["-q", "-t", "ed25519", "-N", "", "-f"]).arg(&key).status().unwrap().success();
        assert!(ok, "ssh-keygen");
    }
    // sshd -T wants its privilege separation directory.
    let _ = std::fs::create_dir_all("/run/sshd");
    // The same files with their absolute /etc/ssh paths pointing into the tree.
    let conf = root.join("sshd_config.for-sshd-T");
    let text = std::fs::read_to_string(root.join("etc/ssh/sshd_config")).unwrap();
    let inside = format!("{}/etc/ssh/", root.display());
    std::fs::write(&conf, text.replace("/etc/ssh/", &inside)).unwrap();
    for entry in std::fs::read_dir(root.join("etc/ssh/sshd_config.d")).into_iter().flatten().flatten() {
        let t = std::fs::read_to_string(entry.path()).unwrap();
        std::fs::write(entry.path(), t.replace("/etc/ssh/", &inside)).unwrap();
    }
    let out = Command::new(bin).arg("-T").arg("-f").arg(&conf).arg("-h").arg(&key).output().unwrap();
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_once(' ').map(|(k, v)| (k.to_string(), v.to_string())))
        .collect())
}

/// What cbench takes as the effective value of each keyword the rules judge, normalised as
/// `sshd -T` prints it.
fn cbench_values(root: &Path) -> BTreeMap<String, String> {
    let facts = sshd::collect(&HostRoot::new(root)).expect("sshd facts");
    OPENSSH_DEFAULTS
        .iter()
        .map(|(kw, default)| {
            let v = facts.settings.get(*kw).map_or(*default, |v| v.value.as_str()).to_ascii_lowercase();
            let v = match *kw {
                "logingracetime" | "clientaliveinterval" => seconds(&v).map_or_else(|| format!("invalid {v}"), |n| n.to_string()),
                "permitrootlogin" if v == "prohibit-password" => "without-password".to_string(),
                _ => v,
            };
            (kw.to_string(), v)
        })
        .collect()
}

fn compare(bin: &str, root: &Path, what: &str) {
    let theirs = sshd_t(bin, root).unwrap_or_else(|e| panic!("{what}: sshd -T refused the configuration: {e}"));
    let ours = cbench_values(root);
    for (kw, v) in &ours {
        assert_eq!(Some(v), theirs.get(kw), "{what}: {kw}");
    }
}

#[test]
fn defaults_are_opensshs() {
    let Some(bin) = sshd_bin() else { return };
    let dir = tempfile::tempdir().unwrap();
    put(dir.path(), "etc/ssh/sshd_config", "# nothing set\n", 0o644);
    compare(bin, dir.path(), "empty configuration");
}

#[test]
fn includes_first_value_and_times_read_as_sshd_reads_them() {
    let Some(bin) = sshd_bin() else { return };
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    // Debian's layout: the drop-ins come first, so they win over the main file's values.
    put(
        r,
        "etc/ssh/sshd_config",
        "Include /etc/ssh/sshd_config.d/*.conf\nPermitRootLogin yes\nPasswordAuthentication yes\nLoginGraceTime 2m\nX11Forwarding yes\n\
         ClientAliveInterval 1h30m\nMaxAuthTries 3\nAllowTcpForwarding no\n",
        0o644,
    );
    put(r, "etc/ssh/sshd_config.d/50-cloud.conf", "PasswordAuthentication no\nloginGraceTime 45\n", 0o644);
    put(r, "etc/ssh/sshd_config.d/10-first.conf", "PermitRootLogin no\nKbdInteractiveAuthentication no\n", 0o644);
    // Not a .conf: not included.
    put(r, "etc/ssh/sshd_config.d/99-ignored.conf.bak", "PermitEmptyPasswords yes\n", 0o644);
    compare(bin, r, "includes");
    let ours = cbench_values(r);
    assert_eq!((ours["permitrootlogin"].as_str(), ours["logingracetime"].as_str()), ("no", "45"));
}

#[test]
fn a_time_value_sshd_refuses_is_refused_by_cbench_too() {
    let Some(bin) = sshd_bin() else { return };
    for (value, accepted) in [("35791394m", true), ("35791395m", false), ("307445734561825861m", false), ("1w2d3h4m5s", true)] {
        let dir = tempfile::tempdir().unwrap();
        put(dir.path(), "etc/ssh/sshd_config", &format!("LoginGraceTime {value}\n"), 0o644);
        let theirs = sshd_t(bin, dir.path());
        assert_eq!(theirs.is_ok(), accepted, "sshd -T on LoginGraceTime {value}: {theirs:?}");
        assert_eq!(seconds(value).is_some(), accepted, "cbench on LoginGraceTime {value}");
        if accepted {
            compare(bin, dir.path(), value);
        }
    }
}

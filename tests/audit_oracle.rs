//! Audit rules as auditctl reads them: rules are loaded into the kernel with auditctl, read back
//! with `auditctl -l` (the kernel's own form: `-a exit,always -F path=X -F perm=wa` comes back
//! as `-w X -p wa`), and cbench must find the same coverage in both forms. Needs root and an
//! auditctl that answers; the rules carry their own key and are deleted afterwards.

// Tests read fixtures and the machine they run on to compare with what cbench reads.
#![allow(clippy::disallowed_methods)]

use std::process::Command;

use cbench::model::{HostFacts, Origin, Val};
use cbench::rules::Check;
use cbench::rules::audit::audit_docker_path;
use cbench::sources::host::audit::parse_rule;

const KEY: &str = "cbench-oracle";

fn auditctl() -> Option<&'static str> {
    let bin = ["/usr/sbin/auditctl", "/sbin/auditctl"].into_iter().find(|p| std::path::Path::new(p).exists());
    let answers = bin.is_some_and(|b| Command::new(b).arg("-l").output().is_ok_and(|o| o.status.success()));
    if !answers {
        assert!(std::env::var_os("CBENCH_REQUIRE_ENGINE").is_none() || bin.is_some(), "CI installs auditd, but auditctl is missing");
        eprintln!("skipped: auditctl is missing or does not answer (needs root)");
        return None;
    }
    bin
}

/// The paths of `probes` that the rules `lines` leave uncovered, as cbench judges them.
fn uncovered(lines: &[String], probes: &[&str]) -> Vec<String> {
    let mut h = HostFacts::default();
    h.audit.rules = lines.iter().filter_map(|l| parse_rule(l)).map(|r| Val::new(r, Origin::Unset)).collect();
    h.audit.paths = probes.iter().map(|p| (p.to_string(), "dockerd")).collect();
    h.audit.source = "test".into();
    match audit_docker_path(&h) {
        Check::Fail(hits) => {
            let mut v: Vec<String> = hits.into_iter().map(|h| h.evidence).collect();
            v.sort();
            v
        }
        Check::Pass => vec![],
        other => panic!("{other:?}"),
    }
}

struct Loaded(&'static str);

impl Drop for Loaded {
    fn drop(&mut self) {
        let _ = Command::new(self.0).args(["-D", "-k", KEY]).output();
    }
}

#[test]
fn coverage_reads_the_same_in_the_rules_and_in_the_kernels_listing() {
    let Some(bin) = auditctl() else { return };
    let rules = [
        "-w /usr/bin/dockerd -p wa",
        "-a exit,always -F path=/usr/bin/runc -F perm=wa",
        "-a always,exit -F dir=/etc/docker/ -F perm=w",
        "-w /var/lib/docker -p r",
        "-w /etc/default/docker",
    ];
    let _loaded = Loaded(bin);
    let mut ours = Vec::new();
    for r in rules {
        let line = format!("{r} -k {KEY}");
        let out = Command::new(bin).args(line.split_whitespace()).output().unwrap();
        assert!(out.status.success(), "auditctl {line}: {}", String::from_utf8_lossy(&out.stderr));
        ours.push(line);
    }
    let listed = String::from_utf8_lossy(&Command::new(bin).arg("-l").output().unwrap().stdout).into_owned();
    let theirs: Vec<String> = listed.lines().filter(|l| l.contains(KEY)).map(str::to_string).collect();
    assert_eq!(theirs.len(), rules.len(), "{listed}");
    let probes = [
        "/usr/bin/dockerd",
        "/usr/bin/runc",
        "/etc/docker/daemon.json",
        "/etc/docker",
        "/etc/dockerd",
        "/var/lib/docker",
        "/etc/default/docker",
    ];
    let from_rules = uncovered(&ours, &probes);
    assert_eq!(from_rules, uncovered(&theirs, &probes), "rules:\n{}\nkernel:\n{}", ours.join("\n"), theirs.join("\n"));
    // A read-only watch covers nothing; /etc/dockerd is not under /etc/docker.
    assert_eq!(from_rules, ["/etc/dockerd", "/var/lib/docker"]);
}

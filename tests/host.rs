//! `cbench host --root` on fixture roots: the full outcome of each, asserted.
// Tests read fixtures and the machine they run on to compare with what cbench reads.
#![allow(clippy::disallowed_methods)]

mod common;

use common::*;

/// The text report of `cbench host --root` on a copy of fixture root `name` (modes from its
/// `.modes` applied), one snapshot per section (a new rule churns its section's snapshots, not
/// whole-host ones), with the temporary path shown as [ROOT]; and the whole run's exit code.
fn full_outcome(name: &str) -> i32 {
    let dir = fixture_root(name);
    let path = dir.path().to_str().unwrap();
    let whole = cbench(&["host", "--root", path]);
    assert_eq!(whole.stderr, "", "{name}");
    for section in ["daemon", "files", "socket", "audit", "kernel", "ssh", "users", "mac", "fs", "containers", "images"] {
        let r = cbench(&["host", "--root", path, "--only", section]);
        assert_eq!(r.stderr, "", "{name} {section}");
        insta::assert_snapshot!(format!("{name}-{section}"), r.stdout.replace(path, "[ROOT]"));
    }
    whole.code
}

#[test]
fn full_outcome_flatcar_default() {
    // Nothing high or critical: exit 0 under the default --fail-on high.
    assert_eq!(full_outcome("flatcar-default"), 0);
}

#[test]
fn full_outcome_flatcar_hardened() {
    // Nothing high or critical: exit 0 under the default --fail-on high.
    assert_eq!(full_outcome("flatcar-hardened"), 0);
}

#[test]
fn full_outcome_debian_docker_io() {
    assert_eq!(full_outcome("debian-docker.io"), 1);
    // Password hashes are read for their state only, never printed.
    let dir = fixture_root("debian-docker.io");
    let text = cbench(&["host", "--root", dir.path().to_str().unwrap()]).stdout;
    assert!(!text.contains("notarealhash"), "{text}");
}

#[test]
fn full_outcome_docker_ce() {
    // Nothing high or critical: exit 0 under the default --fail-on high.
    assert_eq!(full_outcome("docker-ce"), 0);
}

/// (rule, evidence, origin) of every finding, and the skipped sections.
fn outcome(root: &str) -> (i32, Vec<(String, String, String)>, usize) {
    let (code, report) = json(&["host", "--root", root, "--only", "socket"]);
    let findings = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["rule"].as_str().unwrap().into(), f["evidence"].as_str().unwrap().into(), f["origin"].as_str().unwrap().into()))
        .collect();
    (code, findings, report["summary"]["subjects"].as_u64().unwrap() as usize)
}

fn t(rule: &str, evidence: &str, origin: &str) -> (String, String, String) {
    (rule.into(), evidence.into(), origin.into())
}

#[test]
fn flatcar_default_core_reaches_the_socket() {
    let (code, findings, subjects) = outcome("fixtures/hosts/flatcar-default");
    assert_eq!(findings, [t("docker-group-members", "core", "fixtures/hosts/flatcar-default/usr/share/baselayout/group:3:1")]);
    assert_eq!((code, subjects), (0, 1));
}

#[test]
fn flatcar_hardened_socket_group_root_passes() {
    let (code, findings, _) = outcome("fixtures/hosts/flatcar-hardened");
    assert_eq!(findings, []);
    assert_eq!(code, 0);
    let r = cbench(&["host", "--root", "fixtures/hosts/flatcar-hardened"]);
    assert!(r.stdout.contains("SKIP  offline audit (--root): the engine is read only with --docker-host"), "{}", r.stdout);
    let r = cbench(&["host", "--root", "fixtures/hosts/flatcar-hardened", "--only", "socket"]);
    for rule in ["docker-socket-mode", "docker-socket-ownership", "docker-group-members", "docker-socket-tcp"] {
        assert!(r.stdout.lines().any(|l| l.starts_with("    PASS  [") && l.ends_with(&format!("] {rule}"))), "{}", r.stdout);
    }
    assert!(r.stdout.ends_with("Score: socket 4/4 · overall 4/4 checks passed\n"), "{}", r.stdout);
}

#[test]
fn debian_dropin_opening_the_api_is_seen() {
    // docker-bench-security ignores systemd drop-ins; this one opens the API on TCP and the
    // socket to everyone.
    let (code, findings, _) = outcome("fixtures/hosts/debian-docker.io");
    let dropin = "fixtures/hosts/debian-docker.io/etc/systemd/system/docker.socket.d/override.conf";
    assert_eq!(
        findings,
        [
            t("docker-socket-mode", "SocketMode=0666", &format!("{dropin}:4:1")),
            t("docker-group-members", "alice", "fixtures/hosts/debian-docker.io/etc/group:3:1"),
            t("docker-group-members", "ci-runner", "fixtures/hosts/debian-docker.io/etc/group:3:1"),
            t("docker-socket-tcp", "ListenStream=2375", &format!("{dropin}:3:1")),
        ]
    );
    assert_eq!(code, 1);
}

#[test]
fn a_root_without_docker_socket_skips_the_socket_checks() {
    let dir = tempfile::tempdir().unwrap();
    let r = cbench(&["host", "--root", dir.path().to_str().unwrap(), "--only", "socket"]);
    assert_eq!(r.code, 0);
    // No docker.socket: not applicable, which is neither a pass nor a failure.
    assert_eq!(r.stdout.matches("N/A   [").count(), 4, "{}", r.stdout);
    assert!(r.stdout.ends_with("Score: socket 0/0 · overall 0/0 checks passed\n"), "{}", r.stdout);
}

#[test]
fn live_host_socket_section_runs_on_this_machine() {
    let r = cbench(&["host", "--only", "socket", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["summary"]["subjects"], 1);
    assert!(r.code == 0 || r.code == 1);
    // Whatever this machine has, every finding points into a real file of it.
    for f in v["findings"].as_array().unwrap() {
        let origin = f["origin"].as_str().unwrap();
        if origin.starts_with('/') {
            let path = origin.split(':').next().unwrap();
            assert!(std::path::Path::new(path).exists(), "{origin}");
        }
    }
}

#[test]
fn debian_daemon_json_and_dockerd_flags() {
    // -H tcp:// and --log-level=debug on the command line (via $DOCKER_OPTS in /etc/default/docker)
    // are what docker-bench-security misses; daemon.json also sets debug: dockerd would refuse to start.
    let (code, report) = json(&["host", "--root", "fixtures/hosts/debian-docker.io", "--only", "daemon"]);
    let got: Vec<(String, String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["rule"].as_str().unwrap().into(), f["evidence"].as_str().unwrap().into(), f["origin"].as_str().unwrap().into()))
        .collect();
    let service = "fixtures/hosts/debian-docker.io/lib/systemd/system/docker.service:12:1";
    let json_file = "fixtures/hosts/debian-docker.io/etc/docker/daemon.json";
    let default = "dockerd default (not set in fixtures/hosts/debian-docker.io/etc/docker/daemon.json or the dockerd flags)";
    assert_eq!(
        got,
        [
            t("userns-remap-disabled", "userns-remap", default),
            t("remote-logging-not-configured", "log-driver=json-file", default),
            t("debug-logging", "debug=true", service),
            t("insecure-registry", "registry.lan:5000", &format!("{json_file}:3:3")),
            t("no-new-privileges-default-off", "no-new-privileges=false", default),
            t("daemon-tcp-without-tls", "tcp://0.0.0.0:2375", service),
            t("daemon-flag-conflict", &format!("--debug and \"debug\" in {json_file}:2:3"), service),
            t("userland-proxy-enabled", "userland-proxy=true", default),
            t("authorization-plugin-missing", "authorization-plugins", "not set in daemon.json or the dockerd flags"),
            t("default-ulimit-not-set", "default-ulimits", "not set in daemon.json or the dockerd flags"),
            t(
                "content-trust-disabled",
                "DOCKER_CONTENT_TRUST",
                "DOCKER_CONTENT_TRUST (not set in fixtures/hosts/debian-docker.io/etc/environment or /etc/profile.d)",
            ),
        ]
    );
    assert_eq!(code, 1);
}

#[test]
fn kernel_sysctl_offline() {
    // Hardened: every key set, in a file that sorts after Flatcar's baselayout.conf.
    let (_, report) = json(&["host", "--root", "fixtures/hosts/flatcar-hardened", "--only", "kernel", "--select", "kernel-sysctl"]);
    assert_eq!(report["findings"], serde_json::json!([]));
    // Default: kptr_restrict configured weaker, the rest not configured at all (low).
    let (_, report) = json(&["host", "--root", "fixtures/hosts/flatcar-default", "--only", "kernel", "--select", "kernel-sysctl"]);
    let findings = report["findings"].as_array().unwrap();
    let medium: Vec<(&str, &str)> = findings
        .iter()
        .filter(|f| f["severity"] == "medium")
        .map(|f| (f["evidence"].as_str().unwrap(), f["origin"].as_str().unwrap()))
        .collect();
    assert_eq!(medium, [("kernel.kptr_restrict", "fixtures/hosts/flatcar-default/usr/lib/sysctl.d/baselayout.conf:4:1")]);
    // 32 keys: 4 set well by baselayout.conf, 1 weaker, 27 not configured.
    assert_eq!(findings.iter().filter(|f| f["severity"] == "low").count(), 27);
    assert!(!findings.iter().any(|f| f["evidence"].as_str().unwrap().contains("ip_forward")));
}

#[test]
fn a_hardening_file_that_sorts_first_is_overridden() {
    // sysctl.d files apply in name order: 90-hardening.conf is applied before baselayout.conf.
    let dir = tempfile::tempdir().unwrap();
    let copy = |from: &str, to: &str| {
        let to = dir.path().join(to);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(root().join(from), to).unwrap();
    };
    copy("fixtures/hosts/flatcar-hardened/usr/lib/sysctl.d/baselayout.conf", "usr/lib/sysctl.d/baselayout.conf");
    copy("fixtures/hosts/flatcar-hardened/etc/sysctl.d/zz-hardening.conf", "etc/sysctl.d/90-hardening.conf");
    let (_, report) = json(&["host", "--root", dir.path().to_str().unwrap(), "--only", "kernel", "--select", "kernel-sysctl"]);
    let got: Vec<&str> = report["findings"].as_array().unwrap().iter().map(|f| f["evidence"].as_str().unwrap()).collect();
    assert_eq!(got, ["kernel.kptr_restrict"]);
}

#[test]
fn docker_file_modes_are_permission_bits() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    let write = |p: &str, mode: u32| put(r, p, "{}\n", mode);
    // docker-bench-security compares modes as decimal numbers: 477 < 644 "passes".
    write("etc/docker/daemon.json", 0o477);
    write("lib/systemd/system/docker.service", 0o666);
    write("lib/systemd/system/docker.socket", 0o644);
    write("etc/docker/certs.d/registry.lan:5000/ca.crt", 0o644);
    write("etc/default/docker", 0o600);
    std::fs::set_permissions(r.join("etc/docker"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let owned = std::os::unix::fs::chown(r.join("etc/default/docker"), Some(1000), Some(1000)).is_ok();
    let (_, report) = json(&["host", "--root", r.to_str().unwrap(), "--only", "files"]);
    let got: Vec<(String, String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["rule"].as_str().unwrap().into(), f["severity"].as_str().unwrap().into(), f["message"].as_str().unwrap().into()))
        .collect();
    let root = r.display().to_string();
    let mut want = vec![
        t("docker-file-permissions", "high", &format!("{root}/etc/docker/daemon.json has mode 0477, more open than 0644")),
        t("docker-file-permissions", "high", &format!("{root}/lib/systemd/system/docker.service has mode 0666, more open than 0644")),
        t(
            "docker-file-permissions",
            "medium",
            &format!("{root}/etc/docker/certs.d/registry.lan:5000/ca.crt has mode 0644, more open than 0444"),
        ),
    ];
    if owned {
        want.push(t("docker-file-ownership", "medium", &format!("{root}/etc/default/docker is owned by 1000:1000, not root:root")));
    }
    assert_eq!(got, want);
}

/// (rule, evidence) of the findings of `cbench host ARGS --format json`.
fn evidence(args: &[&str]) -> Vec<(String, String)> {
    let mut all = vec!["host"];
    all.extend_from_slice(args);
    let (_, report) = json(&all);
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["rule"].as_str().unwrap().to_string(), f["evidence"].as_str().unwrap().to_string()))
        .collect()
}

fn has(found: &[(String, String)], rule: &str, evidence: &str) -> bool {
    found.iter().any(|(r, e)| r == rule && e == evidence)
}

#[test]
fn each_docker_bench_security_and_lynis_defect_has_a_regression() {
    let debian = fixture_root("debian-docker.io");
    let d = evidence(&["--root", debian.path().to_str().unwrap()]);
    // `-H tcp://` and `--log-level=debug` on the dockerd command line (via $DOCKER_OPTS).
    assert!(has(&d, "daemon-tcp-without-tls", "tcp://0.0.0.0:2375"), "{d:?}");
    assert!(has(&d, "debug-logging", "debug=true"), "{d:?}");
    // systemd drop-ins: the override opens the socket to everyone and the API on TCP.
    assert!(has(&d, "docker-socket-mode", "SocketMode=0666") && has(&d, "docker-socket-tcp", "ListenStream=2375"), "{d:?}");
    // Debian's /usr/sbin/dockerd is found (and a watch on /usr/bin/dockerd does not cover it).
    assert!(has(&d, "audit-docker-path", "/usr/sbin/dockerd"), "{d:?}");
    assert!(!d.iter().any(|(_, e)| e == "/usr/bin/dockerd"), "{d:?}");

    let ce = fixture_root("docker-ce");
    let c = evidence(&["--root", ce.path().to_str().unwrap()]);
    // A valid TLS setup in daemon.json (tcp://0.0.0.0:2376 with tlsverify) is not "TCP without TLS".
    assert!(!c.iter().any(|(r, _)| r == "daemon-tcp-without-tls"), "{c:?}");
    // cgroup-parent in daemon.json is seen.
    assert!(has(&c, "daemon-cgroup-parent", "cgroup-parent=docker-limited.slice"), "{c:?}");
    // The TLS key is compared as permission bits: 0640 is more open than 0400.
    assert!(c.iter().any(|(r, e)| r == "docker-file-permissions" && e.ends_with("/etc/docker/tls/server-key.pem")), "{c:?}");

    // Lynis skips a socket-activated sshd (always so on Flatcar): its settings are judged here.
    let flatcar = fixture_root("flatcar-default");
    let f = evidence(&["--root", flatcar.path().to_str().unwrap(), "--only", "ssh"]);
    assert!(has(&f, "sshd-exposed", "sshd.socket") && has(&f, "sshd-password-auth", "PasswordAuthentication"), "{f:?}");
    // An unset option whose default is secure is not a finding (dev-sec baselines get this wrong).
    assert!(!f.iter().any(|(r, _)| r == "sshd-empty-passwords" || r == "sshd-x11-forwarding"), "{f:?}");
}

/// Debian's podman.socket (root:root 0660, a path) passes; a drop-in that opens it to a group
/// with members and to TCP is found at its lines; Podman's files judged like Docker's.
#[test]
fn podman_socket_and_files() {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    put(
        r,
        "lib/systemd/system/podman.socket",
        "[Unit]\nDescription=Podman API Socket\n\n[Socket]\nListenStream=%t/podman/podman.sock\nSocketMode=0660\n\n[Install]\nWantedBy=sockets.target\n",
        0o644,
    );
    put(r, "etc/group", "root:x:0:\npodman:x:990:alice\n", 0o644);
    let root = r.to_str().unwrap();
    assert!(!evidence(&["--root", root, "--only", "socket"]).iter().any(|(rule, _)| rule == "podman-socket-open"));
    put(r, "etc/systemd/system/podman.socket.d/10-open.conf", "[Socket]\nSocketGroup=podman\nListenStream=0.0.0.0:8888\n", 0o644);
    put(r, "etc/containers/policy.json", "{\"default\": [{\"type\": \"insecureAcceptAnything\"}]}\n", 0o666);
    let (_, report) = json(&["host", "--root", root, "--only", "socket,files"]);
    let found: Vec<(&str, &str, &str)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "podman-socket-open" || f["rule"] == "docker-file-permissions")
        .map(|f| (f["rule"].as_str().unwrap(), f["message"].as_str().unwrap(), f["origin"].as_str().unwrap()))
        .collect();
    let dropin = format!("{root}/etc/systemd/system/podman.socket.d/10-open.conf");
    let policy = format!("{root}/etc/containers/policy.json");
    assert_eq!(
        found,
        [
            ("docker-file-permissions", format!("{policy} has mode 0666, more open than 0644").as_str(), policy.as_str()),
            (
                "podman-socket-open",
                "user alice can use Podman's API through group podman: root-equivalent access",
                format!("{root}/etc/group:2:1").as_str()
            ),
            ("podman-socket-open", "podman.socket listens on TCP 0.0.0.0:8888: Podman's API without TLS", format!("{dropin}:3:1").as_str()),
        ]
    );
}

#[test]
fn coreos_fleet_socket_and_rkt_group() {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    std::fs::create_dir_all(r.join("usr/lib/systemd/system")).unwrap();
    std::fs::create_dir_all(r.join("etc")).unwrap();
    std::fs::write(
        r.join("usr/lib/systemd/system/fleet.socket"),
        "[Socket]\nListenStream=/var/run/fleet.sock\nListenStream=49153\nSocketMode=0660\nSocketGroup=fleet\n",
    )
    .unwrap();
    std::fs::write(r.join("etc/group"), "root:x:0:\nrkt:x:251:core,ci\n").unwrap();
    let found = evidence(&["--root", r.to_str().unwrap(), "--only", "socket"]);
    assert_eq!(
        found,
        [
            ("fleet-socket-open".to_string(), "SocketMode".to_string()),
            ("fleet-socket-open".into(), "SocketGroup".into()),
            ("fleet-socket-open".into(), "ListenStream=49153".into()),
            ("rkt-group-members".into(), "core".into()),
            ("rkt-group-members".into(), "ci".into()),
        ]
    );
    // Masked: not applicable.
    std::fs::create_dir_all(r.join("etc/systemd/system")).unwrap();
    std::os::unix::fs::symlink("/dev/null", r.join("etc/systemd/system/fleet.socket")).unwrap();
    assert!(!evidence(&["--root", r.to_str().unwrap(), "--only", "socket"]).iter().any(|(rule, _)| rule == "fleet-socket-open"));
}

#[test]
fn deep_walk_finds_setuid_and_world_writable_files() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    let file = |p: &str, mode: u32| put(r, p, "x", mode);
    file("usr/bin/passwd", 0o4755);
    file("usr/bin/wall", 0o2755);
    file("etc/app.conf", 0o666);
    file("usr/bin/ls", 0o755);
    file("var/lib/docker/overlay2/x/setuid", 0o4755);
    std::fs::create_dir_all(r.join("srv/drop")).unwrap();
    std::fs::set_permissions(r.join("srv/drop"), std::fs::Permissions::from_mode(0o777)).unwrap();
    std::fs::create_dir_all(r.join("tmp")).unwrap();
    std::fs::set_permissions(r.join("tmp"), std::fs::Permissions::from_mode(0o1777)).unwrap();
    let found = evidence(&["--root", r.to_str().unwrap(), "--only", "fs", "--select", "setuid-files,world-writable-files", "--deep"]);
    let want: Vec<(String, String)> = [
        ("setuid-files", "/usr/bin/passwd"),
        ("setuid-files", "/usr/bin/wall"),
        ("world-writable-files", "/etc/app.conf"),
        ("world-writable-files", "/srv/drop"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    let mut found = found;
    found.sort();
    assert_eq!(found, want);
    // Without --deep the walk does not run: skipped, with the reason.
    let r2 = cbench(&["host", "--root", r.to_str().unwrap(), "--only", "fs", "--select", "setuid-files"]);
    assert!(r2.stdout.contains("SKIP  setuid-files: not run: the file system walk runs with --deep"), "{}", r2.stdout);
}

/// Live checks read this machine itself (/proc, /sys, the Docker socket): their outcomes are
/// compared with what the test reads independently.
#[test]
fn live_host_reads_proc_and_the_socket() {
    let found =
        evidence(&["--only", "kernel,fs,socket", "--select", "kernel-sysctl,tmp-mount-options,docker-socket-mode,docker-group-members"]);
    // A running value that misses the checklist is a finding on its key.
    let aslr = std::fs::read_to_string("/proc/sys/kernel/randomize_va_space").unwrap();
    assert_eq!(has(&found, "kernel-sysctl", "kernel.randomize_va_space"), aslr.trim() != "2", "{found:?}");
    // /dev/shm as mounted now.
    let info = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    let shm = info.lines().rfind(|l| l.split(' ').nth(4) == Some("/dev/shm"));
    if let Some(line) = shm {
        let opts: Vec<&str> = line.split(' ').nth(5).unwrap().split(',').chain(line.rsplit(' ').next().unwrap().split(',')).collect();
        let missing = ["nosuid", "nodev", "noexec"].iter().any(|o| !opts.contains(o));
        assert_eq!(has(&found, "tmp-mount-options", "/dev/shm"), missing, "{found:?}");
    }
    // The Docker socket's own mode, when dockerd made one.
    if let Ok(m) = std::fs::metadata("/run/docker.sock") {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let mode = m.permissions().mode() & 0o7777;
        let mode_finding = found.iter().find(|(r, _)| r == "docker-socket-mode").map(|(_, e)| e.clone());
        assert_eq!(mode_finding, (mode & !0o660 != 0).then(|| format!("SocketMode={mode:04o}")), "{found:?}");
        // Members of the socket's group, from /etc/group.
        let group = std::fs::read_to_string("/etc/group").unwrap();
        let members: Vec<String> = group
            .lines()
            .map(|l| l.split(':').collect::<Vec<_>>())
            .find(|f| f.len() >= 4 && f[2] == m.gid().to_string() && m.gid() != 0)
            .map(|f| f[3].split(',').filter(|s| !s.is_empty()).map(str::to_string).collect())
            .unwrap_or_default();
        let got: Vec<String> = found.iter().filter(|(r, _)| r == "docker-group-members").map(|(_, e)| e.clone()).collect();
        assert_eq!(got, members);
    } else {
        assert!(std::env::var("CBENCH_REQUIRE_ENGINE").is_err(), "CBENCH_REQUIRE_ENGINE is set but /run/docker.sock does not exist");
    }
    // The kernel command line is read live: the check runs (pass or fail), it is not skipped.
    let (_, report) = json(&["host", "--only", "kernel", "--select", "kernel-cmdline-weakened"]);
    assert_ne!(report["checks"][0]["outcome"], "skip", "{report}");
}

#[test]
fn one_finding_is_suppressed_by_its_evidence() {
    let root = fixture_root("flatcar-hardened");
    let path = root.path().to_str().unwrap();
    let (_, report) = json(&[
        "host",
        "--root",
        path,
        "--only",
        "kernel",
        "--select",
        "kernel-module-enabled",
        "--ignore",
        "kernel-module-enabled:squashfs",
    ]);
    let got: Vec<(&str, bool)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["evidence"].as_str().unwrap(), f["suppressed"].as_bool().unwrap()))
        .collect();
    assert_eq!(got, [("squashfs", true), ("usb-storage", false)]);
    let r = cbench(&["host", "--root", path, "--ignore", "no-such-rule:x"]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (2, "cbench: unknown rule `no-such-rule` in `--ignore no-such-rule:x` (RULE:EVIDENCE takes a rule id; see `cbench rules`)\n")
    );
}

/// Run as an unprivileged user (the test itself runs as root on CI), files a non-root user
/// cannot read make their checks skip with the reason — never pass on an empty reading.
#[test]
fn unreadable_files_skip_rather_than_pass() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    use std::os::unix::process::CommandExt;
    if std::fs::metadata("/proc/self").map(|m| m.uid()).unwrap_or(1) != 0 {
        eprintln!("skipped: needs root to run cbench as another user");
        return;
    }
    let root = fixture_root("flatcar-default");
    let r = root.path();
    let chmod = |p: &str, mode: u32| std::fs::set_permissions(r.join(p), std::fs::Permissions::from_mode(mode)).unwrap();
    chmod(".", 0o755);
    chmod("usr/share/ssh/sshd_config", 0o600);
    chmod("etc/audit/rules.d", 0o750);
    // The binary where the unprivileged user can run it.
    let bin = r.join("cbench-bin");
    std::fs::copy(env!("CARGO_BIN_EXE_cbench"), &bin).unwrap();
    let out = std::process::Command::new(&bin)
        .args(["host", "--root", r.to_str().unwrap(), "--only", "audit,ssh,users", "--format", "json"])
        .env_clear()
        .current_dir(r)
        .uid(65534)
        .gid(65534)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let path = r.to_str().unwrap();
    let outcome = |rule: &str| -> (String, String) {
        let c = report["checks"].as_array().unwrap().iter().find(|c| c["rule"] == rule).unwrap();
        (c["outcome"].as_str().unwrap().to_string(), c["reason"].as_str().unwrap_or("").replace(path, "[ROOT]"))
    };
    let skip = |why: &str| ("skip".to_string(), format!("not readable without root: {why}"));
    assert_eq!(outcome("audit-docker-path"), skip("[ROOT]/etc/audit/rules.d"));
    assert_eq!(outcome("audit-events-discarded"), skip("[ROOT]/etc/audit/rules.d"));
    assert_eq!(outcome("sshd-password-auth"), skip("[ROOT]/etc/ssh/sshd_config"));
    assert_eq!(outcome("passwordless-sudo"), skip("[ROOT]/etc/sudoers"));
    assert_eq!(outcome("core-user-unrestricted"), skip("[ROOT]/etc/sudoers"));
    assert_eq!(outcome("root-password-login"), skip("/etc/shadow"));
    // What a non-root user can read is still judged.
    assert_eq!(outcome("sshd-exposed").0, "info");
}

#[test]
fn userns_remap_user_needs_subordinate_ids() {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    std::fs::create_dir_all(r.join("etc/docker")).unwrap();
    std::fs::write(r.join("etc/docker/daemon.json"), "{\n  \"userns-remap\": \"remap:remap\"\n}\n").unwrap();
    std::fs::write(r.join("etc/subuid"), "remap:100000:65536\n").unwrap();
    let (_, report) =
        json(&["host", "--root", r.to_str().unwrap(), "--only", "daemon", "--select", "userns-remap-subids-missing,userns-remap-disabled"]);
    let got: Vec<(&str, &str)> =
        report["findings"].as_array().unwrap().iter().map(|f| (f["message"].as_str().unwrap(), f["origin"].as_str().unwrap())).collect();
    let root = r.display().to_string();
    let msg = format!("userns-remap: {root}/etc/subgid has no range for remap: dockerd will not start");
    assert_eq!(got, [(msg.as_str(), format!("{root}/etc/docker/daemon.json:2:3").as_str())]);
}

#[test]
fn syslog_without_an_address_stays_local() {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    std::fs::create_dir_all(r.join("etc/docker")).unwrap();
    let run = |json_text: &str| {
        std::fs::write(r.join("etc/docker/daemon.json"), json_text).unwrap();
        evidence(&["--root", r.to_str().unwrap(), "--only", "daemon", "--select", "remote-logging-not-configured"])
    };
    assert_eq!(run(r#"{"log-driver": "syslog"}"#), [("remote-logging-not-configured".to_string(), "log-opts.syslog-address".to_string())]);
    assert_eq!(run(r#"{"log-driver": "syslog", "log-opts": {"syslog-address": "tcp://logs.lan:514"}}"#), []);
    assert_eq!(run(r#"{"log-driver": "journald"}"#), [("remote-logging-not-configured".to_string(), "log-driver=journald".to_string())]);
}

#[test]
fn invalid_daemon_json_is_an_error_outcome_not_a_pass() {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    std::fs::create_dir_all(r.join("etc/docker")).unwrap();
    std::fs::write(r.join("etc/docker/daemon.json"), "{\n  \"icc\": false,\n  \"debug\": tru\n}\n").unwrap();
    let root = r.to_str().unwrap();
    let out = cbench(&["host", "--root", root, "--only", "daemon", "--select", "icc-enabled,debug-logging"]);
    let text = out.stdout.replace(root, "[ROOT]");
    assert_eq!(out.code, 2);
    assert_eq!(
        text,
        "[daemon]\n  daemon [ROOT] (daemon.json and dockerd flags)\n    \
         ERROR [2.2] icc-enabled: cannot judge the daemon's files: [ROOT]/etc/docker/daemon.json:3:14 is not valid JSON (dockerd will not start)\n    \
         ERROR [2.3] debug-logging: cannot judge the daemon's files: [ROOT]/etc/docker/daemon.json:3:14 is not valid JSON (dockerd will not start)\n\
         error: [ROOT]/etc/docker/daemon.json:3:14: invalid JSON: expected ident\n\
         Score: daemon 0/32 · overall 0/32 checks passed\n" // `--select` shows two checks; the score is the whole run's (21 daemon checks, all errors).
    );
    let (_, report) = json(&["host", "--root", root, "--only", "daemon", "--select", "icc-enabled"]);
    assert_eq!(report["checks"][0]["outcome"], "error");
}

/// The kernel's loaded audit rules (`auditctl -l`) are authoritative on the live host: a watch
/// the test loads covers its path. (CI installs auditd for auditctl.)
#[test]
fn live_audit_rules_come_from_the_kernel() {
    let Some(auditctl) = ["/usr/sbin/auditctl", "/sbin/auditctl"].into_iter().find(|p| std::path::Path::new(p).exists()) else {
        assert!(std::env::var("CBENCH_REQUIRE_ENGINE").is_err(), "CI installs auditd, but auditctl is missing");
        return;
    };
    let dockerd = ["/usr/sbin/dockerd", "/usr/bin/dockerd"].into_iter().find(|p| std::path::Path::new(p).exists());
    let readable = std::process::Command::new(auditctl).arg("-l").output().is_ok_and(|o| o.status.success());
    let (Some(dockerd), true) = (dockerd, readable) else {
        eprintln!("skipped: no dockerd binary, or auditctl -l does not answer here");
        return;
    };
    struct Watch<'a>(&'a str, &'a str);
    impl Drop for Watch<'_> {
        fn drop(&mut self) {
            let _ = std::process::Command::new(self.0).args(["-W", self.1, "-p", "wa", "-k", "cbench-test"]).output();
        }
    }
    let added = std::process::Command::new(auditctl).args(["-w", dockerd, "-p", "wa", "-k", "cbench-test"]).output().unwrap();
    assert!(added.status.success(), "{}", String::from_utf8_lossy(&added.stderr));
    let _watch = Watch(auditctl, dockerd);
    let (_, report) = json(&["host", "--only", "audit", "--select", "audit-docker-path"]);
    let findings = report["findings"].as_array().unwrap();
    assert!(!findings.iter().any(|f| f["evidence"] == dockerd), "{report}");
    assert!(findings.iter().all(|f| f["origin"] == "auditctl -l (loaded rules)"), "{report}");
}

/// MAC state is read live from /sys: the outcome agrees with what the test reads there.
#[test]
fn live_mac_state_comes_from_sys() {
    let apparmor = std::fs::read_to_string("/sys/module/apparmor/parameters/enabled").is_ok_and(|v| v.trim() == "Y");
    let selinux = std::fs::read_to_string("/sys/fs/selinux/enforce").is_ok_and(|v| v.trim() == "1");
    let (_, report) = json(&["host", "--only", "mac", "--select", "mac-inactive,apparmor-docker-default"]);
    let outcome = |rule: &str| report["checks"].as_array().unwrap().iter().find(|c| c["rule"] == rule).unwrap()["outcome"].clone();
    assert_eq!(outcome("mac-inactive"), if apparmor || selinux { "pass" } else { "fail" }, "{report}");
    if !apparmor {
        assert_eq!(outcome("apparmor-docker-default"), "not-applicable", "{report}");
    }
}

/// Host findings (many not at a file position) in SARIF still validate against the schema.
#[test]
fn host_sarif_validates_against_the_official_schema() {
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("tests/schemas/sarif-2.1.0.json")).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let debian = fixture_root("debian-docker.io");
    let r = cbench(&["host", "--root", debian.path().to_str().unwrap(), "--format", "sarif", "--ignore", "kernel-sysctl:kernel.sysrq"]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let errors: Vec<String> = validator.iter_errors(&v).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let results = v["runs"][0]["results"].as_array().unwrap();
    // One result per finding, the suppressed one marked.
    let (_, report) = json(&["host", "--root", debian.path().to_str().unwrap(), "--ignore", "kernel-sysctl:kernel.sysrq"]);
    assert_eq!(results.len(), report["findings"].as_array().unwrap().len());
    assert_eq!(results.iter().filter(|r| r.get("suppressions").is_some()).count(), 1);
}

/// A daemon.json written after dockerd started is not in force: the running engine and the file
/// disagree, and cbench says so at the file's line. (The test writes /etc/docker/daemon.json on
/// the CI machine only when there is none, and removes it.)
#[test]
fn live_engine_and_daemon_json_disagree() {
    let up = std::process::Command::new("docker").args(["version"]).output().is_ok_and(|o| o.status.success());
    if !up {
        assert!(std::env::var_os("CBENCH_REQUIRE_ENGINE").is_none(), "CBENCH_REQUIRE_ENGINE is set but no Docker engine answers");
        return;
    }
    let path = std::path::Path::new("/etc/docker/daemon.json");
    if path.exists() {
        eprintln!("skipped: this machine has its own daemon.json");
        return;
    }
    struct Remove(&'static std::path::Path);
    impl Drop for Remove {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(self.0);
        }
    }
    // icc is on in the running engine unless it was started with --icc=false.
    let (_, before) = json(&["host", "--only", "daemon", "--select", "icc-enabled"]);
    if before["findings"].as_array().unwrap().is_empty() {
        eprintln!("skipped: the running engine already has icc off");
        return;
    }
    std::fs::create_dir_all("/etc/docker").unwrap();
    std::fs::write(path, "{\n  \"icc\": false\n}\n").unwrap();
    let _cleanup = Remove(path);
    let (_, report) = json(&["host", "--only", "daemon", "--select", "daemon-config-not-applied,icc-enabled"]);
    let got: Vec<(&str, &str, &str)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["rule"].as_str().unwrap(), f["evidence"].as_str().unwrap(), f["origin"].as_str().unwrap()))
        .collect();
    // The engine's value is what runs (icc on), and the file's icc=false is not applied.
    assert_eq!(
        got,
        [
            ("icc-enabled", "icc=true", "engine /networks/bridge .Options[com.docker.network.bridge.enable_icc]"),
            ("daemon-config-not-applied", "icc", "/etc/docker/daemon.json:2:3"),
        ]
    );
}

#[test]
fn junit_carries_skipped_and_failed_checks() {
    let ce = fixture_root("docker-ce");
    let r = cbench(&["host", "--root", ce.path().to_str().unwrap(), "--only", "mac,users", "--format", "junit"]);
    let head = r.stdout.lines().nth(1).unwrap();
    // users: 8 checks ran (passwordless-sudo fails; privileged-group-members has only info
    // findings, a pass as in every format), core-user-unrestricted not applicable; mac: 4 not
    // applicable or skipped.
    assert_eq!(head, r#"<testsuites name="cbench" tests="13" skipped="5" failures="1" errors="0">"#, "{}", r.stdout);
    assert!(r.stdout.contains(r#"<skipped message="not applicable: no `core` user (not Flatcar / CoreOS)"/>"#), "{}", r.stdout);
}

#[test]
fn offline_daemon_defaults_seccomp_storage_and_swarm() {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    std::fs::create_dir_all(r.join("etc/docker")).unwrap();
    std::fs::create_dir_all(r.join("srv/docker/swarm")).unwrap();
    std::fs::write(
        r.join("etc/docker/daemon.json"),
        "{\"seccomp-profile\": \"unconfined\", \"data-root\": \"/srv/docker\", \"storage-driver\": \"aufs\"}\n",
    )
    .unwrap();
    std::fs::write(r.join("srv/docker/swarm/state.json"), "[]").unwrap();
    let found = evidence(&[
        "--root",
        r.to_str().unwrap(),
        "--only",
        "daemon",
        "--select",
        "daemon-seccomp-disabled,aufs-storage-driver,swarm-mode-enabled",
    ]);
    assert_eq!(
        found,
        [
            ("daemon-seccomp-disabled".to_string(), "seccomp-profile=unconfined".to_string()),
            ("aufs-storage-driver".into(), "aufs".into()),
            ("swarm-mode-enabled".into(), "swarm".into())
        ]
    );
}

#[test]
fn a_root_that_is_not_a_directory_is_a_usage_error() {
    for bad in ["/nonexistent/cbench-root", "Cargo.toml"] {
        let r = cbench(&["host", "--root", bad]);
        assert_eq!((r.code, r.stdout.as_str()), (2, ""));
        assert_eq!(r.stderr, format!("cbench: --root {bad}: not a directory\n"));
    }
}

/// `--max-items` cuts a long list in the host text report only: the outcome, the exit code and
/// the JSON findings stay.
#[test]
fn max_items_cuts_long_lists_in_text_only() {
    let root = "fixtures/hosts/debian-docker.io";
    let full = cbench(&["host", "--root", root, "--color", "never"]);
    let cut = cbench(&["host", "--root", root, "--color", "never", "--max-items", "3"]);
    assert_eq!(full.code, cut.code);
    let lines = |r: &Run| r.stdout.lines().filter(|l| l.contains("audit-docker-path:")).map(str::to_string).collect::<Vec<_>>();
    assert_eq!(lines(&full).len(), 10);
    let cut_lines = lines(&cut);
    assert_eq!(cut_lines[..3], lines(&full)[..3]);
    assert_eq!(cut_lines[3], "    WARN  audit-docker-path: 7 more not listed (--max-items; every one is in --format json)");
    assert_eq!(cut_lines.len(), 4);
    let json = |extra: &[&str]| {
        let mut args = vec!["host", "--root", root, "--format", "json"];
        args.extend(extra);
        let v: serde_json::Value = serde_json::from_str(&cbench(&args).stdout).unwrap();
        v["findings"].as_array().unwrap().len()
    };
    assert_eq!(json(&["--max-items", "1"]), json(&[]));
}

/// CIS 5.23/5.24 from the audit log of a host (offline): the docker exec records auditd wrote,
/// at their line of audit.log; hex arguments decoded; the check passes on a log without them
/// only because a rule records docker executions.
#[test]
fn docker_exec_in_the_audit_log() {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    std::fs::create_dir_all(r.join("etc/audit/rules.d")).unwrap();
    std::fs::create_dir_all(r.join("var/log/audit")).unwrap();
    std::fs::write(r.join("etc/audit/rules.d/docker.rules"), "-w /usr/bin/docker -p x -k docker-exec\n").unwrap();
    let log = [
        r#"type=SYSCALL msg=audit(1764990000.101:811): arch=c000003e syscall=59 success=yes exit=0 auid=1000 uid=1000 comm="docker" exe="/usr/bin/docker" key="docker-exec""#,
        r#"type=EXECVE msg=audit(1764990000.101:811): argc=5 a0="docker" a1="exec" a2="--privileged" a3="web" a4="sh""#,
        r#"type=EXECVE msg=audit(1764990100.202:812): argc=6 a0="docker" a1="exec" a2="-u" a3="0" a4="db" a5=7368202D63206964"#,
        r#"type=EXECVE msg=audit(1764990200.303:813): argc=4 a0="docker" a1="ps" a2="-a" a3="-q""#,
    ]
    .join("\n");
    std::fs::write(r.join("var/log/audit/audit.log"), log + "\n").unwrap();
    let root = r.to_str().unwrap();
    let (code, report) = json(&["host", "--root", root, "--only", "audit", "--select", "exec-in-audit-log"]);
    let got: Vec<(String, String, Vec<String>)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let origin = f["origin"].as_str().unwrap().replace(root, "[ROOT]");
            let cis = f["cis"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_string()).collect();
            (f["message"].as_str().unwrap().to_string(), origin, cis)
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "auditd recorded `docker exec --privileged` into web".to_string(),
                "[ROOT]/var/log/audit/audit.log:2:1".to_string(),
                vec!["5.23".to_string()]
            ),
            (
                "auditd recorded `docker exec --user 0` into db".to_string(),
                "[ROOT]/var/log/audit/audit.log:3:1".to_string(),
                vec!["5.24".to_string()]
            ),
        ]
    );
    assert_eq!(code, 1, "a privileged exec is high");
    // Without the docker executions recorded, no record is no pass.
    std::fs::write(r.join("var/log/audit/audit.log"), "").unwrap();
    std::fs::write(r.join("etc/audit/rules.d/docker.rules"), "-w /usr/bin/dockerd -p wa -k docker\n").unwrap();
    let (_, report) = json(&["host", "--root", root, "--only", "audit", "--select", "exec-in-audit-log"]);
    let check = report["checks"].as_array().unwrap().iter().find(|c| c["rule"] == "exec-in-audit-log").unwrap().clone();
    assert_eq!(check["outcome"], "skip", "{check}");
}

/// CIS v1.8.0 2.7 and 2.12 (v1.6.0 2.11) from daemon.json: devicemapper with a changed base
/// device size, at the lines that set them.
#[test]
fn devicemapper_and_its_base_device_size() {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    std::fs::create_dir_all(r.join("etc/docker")).unwrap();
    std::fs::write(
        r.join("etc/docker/daemon.json"),
        "{\n  \"storage-driver\": \"devicemapper\",\n  \"storage-opts\": [\"dm.basesize=50G\"]\n}\n",
    )
    .unwrap();
    let root = r.to_str().unwrap();
    let (_, report) =
        json(&["host", "--root", root, "--only", "daemon", "--select", "devicemapper-storage-driver,base-device-size-changed"]);
    let got: Vec<(String, String, Vec<String>)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let cis = f["cis"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_string()).collect();
            (f["message"].as_str().unwrap().to_string(), f["origin"].as_str().unwrap().replace(root, "[ROOT]"), cis)
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "the devicemapper storage driver is used (deprecated; use overlay2)".to_string(),
                "[ROOT]/etc/docker/daemon.json:2:3".to_string(),
                vec!["2.7".to_string()]
            ),
            (
                "the base device size is changed (dm.basesize=50G)".to_string(),
                "[ROOT]/etc/docker/daemon.json:3:3".to_string(),
                vec!["2.12".to_string()]
            ),
        ]
    );
}

/// CIS 4.5 from the host's login configuration (/etc/profile.d), never from the environment
/// cbench runs in: the verdict does not depend on who runs the audit.
#[test]
fn content_trust_from_the_hosts_files_not_cbenchs_environment() {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    std::fs::create_dir_all(r.join("etc/profile.d")).unwrap();
    let root = r.to_str().unwrap();
    let args = ["host", "--root", root, "--only", "daemon", "--select", "content-trust-disabled", "--format", "json"];
    let outcome = |env: &[(&str, &str)]| {
        let run = cbench_in(None, &args, env);
        let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        let c = v["checks"].as_array().unwrap().iter().find(|c| c["rule"] == "content-trust-disabled").unwrap().clone();
        let origin = v["findings"].as_array().unwrap().first().map(|f| f["origin"].as_str().unwrap().replace(root, "[ROOT]"));
        (c["outcome"].as_str().unwrap().to_string(), origin)
    };
    // cbench's own DOCKER_CONTENT_TRUST=1 changes nothing.
    assert_eq!(outcome(&[("DOCKER_CONTENT_TRUST", "1")]), outcome(&[]));
    assert_eq!(outcome(&[]).0, "fail");
    std::fs::write(r.join("etc/profile.d/docker.sh"), "# docker clients\nexport DOCKER_CONTENT_TRUST=1\n").unwrap();
    assert_eq!(outcome(&[]), ("pass".to_string(), None));
    std::fs::write(r.join("etc/profile.d/docker.sh"), "export DOCKER_CONTENT_TRUST=0\n").unwrap();
    assert_eq!(outcome(&[]), ("fail".to_string(), Some("[ROOT]/etc/profile.d/docker.sh:1:1".to_string())));
}

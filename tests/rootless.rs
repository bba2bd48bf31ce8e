//! Rootless Docker for real: Debian's dockerd-rootless.sh (rootlesskit, uidmap, slirp4netns)
//! run by an unprivileged user, started by .ci/run. cbench finds it where Docker puts it
//! (`$XDG_RUNTIME_DIR/docker.sock`) when DOCKER_HOST is unset and the root socket is absent,
//! reads that user's daemon.json (`~/.config/docker/daemon.json`), recognises rootless mode and
//! judges it so: CIS 2.1 passes, userns-remap is not applicable, the socket and the files belong
//! to the user. The container rules apply unchanged: the same containers on the root engine and
//! the rootless one get the same findings.
//!
//! The socket is CBENCH_ROOTLESS_SOCKET and its user CBENCH_ROOTLESS_USER (.ci/run starts the
//! engine); without them the test skips loudly, unless CBENCH_REQUIRE_ROOTLESS is set.
#![allow(clippy::disallowed_methods)]

mod common;

use std::os::unix::fs::PermissionsExt;
use std::process::Command;

use common::*;

struct Engine {
    socket: String,
    user: String,
    uid: u32,
    gid: u32,
    home: String,
}

fn engine() -> Option<Engine> {
    let (Some(socket), Some(user)) = (std::env::var("CBENCH_ROOTLESS_SOCKET").ok(), std::env::var("CBENCH_ROOTLESS_USER").ok()) else {
        assert!(
            std::env::var_os("CBENCH_REQUIRE_ROOTLESS").is_none(),
            "CBENCH_REQUIRE_ROOTLESS is set but CBENCH_ROOTLESS_SOCKET / CBENCH_ROOTLESS_USER are not"
        );
        eprintln!(
            "\n\n*** SKIPPED: no rootless Docker engine (CBENCH_ROOTLESS_SOCKET, CBENCH_ROOTLESS_USER unset; .ci/run starts one) ***\n"
        );
        return None;
    };
    let (uid, gid, home) = passwd_user(&user);
    Some(Engine { socket, user, uid, gid, home })
}

fn run(program: &str, args: &[&str], env: &[(&str, &str)]) -> (bool, String) {
    let out = Command::new(program).args(args).envs(env.iter().copied()).output().unwrap_or_else(|e| panic!("{program}: {e}"));
    (out.status.success(), String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr))
}

/// `docker ARGS` against the engine at `host` (None: the root engine).
fn docker(host: Option<&str>, args: &[&str]) -> (bool, String) {
    match host {
        Some(h) => run("docker", args, &[("DOCKER_HOST", h)]),
        None => run("docker", args, &[]),
    }
}

/// `cbench host ARGS --format json` run as the rootless engine's user, with only HOME and
/// XDG_RUNTIME_DIR set, on a host where the root engine's socket is absent: /run is a fresh
/// tmpfs in a mount namespace of its own, with the user's runtime directory bound back.
fn as_user(e: &Engine, args: &[&str]) -> serde_json::Value {
    run_as_user(e, true, args)
}

/// `cbench host ARGS --format json` as the user; `hide_root_socket`: in a mount namespace where
/// the root engine's socket is absent (else the host as it is).
fn run_as_user(e: &Engine, hide_root_socket: bool, args: &[&str]) -> serde_json::Value {
    // The test binary's directory may not be the user's to read: a copy it can run.
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let bin = dir.path().join("cbench");
    std::fs::copy(env!("CARGO_BIN_EXE_cbench"), &bin).unwrap();
    let keep = dir.path().join("keep");
    std::fs::create_dir(&keep).unwrap();
    let run_dir = e.socket.rsplit_once('/').unwrap().0;
    let script = r#"set -e
mount --bind "$1" "$2"
mount -t tmpfs tmpfs /run
mkdir -p "$1"
mount --bind "$2" "$1"
test ! -e /var/run/docker.sock
shift 2
exec "$@""#;
    let script = if hide_root_socket { script } else { "shift 2\nexec \"$@\"" };
    let (uid, gid) = (e.uid.to_string(), e.gid.to_string());
    let (home, xdg) = (format!("HOME={}", e.home), format!("XDG_RUNTIME_DIR={run_dir}"));
    let mut argv = vec!["-m", "sh", "-c", script, "sh", run_dir, keep.to_str().unwrap()];
    argv.extend([
        "setpriv",
        "--reuid",
        &uid,
        "--regid",
        &gid,
        "--init-groups",
        "env",
        "-i",
        &home,
        &xdg,
        "NO_COLOR=1",
        "PATH=/usr/bin:/bin",
    ]);
    argv.push(bin.to_str().unwrap());
    argv.extend(["host", "--format", "json"]);
    argv.extend(args);
    let out =
        if hide_root_socket { Command::new("unshare").args(&argv).output() } else { Command::new("sh").args(&argv[2..]).output() }.unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(&stdout).unwrap_or_else(|err| panic!("{err}: {stdout}\n{}", String::from_utf8_lossy(&out.stderr)))
}

/// The outcome (and reason) of `rule` on the subject of `kind`.
fn outcome<'a>(report: &'a serde_json::Value, kind: &str, rule: &str) -> (&'a str, &'a str) {
    let c = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["rule"] == rule && c["subject"]["kind"] == kind)
        .unwrap_or_else(|| panic!("no {rule} on a {kind}"));
    (c["outcome"].as_str().unwrap(), c["reason"].as_str().unwrap_or(""))
}

fn messages<'a>(report: &'a serde_json::Value, rule: &str) -> Vec<(&'a str, &'a str)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .map(|f| (f["message"].as_str().unwrap(), f["origin"].as_str().unwrap_or("")))
        .collect()
}

#[test]
fn rootless_docker_is_found_and_judged_as_rootless() {
    let Some(e) = engine() else { return };
    let address = format!("unix://{}", e.socket);
    let config_dir = format!("{}/.config/docker", e.home);
    let daemon_json = format!("{config_dir}/daemon.json");
    std::fs::create_dir_all(&config_dir).unwrap();
    let _ = Command::new("chown").args([format!("{}:{}", e.uid, e.gid), config_dir.clone()]).status();
    // What the user's file says and the running engine does not (it was started without it).
    std::fs::write(&daemon_json, "{\n  \"icc\": false\n}\n").unwrap();
    std::os::unix::fs::chown(&daemon_json, Some(e.uid), Some(e.gid)).unwrap();

    let report = as_user(&e, &["--only", "daemon,files,socket"]);
    let daemon = report["checks"].as_array().unwrap().iter().find(|c| c["section"] == "daemon").unwrap();
    let name = daemon["subject"]["name"].as_str().unwrap();
    assert!(name.starts_with(&format!("{address} (Docker ")) && name.ends_with(" rootless)"), "found at $XDG_RUNTIME_DIR: {name}");
    assert_eq!(outcome(&report, "daemon", "daemon-runs-as-root").0, "pass");
    let (o, reason) = outcome(&report, "daemon", "userns-remap-disabled");
    assert_eq!(o, "not-applicable");
    assert!(reason.contains(&format!("the engine is rootless (it runs as {} in a user namespace", e.user)), "{reason}");
    // The user's daemon.json is the one read: its line, against what the engine runs.
    assert_eq!(
        messages(&report, "daemon-config-not-applied"),
        [(
            "icc is false in this host's configuration but the running engine has true: restart dockerd, or the file no longer says what runs",
            format!("{daemon_json}:2:3").as_str()
        )]
    );
    // The socket and the files are the user's: right as they are.
    for rule in ["docker-socket-mode", "docker-socket-ownership", "docker-file-ownership", "docker-file-permissions"] {
        let kind = if rule.starts_with("docker-socket") { "socket" } else { "files" };
        assert_eq!(outcome(&report, kind, rule).0, "pass", "{rule}: {:?}", messages(&report, rule));
    }

    // With the root engine's socket there, the docker CLI's current context decides, as
    // `dockerd-rootless-setuptool.sh install` sets it up (`docker context use rootless`).
    let home = format!("HOME={}", e.home);
    let context = |args: &[&str]| {
        let mut c = Command::new("setpriv");
        c.args(["--reuid", &e.uid.to_string(), "--regid", &e.gid.to_string(), "--init-groups", "env", "-i", &home, "docker", "context"]);
        let out = c.args(args).current_dir("/").output().unwrap();
        assert!(out.status.success() || args[0] == "rm", "docker context {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    context(&["rm", "-f", "cbench-rootless"]);
    context(&["create", "cbench-rootless", "--docker", &format!("host={address}")]);
    context(&["use", "cbench-rootless"]);
    let by_context = run_as_user(&e, false, &["--only", "daemon"]);
    context(&["use", "default"]);
    context(&["rm", "-f", "cbench-rootless"]);
    let name = by_context["checks"][0]["subject"]["name"].as_str().unwrap();
    assert!(name.starts_with(&format!("{address} (Docker ")), "the context's engine: {name}");
    let default = run_as_user(&e, false, &["--only", "daemon", "--allow-partial"]);
    assert_eq!(default["warnings"][0]["path"], "unix:///var/run/docker.sock", "no context: the root engine's socket first");

    // --fix-out writes the user's daemon.json, not /etc/docker's, and gives it back to the user.
    let out = tempfile::tempdir().unwrap();
    let bundle = out.path().join("bundle");
    let r = cbench(&["host", "--docker-host", &address, "--only", "daemon,files", "--fix-out", bundle.to_str().unwrap()]);
    assert!(bundle.join("files").join(daemon_json.trim_start_matches('/')).exists(), "{}", r.stderr);
    assert!(!bundle.join("files/etc/docker/daemon.json").exists());
    let apply = std::fs::read_to_string(bundle.join("apply.sh")).unwrap();
    assert!(apply.contains(&format!("chown {} \"$ROOT{daemon_json}\"", e.uid)), "{apply}");

    // Run as root against the same socket: the same user found by the socket's owner; root
    // owning the user's daemon.json is the finding.
    std::os::unix::fs::chown(&daemon_json, Some(0), Some(0)).unwrap();
    let (_, as_root) = json(&["host", "--docker-host", &address, "--only", "daemon,files"]);
    std::fs::remove_file(&daemon_json).unwrap();
    assert_eq!(outcome(&as_root, "daemon", "userns-remap-disabled").0, "not-applicable");
    assert_eq!(
        messages(&as_root, "docker-file-ownership"),
        [(
            format!("{daemon_json} is owned by 0:0, not {} (uid {}), the rootless engine's user", e.user, e.uid).as_str(),
            daemon_json.as_str()
        )]
    );
}

#[test]
fn rootless_containers_get_the_same_findings_as_on_the_root_engine() {
    let Some(e) = engine() else { return };
    let address = format!("unix://{}", e.socket);
    let id = std::process::id();
    let dir = tempfile::tempdir().unwrap();
    let tar = busybox_rootfs(dir.path(), &["sleep"]);
    let mut names = Vec::new();
    let mut reports = Vec::new();
    for (host, tag) in [(Some(address.as_str()), "rl"), (None, "root")] {
        let image = "cbench-test/busybox:rootless";
        if !docker(host, &["image", "inspect", image]).0 {
            let (ok, out) = docker(host, &["import", "-c", "CMD [\"/bin/sleep\",\"3600\"]", tar.to_str().unwrap(), image]);
            assert!(ok, "docker import: {out}");
        }
        let (plain, privileged) = (format!("{tag}-{id}-plain"), format!("{tag}-{id}-priv"));
        for (name, extra) in [(&plain, vec!["-p", "18082:80", "--cap-add", "NET_ADMIN"]), (&privileged, vec!["--privileged", "-u", "0"])] {
            let mut args = vec!["create", "--name", name.as_str()];
            args.extend(extra);
            args.push(image);
            let (ok, out) = docker(host, &args);
            assert!(ok, "docker create: {out}");
        }
        let mut args = vec!["host", "--all", "--only", "containers"];
        if let Some(h) = host {
            args.extend(["--docker-host", h]);
        }
        let (_, report) = json(&args);
        let _ = docker(host, &["rm", "-f", &plain, &privileged]);
        names.push((plain, privileged));
        reports.push(report);
    }
    let ((rl_plain, rl_priv), (root_plain, root_priv)) = (&names[0], &names[1]);
    let rootless = rules_by_container(&reports[0], &[rl_plain, rl_priv]);
    let root = rules_by_container(&reports[1], &[root_plain, root_priv]);
    assert!(rootless[rl_priv].contains("privileged-container"), "{rootless:?}");
    assert!(rootless[rl_plain].contains("dangerous-capability"), "{rootless:?}");
    assert_eq!(rootless.get(rl_plain), root.get(root_plain));
    assert_eq!(rootless.get(rl_priv), root.get(root_priv));
}

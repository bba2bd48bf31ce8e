//! Podman's Docker-compatible service (`podman system service`, Debian's podman 4.3), for real:
//! named and judged as Podman — dockerd's settings not applicable, with the reason; Podman's
//! default capability set in the message — and the container rules unchanged: the same
//! containers created on Docker and on Podman get the same findings, but for the one default
//! that differs (Podman limits PIDs by default, Docker does not). Podman here can create but not
//! start containers (the sandbox refuses its rlimits): created ones are audited with --all.
//! The service's socket is CBENCH_PODMAN_SOCKET (.ci/run starts it); without it the test skips
//! loudly, unless CBENCH_REQUIRE_PODMAN is set.
#![allow(clippy::disallowed_methods)]

mod common;

use std::process::Command;

use common::*;

/// The daemon rules judged on Podman (src/rules/daemon/mod.rs PODMAN_RULES).
const PODMAN_RULES: &[&str] = &[
    "image-sprawl",
    "container-sprawl",
    "daemon-runs-as-root",
    "no-new-privileges-default-off",
    "daemon-seccomp-disabled",
    "userns-remap-disabled",
    "insecure-registry",
    "content-trust-disabled",
];

fn run(program: &str, args: &[&str]) -> (bool, String) {
    let out = Command::new(program).args(args).output().unwrap_or_else(|e| panic!("{program}: {e}"));
    (out.status.success(), String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr))
}

/// Import busybox-static as IMAGE into `program` (docker or podman).
fn import(program: &str, image: &str) {
    if run(program, &["image", "inspect", image]).0 {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let tar = busybox_rootfs(dir.path(), &["sleep"]);
    let (ok, out) = run(program, &["import", "-c", "CMD [\"/bin/sleep\",\"3600\"]", tar.to_str().unwrap(), image]);
    assert!(ok, "{program} import: {out}");
}

#[test]
fn podman_is_named_and_judged_as_podman() {
    let Some(socket) = std::env::var_os("CBENCH_PODMAN_SOCKET").map(|s| s.to_string_lossy().into_owned()) else {
        assert!(std::env::var_os("CBENCH_REQUIRE_PODMAN").is_none(), "CBENCH_REQUIRE_PODMAN is set but CBENCH_PODMAN_SOCKET is not");
        eprintln!("\n\n*** SKIPPED: no Podman service (CBENCH_PODMAN_SOCKET unset) ***\n");
        return;
    };
    let address = format!("unix://{socket}");
    let id = std::process::id();
    import("podman", "localhost/cbench-test/busybox:1");
    let (p_plain, p_priv) = (format!("pod-{id}-plain"), format!("pod-{id}-priv"));
    for (name, extra) in [(&p_plain, vec!["-p", "18080:80"]), (&p_priv, vec!["--privileged"])] {
        let mut args = vec!["create", "--name", name.as_str()];
        args.extend(extra);
        args.push("localhost/cbench-test/busybox:1");
        let (ok, out) = run("podman", &args);
        assert!(ok, "podman create: {out}");
    }
    let (_, report) = json(&["host", "--docker-host", &address, "--all", "--only", "daemon,containers"]);
    let _ = run("podman", &["rm", "-f", &p_plain, &p_priv]);

    // Named as Podman; dockerd's settings not applicable, with the reason; what Podman's API
    // reports like Docker's still judged.
    let checks = report["checks"].as_array().unwrap();
    let daemon: Vec<&serde_json::Value> = checks.iter().filter(|c| c["section"] == "daemon").collect();
    let name = daemon[0]["subject"]["name"].as_str().unwrap();
    assert!(name.starts_with(&format!("{address} (Podman ")), "{name}");
    for c in &daemon {
        let rule = c["rule"].as_str().unwrap();
        if PODMAN_RULES.contains(&rule) {
            assert_ne!(c["outcome"], "not-applicable", "{c}");
        } else {
            assert_eq!(c["outcome"], "not-applicable", "{c}");
            assert!(c["reason"].as_str().unwrap().contains("the engine is Podman"), "{c}");
        }
    }
    // Podman's own files, where Podman reads them: Debian's policy.json accepts any image; no
    // containers.conf sets no_new_privileges.
    let origin = |rule: &str| -> Vec<String> {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == rule)
            .map(|f| f["origin"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(origin("content-trust-disabled"), ["/etc/containers/policy.json:2:5"]);
    assert_eq!(origin("no-new-privileges-default-off"), ["Podman default (no_new_privileges not set in containers.conf)"]);
    // Podman's default capabilities, not Docker's.
    let caps: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "capabilities-not-dropped" && f["subject"]["name"].as_str().unwrap().starts_with(&p_plain))
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        caps,
        [
            "does not drop all capabilities: keeps 11 default capabilities (CHOWN, DAC_OVERRIDE, FSETID, FOWNER, SETGID, SETUID, SETFCAP, SETPCAP, NET_BIND_SERVICE, SYS_CHROOT, KILL)"
        ]
    );

    // The same containers on Docker: the same findings, but Docker's absent PIDs limit.
    let docker_up = run("docker", &["version", "--format", "{{.Server.APIVersion}}"]).0;
    if !docker_up {
        assert!(std::env::var_os("CBENCH_REQUIRE_ENGINE").is_none(), "CBENCH_REQUIRE_ENGINE is set but no Docker engine answers");
        return;
    }
    import("docker", "cbench-test/busybox:1");
    let (d_plain, d_priv) = (format!("dock-{id}-plain"), format!("dock-{id}-priv"));
    for (name, extra) in [(&d_plain, vec!["-p", "18080:80"]), (&d_priv, vec!["--privileged"])] {
        let mut args = vec!["create", "--name", name.as_str()];
        args.extend(extra);
        args.push("cbench-test/busybox:1");
        let (ok, out) = run("docker", &args);
        assert!(ok, "docker create: {out}");
    }
    let (_, on_docker) = json(&["host", "--all", "--only", "containers"]);
    let _ = run("docker", &["rm", "-f", &d_plain, &d_priv]);
    let on_podman = rules_by_container(&report, &[&p_plain, &p_priv]);
    let mut on_docker = rules_by_container(&on_docker, &[&d_plain, &d_priv]);
    for set in on_docker.values_mut() {
        assert!(set.remove("pids-not-limited"), "Docker sets no PIDs limit by default");
    }
    assert_eq!(on_podman.get(&p_plain), on_docker.get(&d_plain));
    assert_eq!(on_podman.get(&p_priv), on_docker.get(&d_priv));
    assert!(on_podman[&p_priv].contains("privileged-container"));
}

/// A rootless Podman service (CBENCH_ROOTLESS_PODMAN_SOCKET, run by CBENCH_ROOTLESS_USER; .ci/run
/// starts it): rootless told by its socket's owner (its compatible /info does not say), its
/// user's containers.conf, registries.conf and policy.json read over the system's, each
/// finding at its line; a file Podman would refuse is an input error at its line.
#[test]
fn rootless_podman_is_judged_by_its_users_files() {
    let (Some(socket), Some(user)) = (std::env::var("CBENCH_ROOTLESS_PODMAN_SOCKET").ok(), std::env::var("CBENCH_ROOTLESS_USER").ok())
    else {
        assert!(
            std::env::var_os("CBENCH_REQUIRE_ROOTLESS").is_none(),
            "CBENCH_REQUIRE_ROOTLESS is set but CBENCH_ROOTLESS_PODMAN_SOCKET is not"
        );
        eprintln!("\n\n*** SKIPPED: no rootless Podman service (CBENCH_ROOTLESS_PODMAN_SOCKET unset) ***\n");
        return;
    };
    let (uid, gid, home) = passwd_user(&user);
    let dir = format!("{home}/.config/containers");
    let put = |name: &str, text: &str| {
        let path = format!("{dir}/{name}");
        std::fs::create_dir_all(std::path::Path::new(&path).parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        std::os::unix::fs::chown(&path, Some(uid), Some(gid)).unwrap();
        path
    };
    let conf = put("containers.conf", "# cbench test\n[containers]\nno_new_privileges = true\nseccomp_profile = \"unconfined\"\n");
    let registries = put("registries.conf", "[[registry]]\nlocation = \"registry.test:5000\"\ninsecure = true\n");
    put("policy.json", "{\n  \"default\": [{ \"type\": \"reject\" }]\n}\n");
    let bad = put("containers.conf.d/90-bad.conf", "[containers]\nno_new_privileges = maybe\n");
    let address = format!("unix://{socket}");
    let r = cbench(&["host", "--docker-host", &address, "--only", "daemon", "--format", "json"]);
    let _ = std::fs::remove_dir_all(&dir);
    let report: serde_json::Value = serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}{}", r.stdout, r.stderr));
    let checks = report["checks"].as_array().unwrap();
    let check = |rule: &str| checks.iter().find(|c| c["rule"] == rule).unwrap_or_else(|| panic!("{rule}"));
    assert_eq!(check("daemon-runs-as-root")["subject"]["name"], format!("{address} (Podman 4.3.1 rootless)").as_str());
    assert_eq!(check("daemon-runs-as-root")["outcome"], "pass");
    assert_eq!(check("userns-remap-disabled")["outcome"], "not-applicable");
    assert_eq!(check("no-new-privileges-default-off")["outcome"], "pass");
    assert_eq!(check("content-trust-disabled")["outcome"], "pass");
    let found: Vec<(&str, &str, &str)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| !f["rule"].as_str().unwrap().ends_with("-sprawl"))
        .map(|f| (f["rule"].as_str().unwrap(), f["message"].as_str().unwrap(), f["origin"].as_str().unwrap()))
        .collect();
    assert_eq!(
        found,
        [
            ("insecure-registry", "registry registry.test:5000 is insecure (no TLS verification)", format!("{registries}:3:12").as_str()),
            ("daemon-seccomp-disabled", "the default seccomp profile is disabled (unconfined)", format!("{conf}:4:19").as_str()),
        ]
    );
    // The drop-in Podman would refuse: exit 2, at its line.
    assert_eq!(r.code, 2, "{}", r.stderr);
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!((errors[0]["path"].as_str().unwrap(), errors[0]["line"].as_u64()), (bad.as_str(), Some(2)));

    // A default capability set the user's containers.conf gives (read by a Podman service when it
    // starts: one started here for it): a dangerous default is found, and what a container keeps.
    put("containers.conf", "[containers]\ndefault_capabilities = [\"CHOWN\", \"SYS_ADMIN\"]\n");
    let run_dir = socket.rsplit_once("/podman/").map_or("/tmp", |(d, _)| d).to_string();
    let caps_socket = format!("{run_dir}/cbench-caps-{}.sock", std::process::id());
    let as_user = |program: &str, args: &[&str]| {
        let mut c = Command::new("setpriv");
        c.args(["--reuid", &uid.to_string(), "--regid", &gid.to_string(), "--init-groups", "env", "-i"])
            .arg(format!("HOME={home}"))
            .arg(format!("XDG_RUNTIME_DIR={run_dir}"))
            .args(["PATH=/usr/bin:/bin", program])
            .args(args)
            .current_dir("/");
        c
    };
    let mut service = as_user("podman", &["system", "service", "--time=0", &format!("unix://{caps_socket}")])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let name = format!("caps-{}", std::process::id());
    let dir_tar = tempfile::tempdir().unwrap();
    let tar = busybox_rootfs(dir_tar.path(), &["sleep"]);
    std::fs::set_permissions(dir_tar.path(), std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let created = as_user("podman", &["import", tar.to_str().unwrap(), "localhost/cbench-test/caps:1"])
        .output()
        .and_then(|_| as_user("podman", &["create", "--name", &name, "localhost/cbench-test/caps:1", "sleep", "1"]).output())
        .unwrap();
    for _ in 0..50 {
        if std::path::Path::new(&caps_socket).exists() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let (_, report) = json(&["host", "--docker-host", &format!("unix://{caps_socket}"), "--all", "--only", "containers"]);
    let _ = as_user("podman", &["rm", "-f", &name]).output();
    let _ = service.kill();
    let _ = service.wait();
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_file(&caps_socket);
    assert!(created.status.success(), "podman create: {}", String::from_utf8_lossy(&created.stderr));
    let caps: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["subject"]["name"].as_str().unwrap().starts_with(&name) && f["rule"].as_str().unwrap().contains("capabilit"))
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        caps,
        [
            "adds capability SYS_ADMIN: root on the host, as privileged is",
            "does not drop all capabilities: keeps 1 default capability (CHOWN)"
        ]
    );
}

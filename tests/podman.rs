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

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use common::*;

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

/// Rules found per container (by name) from a `cbench host --all` JSON report.
fn rules(report: &serde_json::Value, names: &[&str]) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in report["findings"].as_array().unwrap() {
        let name = f["subject"]["name"].as_str().unwrap().split(' ').next().unwrap().to_string();
        if names.contains(&name.as_str()) {
            out.entry(name).or_default().insert(f["rule"].as_str().unwrap().to_string());
        }
    }
    out
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
        if ["image-sprawl", "container-sprawl", "daemon-runs-as-root"].contains(&rule) {
            assert_ne!(c["outcome"], "not-applicable", "{c}");
        } else {
            assert_eq!(c["outcome"], "not-applicable", "{c}");
            assert!(c["reason"].as_str().unwrap().contains("the engine is Podman"), "{c}");
        }
    }
    // Podman's default capabilities, not Docker's.
    let caps: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "capabilities-not-dropped" && f["subject"]["name"].as_str().unwrap().starts_with(&p_plain))
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(caps, ["does not drop all capabilities: keeps Podman's 11 default capabilities"]);

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
    let on_podman = rules(&report, &[&p_plain, &p_priv]);
    let mut on_docker = rules(&on_docker, &[&d_plain, &d_priv]);
    for set in on_docker.values_mut() {
        assert!(set.remove("pids-not-limited"), "Docker sets no PIDs limit by default");
    }
    assert_eq!(on_podman.get(&p_plain), on_docker.get(&d_plain));
    assert_eq!(on_podman.get(&p_priv), on_docker.get(&d_priv));
    assert!(on_podman[&p_priv].contains("privileged-container"));
}

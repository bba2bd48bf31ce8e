//! cbench's own image (`scripts/build-image.sh`): built here on the real engine (no registry:
//! FROM scratch, a static binary), run as the README documents it, and judged against
//! `cbench host` run on the host itself: every check's outcome is the same, cbench's own
//! container is left out, and the one check a container cannot make (the kernel's audit state:
//! `auditctl -s` needs CAP_AUDIT_CONTROL) is skipped with that reason where the host can answer.
//! Its own test binary: no other test creates or removes containers meanwhile.
#![allow(clippy::disallowed_methods)]

mod common;

use std::collections::BTreeMap;
use std::process::Command;

use common::*;

fn docker(args: &[&str]) -> (bool, String, String) {
    let out = Command::new("docker").args(args).output().expect("run docker");
    (out.status.success(), String::from_utf8_lossy(&out.stdout).to_string(), String::from_utf8_lossy(&out.stderr).to_string())
}

type Outcomes = BTreeMap<(String, String, String), (String, String)>;

fn outcomes(report: &serde_json::Value) -> Outcomes {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let subject = c["subject"]["name"].as_str().unwrap_or_default().to_string();
            (
                (c["section"].as_str().unwrap().to_string(), subject, c["rule"].as_str().unwrap().to_string()),
                (c["outcome"].as_str().unwrap().to_string(), c["reason"].as_str().unwrap_or_default().to_string()),
            )
        })
        .collect()
}

#[test]
fn the_image_audits_the_host_as_cbench_on_the_host_does() {
    if !docker(&["version", "--format", "{{.Server.APIVersion}}"]).0 {
        assert!(std::env::var_os("CBENCH_REQUIRE_ENGINE").is_none(), "CBENCH_REQUIRE_ENGINE is set but no Docker engine answers");
        eprintln!("\n\n*** SKIPPED: no Docker engine answers; the image test did not run ***\n");
        return;
    }
    let tag = "cbench:test-image";
    let build = Command::new("bash").arg(root().join("scripts/build-image.sh")).arg(tag).output().unwrap();
    assert!(build.status.success(), "build-image.sh: {}{}", String::from_utf8_lossy(&build.stdout), String::from_utf8_lossy(&build.stderr));
    // A running container with a published port, and a created privileged one, to be judged
    // by both runs (the running one through its OCI bundle).
    let (ok, _, err) = docker(&["image", "inspect", "cbench-test/busybox:1"]);
    if !ok {
        // The engine tests import it; this binary may run first.
        let dir = tempfile::tempdir().unwrap();
        let tar = busybox_rootfs(dir.path(), &["sh", "sleep", "true"]);
        let (ok, _, err) = docker(&["import", "-c", "CMD [\"/bin/sleep\",\"3600\"]", tar.to_str().unwrap(), "cbench-test/busybox:1"]);
        assert!(ok, "{err}");
    }
    let _ = err;
    let run_name = format!("cbench-img-{}-run", std::process::id());
    let priv_name = format!("cbench-img-{}-priv", std::process::id());
    let (ok, _, err) = docker(&["run", "-d", "--name", &run_name, "-p", "18091:80", "cbench-test/busybox:1"]);
    assert!(ok, "{err}");
    let (ok, _, err) = docker(&["create", "--name", &priv_name, "--privileged", "cbench-test/busybox:1"]);
    assert!(ok, "{err}");

    let (_, on_host) = json(&["host", "--all"]);
    let (_, image_json, image_err) = docker(&[
        "run",
        "--rm",
        "--pid",
        "host",
        "--net",
        "host",
        "--userns",
        "host",
        "-v",
        "/:/host:ro",
        "-v",
        "/var/run/docker.sock:/var/run/docker.sock:ro",
        tag,
        "host",
        "--all",
        "--format",
        "json",
    ]);
    let _ = docker(&["rm", "-f", &run_name, &priv_name]);
    let in_image: serde_json::Value =
        serde_json::from_str(&image_json).unwrap_or_else(|e| panic!("the image's report is not JSON ({e}): {image_json}\n{image_err}"));
    let (host, image) = (outcomes(&on_host), outcomes(&in_image));
    // The image leaves its own container out: no subject is a container of the cbench image.
    let own: Vec<_> =
        image.keys().filter(|(section, subject, _)| section == "containers" && subject.contains("cbench:test-image")).collect();
    assert!(own.is_empty(), "{own:?}");
    assert!(image.keys().any(|(_, subject, _)| subject.starts_with(&format!("{run_name} "))), "the running container is judged");
    let mut differences = Vec::new();
    for key in host.keys().chain(image.keys()).collect::<std::collections::BTreeSet<_>>() {
        let (h, i) = (host.get(key), image.get(key));
        if h == i {
            continue;
        }
        // The one documented difference: the kernel's audit state, which a container cannot ask.
        if key.2 == "auditd-inactive"
            && let Some((outcome, reason)) = i
            && outcome == "skip"
            && reason.contains("CAP_AUDIT_CONTROL")
        {
            continue;
        }
        differences.push(format!("{key:?}: host {h:?}, image {i:?}"));
    }
    assert!(differences.is_empty(), "{}", differences.join("\n"));
    assert!(host.len() > 100, "{} checks", host.len());
    let _ = docker(&["rmi", "-f", tag]);
}

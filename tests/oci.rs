//! `cbench oci` on bundles recorded from a real engine (Docker 20.10.24's runc bundles under
//! /run/docker/containerd/...): the default container and an insecure one.
// Tests read fixtures and the machine they run on to compare with what cbench reads.
#![allow(clippy::disallowed_methods)]

mod common;

use common::*;

#[test]
fn recorded_bundles() {
    let (code, report) = json(&["oci", "fixtures/oci/default", "fixtures/oci/insecure/config.json"]);
    assert_eq!(code, 1);
    let mut by_bundle: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for f in report["findings"].as_array().unwrap() {
        by_bundle.entry(f["subject"]["name"].as_str().unwrap().to_string()).or_default().push(f["rule"].as_str().unwrap().to_string());
    }
    // A bundle has no health check (the engine runs it): not applicable, not a finding.
    let common: Vec<&str> = DEFAULT_CONTAINER_RULES.iter().copied().filter(|r| *r != "healthcheck-missing").collect();
    let health: Vec<(&str, &str)> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["rule"] == "healthcheck-missing")
        .map(|c| (c["outcome"].as_str().unwrap(), c["reason"].as_str().unwrap()))
        .collect();
    let na = ("not-applicable", "not applicable: an OCI bundle has no health check; the engine that starts the container runs it");
    assert_eq!(health, [na, na]);
    let mut default: Vec<String> = common.iter().map(|s| s.to_string()).collect();
    default.sort();
    let mut got = by_bundle["fixtures/oci/default"].clone();
    got.sort();
    assert_eq!(got, default, "Docker's runtime-managed mounts (resolv.conf, hosts, hostname) are not findings");
    let mut insecure: Vec<String> = common
        .iter()
        .chain(&["docker-socket-mount", "dangerous-capability", "host-pid", "seccomp-unconfined"])
        .map(|s| s.to_string())
        .collect();
    insecure.sort();
    let mut got = by_bundle["fixtures/oci/insecure/config.json"].clone();
    got.sort();
    assert_eq!(got, insecure);
    // Origins name the spec field; the environment value in the bundle is never printed.
    let f = report["findings"].as_array().unwrap().iter().find(|f| f["rule"] == "host-pid").unwrap();
    assert_eq!(f["origin"], "bundle fixtures/oci/insecure/config.json .linux.namespaces (pid absent)");
    for format in ["text", "json", "sarif", "compact", "github", "junit"] {
        let r = cbench(&["oci", "fixtures/oci/insecure", "--format", format]);
        assert!(!r.stdout.contains("s3cr3tvalue"), "{format} prints an environment value");
    }
}

#[test]
fn bad_bundles_are_errors_and_the_rest_is_audited() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("config.json");
    std::fs::write(&bad, "{\"ociVersion\": \"1.0.2\",\n \"process\": 42}\n").unwrap();
    let r = cbench(&[
        "oci",
        bad.to_str().unwrap(),
        "/nonexistent/bundle",
        "fixtures/oci/insecure",
        "--format",
        "compact",
        "--select",
        "host-pid",
    ]);
    assert_eq!(r.code, 2);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(
        lines[0],
        "bundle fixtures/oci/insecure .linux.namespaces (pid absent): high[host-pid] fixtures/oci/insecure: shares the host's process namespace: it sees and can signal every host process"
    );
    assert!(
        lines[1].ends_with(
            "config.json:2:14: error: not an OCI runtime spec: invalid type: integer (value not shown), expected struct Process"
        ),
        "{}",
        lines[1]
    );
    assert_eq!(lines[2], "/nonexistent/bundle: error: cannot read: No such file or directory (os error 2)");
}

#[test]
fn every_capability_is_all_and_none_is_drop_all() {
    let dir = tempfile::tempdir().unwrap();
    let all: Vec<String> = cbench::sources::oci::all_caps().into_iter().map(|c| format!("\"CAP_{c}\"")).collect();
    let write = |name: &str, caps: &str| {
        let p = dir.path().join(name);
        std::fs::create_dir(&p).unwrap();
        let spec = format!(
            "{{\"ociVersion\":\"1.0.2\",\"process\":{{\"user\":{{\"uid\":1000,\"gid\":1000}},\"cwd\":\"/\",\"capabilities\":{{\"effective\":[{caps}]}},\"noNewPrivileges\":true}},\"root\":{{\"path\":\"rootfs\",\"readonly\":true}},\"linux\":{{\"namespaces\":[{{\"type\":\"pid\"}},{{\"type\":\"network\"}},{{\"type\":\"ipc\"}},{{\"type\":\"uts\"}},{{\"type\":\"mount\"}}],\"seccomp\":{{\"defaultAction\":\"SCMP_ACT_ERRNO\"}},\"maskedPaths\":[\"/proc/kcore\"],\"resources\":{{\"memory\":{{\"limit\":67108864}},\"cpu\":{{\"quota\":50000}},\"pids\":{{\"limit\":50}}}}}}}}"
        );
        std::fs::write(p.join("config.json"), spec).unwrap();
        p
    };
    let everything = write("all", &all.join(","));
    let nothing = write("none", "");
    let (_, report) = json(&["oci", everything.to_str().unwrap(), nothing.to_str().unwrap(), "--ignore", "healthcheck-missing"]);
    let got: Vec<(String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (f["subject"]["name"].as_str().unwrap().rsplit('/').next().unwrap().to_string(), f["evidence"].as_str().unwrap().to_string())
        })
        .collect();
    // Every capability is `cap_add: ALL` (and nothing dropped); none at all is `cap_drop: ALL` and
    // fires nothing. Evidence speaks the bundle's words.
    assert_eq!(
        got,
        [
            ("all".to_string(), "process.capabilities.bounding: ALL".to_string()),
            ("all".to_string(), "process.capabilities.bounding".to_string())
        ]
    );
}

//! The fleet manifests under deploy/: the Kubernetes DaemonSet and CronJob validate against the
//! Kubernetes API schema offline (kubernetes-validate, PyPI, with its bundled schemas; skipped
//! loudly without it unless CBENCH_REQUIRE_K8S_VALIDATE is set), and the arguments they give
//! cbench are ones cbench takes. (The Flatcar timer snippet is in tests/provision.rs's Butane
//! set: translated and checked by ignition-validate.)
#![allow(clippy::disallowed_methods)]

mod common;

use std::process::Command;

use common::*;

const MANIFESTS: &[&str] = &["deploy/kubernetes/daemonset.yaml", "deploy/kubernetes/cronjob.yaml"];

#[test]
fn kubernetes_manifests_validate_against_the_api_schema() {
    let out = Command::new("kubernetes-validate").arg("--strict").args(MANIFESTS).current_dir(root()).output();
    let Ok(out) = out else {
        assert!(
            std::env::var_os("CBENCH_REQUIRE_K8S_VALIDATE").is_none(),
            "CBENCH_REQUIRE_K8S_VALIDATE is set but kubernetes-validate is not installed"
        );
        eprintln!("\n\n*** SKIPPED: kubernetes-validate is not installed (pip install kubernetes-validate) ***\n");
        return;
    };
    let text = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{text}");
    for m in MANIFESTS {
        assert!(text.contains(&format!("{m} passed")), "{text}");
    }
}

/// The `args:` list of a manifest's cbench container (flow or block form).
fn args(manifest: &str) -> Vec<String> {
    let text = std::fs::read_to_string(root().join(manifest)).unwrap();
    let mut lines = text.lines().skip_while(|l| !l.trim_start().starts_with("args:"));
    let first = lines.next().unwrap().trim_start().trim_start_matches("args:").trim();
    if first.starts_with('[') {
        return first.trim_matches(['[', ']']).split(',').map(|a| a.trim().trim_matches('"').to_string()).collect();
    }
    lines.take_while(|l| l.trim_start().starts_with("- ")).map(|l| l.trim_start()[2..].trim().trim_matches('"').to_string()).collect()
}

#[test]
fn the_manifests_arguments_are_cbenchs() {
    let dir = tempfile::tempdir().unwrap();
    let daemonset = args("deploy/kubernetes/daemonset.yaml");
    assert_eq!(daemonset[0], "host");
    // Once instead of every day, offline on a fixture host, the metrics into a directory here.
    let mut once: Vec<String> = Vec::new();
    let mut it = daemonset.iter().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--every" => {
                assert_eq!(it.next().map(String::as_str), Some("86400"));
            }
            "--output" => {
                assert_eq!(it.next().map(String::as_str), Some("/textfile/cbench.prom"));
                once.push("--output".into());
                once.push(dir.path().join("cbench.prom").to_str().unwrap().to_string());
            }
            other => once.push(other.to_string()),
        }
    }
    let mut run: Vec<&str> = vec!["host", "--root", "fixtures/hosts/debian-docker.io"];
    run.extend(once.iter().map(String::as_str));
    let r = cbench(&run);
    assert!(r.code == 0 || r.code == 1, "{:?}: {}", run, r.stderr);
    assert!(std::fs::read_to_string(dir.path().join("cbench.prom")).unwrap().contains("cbench_check{"));

    let cronjob = args("deploy/kubernetes/cronjob.yaml");
    let mut run: Vec<&str> = vec!["host", "--root", "fixtures/hosts/debian-docker.io"];
    run.extend(cronjob.iter().skip(1).map(String::as_str));
    let r = cbench(&run);
    assert!(r.code == 0 || r.code == 1, "{:?}: {}", run, r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(v["checks"].as_array().unwrap().len() > 50);
}

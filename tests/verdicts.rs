//! A verdict is the truth: one regression per defect of issue 8 ("One verdict engine"), each
//! asserting the exact outcome cbench must give.

mod common;

use common::*;

/// The outcome and reason of check `rule` in a JSON host report (the first one for that rule).
fn check<'a>(report: &'a serde_json::Value, rule: &str) -> (&'a str, &'a str) {
    let c = report["checks"].as_array().unwrap().iter().find(|c| c["rule"] == rule).unwrap_or_else(|| panic!("no check {rule}"));
    (c["outcome"].as_str().unwrap(), c["reason"].as_str().unwrap_or(""))
}

fn evidence_of(report: &serde_json::Value, rule: &str) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .map(|f| f["evidence"].as_str().unwrap().to_string())
        .collect()
}

/// `ExecStart=/usr/bin/dockerd \` continued on the next line with `-H tcp://0.0.0.0:2375`.
#[test]
fn a_continuation_line_does_not_hide_a_tcp_listener() {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    put(
        r,
        "etc/systemd/system/docker.service",
        "[Service]\nExecStart=/usr/bin/dockerd \\\n    -H fd:// \\\n    -H tcp://0.0.0.0:2375 \\\n    --containerd=/run/containerd/containerd.sock\n",
        0o644,
    );
    let (_, report) = json(&["host", "--root", r.to_str().unwrap(), "--only", "daemon"]);
    assert_eq!(check(&report, "daemon-tcp-without-tls").0, "fail");
    assert_eq!(evidence_of(&report, "daemon-tcp-without-tls"), ["tcp://0.0.0.0:2375"]);
}
